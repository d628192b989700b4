use crate::helpers::{client, spawn_app};
use app::domain::accounts::{CurrentUser, Role};
use app::domain::audit::AuditRecord;
use app::domain::AppError;
use app::server::storage::AccountStore;
use reqwest::StatusCode;

#[tokio::test]
async fn sign_ins_and_failed_sign_ins_are_audited_for_administrators_only() {
    let app = spawn_app().await;
    let (status, _) = app
        .err("auth/sign_in_with_link", &[("token", "gaet-et-link")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.sign_in_admin().await;

    let all: Vec<AuditRecord> = app.ok("audit/list", &[("action", ""), ("text", "")]).await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(all[0].action, "sign_in");
    assert_eq!(all[0].actor, "admin@example.dk");
    assert_eq!(all[0].subject, "link");
    assert_eq!(all[0].ip, "127.0.0.1");
    assert_eq!(all[1].action, "sign_in_failed");
    assert_eq!(all[1].actor, "");

    let failed: Vec<AuditRecord> = app
        .ok("audit/list", &[("action", "sign_in_failed"), ("text", "")])
        .await;
    assert_eq!(failed.len(), 1);
    let searched: Vec<AuditRecord> = app
        .ok("audit/list", &[("action", ""), ("text", "admin@")])
        .await;
    assert_eq!(searched.len(), 1);
    let (status, error) = app
        .err("audit/list", &[("action", "drop table"), ("text", "")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error,
        crate::helpers::invalid("action", "error.unknown_choice")
    );

    // A coordinator plans elections but does not read the audit log.
    let coordinator = app.browser_as(Role::Coordinator).await;
    let response = coordinator
        .post(format!("{}/api/audit/list", app.base))
        .form(&[("action", ""), ("text", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.json::<AppError>().await.unwrap(),
        AppError::Forbidden
    );
}

#[tokio::test]
async fn signing_out_everywhere_ends_the_other_devices_sessions() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    // The same person on a second device.
    let tablet = client();
    let link = app.admin_link("admin@example.dk").await;
    app.sign_in(&tablet, &link).await;
    let who = |c: reqwest::Client| {
        let url = format!("{}/api/auth/who_am_i", app.base);
        async move {
            c.post(url)
                .send()
                .await
                .unwrap()
                .json::<Option<CurrentUser>>()
                .await
                .unwrap()
        }
    };
    assert!(who(tablet.clone()).await.is_some());

    app.ok::<()>("auth/sign_out_everywhere", &[]).await;
    assert!(who(tablet.clone()).await.is_none());
    assert!(who(app.client.clone()).await.is_none());
    let records = app.storage.list_audit(None, "", 10).await.unwrap();
    assert_eq!(records[0].action, "sign_out_everywhere");
}
