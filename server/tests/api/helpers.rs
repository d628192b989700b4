use app::domain::AppError;
use reqwest::StatusCode;
use std::collections::HashMap;
use std::sync::Arc;
use tempfile::TempDir;
use valgvagt_server::config::{Config, Database};
use valgvagt_server::storage::Backend;

/// The test's own hold on its database, for what no server function does
/// (moving a seat into the past, reading what was stored): SQLite, or
/// PostgreSQL when `VALGVAGT_TEST_POSTGRES_URL` names a server.
pub enum TestDb {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Runs `$body` with `$db` the pool of the test app's database, whichever
/// backend this run uses: the same statement on both.
macro_rules! sql {
    ($app:expr, |$db:ident| $body:expr) => {
        match &$app.db {
            crate::helpers::TestDb::Sqlite($db) => $body,
            crate::helpers::TestDb::Postgres($db) => $body,
        }
    };
}

/// The PostgreSQL server this run tests against, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("VALGVAGT_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A fresh database of its own for one test: a SQLite file in `dir`, or a
/// new database on the PostgreSQL server of this run.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    let Some(server) = postgres_url() else {
        return dir.join("test.db").to_string_lossy().to_string();
    };
    use sqlx::Connection;
    let name = format!(
        "valgvagt_test_{}",
        valgvagt_server::secrets::new_secret()
            .to_lowercase()
            .replace('-', "_")
    );
    let mut admin = sqlx::PgConnection::connect(&server)
        .await
        .expect("the test PostgreSQL server answers");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("a test database");
    let mut url = url::Url::parse(&server).expect("a PostgreSQL URL");
    url.set_path(&name);
    url.to_string()
}

pub struct TestApp {
    /// Where requests go (loopback by number).
    pub base: String,
    /// The public URL the app believes it has: localhost by name, since a
    /// passkey's relying party must be a name, not an IP address.
    pub public_url: String,
    /// Mail the app sent, received by a real SMTP server on loopback.
    pub mail: crate::smtp::MailBox,
    pub config: Config,
    pub storage: Arc<dyn Backend>,
    /// The database itself, for what no server function does (`sql!`).
    pub db: TestDb,
    /// The outbox worker's delivery, driven by the tests themselves (the
    /// background worker is off so that each test decides when mail goes).
    pub delivery: Arc<valgvagt_server::notifications::Delivery>,
    /// The reminder scheduler, run by the tests at the times they choose.
    pub scheduler: Arc<valgvagt_server::notifications::scheduler::Scheduler>,
    /// What the server does after answering (sign-in mails and codes).
    pub background: Arc<valgvagt_server::background::Background>,
    /// A cookie-keeping client; signed in after [`TestApp::sign_in_admin`].
    pub client: reqwest::Client,
    /// Ends the test's watchdog when the test ends (see [`watchdog`]).
    _watched: Arc<()>,
    _dir: TempDir,
}

/// Starts the server on 127.0.0.1:0 with its own database file.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// The server's log on the test's output, when `TEST_LOG` is set (its
/// value is the filter, e.g. `TEST_LOG=error`).
fn log_if_asked() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Ok(filter) = std::env::var("TEST_LOG") {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        }
    });
}

/// [`spawn_app`] with more configuration (e.g. an SMS gateway).
pub async fn spawn_app_with(extra: &[(&str, String)]) -> TestApp {
    log_if_asked();
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (smtp_port, mail) = crate::smtp::start().await;
    let env: HashMap<String, String> = [
        ("VALGVAGT_DATABASE", fresh_database(dir.path()).await),
        ("VALGVAGT_BIND", addr.to_string()),
        (
            "VALGVAGT_PUBLIC_URL",
            format!("http://localhost:{}", addr.port()),
        ),
        (
            "LEPTOS_SITE_ROOT",
            dir.path().join("site").to_string_lossy().to_string(),
        ),
        ("VALGVAGT_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}")),
        (
            "VALGVAGT_MAIL_FROM",
            "Valgvagt <valg@korsbaek.example.dk>".to_string(),
        ),
        ("VALGVAGT_OUTBOX_WORKER", "false".to_string()),
        ("VALGVAGT_PUSH_LOOPBACK", "true".to_string()),
    ]
    .into_iter()
    .chain(extra.iter().cloned())
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let config = Config::from_layers(&HashMap::new(), &env).expect("config");
    let running = valgvagt_server::startup::start(&config, listener)
        .await
        .expect("server starts");
    let storage = valgvagt_server::storage::open(&config.database, Default::default())
        .await
        .expect("storage");
    let db = match &config.database {
        Database::Sqlite(path) => TestDb::Sqlite(
            sqlx::SqlitePool::connect_with(
                sqlx::sqlite::SqliteConnectOptions::new().filename(path),
            )
            .await
            .expect("the test's SQLite file"),
        ),
        Database::Postgres(url) => TestDb::Postgres(
            sqlx::PgPool::connect(url)
                .await
                .expect("the test's PostgreSQL database"),
        ),
    };
    TestApp {
        base: format!("http://{addr}"),
        public_url: format!("http://localhost:{}", addr.port()),
        mail,
        config,
        storage,
        db,
        delivery: running.delivery,
        scheduler: running.scheduler,
        background: running.background,
        client: client(),
        _dir: dir,
        _watched: watchdog(),
    }
}

/// How long one test may take before it is taken for hung.
const HUNG_AFTER: std::time::Duration = std::time::Duration::from_secs(600);

/// A test that hangs would hold the whole run until CI's own limit, and
/// say nothing of where. This names the test (libtest names the thread
/// after it) and ends the run with a failure instead.
fn watchdog() -> Arc<()> {
    let watched = Arc::new(());
    let alive = Arc::downgrade(&watched);
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        while started.elapsed() < HUNG_AFTER {
            std::thread::sleep(std::time::Duration::from_secs(1));
            if alive.upgrade().is_none() {
                return;
            }
        }
        eprintln!("{test} has run for {HUNG_AFTER:?}: taken for hung, the run fails");
        std::process::exit(101);
    });
    watched
}

/// A browser: it keeps cookies and, as browsers do on every request, says
/// whether the request comes from the site itself (`Sec-Fetch-Site`).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .default_headers(browser_headers())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// What every browser request of ours carries.
pub fn browser_headers() -> reqwest::header::HeaderMap {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "sec-fetch-site",
        reqwest::header::HeaderValue::from_static("same-origin"),
    );
    headers
}

impl TestApp {
    /// A one-time link for a new administrator.
    pub async fn admin_link(&self, email: &str) -> String {
        valgvagt_server::admin::administrator_link(
            self.storage.as_ref(),
            &self.config,
            email,
            "Test Admin",
        )
        .await
        .expect("admin link")
    }

    /// A new browser, signed in as `<role>@example.dk` who holds exactly `role`.
    pub async fn browser_as(&self, role: app::domain::accounts::Role) -> reqwest::Client {
        self.browser_for(&format!("{}@example.dk", role.as_str()), role, &[])
            .await
    }

    /// A new browser, signed in as `email` who holds `role`, limited to
    /// `scopes` (areas, stations or teams).
    pub async fn browser_for(
        &self,
        email: &str,
        role: app::domain::accounts::Role,
        scopes: &[(app::domain::accounts::ScopeKind, app::domain::Id)],
    ) -> reqwest::Client {
        let id = self
            .storage
            .ensure_user_with_role(email, role.as_str(), role)
            .await
            .expect("user");
        for (kind, target) in scopes {
            self.storage
                .grant_scope(id, *kind, *target)
                .await
                .expect("scope");
        }
        let token = valgvagt_server::secrets::new_secret();
        self.storage
            .store_sign_in_token(id, &valgvagt_server::secrets::hash(&token), i64::MAX / 2)
            .await
            .expect("token");
        let browser = client();
        let status = self
            .sign_in(&browser, &format!("{}/signin/{token}", self.public_url))
            .await;
        assert_eq!(status, StatusCode::OK);
        browser
    }

    /// Uses a one-time sign-in link in `browser`, as its button does.
    pub async fn sign_in(&self, browser: &reqwest::Client, link: &str) -> StatusCode {
        let token = link
            .rsplit('/')
            .next()
            .expect("a token at the end of the link");
        browser
            .post(format!("{}/api/auth/sign_in_with_link", self.base))
            .form(&[("token", token)])
            .send()
            .await
            .expect("sign in")
            .status()
    }

    pub async fn sign_in_admin(&self) {
        let link = self.admin_link("admin@example.dk").await;
        assert_eq!(
            self.sign_in(&self.client, &link).await,
            StatusCode::OK,
            "sign-in failed"
        );
    }

    /// A page or file (`path` from the root), as the signed-in browser
    /// gets it, as text.
    pub async fn get_text(&self, path: &str) -> String {
        self.get_ok(path)
            .await
            .text()
            .await
            .expect("a whole answer")
    }

    /// A file (`path` from the root), as the signed-in browser gets it.
    pub async fn get_bytes(&self, path: &str) -> Vec<u8> {
        let response = self.get_ok(path).await;
        response.bytes().await.expect("a whole answer").to_vec()
    }

    async fn get_ok(&self, path: &str) -> reqwest::Response {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response
    }

    /// The signed-in office invites `email` to `seat`, to answer within `days`.
    pub async fn invite(&self, seat: app::domain::Id, email: &str, days: &str) {
        self.ok::<()>(
            "shifts/invite",
            &[
                ("seat_id", &seat.to_string()),
                ("email", email),
                ("respond_days", days),
            ],
        )
        .await;
    }

    /// POSTs a form to a server function.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.call_with(&self.client, endpoint, form).await
    }

    /// POSTs a form to a server function from another browser.
    pub async fn call_with(
        &self,
        browser: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let response = browser
            .post(format!("{}/api/{endpoint}", self.base))
            .form(form)
            .send()
            .await
            .expect("request");
        // A call ends when what the server does after answering (a sign-in
        // mail or code) has finished too, so the test sees its mail.
        self.background.idle().await;
        response
    }

    /// POSTs a JSON body (server functions with JSON input) with `client`.
    pub async fn call_json(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        client
            .post(format!("{}/api/{endpoint}", self.base))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// POSTs and expects success; returns the JSON body.
    pub async fn ok<T: serde::de::DeserializeOwned>(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> T {
        self.ok_with(&self.client, endpoint, form).await
    }

    /// [`TestApp::ok`] from another browser.
    pub async fn ok_with<T: serde::de::DeserializeOwned>(
        &self,
        browser: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> T {
        let response = self.call_with(browser, endpoint, form).await;
        let status = response.status();
        let body = response.text().await.expect("body");
        assert!(
            status.is_success(),
            "{endpoint} failed with {status}: {body}"
        );
        serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{endpoint}: cannot decode {body}: {e}"))
    }

    /// POSTs and expects a refusal; returns the status and the error.
    pub async fn err(&self, endpoint: &str, form: &[(&str, &str)]) -> (StatusCode, AppError) {
        self.err_with(&self.client, endpoint, form).await
    }

    /// [`TestApp::err`] from another browser.
    pub async fn err_with(
        &self,
        browser: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, AppError) {
        let response = self.call_with(browser, endpoint, form).await;
        let status = response.status();
        let body = response.text().await.expect("body");
        assert!(
            !status.is_success(),
            "{endpoint} should have failed but answered {status}: {body}"
        );
        let error = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{endpoint}: not an AppError: {body}: {e}"));
        (status, error)
    }
}

pub fn invalid(field: &str, key: &str) -> AppError {
    AppError::invalid(field, key)
}
