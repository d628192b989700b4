//! The retention policy in SQL. Every kind is one condition, used both to
//! count (the dry run) and to delete, so the two cannot disagree. Deletes go
//! in batches of [`BATCH`] rows, each its own transaction: a run that is cut
//! off has removed whole batches, and the next run finds the rest.

use super::Db;
use super::Storage;
use crate::storage::db_error;
use app::domain::removals::DeletionBy;
use app::domain::retention::{Cutoffs, RetentionItem, RetentionKind};
use app::domain::{AppError, Id};
use app::server::storage::{RetentionStore, VolunteerStore};
use async_trait::async_trait;
use chrono::NaiveDate;
use sqlx::Arguments;

const BATCH: i64 = 500;

/// The values every condition below may name, bound in this order.
fn arguments(
    c: &Cutoffs,
    today: NaiveDate,
    election: Option<Id>,
) -> <Db as sqlx::Database>::Arguments<'static> {
    let mut args = <Db as sqlx::Database>::Arguments::default();
    // $1 sign-in traces, $2 messages, $3 contact views, $4 audit log,
    // $5 active since, $6 paid since, $7 today, $8 active since as a time,
    // $9 the election of an election's part.
    let active_since_unix = c
        .active_since
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(i64::MIN);
    let _ = args.add(c.sign_in_before);
    let _ = args.add(c.messages_before);
    let _ = args.add(c.contact_views_before);
    let _ = args.add(c.audit_before);
    let _ = args.add(c.active_since);
    let _ = args.add(c.paid_since);
    let _ = args.add(today);
    let _ = args.add(active_since_unix);
    let _ = args.add(election);
    args
}

/// Sign-in traces: (table, condition on the row).
const SIGN_IN_TRACES: &[(&str, &str)] = &[
    (
        "sign_in_tokens",
        "expires_at < $1 OR coalesce(used_at, expires_at) < $1",
    ),
    ("sessions", "expires_at < $1"),
    ("rate_events", "at < $1"),
    ("ceremonies", "expires_at < $1"),
    ("email_changes", "expires_at < $1"),
    ("sign_in_codes", "expires_at < $1"),
    ("answer_links", "expires_at < $1"),
    ("registration_holds", "held_until < $1"),
];

/// The parts of one ended election that go: (kind, table, condition with
/// `$9` the election).
const ELECTION_PARTS: &[(RetentionKind, &str, &str)] = &[
    (
        RetentionKind::ElectionHistory,
        "seat_history",
        "election_id = $9",
    ),
    (
        RetentionKind::ElectionHistory,
        "checkin_marks",
        "election_id = $9",
    ),
    (
        RetentionKind::ElectionHistory,
        "standby",
        "election_id = $9",
    ),
    (
        RetentionKind::ElectionHistory,
        "cover_calls",
        "seat_id IN (SELECT id FROM seats WHERE election_id = $9)",
    ),
    (
        RetentionKind::ElectionMessages,
        "outbox",
        "election_id = $9 AND status <> 'sending'",
    ),
];

/// Rows of the whole database that go: (kind, table, condition).
const GENERAL: &[(RetentionKind, &str, &str)] = &[
    (
        RetentionKind::OtherMessages,
        "outbox",
        "election_id IS NULL AND created_at < $2 AND status IN ('sent', 'failed')",
    ),
    (
        RetentionKind::ContactViews,
        "audit_log",
        "action = 'contact_viewed' AND at < $3",
    ),
    (
        RetentionKind::AuditLog,
        "audit_log",
        "action <> 'contact_viewed' AND at < $4",
    ),
];

/// A volunteer in no election since `$5` nor registered since, and no
/// member of staff (the administrators manage those accounts).
const INACTIVE: &str = "v.anonymised_at IS NULL AND v.created_at < $8
    AND NOT EXISTS (SELECT 1 FROM seats s WHERE s.volunteer_id = v.id AND s.day >= $5)
    AND NOT EXISTS (SELECT 1 FROM seat_history h WHERE h.volunteer_id = v.id AND h.day >= $5)
    AND NOT EXISTS (SELECT 1 FROM standby w WHERE w.volunteer_id = v.id AND w.day >= $5)
    AND NOT EXISTS (SELECT 1 FROM users u JOIN user_roles r ON r.user_id = u.id
                    WHERE u.volunteer_id = v.id AND r.role <> 'volunteer')";

/// Paid for a shift within the bookkeeping period.
const PAID_RECENTLY: &str = "EXISTS (SELECT 1 FROM seats s WHERE s.volunteer_id = v.id
    AND s.status = 'accepted' AND s.day < $7 AND s.day >= $6)";

fn volunteers_where(kind: RetentionKind) -> String {
    match kind {
        RetentionKind::InactiveDeleted => format!("{INACTIVE} AND NOT {PAID_RECENTLY}"),
        RetentionKind::InactiveAnonymised => format!("{INACTIVE} AND {PAID_RECENTLY}"),
        _ => format!("v.anonymised_at IS NOT NULL AND NOT {PAID_RECENTLY}"),
    }
}

const VOLUNTEER_KINDS: [RetentionKind; 3] = [
    RetentionKind::InactiveDeleted,
    RetentionKind::InactiveAnonymised,
    RetentionKind::PayrollExpired,
];

impl Storage {
    /// Elections whose last day is before the cut-off.
    async fn ended_elections(&self, c: &Cutoffs) -> Result<Vec<(Id, String)>, AppError> {
        sqlx::query_as("SELECT id, title FROM elections WHERE last_day < $1 ORDER BY last_day, id")
            .bind(c.elections_ended_before)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)
    }

    async fn volunteers_of(
        &self,
        kind: RetentionKind,
        c: &Cutoffs,
        today: NaiveDate,
    ) -> Result<Vec<Id>, AppError> {
        let sql = format!(
            "SELECT v.id FROM volunteers v WHERE {} ORDER BY v.id",
            volunteers_where(kind)
        );
        sqlx::query_scalar_with(&sql, arguments(c, today, None))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)
    }

    /// The record of someone anonymised for payroll, once that is over:
    /// their old seats show as open, their history and record go.
    async fn erase_anonymised(&self, volunteer_id: Id) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        for statement in [
            "UPDATE seats SET status = 'open', volunteer_id = NULL, invited_at = NULL,
                 respond_by = NULL, accepted_at = NULL, attendance = NULL, attendance_at = NULL
             WHERE volunteer_id = $1",
            "DELETE FROM seat_history WHERE volunteer_id = $1",
            "DELETE FROM checkin_marks WHERE volunteer_id = $1",
            "DELETE FROM volunteers WHERE id = $1 AND anonymised_at IS NOT NULL",
        ] {
            sqlx::query(statement)
                .bind(volunteer_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error)?;
        }
        tx.commit().await.map_err(db_error)
    }
}

fn item(kind: RetentionKind, election: Option<(Id, String)>, count: i64) -> RetentionItem {
    RetentionItem {
        kind,
        election,
        count,
    }
}

/// Whether a pass over the rows counts them (the dry run) or removes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Count,
    Remove,
}

impl Storage {
    /// Counts the rows of `table` that `condition` names, or deletes them a
    /// batch at a time; returns how many.
    async fn rows(
        &self,
        pass: Pass,
        table: &str,
        condition: &str,
        c: &Cutoffs,
        today: NaiveDate,
        election: Option<Id>,
    ) -> Result<i64, AppError> {
        if pass == Pass::Count {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE {condition}");
            return sqlx::query_scalar_with(&sql, arguments(c, today, election))
                .fetch_one(&self.pool)
                .await
                .map_err(db_error);
        }
        let sql = format!(
            "DELETE FROM {table} WHERE {row} IN
                 (SELECT {row} FROM {table} WHERE {condition} LIMIT {BATCH})",
            row = super::dialect::ROW_ID
        );
        let mut removed = 0;
        loop {
            let done = sqlx::query_with(&sql, arguments(c, today, election))
                .execute(&self.pool)
                .await
                .map_err(db_error)?
                .rows_affected() as i64;
            removed += done;
            if done < BATCH {
                return Ok(removed);
            }
        }
    }

    /// Every kind that is rows of a table (all but the volunteers).
    async fn row_kinds(
        &self,
        pass: Pass,
        c: &Cutoffs,
        today: NaiveDate,
    ) -> Result<Vec<RetentionItem>, AppError> {
        let mut items = Vec::new();
        let mut traces = 0;
        for (table, condition) in SIGN_IN_TRACES {
            traces += self.rows(pass, table, condition, c, today, None).await?;
        }
        items.push(item(RetentionKind::SignInTraces, None, traces));
        for election in self.ended_elections(c).await? {
            for kind in [
                RetentionKind::ElectionHistory,
                RetentionKind::ElectionMessages,
            ] {
                let mut count = 0;
                for (_, table, condition) in ELECTION_PARTS.iter().filter(|p| p.0 == kind) {
                    count += self
                        .rows(pass, table, condition, c, today, Some(election.0))
                        .await?;
                }
                if count > 0 {
                    items.push(item(kind, Some(election.clone()), count));
                }
            }
        }
        for (kind, table, condition) in GENERAL {
            let count = self.rows(pass, table, condition, c, today, None).await?;
            items.push(item(*kind, None, count));
        }
        Ok(items)
    }
}

#[async_trait]
impl RetentionStore for Storage {
    async fn retention_plan(
        &self,
        c: &Cutoffs,
        today: NaiveDate,
    ) -> Result<Vec<RetentionItem>, AppError> {
        let mut items = self.row_kinds(Pass::Count, c, today).await?;
        for kind in VOLUNTEER_KINDS {
            let count = self.volunteers_of(kind, c, today).await?.len() as i64;
            items.push(item(kind, None, count));
        }
        Ok(items)
    }

    async fn apply_retention(
        &self,
        c: &Cutoffs,
        today: NaiveDate,
        now: i64,
    ) -> Result<Vec<RetentionItem>, AppError> {
        let mut items = self.row_kinds(Pass::Remove, c, today).await?;
        // Those to delete outright are those whose paid shifts (if any) are
        // past the bookkeeping period: anonymised first, erased next.
        let deleted = self
            .volunteers_of(RetentionKind::InactiveDeleted, c, today)
            .await?;
        let anonymised = self
            .volunteers_of(RetentionKind::InactiveAnonymised, c, today)
            .await?;
        for id in deleted.iter().chain(&anonymised) {
            self.delete_volunteer_account(*id, today, now, &[], DeletionBy::Office)
                .await?;
        }
        let expired = self
            .volunteers_of(RetentionKind::PayrollExpired, c, today)
            .await?;
        for id in &expired {
            self.erase_anonymised(*id).await?;
        }
        let newly_erased = expired.iter().filter(|id| deleted.contains(id)).count() as i64;
        items.push(item(
            RetentionKind::InactiveDeleted,
            None,
            deleted.len() as i64,
        ));
        items.push(item(
            RetentionKind::InactiveAnonymised,
            None,
            anonymised.len() as i64,
        ));
        items.push(item(
            RetentionKind::PayrollExpired,
            None,
            expired.len() as i64 - newly_erased,
        ));
        Ok(items)
    }
}
