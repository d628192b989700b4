//! Sign-up links: made by a team's leader, public to open, one tap to take a
//! seat for a signed-in volunteer; eligibility on the shift's date; revoked
//! links stop; and the last seats go to exactly as many people as there are.

use crate::helpers::client;
use crate::reminders::{election, Election2};
use crate::setup::make_task;
use crate::storage::volunteer;
use app::domain::accounts::{Role, ScopeKind};
use app::domain::notifications::MessageKind;
use app::domain::seats::{SeatDetails, SeatStatus};
use app::domain::AppError;
use app::signup::{JoinData, TeamLinks};
use chrono::{Datelike, Duration};
use reqwest::StatusCode;

/// The election fixture with `seats` open seats in its one cell, and the
/// team's leader signed in.
pub(crate) async fn with_seats(seats: usize) -> (Election2, SeatDetails, reqwest::Client) {
    let e = election().await;
    let cell = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    let team_id = {
        let teams: Vec<app::domain::teams::Team> = e.app.ok("teams/list", &[]).await;
        teams[0].id
    };
    e.app
        .ok::<()>(
            "seats/save",
            &[
                ("form[election_id]", &cell.election_id.to_string()),
                ("form[station_id]", &cell.station_id.to_string()),
                ("form[day]", &cell.day.to_string()),
                (
                    &format!("form[counts][c{team_id}-{}]", cell.task_type_id),
                    &seats.to_string(),
                ),
            ],
        )
        .await;
    let leader = e
        .app
        .browser_for(
            "leder@example.dk",
            Role::TeamLeader,
            &[(ScopeKind::Team, team_id)],
        )
        .await;
    (e, cell, leader)
}

pub(crate) async fn make_link(
    e: &Election2,
    leader: &reqwest::Client,
    cell: &SeatDetails,
) -> String {
    let team = e.app.storage.volunteer_teams(e.karen).await.unwrap();
    assert!(team.is_empty(), "Karen is on no team yet");
    let teams: Vec<app::domain::teams::Team> = e.app.ok("teams/list", &[]).await;
    let team_id = teams[0].id.to_string();
    let url: String = e
        .app
        .ok_with(
            leader,
            "signup/create",
            &[
                ("election_id", &cell.election_id.to_string()),
                ("team_id", &team_id),
                ("station_id", ""),
                ("task_type_id", ""),
                ("day", ""),
            ],
        )
        .await;
    let links: TeamLinks = e
        .app
        .ok_with(leader, "signup/list", &[("team_id", &team_id)])
        .await;
    assert_eq!(links.links.len(), 1);
    assert_eq!(links.links[0].created_by, "team_leader");
    token_of(&url)
}

/// The token at the end of a link's address, as `signup/create` answers it.
pub(crate) fn token_of(url: &str) -> String {
    let (_, token) = url.rsplit_once("/join/").expect("a link's address");
    token.to_string()
}

pub(crate) fn take_form(token: &str, cell: &SeatDetails) -> Vec<(String, String)> {
    vec![
        ("token".into(), token.to_string()),
        ("station_id".into(), cell.station_id.to_string()),
        ("day".into(), cell.day.to_string()),
        ("task_type_id".into(), cell.task_type_id.to_string()),
    ]
}

#[tokio::test]
async fn a_team_link_shows_open_shifts_to_anyone_and_a_volunteer_takes_one_in_a_tap() {
    let (e, cell, leader) = with_seats(2).await;
    // A trusted task type never shows on a link.
    make_task(&e.app, "Valgstyrer", "VSTY", "07:00", "22:00").await;
    let token = make_link(&e, &leader, &cell).await;

    let anonymous: JoinData = {
        let response = client()
            .post(format!("{}/api/signup/open", e.app.base))
            .form(&[("token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    };
    assert_eq!(anonymous.cells.len(), 1);
    assert_eq!(anonymous.cells[0].free, 2);
    assert_eq!(anonymous.cells[0].station, "Nordskolen");
    assert!(!anonymous.can_take && !anonymous.signed_in);

    let form = take_form(&token, &cell);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    e.app
        .ok_with::<()>(&e.karen_phone, "signup/take", &pairs)
        .await;
    let mine = e.app.storage.volunteer_seats(e.karen).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].status, SeatStatus::Accepted);
    assert_eq!(
        e.app.storage.volunteer_teams(e.karen).await.unwrap().len(),
        1,
        "joined the team"
    );
    assert_eq!(
        e.kinds(e.karen).await,
        vec![MessageKind::RegistrationConfirmation]
    );
    // The same person twice would overlap with themself.
    let (_, error) = e.app.err_with(&e.karen_phone, "signup/take", &pairs).await;
    assert_eq!(error, AppError::refused("seats.overlap"));

    // Revoked: the page and taking both stop.
    let links: TeamLinks = e
        .app
        .ok_with(&leader, "signup/list", &[("team_id", "1")])
        .await;
    e.app
        .ok_with::<()>(
            &leader,
            "signup/revoke",
            &[("id", &links.links[0].id.to_string())],
        )
        .await;
    let (status, error) = e.app.err("signup/open", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("signup.link_gone"));
}

/// Every link's (hashed, plain) token as the database holds it.
async fn stored_tokens(e: &crate::reminders::Election2) -> Vec<(Option<String>, Option<String>)> {
    sql!(e.app, |db| sqlx::query_as(
        "SELECT token_hash, plain_token FROM signup_links"
    )
    .fetch_all(db)
    .await
    .unwrap())
}

#[tokio::test]
async fn a_link_is_kept_only_as_a_hash_and_ends_on_its_own_date() {
    let (e, cell, leader) = with_seats(1).await;
    let token = make_link(&e, &leader, &cell).await;
    // The database holds the token's SHA-256, never the token.
    let stored = stored_tokens(&e).await;
    assert_eq!(
        stored,
        vec![(Some(valgvagt_server::secrets::hash(&token)), None)]
    );
    let list: TeamLinks = e
        .app
        .ok_with(&leader, "signup/list", &[("team_id", "1")])
        .await;
    assert!(!serde_json::to_string(&list).unwrap().contains(&token));

    // A last day before today is refused, and nothing is made.
    let today = app::i18n::copenhagen_date(valgvagt_server::secrets::unix_now());
    let form = |until: String| {
        vec![
            ("election_id", cell.election_id.to_string()),
            ("team_id", "1".to_string()),
            ("station_id", String::new()),
            ("task_type_id", String::new()),
            ("day", String::new()),
            ("until", until),
        ]
    };
    let yesterday = form((today - Duration::days(1)).to_string());
    let yesterday: Vec<(&str, &str)> = yesterday.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, error) = e.app.err_with(&leader, "signup/create", &yesterday).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error, AppError::invalid("until", "signup.until_past"));
    assert_eq!(e.app.storage.list_links(None).await.unwrap().len(), 1);

    // Until today: it works through today, and ends at midnight.
    let until = form(today.to_string());
    let until: Vec<(&str, &str)> = until.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let url: String = e.app.ok_with(&leader, "signup/create", &until).await;
    let dated = token_of(&url);
    let open: JoinData = e.app.ok("signup/open", &[("token", &dated)]).await;
    assert_eq!(open.cells.len(), 1);
    let link = &e.app.storage.list_links(None).await.unwrap()[0];
    let midnight = app::i18n::copenhagen_to_unix(today + Duration::days(1), chrono::NaiveTime::MIN);
    assert_eq!(link.expires_at, Some(midnight));
    // Its last day passes (the row's end moved back, as a clock would).
    sql!(e.app, |db| sqlx::query(
        "UPDATE signup_links SET expires_at = $1 WHERE id = $2"
    )
    .bind(valgvagt_server::secrets::unix_now() - 1)
    .bind(link.id)
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    let (status, error) = e.app.err("signup/open", &[("token", &dated)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("signup.link_gone"));
    let take = take_form(&dated, &cell);
    let take: Vec<(&str, &str)> = take.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (_, error) = e.app.err_with(&e.karen_phone, "signup/take", &take).await;
    assert_eq!(error, AppError::refused("signup.link_gone"));
    // The undated link is untouched.
    let open: JoinData = e.app.ok("signup/open", &[("token", &token)]).await;
    assert_eq!(open.cells.len(), 1);
}

#[tokio::test]
async fn links_made_before_tokens_were_hashed_keep_working() {
    let (e, cell, _leader) = with_seats(1).await;
    // A row as migration 0020 leaves an older link: its token in plain text.
    sql!(e.app, |db| sqlx::query(
        "INSERT INTO signup_links (plain_token, election_id, team_id, filters, created_at)
             VALUES ('an-old-link-from-before', $1, $2, '{}', 0)",
    )
    .bind(cell.election_id)
    .bind(cell.team_id)
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    // Opening the database (as every start does) hashes it.
    valgvagt_server::storage::open(&e.app.config.database, Default::default())
        .await
        .unwrap();
    let stored = stored_tokens(&e).await;
    assert_eq!(
        stored,
        vec![(
            Some(valgvagt_server::secrets::hash("an-old-link-from-before")),
            None
        )]
    );
    let open: JoinData = e
        .app
        .ok("signup/open", &[("token", "an-old-link-from-before")])
        .await;
    assert_eq!(open.cells.len(), 1);
}

#[tokio::test]
async fn eligibility_is_judged_on_the_shift_date() {
    let (e, cell, leader) = with_seats(1).await;
    let token = make_link(&e, &leader, &cell).await;
    // Turns 18 the day after the shift.
    let birthday = cell.day + Duration::days(1);
    let mut young = volunteer("ung@example.dk");
    young.birth_date = birthday.with_year(birthday.year() - 18).unwrap();
    let id = e.app.storage.create_volunteer(&young).await.unwrap();
    let user = e
        .app
        .storage
        .ensure_user_with_role("ung@example.dk", "Ung", Role::Volunteer)
        .await
        .unwrap();
    e.app.storage.link_volunteer(user, id).await.unwrap();
    let phone = e
        .app
        .browser_for("ung@example.dk", Role::Volunteer, &[])
        .await;
    let form = take_form(&token, &cell);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, error) = e.app.err_with(&phone, "signup/take", &pairs).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(error, AppError::refused("eligibility.under_age"));
    assert!(e.app.storage.volunteer_seats(id).await.unwrap().is_empty());
}

#[tokio::test]
async fn only_coordinators_and_the_team_s_leaders_make_and_close_links() {
    let (e, cell, leader) = with_seats(1).await;
    let token = make_link(&e, &leader, &cell).await;
    let links: TeamLinks = e
        .app
        .ok_with(&leader, "signup/list", &[("team_id", "1")])
        .await;
    let id = links.links[0].id.to_string();
    let create = [
        ("election_id", cell.election_id.to_string()),
        ("team_id", "1".to_string()),
        ("station_id", String::new()),
        ("task_type_id", String::new()),
        ("day", String::new()),
    ];
    let create: Vec<(&str, &str)> = create.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let other_team = e
        .app
        .storage
        .create_team(&app::domain::teams::NewTeam {
            name: "Andet parti".into(),
            short_name: "X".into(),
            description: String::new(),
        })
        .await
        .unwrap();
    let stranger = e
        .app
        .browser_for(
            "anden@example.dk",
            Role::TeamLeader,
            &[(ScopeKind::Team, other_team)],
        )
        .await;
    for browser in [&e.karen_phone, &stranger] {
        let (status, _) = e.app.err_with(browser, "signup/create", &create).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = e
            .app
            .err_with(browser, "signup/revoke", &[("id", &id)])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // The link still works.
    let open: JoinData = e.app.ok("signup/open", &[("token", &token)]).await;
    assert_eq!(open.cells.len(), 1);
}

// Several worker threads, so the server really handles the taps at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_people_tapping_at_once_fill_five_seats_exactly() {
    let (e, cell, leader) = with_seats(5).await;
    let token = make_link(&e, &leader, &cell).await;
    let people = crate::standby::people(&e, "p", 200).await;
    let phones: Vec<&reqwest::Client> = people.iter().map(|p| &p.phone).collect();
    let form = take_form(&token, &cell);
    let url = format!("{}/api/signup/take", e.app.base);
    let taps = phones.iter().map(|phone| {
        let request = phone.post(&url).form(&form);
        async move { request.send().await.unwrap() }
    });
    let answers = futures::future::join_all(taps).await;
    let mut taken = 0;
    let mut gone = 0;
    for answer in answers {
        if answer.status().is_success() {
            taken += 1;
        } else {
            assert_eq!(answer.status(), StatusCode::CONFLICT);
            let error: AppError = answer.json().await.unwrap();
            assert_eq!(error, AppError::refused("signup.gone"));
            gone += 1;
        }
    }
    assert_eq!((taken, gone), (5, 195));
    let holders: Vec<(i64,)> = sql!(e.app, |db| sqlx::query_as(
        "SELECT volunteer_id FROM seats WHERE election_id = $1 AND status = 'accepted'",
    )
    .bind(cell.election_id)
    .fetch_all(db)
    .await
    .unwrap());
    let mut people: Vec<i64> = holders.into_iter().map(|(v,)| v).collect();
    people.sort();
    people.dedup();
    assert_eq!(people.len(), 5, "five different people on five seats");
    let open: JoinData = e.app.ok("signup/open", &[("token", &token)]).await;
    assert_eq!(
        open.cells[0].free, 0,
        "full, with only the standby queue left"
    );
}

#[tokio::test]
async fn a_shift_link_narrowed_to_an_area_offers_only_its_stations() {
    let (e, cell, leader) = with_seats(1).await;
    let other_area = crate::setup::make_area(&e.app, "Syd").await.id.to_string();
    let teams: Vec<app::domain::teams::Team> = e.app.ok("teams/list", &[]).await;
    let team_id = teams[0].id.to_string();
    let election_id = cell.election_id.to_string();
    let mut tokens = Vec::new();
    for area in [cell.area_id.to_string(), other_area.clone()] {
        let url: String = e
            .app
            .ok_with(
                &leader,
                "signup/create",
                &[
                    ("election_id", &election_id),
                    ("team_id", &team_id),
                    ("area_id", &area),
                    ("station_id", ""),
                    ("task_type_id", ""),
                    ("day", ""),
                ],
            )
            .await;
        tokens.push(token_of(&url));
    }
    let links: TeamLinks = e
        .app
        .ok_with(&leader, "signup/list", &[("team_id", &team_id)])
        .await;
    // Newest first: the other area's link, then Nord's.
    assert_eq!(
        links.links[0].filters.areas,
        vec![other_area.parse::<i64>().unwrap()]
    );
    let (here, elsewhere) = (&tokens[0], &tokens[1]);
    let open: JoinData = e.app.ok("signup/open", &[("token", here)]).await;
    assert_eq!(open.cells.len(), 1);
    assert!(!open.team_link);
    let open: JoinData = e.app.ok("signup/open", &[("token", elsewhere)]).await;
    assert!(open.cells.is_empty());
    // A seat outside the link's area cannot be taken through it.
    let form = take_form(elsewhere, &cell);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _) = e.app.err_with(&e.karen_phone, "signup/take", &pairs).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Karen's *Ledige vagter*.
async fn mine(e: &Election2) -> Vec<app::open_shifts::OpenShift> {
    e.app
        .ok_with(&e.karen_phone, "signup/open_for_me", &[])
        .await
}

#[tokio::test]
async fn open_shifts_list_what_a_volunteers_teams_offer_them_and_take_in_a_tap() {
    let (e, cell, leader) = with_seats(2).await;
    let token = make_link(&e, &leader, &cell).await;
    assert!(mine(&e).await.is_empty(), "Karen is on no team yet");
    e.app
        .storage
        .add_team_member(cell.team_id, e.karen, false)
        .await
        .unwrap();
    let open = mine(&e).await;
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].cell.free, open[0].link_id),
        (
            2,
            e.app
                .storage
                .list_links(Some(&[cell.team_id]))
                .await
                .unwrap()[0]
                .id
        )
    );
    // The page offers the link by id: only the hash of its token is kept.
    assert!(!serde_json::to_string(&open).unwrap().contains(&token));
    // Someone the election does not allow sees nothing to take.
    sql!(e.app, |db| sqlx::query(
        "UPDATE volunteers SET citizenship = 'other' WHERE id = $1"
    )
    .bind(e.karen)
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    assert!(mine(&e).await.is_empty(), "only shifts she is eligible for");
    sql!(e.app, |db| sqlx::query(
        "UPDATE volunteers SET citizenship = 'danish' WHERE id = $1"
    )
    .bind(e.karen)
    .execute(db)
    .await
    .unwrap()
    .rows_affected());
    let mut form = take_form(&token, &cell);
    form[0] = ("link_id".into(), open[0].link_id.to_string());
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    // Someone off the team cannot take through the link by its id.
    let stranger = crate::standby::people(&e, "fremmed", 1).await;
    let (status, _) = e
        .app
        .err_with(&stranger[0].phone, "signup/take_open", &pairs)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    e.app
        .ok_with::<()>(&e.karen_phone, "signup/take_open", &pairs)
        .await;
    let seats = e.app.storage.volunteer_seats(e.karen).await.unwrap();
    assert_eq!(seats.len(), 1);
    assert_eq!(seats[0].status, SeatStatus::Accepted);
    assert_eq!(mine(&e).await[0].cell.free, 1);
    // The office has no volunteer record to list open shifts for.
    let (status, _) = e.app.err("signup/open_for_me", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
