//! The standby queue: who waits for a full cell, and the offer made to the
//! first in line when one of its seats frees. Offers are made inside the
//! transaction that frees the seat, so nobody can take it in between and no
//! two people are offered the same seat.

use super::notifications::enqueue_in;
use super::seats::{refuse_unavailable, DetailsRow, DETAILS_SELECT};
use super::Db;
use super::OfferRules;
use crate::storage::db_error;
use app::domain::notifications::MessageKind;
use app::domain::shifts::Shift;
use app::domain::{AppError, Id};
use chrono::{NaiveDate, NaiveTime};
use sqlx::Transaction;

/// The cell a seat belongs to, and its shift.
#[derive(sqlx::FromRow)]
struct FreedSeat {
    election_id: i64,
    station_id: i64,
    day: NaiveDate,
    team_id: i64,
    task_type_id: i64,
    start_time: NaiveTime,
    end_time: NaiveTime,
    active: bool,
}

/// Offers an open seat to the first in its cell's queue who can still take
/// it (one who has since got a shift at the same time is passed over and
/// leaves the queue). Returns who was offered it.
pub(crate) async fn offer_to_standby(
    tx: &mut Transaction<'static, Db>,
    rules: &OfferRules,
    seat_id: Id,
    now: i64,
) -> Result<Option<Id>, AppError> {
    let seat: Option<FreedSeat> = sqlx::query_as(
        "SELECT s.election_id, s.station_id, s.day, s.team_id, s.task_type_id, t.start_time,
                t.end_time, e.active
         FROM seats s
         JOIN task_types t ON t.id = s.task_type_id
         JOIN elections e ON e.id = s.election_id
         WHERE s.id = $1 AND s.status = 'open'",
    )
    .bind(seat_id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_error)?;
    let Some(seat) = seat else { return Ok(None) };
    let starts = app::i18n::copenhagen_to_unix(seat.day, seat.start_time);
    if !seat.active || starts <= now {
        return Ok(None);
    }
    loop {
        let next: Option<(Id, Id)> = sqlx::query_as(
            "SELECT id, volunteer_id FROM standby
             WHERE election_id = $1 AND station_id = $2 AND day = $3 AND team_id = $4
               AND task_type_id = $5
             ORDER BY id LIMIT 1",
        )
        .bind(seat.election_id)
        .bind(seat.station_id)
        .bind(seat.day)
        .bind(seat.team_id)
        .bind(seat.task_type_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_error)?;
        let Some((place, volunteer_id)) = next else {
            return Ok(None);
        };
        sqlx::query("DELETE FROM standby WHERE id = $1")
            .bind(place)
            .execute(&mut **tx)
            .await
            .map_err(db_error)?;
        let shift = Shift::new(seat.day, seat.start_time, seat.end_time);
        match refuse_unavailable(tx, volunteer_id, shift).await {
            Ok(()) => {}
            Err(AppError::Refused { .. }) => continue,
            Err(other) => return Err(other),
        }
        let respond_by = (now + rules.offer_secs).min(starts);
        sqlx::query(
            "UPDATE seats SET status = 'invited', volunteer_id = $2, invited_at = $3, respond_by = $4
             WHERE id = $1 AND status = 'open'",
        )
        .bind(seat_id)
        .bind(volunteer_id)
        .bind(now)
        .bind(respond_by)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
        let details: DetailsRow = sqlx::query_as(&format!("{DETAILS_SELECT} WHERE s.id = $1"))
            .bind(seat_id)
            .fetch_one(&mut **tx)
            .await
            .map_err(db_error)?;
        let message = app::shifts::seat_message(
            &rules.public_url,
            &details.into_details(),
            MessageKind::StandbyOffer,
            &now.to_string(),
        );
        enqueue_in(tx, &message, now).await?;
        return Ok(Some(volunteer_id));
    }
}

/// Takes a volunteer out of a cell's queue (they got a seat of it).
pub(crate) async fn leave_cell_queue(
    tx: &mut Transaction<'static, Db>,
    seat_id: Id,
    volunteer_id: Id,
) -> Result<(), AppError> {
    sqlx::query(
        "DELETE FROM standby WHERE volunteer_id = $2 AND (election_id, station_id, day, team_id,
             task_type_id) = (SELECT election_id, station_id, day, team_id, task_type_id
                              FROM seats WHERE id = $1)",
    )
    .bind(seat_id)
    .bind(volunteer_id)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(())
}
