//! Server-only plumbing for server functions: the handles the `server` crate
//! provides through Leptos context, sessions, and the guards every server
//! function runs before it touches anything.

pub mod choices;
pub mod cpr;
pub mod mail;
pub mod passkeys;
pub mod sms;
pub mod storage;

use crate::domain::accounts::CurrentUser;
use crate::domain::AppError;
use leptos::prelude::*;
use std::future::Future;
use std::sync::Arc;
pub use storage::Storage;

pub const SESSION_COOKIE: &str = "vv_session";
pub const LANGUAGE_COOKIE: &str = "vv_lang";

/// Settings the server functions need; filled from the server's config.
#[derive(Debug, Clone)]
pub struct Settings {
    pub public_url: String,
    pub secure_cookies: bool,
    pub session_idle_secs: i64,
    pub session_max_secs: i64,
    /// How long an emailed sign-in link works.
    pub sign_in_link_secs: i64,
    pub municipality_code: String,
    pub municipality_name: String,
    /// The VAPID public key browsers subscribe with (base64url).
    pub vapid_public_key: String,
    /// An SMS gateway is configured.
    pub sms_available: bool,
    /// The Valg Central file's columns, in order.
    pub central_columns: Vec<crate::domain::exports::CentralColumn>,
    /// Digital Post (SF1601) is configured.
    pub digital_post_available: bool,
    /// Digital Post is the first channel for people without push who never
    /// chose their channels.
    pub digital_post_first: bool,
    /// Country calling codes SMS may go to ("+45").
    pub sms_countries: Vec<String>,
    /// Push endpoints on this machine over plain http are accepted (tests
    /// run their own push service).
    pub push_loopback_allowed: bool,
    /// The push services subscriptions may point at (domains and their
    /// subdomains); anything else is refused.
    pub push_services: Vec<String>,
    /// How volunteers reach the election office.
    pub office_phone: String,
    pub office_email: String,
    /// The version of the privacy text sign-ups consent to.
    pub privacy_version: String,
    /// How long personal data is kept.
    pub retention: crate::domain::retention::RetentionPolicy,
}

/// What the server provides to every request through Leptos context.
#[derive(Clone)]
pub struct ServerContext {
    pub storage: Arc<dyn Storage>,
    pub mailer: Arc<dyn mail::Mailer>,
    pub passkeys: Arc<dyn passkeys::PasskeyCeremonies>,
    /// The SMS gateway, when one is configured.
    pub sms: Option<Arc<dyn sms::TextMessages>>,
    /// The CPR register, where the municipality has an agreement for it.
    pub cpr: Option<Arc<dyn cpr::PersonRegister>>,
    pub settings: Arc<Settings>,
    /// Hashes secrets (session ids, sign-in tokens) before they reach storage.
    pub hasher: fn(&str) -> String,
    /// A fresh random secret (session ids), URL-safe.
    pub new_secret: fn() -> String,
    /// Current time in unix seconds; replaceable in tests.
    pub clock: fn() -> i64,
    /// Tells the outbox worker that a message is waiting.
    pub wake_outbox: Arc<dyn Fn() + Send + Sync>,
    /// Runs work after the answer has gone (see [`AfterAnswer`]).
    pub after_answer: Arc<dyn AfterAnswer>,
}

/// Work for after the answer, such as a sign-in mail or code.
pub type Job = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), AppError>> + Send>>;

/// Runs jobs once the request has been answered. A sign-in link or code
/// goes out this way: how long sending takes, and whether it fails, would
/// otherwise tell anyone asking which addresses and numbers have accounts.
/// A failure is logged (without the recipient), never answered.
pub trait AfterAnswer: Send + Sync {
    /// Starts `job`; `what` names it in the log.
    fn run(&self, what: &'static str, job: Job);
}

impl ServerContext {
    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Today's date in Denmark, where every election day is counted.
    pub fn today(&self) -> chrono::NaiveDate {
        crate::i18n::copenhagen_date(self.now())
    }
}

pub fn context() -> Result<ServerContext, AppError> {
    use_context::<ServerContext>().ok_or_else(|| {
        leptos::logging::error!("ServerContext missing from Leptos context");
        AppError::Server
    })
}

/// Runs a server function's body and, when it fails, answers with the HTTP
/// status that matches the error (401, 403, 404, 422, 409 or 500).
pub async fn guarded<T>(body: impl Future<Output = Result<T, AppError>>) -> Result<T, AppError> {
    let result = body.await;
    // A plain HTML form post (no wasm yet) is answered with a redirect back
    // carrying the error in the URL; a status here would break that redirect.
    let plain_form = use_context::<axum::http::request::Parts>().is_some_and(|parts| {
        parts
            .headers
            .get(axum::http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    });
    if let (Err(error), false) = (&result, plain_form) {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            let status = axum::http::StatusCode::from_u16(error.status())
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
            response.set_status(status);
        }
    }
    result
}

/// Reads a cookie from the current request.
pub fn request_cookie(name: &str) -> Option<String> {
    let parts = use_context::<axum::http::request::Parts>()?;
    cookie_in(&parts.headers, name)
}

/// A cookie's value in a request's headers (also for plain axum handlers).
pub fn cookie_in(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn append_cookie(cookie: String) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(value) = axum::http::HeaderValue::from_str(&cookie) {
            response.append_header(axum::http::header::SET_COOKIE, value);
        }
    }
}

/// Builds a Set-Cookie value with the flags every cookie of ours carries.
pub fn cookie(
    settings: &Settings,
    name: &str,
    value: &str,
    max_age_secs: i64,
    http_only: bool,
) -> String {
    let mut c = format!("{name}={value}; Path=/; SameSite=Lax; Max-Age={max_age_secs}");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if settings.secure_cookies {
        c.push_str("; Secure");
    }
    c
}

/// Who signed in, looked up at most once per request: a page asks for it
/// from its header, its badge and its data, each of which would otherwise
/// read the session again. The server puts a fresh one into every request's
/// extensions.
#[derive(Clone, Default)]
pub struct RequestUser(Arc<tokio::sync::OnceCell<Option<CurrentUser>>>);

impl RequestUser {
    /// What this request found, if it looked.
    pub fn found(&self) -> Option<Option<CurrentUser>> {
        self.0.get().cloned()
    }
}

/// The signed-in user of this request, if any.
pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    let memo = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<RequestUser>().cloned());
    match memo {
        Some(RequestUser(cell)) => cell.get_or_try_init(look_up_user).await.cloned(),
        None => look_up_user().await,
    }
}

async fn look_up_user() -> Result<Option<CurrentUser>, AppError> {
    let ctx = context()?;
    let Some(raw) = request_cookie(SESSION_COOKIE) else {
        return Ok(None);
    };
    let hash = (ctx.hasher)(&raw);
    ctx.storage
        .session_user(&hash, ctx.now(), ctx.settings.session_idle_secs)
        .await
}

/// Any signed-in user.
pub async fn require_user() -> Result<(ServerContext, CurrentUser), AppError> {
    let ctx = context()?;
    match current_user().await? {
        Some(user) => Ok((ctx, user)),
        None => Err(AppError::Unauthenticated),
    }
}

/// A user who signed in within the last minutes (a passkey or a link), for
/// changes that would let a borrowed session keep the account: a new email
/// address or a new passkey.
pub async fn require_fresh_sign_in() -> Result<(ServerContext, CurrentUser), AppError> {
    let (ctx, user) = require_user().await?;
    if user.signed_in_recently(ctx.now()) {
        Ok((ctx, user))
    } else {
        Err(AppError::refused("auth.sign_in_again"))
    }
}

/// Mails the owner of an account that something about it changed, with
/// whom to call if it was not them. Best effort: the change is made and
/// audited already, and a mail server being down must not undo it.
pub async fn tell_account_owner(ctx: &ServerContext, to: &str, subject: String, text: String) {
    let locale = crate::request_locale();
    let contact = crate::i18n::translate(locale, "mail.not_you")
        .replace("{phone}", &ctx.settings.office_phone)
        .replace("{email}", &ctx.settings.office_email);
    let escape = crate::auth::html_escape;
    let mail = mail::OutgoingMail {
        to: to.to_string(),
        subject,
        text: format!("{text}\n\n{contact}\n"),
        html: format!("<p>{}</p><p>{}</p>", escape(&text), escape(&contact)),
        message_id: None,
    };
    if let Err(error) = ctx.mailer.send(mail).await {
        leptos::logging::error!("a notice to an account's owner was not sent: {error}");
    }
}

/// A signed-in user who passes `check`; anyone else is refused.
pub async fn require_user_who(
    check: impl FnOnce(&CurrentUser) -> bool,
) -> Result<(ServerContext, CurrentUser), AppError> {
    let (ctx, user) = require_user().await?;
    if check(&user) {
        Ok((ctx, user))
    } else {
        Err(AppError::Forbidden)
    }
}

/// Someone who may change what belongs to the whole municipality.
pub async fn require_planner() -> Result<(ServerContext, CurrentUser), AppError> {
    require_user_who(CurrentUser::can_plan).await
}

/// A coordinator of any reach; each area touched is checked with [`allow`].
pub async fn require_area_planner() -> Result<(ServerContext, CurrentUser), AppError> {
    require_user_who(CurrentUser::can_plan_somewhere).await
}

/// Someone who may look at the set-up.
pub async fn require_plan_viewer() -> Result<(ServerContext, CurrentUser), AppError> {
    require_user_who(CurrentUser::can_view_plan).await
}

/// Refuses unless a scope check passed. Scope checks come before looking
/// anything up, so a refusal says nothing about whether the thing exists.
pub fn allow(permitted: bool) -> Result<(), AppError> {
    if permitted {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The client's address as the server worked it out (the TCP peer, or the
/// address a trusted reverse proxy forwarded); set by the server's
/// client-address layer on every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

/// The client's address, for rate limits and the audit log.
pub fn client_ip() -> String {
    use_context::<axum::http::request::Parts>()
        .and_then(|parts| {
            parts
                .extensions
                .get::<ClientAddr>()
                .map(|c| c.0.to_string())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// Writes a line to the audit log, with the client's address. A failure to
/// write is logged but does not undo what was done.
pub async fn audit(
    ctx: &ServerContext,
    actor: Option<&CurrentUser>,
    action: crate::domain::audit::AuditAction,
    subject: &str,
    detail: &str,
) {
    let entry = audit_entry(actor, action, subject, detail);
    if let Err(error) = ctx.storage.record_audit(&entry, ctx.now()).await {
        leptos::logging::error!("could not write the audit log: {error:?}");
    }
}

/// Like [`audit`], but once per actor, action and subject in `window_secs`.
pub async fn audit_once_in(
    ctx: &ServerContext,
    actor: Option<&CurrentUser>,
    action: crate::domain::audit::AuditAction,
    subject: &str,
    detail: &str,
    window_secs: i64,
) {
    let entry = audit_entry(actor, action, subject, detail);
    let now = ctx.now();
    if let Err(error) = ctx
        .storage
        .record_audit_since(&entry, now - window_secs, now)
        .await
    {
        leptos::logging::error!("could not write the audit log: {error:?}");
    }
}

/// An audit line for `actor`, from this request's client address.
pub fn audit_entry(
    actor: Option<&CurrentUser>,
    action: crate::domain::audit::AuditAction,
    subject: &str,
    detail: &str,
) -> crate::domain::audit::AuditEntry {
    crate::domain::audit::AuditEntry {
        actor_user_id: actor.map(|a| a.id),
        actor: actor.map(|a| a.email.clone()).unwrap_or_default(),
        action,
        subject: subject.to_string(),
        detail: detail.to_string(),
        ip: client_ip(),
    }
}

/// An administrator of the election office.
pub async fn require_administrator() -> Result<(ServerContext, CurrentUser), AppError> {
    require_user_who(|u| u.has(crate::domain::accounts::Role::Administrator)).await
}

/// Sends the browser on to `path` after a successful form post; works with
/// and without the wasm loaded.
pub fn redirect_to(path: &str) {
    leptos_axum::redirect(path);
}

/// Sends the browser back to the page the form was on, with `flags` in its
/// address (`?saved=1`): how a page learns what a form it posted did.
pub fn redirect_back(flags: &[(&str, &str)]) {
    let referer = use_context::<axum::http::request::Parts>().and_then(|parts| {
        parts
            .headers
            .get(axum::http::header::REFERER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    if let Some(address) = referer.and_then(|r| back_with(&r, flags)) {
        leptos_axum::redirect(&address);
    }
}

/// The path and query of `referer` with `flags` set. Only the path and
/// query are kept, so this never leads off the site; an earlier error
/// (`__err`) and earlier values of the flags are dropped.
fn back_with(referer: &str, flags: &[(&str, &str)]) -> Option<String> {
    let mut page = url::Url::parse(referer).ok()?;
    let kept: Vec<(String, String)> = page
        .query_pairs()
        .filter(|(k, _)| k != "__err" && !flags.iter().any(|(f, _)| f == k))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    page.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .extend_pairs(flags.iter().copied());
    Some(match page.query() {
        Some(q) if !q.is_empty() => format!("{}?{q}", page.path()),
        _ => page.path().to_string(),
    })
}

/// "https://valg.example.dk:8443/x" → "valg.example.dk".
pub fn host_of(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or("localhost")
        .split([':', '/'])
        .next()
        .unwrap_or("localhost")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::back_with;

    #[test]
    fn a_form_leads_back_to_its_page_with_what_it_did() {
        assert_eq!(
            back_with(
                "http://localhost:3000/stations/4/roster?election=2",
                &[("invited", "3"), ("left", "0")]
            )
            .as_deref(),
            Some("/stations/4/roster?election=2&invited=3&left=0")
        );
        // An earlier refusal and an earlier outcome go; another site's host never stays.
        assert_eq!(
            back_with(
                "https://evil.example/admin/users?__err=abc&invited=1&text=a",
                &[("invited", "1")]
            )
            .as_deref(),
            Some("/admin/users?text=a&invited=1")
        );
        assert_eq!(back_with("/relative", &[("saved", "1")]), None);
    }
}
