use super::{one_row, Storage};
use crate::storage::db_error;
use app::domain::shifts::Shift;
use app::domain::tasks::{NewTaskType, TaskType};
use app::domain::{AppError, Id};
use app::server::storage::TaskStore;
use async_trait::async_trait;
use chrono::{NaiveDate, NaiveTime};

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: i64,
    title: String,
    short_name: String,
    description: String,
    start_time: NaiveTime,
    end_time: NaiveTime,
    payment_dkk: i64,
    trusted: bool,
    eligibility_checks_off: bool,
    reminders: bool,
}

const TASK_SELECT: &str =
    "SELECT id, title, short_name, description, start_time, end_time, payment_dkk,
        trusted, eligibility_checks_off, reminders FROM task_types";

fn task(row: TaskRow) -> TaskType {
    TaskType {
        id: row.id,
        title: row.title,
        short_name: row.short_name,
        description: row.description,
        start_time: row.start_time,
        end_time: row.end_time,
        payment_dkk: row.payment_dkk,
        trusted: row.trusted,
        eligibility_checks_off: row.eligibility_checks_off,
        reminders: row.reminders,
    }
}

#[async_trait]
impl TaskStore for Storage {
    async fn list_task_types(&self) -> Result<Vec<TaskType>, AppError> {
        let rows: Vec<TaskRow> =
            sqlx::query_as(&format!("{TASK_SELECT} ORDER BY start_time, title"))
                .fetch_all(&self.pool)
                .await
                .map_err(db_error)?;
        Ok(rows.into_iter().map(task).collect())
    }

    async fn get_task_type(&self, id: Id) -> Result<TaskType, AppError> {
        let row: TaskRow = sqlx::query_as(&format!("{TASK_SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(task(row))
    }

    async fn create_task_type(&self, new: &NewTaskType) -> Result<Id, AppError> {
        sqlx::query_scalar(
            "INSERT INTO task_types (title, short_name, description, start_time, end_time, payment_dkk,
                 trusted, eligibility_checks_off, reminders)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(&new.title)
        .bind(&new.short_name)
        .bind(&new.description)
        .bind(new.start_time)
        .bind(new.end_time)
        .bind(new.payment_dkk)
        .bind(new.trusted)
        .bind(new.eligibility_checks_off)
        .bind(new.reminders)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error)
    }

    async fn update_task_type(&self, id: Id, new: &NewTaskType) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        // New times must not make anyone's shifts collide.
        let people: Vec<(i64, NaiveDate, NaiveTime, NaiveTime, i64)> = sqlx::query_as(
            "SELECT s.volunteer_id, s.day, t.start_time, t.end_time, s.task_type_id
             FROM seats s JOIN task_types t ON t.id = s.task_type_id
             WHERE s.volunteer_id IN (SELECT volunteer_id FROM seats WHERE task_type_id = $1 AND volunteer_id IS NOT NULL)
             ORDER BY s.volunteer_id",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error)?;
        let shifts: Vec<(i64, Shift)> = people
            .into_iter()
            .map(|(person, day, start, end, task_id)| {
                let (start, end) = if task_id == id {
                    (new.start_time, new.end_time)
                } else {
                    (start, end)
                };
                (person, Shift::new(day, start, end))
            })
            .collect();
        for (i, (person, a)) in shifts.iter().enumerate() {
            if shifts[i + 1..]
                .iter()
                .any(|(other, b)| other == person && a.overlaps(b))
            {
                return Err(AppError::refused("task_types.would_overlap"));
            }
        }
        let result = sqlx::query(
            "UPDATE task_types SET title = $2, short_name = $3, description = $4, start_time = $5, end_time = $6,
                 payment_dkk = $7, trusted = $8, eligibility_checks_off = $9, reminders = $10 WHERE id = $1",
        )
        .bind(id)
        .bind(&new.title)
        .bind(&new.short_name)
        .bind(&new.description)
        .bind(new.start_time)
        .bind(new.end_time)
        .bind(new.payment_dkk)
        .bind(new.trusted)
        .bind(new.eligibility_checks_off)
        .bind(new.reminders)
        .execute(&mut *tx)
        .await
        .map_err(db_error)?;
        one_row(result)?;
        tx.commit().await.map_err(db_error)
    }

    async fn delete_task_type(&self, id: Id) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        let held: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM seats WHERE task_type_id = $1 AND status <> 'open'",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error)?;
        if held > 0 {
            return Err(AppError::refused("task_types.in_use"));
        }
        sqlx::query("DELETE FROM seats WHERE task_type_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        let result = sqlx::query("DELETE FROM task_types WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        one_row(result)?;
        tx.commit().await.map_err(db_error)
    }
}
