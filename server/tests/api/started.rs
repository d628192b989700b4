//! Once a shift has begun its seats are no longer for self-service: nobody
//! takes one from a link, joins its standby, accepts an invitation to it or
//! is invited to it, old invitations expire, and the office places nobody
//! after the shift has ended.

use crate::signup::{make_link, take_form, with_seats};
use app::domain::seats::SeatStatus;
use app::domain::AppError;
use chrono::{Duration, Utc};
use reqwest::StatusCode;

#[tokio::test]
async fn nobody_takes_accepts_or_is_invited_to_a_seat_whose_shift_has_begun() {
    let (e, cell, leader) = with_seats(2).await;
    let token = make_link(&e, &leader, &cell).await;
    // The election's seats are moved to yesterday: their shifts are over.
    let yesterday = Utc::now().date_naive() - Duration::days(1);
    sql!(e.app, |db| sqlx::query(
        "UPDATE seats SET day = $1 WHERE election_id = $2"
    )
    .bind(yesterday)
    .bind(cell.election_id)
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    let seats_before = e.app.storage.seat_details(cell.seat_id).await.unwrap();
    assert_eq!(seats_before.status, SeatStatus::Open);

    let mut form = take_form(&token, &cell);
    form[2].1 = yesterday.to_string();
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    for endpoint in ["signup/take", "signup/standby"] {
        let (status, error) = e.app.err_with(&e.karen_phone, endpoint, &pairs).await;
        assert_eq!(status, StatusCode::CONFLICT, "{endpoint}");
        assert_eq!(error, AppError::refused("shifts.started"), "{endpoint}");
    }
    assert!(e
        .app
        .storage
        .volunteer_seats(e.karen)
        .await
        .unwrap()
        .is_empty());

    let seat = cell.seat_id.to_string();
    let (_, error) = e
        .app
        .err(
            "shifts/invite",
            &[
                ("seat_id", &seat),
                ("email", "karen@example.dk"),
                ("respond_days", "7"),
            ],
        )
        .await;
    assert_eq!(error, AppError::refused("shifts.started"));

    // An invitation made before this rule, its deadline after the shift:
    // accepting it is refused, and the scheduler ends it.
    let now = Utc::now().timestamp();
    sql!(e.app, |db| sqlx::query(
        "UPDATE seats SET status = 'invited', volunteer_id = $2, invited_at = $3, respond_by = $4
             WHERE id = $1",
    )
    .bind(cell.seat_id)
    .bind(e.karen)
    .bind(now - 3 * 86_400)
    .bind(now + 86_400)
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    let (_, error) = e
        .app
        .err_with(
            &e.karen_phone,
            "shifts/answer",
            &[("seat_id", &seat), ("answer", "accept")],
        )
        .await;
    assert_eq!(error, AppError::refused("shifts.started"));
    let report = e.app.scheduler.run(now).await.unwrap();
    assert_eq!(report.expired, 1);
    let after = e.app.storage.seat_details(cell.seat_id).await.unwrap();
    assert_eq!(after.status, SeatStatus::Open);
    assert_eq!(after.volunteer_id, None);

    // The office cannot put anyone on a seat of a shift that has ended.
    let placed = e
        .app
        .storage
        .fill_seat(cell.seat_id, e.karen, SeatStatus::Accepted, None, now, None)
        .await;
    assert_eq!(placed, Err(AppError::refused("shifts.ended")));
}

#[tokio::test]
async fn an_invitation_is_due_before_its_shift_at_the_latest() {
    let (e, cell, _) = with_seats(1).await;
    // 30 days to answer, but the shift is 20 days ahead.
    e.app
        .ok::<()>(
            "shifts/invite",
            &[
                ("seat_id", &cell.seat_id.to_string()),
                ("email", "karen@example.dk"),
                ("respond_days", "30"),
            ],
        )
        .await;
    let seat = e.app.storage.seat_details(cell.seat_id).await.unwrap();
    let starts = app::i18n::copenhagen_to_unix(seat.day, seat.start_time);
    assert_eq!(seat.respond_by, Some(starts));
}
