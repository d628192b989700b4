//! Valgvagt's pages, routes and server functions. Compiled twice: with
//! `ssr` into the server, and with `hydrate` into the browser's wasm.

#![recursion_limit = "256"]

pub mod browser;
pub mod components;
pub mod domain;
pub mod i18n;
pub mod imports;
#[cfg(feature = "ssr")]
pub mod server;

pub mod accessibility;
pub mod answers;
pub mod audit;
pub mod auth;
pub mod board;
pub mod candidates;
pub mod checkin;
pub mod civil_register;
pub mod cover;
pub mod elections;
pub mod group_messages;
pub mod home;
pub mod lists;
pub mod newcomers;
pub mod notifications;
pub mod open_shifts;
pub mod passkeys;
pub mod payroll;
pub mod privacy;
pub mod profile;
pub mod records;
pub mod register;
pub mod removals;
pub mod retention;
pub mod rosters;
pub mod scanner;
pub mod seats;
pub mod shifts;
pub mod signup;
pub mod stations;
pub mod tasks;
pub mod team_seats;
pub mod teams;
pub mod templates;
pub mod users;
pub mod volunteers;

use components::Layout;
use i18n::{t, Locale};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// The locale of the request being rendered (server side): the visitor's
/// choice from the cookie, else Danish. The browser's Accept-Language is not
/// used: most Danish phones and municipal PCs send English, and the
/// municipality's language comes first.
#[cfg(feature = "ssr")]
pub fn request_locale() -> Locale {
    server::request_cookie(server::LANGUAGE_COOKIE)
        .and_then(|c| Locale::parse(&c))
        .unwrap_or_default()
}

/// The locale the server rendered, read back from `<html lang>` (browser side).
#[cfg(not(feature = "ssr"))]
pub fn request_locale() -> Locale {
    leptos::prelude::document()
        .document_element()
        .and_then(|e| e.get_attribute("lang"))
        .and_then(|l| Locale::parse(&l))
        .unwrap_or_default()
}

/// Where the islands' wasm and its JavaScript glue are (`/pkg/…`, with the
/// content hash in their names in a release build). `page.js` loads them
/// only on a page that has islands.
#[cfg(feature = "ssr")]
fn island_files(options: &LeptosOptions) -> (String, String) {
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};
    // Read once per hash list (a test process runs several servers).
    static KNOWN: LazyLock<Mutex<HashMap<String, (String, String)>>> =
        LazyLock::new(Default::default);
    let pkg = &options.site_pkg_dir;
    let name = options.output_name.to_string();
    if !options.hash_files {
        return (format!("/{pkg}/{name}.js"), format!("/{pkg}/{name}.wasm"));
    }
    let path = options.hash_file.to_string();
    let mut known = KNOWN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    known
        .entry(path)
        .or_insert_with_key(|path| {
            let (mut js, mut wasm) = (name.clone(), name.clone());
            let hashes = std::fs::read_to_string(path).unwrap_or_default();
            for (file, hash) in hashes.lines().filter_map(|l| l.split_once(':')) {
                match file.trim() {
                    "js" => js = format!("{js}.{}", hash.trim()),
                    "wasm" => wasm = format!("{wasm}.{}", hash.trim()),
                    _ => {}
                }
            }
            (format!("/{pkg}/{js}.js"), format!("/{pkg}/{wasm}.wasm"))
        })
        .clone()
}

#[cfg(not(feature = "ssr"))]
fn island_files(_options: &LeptosOptions) -> (String, String) {
    Default::default()
}

/// The Content-Security-Policy: scripts only from here, or inline with this
/// response's `nonce` (Leptos writes a few lines of its own into every
/// page), so an injected `<script>` does not run.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let inline = nonce.map(|n| format!(" 'nonce-{n}'")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'{inline} 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )
}

/// Sends the page's CSP with this response's nonce (the security layer
/// leaves a CSP it finds alone, and gives other responses one without).
#[cfg(feature = "ssr")]
fn send_content_security_policy(options: &LeptosOptions) {
    use axum::http::{header, HeaderValue};
    if options.env == leptos::config::Env::DEV {
        return; // live reload injects its own inline script
    }
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(policy) = HeaderValue::from_str(&content_security_policy(Some(&nonce))) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, policy);
    }
}

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    send_content_security_policy(&options);
    let locale = request_locale();
    // Nothing hydrates but islands (which switch it on for themselves): the
    // page's resources need not be written into it a second time as data.
    if let Some(shared) = Owner::current_shared_context() {
        shared.set_is_hydrating(false);
    }
    let (islands_js, islands_wasm) = island_files(&options);
    view! {
        <!DOCTYPE html>
        <html lang=locale.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover"/>
                <meta name="theme-color" content="#1b4f8a"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png"/>
                <meta name="mobile-web-app-capable" content="yes"/>
                <meta name="apple-mobile-web-app-capable" content="yes"/>
                <meta name="apple-mobile-web-app-title" content="Valgvagt"/>
                <meta name="apple-mobile-web-app-status-bar-style" content="default"/>
                <leptos_meta::HashedStylesheet options=options.clone() id="leptos"/>
                <script src="/page.js" defer></script>
                <AutoReload options/>
                <leptos_meta::MetaTags/>
            </head>
            <body data-islands-js=islands_js data-islands-wasm=islands_wasm>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(request_locale());
    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Valgvagt".to_string() } else { format!("{page} · Valgvagt") }
        }/>
        // Every page is rendered whole on the server (`SsrMode::Async`):
        // complete pages with working forms before (and without) any wasm,
        // the right status for a page that is not found, and a page an
        // page.js can fetch again to swap in a fresh part (the live board).
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=home::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/signin/:token") view=auth::SignInWithLinkPage ssr=SsrMode::Async/>
                    <Route path=path!("/signin") view=auth::SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/signin-code") view=auth::SignInCodePage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=passkeys::AccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/audit") view=audit::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/privacy") view=privacy::PrivacyAdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/retention") view=retention::RetentionPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/users") view=users::UsersPage ssr=SsrMode::Async/>
                    <Route path=path!("/messages") view=notifications::MessagesPage ssr=SsrMode::Async/>
                    <Route path=path!("/my-shifts") view=shifts::MyShiftsPage ssr=SsrMode::Async/>
                    <Route path=path!("/open-shifts") view=open_shifts::OpenShiftsPage ssr=SsrMode::Async/>
                    <Route path=path!("/profile") view=profile::ProfilePage ssr=SsrMode::Async/>
                    <Route path=path!("/join/:token") view=signup::JoinPage ssr=SsrMode::Async/>
                    <Route path=path!("/join/:token/new") view=newcomers::RegisterPage ssr=SsrMode::Async/>
                    <Route path=path!("/join/:token/welcome") view=newcomers::WelcomePage ssr=SsrMode::Async/>
                    <Route path=path!("/join/:token/check") view=newcomers::CheckMailPage ssr=SsrMode::Async/>
                    <Route path=path!("/privacy") view=privacy::PrivacyPage ssr=SsrMode::Async/>
                    <Route path=path!("/accessibility") view=accessibility::AccessibilityPage ssr=SsrMode::Async/>
                    <Route path=path!("/profile/email/:token") view=profile::ConfirmEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("/board") view=board::BoardPage ssr=SsrMode::Async/>
                    <Route path=path!("/lists") view=lists::ListsPage ssr=SsrMode::Async/>
                    <Route path=path!("/lists/message") view=group_messages::GroupMessagePage ssr=SsrMode::Async/>
                    <Route path=path!("/volunteers") view=register::RegisterPage ssr=SsrMode::Async/>
                    <Route path=path!("/volunteers/import") view=imports::ImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/seats/:id/candidates") view=candidates::CandidatesPage ssr=SsrMode::Async/>
                    <Route path=path!("/cover/:id") view=cover::CoverPage ssr=SsrMode::Async/>
                    <Route path=path!("/answer/:token") view=answers::AnswerPage ssr=SsrMode::Async/>
                    <Route path=path!("/answered") view=answers::AnsweredPage ssr=SsrMode::Async/>
                    <Route path=path!("/elections") view=elections::ElectionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/elections/new") view=elections::ElectionFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/elections/:id") view=elections::ElectionFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/elections/:id/copy") view=elections::CopyElectionPage ssr=SsrMode::Async/>
                    <Route path=path!("/elections/:id/seats") view=seats::ElectionSeatsPage ssr=SsrMode::Async/>
                    <Route path=path!("/elections/:id/seats/:station") view=seats::SeatPlanPage ssr=SsrMode::Async/>
                    <Route path=path!("/elections/:id/messages") view=templates::TemplatesPage ssr=SsrMode::Async/>
                    <Route path=path!("/election-types") view=elections::ElectionTypesPage ssr=SsrMode::Async/>
                    <Route path=path!("/election-types/new") view=elections::ElectionTypeFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/election-types/:id") view=elections::ElectionTypeFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/areas") view=stations::AreasPage ssr=SsrMode::Async/>
                    <Route path=path!("/areas/new") view=stations::AreaFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/areas/:id") view=stations::AreaFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/stations") view=stations::StationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/stations/new") view=stations::StationFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/stations/:id") view=stations::StationFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/stations/:id/roster") view=rosters::RosterPage ssr=SsrMode::Async/>
                    <Route path=path!("/stations/:id/checkin") view=checkin::CheckinPage ssr=SsrMode::Async/>
                    <Route path=path!("/stations/:id/scan") view=checkin::ScanPage ssr=SsrMode::Async/>
                    <Route path=path!("/checkin/:code") view=checkin::CodePage ssr=SsrMode::Async/>
                    <Route path=path!("/stations/:id/attendance-sheet") view=checkin::AttendanceSheetPage ssr=SsrMode::Async/>
                    <Route path=path!("/my-stations") view=rosters::MyStationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/my-teams") view=teams::MyTeamsPage ssr=SsrMode::Async/>
                    <Route path=path!("/volunteers/new") view=records::PersonFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/volunteers/remove") view=removals::RemovalPage ssr=SsrMode::Async/>
                    <Route path=path!("/volunteers/:id/edit") view=records::PersonFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/volunteers/:id/merge") view=records::MergePage ssr=SsrMode::Async/>
                    <Route path=path!("/volunteers/:id/cpr") view=civil_register::CprPage ssr=SsrMode::Async/>
                    <Route path=path!("/volunteers/:id") view=volunteers::VolunteerPage ssr=SsrMode::Async/>
                    <Route path=path!("/task-types") view=tasks::TaskTypesPage ssr=SsrMode::Async/>
                    <Route path=path!("/task-types/new") view=tasks::TaskTypeFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/task-types/:id") view=tasks::TaskTypeFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/teams") view=teams::TeamsPage ssr=SsrMode::Async/>
                    <Route path=path!("/teams/new") view=teams::TeamFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/teams/:id") view=teams::TeamFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/teams/:id/members") view=teams::TeamMembersPage ssr=SsrMode::Async/>
                    <Route path=path!("/teams/:id/seats") view=team_seats::TeamSeatsPage ssr=SsrMode::Async/>
                    <Route path=path!("/diets") view=volunteers::DietsPage ssr=SsrMode::Async/>
                    <Route path=path!("/diets/new") view=volunteers::DietFormPage ssr=SsrMode::Async/>
                    <Route path=path!("/diets/:id") view=volunteers::DietFormPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t("error.not_found")/>
        <h1>{t("error.not_found")}</h1>
        <p><a href="/">{t("nav.home")}</a></p>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Only the islands (see `browser`) come to life; the rest of the page
    // is the server's HTML as it is.
    leptos::mount::hydrate_islands();
}
