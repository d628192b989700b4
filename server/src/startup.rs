//! Builds the HTTP application: Leptos pages and server functions, static
//! files, a health check, and the security layer around them.

use crate::config::Config;
use crate::secrets;
use crate::storage::sqlite::SqliteStorage;
use app::server::mail::Mailer;
use app::server::passkeys::PasskeyCeremonies;
use app::server::{ServerContext, Settings, Storage};
use app::{shell, App};
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
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
}

/// What the security layer needs to know.
#[derive(Debug)]
pub struct Security {
    /// `scheme://host[:port]` of the public URL.
    pub public_origin: String,
    /// Send the strict Content-Security-Policy (off under live reload).
    pub csp: bool,
}

pub fn settings(config: &Config) -> Settings {
    Settings {
        public_url: config.public_url.clone(),
        secure_cookies: config.secure_cookies,
        session_idle_secs: config.session_idle_minutes * 60,
        session_max_secs: config.session_max_hours * 3600,
        sign_in_link_secs: config.sign_in_link_minutes * 60,
        municipality_code: config.municipality_code.clone(),
        municipality_name: config.municipality_name.clone(),
    }
}

pub fn server_context(
    config: &Config,
    storage: Arc<dyn Storage>,
    mailer: Arc<dyn Mailer>,
    passkeys: Arc<dyn PasskeyCeremonies>,
) -> ServerContext {
    ServerContext {
        storage,
        mailer,
        passkeys,
        settings: Arc::new(settings(config)),
        hasher: secrets::hash,
        new_secret: secrets::new_secret,
        clock: secrets::unix_now,
    }
}

pub fn leptos_options(config: &Config) -> LeptosOptions {
    let env = if config.leptos_env.eq_ignore_ascii_case("dev") {
        Env::DEV
    } else {
        Env::PROD
    };
    LeptosOptions::builder()
        .output_name("valgvagt")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.bind)
        .env(env)
        .build()
}

/// The whole application as an axum router, around the services in `ctx`.
pub fn router(config: &Config, ctx: ServerContext) -> Router {
    let leptos_options = leptos_options(config);
    let security = Arc::new(Security {
        public_origin: origin_of(&config.public_url),
        csp: leptos_options.env == Env::PROD,
    });
    let state = AppState {
        leptos_options: leptos_options.clone(),
        ctx: ctx.clone(),
        security: security.clone(),
    };
    let routes = generate_route_list(App);
    let page_ctx = ctx.clone();
    let error_ctx = ctx.clone();
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .leptos_routes_with_context(&state, routes, move || provide_context(page_ctx.clone()), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(move || provide_context(error_ctx.clone()), shell))
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn_with_state(security, security_layer))
        .with_state(state)
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
    request: Request,
    next: Next,
) -> Response {
    let changes_state = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if changes_state {
        if let Some(origin) = request
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
        {
            let host = request
                .headers()
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let same_host = origin_of(origin)
                .split_once("://")
                .is_some_and(|(_, origin_host)| origin_host == host);
            if origin != security.public_origin && !same_host {
                tracing::warn!(origin, "refused a cross-origin request");
                return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
            }
        }
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
    if security.csp {
        // Leptos' hydration bootstrap is an inline module script, hence
        // 'unsafe-inline' for scripts; wasm needs 'wasm-unsafe-eval'.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; \
                 style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
                 frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
            ),
        );
    }
    response
}

/// A running server, for `serve` and for tests.
pub struct Running {
    pub addr: SocketAddr,
    pub handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Opens storage and serves on `listener` in the background.
pub async fn start(config: &Config, listener: TcpListener) -> anyhow::Result<Running> {
    let storage = SqliteStorage::open(&config.database).await?;
    crate::demo::seed_defaults(&storage).await?;
    let mailer = crate::mail::from_config(config)?;
    let passkeys = Arc::new(crate::passkeys::WebauthnCeremonies::new(
        &config.public_url,
        "Valgvagt",
    )?);
    let app = router(
        config,
        server_context(config, Arc::new(storage), mailer, passkeys),
    );
    let addr = listener.local_addr()?;
    // Connect info gives server functions the client's address (rate limits).
    let handle = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    Ok(Running { addr, handle })
}

#[cfg(test)]
mod tests {
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
