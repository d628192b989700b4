//! Storage backends. All SQL of Valgvagt lives below this module; the rest
//! of the program talks to the [`app::server::Storage`] traits.

pub mod copy;
pub mod postgres;
pub mod sqlite;

use crate::config::Database;
use crate::leases::JobLeases;
use crate::notifications::queue::OutboxQueue;
use crate::notifications::scheduler::ScheduleStore;
use app::domain::{AppError, Id};
use async_trait::async_trait;
use std::sync::Arc;

/// Everything the server asks of its database, whichever it is.
#[async_trait]
pub trait Backend: app::server::Storage + OutboxQueue + ScheduleStore + JobLeases {
    /// Puts the messages a killed server was sending back in the queue at
    /// start, rather than when their leases run out: on SQLite, where the
    /// starting server holds the database's serving lock and nobody else
    /// sends. On PostgreSQL other servers may be sending them right now, so
    /// their leases decide (nothing is done here).
    async fn release_orphaned_sends(&self) -> Result<u64, AppError>;

    /// Wakes `wake` when any server may have changed seats, and after a
    /// lost connection (to look again) until `shutdown`. None where every
    /// change is made by this server (SQLite): the poll finds them.
    fn hear_seat_changes(
        &self,
        _wake: Arc<tokio::sync::Notify>,
        _shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        None
    }
}

/// Opens the database (creating a SQLite file if needed) and brings its
/// schema up to date.
pub async fn open(database: &Database, offers: OfferRules) -> anyhow::Result<Arc<dyn Backend>> {
    Ok(match database {
        Database::Sqlite(path) => {
            Arc::new(sqlite::SqliteStorage::open(path).await?.with_offers(offers))
        }
        Database::Postgres(url) => Arc::new(
            postgres::PostgresStorage::open(url)
                .await?
                .with_offers(offers),
        ),
    })
}

impl Default for OfferRules {
    fn default() -> Self {
        OfferRules {
            public_url: String::new(),
            offer_secs: 6 * 3600,
        }
    }
}

/// How a freed seat is offered to the first in its standby queue: the
/// offer is written in the same transaction that frees the seat, so the
/// message needs the public address for its links.
#[derive(Debug, Clone)]
pub struct OfferRules {
    pub public_url: String,
    /// How long the one offered has to answer (cut short by the shift start).
    pub offer_secs: i64,
}

pub(crate) fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Ids as one JSON array, bound where a statement reads
/// `IN (SELECT value FROM json_each(?))`: the statement stays the same
/// whatever the list's length.
pub(crate) fn id_array(ids: &[Id]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// A LIKE pattern matching text that contains `text` literally; use it
/// with `ESCAPE '\\'` so `%` and `_` typed by a person match themselves.
pub(crate) fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Turns a database error into what the user may see. Constraint violations
/// become field errors ("already in use", "not a valid choice"); anything
/// else is logged here and reported as a plain server error.
pub(crate) fn db_error(error: sqlx::Error) -> AppError {
    match &error {
        sqlx::Error::RowNotFound => AppError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let column = match db.constraint() {
                // PostgreSQL names the index, `<table>_<column>[_key]`.
                Some(index) => index_column(index, db.table()),
                None => unique_column(db.message()),
            };
            AppError::invalid(&column, "error.taken")
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            AppError::invalid("form", "error.unknown_choice")
        }
        sqlx::Error::Database(db) if db.is_check_violation() => {
            tracing::warn!(%error, "check constraint refused a write");
            AppError::invalid("form", "error.bad_request")
        }
        _ => {
            tracing::error!(%error, "database error");
            AppError::Server
        }
    }
}

/// "teams_short_name" on "teams" → "short_name"; "privacy_texts_version_key"
/// → "version"; a composite index is named after its first column.
fn index_column(index: &str, table: Option<&str>) -> String {
    let column = table
        .and_then(|t| index.strip_prefix(t))
        .and_then(|rest| rest.strip_prefix('_'))
        .unwrap_or(index);
    let column = column.strip_suffix("_key").unwrap_or(column);
    if column.is_empty() || column == "pkey" {
        "form".to_string()
    } else {
        column.to_string()
    }
}

/// "UNIQUE constraint failed: areas.name" → "name"; the first column of a
/// composite key names the field.
fn unique_column(message: &str) -> String {
    message
        .rsplit(':')
        .next()
        .and_then(|cols| cols.split(',').next())
        .and_then(|col| col.trim().rsplit('.').next())
        .filter(|c| !c.is_empty())
        .unwrap_or("form")
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn unique_columns_are_named() {
        assert_eq!(
            super::unique_column("UNIQUE constraint failed: areas.name"),
            "name"
        );
        assert_eq!(
            super::unique_column(
                "UNIQUE constraint failed: elections.title, elections.election_day"
            ),
            "title"
        );
        assert_eq!(super::unique_column("weird"), "weird");
        assert_eq!(
            super::index_column("teams_short_name", Some("teams")),
            "short_name"
        );
        assert_eq!(
            super::index_column("privacy_texts_version_key", Some("privacy_texts")),
            "version"
        );
        assert_eq!(
            super::index_column("elections_title", Some("elections")),
            "title"
        );
        assert_eq!(super::index_column("seats_pkey", Some("seats")), "form");
    }
}
