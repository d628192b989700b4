//! What travels to the browser: precompressed files when the browser takes
//! them, compressed pages, caching by name, and sessions that a page view
//! only reads.

use crate::helpers::spawn_app;
use app::domain::accounts::Role;
use app::server::storage::SESSION_TOUCH_SECS;
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};
use std::io::Read;

const HASHED: &str = "valgvagt.q2YJ3Ww1o7bSSkD4mKcvxA.wasm";

#[tokio::test]
async fn a_release_file_goes_precompressed_and_is_kept_for_good() {
    let app = spawn_app().await;
    let pkg = app.config.site_root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join(HASHED), b"\0asm plain").unwrap();
    std::fs::write(pkg.join(format!("{HASHED}.br")), b"brotli bytes").unwrap();
    std::fs::write(pkg.join(format!("{HASHED}.gz")), b"gzip bytes").unwrap();
    std::fs::write(pkg.join("valgvagt.css"), "body { margin: 0 }".repeat(20)).unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}/pkg/{HASHED}", app.base);

    let br = client
        .get(&url)
        .header(ACCEPT_ENCODING, "gzip, deflate, br, zstd")
        .send()
        .await
        .unwrap();
    assert_eq!(br.status(), 200);
    assert_eq!(br.headers()[CONTENT_ENCODING], "br");
    assert_eq!(
        br.headers()[CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert!(br.headers()[VARY]
        .to_str()
        .unwrap()
        .to_ascii_lowercase()
        .contains("accept-encoding"));
    assert_eq!(br.bytes().await.unwrap().as_ref(), b"brotli bytes");

    let gz = client
        .get(&url)
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(gz.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(gz.bytes().await.unwrap().as_ref(), b"gzip bytes");

    let plain = client.get(&url).send().await.unwrap();
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(plain.bytes().await.unwrap().as_ref(), b"\0asm plain");

    // A name without a hash may change under the same name: revalidated.
    let css = client
        .get(format!("{}/pkg/valgvagt.css", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(css.headers()[CACHE_CONTROL], "no-cache");

    // A missing file is the app's own 404 page.
    let missing = client
        .get(format!("{}/pkg/nothing.js", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn pages_and_answers_are_compressed_for_browsers_that_take_it() {
    let app = spawn_app().await;
    let client = reqwest::Client::new();
    let page = client
        .get(format!("{}/signin", app.base))
        .header(ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()[CONTENT_ENCODING], "gzip");
    let bytes = page.bytes().await.unwrap();
    let mut html = String::new();
    flate2::read::GzDecoder::new(bytes.as_ref())
        .read_to_string(&mut html)
        .expect("a gzip body");
    assert!(html.contains("<html"), "{html}");
    assert!(
        bytes.len() < html.len() / 2,
        "compressed {} of {}",
        bytes.len(),
        html.len()
    );

    let br = client
        .get(format!("{}/signin", app.base))
        .header(ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(br.headers()[CONTENT_ENCODING], "br");

    let plain = client
        .get(format!("{}/signin", app.base))
        .send()
        .await
        .unwrap();
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    assert!(plain.text().await.unwrap().contains("<html"));
}

#[tokio::test]
async fn a_page_view_reads_the_session_and_writes_it_once_a_minute() {
    let app = spawn_app().await;
    let user = app
        .storage
        .ensure_user_with_role("frivillig@example.dk", "Frivillig", Role::Volunteer)
        .await
        .unwrap();
    let idle = 3600;
    let t0 = 1_800_000_000;
    app.storage
        .create_session("session-hash", user, t0, t0 + 86_400)
        .await
        .unwrap();
    let last_seen = || async {
        sql!(app, |db| sqlx::query_scalar::<_, i64>(
            "SELECT last_seen_at FROM sessions WHERE session_hash = 'session-hash'",
        )
        .fetch_one(db)
        .await
        .unwrap())
    };
    let within = t0 + SESSION_TOUCH_SECS - 1;
    assert!(app
        .storage
        .session_user("session-hash", within, idle)
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        last_seen().await,
        t0,
        "a view within the minute writes nothing"
    );
    let later = t0 + SESSION_TOUCH_SECS;
    assert!(app
        .storage
        .session_user("session-hash", later, idle)
        .await
        .unwrap()
        .is_some());
    assert_eq!(last_seen().await, later, "a minute on, the use is recorded");
    // Idle is still counted from the last recorded use.
    assert!(app
        .storage
        .session_user("session-hash", later + idle - 1, idle)
        .await
        .unwrap()
        .is_some());
    assert!(app
        .storage
        .session_user("session-hash", later + idle - 1 + idle, idle)
        .await
        .unwrap()
        .is_none());
}

/// The headers the service worker keeps or forgets pages by.
fn page_headers(response: &reqwest::Response) -> (String, Option<String>, Option<i64>) {
    let h = response.headers();
    let text = |name: &str| h.get(name).map(|v| v.to_str().unwrap().to_string());
    (
        text("x-valgvagt-signed-in").unwrap_or_default(),
        text("x-valgvagt-user"),
        text("x-valgvagt-session-until").map(|v| v.parse().unwrap()),
    )
}

#[tokio::test]
async fn pages_say_whose_live_session_they_show_until_when_and_expire_a_dead_cookie() {
    let app = spawn_app().await;
    let anonymous = crate::helpers::client()
        .get(format!("{}/signin", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page_headers(&anonymous), ("0".into(), None, None));
    assert!(anonymous.headers().get("set-cookie").is_none());

    app.sign_in_admin().await;
    let before = chrono::Utc::now().timestamp();
    let page = app
        .client
        .get(format!("{}/account", app.base))
        .send()
        .await
        .unwrap();
    let (signed_in, user, until) = page_headers(&page);
    let (admin, _) = app
        .storage
        .find_active_user("admin@example.dk")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(signed_in, "1");
    assert_eq!(user, Some(admin.to_string()));
    let idle = app.config.session_idle_minutes * 60;
    let until = until.expect("a session end");
    assert!(
        (before + idle - 2 * SESSION_TOUCH_SECS..=before + idle + 5).contains(&until),
        "{until} is not about {idle} s from now"
    );
    assert_eq!(page.headers()[CACHE_CONTROL], "private, no-store");

    // A cookie of no live session (made up, or ended elsewhere): the page
    // says signed out and the browser is told to drop the cookie.
    let made_up = crate::helpers::client()
        .get(format!("{}/account", app.base))
        .header("cookie", "vv_session=made-up")
        .send()
        .await
        .unwrap();
    app.storage.delete_user_sessions(admin).await.unwrap();
    let ended = app
        .client
        .get(format!("{}/account", app.base))
        .send()
        .await
        .unwrap();
    for page in [made_up, ended] {
        assert_eq!(page_headers(&page), ("0".into(), None, None));
        let set = page.headers()["set-cookie"].to_str().unwrap();
        assert!(
            set.starts_with("vv_session=;") && set.contains("Max-Age=0"),
            "{set}"
        );
    }
}

#[tokio::test]
async fn a_page_names_the_hashed_files_even_with_a_relative_site_root() {
    // As scripts/run.sh starts the server: `LEPTOS_SITE_ROOT=target/site`,
    // relative to the working directory (here the server crate's folder).
    let name = format!("test-site-{}", std::process::id());
    let relative = format!("../target/{name}");
    std::fs::create_dir_all(format!("{relative}/pkg")).unwrap();
    std::fs::write(
        format!("{relative}/hash.txt"),
        "js: jshash\nwasm: wasmhash\ncss: csshash\n",
    )
    .unwrap();
    let app = crate::helpers::spawn_app_with(&[("LEPTOS_SITE_ROOT", relative.clone())]).await;
    let page = reqwest::get(format!("{}/board", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    std::fs::remove_dir_all(&relative).unwrap();
    assert!(
        page.contains("/pkg/valgvagt.csshash.css"),
        "the stylesheet by its hashed name: {page}"
    );
    assert!(!page.contains("/pkg/valgvagt.css\""), "{page}");
}
