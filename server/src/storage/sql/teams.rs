use super::notifications::enqueue_in;
use super::seats::{release_seat, ShiftRow, SHIFT_SELECT};
use super::{one_row, Storage};
use crate::storage::db_error;
use app::domain::elections::may_self_cancel;
use app::domain::rosters::{Contact, TeamMember};
use app::domain::teams::{NewTeam, Team, TeamSeatCell};
use app::domain::{AppError, Id};
use app::server::storage::{NewMessage, TeamStore};
use async_trait::async_trait;
use chrono::NaiveDate;
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct CellRow {
    election_id: i64,
    election_title: String,
    station_id: i64,
    station_name: String,
    day: NaiveDate,
    task_type_id: i64,
    task_type: String,
    start_time: chrono::NaiveTime,
    end_time: chrono::NaiveTime,
    accepted: i64,
    invited: i64,
    open: i64,
    first_open: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct TeamRow {
    id: i64,
    name: String,
    short_name: String,
    description: String,
    members: i64,
    leaders: Option<String>,
}

// Leaders' names come joined by a separator no name contains.
const TEAM_SELECT: &str = "SELECT t.id, t.name, t.short_name, t.description,
        (SELECT count(*) FROM team_members m WHERE m.team_id = t.id) AS members,
        (SELECT string_agg(u.name, '\u{1f}') FROM led_teams l JOIN users u ON u.id = l.user_id
          WHERE l.team_id = t.id AND u.active
            AND EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'team_leader')) AS leaders
    FROM teams t";

fn team(row: TeamRow) -> Team {
    let mut leaders: Vec<String> = row
        .leaders
        .map(|l| l.split('\u{1f}').map(str::to_string).collect())
        .unwrap_or_default();
    leaders.sort();
    Team {
        id: row.id,
        name: row.name,
        short_name: row.short_name,
        description: row.description,
        members: row.members,
        leaders,
    }
}

#[async_trait]
impl TeamStore for Storage {
    async fn list_teams(&self) -> Result<Vec<Team>, AppError> {
        let rows: Vec<TeamRow> = sqlx::query_as(&format!("{TEAM_SELECT} ORDER BY t.name"))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(rows.into_iter().map(team).collect())
    }

    async fn get_team(&self, id: Id) -> Result<Team, AppError> {
        let row: TeamRow = sqlx::query_as(&format!("{TEAM_SELECT} WHERE t.id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(team(row))
    }

    async fn create_team(&self, new: &NewTeam) -> Result<Id, AppError> {
        sqlx::query_scalar(
            "INSERT INTO teams (name, short_name, description) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(&new.name)
        .bind(&new.short_name)
        .bind(&new.description)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn update_team(&self, id: Id, new: &NewTeam) -> Result<(), AppError> {
        let result = sqlx::query(
            "UPDATE teams SET name = $2, short_name = $3, description = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(&new.name)
        .bind(&new.short_name)
        .bind(&new.description)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        one_row(result)
    }

    async fn delete_team(&self, id: Id) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let held: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM seats WHERE team_id = $1 AND status <> 'open'",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        if held > 0 {
            return Err(AppError::refused("teams.in_use"));
        }
        sqlx::query("DELETE FROM seats WHERE team_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        let result = sqlx::query("DELETE FROM teams WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        one_row(result)?;
        tx.commit().await.map_err(db_error)
    }

    async fn add_team_member(
        &self,
        team_id: Id,
        volunteer_id: Id,
        share_contact: bool,
    ) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO team_members (team_id, volunteer_id, share_contact) VALUES ($1, $2, $3)
             ON CONFLICT (team_id, volunteer_id) DO UPDATE SET share_contact = excluded.share_contact",
        )
        .bind(team_id)
        .bind(volunteer_id)
        .bind(share_contact)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }

    async fn team_members(
        &self,
        team_id: Id,
        from: NaiveDate,
    ) -> Result<Vec<TeamMember>, AppError> {
        // One query for the members, one for all their shifts: no N+1.
        let people: Vec<(Id, String, String, String, bool)> = sqlx::query_as(
            "SELECT v.id, v.name, v.phone, v.email, m.share_contact
             FROM team_members m JOIN volunteers v ON v.id = m.volunteer_id
             WHERE m.team_id = $1 ORDER BY v.name, v.id",
        )
        .bind(team_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        if people.is_empty() {
            // An empty team and an unknown team differ: the latter is "not found".
            self.get_team(team_id).await?;
        }
        let shifts: Vec<ShiftRow> = sqlx::query_as(&format!(
            "{SHIFT_SELECT} WHERE s.team_id = $1 AND s.volunteer_id IS NOT NULL AND s.day >= $2
             ORDER BY s.day, t.start_time, s.id"
        ))
        .bind(team_id)
        .bind(from)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        let mut by_person: HashMap<Id, Vec<_>> = HashMap::new();
        for row in shifts {
            by_person
                .entry(row.volunteer_id())
                .or_default()
                .push(row.into_shift());
        }
        Ok(people
            .into_iter()
            .map(|(id, name, phone, email, share_contact)| TeamMember {
                contact: Contact {
                    volunteer_id: id,
                    name,
                    phone: Some(phone),
                    email: Some(email),
                },
                share_contact,
                shifts: by_person.remove(&id).unwrap_or_default(),
            })
            .collect())
    }

    async fn remove_team_member(
        &self,
        team_id: Id,
        volunteer_id: Id,
        today: NaiveDate,
        now: i64,
        messages: &[NewMessage],
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let held: Vec<(Id, Id, Id, NaiveDate, Id, String, i64)> = sqlx::query_as(
            "SELECT s.id, s.election_id, s.station_id, s.day, s.task_type_id, s.status, e.lock_days
             FROM seats s JOIN elections e ON e.id = s.election_id
             WHERE s.team_id = $1 AND s.volunteer_id = $2 AND s.day >= $3",
        )
        .bind(team_id)
        .bind(volunteer_id)
        .bind(today)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;
        let locked = held.iter().any(|(_, _, _, day, _, status, lock_days)| {
            status == "accepted" && !may_self_cancel(*day, today, *lock_days)
        });
        if locked {
            return Err(AppError::refused("teams.member_locked"));
        }
        let result =
            sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND volunteer_id = $2")
                .bind(team_id)
                .bind(volunteer_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        one_row(result)?;
        // The team's seats they held open up again; the history keeps who left.
        for (seat_id, _, _, _, _, status, _) in held {
            let event = if status == "accepted" {
                "removed"
            } else {
                "withdrawn"
            };
            release_seat(&mut tx, &self.offers, seat_id, event, "team", now).await?;
        }
        for message in messages {
            enqueue_in(&mut tx, message, now).await?;
        }
        tx.commit().await.map_err(db_error)
    }

    async fn team_seat_cells(
        &self,
        team_id: Id,
        from: NaiveDate,
    ) -> Result<Vec<TeamSeatCell>, AppError> {
        let rows: Vec<CellRow> = sqlx::query_as(&format!(
            "SELECT e.id AS election_id, e.title AS election_title, st.id AS station_id,
                    st.name AS station_name, s.day, t.id AS task_type_id, t.title AS task_type,
                    t.start_time, t.end_time,
                    count(*) FILTER (WHERE s.status = 'accepted') AS accepted,
                    count(*) FILTER (WHERE s.status = 'invited') AS invited,
                    count(*) FILTER (WHERE s.status = 'open') AS open,
                    min(CASE WHEN s.status = 'open' THEN s.id END) AS first_open
             FROM seats s
             JOIN elections e ON e.id = s.election_id
             JOIN stations st ON st.id = s.station_id
             JOIN task_types t ON t.id = s.task_type_id
             WHERE s.team_id = $1 AND s.day >= $2 AND e.active
             GROUP BY e.id, st.id, s.day, t.id
             ORDER BY e.title, {station}, s.day, t.start_time, t.title",
            station = super::dialect::nocase("st.name")
        ))
        .bind(team_id)
        .bind(from)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|r| TeamSeatCell {
                election_id: r.election_id,
                election_title: r.election_title,
                station_id: r.station_id,
                station_name: r.station_name,
                day: r.day,
                task_type_id: r.task_type_id,
                task_type: r.task_type,
                start_time: r.start_time,
                end_time: r.end_time,
                accepted: r.accepted,
                invited: r.invited,
                open: r.open,
                first_open: r.first_open,
            })
            .collect())
    }

    async fn volunteer_teams(&self, volunteer_id: Id) -> Result<Vec<(Id, String)>, AppError> {
        sqlx::query_as(
            "SELECT t.id, t.name FROM team_members m JOIN teams t ON t.id = m.team_id
             WHERE m.volunteer_id = $1 ORDER BY t.name",
        )
        .bind(volunteer_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)
    }
}
