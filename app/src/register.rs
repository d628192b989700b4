//! The office's participant register (*Deltagere*, `/volunteers`): every
//! person on record, searched as you type and narrowed by filters, a page
//! at a time. The office sees everyone with their contact details; a
//! coordinator limited to areas sees the people with seats there and those
//! with none; a team leader sees their teams' members.

use crate::components::Loaded;
use crate::domain::register::{RegisterPage, RegisterQuery, SeatFilter};
use crate::domain::{AppError, Id};
use crate::i18n::{t, t_with};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Register searches by one viewer within this window are one audit line.
pub const REGISTER_AUDIT_WINDOW_SECS: i64 = 15 * 60;

/// What the filters offer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisterOptions {
    pub teams: Vec<(Id, String)>,
    pub areas: Vec<(Id, String)>,
    pub elections: Vec<(Id, String)>,
    /// The viewer may enter people (the office's planners).
    pub can_create: bool,
}

/// One page of results, and what the viewer may do with them.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisterResults {
    pub page: RegisterPage,
    pub number: i64,
    pub pages: i64,
    /// Phone and email are shown (the office).
    pub contacts: bool,
    /// Each person's page opens (the office).
    pub can_open: bool,
    /// People may be chosen for deactivating or deleting (the planners).
    pub can_remove: bool,
}

/// The part of the register `user` may see; refused for anyone else.
#[cfg(feature = "ssr")]
fn scope_of(
    user: &crate::domain::accounts::CurrentUser,
) -> Result<crate::domain::register::RegisterScope, AppError> {
    use crate::domain::accounts::Role;
    use crate::domain::register::RegisterScope;
    if user.sees_all_contacts() {
        Ok(RegisterScope::All)
    } else if user.has(Role::Coordinator) {
        Ok(RegisterScope::Areas(user.areas.clone()))
    } else if user.has(Role::TeamLeader) && !user.teams.is_empty() {
        Ok(RegisterScope::Teams(user.teams.clone()))
    } else {
        Err(AppError::Forbidden)
    }
}

#[server(endpoint = "volunteers/register_choices")]
pub async fn register_choices() -> Result<RegisterOptions, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        scope_of(&user)?;
        Ok(RegisterOptions {
            teams: crate::server::choices::teams(&ctx).await?,
            areas: crate::server::choices::areas(&ctx).await?,
            elections: ctx
                .storage
                .list_elections()
                .await?
                .into_iter()
                .map(|e| (e.id, e.title))
                .collect(),
            can_create: user.can_plan(),
        })
    })
    .await
}

#[server(endpoint = "volunteers/register")]
pub async fn search_register(query: RegisterQuery) -> Result<RegisterResults, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let scope = scope_of(&user)?;
        let filter = query.parse()?;
        let mut page = ctx.storage.search_register(&filter, &scope).await?;
        let contacts = user.sees_all_contacts();
        if !contacts {
            // Team leaders see a member's contact details on their team's
            // page, where the member agreed to share them; not here.
            for row in &mut page.rows {
                row.email.clear();
                row.phone.clear();
            }
        }
        if contacts && !page.rows.is_empty() {
            // One line per viewer and quarter hour: the list follows each
            // keystroke, and thirty lines for one search say no more.
            crate::server::audit_once_in(
                &ctx,
                Some(&user),
                crate::domain::audit::AuditAction::ContactViewed,
                "register",
                &format!("{} of {} people", page.rows.len(), page.total),
                REGISTER_AUDIT_WINDOW_SECS,
            )
            .await;
        }
        Ok(RegisterResults {
            number: filter.page,
            pages: crate::domain::register::pages(page.total),
            page,
            contacts,
            can_open: contacts,
            can_remove: user.can_plan(),
        })
    })
    .await
}

/// The search as the address carries it.
fn query_from_address() -> impl Fn() -> RegisterQuery + Copy {
    let query = leptos_router::hooks::use_query_map();
    move || {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        RegisterQuery {
            q: get("q"),
            team: get("team"),
            area: get("area"),
            election: get("election"),
            seat: get("seat"),
            verified: get("verified"),
            account: get("account"),
            active: get("active"),
            language: get("language"),
            sort: get("sort"),
            page: get("page"),
        }
    }
}

/// The address of the register with `query`, on page `page` (empty: the first).
fn address(query: &RegisterQuery, page: &str) -> String {
    let mut pairs: Vec<(&str, &str)> = [
        ("q", &query.q),
        ("team", &query.team),
        ("area", &query.area),
        ("election", &query.election),
        ("seat", &query.seat),
        ("verified", &query.verified),
        ("account", &query.account),
        ("active", &query.active),
        ("language", &query.language),
        ("sort", &query.sort),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| (k, v.as_str()))
    .collect();
    if !page.is_empty() {
        pairs.push(("page", page));
    }
    crate::domain::forms::with_query("/volunteers", &pairs)
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let query = query_from_address();
    let choices = Resource::new(|| (), |_| register_choices());
    let results = Resource::new(query, search_register);
    let title = t("register.title");
    let address_query = leptos_router::hooks::use_query_map();
    // After deactivating or deleting people, the register says what was done.
    let done = move || {
        let q = address_query.read();
        let action = crate::domain::removals::RemovalAction::parse(&q.get("done")?).ok()?;
        let n = q.get("n")?;
        Some(t_with(
            &format!("removals.done.{}", action.as_str()),
            &[("n", &n)],
        ))
    };
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        {move || done().map(|text| view! { <p class="alert alert-success" role="status">{text}</p> })}
        <Loaded resource=choices view=move |c: RegisterOptions| view! {
            {c.can_create.then(|| view! {
                <p class="toolbar">
                    <a class="btn btn-primary" href="/volunteers/new">{t("register.new")}</a>
                    <a class="btn btn-secondary" href="/volunteers/import">{t("import.link")}</a>
                </p>
            })}
            <Filters choices=c query=query()/>
        }/>
        <div id="register-results">
            <Loaded resource=results view=move |r: RegisterResults| view! { <Results results=r query=query()/> }/>
        </div>
    }
}

#[component]
fn Filters(choices: RegisterOptions, query: RegisterQuery) -> impl IntoView {
    let pick = |name: &'static str,
                label: &'static str,
                list: &[(String, String)],
                chosen: &str| {
        let id = format!("register-{name}");
        view! {
            <div class="field">
                <label for=id.clone()>{t(label)}</label>
                <select id=id name=name>
                    <option value="" selected=chosen.is_empty()>{t("register.any")}</option>
                    {list.iter().map(|(v, text)| view! {
                        <option value=v.clone() selected=chosen == v.as_str()>{text.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let ids = |list: &[(Id, String)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect()
    };
    let words = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(v, key)| (v.to_string(), t(key)))
            .collect()
    };
    let seats: Vec<(String, String)> = SeatFilter::ALL
        .into_iter()
        .map(|s| {
            (
                s.as_str().to_string(),
                t(&format!("register.seat.{}", s.as_str())),
            )
        })
        .collect();
    view! {
        // As the person types, the results follow (page.js); without script
        // this is a plain GET form.
        <form class="filters card board-filters" method="get" action="/volunteers" role="search"
            data-live-search="register-results" aria-label=t("register.filters")>
            <div class="field register-search">
                <label for="register-q">{t("register.search")}</label>
                <input id="register-q" name="q" type="search" value=query.q.clone()
                    autocomplete="off" aria-describedby="register-q-hint"/>
                <p class="hint" id="register-q-hint">{t("register.search_hint")}</p>
            </div>
            {pick("team", "board.team", &ids(&choices.teams), &query.team)}
            {pick("area", "board.area", &ids(&choices.areas), &query.area)}
            {pick("election", "board.election", &ids(&choices.elections), &query.election)}
            {pick("seat", "register.seats", &seats, &query.seat)}
            {pick("verified", "register.verified", &words(&[("yes", "register.verified_yes"), ("no", "register.verified_no")]), &query.verified)}
            {pick("account", "register.account", &words(&[("yes", "register.account_yes"), ("no", "register.account_no")]), &query.account)}
            {pick("active", "register.active", &words(&[("yes", "register.active_yes"), ("no", "register.active_no")]), &query.active)}
            {pick("language", "field.language", &words(&[("da", "register.language_da"), ("en", "register.language_en")]), &query.language)}
            <div class="field">
                <label for="register-sort">{t("register.sort")}</label>
                <select id="register-sort" name="sort">
                    <option value="" selected=query.sort.is_empty()>{t("register.sort_name")}</option>
                    <option value="newest" selected=query.sort == "newest">{t("register.sort_newest")}</option>
                </select>
            </div>
            <button type="submit" class="btn btn-primary">{t("board.show")}</button>
        </form>
    }
}

#[component]
fn Results(results: RegisterResults, query: RegisterQuery) -> impl IntoView {
    let r = results;
    let previous = (r.number > 1).then(|| address(&query, &(r.number - 1).to_string()));
    let next = (r.number < r.pages).then(|| address(&query, &(r.number + 1).to_string()));
    let contacts = r.contacts;
    let choose = r.can_remove && !r.page.rows.is_empty();
    let yes_no = |b: bool| t(if b { "common.yes" } else { "common.no" });
    view! {
        <p class="board-summary" role="status" data-testid="register-total">
            {t_with("register.count", &[("n", &r.page.total.to_string())])}
        </p>
        // The choice of people goes to the preview page as a plain GET form:
        // nothing changes before the office has seen what would.
        <form method="get" action="/volunteers/remove" aria-label=t("register.choose")>
        <div class="table-wrap" tabindex="0" role="region" aria-label=t("register.table")>
            <table class="data">
                <thead>
                    <tr>
                        {choose.then(|| view! { <th scope="col"><span class="visually-hidden">{t("register.choose")}</span></th> })}
                        <th scope="col">{t("field.name")}</th>
                        {contacts.then(|| view! {
                            <th scope="col">{t("field.email")}</th>
                            <th scope="col">{t("field.phone")}</th>
                        })}
                        <th scope="col">{t("volunteers.teams")}</th>
                        <th scope="col">{t("register.seats_now")}</th>
                        <th scope="col">{t("register.verified")}</th>
                        <th scope="col">{t("register.account")}</th>
                    </tr>
                </thead>
                <tbody>
                    {r.page.rows.into_iter().map(|p| view! {
                        <tr>
                            {choose.then(|| {
                                let id = format!("choose-{}", p.id);
                                view! {
                                    <td class="choose">
                                        <input type="checkbox" name="id" value=p.id.to_string() id=id.clone()
                                            aria-label=t_with("register.choose_person", &[("name", &p.name)])/>
                                    </td>
                                }
                            })}
                            <td>{if r.can_open {
                                view! { <a href=format!("/volunteers/{}", p.id)>{p.name.clone()}</a> }.into_any()
                            } else {
                                view! { <span>{p.name.clone()}</span> }.into_any()
                            }}
                            {p.deactivated.then(|| view! { " " <span class="badge badge-inactive">{t("register.deactivated")}</span> })}
                            {p.cpr_flag.clone().map(|reason| view! {
                                " " <span class="badge badge-invited" data-testid="cpr-flag">
                                    {t_with("register.cpr_flag", &[("reason", &t(&reason.replace("eligibility.", "board.cpr_reason.")))])}
                                </span>
                            })}
                            </td>
                            {contacts.then(|| view! {
                                <td>{p.email.clone()}</td>
                                <td>{p.phone.clone()}</td>
                            })}
                            <td>{p.teams.clone()}</td>
                            <td>{p.seats}</td>
                            <td>{yes_no(p.verified)}</td>
                            <td>{yes_no(p.has_account)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {choose.then(|| view! {
            <p class="toolbar">
                <button type="submit" name="action" value="deactivate" class="btn btn-secondary">{t("register.deactivate_chosen")}</button>
                <button type="submit" name="action" value="activate" class="btn btn-secondary">{t("register.activate_chosen")}</button>
                <button type="submit" name="action" value="delete" class="btn btn-danger">{t("register.delete_chosen")}</button>
            </p>
        })}
        </form>
        <nav class="toolbar" aria-label=t("register.paging")>
            {previous.map(|href| view! { <a class="btn btn-secondary" href=href rel="prev">{t("register.previous")}</a> })}
            <span>{t_with("register.page_of", &[("n", &r.number.to_string()), ("of", &r.pages.to_string())])}</span>
            {next.map(|href| view! { <a class="btn btn-secondary" href=href rel="next">{t("register.next")}</a> })}
        </nav>
    }
}
