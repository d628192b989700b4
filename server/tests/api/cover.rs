//! Call for cover: an open seat offered to a group at once; of many who tap
//! "take it" at the same moment exactly one gets it, and the others are told.

use crate::reminders::election;
use crate::standby::people;
use app::cover::CoverOffer;
use app::domain::cover::CoverState;
use app::domain::notifications::MessageKind;
use app::domain::seats::SeatStatus;
use app::domain::AppError;
use reqwest::StatusCode;

// Several worker threads, so the server really handles the taps at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_first_of_a_group_to_take_the_seat_gets_it_and_the_others_are_told() {
    let e = election().await;
    let seat = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    let seat_id = seat.seat_id.to_string();
    let team = people(&e, "hold", 3).await;
    for p in &team {
        e.app
            .storage
            .add_team_member(seat.team_id, p.id, false)
            .await
            .unwrap();
    }
    // Nobody waits in the standby queue.
    let (_, error) = e
        .app
        .err(
            "cover/call",
            &[("seat_id", &seat_id), ("group", "standby"), ("hours", "2")],
        )
        .await;
    assert_eq!(error, AppError::refused("cover.nobody"));
    for (group, hours, field) in [("everyone", "2", "group"), ("team", "0", "hours")] {
        let (_, error) = e
            .app
            .err(
                "cover/call",
                &[("seat_id", &seat_id), ("group", group), ("hours", hours)],
            )
            .await;
        assert!(
            matches!(&error, AppError::Invalid { field: f, .. } if f == field),
            "{error:?}"
        );
    }
    // The team's members may not call for cover themselves.
    let (status, _) = e
        .app
        .err_with(
            &team[0].phone,
            "cover/call",
            &[("seat_id", &seat_id), ("group", "team"), ("hours", "2")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    e.app
        .ok::<()>(
            "cover/call",
            &[("seat_id", &seat_id), ("group", "team"), ("hours", "2")],
        )
        .await;
    for p in &team {
        assert_eq!(e.kinds(p.id).await, vec![MessageKind::CoverCall]);
        let offer: CoverOffer = e
            .app
            .ok_with(&p.phone, "cover/load", &[("seat_id", &seat_id)])
            .await;
        assert_eq!(offer.state, CoverState::Open);
    }
    // Karen is not on the team: to her the call does not exist.
    let (status, _) = e
        .app
        .err_with(&e.karen_phone, "cover/load", &[("seat_id", &seat_id)])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = e
        .app
        .err_with(&e.karen_phone, "cover/take", &[("seat_id", &seat_id)])
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // All three tap at once.
    let form = [("seat_id", seat_id.as_str())];
    let taps = team
        .iter()
        .map(|p| e.app.call_with(&p.phone, "cover/take", &form));
    let responses = futures::future::join_all(taps).await;
    let mut winners = Vec::new();
    for (p, response) in team.iter().zip(responses) {
        if response.status().is_success() {
            winners.push(p.id);
        } else {
            let error: AppError = response.json().await.unwrap();
            assert_eq!(error, AppError::refused("cover.taken"));
        }
    }
    assert_eq!(winners.len(), 1, "exactly one gets the seat");
    let winner = winners[0];
    let held = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(held.status, SeatStatus::Accepted);
    assert_eq!(held.volunteer_id, Some(winner));
    for p in &team {
        let offer: CoverOffer = e
            .app
            .ok_with(&p.phone, "cover/load", &[("seat_id", &seat_id)])
            .await;
        if p.id == winner {
            assert_eq!(offer.state, CoverState::Yours);
            assert_eq!(
                e.kinds(p.id).await,
                vec![
                    MessageKind::CoverCall,
                    MessageKind::RegistrationConfirmation
                ]
            );
        } else {
            assert_eq!(offer.state, CoverState::Taken);
            assert_eq!(offer.seat.volunteer_name, None, "who took it is not shown");
            assert_eq!(
                e.kinds(p.id).await,
                vec![MessageKind::CoverCall, MessageKind::CoverTaken]
            );
        }
    }
}

// Several worker threads, so the server really handles the taps at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_tapping_at_once_give_the_seat_to_one_and_no_thanks_is_kept() {
    let e = election().await;
    let seat_id = e.seats[1].to_string();
    let crowd = people(&e, "alle", 50).await;
    e.app
        .ok::<()>(
            "cover/call",
            &[
                ("seat_id", &seat_id),
                ("group", "candidates"),
                ("hours", "3"),
            ],
        )
        .await;
    // One says no before the rest tap; they are not told afterwards.
    e.app
        .ok_with::<()>(&crowd[0].phone, "cover/decline", &[("seat_id", &seat_id)])
        .await;
    let offer: CoverOffer = e
        .app
        .ok_with(&crowd[0].phone, "cover/load", &[("seat_id", &seat_id)])
        .await;
    assert_eq!(offer.state, CoverState::Declined);
    let mine: app::shifts::MyShifts = e.app.ok_with(&crowd[1].phone, "shifts/mine", &[]).await;
    assert_eq!(mine.cover.len(), 1, "the offer shows on my shifts");

    let form = [("seat_id", seat_id.as_str())];
    let taps = crowd[1..]
        .iter()
        .map(|p| e.app.call_with(&p.phone, "cover/take", &form));
    let won = futures::future::join_all(taps)
        .await
        .iter()
        .filter(|r| r.status().is_success())
        .count();
    assert_eq!(won, 1);
    let taken: Vec<i64> = sql!(e.app, |db| sqlx::query_scalar(
        "SELECT count(*) FROM seats WHERE id = $1 AND status = 'accepted'"
    )
    .bind(e.seats[1])
    .fetch_all(db)
    .await
    .unwrap());
    assert_eq!(taken, vec![1]);
    assert_eq!(e.kinds(crowd[0].id).await, vec![MessageKind::CoverCall]);
    let told = sql!(e.app, |db| sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM outbox WHERE kind = 'cover_taken'"
    )
    .fetch_one(db)
    .await
    .unwrap());
    // Everyone asked (50 and Karen and Ole) but the one who took it and the
    // one who said no.
    assert_eq!(told, 50);
    let mine: app::shifts::MyShifts = e.app.ok_with(&crowd[1].phone, "shifts/mine", &[]).await;
    assert!(mine.cover.is_empty(), "a taken seat is no longer offered");
}

#[tokio::test]
async fn a_seat_filled_another_way_ends_its_call_so_it_cannot_come_back() {
    let e = election().await;
    let s = &e.app.storage;
    let group = people(&e, "andenvej", 2).await;
    let ids: Vec<i64> = group.iter().map(|p| p.id).collect();
    let now = chrono::Utc::now().timestamp();
    s.create_cover_call(e.seats[0], &ids, 1, now + 3600, now, &[])
        .await
        .unwrap();
    s.decline_cover(e.seats[0], ids[1], now).await.unwrap();
    s.decline_cover(e.seats[0], ids[1], now).await.unwrap();
    // The office invites Karen straight away, then she declines: the seat
    // is open again, but the call ended when it was filled.
    e.invite(e.seats[0], "karen@example.dk", "3").await;
    e.karen_answers(e.seats[0], "decline").await;
    assert_eq!(
        s.seat_details(e.seats[0]).await.unwrap().status,
        SeatStatus::Open
    );
    let call = s.latest_cover_call(e.seats[0]).await.unwrap().unwrap();
    assert!(call.closed_at.is_some());
    assert!(s
        .volunteer_cover_offers(ids[0], now + 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        s.take_cover(e.seats[0], ids[0], now + 10, &[]).await,
        Err(AppError::refused("cover.closed"))
    );
}

#[tokio::test]
async fn a_call_that_ran_out_cannot_be_taken_and_a_new_call_replaces_the_old() {
    let e = election().await;
    let s = &e.app.storage;
    let group = people(&e, "sen", 2).await;
    let ids: Vec<i64> = group.iter().map(|p| p.id).collect();
    let now = chrono::Utc::now().timestamp();
    s.create_cover_call(e.seats[0], &ids, 1, now + 60, now, &[])
        .await
        .unwrap();
    assert_eq!(
        s.take_cover(e.seats[0], ids[0], now + 61, &[]).await,
        Err(AppError::refused("cover.closed"))
    );
    // A new call to the second only: the first's old offer is closed.
    s.create_cover_call(e.seats[0], &ids[1..], 1, now + 600, now + 100, &[])
        .await
        .unwrap();
    let first = s.cover_call_for(e.seats[0], ids[0]).await.unwrap().unwrap();
    assert!(first.closed_at.is_some());
    assert_eq!(
        s.take_cover(e.seats[0], ids[0], now + 120, &[]).await,
        Err(AppError::refused("cover.closed"))
    );
    s.take_cover(e.seats[0], ids[1], now + 120, &[])
        .await
        .unwrap();
    // Saying no twice is no error.
    s.decline_cover(e.seats[0], ids[0], now + 125)
        .await
        .unwrap();
    s.decline_cover(e.seats[0], ids[0], now + 126)
        .await
        .unwrap();
    // A taken seat cannot be called for again.
    assert_eq!(
        s.create_cover_call(e.seats[0], &ids, 1, now + 600, now + 130, &[])
            .await,
        Err(AppError::refused("seats.taken"))
    );
}
