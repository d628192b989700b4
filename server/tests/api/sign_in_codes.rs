//! Everyone on record signs in: a person imported from CSV or entered by the
//! office gets an emailed link like anyone else, and a one-time code by SMS
//! signs in from a phone number (six digits, ten minutes, five tries).

use crate::helpers::{client, spawn_app, spawn_app_with, TestApp};
use crate::notifications::sms_gateway;
use crate::setup::make_team;
use app::domain::accounts::{CurrentUser, Role};
use app::domain::imports::ImportReport;
use app::domain::AppError;
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};

type SmsLog = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

async fn app_with_sms() -> (TestApp, SmsLog) {
    let (url, seen) = sms_gateway().await;
    let app = spawn_app_with(&[
        ("VALGVAGT_SMS_URL", url),
        ("VALGVAGT_SMS_TOKEN", "hemmelig".to_string()),
        // So that a test can ask from several clients (`proxies::forwarded`).
        ("VALGVAGT_TRUSTED_PROXIES", "127.0.0.1".to_string()),
    ])
    .await;
    (app, seen)
}

/// The code in the newest SMS to `msisdn`.
fn last_code(seen: &SmsLog, msisdn: u64) -> Option<String> {
    let sent = seen.lock().unwrap().clone();
    let body = sent
        .iter()
        .rev()
        .find(|(_, b)| b["recipients"][0]["msisdn"] == msisdn)?
        .1["message"]
        .as_str()?
        .to_string();
    Some(body.chars().take_while(|c| c.is_ascii_digit()).collect())
}

async fn me(app: &TestApp, browser: &reqwest::Client) -> Option<CurrentUser> {
    app.ok_with(browser, "auth/who_am_i", &[]).await
}

#[tokio::test]
async fn a_person_imported_from_csv_asks_for_a_link_and_signs_in_as_a_volunteer() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let team = make_team(&app, "Frivillige", "FRI").await;
    let csv = "Navn;E-mail;Telefon;Fødselsdato;Adresse;Postnr;By;Statsborgerskab;Bor i kommunen;Værgemål\n\
               Lars Eriksen;lars.eriksen@example.dk;20304050;1970-03-04;Algade 3;4200;Korsbæk;dansk;ja;nej\n";
    let team_id = team.id.to_string();
    let report: ImportReport = app
        .ok("volunteers/import", &[("csv", csv), ("team_id", &team_id)])
        .await;
    let _: ImportReport = app
        .ok(
            "volunteers/import",
            &[
                ("csv", csv),
                ("team_id", &team_id),
                ("save", "yes"),
                ("digest", &report.digest),
            ],
        )
        .await;

    let phone = client();
    app.ok_with::<()>(
        &phone,
        "auth/request_link",
        &[("email", "Lars.Eriksen@example.dk")],
    )
    .await;
    let mails = app.mail.to("lars.eriksen@example.dk");
    assert_eq!(mails.len(), 1, "the imported person gets a link");
    let link = mails[0].sign_in_link().expect("a sign-in link");
    assert_eq!(app.sign_in(&phone, &link).await, StatusCode::OK);
    let user = me(&app, &phone).await.expect("signed in");
    assert_eq!(user.email, "lars.eriksen@example.dk");
    assert_eq!(user.roles, vec![Role::Volunteer]);
    let volunteer_id = user.volunteer_id.expect("tied to the volunteer record");
    let shifts: app::shifts::MyShifts = app.ok_with(&phone, "shifts/mine", &[]).await;
    assert!(shifts.upcoming.is_empty());
    // The account was made once: a second link signs in the same user.
    app.ok_with::<()>(
        &phone,
        "auth/request_link",
        &[("email", "lars.eriksen@example.dk")],
    )
    .await;
    let again = client();
    let link = app.mail.to("lars.eriksen@example.dk")[1]
        .sign_in_link()
        .unwrap();
    assert_eq!(app.sign_in(&again, &link).await, StatusCode::OK);
    let second = me(&app, &again).await.unwrap();
    assert_eq!(
        (second.id, second.volunteer_id),
        (user.id, Some(volunteer_id))
    );
}

#[tokio::test]
async fn an_sms_code_signs_in_once_and_five_wrong_tries_end_it() {
    let (app, seen) = app_with_sms().await;
    app.sign_in_admin().await;
    let options: bool = app.ok("auth/options", &[]).await;
    assert!(options, "the sign-in page offers SMS");
    let karen = app
        .storage
        .create_volunteer(&crate::storage::volunteer("karen@example.dk"))
        .await
        .unwrap();

    // An unknown number gets the same answer, and no SMS.
    let phone = client();
    app.ok_with::<()>(&phone, "auth/request_code", &[("phone", "88776655")])
        .await;
    assert!(seen.lock().unwrap().is_empty());
    let (status, error) = app
        .err_with(&phone, "auth/request_code", &[("phone", "123")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error, AppError::invalid("phone", "error.phone"));
    // A number abroad (a premium-rate one, say) gets no SMS: refused alike
    // whether anyone has it.
    let (status, error) = app
        .err_with(&phone, "auth/request_code", &[("phone", "+881612345678")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error, AppError::invalid("phone", "auth.sms_country"));
    assert!(seen.lock().unwrap().is_empty());

    // Karen's number (20 30 40 50, as people write it) gets a code.
    app.ok_with::<()>(&phone, "auth/request_code", &[("phone", "20 30 40 50")])
        .await;
    let code = last_code(&seen, 4520304050).expect("an SMS to Karen");
    assert_eq!(code.len(), 6);
    let text = seen.lock().unwrap()[0].1["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.ends_with(&format!("@localhost #{code}")), "{text}");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (1..5).rev() {
        let (_, error) = app
            .err_with(
                &phone,
                "auth/sign_in_with_code",
                &[("phone", "+4520304050"), ("code", wrong)],
            )
            .await;
        assert_eq!(error, AppError::refused_with("auth.code_wrong", left));
    }
    let (_, error) = app
        .err_with(
            &phone,
            "auth/sign_in_with_code",
            &[("phone", "+4520304050"), ("code", wrong)],
        )
        .await;
    assert_eq!(
        error,
        AppError::refused("auth.code_dead"),
        "the fifth ends it"
    );
    // Even the right code no longer works.
    let (_, error) = app
        .err_with(
            &phone,
            "auth/sign_in_with_code",
            &[("phone", "+4520304050"), ("code", &code)],
        )
        .await;
    assert_eq!(error, AppError::refused("auth.code_dead"));
    assert!(me(&app, &phone).await.is_none());

    // A new code works, once.
    app.ok_with::<()>(&phone, "auth/request_code", &[("phone", "20304050")])
        .await;
    let code = last_code(&seen, 4520304050).unwrap();
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    app.ok_with::<()>(
        &phone,
        "auth/sign_in_with_code",
        &[
            ("phone", "20304050"),
            ("code", &spaced),
            ("next", "/my-shifts"),
        ],
    )
    .await;
    let user = me(&app, &phone).await.expect("signed in by code");
    assert_eq!(user.volunteer_id, Some(karen));
    let other = client();
    let (_, error) = app
        .err_with(
            &other,
            "auth/sign_in_with_code",
            &[("phone", "20304050"), ("code", &code)],
        )
        .await;
    assert_eq!(error, AppError::refused("auth.code_dead"), "used once");
}

#[tokio::test]
async fn a_newer_code_ends_the_older_one_and_asking_too_often_is_refused() {
    let (app, seen) = app_with_sms().await;
    app.storage
        .create_volunteer(&crate::storage::volunteer("karen@example.dk"))
        .await
        .unwrap();
    let phone = client();
    app.ok_with::<()>(&phone, "auth/request_code", &[("phone", "20304050")])
        .await;
    let first = last_code(&seen, 4520304050).unwrap();
    for _ in 1..app::auth::CODES_PER_NUMBER_PER_HOUR {
        app.ok_with::<()>(&phone, "auth/request_code", &[("phone", "20304050")])
            .await;
    }
    let newest = last_code(&seen, 4520304050).unwrap();
    let (_, error) = app
        .err_with(&phone, "auth/request_code", &[("phone", "20304050")])
        .await;
    assert_eq!(error, AppError::refused("auth.rate_limited"));
    assert_eq!(
        seen.lock().unwrap().len() as i64,
        app::auth::CODES_PER_NUMBER_PER_HOUR
    );
    if first != newest {
        let (_, error) = app
            .err_with(
                &phone,
                "auth/sign_in_with_code",
                &[("phone", "20304050"), ("code", &first)],
            )
            .await;
        assert!(
            matches!(&error, AppError::Refused { key, .. } if key == "auth.code_wrong"),
            "only the newest code counts: {error:?}"
        );
    }
    app.ok_with::<()>(
        &phone,
        "auth/sign_in_with_code",
        &[("phone", "20304050"), ("code", &newest)],
    )
    .await;
    assert!(me(&app, &phone).await.is_some());
}

#[tokio::test]
async fn a_number_two_people_share_gets_no_code_and_without_a_gateway_sms_is_refused() {
    let (app, seen) = app_with_sms().await;
    for email in ["a@example.dk", "b@example.dk"] {
        app.storage
            .create_volunteer(&crate::storage::volunteer(email))
            .await
            .unwrap();
    }
    app.ok_with::<()>(&client(), "auth/request_code", &[("phone", "20304050")])
        .await;
    assert!(seen.lock().unwrap().is_empty(), "whom would it sign in?");

    let plain = spawn_app().await;
    let options: bool = plain.ok("auth/options", &[]).await;
    assert!(!options);
    let (_, error) = plain
        .err("auth/request_code", &[("phone", "20304050")])
        .await;
    assert_eq!(error, AppError::refused("auth.sms_unavailable"));
}

#[tokio::test]
async fn a_stranger_who_spends_a_numbers_codes_does_not_lock_its_owner_out() {
    use app::auth::{CODES_PER_NUMBER_OVERALL_PER_HOUR, CODES_PER_NUMBER_PER_HOUR};
    let (app, seen) = app_with_sms().await;
    app.storage
        .create_volunteer(&crate::storage::volunteer("karen@example.dk"))
        .await
        .unwrap();
    let ask = |browser: reqwest::Client| {
        let app = &app;
        async move {
            app.call_with(&browser, "auth/request_code", &[("phone", "20304050")])
                .await
                .status()
        }
    };
    let stranger = crate::proxies::forwarded("203.0.113.5");
    for _ in 0..CODES_PER_NUMBER_PER_HOUR {
        assert!(ask(stranger.clone()).await.is_success());
    }
    assert_eq!(ask(stranger.clone()).await, StatusCode::CONFLICT);
    // The owner, on another network, still gets a code.
    assert!(ask(crate::proxies::forwarded("198.51.100.20"))
        .await
        .is_success());
    // Over all networks together the number's hourly cap holds.
    let mut sent = CODES_PER_NUMBER_PER_HOUR + 1;
    let mut network = 10;
    while sent < CODES_PER_NUMBER_OVERALL_PER_HOUR {
        assert!(
            ask(crate::proxies::forwarded(&format!("203.0.113.{network}")))
                .await
                .is_success()
        );
        sent += 1;
        network += 1;
    }
    assert_eq!(
        ask(crate::proxies::forwarded("192.0.2.99")).await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        seen.lock().unwrap().len() as i64,
        CODES_PER_NUMBER_OVERALL_PER_HOUR
    );
}
