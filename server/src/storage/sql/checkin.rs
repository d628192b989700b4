use super::Storage;
use crate::storage::db_error;
use app::domain::checkin::{decide, CheckinFlag, CheckinMark, Outcome, Recorded, SeatNow};
use app::domain::seats::Attendance;
use app::domain::{AppError, Id};
use app::server::storage::CheckinStore;
use async_trait::async_trait;
use chrono::NaiveDate;

#[derive(sqlx::FromRow)]
struct SeatRow {
    election_id: Id,
    station_id: Id,
    day: NaiveDate,
    status: String,
    volunteer_id: Option<Id>,
    attendance: Option<String>,
    attendance_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct FlagRow {
    id: Id,
    election_id: Id,
    area_id: Id,
    station_id: Id,
    station: String,
    seat_id: Id,
    name: String,
    at: i64,
}

impl From<FlagRow> for CheckinFlag {
    fn from(r: FlagRow) -> Self {
        CheckinFlag {
            id: r.id,
            election_id: r.election_id,
            area_id: r.area_id,
            station_id: r.station_id,
            station: r.station,
            seat_id: r.seat_id,
            name: r.name,
            at: r.at,
        }
    }
}

const FLAGS: &str = "SELECT m.id, m.election_id, st.area_id, m.station_id, st.name AS station,
        m.seat_id, coalesce(v.name, '') AS name, m.at
    FROM checkin_marks m
    JOIN stations st ON st.id = m.station_id
    LEFT JOIN volunteers v ON v.id = m.volunteer_id";

fn attendance(raw: Option<&str>) -> Option<Attendance> {
    raw.and_then(Attendance::parse)
}

#[async_trait]
impl CheckinStore for Storage {
    async fn record_checkin(
        &self,
        user_id: Id,
        mark: &CheckinMark,
        now: i64,
    ) -> Result<Recorded, AppError> {
        // One writer at a time (both backends' `write`): two tablets' marks
        // for one seat are decided one after the other.
        let mut tx = self.write().await?;
        let seat: SeatRow = sqlx::query_as(
            "SELECT election_id, station_id, day, status, volunteer_id, attendance, attendance_at
             FROM seats WHERE id = $1",
        )
        .bind(mark.seat_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?
        .ok_or(AppError::NotFound)?;
        let answer = |outcome: Outcome| Recorded {
            outcome,
            attendance: attendance(seat.attendance.as_deref()),
            attendance_at: seat.attendance_at,
        };
        let earlier: Option<String> =
            sqlx::query_scalar("SELECT outcome FROM checkin_marks WHERE user_id = $1 AND key = $2")
                .bind(user_id)
                .bind(&mark.key)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
        if let Some(outcome) = earlier {
            // Sent again (the answer was lost on the way): the first answer.
            let outcome = Outcome::parse(&outcome).ok_or(AppError::Server)?;
            return Ok(answer(outcome));
        }
        let holder = (seat.status == "accepted")
            .then_some(seat.volunteer_id)
            .flatten();
        if holder != Some(mark.volunteer_id) {
            // Only a person who was on this seat can be flagged on it.
            let was_here: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM seat_history WHERE seat_id = $1 AND volunteer_id = $2)
                     OR EXISTS (SELECT 1 FROM seats WHERE id = $1 AND volunteer_id = $2)",
            )
            .bind(mark.seat_id)
            .bind(mark.volunteer_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            if !was_here {
                return Err(AppError::refused("checkin.not_on_seat"));
            }
        }
        let at = mark.believed_at(now);
        let now_seat = SeatNow {
            holder,
            attendance: attendance(seat.attendance.as_deref()),
            attendance_at: seat.attendance_at,
        };
        let decision = decide(now_seat, mark, at);
        sqlx::query(
            "INSERT INTO checkin_marks (user_id, key, seat_id, election_id, station_id, day,
                 volunteer_id, attendance, at, received_at, outcome)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(user_id)
        .bind(&mark.key)
        .bind(mark.seat_id)
        .bind(seat.election_id)
        .bind(seat.station_id)
        .bind(seat.day)
        .bind(mark.volunteer_id)
        .bind(mark.attendance.map(Attendance::as_str))
        .bind(at)
        .bind(now)
        .bind(decision.outcome.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        let mut recorded = answer(decision.outcome);
        if let Some((new, new_at)) = decision.set {
            sqlx::query("UPDATE seats SET attendance = $2, attendance_at = $3 WHERE id = $1")
                .bind(mark.seat_id)
                .bind(new.map(Attendance::as_str))
                .bind(new_at)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            recorded.attendance = new;
            recorded.attendance_at = new_at;
        }
        if decision.outcome == Outcome::Flagged {
            // The seat itself is unchanged: the board is told by hand.
            sqlx::query(
                "INSERT INTO board_versions (election_id, version) VALUES ($1, 1)
                 ON CONFLICT (election_id) DO UPDATE SET version = board_versions.version + 1",
            )
            .bind(seat.election_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)?;
        Ok(recorded)
    }

    async fn checkin_flags(&self, election_id: Id) -> Result<Vec<CheckinFlag>, AppError> {
        let rows: Vec<FlagRow> = sqlx::query_as(&format!(
            "{FLAGS} WHERE m.election_id = $1 AND m.outcome = 'flagged' AND m.cleared_at IS NULL
             ORDER BY m.at DESC, m.id DESC"
        ))
        .bind(election_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn checkin_flag(&self, flag_id: Id) -> Result<CheckinFlag, AppError> {
        let row: FlagRow = sqlx::query_as(&format!(
            "{FLAGS} WHERE m.id = $1 AND m.outcome = 'flagged'"
        ))
        .bind(flag_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?
        .ok_or(AppError::NotFound)?;
        Ok(row.into())
    }

    async fn clear_checkin_flag(&self, flag_id: Id, now: i64) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let election: Option<Id> = sqlx::query_scalar(
            "UPDATE checkin_marks SET cleared_at = $2
             WHERE id = $1 AND outcome = 'flagged' AND cleared_at IS NULL
             RETURNING election_id",
        )
        .bind(flag_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let election = election.ok_or(AppError::NotFound)?;
        sqlx::query(
            "INSERT INTO board_versions (election_id, version) VALUES ($1, 1)
             ON CONFLICT (election_id) DO UPDATE SET version = board_versions.version + 1",
        )
        .bind(election)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }
}
