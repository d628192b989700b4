use super::Storage;
use crate::storage::db_error;
use app::domain::privacy::{NewPrivacyText, PrivacyText};
use app::domain::{AppError, Id};
use app::server::storage::PrivacyStore;
use async_trait::async_trait;

#[derive(sqlx::FromRow)]
struct TextRow {
    version: String,
    text_da: String,
    text_en: String,
    published_at: i64,
    published_by: Option<String>,
}

impl From<TextRow> for PrivacyText {
    fn from(row: TextRow) -> Self {
        PrivacyText {
            version: row.version,
            text_da: row.text_da,
            text_en: row.text_en,
            published_at: Some(row.published_at),
            published_by: row.published_by.unwrap_or_default(),
        }
    }
}

const TEXT_SELECT: &str = "SELECT p.version, p.text_da, p.text_en, p.published_at,
        u.email AS published_by
    FROM privacy_texts p LEFT JOIN users u ON u.id = p.published_by";

#[async_trait]
impl PrivacyStore for Storage {
    async fn privacy_texts(&self) -> Result<Vec<PrivacyText>, AppError> {
        let rows: Vec<TextRow> = sqlx::query_as(&format!("{TEXT_SELECT} ORDER BY p.id DESC"))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(rows.into_iter().map(PrivacyText::from).collect())
    }

    async fn current_privacy_text(&self) -> Result<Option<PrivacyText>, AppError> {
        let row: Option<TextRow> =
            sqlx::query_as(&format!("{TEXT_SELECT} ORDER BY p.id DESC LIMIT 1"))
                .fetch_optional(&self.pool)
                .await
                .map_err(db_error)?;
        Ok(row.map(PrivacyText::from))
    }

    async fn privacy_text(&self, version: &str) -> Result<Option<PrivacyText>, AppError> {
        let row: Option<TextRow> = sqlx::query_as(&format!("{TEXT_SELECT} WHERE p.version = $1"))
            .bind(version)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(row.map(PrivacyText::from))
    }

    async fn publish_privacy_text(
        &self,
        text: &NewPrivacyText,
        by: Id,
        now: i64,
    ) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO privacy_texts (version, text_da, text_en, published_at, published_by)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&text.version)
        .bind(&text.text_da)
        .bind(&text.text_en)
        .bind(now)
        .bind(by)
        .execute(&self.pool)
        .await
        .map_err(db_error)?;
        Ok(())
    }
}
