//! Builds the HTTP application: Leptos pages and server functions, static
//! files, a health check, and the security layer around them.

use crate::config::Config;
use crate::notifications::push::{new_vapid_key, PushSender};
use crate::notifications::scheduler::Scheduler;
use crate::notifications::sms::SmsGateway;
use crate::notifications::Delivery;
use crate::secrets;
use app::server::mail::Mailer;
use app::server::passkeys::PasskeyCeremonies;
use app::server::{ServerContext, Settings, Storage};
use app::{shell, App};
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::handler::Handler;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub ctx: ServerContext,
    pub security: Arc<Security>,
    /// Seat changes, for the open gap boards.
    pub board: Arc<crate::board::BoardFeed>,
}

/// What the security layer needs to know.
pub struct Security {
    /// `scheme://host[:port]` of the public URL.
    pub public_origin: String,
    /// Send the strict Content-Security-Policy (off under live reload).
    pub csp: bool,
    /// The build's fingerprint, told to the service worker on every page.
    pub build: String,
    /// Tell browsers to use https only (the public URL is https).
    pub hsts: bool,
    /// Sessions are looked up to tell the service worker whose pages it
    /// may keep, and until when.
    pub ctx: ServerContext,
}

pub fn settings(config: &Config, vapid_public_key: &str) -> Settings {
    Settings {
        public_url: config.public_url.clone(),
        secure_cookies: config.secure_cookies,
        session_idle_secs: config.session_idle_minutes * 60,
        session_max_secs: config.session_max_hours * 3600,
        sign_in_link_secs: config.sign_in_link_minutes * 60,
        municipality_code: config.municipality_code.clone(),
        municipality_name: config.municipality_name.clone(),
        vapid_public_key: vapid_public_key.to_string(),
        sms_available: config.sms_url.is_some(),
        digital_post_available: config.digital_post.is_some(),
        central_columns: config.central_columns.clone(),
        digital_post_first: config.digital_post.as_ref().is_some_and(|d| d.first),
        sms_countries: config.sms_countries.clone(),
        push_loopback_allowed: config.push_loopback,
        push_services: config.push_services.clone(),
        office_phone: config.office_phone.clone(),
        office_email: config.office_email.clone(),
        privacy_version: config.privacy_version.clone(),
        retention: config.retention,
    }
}

/// The services server functions use, as the running server provides them.
pub struct Services {
    pub storage: Arc<dyn Storage>,
    pub mailer: Arc<dyn Mailer>,
    pub passkeys: Arc<dyn PasskeyCeremonies>,
    pub sms: Option<Arc<dyn app::server::sms::TextMessages>>,
    pub cpr: Option<Arc<dyn app::server::cpr::PersonRegister>>,
    pub vapid_public_key: String,
    pub wake_outbox: Arc<dyn Fn() + Send + Sync>,
    pub background: Arc<crate::background::Background>,
}

pub fn server_context(config: &Config, services: Services) -> ServerContext {
    ServerContext {
        storage: services.storage,
        mailer: services.mailer,
        passkeys: services.passkeys,
        sms: services.sms,
        cpr: services.cpr,
        settings: Arc::new(settings(config, &services.vapid_public_key)),
        hasher: secrets::hash,
        new_secret: secrets::new_secret,
        clock: secrets::unix_now,
        wake_outbox: services.wake_outbox,
        after_answer: services.background,
    }
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    let env = if config.leptos_env.eq_ignore_ascii_case("dev") {
        Env::DEV
    } else {
        Env::PROD
    };
    // A release build names its files by content and says so in hash.txt
    // (cargo-leptos `hash-files`); a debug build has plain names.
    let hash_file = config.site_root.join(crate::assets::HASH_FILE);
    let hashed = hash_file.is_file();
    LeptosOptions::builder()
        .output_name("valgvagt")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.bind)
        .env(env)
        .hash_files(hashed)
        .hash_file(std::sync::Arc::from(hash_file.to_string_lossy().as_ref()))
        .build()
}

/// The whole application as an axum router, around the services in `ctx`.
pub fn router(config: &Config, ctx: ServerContext, board: Arc<crate::board::BoardFeed>) -> Router {
    let leptos_options = leptos_options(config);
    let build = crate::pwa::build_id(&config.site_root);
    let security = Arc::new(Security {
        public_origin: origin_of(&config.public_url),
        csp: leptos_options.env == Env::PROD,
        build: build.clone(),
        hsts: config.public_url.starts_with("https://"),
        ctx: ctx.clone(),
    });
    let service_worker = crate::pwa::service_worker(&build);
    let state = AppState {
        leptos_options: leptos_options.clone(),
        ctx: ctx.clone(),
        security: security.clone(),
        board,
    };
    let routes = route_list();
    let page_ctx = ctx.clone();
    let error_ctx = ctx.clone();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/calendar/shift/{seat}", get(crate::calendar::shift))
        .route("/profile/data.json", get(crate::calendar::my_data))
        .route("/calendar/feed/{secret}", get(crate::calendar::feed))
        .route("/board/events", get(crate::board::events))
        .route("/stations/{id}/events", get(crate::board::station_events))
        .route("/my-shifts/events", get(crate::board::my_shifts_events))
        .route("/exports/{file}", get(crate::exports::export))
        .route(
            "/sw.js",
            get(move || async move {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        // The browser must see a new build's worker at once.
                        (header::CACHE_CONTROL, "no-cache"),
                    ],
                    service_worker,
                )
            }),
        )
        .leptos_routes_with_context(&state, routes, move || provide_context(page_ctx.clone()), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback_service(crate::assets::files(
            &config.site_root,
            leptos_axum::file_and_error_handler_with_context::<AppState, _>(
                move || provide_context(error_ctx.clone()),
                shell,
            )
            .with_state(state.clone()),
        ))
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn_with_state(
            Arc::new(tokio::sync::Semaphore::new(IN_PROGRESS)),
            take_turns,
        ))
        // Routes read at most this much; `limits` holds each route to less.
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::limits::IMPORT_BODY as usize,
        ))
        .layer(middleware::from_fn_with_state(
            std::time::Duration::from_secs(config.body_read_seconds),
            crate::limits::body_limits,
        ))
        .layer(middleware::from_fn_with_state(security, security_layer))
        .layer(middleware::from_fn_with_state(
            Arc::new(config.trusted_proxies.clone()),
            crate::client_addr::client_addr_layer,
        ))
        .layer(middleware::from_fn(crate::assets::cache_control))
        .layer(crate::assets::compression())
        .with_state(state)
}

/// How many requests are worked on at once; the others wait their turn.
pub const IN_PROGRESS: usize = 32;

/// Bounds the requests being worked on, so that a burst (a thousand taps on
/// the last seats) costs memory for the few being answered rather than for
/// all of them. A request waits with its body read already (`body_limits`
/// runs first), so a slow client never holds a turn, and a turn ends when
/// the answer starts: an open event stream holds none.
async fn take_turns(
    State(turns): State<Arc<tokio::sync::Semaphore>>,
    request: Request,
    next: Next,
) -> Response {
    let _turn = turns.acquire_owned().await.ok();
    next.run(request).await
}

/// Server-function arguments that cannot be decoded fail before the
/// function body runs, and the server-function layer answers 500 for them.
/// This gives such errors the status that matches what they are (422 for a
/// form that could not be read).
async fn server_fn_status(request: Request, next: Next) -> Response {
    let is_server_fn = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !is_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(bytes) => bytes,
        Err(_) => return (StatusCode::INTERNAL_SERVER_ERROR, "server error").into_response(),
    };
    if let Ok(error) = serde_json::from_slice::<app::domain::AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(error.status()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

pub use app::server::host_of;

/// "https://valg.example.dk/x" → "https://valg.example.dk".
pub fn origin_of(url: &str) -> String {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    match url[after_scheme..].find('/') {
        Some(slash) => url[..after_scheme + slash].to_string(),
        None => url.to_string(),
    }
}

/// Refuses state-changing requests from foreign origins and adds the
/// security headers to every response.
async fn security_layer(
    State(security): State<Arc<Security>>,
    mut request: Request,
    next: Next,
) -> Response {
    let session_cookie = app::server::cookie_in(request.headers(), app::server::SESSION_COOKIE);
    let user = app::server::RequestUser::default();
    request.extensions_mut().insert(user.clone());
    let is_get = request.method() == Method::GET;
    let scanner_page = is_scanner_page(request.uri().path());
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes_state && !same_origin_request(request.headers(), &security.public_origin) {
        tracing::warn!("refused a cross-origin request");
        return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // The camera only where codes are scanned; nothing else of the device.
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(if scanner_page {
            "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"
        } else {
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        }),
    );
    if security.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    // For the service worker: which build answered.
    if let Ok(build) = HeaderValue::from_str(&security.build) {
        headers.insert("x-valgvagt-build", build);
    }
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_get && is_page {
        page_session_headers(
            &security.ctx,
            session_cookie.as_deref(),
            user.found(),
            headers,
        )
        .await;
    }
    // Pages bring their own policy with a nonce (`app::shell`); everything
    // else gets the same policy with no inline script allowed at all.
    if security.csp && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(policy) = HeaderValue::from_str(&app::content_security_policy(None)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    response
}

/// `/stations/{id}/scan`: the page with the check-in scanner.
fn is_scanner_page(path: &str) -> bool {
    let mut parts = path.trim_end_matches('/').split('/');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()),
        (Some(""), Some("stations"), Some(id), Some("scan"), None)
            if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
    )
}

/// A page says whether a live session came with it, whose, and until when
/// it lasts unused, so the service worker keeps pages for one person only
/// and never past their session. A page of a signed-in person is never
/// stored by the browser's HTTP cache, and a cookie of a session that has
/// ended is expired.
async fn page_session_headers(
    ctx: &ServerContext,
    cookie: Option<&str>,
    found: Option<Option<app::domain::accounts::CurrentUser>>,
    headers: &mut HeaderMap,
) {
    let session = match (found, cookie) {
        // The page looked the session up already.
        (Some(user), _) => user.map(|u| (u.id, u.session_until)),
        (None, Some(raw)) => ctx
            .storage
            .session_ends(
                &(ctx.hasher)(raw),
                ctx.now(),
                ctx.settings.session_idle_secs,
            )
            .await
            .unwrap_or_else(|error| {
                tracing::warn!(?error, "could not look up a page's session");
                None
            }),
        (None, None) => None,
    };
    match session {
        Some((user_id, ends_at)) => {
            headers.insert("x-valgvagt-signed-in", HeaderValue::from_static("1"));
            headers.insert("x-valgvagt-user", HeaderValue::from(user_id));
            headers.insert("x-valgvagt-session-until", HeaderValue::from(ends_at));
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
        }
        None => {
            headers.insert("x-valgvagt-signed-in", HeaderValue::from_static("0"));
            if cookie.is_some() {
                let gone =
                    app::server::cookie(&ctx.settings, app::server::SESSION_COOKIE, "", 0, true);
                if let Ok(value) = HeaderValue::from_str(&gone) {
                    headers.append(header::SET_COOKIE, value);
                }
            }
        }
    }
}

/// A running server, for `serve` and for tests.
pub struct Running {
    pub addr: SocketAddr,
    pub handle: tokio::task::JoinHandle<std::io::Result<()>>,
    /// The outbox worker, when `VALGVAGT_OUTBOX_WORKER` is on.
    pub worker: Option<tokio::task::JoinHandle<()>>,
    /// Set to true to stop the worker after the message in hand.
    pub stop_worker: tokio::sync::watch::Sender<bool>,
    pub delivery: Arc<Delivery>,
    pub scheduler: Arc<Scheduler>,
    pub scheduler_task: Option<tokio::task::JoinHandle<()>>,
    /// The open gap boards' feed, and the poller behind it.
    pub board: Arc<crate::board::BoardFeed>,
    pub board_task: tokio::task::JoinHandle<()>,
    /// PostgreSQL's seat announcements, heard for the poller.
    pub listen_task: Option<tokio::task::JoinHandle<()>>,
    /// The nightly retention run, with the outbox worker.
    pub retention_task: Option<tokio::task::JoinHandle<()>>,
    /// The scheduled CPR re-check, where CPR is configured.
    pub recheck_task: Option<tokio::task::JoinHandle<()>>,
    /// Sign-in mails and codes on their way, after their answer.
    pub background: Arc<crate::background::Background>,
}

/// The outbox worker's parts, built from the config: push with the VAPID key
/// (made and stored on first start unless configured), email, and SMS when
/// a gateway is configured.
pub async fn delivery(
    config: &Config,
    storage: Arc<dyn crate::storage::Backend>,
    mailer: Arc<dyn Mailer>,
) -> anyhow::Result<Delivery> {
    let now = secrets::unix_now();
    let private_key = match &config.vapid_private_key {
        Some(key) => key.clone(),
        None => storage
            .server_key("vapid_private_key", &new_vapid_key(), now)
            .await
            .map_err(|e| anyhow::anyhow!("storing the VAPID key failed: {e:?}"))?,
    };
    let timeout = std::time::Duration::from_secs(config.push_timeout_seconds as u64);
    let push = PushSender::new(&private_key, &config.vapid_subject, timeout)?;
    let sms = match (&config.sms_url, &config.sms_token) {
        (Some(url), Some(token)) => Some(Arc::new(SmsGateway::new(
            url,
            token,
            &config.sms_sender,
            &config.sms_countries,
            timeout,
        )?)),
        (Some(_), None) => anyhow::bail!("VALGVAGT_SMS_URL is set but VALGVAGT_SMS_TOKEN is not"),
        _ => None,
    };
    Ok(Delivery {
        queue: storage.clone(),
        storage,
        mailer,
        push: Some(Arc::new(push)),
        sms,
        digital_post: match &config.digital_post {
            Some(settings) => Some(Arc::new(
                crate::integrations::digital_post::Sf1601::from_config(settings)?,
            )),
            None => None,
        },
        digital_post_first: config.digital_post.as_ref().is_some_and(|d| d.first),
        public_url: config.public_url.clone(),
        municipality: config.municipality_name.clone(),
        clock: secrets::unix_now,
        lease_secs: config.outbox_lease_seconds,
        batch: crate::notifications::BATCH,
        concurrency: crate::notifications::CONCURRENCY,
    })
}

/// Opens storage and serves on `listener` in the background, with the
/// outbox worker beside it.
pub async fn start(config: &Config, listener: TcpListener) -> anyhow::Result<Running> {
    // Keeps `valgvagt restore` off a SQLite file while the server lives.
    let database_lock = match config.database.file() {
        Some(path) => Some(crate::backup::lock_database(path)?),
        None => None,
    };
    let storage = crate::storage::open(
        &config.database,
        crate::storage::OfferRules {
            public_url: config.public_url.clone(),
            offer_secs: config.standby_offer_hours * 3600,
        },
    )
    .await?;
    crate::demo::seed_defaults(storage.as_ref()).await?;
    let orphaned = storage.release_orphaned_sends().await?;
    if orphaned > 0 {
        tracing::warn!(
            orphaned,
            "messages in flight at the last stop are queued again"
        );
    }
    let mailer = crate::mail::from_config(config)?;
    let passkeys = Arc::new(crate::passkeys::WebauthnCeremonies::new(
        &config.public_url,
        "Valgvagt",
    )?);
    let delivery = Arc::new(delivery(config, storage.clone(), mailer.clone()).await?);
    let vapid_public_key = delivery
        .push
        .as_ref()
        .map(|p| p.public_key().to_string())
        .unwrap_or_default();
    let wake = Arc::new(tokio::sync::Notify::new());
    let (stop_worker, stopped) = tokio::sync::watch::channel(false);
    let worker = config
        .outbox_worker
        .then(|| delivery.clone().spawn(wake.clone(), stopped.clone()));
    let scheduler = Arc::new(Scheduler {
        store: storage.clone(),
        public_url: config.public_url.clone(),
    });
    let holder = crate::leases::holder_name();
    let lease = |job, secs| crate::leases::Lease {
        store: storage.clone(),
        job,
        holder: holder.clone(),
        secs,
    };
    let scheduler_task = config.outbox_worker.then(|| {
        scheduler.clone().spawn(
            secrets::unix_now,
            wake.clone(),
            lease(
                crate::notifications::scheduler::JOB,
                crate::notifications::scheduler::LEASE_SECS,
            ),
            stopped,
        )
    });
    let storage_for_board: Arc<dyn app::server::Storage> = storage.clone();
    let retention_task = config.outbox_worker.then(|| {
        crate::retention::spawn(
            storage_for_board.clone(),
            config.retention,
            secrets::unix_now,
            lease(crate::retention::JOB, crate::retention::LEASE_SECS),
            stop_worker.subscribe(),
        )
    });
    let sms: Option<Arc<dyn app::server::sms::TextMessages>> = delivery
        .sms
        .clone()
        .map(|g| g as Arc<dyn app::server::sms::TextMessages>);
    let cpr: Option<Arc<dyn app::server::cpr::PersonRegister>> = match &config.cpr {
        Some(settings) => Some(Arc::new(crate::integrations::cpr::Sf1520::from_config(
            settings,
        )?)),
        None => None,
    };
    let recheck_task = match (&config.cpr, &cpr) {
        (Some(settings), Some(register)) if config.outbox_worker => {
            Some(crate::cpr_recheck::spawn(
                storage_for_board.clone(),
                register.clone(),
                settings.clone(),
                config.municipality_code.clone(),
                secrets::unix_now,
                lease(
                    crate::cpr_recheck::JOB,
                    crate::cpr_recheck::lease_secs(settings),
                ),
                stop_worker.subscribe(),
            ))
        }
        _ => None,
    };
    let background = Arc::new(crate::background::Background::default());
    let heard = Arc::new(tokio::sync::Notify::new());
    let listen_task = storage.hear_seat_changes(heard.clone(), stop_worker.subscribe());
    let services = Services {
        storage,
        mailer,
        passkeys,
        sms,
        cpr,
        vapid_public_key,
        wake_outbox: Arc::new(move || wake.notify_one()),
        background: background.clone(),
    };
    let board = crate::board::BoardFeed::new(std::time::Duration::from_secs(
        config.stream_recheck_seconds,
    ));
    let board_task = board.clone().spawn_poller(
        storage_for_board,
        std::time::Duration::from_millis(config.live_poll_ms),
        heard,
        stop_worker.subscribe(),
    );
    let app = router(config, server_context(config, services), board.clone());
    let addr = listener.local_addr()?;
    let header_read = std::time::Duration::from_secs(config.header_read_seconds);
    let handle = tokio::spawn(async move {
        // The lock lives as long as the server does.
        let _lock = database_lock;
        serve(listener, app, header_read).await
    });
    Ok(Running {
        addr,
        handle,
        worker,
        stop_worker,
        delivery,
        scheduler,
        scheduler_task,
        board,
        board_task,
        listen_task,
        retention_task,
        recheck_task,
        background,
    })
}

/// The app's routes, listed once per process. Listing them renders the app
/// with resource loading switched off for the whole process (leptos'
/// `SuppressResourceLoad` is one global flag): a page that a running server
/// renders on another thread at that moment waits for ever. One listing,
/// which every later server waits for, keeps a process that starts several
/// servers (the tests start hundreds) from stalling pages it already serves.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Whether a state-changing request comes from one of our own pages. The
/// `Origin` header decides when sent (every current browser sends it on a
/// POST); else the browser's `Sec-Fetch-Site`; else the `Referer`. A
/// request with none of them is refused: fail closed, since a page can ask
/// a browser to leave out the referrer.
fn same_origin_request(headers: &axum::http::HeaderMap, public_origin: &str) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let host = text("host").unwrap_or_default();
    let ours = |url: &str| {
        let origin = origin_of(url);
        origin == public_origin
            || origin
                .split_once("://")
                .is_some_and(|(_, origin_host)| origin_host == host)
    };
    if let Some(origin) = text("origin") {
        return ours(origin);
    }
    if let Some(site) = text("sec-fetch-site") {
        // `none`: the person typed or bookmarked it; no other site involved.
        return matches!(site, "same-origin" | "none");
    }
    text("referer").is_some_and(ours)
}

/// Accepts connections and serves `app` on each, as `axum::serve` does, but
/// with a deadline for the request headers: a client trickling them in
/// (slowloris) is disconnected instead of holding a connection for ever.
async fn serve(
    listener: TcpListener,
    app: axum::Router,
    header_read: std::time::Duration,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use tower::ServiceExt;
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait, don't spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        // Small writes (a streamed page's chunks) must not wait for the
        // client's delayed ACK: without TCP_NODELAY keep-alive pages stall.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "could not set TCP_NODELAY");
        }
        let app = app.clone();
        tokio::spawn(async move {
            // The client's address, for rate limits and the audit log.
            let service =
                hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
                    request
                        .extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    app.clone().oneshot(request.map(axum::body::Body::new))
                });
            let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(header_read);
            if let Err(e) = builder
                .serve_connection_with_upgrades(TokioIo::new(tcp), service)
                .await
            {
                tracing::debug!(error = %e, %peer, "connection ended");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_scanner_page_may_use_the_camera() {
        assert!(super::is_scanner_page("/stations/12/scan"));
        assert!(super::is_scanner_page("/stations/12/scan/"));
        for other in [
            "/stations/12/roster",
            "/stations/12/checkin",
            "/stations/x/scan",
            "/checkin/12-abc",
            "/stations//scan",
            "/stations/1/scan/2",
        ] {
            assert!(!super::is_scanner_page(other), "{other}");
        }
    }

    #[test]
    fn a_state_change_must_show_it_comes_from_our_pages() {
        use axum::http::{HeaderMap, HeaderValue};
        let ours = "https://valg.example.dk";
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut headers = HeaderMap::new();
            headers.insert("host", HeaderValue::from_static("valg.example.dk"));
            for (name, value) in pairs {
                headers.insert(*name, HeaderValue::from_static(value));
            }
            super::same_origin_request(&headers, ours)
        };
        assert!(with(&[("origin", "https://valg.example.dk")]));
        assert!(!with(&[("origin", "https://evil.example.com")]));
        // Origin decides even when the others say otherwise.
        assert!(!with(&[
            ("origin", "https://evil.example.com"),
            ("sec-fetch-site", "same-origin")
        ]));
        assert!(with(&[("sec-fetch-site", "same-origin")]));
        assert!(with(&[("sec-fetch-site", "none")]));
        assert!(!with(&[("sec-fetch-site", "cross-site")]));
        assert!(!with(&[("sec-fetch-site", "same-site")]));
        assert!(with(&[("referer", "https://valg.example.dk/profile")]));
        assert!(!with(&[("referer", "https://evil.example.com/x")]));
        assert!(!with(&[]), "nothing to go by: refused");
    }

    #[test]
    fn origins() {
        assert_eq!(
            super::origin_of("https://valg.example.dk/x/y"),
            "https://valg.example.dk"
        );
        assert_eq!(
            super::origin_of("http://localhost:3000"),
            "http://localhost:3000"
        );
    }
}
