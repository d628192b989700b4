use super::{one_row, Storage};
use crate::storage::db_error;
use app::domain::stations::{Area, NewArea, NewStation, Station};
use app::domain::{AppError, Id};
use app::server::storage::StationStore;
use async_trait::async_trait;

#[derive(sqlx::FromRow)]
struct AreaRow {
    id: i64,
    name: String,
    description: String,
    stations: i64,
}

const AREA_SELECT: &str = "SELECT a.id, a.name, a.description,
        (SELECT count(*) FROM stations s WHERE s.area_id = a.id) AS stations
    FROM areas a";

#[derive(sqlx::FromRow)]
struct StationRow {
    id: i64,
    area_id: i64,
    area_name: String,
    name: String,
    address: String,
    postal_code: String,
    city: String,
    district_number: i64,
    latitude: Option<f64>,
    longitude: Option<f64>,
    notes: String,
}

const STATION_SELECT: &str =
    "SELECT s.id, s.area_id, a.name AS area_name, s.name, s.address, s.postal_code,
        s.city, s.district_number, s.latitude, s.longitude, s.notes
    FROM stations s JOIN areas a ON a.id = s.area_id";

fn area(row: AreaRow) -> Area {
    Area {
        id: row.id,
        name: row.name,
        description: row.description,
        stations: row.stations,
    }
}

fn station(row: StationRow) -> Station {
    Station {
        id: row.id,
        area_id: row.area_id,
        area_name: row.area_name,
        name: row.name,
        address: row.address,
        postal_code: row.postal_code,
        city: row.city,
        district_number: row.district_number,
        latitude: row.latitude,
        longitude: row.longitude,
        notes: row.notes,
    }
}

#[async_trait]
impl StationStore for Storage {
    async fn list_areas(&self) -> Result<Vec<Area>, AppError> {
        let rows: Vec<AreaRow> = sqlx::query_as(&format!("{AREA_SELECT} ORDER BY a.name"))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(rows.into_iter().map(area).collect())
    }

    async fn get_area(&self, id: Id) -> Result<Area, AppError> {
        let row: AreaRow = sqlx::query_as(&format!("{AREA_SELECT} WHERE a.id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(area(row))
    }

    async fn create_area(&self, new: &NewArea) -> Result<Id, AppError> {
        sqlx::query_scalar("INSERT INTO areas (name, description) VALUES ($1, $2) RETURNING id")
            .bind(&new.name)
            .bind(&new.description)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn update_area(&self, id: Id, new: &NewArea) -> Result<(), AppError> {
        let result = sqlx::query("UPDATE areas SET name = $2, description = $3 WHERE id = $1")
            .bind(id)
            .bind(&new.name)
            .bind(&new.description)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        one_row(result)
    }

    async fn delete_area(&self, id: Id) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let stations: i64 = sqlx::query_scalar("SELECT count(*) FROM stations WHERE area_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_error)?;
        if stations > 0 {
            return Err(AppError::refused("areas.has_stations"));
        }
        let coordinators: i64 =
            sqlx::query_scalar("SELECT count(*) FROM coordinator_areas WHERE area_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_error)?;
        if coordinators > 0 {
            return Err(AppError::refused("areas.has_coordinators"));
        }
        let result = sqlx::query("DELETE FROM areas WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        one_row(result)?;
        tx.commit().await.map_err(db_error)
    }

    async fn list_stations(&self) -> Result<Vec<Station>, AppError> {
        let rows: Vec<StationRow> = sqlx::query_as(&format!(
            "{STATION_SELECT} ORDER BY a.name, s.district_number, s.name"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows.into_iter().map(station).collect())
    }

    async fn get_station(&self, id: Id) -> Result<Station, AppError> {
        let row: StationRow = sqlx::query_as(&format!("{STATION_SELECT} WHERE s.id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(station(row))
    }

    async fn create_station(&self, new: &NewStation) -> Result<Id, AppError> {
        sqlx::query_scalar(
            "INSERT INTO stations (area_id, name, address, postal_code, city, district_number, latitude, longitude, notes)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(new.area_id)
        .bind(&new.name)
        .bind(&new.address)
        .bind(&new.postal_code)
        .bind(&new.city)
        .bind(new.district_number)
        .bind(new.latitude)
        .bind(new.longitude)
        .bind(&new.notes)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn update_station(&self, id: Id, new: &NewStation) -> Result<(), AppError> {
        let result = sqlx::query(
            "UPDATE stations SET area_id = $2, name = $3, address = $4, postal_code = $5, city = $6,
                 district_number = $7, latitude = $8, longitude = $9, notes = $10 WHERE id = $1",
        )
        .bind(id)
        .bind(new.area_id)
        .bind(&new.name)
        .bind(&new.address)
        .bind(&new.postal_code)
        .bind(&new.city)
        .bind(new.district_number)
        .bind(new.latitude)
        .bind(new.longitude)
        .bind(&new.notes)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        one_row(result)
    }

    async fn delete_station(&self, id: Id) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let blocking: i64 = sqlx::query_scalar(
            "SELECT (SELECT count(*) FROM election_stations es JOIN elections e ON e.id = es.election_id
                     WHERE es.station_id = $1 AND e.active)
                  + (SELECT count(*) FROM seats WHERE station_id = $1 AND status <> 'open')",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        if blocking > 0 {
            return Err(AppError::refused("stations.in_use"));
        }
        // Inactive elections lose the station and its open seats with it.
        sqlx::query("DELETE FROM election_stations WHERE station_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        let result = sqlx::query("DELETE FROM stations WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        one_row(result)?;
        tx.commit().await.map_err(db_error)
    }
}
