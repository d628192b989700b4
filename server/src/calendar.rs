//! Calendar files: `/calendar/shift/{seat}` (one shift, for the signed-in
//! volunteer it belongs to) and `/calendar/feed/{secret}` (every shift of the
//! volunteer whose private feed address it is; phone calendars fetch it
//! without cookies, so the secret is the key).

use crate::startup::AppState;
use app::domain::calendar::{ics, CalendarEvent};
use app::domain::seats::{SeatDetails, SeatStatus};
use app::server::ServerContext;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

fn host(ctx: &ServerContext) -> String {
    crate::startup::host_of(&ctx.settings.public_url)
}

/// The signed-in user of a plain request (not a server function), from the
/// session cookie.
pub async fn request_user(
    ctx: &ServerContext,
    headers: &HeaderMap,
) -> Result<Option<app::domain::accounts::CurrentUser>, app::domain::AppError> {
    let Some(cookie) = app::server::cookie_in(headers, app::server::SESSION_COOKIE) else {
        return Ok(None);
    };
    ctx.storage
        .session_user(
            &(ctx.hasher)(&cookie),
            ctx.now(),
            ctx.settings.session_idle_secs,
        )
        .await
}

/// "Download my data": everything kept about the signed-in volunteer.
pub async fn my_data(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let ctx = state.ctx;
    let user = match request_user(&ctx, &headers).await {
        Ok(Some(user)) => user,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    match app::profile::collect_my_data(&ctx, user).await {
        Ok(data) => (
            [
                (header::CONTENT_TYPE, "application/json; charset=utf-8"),
                (header::CACHE_CONTROL, "private, no-store"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"valgvagt-mine-data.json\"",
                ),
            ],
            serde_json::to_string_pretty(&data).unwrap_or_default(),
        )
            .into_response(),
        Err(e) => StatusCode::from_u16(e.status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
    }
}

fn calendar_response(body: String, file: Option<&str>) -> Response {
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response();
    if let Some(file) = file {
        if let Ok(value) = format!("attachment; filename=\"{file}\"").parse() {
            response
                .headers_mut()
                .insert(header::CONTENT_DISPOSITION, value);
        }
    }
    response
}

fn events(ctx: &ServerContext, seats: &[SeatDetails]) -> Vec<CalendarEvent> {
    let host = host(ctx);
    seats
        .iter()
        .filter(|s| matches!(s.status, SeatStatus::Accepted | SeatStatus::Invited))
        .map(|s| CalendarEvent::from_seat(s, &ctx.settings.public_url, &host))
        .collect()
}

/// One shift of the signed-in volunteer.
pub async fn shift(
    State(state): State<AppState>,
    Path(seat_id): Path<i64>,
    headers: HeaderMap,
) -> Response {
    let ctx = state.ctx;
    let user = match request_user(&ctx, &headers).await {
        Ok(Some(user)) => user,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let seat = match ctx.storage.seat_details(seat_id).await {
        Ok(seat) => seat,
        Err(_) => return StatusCode::NOT_FOUND.into_response(),
    };
    // Another person's shift and no shift at all look the same.
    if user.volunteer_id.is_none() || seat.volunteer_id != user.volunteer_id {
        return StatusCode::NOT_FOUND.into_response();
    }
    let list = events(&ctx, std::slice::from_ref(&seat));
    if list.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let name = app::i18n::translate(app::i18n::Locale::Da, "myshifts.title");
    calendar_response(
        ics(&name, &list, ctx.now()),
        Some(&format!("vagt-{seat_id}.ics")),
    )
}

/// Every current shift of the volunteer whose feed this is.
pub async fn feed(State(state): State<AppState>, Path(secret): Path<String>) -> Response {
    let ctx = state.ctx;
    let secret = secret.trim_end_matches(".ics");
    let volunteer = match ctx
        .storage
        .volunteer_by_calendar_token(&(ctx.hasher)(secret))
        .await
    {
        Ok(Some(id)) => id,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let seats = match ctx.storage.volunteer_seats(volunteer).await {
        Ok(seats) => seats,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let name = app::i18n::translate(app::i18n::Locale::Da, "myshifts.title");
    calendar_response(ics(&name, &events(&ctx, &seats), ctx.now()), None)
}
