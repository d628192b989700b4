//! The retention policy, run every night at 03:00 Copenhagen time (a quiet
//! hour, also on election night). A run is idempotent: what it removed is
//! gone, and a run cut short by a restart is taken up by the next one.

use crate::leases::Lease;
use app::domain::audit::{AuditAction, AuditEntry};
use app::domain::retention::RetentionPolicy;
use app::server::Storage;
use chrono::Duration;
use std::sync::Arc;
use tokio::sync::watch;

/// The hour of the nightly run, Copenhagen time.
pub const RUN_AT_HOUR: u32 = 3;

/// Seconds from `now` until the next 03:00 in Copenhagen.
pub fn until_next_run(now: i64) -> i64 {
    let Some(local) = app::i18n::copenhagen_time(now) else {
        return 86_400;
    };
    let at = crate::notifications::scheduler::at_clock(RUN_AT_HOUR);
    let mut day = local.date_naive();
    if local.time() >= at {
        day += Duration::days(1);
    }
    let next = app::i18n::copenhagen_to_unix(day, at);
    (next - now).max(60)
}

/// What the nightly run writes in the audit log as its actor.
pub fn nightly_entry() -> AuditEntry {
    AuditEntry {
        actor_user_id: None,
        actor: "retention policy".into(),
        action: AuditAction::RetentionRun,
        subject: "nightly".into(),
        detail: String::new(),
        ip: String::new(),
    }
}

/// The nightly run's name in `job_leases`, and how long its lease lasts:
/// the servers that wake at 03:00 leave the run to the first one, and the
/// lease has run out by the next night.
pub const JOB: &str = "retention";
pub const LEASE_SECS: i64 = 6 * 3600;

/// Runs the policy every night until `shutdown`, on one server only: the
/// one that takes the night's lease.
pub fn spawn(
    storage: Arc<dyn Storage>,
    policy: RetentionPolicy,
    clock: fn() -> i64,
    lease: Lease,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let wait = until_next_run(clock()) as u64;
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(wait)) => {}
                _ = shutdown.changed() => return,
            }
            if !lease.hold(clock()).await {
                continue;
            }
            match app::retention::run_policy(storage.as_ref(), policy, clock(), nightly_entry())
                .await
            {
                Ok(done) => tracing::info!(
                    removed = %app::domain::retention::summary(&done),
                    "retention policy ran"
                ),
                Err(e) => tracing::error!("the retention policy failed: {e:?}"),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(text)
            .unwrap()
            .timestamp()
    }

    #[test]
    fn the_next_run_is_at_three_in_copenhagen() {
        // 02:00 in Copenhagen in winter (UTC+1): an hour to go.
        assert_eq!(until_next_run(at("2026-12-02T01:00:00Z")), 3600);
        // Just after three: tomorrow.
        assert_eq!(until_next_run(at("2026-12-02T02:00:01Z")), 24 * 3600 - 1);
        // Summer time (UTC+2): 03:00 is 01:00 UTC.
        assert_eq!(until_next_run(at("2026-06-01T00:30:00Z")), 1800);
    }
}
