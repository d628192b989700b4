use super::{one_row, SqliteStorage};
use crate::storage::db_error;
use app::domain::teams::{NewTeam, Team};
use app::domain::{AppError, Id};
use app::server::storage::TeamStore;
use async_trait::async_trait;

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
        (SELECT group_concat(v.name, char(31)) FROM team_members m JOIN volunteers v ON v.id = m.volunteer_id
          WHERE m.team_id = t.id AND m.leader = 1) AS leaders
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
impl TeamStore for SqliteStorage {
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
        leader: bool,
    ) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO team_members (team_id, volunteer_id, leader) VALUES ($1, $2, $3)
             ON CONFLICT (team_id, volunteer_id) DO UPDATE SET leader = max(leader, excluded.leader)",
        )
        .bind(team_id)
        .bind(volunteer_id)
        .bind(leader)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }
}
