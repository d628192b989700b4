//! Filling a gap: the candidates for an open seat are the people who may
//! take it — ranked with the seat's team first, then the nearest — and
//! several are invited to several open seats in one go.

use crate::signup::with_seats;
use crate::storage::volunteer;
use app::candidates::CandidatesData;
use app::domain::seats::SeatStatus;
use app::domain::AppError;
use chrono::{Datelike, Duration};

/// The seats of `cell` still open.
async fn open_in(
    e: &crate::reminders::Election2,
    cell: &app::domain::seats::SeatDetails,
) -> Vec<app::domain::Id> {
    e.app
        .storage
        .open_seats(
            cell.election_id,
            cell.station_id,
            cell.day,
            cell.team_id,
            cell.task_type_id,
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn candidates_are_the_eligible_and_free_ranked_team_first_then_nearest() {
    let (e, cell, _leader) = with_seats(3).await;
    let seat = cell.seat_id.to_string();
    let person = |email: &str, postal: &str| {
        let mut v = volunteer(email);
        v.name = email.split('@').next().unwrap().to_string();
        v.postal_code = postal.into();
        v
    };
    let s = &e.app.storage;
    let near = s
        .create_volunteer(&person("naer@example.dk", "4210"))
        .await
        .unwrap();
    let far = s
        .create_volunteer(&person("fjern@example.dk", "9000"))
        .await
        .unwrap();
    let team = s
        .create_volunteer(&person("hold@example.dk", "8000"))
        .await
        .unwrap();
    s.add_team_member(cell.team_id, team, false).await.unwrap();
    // Turns 18 the day after the shift: not eligible.
    let mut young = person("ung@example.dk", "4200");
    let birthday = cell.day + Duration::days(1);
    young.birth_date = birthday.with_year(birthday.year() - 18).unwrap();
    let young = s.create_volunteer(&young).await.unwrap();
    // Said no to this very seat before.
    let declined = s
        .create_volunteer(&person("nej@example.dk", "4200"))
        .await
        .unwrap();
    e.invite(cell.seat_id, "nej@example.dk", "3").await;
    s.answer_invitation(
        cell.seat_id,
        declined,
        false,
        "",
        chrono::Utc::now().timestamp(),
        None,
    )
    .await
    .unwrap();

    let data: CandidatesData = e.app.ok("candidates/list", &[("seat_id", &seat)]).await;
    assert_eq!(data.open_seats, 3);
    let ids: Vec<i64> = data.candidates.iter().map(|c| c.volunteer_id).collect();
    assert_eq!(ids[0], team, "the team's member first");
    let at = |id| ids.iter().position(|x| *x == id).unwrap();
    assert!(at(near) < at(far), "nearer before farther");
    assert!(!ids.contains(&young), "not eligible on the shift's date");
    assert!(!ids.contains(&declined), "declined this seat");
    assert!(data.candidates[0].team_member);

    // Two at once, to two of the three open seats.
    let (_, error) = e
        .app
        .err(
            "candidates/invite",
            &[("seat_id", &seat), ("respond_days", "3")],
        )
        .await;
    assert_eq!(
        error,
        AppError::invalid("volunteers", "candidates.choose_someone")
    );
    e.app
        .ok::<()>(
            "candidates/invite",
            &[
                ("seat_id", &seat),
                ("volunteers[]", &team.to_string()),
                ("volunteers[]", &near.to_string()),
                ("respond_days", "3"),
            ],
        )
        .await;
    for id in [team, near] {
        let seats = s.volunteer_seats(id).await.unwrap();
        assert_eq!(seats.len(), 1);
        assert_eq!(seats[0].status, SeatStatus::Invited);
    }
    assert_ne!(
        s.volunteer_seats(team).await.unwrap()[0].seat_id,
        s.volunteer_seats(near).await.unwrap()[0].seat_id
    );
    // One seat is left; the first seat asked for is taken, so ask from the other.
    let left = open_in(&e, &cell).await;
    assert_eq!(left.len(), 1);
    let (_, error) = e
        .app
        .err(
            "candidates/invite",
            &[
                ("seat_id", &left[0].to_string()),
                ("volunteers[]", &far.to_string()),
                ("volunteers[]", &e.ole.to_string()),
                ("respond_days", "3"),
            ],
        )
        .await;
    assert_eq!(
        error,
        AppError::Refused {
            key: "candidates.too_many".into(),
            arg: Some("1".into())
        }
    );
    assert!(
        s.volunteer_seats(far).await.unwrap().is_empty(),
        "nobody was invited"
    );
}

#[tokio::test]
async fn the_office_answers_for_a_person_and_replaces_them_in_one_step() {
    use app::domain::notifications::MessageKind;
    let e = crate::reminders::election().await;
    let seat = e.seats[0].to_string();
    e.invite(e.seats[0], "karen@example.dk", "7").await;
    // Karen phoned in: the office says yes for her.
    let (status, _) = e
        .app
        .err_with(
            &e.karen_phone,
            "rosters/answer_for",
            &[("seat_id", &seat), ("answer", "accept")],
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    e.app
        .ok::<()>(
            "rosters/answer_for",
            &[("seat_id", &seat), ("answer", "accept")],
        )
        .await;
    let held = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(held.status, SeatStatus::Accepted);

    // A reason is required to take someone off.
    let (_, error) = e
        .app
        .err("rosters/remove", &[("seat_id", &seat), ("reason", " ")])
        .await;
    assert_eq!(error, AppError::invalid("reason", "error.required"));
    // Replaced by Ole in one step: each hears what concerns them.
    e.app
        .ok::<()>(
            "rosters/remove",
            &[
                ("seat_id", &seat),
                ("reason", "Syg"),
                ("replacement", "ole@example.dk"),
                ("respond_days", "2"),
            ],
        )
        .await;
    let now_held = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(now_held.status, SeatStatus::Invited);
    assert_eq!(now_held.volunteer_id, Some(e.ole));
    assert_eq!(
        e.kinds(e.karen).await,
        vec![
            MessageKind::Invitation,
            MessageKind::RegistrationConfirmation,
            MessageKind::RemovedFromShift
        ]
    );
    assert_eq!(e.kinds(e.ole).await, vec![MessageKind::Invitation]);
    let reason: String = sql!(e.app, |db| sqlx::query_scalar(
        "SELECT reason FROM seat_history WHERE seat_id = $1 AND event = 'removed'",
    )
    .bind(e.seats[0])
    .fetch_one(db)
    .await
    .unwrap());
    assert_eq!(reason, "Syg");
}

#[tokio::test]
async fn open_seats_move_between_teams_and_a_whole_team_is_invited_at_once() {
    use app::rosters::{RosterData, TeamInvited};
    let e = crate::reminders::election().await;
    let s = &e.app.storage;
    let cell = s.seat_details(e.seats[0]).await.unwrap();
    let party = crate::setup::make_team(&e.app, "Partiet", "PRT").await;
    let moved = e.seats[1].to_string();
    for (team, key) in [
        (cell.team_id.to_string(), "rosters.same_team"),
        ("999999".to_string(), "error.unknown_choice"),
    ] {
        let (_, error) = e
            .app
            .err(
                "rosters/move_seat",
                &[("seat_id", &moved), ("team_id", &team)],
            )
            .await;
        assert_eq!(error, AppError::invalid("team_id", key));
    }
    e.app
        .ok::<()>(
            "rosters/move_seat",
            &[("seat_id", &moved), ("team_id", &party.id.to_string())],
        )
        .await;
    assert_eq!(s.seat_details(e.seats[1]).await.unwrap().team_id, party.id);
    // A held seat stays with its team.
    e.karen_accepts(e.seats[0]).await;
    let (_, error) = e
        .app
        .err(
            "rosters/move_seat",
            &[
                ("seat_id", &e.seats[0].to_string()),
                ("team_id", &party.id.to_string()),
            ],
        )
        .await;
    assert_eq!(error, AppError::refused("seats.taken"));

    // The party's three members; one seat is the party's now.
    let members = crate::standby::people(&e, "parti", 3).await;
    for m in &members {
        s.add_team_member(party.id, m.id, false).await.unwrap();
    }
    let (station, election, team) = (
        cell.station_id.to_string(),
        cell.election_id.to_string(),
        party.id.to_string(),
    );
    let form = |day: &'static str| {
        [
            ("station_id", station.clone()),
            ("election_id", election.clone()),
            ("team_id", team.clone()),
            ("day", day.to_string()),
            ("respond_days", "5".to_string()),
        ]
    };
    let bad = form("2020-01-01");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (_, error) = e.app.err("rosters/invite_team", &bad).await;
    assert_eq!(error, AppError::invalid("day", "error.unknown_choice"));
    let mut good = form("");
    good[3].1 = cell.day.to_string();
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = e
        .app
        .err_with(&members[0].phone, "rosters/invite_team", &good)
        .await;
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    let done: TeamInvited = e.app.ok("rosters/invite_team", &good).await;
    assert_eq!(
        done,
        TeamInvited {
            invited: 1,
            left: 0
        }
    );
    let held = s.seat_details(e.seats[1]).await.unwrap();
    assert_eq!(held.status, SeatStatus::Invited);
    assert!(members.iter().any(|m| Some(m.id) == held.volunteer_id));
    assert!(
        s.volunteer_seats(e.ole).await.unwrap().is_empty(),
        "Ole is on no team"
    );
    // Nothing is left to invite to.
    let again: TeamInvited = e.app.ok("rosters/invite_team", &good).await;
    assert_eq!(
        again,
        TeamInvited {
            invited: 0,
            left: 0
        }
    );

    // Karen is taken off; the seat's history on the roster says who and why.
    e.app
        .ok::<()>(
            "rosters/remove",
            &[("seat_id", &e.seats[0].to_string()), ("reason", "Syg")],
        )
        .await;
    let roster: RosterData = e
        .app
        .ok(
            "rosters/station",
            &[("station_id", &cell.station_id.to_string())],
        )
        .await;
    let line = roster
        .lines
        .iter()
        .find(|l| l.seat_id == e.seats[0])
        .unwrap();
    assert_eq!(line.history.len(), 1);
    assert_eq!(line.history[0].event, "removed");
    assert_eq!(line.history[0].reason, "Syg");
    assert_eq!(line.history[0].name, "Karen Jensen");
    // A station manager sees the roster, but not why people left.
    let manager = e
        .app
        .browser_for(
            "styrer@example.dk",
            app::domain::accounts::Role::StationManager,
            &[(app::domain::accounts::ScopeKind::Station, cell.station_id)],
        )
        .await;
    let theirs: RosterData = e
        .app
        .ok_with(
            &manager,
            "rosters/station",
            &[("station_id", &cell.station_id.to_string())],
        )
        .await;
    assert!(theirs.lines.iter().all(|l| l.history.is_empty()));
}

#[tokio::test]
async fn a_batch_with_one_person_who_clashes_invites_nobody() {
    let (e, cell, _leader) = with_seats(3).await;
    let s = &e.app.storage;
    let free = s
        .create_volunteer(&volunteer("fri@example.dk"))
        .await
        .unwrap();
    let busy = s
        .create_volunteer(&volunteer("optaget@example.dk"))
        .await
        .unwrap();
    // The second already has this very shift (the first seat).
    e.invite(cell.seat_id, "optaget@example.dk", "3").await;
    let open = open_in(&e, &cell).await;
    assert_eq!(open.len(), 2);
    let (_, error) = e
        .app
        .err(
            "candidates/invite",
            &[
                ("seat_id", &open[0].to_string()),
                ("volunteers[]", &free.to_string()),
                ("volunteers[]", &busy.to_string()),
                ("respond_days", "3"),
            ],
        )
        .await;
    assert!(
        matches!(error, AppError::Refused { .. }),
        "the clash is named: {error:?}"
    );
    assert!(
        s.volunteer_seats(free).await.unwrap().is_empty(),
        "the first was not invited either"
    );
    assert_eq!(open_in(&e, &cell).await, open);
}
