//! The gap board: one screen with every station of an election and where
//! seats are missing, coloured, with totals per area — and live: when
//! anyone takes, declines, cancels or is given a seat anywhere, every open
//! board refreshes within a second (server-sent events, `/board/events`).

use crate::components::{Loaded, PageHead};
use crate::domain::board::{AreaBlock, BoardSort, CellState};
use crate::domain::seats::SeatCounts;
use crate::domain::{AppError, Id};
use crate::i18n::{long_date, short_date, t, t_with};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Everything the board shows for one choice of filters.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BoardData {
    /// The election shown; none when there is no active election.
    pub election_id: Option<Id>,
    pub elections: Vec<(Id, String)>,
    /// Days with seats, and the one chosen (none: all days).
    pub days: Vec<NaiveDate>,
    pub day: Option<NaiveDate>,
    pub teams: Vec<(Id, String)>,
    pub team: Option<Id>,
    pub task_types: Vec<(Id, String)>,
    pub task_type: Option<Id>,
    pub area_choices: Vec<(Id, String)>,
    pub area: Option<Id>,
    pub sort: BoardSort,
    /// The task types shown as columns.
    pub columns: Vec<(Id, String)>,
    pub areas: Vec<AreaBlock>,
    pub cells: Vec<SeatCounts>,
    pub total: SeatCounts,
    /// Check-ins made at stations for people the office had taken off the
    /// seat (in the areas this person plans), until someone has seen them.
    pub flags: Vec<crate::domain::checkin::CheckinFlag>,
    /// Seats whose holder CPR says may no longer serve there (in the areas
    /// this person plans).
    pub cpr_flags: Vec<crate::domain::cpr::EligibilityFlag>,
}

/// How long after a shift starts an unchecked person makes the station
/// stand out on the board.
pub const OVERDUE_AFTER_SECS: i64 = 3600;

/// Today's date and the latest start time that is an hour past (Danish
/// time); `None` in the first hour of a day, when no shift today is.
pub fn overdue_cutoff(now: i64) -> Option<(chrono::NaiveDate, chrono::NaiveTime)> {
    let today = crate::i18n::copenhagen_time(now)?.date_naive();
    let cutoff = crate::i18n::copenhagen_time(now - OVERDUE_AFTER_SECS)?;
    (cutoff.date_naive() == today).then(|| (today, cutoff.time()))
}

#[server(endpoint = "board/get")]
pub async fn load_board(
    election: String,
    day: String,
    team: String,
    task_type: String,
    area: String,
    sort: String,
) -> Result<BoardData, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_plan_viewer().await?;
        let elections: Vec<(Id, String)> = ctx
            .storage
            .list_elections()
            .await?
            .into_iter()
            .filter(|e| e.active)
            .map(|e| (e.id, e.title))
            .collect();
        let election_id = match crate::domain::forms::optional_id("election", &election)? {
            Some(id) => Some(ctx.storage.get_election(id).await?.id),
            None => elections.first().map(|(id, _)| *id),
        };
        let day = crate::domain::forms::optional_date("day", &day)?;
        let (team, task_type, area) = (
            crate::domain::forms::optional_id("team", &team)?,
            crate::domain::forms::optional_id("task_type", &task_type)?,
            crate::domain::forms::optional_id("area", &area)?,
        );
        let sort = BoardSort::parse(sort.trim());
        let all_tasks = ctx.storage.list_task_types().await?;
        let (days, counts, flags, cpr_flags) = match election_id {
            Some(id) => (
                ctx.storage.election_days(id).await?,
                ctx.storage
                    .board_counts(id, day, team, overdue_cutoff(ctx.now()))
                    .await?,
                ctx.storage.checkin_flags(id).await?,
                ctx.storage.eligibility_flags(id).await?,
            ),
            None => (Vec::new(), Vec::new(), Vec::new(), Vec::new()),
        };
        let flags = flags
            .into_iter()
            .filter(|f| user.can_plan_area(f.area_id))
            .collect();
        let cpr_flags = cpr_flags
            .into_iter()
            .filter(|f| user.can_plan_area(f.area_id))
            .collect();
        let counts: Vec<_> = counts
            .into_iter()
            .filter(|c| area.is_none_or(|a| c.area_id == a))
            .collect();
        // Columns: the task types with seats here, in the order of the day.
        let columns: Vec<(Id, String)> = all_tasks
            .iter()
            .filter(|t| task_type.is_none_or(|id| t.id == id))
            .filter(|t| counts.iter().any(|c| c.task_type_id == t.id))
            .map(|t| (t.id, t.title.clone()))
            .collect();
        let ids: Vec<Id> = columns.iter().map(|(id, _)| *id).collect();
        let areas = crate::domain::board::arrange(&counts, &ids, sort);
        let (cells, total) = crate::domain::board::grand_total(&areas, ids.len());
        Ok(BoardData {
            election_id,
            elections,
            days,
            day,
            teams: crate::server::choices::teams(&ctx).await?,
            team,
            task_types: all_tasks.into_iter().map(|t| (t.id, t.title)).collect(),
            task_type,
            area_choices: crate::server::choices::areas(&ctx).await?,
            area,
            sort,
            columns,
            areas,
            cells,
            total,
            flags,
            cpr_flags,
        })
    })
    .await
}

/// The filter keys of the board's address, in order.
const FILTERS: [&str; 6] = ["election", "day", "team", "task_type", "area", "sort"];

#[component]
pub fn BoardPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let data = Resource::new(
        move || {
            let q = query.read();
            FILTERS.map(|k| q.get(k).unwrap_or_default())
        },
        |[election, day, team, task_type, area, sort]| {
            load_board(election, day, team, task_type, area, sort)
        },
    );
    let title = t("board.title");
    view! {
        <Title text=title.clone()/>
        <PageHead title=title/>
        <Loaded resource=data view=move |d: BoardData| view! { <BoardView data=d/> }/>
    }
}

#[component]
fn BoardView(data: BoardData) -> impl IntoView {
    let Some(election) = data.election_id else {
        return view! { <p class="empty">{t("board.no_election")}</p> }.into_any();
    };
    let choose = |list: &[(Id, String)], chosen: Option<Id>| {
        list.iter()
            .map(|(id, name)| {
                view! { <option value=id.to_string() selected=chosen == Some(*id)>{name.clone()}</option> }
            })
            .collect_view()
    };
    let columns = data.columns.clone();
    // On a chosen day the board also follows check-in at each station.
    let attendance = data.day.is_some();
    view! {
        // This browser keeps the chosen filters (page.js).
        <form class="filters card board-filters" method="get" action="/board" data-remember="vv_board"
            aria-label=t("board.filters")>
            <div class="field">
                <label for="board-election">{t("board.election")}</label>
                <select id="board-election" name="election">
                    {choose(&data.elections, Some(election))}
                </select>
            </div>
            <div class="field">
                <label for="board-day">{t("board.day")}</label>
                <select id="board-day" name="day">
                    <option value="" selected=data.day.is_none()>{t("board.all_days")}</option>
                    {data.days.iter().map(|d| view! {
                        <option value=d.to_string() selected=data.day == Some(*d)>{long_date(*d)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="board-area">{t("board.area")}</label>
                <select id="board-area" name="area">
                    <option value="" selected=data.area.is_none()>{t("board.all_areas")}</option>
                    {choose(&data.area_choices, data.area)}
                </select>
            </div>
            <div class="field">
                <label for="board-team">{t("board.team")}</label>
                <select id="board-team" name="team">
                    <option value="" selected=data.team.is_none()>{t("board.all_teams")}</option>
                    {choose(&data.teams, data.team)}
                </select>
            </div>
            <div class="field">
                <label for="board-task">{t("board.task_type")}</label>
                <select id="board-task" name="task_type">
                    <option value="" selected=data.task_type.is_none()>{t("board.all_task_types")}</option>
                    {choose(&data.task_types, data.task_type)}
                </select>
            </div>
            <div class="field">
                <label for="board-sort">{t("board.sort")}</label>
                <select id="board-sort" name="sort">
                    {[BoardSort::Name, BoardSort::Missing].into_iter().map(|s| view! {
                        <option value=s.as_str() selected=data.sort == s>{t(&format!("board.sort_{}", s.as_str()))}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="btn btn-primary">{t("board.show")}</button>
        </form>
        // Live: each seat change anywhere, and every minute (someone is an
        // hour late without anything being written), page.js fetches the
        // board again and swaps this part in.
        <div id="board-live" data-live-events=format!("/board/events?election={election}") data-live-every="60">
        <CheckinFlags flags=data.flags.clone()/>
        <CprFlags flags=data.cpr_flags.clone()/>
        <p class="board-legend">
            <span class="gap-chip gap-missing">{t("board.legend_missing")}</span>
            <span class="gap-chip gap-waiting">{t("board.legend_waiting")}</span>
            <span class="gap-chip gap-full">{t("board.legend_full")}</span>
            " " {t("board.legend_numbers")}
        </p>
        <p class="board-summary" data-testid="board-total">
            {t_with("board.summary", &[
                ("open", &data.total.open.to_string()),
                ("invited", &data.total.invited.to_string()),
                ("seats", &data.total.total().to_string()),
            ])}
        </p>
        {if data.areas.is_empty() {
            view! { <p class="empty">{t("board.nothing")}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label=t("board.table")>
                    <table class="data board">
                        <thead>
                            <tr>
                                <th scope="col">{t("board.station")}</th>
                                {columns.iter().map(|(_, title)| view! { <th scope="col" class="num">{title.clone()}</th> }).collect_view()}
                                <th scope="col" class="num">{t("board.total")}</th>
                                {attendance.then(|| view! { <th scope="col" class="num">{t("board.present")}</th> })}
                            </tr>
                        </thead>
                        {data.areas.into_iter().map(|area| view! {
                            <tbody>
                                <tr class="board-area">
                                    <th scope="row">{area.area.clone()}</th>
                                    {area.cells.iter().map(|c| view! { <Cell counts=*c/> }).collect_view()}
                                    <Cell counts=area.total/>
                                    {attendance.then(|| view! { <td></td> })}
                                </tr>
                                {area.stations.into_iter().map(|s| view! {
                                    <tr data-station=s.station_id.to_string() class:board-alarm=s.alarm()>
                                        <th scope="row">
                                            <a href=format!("/stations/{}/roster", s.station_id)>{s.station.clone()}</a>
                                        </th>
                                        {s.cells.iter().map(|c| view! { <Cell counts=*c/> }).collect_view()}
                                        <Cell counts=s.total/>
                                        {attendance.then(|| view! {
                                            <td class="num board-present" data-testid="present">
                                                {format!("{}/{}", s.present, s.total.accepted)}
                                                {(s.no_show > 0).then(|| view! {
                                                    " " <span class="badge badge-open">{t_with("board.no_shows", &[("n", &s.no_show.to_string())])}</span>
                                                })}
                                                {(s.overdue > 0).then(|| view! {
                                                    " " <span class="badge badge-open">{t_with("board.overdue", &[("n", &s.overdue.to_string())])}</span>
                                                })}
                                            </td>
                                        })}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        }).collect_view()}
                        <tfoot>
                            <tr>
                                <th scope="row">{t("board.all")}</th>
                                {data.cells.iter().map(|c| view! { <Cell counts=*c/> }).collect_view()}
                                <Cell counts=data.total/>
                                {attendance.then(|| view! { <td></td> })}
                            </tr>
                        </tfoot>
                    </table>
                </div>
            }.into_any()
        }}
        <p class="muted">{t("board.live")} " · " {data.days.first().map(|d| short_date(*d)).unwrap_or_default()}</p>
        </div>
    }
    .into_any()
}

/// Check-ins at stations for people who were no longer on the seat.
#[component]
fn CheckinFlags(flags: Vec<crate::domain::checkin::CheckinFlag>) -> impl IntoView {
    (!flags.is_empty()).then(|| {
        view! {
            <section class="alert alert-warning checkin-flags" aria-labelledby="checkin-flags-title" data-testid="checkin-flags">
                <h2 id="checkin-flags-title">{t("board.flags")}</h2>
                <p>{t("board.flags_hint")}</p>
                <ul>
                    {flags.into_iter().map(|f| view! {
                        <li>
                            {t_with("board.flag_line", &[
                                ("name", &f.name),
                                ("station", &f.station),
                                ("time", &crate::i18n::date_time_at(f.at)),
                            ])}
                            " " <a href=crate::rosters::seat_on_roster(f.station_id, f.election_id, f.seat_id)>{t("board.flag_roster")}</a>
                            <form method="post" action=crate::checkin::ClearFlag::url() class="inline-form">
                                <input type="hidden" name="flag_id" value=f.id.to_string()/>
                                <button type="submit" class="btn btn-secondary btn-small">
                                    {t("board.flag_clear")}<span class="visually-hidden">" – " {f.name.clone()}</span>
                                </button>
                            </form>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}

/// People on seats whom CPR now says may not serve there: the office
/// replaces them on the station's roster.
#[component]
fn CprFlags(flags: Vec<crate::domain::cpr::EligibilityFlag>) -> impl IntoView {
    (!flags.is_empty()).then(|| {
        view! {
            <section class="alert alert-warning checkin-flags" aria-labelledby="cpr-flags-title" data-testid="cpr-flags">
                <h2 id="cpr-flags-title">{t("board.cpr_flags")}</h2>
                <p>{t("board.cpr_flags_hint")}</p>
                <ul>
                    {flags.into_iter().map(|f| view! {
                        <li>
                            {t_with("board.cpr_flag_line", &[
                                ("name", &f.name),
                                ("station", &f.station),
                                // Said of the person, not to them.
                                ("reason", &t(&f.reason.replace("eligibility.", "board.cpr_reason."))),
                            ])}
                            " " <a href=crate::rosters::seat_on_roster(f.station_id, f.election_id, f.seat_id)>
                                {t("board.cpr_flag_replace")}<span class="visually-hidden">" – " {f.name.clone()}</span>
                            </a>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        }
        .into_any()
    })
}

/// "accepted/invited/seats", coloured by what is missing, with the words
/// for screen readers.
#[component]
fn Cell(counts: SeatCounts) -> impl IntoView {
    let state = CellState::of(&counts);
    if state == CellState::Empty {
        return view! { <td class="num gap-empty"></td> }.into_any();
    }
    let words = t_with(
        "board.cell",
        &[
            ("accepted", &counts.accepted.to_string()),
            ("invited", &counts.invited.to_string()),
            ("seats", &counts.total().to_string()),
        ],
    );
    view! {
        <td class=format!("num {}", state.class())>
            <span aria-hidden="true">{format!("{}/{}/{}", counts.accepted, counts.invited, counts.total())}</span>
            <span class="visually-hidden">{words}</span>
        </td>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::overdue_cutoff;
    use crate::i18n::copenhagen_to_unix;
    use chrono::{NaiveDate, NaiveTime};

    #[test]
    fn the_cutoff_is_an_hour_ago_in_danish_time_and_none_in_the_first_hour() {
        let day = NaiveDate::from_ymd_opt(2027, 5, 4).unwrap();
        let at = |h, m| copenhagen_to_unix(day, NaiveTime::from_hms_opt(h, m, 0).unwrap());
        assert_eq!(
            overdue_cutoff(at(9, 30)),
            Some((day, NaiveTime::from_hms_opt(8, 30, 0).unwrap()))
        );
        assert_eq!(overdue_cutoff(at(0, 30)), None);
    }
}
