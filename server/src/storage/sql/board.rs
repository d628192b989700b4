use super::Storage;
use crate::storage::db_error;
use app::domain::board::BoardCount;
use app::domain::seats::SeatCounts;
use app::domain::{AppError, Id};
use app::server::storage::BoardStore;
use async_trait::async_trait;
use chrono::{NaiveDate, NaiveTime};

#[derive(sqlx::FromRow)]
struct CountRow {
    area_id: i64,
    area: String,
    station_id: i64,
    station: String,
    task_type_id: i64,
    open: i64,
    invited: i64,
    accepted: i64,
    present: i64,
    no_show: i64,
    overdue: i64,
}

#[async_trait]
impl BoardStore for Storage {
    async fn board_counts(
        &self,
        election_id: Id,
        day: Option<NaiveDate>,
        team: Option<Id>,
        overdue_by: Option<(NaiveDate, NaiveTime)>,
    ) -> Result<Vec<BoardCount>, AppError> {
        let rows: Vec<CountRow> = sqlx::query_as(
            "SELECT st.area_id, a.name AS area, s.station_id, st.name AS station, s.task_type_id,
                    count(*) FILTER (WHERE s.status = 'open') AS open,
                    count(*) FILTER (WHERE s.status = 'invited') AS invited,
                    count(*) FILTER (WHERE s.status = 'accepted') AS accepted,
                    count(*) FILTER (WHERE s.attendance IN ('arrived', 'late')) AS present,
                    count(*) FILTER (WHERE s.attendance = 'no_show') AS no_show,
                    count(*) FILTER (WHERE s.status = 'accepted' AND s.attendance IS NULL
                        AND s.day = $4 AND t.start_time <= $5) AS overdue
             FROM seats s
             JOIN task_types t ON t.id = s.task_type_id
             JOIN stations st ON st.id = s.station_id
             JOIN areas a ON a.id = st.area_id
             WHERE s.election_id = $1 AND ($2 IS NULL OR s.day = $2) AND ($3 IS NULL OR s.team_id = $3)
             GROUP BY s.station_id, s.task_type_id, st.id, a.id",
        )
        .bind(election_id)
        .bind(day)
        .bind(team)
        .bind(overdue_by.map(|(day, _)| day))
        .bind(overdue_by.map(|(_, time)| time))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows
            .into_iter()
            .map(|r| BoardCount {
                area_id: r.area_id,
                area: r.area,
                station_id: r.station_id,
                station: r.station,
                task_type_id: r.task_type_id,
                counts: SeatCounts {
                    open: r.open,
                    invited: r.invited,
                    accepted: r.accepted,
                },
                present: r.present,
                no_show: r.no_show,
                overdue: r.overdue,
            })
            .collect())
    }

    async fn election_days(&self, election_id: Id) -> Result<Vec<NaiveDate>, AppError> {
        sqlx::query_scalar("SELECT DISTINCT day FROM seats WHERE election_id = $1 ORDER BY day")
            .bind(election_id)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn board_versions(&self) -> Result<Vec<(Id, i64)>, AppError> {
        sqlx::query_as("SELECT election_id, version FROM board_versions")
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn station_versions(&self, stations: &[Id]) -> Result<Vec<(Id, i64)>, AppError> {
        sqlx::query_as(&format!(
            "SELECT station_id, version FROM station_versions WHERE station_id IN ({})",
            super::dialect::ids("$1")
        ))
        .bind(crate::storage::id_array(stations))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn volunteer_versions(&self, volunteers: &[Id]) -> Result<Vec<(Id, i64)>, AppError> {
        sqlx::query_as(&format!(
            "SELECT volunteer_id, version FROM volunteer_versions WHERE volunteer_id IN ({})",
            super::dialect::ids("$1")
        ))
        .bind(crate::storage::id_array(volunteers))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)
    }
}
