use super::notifications::enqueue_in;
use super::Db;
use super::{id_array, now, Storage};
use crate::storage::db_error;
use app::domain::candidates::{postal_distance, Candidate, PoolEntry};
use app::domain::elections::Reminders;
use app::domain::lists::{ListFilter, Participant};
use app::domain::rosters::{Contact, PersonShift, RosterLine, SeatHistoryEntry};
use app::domain::seats::{
    plan_count_change, Attendance, OwnShifts, SeatCell, SeatCounts, SeatCountsChange, SeatDetails,
    SeatStatus, StationSeats,
};
use app::domain::shifts::{first_overlap, Shift};
use app::domain::{AppError, Id};
use app::server::storage::{NewMessage, SeatFill, SeatStore};
use async_trait::async_trait;
use chrono::{NaiveDate, NaiveTime};

#[derive(sqlx::FromRow)]
struct ParticipantRow {
    seat_id: i64,
    volunteer_id: i64,
    name: String,
    team: String,
    station: String,
    district: i64,
    area: String,
    task_type: String,
    birth_date: NaiveDate,
    day: NaiveDate,
    start_time: NaiveTime,
    end_time: NaiveTime,
    status: String,
    phone: String,
    email: String,
    address: String,
    postal_code: String,
    city: String,
    address_protected: bool,
    diets: String,
    payment_dkk: i64,
    attendance: Option<String>,
    accepted_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct PoolRow {
    id: i64,
    name: String,
    postal_code: String,
    city: String,
    birth_date: NaiveDate,
    municipality_code: String,
    citizenship: String,
    under_guardianship: bool,
    station_postal_code: String,
    standby_place: Option<i64>,
    team_member: bool,
    day: NaiveDate,
    #[sqlx(flatten)]
    register: super::civil_register::FactsRow,
}

#[derive(sqlx::FromRow)]
struct CellRow {
    team_id: i64,
    task_type_id: i64,
    open: i64,
    invited: i64,
    accepted: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ShiftRow {
    seat_id: i64,
    volunteer_id: i64,
    election_title: String,
    station_name: String,
    day: NaiveDate,
    start_time: NaiveTime,
    end_time: NaiveTime,
    task_type: String,
    team: String,
    status: String,
}

/// The seats people hold, with what a list of shifts shows; callers add the
/// WHERE clause on `s` (seats) and the ORDER.
pub(crate) const SHIFT_SELECT: &str =
    "SELECT s.id AS seat_id, s.volunteer_id, e.title AS election_title,
        st.name AS station_name, s.day, t.start_time, t.end_time, t.title AS task_type,
        tm.name AS team, s.status
    FROM seats s
    JOIN elections e ON e.id = s.election_id
    JOIN stations st ON st.id = s.station_id
    JOIN task_types t ON t.id = s.task_type_id
    JOIN teams tm ON tm.id = s.team_id";

impl ShiftRow {
    pub(crate) fn volunteer_id(&self) -> Id {
        self.volunteer_id
    }

    pub(crate) fn into_shift(self) -> PersonShift {
        PersonShift {
            seat_id: self.seat_id,
            election_title: self.election_title,
            station_name: self.station_name,
            day: self.day,
            start_time: self.start_time,
            end_time: self.end_time,
            task_type: self.task_type,
            team: self.team,
            status: SeatStatus::parse(&self.status).unwrap_or(SeatStatus::Open),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct DetailsRow {
    seat_id: i64,
    election_id: i64,
    election_title: String,
    election_active: bool,
    lock_days: i64,
    invite_reminder_days: i64,
    shift_reminder_days: i64,
    morning_reminder: bool,
    station_id: i64,
    area_id: i64,
    station_name: String,
    address: String,
    day: NaiveDate,
    start_time: NaiveTime,
    end_time: NaiveTime,
    task_type_id: i64,
    task_type: String,
    task_description: String,
    team_id: i64,
    team: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    payment_dkk: i64,
    task_reminders: bool,
    status: String,
    volunteer_id: Option<i64>,
    volunteer_name: Option<String>,
    volunteer_language: Option<String>,
    invited_at: Option<i64>,
    respond_by: Option<i64>,
}

/// Seats with everything a message about them needs; callers add WHERE.
pub(crate) const DETAILS_SELECT: &str =
    "SELECT s.id AS seat_id, s.election_id, e.title AS election_title,
        e.active AS election_active, e.lock_days, e.invite_reminder_days, e.shift_reminder_days,
        e.morning_reminder, s.station_id, st.area_id, st.name AS station_name,
        st.address || ', ' || st.postal_code || ' ' || st.city AS address,
        s.day, t.start_time, t.end_time, s.task_type_id, t.title AS task_type,
        t.description AS task_description, s.team_id, tm.name AS team, st.latitude, st.longitude, t.payment_dkk,
        t.reminders AS task_reminders, s.status, s.volunteer_id, v.name AS volunteer_name,
        v.language AS volunteer_language, s.invited_at, s.respond_by
    FROM seats s
    JOIN elections e ON e.id = s.election_id
    JOIN stations st ON st.id = s.station_id
    JOIN task_types t ON t.id = s.task_type_id
    JOIN teams tm ON tm.id = s.team_id
    LEFT JOIN volunteers v ON v.id = s.volunteer_id";

impl DetailsRow {
    pub(crate) fn into_details(self) -> SeatDetails {
        SeatDetails {
            seat_id: self.seat_id,
            election_id: self.election_id,
            election_title: self.election_title,
            election_active: self.election_active,
            lock_days: self.lock_days,
            reminders: Reminders {
                invite_every_days: self.invite_reminder_days,
                shift_days_before: self.shift_reminder_days,
                morning: self.morning_reminder,
            },
            station_id: self.station_id,
            area_id: self.area_id,
            station_name: self.station_name,
            address: self.address,
            day: self.day,
            start_time: self.start_time,
            end_time: self.end_time,
            task_type_id: self.task_type_id,
            task_type: self.task_type,
            task_description: self.task_description,
            team_id: self.team_id,
            team: self.team,
            latitude: self.latitude,
            longitude: self.longitude,
            payment_dkk: self.payment_dkk,
            task_reminders: self.task_reminders,
            status: SeatStatus::parse(&self.status).unwrap_or(SeatStatus::Open),
            volunteer_id: self.volunteer_id,
            volunteer_name: self.volunteer_name,
            volunteer_language: self.volunteer_language,
            invited_at: self.invited_at,
            respond_by: self.respond_by,
        }
    }
}

/// Every way of taking a seat passes here: a deactivated person takes
/// none, and one person is in one place at a time, across every election.
pub(crate) async fn refuse_unavailable(
    tx: &mut sqlx::Transaction<'static, Db>,
    volunteer_id: Id,
    candidate: Shift,
) -> Result<(), AppError> {
    let deactivated: Option<bool> =
        sqlx::query_scalar("SELECT deactivated_at IS NOT NULL FROM volunteers WHERE id = $1")
            .bind(volunteer_id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db_error)?;
    if deactivated.unwrap_or(true) {
        return Err(AppError::refused("volunteers.deactivated"));
    }
    let others: Vec<(NaiveDate, NaiveTime, NaiveTime)> = sqlx::query_as(
        "SELECT s.day, t.start_time, t.end_time FROM seats s JOIN task_types t ON t.id = s.task_type_id
         WHERE s.volunteer_id = $1 AND s.day BETWEEN $2 AND $3",
    )
    .bind(volunteer_id)
    .bind(candidate.day - chrono::Duration::days(1))
    .bind(candidate.day + chrono::Duration::days(1))
    .fetch_all(&mut **tx)
    .await
    .map_err(db_error)?;
    let others: Vec<Shift> = others
        .into_iter()
        .map(|(d, s, e)| Shift::new(d, s, e))
        .collect();
    if first_overlap(&candidate, &others).is_some() {
        return Err(AppError::refused("seats.overlap"));
    }
    Ok(())
}

/// Opens a held seat again, keeps what happened in its history, and offers
/// it to the first in its standby queue.
pub(crate) async fn release_seat(
    tx: &mut sqlx::Transaction<'static, Db>,
    offers: &super::OfferRules,
    seat_id: Id,
    event: &str,
    reason: &str,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO seat_history (seat_id, election_id, station_id, day, team_id, task_type_id,
             volunteer_id, event, reason, at)
         SELECT id, election_id, station_id, day, team_id, task_type_id, volunteer_id, $2, $3, $4
         FROM seats WHERE id = $1 AND volunteer_id IS NOT NULL",
    )
    .bind(seat_id)
    .bind(event)
    .bind(reason)
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    sqlx::query(
        "UPDATE seats SET status = 'open', volunteer_id = NULL, invited_at = NULL, respond_by = NULL,
             accepted_at = NULL, attendance = NULL, attendance_at = NULL
         WHERE id = $1",
    )
    .bind(seat_id)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    super::standby::offer_to_standby(tx, offers, seat_id, now).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct RosterRow {
    seat_id: i64,
    day: NaiveDate,
    start_time: NaiveTime,
    end_time: NaiveTime,
    task_type: String,
    team: String,
    status: String,
    volunteer_id: Option<i64>,
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    attendance: Option<String>,
    attendance_at: Option<i64>,
}

const COUNTS: &str = "count(*) FILTER (WHERE s.status = 'open') AS open,
    count(*) FILTER (WHERE s.status = 'invited') AS invited,
    count(*) FILTER (WHERE s.status = 'accepted') AS accepted";

#[async_trait]
impl SeatStore for Storage {
    async fn seat_plan(
        &self,
        election_id: Id,
        station_id: Id,
        day: NaiveDate,
    ) -> Result<Vec<SeatCell>, AppError> {
        let rows: Vec<CellRow> = sqlx::query_as(&format!(
            "SELECT s.team_id, s.task_type_id, {COUNTS} FROM seats s
             WHERE s.election_id = $1 AND s.station_id = $2 AND s.day = $3
             GROUP BY s.team_id, s.task_type_id"
        ))
        .bind(election_id)
        .bind(station_id)
        .bind(day)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|r| SeatCell {
                team_id: r.team_id,
                task_type_id: r.task_type_id,
                counts: SeatCounts {
                    open: r.open,
                    invited: r.invited,
                    accepted: r.accepted,
                },
            })
            .collect())
    }

    async fn seat_days(&self, election_id: Id, station_id: Id) -> Result<Vec<NaiveDate>, AppError> {
        sqlx::query_scalar("SELECT DISTINCT day FROM seats WHERE election_id = $1 AND station_id = $2 ORDER BY day")
            .bind(election_id)
            .bind(station_id)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn station_seats(&self, election_id: Id) -> Result<Vec<StationSeats>, AppError> {
        let rows: Vec<(i64, String, String, Option<i64>, Option<i64>, Option<i64>)> =
            sqlx::query_as(&format!(
                "SELECT st.id, st.name, a.name, {COUNTS}
             FROM election_stations es
             JOIN stations st ON st.id = es.station_id
             JOIN areas a ON a.id = st.area_id
             LEFT JOIN seats s ON s.election_id = es.election_id AND s.station_id = es.station_id
             WHERE es.election_id = $1
             GROUP BY st.id, a.id ORDER BY a.name, st.district_number, st.name"
            ))
            .bind(election_id)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(
                |(station_id, station_name, area_name, open, invited, accepted)| StationSeats {
                    station_id,
                    station_name,
                    area_name,
                    counts: SeatCounts {
                        open: open.unwrap_or(0),
                        invited: invited.unwrap_or(0),
                        accepted: accepted.unwrap_or(0),
                    },
                },
            )
            .collect())
    }

    async fn set_seat_counts(&self, change: &SeatCountsChange) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let election: Option<(NaiveDate, NaiveDate)> =
            sqlx::query_as("SELECT first_day, last_day FROM elections WHERE id = $1")
                .bind(change.election_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
        let (first, last) = election.ok_or(AppError::NotFound)?;
        if change.day < first || change.day > last {
            return Err(AppError::invalid("day", "error.day_outside_election"));
        }
        let linked: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM election_stations WHERE election_id = $1 AND station_id = $2",
        )
        .bind(change.election_id)
        .bind(change.station_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        if linked == 0 {
            return Err(AppError::refused("seats.station_not_in_election"));
        }
        let stamp = now();
        for &(team_id, task_type_id, target) in &change.cells {
            let row: CellRow = sqlx::query_as(&format!(
                "SELECT CAST($4 AS BIGINT) AS team_id, CAST($5 AS BIGINT) AS task_type_id, {COUNTS}
                 FROM seats s WHERE s.election_id = $1 AND s.station_id = $2 AND s.day = $3
                   AND s.team_id = $4 AND s.task_type_id = $5"
            ))
            .bind(change.election_id)
            .bind(change.station_id)
            .bind(change.day)
            .bind(team_id)
            .bind(task_type_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
            let current = SeatCounts {
                open: row.open,
                invited: row.invited,
                accepted: row.accepted,
            };
            // Any refusal returns before commit, so nothing of the form is stored.
            let plan = plan_count_change(current, target)?;
            for _ in 0..plan.add {
                sqlx::query(
                    "INSERT INTO seats (election_id, station_id, day, team_id, task_type_id, status, created_at)
                     VALUES ($1, $2, $3, $4, $5, 'open', $6)",
                )
                .bind(change.election_id)
                .bind(change.station_id)
                .bind(change.day)
                .bind(team_id)
                .bind(task_type_id)
                .bind(stamp)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
            let cell = "election_id = $1 AND station_id = $2 AND day = $3 AND team_id = $4 AND task_type_id = $5";
            if plan.remove_open > 0 {
                sqlx::query(&format!(
                    "DELETE FROM seats WHERE id IN (SELECT id FROM seats WHERE {cell} AND status = 'open'
                     ORDER BY id DESC LIMIT $6)"
                ))
                .bind(change.election_id)
                .bind(change.station_id)
                .bind(change.day)
                .bind(team_id)
                .bind(task_type_id)
                .bind(plan.remove_open)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
            if plan.remove_invited > 0 {
                // The newest invitations go first; each is kept as history.
                let victims: Vec<(i64, i64)> = sqlx::query_as(&format!(
                    "SELECT id, volunteer_id FROM seats WHERE {cell} AND status = 'invited' ORDER BY invited_at DESC, id DESC LIMIT $6"
                ))
                .bind(change.election_id)
                .bind(change.station_id)
                .bind(change.day)
                .bind(team_id)
                .bind(task_type_id)
                .bind(plan.remove_invited)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?;
                for (seat_id, volunteer_id) in victims {
                    sqlx::query(
                        "INSERT INTO seat_history (seat_id, election_id, station_id, day, team_id, task_type_id, volunteer_id, event, reason, at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, 'withdrawn', 'seat removed from the plan', $8)",
                    )
                    .bind(seat_id)
                    .bind(change.election_id)
                    .bind(change.station_id)
                    .bind(change.day)
                    .bind(team_id)
                    .bind(task_type_id)
                    .bind(volunteer_id)
                    .bind(stamp)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error)?;
                    sqlx::query("DELETE FROM seats WHERE id = $1")
                        .bind(seat_id)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_error)?;
                }
            }
        }
        tx.commit().await.map_err(db_error)
    }

    async fn open_seats(
        &self,
        election_id: Id,
        station_id: Id,
        day: NaiveDate,
        team_id: Id,
        task_type_id: Id,
    ) -> Result<Vec<Id>, AppError> {
        sqlx::query_scalar(
            "SELECT id FROM seats WHERE election_id = $1 AND station_id = $2 AND day = $3 AND team_id = $4
               AND task_type_id = $5 AND status = 'open' ORDER BY id",
        )
        .bind(election_id)
        .bind(station_id)
        .bind(day)
        .bind(team_id)
        .bind(task_type_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn fill_seat(
        &self,
        seat_id: Id,
        volunteer_id: Id,
        status: SeatStatus,
        respond_by: Option<i64>,
        now: i64,
        message: Option<&NewMessage>,
    ) -> Result<(), AppError> {
        let fill = SeatFill {
            seat_id,
            volunteer_id,
            status,
            respond_by,
            message: message.cloned(),
        };
        self.fill_seats(&[fill], now).await
    }

    async fn fill_seats(&self, fills: &[SeatFill], now: i64) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        // All or none: the first refusal rolls back those before it.
        for fill in fills {
            fill_in(&mut tx, fill, now).await?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn seat_details(&self, seat_id: Id) -> Result<SeatDetails, AppError> {
        let row: DetailsRow = sqlx::query_as(&format!("{DETAILS_SELECT} WHERE s.id = $1"))
            .bind(seat_id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(row.into_details())
    }

    async fn answer_invitation(
        &self,
        seat_id: Id,
        volunteer_id: Id,
        accept: bool,
        reason: &str,
        now: i64,
        message: Option<&NewMessage>,
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        type Row = (
            String,
            Option<Id>,
            Option<i64>,
            NaiveDate,
            NaiveTime,
            NaiveTime,
        );
        let seat: Option<Row> = sqlx::query_as(
            "SELECT s.status, s.volunteer_id, s.respond_by, s.day, t.start_time, t.end_time
             FROM seats s JOIN task_types t ON t.id = s.task_type_id WHERE s.id = $1",
        )
        .bind(seat_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        match seat {
            Some((status, Some(holder), respond_by, day, start, end))
                if status == "invited" && holder == volunteer_id =>
            {
                if respond_by.is_some_and(|deadline| deadline <= now) {
                    return Err(AppError::refused("shifts.invitation_expired"));
                }
                if accept {
                    Shift::new(day, start, end).refuse_if_started(now)?;
                }
            }
            // Someone else's seat and a seat that does not exist look alike.
            Some((_, Some(holder), ..)) if holder != volunteer_id => {
                return Err(AppError::NotFound)
            }
            None => return Err(AppError::NotFound),
            _ => return Err(AppError::refused("shifts.not_invited")),
        }
        if accept {
            sqlx::query("UPDATE seats SET status = 'accepted', accepted_at = $2 WHERE id = $1")
                .bind(seat_id)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            super::standby::leave_cell_queue(&mut tx, seat_id, volunteer_id).await?;
        } else {
            release_seat(&mut tx, &self.offers, seat_id, "declined", reason, now).await?;
        }
        if let Some(message) = message {
            enqueue_in(&mut tx, message, now).await?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn volunteer_seats(&self, volunteer_id: Id) -> Result<Vec<SeatDetails>, AppError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        volunteer_seats_on(&mut conn, volunteer_id).await
    }

    async fn own_shifts(&self, volunteer_id: Id, now: i64) -> Result<OwnShifts, AppError> {
        // One connection for all four: through the pool, every statement
        // pays a checkout and sqlx's ping when the connection goes back.
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        Ok(OwnShifts {
            seats: volunteer_seats_on(&mut conn, volunteer_id).await?,
            calendar_feed: super::volunteers::has_calendar_feed_on(&mut conn, volunteer_id).await?,
            standby: super::signup::volunteer_standby_on(&mut conn, volunteer_id).await?,
            cover: super::cover::volunteer_cover_offers_on(&mut conn, volunteer_id, now).await?,
        })
    }

    async fn cancel_shift(
        &self,
        seat_id: Id,
        volunteer_id: Id,
        today: NaiveDate,
        now: i64,
        message: Option<&NewMessage>,
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let seat: Option<(String, Option<Id>, NaiveDate, i64)> = sqlx::query_as(
            "SELECT s.status, s.volunteer_id, s.day, e.lock_days FROM seats s
             JOIN elections e ON e.id = s.election_id WHERE s.id = $1",
        )
        .bind(seat_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let Some((status, Some(holder), day, lock_days)) = seat else {
            return Err(AppError::NotFound);
        };
        if holder != volunteer_id {
            return Err(AppError::NotFound);
        }
        if status != "accepted" {
            return Err(AppError::refused("shifts.not_accepted"));
        }
        // The lock period holds on the server, whatever the page showed.
        if !app::domain::elections::may_self_cancel(day, today, lock_days) {
            return Err(AppError::refused("shifts.locked"));
        }
        release_seat(&mut tx, &self.offers, seat_id, "cancelled", "", now).await?;
        if let Some(message) = message {
            enqueue_in(&mut tx, message, now).await?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn station_roster(
        &self,
        election_id: Id,
        station_id: Id,
    ) -> Result<Vec<RosterLine>, AppError> {
        let rows: Vec<RosterRow> = sqlx::query_as(
            "SELECT s.id AS seat_id, s.day, t.start_time, t.end_time, t.title AS task_type,
                    tm.name AS team, s.status, v.id AS volunteer_id, v.name, v.phone, v.email,
                    s.attendance, s.attendance_at
             FROM seats s
             JOIN task_types t ON t.id = s.task_type_id
             JOIN teams tm ON tm.id = s.team_id
             LEFT JOIN volunteers v ON v.id = s.volunteer_id
             WHERE s.election_id = $1 AND s.station_id = $2
             ORDER BY s.day, t.start_time, t.title, s.status = 'open', v.name, s.id",
        )
        .bind(election_id)
        .bind(station_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let events: Vec<(Id, String, String, String, i64)> = sqlx::query_as(
            "SELECT h.seat_id, h.event, coalesce(v.name, '') AS name, h.reason, h.at FROM seat_history h
             LEFT JOIN volunteers v ON v.id = h.volunteer_id
             WHERE h.election_id = $1 AND h.station_id = $2 AND h.seat_id IS NOT NULL
             UNION ALL
             SELECT m.seat_id, 'checked_in_after_removal', coalesce(v.name, ''), '', m.at
             FROM checkin_marks m
             LEFT JOIN volunteers v ON v.id = m.volunteer_id
             WHERE m.election_id = $1 AND m.station_id = $2 AND m.outcome = 'flagged'
             ORDER BY 5, 1",
        )
        .bind(election_id)
        .bind(station_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let mut history: std::collections::HashMap<Id, Vec<SeatHistoryEntry>> =
            std::collections::HashMap::new();
        for (seat, event, name, reason, at) in events {
            history.entry(seat).or_default().push(SeatHistoryEntry {
                event,
                name,
                reason,
                at,
            });
        }
        Ok(rows
            .into_iter()
            .map(|r| RosterLine {
                history: history.remove(&r.seat_id).unwrap_or_default(),
                seat_id: r.seat_id,
                day: r.day,
                start_time: r.start_time,
                end_time: r.end_time,
                task_type: r.task_type,
                team: r.team,
                status: SeatStatus::parse(&r.status).unwrap_or(SeatStatus::Open),
                attendance: r.attendance.as_deref().and_then(Attendance::parse),
                attendance_at: r.attendance_at,
                person: r.volunteer_id.map(|volunteer_id| Contact {
                    volunteer_id,
                    name: r.name.unwrap_or_default(),
                    phone: r.phone,
                    email: r.email,
                }),
            })
            .collect())
    }

    async fn move_open_seat(&self, seat_id: Id, team_id: Id, now: i64) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        super::cover::require_open(&mut tx, seat_id).await?;
        sqlx::query("UPDATE seats SET team_id = $2 WHERE id = $1")
            .bind(seat_id)
            .bind(team_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        // The old team's call for cover no longer fits the seat.
        super::cover::close_calls(&mut tx, seat_id, now).await?;
        super::standby::offer_to_standby(&mut tx, &self.offers, seat_id, now).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn remove_from_seat(
        &self,
        seat_id: Id,
        expected: Id,
        reason: &str,
        replacement: Option<(Id, i64)>,
        now: i64,
        messages: &[NewMessage],
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let seat: Option<(Option<Id>, NaiveDate, NaiveTime, NaiveTime)> = sqlx::query_as(
            "SELECT s.volunteer_id, s.day, t.start_time, t.end_time FROM seats s
             JOIN task_types t ON t.id = s.task_type_id WHERE s.id = $1",
        )
        .bind(seat_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let Some((holder, day, start, end)) = seat else {
            return Err(AppError::NotFound);
        };
        match holder {
            None => return Err(AppError::refused("seats.nobody_to_remove")),
            // Read before this transaction, changed since: the messages
            // would go to the wrong person.
            Some(holder) if holder != expected => {
                return Err(AppError::refused("seats.changed_meanwhile"))
            }
            Some(_) => {}
        }
        match replacement {
            None => release_seat(&mut tx, &self.offers, seat_id, "removed", reason, now).await?,
            Some((newcomer, respond_by)) => {
                sqlx::query(
                    "INSERT INTO seat_history (seat_id, election_id, station_id, day, team_id,
                         task_type_id, volunteer_id, event, reason, at)
                     SELECT id, election_id, station_id, day, team_id, task_type_id, volunteer_id,
                         'removed', $2, $3
                     FROM seats WHERE id = $1",
                )
                .bind(seat_id)
                .bind(reason)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
                refuse_unavailable(&mut tx, newcomer, Shift::new(day, start, end)).await?;
                sqlx::query(
                    "UPDATE seats SET status = 'invited', volunteer_id = $2, invited_at = $3,
                         respond_by = $4, accepted_at = NULL, attendance = NULL, attendance_at = NULL
                     WHERE id = $1",
                )
                .bind(seat_id)
                .bind(newcomer)
                .bind(now)
                .bind(respond_by)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
            }
        }
        for message in messages {
            enqueue_in(&mut tx, message, now).await?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn participants(&self, filter: &ListFilter) -> Result<Vec<Participant>, AppError> {
        let rows: Vec<ParticipantRow> = sqlx::query_as(&format!(
            "SELECT s.id AS seat_id, v.id AS volunteer_id, v.name, tm.name AS team,
                    st.name AS station, st.district_number AS district, a.name AS area,
                    t.title AS task_type, v.birth_date, s.day, t.start_time,
                    t.end_time, s.status, v.phone, v.email, v.address, v.postal_code, v.city,
                    coalesce(c.address_protected, false) AS address_protected,
                    coalesce((SELECT string_agg(d.name, ', ') FROM volunteer_diets vd
                              JOIN diets d ON d.id = vd.diet_id WHERE vd.volunteer_id = v.id), '')
                        AS diets,
                    t.payment_dkk, s.attendance, s.accepted_at
             FROM seats s
             JOIN volunteers v ON v.id = s.volunteer_id
             JOIN teams tm ON tm.id = s.team_id
             JOIN stations st ON st.id = s.station_id
             JOIN areas a ON a.id = st.area_id
             JOIN task_types t ON t.id = s.task_type_id
             LEFT JOIN volunteer_cpr c ON c.volunteer_id = v.id
             WHERE s.election_id = $1 AND ($2 IS NULL OR s.day = $2)
               AND ($3 IS NULL OR st.area_id = $3) AND ($4 IS NULL OR s.station_id = $4)
               AND ($5 IS NULL OR s.team_id = $5) AND ($6 IS NULL OR s.task_type_id = $6)
               AND ($7 IS NULL OR s.status = $7)
               AND ($8 IS NULL OR st.area_id IN ({}))
             ORDER BY st.name, s.day, t.start_time, v.name, s.id",
            super::dialect::ids("$8")
        ))
        .bind(filter.election_id)
        .bind(filter.day)
        .bind(filter.area)
        .bind(filter.station)
        .bind(filter.team)
        .bind(filter.task_type)
        .bind(filter.status.map(SeatStatus::as_str))
        .bind(filter.within_areas.as_deref().map(super::id_array))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|r| Participant {
                seat_id: r.seat_id,
                volunteer_id: r.volunteer_id,
                name: r.name,
                team: r.team,
                station: r.station,
                district: r.district,
                area: r.area,
                task_type: r.task_type,
                birth_date: r.birth_date,
                day: r.day,
                start_time: r.start_time,
                end_time: r.end_time,
                status: SeatStatus::parse(&r.status).unwrap_or(SeatStatus::Open),
                phone: r.phone,
                email: r.email,
                address: r.address,
                postal_code: r.postal_code,
                city: r.city,
                address_protected: r.address_protected,
                diets: r.diets,
                payment_dkk: r.payment_dkk,
                attendance: r.attendance.as_deref().and_then(Attendance::parse),
                accepted_at: r.accepted_at,
            })
            .collect())
    }

    async fn set_attendance(
        &self,
        seat_id: Id,
        attendance: Option<Attendance>,
        now: i64,
    ) -> Result<(), AppError> {
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM seats WHERE id = $1")
            .bind(seat_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        match status.as_deref() {
            None => return Err(AppError::NotFound),
            Some("accepted") => {}
            Some(_) => return Err(AppError::refused("checkin.not_accepted")),
        }
        let result = sqlx::query(
            "UPDATE seats SET attendance = $2, attendance_at = $3
             WHERE id = $1 AND status = 'accepted'",
        )
        .bind(seat_id)
        .bind(attendance.map(Attendance::as_str))
        .bind(attendance.map(|_| now))
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        super::one_row(result)
    }

    async fn candidate_pool(&self, seat_id: Id, limit: i64) -> Result<Vec<PoolEntry>, AppError> {
        let rows: Vec<PoolRow> = sqlx::query_as(&format!(
            "SELECT v.id, v.name, v.postal_code, v.city, v.birth_date, v.municipality_code,
                    v.citizenship, v.under_guardianship, st.postal_code AS station_postal_code,
                    CASE WHEN q.id IS NULL THEN NULL ELSE
                        (SELECT count(*) FROM standby q2 WHERE q2.election_id = q.election_id
                            AND q2.station_id = q.station_id AND q2.day = q.day
                            AND q2.team_id = q.team_id AND q2.task_type_id = q.task_type_id
                            AND q2.id <= q.id) END AS standby_place,
                    tm.volunteer_id IS NOT NULL AS team_member, s.day, {}
             FROM seats s
             JOIN stations st ON st.id = s.station_id
             CROSS JOIN volunteers v
             LEFT JOIN volunteer_cpr c ON c.volunteer_id = v.id
             LEFT JOIN standby q ON q.volunteer_id = v.id AND q.election_id = s.election_id
                AND q.station_id = s.station_id AND q.day = s.day AND q.team_id = s.team_id
                AND q.task_type_id = s.task_type_id
             LEFT JOIN team_members tm ON tm.team_id = s.team_id AND tm.volunteer_id = v.id
             WHERE s.id = $1 AND v.anonymised_at IS NULL AND v.deactivated_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM seat_history h WHERE h.seat_id = s.id
                                 AND h.volunteer_id = v.id AND h.event = 'declined')
               AND NOT EXISTS (SELECT 1 FROM seats o WHERE o.volunteer_id = v.id
                                 AND o.election_id = s.election_id AND o.station_id = s.station_id
                                 AND o.day = s.day AND o.task_type_id = s.task_type_id)
             ORDER BY q.id IS NULL, q.id, tm.volunteer_id IS NULL,
                      abs(CAST(v.postal_code AS INTEGER) - CAST(st.postal_code AS INTEGER)), v.name
             LIMIT $2",
            super::civil_register::FACTS
        ))
        .bind(seat_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let Some(day) = rows.first().map(|r| r.day) else {
            return Ok(Vec::new());
        };
        let ids: Vec<Id> = rows.iter().map(|r| r.id).collect();
        let shifts: Vec<(Id, NaiveDate, NaiveTime, NaiveTime)> = sqlx::query_as(&format!(
            "SELECT o.volunteer_id, o.day, t.start_time, t.end_time FROM seats o
             JOIN task_types t ON t.id = o.task_type_id
             WHERE o.volunteer_id IN ({}) AND o.day BETWEEN $2 AND $3",
            super::dialect::ids("$1")
        ))
        .bind(id_array(&ids))
        .bind(day - chrono::Duration::days(1))
        .bind(day + chrono::Duration::days(1))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let citizenship = app::domain::volunteers::Citizenship::parse(&r.citizenship)?;
                let register = r.register.facts();
                let protected = register.as_ref().is_some_and(|f| f.address_protected);
                // Ranked by distance, but a protected address's town never
                // leaves the server.
                let distance = postal_distance(&r.postal_code, &r.station_postal_code);
                let (postal_code, city) = if protected {
                    (String::new(), String::new())
                } else {
                    (r.postal_code, r.city)
                };
                Some(PoolEntry {
                    nearby: shifts
                        .iter()
                        .filter(|(v, ..)| *v == r.id)
                        .map(|(_, d, s, e)| Shift::new(*d, *s, *e))
                        .collect(),
                    candidate: Candidate {
                        volunteer_id: r.id,
                        distance,
                        name: r.name,
                        postal_code,
                        city,
                        address_protected: protected,
                        standby_place: r.standby_place,
                        team_member: r.team_member,
                    },
                    birth_date: r.birth_date,
                    municipality_code: r.municipality_code,
                    citizenship,
                    under_guardianship: r.under_guardianship,
                    register,
                })
            })
            .collect())
    }

    async fn volunteer_shifts(&self, volunteer_id: Id) -> Result<Vec<PersonShift>, AppError> {
        let rows: Vec<ShiftRow> = sqlx::query_as(&format!(
            "{SHIFT_SELECT} WHERE s.volunteer_id = $1 ORDER BY s.day, t.start_time, s.id"
        ))
        .bind(volunteer_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows.into_iter().map(ShiftRow::into_shift).collect())
    }
}

impl Storage {
    /// Open invitations (any day) and accepted seats from `from` to `to`,
    /// in active elections; for the reminder scheduler.
    pub(crate) async fn scheduled(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<SeatDetails>, AppError> {
        let rows: Vec<DetailsRow> = sqlx::query_as(&format!(
            "{DETAILS_SELECT}
             WHERE e.active
               AND (s.status = 'invited' OR (s.status = 'accepted' AND s.day BETWEEN $1 AND $2))
             ORDER BY s.day, s.id"
        ))
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows.into_iter().map(DetailsRow::into_details).collect())
    }

    pub(crate) async fn expire(
        &self,
        seat_id: Id,
        volunteer_id: Id,
        invited_at: i64,
        now: i64,
        message: &NewMessage,
    ) -> Result<bool, AppError> {
        let mut tx = self.write().await?;
        let still: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM seats WHERE id = $1 AND status = 'invited'
                 AND volunteer_id = $2 AND invited_at = $3)",
        )
        .bind(seat_id)
        .bind(volunteer_id)
        .bind(invited_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        if !still {
            return Ok(false);
        }
        release_seat(&mut tx, &self.offers, seat_id, "expired", "", now).await?;
        enqueue_in(&mut tx, message, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(true)
    }
}

/// Puts a person on an open seat as invited or accepted, with its message,
/// inside the caller's write transaction.
async fn fill_in(
    tx: &mut sqlx::Transaction<'static, Db>,
    fill: &SeatFill,
    now: i64,
) -> Result<(), AppError> {
    let SeatFill {
        seat_id,
        volunteer_id,
        status,
        respond_by,
        ref message,
    } = *fill;
    if status == SeatStatus::Open {
        return Err(AppError::invalid("status", "error.unknown_choice"));
    }
    let seat: Option<(String, NaiveDate, NaiveTime, NaiveTime)> = sqlx::query_as(
        "SELECT s.status, s.day, t.start_time, t.end_time FROM seats s
         JOIN task_types t ON t.id = s.task_type_id WHERE s.id = $1",
    )
    .bind(seat_id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_error)?;
    let (current, day, start, end) = seat.ok_or(AppError::NotFound)?;
    if current != "open" {
        return Err(AppError::refused("seats.taken"));
    }
    let shift = Shift::new(day, start, end);
    // An invitation needs an answer before the shift; the office may still
    // put someone on a seat during the shift (they are there), but not
    // after it.
    match status {
        SeatStatus::Invited => shift.refuse_if_started(now)?,
        _ if shift.ends_unix() <= now => return Err(AppError::refused("shifts.ended")),
        _ => {}
    }
    let respond_by = respond_by.map(|deadline| deadline.min(shift.starts_unix()));
    refuse_unavailable(tx, volunteer_id, shift).await?;
    let (invited_at, accepted_at) = match status {
        SeatStatus::Invited => (Some(now), None),
        _ => (None, Some(now)),
    };
    sqlx::query(
        "UPDATE seats SET status = $2, volunteer_id = $3, invited_at = $4, respond_by = $5, accepted_at = $6
         WHERE id = $1 AND status = 'open'",
    )
    .bind(seat_id)
    .bind(status.as_str())
    .bind(volunteer_id)
    .bind(invited_at)
    .bind(respond_by)
    .bind(accepted_at)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    if let Some(message) = message {
        enqueue_in(tx, message, now).await?;
    }
    Ok(())
}

#[async_trait]
impl crate::notifications::scheduler::ScheduleStore for Storage {
    async fn scheduled_seats(
        &self,
        today: NaiveDate,
        days: i64,
    ) -> Result<Vec<SeatDetails>, AppError> {
        self.scheduled(today, today + chrono::Duration::days(days))
            .await
    }

    async fn expire_invitation(
        &self,
        seat_id: i64,
        volunteer_id: i64,
        invited_at: i64,
        now: i64,
        message: &NewMessage,
    ) -> Result<bool, AppError> {
        self.expire(seat_id, volunteer_id, invited_at, now, message)
            .await
    }
}

/// The seats a person holds in any election, by day, in full.
async fn volunteer_seats_on(
    conn: &mut <Db as sqlx::Database>::Connection,
    volunteer_id: Id,
) -> Result<Vec<SeatDetails>, AppError> {
    let rows: Vec<DetailsRow> = sqlx::query_as(&format!(
        "{DETAILS_SELECT} WHERE s.volunteer_id = $1 ORDER BY s.day, t.start_time, s.id"
    ))
    .bind(volunteer_id)
    .fetch_all(conn)
    .await
    .map_err(db_error)?;
    Ok(rows.into_iter().map(DetailsRow::into_details).collect())
}
