use crate::helpers::{client, spawn_app, TestApp};
use app::domain::accounts::{CurrentUser, Role, UserSummary};
use app::domain::AppError;
use reqwest::StatusCode;

/// Signs `browser` in with the link in the newest mail to `email`.
async fn follow_mailed_link(app: &TestApp, browser: &reqwest::Client, email: &str) -> StatusCode {
    let mail = app.mail.to(email).pop().expect("a mail");
    let link = mail.sign_in_link().expect("a link");
    app.sign_in(browser, &link).await
}

async fn post(
    app: &TestApp,
    browser: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    browser
        .post(format!("{}/api/{endpoint}", app.base))
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_invited_coordinator_signs_in_and_loses_access_when_the_role_goes() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let invite = [
        ("email", "ny@example.dk"),
        ("name", "Nina Koordinator"),
        ("role", "coordinator"),
    ];
    app.ok::<()>("users/invite", &invite).await;
    let mail = app.mail.to("ny@example.dk").pop().expect("invitation mail");
    assert!(
        mail.decoded().contains("Du er inviteret til Valgvagt"),
        "{}",
        mail.decoded()
    );

    let tablet = client();
    assert_eq!(
        follow_mailed_link(&app, &tablet, "ny@example.dk").await,
        StatusCode::OK
    );
    assert_eq!(
        post(&app, &tablet, "elections/list", &[]).await.status(),
        StatusCode::OK
    );
    // Coordinators do not manage users.
    let refused = post(&app, &tablet, "users/list", &[("text", "")]).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let users: Vec<UserSummary> = app.ok("users/list", &[("text", "nina")]).await;
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].roles, vec![Role::Coordinator]);
    assert!(users[0].last_sign_in.is_some());
    let id = users[0].id.to_string();
    app.ok::<()>(
        "users/grant",
        &[("user_id", id.as_str()), ("role", "read_only")],
    )
    .await;
    app.ok::<()>(
        "users/revoke",
        &[("user_id", id.as_str()), ("role", "coordinator")],
    )
    .await;
    // Read-only still sees the plan but cannot change it.
    assert_eq!(
        post(&app, &tablet, "elections/list", &[]).await.status(),
        StatusCode::OK
    );
    let change = post(
        &app,
        &tablet,
        "areas/save",
        &[
            ("id", ""),
            ("form[name]", "Nord"),
            ("form[description]", ""),
        ],
    )
    .await;
    assert_eq!(change.status(), StatusCode::FORBIDDEN);
    let (_, error) = app
        .err("users/grant", &[("user_id", id.as_str()), ("role", "king")])
        .await;
    assert_eq!(
        error,
        crate::helpers::invalid("role", "error.unknown_choice")
    );
}

#[tokio::test]
async fn a_deactivated_user_is_signed_out_at_once_and_cannot_sign_in() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    app.ok::<()>(
        "users/invite",
        &[
            ("email", "gaar@example.dk"),
            ("name", "Gå Hjem"),
            ("role", "coordinator"),
        ],
    )
    .await;
    let phone = client();
    follow_mailed_link(&app, &phone, "gaar@example.dk").await;
    let users: Vec<UserSummary> = app.ok("users/list", &[("text", "gaar@")]).await;
    let id = users[0].id.to_string();
    app.ok::<()>(
        "users/active",
        &[("user_id", id.as_str()), ("active", "false")],
    )
    .await;
    let me: Option<CurrentUser> = post(&app, &phone, "auth/who_am_i", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(me.is_none());
    // A link asked for now is not even sent.
    app.ok::<()>("auth/request_link", &[("email", "gaar@example.dk")])
        .await;
    assert_eq!(
        app.mail.to("gaar@example.dk").len(),
        1,
        "only the invitation"
    );
    app.ok::<()>(
        "users/active",
        &[("user_id", id.as_str()), ("active", "true")],
    )
    .await;
    let users: Vec<UserSummary> = app.ok("users/list", &[("text", "gaar@")]).await;
    assert!(users[0].active);
}

#[tokio::test]
async fn the_last_administrator_stays() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let users: Vec<UserSummary> = app.ok("users/list", &[("text", "")]).await;
    let me = users
        .iter()
        .find(|u| u.email == "admin@example.dk")
        .expect("me");
    let id = me.id.to_string();
    let (status, error) = app
        .err(
            "users/revoke",
            &[("user_id", id.as_str()), ("role", "administrator")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("users.last_administrator"));
    let (_, error) = app
        .err(
            "users/active",
            &[("user_id", id.as_str()), ("active", "false")],
        )
        .await;
    assert_eq!(error, AppError::refused("users.last_administrator"));
    // With a second administrator, the first may step down.
    app.ok::<()>(
        "users/invite",
        &[
            ("email", "to@example.dk"),
            ("name", "Anden Admin"),
            ("role", "administrator"),
        ],
    )
    .await;
    app.ok::<()>(
        "users/revoke",
        &[("user_id", id.as_str()), ("role", "administrator")],
    )
    .await;
}

#[tokio::test]
async fn administrators_limit_roles_to_areas_stations_and_teams() {
    use app::domain::accounts::ScopeKind;
    use app::domain::audit::AuditRecord;
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let area = crate::setup::make_area(&app, "Nord").await;
    let station = crate::setup::make_station(&app, &area, "Nordskolen").await;
    app.ok::<()>(
        "users/invite",
        &[
            ("email", "vs@example.dk"),
            ("name", "Vera Valgstyrer"),
            ("role", "station_manager"),
        ],
    )
    .await;
    let user = |list: Vec<UserSummary>| list.into_iter().next().expect("the user");
    let vera = user(app.ok("users/list", &[("text", "vera")]).await);
    let (id, s, a) = (
        vera.id.to_string(),
        station.id.to_string(),
        area.id.to_string(),
    );
    // A scope needs its role: Vera is no coordinator, so no area for her.
    let (status, error) = app
        .err(
            "users/grant_scope",
            &[("user_id", &id), ("kind", "area"), ("target_id", &a)],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("users.scope_needs_role"));
    let (_, error) = app
        .err(
            "users/grant_scope",
            &[("user_id", &id), ("kind", "planet"), ("target_id", &a)],
        )
        .await;
    assert_eq!(
        error,
        crate::helpers::invalid("kind", "error.unknown_choice")
    );
    let (_, error) = app
        .err(
            "users/grant_scope",
            &[
                ("user_id", &id),
                ("kind", "station"),
                ("target_id", "999999"),
            ],
        )
        .await;
    assert_eq!(
        error,
        crate::helpers::invalid("form", "error.unknown_choice")
    );
    assert!(user(app.ok("users/list", &[("text", "vera")]).await)
        .scopes
        .is_empty());

    app.ok::<()>(
        "users/grant_scope",
        &[("user_id", &id), ("kind", "station"), ("target_id", &s)],
    )
    .await;
    let vera = user(app.ok("users/list", &[("text", "vera")]).await);
    assert_eq!(vera.scopes.len(), 1);
    assert_eq!(vera.scopes[0].kind, ScopeKind::Station);
    assert_eq!(vera.scopes[0].name, "Nordskolen");

    // Revoking the role takes its scopes along; granting it again starts afresh.
    app.ok::<()>(
        "users/revoke",
        &[("user_id", &id), ("role", "station_manager")],
    )
    .await;
    app.ok::<()>(
        "users/grant",
        &[("user_id", &id), ("role", "station_manager")],
    )
    .await;
    assert!(user(app.ok("users/list", &[("text", "vera")]).await)
        .scopes
        .is_empty());
    let log: Vec<AuditRecord> = app
        .ok("audit/list", &[("action", "scope_granted"), ("text", "")])
        .await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].detail, format!("station {s}"));
    let (status, _) = app
        .err(
            "users/revoke_scope",
            &[("user_id", &id), ("kind", "station"), ("target_id", &s)],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
