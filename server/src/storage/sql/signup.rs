use super::notifications::enqueue_in;
use super::seats::refuse_unavailable;
use super::volunteers::insert_volunteer;
use super::Db;
use super::{id_array, one_row, Storage};
use crate::storage::db_error;
use app::domain::shifts::Shift;
use app::domain::signup::{
    CellChoice, LinkFilters, NewSignupLink, OpenCell, SignupLink, StandbyPlace,
};
use app::domain::volunteers::NewVolunteer;
use app::domain::{AppError, Id};
use app::server::storage::{NewMessage, SignupStore};
use async_trait::async_trait;
use chrono::{NaiveDate, NaiveTime};

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: i64,
    election_id: i64,
    election_title: String,
    election_active: bool,
    team_id: i64,
    team: String,
    filters: String,
    created_by: Option<String>,
    created_at: i64,
    revoked_at: Option<i64>,
    expires_at: Option<i64>,
}

const LINK_SELECT: &str = "SELECT l.id, l.election_id, e.title AS election_title,
        e.active AS election_active, l.team_id, t.name AS team, l.filters,
        u.name AS created_by, l.created_at, l.revoked_at, l.expires_at
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
        election_id: row.election_id,
        election_title: row.election_title,
        election_active: row.election_active,
        team_id: row.team_id,
        team: row.team,
        filters: filters.clone().unwrap_or_default(),
        created_by: row.created_by.unwrap_or_default(),
        created_at: row.created_at,
        revoked: row.revoked_at.is_some() || filters.is_none(),
        expires_at: row.expires_at,
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
    waiting: i64,
    my_place: Option<i64>,
    my_standby: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct PlaceRow {
    id: i64,
    election: String,
    station: String,
    address: String,
    day: NaiveDate,
    task_type: String,
    team: String,
    start_time: NaiveTime,
    end_time: NaiveTime,
    place: i64,
}

/// The columns that name a cell, for queries on `seats` and `standby`.
const SAME_CELL: &str = "q.election_id = s.election_id AND q.station_id = s.station_id
    AND q.day = s.day AND q.team_id = s.team_id AND q.task_type_id = s.task_type_id";

/// Whether the cell holds seats at all, has a free one, and one held by the volunteer.
async fn cell_state(
    tx: &mut sqlx::Transaction<'static, Db>,
    l: &SignupLink,
    cell: CellChoice,
    volunteer_id: Id,
) -> Result<(i64, i64, i64), AppError> {
    sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE status = 'open'),
                count(*) FILTER (WHERE volunteer_id = $6)
         FROM seats WHERE election_id = $1 AND station_id = $2 AND day = $3 AND team_id = $4
           AND task_type_id = $5",
    )
    .bind(l.election_id)
    .bind(cell.station_id)
    .bind(cell.day)
    .bind(l.team_id)
    .bind(cell.task_type_id)
    .bind(volunteer_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(db_error)
}

/// The cell's shift, if the link allows it (trusted task types never).
async fn allowed_shift(
    tx: &mut sqlx::Transaction<'static, Db>,
    l: &SignupLink,
    cell: CellChoice,
    now: i64,
) -> Result<Shift, AppError> {
    let times: Option<(NaiveTime, NaiveTime, bool, Id)> = sqlx::query_as(
        "SELECT t.start_time, t.end_time, t.trusted, st.area_id FROM task_types t, stations st
         WHERE t.id = $1 AND st.id = $2",
    )
    .bind(cell.task_type_id)
    .bind(cell.station_id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_error)?;
    let (start, end, trusted, area) = times.ok_or(AppError::NotFound)?;
    if trusted
        || !l
            .filters
            .allows(area, cell.station_id, cell.task_type_id, cell.day)
    {
        return Err(AppError::NotFound);
    }
    let shift = Shift::new(cell.day, start, end);
    shift.refuse_if_started(now)?;
    Ok(shift)
}

/// Puts a volunteer on a team (nothing changes if they are on it already).
pub(crate) async fn join_team_in(
    tx: &mut sqlx::Transaction<'static, Db>,
    team_id: Id,
    volunteer_id: Id,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO team_members (team_id, volunteer_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(team_id)
    .bind(volunteer_id)
    .execute(&mut **tx)
    .await
    .map_err(db_error)?;
    Ok(())
}

/// Hashes the tokens of links made before tokens were hashed (migration
/// 0020 leaves them in `plain_token`, since SQLite has no SHA-256). Runs
/// each time the database is opened; after the first time it finds nothing.
pub(super) async fn hash_plain_link_tokens(pool: &sqlx::Pool<Db>) -> Result<u64, AppError> {
    let plain: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, plain_token FROM signup_links WHERE plain_token IS NOT NULL")
            .fetch_all(pool)
            .await
            .map_err(db_error)?;
    let mut tx = pool.begin().await.map_err(db_error)?;
    for (id, token) in &plain {
        sqlx::query("UPDATE signup_links SET token_hash = $1, plain_token = NULL WHERE id = $2")
            .bind(crate::secrets::hash(token))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
    }
    tx.commit().await.map_err(db_error)?;
    Ok(plain.len() as u64)
}

#[async_trait]
impl SignupStore for Storage {
    async fn create_link(&self, new: &NewSignupLink, now: i64) -> Result<Id, AppError> {
        let filters = serde_json::to_string(&new.filters).map_err(|_| AppError::Server)?;
        sqlx::query_scalar(
            "INSERT INTO signup_links
                 (token_hash, election_id, team_id, filters, expires_at, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&new.token_hash)
        .bind(new.election_id)
        .bind(new.team_id)
        .bind(filters)
        .bind(new.expires_at)
        .bind(new.created_by)
        .bind(now)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn list_links(&self, teams: Option<&[Id]>) -> Result<Vec<SignupLink>, AppError> {
        let teams = teams.map(id_array);
        let rows: Vec<LinkRow> = sqlx::query_as(&format!(
            "{LINK_SELECT} WHERE $1 IS NULL OR l.team_id IN ({})
             ORDER BY l.created_at DESC, l.id DESC",
            super::dialect::ids("$1")
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

    async fn link_by_token(&self, token_hash: &str) -> Result<Option<SignupLink>, AppError> {
        let row: Option<LinkRow> = sqlx::query_as(&format!(
            "{LINK_SELECT} WHERE l.token_hash = $1 AND l.revoked_at IS NULL"
        ))
        .bind(token_hash)
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

    async fn open_cells(
        &self,
        l: &SignupLink,
        from: NaiveDate,
        volunteer: Option<Id>,
    ) -> Result<Vec<OpenCell>, AppError> {
        let rows: Vec<CellRow> = sqlx::query_as(&format!(
            "SELECT s.station_id, st.name AS station,
                    st.address || ', ' || st.postal_code || ' ' || st.city AS address,
                    s.day, s.task_type_id, t.title AS task_type, t.description, t.start_time,
                    t.end_time, t.payment_dkk,
                    count(*) FILTER (WHERE s.status = 'open') AS free,
                    (SELECT count(*) FROM standby q WHERE {SAME_CELL}) AS waiting,
                    (SELECT count(*) FROM standby q WHERE {SAME_CELL}
                       AND q.id <= (SELECT m.id FROM standby m WHERE m.volunteer_id = $7
                                      AND m.election_id = s.election_id AND m.station_id = s.station_id
                                      AND m.day = s.day AND m.team_id = s.team_id
                                      AND m.task_type_id = s.task_type_id)) AS my_place,
                    (SELECT m.id FROM standby m WHERE m.volunteer_id = $7
                        AND m.election_id = s.election_id AND m.station_id = s.station_id
                        AND m.day = s.day AND m.team_id = s.team_id
                        AND m.task_type_id = s.task_type_id) AS my_standby
             FROM seats s
             JOIN stations st ON st.id = s.station_id
             JOIN task_types t ON t.id = s.task_type_id
             WHERE s.election_id = $1 AND s.team_id = $2 AND NOT t.trusted AND s.day >= $6
               AND ($8 = '[]' OR st.area_id IN ({areas}))
               AND ($3 = '[]' OR s.station_id IN ({stations}))
               AND ($4 = '[]' OR s.task_type_id IN ({tasks}))
               AND ($5 = '[]' OR s.day IN ({days}))
             GROUP BY s.election_id, s.team_id, s.station_id, s.day, s.task_type_id, st.id, t.id
             ORDER BY st.name, s.day, t.start_time",
            areas = super::dialect::ids("$8"),
            stations = super::dialect::ids("$3"),
            tasks = super::dialect::ids("$4"),
            days = super::dialect::days("$5"),
        ))
        .bind(l.election_id)
        .bind(l.team_id)
        .bind(serde_json::to_string(&l.filters.stations).unwrap_or_default())
        .bind(serde_json::to_string(&l.filters.task_types).unwrap_or_default())
        .bind(serde_json::to_string(&l.filters.days).unwrap_or_default())
        .bind(from)
        .bind(volunteer)
        .bind(serde_json::to_string(&l.filters.areas).unwrap_or_default())
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
                waiting: r.waiting,
                my_place: r.my_place.filter(|p| *p > 0),
                my_standby: r.my_standby,
            })
            .collect())
    }

    async fn take_seat(
        &self,
        l: &SignupLink,
        cell: CellChoice,
        volunteer_id: Id,
        now: i64,
        mut message: NewMessage,
    ) -> Result<Id, AppError> {
        let mut tx = self.write().await?;
        let seat = claim_cell_seat(&mut tx, l, cell, volunteer_id, now, None).await?;
        message.seat_id = Some(seat);
        message.idempotency_key = format!("{}:{seat}", message.idempotency_key);
        enqueue_in(&mut tx, &message, now).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(seat)
    }

    async fn hold_seat(
        &self,
        l: &SignupLink,
        cell: CellChoice,
        volunteer_id: Id,
        now: i64,
        held_until: i64,
    ) -> Result<Id, AppError> {
        let mut tx = self.write().await?;
        let seat = claim_cell_seat(&mut tx, l, cell, volunteer_id, now, Some(held_until)).await?;
        sqlx::query(
            "INSERT INTO registration_holds (seat_id, volunteer_id, held_until)
             VALUES ($1, $2, $3)
             ON CONFLICT (seat_id) DO UPDATE
             SET volunteer_id = excluded.volunteer_id, held_until = excluded.held_until",
        )
        .bind(seat)
        .bind(volunteer_id)
        .bind(held_until)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(seat)
    }

    async fn held_seats(&self, volunteer_id: Id) -> Result<Vec<Id>, AppError> {
        sqlx::query_scalar(
            "SELECT h.seat_id FROM registration_holds h
             JOIN seats s ON s.id = h.seat_id AND s.status = 'invited' AND s.volunteer_id = h.volunteer_id
             WHERE h.volunteer_id = $1 ORDER BY h.seat_id",
        )
        .bind(volunteer_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn release_holds(&self, volunteer_id: Id) -> Result<(), AppError> {
        sqlx::query("DELETE FROM registration_holds WHERE volunteer_id = $1")
            .bind(volunteer_id)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn join_standby(
        &self,
        l: &SignupLink,
        cell: CellChoice,
        volunteer_id: Id,
        now: i64,
    ) -> Result<i64, AppError> {
        let mut tx = self.write().await?;
        let shift = allowed_shift(&mut tx, l, cell, now).await?;
        let (seats, free, mine) = cell_state(&mut tx, l, cell, volunteer_id).await?;
        if seats == 0 {
            return Err(AppError::NotFound);
        }
        if mine > 0 {
            return Err(AppError::refused("standby.already_yours"));
        }
        if free > 0 {
            return Err(AppError::refused("standby.still_free"));
        }
        refuse_unavailable(&mut tx, volunteer_id, shift).await?;
        sqlx::query(
            "INSERT INTO standby (election_id, station_id, day, team_id, task_type_id,
                 volunteer_id, joined_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(l.election_id)
        .bind(cell.station_id)
        .bind(cell.day)
        .bind(l.team_id)
        .bind(cell.task_type_id)
        .bind(volunteer_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        join_team_in(&mut tx, l.team_id, volunteer_id).await?;
        let place: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM standby q
             JOIN standby m ON m.election_id = q.election_id AND m.station_id = q.station_id
                AND m.day = q.day AND m.team_id = q.team_id AND m.task_type_id = q.task_type_id
             WHERE m.volunteer_id = $1 AND m.election_id = $2 AND m.station_id = $3 AND m.day = $4
               AND m.team_id = $5 AND m.task_type_id = $6 AND q.id <= m.id",
        )
        .bind(volunteer_id)
        .bind(l.election_id)
        .bind(cell.station_id)
        .bind(cell.day)
        .bind(l.team_id)
        .bind(cell.task_type_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(place)
    }

    async fn leave_standby(&self, volunteer_id: Id, standby_id: Id) -> Result<(), AppError> {
        let result = sqlx::query("DELETE FROM standby WHERE id = $1 AND volunteer_id = $2")
            .bind(standby_id)
            .bind(volunteer_id)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        one_row(result)
    }

    async fn volunteer_standby(&self, volunteer_id: Id) -> Result<Vec<StandbyPlace>, AppError> {
        let mut conn = self.pool.acquire().await.map_err(db_error)?;
        volunteer_standby_on(&mut conn, volunteer_id).await
    }

    async fn register_volunteer(
        &self,
        new: &NewVolunteer,
        team_id: Id,
        now: i64,
    ) -> Result<(Id, Id), AppError> {
        let mut tx = self.write().await?;
        let taken: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)
                 OR EXISTS (SELECT 1 FROM volunteers WHERE email = $1)",
        )
        .bind(new.email.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        if taken {
            return Err(AppError::refused("signup.email_taken"));
        }
        let volunteer_id = insert_volunteer(&mut tx, new, now).await?;
        let user_id: Id = sqlx::query_scalar(
            "INSERT INTO users (email, name, volunteer_id, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id",
        )
        .bind(new.email.as_str())
        .bind(&new.name)
        .bind(volunteer_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, 'volunteer')")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        join_team_in(&mut tx, team_id, volunteer_id).await?;
        tx.commit().await.map_err(db_error)?;
        Ok((user_id, volunteer_id))
    }

    async fn join_team(&self, team_id: Id, volunteer_id: Id) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        join_team_in(&mut tx, team_id, volunteer_id).await?;
        tx.commit().await.map_err(db_error)
    }
}

/// Gives the volunteer the first open seat of the cell (under the write
/// lock, so whoever gets here first gets it and the next finds it taken),
/// takes them out of the cell's queue and puts them on the team. Accepted,
/// or with `hold` invited until then.
async fn claim_cell_seat(
    tx: &mut sqlx::Transaction<'static, Db>,
    l: &SignupLink,
    cell: CellChoice,
    volunteer_id: Id,
    now: i64,
    hold: Option<i64>,
) -> Result<Id, AppError> {
    let shift = allowed_shift(tx, l, cell, now).await?;
    refuse_unavailable(tx, volunteer_id, shift).await?;
    let seat: Option<Id> = sqlx::query_scalar(
        "UPDATE seats SET volunteer_id = $6,
             status = CASE WHEN $8 IS NULL THEN 'accepted' ELSE 'invited' END,
             accepted_at = CASE WHEN $8 IS NULL THEN $7 ELSE accepted_at END,
             invited_at = CASE WHEN $8 IS NULL THEN invited_at ELSE $7 END,
             respond_by = coalesce($8, respond_by)
         WHERE id = (SELECT id FROM seats WHERE election_id = $1 AND station_id = $2 AND day = $3
                       AND team_id = $4 AND task_type_id = $5 AND status = 'open'
                     ORDER BY id LIMIT 1)
         RETURNING id",
    )
    .bind(l.election_id)
    .bind(cell.station_id)
    .bind(cell.day)
    .bind(l.team_id)
    .bind(cell.task_type_id)
    .bind(volunteer_id)
    .bind(now)
    .bind(hold)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_error)?;
    let seat = seat.ok_or_else(|| AppError::refused("signup.gone"))?;
    super::standby::leave_cell_queue(tx, seat, volunteer_id).await?;
    join_team_in(tx, l.team_id, volunteer_id).await?;
    Ok(seat)
}

/// The queues the volunteer waits in (active elections), with places.
pub(super) async fn volunteer_standby_on(
    conn: &mut <Db as sqlx::Database>::Connection,
    volunteer_id: Id,
) -> Result<Vec<StandbyPlace>, AppError> {
    let rows: Vec<PlaceRow> = sqlx::query_as(
        "SELECT m.id, e.title AS election, st.name AS station,
                st.address || ', ' || st.postal_code || ' ' || st.city AS address, m.day,
                t.title AS task_type, tm.name AS team, t.start_time, t.end_time,
                (SELECT count(*) FROM standby q WHERE q.election_id = m.election_id
                    AND q.station_id = m.station_id AND q.day = m.day AND q.team_id = m.team_id
                    AND q.task_type_id = m.task_type_id AND q.id <= m.id) AS place
         FROM standby m
         JOIN elections e ON e.id = m.election_id
         JOIN stations st ON st.id = m.station_id
         JOIN task_types t ON t.id = m.task_type_id
         JOIN teams tm ON tm.id = m.team_id
         WHERE m.volunteer_id = $1 AND e.active
         ORDER BY m.day, t.start_time, m.id",
    )
    .bind(volunteer_id)
    .fetch_all(conn)
    .await
    .map_err(db_error)?;
    Ok(rows
        .into_iter()
        .map(|r| StandbyPlace {
            id: r.id,
            election: r.election,
            station: r.station,
            address: r.address,
            day: r.day,
            task_type: r.task_type,
            team: r.team,
            start_time: r.start_time,
            end_time: r.end_time,
            place: r.place,
        })
        .collect())
}
