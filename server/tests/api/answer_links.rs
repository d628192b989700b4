//! Personal answer links: every message that offers a seat carries a link
//! with which its recipient answers without signing in. A link works once,
//! only for its own offer, only until the deadline, and the last seat goes
//! to exactly one of many who answer at once.

use crate::helpers::client;
use crate::reminders::{election, Election2};
use crate::standby::people;
use app::answers::Offer;
use app::domain::answers::AnswerKind;
use app::domain::audit::AuditRecord;
use app::domain::notifications::MessageKind;
use app::domain::seats::SeatStatus;
use app::domain::AppError;
use reqwest::StatusCode;

/// The answer-link tokens in the mail to `address`, oldest first.
fn tokens_in_mail(e: &Election2, address: &str) -> Vec<String> {
    e.app
        .mail
        .to(address)
        .iter()
        .filter_map(|m| {
            let text = m.decoded();
            let at = text.find("/answer/")? + "/answer/".len();
            Some(text[at..at + 32].to_string())
        })
        .collect()
}

async fn respond(e: &Election2, token: &str, answer: &str) -> reqwest::Response {
    e.app
        .call_with(
            &client(),
            "answers/respond",
            &[("token", token), ("answer", answer)],
        )
        .await
}

#[tokio::test]
async fn an_invited_person_without_an_account_answers_from_the_mail_once() {
    let e = election().await;
    let seat = e.seats[0];
    e.invite(seat, "ole@example.dk", "7").await;
    e.app.delivery.drain().await.unwrap();
    let tokens = tokens_in_mail(&e, "ole@example.dk");
    assert_eq!(tokens.len(), 1, "the invitation carries Ole's link");
    let token = &tokens[0];
    let mail = e.app.mail.to("ole@example.dk")[0].decoded();
    assert!(
        mail.contains(&format!("/answer/{token}?choice=yes")),
        "{mail}"
    );
    assert!(mail.contains(&format!("/answer/{token}?choice=no")));
    // Only the hash is kept.
    let stored: i64 = sql!(e.app, |db| sqlx::query_scalar(
        "SELECT count(*) FROM answer_links WHERE token_hash = $1"
    )
    .bind(token)
    .fetch_one(db)
    .await
    .unwrap());
    assert_eq!(stored, 0);

    // The page renders on the server for a phone with no session.
    let page = client()
        .get(format!("{}/answer/{token}", e.app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Tilforordnet") && html.contains("Ja tak"),
        "{html}"
    );
    let offer: Option<Offer> = e
        .app
        .ok_with(&client(), "answers/load", &[("token", token)])
        .await;
    let offer = offer.expect("a live offer");
    assert_eq!(offer.kind, AnswerKind::Invitation);
    assert_eq!(offer.seat.volunteer_name.as_deref(), Some("Ole Hansen"));

    // A made-up token and a bad answer change nothing.
    let response = respond(&e, &"0".repeat(32), "accept").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let response = respond(&e, token, "perhaps").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let details = e.app.storage.seat_details(seat).await.unwrap();
    assert_eq!(details.status, SeatStatus::Invited);

    let response = respond(&e, token, "accept").await;
    assert!(response.status().is_success(), "{}", response.status());
    let details = e.app.storage.seat_details(seat).await.unwrap();
    assert_eq!(details.status, SeatStatus::Accepted);
    assert_eq!(details.volunteer_id, Some(e.ole));
    assert_eq!(
        e.kinds(e.ole).await,
        vec![
            MessageKind::Invitation,
            MessageKind::RegistrationConfirmation
        ]
    );
    // Once only.
    let response = respond(&e, token, "decline").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let error: AppError = response.json().await.unwrap();
    assert_eq!(error, AppError::refused("answers.link_dead"));
    assert_eq!(
        e.app.storage.seat_details(seat).await.unwrap().status,
        SeatStatus::Accepted
    );
    let offer: Option<Offer> = e
        .app
        .ok_with(&client(), "answers/load", &[("token", token)])
        .await;
    assert!(offer.is_none());
    let audit: Vec<AuditRecord> = e
        .app
        .ok("audit/list", &[("action", "offer_answered"), ("text", "")])
        .await;
    assert!(
        audit
            .iter()
            .any(|a| a.detail == format!("volunteer {}: accept", e.ole)),
        "{audit:?}"
    );
}

#[tokio::test]
async fn a_link_dies_when_the_seat_changes_hands_or_the_deadline_passes() {
    let e = election().await;
    let seat = e.seats[0].to_string();
    e.invite(e.seats[0], "ole@example.dk", "7").await;
    e.app.delivery.drain().await.unwrap();
    let ole_token = tokens_in_mail(&e, "ole@example.dk").remove(0);
    // The office gives the seat to Karen instead.
    e.app
        .ok::<()>(
            "rosters/remove",
            &[
                ("seat_id", &seat),
                ("reason", "Byttet"),
                ("replacement", "karen@example.dk"),
                ("respond_days", "3"),
            ],
        )
        .await;
    e.app.delivery.drain().await.unwrap();
    // Ole's token cannot answer the invitation that is now Karen's.
    let response = respond(&e, &ole_token, "accept").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let details = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(
        (details.status, details.volunteer_id),
        (SeatStatus::Invited, Some(e.karen))
    );

    // Karen's own link (her push and mail carry it) lasts until her deadline.
    let karen_tokens = tokens_in_mail(&e, "karen@example.dk");
    let pushed = e.push.received();
    let pushed = &pushed.last().expect("a push to Karen").payload;
    let karen_token = pushed["answer"]
        .as_str()
        .expect("the push has the token")
        .to_string();
    assert!(pushed["url"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/answer/{karen_token}")));
    assert!(
        karen_tokens.is_empty(),
        "push reached her, so no mail: {karen_tokens:?}"
    );
    let expires: i64 = sql!(e.app, |db| sqlx::query_scalar(
        "SELECT max(expires_at) FROM answer_links WHERE volunteer_id = $1"
    )
    .bind(e.karen)
    .fetch_one(db)
    .await
    .unwrap());
    assert_eq!(Some(expires), details.respond_by);
    // Past the deadline it is refused and nothing changes.
    sql!(e.app, |db| sqlx::query(
        "UPDATE answer_links SET expires_at = $1 WHERE volunteer_id = $2"
    )
    .bind(chrono::Utc::now().timestamp() - 1)
    .bind(e.karen)
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    let response = respond(&e, &karen_token, "accept").await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(
        e.app.storage.seat_details(e.seats[0]).await.unwrap().status,
        SeatStatus::Invited
    );
}

#[tokio::test]
async fn a_decline_by_link_opens_the_seat_and_says_no_thanks() {
    let e = election().await;
    e.invite(e.seats[1], "ole@example.dk", "7").await;
    e.app.delivery.drain().await.unwrap();
    let token = tokens_in_mail(&e, "ole@example.dk").remove(0);
    let page = client()
        .get(format!("{}/answer/{token}?choice=no", e.app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let (no, yes) = (page.find("Nej tak").unwrap(), page.find("Ja tak").unwrap());
    assert!(no < yes, "the link from \"Nej tak\" puts no first");
    let response = client()
        .post(format!("{}/api/answers/respond", e.app.base))
        .header("accept", "text/html")
        .form(&[("token", token.as_str()), ("answer", "decline")])
        .send()
        .await
        .unwrap();
    // A plain form post goes on to the thank-you page.
    assert!(response.status().is_redirection(), "{}", response.status());
    let to = response.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(to, "/answered?result=no");
    let details = e.app.storage.seat_details(e.seats[1]).await.unwrap();
    assert_eq!(details.status, SeatStatus::Open);
    let history = e.app.storage.volunteer_history(e.ole).await.unwrap();
    assert_eq!(history.len(), 1, "the decline is in Ole's history");
}

// Several worker threads, so the server really handles the taps at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_people_answering_the_last_seat_at_once_seat_exactly_one() {
    let e = election().await;
    let seat = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    let team = people(&e, "afloeser", 50).await;
    for p in &team {
        e.app
            .storage
            .add_team_member(seat.team_id, p.id, false)
            .await
            .unwrap();
    }
    e.app
        .ok::<()>(
            "cover/call",
            &[
                ("seat_id", &seat.seat_id.to_string()),
                ("group", "team"),
                ("hours", "2"),
            ],
        )
        .await;
    e.app.delivery.drain().await.unwrap();
    let tokens: Vec<String> = (0..50)
        .map(|i| {
            let mut t = tokens_in_mail(&e, &format!("afloeser{i}@example.dk"));
            assert_eq!(t.len(), 1, "each of the call gets their own link");
            t.remove(0)
        })
        .collect();
    let base = e.app.base.clone();
    let answers = futures::future::join_all(tokens.iter().map(|token| {
        let base = base.clone();
        let token = token.clone();
        async move {
            client()
                .post(format!("{base}/api/answers/respond"))
                .form(&[("token", token.as_str()), ("answer", "accept")])
                .send()
                .await
                .unwrap()
                .status()
        }
    }))
    .await;
    let won = answers.iter().filter(|s| s.is_success()).count();
    assert_eq!(won, 1, "{answers:?}");
    assert!(answers
        .iter()
        .all(|s| s.is_success() || *s == StatusCode::CONFLICT));
    let details = e.app.storage.seat_details(seat.seat_id).await.unwrap();
    assert_eq!(details.status, SeatStatus::Accepted);
    let winner = details.volunteer_id.unwrap();
    assert!(team.iter().any(|p| p.id == winner));
    for p in team.iter().filter(|p| p.id != winner).take(3) {
        assert_eq!(
            e.kinds(p.id).await,
            vec![MessageKind::CoverCall, MessageKind::CoverTaken]
        );
    }
}
