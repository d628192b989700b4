use crate::helpers::{invalid, spawn_app};
use crate::setup::{make_area, make_election, make_station, make_task, make_team};
use crate::storage::volunteer;
use app::domain::elections::Election;
use app::domain::seats::{SeatCounts, SeatStatus};
use app::domain::AppError;
use app::seats::{ElectionSeats, SeatPlan};
use app::server::storage::{SeatStore, VolunteerStore};
use chrono::NaiveDate;
use reqwest::StatusCode;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn seat_counts_are_set_read_and_guarded() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let area = make_area(&app, "Nord").await;
    let station = make_station(&app, &area, "Rådhuset").await;
    let task = make_task(&app, "Tilforordnet", "TILF", "07:00", "22:00").await;
    let team = make_team(&app, "Venstre", "V").await;
    let election = make_election(
        &app,
        "Valg",
        "2027-06-01",
        "2027-05-30",
        "2027-06-02",
        &[&station],
    )
    .await;
    let (e, s) = (election.id.to_string(), station.id.to_string());
    let cell = format!("form[counts][c{}-{}]", team.id, task.id);

    app.ok::<()>(
        "seats/save",
        &[
            ("form[election_id]", &e),
            ("form[station_id]", &s),
            ("form[day]", "2027-06-01"),
            (&cell, "4"),
        ],
    )
    .await;
    let plan: SeatPlan = app
        .ok(
            "seats/plan",
            &[
                ("election_id", &e),
                ("station_id", &s),
                ("day", "2027-06-01"),
            ],
        )
        .await;
    assert_eq!(plan.cells.len(), 1);
    assert_eq!(
        plan.cells[0].counts,
        SeatCounts {
            open: 4,
            invited: 0,
            accepted: 0
        }
    );
    let summary: ElectionSeats = app.ok("seats/election", &[("election_id", &e)]).await;
    assert_eq!(summary.stations[0].counts.total(), 4);

    // Two people accept; the count cannot go below two.
    let seats = app
        .storage
        .open_seats(election.id, station.id, day("2027-06-01"), team.id, task.id)
        .await
        .unwrap();
    for (n, seat) in seats.iter().take(2).enumerate() {
        let v = app
            .storage
            .create_volunteer(&volunteer(&format!("p{n}@example.dk")))
            .await
            .unwrap();
        app.storage
            .fill_seat(*seat, v, SeatStatus::Accepted, None, 1)
            .await
            .unwrap();
    }
    let (status, error) = app
        .err(
            "seats/save",
            &[
                ("form[election_id]", &e),
                ("form[station_id]", &s),
                ("form[day]", "2027-06-01"),
                (&cell, "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused_with("seats.below_accepted", 2));
    // Negative counts and days outside the election are refused too.
    let (_, error) = app
        .err(
            "seats/save",
            &[
                ("form[election_id]", &e),
                ("form[station_id]", &s),
                ("form[day]", "2027-06-01"),
                (&cell, "-3"),
            ],
        )
        .await;
    assert_eq!(error, invalid("counts", "error.too_small"));
    let (_, error) = app
        .err(
            "seats/save",
            &[
                ("form[election_id]", &e),
                ("form[station_id]", &s),
                ("form[day]", "2027-07-01"),
                (&cell, "3"),
            ],
        )
        .await;
    assert_eq!(error, invalid("day", "error.day_outside_election"));
    // An unknown team is refused and nothing changes.
    let (_, error) = app
        .err(
            "seats/save",
            &[
                ("form[election_id]", &e),
                ("form[station_id]", &s),
                ("form[day]", "2027-06-01"),
                (&cell, "2"),
                (&format!("form[counts][c9999-{}]", task.id), "1"),
            ],
        )
        .await;
    assert_eq!(error, invalid("form", "error.unknown_choice"));
    let plan: SeatPlan = app
        .ok(
            "seats/plan",
            &[
                ("election_id", &e),
                ("station_id", &s),
                ("day", "2027-06-01"),
            ],
        )
        .await;
    assert_eq!(
        plan.cells[0].counts,
        SeatCounts {
            open: 2,
            invited: 0,
            accepted: 2
        }
    );

    // Lowering to exactly the accepted seats removes the open ones.
    app.ok::<()>(
        "seats/save",
        &[
            ("form[election_id]", &e),
            ("form[station_id]", &s),
            ("form[day]", "2027-06-01"),
            (&cell, "2"),
        ],
    )
    .await;
    let plan: SeatPlan = app
        .ok(
            "seats/plan",
            &[
                ("election_id", &e),
                ("station_id", &s),
                ("day", "2027-06-01"),
            ],
        )
        .await;
    assert_eq!(
        plan.cells[0].counts,
        SeatCounts {
            open: 0,
            invited: 0,
            accepted: 2
        }
    );

    // The station cannot leave the election while people sit there.
    let type_id = election.election_type_id.to_string();
    let (_, error) = app
        .err(
            "elections/save",
            &[
                ("id", &e),
                ("form[title]", "Valg"),
                ("form[election_type_id]", &type_id),
                ("form[election_day]", "2027-06-01"),
                ("form[first_day]", "2027-05-30"),
                ("form[last_day]", "2027-06-02"),
                ("form[lock_days]", "7"),
            ],
        )
        .await;
    assert_eq!(error, AppError::refused("elections.seats_would_be_lost"));
}

#[tokio::test]
async fn copying_an_election_moves_its_seat_plan_without_people() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let area = make_area(&app, "Syd").await;
    let station = make_station(&app, &area, "Skolen").await;
    let task = make_task(&app, "Tilforordnet", "TILF", "07:00", "22:00").await;
    let team = make_team(&app, "Frivillige", "FRI").await;
    let election = make_election(
        &app,
        "Kommunalvalg 2025",
        "2025-11-18",
        "2025-11-01",
        "2025-11-19",
        &[&station],
    )
    .await;
    let (e, s) = (election.id.to_string(), station.id.to_string());
    let cell = format!("form[counts][c{}-{}]", team.id, task.id);
    app.ok::<()>(
        "seats/save",
        &[
            ("form[election_id]", &e),
            ("form[station_id]", &s),
            ("form[day]", "2025-11-18"),
            (&cell, "3"),
        ],
    )
    .await;
    let seats = app
        .storage
        .open_seats(election.id, station.id, day("2025-11-18"), team.id, task.id)
        .await
        .unwrap();
    let v = app
        .storage
        .create_volunteer(&volunteer("copy@example.dk"))
        .await
        .unwrap();
    app.storage
        .fill_seat(seats[0], v, SeatStatus::Accepted, None, 1)
        .await
        .unwrap();

    app.ok::<()>(
        "elections/copy",
        &[
            ("form[source_id]", &e),
            ("form[title]", "Kommunalvalg 2029"),
            ("form[election_day]", "2029-11-20"),
        ],
    )
    .await;
    let elections: Vec<Election> = app.ok("elections/list", &[]).await;
    let copy = elections
        .iter()
        .find(|x| x.title == "Kommunalvalg 2029")
        .expect("copy");
    assert!(!copy.active);
    assert_eq!(copy.first_day, day("2029-11-03"));
    assert_eq!(copy.last_day, day("2029-11-21"));
    assert_eq!(copy.station_ids, vec![station.id]);
    let c = copy.id.to_string();
    let plan: SeatPlan = app
        .ok(
            "seats/plan",
            &[
                ("election_id", &c),
                ("station_id", &s),
                ("day", "2029-11-20"),
            ],
        )
        .await;
    assert_eq!(
        plan.cells[0].counts,
        SeatCounts {
            open: 3,
            invited: 0,
            accepted: 0
        }
    );

    // A copy on the same day under the same title is refused.
    let (_, error) = app
        .err(
            "elections/copy",
            &[
                ("form[source_id]", &e),
                ("form[title]", "Kommunalvalg 2029"),
                ("form[election_day]", "2029-11-20"),
            ],
        )
        .await;
    assert_eq!(error, invalid("title", "error.taken"));
}
