//! A newcomer signs up from a link (details, consent with its version), the
//! seat held until the link mailed to them proves the address: only then a
//! session, a passkey and the seat; or its standby queue. Bad input creates
//! nothing. A volunteer deletes their account: refused inside the lock
//! period, erased or anonymised, seats freed and coordinators told.

use crate::helpers::client;
use crate::signup::{make_link, take_form, with_seats};
use app::domain::accounts::{CurrentUser, Role};
use app::domain::notifications::MessageKind;
use app::domain::seats::{SeatDetails, SeatStatus};
use app::domain::{AppError, Id};
use chrono::{Datelike, Duration};
use reqwest::StatusCode;

/// `VALGVAGT_PRIVACY_VERSION`'s default, the built-in text's version.
pub(crate) const PRIVACY_VERSION: &str = "2026-1";

/// The sign-up form for `email`, for the cell (or none: a team link).
pub(crate) fn newcomer_form(
    token: &str,
    cell: Option<&SeatDetails>,
    email: &str,
    birth_date: &str,
) -> Vec<(String, String)> {
    let mut form: Vec<(String, String)> = match cell {
        Some(cell) => take_form(token, cell),
        None => vec![
            ("token".into(), token.into()),
            ("station_id".into(), String::new()),
            ("day".into(), String::new()),
            ("task_type_id".into(), String::new()),
        ],
    };
    for (k, v) in [
        ("name", "Sofie Hansen"),
        ("email", email),
        ("phone", "20 30 40 50"),
        ("birth_date", birth_date),
        ("address", "Storegade 1"),
        ("postal_code", "4100"),
        ("city", "Korsbæk"),
        ("resident", "yes"),
        ("citizenship", "danish"),
        ("guardianship", "no"),
        ("consent", "on"),
    ] {
        form.push((format!("form[{k}]"), v.to_string()));
    }
    // The version the page showed: the configured default, none published.
    form.push(("privacy_version".into(), PRIVACY_VERSION.into()));
    form
}

fn without(form: &[(String, String)], field: &str) -> Vec<(String, String)> {
    form.iter().filter(|(k, _)| k != field).cloned().collect()
}

pub(crate) async fn register(
    e: &crate::reminders::Election2,
    phone: &reqwest::Client,
    form: &[(String, String)],
) -> reqwest::Response {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    e.app.call_with(phone, "signup/register", &pairs).await
}

pub(crate) async fn volunteers(e: &crate::reminders::Election2) -> i64 {
    e.app.storage.count_volunteers().await.unwrap()
}

fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Where the check page's `next` sends the newcomer once they confirm.
fn next_of(check: &str) -> String {
    let query = check.split_once('?').map(|(_, q)| q).unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Opens the newest link mailed to `email` in `phone`, as its button does;
/// returns where it goes on to.
async fn confirm(e: &crate::reminders::Election2, phone: &reqwest::Client, email: &str) -> String {
    let link = e
        .app
        .mail
        .to(email)
        .last()
        .and_then(|m| m.sign_in_link())
        .expect("a link in the mail");
    let (path, query) = link.split_once('?').unwrap_or((&link, ""));
    let token = path.rsplit('/').next().unwrap();
    let next = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "next")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let response = e
        .app
        .call_with(
            phone,
            "auth/sign_in_with_link",
            &[("token", token), ("next", &next)],
        )
        .await;
    assert!(response.status().is_success(), "{}", response.status());
    location(&response)
}

#[tokio::test]
async fn a_newcomer_signs_up_from_a_shift_link_and_gets_the_seat_once_the_mail_proves_the_address()
{
    let (e, cell, leader) = with_seats(1).await;
    let token = make_link(&e, &leader, &cell).await;
    let phone = client();
    let form = newcomer_form(&token, Some(&cell), "Sofie@Example.dk", "1990-05-04");
    let response = register(&e, &phone, &form).await;
    assert!(response.status().is_success(), "{:?}", response.status());
    let check = location(&response);
    assert!(
        check.starts_with(&format!("/join/{token}/check?")),
        "{check}"
    );
    assert!(check.contains("held="), "{check}");
    let welcome = next_of(&check);
    assert!(
        welcome.starts_with(&format!("/join/{token}/welcome?seat=")),
        "{welcome}"
    );

    // Not signed in yet, so no passkey; the seat is held, not given.
    let me: Option<CurrentUser> = e.app.ok_with(&phone, "auth/who_am_i", &[]).await;
    assert!(me.is_none(), "no session before the address is proved");
    let (status, _) = e.app.err_with(&phone, "passkeys/register_start", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let held = e
        .app
        .storage
        .find_volunteer_by_email("sofie@example.dk")
        .await
        .unwrap()
        .unwrap();
    let seats = e.app.storage.volunteer_seats(held).await.unwrap();
    assert_eq!(seats[0].status, SeatStatus::Invited);
    assert!(e.kinds(held).await.is_empty(), "no invitation to answer");

    // The mailed link signs in, on to the welcome page, and the seat is hers.
    assert_eq!(confirm(&e, &phone, "sofie@example.dk").await, welcome);
    let me: Option<CurrentUser> = e.app.ok_with(&phone, "auth/who_am_i", &[]).await;
    let me = me.expect("signed in");
    assert_eq!(me.email, "sofie@example.dk");
    assert_eq!(me.roles, vec![Role::Volunteer]);
    let id = me.volunteer_id.expect("a volunteer");
    let sofie = e.app.storage.get_volunteer(id).await.unwrap();
    assert_eq!(sofie.phone, "+4520304050");
    assert_eq!(sofie.consent_version.as_deref(), Some("2026-1"));
    assert!(sofie.consent_at.is_some());
    let seats = e.app.storage.volunteer_seats(id).await.unwrap();
    assert_eq!(seats.len(), 1);
    assert_eq!(seats[0].status, SeatStatus::Accepted);
    assert_eq!(e.app.storage.volunteer_teams(id).await.unwrap().len(), 1);
    assert_eq!(
        e.kinds(id).await,
        vec![MessageKind::RegistrationConfirmation]
    );

    // The same address again makes nothing new.
    let before = volunteers(&e).await;
    let response = register(&e, &client(), &form).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let error: AppError = response.json().await.unwrap();
    assert_eq!(error, AppError::refused("signup.email_taken"));
    assert_eq!(volunteers(&e).await, before);

    // The cell is full now: the next newcomer lands in its standby queue.
    let next = client();
    let form = newcomer_form(&token, Some(&cell), "bo@example.dk", "1985-01-02");
    let response = register(&e, &next, &form).await;
    assert!(response.status().is_success());
    let check = location(&response);
    assert!(next_of(&check).ends_with("/welcome?standby=1"), "{check}");
    assert!(!check.contains("held="));
    let bo = e
        .app
        .storage
        .find_volunteer_by_email("bo@example.dk")
        .await
        .unwrap()
        .unwrap();
    let places = e.app.storage.volunteer_standby(bo).await.unwrap();
    assert_eq!(places[0].place, 1);
}

#[tokio::test]
async fn a_held_seat_nobody_confirms_runs_out_and_goes_on() {
    let (e, cell, leader) = with_seats(1).await;
    let token = make_link(&e, &leader, &cell).await;
    let phone = client();
    let form = newcomer_form(&token, Some(&cell), "glemsom@example.dk", "1990-05-04");
    assert!(register(&e, &phone, &form).await.status().is_success());
    let id = e
        .app
        .storage
        .find_volunteer_by_email("glemsom@example.dk")
        .await
        .unwrap()
        .unwrap();
    let seat = e.app.storage.volunteer_seats(id).await.unwrap()[0].clone();
    let deadline = seat.respond_by.expect("held with a deadline");
    let now = chrono::Utc::now().timestamp();
    assert!((deadline - now - app::newcomers::HOLD_MINUTES * 60).abs() < 60);
    // The deadline passes without a confirmation: the seat opens again.
    e.app.scheduler.run(deadline + 1).await.unwrap();
    let details = e.app.storage.seat_details(seat.seat_id).await.unwrap();
    assert_eq!(details.status, SeatStatus::Open);
    // Confirming late signs in, but the seat is not theirs any more.
    confirm(&e, &phone, "glemsom@example.dk").await;
    let details = e.app.storage.seat_details(seat.seat_id).await.unwrap();
    assert_eq!(details.status, SeatStatus::Open);
    let mine: bool = e
        .app
        .ok_with(
            &phone,
            "signup/seat_is_mine",
            &[("seat_id", &seat.seat_id.to_string())],
        )
        .await;
    assert!(!mine);
}

#[tokio::test]
async fn bad_sign_ups_are_refused_and_create_nothing() {
    let (e, cell, leader) = with_seats(1).await;
    let token = make_link(&e, &leader, &cell).await;
    let good = newcomer_form(&token, Some(&cell), "ny@example.dk", "1990-05-04");
    let before = volunteers(&e).await;

    let cases: Vec<(Vec<(String, String)>, AppError)> = vec![
        (
            without(&good, "form[consent]"),
            AppError::invalid("consent", "signup.consent_required"),
        ),
        (
            without(&good, "form[citizenship]"),
            AppError::invalid("citizenship", "error.required"),
        ),
        (
            newcomer_form(&token, Some(&cell), "ny@", "1990-05-04"),
            AppError::invalid("email", "error.email"),
        ),
        (
            // Turns 18 the day after the shift.
            {
                let birthday = cell.day + Duration::days(1);
                let born = birthday.with_year(birthday.year() - 18).unwrap();
                newcomer_form(&token, Some(&cell), "ny@example.dk", &born.to_string())
            },
            AppError::refused("eligibility.under_age"),
        ),
        (
            newcomer_form("no-such-link", Some(&cell), "ny@example.dk", "1990-05-04"),
            AppError::refused("signup.link_gone"),
        ),
    ];
    for (form, expected) in cases {
        let phone = client();
        let response = register(&e, &phone, &form).await;
        assert!(!response.status().is_success(), "{expected:?} was accepted");
        let error: AppError = response.json().await.unwrap();
        assert_eq!(error, expected);
        let me: Option<CurrentUser> = e.app.ok_with(&phone, "auth/who_am_i", &[]).await;
        assert!(me.is_none(), "no session after {expected:?}");
    }
    assert_eq!(volunteers(&e).await, before);
    assert!(e
        .app
        .storage
        .find_volunteer_by_email("ny@example.dk")
        .await
        .unwrap()
        .is_none());

    // Someone signed in does not make a second account.
    let form: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (_, error) = e
        .app
        .err_with(&e.karen_phone, "signup/register", &form)
        .await;
    assert_eq!(error, AppError::refused("signup.signed_in_already"));
}

#[tokio::test]
async fn a_team_link_newcomer_joins_the_team_and_can_ask_for_sign_in_links() {
    let (e, cell, leader) = with_seats(1).await;
    let token = make_link(&e, &leader, &cell).await;
    let phone = client();
    let response = register(
        &e,
        &phone,
        &newcomer_form(&token, None, "hold@example.dk", "1990-05-04"),
    )
    .await;
    assert!(response.status().is_success());
    assert!(next_of(&location(&response)).ends_with(&format!("/join/{token}/welcome")));
    assert!(confirm(&e, &phone, "hold@example.dk")
        .await
        .ends_with("/welcome"));
    let me: Option<CurrentUser> = e.app.ok_with(&phone, "auth/who_am_i", &[]).await;
    let id = me.unwrap().volunteer_id.unwrap();
    assert_eq!(e.app.storage.volunteer_teams(id).await.unwrap().len(), 1);
    assert!(e.app.storage.volunteer_seats(id).await.unwrap().is_empty());

    // The email fallback: only for someone signed in, and it arrives.
    let (status, _) = e.app.err_with(&client(), "signup/email_link", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let sent: String = e.app.ok_with(&phone, "signup/email_link", &[]).await;
    assert_eq!(sent, "hold@example.dk");
    let mail = e.app.mail.to("hold@example.dk");
    assert_eq!(mail.len(), 2, "the confirmation, then the fallback link");
    assert!(mail[1].sign_in_link().is_some());
}

/// Gives Karen the fixture's seat through the link; returns it.
async fn karen_takes(e: &crate::reminders::Election2, token: &str, cell: &SeatDetails) -> Id {
    let form = take_form(token, cell);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    e.app
        .ok_with::<()>(&e.karen_phone, "signup/take", &pairs)
        .await;
    e.app.storage.volunteer_seats(e.karen).await.unwrap()[0].seat_id
}

#[tokio::test]
async fn deleting_an_account_frees_its_seats_tells_coordinators_and_erases_the_person() {
    let (e, cell, leader) = with_seats(1).await;
    let token = make_link(&e, &leader, &cell).await;
    let seat = karen_takes(&e, &token, &cell).await;
    // A coordinator of the whole municipality, to be told.
    e.app
        .browser_for("koordinator@example.dk", Role::Coordinator, &[])
        .await;

    // Without the tick nothing happens.
    let (status, error) = e
        .app
        .err_with(&e.karen_phone, "profile/delete", &[("confirm", "")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error,
        AppError::invalid("confirm", "profile.delete_confirm_required")
    );

    e.app
        .ok_with::<()>(&e.karen_phone, "profile/delete", &[("confirm", "on")])
        .await;
    let freed = e.app.storage.seat_details(seat).await.unwrap();
    assert_eq!(freed.status, SeatStatus::Open);
    assert!(
        matches!(
            e.app.storage.get_volunteer(e.karen).await,
            Err(app::domain::AppError::NotFound)
        ),
        "erased"
    );
    let me: Option<CurrentUser> = e.app.ok_with(&e.karen_phone, "auth/who_am_i", &[]).await;
    assert!(me.is_none(), "signed out");
    let left: Vec<(String, Option<i64>)> = sql!(e.app, |db| sqlx::query_as(
        "SELECT kind, user_id FROM outbox WHERE kind = 'volunteer_left'"
    )
    .fetch_all(db)
    .await
    .unwrap());
    // The fixture's administrator is no coordinator; the one made above is.
    assert_eq!(left.len(), 1, "{left:?}");
    let history: i64 = sql!(e.app, |db| sqlx::query_scalar(
        "SELECT count(*) FROM seat_history WHERE volunteer_id = $1"
    )
    .bind(e.karen)
    .fetch_one(db)
    .await
    .unwrap());
    assert_eq!(history, 0, "nothing about her is kept");
}

#[tokio::test]
async fn an_account_is_kept_anonymous_for_payroll_and_cannot_go_inside_the_lock_period() {
    let (e, cell, leader) = with_seats(1).await;
    let token = make_link(&e, &leader, &cell).await;
    let seat = karen_takes(&e, &token, &cell).await;
    // Her shift moves inside the lock period: she cannot leave by herself.
    sql!(e.app, |db| sqlx::query(
        "UPDATE elections SET lock_days = 30"
    )
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    let (status, error) = e
        .app
        .err_with(&e.karen_phone, "profile/delete", &[("confirm", "on")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("profile.delete_locked"));
    assert!(e.app.storage.get_volunteer(e.karen).await.is_ok());

    // A paid shift in the past keeps the record, without who she was.
    sql!(e.app, |db| sqlx::query(
        "UPDATE elections SET lock_days = 0"
    )
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    sql!(e.app, |db| sqlx::query(
        "UPDATE seats SET day = '2020-01-01' WHERE id = $1"
    )
    .bind(seat)
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    e.app
        .ok_with::<()>(&e.karen_phone, "profile/delete", &[("confirm", "on")])
        .await;
    let kept = e.app.storage.get_volunteer(e.karen).await.unwrap();
    assert_eq!(kept.name, "—");
    assert!(kept.email.ends_with("@invalid"));
    assert_eq!(kept.phone, "+");
    assert_eq!(kept.consent_version, None);
    let past = e.app.storage.seat_details(seat).await.unwrap();
    assert_eq!(past.status, SeatStatus::Accepted, "the paid shift stays");
    assert_eq!(past.volunteer_id, Some(e.karen));
    let me: Option<CurrentUser> = e.app.ok_with(&e.karen_phone, "auth/who_am_i", &[]).await;
    assert!(me.is_none());
}

#[tokio::test]
async fn the_office_marks_a_declaration_checked_and_nobody_else_can() {
    let (e, cell, leader) = with_seats(1).await;
    let token = make_link(&e, &leader, &cell).await;
    let phone = client();
    let response = register(
        &e,
        &phone,
        &newcomer_form(&token, None, "tjek@example.dk", "1990-05-04"),
    )
    .await;
    assert!(response.status().is_success());
    confirm(&e, &phone, "tjek@example.dk").await;
    let me: Option<CurrentUser> = e.app.ok_with(&phone, "auth/who_am_i", &[]).await;
    let id = me.unwrap().volunteer_id.unwrap().to_string();
    assert!(
        !e.app
            .storage
            .get_volunteer(id.parse().unwrap())
            .await
            .unwrap()
            .verified
    );
    for browser in [&phone, &leader] {
        let (status, _) = e
            .app
            .err_with(
                browser,
                "volunteers/verify",
                &[("id", &id), ("verified", "true")],
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    e.app
        .ok::<()>("volunteers/verify", &[("id", &id), ("verified", "true")])
        .await;
    assert!(
        e.app
            .storage
            .get_volunteer(id.parse().unwrap())
            .await
            .unwrap()
            .verified
    );
}

#[tokio::test]
async fn a_new_email_address_counts_only_once_its_link_is_used() {
    let (e, _cell, _leader) = with_seats(1).await;
    let (_, error) = e
        .app
        .err_with(
            &e.karen_phone,
            "profile/email",
            &[("email", "karen@example.dk")],
        )
        .await;
    assert_eq!(error, AppError::invalid("email", "profile.email_same"));
    e.app
        .ok_with::<String>(
            &e.karen_phone,
            "profile/email",
            &[("email", "ny.karen@example.dk")],
        )
        .await;
    // Nothing has changed yet.
    let karen = e.app.storage.get_volunteer(e.karen).await.unwrap();
    assert_eq!(karen.email, "karen@example.dk");
    let mail = e.app.mail.to("ny.karen@example.dk");
    assert_eq!(mail.len(), 1);
    let text = mail[0].decoded();
    let start = text.find("/profile/email/").unwrap() + "/profile/email/".len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    // The link works once, from any browser.
    e.app
        .ok_with::<()>(&client(), "profile/email_confirm", &[("token", &token)])
        .await;
    let karen = e.app.storage.get_volunteer(e.karen).await.unwrap();
    assert_eq!(karen.email, "ny.karen@example.dk");
    let me: Option<CurrentUser> = e.app.ok_with(&e.karen_phone, "auth/who_am_i", &[]).await;
    assert_eq!(me.unwrap().email, "ny.karen@example.dk");
    let (_, error) = e
        .app
        .err_with(&client(), "profile/email_confirm", &[("token", &token)])
        .await;
    assert_eq!(error, AppError::refused("profile.email_link_invalid"));
    // An address someone else has gets the same answer, so it tells
    // nobody who has an account; its owner gets a notice, not a link.
    let before = e.app.mail.to("ole@example.dk").len();
    let answer: String = e
        .app
        .ok_with(
            &e.karen_phone,
            "profile/email",
            &[("email", "ole@example.dk")],
        )
        .await;
    assert_eq!(answer, "ole@example.dk");
    let notice = e.app.mail.to("ole@example.dk");
    assert_eq!(notice.len(), before + 1);
    let text = notice[before].decoded();
    assert!(!text.contains("/profile/email/"), "{text}");
    assert!(text.contains("allerede"), "{text}");
    let karen = e.app.storage.get_volunteer(e.karen).await.unwrap();
    assert_eq!(karen.email, "ny.karen@example.dk");
}

/// Makes every session of `email` look `minutes` old.
async fn age_sessions(app: &crate::helpers::TestApp, email: &str, minutes: i64) {
    sql!(app, |db| sqlx::query(
        "UPDATE sessions SET created_at = created_at - $2
             WHERE user_id = (SELECT id FROM users WHERE email = $1)",
    )
    .bind(email)
    .bind(minutes * 60)
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
}

#[tokio::test]
async fn a_new_address_or_passkey_wants_a_fresh_sign_in_and_the_old_address_is_told() {
    let (e, _cell, _leader) = with_seats(1).await;
    // A session borrowed, or left open on a shared computer, for an hour.
    age_sessions(&e.app, "karen@example.dk", 60).await;
    let (_, error) = e
        .app
        .err_with(
            &e.karen_phone,
            "profile/email",
            &[("email", "thief@example.dk")],
        )
        .await;
    assert_eq!(error, AppError::refused("auth.sign_in_again"));
    let (_, error) = e
        .app
        .err_with(&e.karen_phone, "passkeys/register_start", &[])
        .await;
    assert_eq!(error, AppError::refused("auth.sign_in_again"));
    assert!(e.app.mail.to("thief@example.dk").is_empty());

    // Signed in again: the change goes ahead, and the old address hears.
    let fresh = e
        .app
        .browser_for("karen@example.dk", Role::Volunteer, &[])
        .await;
    e.app
        .ok_with::<String>(&fresh, "profile/email", &[("email", "ny.karen@example.dk")])
        .await;
    let text = e.app.mail.to("ny.karen@example.dk")[0].decoded();
    let start = text.find("/profile/email/").unwrap() + "/profile/email/".len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert!(e.app.mail.to("karen@example.dk").is_empty());
    e.app
        .ok_with::<()>(&client(), "profile/email_confirm", &[("token", &token)])
        .await;
    let notice = e.app.mail.to("karen@example.dk");
    assert_eq!(notice.len(), 1, "the old address is told once");
    let notice = notice[0].decoded();
    assert!(notice.contains("ny.karen@example.dk"), "{notice}");
    assert!(notice.contains("Var det ikke dig?"), "{notice}");
}

#[tokio::test]
async fn a_deleted_account_leaves_no_name_address_or_phone_in_logs_messages_or_limits() {
    let (e, cell, leader) = with_seats(1).await;
    let token = make_link(&e, &leader, &cell).await;
    let seat = karen_takes(&e, &token, &cell).await;
    e.app
        .browser_for("koordinator@example.dk", Role::Coordinator, &[])
        .await;
    // Traces of her: the office looks at her record (audited with her name),
    // she asks for a sign-in link (a rate-limit row with her address), and
    // on the day she reports being late (a message to staff with her name).
    let _: app::volunteers::VolunteerProfile = e
        .app
        .ok("volunteers/get", &[("id", &e.karen.to_string())])
        .await;
    e.app
        .ok::<()>("auth/request_link", &[("email", "karen@example.dk")])
        .await;
    let today = app::i18n::copenhagen_time(chrono::Utc::now().timestamp())
        .unwrap()
        .date_naive();
    sql!(e.app, |db| sqlx::query(
        "UPDATE seats SET day = $2 WHERE id = $1"
    )
    .bind(seat)
    .bind(today)
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    sql!(e.app, |db| sqlx::query(
        "UPDATE elections SET lock_days = 0"
    )
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    e.app
        .ok_with::<()>(
            &e.karen_phone,
            "checkin/report",
            &[
                ("seat_id", &seat.to_string()),
                ("what", "delayed"),
                ("note", ""),
            ],
        )
        .await;
    // Back to its real day, weeks ahead, so that she may leave by herself.
    sql!(e.app, |db| sqlx::query(
        "UPDATE seats SET day = $2 WHERE id = $1"
    )
    .bind(seat)
    .bind(cell.day)
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    let (audit, _, limits) = traces_of(&e.app, "karen@example.dk").await;
    assert!(
        audit > 0 && limits > 0,
        "the address is in the log and the limits"
    );
    let (audit, outbox, _) = traces_of(&e.app, "Karen Jensen").await;
    assert!(
        audit > 0 && outbox > 0,
        "the name is in the log and a staff message"
    );

    e.app
        .ok_with::<()>(&e.karen_phone, "profile/delete", &[("confirm", "on")])
        .await;
    for text in ["karen@example.dk", "Karen Jensen", "+4520304050"] {
        assert_eq!(
            traces_of(&e.app, text).await,
            (0, 0, 0),
            "{text} is still somewhere"
        );
    }
    // The log still says what happened, by a person without a name.
    let alias = app::domain::audit::person_alias(e.karen);
    let named: i64 = sql!(e.app, |db| sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE actor = $1 OR subject = $1 OR detail = $1",
    )
    .bind(&alias)
    .fetch_one(db)
    .await
    .unwrap());
    assert!(named > 0, "the log's rows about her now name {alias}");
}

/// Rows of the audit log, the outbox and the rate limits that contain `text`.
async fn traces_of(app: &crate::helpers::TestApp, text: &str) -> (i64, i64, i64) {
    // Rows whose text changes when `text` is taken out of it.
    sql!(app, |db| sqlx::query_as(
        "SELECT
            (SELECT count(*) FROM audit_log
              WHERE replace(actor || subject || detail, $1, '') <> actor || subject || detail),
            (SELECT count(*) FROM outbox
              WHERE replace(params || last_error, $1, '') <> params || last_error),
            (SELECT count(*) FROM rate_events WHERE replace(bucket, $1, '') <> bucket)",
    )
    .bind(text)
    .fetch_one(db)
    .await
    .unwrap())
}
