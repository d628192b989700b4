//! Storage rules that no page exposes yet but every later feature relies on.

use crate::helpers::spawn_app;
use app::domain::elections::NewElection;
use app::domain::seats::{SeatCountsChange, SeatStatus};
use app::domain::stations::{NewArea, NewStation};
use app::domain::tasks::NewTaskType;
use app::domain::teams::NewTeam;
use app::domain::volunteers::{Citizenship, EmailAddress, Language, NewVolunteer, PhoneNumber};
use app::domain::AppError;
use chrono::{NaiveDate, NaiveTime};

pub fn volunteer(email: &str) -> NewVolunteer {
    NewVolunteer {
        name: "Karen Jensen".into(),
        birth_date: NaiveDate::from_ymd_opt(1970, 3, 4).unwrap(),
        email: EmailAddress::parse("email", email).unwrap(),
        phone: PhoneNumber::parse("phone", "20304050").unwrap(),
        address: "Algade 3".into(),
        postal_code: "4200".into(),
        city: "Korsbæk".into(),
        municipality_code: "999".into(),
        citizenship: Citizenship::Danish,
        under_guardianship: false,
        language: Language::Da,
        diet_ids: vec![],
        consent: Some((1, "2026-1".into())),
    }
}

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn one_person_cannot_hold_overlapping_shifts_across_elections() {
    let app = spawn_app().await;
    let s = app.storage.as_ref();
    let area = s
        .create_area(&NewArea {
            name: "Nord".into(),
            description: String::new(),
        })
        .await
        .unwrap();
    let station = s
        .create_station(&NewStation {
            area_id: area,
            name: "Rådhuset".into(),
            address: "Torvet 1".into(),
            postal_code: "4200".into(),
            city: "Korsbæk".into(),
            district_number: 1,
            latitude: None,
            longitude: None,
            notes: String::new(),
        })
        .await
        .unwrap();
    let task = |title: &str, short: &str, start, end| NewTaskType {
        title: title.into(),
        short_name: short.into(),
        description: String::new(),
        start_time: start,
        end_time: end,
        payment_dkk: 500,
        trusted: false,
        eligibility_checks_off: false,
        reminders: true,
    };
    let night = s
        .create_task_type(&task("Nattælling", "NAT", t(20, 0), t(2, 0)))
        .await
        .unwrap();
    let morning = s
        .create_task_type(&task("Morgen", "MOR", t(1, 0), t(6, 0)))
        .await
        .unwrap();
    let day_shift = s
        .create_task_type(&task("Dag", "DAG", t(8, 0), t(16, 0)))
        .await
        .unwrap();
    let team = s
        .create_team(&NewTeam {
            name: "Frivillige".into(),
            short_name: "FRI".into(),
            description: String::new(),
        })
        .await
        .unwrap();
    let types = s.list_election_types().await.unwrap();
    let election = |title: &str, day: &str| NewElection {
        title: title.into(),
        election_type_id: types[0].id,
        election_day: d(day),
        first_day: d(day),
        last_day: d(day) + chrono::Duration::days(1),
        lock_days: 3,
        active: true,
        station_ids: vec![station],
        reminders: Default::default(),
    };
    let first = s
        .create_election(&election("Valg A", "2027-06-01"))
        .await
        .unwrap();
    let second = s
        .create_election(&election("Valg B", "2027-06-02"))
        .await
        .unwrap();
    for (e, day, task) in [
        (first, "2027-06-01", night),
        (second, "2027-06-02", morning),
        (second, "2027-06-02", day_shift),
    ] {
        s.set_seat_counts(&SeatCountsChange {
            election_id: e,
            station_id: station,
            day: d(day),
            cells: vec![(team, task, 1)],
        })
        .await
        .unwrap();
    }
    let person = s
        .create_volunteer(&volunteer("nat@example.dk"))
        .await
        .unwrap();
    let seat = |e, day: &str, task| {
        let day = d(day);
        async move { s.open_seats(e, station, day, team, task).await.unwrap()[0] }
    };
    let night_seat = seat(first, "2027-06-01", night).await;
    s.fill_seat(night_seat, person, SeatStatus::Accepted, None, 1, None)
        .await
        .unwrap();
    // 01:00–06:00 the next day collides with the night count that ends at 02:00 …
    let morning_seat = seat(second, "2027-06-02", morning).await;
    assert_eq!(
        s.fill_seat(morning_seat, person, SeatStatus::Invited, Some(5), 1, None)
            .await,
        Err(AppError::refused("seats.overlap"))
    );
    // … while 08:00–16:00 does not.
    let day_seat = seat(second, "2027-06-02", day_shift).await;
    s.fill_seat(day_seat, person, SeatStatus::Invited, Some(5), 1, None)
        .await
        .unwrap();
    // A taken seat cannot be taken again.
    let other = s
        .create_volunteer(&volunteer("anden@example.dk"))
        .await
        .unwrap();
    assert_eq!(
        s.fill_seat(day_seat, other, SeatStatus::Accepted, None, 1, None)
            .await,
        Err(AppError::refused("seats.taken"))
    );
    // Moving the morning task's times so it would collide is refused.
    assert_eq!(
        s.update_task_type(day_shift, &task("Dag", "DAG", t(1, 30), t(9, 0)))
            .await,
        Err(AppError::refused("task_types.would_overlap"))
    );
}

#[tokio::test]
async fn the_demo_municipality_loads() {
    let app = spawn_app().await;
    let summary = valgvagt_server::demo::load(app.storage.as_ref(), "999")
        .await
        .expect("demo loads");
    assert!(summary.contains("30 stations"), "{summary}");
    let s = app.storage.as_ref();
    assert_eq!(s.list_areas().await.unwrap().len(), 4);
    assert_eq!(s.list_stations().await.unwrap().len(), 30);
    assert_eq!(s.list_task_types().await.unwrap().len(), 6);
    assert_eq!(s.list_teams().await.unwrap().len(), 10);
    assert_eq!(
        s.count_volunteers().await.unwrap(),
        valgvagt_server::demo::DEMO_VOLUNTEERS as i64
    );
    let elections = s.list_elections().await.unwrap();
    assert_eq!(elections.len(), 1);
    assert!(elections[0].active);
    let seats = s.station_seats(elections[0].id).await.unwrap();
    let (mut open, mut invited, mut accepted) = (0, 0, 0);
    for station in &seats {
        open += station.counts.open;
        invited += station.counts.invited;
        accepted += station.counts.accepted;
    }
    assert!(
        open > 0 && invited > 0 && accepted > 0,
        "{open} {invited} {accepted}"
    );
    assert!(accepted > invited, "most seats are accepted");
    // Loading twice is refused rather than doubling everything.
    let refused = valgvagt_server::demo::load(s, "999")
        .await
        .expect_err("a second load is refused");
    assert!(
        refused.to_string().contains("already has polling stations"),
        "{refused}"
    );
}

#[tokio::test]
async fn a_groups_channels_are_read_together_each_in_the_persons_order() {
    use app::domain::notifications::Channel;
    let app = spawn_app().await;
    let s = app.storage.as_ref();
    let karen = s
        .create_volunteer(&volunteer("karen@example.dk"))
        .await
        .unwrap();
    let ole = s
        .create_volunteer(&volunteer("ole@example.dk"))
        .await
        .unwrap();
    s.set_channels(karen, &[Channel::Sms, Channel::Email])
        .await
        .unwrap();
    let found = s.channels_of(&[karen, ole, 999_999]).await.unwrap();
    assert_eq!(found.len(), 2, "an unknown id is left out");
    assert_eq!(found[&karen], vec![Channel::Sms, Channel::Email]);
    assert_eq!(found[&ole], s.volunteer_channels(ole).await.unwrap());
    assert!(s.channels_of(&[]).await.unwrap().is_empty());
}
