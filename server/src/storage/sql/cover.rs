//! Calls for cover. Taking a seat runs under SQLite's write lock (BEGIN
//! IMMEDIATE) with a conditional update, so of many who tap at once exactly
//! one gets it.

use super::notifications::enqueue_in;
use super::seats::{refuse_unavailable, DetailsRow, DETAILS_SELECT};
use super::Db;
use super::Storage;
use crate::storage::db_error;
use app::domain::cover::CoverCall;
use app::domain::seats::SeatDetails;
use app::domain::shifts::Shift;
use app::domain::{AppError, Id};
use app::server::storage::{CoverStore, NewMessage};
use async_trait::async_trait;
use chrono::{NaiveDate, NaiveTime};
use sqlx::{Executor, Transaction};

#[derive(sqlx::FromRow)]
struct CallRow {
    id: Id,
    seat_id: Id,
    created_at: i64,
    expires_at: i64,
    closed_at: Option<i64>,
    taken_by: Option<Id>,
}

const CALL_SELECT: &str =
    "SELECT c.id, c.seat_id, c.created_at, c.expires_at, c.closed_at, c.taken_by FROM cover_calls c";

/// The call with everyone it went to.
async fn complete<'e, E>(executor: E, row: CallRow) -> Result<CoverCall, AppError>
where
    E: Executor<'e, Database = Db>,
{
    let offers: Vec<(Id, Option<i64>)> = sqlx::query_as(
        "SELECT volunteer_id, declined_at FROM cover_offers WHERE call_id = $1 ORDER BY volunteer_id",
    )
    .bind(row.id)
    .fetch_all(executor)
    .await
    .map_err(db_error)?;
    Ok(CoverCall {
        id: row.id,
        seat_id: row.seat_id,
        created_at: row.created_at,
        expires_at: row.expires_at,
        closed_at: row.closed_at,
        taken_by: row.taken_by,
        offered: offers.iter().map(|(v, _)| *v).collect(),
        declined: offers
            .iter()
            .filter(|(_, d)| d.is_some())
            .map(|(v, _)| *v)
            .collect(),
    })
}

impl Storage {
    /// A call found (or not), with everyone it went to.
    async fn completed(
        &self,
        row: Result<Option<CallRow>, sqlx::Error>,
    ) -> Result<Option<CoverCall>, AppError> {
        match row.map_err(db_error)? {
            Some(row) => Ok(Some(complete(&self.pool, row).await?)),
            None => Ok(None),
        }
    }
}

/// Refuses (`seats.taken`) unless the seat is open.
pub(crate) async fn require_open(
    tx: &mut Transaction<'static, Db>,
    seat_id: Id,
) -> Result<(), AppError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM seats WHERE id = $1")
        .bind(seat_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_error)?;
    if status.ok_or(AppError::NotFound)? != "open" {
        return Err(AppError::refused("seats.taken"));
    }
    Ok(())
}

/// Ends any open call for cover for the seat.
pub(crate) async fn close_calls(
    tx: &mut Transaction<'static, Db>,
    seat_id: Id,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query("UPDATE cover_calls SET closed_at = $2 WHERE seat_id = $1 AND closed_at IS NULL")
        .bind(seat_id)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(())
}

#[async_trait]
impl CoverStore for Storage {
    async fn create_cover_call(
        &self,
        seat_id: Id,
        volunteers: &[Id],
        created_by: Id,
        expires_at: i64,
        now: i64,
        messages: &[NewMessage],
    ) -> Result<Id, AppError> {
        let mut tx = self.write().await?;
        require_open(&mut tx, seat_id).await?;
        close_calls(&mut tx, seat_id, now).await?;
        let id: Id = sqlx::query_scalar(
            "INSERT INTO cover_calls (seat_id, created_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(seat_id)
        .bind(created_by)
        .bind(now)
        .bind(expires_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        for volunteer in volunteers {
            sqlx::query(
                "INSERT INTO cover_offers (call_id, volunteer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(volunteer)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        for message in messages {
            enqueue_in(&mut tx, message, now).await?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(id)
    }

    async fn latest_cover_call(&self, seat_id: Id) -> Result<Option<CoverCall>, AppError> {
        let row = sqlx::query_as(&format!(
            "{CALL_SELECT} WHERE c.seat_id = $1 ORDER BY c.id DESC LIMIT 1"
        ))
        .bind(seat_id)
        .fetch_optional(&self.pool)
        .await;
        self.completed(row).await
    }

    async fn cover_call_for(
        &self,
        seat_id: Id,
        volunteer_id: Id,
    ) -> Result<Option<CoverCall>, AppError> {
        let row = sqlx::query_as(&format!(
            "{CALL_SELECT} JOIN cover_offers o ON o.call_id = c.id AND o.volunteer_id = $2
             WHERE c.seat_id = $1 ORDER BY c.id DESC LIMIT 1"
        ))
        .bind(seat_id)
        .bind(volunteer_id)
        .fetch_optional(&self.pool)
        .await;
        self.completed(row).await
    }

    async fn take_cover(
        &self,
        seat_id: Id,
        volunteer_id: Id,
        now: i64,
        messages: &[NewMessage],
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let call: Option<(Id, i64, Option<i64>, Option<i64>)> = sqlx::query_as(
            "SELECT c.id, c.expires_at, c.closed_at, o.declined_at FROM cover_calls c
             JOIN cover_offers o ON o.call_id = c.id AND o.volunteer_id = $2
             WHERE c.seat_id = $1 ORDER BY c.id DESC LIMIT 1",
        )
        .bind(seat_id)
        .bind(volunteer_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let (call_id, expires_at, closed_at, _) = call.ok_or(AppError::NotFound)?;
        let seat: (String, NaiveDate, NaiveTime, NaiveTime) = sqlx::query_as(
            "SELECT s.status, s.day, t.start_time, t.end_time FROM seats s
             JOIN task_types t ON t.id = s.task_type_id WHERE s.id = $1",
        )
        .bind(seat_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        if seat.0 != "open" {
            return Err(AppError::refused("cover.taken"));
        }
        if closed_at.is_some() || expires_at <= now {
            return Err(AppError::refused("cover.closed"));
        }
        let shift = Shift::new(seat.1, seat.2, seat.3);
        shift.refuse_if_started(now)?;
        refuse_unavailable(&mut tx, volunteer_id, shift).await?;
        // Under the write lock the seat is still open here: this one gets it.
        sqlx::query(
            "UPDATE seats SET status = 'accepted', volunteer_id = $2, accepted_at = $3
             WHERE id = $1 AND status = 'open'",
        )
        .bind(seat_id)
        .bind(volunteer_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)
        .and_then(super::one_row)?;
        sqlx::query("UPDATE cover_calls SET closed_at = $2, taken_by = $3 WHERE id = $1")
            .bind(call_id)
            .bind(now)
            .bind(volunteer_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        super::standby::leave_cell_queue(&mut tx, seat_id, volunteer_id).await?;
        for message in messages {
            enqueue_in(&mut tx, message, now).await?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn decline_cover(&self, seat_id: Id, volunteer_id: Id, now: i64) -> Result<(), AppError> {
        let result = sqlx::query(
            "UPDATE cover_offers SET declined_at = coalesce(declined_at, $3)
             WHERE volunteer_id = $2
               AND call_id = (SELECT max(c.id) FROM cover_calls c
                              JOIN cover_offers o ON o.call_id = c.id AND o.volunteer_id = $2
                              WHERE c.seat_id = $1)",
        )
        .bind(seat_id)
        .bind(volunteer_id)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        super::one_row(result)
    }

    async fn volunteer_cover_offers(
        &self,
        volunteer_id: Id,
        now: i64,
    ) -> Result<Vec<(SeatDetails, i64)>, AppError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        volunteer_cover_offers_on(&mut conn, volunteer_id, now).await
    }
}

/// Seats of open, unexpired calls that went to the volunteer and that
/// they have not said no to, with when each call runs out.
pub(super) async fn volunteer_cover_offers_on(
    conn: &mut <Db as sqlx::Database>::Connection,
    volunteer_id: Id,
    now: i64,
) -> Result<Vec<(SeatDetails, i64)>, AppError> {
    let calls: Vec<(Id, i64)> = sqlx::query_as(
        "SELECT c.seat_id, c.expires_at FROM cover_calls c
         JOIN cover_offers o ON o.call_id = c.id AND o.volunteer_id = $1 AND o.declined_at IS NULL
         JOIN seats s ON s.id = c.seat_id AND s.status = 'open'
         JOIN elections e ON e.id = s.election_id AND e.active
         WHERE c.closed_at IS NULL AND c.expires_at > $2
         ORDER BY s.day, c.expires_at",
    )
    .bind(volunteer_id)
    .bind(now)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error)?;
    let mut offers = Vec::with_capacity(calls.len());
    for (seat_id, expires_at) in calls {
        let row: DetailsRow = sqlx::query_as(&format!("{DETAILS_SELECT} WHERE s.id = $1"))
            .bind(seat_id)
            .fetch_one(&mut *conn)
            .await
            .map_err(db_error)?;
        offers.push((row.into_details(), expires_at));
    }
    Ok(offers)
}
