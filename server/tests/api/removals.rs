//! Deactivating, activating and deleting people from the register: the
//! preview says what each loses, the action does exactly that (or nothing
//! when someone cannot be part of it), and only the office's planners may.

use crate::reminders::election;
use crate::storage::volunteer;
use app::domain::accounts::{Role, ScopeKind};
use app::domain::seats::SeatStatus;
use app::domain::AppError;
use app::removals::RemovalPlan;
use reqwest::StatusCode;

fn ids(list: &[i64]) -> String {
    app::domain::removals::join_ids(list)
}

async fn preview(e: &crate::reminders::Election2, people: &[i64], action: &str) -> RemovalPlan {
    e.app
        .ok(
            "volunteers/removal_preview",
            &[("ids", &ids(people)), ("action", action)],
        )
        .await
}

async fn remove(e: &crate::reminders::Election2, people: &[i64], action: &str) {
    e.app
        .ok::<()>(
            "volunteers/remove",
            &[("ids", &ids(people)), ("action", action)],
        )
        .await;
}

#[tokio::test]
async fn a_deactivated_person_cannot_sign_in_nor_take_seats_until_activated() {
    let e = election().await;
    e.karen_accepts(e.seats[0]).await;
    e.invite(e.seats[1], "ole@example.dk", "7").await;

    let plan = preview(&e, &[e.karen, e.ole], "deactivate").await;
    assert!(!plan.blocked());
    let freed: Vec<usize> = plan.people.iter().map(|p| p.freed.len()).collect();
    assert_eq!(freed, vec![1, 1], "each holds one coming seat");
    remove(&e, &[e.karen, e.ole], "deactivate").await;

    // Both seats are open again, Karen's phone is signed out, and neither
    // gets a sign-in any more.
    for seat in &e.seats {
        let seat = e.app.storage.seat_details(*seat).await.unwrap();
        assert_eq!(seat.status, SeatStatus::Open);
    }
    let (status, _) = e.app.err_with(&e.karen_phone, "shifts/mine", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for email in ["karen@example.dk", "ole@example.dk"] {
        assert_eq!(e.app.storage.sign_in_account(email).await.unwrap(), None);
    }
    // Nobody can give them a seat, and doing it twice changes nothing.
    let (status, error) = e
        .app
        .err(
            "shifts/invite",
            &[
                ("seat_id", &e.seats[0].to_string()),
                ("email", "ole@example.dk"),
                ("respond_days", "7"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("volunteers.deactivated"));
    let (_, error) = e
        .app
        .err(
            "volunteers/remove",
            &[("ids", &ids(&[e.ole])), ("action", "deactivate")],
        )
        .await;
    assert_eq!(error, AppError::refused("removals.already_deactivated"));

    // The register marks them and finds them by status.
    let found: app::register::RegisterResults = e
        .app
        .ok("volunteers/register", &[("query[active]", "no")])
        .await;
    assert_eq!(found.page.total, 2);
    assert!(found.page.rows.iter().all(|p| p.deactivated));
    assert!(e
        .app
        .storage
        .volunteer_deactivated_at(e.ole)
        .await
        .unwrap()
        .is_some());

    // Taken back, they sign in and can be invited again.
    remove(&e, &[e.karen, e.ole], "activate").await;
    assert!(e
        .app
        .storage
        .sign_in_account("karen@example.dk")
        .await
        .unwrap()
        .is_some());
    e.invite(e.seats[0], "ole@example.dk", "7").await;
    let seat = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(seat.volunteer_id, Some(e.ole));
}

#[tokio::test]
async fn deleting_many_anonymises_whoever_must_be_paid_and_erases_the_rest() {
    let e = election().await;
    e.karen_accepts(e.seats[0]).await;
    e.invite(e.seats[1], "ole@example.dk", "7").await;
    // Karen's shift lies behind her: payroll needs it.
    let three_days_ago = chrono::Utc::now().date_naive() - chrono::Duration::days(3);
    sql!(e.app, |db| sqlx::query(
        "UPDATE seats SET day = $2 WHERE id = $1"
    )
    .bind(e.seats[0])
    .bind(three_days_ago)
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    // Pia also works in the office: she cannot be deleted from here.
    let mut pia = volunteer("pia@example.dk");
    pia.name = "Pia Petersen".into();
    let pia = e.app.storage.create_volunteer(&pia).await.unwrap();
    let user = e
        .app
        .storage
        .ensure_user_with_role("pia@example.dk", "Pia", Role::Coordinator)
        .await
        .unwrap();
    e.app.storage.link_volunteer(user, pia).await.unwrap();

    let plan = preview(&e, &[e.karen, e.ole, pia], "delete").await;
    let seen: Vec<(bool, usize, Option<&str>)> = plan
        .people
        .iter()
        .map(|p| (p.anonymised(), p.freed.len(), p.blocked.as_deref()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (true, 0, None),
            (false, 1, None),
            (false, 0, Some("removals.staff"))
        ]
    );
    let (status, error) = e
        .app
        .err(
            "volunteers/remove",
            &[("ids", &ids(&[e.karen, e.ole, pia])), ("action", "delete")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("removals.staff"));
    assert_eq!(
        e.app.storage.count_volunteers().await.unwrap(),
        3,
        "nothing changed"
    );

    remove(&e, &[e.karen, e.ole], "delete").await;
    let karen = e.app.storage.get_volunteer(e.karen).await.unwrap();
    assert_eq!(karen.name, "—", "kept for payroll, without her name");
    assert!(
        matches!(
            e.app.storage.get_volunteer(e.ole).await,
            Err(app::domain::AppError::NotFound)
        ),
        "erased"
    );
    let paid = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(paid.status, SeatStatus::Accepted);
    let freed = e.app.storage.seat_details(e.seats[1]).await.unwrap();
    assert_eq!(freed.status, SeatStatus::Open);
    assert_eq!(e.app.storage.count_volunteers().await.unwrap(), 2);
}

#[tokio::test]
async fn bad_choices_are_named_and_only_the_office_planners_may_remove() {
    let e = election().await;
    for (ids, action, expected) in [
        (
            "",
            "delete",
            AppError::invalid("ids", "removals.none_chosen"),
        ),
        (
            "1,x",
            "delete",
            AppError::invalid("ids", "removals.bad_ids"),
        ),
        (
            "1",
            "sometimes",
            AppError::invalid("action", "error.unknown_choice"),
        ),
    ] {
        let (status, error) = e
            .app
            .err(
                "volunteers/removal_preview",
                &[("ids", ids), ("action", action)],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error, expected);
    }
    let area = crate::setup::make_area(&e.app, "Syd").await;
    let coordinator = e
        .app
        .browser_for(
            "syd@example.dk",
            Role::Coordinator,
            &[(ScopeKind::Area, area.id)],
        )
        .await;
    for browser in [
        coordinator,
        e.app.browser_as(Role::ReadOnly).await,
        e.karen_phone.clone(),
    ] {
        for endpoint in ["volunteers/removal_preview", "volunteers/remove"] {
            let (status, _) = e
                .app
                .err_with(
                    &browser,
                    endpoint,
                    &[("ids", &e.ole.to_string()), ("action", "delete")],
                )
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}");
        }
    }
    assert!(e.app.storage.get_volunteer(e.ole).await.is_ok());
}

#[tokio::test]
async fn a_removal_read_before_the_seat_changed_hands_removes_nobody() {
    let e = election().await;
    e.invite(e.seats[0], "karen@example.dk", "7").await;
    // The office looked when Karen held the seat; by the time the removal
    // is written, Ole holds it (she declined, he was invited).
    e.karen_answers(e.seats[0], "decline").await;
    e.invite(e.seats[0], "ole@example.dk", "7").await;
    let now = chrono::Utc::now().timestamp();
    let refused = e
        .app
        .storage
        .remove_from_seat(e.seats[0], e.karen, "for sent", None, now, &[])
        .await;
    assert_eq!(refused, Err(AppError::refused("seats.changed_meanwhile")));
    let seat = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(seat.volunteer_id, Some(e.ole), "Ole keeps the seat");
    // Naming the one who holds it works.
    e.app
        .storage
        .remove_from_seat(e.seats[0], e.ole, "for sent", None, now, &[])
        .await
        .unwrap();
    let seat = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(seat.volunteer_id, None);
}
