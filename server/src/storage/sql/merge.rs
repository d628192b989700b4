//! Merging a duplicate volunteer record into the one that stays.

use super::seats::refuse_unavailable;
use super::Db;
use super::Storage;
use crate::storage::db_error;
use app::domain::accounts::Role;
use app::domain::merge::MergeCounts;
use app::domain::shifts::Shift;
use app::domain::{AppError, Id};
use chrono::{NaiveDate, NaiveTime};
use sqlx::Transaction;

pub(super) async fn counts(storage: &Storage, duplicate: Id) -> Result<MergeCounts, AppError> {
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .bind(duplicate)
            .fetch_one(storage.pool())
            .await
            .map_err(db_error)
    };
    Ok(MergeCounts {
        seats: count("SELECT count(*) FROM seats WHERE volunteer_id = $1").await?,
        history: count("SELECT count(*) FROM seat_history WHERE volunteer_id = $1").await?,
        teams: count("SELECT count(*) FROM team_members WHERE volunteer_id = $1").await?,
        messages: count("SELECT count(*) FROM outbox WHERE volunteer_id = $1").await?,
        notes: count("SELECT count(*) FROM volunteer_notes WHERE volunteer_id = $1").await?,
    })
}

pub(super) async fn roles(storage: &Storage, volunteer_id: Id) -> Result<Vec<Role>, AppError> {
    let raw: Vec<String> = sqlx::query_scalar(
        "SELECT r.role FROM user_roles r JOIN users u ON u.id = r.user_id
         WHERE u.volunteer_id = $1 ORDER BY r.role",
    )
    .bind(volunteer_id)
    .fetch_all(storage.pool())
    .await
    .map_err(db_error)?;
    Ok(raw.iter().filter_map(|r| Role::parse(r)).collect())
}

async fn exec(
    tx: &mut Transaction<'static, Db>,
    sql: &str,
    kept: Id,
    duplicate: Id,
) -> Result<(), AppError> {
    sqlx::query(sql)
        .bind(kept)
        .bind(duplicate)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    Ok(())
}

pub(super) async fn merge(storage: &Storage, kept: Id, duplicate: Id) -> Result<(), AppError> {
    if kept == duplicate {
        return Err(AppError::invalid("duplicate", "merge.same"));
    }
    let mut tx = storage.write().await?;
    let live: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM volunteers WHERE id IN ($1, $2) AND anonymised_at IS NULL",
    )
    .bind(kept)
    .bind(duplicate)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_error)?;
    if live != 2 {
        return Err(AppError::NotFound);
    }
    // One person, one place at a time: their seats must not clash.
    let seats: Vec<(NaiveDate, NaiveTime, NaiveTime)> = sqlx::query_as(
        "SELECT s.day, t.start_time, t.end_time FROM seats s JOIN task_types t ON t.id = s.task_type_id
         WHERE s.volunteer_id = $1",
    )
    .bind(duplicate)
    .fetch_all(&mut *tx)
    .await
    .map_err(db_error)?;
    for (day, start, end) in seats {
        refuse_unavailable(&mut tx, kept, Shift::new(day, start, end))
            .await
            .map_err(|_| AppError::refused("merge.overlap"))?;
    }
    let accounts: Vec<(Id, Id)> =
        sqlx::query_as("SELECT id, volunteer_id FROM users WHERE volunteer_id IN ($1, $2)")
            .bind(kept)
            .bind(duplicate)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error)?;
    let kept_account = accounts.iter().find(|(_, v)| *v == kept).map(|(u, _)| *u);
    let duplicate_account = accounts
        .iter()
        .find(|(_, v)| *v == duplicate)
        .map(|(u, _)| *u);
    if let Some(user) = duplicate_account {
        let staff: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM user_roles WHERE user_id = $1 AND role <> 'volunteer')",
        )
        .bind(user)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        if staff {
            return Err(AppError::refused("merge.staff_account"));
        }
        if kept_account.is_some() {
            // Its sessions, passkeys and push devices go with it.
            sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(user)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        } else {
            // The duplicate's account signs in for the kept record now, at
            // the kept record's address.
            sqlx::query(
                "UPDATE users SET volunteer_id = $1,
                     email = (SELECT email FROM volunteers WHERE id = $1),
                     name = (SELECT name FROM volunteers WHERE id = $1)
                 WHERE id = $2",
            )
            .bind(kept)
            .bind(user)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
    }
    // Rows that are unique per person move unless the kept record has one.
    for sql in [
        "UPDATE seats SET volunteer_id = $1 WHERE volunteer_id = $2",
        "UPDATE seat_history SET volunteer_id = $1 WHERE volunteer_id = $2",
        "UPDATE checkin_marks SET volunteer_id = $1 WHERE volunteer_id = $2",
        "UPDATE outbox SET volunteer_id = $1 WHERE volunteer_id = $2",
        "UPDATE volunteer_notes SET volunteer_id = $1 WHERE volunteer_id = $2",
        "UPDATE registration_holds SET volunteer_id = $1 WHERE volunteer_id = $2",
        "UPDATE cover_calls SET taken_by = $1 WHERE taken_by = $2",
        "UPDATE team_members SET volunteer_id = $1 WHERE volunteer_id = $2 AND NOT EXISTS
            (SELECT 1 FROM team_members k WHERE k.volunteer_id = $1 AND k.team_id = team_members.team_id)",
        "UPDATE volunteer_diets SET volunteer_id = $1 WHERE volunteer_id = $2 AND NOT EXISTS
            (SELECT 1 FROM volunteer_diets k WHERE k.volunteer_id = $1 AND k.diet_id = volunteer_diets.diet_id)",
        "UPDATE standby SET volunteer_id = $1 WHERE volunteer_id = $2 AND NOT EXISTS
            (SELECT 1 FROM standby k WHERE k.volunteer_id = $1 AND k.election_id = standby.election_id
                AND k.station_id = standby.station_id AND k.day = standby.day
                AND k.team_id = standby.team_id AND k.task_type_id = standby.task_type_id)",
        "UPDATE cover_offers SET volunteer_id = $1 WHERE volunteer_id = $2 AND NOT EXISTS
            (SELECT 1 FROM cover_offers k WHERE k.volunteer_id = $1 AND k.call_id = cover_offers.call_id)",
        "UPDATE volunteer_cpr SET volunteer_id = $1 WHERE volunteer_id = $2 AND NOT EXISTS
            (SELECT 1 FROM volunteer_cpr k WHERE k.volunteer_id = $1)",
        "UPDATE volunteer_payroll_numbers SET volunteer_id = $1 WHERE volunteer_id = $2 AND NOT EXISTS
            (SELECT 1 FROM volunteer_payroll_numbers k WHERE k.volunteer_id = $1)",
    ] {
        exec(&mut tx, sql, kept, duplicate).await?;
    }
    // What could not move (the kept record has it already) goes with the
    // duplicate: its team memberships, diets, queue places, calendar feed,
    // and its answer links (their offers were to the duplicate).
    sqlx::query("DELETE FROM volunteers WHERE id = $1")
        .bind(duplicate)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
    tx.commit().await.map_err(db_error)
}
