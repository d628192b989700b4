//! How long personal data is kept (GDPR art. 5(1)(e), storage limitation).
//! The policy comes from configuration; each rule turns into a cut-off
//! before which the data goes. The README lists the defaults and why.

use super::Id;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The retention rules, in days and years from the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionPolicy {
    /// An election's seat history, messages and standby queues are kept this
    /// long after its last day (complaints and questions come in weeks).
    pub election_days: i64,
    /// Contact-view log entries (who looked up whose phone) are kept this long.
    pub contact_view_days: i64,
    /// The audit log is kept this many months.
    pub audit_months: u32,
    /// Sign-in links and codes, sessions, passkey ceremonies, email-change
    /// links and rate-limit events are kept this long after they ended.
    pub sign_in_days: i64,
    /// A volunteer active in no election for this many years is removed.
    pub inactive_years: u32,
    /// Someone paid is kept (anonymised) for the bookkeeping period
    /// (bogføringsloven: five years) after their last paid shift.
    pub payroll_years: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy {
            election_days: 90,
            contact_view_days: 90,
            audit_months: 12,
            sign_in_days: 1,
            inactive_years: 4,
            payroll_years: 5,
        }
    }
}

/// The moments before which each kind of data goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    /// Sign-in traces that ended before this (unix seconds).
    pub sign_in_before: i64,
    /// Elections whose last day is before this.
    pub elections_ended_before: NaiveDate,
    /// Messages without an election, created before this (unix seconds).
    pub messages_before: i64,
    pub contact_views_before: i64,
    pub audit_before: i64,
    /// Volunteers neither registered nor on any shift since this day.
    pub active_since: NaiveDate,
    /// Paid shifts before this day are past the bookkeeping period.
    pub paid_since: NaiveDate,
}

fn months_before(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

impl RetentionPolicy {
    pub fn cutoffs(&self, today: NaiveDate, now: i64) -> Cutoffs {
        let day = 86_400;
        let audit_day = months_before(today, self.audit_months);
        // Whole days back from now, for the times kept in seconds.
        let audit_days = (today - audit_day).num_days();
        Cutoffs {
            sign_in_before: now - self.sign_in_days * day,
            elections_ended_before: today - chrono::Duration::days(self.election_days),
            messages_before: now - self.election_days * day,
            contact_views_before: now - self.contact_view_days * day,
            audit_before: now - audit_days * day,
            active_since: months_before(today, self.inactive_years.saturating_mul(12)),
            paid_since: months_before(today, self.payroll_years.saturating_mul(12)),
        }
    }
}

/// What a retention run removes, one line of the administrator's table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RetentionKind {
    /// Expired sign-in links, codes, sessions, ceremonies, email-change
    /// links, answer links and rate-limit events.
    SignInTraces,
    /// Declines, cancellations and removals of an election, and its
    /// standby queues and calls for cover.
    ElectionHistory,
    /// The messages of an election (and their delivery log).
    ElectionMessages,
    /// Messages that belong to no election.
    OtherMessages,
    /// "Viewed contact data" entries of the audit log.
    ContactViews,
    /// The rest of the audit log.
    AuditLog,
    /// Volunteers long inactive and never paid in the bookkeeping period:
    /// deleted.
    InactiveDeleted,
    /// Volunteers long inactive but paid within it: anonymised.
    InactiveAnonymised,
    /// Anonymised people whose last paid shift is past the bookkeeping
    /// period: their record goes.
    PayrollExpired,
}

impl RetentionKind {
    pub const ALL: [RetentionKind; 9] = [
        RetentionKind::SignInTraces,
        RetentionKind::ElectionHistory,
        RetentionKind::ElectionMessages,
        RetentionKind::OtherMessages,
        RetentionKind::ContactViews,
        RetentionKind::AuditLog,
        RetentionKind::InactiveDeleted,
        RetentionKind::InactiveAnonymised,
        RetentionKind::PayrollExpired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RetentionKind::SignInTraces => "sign_in_traces",
            RetentionKind::ElectionHistory => "election_history",
            RetentionKind::ElectionMessages => "election_messages",
            RetentionKind::OtherMessages => "other_messages",
            RetentionKind::ContactViews => "contact_views",
            RetentionKind::AuditLog => "audit_log",
            RetentionKind::InactiveDeleted => "inactive_deleted",
            RetentionKind::InactiveAnonymised => "inactive_anonymised",
            RetentionKind::PayrollExpired => "payroll_expired",
        }
    }

    /// The locale key of its name in the administrator's table.
    pub fn label_key(self) -> String {
        format!("retention.kind.{}", self.as_str())
    }
}

/// How many of one kind (in one election, where it belongs to one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetentionItem {
    pub kind: RetentionKind,
    pub election: Option<(Id, String)>,
    pub count: i64,
}

/// Reads a [`summary`] back, one item per kind (over all elections).
pub fn parse_summary(text: &str) -> Vec<RetentionItem> {
    text.split_whitespace()
        .filter_map(|part| {
            let (name, count) = part.split_once('=')?;
            let kind = RetentionKind::ALL
                .into_iter()
                .find(|k| k.as_str() == name)?;
            Some(RetentionItem {
                kind,
                election: None,
                count: count.parse().ok()?,
            })
        })
        .collect()
}

/// Sums a plan per kind, for the audit log's one line.
pub fn summary(items: &[RetentionItem]) -> String {
    RetentionKind::ALL
        .iter()
        .filter_map(|kind| {
            let count: i64 = items
                .iter()
                .filter(|i| i.kind == *kind)
                .map(|i| i.count)
                .sum();
            (count > 0).then(|| format!("{}={count}", kind.as_str()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_default_policy_turns_into_these_cutoffs() {
        let today = d("2026-12-02");
        let now = 1_796_212_800; // 2026-12-02 12:00 UTC
        let c = RetentionPolicy::default().cutoffs(today, now);
        assert_eq!(c.sign_in_before, now - 86_400);
        assert_eq!(c.elections_ended_before, d("2026-09-03"));
        assert_eq!(c.messages_before, now - 90 * 86_400);
        assert_eq!(c.audit_before, now - 365 * 86_400);
        assert_eq!(c.active_since, d("2022-12-02"));
        assert_eq!(c.paid_since, d("2021-12-02"));
    }

    #[test]
    fn a_leap_day_counts_back_to_the_end_of_february() {
        let c = RetentionPolicy::default().cutoffs(d("2028-02-29"), 0);
        assert_eq!(c.active_since, d("2024-02-29"));
        assert_eq!(c.paid_since, d("2023-02-28"));
    }

    #[test]
    fn a_summary_names_only_what_goes() {
        let items = vec![
            RetentionItem {
                kind: RetentionKind::ElectionMessages,
                election: Some((1, "KV25".into())),
                count: 3,
            },
            RetentionItem {
                kind: RetentionKind::ElectionMessages,
                election: Some((2, "EP24".into())),
                count: 4,
            },
            RetentionItem {
                kind: RetentionKind::AuditLog,
                election: None,
                count: 0,
            },
            RetentionItem {
                kind: RetentionKind::SignInTraces,
                election: None,
                count: 2,
            },
        ];
        assert_eq!(summary(&items), "sign_in_traces=2 election_messages=7");
        let back = parse_summary(&summary(&items));
        assert_eq!(
            back.iter().map(|i| (i.kind, i.count)).collect::<Vec<_>>(),
            vec![
                (RetentionKind::SignInTraces, 2),
                (RetentionKind::ElectionMessages, 7)
            ]
        );
        assert!(parse_summary("nonsense x=1 audit_log=many").is_empty());
    }
}
