use super::Storage;
use crate::leases::JobLeases;
use crate::storage::db_error;
use app::domain::AppError;
use async_trait::async_trait;

#[async_trait]
impl JobLeases for Storage {
    async fn hold_lease(
        &self,
        job: &str,
        holder: &str,
        now: i64,
        secs: i64,
    ) -> Result<bool, AppError> {
        // One statement: the row is taken, renewed by its holder, or taken
        // over once it has run out; any other holder's live lease stays.
        let held: Option<String> = sqlx::query_scalar(
            "INSERT INTO job_leases (job, holder, until) VALUES ($1, $2, $3)
             ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, until = excluded.until
             WHERE job_leases.holder = excluded.holder OR job_leases.until <= $4
             RETURNING holder",
        )
        .bind(job)
        .bind(holder)
        .bind(now + secs)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(held.is_some())
    }

    async fn release_lease(&self, job: &str, holder: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM job_leases WHERE job = $1 AND holder = $2")
            .bind(job)
            .bind(holder)
            .execute(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn lease_holder(&self, job: &str, now: i64) -> Result<Option<String>, AppError> {
        sqlx::query_scalar("SELECT holder FROM job_leases WHERE job = $1 AND until > $2")
            .bind(job)
            .bind(now)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)
    }
}
