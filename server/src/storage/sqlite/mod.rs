//! The SQLite backend: one database file, WAL mode, foreign keys on, and
//! `BEGIN IMMEDIATE` for every write transaction that reads before it writes
//! (a deferred transaction would fail with SQLITE_BUSY instead of waiting).

// The statements are shared with the PostgreSQL backend (`../sql/`):
// compiled once for each, against this module's `Db` and `Storage`.
#![allow(clippy::duplicate_mod)]

#[path = "../sql/accounts.rs"]
mod accounts;
#[path = "../sql/answers.rs"]
mod answers;
#[path = "../sql/board.rs"]
mod board;
#[path = "../sql/checkin.rs"]
mod checkin;
#[path = "../sql/civil_register.rs"]
mod civil_register;
#[path = "../sql/cover.rs"]
mod cover;
#[path = "../sql/elections.rs"]
mod elections;
#[path = "../sql/leases.rs"]
mod leases;
#[path = "../sql/merge.rs"]
mod merge;
#[path = "../sql/notifications.rs"]
mod notifications;
#[path = "../sql/payroll.rs"]
mod payroll;
#[path = "../sql/privacy.rs"]
mod privacy;
#[path = "../sql/register.rs"]
mod register;
#[path = "../sql/retention.rs"]
mod retention;
#[path = "../sql/seats.rs"]
mod seats;
#[path = "../sql/signup.rs"]
mod signup;
#[path = "../sql/standby.rs"]
mod standby;
#[path = "../sql/stations.rs"]
mod stations;
#[path = "../sql/tasks.rs"]
mod tasks;
#[path = "../sql/teams.rs"]
mod teams;
#[path = "../sql/volunteers.rs"]
mod volunteers;

type Db = sqlx::Sqlite;
type Storage = SqliteStorage;

use crate::storage::db_error;
pub use crate::storage::OfferRules;
pub(crate) use crate::storage::{contains_pattern, id_array, now};
use app::domain::AppError;
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
        // No ping before each acquire: an SQLite file cannot hang up, and the
        // ping is one more hand-off to the connection's thread per statement.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
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

#[async_trait::async_trait]
impl crate::storage::Backend for SqliteStorage {
    /// A server holds the database's serving lock: nobody else is sending.
    async fn release_orphaned_sends(&self) -> Result<u64, AppError> {
        sqlx::query(
            "UPDATE outbox SET status = 'pending', lease_until = NULL WHERE status = 'sending'",
        )
        .execute(&self.pool)
        .await
        .map(|r| r.rows_affected())
        .map_err(db_error)
    }
}

/// Fails with NotFound when an UPDATE or DELETE touched no row.
pub(crate) fn one_row(result: sqlx::sqlite::SqliteQueryResult) -> Result<(), AppError> {
    if result.rows_affected() == 0 {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}

/// Where SQLite's SQL differs from PostgreSQL's (see `../postgres`).
pub(crate) mod dialect {
    /// The ids of a JSON array bound at `param` (`id_array`), as a subquery.
    pub fn ids(param: &str) -> String {
        format!("SELECT value FROM json_each({param})")
    }

    /// The dates of a JSON array bound at `param`, as a subquery.
    pub fn days(param: &str) -> String {
        format!("SELECT value FROM json_each({param})")
    }

    /// What goes around a bound JSON array of ids in a built query.
    pub const IDS: (&str, &str) = ("SELECT value FROM json_each(", ")");

    /// LIKE, regardless of case (SQLite's LIKE is, for ASCII letters).
    pub const LIKE: &str = "LIKE";

    /// `expr` ordered regardless of case.
    pub fn nocase(expr: &str) -> String {
        format!("{expr} COLLATE NOCASE")
    }

    /// The register in name order, as its index (`volunteers_by_name`) has it.
    pub const BY_NAME: &str = " ORDER BY v.name COLLATE NOCASE, v.id";

    /// The column that names a row in every table.
    pub const ROW_ID: &str = "rowid";

    /// The date `days` (a bound number) after the date `day`.
    pub fn add_days(day: &str, days: &str) -> String {
        format!("date({day}, {days} || ' days')")
    }

    /// Rows other writers hold are passed over (one writer at a time here).
    pub const SKIP_LOCKED: &str = "";
}
