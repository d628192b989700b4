//! Sign-up links: coordinators and team leaders make a link for a team (any
//! of its open seats, or narrowed to a station, task type and day) and share
//! it; the link's page is public and shows the open shifts; a signed-in
//! volunteer takes one in a tap. The last seat goes to exactly one person.

use crate::components::{ActionError, Loaded};
use crate::domain::signup::{OpenCell, SignupLink};
use crate::domain::{AppError, Id};
use crate::i18n::{date_time_at, long_date, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// A team's links and the elections a new one can be for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamLinks {
    pub links: Vec<SignupLink>,
    pub elections: Vec<(Id, String)>,
    pub public_url: String,
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
            public_url: ctx.settings.public_url.clone(),
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

#[server(endpoint = "signup/create")]
pub async fn create_link(
    election_id: Id,
    team_id: Id,
    station_id: String,
    task_type_id: String,
    day: String,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(may_share(&user, team_id))?;
        let election = ctx.storage.get_election(election_id).await?;
        ctx.storage.get_team(team_id).await?;
        let station = crate::elections::optional_id(&station_id)?;
        let task = crate::elections::optional_id(&task_type_id)?;
        let day = match day.trim() {
            "" => None,
            raw => Some(crate::domain::forms::date("day", raw)?),
        };
        if let Some(day) = day {
            if !election.covers(day) {
                return Err(AppError::invalid("day", "signup.day_outside"));
            }
        }
        if let Some(station) = station {
            if !election.station_ids.contains(&station) {
                return Err(AppError::invalid("station_id", "error.unknown_choice"));
            }
        }
        if let Some(task) = task {
            ctx.storage.get_task_type(task).await?;
        }
        let filters = crate::domain::signup::LinkFilters {
            stations: station.into_iter().collect(),
            task_types: task.into_iter().collect(),
            days: day.into_iter().collect(),
        };
        let token = (ctx.new_secret)();
        ctx.storage
            .create_link(&token, election_id, team_id, &filters, user.id, ctx.now())
            .await?;
        crate::server::redirect_to(&format!("/teams/{team_id}/members"));
        Ok(())
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

/// A link that still works: not closed, and for an active election.
#[cfg(feature = "ssr")]
async fn live_link(
    ctx: &crate::server::ServerContext,
    token: &str,
) -> Result<SignupLink, AppError> {
    ctx.storage
        .link_by_token(token.trim())
        .await?
        .filter(|l| l.election_active)
        .ok_or_else(|| AppError::refused("signup.link_gone"))
}

/// What the public page of a link shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JoinData {
    pub election: String,
    pub team: String,
    pub created_by: String,
    pub cells: Vec<OpenCell>,
    /// The visitor is signed in with a volunteer record and can take a seat.
    pub can_take: bool,
    pub signed_in: bool,
}

#[server(endpoint = "signup/open")]
pub async fn open_link(token: String) -> Result<JoinData, AppError> {
    crate::server::guarded(async move {
        let ctx = crate::server::context()?;
        let link = live_link(&ctx, &token).await?;
        let user = crate::server::current_user().await?;
        Ok(JoinData {
            cells: ctx.storage.open_cells(&link).await?,
            election: link.election_title,
            team: link.team,
            created_by: link.created_by,
            can_take: user.as_ref().is_some_and(|u| u.volunteer_id.is_some()),
            signed_in: user.is_some(),
        })
    })
    .await
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
        use crate::domain::notifications::MessageKind;
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer_id = user.volunteer_id.ok_or(AppError::Forbidden)?;
        let link = live_link(&ctx, &token).await?;
        let day = crate::domain::forms::date("day", &day)?;
        // The cell's words for the confirmation (any of its open seats).
        let open = ctx
            .storage
            .open_seats(
                link.election_id,
                station_id,
                day,
                link.team_id,
                task_type_id,
            )
            .await?;
        let any = *open
            .first()
            .ok_or_else(|| AppError::refused("signup.gone"))?;
        let mut seat = ctx.storage.seat_details(any).await?;
        let volunteer = ctx.storage.get_volunteer(volunteer_id).await?;
        crate::shifts::refuse_ineligible(&ctx, &volunteer, link.election_id, task_type_id, day)
            .await?;
        seat.volunteer_id = Some(volunteer_id);
        seat.volunteer_name = Some(volunteer.name.clone());
        seat.volunteer_language = Some(volunteer.language.as_str().to_string());
        let now = ctx.now();
        let message = crate::shifts::seat_message(
            &ctx.settings.public_url,
            &seat,
            MessageKind::RegistrationConfirmation,
            &format!("take:{now}"),
        );
        let taken = ctx
            .storage
            .take_seat(
                &link,
                station_id,
                day,
                task_type_id,
                volunteer_id,
                now,
                message,
            )
            .await?;
        (ctx.wake_outbox)();
        crate::server::redirect_to(&format!("/my-shifts#seat-{taken}"));
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
        <Loaded resource=data view={move |d: JoinData| view! { <JoinView data=d token=token()/> }}/>
    }
}

#[component]
fn JoinView(data: JoinData, token: String) -> impl IntoView {
    let title = t_with("signup.title", &[("election", &data.election)]);
    // Group by station, then day, in the order the server gave.
    let mut groups: Vec<(String, String, Vec<OpenCell>)> = Vec::new();
    for cell in data.cells {
        match groups.last_mut() {
            Some((station, _, cells)) if *station == cell.station => cells.push(cell),
            _ => groups.push((cell.station.clone(), cell.address.clone(), vec![cell])),
        }
    }
    let (can_take, signed_in) = (data.can_take, data.signed_in);
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <p>{t_with("signup.for_team", &[("team", &data.team), ("by", &data.created_by)])}</p>
        {(!signed_in).then(|| view! {
            <div class="alert alert-info" role="note">
                <p>{t("signup.sign_in_first")} " " <a href="/signin">{t("auth.sign_in")}</a></p>
            </div>
        })}
        {(signed_in && !can_take).then(|| view! {
            <div class="alert alert-info" role="note"><p>{t("signup.no_volunteer")}</p></div>
        })}
        {if groups.is_empty() {
            view! { <p class="empty">{t("signup.none")}</p> }.into_any()
        } else {
            groups.into_iter().map(|(station, address, cells)| view! {
                <section class="roster-day">
                    <h2>{station}</h2>
                    <p class="muted">{address}</p>
                    <ul class="roster">
                        {cells.into_iter().map(|c| view! { <CellCard cell=c token=token.clone() can_take/> }).collect_view()}
                    </ul>
                </section>
            }).collect_view().into_any()
        }}
    }
}

#[component]
fn CellCard(cell: OpenCell, token: String, can_take: bool) -> impl IntoView {
    let when = format!(
        "{} {}–{}",
        long_date(cell.day),
        cell.start_time.format("%H:%M"),
        cell.end_time.format("%H:%M")
    );
    view! {
        <li class="card roster-line">
            <h3 class="member-name">{cell.task_type.clone()}</h3>
            <p><strong>{when.clone()}</strong></p>
            <p>{t_with("signup.free", &[("n", &cell.free.to_string())])} " · "
                {t("common.dkk").replace("{n}", &cell.payment_dkk.to_string())}</p>
            {(!cell.description.is_empty()).then(|| view! { <p>{cell.description.clone()}</p> })}
            {can_take.then(|| view! {
                <form method="post" action=TakeSeat::url()>
                    <input type="hidden" name="token" value=token.clone()/>
                    <input type="hidden" name="station_id" value=cell.station_id.to_string()/>
                    <input type="hidden" name="day" value=cell.day.to_string()/>
                    <input type="hidden" name="task_type_id" value=cell.task_type_id.to_string()/>
                    <button type="submit" class="btn btn-primary">
                        {t("signup.take")}<span class="visually-hidden">" – " {cell.task_type.clone()} " " {when}</span>
                    </button>
                </form>
            })}
        </li>
    }
}

/// The team page's list of links, and a form for a new team link.
#[component]
pub fn TeamLinksSection(team_id: Id) -> impl IntoView {
    let create = ServerAction::<CreateLink>::new();
    let data = Resource::new(
        move || (team_id, create.version().get()),
        |(team, _)| load_team_links(team),
    );
    view! {
        <section class="card" aria-labelledby="links-heading">
            <h2 id="links-heading">{t("signup.links")}</h2>
            <p>{t("signup.links_explained")}</p>
            <Loaded resource=data view={move |d: TeamLinks| view! {
                {d.links.iter().filter(|l| !l.revoked).map(|l| {
                    let url = format!("{}/join/{}", d.public_url, l.token);
                    let field = format!("link-{}", l.id);
                    view! {
                        <div class="field">
                            <label for=field.clone()>
                                {l.election_title.clone()} " · " {t_with("signup.made_by", &[("by", &l.created_by), ("when", &date_time_at(l.created_at))])}
                            </label>
                            <input id=field type="text" readonly=true value=url/>
                            <form method="post" action=RevokeLink::url()>
                                <input type="hidden" name="id" value=l.id.to_string()/>
                                <button type="submit" class="btn btn-secondary btn-small">{t("signup.revoke")}</button>
                            </form>
                        </div>
                    }
                }).collect_view()}
                {(!d.elections.is_empty()).then(|| view! {
                    <ActionError action=create/>
                    <ActionForm action=create>
                        <input type="hidden" name="team_id" value=team_id.to_string()/>
                        <input type="hidden" name="station_id" value=""/>
                        <input type="hidden" name="task_type_id" value=""/>
                        <input type="hidden" name="day" value=""/>
                        <div class="field">
                            <label for="link-election">{t("signup.for_election")}</label>
                            <select id="link-election" name="election_id">
                                {d.elections.iter().map(|(id, title)| view! { <option value=id.to_string()>{title.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                        <button type="submit" class="btn btn-primary">{t("signup.make_link")}</button>
                    </ActionForm>
                })}
            }}/>
        </section>
    }
}
