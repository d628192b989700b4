//! Jobs that must run once per tick whichever server runs them (reminders
//! and expiries, the nightly retention run). Every server ticks; the one
//! that holds the job's lease in the database does the work, and renews the
//! lease each tick. A server that dies lets its lease run out, and another
//! takes the job over at its next tick. No coordination beyond the
//! database: on SQLite there is one server, and it always holds the lease.

use app::domain::AppError;
use async_trait::async_trait;
use std::sync::Arc;

#[async_trait]
pub trait JobLeases: Send + Sync {
    /// Takes or renews `job`'s lease for `holder` until `now + secs`. True
    /// if `holder` has it now; false while another holder's lease runs.
    async fn hold_lease(
        &self,
        job: &str,
        holder: &str,
        now: i64,
        secs: i64,
    ) -> Result<bool, AppError>;
    /// Gives the lease up (at a clean stop), if `holder` has it.
    async fn release_lease(&self, job: &str, holder: &str) -> Result<(), AppError>;
    /// Who holds `job`'s lease now, if anybody.
    async fn lease_holder(&self, job: &str, now: i64) -> Result<Option<String>, AppError>;
}

/// This server process, as a lease holder: host, process id and a random
/// part (a restarted process may get the same pid).
pub fn holder_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".into());
    let nonce: u32 = rand::random();
    format!("{host}:{}:{nonce:08x}", std::process::id())
}

/// One job's lease as held by this server.
#[derive(Clone)]
pub struct Lease {
    pub store: Arc<dyn JobLeases>,
    pub job: &'static str,
    pub holder: String,
    /// How long a hold lasts without renewal: longer than the job's tick,
    /// so the holder keeps it while it lives.
    pub secs: i64,
}

impl Lease {
    /// Whether this server should run the job now. A database error means
    /// "not now": the next tick tries again.
    pub async fn hold(&self, now: i64) -> bool {
        match self
            .store
            .hold_lease(self.job, &self.holder, now, self.secs)
            .await
        {
            Ok(held) => held,
            Err(e) => {
                tracing::warn!(job = self.job, "taking the job's lease failed: {e:?}");
                false
            }
        }
    }

    pub async fn release(&self) {
        if let Err(e) = self.store.release_lease(self.job, &self.holder).await {
            tracing::warn!(job = self.job, "giving the job's lease up failed: {e:?}");
        }
    }
}
