use super::notifications::enqueue_in;
use super::seats::refuse_overlap;
use super::{one_row, SqliteStorage};
use crate::storage::db_error;
use app::domain::shifts::Shift;
use app::domain::signup::{LinkFilters, OpenCell, SignupLink};
use app::domain::{AppError, Id};
use app::server::storage::{NewMessage, SignupStore};
use async_trait::async_trait;
use chrono::{NaiveDate, NaiveTime};

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: i64,
    token: String,
    election_id: i64,
    election_title: String,
    election_active: bool,
    team_id: i64,
    team: String,
    filters: String,
    created_by: Option<String>,
    created_at: i64,
    revoked_at: Option<i64>,
}

const LINK_SELECT: &str = "SELECT l.id, l.token, l.election_id, e.title AS election_title,
        e.active AS election_active, l.team_id, t.name AS team, l.filters,
        u.name AS created_by, l.created_at, l.revoked_at
    FROM signup_links l
    JOIN elections e ON e.id = l.election_id
    JOIN teams t ON t.id = l.team_id
    LEFT JOIN users u ON u.id = l.created_by";

fn link(row: LinkRow) -> SignupLink {
    // Filters that cannot be read must not turn into "any seat": such a link
    // counts as closed.
    let filters: Option<LinkFilters> = serde_json::from_str(&row.filters).ok();
    SignupLink {
        id: row.id,
        token: row.token,
        election_id: row.election_id,
        election_title: row.election_title,
        election_active: row.election_active,
        team_id: row.team_id,
        team: row.team,
        filters: filters.clone().unwrap_or_default(),
        created_by: row.created_by.unwrap_or_default(),
        created_at: row.created_at,
        revoked: row.revoked_at.is_some() || filters.is_none(),
    }
}

#[derive(sqlx::FromRow)]
struct CellRow {
    station_id: i64,
    station: String,
    address: String,
    day: NaiveDate,
    task_type_id: i64,
    task_type: String,
    description: String,
    start_time: NaiveTime,
    end_time: NaiveTime,
    payment_dkk: i64,
    free: i64,
}

#[async_trait]
impl SignupStore for SqliteStorage {
    async fn create_link(
        &self,
        token: &str,
        election_id: Id,
        team_id: Id,
        filters: &LinkFilters,
        created_by: Id,
        now: i64,
    ) -> Result<Id, AppError> {
        let filters = serde_json::to_string(filters).map_err(|_| AppError::Server)?;
        sqlx::query_scalar(
            "INSERT INTO signup_links (token, election_id, team_id, filters, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(token)
        .bind(election_id)
        .bind(team_id)
        .bind(filters)
        .bind(created_by)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn list_links(&self, teams: Option<&[Id]>) -> Result<Vec<SignupLink>, AppError> {
        let teams = teams.map(|t| serde_json::to_string(t).unwrap_or_else(|_| "[]".into()));
        let rows: Vec<LinkRow> = sqlx::query_as(&format!(
            "{LINK_SELECT} WHERE $1 IS NULL OR l.team_id IN (SELECT value FROM json_each($1))
             ORDER BY l.created_at DESC, l.id DESC"
        ))
        .bind(teams)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows.into_iter().map(link).collect())
    }

    async fn get_link(&self, id: Id) -> Result<SignupLink, AppError> {
        let row: LinkRow = sqlx::query_as(&format!("{LINK_SELECT} WHERE l.id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(link(row))
    }

    async fn link_by_token(&self, token: &str) -> Result<Option<SignupLink>, AppError> {
        let row: Option<LinkRow> = sqlx::query_as(&format!(
            "{LINK_SELECT} WHERE l.token = $1 AND l.revoked_at IS NULL"
        ))
        .bind(token)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(row.map(link).filter(|l| !l.revoked))
    }

    async fn revoke_link(&self, id: Id, now: i64) -> Result<(), AppError> {
        let result = sqlx::query(
            "UPDATE signup_links SET revoked_at = coalesce(revoked_at, $2) WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        one_row(result)
    }

    async fn open_cells(&self, l: &SignupLink) -> Result<Vec<OpenCell>, AppError> {
        let rows: Vec<CellRow> = sqlx::query_as(
            "SELECT s.station_id, st.name AS station,
                    st.address || ', ' || st.postal_code || ' ' || st.city AS address,
                    s.day, s.task_type_id, t.title AS task_type, t.description, t.start_time,
                    t.end_time, t.payment_dkk, count(*) AS free
             FROM seats s
             JOIN stations st ON st.id = s.station_id
             JOIN task_types t ON t.id = s.task_type_id
             WHERE s.election_id = $1 AND s.team_id = $2 AND s.status = 'open' AND t.trusted = 0
               AND ($3 = '[]' OR s.station_id IN (SELECT value FROM json_each($3)))
               AND ($4 = '[]' OR s.task_type_id IN (SELECT value FROM json_each($4)))
               AND ($5 = '[]' OR s.day IN (SELECT value FROM json_each($5)))
             GROUP BY s.station_id, s.day, s.task_type_id
             ORDER BY st.name, s.day, t.start_time",
        )
        .bind(l.election_id)
        .bind(l.team_id)
        .bind(serde_json::to_string(&l.filters.stations).unwrap_or_default())
        .bind(serde_json::to_string(&l.filters.task_types).unwrap_or_default())
        .bind(serde_json::to_string(&l.filters.days).unwrap_or_default())
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|r| OpenCell {
                station_id: r.station_id,
                station: r.station,
                address: r.address,
                day: r.day,
                task_type_id: r.task_type_id,
                task_type: r.task_type,
                description: r.description,
                start_time: r.start_time,
                end_time: r.end_time,
                payment_dkk: r.payment_dkk,
                free: r.free,
            })
            .collect())
    }

    async fn take_seat(
        &self,
        l: &SignupLink,
        station_id: Id,
        day: NaiveDate,
        task_type_id: Id,
        volunteer_id: Id,
        now: i64,
        mut message: NewMessage,
    ) -> Result<Id, AppError> {
        let mut tx = self.write().await?;
        let times: Option<(NaiveTime, NaiveTime, bool)> =
            sqlx::query_as("SELECT start_time, end_time, trusted FROM task_types WHERE id = $1")
                .bind(task_type_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_error)?;
        let (start, end, trusted) = times.ok_or(AppError::NotFound)?;
        if trusted || !l.filters.allows(station_id, task_type_id, day) {
            return Err(AppError::NotFound);
        }
        refuse_overlap(&mut tx, volunteer_id, Shift::new(day, start, end)).await?;
        // The write lock is held from BEGIN IMMEDIATE: whoever gets here first
        // gets the seat; the next one finds it taken.
        let seat: Option<Id> = sqlx::query_scalar(
            "UPDATE seats SET status = 'accepted', volunteer_id = $6, accepted_at = $7
             WHERE id = (SELECT id FROM seats WHERE election_id = $1 AND station_id = $2 AND day = $3
                           AND team_id = $4 AND task_type_id = $5 AND status = 'open'
                         ORDER BY id LIMIT 1)
             RETURNING id",
        )
        .bind(l.election_id)
        .bind(station_id)
        .bind(day)
        .bind(l.team_id)
        .bind(task_type_id)
        .bind(volunteer_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_error)?;
        let seat = seat.ok_or_else(|| AppError::refused("signup.gone"))?;
        sqlx::query("INSERT OR IGNORE INTO team_members (team_id, volunteer_id) VALUES ($1, $2)")
            .bind(l.team_id)
            .bind(volunteer_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        message.seat_id = Some(seat);
        message.idempotency_key = format!("{}:{seat}", message.idempotency_key);
        enqueue_in(&mut tx, &message, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(seat)
    }
}
