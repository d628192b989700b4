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
        let lines = match chosen {
            Some(e) => ctx.storage.station_roster(e, station_id).await?,
            None => Vec::new(),
        };
        if lines.iter().any(|l| l.person.is_some()) {
            crate::server::audit(
                &ctx,
                Some(&user),
                crate::domain::audit::AuditAction::ContactViewed,
                &format!("station {station_id}"),
                &station.name,
            )
            .await;
        }
        Ok(RosterData {
            can_invite: user.can_plan_area(station.area_id),
            station,
            elections,
            election_id: chosen,
            lines,
        })
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
    view! { <Loaded resource=data view={|d: RosterData| view! { <RosterView data=d/> }}/> }
}

#[component]
fn RosterView(data: RosterData) -> impl IntoView {
    let title = t_with("rosters.title", &[("station", &data.station.name)]);
    let station_id = data.station.id;
    let can_invite = data.can_invite;
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
        {if days.is_empty() {
            view! { <p class="empty">{t("rosters.empty")}</p> }.into_any()
        } else {
            days.into_iter().map(|(day, lines)| view! {
                <section class="roster-day">
                    <h2>{long_date(day)}</h2>
                    <ul class="roster">
                        {lines.into_iter().map(|l| view! { <RosterItem line=l can_invite/> }).collect_view()}
                    </ul>
                </section>
            }).collect_view().into_any()
        }}
    }
}

#[component]
fn RosterItem(line: RosterLine, can_invite: bool) -> impl IntoView {
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
                        <div class="field">
                            <label for=format!("invite-email-{seat}")>{t("shifts.invite_email")}</label>
                            <input id=format!("invite-email-{seat}") name="email" type="email" required=true autocomplete="off"/>
                        </div>
                        <div class="field">
                            <label for=format!("invite-days-{seat}")>{t("shifts.respond_days")}</label>
                            <input id=format!("invite-days-{seat}") name="respond_days" type="number" min="1" max="30" value="7" required=true/>
                        </div>
                        <button type="submit" class="btn btn-primary btn-small">{t("shifts.send_invite")}</button>
                    </form>
                </details>
            })}
        </li>
    }
}
