//! The gap board: seats per station and task type with totals and filters,
//! only for those who may see the plan; and its live feed, which tells an
//! open board of a change (how fast: `cargo bench -p server --bench pages`).

use crate::helpers::client;
use crate::reminders::election;
use app::board::BoardData;
use app::domain::accounts::Role;
use app::domain::seats::SeatCounts;
use reqwest::StatusCode;
use std::time::Duration;

fn filters<'a>(election: &'a str, team: &'a str, sort: &'a str) -> [(&'a str, &'a str); 6] {
    [
        ("election", election),
        ("day", ""),
        ("team", team),
        ("task_type", ""),
        ("area", ""),
        ("sort", sort),
    ]
}

#[tokio::test]
async fn the_board_counts_each_station_s_seats_and_filters_them() {
    let e = election().await;
    e.invite(e.seats[0], "karen@example.dk", "7").await;
    let board: BoardData = e.app.ok("board/get", &filters("", "", "missing")).await;
    assert_eq!(
        board.election_id,
        Some(e.election.id),
        "the active election"
    );
    assert_eq!(board.columns.len(), 1);
    assert_eq!(board.columns[0].1, "Tilforordnet");
    assert_eq!(board.areas.len(), 1);
    let row = &board.areas[0].stations[0];
    assert_eq!(row.station, "Nordskolen");
    let expected = SeatCounts {
        open: 1,
        invited: 1,
        accepted: 0,
    };
    assert_eq!(row.cells[0], expected);
    assert_eq!(board.areas[0].total, expected);
    assert_eq!(board.total, expected);
    assert_eq!(board.days, vec![e.day]);

    // Another team's view of the same election has nothing.
    let team = e
        .app
        .storage
        .create_team(&app::domain::teams::NewTeam {
            name: "Andet".into(),
            short_name: "AND".into(),
            description: String::new(),
        })
        .await
        .unwrap()
        .to_string();
    let election_id = e.election.id.to_string();
    let other: BoardData = e
        .app
        .ok("board/get", &filters(&election_id, &team, ""))
        .await;
    assert!(other.areas.is_empty());
    assert_eq!(other.total.total(), 0);

    // Volunteers and team leaders do not see the board; bad input is named.
    let (status, _) = e
        .app
        .err_with(&e.karen_phone, "board/get", &filters("", "", ""))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, error) = e.app.err("board/get", &filters("x", "", "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error,
        crate::helpers::invalid("election", "error.unknown_choice")
    );
}

/// How long a test waits for the board's stream before it calls it stuck.
/// Only a bound against hanging: how fast the board hears of a change is
/// measured by `cargo bench -p server --bench pages` (a change reaching
/// 200 open boards).
const STREAM_DEADLINE: Duration = Duration::from_secs(10);

/// Reads the event stream until `needle` shows up, or fails after `within`.
async fn wait_for(response: &mut reqwest::Response, needle: &str, within: Duration) -> String {
    let mut seen = String::new();
    let found = tokio::time::timeout(within, async {
        while let Some(chunk) = response.chunk().await.unwrap() {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains(needle) {
                return true;
            }
        }
        false
    })
    .await;
    assert!(matches!(found, Ok(true)), "no {needle:?} in {seen:?}");
    seen
}

#[tokio::test]
async fn an_open_board_hears_of_any_seat_change() {
    let e = election().await;
    let url = format!("{}/board/events?election={}", e.app.base, e.election.id);
    let status = client().get(&url).send().await.unwrap().status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let status = e.karen_phone.get(&url).send().await.unwrap().status();
    assert_eq!(status, StatusCode::FORBIDDEN);
    let viewer = e.app.browser_as(Role::ReadOnly).await;

    let mut board = viewer.get(&url).send().await.unwrap();
    assert_eq!(board.status(), StatusCode::OK);
    assert_eq!(
        board.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    // On (re)connecting a board is told to catch up.
    wait_for(&mut board, "event: seats\ndata: hello", STREAM_DEADLINE).await;

    // Someone else invites a volunteer: the open board hears of it.
    e.invite(e.seats[0], "karen@example.dk", "7").await;
    let seen = wait_for(&mut board, "event: seats\ndata: ", STREAM_DEADLINE).await;
    assert!(!seen.contains("hello"), "{seen}");
    // And when she answers, again.
    e.karen_answers(e.seats[0], "decline").await;
    wait_for(&mut board, "event: seats\ndata: ", STREAM_DEADLINE).await;
}

#[tokio::test]
async fn an_open_board_closes_when_its_session_ends_and_one_person_opens_only_so_many() {
    let app =
        crate::helpers::spawn_app_with(&[("VALGVAGT_STREAM_RECHECK_SECONDS", "1".into())]).await;
    let viewer = app.browser_as(Role::ReadOnly).await;
    let url = format!("{}/board/events?election=1", app.base);
    let mut board = viewer.get(&url).send().await.unwrap();
    assert_eq!(board.status(), StatusCode::OK);
    wait_for(&mut board, "data: hello", STREAM_DEADLINE).await;

    // Up to the cap, and no further.
    let mut more = Vec::new();
    for _ in 1..valgvagt_server::board::STREAMS_PER_USER {
        let stream = viewer.get(&url).send().await.unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        more.push(stream);
    }
    let refused = viewer.get(&url).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another person is not held to this one's count.
    let other = app.browser_as(Role::Coordinator).await;
    assert_eq!(
        other.get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    // A closed board frees its place (at the latest when the next
    // keep-alive, 15 s, finds the connection gone).
    drop(more.pop());
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let again = viewer.get(&url).send().await.unwrap();
        if again.status() == StatusCode::OK {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the place was not freed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Signed out (on this or another device): the open stream ends.
    app.call_with(&viewer, "auth/sign_out", &[]).await;
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while board.chunk().await.ok().flatten().is_some() {}
    })
    .await;
    assert!(ended.is_ok(), "the stream closed after the session ended");
}

#[tokio::test]
async fn open_boards_never_take_the_turns_of_other_requests() {
    use valgvagt_server::board::STREAMS_PER_USER;
    use valgvagt_server::startup::IN_PROGRESS;
    let app = crate::helpers::spawn_app().await;
    let url = format!("{}/board/events?election=1", app.base);
    let mut open = Vec::new();
    for n in 0..IN_PROGRESS / STREAMS_PER_USER + 1 {
        let viewer = app
            .browser_for(&format!("tavle{n}@example.dk"), Role::ReadOnly, &[])
            .await;
        for _ in 0..STREAMS_PER_USER {
            let mut stream = tokio::time::timeout(STREAM_DEADLINE, viewer.get(&url).send())
                .await
                .expect("a board waited behind the open ones")
                .unwrap();
            assert_eq!(stream.status(), StatusCode::OK);
            wait_for(&mut stream, "data: hello", STREAM_DEADLINE).await;
            open.push(stream);
        }
    }
    assert!(open.len() > IN_PROGRESS, "more boards open than turns");
    // Pages and server functions are answered as before.
    let page = tokio::time::timeout(
        Duration::from_secs(5),
        client().get(format!("{}/signin", app.base)).send(),
    )
    .await
    .expect("a page waited behind the open boards")
    .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_open_check_in_page_hears_of_its_station_and_no_other() {
    use app::domain::accounts::ScopeKind;
    let e = election().await;
    e.karen_accepts(e.seats[0]).await;
    let seat = e.app.storage.seat_details(e.seats[0]).await.unwrap();
    let url = format!("{}/stations/{}/events", e.app.base, seat.station_id);
    // Its managers and the office listen; a volunteer or another station's
    // manager may not, nor anybody signed out.
    assert_eq!(
        client().get(&url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        e.karen_phone.get(&url).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
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
    assert_eq!(
        stranger.get(&url).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let manager = e
        .app
        .browser_for(
            "valgstyrer@example.dk",
            Role::StationManager,
            &[(ScopeKind::Station, seat.station_id)],
        )
        .await;
    let mut page = manager.get(&url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    wait_for(&mut page, "event: seats\ndata: hello", STREAM_DEADLINE).await;

    // The other station's page hears nothing of this one's check-in.
    let mut elsewhere = e
        .app
        .client
        .get(format!("{}/stations/{}/events", e.app.base, other.id))
        .send()
        .await
        .unwrap();
    wait_for(&mut elsewhere, "data: hello", STREAM_DEADLINE).await;

    // Checked in from another tablet: the open page hears of it.
    e.app
        .ok_with::<()>(
            &e.app.client,
            "checkin/mark",
            &[
                ("seat_id", &e.seats[0].to_string()),
                ("attendance", "arrived"),
            ],
        )
        .await;
    let seen = wait_for(&mut page, "event: seats\ndata: ", STREAM_DEADLINE).await;
    assert!(!seen.contains("hello"), "{seen}");
    let quiet = tokio::time::timeout(Duration::from_millis(800), elsewhere.chunk()).await;
    assert!(
        !matches!(&quiet, Ok(Ok(Some(chunk))) if String::from_utf8_lossy(chunk).contains("data:")),
        "another station's page heard of it: {quiet:?}"
    );
}

#[tokio::test]
async fn my_shifts_hears_of_a_new_invitation_and_only_its_own() {
    let e = election().await;
    let url = format!("{}/my-shifts/events", e.app.base);
    assert_eq!(
        client().get(&url).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let mut mine = e.karen_phone.get(&url).send().await.unwrap();
    assert_eq!(mine.status(), StatusCode::OK);
    wait_for(&mut mine, "event: seats\ndata: hello", STREAM_DEADLINE).await;

    // Another person's invitation is not hers to hear of.
    e.invite(e.seats[1], "ole@example.dk", "8").await;
    let quiet = tokio::time::timeout(Duration::from_millis(800), mine.chunk()).await;
    assert!(
        !matches!(&quiet, Ok(Ok(Some(chunk))) if String::from_utf8_lossy(chunk).contains("data:")),
        "heard of someone else's seat: {quiet:?}"
    );
    // Her own is.
    e.invite(e.seats[0], "karen@example.dk", "7").await;
    let seen = wait_for(&mut mine, "event: seats\ndata: ", STREAM_DEADLINE).await;
    assert!(!seen.contains("hello"), "{seen}");
    // Staff without a volunteer record have no shifts to follow.
    let office = e.app.browser_as(Role::ReadOnly).await;
    assert_eq!(
        office.get(&url).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}
