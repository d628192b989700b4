use crate::helpers::{client, spawn_app};
use app::domain::accounts::CurrentUser;
use app::domain::AppError;
use reqwest::StatusCode;

#[tokio::test]
async fn without_a_session_every_set_up_function_is_refused() {
    let app = spawn_app().await;
    for endpoint in [
        "elections/list",
        "election_types/list",
        "areas/list",
        "stations/list",
        "task_types/list",
        "teams/list",
        "diets/list",
        "home/overview",
    ] {
        let (status, error) = app.err(endpoint, &[]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{endpoint}");
        assert_eq!(error, AppError::Unauthenticated, "{endpoint}");
    }
    let (status, _) = app
        .err(
            "areas/save",
            &[
                ("id", ""),
                ("form[name]", "Nord"),
                ("form[description]", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.err("elections/delete", &[("id", "1")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Nothing was created.
    app.sign_in_admin().await;
    let areas: Vec<serde_json::Value> = app.ok("areas/list", &[]).await;
    assert!(areas.is_empty());
}

#[tokio::test]
async fn a_sign_in_link_works_once() {
    let app = spawn_app().await;
    let link = app.admin_link("first@example.dk").await;
    assert!(link.starts_with(&app.public_url));
    let token = link.rsplit('/').next().unwrap().to_string();

    let peek: Option<String> = app.ok("auth/peek_link", &[("token", &token)]).await;
    assert_eq!(peek.as_deref(), Some("first@example.dk"));

    app.ok::<()>("auth/sign_in_with_link", &[("token", &token)])
        .await;
    let me: Option<CurrentUser> = app.ok("auth/who_am_i", &[]).await;
    let me = me.expect("signed in");
    assert_eq!(me.email, "first@example.dk");
    assert!(me.can_plan());

    // A second browser cannot use the same link again.
    let other = client();
    let response = other
        .post(format!("{}/api/auth/sign_in_with_link", app.base))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let error: AppError = response.json().await.unwrap();
    assert_eq!(error, AppError::refused("auth.link_invalid"));
    let peek: Option<String> = app.ok("auth/peek_link", &[("token", &token)]).await;
    assert_eq!(peek, None);
}

#[tokio::test]
async fn a_made_up_token_is_refused_and_signing_out_ends_the_session() {
    let app = spawn_app().await;
    let (status, _) = app
        .err("auth/sign_in_with_link", &[("token", "not-a-real-token")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    app.sign_in_admin().await;
    let me: Option<CurrentUser> = app.ok("auth/who_am_i", &[]).await;
    assert!(me.is_some());
    app.ok::<()>("auth/sign_out", &[]).await;
    let me: Option<CurrentUser> = app.ok("auth/who_am_i", &[]).await;
    assert!(me.is_none());
    let (status, _) = app.err("areas/list", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_lax() {
    let app = spawn_app().await;
    let link = app.admin_link("cookie@example.dk").await;
    let token = link.rsplit('/').next().unwrap().to_string();
    let response = app
        .call("auth/sign_in_with_link", &[("token", &token)])
        .await;
    let cookie = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("vv_session="))
        .expect("session cookie")
        .to_string();
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Lax"));
    assert!(!cookie.contains("Secure"), "plain http on loopback");
}

#[tokio::test]
async fn state_changing_requests_from_a_foreign_origin_are_refused() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let response = app
        .client
        .post(format!("{}/api/areas/save", app.base))
        .header("Origin", "https://evil.example.com")
        .form(&[
            ("id", ""),
            ("form[name]", "Nord"),
            ("form[description]", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let areas: Vec<serde_json::Value> = app.ok("areas/list", &[]).await;
    assert!(areas.is_empty());
    // The same request from our own origin goes through.
    let response = app
        .client
        .post(format!("{}/api/areas/save", app.base))
        .header("Origin", app.base.clone())
        .form(&[
            ("id", ""),
            ("form[name]", "Nord"),
            ("form[description]", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // A request that says nowhere where it comes from is refused too (an
    // old browser, or a page that asked for no referrer), and so is one the
    // browser marks as from another site.
    let bare = reqwest::Client::new();
    let url = format!("{}/api/auth/request_link", app.base);
    let form = [("email", "admin@example.dk")];
    let response = bare.post(&url).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = bare
        .post(&url)
        .header("Sec-Fetch-Site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(
        app.mail.to("admin@example.dk").is_empty(),
        "no link was sent"
    );
    let response = bare
        .post(&url)
        .header("Referer", format!("{}/signin", app.public_url))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success() || response.status().is_redirection());
}

#[tokio::test]
async fn pages_render_in_danish_by_default_and_english_on_request() {
    let app = spawn_app().await;
    let page = client().get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let csp = page
        .headers()
        .get("content-security-policy")
        .expect("CSP")
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("frame-ancestors 'none'"));
    let html = page.text().await.unwrap();
    assert!(html.contains("<html lang=\"da\""), "{html}");
    assert!(html.contains("Velkommen til Valgvagt"));

    let english = client()
        .get(format!("{}/", app.base))
        .header("Cookie", "vv_lang=en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(english.contains("<html lang=\"en\""));
    assert!(english.contains("Welcome to Valgvagt"));

    let health = client()
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn an_emailed_link_signs_in_and_unknown_addresses_get_the_same_answer() {
    let app = spawn_app().await;
    // A known user (made by the admin command) asks for a link.
    app.admin_link("kendt@example.dk").await;
    app.ok::<()>("auth/request_link", &[("email", " Kendt@Example.dk ")])
        .await;
    let mails = app.mail.to("kendt@example.dk");
    assert_eq!(mails.len(), 1, "one mail to the known address");
    let text = mails[0].decoded();
    assert!(text.contains("Subject: Dit link til Valgvagt"), "{text}");
    assert!(text.contains("multipart/alternative"));
    let link = mails[0].sign_in_link().expect("a link in the mail");
    assert!(link.starts_with(&app.public_url), "{link}");

    // Unknown address: the same answer, and no mail.
    app.ok::<()>("auth/request_link", &[("email", "ukendt@example.dk")])
        .await;
    assert!(app.mail.to("ukendt@example.dk").is_empty());
    // A malformed address is refused plainly.
    let (status, error) = app
        .err("auth/request_link", &[("email", "ikke en adresse")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error, crate::helpers::invalid("email", "error.email"));

    // The link from the mail signs in, once.
    let token = link.rsplit('/').next().unwrap().to_string();
    app.ok::<()>("auth/sign_in_with_link", &[("token", &token)])
        .await;
    let me: Option<CurrentUser> = app.ok("auth/who_am_i", &[]).await;
    assert_eq!(me.map(|m| m.email).as_deref(), Some("kendt@example.dk"));
}

#[tokio::test]
async fn a_known_address_gets_the_unknown_s_answer_even_when_mail_cannot_be_sent() {
    // Nothing listens on the SMTP port: every delivery fails.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let app = crate::helpers::spawn_app_with(&[(
        "VALGVAGT_SMTP_URL",
        format!("smtp://127.0.0.1:{port}"),
    )])
    .await;
    app.admin_link("kendt@example.dk").await;
    let answer = |email: &'static str| {
        let app = &app;
        async move {
            let response = app.call("auth/request_link", &[("email", email)]).await;
            let status = response.status();
            let location = response
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_string());
            (status, location, response.text().await.unwrap())
        }
    };
    // The failure happens after the answer, so it cannot show in it.
    let known = answer("kendt@example.dk").await;
    let unknown = answer("ukendt@example.dk").await;
    assert_eq!(known, unknown);
    assert!(known.0.is_success(), "{known:?}");
    // The mail was tried and lost; only the log says so.
    assert!(app.mail.all().is_empty());
}

#[tokio::test]
async fn asking_for_too_many_links_is_refused_with_a_clear_message() {
    let app = spawn_app().await;
    app.admin_link("mange@example.dk").await;
    for _ in 0..app::auth::LINKS_PER_ADDRESS_PER_HOUR {
        app.ok::<()>("auth/request_link", &[("email", "mange@example.dk")])
            .await;
    }
    let (status, error) = app
        .err("auth/request_link", &[("email", "mange@example.dk")])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("auth.rate_limited"));
    assert_eq!(
        app.mail.to("mange@example.dk").len() as i64,
        app::auth::LINKS_PER_ADDRESS_PER_HOUR
    );
    // Another address from the same client still works.
    app.admin_link("anden@example.dk").await;
    app.ok::<()>("auth/request_link", &[("email", "anden@example.dk")])
        .await;
    assert_eq!(app.mail.to("anden@example.dk").len(), 1);
}

#[tokio::test]
async fn an_emailed_link_goes_back_to_the_page_it_was_asked_from_and_nowhere_else() {
    let app = spawn_app().await;
    app.admin_link("tilbage@example.dk").await;
    for (next, expected) in [
        ("/join/abc", "/join/abc"),
        ("//evil.example/x", "/account"),
        ("https://evil.example", "/account"),
    ] {
        app.ok::<()>(
            "auth/request_link",
            &[("email", "tilbage@example.dk"), ("next", next)],
        )
        .await;
        let mails = app.mail.to("tilbage@example.dk");
        let link = mails.last().unwrap().sign_in_link().unwrap();
        let (path, query) = link.split_once('?').unwrap_or((&link, ""));
        let token = path.rsplit('/').next().unwrap();
        let carried = query
            .strip_prefix("next=")
            .unwrap_or_default()
            .replace("%2F", "/");
        if expected == "/account" {
            assert_eq!(query, "", "an unsafe path is not even put in the mail");
        } else {
            assert_eq!(carried, next);
        }
        // Even if someone edits the link, only a path of ours is followed.
        let response = app
            .call_with(
                &crate::helpers::client(),
                "auth/sign_in_with_link",
                &[("token", token), ("next", next)],
            )
            .await;
        assert!(response.status().is_success(), "{}", response.status());
        assert_eq!(
            response
                .headers()
                .get("location")
                .unwrap()
                .to_str()
                .unwrap(),
            expected
        );
    }
}

#[tokio::test]
async fn the_camera_is_for_the_scanner_page_only_and_https_is_kept_to() {
    let app = spawn_app().await;
    let policy = |response: &reqwest::Response| {
        response.headers()["permissions-policy"]
            .to_str()
            .unwrap()
            .to_string()
    };
    let home = client().get(format!("{}/", app.base)).send().await.unwrap();
    assert!(policy(&home).contains("camera=()"), "{}", policy(&home));
    assert!(policy(&home).contains("geolocation=()"));
    assert!(
        home.headers().get("strict-transport-security").is_none(),
        "plain http here"
    );
    // The scanner's page may use the camera; the check-in page links to it.
    for (path, camera) in [
        ("/stations/1/scan", "camera=(self)"),
        ("/stations/1/checkin", "camera=()"),
    ] {
        let page = client()
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert!(policy(&page).contains(camera), "{path}: {}", policy(&page));
    }

    let https = crate::helpers::spawn_app_with(&[(
        "VALGVAGT_PUBLIC_URL",
        "https://valg.example.dk".into(),
    )])
    .await;
    let page = client()
        .get(format!("{}/", https.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        page.headers()["strict-transport-security"],
        "max-age=31536000"
    );
}

#[tokio::test]
async fn a_form_larger_than_its_route_takes_is_refused_unread_but_an_import_may_carry_a_file() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let huge = "x".repeat(100 * 1024);
    let response = app
        .call(
            "areas/save",
            &[
                ("id", ""),
                ("form[name]", "Nord"),
                ("form[description]", &huge),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let error: AppError = response.json().await.unwrap();
    assert_eq!(error, AppError::refused("error.body_too_large"));
    let areas: Vec<app::domain::stations::Area> = app.ok("areas/list", &[]).await;
    assert!(areas.is_empty(), "nothing was saved");

    // A CSV of 300 KB (about 900 KB form-encoded) reaches the importer,
    // which answers for its content.
    let row =
        "Lars Eriksen;lars@example.dk;20304050;1970-03-04;Algade 3;4200;Korsbæk;dansk;ja;nej\n";
    let csv = row.repeat(300 * 1024 / row.len());
    let response = app
        .call("volunteers/import", &[("csv", &csv), ("team_id", "")])
        .await;
    assert_ne!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

// Several worker threads: the server's tasks must not share the one thread
// whose clock decides when this test gives up waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_too_slow_with_its_headers_is_cut_off_and_too_slow_with_its_body_gets_a_408() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::time::timeout;
    let app = crate::helpers::spawn_app_with(&[
        ("VALGVAGT_HEADER_READ_SECONDS", "1".into()),
        ("VALGVAGT_BODY_READ_SECONDS", "1".into()),
    ])
    .await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let wait = Duration::from_secs(10);
    let connect = || async {
        timeout(wait, tokio::net::TcpStream::connect(&addr))
            .await
            .expect("connected in time")
            .expect("connected")
    };

    // Headers begun and never finished: the server closes the connection.
    let started = std::time::Instant::now();
    let mut slow = connect().await;
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .await
        .expect("sent");
    let mut answer = Vec::new();
    let closed = timeout(wait, slow.read_to_end(&mut answer)).await;
    assert!(closed.is_ok(), "the connection was closed, not held open");
    assert!(started.elapsed() >= Duration::from_millis(900));
    // No page was served to the half-sent request.
    assert!(!String::from_utf8_lossy(&answer).contains("200 OK"));
    drop(slow);

    // A body announced and not sent: a translated 408.
    let mut slow = connect().await;
    slow.write_all(
        format!(
            "POST /api/auth/request_sign_in_link HTTP/1.1\r\nHost: localhost\r\nOrigin: {}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nemail=",
            app.public_url
        )
        .as_bytes(),
    )
    .await
    .expect("sent");
    // Read until the answer is whole: the server may reset the connection
    // after it, since the body it gave up on is still unread.
    let mut answer = Vec::new();
    let _ = timeout(wait, async {
        let mut chunk = [0u8; 4096];
        while let Ok(read @ 1..) = slow.read(&mut chunk).await {
            answer.extend_from_slice(&chunk[..read]);
        }
    })
    .await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("error.request_timeout"), "{answer}");
    drop(slow);

    // A request sent at a normal pace is served as ever.
    let page = timeout(wait, client().get(format!("{}/signin", app.base)).send())
        .await
        .expect("answered in time")
        .expect("answered");
    assert_eq!(page.status(), StatusCode::OK);
}

/// The nonce in a page's policy, and every `<script>` tag of the page.
fn policy_and_scripts(csp: &str, html: &str) -> (String, Vec<String>) {
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .expect("a script-src")
        .to_string();
    let scripts = html
        .match_indices("<script")
        .map(|(at, _)| html[at..].split('>').next().unwrap_or_default().to_string())
        .collect();
    (script_src, scripts)
}

#[tokio::test]
async fn no_inline_script_runs_unless_it_carries_this_responses_nonce() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let mut nonces = Vec::new();
    // A phone page, an office page with a live part, and one with an island.
    for path in ["/signin", "/board", "/volunteers/import"] {
        let page = app
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let csp = page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        let html = page.text().await.unwrap();
        let (script_src, scripts) = policy_and_scripts(&csp, &html);
        assert!(
            !script_src.contains("unsafe-inline"),
            "{path}: {script_src}"
        );
        let nonce = script_src
            .split_whitespace()
            .find_map(|s| s.strip_prefix("'nonce-"))
            .and_then(|s| s.strip_suffix('\''))
            .unwrap_or_else(|| panic!("{path}: no nonce in {script_src}"))
            .to_string();
        assert!(nonce.len() >= 16, "{path}: a real nonce");
        for tag in &scripts {
            let external = tag.contains(" src=");
            let allowed = tag.contains(&format!("nonce=\"{nonce}\""));
            assert!(
                external || allowed,
                "{path}: inline script without the nonce: {tag}"
            );
        }
        // The islands' wasm comes by page.js, never an inline loader.
        assert!(
            scripts.iter().any(|t| t.contains("src=\"/page.js\"")),
            "{path}: page.js"
        );
        nonces.push(nonce);
    }
    nonces.dedup();
    assert_eq!(nonces.len(), 3, "a fresh nonce for every response");
    // Responses that are not pages allow no inline script at all.
    let json = app
        .client
        .post(format!("{}/api/auth/who_am_i", app.base))
        .send()
        .await
        .unwrap();
    let csp = json.headers()["content-security-policy"].to_str().unwrap();
    let (script_src, _) = policy_and_scripts(csp, "");
    assert_eq!(script_src, "script-src 'self' 'wasm-unsafe-eval'");
}
