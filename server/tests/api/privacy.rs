//! The privacy text: built in until an administrator publishes a version;
//! published versions never change and stay readable; a newcomer's consent
//! records the version they were shown, and a form showing an older one is
//! refused.

use crate::newcomers::{newcomer_form, register, volunteers, PRIVACY_VERSION};
use crate::signup::{make_link, with_seats};
use app::domain::accounts::Role;
use app::domain::AppError;
use app::privacy::{PrivacyHistory, PrivacyShown};
use reqwest::StatusCode;

fn publish_form<'a>(version: &'a str, da: &'a str, en: &'a str) -> [(&'a str, &'a str); 3] {
    [("version", version), ("text_da", da), ("text_en", en)]
}

#[tokio::test]
async fn an_administrator_publishes_versions_and_every_one_stays_readable() {
    let (e, _cell, _leader) = with_seats(1).await;
    // Before any is published: the built-in text, with the municipality's name.
    let shown: PrivacyShown = e.app.ok("privacy/show", &[]).await;
    assert_eq!(shown.version, PRIVACY_VERSION);
    assert!(shown.text.contains("dataansvarlig"), "{}", shown.text);
    assert_eq!((shown.published_at, shown.superseded_by), (None, None));

    let coordinator = e
        .app
        .browser_for("koordinator@example.dk", Role::Coordinator, &[])
        .await;
    let form = publish_form("2027-1", "Ny tekst.\n\nAndet afsnit.", "New text.");
    let (status, _) = e.app.err_with(&coordinator, "privacy/publish", &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "administrators only");
    let (status, _) = e.app.err_with(&coordinator, "privacy/versions", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    e.app.ok::<()>("privacy/publish", &form).await;
    let shown: PrivacyShown = e.app.ok("privacy/show", &[]).await;
    assert_eq!(shown.version, "2027-1");
    assert_eq!(shown.text, "Ny tekst.\n\nAndet afsnit.");
    assert!(shown.published_at.is_some());

    // Names are used once, the built-in one included; bad input changes nothing.
    for (form, error) in [
        (
            publish_form("2027-1", "Igen", "Again"),
            AppError::invalid("version", "error.taken"),
        ),
        (
            publish_form(PRIVACY_VERSION, "Igen", "Again"),
            AppError::invalid("version", "error.taken"),
        ),
        (
            publish_form("2027 2", "Igen", "Again"),
            AppError::invalid("version", "privacy.version_chars"),
        ),
        (
            publish_form("2027-2", "", "Again"),
            AppError::invalid("text_da", "error.required"),
        ),
    ] {
        let (status, got) = e.app.err("privacy/publish", &form).await;
        assert_eq!((status, got), (StatusCode::UNPROCESSABLE_ENTITY, error));
    }
    let history: PrivacyHistory = e.app.ok("privacy/versions", &[]).await;
    let names: Vec<&str> = history
        .versions
        .iter()
        .map(|v| v.version.as_str())
        .collect();
    assert_eq!(names, vec!["2027-1", PRIVACY_VERSION]);
    assert_eq!(history.versions[0].published_by, "admin@example.dk");

    // The older version is still there to read, saying it no longer applies.
    let old: PrivacyShown = e
        .app
        .ok("privacy/show", &[("version", PRIVACY_VERSION)])
        .await;
    assert!(old.text.contains("dataansvarlig"));
    assert_eq!(old.superseded_by.as_deref(), Some("2027-1"));
    let (status, _) = e.app.err("privacy/show", &[("version", "1999-9")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let audit: Vec<(String, String)> = sql!(e.app, |db| sqlx::query_as(
        "SELECT action, subject FROM audit_log WHERE action = 'privacy_published'"
    )
    .fetch_all(db)
    .await
    .unwrap());
    assert_eq!(audit, vec![("privacy_published".into(), "2027-1".into())]);
}

#[tokio::test]
async fn a_newcomer_consents_to_the_version_they_were_shown_and_no_other() {
    let (e, cell, leader) = with_seats(1).await;
    let token = make_link(&e, &leader, &cell).await;
    // The page shows the text in force and its version.
    let join: app::signup::JoinData = e.app.ok("signup/open", &[("token", &token)]).await;
    assert_eq!(join.privacy_version, PRIVACY_VERSION);
    assert!(join.privacy_text.contains("dataansvarlig"));

    // A new version is published while she fills in the form.
    e.app
        .ok::<()>(
            "privacy/publish",
            &publish_form("2027-1", "Ny tekst.", "New text."),
        )
        .await;
    let phone = crate::helpers::client();
    let before = volunteers(&e).await;
    let form = newcomer_form(&token, Some(&cell), "sofie@example.dk", "1990-05-01");
    let response = register(&e, &phone, &form).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: AppError = response.json().await.unwrap();
    assert_eq!(error, AppError::invalid("consent", "privacy.changed"));
    assert_eq!(volunteers(&e).await, before, "nothing was made");

    // She reads the new one (the page shows it now) and consents to it.
    let join: app::signup::JoinData = e.app.ok("signup/open", &[("token", &token)]).await;
    assert_eq!(
        (join.privacy_version.as_str(), join.privacy_text.as_str()),
        ("2027-1", "Ny tekst.")
    );
    let form: Vec<(String, String)> = form
        .into_iter()
        .map(|(k, v)| match k.as_str() {
            "privacy_version" => (k, "2027-1".to_string()),
            _ => (k, v),
        })
        .collect();
    let response = register(&e, &phone, &form).await;
    assert!(response.status().is_success(), "{}", response.status());
    let consent: Option<String> = sql!(e.app, |db| sqlx::query_scalar(
        "SELECT consent_version FROM volunteers WHERE email = 'sofie@example.dk'",
    )
    .fetch_one(db)
    .await
    .unwrap());
    assert_eq!(consent.as_deref(), Some("2027-1"));
}
