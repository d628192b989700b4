//! Building blocks shared by the pages: the layout, form fields, and the
//! rendering of loading states and errors.

use crate::auth::{SetLanguage, SignOut};
use crate::domain::accounts::CurrentUser;
use crate::domain::AppError;
use crate::i18n::{t, translate, use_locale};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_location;
use serde::{de::DeserializeOwned, Serialize};

/// The signed-in user, loaded once per page load and shared by all pages.
#[derive(Clone, Copy)]
pub struct UserResource(pub Resource<Result<Option<CurrentUser>, AppError>>);

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let user = Resource::new(|| (), |_| crate::auth::who_am_i());
    provide_context(UserResource(user));
    let locale = use_locale();
    view! {
        <a class="skip-link" href="#main">{t("nav.skip")}</a>
        <header class="app-header">
            <a class="brand" href="/">"Valgvagt"</a>
            <Transition fallback=|| ()>
                {move || {
                    user.get()
                        .and_then(|r| r.ok())
                        .flatten()
                        .map(|u| view! { <MainNav user=u/> })
                }}
            </Transition>
            <form class="lang-switch" method="post" action=SetLanguage::url()>
                <input type="hidden" name="lang" value=locale.other().code()/>
                <button type="submit" lang=locale.other().code()>
                    {translate(locale.other(), "nav.language_name")}
                </button>
            </form>
        </header>
        <main id="main" class="page" tabindex="-1">
            <UrlError/>
            {children()}
        </main>
        <footer class="app-footer">
            <p>
                {t("footer.text")} " · " <a href="/privacy">{t("privacy.title")}</a>
                " · " <a href="/accessibility">{t("accessibility.title")}</a>
            </p>
        </footer>
    }
}

/// Invitations the signed-in volunteer has not answered (the badge on
/// *Mine vagter*); 0 for everyone else. Read with the session, so the badge
/// costs no statement of its own.
#[server(endpoint = "shifts/waiting")]
pub async fn waiting_invitations() -> Result<i64, AppError> {
    crate::server::guarded(async move {
        Ok(crate::server::current_user()
            .await?
            .map_or(0, |u| u.waiting_invitations))
    })
    .await
}

/// `aria-current="page"` on the link to where the reader is.
fn nav_link(href: &'static str, key: &'static str) -> AnyView {
    nav_link_with(href, key, ())
}

/// A menu link with something after its text (a badge).
fn nav_link_with(href: &'static str, key: &'static str, extra: impl IntoView + 'static) -> AnyView {
    let location = use_location();
    let current = move || {
        let path = location.pathname.get();
        let here = if href == "/" {
            path == "/"
        } else {
            path.starts_with(href)
        };
        here.then_some("page")
    };
    view! { <li><a href=href aria-current=current>{t(key)}{extra}</a></li> }.into_any()
}

/// The office's pages in the groups people look for them under, only
/// those the reader's roles may open.
#[component]
fn MainNav(user: CurrentUser) -> impl IntoView {
    let planner = user.can_view_plan();
    let administrator = user.has(crate::domain::accounts::Role::Administrator);
    let station_manager = user.has(crate::domain::accounts::Role::StationManager);
    let team_leader = user.has(crate::domain::accounts::Role::TeamLeader);
    let volunteer = user.volunteer_id.is_some();
    let group = |key: &'static str, links: AnyView| {
        view! {
            <li class="nav-group">
                <span class="nav-group-label">{t(key)}</span>
                <ul>{links}</ul>
            </li>
        }
    };
    view! {
        <nav class="main-nav" aria-label=t("nav.label")>
            <ul>
                {(!volunteer).then(|| nav_link("/", "nav.home"))}
                {nav_link("/account", "nav.account")}
                {station_manager.then(|| nav_link("/my-stations", "nav.my_stations"))}
                {team_leader.then(|| nav_link("/my-teams", "nav.my_teams"))}
                {planner.then(|| view! {
                    {group("nav.group.day", nav_link("/board", "nav.board"))}
                    {group("nav.group.planning", view! {
                        {nav_link("/elections", "nav.elections")}
                        {nav_link("/lists", "nav.lists")}
                        {nav_link("/volunteers", "nav.register")}
                        {nav_link("/messages", "nav.messages")}
                    }.into_any())}
                    {group("nav.group.setup", view! {
                        {nav_link("/stations", "nav.stations")}
                        {nav_link("/areas", "nav.areas")}
                        {nav_link("/task-types", "nav.task_types")}
                        {nav_link("/teams", "nav.teams")}
                        {nav_link("/election-types", "nav.election_types")}
                        {nav_link("/diets", "nav.diets")}
                    }.into_any())}
                })}
                {administrator.then(|| group("nav.group.admin", view! {
                    {nav_link("/admin/users", "nav.users")}
                    {nav_link("/admin/audit", "nav.audit")}
                    {nav_link("/admin/retention", "nav.retention")}
                    {nav_link("/admin/privacy", "nav.privacy")}
                }.into_any()))}
                <li>
                    <form method="post" action=SignOut::url()>
                        // This device's push subscription, filled in by page.js.
                        <input type="hidden" name="push_endpoint" value=""/>
                        <button type="submit" class="btn btn-secondary btn-small">
                            {t("nav.sign_out")}
                        </button>
                    </form>
                </li>
            </ul>
        </nav>
        {volunteer.then(|| view! { <TabBar/> })}
    }
}

/// The volunteer's four places, at the bottom of a phone's screen (in the
/// header on wider ones), with the number of invitations waiting for an
/// answer on *Mine vagter*.
#[component]
fn TabBar() -> impl IntoView {
    let waiting = Resource::new(|| (), |_| waiting_invitations());
    let badge = move || {
        waiting
            .get()
            .and_then(|r| r.ok())
            .filter(|n| *n > 0)
            .map(|n| {
                let label = crate::i18n::t_with("nav.waiting", &[("n", &n.to_string())]);
                view! {
                    <span class="badge">
                        <span aria-hidden="true">{n}</span>
                        <span class="visually-hidden">{label}</span>
                    </span>
                }
            })
    };
    view! {
        <nav class="tab-bar" aria-label=t("nav.tabs")>
            <ul>
                {nav_link("/", "nav.home")}
                {nav_link_with(
                    "/my-shifts",
                    "nav.my_shifts",
                    view! { <Transition fallback=|| ()>{badge}</Transition> },
                )}
                {nav_link("/open-shifts", "nav.open_shifts")}
                {nav_link("/profile", "nav.profile")}
            </ul>
        </nav>
    }
}

/// An error in the reader's language, naming the field if there is one.
pub fn error_text(error: &AppError) -> String {
    let locale = use_locale();
    match error {
        AppError::Invalid { field, key } => {
            let label = translate(locale, &format!("field.{field}"));
            format!("{label}: {}", translate(locale, key))
        }
        AppError::Refused { key, arg } => {
            let text = translate(locale, key);
            match arg {
                Some(a) => text.replace("{n}", a),
                None => text,
            }
        }
        other => translate(locale, other.message_key()),
    }
}

/// Shows an error in the reader's language, naming the field if there is one.
#[component]
pub fn ErrorAlert(error: AppError) -> impl IntoView {
    let message = error_text(&error);
    let signin = matches!(error, AppError::Unauthenticated);
    view! {
        <div class="alert alert-error" role="alert">
            <p>{message}</p>
            {signin.then(|| view! { <p><a href="/signin">{t("auth.go_sign_in")}</a></p> })}
        </div>
    }
}

/// Shows the outcome of the last submission of a form's action, if it failed.
#[component]
pub fn ActionError<S>(action: ServerAction<S>) -> impl IntoView
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    move || match action.value().get() {
        Some(Err(error)) => Some(view! { <ErrorAlert error/> }),
        _ => None,
    }
}

/// Renders a loaded value, a loading note, or the error. A page whose
/// title and heading come with the value names `error_title` (a locale key):
/// when loading fails, that becomes the page's title and heading, so the
/// error page is still a page with a name.
#[component]
pub fn Loaded<T, F, V>(
    resource: Resource<Result<T, AppError>>,
    view: F,
    #[prop(optional)] error_title: Option<&'static str>,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=|| view! { <p class="muted">{t("common.loading")}</p> }>
            {move || {
                resource.get().map(|result| match (result, error_title) {
                    (Ok(value), _) => view(value).into_any(),
                    (Err(error), Some(key)) => view! {
                        <leptos_meta::Title text=t(key)/>
                        <h1>{t(key)}</h1>
                        <ErrorAlert error/>
                    }
                    .into_any(),
                    (Err(error), None) => view! { <ErrorAlert error/> }.into_any(),
                })
            }}
        </Transition>
    }
}

fn field_id(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("f-{}", cleaned.trim_matches('-'))
}

/// A labelled input. `name` is the form name (`form[title]`), `label` a key.
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(into, optional)] value: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(into, optional)] min: Option<String>,
    #[prop(into, optional)] max: Option<String>,
) -> impl IntoView {
    let id = field_id(name);
    let hint_id = format!("{id}-hint");
    let described = hint.map(|_| hint_id.clone());
    view! {
        <div class="field">
            <label for=id.clone()>{t(label)}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                min=min
                max=max
                aria-describedby=described
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{t(h)}</p> })}
        </div>
    }
}

#[component]
pub fn TextArea(
    name: &'static str,
    label: &'static str,
    #[prop(into, optional)] value: String,
) -> impl IntoView {
    let id = field_id(name);
    view! {
        <div class="field">
            <label for=id.clone()>{t(label)}</label>
            <textarea id=id name=name rows="3">{value}</textarea>
        </div>
    }
}

#[component]
pub fn Checkbox(name: &'static str, label: &'static str, checked: bool) -> impl IntoView {
    let id = field_id(name);
    view! {
        <div class="field-inline">
            <input type="checkbox" id=id.clone() name=name checked=checked/>
            <label for=id>{t(label)}</label>
        </div>
    }
}

/// A select of (value, text) options.
#[component]
pub fn Select(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
    #[prop(into, optional)] selected: String,
) -> impl IntoView {
    let id = field_id(name);
    view! {
        <div class="field">
            <label for=id.clone()>{t(label)}</label>
            <select id=id name=name required=true>
                <option value="" selected=selected.is_empty()>{t("common.choose")}</option>
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let is = value == selected;
                        view! { <option value=value selected=is>{text}</option> }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

/// A two-step delete: the first tap opens a confirmation with the real
/// button, so nothing is deleted by one slip of a finger. A plain form post,
/// so it works before the wasm has loaded; the server answers with a
/// redirect, and a refusal comes back in the URL (see [`UrlError`]).
#[component]
pub fn DeleteForm(url: &'static str, id: i64, label: String) -> impl IntoView {
    let confirm = crate::i18n::t_with("common.confirm_delete", &[("name", &label)]);
    view! {
        <details class="confirm-delete">
            <summary class="btn btn-danger btn-small">
                {t("common.delete")}
                <span class="visually-hidden">" " {label.clone()}</span>
            </summary>
            <form method="post" action=url>
                <input type="hidden" name="id" value=id.to_string()/>
                <p>{confirm}</p>
                <button type="submit" class="btn btn-danger btn-small">{t("common.confirm")}</button>
            </form>
        </details>
    }
}

/// A server function called by a plain form post redirects back with its
/// error encoded in `__err`; this shows it.
#[component]
pub fn UrlError() -> impl IntoView {
    use base64::Engine;
    let query = leptos_router::hooks::use_query_map();
    move || {
        let raw = query.read().get("__err")?;
        let bytes = base64::engine::general_purpose::URL_SAFE
            .decode(raw.as_bytes())
            .ok()?;
        let error: AppError = serde_json::from_slice(&bytes).ok()?;
        Some(view! { <ErrorAlert error/> })
    }
}

/// Heading row of a list page with its main action.
#[component]
pub fn PageHead(
    title: String,
    #[prop(optional)] new_href: Option<&'static str>,
    #[prop(optional)] new_label: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="page-head">
            <h1>{title}</h1>
            {new_href.map(|href| view! {
                <div class="toolbar">
                    <a class="btn btn-primary" href=href>{t(new_label.unwrap_or("common.new"))}</a>
                </div>
            })}
        </div>
    }
}

/// Whether the page's address carries `name=1`: how a form's server
/// function tells the page it leads back to what it did (see
/// `server::redirect_back`).
pub fn query_flag(name: &'static str) -> bool {
    let query = leptos_router::hooks::use_query_map();
    query.read_untracked().get(name).is_some_and(|v| v == "1")
}

/// Reads the `:id` route parameter; `None` on a "new" page.
pub fn route_id(name: &'static str) -> impl Fn() -> Option<i64> + Clone + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || params.read().get(name).and_then(|v| v.parse::<i64>().ok())
}
