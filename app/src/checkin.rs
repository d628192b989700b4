//! Election day check-in at the station: the station manager taps a name
//! (arrived, late, no-show) or scans the QR code on the volunteer's phone,
//! which opens `/checkin/<code>` on the scanning device. The code names the
//! seat and carries a keyed hash, so it cannot be made up. Every change
//! shows on the coordinators' live board.

use crate::components::Loaded;
use crate::domain::rosters::RosterLine;
use crate::domain::seats::Attendance;
use crate::domain::{AppError, Id};
use crate::i18n::{long_date, t, t_with};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// The code a volunteer's QR carries for their seat: `<seat>-<hash>`.
#[cfg(feature = "ssr")]
pub async fn code_for(
    ctx: &crate::server::ServerContext,
    seat_id: Id,
    volunteer_id: Id,
) -> Result<String, AppError> {
    let key = ctx
        .storage
        .server_key("checkin", &(ctx.new_secret)(), ctx.now())
        .await?;
    let hash = (ctx.hasher)(&format!("checkin:{key}:{seat_id}:{volunteer_id}"));
    Ok(format!("{seat_id}-{}", &hash[..hash.len().min(24)]))
}

/// The seat a code is for, if the code is genuine and the seat still held
/// (accepted) by the same person.
#[cfg(feature = "ssr")]
async fn seat_of(
    ctx: &crate::server::ServerContext,
    code: &str,
) -> Result<crate::domain::seats::SeatDetails, AppError> {
    let invalid = || AppError::refused("checkin.code_invalid");
    let (seat, _) = code.trim().split_once('-').ok_or_else(invalid)?;
    let seat_id: Id = seat.parse().map_err(|_| invalid())?;
    let seat = ctx
        .storage
        .seat_details(seat_id)
        .await
        .map_err(|_| invalid())?;
    let volunteer = seat.volunteer_id.ok_or_else(invalid)?;
    if seat.status != crate::domain::seats::SeatStatus::Accepted
        || code_for(ctx, seat_id, volunteer).await? != code.trim()
    {
        return Err(invalid());
    }
    Ok(seat)
}

/// Who may check people in at a station: its managers and the coordinators
/// of its area.
#[cfg(feature = "ssr")]
fn may_check_in(user: &crate::domain::accounts::CurrentUser, station: Id, area: Id) -> bool {
    user.manages_station(station) || user.can_plan_area(area)
}

/// A station's accepted seats on one day, for checking in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CheckinData {
    pub station_id: Id,
    pub station: String,
    pub days: Vec<NaiveDate>,
    pub day: Option<NaiveDate>,
    pub lines: Vec<RosterLine>,
    pub can_mark: bool,
    /// When the server read it: a device that kept a newer copy of the
    /// roster (page.js) shows that one.
    pub read_at: i64,
}

#[server(endpoint = "checkin/station")]
pub async fn load_checkin(station_id: Id, day: String) -> Result<CheckinData, AppError> {
    crate::server::guarded(async move {
        // The roster's own checks (and its audit of contact data) apply.
        let roster = crate::rosters::load_roster(station_id, None).await?;
        let (ctx, user) = crate::server::require_user().await?;
        let mut days: Vec<NaiveDate> = roster.lines.iter().map(|l| l.day).collect();
        days.dedup();
        let chosen = match day.trim() {
            "" => {
                let today = ctx.today();
                days.iter().find(|d| **d >= today).or(days.last()).copied()
            }
            raw => Some(crate::domain::forms::date("day", raw)?),
        };
        Ok(CheckinData {
            read_at: ctx.now(),
            can_mark: may_check_in(&user, station_id, roster.station.area_id),
            station_id,
            station: roster.station.name,
            lines: roster
                .lines
                .into_iter()
                .filter(|l| {
                    Some(l.day) == chosen && l.status == crate::domain::seats::SeatStatus::Accepted
                })
                .collect(),
            days,
            day: chosen,
        })
    })
    .await
}

/// The station manager marks a person: "arrived", "late", "no_show", or
/// "" to clear the mark.
#[server(endpoint = "checkin/mark")]
pub async fn mark_attendance(seat_id: Id, attendance: String) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(user.can_plan_somewhere() || !user.stations.is_empty())?;
        let seat = ctx.storage.seat_details(seat_id).await?;
        crate::server::allow(may_check_in(&user, seat.station_id, seat.area_id))?;
        let attendance = match attendance.trim() {
            "" => None,
            raw => Some(
                Attendance::parse(raw)
                    .ok_or_else(|| AppError::invalid("attendance", "error.unknown_choice"))?,
            ),
        };
        ctx.storage
            .set_attendance(seat_id, attendance, ctx.now())
            .await?;
        crate::server::redirect_to(&format!(
            "/stations/{}/checkin?day={}#seat-{seat_id}",
            seat.station_id, seat.day
        ));
        Ok(())
    })
    .await
}

/// A station's roster as a check-in device keeps it, to work without a
/// network: today (or the next day of work) and the day of work after it,
/// each person with their check-in code so a scan can be matched offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineRoster {
    pub station_id: Id,
    pub station: String,
    /// Whose roster it is: another person signed in on the device drops it.
    pub user_id: Id,
    pub fetched_at: i64,
    /// The device drops it from this moment (the day after its last day).
    pub keep_until: i64,
    pub lines: Vec<OfflineLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineLine {
    pub seat_id: Id,
    pub volunteer_id: Id,
    pub name: String,
    pub day: NaiveDate,
    pub start: String,
    pub end: String,
    pub task_type: String,
    pub team: String,
    pub attendance: Option<Attendance>,
    pub code: String,
}

#[server(endpoint = "checkin/offline")]
pub async fn load_offline_roster(
    station_id: Id,
    // The day the device's check-in page shows: kept too, so a manager who
    // opens the day ahead of time has it on the device.
    #[server(default)] day: String,
) -> Result<OfflineRoster, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(user.can_plan_somewhere() || !user.stations.is_empty())?;
        let area = ctx.storage.get_station(station_id).await?.area_id;
        crate::server::allow(may_check_in(&user, station_id, area))?;
        let roster = crate::rosters::load_roster(station_id, None).await?;
        let today = ctx.today();
        let mut days: Vec<NaiveDate> = roster
            .lines
            .iter()
            .map(|l| l.day)
            .filter(|d| *d >= today)
            .collect();
        days.sort();
        days.dedup();
        days.truncate(2);
        let shown = crate::domain::forms::optional_date("day", &day)?;
        if let Some(shown) = shown.filter(|d| *d >= today && !days.contains(d)) {
            if roster.lines.iter().any(|l| l.day == shown) {
                days.push(shown);
                days.sort();
            }
        }
        let mut lines = Vec::new();
        for line in roster.lines {
            let (true, crate::domain::seats::SeatStatus::Accepted, Some(person)) =
                (days.contains(&line.day), line.status, line.person)
            else {
                continue;
            };
            lines.push(OfflineLine {
                code: code_for(&ctx, line.seat_id, person.volunteer_id).await?,
                seat_id: line.seat_id,
                volunteer_id: person.volunteer_id,
                name: person.name,
                day: line.day,
                start: line.start_time.format("%H:%M").to_string(),
                end: line.end_time.format("%H:%M").to_string(),
                task_type: line.task_type,
                team: line.team,
                attendance: line.attendance,
            });
        }
        let last = days.last().copied().unwrap_or(today);
        let keep_until = crate::i18n::copenhagen_to_unix(
            last + chrono::Duration::days(1),
            chrono::NaiveTime::MIN,
        );
        Ok(OfflineRoster {
            station_id,
            station: roster.station.name,
            user_id: user.id,
            fetched_at: ctx.now(),
            keep_until,
            lines,
        })
    })
    .await
}

/// What became of a mark sent from a device, in the reader's words when
/// it did not simply apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkAnswer {
    pub outcome: crate::domain::checkin::Outcome,
    pub attendance: Option<Attendance>,
    pub attendance_at: Option<i64>,
    pub message: Option<String>,
}

/// A tap on a station's device, sent when the device has a network (maybe
/// long after the tap): see [`crate::domain::checkin::decide`] for what it
/// does to a seat someone else changed meanwhile. Sent again with the same
/// key, it is taken once.
#[server(endpoint = "checkin/record")]
pub async fn record_mark(
    key: String,
    seat_id: Id,
    volunteer_id: Id,
    #[server(default)] seen: String,
    #[server(default)] attendance: String,
    at: i64,
) -> Result<MarkAnswer, AppError> {
    crate::server::guarded(async move {
        use crate::domain::checkin::{CheckinMark, Outcome};
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(user.can_plan_somewhere() || !user.stations.is_empty())?;
        let key = key.trim();
        if key.is_empty()
            || key.len() > 64
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(AppError::invalid("key", "error.bad_request"));
        }
        let seat = ctx.storage.seat_details(seat_id).await?;
        crate::server::allow(may_check_in(&user, seat.station_id, seat.area_id))?;
        let choice = |field: &str, raw: &str| match raw.trim() {
            "" => Ok(None),
            raw => Attendance::parse(raw)
                .map(Some)
                .ok_or_else(|| AppError::invalid(field, "error.unknown_choice")),
        };
        let mark = CheckinMark {
            key: key.to_string(),
            seat_id,
            volunteer_id,
            seen: choice("seen", &seen)?,
            attendance: choice("attendance", &attendance)?,
            at,
        };
        let recorded = ctx
            .storage
            .record_checkin(user.id, &mark, ctx.now())
            .await?;
        let message = match recorded.outcome {
            Outcome::Applied => None,
            other => Some(t(&format!("checkin.outcome.{}", other.as_str()))),
        };
        Ok(MarkAnswer {
            outcome: recorded.outcome,
            attendance: recorded.attendance,
            attendance_at: recorded.attendance_at,
            message,
        })
    })
    .await
}

/// Someone at the office has seen a flagged check-in: it leaves the board.
#[server(endpoint = "checkin/clear_flag")]
pub async fn clear_flag(flag_id: Id) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(user.can_plan_somewhere())?;
        let flag = ctx.storage.checkin_flag(flag_id).await?;
        crate::server::allow(user.can_plan_area(flag.area_id))?;
        ctx.storage.clear_checkin_flag(flag_id, ctx.now()).await?;
        crate::server::redirect_to(&format!("/board?election={}", flag.election_id));
        Ok(())
    })
    .await
}

/// What a scanned code shows before the tap that checks the person in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeData {
    pub name: String,
    pub task_type: String,
    pub station: String,
    pub day: NaiveDate,
    pub start: String,
}

#[server(endpoint = "checkin/peek")]
pub async fn peek_code(code: String) -> Result<CodeData, AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(user.can_plan_somewhere() || !user.stations.is_empty())?;
        let seat = seat_of(&ctx, &code).await?;
        crate::server::allow(may_check_in(&user, seat.station_id, seat.area_id))?;
        Ok(CodeData {
            name: seat.volunteer_name.unwrap_or_default(),
            task_type: seat.task_type,
            station: seat.station_name,
            day: seat.day,
            start: seat.start_time.format("%H:%M").to_string(),
        })
    })
    .await
}

/// Checks in the person whose QR code was scanned.
#[server(endpoint = "checkin/code")]
pub async fn check_in_code(code: String) -> Result<(), AppError> {
    crate::server::guarded(async move {
        let (ctx, user) = crate::server::require_user().await?;
        crate::server::allow(user.can_plan_somewhere() || !user.stations.is_empty())?;
        let seat = seat_of(&ctx, &code).await?;
        crate::server::allow(may_check_in(&user, seat.station_id, seat.area_id))?;
        ctx.storage
            .set_attendance(seat.seat_id, Some(Attendance::Arrived), ctx.now())
            .await?;
        crate::server::redirect_to(&format!(
            "/stations/{}/checkin?day={}#seat-{}",
            seat.station_id, seat.day, seat.seat_id
        ));
        Ok(())
    })
    .await
}

/// On the day, a volunteer tells the station: "delayed" (with when they
/// expect to be there) or "cannot_come" (the seat opens again and goes to
/// its standby queue). The station's managers and the area's coordinators
/// are told at once.
#[server(endpoint = "checkin/report")]
pub async fn report_on_the_day(
    seat_id: Id,
    what: String,
    #[server(default)] note: String,
    // Made on the phone when the report waited there for a network: sent
    // twice, the staff are told once.
    #[server(default)] key: String,
) -> Result<(), AppError> {
    crate::server::guarded(async move {
        use crate::domain::notifications::MessageKind;
        let (ctx, user) = crate::server::require_user().await?;
        let volunteer = user.volunteer_id.ok_or(AppError::Forbidden)?;
        let seat = ctx.storage.seat_details(seat_id).await?;
        if seat.volunteer_id != Some(volunteer) {
            return Err(AppError::NotFound);
        }
        if seat.status != crate::domain::seats::SeatStatus::Accepted || seat.day != ctx.today() {
            return Err(AppError::refused("checkin.only_on_the_day"));
        }
        let kind = match what.trim() {
            "delayed" => MessageKind::VolunteerDelayed,
            "cannot_come" => MessageKind::VolunteerCannotCome,
            _ => return Err(AppError::invalid("what", "error.unknown_choice")),
        };
        let note = crate::domain::forms::optional_text("note", &note, 200)?;
        let key = key.trim();
        if key.len() > 64 || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(AppError::invalid("key", "error.bad_request"));
        }
        let now = ctx.now();
        let once = if key.is_empty() {
            now.to_string()
        } else {
            key.to_string()
        };
        let mut params = crate::notifications::seat_params(&seat, &ctx.settings.public_url);
        params.insert("message".into(), note.clone());
        params.insert(
            "shift_url".into(),
            format!(
                "{}/stations/{}/checkin?day={}",
                ctx.settings.public_url, seat.station_id, seat.day
            ),
        );
        let mut staff = ctx.storage.station_managers(seat.station_id).await?;
        for id in ctx.storage.area_coordinators(seat.area_id).await? {
            if !staff.contains(&id) {
                staff.push(id);
            }
        }
        let messages: Vec<_> = staff
            .into_iter()
            .map(|user_id| crate::server::storage::NewMessage {
                idempotency_key: format!("{}:seat:{seat_id}:{user_id}:{once}", kind.as_str()),
                user_id: Some(user_id),
                volunteer_id: None,
                kind,
                election_id: Some(seat.election_id),
                task_type_id: Some(seat.task_type_id),
                seat_id: Some(seat_id),
                params: params.clone(),
            })
            .collect();
        if kind == MessageKind::VolunteerCannotCome {
            let reason = if note.is_empty() {
                "afbud på dagen".to_string()
            } else {
                note
            };
            ctx.storage
                .remove_from_seat(seat_id, volunteer, &reason, None, now, &messages)
                .await?;
        } else {
            for message in &messages {
                ctx.storage.enqueue(message, now).await?;
            }
        }
        (ctx.wake_outbox)();
        crate::server::redirect_to("/my-shifts?reported=1");
        Ok(())
    })
    .await
}

/// The QR code (an SVG) a volunteer shows at the station: the address of
/// their check-in, which any camera app or scanner opens.
///
/// Drawn codes are kept (a few hundred of them): *Mine vagter* shows the
/// same code on every visit, and drawing one costs more than the rest of
/// the page.
#[cfg(feature = "ssr")]
pub fn qr_svg(url: &str) -> Option<String> {
    use qrcode::render::svg;
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    const KEPT: usize = 512;
    static DRAWN: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    let drawn = DRAWN.get_or_init(Default::default);
    if let Some(svg) = drawn.lock().ok().and_then(|d| d.get(url).cloned()) {
        return Some(svg);
    }
    let code = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let svg = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    if let Ok(mut drawn) = drawn.lock() {
        if drawn.len() >= KEPT {
            drawn.clear();
        }
        drawn.insert(url.to_string(), svg.clone());
    }
    Some(svg)
}

// ---------------------------------------------------------------- pages

/// The station (`:id`) and day (`?day=`) of the address, loaded for checking
/// in; the check-in page and the attendance sheet show the same.
fn checkin_resource() -> Resource<Result<CheckinData, AppError>> {
    let id = crate::components::route_id("id");
    let query = leptos_router::hooks::use_query_map();
    Resource::new(
        move || (id(), query.read().get("day").unwrap_or_default()),
        |(id, day)| async move {
            match id {
                Some(id) => load_checkin(id, day).await,
                None => Err(AppError::NotFound),
            }
        },
    )
}

#[component]
pub fn CheckinPage() -> impl IntoView {
    let data = checkin_resource();
    view! { <Loaded resource=data view=|d: CheckinData| view! { <CheckinView data=d/> }/> }
}

#[component]
fn CheckinView(data: CheckinData) -> impl IntoView {
    let title = t_with("checkin.title", &[("station", &data.station)]);
    let present = data
        .lines
        .iter()
        .filter(|l| l.attendance.is_some_and(Attendance::present))
        .count();
    let station = data.station_id;
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        {(data.days.len() > 1).then(|| view! {
            <nav class="day-tabs" aria-label=t("checkin.days")>
                {data.days.iter().map(|d| {
                    let current = (Some(*d) == data.day).then_some("page");
                    view! { <a href=format!("/stations/{station}/checkin?day={d}") aria-current=current>{long_date(*d)}</a> }
                }).collect_view()}
            </nav>
        })}
        {data.can_mark.then(|| view! { <OfflineStatus station=station/> })}
        <div id="checkin-live" data-live-events=format!("/stations/{station}/events")
            data-offline-station=data.can_mark.then(|| station.to_string())
            data-offline-day=data.day.map(|d| d.to_string())
            data-read-at=data.read_at.to_string()
            data-count=t("checkin.count")>
        <p class="board-summary" data-testid="checkin-count">
            {t_with("checkin.count", &[("present", &present.to_string()), ("total", &data.lines.len().to_string())])}
        </p>
        <p class="hint">{t("checkin.scan_hint")}</p>
        {data.can_mark.then(|| view! {
            <p><a class="btn btn-primary" href=format!("/stations/{station}/scan{}", day_query(data.day))>{t("scanner.start")}</a></p>
        })}
        <p><a class="btn btn-secondary" href=format!("/stations/{station}/attendance-sheet{}", day_query(data.day))>
            {t("checkin.sheet_open")}
        </a></p>
        {if data.lines.is_empty() {
            view! { <p class="empty">{t("checkin.nobody")}</p> }.into_any()
        } else {
            view! {
                <ul class="roster">
                    {data.lines.into_iter().map(|l| view! { <CheckinLine line=l can_mark=data.can_mark/> }).collect_view()}
                </ul>
            }.into_any()
        }}
        </div>
    }
}

#[component]
fn CheckinLine(line: RosterLine, can_mark: bool) -> impl IntoView {
    let name = line
        .person
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let phone = line.person.as_ref().and_then(|p| p.phone.clone());
    let state = match line.attendance {
        Some(a) => t(&format!("checkin.{}", a.as_str())),
        None => t("checkin.not_yet"),
    };
    let class = match line.attendance {
        Some(Attendance::Arrived) => "badge badge-accepted",
        Some(Attendance::Late) => "badge badge-invited",
        Some(Attendance::NoShow) => "badge badge-open",
        None => "badge",
    };
    let seat = line.seat_id.to_string();
    let marked = line.attendance.is_some();
    let button = move |value: &'static str, key: &'static str, primary: bool| {
        let who = name.clone();
        // Undo only where there is a mark (page.js follows marks made on
        // the device).
        let hidden = value.is_empty() && !marked;
        view! {
            <form method="post" action=MarkAttendance::url() data-mark=value hidden=hidden>
                <input type="hidden" name="seat_id" value=seat.clone()/>
                <input type="hidden" name="attendance" value=value/>
                <button type="submit" class=if primary { "btn btn-primary" } else { "btn btn-secondary" }>
                    {t(key)}<span class="visually-hidden">" – " {who}</span>
                </button>
            </form>
        }
    };
    view! {
        <li class="card roster-line" id=format!("seat-{}", line.seat_id)
            data-seat=line.seat_id.to_string()
            data-volunteer=line.person.as_ref().map(|p| p.volunteer_id.to_string())
            data-attendance=line.attendance.map(Attendance::as_str).unwrap_or_default()>
            <h2 class="member-name">{line.person.as_ref().map(|p| p.name.clone()).unwrap_or_default()}
                " " <span class=class>{state}</span>
                {line.attendance_at.and_then(crate::i18n::copenhagen_time).map(|at| view! {
                    " " <span class="attendance-time" data-testid="attendance-time">{at.format("%H:%M").to_string()}</span>
                })}</h2>
            <p>{line.task_type.clone()} " " {line.start_time.format("%H:%M").to_string()} "–"
                {line.end_time.format("%H:%M").to_string()} " · " {line.team.clone()}</p>
            {phone.map(|p| view! { <p><a href=format!("tel:{p}")>{t("myshifts.call")} " " {p.clone()}</a></p> })}
            {can_mark.then(|| view! {
                <div class="checkin-actions">
                    {button("arrived", "checkin.mark_arrived", true)}
                    {button("late", "checkin.mark_late", false)}
                    {button("no_show", "checkin.mark_no_show", false)}
                    {button("", "checkin.undo", false)}
                </div>
            })}
        </li>
    }
}

/// Where a station's device says it has no network, how many taps wait to
/// be sent and when it last fetched the roster (page.js fills it in; the
/// texts it needs ride along as data attributes).
#[component]
fn OfflineStatus(station: Id) -> impl IntoView {
    view! {
        <div id="offline-status" class="offline-status" data-station=station.to_string()
            data-offline=t("checkin.offline")
            data-waiting=t("checkin.waiting")
            data-waiting-one=t("checkin.waiting_one")
            data-refreshed=t("checkin.refreshed")
            data-not-refreshed=t("checkin.not_refreshed")
            data-arrived=t("checkin.arrived")
            data-late=t("checkin.late")
            data-no-show=t("checkin.no_show")
            data-not-yet=t("checkin.not_yet")
            data-code-unknown=t("checkin.code_unknown")
            data-check-in=t("checkin.check_in")
            data-scanned=t("checkin.scanned")
            data-sign-out-waiting=t("checkin.sign_out_waiting")>
            <div class="alert alert-warning" role="status" data-part="banner" hidden></div>
            <p class="hint" data-part="refreshed"></p>
            <div role="status" data-part="notices"></div>
        </div>
    }
}

/// `?day=…` for links between a day's check-in page, its scanner and its
/// attendance sheet, so they are the addresses the device keeps offline.
fn day_query(day: Option<NaiveDate>) -> String {
    day.map(|d| format!("?day={d}")).unwrap_or_default()
}

/// Scanning volunteers' check-in codes with the tablet's camera, for those
/// who may check people in at the station.
#[component]
pub fn ScanPage() -> impl IntoView {
    let data = checkin_resource();
    view! {
        <Loaded resource=data error_title="scanner.title" view=|d: CheckinData| {
            let title = t_with("scanner.title_at", &[("station", &d.station)]);
            let back = format!("/stations/{}/checkin{}", d.station_id, day_query(d.day));
            view! {
                <Title text=title.clone()/>
                <h1>{title}</h1>
                <p class="hint">{t("scanner.explained")}</p>
                {if d.can_mark {
                    view! {
                        <OfflineStatus station=d.station_id/>
                        <div id="scan-result" data-offline-scan=d.station_id.to_string()></div>
                        <crate::scanner::Scanner texts=crate::scanner::texts()/>
                    }.into_any()
                } else {
                    view! { <crate::components::ErrorAlert error=AppError::Forbidden/> }.into_any()
                }}
                <p><a href=back>{t("scanner.back")}</a></p>
            }
        }/>
    }
}

/// The attendance sheet of a station and day, for printing on A4: one row
/// per person with a column to sign.
#[component]
pub fn AttendanceSheetPage() -> impl IntoView {
    let data = checkin_resource();
    view! {
        <Loaded resource=data view=|d: CheckinData| {
            let title = t_with("checkin.sheet_title", &[("station", &d.station)]);
            view! {
                <Title text=title.clone()/>
                <h1>{title}</h1>
                <p><strong>{d.day.map(long_date).unwrap_or_default()}</strong></p>
                <p class="hint no-print">{t("checkin.sheet_hint")}</p>
                <div class="table-wrap" tabindex="0" role="region" aria-label=t("checkin.sheet_table")>
                    <table class="data attendance-sheet">
                        <thead>
                            <tr>
                                <th scope="col">{t("lists.col.name")}</th>
                                <th scope="col">{t("lists.col.task_type")}</th>
                                <th scope="col">{t("lists.col.times")}</th>
                                <th scope="col">{t("lists.col.team")}</th>
                                <th scope="col">{t("lists.col.phone")}</th>
                                <th scope="col">{t("checkin.sheet_arrived")}</th>
                                <th scope="col" class="signature">{t("checkin.sheet_signature")}</th>
                            </tr>
                        </thead>
                        <tbody>
                            {d.lines.into_iter().map(|l| {
                                let person = l.person.clone();
                                view! {
                                    <tr>
                                        <td>{person.as_ref().map(|p| p.name.clone()).unwrap_or_default()}</td>
                                        <td>{l.task_type.clone()}</td>
                                        <td>{format!("{}–{}", l.start_time.format("%H:%M"), l.end_time.format("%H:%M"))}</td>
                                        <td>{l.team.clone()}</td>
                                        <td>{person.and_then(|p| p.phone).unwrap_or_default()}</td>
                                        <td>{l.attendance.map(|a| t(&format!("checkin.{}", a.as_str()))).unwrap_or_default()}</td>
                                        <td class="signature"></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
        }/>
    }
}

/// Where a scanned QR code lands: who it is, and one tap to check them in.
#[component]
pub fn CodePage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let data = Resource::new(code, peek_code);
    view! {
        <Title text=t("checkin.code_title")/>
        <div class="signin-box card">
            <h1>{t("checkin.code_title")}</h1>
            <Loaded resource=data view=move |d: CodeData| view! {
                <p><strong>{d.name.clone()}</strong></p>
                <p>{d.task_type.clone()} " · " {d.station.clone()} " · " {long_date(d.day)} " " {d.start.clone()}</p>
                <form method="post" action=CheckInCode::url()>
                    <input type="hidden" name="code" value=code()/>
                    <button type="submit" class="btn btn-primary">{t("checkin.check_in")}</button>
                </form>
            }/>
        </div>
    }
}
