//! The passkey ceremonies end to end over HTTP, with a software passkey
//! standing in for the phone's authenticator.

use crate::helpers::{client, spawn_app, TestApp};
use app::domain::accounts::{CurrentUser, PasskeyInfo};
use app::domain::AppError;
use app::passkeys::{RegistrationChallenge, SignInChallenge};
use reqwest::StatusCode;
use serde_json::json;
use url::Url;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_rs_proto::{AllowCredentials, PublicKeyCredential, RegisterPublicKeyCredential};

type Authenticator = SoftPasskey;

async fn json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, (StatusCode, AppError)> {
    let status = response.status();
    let body = response.text().await.expect("body");
    if status.is_success() {
        Ok(serde_json::from_str(&body).unwrap_or_else(|e| panic!("cannot decode {body}: {e}")))
    } else {
        Err((
            status,
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("not an AppError: {body}: {e}")),
        ))
    }
}

async fn start_sign_in(app: &TestApp, browser: &reqwest::Client) -> SignInChallenge {
    let response = browser
        .post(format!("{}/api/passkeys/sign_in_start", app.base))
        .send()
        .await
        .unwrap();
    json(response).await.expect("sign-in starts")
}

async fn finish_sign_in(
    app: &TestApp,
    browser: &reqwest::Client,
    ceremony: &str,
    response: &PublicKeyCredential,
) -> Result<(), (StatusCode, AppError)> {
    let body = json!({ "ceremony": ceremony, "response": response });
    json(
        app.call_json(browser, "passkeys/sign_in_finish", &body)
            .await,
    )
    .await
}

async fn who(app: &TestApp, browser: &reqwest::Client) -> Option<CurrentUser> {
    let response = browser
        .post(format!("{}/api/auth/who_am_i", app.base))
        .send()
        .await
        .unwrap();
    json(response).await.unwrap()
}

/// Registers a passkey for the signed-in admin; returns the authenticator
/// that holds it and the credential as the server received it.
async fn register(app: &TestApp) -> (Authenticator, RegisterPublicKeyCredential) {
    let challenge: RegistrationChallenge = app.ok("passkeys/register_start", &[]).await;
    let mut authenticator = SoftPasskey::new(true);
    let origin = Url::parse(&app.public_url).unwrap();
    let response = authenticator
        .do_registration(origin, challenge.options)
        .expect("software passkey registers");
    let body =
        json!({ "ceremony": challenge.ceremony, "name": "Min telefon", "response": response });
    json::<()>(
        app.call_json(&app.client, "passkeys/register_finish", &body)
            .await,
    )
    .await
    .expect("registration finishes");
    (authenticator, response)
}

/// Starts a sign-in and has the authenticator answer it from `origin`.
async fn assertion(
    app: &TestApp,
    browser: &reqwest::Client,
    authenticator: &mut Authenticator,
    credential: &RegisterPublicKeyCredential,
    origin: &str,
) -> (String, PublicKeyCredential) {
    let challenge = start_sign_in(app, browser).await;
    assert!(
        challenge.options.public_key.allow_credentials.is_empty(),
        "discoverable: the browser picks the passkey"
    );
    let mut options = challenge.options;
    // The software passkey cannot discover credentials by itself; name the
    // one it holds, as a phone would after the person picked it.
    options.public_key.allow_credentials = vec![AllowCredentials {
        type_: "public-key".into(),
        id: credential.raw_id.clone(),
        transports: None,
    }];
    let signed = authenticator
        .do_authentication(Url::parse(origin).unwrap(), options)
        .expect("software passkey signs");
    (challenge.ceremony, signed)
}

#[tokio::test]
async fn register_then_sign_in_with_a_passkey() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let (mut authenticator, credential) = register(&app).await;
    let list: Vec<PasskeyInfo> = app.ok("passkeys/list", &[]).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "Min telefon");
    assert_eq!(list[0].last_used_at, None);
    // The account's address is told a passkey was added.
    let mails = app.mail.to("admin@example.dk");
    assert_eq!(mails.len(), 1, "the notice (the admin's link was printed)");
    assert!(mails[0].decoded().contains("Min telefon"));

    // A new browser, nobody signed in: the passkey alone signs in.
    let browser = client();
    let (ceremony, signed) = assertion(
        &app,
        &browser,
        &mut authenticator,
        &credential,
        &app.public_url,
    )
    .await;
    finish_sign_in(&app, &browser, &ceremony, &signed)
        .await
        .expect("sign-in finishes");
    let me = who(&app, &browser).await;
    assert_eq!(me.map(|m| m.email).as_deref(), Some("admin@example.dk"));
    let list: Vec<PasskeyInfo> = app.ok("passkeys/list", &[]).await;
    assert!(list[0].last_used_at.is_some());

    // The same answer again (a replay) is refused: the ceremony is spent …
    let replay = finish_sign_in(&app, &client(), &ceremony, &signed).await;
    assert_eq!(replay.unwrap_err().1, AppError::refused("passkeys.expired"));
    // … and under a fresh ceremony its challenge no longer matches.
    let other = client();
    let fresh = start_sign_in(&app, &other).await;
    let refused = finish_sign_in(&app, &other, &fresh.ceremony, &signed).await;
    assert_eq!(refused.unwrap_err().1, AppError::refused("passkeys.failed"));
    assert!(who(&app, &other).await.is_none());
}

#[tokio::test]
async fn an_assertion_made_for_another_origin_is_refused() {
    // Another site on the same host (another port, or https) may use the
    // passkey as far as the authenticator is concerned; the server accepts
    // only its own origin.
    an_assertion_from(|port| format!("http://localhost:{}", port.parse::<u32>().unwrap() + 1))
        .await;
    an_assertion_from(|port| format!("https://localhost:{port}")).await;
}

async fn an_assertion_from(origin: impl Fn(&str) -> String) {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let (mut authenticator, credential) = register(&app).await;
    let browser = client();
    let port = app.public_url.rsplit(':').next().unwrap().to_string();
    let (ceremony, signed) = assertion(
        &app,
        &browser,
        &mut authenticator,
        &credential,
        &origin(&port),
    )
    .await;
    let (status, error) = finish_sign_in(&app, &browser, &ceremony, &signed)
        .await
        .unwrap_err();
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("passkeys.failed"));
}

#[tokio::test]
async fn passkeys_are_renamed_and_removed_only_by_their_owner() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    register(&app).await;
    let list: Vec<PasskeyInfo> = app.ok("passkeys/list", &[]).await;
    let id = list[0].id.to_string();
    app.ok::<()>(
        "passkeys/rename",
        &[("id", id.as_str()), ("name", "Rådhusets tablet")],
    )
    .await;
    let (_, error) = app
        .err("passkeys/rename", &[("id", id.as_str()), ("name", " ")])
        .await;
    assert_eq!(error, crate::helpers::invalid("name", "error.required"));

    // Another user can neither rename nor remove it.
    let intruder = client();
    let link = app.admin_link("anden@example.dk").await;
    app.sign_in(&intruder, &link).await;
    let response = intruder
        .post(format!("{}/api/passkeys/rename", app.base))
        .form(&[("id", id.as_str()), ("name", "Mit nu")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = intruder
        .post(format!("{}/api/passkeys/delete", app.base))
        .form(&[("id", id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let list: Vec<PasskeyInfo> = app.ok("passkeys/list", &[]).await;
    assert_eq!(list[0].name, "Rådhusets tablet");

    app.ok::<()>("passkeys/delete", &[("id", id.as_str())])
        .await;
    let list: Vec<PasskeyInfo> = app.ok("passkeys/list", &[]).await;
    assert!(list.is_empty());
    // Signed out, the list is not available at all.
    let anonymous = client()
        .post(format!("{}/api/passkeys/list", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn too_many_attempts_against_one_account_are_refused() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let (mut authenticator, credential) = register(&app).await;
    let browser = client();
    let (_, stale) = assertion(
        &app,
        &browser,
        &mut authenticator,
        &credential,
        &app.public_url,
    )
    .await;
    // Stale answers under fresh ceremonies: each fails, and each counts.
    for _ in 0..app::passkeys::PASSKEY_ATTEMPTS_PER_ACCOUNT {
        let fresh = start_sign_in(&app, &browser).await;
        let refused = finish_sign_in(&app, &browser, &fresh.ceremony, &stale).await;
        assert_eq!(refused.unwrap_err().1, AppError::refused("passkeys.failed"));
    }
    // Now even a good answer waits.
    let (ceremony, good) = assertion(
        &app,
        &browser,
        &mut authenticator,
        &credential,
        &app.public_url,
    )
    .await;
    let (status, error) = finish_sign_in(&app, &browser, &ceremony, &good)
        .await
        .unwrap_err();
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("auth.rate_limited"));
}

#[tokio::test]
async fn finishing_a_registration_needs_the_session_that_started_it() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let challenge: RegistrationChallenge = app.ok("passkeys/register_start", &[]).await;
    let mut authenticator = SoftPasskey::new(true);
    let response = authenticator
        .do_registration(Url::parse(&app.public_url).unwrap(), challenge.options)
        .expect("software passkey registers");
    let body = json!({ "ceremony": challenge.ceremony, "name": "Fremmed", "response": response });
    // Nobody signed in: refused before anything is looked at.
    let (status, error) = json::<()>(
        app.call_json(&client(), "passkeys/register_finish", &body)
            .await,
    )
    .await
    .unwrap_err();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(error, AppError::Unauthenticated);
    // Someone else signed in: the ceremony is not theirs, and it is spent.
    let other = app.browser_as(app::domain::accounts::Role::Volunteer).await;
    let (_, error) = json::<()>(
        app.call_json(&other, "passkeys/register_finish", &body)
            .await,
    )
    .await
    .unwrap_err();
    assert_eq!(error, AppError::refused("passkeys.expired"));
    let list: Vec<PasskeyInfo> = app.ok("passkeys/list", &[]).await;
    assert!(list.is_empty());
}
