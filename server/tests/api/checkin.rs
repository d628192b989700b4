//! Election-day check-in: the QR code on a volunteer's shift carries a code
//! only the server can make; the station's manager (or a coordinator of
//! the area) checks them in with it or with a tap, and the board counts it.

use crate::reminders::election;
use app::board::BoardData;
use app::checkin::{CheckinData, CodeData};
use app::domain::accounts::{Role, ScopeKind};
use app::domain::seats::Attendance;
use app::domain::{AppError, Id};
use app::shifts::MyShifts;
use reqwest::StatusCode;

#[tokio::test]
async fn a_volunteer_is_checked_in_by_qr_code_and_the_board_counts_it() {
    let e = election().await;
    e.karen_accepts(e.seats[0]).await;
    let mine: MyShifts = e.app.ok_with(&e.karen_phone, "shifts/mine", &[]).await;
    let (code, svg) = mine.upcoming[0].checkin.clone().expect("a check-in code");
    assert!(svg.contains("<svg"), "{svg}");
    assert!(code.starts_with(&format!("{}-", e.seats[0])));

    let seat = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    let manager = e
        .app
        .browser_for(
            "valgstyrer@example.dk",
            Role::StationManager,
            &[(ScopeKind::Station, seat.station_id)],
        )
        .await;
    // Nobody else checks people in: not the volunteer, not another station's manager.
    let syd = crate::setup::make_area(&e.app, "Syd").await;
    let other = crate::setup::make_station(&e.app, &syd, "Sydskolen").await;
    let stranger = e
        .app
        .browser_for(
            "anden.valgstyrer@example.dk",
            Role::StationManager,
            &[(ScopeKind::Station, other.id)],
        )
        .await;
    // A coordinator of another area is as much a stranger here.
    let far_coordinator = e
        .app
        .browser_for(
            "syd.koordinator@example.dk",
            Role::Coordinator,
            &[(ScopeKind::Area, syd.id)],
        )
        .await;
    for browser in [&e.karen_phone, &stranger, &far_coordinator] {
        for endpoint in ["checkin/peek", "checkin/code"] {
            let (status, _) = e.app.err_with(browser, endpoint, &[("code", &code)]).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}");
        }
    }
    // A made-up code is refused.
    let forged = format!("{}x", &code[..code.len() - 1]);
    let (_, error) = e
        .app
        .err_with(&manager, "checkin/code", &[("code", &forged)])
        .await;
    assert_eq!(error, AppError::refused("checkin.code_invalid"));

    let peek: CodeData = e
        .app
        .ok_with(&manager, "checkin/peek", &[("code", &code)])
        .await;
    assert_eq!(peek.name, "Karen Jensen");
    e.app
        .ok_with::<()>(&manager, "checkin/code", &[("code", &code)])
        .await;
    let station = seat.station_id.to_string();
    let list: CheckinData = e
        .app
        .ok_with(
            &manager,
            "checkin/station",
            &[("station_id", &station), ("day", "")],
        )
        .await;
    assert_eq!(list.day, Some(e.day));
    assert_eq!(list.lines.len(), 1);
    assert_eq!(list.lines[0].attendance, Some(Attendance::Arrived));
    assert!(list.can_mark);

    let day = e.day.to_string();
    let board_form = [
        ("election", ""),
        ("day", day.as_str()),
        ("team", ""),
        ("task_type", ""),
        ("area", ""),
        ("sort", ""),
    ];
    let board: BoardData = e.app.ok("board/get", &board_form).await;
    let row = &board.areas[0].stations[0];
    assert_eq!((row.present, row.no_show), (1, 0));

    // Marked a no-show after all: the board says so.
    e.app
        .ok_with::<()>(
            &manager,
            "checkin/mark",
            &[
                ("seat_id", &e.seats[0].to_string()),
                ("attendance", "no_show"),
            ],
        )
        .await;
    let board: BoardData = e.app.ok("board/get", &board_form).await;
    let row = &board.areas[0].stations[0];
    assert_eq!((row.present, row.no_show), (0, 1));
    // Only accepted seats are marked.
    let (_, error) = e
        .app
        .err_with(
            &manager,
            "checkin/mark",
            &[
                ("seat_id", &e.seats[1].to_string()),
                ("attendance", "arrived"),
            ],
        )
        .await;
    assert_eq!(error, AppError::refused("checkin.not_accepted"));
}

#[tokio::test]
async fn on_the_day_a_volunteer_says_they_are_late_or_cannot_come_and_the_station_is_told() {
    let e = election().await;
    let seat = e.seats[0].to_string();
    e.karen_accepts(e.seats[0]).await;
    let details = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    e.app
        .browser_for(
            "stedet@example.dk",
            Role::StationManager,
            &[(ScopeKind::Station, details.station_id)],
        )
        .await;
    e.app
        .browser_for("kontoret@example.dk", Role::Coordinator, &[])
        .await;
    let report = |what: &'static str| {
        [
            ("seat_id", seat.clone()),
            ("what", what.to_string()),
            ("note", "Bussen er aflyst".to_string()),
        ]
    };
    let form = report("delayed");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (_, error) = e
        .app
        .err_with(&e.karen_phone, "checkin/report", &form)
        .await;
    assert_eq!(error, AppError::refused("checkin.only_on_the_day"));

    // The shift is today.
    let today = app::i18n::copenhagen_time(chrono::Utc::now().timestamp())
        .unwrap()
        .date_naive();
    sql!(e.app, |db| sqlx::query(
        "UPDATE seats SET day = $2 WHERE id = $1"
    )
    .bind(e.seats[0])
    .bind(today)
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    e.app
        .ok_with::<()>(&e.karen_phone, "checkin/report", &form)
        .await;
    assert_eq!(
        told(&e, "volunteer_delayed").await,
        2,
        "the manager and the office"
    );

    let form = report("cannot_come");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    e.app
        .ok_with::<()>(&e.karen_phone, "checkin/report", &form)
        .await;
    assert_eq!(told(&e, "volunteer_cannot_come").await, 2);
    let freed = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(freed.status, app::domain::seats::SeatStatus::Open);
}

/// How many messages of `kind` went to staff (users, not volunteers).
async fn told(e: &crate::reminders::Election2, kind: &str) -> i64 {
    sql!(e.app, |db| sqlx::query_scalar(
        "SELECT count(*) FROM outbox WHERE kind = $1 AND user_id IS NOT NULL"
    )
    .bind(kind)
    .fetch_one(db)
    .await
    .unwrap())
}

#[tokio::test]
async fn an_accepted_person_not_checked_in_an_hour_after_the_start_makes_the_station_stand_out() {
    use chrono::NaiveTime;
    let e = election().await;
    e.karen_accepts(e.seats[0]).await;
    let s = &e.app.storage;
    let overdue = |h: u32, m: u32| async move {
        s.board_counts(
            e.election.id,
            Some(e.day),
            None,
            Some((e.day, NaiveTime::from_hms_opt(h, m, 0).unwrap())),
        )
        .await
        .unwrap()
        .iter()
        .map(|c| c.overdue)
        .sum::<i64>()
    };
    // In the first hour of a day there is no cut-off: nothing is overdue
    // (and a cell of unchecked accepted seats still sums to a number).
    let none = s
        .board_counts(e.election.id, Some(e.day), None, None)
        .await
        .unwrap();
    assert_eq!(none.iter().map(|c| c.overdue).sum::<i64>(), 0);
    // The shift starts at 07:00; the cut-off is "started an hour ago".
    assert_eq!(overdue(6, 59).await, 0);
    assert_eq!(overdue(7, 0).await, 1);
    // Another day's cut-off says nothing about this day.
    let other = s
        .board_counts(
            e.election.id,
            None,
            None,
            Some((
                e.day.pred_opt().unwrap(),
                NaiveTime::from_hms_opt(23, 0, 0).unwrap(),
            )),
        )
        .await
        .unwrap();
    assert_eq!(other.iter().map(|c| c.overdue).sum::<i64>(), 0);
    s.set_attendance(e.seats[0], Some(Attendance::Late), 0)
        .await
        .unwrap();
    assert_eq!(overdue(7, 0).await, 0, "checked in, if late");
}

/// A station's device keeps its roster and sends taps later: each tap is
/// taken once, two tablets' check-ins of one person are one (the earliest),
/// a check-in for someone the office took off the seat is kept and flagged
/// on the board, and an undo after the office changed the seat is refused.
#[tokio::test]
async fn marks_made_offline_are_taken_once_and_conflicts_follow_the_rules() {
    use app::checkin::{MarkAnswer, OfflineRoster};
    use app::domain::checkin::Outcome;
    let e = election().await;
    e.karen_accepts(e.seats[0]).await;
    let seat = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    let station = seat.station_id.to_string();
    let manager = e
        .app
        .browser_for(
            "valgstyrer@example.dk",
            Role::StationManager,
            &[(ScopeKind::Station, seat.station_id)],
        )
        .await;

    // The roster the device keeps: the person, their code, whose it is.
    let roster: OfflineRoster = e
        .app
        .ok_with(&manager, "checkin/offline", &[("station_id", &station)])
        .await;
    assert_eq!(roster.lines.len(), 1);
    let line = &roster.lines[0];
    assert_eq!((line.seat_id, line.volunteer_id), (e.seats[0], e.karen));
    let mine: MyShifts = e.app.ok_with(&e.karen_phone, "shifts/mine", &[]).await;
    assert_eq!(
        Some(&line.code),
        mine.upcoming[0].checkin.as_ref().map(|(c, _)| c)
    );
    assert!(roster.keep_until > roster.fetched_at);
    // Nobody else gets it: not the volunteer, nor a stranger.
    let (status, _) = e
        .app
        .err_with(
            &e.karen_phone,
            "checkin/offline",
            &[("station_id", &station)],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let now = chrono::Utc::now().timestamp();
    let seat_id = e.seats[0].to_string();
    let karen = e.karen.to_string();
    let mark = |key: &'static str, seen: &'static str, attendance: &'static str, at: i64| {
        let (seat_id, karen) = (seat_id.clone(), karen.clone());
        vec![
            ("key", key.to_string()),
            ("seat_id", seat_id),
            ("volunteer_id", karen),
            ("seen", seen.to_string()),
            ("attendance", attendance.to_string()),
            ("at", at.to_string()),
        ]
    };
    let send = |form: Vec<(&'static str, String)>| {
        let manager = manager.clone();
        let app = &e.app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.ok_with::<MarkAnswer>(&manager, "checkin/record", &form)
                .await
        }
    };
    // Tablet B (online) checks her in at now - 60; tablet A had done so
    // offline at now - 300 and sends it later.
    let b = send(mark("tablet-b-1", "", "arrived", now - 60)).await;
    assert_eq!(b.outcome, Outcome::Applied);
    let a = send(mark("tablet-a-1", "", "arrived", now - 300)).await;
    assert_eq!(a.outcome, Outcome::Merged);
    assert_eq!(a.attendance_at, Some(now - 300), "the earliest time");
    assert!(a.message.is_some());
    // A's answer was lost and it sends again: the same answer, nothing more.
    let again = send(mark("tablet-a-1", "", "arrived", now - 300)).await;
    assert_eq!(again.outcome, Outcome::Merged);
    let marks = sql!(e.app, |db| sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM checkin_marks WHERE seat_id = $1"
    )
    .bind(e.seats[0])
    .fetch_one(db)
    .await
    .unwrap());
    assert_eq!(marks, 2);
    let list: CheckinData = e
        .app
        .ok_with(
            &manager,
            "checkin/station",
            &[("station_id", &station), ("day", "")],
        )
        .await;
    assert_eq!(list.lines[0].attendance, Some(Attendance::Arrived));

    // Bad input changes nothing.
    let mut bad = mark("bad key!", "", "arrived", now);
    let (_, error) = {
        let form: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        e.app.err_with(&manager, "checkin/record", &form).await
    };
    assert_eq!(error, crate::helpers::invalid("key", "error.bad_request"));
    bad[0].1 = "fine-key".into();
    bad[4].1 = "asleep".into();
    let form: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (_, error) = e.app.err_with(&manager, "checkin/record", &form).await;
    assert_eq!(
        error,
        crate::helpers::invalid("attendance", "error.unknown_choice")
    );
    // A volunteer cannot check herself in.
    let form = mark("self-1", "", "arrived", now);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _) = e
        .app
        .err_with(&e.karen_phone, "checkin/record", &form)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The office takes her off the seat; the tablet, offline, had undone
    // the check-in and then checks her in again.
    e.app
        .storage
        .remove_from_seat(e.seats[0], e.karen, "flyttet", None, now, &[])
        .await
        .unwrap();
    let undo = send(mark("tablet-a-2", "arrived", "", now - 30)).await;
    assert_eq!(undo.outcome, Outcome::Refused);
    let again = send(mark("tablet-a-3", "", "arrived", now - 20)).await;
    assert_eq!(again.outcome, Outcome::Flagged);
    let seat_now = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(seat_now.volunteer_id, None, "the office's decision stands");

    // The board shows the flag to the office until someone has seen it.
    let board_form = [
        ("election", ""),
        ("day", ""),
        ("team", ""),
        ("task_type", ""),
        ("area", ""),
        ("sort", ""),
    ];
    let board: BoardData = e.app.ok("board/get", &board_form).await;
    assert_eq!(board.flags.len(), 1);
    assert_eq!(board.flags[0].name, "Karen Jensen");
    // ... and the seat's history keeps it.
    let roster: app::rosters::RosterData = e
        .app
        .ok("rosters/station", &[("station_id", &station)])
        .await;
    let history = &roster
        .lines
        .iter()
        .find(|l| l.seat_id == e.seats[0])
        .unwrap()
        .history;
    assert!(
        history
            .iter()
            .any(|h| h.event == "checked_in_after_removal"),
        "{history:?}"
    );
    // The station manager cannot clear it; the office can.
    let flag = board.flags[0].id.to_string();
    let (status, _) = e
        .app
        .err_with(&manager, "checkin/clear_flag", &[("flag_id", &flag)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    e.app
        .ok::<()>("checkin/clear_flag", &[("flag_id", &flag)])
        .await;
    let board: BoardData = e.app.ok("board/get", &board_form).await;
    assert!(board.flags.is_empty());
    // Somebody who never held the seat cannot be flagged on it.
    let form = vec![
        ("key", "stranger-1"),
        ("seat_id", seat_id.as_str()),
        ("volunteer_id", "999999"),
        ("seen", ""),
        ("attendance", "arrived"),
        ("at", "0"),
    ];
    let (_, error) = e.app.err_with(&manager, "checkin/record", &form).await;
    assert_eq!(error, AppError::refused("checkin.not_on_seat"));
}

#[tokio::test]
async fn the_device_keeps_the_next_days_of_work_and_the_day_its_page_shows() {
    use crate::setup::{make_area, make_election, make_station, make_task, make_team};
    use app::checkin::OfflineRoster;
    use chrono::Duration;
    let app = crate::helpers::spawn_app().await;
    app.sign_in_admin().await;
    let area = make_area(&app, "Nord").await;
    let station = make_station(&app, &area, "Nordskolen").await;
    let task = make_task(&app, "Tilforordnet", "TILF", "07:00", "20:00").await;
    let team = make_team(&app, "Frivillige", "FRI").await;
    // Three days of work ahead, someone accepted on each.
    let first = chrono::Utc::now().date_naive() + Duration::days(10);
    let days: Vec<String> = (0..3)
        .map(|n| (first + Duration::days(n)).to_string())
        .collect();
    let election = make_election(&app, "Valg", &days[2], &days[0], &days[2], &[&station]).await;
    for (n, day) in days.iter().enumerate() {
        app.ok::<()>(
            "seats/save",
            &[
                ("form[election_id]", &election.id.to_string()),
                ("form[station_id]", &station.id.to_string()),
                ("form[day]", day),
                (&format!("form[counts][c{}-{}]", team.id, task.id), "1"),
            ],
        )
        .await;
        let date = first + Duration::days(n as i64);
        let seat = app
            .storage
            .open_seats(election.id, station.id, date, team.id, task.id)
            .await
            .unwrap()[0];
        let email = format!("person{n}@example.dk");
        app.storage
            .create_volunteer(&crate::storage::volunteer(&email))
            .await
            .unwrap();
        app.ok::<()>(
            "shifts/invite",
            &[
                ("seat_id", &seat.to_string()),
                ("email", &email),
                ("respond_days", "3"),
            ],
        )
        .await;
        app.ok::<()>(
            "rosters/answer_for",
            &[("seat_id", &seat.to_string()), ("answer", "accept")],
        )
        .await;
    }
    async fn kept(app: &crate::helpers::TestApp, station: Id, day: &str) -> (Vec<String>, i64) {
        let roster: OfflineRoster = app
            .ok(
                "checkin/offline",
                &[("station_id", &station.to_string()), ("day", day)],
            )
            .await;
        let mut days: Vec<String> = roster.lines.iter().map(|l| l.day.to_string()).collect();
        days.dedup();
        (days, roster.keep_until)
    }
    // Today and the next day of work: here the first two days ahead.
    let (plain, until) = kept(&app, station.id, "").await;
    assert_eq!(plain, days[..2]);
    // A page showing the third day keeps it as well, and keeps it longer.
    let (with_third, longer) = kept(&app, station.id, &days[2]).await;
    assert_eq!(with_third, days);
    assert!(longer > until);
    // A day already past, or one without work here, adds nothing.
    assert_eq!(kept(&app, station.id, "2020-01-01").await.0, days[..2]);
    assert_eq!(kept(&app, station.id, "2099-01-01").await.0, days[..2]);
    // Bad input is refused.
    let (_, error) = app
        .err(
            "checkin/offline",
            &[("station_id", &station.id.to_string()), ("day", "tomorrow")],
        )
        .await;
    assert_eq!(error, crate::helpers::invalid("day", "error.date"));
}
