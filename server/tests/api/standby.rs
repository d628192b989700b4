//! The standby queue: a full cell's queue, places, leaving it, and the offer
//! cascade — a freed seat goes to the first in line with a short deadline;
//! declining or letting it pass offers it to the next — also when many
//! seats free at once.

use crate::reminders::Election2;
use crate::signup::{make_link, take_form, with_seats};
use crate::storage::volunteer;
use app::domain::accounts::Role;
use app::domain::notifications::MessageKind;
use app::domain::seats::{SeatDetails, SeatStatus};
use app::domain::{AppError, Id};
use app::shifts::MyShifts;
use app::signup::JoinData;
use reqwest::StatusCode;

/// A volunteer with an account, signed in on their own phone.
pub(crate) struct Person {
    pub(crate) id: Id,
    pub(crate) phone: reqwest::Client,
}

/// `n` volunteers with accounts, each signed in on their own phone.
pub(crate) async fn people(e: &Election2, prefix: &str, n: usize) -> Vec<Person> {
    let mut all = Vec::new();
    for i in 0..n {
        let email = format!("{prefix}{i}@example.dk");
        let id = e
            .app
            .storage
            .create_volunteer(&volunteer(&email))
            .await
            .unwrap();
        let user = e
            .app
            .storage
            .ensure_user_with_role(&email, "P", Role::Volunteer)
            .await
            .unwrap();
        e.app.storage.link_volunteer(user, id).await.unwrap();
        let phone = e.app.browser_for(&email, Role::Volunteer, &[]).await;
        all.push(Person { id, phone });
    }
    all
}

fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn place(e: &Election2, person: &Person) -> Option<i64> {
    e.app
        .storage
        .volunteer_standby(person.id)
        .await
        .unwrap()
        .first()
        .map(|p| p.place)
}

/// Who holds which seats of the cell, and how.
async fn holders(e: &Election2, cell: &SeatDetails) -> Vec<(Id, String, Option<Id>)> {
    sql!(e.app, |db| sqlx::query_as(
        "SELECT id, status, volunteer_id FROM seats WHERE election_id = $1 AND station_id = $2
             ORDER BY id",
    )
    .bind(cell.election_id)
    .bind(cell.station_id)
    .fetch_all(db)
    .await
    .unwrap())
}

#[tokio::test]
async fn a_freed_seat_goes_down_the_queue_until_someone_takes_it() {
    let (e, cell, leader) = with_seats(1).await;
    let token = make_link(&e, &leader, &cell).await;
    let form = take_form(&token, &cell);
    let queue = people(&e, "q", 4).await;

    // While a seat is free, nobody queues for it.
    let (status, error) = e
        .app
        .err_with(&queue[0].phone, "signup/standby", &pairs(&form))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("standby.still_free"));

    e.app
        .ok_with::<()>(&e.karen_phone, "signup/take", &pairs(&form))
        .await;
    // The holder cannot queue for their own cell.
    let (_, error) = e
        .app
        .err_with(&e.karen_phone, "signup/standby", &pairs(&form))
        .await;
    assert_eq!(error, AppError::refused("standby.already_yours"));
    for person in &queue {
        e.app
            .ok_with::<()>(&person.phone, "signup/standby", &pairs(&form))
            .await;
    }
    // Queuing twice keeps the first place.
    e.app
        .ok_with::<()>(&queue[0].phone, "signup/standby", &pairs(&form))
        .await;
    for (n, person) in queue.iter().enumerate() {
        assert_eq!(place(&e, person).await, Some(n as i64 + 1));
    }
    let seen: JoinData = e
        .app
        .ok_with(&queue[1].phone, "signup/open", &[("token", &token)])
        .await;
    assert_eq!(seen.cells[0].free, 0);
    assert_eq!(seen.cells[0].waiting, 4);
    assert_eq!(seen.cells[0].my_place, Some(2));

    // The fourth leaves again; nobody is offered anything for that. Their
    // place shows on *Mine vagter* until then.
    let mine = e.app.storage.volunteer_standby(queue[3].id).await.unwrap();
    let shown: MyShifts = e.app.ok_with(&queue[3].phone, "shifts/mine", &[]).await;
    assert_eq!(shown.standby, mine, "my shifts lists the queue place");
    assert_eq!(shown.standby[0].place, 4);
    e.app
        .ok_with::<()>(
            &queue[3].phone,
            "signup/leave_standby",
            &[("id", &mine[0].id.to_string())],
        )
        .await;
    assert_eq!(place(&e, &queue[3]).await, None);
    // Nobody leaves another person's place.
    let theirs = e.app.storage.volunteer_standby(queue[2].id).await.unwrap();
    let (status, _) = e
        .app
        .err_with(
            &queue[0].phone,
            "signup/leave_standby",
            &[("id", &theirs[0].id.to_string())],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Karen cancels: the first in line is offered the seat, with a deadline.
    let seat = e.app.storage.volunteer_seats(e.karen).await.unwrap()[0].seat_id;
    let before = chrono::Utc::now().timestamp();
    e.app
        .ok_with::<()>(
            &e.karen_phone,
            "shifts/cancel",
            &[("seat_id", &seat.to_string())],
        )
        .await;
    let offered = e.app.storage.seat_details(seat).await.unwrap();
    assert_eq!(offered.status, SeatStatus::Invited);
    assert_eq!(offered.volunteer_id, Some(queue[0].id));
    let deadline = offered.respond_by.unwrap();
    assert!((before + 6 * 3600..=before + 6 * 3600 + 60).contains(&deadline));
    assert_eq!(e.kinds(queue[0].id).await, vec![MessageKind::StandbyOffer]);
    assert_eq!(place(&e, &queue[0]).await, None, "out of the queue");
    assert_eq!(place(&e, &queue[1]).await, Some(1), "moved up");

    // The first says no thanks: the next is offered it.
    e.app
        .ok_with::<()>(
            &queue[0].phone,
            "shifts/answer",
            &[("seat_id", &seat.to_string()), ("answer", "decline")],
        )
        .await;
    let offered = e.app.storage.seat_details(seat).await.unwrap();
    assert_eq!(offered.volunteer_id, Some(queue[1].id));

    // The second lets the deadline pass: the third is offered it.
    let later = offered.respond_by.unwrap() + 60;
    let report = e.app.scheduler.run(later).await.unwrap();
    assert_eq!(report.expired, 1);
    let offered = e.app.storage.seat_details(seat).await.unwrap();
    assert_eq!(offered.volunteer_id, Some(queue[2].id));
    assert_eq!(offered.respond_by, Some(later + 6 * 3600));
    assert_eq!(
        e.kinds(queue[1].id).await,
        vec![MessageKind::StandbyOffer, MessageKind::InvitationExpired]
    );

    // The third takes it; the queue is empty and nobody else hears of it.
    e.app
        .ok_with::<()>(
            &queue[2].phone,
            "shifts/answer",
            &[("seat_id", &seat.to_string()), ("answer", "accept")],
        )
        .await;
    let taken = e.app.storage.seat_details(seat).await.unwrap();
    assert_eq!(taken.status, SeatStatus::Accepted);
    assert_eq!(taken.volunteer_id, Some(queue[2].id));
    assert!(e.kinds(queue[3].id).await.is_empty());
}

// Several worker threads, so the server really handles the taps at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_waiting_and_five_seats_freed_at_once_make_exactly_five_offers() {
    let (e, cell, leader) = with_seats(5).await;
    let token = make_link(&e, &leader, &cell).await;
    let form = take_form(&token, &cell);
    let holders_now = people(&e, "h", 5).await;
    for person in &holders_now {
        e.app
            .ok_with::<()>(&person.phone, "signup/take", &pairs(&form))
            .await;
    }
    let waiting = people(&e, "w", 200).await;
    let url = format!("{}/api/signup/standby", e.app.base);
    let joins = waiting.iter().map(|p| {
        let request = p.phone.post(&url).form(&form);
        async move { request.send().await.unwrap().status() }
    });
    let statuses = futures::future::join_all(joins).await;
    assert!(statuses.iter().all(|s| s.is_success()), "{statuses:?}");
    let mut places = Vec::new();
    for person in &waiting {
        places.push((place(&e, person).await.unwrap(), person.id));
    }
    places.sort();
    let numbers: Vec<i64> = places.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers, (1..=200).collect::<Vec<i64>>(), "one place each");
    let in_line: Vec<Id> = places.iter().map(|(_, id)| *id).collect();

    // All five holders cancel at the same moment.
    let url = format!("{}/api/shifts/cancel", e.app.base);
    let mut cancels = Vec::new();
    for person in &holders_now {
        let seat = e.app.storage.volunteer_seats(person.id).await.unwrap()[0].seat_id;
        let request = person
            .phone
            .post(&url)
            .form(&[("seat_id", seat.to_string())]);
        cancels.push(async move { request.send().await.unwrap().status() });
    }
    let statuses = futures::future::join_all(cancels).await;
    assert!(statuses.iter().all(|s| s.is_success()), "{statuses:?}");
    let mut offered: Vec<Id> = holders(&e, &cell)
        .await
        .into_iter()
        .map(|(_, status, who)| {
            assert_eq!(status, "invited");
            who.unwrap()
        })
        .collect();
    offered.sort();
    let mut first_five = in_line[..5].to_vec();
    first_five.sort();
    assert_eq!(offered, first_five, "the first five, one seat each");

    // The five decline at once: the next five are offered the seats.
    let url = format!("{}/api/shifts/answer", e.app.base);
    let seats = holders(&e, &cell).await;
    let declines = seats.iter().map(|(seat, _, who)| {
        let person = waiting.iter().find(|p| Some(p.id) == *who).unwrap();
        let request = person.phone.post(&url).form(&[
            ("seat_id", seat.to_string()),
            ("answer", "decline".to_string()),
        ]);
        async move { request.send().await.unwrap().status() }
    });
    let statuses = futures::future::join_all(declines).await;
    assert!(statuses.iter().all(|s| s.is_success()), "{statuses:?}");
    let mut offered: Vec<Id> = holders(&e, &cell)
        .await
        .into_iter()
        .map(|(_, _, who)| who.unwrap())
        .collect();
    offered.sort();
    let mut next_five = in_line[5..10].to_vec();
    next_five.sort();
    assert_eq!(offered, next_five);
    let still_waiting = e.app.storage.volunteer_standby(in_line[10]).await.unwrap();
    assert_eq!(still_waiting[0].place, 1, "the eleventh is next in line");
}
