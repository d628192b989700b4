//! Jobs that run after a request has been answered
//! ([`app::server::AfterAnswer`]): a handful at a time, failures logged.
//! Kept in memory on purpose: a sign-in mail lost in a crash is asked for
//! again, and a queue on disk would hold live sign-in links.

use app::server::{AfterAnswer, Job};
use std::sync::Arc;
use tokio::sync::{watch, Semaphore};

/// How many jobs run at once (an SMTP server answers one mail at a time
/// per connection; a few in parallel keep election morning moving).
const AT_ONCE: usize = 8;

pub struct Background {
    permits: Arc<Semaphore>,
    /// Jobs started and not yet finished.
    busy: watch::Sender<usize>,
}

impl Default for Background {
    fn default() -> Self {
        Background {
            permits: Arc::new(Semaphore::new(AT_ONCE)),
            busy: watch::channel(0).0,
        }
    }
}

impl Background {
    /// Waits until every job started so far has finished.
    pub async fn idle(&self) {
        let mut busy = self.busy.subscribe();
        // The sender lives in `self`, so the channel cannot close here.
        let _ = busy.wait_for(|n| *n == 0).await;
    }
}

impl AfterAnswer for Background {
    fn run(&self, what: &'static str, job: Job) {
        self.busy.send_modify(|n| *n += 1);
        let permits = self.permits.clone();
        let busy = self.busy.clone();
        tokio::spawn(async move {
            // The semaphore is never closed, so a permit always comes.
            let _permit = permits.acquire_owned().await;
            if let Err(error) = job.await {
                tracing::warn!(what, %error, "a job after the answer failed");
            }
            busy.send_modify(|n| *n = n.saturating_sub(1));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_waits_for_every_job_and_a_failure_does_not_stop_the_rest() {
        let background = Background::default();
        let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for i in 0..20 {
            let done = done.clone();
            background.run(
                "test",
                Box::pin(async move {
                    tokio::task::yield_now().await;
                    done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    if i % 3 == 0 {
                        Err(app::domain::AppError::Server)
                    } else {
                        Ok(())
                    }
                }),
            );
        }
        background.idle().await;
        assert_eq!(done.load(std::sync::atomic::Ordering::SeqCst), 20);
    }
}
