use super::Db;
use super::{id_array, now, one_row, Storage};
use crate::storage::db_error;
use app::domain::elections::{
    CitizenshipRule, Election, ElectionCopy, ElectionType, EligibilityRules, NewElection,
    NewElectionType, Reminders,
};
use app::domain::{AppError, Id};
use app::server::storage::ElectionStore;
use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::Transaction;

#[derive(sqlx::FromRow)]
struct TypeRow {
    id: i64,
    title: String,
    min_age_18: bool,
    resident: bool,
    citizenship: String,
    not_under_guardianship: bool,
    elections: i64,
}

impl TypeRow {
    fn into_domain(self) -> ElectionType {
        ElectionType {
            id: self.id,
            title: self.title,
            rules: EligibilityRules {
                min_age_18: self.min_age_18,
                resident: self.resident,
                citizenship: CitizenshipRule::parse(&self.citizenship)
                    .unwrap_or(CitizenshipRule::Danish),
                not_under_guardianship: self.not_under_guardianship,
            },
            elections: self.elections,
        }
    }
}

const TYPE_SELECT: &str =
    "SELECT t.id, t.title, t.min_age_18, t.resident, t.citizenship, t.not_under_guardianship,
        (SELECT count(*) FROM elections e WHERE e.election_type_id = t.id) AS elections
    FROM election_types t";

#[derive(sqlx::FromRow)]
struct ElectionRow {
    id: i64,
    title: String,
    election_type_id: i64,
    election_type_title: String,
    election_day: NaiveDate,
    first_day: NaiveDate,
    last_day: NaiveDate,
    lock_days: i64,
    active: bool,
    invite_reminder_days: i64,
    shift_reminder_days: i64,
    morning_reminder: bool,
}

const ELECTION_SELECT: &str =
    "SELECT e.id, e.title, e.election_type_id, t.title AS election_type_title,
        e.election_day, e.first_day, e.last_day, e.lock_days, e.active,
        e.invite_reminder_days, e.shift_reminder_days, e.morning_reminder
    FROM elections e JOIN election_types t ON t.id = e.election_type_id";

impl Storage {
    async fn station_ids(&self, election_id: Id) -> Result<Vec<Id>, AppError> {
        sqlx::query_scalar(
            "SELECT station_id FROM election_stations WHERE election_id = $1 ORDER BY station_id",
        )
        .bind(election_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn with_stations(&self, row: ElectionRow) -> Result<Election, AppError> {
        Ok(Election {
            station_ids: self.station_ids(row.id).await?,
            id: row.id,
            title: row.title,
            election_type_id: row.election_type_id,
            election_type_title: row.election_type_title,
            election_day: row.election_day,
            first_day: row.first_day,
            last_day: row.last_day,
            lock_days: row.lock_days,
            active: row.active,
            reminders: Reminders {
                invite_every_days: row.invite_reminder_days,
                shift_days_before: row.shift_reminder_days,
                morning: row.morning_reminder,
            },
        })
    }
}

async fn insert_stations(
    tx: &mut Transaction<'static, Db>,
    election_id: Id,
    station_ids: &[Id],
) -> Result<(), AppError> {
    for station_id in station_ids {
        sqlx::query(
            "INSERT INTO election_stations (election_id, station_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(election_id)
        .bind(station_id)
        .execute(&mut **tx)
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

#[async_trait]
impl ElectionStore for Storage {
    async fn list_election_types(&self) -> Result<Vec<ElectionType>, AppError> {
        let rows: Vec<TypeRow> = sqlx::query_as(&format!("{TYPE_SELECT} ORDER BY t.title"))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(rows.into_iter().map(TypeRow::into_domain).collect())
    }

    async fn get_election_type(&self, id: Id) -> Result<ElectionType, AppError> {
        let row: TypeRow = sqlx::query_as(&format!("{TYPE_SELECT} WHERE t.id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(row.into_domain())
    }

    async fn create_election_type(&self, new: &NewElectionType) -> Result<Id, AppError> {
        let id = sqlx::query_scalar(
            "INSERT INTO election_types (title, min_age_18, resident, citizenship, not_under_guardianship)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&new.title)
        .bind(new.rules.min_age_18)
        .bind(new.rules.resident)
        .bind(new.rules.citizenship.as_str())
        .bind(new.rules.not_under_guardianship)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(id)
    }

    async fn update_election_type(&self, id: Id, new: &NewElectionType) -> Result<(), AppError> {
        let result = sqlx::query(
            "UPDATE election_types SET title = $2, min_age_18 = $3, resident = $4, citizenship = $5,
                 not_under_guardianship = $6 WHERE id = $1",
        )
        .bind(id)
        .bind(&new.title)
        .bind(new.rules.min_age_18)
        .bind(new.rules.resident)
        .bind(new.rules.citizenship.as_str())
        .bind(new.rules.not_under_guardianship)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        one_row(result)
    }

    async fn delete_election_type(&self, id: Id) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let used: i64 =
            sqlx::query_scalar("SELECT count(*) FROM elections WHERE election_type_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
        if used > 0 {
            return Err(AppError::refused("election_types.in_use"));
        }
        let result = sqlx::query("DELETE FROM election_types WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        one_row(result)?;
        tx.commit().await.map_err(db_error)
    }

    async fn list_elections(&self) -> Result<Vec<Election>, AppError> {
        let rows: Vec<ElectionRow> = sqlx::query_as(&format!(
            "{ELECTION_SELECT} ORDER BY e.election_day DESC, e.title"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let mut elections = Vec::with_capacity(rows.len());
        for row in rows {
            elections.push(self.with_stations(row).await?);
        }
        Ok(elections)
    }

    async fn get_election(&self, id: Id) -> Result<Election, AppError> {
        let row: ElectionRow = sqlx::query_as(&format!("{ELECTION_SELECT} WHERE e.id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        self.with_stations(row).await
    }

    async fn create_election(&self, new: &NewElection) -> Result<Id, AppError> {
        new.check_dates()?;
        let mut tx = self.write().await?;
        let id: Id = sqlx::query_scalar(
            "INSERT INTO elections (title, election_type_id, election_day, first_day, last_day, lock_days, active, created_at,
                 invite_reminder_days, shift_reminder_days, morning_reminder)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(&new.title)
        .bind(new.election_type_id)
        .bind(new.election_day)
        .bind(new.first_day)
        .bind(new.last_day)
        .bind(new.lock_days)
        .bind(new.active)
        .bind(now())
        .bind(new.reminders.invite_every_days)
        .bind(new.reminders.shift_days_before)
        .bind(new.reminders.morning)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        insert_stations(&mut tx, id, &new.station_ids).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(id)
    }

    async fn update_election(&self, id: Id, new: &NewElection) -> Result<(), AppError> {
        new.check_dates()?;
        let mut tx = self.write().await?;
        // Seats that would fall out: at stations taken out, or on days cut off.
        let current: Vec<Id> =
            sqlx::query_scalar("SELECT station_id FROM election_stations WHERE election_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error)?;
        let dropped: Vec<Id> = current
            .into_iter()
            .filter(|s| !new.station_ids.contains(s))
            .collect();
        let dropped_json = id_array(&dropped);
        let held: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM seats WHERE election_id = $1 AND status <> 'open'
               AND (station_id IN ({}) OR day < $3 OR day > $4)",
            super::dialect::ids("$2")
        ))
        .bind(id)
        .bind(&dropped_json)
        .bind(new.first_day)
        .bind(new.last_day)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        if held > 0 {
            return Err(AppError::refused("elections.seats_would_be_lost"));
        }
        let result = sqlx::query(
            "UPDATE elections SET title = $2, election_type_id = $3, election_day = $4, first_day = $5,
                 last_day = $6, lock_days = $7, active = $8, invite_reminder_days = $9,
                 shift_reminder_days = $10, morning_reminder = $11 WHERE id = $1",
        )
        .bind(id)
        .bind(&new.title)
        .bind(new.election_type_id)
        .bind(new.election_day)
        .bind(new.first_day)
        .bind(new.last_day)
        .bind(new.lock_days)
        .bind(new.active)
        .bind(new.reminders.invite_every_days)
        .bind(new.reminders.shift_days_before)
        .bind(new.reminders.morning)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        one_row(result)?;
        sqlx::query("DELETE FROM seats WHERE election_id = $1 AND (day < $2 OR day > $3)")
            .bind(id)
            .bind(new.first_day)
            .bind(new.last_day)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        // Removing the link cascades to the (open) seats of that station.
        sqlx::query(&format!(
            "DELETE FROM election_stations WHERE election_id = $1 AND station_id IN ({})",
            super::dialect::ids("$2")
        ))
        .bind(id)
        .bind(&dropped_json)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        insert_stations(&mut tx, id, &new.station_ids).await?;
        tx.commit().await.map_err(db_error)
    }

    async fn set_election_active(&self, id: Id, active: bool) -> Result<(), AppError> {
        let result = sqlx::query("UPDATE elections SET active = $2 WHERE id = $1")
            .bind(id)
            .bind(active)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        one_row(result)
    }

    async fn delete_election(&self, id: Id) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let active: Option<bool> = sqlx::query_scalar("SELECT active FROM elections WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error)?;
        match active {
            None => return Err(AppError::NotFound),
            Some(true) => return Err(AppError::refused("elections.delete_active")),
            Some(false) => {}
        }
        sqlx::query("DELETE FROM elections WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        tx.commit().await.map_err(db_error)
    }

    async fn copy_election(&self, copy: &ElectionCopy) -> Result<Id, AppError> {
        let source = self.get_election(copy.source_id).await?;
        let offset = copy.offset(&source);
        let new = NewElection {
            title: copy.title.clone(),
            election_type_id: source.election_type_id,
            election_day: copy.election_day,
            first_day: source.first_day + offset,
            last_day: source.last_day + offset,
            lock_days: source.lock_days,
            active: false,
            station_ids: source.station_ids.clone(),
            reminders: source.reminders,
        };
        new.check_dates()?;
        let mut tx = self.write().await?;
        let id: Id = sqlx::query_scalar(
            "INSERT INTO elections (title, election_type_id, election_day, first_day, last_day, lock_days, active, created_at,
                 invite_reminder_days, shift_reminder_days, morning_reminder)
             VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&new.title)
        .bind(new.election_type_id)
        .bind(new.election_day)
        .bind(new.first_day)
        .bind(new.last_day)
        .bind(new.lock_days)
        .bind(now())
        .bind(new.reminders.invite_every_days)
        .bind(new.reminders.shift_days_before)
        .bind(new.reminders.morning)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        insert_stations(&mut tx, id, &new.station_ids).await?;
        // Every seat of the source becomes an open seat, moved by the offset.
        sqlx::query(&format!(
            "INSERT INTO seats (election_id, station_id, day, team_id, task_type_id, status, created_at)
             SELECT $1, station_id, {}, team_id, task_type_id, 'open', $4
             FROM seats WHERE election_id = $2",
            super::dialect::add_days("day", "$3")
        ))
        .bind(id)
        .bind(source.id)
        .bind(offset.num_days())
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(id)
    }
}
