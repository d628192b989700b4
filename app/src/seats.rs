//! The seat plan: per station and day, a team × task-type matrix of counts,
//! as in the incumbent's "fordel opgaver", with live totals.

use crate::components::Loaded;
use crate::domain::elections::Election;
use crate::domain::seats::{cell_key, SeatCell, SeatCounts, SeatCountsForm, StationSeats};
use crate::domain::stations::Station;
use crate::domain::tasks::TaskType;
use crate::domain::teams::Team;
use crate::domain::{AppError, Id};
use crate::i18n::{long_date, short_date, t, t_with};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ElectionSeats {
    pub election: Election,
    pub stations: Vec<StationSeats>,
}

#[server(endpoint = "seats/election")]
pub async fn load_election_seats(election_id: Id) -> Result<ElectionSeats, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        Ok(ElectionSeats {
            election: ctx.storage.get_election(election_id).await?,
            stations: ctx.storage.station_seats(election_id).await?,
        })
    })
    .await
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SeatPlan {
    pub election: Election,
    pub station: Station,
    pub day: NaiveDate,
    pub teams: Vec<Team>,
    pub task_types: Vec<TaskType>,
    pub cells: Vec<SeatCell>,
    /// The days on which this station has seats in this election.
    pub seat_days: Vec<NaiveDate>,
}

#[server(endpoint = "seats/plan")]
pub async fn load_seat_plan(
    election_id: Id,
    station_id: Id,
    day: Option<String>,
) -> Result<SeatPlan, AppError> {
    crate::server::guarded(async move {
        let (ctx, _) = crate::server::require_plan_viewer().await?;
        let election = ctx.storage.get_election(election_id).await?;
        if !election.station_ids.contains(&station_id) {
            return Err(AppError::NotFound);
        }
        let day = match day.as_deref().filter(|d| !d.is_empty()) {
            Some(raw) => crate::domain::forms::date("day", raw)?,
            None => election.election_day,
        };
        if !election.covers(day) {
            return Err(AppError::invalid("day", "error.day_outside_election"));
        }
        Ok(SeatPlan {
            station: ctx.storage.get_station(station_id).await?,
            cells: ctx.storage.seat_plan(election_id, station_id, day).await?,
            seat_days: ctx.storage.seat_days(election_id, station_id).await?,
            teams: ctx.storage.list_teams().await?,
            task_types: ctx.storage.list_task_types().await?,
            election,
            day,
        })
    })
    .await
}

#[server(endpoint = "seats/save")]
pub async fn save_seat_counts(form: SeatCountsForm) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_area_planner().await?;
        let change = form.parse()?;
        let station = ctx.storage.get_station(change.station_id).await?;
        crate::server::allow(user.can_plan_area(station.area_id))?;
        ctx.storage.set_seat_counts(&change).await?;
        crate::server::redirect_back(&[("saved", "1")]);
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- pages

fn counts_text(c: &SeatCounts) -> String {
    t_with(
        "seats.counts",
        &[
            ("accepted", &c.accepted.to_string()),
            ("invited", &c.invited.to_string()),
            ("total", &c.total().to_string()),
        ],
    )
}

#[component]
pub fn ElectionSeatsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<Id>().ok());
    let data = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_election_seats(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Loaded resource=data view={|data: ElectionSeats| {
            let election_id = data.election.id;
            let mut total = SeatCounts::default();
            for s in &data.stations {
                total.add(&s.counts);
            }
            view! {
                <Title text=data.election.title.clone()/>
                <div class="page-head">
                    <h1>{data.election.title.clone()}</h1>
                    <div class="toolbar">
                        <a class="btn btn-secondary" href=format!("/elections/{election_id}")>{t("elections.edit")}</a>
                    </div>
                </div>
                <p>{t_with("seats.election_summary", &[
                    ("day", &long_date(data.election.election_day)),
                    ("first", &short_date(data.election.first_day)),
                    ("last", &short_date(data.election.last_day)),
                ])}</p>
                <div class="stats">
                    <div class="stat"><span class="stat-value">{total.total()}</span><span class="stat-label">{t("seats.seats")}</span></div>
                    <div class="stat"><span class="stat-value">{total.accepted}</span><span class="stat-label">{t("seats.accepted")}</span></div>
                    <div class="stat"><span class="stat-value">{total.invited}</span><span class="stat-label">{t("seats.invited")}</span></div>
                    <div class="stat"><span class="stat-value">{total.open}</span><span class="stat-label">{t("seats.open")}</span></div>
                </div>
                <h2>{t("seats.stations")}</h2>
                {if data.stations.is_empty() {
                    view! { <p class="empty">{t("seats.no_stations")}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap" tabindex="0" role="region" aria-label=t("common.table")>
                            <table class="data">
                                <thead>
                                    <tr>
                                        <th scope="col">{t("field.name")}</th>
                                        <th scope="col">{t("field.area_id")}</th>
                                        <th scope="col" class="num">{t("seats.seats")}</th>
                                        <th scope="col" class="num">{t("seats.accepted")}</th>
                                        <th scope="col" class="num">{t("seats.invited")}</th>
                                        <th scope="col" class="num">{t("seats.open")}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {data.stations.into_iter().map(|s| view! {
                                        <tr>
                                            <td><a href=format!("/elections/{election_id}/seats/{}", s.station_id)>{s.station_name}</a></td>
                                            <td>{s.area_name}</td>
                                            <td class="num">{s.counts.total()}</td>
                                            <td class="num">{s.counts.accepted}</td>
                                            <td class="num">{s.counts.invited}</td>
                                            <td class="num">{s.counts.open}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            }
        }}/>
    }
}

#[component]
pub fn SeatPlanPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        let p = params.read();
        (
            p.get("id").and_then(|v| v.parse::<Id>().ok()),
            p.get("station").and_then(|v| v.parse::<Id>().ok()),
            query.read().get("day"),
        )
    };
    let data = Resource::new(key, |(election, station, day)| async move {
        match (election, station) {
            (Some(e), Some(s)) => load_seat_plan(e, s, day).await,
            _ => Err(AppError::NotFound),
        }
    });
    let saved = crate::components::query_flag("saved");
    view! {
        <Loaded resource=data view={move |plan: SeatPlan| view! { <SeatMatrix plan saved/> }}/>
    }
}

#[component]
fn SeatMatrix(plan: SeatPlan, saved: bool) -> impl IntoView {
    let election_id = plan.election.id;
    let station_id = plan.station.id;
    let heading = t_with("seats.plan_title", &[("station", &plan.station.name)]);
    let find = |team: Id, task: Id| {
        plan.cells
            .iter()
            .find(|c| c.team_id == team && c.task_type_id == task)
            .map(|c| c.counts)
            .unwrap_or_default()
    };
    // Each team's row: the task types with their counts.
    let grid: Vec<(Team, Vec<(TaskType, SeatCounts)>)> = plan
        .teams
        .iter()
        .map(|team| {
            let row = plan
                .task_types
                .iter()
                .map(|task| (task.clone(), find(team.id, task.id)))
                .collect();
            (team.clone(), row)
        })
        .collect();
    let totals: Vec<i64> = (0..plan.task_types.len())
        .map(|column| grid.iter().map(|(_, row)| row[column].1.total()).sum())
        .collect();
    let grand_total: i64 = totals.iter().sum();
    let day = plan.day;
    view! {
        <Title text=heading.clone()/>
        <p><a href=format!("/elections/{election_id}/seats")>{format!("← {}", plan.election.title)}</a></p>
        <h1>{heading}</h1>
        <p class="muted">{format!("{}, {} {}", plan.station.address, plan.station.postal_code, plan.station.city)}</p>
        <DayPicker election=plan.election.clone() station_id day seat_days=plan.seat_days.clone()/>
        <h2>{long_date(day)}</h2>
        {saved.then(|| view! {
            <div class="alert alert-success" role="status"><p>{t("seats.saved")}</p></div>
        })}
        <form method="post" action=SaveSeatCounts::url()>
            <input type="hidden" name="form[election_id]" value=election_id.to_string()/>
            <input type="hidden" name="form[station_id]" value=station_id.to_string()/>
            <input type="hidden" name="form[day]" value=day.format("%Y-%m-%d").to_string()/>
            <div class="table-wrap" tabindex="0" role="region" aria-label=t("common.table")>
                // The totals follow the inputs as the planner types (page.js);
                // each input names its row and column.
                <table class="matrix" data-sums="">
                    <caption class="visually-hidden">{t("seats.matrix_caption")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t("seats.team")}</th>
                            {plan.task_types.iter().map(|task| view! {
                                <th scope="col" class="num"><abbr title=task.title.clone()>{task.short_name.clone()}</abbr></th>
                            }).collect_view()}
                            <th scope="col" class="num">{t("seats.total")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {grid.into_iter().enumerate().map(|(row, (team, cells))| {
                            let row_total: i64 = cells.iter().map(|(_, counts)| counts.total()).sum();
                            view! {
                                <tr>
                                    <th scope="row">{team.name.clone()}</th>
                                    {cells.into_iter().enumerate().map(|(column, (task, counts))| {
                                        let label = format!("{} – {}", team.name, task.title);
                                        let name = format!("form[counts][{}]", cell_key(team.id, task.id));
                                        view! {
                                            <td class="num">
                                                // The server refuses going below the accepted seats
                                                // and says why; no `min` here, so it can.
                                                <input type="number" inputmode="numeric" min="0"
                                                    max=crate::domain::seats::MAX_SEATS_PER_CELL.to_string()
                                                    name=name aria-label=label
                                                    data-row=row.to_string() data-column=column.to_string()
                                                    value=counts.total().to_string()/>
                                                {(counts.accepted + counts.invited > 0).then(|| view! {
                                                    <span class="cell-status muted">{counts_text(&counts)}</span>
                                                })}
                                            </td>
                                        }
                                    }).collect_view()}
                                    <td class="num row-total" data-row-total=row.to_string()>{row_total}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">{t("seats.total")}</th>
                            {totals.into_iter().enumerate().map(|(column, total)| view! {
                                <td class="num" data-column-total=column.to_string()>{total}</td>
                            }).collect_view()}
                            <td class="num" data-testid="grand-total" data-grand-total="">{grand_total}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
            <p class="muted">{t("seats.legend")}</p>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary">{t("seats.save")}</button>
            </div>
        </form>
    }
}

/// The days of work: election day, the days that have seats and the day
/// shown are one tap away; all other days sit behind "all days", so a
/// three-week postal-vote period does not fill a phone's screen.
#[component]
fn DayPicker(
    election: Election,
    station_id: Id,
    day: NaiveDate,
    seat_days: Vec<NaiveDate>,
) -> impl IntoView {
    let election_id = election.id;
    let election_day = election.election_day;
    let link = move |d: NaiveDate| {
        let current = d == day;
        let mut class = String::from(if current {
            "btn btn-primary btn-small"
        } else {
            "btn btn-secondary btn-small"
        });
        if d == election_day {
            class.push_str(" is-election-day");
        }
        let label = if d == election_day {
            format!("{} ({})", short_date(d), t("seats.election_day"))
        } else {
            short_date(d)
        };
        view! {
            <a class=class aria-current=current.then_some("date")
                href=format!("/elections/{election_id}/seats/{station_id}?day={}", d.format("%Y-%m-%d"))>{label}</a>
        }
    };
    let all = election.days();
    let (quick, rest): (Vec<NaiveDate>, Vec<NaiveDate>) = all
        .iter()
        .partition(|d| **d == election_day || **d == day || seat_days.contains(d));
    let rest_count = rest.len();
    view! {
        <nav aria-label=t("seats.days")>
            <div class="day-tabs">{quick.into_iter().map(link).collect_view()}</div>
            {(rest_count > 0).then(|| view! {
                <details class="more-days">
                    <summary class="btn btn-secondary btn-small">
                        {t_with("seats.all_days", &[("n", &all.len().to_string())])}
                    </summary>
                    <div class="day-tabs">{rest.into_iter().map(link).collect_view()}</div>
                </details>
            })}
        </nav>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::SaveSeatCounts;

    /// The matrix form, as a browser encodes it, reaches the server function.
    #[test]
    fn the_matrix_form_decodes() {
        let body = "form%5Belection_id%5D=1&form%5Bstation_id%5D=2&form%5Bday%5D=2027-06-01&form%5Bcounts%5D%5Bc3-4%5D=4";
        let decoded: SaveSeatCounts = serde_qs::Config::new(5, false)
            .deserialize_str(body)
            .expect("decodes");
        assert_eq!(
            decoded.form.counts.get("c3-4").map(String::as_str),
            Some("4")
        );
    }
}
