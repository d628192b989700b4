//! The scheduled CPR re-check: everyone on a coming seat of an active
//! election is looked up again every few days (and once on the day before
//! the first day of work), a batch at a time, on one server only. What a
//! lookup finds is kept as it is made, so the next wake-up goes on where a
//! stopped one ended (see `app::civil_register::recheck`).

use crate::config::CprSettings;
use crate::leases::Lease;
use app::server::cpr::PersonRegister;
use app::server::Storage;
use std::sync::Arc;
use tokio::sync::watch;

/// The re-check's name in `job_leases`; a lease outlives one batch.
pub const JOB: &str = "cpr_recheck";

pub fn lease_secs(settings: &CprSettings) -> i64 {
    (settings.recheck_minutes as i64 * 60).max(60)
}

/// Wakes every `recheck_minutes` and runs one batch until `shutdown`.
pub fn spawn(
    storage: Arc<dyn Storage>,
    register: Arc<dyn PersonRegister>,
    settings: CprSettings,
    home: String,
    clock: fn() -> i64,
    lease: Lease,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = std::time::Duration::from_secs(settings.recheck_minutes * 60);
        loop {
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = shutdown.changed() => return,
            }
            if !lease.hold(clock()).await {
                continue;
            }
            match app::civil_register::recheck(
                storage.as_ref(),
                register.as_ref(),
                &home,
                clock(),
                settings.recheck_days,
                settings.recheck_batch,
            )
            .await
            {
                Ok(run) if run.stopped => tracing::warn!(
                    looked_up = run.looked_up,
                    "the CPR re-check stopped: the service did not answer; the next run goes on"
                ),
                Ok(run) if run.looked_up + run.not_found + run.refused > 0 => tracing::info!(
                    looked_up = run.looked_up,
                    not_found = run.not_found,
                    refused = run.refused,
                    "CPR re-check"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!("the CPR re-check failed: {e:?}"),
            }
        }
    })
}
