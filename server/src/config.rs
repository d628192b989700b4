//! Configuration: built-in defaults, then an optional file of `KEY=value`
//! lines (named by `VALGVAGT_CONFIG`), then environment variables — each
//! layer overriding the one before. Every key is documented in the README.

use anyhow::{anyhow, bail, Context};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the data lives: a SQLite file (the default), or a PostgreSQL
/// database several servers may share.
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl Database {
    /// `postgres://…` (or `postgresql://…`) names a PostgreSQL database;
    /// anything else is a SQLite file.
    pub fn parse(raw: &str) -> Self {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Database::Postgres(raw.to_string())
        } else {
            Database::Sqlite(PathBuf::from(raw))
        }
    }

    /// The SQLite file, if that is where the data lives.
    pub fn file(&self) -> Option<&std::path::Path> {
        match self {
            Database::Sqlite(path) => Some(path),
            Database::Postgres(_) => None,
        }
    }
}

/// Shown in logs and messages without a password.
impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => match url::Url::parse(url) {
                Ok(mut parsed) => {
                    if parsed.password().is_some() {
                        let _ = parsed.set_password(Some("***"));
                    }
                    write!(f, "{parsed}")
                }
                Err(_) => write!(f, "postgres://…"),
            },
        }
    }
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Where the data lives.
    pub database: Database,
    /// Address the HTTP server listens on.
    pub bind: SocketAddr,
    /// The address people use to reach the app; used in links and origin checks.
    pub public_url: String,
    /// Where the built site (wasm, css, assets) lives.
    pub site_root: PathBuf,
    /// Mark cookies `Secure` (default: when `public_url` is https).
    pub secure_cookies: bool,
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    /// How long a link printed by `valgvagt admin` works.
    pub admin_link_minutes: i64,
    /// The municipality's three-digit code (residence rule) and name.
    pub municipality_code: String,
    pub municipality_name: String,
    /// `DEV` enables cargo-leptos live reload; anything else is production.
    pub leptos_env: String,
    /// How long an emailed sign-in link works.
    pub sign_in_link_minutes: i64,
    /// Where mail goes (`smtp://`, `smtps://`); none means the log.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub mail_reply_to: Option<String>,
    /// The VAPID private key (raw P-256 scalar, base64url); none means one is
    /// made on first start and kept in the database.
    pub vapid_private_key: Option<String>,
    /// Contact for push services (`mailto:` or `https:`), sent in every VAPID token.
    pub vapid_subject: String,
    pub push_timeout_seconds: i64,
    /// An SMS gateway speaking GatewayAPI's REST protocol; none means no SMS.
    pub sms_url: Option<String>,
    pub sms_token: Option<String>,
    /// The sender name on SMS (at most 11 letters and digits).
    pub sms_sender: String,
    /// Country calling codes SMS may go to (`+45`).
    pub sms_countries: Vec<String>,
    /// CPR lookups through Serviceplatformen (SF1520); none: eligibility
    /// comes from each person's own declaration.
    pub cpr: Option<CprSettings>,
    /// The Valg Central file's columns.
    pub central_columns: Vec<app::domain::exports::CentralColumn>,
    /// Digital Post as a channel (SF1601); none: no Digital Post.
    pub digital_post: Option<DigitalPostSettings>,
    /// Run the outbox worker and the scheduled jobs in this process. Every
    /// server of a deployment may (the database shares the work out); off
    /// only in tests that drive delivery themselves.
    pub outbox_worker: bool,
    /// How long a message claimed by a worker stays with it before another
    /// worker may take it over (when the first has died). Longer than a
    /// delivery can take: the push and SMS timeouts, and a mail's sending.
    pub outbox_lease_seconds: i64,
    /// Accept push endpoints over plain http on this machine (tests).
    pub push_loopback: bool,
    /// Push services subscriptions may point at, by domain.
    pub push_services: Vec<String>,
    /// How volunteers reach the election office (shown on their shifts).
    pub office_phone: String,
    pub office_email: String,
    /// How long the first in a standby queue has to answer an offered seat.
    pub standby_offer_hours: i64,
    /// The version of the privacy text people consent to when they sign up;
    /// change it when the text changes.
    pub privacy_version: String,
    /// Reverse proxies whose `X-Forwarded-For`/`Forwarded` are believed.
    pub trusted_proxies: crate::client_addr::TrustedProxies,
    /// How long a client may take to send a request's headers, and then its
    /// body; slower ones are cut off (slowloris), the body with a 408.
    pub header_read_seconds: u64,
    pub body_read_seconds: u64,
    /// How often an open live stream (the gap board's) checks its session.
    pub stream_recheck_seconds: u64,
    /// How often the live pages' poller reads the seat versions. On
    /// PostgreSQL changes are heard at once (LISTEN/NOTIFY) and the poll is
    /// only the fallback.
    pub live_poll_ms: u64,
    /// How long personal data is kept (run nightly with the outbox worker).
    pub retention: app::domain::retention::RetentionPolicy,
}

/// The push services of the browsers people use: Chrome, Edge and Android
/// (FCM), Firefox, Windows, and Safari on iPhone and Mac.
pub const PUSH_SERVICES: &str = "fcm.googleapis.com,android.googleapis.com,push.services.mozilla.com,notify.windows.com,push.apple.com";

/// (key, default, what it is) — the README's table is written from this.
pub const KEYS: &[(&str, &str, &str)] = &[
    (
        "VALGVAGT_DATABASE",
        "./valgvagt.db",
        "SQLite database file (created if missing), or a PostgreSQL database as `postgres://user:password@host/name`",
    ),
    (
        "VALGVAGT_BIND",
        "127.0.0.1:3000",
        "address and port the server listens on",
    ),
    (
        "VALGVAGT_PUBLIC_URL",
        "http://localhost:3000",
        "address people open; used in sign-in links and the origin check",
    ),
    (
        "LEPTOS_SITE_ROOT",
        "target/site",
        "folder with the built site (pkg/, assets)",
    ),
    (
        "VALGVAGT_SECURE_COOKIES",
        "(true when the public URL is https)",
        "mark cookies Secure",
    ),
    (
        "VALGVAGT_SESSION_IDLE_MINUTES",
        "480",
        "a session ends after this long unused",
    ),
    (
        "VALGVAGT_SESSION_MAX_HOURS",
        "168",
        "a session ends this long after sign-in, used or not",
    ),
    (
        "VALGVAGT_ADMIN_LINK_MINUTES",
        "60",
        "how long a link printed by `valgvagt admin` works",
    ),
    (
        "VALGVAGT_MUNICIPALITY_CODE",
        "999",
        "three-digit municipality code (residence rule)",
    ),
    (
        "VALGVAGT_MUNICIPALITY_NAME",
        "Korsbæk Kommune",
        "the municipality's name",
    ),
    (
        "LEPTOS_ENV",
        "PROD",
        "DEV turns on cargo-leptos live reload",
    ),
    (
        "VALGVAGT_CONFIG",
        "(none)",
        "optional file of KEY=value lines, read before the environment",
    ),
    (
        "VALGVAGT_VAPID_PRIVATE_KEY",
        "(made on first start, kept in the database)",
        "web-push signing key: a raw P-256 private key, base64url",
    ),
    ("VALGVAGT_SIGNIN_LINK_MINUTES", "15", "how long an emailed sign-in link works"),
    (
        "VALGVAGT_SMTP_URL",
        "(none: mail is written to the server log at debug)",
        "SMTP server, e.g. smtp://user:pass@mail.example.dk:587?tls=required or smtps://…:465",
    ),
    ("VALGVAGT_MAIL_FROM", "Valgvagt <valgvagt@localhost>", "sender of every mail"),
    ("VALGVAGT_MAIL_REPLY_TO", "(none)", "reply-to address, e.g. the election office"),
    (
        "VALGVAGT_VAPID_SUBJECT",
        "mailto:<the address in VALGVAGT_MAIL_FROM>",
        "contact for push services, in every VAPID token",
    ),
    (
        "VALGVAGT_PUSH_TIMEOUT_SECONDS",
        "10",
        "how long one push delivery may take",
    ),
    (
        "VALGVAGT_SMS_URL",
        "(none: SMS unavailable)",
        "SMS gateway endpoint speaking GatewayAPI's REST protocol, e.g. https://gatewayapi.com/rest/mtsms",
    ),
    ("VALGVAGT_SMS_TOKEN", "(none)", "the SMS gateway's API token"),
    (
        "VALGVAGT_CPR_URL",
        "(none: eligibility from declarations)",
        "SF1520 PersonBaseDataExtended v5, e.g. https://prod.serviceplatformen.dk/service/CPR/PersonBaseDataExtended/5",
    ),
    ("VALGVAGT_CPR_CVR", "(none)", "the municipality's CVR number, sent with each CPR lookup"),
    (
        "VALGVAGT_CPR_CLIENT_CERT",
        "(none)",
        "PEM file with the system certificate and its key (the TLS client certificate)",
    ),
    (
        "VALGVAGT_CPR_SERVER_CA",
        "(system roots)",
        "PEM file with the CA the CPR service's certificate must chain to",
    ),
    ("VALGVAGT_CPR_TIMEOUT_SECONDS", "20", "how long one CPR lookup may take"),
    (
        "VALGVAGT_CPR_RECHECK_DAYS",
        "7",
        "everyone on a coming seat of an active election is looked up in CPR again this often (and on the day before the first day of work)",
    ),
    (
        "VALGVAGT_CPR_RECHECK_MINUTES",
        "10",
        "how often the re-check wakes; each time it looks up at most VALGVAGT_CPR_RECHECK_BATCH people",
    ),
    ("VALGVAGT_CPR_RECHECK_BATCH", "100", "CPR lookups per re-check wake-up (the rate limit)"),
    (
        "VALGVAGT_DIGITAL_POST_URL",
        "(none: no Digital Post)",
        "Serviceplatformen for SF1601 KombiPostAfsend and its access tokens, e.g. https://prod.serviceplatformen.dk",
    ),
    (
        "VALGVAGT_DIGITAL_POST_STS_URL",
        "(none)",
        "the security token service, e.g. https://n2adgangsstyring.stoettesystemerne.dk/runtime/api/rest/wstrust/v1/issue",
    ),
    (
        "VALGVAGT_DIGITAL_POST_CVR",
        "VALGVAGT_CPR_CVR",
        "the CVR number letters are sent on behalf of",
    ),
    (
        "VALGVAGT_DIGITAL_POST_SENDER",
        "VALGVAGT_MUNICIPALITY_NAME",
        "the sender citizens see on a letter",
    ),
    (
        "VALGVAGT_DIGITAL_POST_CLIENT_CERT",
        "VALGVAGT_CPR_CLIENT_CERT",
        "PEM file with the system certificate and its key, for all three steps",
    ),
    (
        "VALGVAGT_DIGITAL_POST_SERVER_CA",
        "VALGVAGT_CPR_SERVER_CA",
        "PEM file with the CA the services' certificates must chain to",
    ),
    ("VALGVAGT_DIGITAL_POST_TIMEOUT_SECONDS", "20", "how long one call to Digital Post may take"),
    (
        "VALGVAGT_VALG_CENTRAL_COLUMNS",
        "district,station,name,identity,task",
        "the columns of the Valg Central file, in order: district, station, name, identity (CPR number when asked for and on record, else birth date), birth_date, task, day, times, phone, email",
    ),
    (
        "VALGVAGT_DIGITAL_POST_FIRST",
        "false",
        "Digital Post is the first channel for people without push on a phone who never chose their channels",
    ),
    (
        "VALGVAGT_OFFICE_PHONE",
        "+4512345678",
        "the election office's phone, shown to volunteers (tap to call)",
    ),
    (
        "VALGVAGT_OFFICE_EMAIL",
        "valg@korsbaek.example",
        "the election office's email, shown to volunteers",
    ),
    (
        "VALGVAGT_STANDBY_OFFER_HOURS",
        "6",
        "how long the first in a standby queue has to answer an offered seat",
    ),
    (
        "VALGVAGT_PRIVACY_VERSION",
        "2026-1",
        "version of the privacy text volunteers consent to (stored with each consent)",
    ),
    (
        "VALGVAGT_PUSH_SERVICES",
        PUSH_SERVICES,
        "push services browsers may subscribe with (domains, comma-separated); others are refused",
    ),
    (
        "VALGVAGT_PUSH_LOOPBACK",
        "false",
        "accept push services on this machine over plain http (for tests)",
    ),
    (
        "VALGVAGT_OUTBOX_WORKER",
        "true",
        "deliver queued messages and run the scheduled jobs from this process (every server may: the database shares the work out)",
    ),
    (
        "VALGVAGT_OUTBOX_LEASE_SECONDS",
        "120",
        "how long a message a server is sending stays its own; after that (the server died) another server sends it. More than the push timeout",
    ),
    (
        "VALGVAGT_SMS_SENDER",
        "Valgvagt",
        "sender name on SMS (at most 11 letters and digits)",
    ),
    (
        "VALGVAGT_TRUSTED_PROXIES",
        "(none: the TCP peer is the client)",
        "reverse proxies (addresses or blocks like 10.0.0.0/8, comma-separated) whose X-Forwarded-For or Forwarded header names the client; set it to the TLS proxy's address, or every client looks like the proxy",
    ),
    (
        "VALGVAGT_SMS_COUNTRIES",
        "+45",
        "country calling codes SMS may go to (comma-separated, e.g. +45,+298,+299); other numbers get no SMS",
    ),
    (
        "VALGVAGT_HEADER_READ_SECONDS",
        "10",
        "how long a client may take to send a request's headers before the connection is closed",
    ),
    (
        "VALGVAGT_BODY_READ_SECONDS",
        "60",
        "how long a client may take to send a request's body (a 4 MB import on a slow line) before it is answered 408",
    ),
    (
        "VALGVAGT_STREAM_RECHECK_SECONDS",
        "60",
        "how often an open gap board's live stream checks that its session is still valid (it closes when not)",
    ),
    (
        "VALGVAGT_LIVE_POLL_MS",
        "200",
        "how often live pages (the gap board, check-in pages, my shifts) look for seat changes in the database; on PostgreSQL they hear changes at once (LISTEN/NOTIFY) and this is the fallback",
    ),
    (
        "VALGVAGT_RETAIN_SIGN_IN_DAYS",
        "1",
        "days expired sign-in links and codes, sessions, passkey ceremonies and rate-limit events are kept",
    ),
    (
        "VALGVAGT_RETAIN_ELECTION_DAYS",
        "90",
        "days after an election's last day that its seat history (declines, removals), standby queues, calls for cover and messages are kept; also how long messages outside any election are kept",
    ),
    (
        "VALGVAGT_RETAIN_CONTACT_VIEW_DAYS",
        "90",
        "days the audit log keeps who looked at whose contact data",
    ),
    (
        "VALGVAGT_RETAIN_AUDIT_MONTHS",
        "12",
        "months the rest of the audit log is kept",
    ),
    (
        "VALGVAGT_RETAIN_INACTIVE_YEARS",
        "4",
        "years after which a volunteer on no shift and not registered since is deleted (anonymised instead if paid within the bookkeeping period); staff accounts are kept",
    ),
    (
        "VALGVAGT_RETAIN_PAYROLL_YEARS",
        "5",
        "years a paid person is kept, anonymised, after their last paid shift (the bookkeeping act's five years)",
    ),
    ("RUST_LOG", "info", "log filter"),
];

/// Where Digital Post (SF1601) is and whom letters are from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitalPostSettings {
    /// Serviceplatformen's base address (access tokens and KombiPostAfsend).
    pub url: String,
    /// The security token service's issue endpoint.
    pub sts_url: String,
    pub sender_cvr: String,
    pub sender_label: String,
    pub client_cert: PathBuf,
    pub server_ca: Option<PathBuf>,
    pub timeout_seconds: u64,
    /// First channel for people without push who never chose.
    pub first: bool,
}

/// Where the CPR service is and what the municipality shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CprSettings {
    pub url: String,
    /// The municipality's CVR number, sent with every lookup.
    pub municipality_cvr: String,
    /// A PEM file with the system certificate and its private key.
    pub client_cert: PathBuf,
    /// A PEM file with the CA the service's certificate must chain to;
    /// none: the system's trusted roots.
    pub server_ca: Option<PathBuf>,
    /// How long one lookup may take.
    pub timeout_seconds: u64,
    /// Everyone on a coming seat is looked up again this often.
    pub recheck_days: i64,
    /// The re-check wakes this often and looks up at most `recheck_batch`
    /// people each time: the rate the service sees.
    pub recheck_minutes: u64,
    pub recheck_batch: i64,
}

impl Config {
    /// Reads the layers from the real environment.
    pub fn from_env() -> anyhow::Result<Self> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let file = match env.get("VALGVAGT_CONFIG") {
            Some(path) if !path.is_empty() => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading VALGVAGT_CONFIG file {path}"))?;
                parse_file(&text)?
            }
            _ => HashMap::new(),
        };
        Self::from_layers(&file, &env)
    }

    /// Builds a config from a file layer and an environment layer.
    pub fn from_layers(
        file: &HashMap<String, String>,
        env: &HashMap<String, String>,
    ) -> anyhow::Result<Self> {
        let get = |key: &str| -> Option<String> {
            env.get(key)
                .or_else(|| file.get(key))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let number = |key: &str, default: i64| -> anyhow::Result<i64> {
            match get(key) {
                None => Ok(default),
                Some(v) => match v.parse::<i64>() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(anyhow!("{key} must be a positive whole number, got {v:?}")),
                },
            }
        };
        let flag = |key: &str, default: bool| -> anyhow::Result<bool> {
            match get(key).as_deref() {
                None => Ok(default),
                Some("true" | "1" | "yes") => Ok(true),
                Some("false" | "0" | "no") => Ok(false),
                Some(other) => Err(anyhow!("{key} must be true or false, got {other:?}")),
            }
        };
        let public_url =
            get("VALGVAGT_PUBLIC_URL").unwrap_or_else(|| "http://localhost:3000".into());
        let public_url = public_url.trim_end_matches('/').to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(anyhow!(
                "VALGVAGT_PUBLIC_URL must start with http:// or https://, got {public_url:?}"
            ));
        }
        let secure_cookies = match get("VALGVAGT_SECURE_COOKIES").as_deref() {
            None => public_url.starts_with("https://"),
            Some("true" | "1" | "yes") => true,
            Some("false" | "0" | "no") => false,
            Some(other) => {
                return Err(anyhow!(
                    "VALGVAGT_SECURE_COOKIES must be true or false, got {other:?}"
                ))
            }
        };
        let bind_raw = get("VALGVAGT_BIND").unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind = bind_raw.parse().map_err(|_| {
            anyhow!("VALGVAGT_BIND must be an address like 127.0.0.1:3000, got {bind_raw:?}")
        })?;
        let municipality_code = get("VALGVAGT_MUNICIPALITY_CODE").unwrap_or_else(|| "999".into());
        app::domain::volunteers::parse_municipality_code(
            "VALGVAGT_MUNICIPALITY_CODE",
            &municipality_code,
        )
        .map_err(|_| {
            anyhow!("VALGVAGT_MUNICIPALITY_CODE must be three digits, got {municipality_code:?}")
        })?;
        let mail_from =
            get("VALGVAGT_MAIL_FROM").unwrap_or_else(|| "Valgvagt <valgvagt@localhost>".into());
        let from_address = mail_from
            .rsplit_once('<')
            .map(|(_, a)| a.trim_end_matches('>').to_string())
            .unwrap_or_else(|| mail_from.clone());
        let cpr = match get("VALGVAGT_CPR_URL") {
            None => None,
            Some(url) => {
                let needed = |key: &str, what: &str| {
                    get(key)
                        .ok_or_else(|| anyhow!("VALGVAGT_CPR_URL is set but {key} ({what}) is not"))
                };
                Some(CprSettings {
                    url,
                    municipality_cvr: needed("VALGVAGT_CPR_CVR", "the municipality's CVR number")?,
                    client_cert: needed("VALGVAGT_CPR_CLIENT_CERT", "the system certificate")?
                        .into(),
                    server_ca: get("VALGVAGT_CPR_SERVER_CA").map(PathBuf::from),
                    timeout_seconds: number("VALGVAGT_CPR_TIMEOUT_SECONDS", 20)? as u64,
                    recheck_days: number("VALGVAGT_CPR_RECHECK_DAYS", 7)?,
                    recheck_minutes: number("VALGVAGT_CPR_RECHECK_MINUTES", 10)? as u64,
                    recheck_batch: number("VALGVAGT_CPR_RECHECK_BATCH", 100)?,
                })
            }
        };
        let municipality_name =
            get("VALGVAGT_MUNICIPALITY_NAME").unwrap_or_else(|| "Korsbæk Kommune".into());
        let digital_post = match get("VALGVAGT_DIGITAL_POST_URL") {
            None => None,
            Some(url) => {
                // The system certificate and the CVR are usually those of
                // the CPR lookups; each may be set apart.
                let either = |own: &str, shared: &str, what: &str| {
                    get(own).or_else(|| get(shared)).ok_or_else(|| {
                        anyhow!("VALGVAGT_DIGITAL_POST_URL is set but neither {own} nor {shared} ({what}) is")
                    })
                };
                Some(DigitalPostSettings {
                    url: url.trim_end_matches('/').to_string(),
                    sts_url: get("VALGVAGT_DIGITAL_POST_STS_URL").ok_or_else(|| {
                        anyhow!("VALGVAGT_DIGITAL_POST_URL is set but VALGVAGT_DIGITAL_POST_STS_URL (the security token service) is not")
                    })?,
                    sender_cvr: either(
                        "VALGVAGT_DIGITAL_POST_CVR",
                        "VALGVAGT_CPR_CVR",
                        "the sender's CVR number",
                    )?,
                    sender_label: get("VALGVAGT_DIGITAL_POST_SENDER")
                        .unwrap_or_else(|| municipality_name.clone()),
                    client_cert: either(
                        "VALGVAGT_DIGITAL_POST_CLIENT_CERT",
                        "VALGVAGT_CPR_CLIENT_CERT",
                        "the system certificate",
                    )?
                    .into(),
                    server_ca: get("VALGVAGT_DIGITAL_POST_SERVER_CA")
                        .or_else(|| get("VALGVAGT_CPR_SERVER_CA"))
                        .map(PathBuf::from),
                    timeout_seconds: number("VALGVAGT_DIGITAL_POST_TIMEOUT_SECONDS", 20)?.max(1)
                        as u64,
                    first: flag("VALGVAGT_DIGITAL_POST_FIRST", false)?,
                })
            }
        };
        let sms_sender = get("VALGVAGT_SMS_SENDER").unwrap_or_else(|| "Valgvagt".into());
        if sms_sender.chars().count() > 11 || !sms_sender.chars().all(|c| c.is_ascii_alphanumeric())
        {
            return Err(anyhow!(
                "VALGVAGT_SMS_SENDER must be at most 11 letters and digits, got {sms_sender:?}"
            ));
        }
        let trusted_proxies = crate::client_addr::TrustedProxies::parse(
            &get("VALGVAGT_TRUSTED_PROXIES").unwrap_or_default(),
        )
        .map_err(|bad| {
            anyhow!("VALGVAGT_TRUSTED_PROXIES must list addresses or blocks like 10.0.0.0/8, got {bad:?}")
        })?;
        let sms_countries: Vec<String> = get("VALGVAGT_SMS_COUNTRIES")
            .unwrap_or_else(|| "+45".into())
            .split(',')
            .map(|code| code.trim().to_string())
            .filter(|code| !code.is_empty())
            .collect();
        if sms_countries.is_empty()
            || sms_countries.iter().any(|code| {
                code.len() < 2
                    || code.len() > 5
                    || !code.starts_with('+')
                    || !code[1..].bytes().all(|b| b.is_ascii_digit())
            })
        {
            return Err(anyhow!(
                "VALGVAGT_SMS_COUNTRIES must list calling codes like +45,+298, got {sms_countries:?}"
            ));
        }
        let push_timeout = number("VALGVAGT_PUSH_TIMEOUT_SECONDS", 10)?;
        let outbox_lease = number(
            "VALGVAGT_OUTBOX_LEASE_SECONDS",
            crate::notifications::LEASE_SECS,
        )?;
        if outbox_lease <= push_timeout {
            bail!(
                "VALGVAGT_OUTBOX_LEASE_SECONDS ({outbox_lease}) must be more than \
                 VALGVAGT_PUSH_TIMEOUT_SECONDS ({push_timeout}): a message still being \
                 sent would be sent again by another server"
            );
        }
        Ok(Config {
            sms_countries,
            trusted_proxies,
            database: Database::parse(
                &get("VALGVAGT_DATABASE").unwrap_or_else(|| "./valgvagt.db".into()),
            ),
            bind,
            public_url,
            // Absolute: Leptos reads the hash list relative to the binary's
            // folder unless its path is absolute, and then a relative root
            // (run.sh's `target/site`) would name files that do not exist.
            site_root: std::path::absolute(
                get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            )?,
            secure_cookies,
            session_idle_minutes: number("VALGVAGT_SESSION_IDLE_MINUTES", 480)?,
            session_max_hours: number("VALGVAGT_SESSION_MAX_HOURS", 168)?,
            admin_link_minutes: number("VALGVAGT_ADMIN_LINK_MINUTES", 60)?,
            municipality_code,
            municipality_name,
            leptos_env: get("LEPTOS_ENV").unwrap_or_else(|| "PROD".into()),
            sign_in_link_minutes: number("VALGVAGT_SIGNIN_LINK_MINUTES", 15)?,
            smtp_url: get("VALGVAGT_SMTP_URL"),
            mail_from,
            mail_reply_to: get("VALGVAGT_MAIL_REPLY_TO"),
            vapid_private_key: get("VALGVAGT_VAPID_PRIVATE_KEY"),
            vapid_subject: get("VALGVAGT_VAPID_SUBJECT")
                .unwrap_or_else(|| format!("mailto:{from_address}")),
            push_timeout_seconds: push_timeout,
            sms_url: get("VALGVAGT_SMS_URL"),
            sms_token: get("VALGVAGT_SMS_TOKEN"),
            sms_sender,
            cpr,
            central_columns: app::domain::exports::CentralColumn::parse_list(
                &get("VALGVAGT_VALG_CENTRAL_COLUMNS")
                    .unwrap_or_else(|| app::domain::exports::CentralColumn::DEFAULT.into()),
            )
            .map_err(|e| anyhow!("VALGVAGT_VALG_CENTRAL_COLUMNS: {e}"))?,
            digital_post,
            outbox_worker: flag("VALGVAGT_OUTBOX_WORKER", true)?,
            outbox_lease_seconds: outbox_lease,
            push_loopback: flag("VALGVAGT_PUSH_LOOPBACK", false)?,
            push_services: get("VALGVAGT_PUSH_SERVICES")
                .unwrap_or_else(|| PUSH_SERVICES.into())
                .split(',')
                .map(|d| d.trim().to_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
            office_phone: get("VALGVAGT_OFFICE_PHONE").unwrap_or_else(|| "+4512345678".into()),
            office_email: get("VALGVAGT_OFFICE_EMAIL")
                .unwrap_or_else(|| "valg@korsbaek.example".into()),
            standby_offer_hours: number("VALGVAGT_STANDBY_OFFER_HOURS", 6)?,
            header_read_seconds: number("VALGVAGT_HEADER_READ_SECONDS", 10)?.max(1) as u64,
            body_read_seconds: number("VALGVAGT_BODY_READ_SECONDS", 60)?.max(1) as u64,
            stream_recheck_seconds: number("VALGVAGT_STREAM_RECHECK_SECONDS", 60)?.max(1) as u64,
            live_poll_ms: number("VALGVAGT_LIVE_POLL_MS", 200)?.max(10) as u64,
            retention: app::domain::retention::RetentionPolicy {
                sign_in_days: number("VALGVAGT_RETAIN_SIGN_IN_DAYS", 1)?,
                election_days: number("VALGVAGT_RETAIN_ELECTION_DAYS", 90)?,
                contact_view_days: number("VALGVAGT_RETAIN_CONTACT_VIEW_DAYS", 90)?,
                audit_months: number("VALGVAGT_RETAIN_AUDIT_MONTHS", 12)?.min(1200) as u32,
                inactive_years: number("VALGVAGT_RETAIN_INACTIVE_YEARS", 4)?.min(100) as u32,
                payroll_years: number("VALGVAGT_RETAIN_PAYROLL_YEARS", 5)?.min(100) as u32,
            },
            privacy_version: get("VALGVAGT_PRIVACY_VERSION").unwrap_or_else(|| "2026-1".into()),
        })
    }
}

/// Parses `KEY=value` lines; blank lines and `#` comments are skipped.
pub fn parse_file(text: &str) -> anyhow::Result<HashMap<String, String>> {
    let mut map = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| anyhow!("config file line {}: expected KEY=value", n + 1))?;
        let value = value.trim().trim_matches('"');
        map.insert(key.trim().to_string(), value.to_string());
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn an_outbox_lease_shorter_than_a_push_is_refused() {
        let short = map(&[
            ("VALGVAGT_OUTBOX_LEASE_SECONDS", "10"),
            ("VALGVAGT_PUSH_TIMEOUT_SECONDS", "10"),
        ]);
        let error = Config::from_layers(&HashMap::new(), &short).unwrap_err();
        assert!(error.to_string().contains("VALGVAGT_OUTBOX_LEASE_SECONDS"));
        let fine = map(&[("VALGVAGT_OUTBOX_LEASE_SECONDS", "11")]);
        let config = Config::from_layers(&HashMap::new(), &fine).unwrap();
        assert_eq!(config.outbox_lease_seconds, 11);
    }

    #[test]
    fn cpr_lookups_need_the_municipality_and_its_certificate() {
        let c = Config::from_layers(&HashMap::new(), &HashMap::new()).unwrap();
        assert_eq!(c.cpr, None);
        let url = (
            "VALGVAGT_CPR_URL",
            "https://cpr.example/service/CPR/PersonBaseDataExtended/5",
        );
        let error = Config::from_layers(&HashMap::new(), &map(&[url])).unwrap_err();
        assert!(error.to_string().contains("VALGVAGT_CPR_CVR"), "{error}");
        let error = Config::from_layers(
            &HashMap::new(),
            &map(&[url, ("VALGVAGT_CPR_CVR", "29189846")]),
        )
        .unwrap_err();
        assert!(
            error.to_string().contains("VALGVAGT_CPR_CLIENT_CERT"),
            "{error}"
        );
        let env = map(&[
            url,
            ("VALGVAGT_CPR_CVR", "29189846"),
            ("VALGVAGT_CPR_CLIENT_CERT", "/etc/valgvagt/system.pem"),
        ]);
        let cpr = Config::from_layers(&HashMap::new(), &env)
            .unwrap()
            .cpr
            .unwrap();
        assert_eq!(cpr.client_cert, PathBuf::from("/etc/valgvagt/system.pem"));
        assert_eq!(cpr.server_ca, None);
    }

    #[test]
    fn digital_post_shares_the_cpr_certificate_and_cvr_unless_given_its_own() {
        let url = (
            "VALGVAGT_DIGITAL_POST_URL",
            "https://prod.serviceplatformen.dk/",
        );
        let sts = (
            "VALGVAGT_DIGITAL_POST_STS_URL",
            "https://n2adgangsstyring.stoettesystemerne.dk/runtime/api/rest/wstrust/v1/issue",
        );
        let error = Config::from_layers(&HashMap::new(), &map(&[url])).unwrap_err();
        assert!(error.to_string().contains("STS_URL"), "{error}");
        let error = Config::from_layers(&HashMap::new(), &map(&[url, sts])).unwrap_err();
        assert!(error.to_string().contains("VALGVAGT_CPR_CVR"), "{error}");
        let shared = map(&[
            url,
            sts,
            ("VALGVAGT_CPR_CVR", "29189846"),
            ("VALGVAGT_CPR_CLIENT_CERT", "/etc/valgvagt/system.pem"),
        ]);
        let dp = Config::from_layers(&HashMap::new(), &shared)
            .unwrap()
            .digital_post
            .unwrap();
        assert_eq!(dp.url, "https://prod.serviceplatformen.dk");
        assert_eq!(
            (dp.sender_cvr.as_str(), dp.sender_label.as_str()),
            ("29189846", "Korsbæk Kommune")
        );
        assert_eq!(dp.client_cert, PathBuf::from("/etc/valgvagt/system.pem"));
        assert!(!dp.first);
        let mut own = shared.clone();
        own.insert("VALGVAGT_DIGITAL_POST_CVR".into(), "11223344".into());
        own.insert("VALGVAGT_DIGITAL_POST_FIRST".into(), "true".into());
        let dp = Config::from_layers(&HashMap::new(), &own)
            .unwrap()
            .digital_post
            .unwrap();
        assert_eq!(dp.sender_cvr, "11223344");
        assert!(dp.first);
    }

    #[test]
    fn the_valg_central_columns_are_checked_at_start() {
        use app::domain::exports::CentralColumn;
        let c = Config::from_layers(&HashMap::new(), &HashMap::new()).unwrap();
        assert_eq!(c.central_columns.len(), 5);
        let env = map(&[(
            "VALGVAGT_VALG_CENTRAL_COLUMNS",
            "district, name, birth_date",
        )]);
        let c = Config::from_layers(&HashMap::new(), &env).unwrap();
        assert_eq!(
            c.central_columns,
            vec![
                CentralColumn::District,
                CentralColumn::Name,
                CentralColumn::BirthDate
            ]
        );
        let env = map(&[("VALGVAGT_VALG_CENTRAL_COLUMNS", "name,cpr_nummer")]);
        let error = Config::from_layers(&HashMap::new(), &env).unwrap_err();
        assert!(error.to_string().contains("cpr_nummer"), "{error}");
    }

    #[test]
    fn defaults() {
        let c = Config::from_layers(&HashMap::new(), &HashMap::new()).unwrap();
        assert_eq!(c.database, Database::Sqlite(PathBuf::from("./valgvagt.db")));
        assert_eq!(c.bind.port(), 3000);
        assert!(!c.secure_cookies);
        assert_eq!(c.session_idle_minutes, 480);
    }

    #[test]
    fn a_relative_site_root_is_made_absolute() {
        let env = map(&[("LEPTOS_SITE_ROOT", "target/site")]);
        let c = Config::from_layers(&HashMap::new(), &env).unwrap();
        assert!(c.site_root.is_absolute(), "{}", c.site_root.display());
        assert!(c.site_root.ends_with("target/site"));
    }

    #[test]
    fn environment_overrides_file() {
        let file =
            parse_file("# comment\nVALGVAGT_BIND=0.0.0.0:8080\nVALGVAGT_DATABASE=\"/data/v.db\"\n")
                .unwrap();
        let env = map(&[("VALGVAGT_BIND", "127.0.0.1:9000")]);
        let c = Config::from_layers(&file, &env).unwrap();
        assert_eq!(c.bind.port(), 9000);
        assert_eq!(c.database, Database::Sqlite(PathBuf::from("/data/v.db")));
    }

    #[test]
    fn a_postgres_url_names_a_database_and_its_password_stays_out_of_logs() {
        let url = "postgres://valgvagt:hemmelig@db.example.dk:5432/valgvagt";
        let database = Database::parse(url);
        assert_eq!(database, Database::Postgres(url.into()));
        assert_eq!(database.file(), None);
        let shown = format!("{database} {database:?}");
        assert!(!shown.contains("hemmelig"), "{shown}");
        assert!(shown.contains("db.example.dk"), "{shown}");
    }

    #[test]
    fn push_services_default_to_the_browsers_and_can_be_set() {
        let c = Config::from_layers(&HashMap::new(), &HashMap::new()).unwrap();
        assert!(c.push_services.contains(&"fcm.googleapis.com".to_string()));
        assert!(c.push_services.contains(&"push.apple.com".to_string()));
        let c = Config::from_layers(
            &HashMap::new(),
            &map(&[("VALGVAGT_PUSH_SERVICES", " Push.Example.DK , ")]),
        )
        .unwrap();
        assert_eq!(c.push_services, vec!["push.example.dk".to_string()]);
    }

    #[test]
    fn https_means_secure_cookies() {
        let c = Config::from_layers(
            &HashMap::new(),
            &map(&[("VALGVAGT_PUBLIC_URL", "https://valg.example.dk/")]),
        )
        .unwrap();
        assert!(c.secure_cookies);
        assert_eq!(c.public_url, "https://valg.example.dk");
    }

    #[test]
    fn bad_values_are_named() {
        let err = Config::from_layers(
            &HashMap::new(),
            &map(&[("VALGVAGT_SESSION_IDLE_MINUTES", "-3")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("VALGVAGT_SESSION_IDLE_MINUTES"));
        let err = Config::from_layers(&HashMap::new(), &map(&[("VALGVAGT_BIND", "nowhere")]))
            .unwrap_err();
        assert!(err.to_string().contains("VALGVAGT_BIND"));
        assert!(parse_file("no equals sign").is_err());
    }
}
