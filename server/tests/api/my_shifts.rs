//! A volunteer's own shifts: the list, cancelling (never inside the lock
//! period), and calendars — one file per shift and a private feed — read back
//! with a real iCalendar parser.

use crate::helpers::client;
use crate::reminders::election;
use crate::setup::make_election;
use app::domain::calendar::{ics, CalendarEvent};
use app::domain::notifications::MessageKind;
use app::domain::seats::SeatStatus;
use app::domain::AppError;
use app::shifts::MyShifts;
use chrono::{Duration, NaiveDate, NaiveTime};
use reqwest::StatusCode;

fn parse(text: &str) -> ical::parser::ical::component::IcalCalendar {
    ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()))
        .next()
        .expect("a calendar")
        .expect("a calendar that parses")
}

fn property<'a>(
    props: &'a [ical::property::Property],
    name: &str,
) -> (&'a str, Vec<(String, Vec<String>)>) {
    let p = props
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"));
    (
        p.value.as_deref().unwrap_or_default(),
        p.params.clone().unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_volunteer_sees_answers_and_cancels_their_shifts_but_not_inside_the_lock_period() {
    let e = election().await;
    let waiting: i64 = e.app.ok_with(&e.karen_phone, "shifts/waiting", &[]).await;
    assert_eq!(waiting, 0, "nothing to answer yet");
    e.invite(e.seats[0], "karen@example.dk", "7").await;
    let waiting: i64 = e.app.ok_with(&e.karen_phone, "shifts/waiting", &[]).await;
    assert_eq!(waiting, 1, "the tab bar's badge counts the invitation");
    let mine: MyShifts = e.app.ok_with(&e.karen_phone, "shifts/mine", &[]).await;
    assert_eq!(mine.upcoming.len(), 1);
    let shift = &mine.upcoming[0];
    assert_eq!(shift.seat.status, SeatStatus::Invited);
    assert_eq!(shift.seat.station_name, "Nordskolen");
    assert_eq!(shift.seat.team, "Frivillige");
    assert!(
        !shift.can_cancel,
        "an invitation is answered, not cancelled"
    );
    assert_eq!(mine.office_phone, "+4512345678");

    e.karen_answers(e.seats[0], "accept").await;
    let waiting: i64 = e.app.ok_with(&e.karen_phone, "shifts/waiting", &[]).await;
    assert_eq!(waiting, 0, "an answered invitation leaves the badge");
    let mine: MyShifts = e.app.ok_with(&e.karen_phone, "shifts/mine", &[]).await;
    assert!(
        mine.upcoming[0].can_cancel,
        "20 days ahead, lock period 7 days"
    );
    e.app
        .ok_with::<()>(
            &e.karen_phone,
            "shifts/cancel",
            &[("seat_id", &e.seats[0].to_string())],
        )
        .await;
    let seat = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(seat.status, SeatStatus::Open);
    assert_eq!(
        e.kinds(e.karen).await.last(),
        Some(&MessageKind::CancellationConfirmation)
    );

    // A shift three days ahead is inside the lock period: refused on the
    // server, whatever a page shows.
    let soon = chrono::Utc::now().date_naive() + Duration::days(3);
    let station = e.app.storage.seat_details(e.seats[1]).await.unwrap();
    let stations: Vec<app::domain::stations::Station> = e.app.ok("stations/list", &[]).await;
    let nordskolen = stations
        .iter()
        .find(|s| s.id == station.station_id)
        .unwrap();
    let d = soon.to_string();
    let near = make_election(&e.app, "Valg snart", &d, &d, &d, &[nordskolen]).await;
    let task = e.app.storage.list_task_types().await.unwrap()[0].id;
    let team: Vec<app::domain::teams::Team> = e.app.ok("teams/list", &[]).await;
    e.app
        .ok::<()>(
            "seats/save",
            &[
                ("form[election_id]", &near.id.to_string()),
                ("form[station_id]", &nordskolen.id.to_string()),
                ("form[day]", &d),
                (&format!("form[counts][c{}-{task}]", team[0].id), "1"),
            ],
        )
        .await;
    let seat = e
        .app
        .storage
        .open_seats(near.id, nordskolen.id, soon, team[0].id, task)
        .await
        .unwrap()[0];
    e.app
        .storage
        .fill_seat(seat, e.karen, SeatStatus::Accepted, None, 1, None)
        .await
        .unwrap();
    let mine: MyShifts = e.app.ok_with(&e.karen_phone, "shifts/mine", &[]).await;
    let locked = mine
        .upcoming
        .iter()
        .find(|s| s.seat.seat_id == seat)
        .unwrap();
    assert!(locked.locked && !locked.can_cancel);
    let (status, error) = e
        .app
        .err_with(
            &e.karen_phone,
            "shifts/cancel",
            &[("seat_id", &seat.to_string())],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("shifts.locked"));
    assert_eq!(
        e.app.storage.seat_details(seat).await.unwrap().status,
        SeatStatus::Accepted
    );
    // Nobody cancels another person's shift.
    let (status, _) = e
        .app
        .err("shifts/cancel", &[("seat_id", &seat.to_string())])
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the office has no volunteer record"
    );
}

#[tokio::test]
async fn each_shift_downloads_as_ics_and_the_private_feed_can_be_renewed_and_stopped() {
    let e = election().await;
    e.invite(e.seats[0], "karen@example.dk", "7").await;
    let url = format!("{}/calendar/shift/{}", e.app.base, e.seats[0]);
    let response = e.karen_phone.get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let calendar = parse(&response.text().await.unwrap());
    assert_eq!(calendar.events.len(), 1);
    let props = &calendar.events[0].properties;
    let (start, params) = property(props, "DTSTART");
    assert_eq!(start, format!("{}T070000", e.day.format("%Y%m%d")));
    assert_eq!(
        params,
        vec![("TZID".to_string(), vec!["Europe/Copenhagen".to_string()])]
    );
    assert_eq!(
        property(props, "STATUS").0,
        "TENTATIVE",
        "invited, not yet answered"
    );
    assert!(property(props, "LOCATION").0.contains("Nordskolen"));
    // Without a session, or someone else's seat: nothing.
    assert_eq!(
        client().get(&url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let other = format!("{}/calendar/shift/{}", e.app.base, e.seats[1]);
    assert_eq!(
        e.karen_phone.get(&other).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // The feed: made, read without cookies, renewed (old address dies), stopped.
    let mine: MyShifts = e.app.ok_with(&e.karen_phone, "shifts/mine", &[]).await;
    assert!(!mine.calendar_feed, "no feed yet");
    let feed: String = e
        .app
        .ok_with(&e.karen_phone, "calendar/new_feed", &[])
        .await;
    let local = feed.replace(&e.app.public_url, &e.app.base);
    let response = client().get(&local).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let calendar = parse(&response.text().await.unwrap());
    assert_eq!(calendar.events.len(), 1);
    assert_eq!(calendar.timezones.len(), 1);
    let renewed: String = e
        .app
        .ok_with(&e.karen_phone, "calendar/new_feed", &[])
        .await;
    assert_ne!(renewed, feed);
    let mine: MyShifts = e.app.ok_with(&e.karen_phone, "shifts/mine", &[]).await;
    assert!(mine.calendar_feed, "my shifts says a feed is kept");
    assert_eq!(
        client().get(&local).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let renewed_local = renewed.replace(&e.app.public_url, &e.app.base);
    assert_eq!(
        client().get(&renewed_local).send().await.unwrap().status(),
        StatusCode::OK
    );
    e.app
        .ok_with::<()>(&e.karen_phone, "calendar/stop_feed", &[])
        .await;
    let mine: MyShifts = e.app.ok_with(&e.karen_phone, "shifts/mine", &[]).await;
    assert!(
        !mine.calendar_feed,
        "the stopped feed is gone from my shifts"
    );
    assert_eq!(
        client().get(&renewed_local).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[test]
fn shifts_on_both_sides_of_the_summer_time_change_keep_their_wall_clock_time() {
    // Summer time begins on 28 March 2027 at 02:00: a 07:00 shift the day
    // before is 06:00 UTC, the day after 05:00 UTC. The calendar says 07:00
    // Copenhagen time for both and carries the rules for the change.
    let event = |day: &str| CalendarEvent {
        uid: format!("{day}@valg.example.dk"),
        day: NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap(),
        start: NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
        end: NaiveTime::from_hms_opt(20, 0, 0).unwrap(),
        summary: "Brevstemmemodtager: Rådhuset".into(),
        location: "Rådhuset".into(),
        description: String::new(),
        url: "https://valg.example.dk/my-shifts".into(),
        tentative: false,
        geo: None,
    };
    let text = ics(
        "Mine vagter",
        &[event("2027-03-27"), event("2027-03-29")],
        0,
    );
    let calendar = parse(&text);
    let starts: Vec<&str> = calendar
        .events
        .iter()
        .map(|e| property(&e.properties, "DTSTART").0)
        .collect();
    assert_eq!(starts, vec!["20270327T070000", "20270329T070000"]);
    let zone = &calendar.timezones[0];
    assert_eq!(property(&zone.properties, "TZID").0, "Europe/Copenhagen");
    let daylight = zone
        .transitions
        .iter()
        .find(|t| {
            matches!(
                t.transition,
                ical::parser::ical::component::IcalTimeZoneTransitionType::DAYLIGHT
            )
        })
        .expect("a summer time rule");
    assert_eq!(property(&daylight.properties, "TZOFFSETTO").0, "+0200");
    assert_eq!(
        property(&daylight.properties, "RRULE").0,
        "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"
    );
    // The instants those wall-clock times stand for, as our own clock sees them.
    let utc = |d: &str| {
        app::i18n::copenhagen_to_unix(
            NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap(),
            NaiveTime::from_hms_opt(7, 0, 0).unwrap(),
        ) % 86_400
            / 3600
    };
    assert_eq!((utc("2027-03-27"), utc("2027-03-29")), (6, 5));
}

#[tokio::test]
async fn a_volunteer_edits_their_profile_channels_diets_and_sharing_and_bad_input_changes_nothing()
{
    use app::profile::ProfileData;
    let e = election().await;
    let diet = e.app.storage.create_diet("Vegetarisk").await.unwrap();
    e.app
        .storage
        .add_team_member(1, e.karen, false)
        .await
        .unwrap();
    let profile: ProfileData = e.app.ok_with(&e.karen_phone, "profile/get", &[]).await;
    assert_eq!(profile.channels.len(), 3, "push, email and SMS by default");
    assert_eq!(profile.teams, vec![(1, "Frivillige".to_string(), false)]);

    let diet_id = diet.to_string();
    let good = [
        ("form[phone]", "+45 20 30 40 99"),
        ("form[address]", "Algade 4"),
        ("form[postal_code]", "4200"),
        ("form[city]", "Korsbæk"),
        ("form[language]", "en"),
        ("form[diets][]", diet_id.as_str()),
        ("form[channels][]", "email"),
        ("form[channels][]", "sms"),
        ("form[share][]", "1"),
        // A team she is not on changes nothing.
        ("form[share][]", "99"),
        // She has moved out of the municipality.
        ("form[resident]", "no"),
    ];
    e.app
        .ok_with::<()>(&e.karen_phone, "profile/save", &good)
        .await;
    let profile: ProfileData = e.app.ok_with(&e.karen_phone, "profile/get", &[]).await;
    assert_eq!(profile.volunteer.phone, "+4520304099");
    assert_eq!(profile.volunteer.language.as_str(), "en");
    assert_eq!(profile.volunteer.diet_ids, vec![diet]);
    assert_eq!(profile.volunteer.municipality_code, "000");
    assert_eq!(
        profile.channels,
        vec![
            app::domain::notifications::Channel::Email,
            app::domain::notifications::Channel::Sms
        ]
    );
    assert_eq!(profile.teams, vec![(1, "Frivillige".to_string(), true)]);
    // Her team's leader now sees her phone.
    let members = e
        .app
        .storage
        .team_members(1, e.day - Duration::days(30))
        .await
        .unwrap();
    let karen = members
        .iter()
        .find(|m| m.contact.volunteer_id == e.karen)
        .unwrap();
    assert!(karen.clone().for_team_leader().contact.phone.is_some());

    // No channel at all, or a bad phone number: refused, nothing changed.
    let mut bad: Vec<(&str, &str)> = good
        .iter()
        .filter(|(k, _)| *k != "form[channels][]")
        .cloned()
        .collect();
    let (_, error) = e.app.err_with(&e.karen_phone, "profile/save", &bad).await;
    assert_eq!(error, AppError::invalid("channels", "profile.one_channel"));
    bad.push(("form[channels][]", "push"));
    bad[0] = ("form[phone]", "12");
    let (status, _) = e.app.err_with(&e.karen_phone, "profile/save", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let after: ProfileData = e.app.ok_with(&e.karen_phone, "profile/get", &[]).await;
    assert_eq!(after.volunteer.phone, "+4520304099");
    assert_eq!(after.channels.len(), 2);
    // The office has no profile of its own here.
    let (status, _) = e.app.err("profile/get", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_volunteer_downloads_everything_kept_about_them_and_nobody_else_can() {
    use app::profile::MyData;
    let e = election().await;
    e.invite(e.seats[0], "karen@example.dk", "7").await;
    e.app
        .ok_with::<()>(
            &e.karen_phone,
            "shifts/answer",
            &[
                ("seat_id", &e.seats[0].to_string()),
                ("answer", "decline"),
                ("reason", "Rejser"),
            ],
        )
        .await;
    let response = e
        .karen_phone
        .get(format!("{}/profile/data.json", e.app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let data: MyData = response.json().await.unwrap();
    assert_eq!(data.volunteer.email, "karen@example.dk");
    assert_eq!(data.account.volunteer_id, Some(e.karen));
    assert_eq!(data.seat_history.len(), 1);
    assert_eq!(data.seat_history[0].event, "declined");
    assert_eq!(data.seat_history[0].reason, "Rejser");
    assert_eq!(data.messages.len(), 1, "the invitation");
    assert_eq!(data.push_devices.len(), 1);
    assert_eq!(data.channels.len(), 3);
    let same: MyData = e.app.ok_with(&e.karen_phone, "profile/data", &[]).await;
    assert_eq!(same.seat_history, data.seat_history);
    assert_eq!(
        client()
            .get(format!("{}/profile/data.json", e.app.base))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // The office, or anyone without a volunteer record, gets nothing.
    let (status, _) = e.app.err("profile/data", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = e.app.err_with(&client(), "profile/data", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn another_volunteer_cannot_cancel_karens_shift() {
    let e = election().await;
    e.karen_accepts(e.seats[0]).await;
    let ole = e.ole_phone().await;
    let seat = e.seats[0].to_string();
    // Answered as if there were no such seat: it is not his to know of.
    let (status, error) = e
        .app
        .err_with(&ole, "shifts/cancel", &[("seat_id", &seat)])
        .await;
    assert_eq!((status, error), (StatusCode::NOT_FOUND, AppError::NotFound));
    let held = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    assert_eq!(held.volunteer_id, Some(e.karen));
    assert_eq!(held.status, SeatStatus::Accepted);
}

// Several threads: a view stuck on the lock must not stop the clock that
// ends the wait (once, in a full run, this test hung instead of failing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewing_my_shifts_with_its_check_in_code_writes_nothing() {
    // SQLite's own counter of writes; PostgreSQL runs skip it.
    if crate::helpers::postgres_url().is_some() {
        return;
    }
    use sqlx::ConnectOptions;
    use std::time::Duration;
    let e = election().await;
    e.invite(e.seats[0], "karen@example.dk", "7").await;
    e.karen_answers(e.seats[0], "accept").await;
    let view = || async {
        let page = e
            .karen_phone
            .get(format!("{}/my-shifts", e.app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        let mine: MyShifts = e.app.ok_with(&e.karen_phone, "shifts/mine", &[]).await;
        (html, mine)
    };
    // The first code ever shown makes the server's check-in key.
    let (_, first) = view().await;
    // A connection of its own holds the write lock throughout: a view that
    // wanted to write would wait for it (and time out here). SQLite also
    // counts every commit made by another connection.
    let mut writer = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(e.app.config.database.file().unwrap())
        .connect()
        .await
        .unwrap();
    const VERSION: &str = "PRAGMA data_version";
    let before: i64 = sqlx::query_scalar(VERSION)
        .fetch_one(&mut writer)
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut writer)
        .await
        .unwrap();
    let mut views = Vec::new();
    for _ in 0..3 {
        match tokio::time::timeout(Duration::from_secs(5), view()).await {
            Ok(seen) => views.push(seen),
            Err(_) => break,
        }
    }
    // The lock goes before anything is judged, so a failure cannot leave a
    // request of the server waiting for it.
    sqlx::query("ROLLBACK").execute(&mut writer).await.unwrap();
    assert_eq!(views.len(), 3, "a view waited for the write lock");
    for (html, mine) in views {
        assert!(html.contains("<svg"), "the check-in QR is on the page");
        assert_eq!(
            mine.upcoming[0].checkin, first.upcoming[0].checkin,
            "the same code and QR on every view"
        );
    }
    let after: i64 = sqlx::query_scalar(VERSION)
        .fetch_one(&mut writer)
        .await
        .unwrap();
    assert_eq!(before, after, "page views are reads");
}
