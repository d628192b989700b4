use crate::helpers::{invalid, spawn_app, TestApp};
use app::domain::elections::{Election, ElectionType};
use app::domain::stations::{Area, Station};
use app::domain::tasks::TaskType;
use app::domain::teams::Team;
use app::domain::volunteers::Diet;
use app::domain::AppError;
use reqwest::StatusCode;

/// The fields of the station form that most tests leave alone.
pub struct StationFields<'a> {
    pub district: &'a str,
    pub latitude: &'a str,
    pub longitude: &'a str,
    pub notes: &'a str,
}

impl Default for StationFields<'_> {
    fn default() -> Self {
        StationFields {
            district: "1",
            latitude: "",
            longitude: "",
            notes: "",
        }
    }
}

impl<'a> StationFields<'a> {
    pub fn form(
        &self,
        id: &'a str,
        area_id: &'a str,
        name: &'a str,
        postal_code: &'a str,
    ) -> Vec<(&'static str, &'a str)> {
        vec![
            ("id", id),
            ("form[area_id]", area_id),
            ("form[name]", name),
            ("form[address]", "Torvet 1"),
            ("form[postal_code]", postal_code),
            ("form[city]", "Korsbæk"),
            ("form[district_number]", self.district),
            ("form[latitude]", self.latitude),
            ("form[longitude]", self.longitude),
            ("form[notes]", self.notes),
        ]
    }
}

pub async fn make_area(app: &TestApp, name: &str) -> Area {
    app.ok::<()>(
        "areas/save",
        &[("id", ""), ("form[name]", name), ("form[description]", "")],
    )
    .await;
    let areas: Vec<Area> = app.ok("areas/list", &[]).await;
    areas
        .into_iter()
        .find(|a| a.name == name)
        .expect("area created")
}

pub async fn make_station(app: &TestApp, area: &Area, name: &str) -> Station {
    let area_id = area.id.to_string();
    app.ok::<()>(
        "stations/save",
        &StationFields::default().form("", &area_id, name, "4200"),
    )
    .await;
    let stations: Vec<Station> = app.ok("stations/list", &[]).await;
    stations
        .into_iter()
        .find(|s| s.name == name)
        .expect("station created")
}

pub async fn make_task(
    app: &TestApp,
    title: &str,
    short: &str,
    start: &str,
    end: &str,
) -> TaskType {
    app.ok::<()>(
        "task_types/save",
        &[
            ("id", ""),
            ("form[title]", title),
            ("form[short_name]", short),
            ("form[description]", "Hjælper vælgerne."),
            ("form[start_time]", start),
            ("form[end_time]", end),
            ("form[payment_dkk]", "800"),
            ("form[reminders]", "on"),
        ],
    )
    .await;
    let tasks: Vec<TaskType> = app.ok("task_types/list", &[]).await;
    tasks
        .into_iter()
        .find(|t| t.title == title)
        .expect("task created")
}

pub async fn make_team(app: &TestApp, name: &str, short: &str) -> Team {
    app.ok::<()>(
        "teams/save",
        &[
            ("id", ""),
            ("form[name]", name),
            ("form[short_name]", short),
            ("form[description]", ""),
        ],
    )
    .await;
    let teams: Vec<Team> = app.ok("teams/list", &[]).await;
    teams
        .into_iter()
        .find(|t| t.name == name)
        .expect("team created")
}

pub async fn folketingsvalg(app: &TestApp) -> ElectionType {
    let types: Vec<ElectionType> = app.ok("election_types/list", &[]).await;
    types
        .into_iter()
        .find(|t| t.title.starts_with("Folketingsvalg"))
        .expect("seeded type")
}

pub async fn make_election(
    app: &TestApp,
    title: &str,
    day: &str,
    first: &str,
    last: &str,
    stations: &[&Station],
) -> Election {
    let type_id = folketingsvalg(app).await.id.to_string();
    let ids: Vec<String> = stations.iter().map(|s| s.id.to_string()).collect();
    let mut form = vec![
        ("id", ""),
        ("form[title]", title),
        ("form[election_type_id]", type_id.as_str()),
        ("form[election_day]", day),
        ("form[first_day]", first),
        ("form[last_day]", last),
        ("form[lock_days]", "7"),
        ("form[active]", "on"),
        ("form[morning_reminder]", "on"),
    ];
    for id in &ids {
        form.push(("form[stations][]", id.as_str()));
    }
    app.ok::<()>("elections/save", &form).await;
    let elections: Vec<Election> = app.ok("elections/list", &[]).await;
    elections
        .into_iter()
        .find(|e| e.title == title)
        .expect("election created")
}

/// An active general election 20 days ahead at one station, with `seats`
/// open seats of one task for one team.
pub struct OpenElection {
    pub election: Election,
    pub day: chrono::NaiveDate,
    pub seats: Vec<app::domain::Id>,
}

pub async fn open_election(app: &TestApp, title: &str, seats: usize) -> OpenElection {
    let area = make_area(app, "Nord").await;
    let station = make_station(app, &area, "Nordskolen").await;
    let task = make_task(app, "Tilforordnet", "TILF", "07:00", "20:00").await;
    let team = make_team(app, "Frivillige", "FRI").await;
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(20);
    let d = day.to_string();
    let election = make_election(app, title, &d, &d, &d, &[&station]).await;
    app.ok::<()>(
        "seats/save",
        &[
            ("form[election_id]", &election.id.to_string()),
            ("form[station_id]", &station.id.to_string()),
            ("form[day]", &d),
            (
                &format!("form[counts][c{}-{}]", team.id, task.id),
                &seats.to_string(),
            ),
        ],
    )
    .await;
    let seats = app
        .storage
        .open_seats(election.id, station.id, day, team.id, task.id)
        .await
        .unwrap();
    OpenElection {
        election,
        day,
        seats,
    }
}

#[tokio::test]
async fn the_danish_election_types_are_seeded() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let types: Vec<ElectionType> = app.ok("election_types/list", &[]).await;
    let titles: Vec<&str> = types.iter().map(|t| t.title.as_str()).collect();
    assert!(titles.contains(&"Folketingsvalg og folkeafstemning"));
    assert!(titles.contains(&"Kommunal- og regionsrådsvalg"));
    assert!(titles.contains(&"Europa-Parlamentsvalg"));
}

#[tokio::test]
async fn a_whole_set_up_can_be_created_listed_edited_and_deleted() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let area = make_area(&app, "Nord").await;
    let station = make_station(&app, &area, "Rådhuset").await;
    assert_eq!(station.area_name, "Nord");
    let task = make_task(&app, "Fintæller", "FINT", "20:00", "02:00").await;
    assert!(task.end_time < task.start_time, "crosses midnight");
    make_team(&app, "Frivillige", "FRI").await;
    let election = make_election(
        &app,
        "Folketingsvalg 2027",
        "2027-06-01",
        "2027-05-10",
        "2027-06-02",
        &[&station],
    )
    .await;
    assert_eq!(election.station_ids, vec![station.id]);
    assert!(election.active);

    // Edit the station.
    let id = station.id.to_string();
    let area_id = area.id.to_string();
    app.ok::<()>(
        "stations/save",
        &StationFields {
            district: "2",
            latitude: "55,4",
            longitude: "11.35",
            notes: "Indgang fra gården",
        }
        .form(&id, &area_id, "Rådhuset, sal A", "4200"),
    )
    .await;
    let stations: Vec<Station> = app.ok("stations/list", &[]).await;
    assert_eq!(stations[0].name, "Rådhuset, sal A");
    assert_eq!(stations[0].latitude, Some(55.4));

    // Guards: an area with stations, a station in an active election.
    let (status, error) = app.err("areas/delete", &[("id", &area_id)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("areas.has_stations"));
    let (_, error) = app.err("stations/delete", &[("id", &id)]).await;
    assert_eq!(error, AppError::refused("stations.in_use"));
    let election_id = election.id.to_string();
    let (_, error) = app.err("elections/delete", &[("id", &election_id)]).await;
    assert_eq!(error, AppError::refused("elections.delete_active"));
    let type_id = election.election_type_id.to_string();
    let (_, error) = app.err("election_types/delete", &[("id", &type_id)]).await;
    assert_eq!(error, AppError::refused("election_types.in_use"));

    // Deactivate, then everything can go, in order.
    app.ok::<()>(
        "elections/activate",
        &[("id", &election_id), ("active", "false")],
    )
    .await;
    app.ok::<()>("elections/delete", &[("id", &election_id)])
        .await;
    app.ok::<()>("stations/delete", &[("id", &id)]).await;
    app.ok::<()>("areas/delete", &[("id", &area_id)]).await;
    let areas: Vec<Area> = app.ok("areas/list", &[]).await;
    assert!(areas.is_empty());
}

#[tokio::test]
async fn bad_input_gets_a_clear_error_and_changes_nothing() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let area = make_area(&app, "Nord").await;

    // Empty names.
    let (status, error) = app
        .err(
            "areas/save",
            &[("id", ""), ("form[name]", "   "), ("form[description]", "")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error, invalid("name", "error.required"));
    // A name already in use, case-insensitively.
    let (_, error) = app
        .err(
            "areas/save",
            &[
                ("id", ""),
                ("form[name]", "nord"),
                ("form[description]", ""),
            ],
        )
        .await;
    assert_eq!(error, invalid("name", "error.taken"));
    // Unknown ids.
    let (status, _) = app
        .err(
            "areas/save",
            &[
                ("id", "9999"),
                ("form[name]", "Syd"),
                ("form[description]", ""),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.err("areas/delete", &[("id", "9999")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, error) = app
        .err(
            "stations/save",
            &StationFields::default().form("", "9999", "Skolen", "4200"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error, invalid("form", "error.unknown_choice"));
    // A bad postal code.
    let area_id = area.id.to_string();
    let (_, error) = app
        .err(
            "stations/save",
            &StationFields::default().form("", &area_id, "Skolen", "42"),
        )
        .await;
    assert_eq!(error, invalid("postal_code", "error.postal_code"));
    // End before start for a task of zero length; negative payment.
    let base = [
        ("id", ""),
        ("form[title]", "Tilforordnet"),
        ("form[short_name]", "TILF"),
        ("form[description]", ""),
        ("form[start_time]", "08:00"),
        ("form[end_time]", "08:00"),
        ("form[payment_dkk]", "800"),
    ];
    let (_, error) = app.err("task_types/save", &base).await;
    assert_eq!(error, invalid("end_time", "error.end_equals_start"));
    let mut negative = base;
    negative[5] = ("form[end_time]", "16:00");
    negative[6] = ("form[payment_dkk]", "-100");
    let (_, error) = app.err("task_types/save", &negative).await;
    assert_eq!(error, invalid("payment_dkk", "error.too_small"));
    // An election that ends before it starts.
    let type_id = folketingsvalg(&app).await.id.to_string();
    let (_, error) = app
        .err(
            "elections/save",
            &[
                ("id", ""),
                ("form[title]", "Valg"),
                ("form[election_type_id]", &type_id),
                ("form[election_day]", "2027-06-01"),
                ("form[first_day]", "2027-06-01"),
                ("form[last_day]", "2027-05-01"),
                ("form[lock_days]", "7"),
            ],
        )
        .await;
    assert_eq!(error, invalid("last_day", "error.end_before_start"));
    // Garbage where a number belongs.
    let (status, error) = app.err("elections/delete", &[("id", "abc")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error, invalid("form", "error.bad_request"));

    // None of it was stored.
    let areas: Vec<Area> = app.ok("areas/list", &[]).await;
    assert_eq!(areas.len(), 1);
    let stations: Vec<Station> = app.ok("stations/list", &[]).await;
    assert!(stations.is_empty());
    let tasks: Vec<TaskType> = app.ok("task_types/list", &[]).await;
    assert!(tasks.is_empty());
    let elections: Vec<Election> = app.ok("elections/list", &[]).await;
    assert!(elections.is_empty());
}

#[tokio::test]
async fn special_diets_and_teams_are_kept() {
    let app = spawn_app().await;
    app.sign_in_admin().await;
    app.ok::<()>("diets/save", &[("id", ""), ("form[name]", "Vegetarisk")])
        .await;
    let diets: Vec<Diet> = app.ok("diets/list", &[]).await;
    assert_eq!(diets.len(), 1);
    let id = diets[0].id.to_string();
    app.ok::<()>("diets/save", &[("id", &id), ("form[name]", "Vegansk")])
        .await;
    let diets: Vec<Diet> = app.ok("diets/list", &[]).await;
    assert_eq!(diets[0].name, "Vegansk");
    app.ok::<()>("diets/delete", &[("id", &id)]).await;

    let team = make_team(&app, "Venstre", "V").await;
    let (_, error) = app
        .err(
            "teams/save",
            &[
                ("id", ""),
                ("form[name]", "Venstre 2"),
                ("form[short_name]", "v"),
                ("form[description]", ""),
            ],
        )
        .await;
    assert_eq!(error, invalid("short_name", "error.taken"));
    let (_, error) = app
        .err(
            "teams/save",
            &[
                ("id", ""),
                ("form[name]", "Lang"),
                ("form[short_name]", "ABCDEFGHIJKLM"),
                ("form[description]", ""),
            ],
        )
        .await;
    assert_eq!(error, invalid("short_name", "error.too_long"));
    let teams: Vec<Team> = app.ok("teams/list", &[]).await;
    assert_eq!(teams, vec![team]);
}
