//! The outbox and its channels: push through a real (loopback) push
//! service with real encryption, email through a real SMTP server, SMS
//! through a loopback gateway speaking GatewayAPI's protocol; fallback,
//! retries, and delivery that survives a worker being stopped mid-batch.

use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use crate::push_service::{PushService, Subscription};
use crate::storage::volunteer;
use app::domain::accounts::Role;
use app::domain::notifications::{Channel, MessageKind, MessageRecord, PushDevice};
use app::domain::{AppError, Id};
use app::notifications::PushSetup;
use app::server::storage::NewMessage;
use reqwest::StatusCode;
use serde_json::json;
use std::sync::{Arc, Mutex};

/// A volunteer with an account, signed in on their phone.
struct Volunteer {
    id: Id,
    phone: reqwest::Client,
}

async fn volunteer_with_account(app: &TestApp, email: &str) -> Volunteer {
    let id = app
        .storage
        .create_volunteer(&volunteer(email))
        .await
        .unwrap();
    let user = app
        .storage
        .ensure_user_with_role(email, "Karen Jensen", Role::Volunteer)
        .await
        .unwrap();
    app.storage.link_volunteer(user, id).await.unwrap();
    let phone = app.browser_for(email, Role::Volunteer, &[]).await;
    Volunteer { id, phone }
}

/// Posts a subscription as the account page's script does.
async fn subscribe(
    app: &TestApp,
    browser: &reqwest::Client,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    name: &str,
) -> reqwest::Response {
    app.call_json(
        browser,
        "push/subscribe",
        &json!({ "subscription": {
            "endpoint": endpoint, "keys": { "p256dh": p256dh, "auth": auth },
            "device_name": name } }),
    )
    .await
}

async fn turn_push_on(app: &TestApp, phone: &reqwest::Client, s: &Subscription, name: &str) {
    let response = subscribe(app, phone, &s.endpoint, &s.p256dh, &s.auth, name).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{}",
        response.text().await.unwrap()
    );
}

async fn write_to(app: &TestApp, volunteer: Id, text: &str) {
    app.ok::<()>(
        "messages/send",
        &[("volunteer_id", &volunteer.to_string()), ("text", text)],
    )
    .await;
}

async fn log_of(app: &TestApp, volunteer: Id) -> Vec<MessageRecord> {
    app.ok::<app::notifications::MessageLog>(
        "messages/list",
        &[("volunteer_id", &volunteer.to_string())],
    )
    .await
    .messages
}

#[tokio::test]
async fn a_message_reaches_the_phone_by_push_encrypted_and_signed() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let push = PushService::start().await;
    let karen = volunteer_with_account(&app, "karen@example.dk").await;
    let setup: PushSetup = app.ok_with(&karen.phone, "push/setup", &[]).await;
    assert_eq!(setup.public_key.len(), 87, "a base64url P-256 point");
    let device = push.subscribe("karens-phone");
    turn_push_on(&app, &karen.phone, &device, "Min telefon").await;

    write_to(&app, karen.id, "Husk madpakke i morgen.").await;
    assert_eq!(app.delivery.drain().await.unwrap(), 1);

    assert!(push.problems().is_empty(), "{:?}", push.problems());
    let received = push.received();
    assert_eq!(received.len(), 1);
    let got = &received[0];
    assert_eq!(got.payload["title"], "Besked fra Korsbæk Kommune");
    assert_eq!(got.payload["body"], "Husk madpakke i morgen.");
    assert_eq!(got.payload["lang"], "da");
    // The VAPID token names the push service's origin (no port) and us.
    assert_eq!(got.audience, "http://127.0.0.1");
    assert_eq!(got.subject, "mailto:valg@korsbaek.example.dk");
    assert_eq!(got.vapid_key, setup.public_key);
    assert!(got.topic.as_deref().is_some_and(|t| t.starts_with('m')));
    assert_eq!(got.device, "karens-phone");
    assert_eq!(got.ttl.as_deref(), Some("86400"));

    let log = log_of(&app, karen.id).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status, "sent");
    assert_eq!(log[0].channel, Some(Channel::Push));
    assert_eq!(log[0].kind, MessageKind::FreeText);
    let devices: Vec<PushDevice> = app
        .ok_with::<PushSetup>(&karen.phone, "push/setup", &[])
        .await
        .devices;
    assert_eq!(devices.len(), 1);
    assert!(devices[0].last_success_at.is_some());
    // No mail went out: push was enough.
    assert!(app.mail.to("karen@example.dk").is_empty());
}

#[tokio::test]
async fn a_gone_subscription_is_removed_and_the_message_falls_back_to_email() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let push = PushService::start().await;
    let karen = volunteer_with_account(&app, "karen@example.dk").await;
    let device = push.subscribe("old-phone");
    turn_push_on(&app, &karen.phone, &device, "Gammel telefon").await;
    push.forget("old-phone");

    write_to(&app, karen.id, "Vi mangler dit svar.").await;
    app.delivery.drain().await.unwrap();

    let setup: PushSetup = app.ok_with(&karen.phone, "push/setup", &[]).await;
    assert!(setup.devices.is_empty(), "410 removes the subscription");
    let mail = app
        .mail
        .to("karen@example.dk")
        .pop()
        .expect("a mail instead");
    let text = mail.decoded();
    assert!(text.contains("Vi mangler dit svar."), "{text}");
    assert!(text.contains("Hej Karen Jensen"), "{text}");
    assert!(text.contains("Message-ID: <outbox-"), "{text}");
    assert!(text.contains("text/html"), "an HTML part too");
    let log = log_of(&app, karen.id).await;
    assert_eq!(log[0].channel, Some(Channel::Email));
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff_then_marked_failed_and_can_be_resent() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let push = PushService::start().await;
    let karen = volunteer_with_account(&app, "karen@example.dk").await;
    turn_push_on(&app, &karen.phone, &push.subscribe("p"), "Telefon").await;
    // Push only: nothing to fall back to.
    app.storage
        .set_channels(karen.id, &[Channel::Push])
        .await
        .unwrap();
    push.fail(true);
    write_to(&app, karen.id, "Hej").await;
    app.delivery.drain().await.unwrap();
    let log = log_of(&app, karen.id).await;
    assert_eq!(log[0].status, "pending");
    assert_eq!(log[0].attempts, 1);
    assert!(log[0].last_error.contains("500"), "{}", log[0].last_error);
    // Not due again until the backoff has passed.
    assert_eq!(app.delivery.drain().await.unwrap(), 0);
    let next = app.storage.next_due_at().await.unwrap().unwrap();
    assert!(next >= log[0].created_at + 30, "backs off at least 30 s");

    // Every try fails; after the last one the message is marked failed.
    let id = log[0].id;
    for _ in 0..10 {
        sql!(app, |db| sqlx::query(
            "UPDATE outbox SET next_attempt_at = 0 WHERE id = $1 AND status = 'pending'"
        )
        .bind(id)
        .execute(db)
        .await
        .unwrap()
        .rows_affected());
        app.delivery.drain().await.unwrap();
    }
    let log = log_of(&app, karen.id).await;
    assert_eq!(log[0].status, "failed");
    assert_eq!(log[0].attempts, app::domain::notifications::MAX_ATTEMPTS);

    // A coordinator resends it once the push service is back.
    push.fail(false);
    app.ok::<()>("messages/resend", &[("id", &id.to_string())])
        .await;
    app.delivery.drain().await.unwrap();
    assert_eq!(log_of(&app, karen.id).await[0].status, "sent");
    assert_eq!(push.received().len(), 1);
    // Only failed messages can be resent.
    let (status, error) = app.err("messages/resend", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("messages.not_failed"));
}

#[tokio::test]
async fn the_same_message_enqueued_twice_is_stored_once() {
    let app = spawn_app().await;
    let karen = app
        .storage
        .create_volunteer(&volunteer("karen@example.dk"))
        .await
        .unwrap();
    let message = NewMessage {
        idempotency_key: "reminder:seat:7:day-before".into(),
        user_id: None,
        volunteer_id: Some(karen),
        kind: MessageKind::ShiftReminder,
        election_id: None,
        task_type_id: None,
        seat_id: Some(7),
        params: Default::default(),
    };
    let first = app.storage.enqueue(&message, 1).await.unwrap();
    let second = app.storage.enqueue(&message, 2).await.unwrap();
    assert_eq!(first, second);
    assert_eq!(
        app.storage
            .list_messages(Some(karen), None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

/// A loopback SMS gateway speaking GatewayAPI's `/rest/mtsms` protocol.
pub(crate) async fn sms_gateway() -> (String, Arc<Mutex<Vec<(String, serde_json::Value)>>>) {
    use axum::http::HeaderMap;
    let seen: Arc<Mutex<Vec<(String, serde_json::Value)>>> = Arc::default();
    let keep = seen.clone();
    let app = axum::Router::new().route(
        "/rest/mtsms",
        axum::routing::post(
            move |headers: HeaderMap, axum::Json(body): axum::Json<serde_json::Value>| {
                let keep = keep.clone();
                async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_string();
                    if auth != "Token hemmelig" {
                        return (StatusCode::UNAUTHORIZED, axum::Json(json!({"code": "0x0213", "message": "Unauthorized"})));
                    }
                    keep.lock().unwrap().push((auth, body));
                    (StatusCode::OK, axum::Json(json!({"ids": [421332671], "usage": {"currency": "DKK", "total_cost": 0.16}})))
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://127.0.0.1:{port}/rest/mtsms"), seen)
}

#[tokio::test]
async fn sms_goes_through_the_gateway_for_those_who_chose_it() {
    let (url, seen) = sms_gateway().await;
    let app = spawn_app_with(&[
        ("VALGVAGT_SMS_URL", url),
        ("VALGVAGT_SMS_TOKEN", "hemmelig".to_string()),
        ("VALGVAGT_SMS_SENDER", "Korsbaek".to_string()),
    ])
    .await;
    app.sign_in_admin().await;
    let karen = app
        .storage
        .create_volunteer(&volunteer("karen@example.dk"))
        .await
        .unwrap();
    app.storage
        .set_channels(karen, &[Channel::Sms, Channel::Email])
        .await
        .unwrap();
    write_to(&app, karen, "Mød op kl. 7.").await;
    app.delivery.drain().await.unwrap();
    let sent = seen.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let body = &sent[0].1;
    assert_eq!(body["sender"], "Korsbaek");
    assert_eq!(body["recipients"][0]["msisdn"], 4520304050_u64);
    assert_eq!(body["message"], "Korsbæk Kommune: Mød op kl. 7.");
    assert!(body["userref"]
        .as_str()
        .is_some_and(|r| r.starts_with("free:")));
    assert_eq!(log_of(&app, karen).await[0].channel, Some(Channel::Sms));
    let log: app::notifications::MessageLog = app.ok("messages/list", &[]).await;
    assert!(log.sms_available);
    assert!(app.mail.to("karen@example.dk").is_empty());
}

#[tokio::test]
async fn without_a_gateway_sms_is_skipped_for_the_next_channel() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let karen = app
        .storage
        .create_volunteer(&volunteer("karen@example.dk"))
        .await
        .unwrap();
    app.storage
        .set_channels(karen, &[Channel::Sms, Channel::Email])
        .await
        .unwrap();
    write_to(&app, karen, "Hej").await;
    app.delivery.drain().await.unwrap();
    assert_eq!(log_of(&app, karen).await[0].channel, Some(Channel::Email));
    let log: app::notifications::MessageLog = app.ok("messages/list", &[]).await;
    assert!(!log.sms_available, "the log says SMS is not set up");
    // Nobody to reach at all: failed at once, with the reason.
    app.storage
        .set_channels(karen, &[Channel::Sms])
        .await
        .unwrap();
    write_to(&app, karen, "Hej igen").await;
    app.delivery.drain().await.unwrap();
    let log = log_of(&app, karen).await;
    assert_eq!(log[0].status, "failed");
    assert_eq!(log[0].last_error, "no channel reaches the recipient");
}

#[tokio::test]
async fn push_subscriptions_are_checked_and_belong_to_their_owner() {
    let app = spawn_app().await;
    let push = PushService::start().await;
    let karen = volunteer_with_account(&app, "karen@example.dk").await;
    let ole = volunteer_with_account(&app, "ole@example.dk").await;
    let good = push.subscribe("d");
    for (endpoint, p256dh, auth, field) in [
        (
            "ftp://push.example/x",
            good.p256dh.as_str(),
            good.auth.as_str(),
            "endpoint",
        ),
        (
            "http://push.example.com/x",
            &good.p256dh,
            &good.auth,
            "endpoint",
        ),
        (
            "https://10.0.0.1/push",
            &good.p256dh,
            &good.auth,
            "endpoint",
        ),
        (
            "https://intranet.korsbaek.dk/push",
            &good.p256dh,
            &good.auth,
            "endpoint",
        ),
        (
            "https://fcm.googleapis.com.evil.dk/x",
            &good.p256dh,
            &good.auth,
            "endpoint",
        ),
        (good.endpoint.as_str(), "AAAA", &good.auth, "keys"),
        (&good.endpoint, &good.p256dh, "AAAA", "keys"),
    ] {
        let response = subscribe(&app, &karen.phone, endpoint, p256dh, auth, "x").await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{endpoint}"
        );
        let error: AppError = response.json().await.unwrap();
        assert!(matches!(error, AppError::Invalid { field: f, .. } if f == field));
    }
    // Signed out, nobody can subscribe.
    let anonymous = subscribe(
        &app,
        &crate::helpers::client(),
        &good.endpoint,
        &good.p256dh,
        &good.auth,
        "x",
    )
    .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    // A real browser's endpoint (Chrome's push service) is accepted.
    let chrome = subscribe(
        &app,
        &karen.phone,
        "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
        &good.p256dh,
        &good.auth,
        "Chrome",
    )
    .await;
    assert_eq!(chrome.status(), StatusCode::OK);
    let chrome_id = app
        .ok_with::<PushSetup>(&karen.phone, "push/setup", &[])
        .await
        .devices[0]
        .id;
    app.ok_with::<()>(
        &karen.phone,
        "push/remove",
        &[("id", &chrome_id.to_string())],
    )
    .await;
    turn_push_on(&app, &karen.phone, &good, "Karens telefon").await;
    let id = app
        .ok_with::<PushSetup>(&karen.phone, "push/setup", &[])
        .await
        .devices[0]
        .id;
    // Ole can neither see nor remove Karen's device.
    assert!(app
        .ok_with::<PushSetup>(&ole.phone, "push/setup", &[])
        .await
        .devices
        .is_empty());
    let (status, _) = app
        .err_with(&ole.phone, "push/remove", &[("id", &id.to_string())])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.ok_with::<()>(&karen.phone, "push/remove", &[("id", &id.to_string())])
        .await;
    assert!(app
        .ok_with::<PushSetup>(&karen.phone, "push/setup", &[])
        .await
        .devices
        .is_empty());
}

/// Waits until the push service has `count` messages; fails after 30 s
/// rather than hang the run when delivery has broken.
async fn until_received(push: &PushService, count: usize) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while push.received().len() < count {
        assert!(
            std::time::Instant::now() < deadline,
            "only {} of {count} pushes arrived",
            push.received().len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_worker_stopped_mid_batch_loses_nothing_and_sends_nothing_twice() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let push = PushService::start().await;
    let karen = volunteer_with_account(&app, "karen@example.dk").await;
    turn_push_on(&app, &karen.phone, &push.subscribe("p"), "Telefon").await;
    for n in 0..40 {
        write_to(&app, karen.id, &format!("Besked {n}")).await;
    }
    // Each push takes 30 ms, so the worker is caught in the middle.
    push.slow_down(30);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let wake = Arc::new(tokio::sync::Notify::new());
    let worker = app.delivery.clone().spawn(wake, stopped);
    until_received(&push, 10).await;
    // Stop: the worker finishes the batch in hand and claims no more.
    stop.send(true).unwrap();
    worker.await.unwrap();
    let delivered_before = push.received().len();
    assert!(
        delivered_before < 40,
        "stopped mid-way ({delivered_before})"
    );

    // A new worker (as after a restart) delivers the rest.
    push.slow_down(0);
    app.delivery.drain().await.unwrap();
    let received = push.received();
    let mut bodies: Vec<String> = received
        .iter()
        .map(|r| r.payload["body"].as_str().unwrap_or_default().to_string())
        .collect();
    bodies.sort();
    bodies.dedup();
    assert_eq!(received.len(), 40, "nothing sent twice");
    assert_eq!(bodies.len(), 40, "nothing lost");
    assert!(log_of(&app, karen.id)
        .await
        .iter()
        .all(|m| m.status == "sent"));
}

#[tokio::test]
async fn a_crashed_worker_s_messages_fall_due_again_when_its_lease_runs_out() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let push = PushService::start().await;
    let karen = volunteer_with_account(&app, "karen@example.dk").await;
    turn_push_on(&app, &karen.phone, &push.subscribe("p"), "Telefon").await;
    for n in 0..20 {
        write_to(&app, karen.id, &format!("Besked {n}")).await;
    }
    push.slow_down(50);
    let worker = app.delivery.clone().spawn(
        Arc::new(tokio::sync::Notify::new()),
        tokio::sync::watch::channel(false).1,
    );
    until_received(&push, 3).await;
    // The process dies: no chance to finish or to release its claims.
    worker.abort();
    let _ = worker.await;
    push.slow_down(0);
    let claimed: i64 = sql!(app, |db| sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE status = 'sending'"
    )
    .fetch_one(db)
    .await
    .unwrap());
    assert!(claimed > 0, "the crash left claimed messages behind");
    // Nothing is due while the dead worker's lease lasts …
    assert_eq!(app.delivery.drain().await.unwrap(), 0);
    // … and everything is once it has run out.
    sql!(app, |db| sqlx::query(
        "UPDATE outbox SET lease_until = 0 WHERE status = 'sending'"
    )
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    app.delivery.drain().await.unwrap();
    let received = push.received();
    let mut topics: Vec<String> = received.iter().filter_map(|r| r.topic.clone()).collect();
    topics.sort();
    topics.dedup();
    assert_eq!(topics.len(), 20, "every message delivered");
    // A message in flight at the moment of the crash may go out again; it
    // carries the same topic, so the push service replaces the first copy.
    assert!(
        received.len() - 20 <= claimed as usize,
        "only messages claimed at the crash repeat"
    );
    assert!(log_of(&app, karen.id)
        .await
        .iter()
        .all(|m| m.status == "sent"));
}

#[tokio::test]
async fn signing_out_forgets_that_devices_push_and_signing_out_everywhere_forgets_all() {
    let app = spawn_app().await;
    let push = PushService::start().await;
    let karen = volunteer_with_account(&app, "karen@example.dk").await;
    let user = app
        .storage
        .ensure_user_with_role("karen@example.dk", "Karen Jensen", Role::Volunteer)
        .await
        .unwrap();
    let tablet = push.subscribe("shared-tablet");
    let phone = push.subscribe("karens-phone");
    turn_push_on(&app, &karen.phone, &tablet, "Tablet").await;
    let own_phone = app
        .browser_for("karen@example.dk", Role::Volunteer, &[])
        .await;
    turn_push_on(&app, &own_phone, &phone, "Telefon").await;
    assert_eq!(app.storage.list_push_devices(user).await.unwrap().len(), 2);

    // Someone else's endpoint in the form forgets nothing of theirs.
    let other = volunteer_with_account(&app, "ole@example.dk").await;
    let response = app
        .call_with(
            &other.phone,
            "auth/sign_out",
            &[("push_endpoint", &tablet.endpoint)],
        )
        .await;
    assert!(response.status().is_success() || response.status().is_redirection());
    assert_eq!(app.storage.list_push_devices(user).await.unwrap().len(), 2);

    // The shared tablet signs out, naming its subscription as the page does.
    let response = app
        .call_with(
            &karen.phone,
            "auth/sign_out",
            &[("push_endpoint", &tablet.endpoint)],
        )
        .await;
    assert!(response.status().is_success() || response.status().is_redirection());
    let devices = app.storage.list_push_devices(user).await.unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].name, "Telefon");
    app.sign_in_admin().await;
    write_to(&app, karen.id, "Kun til telefonen.").await;
    app.delivery.drain().await.unwrap();
    let devices_reached: Vec<String> = push.received().into_iter().map(|r| r.device).collect();
    assert_eq!(devices_reached, vec!["karens-phone".to_string()]);

    // Everywhere: no device of hers is told anything any more.
    app.ok_with::<()>(&own_phone, "auth/sign_out_everywhere", &[])
        .await;
    assert!(app
        .storage
        .list_push_devices(user)
        .await
        .unwrap()
        .is_empty());
}
