//! The numbers finance pays people against (`volunteer_payroll_numbers`).

use super::Storage;
use crate::storage::db_error;
use app::domain::exports::PayrollNumber;
use app::domain::{AppError, Id};
use app::server::storage::PayrollStore;
use async_trait::async_trait;

#[async_trait]
impl PayrollStore for Storage {
    async fn payroll_number(&self, volunteer_id: Id) -> Result<Option<String>, AppError> {
        sqlx::query_scalar("SELECT number FROM volunteer_payroll_numbers WHERE volunteer_id = $1")
            .bind(volunteer_id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn set_payroll_number(
        &self,
        volunteer_id: Id,
        number: Option<&PayrollNumber>,
        now: i64,
    ) -> Result<(), AppError> {
        let query = match number {
            Some(number) => sqlx::query(
                "INSERT INTO volunteer_payroll_numbers (volunteer_id, number, updated_at)
                 VALUES ($1, $2, $3)
                 ON CONFLICT (volunteer_id) DO UPDATE SET number = $2, updated_at = $3",
            )
            .bind(volunteer_id)
            .bind(number.as_str())
            .bind(now),
            None => sqlx::query("DELETE FROM volunteer_payroll_numbers WHERE volunteer_id = $1")
                .bind(volunteer_id),
        };
        query.execute(&self.pool).await.map_err(db_error)?;
        Ok(())
    }

    async fn payroll_numbers(
        &self,
        volunteer_ids: &[Id],
    ) -> Result<std::collections::HashMap<Id, String>, AppError> {
        if volunteer_ids.is_empty() {
            return Ok(Default::default());
        }
        let rows: Vec<(Id, String)> = sqlx::query_as(&format!(
            "SELECT volunteer_id, number FROM volunteer_payroll_numbers WHERE volunteer_id IN ({})",
            super::dialect::ids("$1")
        ))
        .bind(super::id_array(volunteer_ids))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(rows.into_iter().collect())
    }
}
