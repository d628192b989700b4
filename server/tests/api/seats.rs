use crate::helpers::{invalid, spawn_app, TestApp};
use crate::setup::{make_area, make_election, make_station, make_task, make_team};
use crate::storage::volunteer;
use app::domain::elections::Election;
use app::domain::seats::{SeatCounts, SeatStatus};
use app::domain::{AppError, Id};
use app::seats::{ElectionSeats, SeatPlan};
use chrono::NaiveDate;
use reqwest::StatusCode;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// An election with one station, one task type and one team, signed in.
struct Planned {
    app: TestApp,
    election: Election,
    station_id: Id,
    task_id: Id,
    team_id: Id,
    e: String,
    s: String,
    cell: String,
}

async fn planned(
    area: &str,
    station: &str,
    team: (&str, &str),
    title: &str,
    days: [&str; 3],
) -> Planned {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let area = make_area(&app, area).await;
    let station = make_station(&app, &area, station).await;
    let task = make_task(&app, "Tilforordnet", "TILF", "07:00", "22:00").await;
    let team = make_team(&app, team.0, team.1).await;
    let [day, first, last] = days;
    let election = make_election(&app, title, day, first, last, &[&station]).await;
    Planned {
        e: election.id.to_string(),
        s: station.id.to_string(),
        cell: format!("form[counts][c{}-{}]", team.id, task.id),
        station_id: station.id,
        task_id: task.id,
        team_id: team.id,
        election,
        app,
    }
}

impl Planned {
    fn form<'a>(&'a self, day: &'a str, count: &'a str) -> [(&'a str, &'a str); 4] {
        [
            ("form[election_id]", &self.e),
            ("form[station_id]", &self.s),
            ("form[day]", day),
            (&self.cell, count),
        ]
    }

    async fn plan(&self, election: &str, day: &str) -> SeatPlan {
        self.app
            .ok(
                "seats/plan",
                &[
                    ("election_id", election),
                    ("station_id", &self.s),
                    ("day", day),
                ],
            )
            .await
    }

    /// Puts `n` new volunteers on open seats as accepted.
    async fn accept(&self, day_: &str, n: usize) {
        let seats = self
            .app
            .storage
            .open_seats(
                self.election.id,
                self.station_id,
                day(day_),
                self.team_id,
                self.task_id,
            )
            .await
            .unwrap();
        for (i, seat) in seats.iter().take(n).enumerate() {
            let v = self
                .app
                .storage
                .create_volunteer(&volunteer(&format!("p{i}.{day_}@example.dk")))
                .await
                .unwrap();
            self.app
                .storage
                .fill_seat(*seat, v, SeatStatus::Accepted, None, 1, None)
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn seat_counts_are_set_read_and_guarded() {
    let p = planned(
        "Nord",
        "Rådhuset",
        ("Venstre", "V"),
        "Valg",
        ["2027-06-01", "2027-05-30", "2027-06-02"],
    )
    .await;
    let app = &p.app;
    app.ok::<()>("seats/save", &p.form("2027-06-01", "4")).await;
    let plan = p.plan(&p.e, "2027-06-01").await;
    assert_eq!(plan.cells.len(), 1);
    assert_eq!(
        plan.cells[0].counts,
        SeatCounts {
            open: 4,
            invited: 0,
            accepted: 0
        }
    );
    assert_eq!(plan.seat_days, vec![day("2027-06-01")]);
    let summary: ElectionSeats = app.ok("seats/election", &[("election_id", &p.e)]).await;
    assert_eq!(summary.stations[0].counts.total(), 4);

    // Two people accept; the count cannot go below two.
    p.accept("2027-06-01", 2).await;
    let (status, error) = app.err("seats/save", &p.form("2027-06-01", "1")).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused_with("seats.below_accepted", 2));
    // Negative counts and days outside the election are refused too.
    let (_, error) = app.err("seats/save", &p.form("2027-06-01", "-3")).await;
    assert_eq!(error, invalid("counts", "error.too_small"));
    let (_, error) = app.err("seats/save", &p.form("2027-07-01", "3")).await;
    assert_eq!(error, invalid("day", "error.day_outside_election"));
    // An unknown team is refused and nothing changes, the good cell included.
    let unknown = format!("form[counts][c9999-{}]", p.task_id);
    let mut form = p.form("2027-06-01", "2").to_vec();
    form.push((&unknown, "1"));
    let (_, error) = app.err("seats/save", &form).await;
    assert_eq!(error, invalid("form", "error.unknown_choice"));
    let plan = p.plan(&p.e, "2027-06-01").await;
    assert_eq!(
        plan.cells[0].counts,
        SeatCounts {
            open: 2,
            invited: 0,
            accepted: 2
        }
    );

    // Lowering to exactly the accepted seats removes the open ones.
    app.ok::<()>("seats/save", &p.form("2027-06-01", "2")).await;
    let plan = p.plan(&p.e, "2027-06-01").await;
    assert_eq!(
        plan.cells[0].counts,
        SeatCounts {
            open: 0,
            invited: 0,
            accepted: 2
        }
    );

    // The station cannot leave the election while people sit there.
    let type_id = p.election.election_type_id.to_string();
    let (_, error) = app
        .err(
            "elections/save",
            &[
                ("id", p.e.as_str()),
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
    let p = planned(
        "Syd",
        "Skolen",
        ("Frivillige", "FRI"),
        "Kommunalvalg 2025",
        ["2025-11-18", "2025-11-01", "2025-11-19"],
    )
    .await;
    let app = &p.app;
    app.ok::<()>("seats/save", &p.form("2025-11-18", "3")).await;
    p.accept("2025-11-18", 1).await;

    let copy_form = [
        ("form[source_id]", p.e.as_str()),
        ("form[title]", "Kommunalvalg 2029"),
        ("form[election_day]", "2029-11-20"),
    ];
    app.ok::<()>("elections/copy", &copy_form).await;
    let elections: Vec<Election> = app.ok("elections/list", &[]).await;
    let copy = elections
        .iter()
        .find(|x| x.title == "Kommunalvalg 2029")
        .expect("copy");
    assert!(!copy.active);
    assert_eq!(copy.first_day, day("2029-11-03"));
    assert_eq!(copy.last_day, day("2029-11-21"));
    assert_eq!(copy.station_ids, vec![p.station_id]);
    let plan = p.plan(&copy.id.to_string(), "2029-11-20").await;
    assert_eq!(
        plan.cells[0].counts,
        SeatCounts {
            open: 3,
            invited: 0,
            accepted: 0
        }
    );

    // A copy on the same day under the same title is refused.
    let (_, error) = app.err("elections/copy", &copy_form).await;
    assert_eq!(error, invalid("title", "error.taken"));
}
