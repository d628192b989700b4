//! The retention policy: the dry run counts exactly what a run removes, a
//! run removes only what is past its time, a second run finds nothing, and
//! only administrators see or run it.

use crate::reminders::{election, Election2};
use crate::storage::volunteer;
use app::domain::accounts::Role;
use app::domain::retention::{RetentionItem, RetentionKind, RetentionPolicy};
use app::retention::RetentionOverview;
use chrono::{Duration, NaiveDate};
use reqwest::StatusCode;

const DAY: i64 = 86_400;

fn total(items: &[RetentionItem], kind: RetentionKind) -> i64 {
    items
        .iter()
        .filter(|i| i.kind == kind)
        .map(|i| i.count)
        .sum()
}

async fn sql(e: &Election2, statement: &str) {
    sql!(e.app, |db| sqlx::query(statement)
        .execute(db)
        .await
        .unwrap_or_else(|err| panic!("{statement}: {err}"))
        .rows_affected());
}

/// Moves the fixture's election, its seats and their history to `day`.
async fn move_election_to(e: &Election2, day: NaiveDate) {
    for statement in [
        format!(
            "UPDATE elections SET election_day = '{day}', first_day = '{day}', last_day = '{day}', active = FALSE"
        ),
        format!("UPDATE seats SET day = '{day}'"),
        format!("UPDATE seat_history SET day = '{day}'"),
    ] {
        sql(e, &statement).await;
    }
}

async fn count(e: &Election2, query: &str) -> i64 {
    sql!(e.app, |db| sqlx::query_scalar(query)
        .fetch_one(db)
        .await
        .unwrap())
}

#[tokio::test]
async fn a_run_removes_what_the_dry_run_counted_and_nothing_younger() {
    let e = election().await;
    let now = chrono::Utc::now().timestamp();
    let today = chrono::Utc::now().date_naive();
    // Karen works the election; Ole said no (history, and messages).
    e.karen_accepts(e.seats[0]).await;
    e.invite(e.seats[1], "ole@example.dk", "7").await;
    e.app
        .storage
        .answer_invitation(e.seats[1], e.ole, false, "ingen tid", now, None)
        .await
        .unwrap();
    move_election_to(&e, today - Duration::days(200)).await;
    let messages = count(
        &e,
        "SELECT COUNT(*) FROM outbox WHERE election_id IS NOT NULL",
    )
    .await;
    assert!(messages >= 2, "an invitation each, at least");
    // Sign-in traces old and new, and audit lines old and new.
    let user: i64 = count(&e, "SELECT id FROM users WHERE email = 'karen@example.dk'").await;
    for statement in [
        format!("INSERT INTO sign_in_tokens (token_hash, user_id, expires_at) VALUES ('old', {user}, {})", now - 3 * DAY),
        format!("INSERT INTO sign_in_tokens (token_hash, user_id, expires_at) VALUES ('live', {user}, {})", now + 600),
        format!("INSERT INTO rate_events (bucket, at) VALUES ('old', {})", now - 2 * DAY),
        format!("INSERT INTO rate_events (bucket, at) VALUES ('new', {now})"),
        format!("INSERT INTO audit_log (at, action, subject) VALUES ({}, 'contact_viewed', 'old view')", now - 100 * DAY),
        format!("INSERT INTO audit_log (at, action, subject) VALUES ({}, 'contact_viewed', 'new view')", now - 10 * DAY),
        format!("INSERT INTO audit_log (at, action, subject) VALUES ({}, 'sign_in', 'old sign-in')", now - 400 * DAY),
        format!("INSERT INTO audit_log (at, action, subject) VALUES ({}, 'sign_in', 'new sign-in')", now - 300 * DAY),
    ] {
        sql(&e, &statement).await;
    }

    // Only an administrator sees or runs it.
    let coordinator = e.app.browser_as(Role::Coordinator).await;
    for endpoint in ["retention/plan", "retention/run"] {
        let (status, _) = e.app.err_with(&coordinator, endpoint, &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}");
    }
    let plan: RetentionOverview = e.app.ok("retention/plan", &[]).await;
    assert_eq!(plan.policy, RetentionPolicy::default());
    let history = plan
        .next_run
        .iter()
        .find(|i| i.kind == RetentionKind::ElectionHistory)
        .expect("the old election's history");
    assert_eq!(
        history.election.as_ref().map(|(id, _)| *id),
        Some(e.election.id)
    );
    assert_eq!(history.count, 1, "Ole's decline");
    assert_eq!(
        total(&plan.next_run, RetentionKind::ElectionMessages),
        messages
    );
    assert!(total(&plan.next_run, RetentionKind::SignInTraces) >= 2);
    assert_eq!(total(&plan.next_run, RetentionKind::ContactViews), 1);
    assert_eq!(total(&plan.next_run, RetentionKind::AuditLog), 1);
    assert_eq!(total(&plan.next_run, RetentionKind::InactiveDeleted), 0);
    // The dry run changed nothing.
    assert_eq!(count(&e, "SELECT COUNT(*) FROM seat_history").await, 1);

    let done: Vec<RetentionItem> = e.app.ok("retention/run", &[]).await;
    for kind in RetentionKind::ALL {
        assert_eq!(
            total(&done, kind),
            total(&plan.next_run, kind),
            "{kind:?}: removed what was counted"
        );
    }
    assert_eq!(count(&e, "SELECT COUNT(*) FROM seat_history").await, 0);
    assert_eq!(
        count(
            &e,
            "SELECT COUNT(*) FROM outbox WHERE election_id IS NOT NULL"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &e,
            "SELECT COUNT(*) FROM sign_in_tokens WHERE token_hash IN ('old', 'live')"
        )
        .await,
        1
    );
    assert_eq!(
        count(&e, "SELECT COUNT(*) FROM rate_events WHERE bucket = 'new'").await,
        1
    );
    let audit: Vec<String> = sql!(e.app, |db| sqlx::query_scalar(
        "SELECT subject FROM audit_log ORDER BY id"
    )
    .fetch_all(db)
    .await
    .unwrap());
    assert!(audit.contains(&"new view".to_string()));
    assert!(audit.contains(&"new sign-in".to_string()));
    assert!(!audit.iter().any(|s| s.starts_with("old")), "{audit:?}");
    // The seat, and who worked it, stay: payroll needs them.
    let seat = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(seat.volunteer_id, Some(e.karen));
    // The run is in the audit log, with what it removed.
    let detail: String = sql!(e.app, |db| sqlx::query_scalar(
        "SELECT detail FROM audit_log WHERE action = 'retention_run' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(db)
    .await
    .unwrap());
    assert!(detail.contains("election_history=1"), "{detail}");

    // Idempotent: the next run finds nothing.
    let again: RetentionOverview = e.app.ok("retention/plan", &[]).await;
    assert!(
        again.next_run.iter().all(|i| i.count == 0),
        "{:?}",
        again.next_run
    );
}

#[tokio::test]
async fn long_inactive_volunteers_go_and_the_paid_stay_anonymised_for_the_bookkeeping_years() {
    let e = election().await;
    let storage = e.app.storage.as_ref();
    let now = chrono::Utc::now().timestamp();
    let today = chrono::Utc::now().date_naive();
    let years = |n: i64| now - n * 366 * DAY;
    // Karen was paid for a shift four and a half years ago.
    e.karen_accepts(e.seats[0]).await;
    move_election_to(&e, today - Duration::days(4 * 365 + 180)).await;
    // Ole registered five years ago and never worked; a coordinator's own
    // volunteer record is as old; a newcomer registered last week.
    let coordinator = storage
        .create_volunteer(&volunteer("koordinator@example.dk"))
        .await
        .unwrap();
    let staff = storage
        .ensure_user_with_role("koordinator@example.dk", "K", Role::Coordinator)
        .await
        .unwrap();
    storage.link_volunteer(staff, coordinator).await.unwrap();
    let newcomer = storage
        .create_volunteer(&volunteer("ny@example.dk"))
        .await
        .unwrap();
    for (id, created) in [
        (e.karen, years(5)),
        (e.ole, years(5)),
        (coordinator, years(5)),
        (newcomer, now - 7 * DAY),
    ] {
        sql(
            &e,
            &format!("UPDATE volunteers SET created_at = {created} WHERE id = {id}"),
        )
        .await;
    }

    let policy = RetentionPolicy::default();
    let cutoffs = policy.cutoffs(today, now);
    let plan = storage.retention_plan(&cutoffs, today).await.unwrap();
    assert_eq!(total(&plan, RetentionKind::InactiveDeleted), 1, "Ole");
    assert_eq!(total(&plan, RetentionKind::InactiveAnonymised), 1, "Karen");
    assert_eq!(total(&plan, RetentionKind::PayrollExpired), 0);
    let done = storage.apply_retention(&cutoffs, today, now).await.unwrap();
    assert_eq!(total(&done, RetentionKind::InactiveDeleted), 1);
    assert_eq!(total(&done, RetentionKind::InactiveAnonymised), 1);
    assert!(storage
        .get_volunteer(e.ole)
        .await
        .is_err_and(|err| err == app::domain::AppError::NotFound));
    let karen = storage.get_volunteer(e.karen).await.unwrap();
    assert_eq!(karen.name, "—", "anonymised");
    assert!(!karen.email.contains("karen"));
    assert_eq!(
        storage.seat_details(e.seats[0]).await.unwrap().volunteer_id,
        Some(e.karen),
        "her paid shift stays for the books"
    );
    for kept in [coordinator, newcomer] {
        assert!(storage.get_volunteer(kept).await.is_ok());
    }
    assert!(storage
        .retention_plan(&cutoffs, today)
        .await
        .unwrap()
        .iter()
        .all(|i| i.count == 0));

    // A year on, the bookkeeping period of Karen's shift is over.
    let later = today + Duration::days(366);
    let later_now = now + 366 * DAY;
    let cutoffs = policy.cutoffs(later, later_now);
    let plan = storage.retention_plan(&cutoffs, later).await.unwrap();
    assert_eq!(total(&plan, RetentionKind::PayrollExpired), 1);
    let done = storage
        .apply_retention(&cutoffs, later, later_now)
        .await
        .unwrap();
    assert_eq!(total(&done, RetentionKind::PayrollExpired), 1);
    assert!(matches!(
        storage.get_volunteer(e.karen).await,
        Err(app::domain::AppError::NotFound)
    ));
    let seat = storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(seat.volunteer_id, None, "the old seat keeps no one");
    // The coordinator's record is staff's; the newcomer is inactive only
    // from their fourth year.
    for kept in [coordinator, newcomer] {
        assert!(storage.get_volunteer(kept).await.is_ok());
    }
}
