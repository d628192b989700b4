//! Station rosters: who sits where at a station, day by day, with phone and
//! email — for the station's managers, the coordinators of its area and the
//! election office. Every view is written to the audit log.

use crate::components::{route_id, Loaded};
use crate::domain::rosters::RosterLine;
use crate::domain::stations::Station;
use crate::domain::{AppError, Id};
use crate::i18n::{long_date, t, t_with};
use crate::volunteers::{ContactLinks, StatusBadge};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RosterData {
    pub station: Station,
    /// Active elections with seats at this station: (id, title).
    pub elections: Vec<(Id, String)>,
    pub election_id: Option<Id>,
    pub lines: Vec<RosterLine>,
    /// The viewer may invite people to open seats here.
    pub can_invite: bool,
    /// Teams to move open seats to and to invite from: (id, name), for
    /// those who may invite.
    pub teams: Vec<(Id, String)>,
}

#[server(endpoint = "rosters/station")]
pub async fn load_roster(station_id: Id, election_id: Option<Id>) -> Result<RosterData, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        // Managers of other stations are refused before anything is looked up.
        crate::server::allow(user.manages_station(station_id) || user.can_view_plan())?;
        let station = ctx.storage.get_station(station_id).await?;
        crate::server::allow(user.can_view_roster(station_id, station.area_id))?;
        let mut elections = Vec::new();
        for e in ctx
            .storage
            .list_elections()
            .await?
            .into_iter()
            .filter(|e| e.active)
        {
            if !ctx.storage.seat_days(e.id, station_id).await?.is_empty() {
                elections.push((e.id, e.title));
            }
        }
        let chosen = election_id
            .filter(|id| elections.iter().any(|(e, _)| e == id))
            .or_else(|| elections.first().map(|(id, _)| *id));
        let can_invite = user.can_plan_area(station.area_id);
        let mut lines = match chosen {
            Some(e) => ctx.storage.station_roster(e, station_id).await?,
            None => Vec::new(),
        };
        // Why people left a seat is for the office and the area's
        // coordinators, not for every station manager.
        if !can_invite {
            for line in &mut lines {
                line.history.clear();
            }
        }
        if lines
            .iter()
            .any(|l| l.person.is_some() || !l.history.is_empty())
        {
            crate::server::audit(
                &ctx,
                Some(&user),
                crate::domain::audit::AuditAction::ContactViewed,
                &format!("station {station_id}"),
                &station.name,
            )
            .await;
        }
        let teams = if can_invite {
            crate::server::choices::teams(&ctx).await?
        } else {
            Vec::new()
        };
        Ok(RosterData {
            can_invite,
            teams,
            station,
            elections,
            election_id: chosen,
            lines,
        })
    })
    .await
}

/// Where a seat is on its station's roster: the roster shows one election
/// at a time, so the address names the seat's.
pub fn seat_on_roster(station_id: Id, election_id: Id, seat_id: Id) -> String {
    format!("/stations/{station_id}/roster?election={election_id}#seat-{seat_id}")
}

/// The office answers an invitation for the person on the seat (they
/// phoned in): "accept" or "decline", with the reason for a no.
#[server(endpoint = "rosters/answer_for")]
pub async fn answer_for(
    seat_id: Id,
    answer: String,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        use crate::domain::notifications::MessageKind;
        let (ctx, user) = crate::server::require_area_planner().await?;
        let seat = ctx.storage.seat_details(seat_id).await?;
        crate::server::allow(user.can_plan_area(seat.area_id))?;
        let accept = match answer.trim() {
            "accept" => true,
            "decline" => false,
            _ => return Err(AppError::invalid("answer", "error.unknown_choice")),
        };
        let reason = crate::domain::forms::optional_text("reason", &reason, 500)?;
        let volunteer = seat
            .volunteer_id
            .ok_or_else(|| AppError::refused("shifts.not_invited"))?;
        let now = ctx.now();
        let message = accept.then(|| {
            crate::shifts::seat_message(
                &ctx.settings.public_url,
                &seat,
                MessageKind::RegistrationConfirmation,
                &format!("office:{now}"),
            )
        });
        ctx.storage
            .answer_invitation(seat_id, volunteer, accept, &reason, now, message.as_ref())
            .await?;
        (ctx.wake_outbox)();
        crate::server::redirect_to(&seat_on_roster(seat.station_id, seat.election_id, seat_id));
        Ok(())
    })
    .await
}

/// The office takes a person off a seat, with the reason kept; with a
/// replacement's email the seat goes to them in the same step. The leaver
/// is told they were taken off, the newcomer gets an invitation.
#[server(endpoint = "rosters/remove")]
pub async fn remove_from_seat(
    seat_id: Id,
    reason: String,
    #[server(default)] replacement: String,
    #[server(default)] respond_days: String,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        use crate::domain::notifications::MessageKind;
        let (ctx, user) = crate::server::require_area_planner().await?;
        let seat = ctx.storage.seat_details(seat_id).await?;
        crate::server::allow(user.can_plan_area(seat.area_id))?;
        let reason = crate::domain::forms::required_text("reason", &reason)?;
        let Some(holder) = seat.volunteer_id else {
            return Err(AppError::refused("seats.nobody_to_remove"));
        };
        let now = ctx.now();
        let mut messages = vec![crate::shifts::seat_message(
            &ctx.settings.public_url,
            &seat,
            MessageKind::RemovedFromShift,
            &format!("office:{now}"),
        )];
        let newcomer = match replacement.trim() {
            "" => None,
            raw => {
                let email = crate::domain::volunteers::EmailAddress::parse("replacement", raw)?;
                let days = crate::domain::forms::int_in(
                    "respond_days",
                    &respond_days,
                    1,
                    crate::shifts::MAX_RESPOND_DAYS,
                )?;
                let id = ctx
                    .storage
                    .find_volunteer_by_email(email.as_str())
                    .await?
                    .ok_or_else(|| AppError::invalid("replacement", "shifts.no_such_volunteer"))?;
                let volunteer = crate::shifts::eligible_for(&ctx, id, &seat).await?;
                let respond_by = now + days * 86_400;
                let mut offered = seat.clone().with_volunteer(&volunteer);
                offered.respond_by = Some(respond_by);
                messages.push(crate::shifts::seat_message(
                    &ctx.settings.public_url,
                    &offered,
                    MessageKind::Invitation,
                    &format!("{now}"),
                ));
                Some((id, respond_by))
            }
        };
        ctx.storage
            .remove_from_seat(seat_id, holder, &reason, newcomer, now, &messages)
            .await?;
        (ctx.wake_outbox)();
        crate::server::redirect_to(&seat_on_roster(seat.station_id, seat.election_id, seat_id));
        Ok(())
    })
    .await
}

/// Gives an open seat to another team (its standby queue is offered it).
#[server(endpoint = "rosters/move_seat")]
pub async fn move_seat(seat_id: Id, team_id: String) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_area_planner().await?;
        let seat = ctx.storage.seat_details(seat_id).await?;
        crate::server::allow(user.can_plan_area(seat.area_id))?;
        let team = crate::domain::forms::id("team_id", &team_id)?;
        crate::server::choices::require_team(&ctx, "team_id", team).await?;
        if team == seat.team_id {
            return Err(AppError::invalid("team_id", "rosters.same_team"));
        }
        ctx.storage.move_open_seat(seat_id, team, ctx.now()).await?;
        (ctx.wake_outbox)();
        crate::server::redirect_to(&seat_on_roster(seat.station_id, seat.election_id, seat_id));
        Ok(())
    })
    .await
}

/// What inviting a whole team did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamInvited {
    pub invited: i64,
    /// The team's open seats at the station that day still without anyone.
    pub left: i64,
}

/// Invites a team's members to the team's open seats at a station on a day:
/// for each seat the best-ranked member who is eligible and free, one seat
/// each.
#[server(endpoint = "rosters/invite_team")]
pub async fn invite_team(
    station_id: Id,
    election_id: Id,
    team_id: String,
    day: String,
    respond_days: String,
) -> Result<TeamInvited, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_area_planner().await?;
        let station = ctx.storage.get_station(station_id).await?;
        crate::server::allow(user.can_plan_area(station.area_id))?;
        let team = crate::domain::forms::id("team_id", &team_id)?;
        crate::server::choices::require_team(&ctx, "team_id", team).await?;
        let day = crate::domain::forms::date("day", &day)?;
        if !ctx
            .storage
            .seat_days(election_id, station_id)
            .await?
            .contains(&day)
        {
            return Err(AppError::invalid("day", "error.unknown_choice"));
        }
        let days = crate::domain::forms::int_in(
            "respond_days",
            &respond_days,
            1,
            crate::shifts::MAX_RESPOND_DAYS,
        )?;
        let respond_by = ctx.now() + days * 86_400;
        let mut seats = Vec::new();
        for cell in ctx.storage.seat_plan(election_id, station_id, day).await? {
            if cell.team_id == team && cell.counts.open > 0 {
                seats.extend(
                    ctx.storage
                        .open_seats(election_id, station_id, day, team, cell.task_type_id)
                        .await?,
                );
            }
        }
        let mut done = TeamInvited {
            invited: 0,
            left: 0,
        };
        let mut chosen = Vec::new();
        for seat_id in seats {
            let seat = ctx.storage.seat_details(seat_id).await?;
            // Eligible and free now: earlier invitations of this run count.
            let best = crate::candidates::ranked_candidates(&ctx, &seat)
                .await?
                .into_iter()
                .find(|c| c.team_member && !chosen.contains(&c.volunteer_id));
            let Some(c) = best else {
                done.left += 1;
                continue;
            };
            let volunteer = ctx.storage.get_volunteer(c.volunteer_id).await?;
            chosen.push(c.volunteer_id);
            // Someone else may take the seat, or the person another seat,
            // meanwhile: that seat stays open and the rest go on.
            match crate::shifts::invite(&ctx, seat, &volunteer, respond_by).await {
                Ok(()) => done.invited += 1,
                Err(AppError::Refused { .. }) => done.left += 1,
                Err(other) => return Err(other),
            }
        }
        (ctx.wake_outbox)();
        crate::server::redirect_back(&[
            ("invited", &done.invited.to_string()),
            ("left", &done.left.to_string()),
        ]);
        Ok(done)
    })
    .await
}

/// The stations the signed-in person manages.
#[server(endpoint = "rosters/mine")]
pub async fn load_my_stations() -> Result<Vec<Station>, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        let mut stations = Vec::new();
        for &id in user.stations.iter().filter(|&&id| user.manages_station(id)) {
            stations.push(ctx.storage.get_station(id).await?);
        }
        stations.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(stations)
    })
    .await
}

#[component]
pub fn MyStationsPage() -> impl IntoView {
    let stations = Resource::new(|| (), |_| load_my_stations());
    view! {
        <Title text=t("rosters.mine")/>
        <h1>{t("rosters.mine")}</h1>
        <Loaded resource=stations view={|list: Vec<Station>| if list.is_empty() {
            view! { <p class="empty">{t("rosters.mine_none")}</p> }.into_any()
        } else {
            view! {
                <ul class="cards plain-list">
                    {list.into_iter().map(|s| view! {
                        <li class="card">
                            <h2><a href=format!("/stations/{}/roster", s.id)>{s.name.clone()}</a></h2>
                            <p>{s.address.clone()} ", " {s.postal_code.clone()} " " {s.city.clone()}</p>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}/>
    }
}

#[component]
pub fn RosterPage() -> impl IntoView {
    let id = route_id("id");
    let query = leptos_router::hooks::use_query_map();
    let election = move || {
        query
            .read()
            .get("election")
            .and_then(|v| v.parse::<Id>().ok())
    };
    let data = Resource::new(
        move || (id(), election()),
        |(id, election)| async move {
            match id {
                Some(id) => load_roster(id, election).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // After inviting a whole team, what it came to (see `invite_team`).
    let done = move || {
        let q = query.read();
        Some((q.get("invited")?, q.get("left")?))
    };
    view! {
        <div role="status">
            {move || done().map(|(invited, left)| view! {
                <p class="alert alert-success">{t_with("rosters.team_invited", &[
                    ("invited", &invited),
                    ("left", &left),
                ])}</p>
            })}
        </div>
        <Loaded resource=data view=move |d: RosterData| view! { <RosterView data=d/> }/>
    }
}

#[component]
fn RosterView(data: RosterData) -> impl IntoView {
    let title = t_with("rosters.title", &[("station", &data.station.name)]);
    let station_id = data.station.id;
    let can_invite = data.can_invite;
    let teams = data.teams.clone();
    let mut days: Vec<(chrono::NaiveDate, Vec<RosterLine>)> = Vec::new();
    for line in data.lines {
        match days.last_mut() {
            Some((day, lines)) if *day == line.day => lines.push(line),
            _ => days.push((line.day, vec![line])),
        }
    }
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <p>{data.station.address.clone()} ", " {data.station.postal_code.clone()} " " {data.station.city.clone()}</p>
        <p><a class="btn btn-primary" href=format!("/stations/{station_id}/checkin")>{t("checkin.open")}</a></p>
        {(data.elections.len() > 1).then(|| view! {
            <nav class="day-tabs" aria-label=t("rosters.elections")>
                {data.elections.iter().map(|(id, name)| {
                    let current = (Some(*id) == data.election_id).then_some("page");
                    view! { <a href=format!("/stations/{station_id}/roster?election={id}") aria-current=current>{name.clone()}</a> }
                }).collect_view()}
            </nav>
        })}
        {(can_invite && !days.is_empty()).then(|| view! {
            <InviteTeamForm station_id election_id=data.election_id.unwrap_or_default()
                teams=teams.clone() days=days.iter().map(|(d, _)| *d).collect()/>
        })}
        {if days.is_empty() {
            view! { <p class="empty">{t("rosters.empty")}</p> }.into_any()
        } else {
            days.into_iter().map(|(day, lines)| view! {
                <section class="roster-day">
                    <h2>{long_date(day)}</h2>
                    <ul class="roster">
                        {lines.into_iter().map(|l| view! { <RosterItem line=l can_invite teams=teams.clone()/> }).collect_view()}
                    </ul>
                </section>
            }).collect_view().into_any()
        }}
    }
}

/// Invite a team's members to the team's open seats here on one day.
#[component]
fn InviteTeamForm(
    station_id: Id,
    election_id: Id,
    teams: Vec<(Id, String)>,
    days: Vec<chrono::NaiveDate>,
) -> impl IntoView {
    view! {
        <details class="invite">
            <summary class="btn btn-secondary">{t("rosters.invite_team")}</summary>
            <p>{t("rosters.invite_team_explained")}</p>
            <form class="form" method="post" action=InviteTeam::url()>
                <input type="hidden" name="station_id" value=station_id.to_string()/>
                <input type="hidden" name="election_id" value=election_id.to_string()/>
                <div class="field">
                    <label for="bulk-team">{t("field.team_id")}</label>
                    <select id="bulk-team" name="team_id">
                        {teams.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="bulk-day">{t("field.day")}</label>
                    <select id="bulk-day" name="day">
                        {days.into_iter().map(|d| view! { <option value=d.to_string()>{long_date(d)}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="bulk-days">{t("shifts.respond_days")}</label>
                    <input id="bulk-days" name="respond_days" type="number" min="1" max="30" value="7" required=true/>
                </div>
                <button type="submit" class="btn btn-primary">{t("rosters.invite_team_go")}</button>
            </form>
        </details>
    }
}

/// The people who were on a seat before, and why they left it.
#[component]
fn SeatHistory(history: Vec<crate::domain::rosters::SeatHistoryEntry>) -> impl IntoView {
    (!history.is_empty()).then(|| {
        view! {
            <details class="seat-history">
                <summary class="btn btn-secondary btn-small">{t_with("rosters.history", &[("n", &history.len().to_string())])}</summary>
                <ul class="plain-list">
                    {history.into_iter().map(|h| view! {
                        <li>
                            {crate::i18n::date_time_at(h.at)} " · " {h.name} " – " {t(&format!("rosters.event.{}", h.event))}
                            {(!h.reason.is_empty()).then(|| format!(": {}", h.reason))}
                        </li>
                    }).collect_view()}
                </ul>
            </details>
        }
    })
}

/// Give an open seat to another team.
#[component]
fn MoveSeat(seat_id: Id, label: String, teams: Vec<(Id, String)>) -> impl IntoView {
    let field = format!("move-team-{seat_id}");
    view! {
        <details class="invite">
            <summary class="btn btn-secondary btn-small">
                {t("rosters.move")}<span class="visually-hidden">" – " {label}</span>
            </summary>
            <form class="form" method="post" action=MoveSeat::url()>
                <input type="hidden" name="seat_id" value=seat_id.to_string()/>
                <div class="field">
                    <label for=field.clone()>{t("rosters.move_to")}</label>
                    <select id=field name="team_id">
                        {teams.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="btn btn-primary btn-small">{t("rosters.move_go")}</button>
            </form>
        </details>
    }
}

#[component]
fn RosterItem(line: RosterLine, can_invite: bool, teams: Vec<(Id, String)>) -> impl IntoView {
    let label = format!("{} {}", line.task_type, long_date(line.day));
    let open = line.person.is_none();
    let seat = line.seat_id.to_string();
    view! {
        <li class="card roster-line" id=format!("seat-{seat}")>
            <p class="roster-task">
                <strong>{line.task_type.clone()}</strong>
                " " {line.start_time.format("%H:%M").to_string()} "–" {line.end_time.format("%H:%M").to_string()}
                " · " {line.team.clone()} " " <StatusBadge status=line.status/>
            </p>
            {match line.person {
                Some(p) => view! {
                    <p class="roster-person">{p.name.clone()}</p>
                    <ContactLinks phone=p.phone email=p.email/>
                }.into_any(),
                None => view! { <p class="muted">{t("rosters.open_seat")}</p> }.into_any(),
            }}
            <SeatHistory history=line.history.clone()/>
            {(!open && can_invite).then(|| view! { <OfficeActions seat_id=line.seat_id invited=line.status == crate::domain::seats::SeatStatus::Invited/> })}
            {(open && can_invite).then(|| view! {
                <p><a class="btn btn-primary btn-small" href=format!("/seats/{seat}/candidates")>
                    {t("candidates.find")}<span class="visually-hidden">" – " {line.task_type.clone()} " " {long_date(line.day)}</span>
                </a></p>
                <details class="invite">
                    <summary class="btn btn-secondary btn-small">
                        {t("shifts.invite")}<span class="visually-hidden">" – " {line.task_type.clone()} " " {long_date(line.day)}</span>
                    </summary>
                    <form class="form" method="post" action=crate::shifts::InviteToSeat::url()>
                        <input type="hidden" name="seat_id" value=seat.clone()/>
                        <PersonAndDeadline id=format!("invite-{seat}") name="email" label="shifts.invite_email" required=true days=7/>
                        <button type="submit" class="btn btn-primary btn-small">{t("shifts.send_invite")}</button>
                    </form>
                </details>
                <MoveSeat seat_id=line.seat_id label=label.clone()
                    teams=teams.iter().filter(|(_, name)| *name != line.team).cloned().collect()/>
            })}
        </li>
    }
}

/// Whom to invite (by email) and how many days they have to answer: the
/// fields of inviting to an open seat and of replacing someone.
#[component]
fn PersonAndDeadline(
    id: String,
    name: &'static str,
    label: &'static str,
    required: bool,
    days: i64,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=format!("{id}-email")>{t(label)}</label>
            <input id=format!("{id}-email") name=name type="email" required=required autocomplete="off"/>
        </div>
        <div class="field">
            <label for=format!("{id}-days")>{t("shifts.respond_days")}</label>
            <input id=format!("{id}-days") name="respond_days" type="number" min="1"
                max=crate::shifts::MAX_RESPOND_DAYS.to_string() value=days.to_string() required=required/>
        </div>
    }
}

/// What the office can do about a held seat: answer for the person, take
/// them off (with the reason), or put someone else on it in one step.
#[component]
fn OfficeActions(seat_id: Id, invited: bool) -> impl IntoView {
    let seat = seat_id.to_string();
    view! {
        <details class="invite">
            <summary class="btn btn-secondary btn-small">{t("rosters.change")}</summary>
            {invited.then(|| view! {
                <div class="answer">
                    <form method="post" action=AnswerFor::url()>
                        <input type="hidden" name="seat_id" value=seat.clone()/>
                        <input type="hidden" name="answer" value="accept"/>
                        <button type="submit" class="btn btn-primary btn-small">{t("rosters.accept_for")}</button>
                    </form>
                    <form method="post" action=AnswerFor::url()>
                        <input type="hidden" name="seat_id" value=seat.clone()/>
                        <input type="hidden" name="answer" value="decline"/>
                        <button type="submit" class="btn btn-secondary btn-small">{t("rosters.decline_for")}</button>
                    </form>
                </div>
            })}
            <form class="form" method="post" action=RemoveFromSeat::url()>
                <input type="hidden" name="seat_id" value=seat.clone()/>
                <div class="field">
                    <label for=format!("remove-reason-{seat}")>{t("rosters.remove_reason")}</label>
                    <input id=format!("remove-reason-{seat}") name="reason" type="text" required=true maxlength="200"/>
                </div>
                <PersonAndDeadline id=format!("replace-{seat}") name="replacement" label="rosters.replace_with" required=false days=3/>
                <button type="submit" class="btn btn-danger btn-small">{t("rosters.remove")}</button>
            </form>
        </details>
    }
}
