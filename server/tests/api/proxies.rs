//! Behind a reverse proxy: the client's address comes from the forwarding
//! header only when the connection is from a configured proxy, and rate
//! limits and the audit log use that address.

use crate::helpers::{spawn_app, spawn_app_with, TestApp};
use app::domain::audit::AuditRecord;
use app::domain::AppError;
use reqwest::StatusCode;

/// A browser whose requests arrive with this `X-Forwarded-For`, as if a
/// proxy on loopback had added it.
pub(crate) fn forwarded(chain: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.extend(crate::helpers::browser_headers());
    headers.insert(
        "x-forwarded-for",
        reqwest::header::HeaderValue::from_str(chain).expect("header"),
    );
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .expect("client")
}

/// Spends one client's hourly sign-in links on unknown addresses (no mail,
/// one per address, so only the client's own limit counts).
async fn spend_links(app: &TestApp, browser: &reqwest::Client, tag: &str) {
    for n in 0..app::auth::LINKS_PER_CLIENT_PER_HOUR {
        let email = format!("{tag}{n}@example.dk");
        app.ok_with::<()>(browser, "auth/request_link", &[("email", &email)])
            .await;
    }
}

async fn refused(app: &TestApp, browser: &reqwest::Client, email: &str) -> bool {
    let response = app
        .call_with(browser, "auth/request_link", &[("email", email)])
        .await;
    if response.status().is_success() {
        return false;
    }
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let error: AppError = response.json().await.expect("an AppError");
    assert_eq!(error, AppError::refused("auth.rate_limited"));
    true
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limits_and_audit_address() {
    let app = spawn_app_with(&[("VALGVAGT_TRUSTED_PROXIES", "127.0.0.1".into())]).await;
    let first = forwarded("198.51.100.7");
    spend_links(&app, &first, "a").await;
    assert!(refused(&app, &first, "one-more@example.dk").await);
    // Another person behind the same proxy is not locked out.
    let second = forwarded("198.51.100.8");
    assert!(!refused(&app, &second, "second@example.dk").await);
    // Writing another address in front does not give the first a new bucket:
    // the proxy appended the real one, and that is the one that counts.
    let forging = forwarded("203.0.113.1, 198.51.100.7");
    assert!(refused(&app, &forging, "forged@example.dk").await);

    // The audit log says where a sign-in came from.
    let admin = forwarded("198.51.100.9");
    let link = app.admin_link("admin@example.dk").await;
    assert_eq!(app.sign_in(&admin, &link).await, StatusCode::OK);
    let log: Vec<AuditRecord> = app
        .ok_with(&admin, "audit/list", &[("action", "sign_in"), ("text", "")])
        .await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].ip, "198.51.100.9");
}

#[tokio::test]
async fn without_a_trusted_proxy_the_forwarding_header_is_ignored() {
    let app = spawn_app().await;
    let first = forwarded("198.51.100.7");
    spend_links(&app, &first, "b").await;
    // Claiming another address changes nothing: the peer is the client.
    let claiming = forwarded("198.51.100.8");
    assert!(refused(&app, &claiming, "claimed@example.dk").await);
    let link = app.admin_link("admin@example.dk").await;
    assert_eq!(app.sign_in(&claiming, &link).await, StatusCode::OK);
    let log: Vec<AuditRecord> = app
        .ok_with(
            &claiming,
            "audit/list",
            &[("action", "sign_in"), ("text", "")],
        )
        .await;
    assert_eq!(log[0].ip, "127.0.0.1");
}

#[tokio::test]
async fn a_stranger_who_spends_an_addresss_links_does_not_lock_its_owner_out() {
    use app::auth::{LINKS_PER_ADDRESS_OVERALL_PER_HOUR, LINKS_PER_ADDRESS_PER_HOUR};
    let app = spawn_app_with(&[("VALGVAGT_TRUSTED_PROXIES", "127.0.0.1".into())]).await;
    let owner = "koordinator@example.dk";
    app.admin_link(owner).await;
    let stranger = forwarded("203.0.113.5");
    for _ in 0..LINKS_PER_ADDRESS_PER_HOUR {
        assert!(!refused(&app, &stranger, owner).await);
    }
    assert!(refused(&app, &stranger, owner).await);
    // The owner, on the polling station's network, still gets a link.
    assert!(!refused(&app, &forwarded("198.51.100.20"), owner).await);
    // Over all networks together the address's hourly cap holds, so an
    // inbox cannot be flooded from many of them.
    let mut sent = LINKS_PER_ADDRESS_PER_HOUR + 1;
    let mut network = 10;
    while sent < LINKS_PER_ADDRESS_OVERALL_PER_HOUR {
        let browser = forwarded(&format!("203.0.113.{network}"));
        for _ in 0..LINKS_PER_ADDRESS_PER_HOUR.min(LINKS_PER_ADDRESS_OVERALL_PER_HOUR - sent) {
            assert!(!refused(&app, &browser, owner).await);
            sent += 1;
        }
        network += 1;
    }
    assert!(refused(&app, &forwarded("192.0.2.99"), owner).await);
    assert_eq!(
        app.mail.to(owner).len() as i64,
        LINKS_PER_ADDRESS_OVERALL_PER_HOUR,
        "one mail per link granted"
    );
}
