//! The SQLite backend: one database file, WAL mode, foreign keys on, and
//! `BEGIN IMMEDIATE` for every write transaction that reads before it writes
//! (a deferred transaction would fail with SQLITE_BUSY instead of waiting).

mod accounts;
mod answers;
mod board;
mod cover;
mod elections;
mod merge;
mod notifications;
mod privacy;
mod register;
mod retention;
mod seats;
mod signup;
mod standby;
mod stations;
mod tasks;
mod teams;
mod volunteers;

use crate::storage::db_error;
use app::domain::{AppError, Id};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use std::path::Path;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// The migrations this version knows (a backup with others is newer).
pub fn migration_versions() -> Vec<i64> {
    MIGRATOR.iter().map(|m| m.version).collect()
}

#[derive(Clone)]
pub struct SqliteStorage {
    pool: SqlitePool,
    offers: std::sync::Arc<OfferRules>,
    /// Server keys once read: a key never changes after it is made, and
    /// every check-in code shown needs one.
    keys: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
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

impl SqliteStorage {
    /// Opens (creating if needed) the database file and runs migrations.
    pub async fn open(path: &Path) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        signup::hash_plain_link_tokens(&pool).await?;
        Ok(SqliteStorage {
            pool,
            offers: std::sync::Arc::new(OfferRules {
                public_url: String::new(),
                offer_secs: 6 * 3600,
            }),
            keys: Default::default(),
        })
    }

    /// Sets how standby offers are made (see [`OfferRules`]).
    pub fn with_offers(mut self, rules: OfferRules) -> Self {
        self.offers = std::sync::Arc::new(rules);
        self
    }

    /// Puts messages a killed server was sending back in the queue, to go
    /// out now rather than when their lease runs out. Only for a server
    /// holding the database's serving lock: then nobody else is sending.
    pub async fn release_orphaned_sends(&self) -> Result<u64, AppError> {
        sqlx::query(
            "UPDATE outbox SET status = 'pending', lease_until = NULL WHERE status = 'sending'",
        )
        .execute(&self.pool)
        .await
        .map(|r| r.rows_affected())
        .map_err(db_error)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A write transaction that holds SQLite's write lock from its start.
    async fn write(&self) -> Result<Transaction<'static, Sqlite>, AppError> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_error)
    }
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

/// Fails with NotFound when an UPDATE or DELETE touched no row.
pub(crate) fn one_row(result: sqlx::sqlite::SqliteQueryResult) -> Result<(), AppError> {
    if result.rows_affected() == 0 {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}
