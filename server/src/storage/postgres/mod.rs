//! The PostgreSQL backend, for a municipality that runs its databases on
//! PostgreSQL or runs several Valgvagt servers on one database. The
//! statements are the SQLite backend's (`../sql/`), compiled for PostgreSQL;
//! where the dialects differ they ask this module ([`dialect`]).
//!
//! SQLite lets one transaction write at a time (`BEGIN IMMEDIATE`), and the
//! stores count on it: a transaction that reads and then writes sees no
//! other writer in between. Here every such transaction takes one
//! transaction-scoped advisory lock first ([`WRITE_LOCK`]), which gives the
//! same guarantee across every server on the database, and no retries.

// The statements are shared with the SQLite backend (`../sql/`).
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

type Db = sqlx::Postgres;
type Storage = PostgresStorage;

use crate::storage::db_error;
pub use crate::storage::OfferRules;
pub(crate) use crate::storage::{contains_pattern, id_array, now};
use app::domain::AppError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use std::str::FromStr;

/// This version's migrations. A database that a newer server has already
/// migrated further is served too (`ignore_missing`): servers are upgraded
/// one at a time, so for a while the old one runs on the new schema, and
/// every migration keeps what the previous version reads and writes.
fn migrator() -> sqlx::migrate::Migrator {
    let mut migrator = sqlx::migrate!("./migrations/postgres");
    migrator.set_ignore_missing(true);
    migrator
}

/// The key of the advisory lock every writing transaction holds.
pub const WRITE_LOCK: i64 = 0x7661_6c67_7661_6774; // "valgvagt"

#[derive(Clone)]
pub struct PostgresStorage {
    pool: PgPool,
    offers: std::sync::Arc<OfferRules>,
    /// Server keys once read: a key never changes after it is made, and
    /// every check-in code shown needs one.
    keys: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
    /// How the seat announcements' listener connects (named, so an operator
    /// sees it in pg_stat_activity).
    listen_options: PgConnectOptions,
}

impl PostgresStorage {
    /// Connects to the database at `url` (`postgres://…`) and runs
    /// migrations.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        let options = PgConnectOptions::from_str(url)?.application_name("valgvagt");
        let listen_options = options.clone().application_name("valgvagt-listen");
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(options)
            .await?;
        migrator().run(&pool).await?;
        signup::hash_plain_link_tokens(&pool).await?;
        Ok(PostgresStorage {
            pool,
            offers: std::sync::Arc::new(OfferRules {
                public_url: String::new(),
                offer_secs: 6 * 3600,
            }),
            keys: Default::default(),
            listen_options,
        })
    }

    /// Sets how standby offers are made (see [`OfferRules`]).
    pub fn with_offers(mut self, rules: OfferRules) -> Self {
        self.offers = std::sync::Arc::new(rules);
        self
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// A transaction that may read and then write as if alone: it waits
    /// for the write lock, which it holds until it ends.
    async fn write(&self) -> Result<Transaction<'static, Postgres>, AppError> {
        let mut tx = self.pool.begin().await.map_err(db_error)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(db_error)?;
        Ok(tx)
    }
}

#[async_trait::async_trait]
impl crate::storage::Backend for PostgresStorage {
    /// Other servers may be sending them: their leases decide.
    async fn release_orphaned_sends(&self) -> Result<u64, AppError> {
        Ok(0)
    }

    fn hear_seat_changes(
        &self,
        wake: std::sync::Arc<tokio::sync::Notify>,
        shutdown: tokio::sync::watch::Receiver<bool>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        Some(tokio::spawn(listen_for_seats(
            self.listen_options.clone(),
            wake,
            shutdown,
        )))
    }
}

/// The channel the board versions' trigger announces changes on.
pub const SEATS_CHANNEL: &str = "valgvagt_seats";

/// LISTENs on [`SEATS_CHANNEL`] on a connection of its own, waking `wake`
/// for every change. A lost connection is made again, with a wake after it:
/// what changed meanwhile was not announced to us, so the poller looks.
async fn listen_for_seats(
    options: PgConnectOptions,
    wake: std::sync::Arc<tokio::sync::Notify>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    use sqlx::postgres::PgListener;
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_lazy_with(options);
    loop {
        let listening = async {
            let mut listener = PgListener::connect_with(&pool).await?;
            listener.listen(SEATS_CHANNEL).await?;
            wake.notify_one();
            // Ok(None): the connection was lost; start over.
            while listener.try_recv().await?.is_some() {
                wake.notify_one();
            }
            Ok::<_, sqlx::Error>(())
        };
        tokio::select! {
            ended = listening => match ended {
                Ok(()) => tracing::warn!("lost the database's seat announcements; listening again"),
                Err(e) => tracing::warn!("listening for seat announcements failed: {e}"),
            },
            _ = shutdown.changed() => return,
        }
        wake.notify_one();
        tokio::select! {
            _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Fails with NotFound when an UPDATE or DELETE touched no row.
pub(crate) fn one_row(result: sqlx::postgres::PgQueryResult) -> Result<(), AppError> {
    if result.rows_affected() == 0 {
        Err(AppError::NotFound)
    } else {
        Ok(())
    }
}

/// Where PostgreSQL's SQL differs from SQLite's.
pub(crate) mod dialect {
    /// The ids of a JSON array bound at `param` (`id_array`), as a subquery.
    pub fn ids(param: &str) -> String {
        format!("SELECT jsonb_array_elements_text({param}::jsonb)::bigint")
    }

    /// The dates of a JSON array bound at `param`, as a subquery.
    pub fn days(param: &str) -> String {
        format!("SELECT jsonb_array_elements_text({param}::jsonb)::date")
    }

    /// What goes around a bound JSON array of ids in a built query.
    pub const IDS: (&str, &str) = ("SELECT jsonb_array_elements_text(", "::jsonb)::bigint");

    /// LIKE, regardless of case.
    pub const LIKE: &str = "ILIKE";

    /// `expr` ordered regardless of case.
    pub fn nocase(expr: &str) -> String {
        format!("lower({expr})")
    }

    /// The register in name order, as its index (`volunteers_by_name`) has it.
    pub const BY_NAME: &str = " ORDER BY lower(v.name), v.id";

    /// The column that names a row in every table.
    pub const ROW_ID: &str = "ctid";

    /// The date `days` (a bound number) after the date `day`.
    pub fn add_days(day: &str, days: &str) -> String {
        format!("({day} + CAST({days} AS INTEGER))")
    }

    /// Rows other writers hold are passed over.
    pub const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";
}
