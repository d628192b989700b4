//! Sign-up links: coordinators and team leaders make a link for a team (any
//! of its open seats, or narrowed to a station, task type and day) and share
//! it; the link's page is public and shows the open shifts; a signed-in
//! volunteer takes one in a tap. The last seat goes to exactly one person.

use crate::components::{ActionError, Loaded};
#[cfg(feature = "ssr")]
use crate::domain::signup::CellChoice;
use crate::domain::signup::{OpenCell, SignupLink};
use crate::domain::{AppError, Id};
use crate::i18n::{date_time_at, long_date, t, t_with, Texts};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// A team's links and the elections a new one can be for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamLinks {
    pub links: Vec<SignupLink>,
    pub elections: Vec<(Id, String)>,
    /// What a shift link can be narrowed to.
    pub areas: Vec<(Id, String)>,
    pub stations: Vec<(Id, String)>,
    pub task_types: Vec<(Id, String)>,
    /// The server's clock, to tell links that have ended.
    pub now: i64,
}

#[server(endpoint = "signup/list")]
pub async fn load_team_links(team_id: Id) -> Result<TeamLinks, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(may_share(&user, team_id))?;
        ctx.storage.get_team(team_id).await?;
        Ok(TeamLinks {
            links: ctx.storage.list_links(Some(&[team_id])).await?,
            elections: ctx
                .storage
                .list_elections()
                .await?
                .into_iter()
                .filter(|e| e.active)
                .map(|e| (e.id, e.title))
                .collect(),
            areas: crate::server::choices::areas(&ctx).await?,
            stations: crate::server::choices::stations(&ctx).await?,
            // Trusted tasks are never shown on a link, so no link is made for them.
            task_types: crate::server::choices::task_types(&ctx, true).await?,
            now: ctx.now(),
        })
    })
    .await
}

/// Who may see, make and close a team's links: coordinators of the whole
/// municipality (a team's seats lie in every area) and the team's leaders.
#[cfg(feature = "ssr")]
fn may_share(user: &crate::domain::accounts::CurrentUser, team_id: Id) -> bool {
    user.can_plan() || user.leads_team(team_id)
}

/// Makes a link and answers with its address, which is shown this once:
/// only the hash of its token is kept.
#[server(endpoint = "signup/create")]
pub async fn create_link(
    election_id: Id,
    team_id: Id,
    #[server(default)] area_id: String,
    station_id: String,
    task_type_id: String,
    day: String,
    #[server(default)] until: String,
) -> Result<String, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(may_share(&user, team_id))?;
        let election = ctx.storage.get_election(election_id).await?;
        ctx.storage.get_team(team_id).await?;
        let area = crate::elections::optional_id(&area_id)?;
        if let Some(area) = area {
            ctx.storage.get_area(area).await?;
        }
        let station = crate::elections::optional_id(&station_id)?;
        let task = crate::elections::optional_id(&task_type_id)?;
        let day = crate::domain::forms::optional_date("day", &day)?;
        if let Some(day) = day {
            if !election.covers(day) {
                return Err(AppError::invalid("day", "signup.day_outside"));
            }
        }
        let expires_at = match until.trim() {
            "" => None,
            raw => {
                let last = crate::domain::forms::date("until", raw)?;
                if last < ctx.today() {
                    return Err(AppError::invalid("until", "signup.until_past"));
                }
                // The link works through the whole of its last day.
                let next = last
                    .succ_opt()
                    .ok_or_else(|| AppError::invalid("until", "error.date"))?;
                Some(crate::i18n::copenhagen_to_unix(
                    next,
                    chrono::NaiveTime::MIN,
                ))
            }
        };
        if let Some(station) = station {
            if !election.station_ids.contains(&station) {
                return Err(AppError::invalid("station_id", "error.unknown_choice"));
            }
        }
        if let Some(task) = task {
            if ctx.storage.get_task_type(task).await?.trusted {
                return Err(AppError::invalid("task_type_id", "signup.trusted_task"));
            }
        }
        let token = (ctx.new_secret)();
        let link = crate::domain::signup::NewSignupLink {
            token_hash: (ctx.hasher)(&token),
            election_id,
            team_id,
            filters: crate::domain::signup::LinkFilters {
                areas: area.into_iter().collect(),
                stations: station.into_iter().collect(),
                task_types: task.into_iter().collect(),
                days: day.into_iter().collect(),
            },
            expires_at,
            created_by: user.id,
        };
        ctx.storage.create_link(&link, ctx.now()).await?;
        Ok(format!("{}/join/{token}", ctx.settings.public_url))
    })
    .await
}

#[server(endpoint = "signup/revoke")]
pub async fn revoke_link(id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        // Only those who may share for some team get to look the link up.
        crate::server::allow(user.can_plan() || !user.teams.is_empty())?;
        let link = ctx.storage.get_link(id).await?;
        crate::server::allow(may_share(&user, link.team_id))?;
        ctx.storage.revoke_link(id, ctx.now()).await?;
        crate::server::redirect_to(&format!("/teams/{}/members", link.team_id));
        Ok(())
    })
    .await
}

/// A link that still works: not closed, not past its end, and for an
/// active election.
#[cfg(feature = "ssr")]
pub(crate) async fn live_link(
    ctx: &crate::server::ServerContext,
    token: &str,
) -> Result<SignupLink, AppError> {
    let now = ctx.now();
    ctx.storage
        .link_by_token(&(ctx.hasher)(token.trim()))
        .await?
        .filter(|l| l.works_at(now))
        .ok_or_else(|| AppError::refused("signup.link_gone"))
}

/// What the public page of a link shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JoinData {
    pub election: String,
    pub team: String,
    pub created_by: String,
    /// A link to the whole team (not narrowed): it also offers to join it.
    pub team_link: bool,
    pub cells: Vec<OpenCell>,
    /// The visitor is signed in with a volunteer record and can take a seat.
    pub can_take: bool,
    pub signed_in: bool,
    /// The signed-in volunteer is on the link's team already.
    pub on_team: bool,
    /// For the newcomer's form: the diets to choose from, and who asks.
    pub diets: Vec<(Id, String)>,
    pub municipality: String,
    /// The privacy text in force, in the visitor's language, and its version.
    pub privacy_text: String,
    pub privacy_version: String,
}

#[server(endpoint = "signup/open")]
pub async fn open_link(token: String) -> Result<JoinData, AppError> {
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        let link = live_link(&ctx, &token).await?;
        let privacy = crate::privacy::in_force(&ctx).await?;
        let user = crate::server::current_user().await?;
        let volunteer = user.as_ref().and_then(|u| u.volunteer_id);
        let on_team = match volunteer {
            Some(id) => ctx
                .storage
                .volunteer_teams(id)
                .await?
                .iter()
                .any(|(team, _)| *team == link.team_id),
            None => false,
        };
        Ok(JoinData {
            cells: ctx
                .storage
                .open_cells(&link, ctx.today(), volunteer)
                .await?,
            team_link: link.filters.is_team_link(),
            election: link.election_title,
            team: link.team,
            created_by: link.created_by,
            can_take: volunteer.is_some(),
            signed_in: user.is_some(),
            on_team,
            diets: ctx
                .storage
                .list_diets()
                .await?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect(),
            municipality: ctx.settings.municipality_name.clone(),
            privacy_text: privacy.text_in(crate::request_locale()).to_string(),
            privacy_version: privacy.version,
        })
    })
    .await
}

/// The cell a form names.
#[cfg(feature = "ssr")]
pub(crate) fn cell_choice(
    station_id: Id,
    day: &str,
    task_type_id: Id,
) -> Result<CellChoice, AppError> {
    Ok(CellChoice {
        station_id,
        day: crate::domain::forms::date("day", day)?,
        task_type_id,
    })
}

/// Gives `volunteer` a seat of the cell, after the eligibility checks, with
/// the confirmation message in the same transaction. Returns the seat.
#[cfg(feature = "ssr")]
pub(crate) async fn take_for(
    ctx: &crate::server::ServerContext,
    link: &SignupLink,
    volunteer_id: Id,
    cell: CellChoice,
) -> Result<Id, AppError> {
    use crate::domain::notifications::MessageKind;
    // The cell's words for the confirmation (any of its open seats). A full
    // cell is refused here, from one read, before anything else is looked up.
    let open = ctx
        .storage
        .open_seats(
            link.election_id,
            cell.station_id,
            cell.day,
            link.team_id,
            cell.task_type_id,
        )
        .await?;
    let any = *open
        .first()
        .ok_or_else(|| AppError::refused("signup.gone"))?;
    let seat = ctx.storage.seat_details(any).await?;
    let volunteer = &ctx.storage.get_volunteer(volunteer_id).await?;
    crate::shifts::refuse_ineligible(
        ctx,
        volunteer,
        link.election_id,
        cell.task_type_id,
        cell.day,
    )
    .await?;
    let seat = seat.with_volunteer(volunteer);
    let now = ctx.now();
    let message = crate::shifts::seat_message(
        &ctx.settings.public_url,
        &seat,
        MessageKind::RegistrationConfirmation,
        &format!("take:{now}"),
    );
    let taken = ctx
        .storage
        .take_seat(link, cell, volunteer.id, now, message)
        .await?;
    (ctx.wake_outbox)();
    Ok(taken)
}

/// A signed-in volunteer takes one seat of a cell shown by the link.
#[server(endpoint = "signup/take")]
pub async fn take_seat(
    token: String,
    station_id: Id,
    day: String,
    task_type_id: Id,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        let link = live_link(&ctx, &token).await?;
        take_and_show(&ctx, &link, volunteer_id, station_id, &day, task_type_id).await
    })
    .await
}

/// Takes a seat of the chosen cell through `link` for the signed-in
/// volunteer, then shows it among their shifts (the link's page and
/// *Ledige vagter* alike).
#[cfg(feature = "ssr")]
pub(crate) async fn take_and_show(
    ctx: &crate::server::ServerContext,
    link: &SignupLink,
    volunteer_id: Id,
    station_id: Id,
    day: &str,
    task_type_id: Id,
) -> Result<(), AppError> {
    let cell = cell_choice(station_id, day, task_type_id)?;
    let taken = take_for(ctx, link, volunteer_id, cell).await?;
    crate::server::redirect_to(&format!("/my-shifts#seat-{taken}"));
    Ok(())
}

/// Puts `volunteer` in the standby queue of a full cell, after the same
/// eligibility checks as taking a seat. Returns their place.
#[cfg(feature = "ssr")]
pub(crate) async fn queue_for(
    ctx: &crate::server::ServerContext,
    link: &SignupLink,
    volunteer: &crate::domain::volunteers::Volunteer,
    cell: CellChoice,
) -> Result<i64, AppError> {
    crate::shifts::refuse_ineligible(
        ctx,
        volunteer,
        link.election_id,
        cell.task_type_id,
        cell.day,
    )
    .await?;
    ctx.storage
        .join_standby(link, cell, volunteer.id, ctx.now())
        .await
}

/// A signed-in volunteer joins the standby queue of a full cell.
#[server(endpoint = "signup/standby")]
pub async fn join_standby(
    token: String,
    station_id: Id,
    day: String,
    task_type_id: Id,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        let link = live_link(&ctx, &token).await?;
        let cell = cell_choice(station_id, &day, task_type_id)?;
        let volunteer = ctx.storage.get_volunteer(volunteer_id).await?;
        queue_for(&ctx, &link, &volunteer, cell).await?;
        crate::server::redirect_to(&format!("/join/{}", token.trim()));
        Ok(())
    })
    .await
}

/// The volunteer leaves a standby queue (from the link page or my shifts).
#[server(endpoint = "signup/leave_standby")]
pub async fn leave_standby(id: Id, back: Option<String>) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        ctx.storage.leave_standby(volunteer_id, id).await?;
        // Only back to a page of ours.
        let back = back
            .as_deref()
            .and_then(crate::domain::forms::local_path)
            .unwrap_or_else(|| "/my-shifts".into());
        crate::server::redirect_to(&back);
        Ok(())
    })
    .await
}

/// A signed-in volunteer joins the team of a team link.
#[server(endpoint = "signup/join_team")]
pub async fn join_team(token: String) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        let link = live_link(&ctx, &token).await?;
        if !link.filters.is_team_link() {
            return Err(AppError::refused("signup.not_team_link"));
        }
        ctx.storage.join_team(link.team_id, volunteer_id).await?;
        crate::server::redirect_to(&format!("/join/{}", token.trim()));
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- pages

/// The public page of a sign-up link.
#[component]
pub fn JoinPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let data = Resource::new(token, open_link);
    view! {
        <Loaded
            resource=data
            error_title="signup.link_problem"
            view={move |d: JoinData| view! { <JoinView data=d token=token()/> }}
        />
    }
}

/// The picked day and station of the filter form (`?day=…&station=…`).
fn filter_from_query() -> (Option<chrono::NaiveDate>, Option<Id>) {
    let query = leptos_router::hooks::use_query_map();
    let query = query.read_untracked();
    (
        query.get("day").and_then(|d| d.parse().ok()),
        query.get("station").and_then(|s| s.parse().ok()),
    )
}

#[component]
fn JoinView(data: JoinData, token: String) -> impl IntoView {
    let title = t_with("signup.title", &[("election", &data.election)]);
    let (day, station) = filter_from_query();
    // The filter's choices come from all the link's cells.
    let mut days: Vec<chrono::NaiveDate> = data.cells.iter().map(|c| c.day).collect();
    days.sort();
    days.dedup();
    let mut stations: Vec<(Id, String)> = data
        .cells
        .iter()
        .map(|c| (c.station_id, c.station.clone()))
        .collect();
    stations.sort_by(|a, b| a.1.cmp(&b.1));
    stations.dedup();
    let shown: Vec<OpenCell> = data
        .cells
        .iter()
        .filter(|c| day.is_none_or(|d| c.day == d) && station.is_none_or(|s| c.station_id == s))
        .cloned()
        .collect();
    // Group by station, in the order the server gave.
    let mut groups: Vec<(String, String, Vec<OpenCell>)> = Vec::new();
    for cell in shown {
        match groups.last_mut() {
            Some((name, _, cells)) if *name == cell.station => cells.push(cell),
            _ => groups.push((cell.station.clone(), cell.address.clone(), vec![cell])),
        }
    }
    let visitor = Visitor {
        can_take: data.can_take,
        signed_in: data.signed_in,
    };
    let filtering = days.len() > 1 || stations.len() > 1;
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <p>{t_with("signup.for_team", &[("team", &data.team), ("by", &data.created_by)])}</p>
        <TeamOffer token=token.clone() team=data.team.clone() team_link=data.team_link on_team=data.on_team visitor/>
        {(!data.signed_in).then(|| view! {
            <div class="alert alert-info" role="note">
                <p>{t("signup.have_account")} " " <a href=format!("/signin?next=/join/{token}")>{t("auth.sign_in")}</a></p>
            </div>
        })}
        {(data.signed_in && !data.can_take).then(|| view! {
            <div class="alert alert-info" role="note"><p>{t("signup.no_volunteer")}</p></div>
        })}
        {filtering.then(|| view! {
            <form class="filters card" method="get" aria-label=t("signup.filter")>
                <div class="field">
                    <label for="filter-day">{t("signup.filter_day")}</label>
                    <select id="filter-day" name="day">
                        <option value="" selected=day.is_none()>{t("signup.all_days")}</option>
                        {days.iter().map(|d| view! {
                            <option value=d.to_string() selected=day == Some(*d)>{long_date(*d)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="filter-station">{t("signup.filter_station")}</label>
                    <select id="filter-station" name="station">
                        <option value="" selected=station.is_none()>{t("signup.all_stations")}</option>
                        {stations.iter().map(|(id, name)| view! {
                            <option value=id.to_string() selected=station == Some(*id)>{name.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="btn btn-secondary">{t("signup.show")}</button>
            </form>
        })}
        {if groups.is_empty() {
            view! { <p class="empty">{t("signup.none")}</p> }.into_any()
        } else {
            groups.into_iter().map(|(name, address, cells)| view! {
                <section class="roster-day">
                    <h2>{name}</h2>
                    <p class="muted">{address}</p>
                    <ul class="roster">
                        {cells.into_iter().map(|c| view! { <CellCard cell=c token=token.clone() visitor/> }).collect_view()}
                    </ul>
                </section>
            }).collect_view().into_any()
        }}
    }
}

/// Who is looking at a link's page.
#[derive(Debug, Clone, Copy)]
struct Visitor {
    can_take: bool,
    signed_in: bool,
}

/// A team link also offers to join the team, without a shift yet.
#[component]
fn TeamOffer(
    token: String,
    team: String,
    team_link: bool,
    on_team: bool,
    visitor: Visitor,
) -> impl IntoView {
    if !team_link {
        return ().into_any();
    }
    let join = t_with("signup.join_team", &[("team", &team)]);
    let action = if on_team {
        view! { <p>{t_with("signup.on_team", &[("team", &team)])}</p> }.into_any()
    } else if visitor.can_take {
        view! {
            <form method="post" action=JoinTeam::url()>
                <input type="hidden" name="token" value=token.clone()/>
                <button type="submit" class="btn btn-secondary">{join.clone()}</button>
            </form>
        }
        .into_any()
    } else if !visitor.signed_in {
        view! { <a class="btn btn-secondary" href=format!("/join/{token}/new")>{join.clone()}</a> }
            .into_any()
    } else {
        ().into_any()
    };
    view! {
        <section class="card" aria-labelledby="team-offer">
            <h2 id="team-offer">{t("signup.team_offer")}</h2>
            <p>{t("signup.team_offer_explained")}</p>
            {action}
        </section>
    }
    .into_any()
}

#[component]
fn CellCard(cell: OpenCell, token: String, visitor: Visitor) -> impl IntoView {
    let when = format!(
        "{} {}–{}",
        long_date(cell.day),
        cell.start_time.format("%H:%M"),
        cell.end_time.format("%H:%M")
    );
    let what = format!("{} {when}", cell.task_type);
    let newcomer_href = format!(
        "/join/{token}/new?station={}&day={}&task={}",
        cell.station_id, cell.day, cell.task_type_id
    );
    let class = |primary: bool| {
        if primary {
            "btn btn-primary"
        } else {
            "btn btn-secondary"
        }
    };
    // The button's words, and for screen readers which shift it is for.
    let label = |key: &str| {
        view! { {t(key)}<span class="visually-hidden">" – " {what.clone()}</span> }
    };
    // A signed-in volunteer acts on the cell with a plain form post.
    let post = |url: &'static str, key: &str, primary: bool| {
        view! {
            <form method="post" action=url>
                <input type="hidden" name="token" value=token.clone()/>
                <input type="hidden" name="station_id" value=cell.station_id.to_string()/>
                <input type="hidden" name="day" value=cell.day.to_string()/>
                <input type="hidden" name="task_type_id" value=cell.task_type_id.to_string()/>
                <button type="submit" class=class(primary)>{label(key)}</button>
            </form>
        }
        .into_any()
    };
    // Someone new signs up first.
    let sign_up = |key: &str, primary: bool| {
        view! { <a class=class(primary) href=newcomer_href.clone()>{label(key)}</a> }.into_any()
    };
    let action = match (cell.free > 0, cell.my_place.zip(cell.my_standby)) {
        (true, _) if visitor.can_take => post(TakeSeat::url(), "signup.take", true),
        (true, _) if !visitor.signed_in => sign_up("signup.take", true),
        (false, Some((place, id))) => view! {
            <p class="standby-place"><strong>{t_with("standby.your_place", &[("n", &place.to_string())])}</strong></p>
            <form method="post" action=LeaveStandby::url()>
                <input type="hidden" name="id" value=id.to_string()/>
                <input type="hidden" name="back" value=format!("/join/{token}")/>
                <button type="submit" class="btn btn-secondary">{label("standby.leave")}</button>
            </form>
        }
        .into_any(),
        (false, None) if visitor.can_take => post(JoinStandby::url(), "standby.join", false),
        (false, None) if !visitor.signed_in => sign_up("standby.join", false),
        _ => ().into_any(),
    };
    let count = if cell.free > 0 {
        t_with("signup.free", &[("n", &cell.free.to_string())])
    } else {
        t_with("standby.full", &[("n", &cell.waiting.to_string())])
    };
    view! {
        <li class="card roster-line">
            <h3 class="member-name">{cell.task_type.clone()}</h3>
            <p><strong>{when.clone()}</strong></p>
            <p>{count} " · " {t("common.dkk").replace("{n}", &cell.payment_dkk.to_string())}</p>
            {(!cell.description.is_empty()).then(|| view! { <p>{cell.description.clone()}</p> })}
            {action}
        </li>
    }
}

/// The team page's list of links, and a form for a new team link.
#[component]
pub fn TeamLinksSection(team_id: Id) -> impl IntoView {
    let data = Resource::new(move || team_id, load_team_links);
    view! {
        <section class="card" aria-labelledby="links-heading">
            <h2 id="links-heading">{t("signup.links")}</h2>
            <p>{t("signup.links_explained")}</p>
            <Loaded resource=data view={move |d: TeamLinks| view! {
                <ul class="link-list" id="link-list" aria-label=t("signup.open_links")>
                {d.links.iter().filter(|l| !l.revoked).map(|l| {
                    let narrowed = link_summary(&l.filters, &d);
                    let ends = l.expires_at.map(|end| {
                        let last = long_date(crate::i18n::copenhagen_date(end - 1));
                        if l.works_at(d.now) {
                            t_with("signup.works_until", &[("day", &last)])
                        } else {
                            t_with("signup.ended_on", &[("day", &last)])
                        }
                    });
                    view! {
                        <li class="link-line" data-link=l.id.to_string()>
                            <p>
                                {l.election_title.clone()} " · " {narrowed} " · " {t_with("signup.made_by", &[("by", &l.created_by), ("when", &date_time_at(l.created_at))])}
                                {ends.map(|e| view! { " · " <strong>{e}</strong> })}
                            </p>
                            <form method="post" action=RevokeLink::url()>
                                <input type="hidden" name="id" value=l.id.to_string()/>
                                <button type="submit" class="btn btn-secondary btn-small">{t("signup.revoke")}</button>
                            </form>
                        </li>
                    }
                }).collect_view()}
                </ul>
                {(!d.elections.is_empty()).then(|| view! {
                    <NewLinkForm texts=Texts::of(&["signup.new_link", "signup.new_link_once"])>
                        <input type="hidden" name="team_id" value=team_id.to_string()/>
                        <div class="field">
                            <label for="link-election">{t("signup.for_election")}</label>
                            <select id="link-election" name="election_id">
                                {d.elections.iter().map(|(id, title)| view! { <option value=id.to_string()>{title.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                        <p class="hint">{t("signup.narrow_hint")}</p>
                        <div class="field">
                            <label for="link-area">{t("signup.only_area")}</label>
                            <select id="link-area" name="area_id">
                                <option value="">{t("signup.any_area")}</option>
                                {d.areas.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="link-station">{t("signup.only_station")}</label>
                            <select id="link-station" name="station_id">
                                <option value="">{t("signup.any_station")}</option>
                                {d.stations.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="link-task">{t("signup.only_task")}</label>
                            <select id="link-task" name="task_type_id">
                                <option value="">{t("signup.any_task")}</option>
                                {d.task_types.iter().map(|(id, title)| view! { <option value=id.to_string()>{title.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="link-day">{t("signup.only_day")}</label>
                            <input id="link-day" name="day" type="date"/>
                        </div>
                        <div class="field">
                            <label for="link-until">{t("signup.until")}</label>
                            <input id="link-until" name="until" type="date" aria-describedby="link-until-hint"/>
                            <p id="link-until-hint" class="hint">{t("signup.until_hint")}</p>
                        </div>
                        <button type="submit" class="btn btn-primary">{t("signup.make_link")}</button>
                    </NewLinkForm>
                })}
            }}/>
        </section>
    }
}

/// The form for a new link (its fields are `children`). The server keeps
/// only a hash of the link's token, so its address is shown once, here,
/// right after it is made; the list above is fetched fresh to include it.
#[island]
fn NewLinkForm(texts: Texts, children: Children) -> impl IntoView {
    texts.install();
    let create = ServerAction::<CreateLink>::new();
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            #[cfg(feature = "hydrate")]
            leptos::task::spawn_local(async {
                let here = window().location().href().unwrap_or_default();
                let _ = crate::browser::swap_in(&here, &["link-list"]).await;
            });
        }
    });
    let made = move || {
        create.value().get().and_then(Result::ok).map(|url| {
            view! {
                <div class="field new-link">
                    <label for="new-link">{t("signup.new_link")}</label>
                    <input id="new-link" type="text" readonly=true value=url aria-describedby="new-link-hint"/>
                    <p id="new-link-hint" class="hint">{t("signup.new_link_once")}</p>
                </div>
            }
        })
    };
    view! {
        {made}
        <ActionError action=create/>
        <ActionForm action=create>{children()}</ActionForm>
    }
}

/// "Whole team" or what a shift link is narrowed to, in words.
fn link_summary(filters: &crate::domain::signup::LinkFilters, d: &TeamLinks) -> String {
    if filters.is_team_link() {
        return t("signup.whole_team");
    }
    let name = |list: &[(Id, String)], id: &Id| {
        list.iter()
            .find(|(i, _)| i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let mut parts: Vec<String> = Vec::new();
    parts.extend(filters.areas.iter().map(|id| name(&d.areas, id)));
    parts.extend(filters.stations.iter().map(|id| name(&d.stations, id)));
    parts.extend(filters.task_types.iter().map(|id| name(&d.task_types, id)));
    parts.extend(filters.days.iter().map(|day| long_date(*day)));
    t_with("signup.only", &[("what", &parts.join(", "))])
}
