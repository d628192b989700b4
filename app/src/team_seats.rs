//! A team's seats across stations (`/teams/:id/seats`), as a party
//! secretary sees them: filled, invited and open per station, day and task,
//! and inviting one of the team's members to an open seat from there.

use crate::components::Loaded;
use crate::domain::teams::{Team, TeamSeatCell};
use crate::domain::{AppError, Id};
use crate::i18n::{short_date, t, t_with};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Days a member has to answer an invitation sent from here, unless changed.
pub const RESPOND_DAYS: i64 = 7;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamSeatsData {
    pub team: Team,
    pub cells: Vec<TeamSeatCell>,
    /// The team's members who can be invited: id, name, and the days on
    /// which they already hold one of the team's seats.
    pub members: Vec<(Id, String, Vec<chrono::NaiveDate>)>,
    /// The viewer may invite (the team's leaders and the office's planners).
    pub can_invite: bool,
}

#[server(endpoint = "teams/seats")]
pub async fn load_team_seats(team_id: Id) -> Result<TeamSeatsData, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(user.can_view_team(team_id))?;
        let team = ctx.storage.get_team(team_id).await?;
        let today = ctx.today();
        let can_invite = user.can_manage_team(team_id);
        let members = if can_invite {
            ctx.storage
                .team_members(team_id, today)
                .await?
                .into_iter()
                .map(|m| {
                    let days = m.shifts.iter().map(|s| s.day).collect();
                    (m.contact.volunteer_id, m.contact.name, days)
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(TeamSeatsData {
            cells: ctx.storage.team_seat_cells(team_id, today).await?,
            team,
            members,
            can_invite,
        })
    })
    .await
}

/// Invites a member of the team to one of the team's open seats. The seat
/// must be the team's, the person a member, and eligible and free then.
#[server(endpoint = "teams/invite")]
pub async fn invite_member(
    team_id: Id,
    seat_id: Id,
    volunteer_id: String,
    respond_days: String,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(user.can_manage_team(team_id))?;
        let volunteer_id = crate::domain::forms::id("volunteer_id", &volunteer_id)?;
        let days = crate::domain::forms::int_in(
            "respond_days",
            &respond_days,
            1,
            crate::shifts::MAX_RESPOND_DAYS,
        )?;
        let seat = ctx.storage.seat_details(seat_id).await?;
        if seat.team_id != team_id {
            return Err(AppError::Forbidden);
        }
        if seat.status != crate::domain::seats::SeatStatus::Open {
            return Err(AppError::refused("seats.taken"));
        }
        let member = ctx
            .storage
            .volunteer_teams(volunteer_id)
            .await?
            .iter()
            .any(|(id, _)| *id == team_id);
        if !member {
            return Err(AppError::invalid("volunteer_id", "team_seats.not_member"));
        }
        let volunteer = crate::shifts::eligible_for(&ctx, volunteer_id, &seat).await?;
        crate::shifts::invite(&ctx, seat, &volunteer, ctx.now() + days * 86_400).await?;
        (ctx.wake_outbox)();
        crate::server::redirect_to(&format!("/teams/{team_id}/seats?invited=1"));
        Ok(())
    })
    .await
}

#[component]
pub fn TeamSeatsPage() -> impl IntoView {
    let id = crate::components::route_id("id");
    let query = leptos_router::hooks::use_query_map();
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_team_seats(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let chosen = move || query.read().get("seat").and_then(|s| s.parse::<Id>().ok());
    let invited = move || query.read().get("invited").is_some();
    view! {
        <Loaded resource=data view=move |d: TeamSeatsData| view! {
            <TeamSeatsView data=d chosen=chosen() invited=invited()/>
        }/>
    }
}

#[component]
fn TeamSeatsView(data: TeamSeatsData, chosen: Option<Id>, invited: bool) -> impl IntoView {
    let d = data;
    let team_id = d.team.id;
    let title = t_with("team_seats.title", &[("team", &d.team.name)]);
    let open: i64 = d.cells.iter().map(|c| c.open).sum();
    let invite_cell =
        chosen.and_then(|seat| d.cells.iter().find(|c| c.first_open == Some(seat)).cloned());
    // One table per election.
    let mut elections: Vec<(String, Vec<TeamSeatCell>)> = Vec::new();
    for cell in d.cells {
        match elections.last_mut() {
            Some((title, cells)) if *title == cell.election_title => cells.push(cell),
            _ => elections.push((cell.election_title.clone(), vec![cell])),
        }
    }
    let can_invite = d.can_invite;
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <p class="toolbar">
            <a href=format!("/teams/{team_id}/members")>{t("team_seats.members")}</a>
        </p>
        {invited.then(|| view! { <p class="alert alert-success" role="status">{t("team_seats.invited")}</p> })}
        <p class="board-summary" data-testid="team-open">{t_with("team_seats.open_total", &[("n", &open.to_string())])}</p>
        {match (invite_cell, can_invite) {
            (Some(cell), true) => view! { <InviteForm team_id cell members=d.members.clone()/> }.into_any(),
            _ => ().into_any(),
        }}
        {if elections.is_empty() {
            view! { <p class="empty">{t("team_seats.none")}</p> }.into_any()
        } else {
            elections.into_iter().map(|(election, cells)| view! {
                <ElectionCells election cells team_id can_invite/>
            }).collect_view().into_any()
        }}
    }
}

#[component]
fn ElectionCells(
    election: String,
    cells: Vec<TeamSeatCell>,
    team_id: Id,
    can_invite: bool,
) -> impl IntoView {
    view! {
        <section class="card">
            <h2>{election.clone()}</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label=election>
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">{t("team_seats.station")}</th>
                            <th scope="col">{t("team_seats.day")}</th>
                            <th scope="col">{t("team_seats.task")}</th>
                            <th scope="col">{t("status.accepted")}</th>
                            <th scope="col">{t("status.invited")}</th>
                            <th scope="col">{t("status.open")}</th>
                            {can_invite.then(|| view! { <th scope="col"><span class="visually-hidden">{t("team_seats.invite")}</span></th> })}
                        </tr>
                    </thead>
                    <tbody>
                        {cells.into_iter().map(|c| {
                            let invite = c.first_open.filter(|_| can_invite).map(|seat| {
                                let label = t_with("team_seats.invite_to", &[("task", &c.task_type), ("station", &c.station_name)]);
                                view! {
                                    <a class="btn btn-secondary btn-small" aria-label=label
                                        href=format!("/teams/{team_id}/seats?seat={seat}#invite")>{t("team_seats.invite")}</a>
                                }
                            });
                            view! {
                                <tr class:gap={c.open > 0}>
                                    <th scope="row">{c.station_name.clone()}</th>
                                    <td>{short_date(c.day)} " " {c.start_time.format("%H:%M").to_string()}</td>
                                    <td>{c.task_type.clone()}</td>
                                    <td>{c.accepted}</td>
                                    <td>{c.invited}</td>
                                    <td>{c.open}</td>
                                    {can_invite.then(|| view! { <td>{invite}</td> })}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn InviteForm(
    team_id: Id,
    cell: TeamSeatCell,
    members: Vec<(Id, String, Vec<chrono::NaiveDate>)>,
) -> impl IntoView {
    let seat = cell.first_open.unwrap_or_default();
    // Those free that day first; the others are marked (the server refuses
    // a clash either way).
    let mut members: Vec<(Id, String, bool)> = members
        .into_iter()
        .map(|(id, name, days)| (id, name, days.contains(&cell.day)))
        .collect();
    members.sort_by_key(|m| m.2);
    view! {
        <section class="card" id="invite" aria-labelledby="invite-heading">
            <h2 id="invite-heading">
                {t_with("team_seats.invite_to", &[("task", &cell.task_type), ("station", &cell.station_name)])}
            </h2>
            <p>{short_date(cell.day)} " " {cell.start_time.format("%H:%M").to_string()} "–" {cell.end_time.format("%H:%M").to_string()}</p>
            {if members.is_empty() {
                view! { <p class="empty">{t("team_seats.no_members")}</p> }.into_any()
            } else {
                view! {
                    <form method="post" action=InviteMember::url()>
                        <input type="hidden" name="team_id" value=team_id.to_string()/>
                        <input type="hidden" name="seat_id" value=seat.to_string()/>
                        <div class="field">
                            <label for="invite-member">{t("team_seats.member")}</label>
                            <select id="invite-member" name="volunteer_id" required=true>
                                {members.into_iter().map(|(id, name, busy)| {
                                    let text = if busy { t_with("team_seats.busy", &[("name", &name)]) } else { name };
                                    view! { <option value=id.to_string()>{text}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="invite-days">{t("team_seats.respond_days")}</label>
                            <input id="invite-days" name="respond_days" type="number" min="1" max="30"
                                value=RESPOND_DAYS.to_string() required=true/>
                        </div>
                        <button type="submit" class="btn btn-primary">{t("team_seats.invite_go")}</button>
                    </form>
                }.into_any()
            }}
        </section>
    }
}
