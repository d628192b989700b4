//! Reminders and deadlines, decided by the server itself (no cron): an
//! invitation not answered is reminded of every N days and expires at its
//! deadline, freeing the seat; an accepted shift is reminded of N days
//! before and on its morning. Only active elections, and shift reminders
//! only for task types that have them. Every message's idempotency key names
//! its occasion, so running twice — or after a restart — sends nothing twice.

use crate::leases::Lease;
use app::domain::notifications::MessageKind;
use app::domain::seats::{SeatDetails, SeatStatus};
use app::domain::AppError;
use app::i18n::copenhagen_to_unix;
use app::server::storage::{NewMessage, NotificationStore};
use app::shifts::seat_message;
use async_trait::async_trait;
use chrono::{Duration, NaiveDate, NaiveTime};
use std::sync::Arc;
use tokio::sync::{watch, Notify};

/// How far ahead shift reminders look (the longest "days before").
const HORIZON_DAYS: i64 = app::domain::elections::MAX_REMINDER_DAYS + 1;

#[async_trait]
pub trait ScheduleStore: NotificationStore {
    /// Open invitations, and accepted seats from `today` to `today + days`,
    /// in active elections.
    async fn scheduled_seats(
        &self,
        today: NaiveDate,
        days: i64,
    ) -> Result<Vec<SeatDetails>, AppError>;
    /// Frees the seat if it is still the same invitation (person and time),
    /// keeping the history, and writes `message` with it. False if it was
    /// answered or changed meanwhile.
    async fn expire_invitation(
        &self,
        seat_id: i64,
        volunteer_id: i64,
        invited_at: i64,
        now: i64,
        message: &NewMessage,
    ) -> Result<bool, AppError>;
}

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub expired: usize,
    /// Reminders due now (already-sent ones are stored once, not again).
    pub reminders: usize,
}

pub struct Scheduler {
    pub store: Arc<dyn ScheduleStore>,
    pub public_url: String,
}

impl Scheduler {
    pub async fn run(&self, now: i64) -> Result<Report, AppError> {
        let today = app::i18n::copenhagen_date(now);
        let mut report = Report::default();
        for seat in self.store.scheduled_seats(today, HORIZON_DAYS).await? {
            match seat.status {
                SeatStatus::Invited => self.invitation(&seat, now, &mut report).await?,
                SeatStatus::Accepted if seat.task_reminders => {
                    self.shift(&seat, now, &mut report).await?
                }
                _ => {}
            }
        }
        Ok(report)
    }

    async fn invitation(
        &self,
        seat: &SeatDetails,
        now: i64,
        report: &mut Report,
    ) -> Result<(), AppError> {
        let (Some(volunteer), Some(invited_at)) = (seat.volunteer_id, seat.invited_at) else {
            return Ok(());
        };
        // An invitation ends at its deadline, and at the latest when its
        // shift begins (one from before that rule, or of a past day).
        let starts = copenhagen_to_unix(seat.day, seat.start_time);
        if seat.respond_by.is_some_and(|deadline| deadline <= now) || starts <= now {
            let message = seat_message(
                &self.public_url,
                seat,
                MessageKind::InvitationExpired,
                &invited_at.to_string(),
            );
            if self
                .store
                .expire_invitation(seat.seat_id, volunteer, invited_at, now, &message)
                .await?
            {
                report.expired += 1;
            }
            return Ok(());
        }
        let every = seat.reminders.invite_every_days * 86_400;
        if every > 0 && now - invited_at >= every {
            // The latest reminder due; one missed while the server was down
            // is not sent late on top of it.
            let round = (now - invited_at) / every;
            let message = seat_message(
                &self.public_url,
                seat,
                MessageKind::InvitationReminder,
                &format!("{invited_at}:{round}"),
            );
            self.store.enqueue(&message, now).await?;
            report.reminders += 1;
        }
        Ok(())
    }

    async fn shift(
        &self,
        seat: &SeatDetails,
        now: i64,
        report: &mut Report,
    ) -> Result<(), AppError> {
        let starts = copenhagen_to_unix(seat.day, seat.start_time);
        if now >= starts {
            return Ok(());
        }
        let days = seat.reminders.shift_days_before;
        if days > 0 {
            let at = copenhagen_to_unix(seat.day - Duration::days(days), at_clock(9));
            if now >= at {
                self.remind(seat, "before", now, report).await?;
            }
        }
        if seat.reminders.morning {
            // 06:00, or an hour before a shift that starts earlier.
            let at = copenhagen_to_unix(seat.day, at_clock(6)).min(starts - 3600);
            if now >= at {
                self.remind(seat, "morning", now, report).await?;
            }
        }
        Ok(())
    }

    async fn remind(
        &self,
        seat: &SeatDetails,
        which: &str,
        now: i64,
        report: &mut Report,
    ) -> Result<(), AppError> {
        let message = seat_message(&self.public_url, seat, MessageKind::ShiftReminder, which);
        self.store.enqueue(&message, now).await?;
        report.reminders += 1;
        Ok(())
    }

    /// Runs every minute until `shutdown` on the server that holds the
    /// job's lease (see [`crate::leases`]), waking the outbox worker when
    /// something was written.
    pub fn spawn(
        self: Arc<Self>,
        clock: fn() -> i64,
        wake: Arc<Notify>,
        lease: Lease,
        mut shutdown: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                if lease.hold(clock()).await {
                    match self.run(clock()).await {
                        Ok(report) if report.expired + report.reminders > 0 => wake.notify_one(),
                        Ok(_) => {}
                        Err(e) => tracing::error!("the reminder scheduler failed: {e:?}"),
                    }
                }
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_secs(TICK_SECS as u64)) => {}
                    _ = shutdown.changed() => {
                        lease.release().await;
                        return;
                    }
                }
            }
        })
    }
}

/// The scheduler's tick, and how long its lease lasts unrenewed: a few
/// ticks, so a holder that dies is replaced within minutes.
pub const TICK_SECS: i64 = 60;
pub const LEASE_SECS: i64 = 150;
/// The scheduler's name in `job_leases`.
pub const JOB: &str = "reminders";

/// `hour`:00 sharp.
pub(crate) fn at_clock(hour: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default()
}
