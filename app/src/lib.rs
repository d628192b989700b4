//! Valgvagt's pages, routes and server functions. Compiled twice: with
//! `ssr` into the server, and with `hydrate` into the browser's wasm.

#![recursion_limit = "256"]

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
pub mod cover;
pub mod elections;
pub mod group_messages;
pub mod home;
pub mod lists;
pub mod newcomers;
pub mod notifications;
pub mod open_shifts;
pub mod passkeys;
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

/// The volunteer's pages, which a phone gets without any wasm: rendered
/// whole on the server, with forms that post and a few kilobytes of script
/// (`public/page.js`: busy buttons, passkey sign-in). The whole Leptos
/// bundle is over a megabyte compressed; a first visit from an SMS link on
/// mobile data must stay under 150 KB (issue 13).
pub fn is_phone_page(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let mut parts = path.split('/').skip(1);
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (None, ..) => true,
        (
            Some(
                "signin" | "signin-code" | "my-shifts" | "open-shifts" | "privacy"
                | "accessibility" | "answered",
            ),
            None,
            ..,
        ) => true,
        (Some("profile"), None, ..) | (Some("profile"), Some("email"), Some(_), None) => true,
        (Some("signin" | "answer" | "cover"), Some(_), None, ..) => true,
        // Not the welcome page: it makes a passkey, which the wasm does.
        (Some("join"), Some(_), None | Some("new" | "check"), None) => true,
        _ => false,
    }
}

/// Whether the page being rendered is one of [`is_phone_page`].
#[cfg(feature = "ssr")]
fn rendering_phone_page() -> bool {
    use_context::<axum::http::request::Parts>().is_some_and(|parts| is_phone_page(parts.uri.path()))
}

#[cfg(not(feature = "ssr"))]
fn rendering_phone_page() -> bool {
    false
}

/// The Content-Security-Policy: scripts only from here, or inline with this
/// response's `nonce` (Leptos puts it on the hydration and streaming scripts
/// it writes into a page), so an injected `<script>` does not run.
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
    let wasm = !rendering_phone_page();
    if !wasm {
        // Nothing hydrates a page sent without wasm: its resources need not
        // be written into it a second time as data.
        if let Some(shared) = Owner::current_shared_context() {
            shared.set_is_hydrating(false);
        }
    }
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
                {wasm.then(|| view! {
                    <AutoReload options=options.clone()/>
                    <HydrationScripts options/>
                })}
                <leptos_meta::MetaTags/>
            </head>
            <body data-wasm=if wasm { "1" } else { "0" }>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(request_locale());
    // Effects run only in the browser, after hydration: mark the page
    // ready, so tests (and curious people) can tell it is live. Pages
    // without wasm are marked by page.js.
    Effect::new(|_| {
        if let Some(body) = leptos::prelude::document().body() {
            let _ = body.set_attribute("data-ready", "true");
        }
    });
    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Valgvagt".to_string() } else { format!("{page} · Valgvagt") }
        }/>
        // The volunteer's pages render whole on the server (`SsrMode::Async`)
        // so a phone without (or still loading) the wasm gets complete pages
        // and working forms; the planners' pages stream.
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=home::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/signin/:token") view=auth::SignInWithLinkPage ssr=SsrMode::Async/>
                    <Route path=path!("/signin") view=auth::SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/signin-code") view=auth::SignInCodePage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=passkeys::AccountPage/>
                    <Route path=path!("/admin/audit") view=audit::AuditPage/>
                    <Route path=path!("/admin/privacy") view=privacy::PrivacyAdminPage/>
                    <Route path=path!("/admin/retention") view=retention::RetentionPage/>
                    <Route path=path!("/admin/users") view=users::UsersPage/>
                    <Route path=path!("/messages") view=notifications::MessagesPage/>
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
                    <Route path=path!("/board") view=board::BoardPage/>
                    <Route path=path!("/lists") view=lists::ListsPage/>
                    <Route path=path!("/volunteers") view=register::RegisterPage/>
                    <Route path=path!("/volunteers/import") view=imports::ImportPage/>
                    <Route path=path!("/seats/:id/candidates") view=candidates::CandidatesPage/>
                    <Route path=path!("/cover/:id") view=cover::CoverPage ssr=SsrMode::Async/>
                    <Route path=path!("/answer/:token") view=answers::AnswerPage ssr=SsrMode::Async/>
                    <Route path=path!("/answered") view=answers::AnsweredPage ssr=SsrMode::Async/>
                    <Route path=path!("/elections") view=elections::ElectionsPage/>
                    <Route path=path!("/elections/new") view=elections::ElectionFormPage/>
                    <Route path=path!("/elections/:id") view=elections::ElectionFormPage/>
                    <Route path=path!("/elections/:id/copy") view=elections::CopyElectionPage/>
                    <Route path=path!("/elections/:id/seats") view=seats::ElectionSeatsPage/>
                    <Route path=path!("/elections/:id/seats/:station") view=seats::SeatPlanPage/>
                    <Route path=path!("/elections/:id/messages") view=templates::TemplatesPage/>
                    <Route path=path!("/election-types") view=elections::ElectionTypesPage/>
                    <Route path=path!("/election-types/new") view=elections::ElectionTypeFormPage/>
                    <Route path=path!("/election-types/:id") view=elections::ElectionTypeFormPage/>
                    <Route path=path!("/areas") view=stations::AreasPage/>
                    <Route path=path!("/areas/new") view=stations::AreaFormPage/>
                    <Route path=path!("/areas/:id") view=stations::AreaFormPage/>
                    <Route path=path!("/stations") view=stations::StationsPage/>
                    <Route path=path!("/stations/new") view=stations::StationFormPage/>
                    <Route path=path!("/stations/:id") view=stations::StationFormPage/>
                    <Route path=path!("/stations/:id/roster") view=rosters::RosterPage/>
                    <Route path=path!("/stations/:id/checkin") view=checkin::CheckinPage/>
                    <Route path=path!("/checkin/:code") view=checkin::CodePage/>
                    <Route path=path!("/stations/:id/attendance-sheet") view=checkin::AttendanceSheetPage ssr=SsrMode::Async/>
                    <Route path=path!("/my-stations") view=rosters::MyStationsPage/>
                    <Route path=path!("/my-teams") view=teams::MyTeamsPage/>
                    <Route path=path!("/volunteers/new") view=records::PersonFormPage/>
                    <Route path=path!("/volunteers/remove") view=removals::RemovalPage/>
                    <Route path=path!("/volunteers/:id/edit") view=records::PersonFormPage/>
                    <Route path=path!("/volunteers/:id/merge") view=records::MergePage/>
                    <Route path=path!("/volunteers/:id") view=volunteers::VolunteerPage ssr=SsrMode::Async/>
                    <Route path=path!("/task-types") view=tasks::TaskTypesPage/>
                    <Route path=path!("/task-types/new") view=tasks::TaskTypeFormPage/>
                    <Route path=path!("/task-types/:id") view=tasks::TaskTypeFormPage/>
                    <Route path=path!("/teams") view=teams::TeamsPage/>
                    <Route path=path!("/teams/new") view=teams::TeamFormPage/>
                    <Route path=path!("/teams/:id") view=teams::TeamFormPage/>
                    <Route path=path!("/teams/:id/members") view=teams::TeamMembersPage/>
                    <Route path=path!("/teams/:id/seats") view=team_seats::TeamSeatsPage/>
                    <Route path=path!("/diets") view=volunteers::DietsPage/>
                    <Route path=path!("/diets/new") view=volunteers::DietFormPage/>
                    <Route path=path!("/diets/:id") view=volunteers::DietFormPage/>
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
    leptos::mount::hydrate_body(App);
}

#[cfg(test)]
mod tests {
    use super::is_phone_page;

    #[test]
    fn the_volunteers_pages_come_without_wasm_and_the_office_pages_with_it() {
        for path in [
            "/",
            "/signin",
            "/signin/abc",
            "/signin-code",
            "/my-shifts",
            "/open-shifts",
            "/profile",
            "/profile/email/abc",
            "/join/abc",
            "/join/abc/",
            "/join/abc/new",
            "/join/abc/check",
            "/answer/abc",
            "/answered",
            "/cover/7",
            "/privacy",
            "/accessibility",
        ] {
            assert!(is_phone_page(path), "{path}");
        }
        for path in [
            "/board",
            "/account",
            "/join/abc/welcome",
            "/volunteers",
            "/stations/1/roster",
            "/stations/1/checkin",
            "/signin/a/b",
            "/profile/data.json",
        ] {
            assert!(!is_phone_page(path), "{path}");
        }
    }
}
