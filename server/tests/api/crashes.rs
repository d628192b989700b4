//! kill -9: the real server binary as a child process, killed mid-work and
//! started again on the same database. What it acknowledged stays done,
//! what it was doing is either done once or not at all, and what was queued
//! still goes out.

use crate::push_service::PushService;
use crate::served::{poll_until, Served};
use app::domain::accounts::Role;
use app::domain::notifications::MessageKind;
use app::domain::seats::SeatCountsChange;
use app::domain::signup::{LinkFilters, NewSignupLink};
use app::server::storage::{
    AccountStore, ElectionStore, NewMessage, NotificationStore, SeatStore, SignupStore,
};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use valgvagt_server::secrets;
use valgvagt_server::storage::sqlite::SqliteStorage;

async fn outbox_count(storage: &SqliteStorage, status: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE status = $1")
        .bind(status)
        .fetch_one(storage.pool())
        .await
        .expect("count")
}

const PUSHES: usize = 2000;

#[tokio::test]
async fn pushes_queued_when_the_server_is_killed_all_arrive_after_restart_and_any_repeat_shows_once(
) {
    // The real binary on a SQLite file of its own: run once, in the SQLite run.
    if crate::helpers::postgres_url().is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("crash.db");
    let push = PushService::start().await;
    // A volunteer with a phone, and 2,000 messages for it in the queue.
    let storage = SqliteStorage::open(&database).await.unwrap();
    let karen = crate::push_service::karen_with_a_phone(&storage, &push).await;
    let now = secrets::unix_now();
    for n in 0..PUSHES {
        let message = NewMessage {
            idempotency_key: format!("crash:{n}"),
            user_id: None,
            volunteer_id: Some(karen),
            kind: MessageKind::FreeText,
            election_id: None,
            task_type_id: None,
            seat_id: None,
            params: [("message".to_string(), format!("Besked {n}"))]
                .into_iter()
                .collect(),
        };
        storage.enqueue(&message, now).await.unwrap();
    }
    let queued: BTreeSet<i64> = sqlx::query_scalar("SELECT id FROM outbox")
        .fetch_all(storage.pool())
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(queued.len(), PUSHES);

    // The push service answers slowly enough that the kill lands mid-run.
    push.slow_down(3);
    let mut server = Served::start(dir.path(), &database.to_string_lossy(), &[]).await;
    poll_until("a fifth has arrived", Duration::from_secs(60), || async {
        push.received().len() >= PUSHES / 5
    })
    .await;
    server.kill9();
    let in_flight: BTreeSet<i64> =
        sqlx::query_scalar("SELECT id FROM outbox WHERE status = 'sending'")
            .fetch_all(storage.pool())
            .await
            .unwrap()
            .into_iter()
            .collect();
    let sent_before = outbox_count(&storage, "sent").await;
    assert!(
        (sent_before as usize) < PUSHES,
        "the kill came before the end"
    );

    push.slow_down(0);
    let _again = Served::start(dir.path(), &database.to_string_lossy(), &[]).await;
    // Without the restart putting in-flight messages back, these would
    // wait for their two-minute lease.
    poll_until("every message is sent", Duration::from_secs(60), || async {
        outbox_count(&storage, "sent").await == PUSHES as i64
    })
    .await;
    assert!(push.problems().is_empty(), "{:?}", push.problems());

    // Each message arrived; a repeat only of one in flight at the kill,
    // and with the same tag, so the phone shows it once.
    let mut arrivals: BTreeMap<String, usize> = BTreeMap::new();
    for received in push.received() {
        let tag = received.payload["tag"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        *arrivals.entry(tag).or_default() += 1;
    }
    for id in &queued {
        let tag = format!("message-{id}");
        let times = arrivals.get(&tag).copied().unwrap_or(0);
        assert!(times >= 1, "message {id} never arrived");
        if times > 1 {
            assert!(
                in_flight.contains(id),
                "message {id} arrived {times} times but was not in flight at the kill"
            );
            assert_eq!(times, 2, "message {id} arrived {times} times");
        }
    }
    assert_eq!(arrivals.len(), PUSHES, "nothing but the queued messages");
}

const SEATS: i64 = 150;
const TAKERS: usize = 200;

/// The seats of the one cell the takers share, as (id, status, volunteer,
/// accepted_at).
async fn cell_seats(
    storage: &SqliteStorage,
    cell: &(i64, i64, String, i64, i64),
) -> Vec<(i64, String, Option<i64>, Option<i64>)> {
    let (election, station, day, team, task) = cell;
    sqlx::query_as(
        "SELECT id, status, volunteer_id, accepted_at FROM seats
         WHERE election_id = $1 AND station_id = $2 AND day = $3 AND team_id = $4
           AND task_type_id = $5 ORDER BY id",
    )
    .bind(election)
    .bind(station)
    .bind(day)
    .bind(team)
    .bind(task)
    .fetch_all(storage.pool())
    .await
    .expect("seats")
}

/// No seat is half-taken: held with a person and a time, or open with
/// neither; nobody holds two; each seat held has its one confirmation queued
/// and its holder on the team. Returns who holds a seat.
async fn check_cell(storage: &SqliteStorage, cell: &(i64, i64, String, i64, i64)) -> BTreeSet<i64> {
    let seats = cell_seats(storage, cell).await;
    assert_eq!(seats.len() as i64, SEATS, "no seat appeared or vanished");
    let mut holders = BTreeSet::new();
    for (id, status, holder, accepted_at) in &seats {
        match (status.as_str(), holder, accepted_at) {
            ("open", None, _) => {}
            ("accepted", Some(person), Some(_)) => {
                assert!(holders.insert(*person), "{person} holds two seats");
                let confirmations: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM outbox WHERE seat_id = $1 AND volunteer_id = $2",
                )
                .bind(id)
                .bind(person)
                .fetch_one(storage.pool())
                .await
                .unwrap();
                assert_eq!(confirmations, 1, "seat {id}: one confirmation");
                let on_team: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM team_members WHERE team_id = $1 AND volunteer_id = $2",
                )
                .bind(cell.3)
                .bind(person)
                .fetch_one(storage.pool())
                .await
                .unwrap();
                assert_eq!(on_team, 1, "seat {id}: its holder is on the team");
            }
            other => panic!("seat {id} is half-taken: {other:?}"),
        }
    }
    holders
}

#[tokio::test]
async fn seats_taken_when_the_server_is_killed_are_whole_and_the_counts_add_up() {
    // The real binary on a SQLite file of its own: run once, in the SQLite run.
    if crate::helpers::postgres_url().is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("crash.db");
    let storage = SqliteStorage::open(&database).await.unwrap();
    valgvagt_server::demo::seed_defaults(&storage)
        .await
        .unwrap();
    valgvagt_server::demo::load_scaled(&storage, "999", 1)
        .await
        .unwrap();
    let election = storage.list_elections().await.unwrap()[0].id;
    // One public cell with room for many: SEATS seats, all open.
    let (station, day, team, task): (i64, String, i64, i64) = sqlx::query_as(
        "SELECT s.station_id, s.day, s.team_id, s.task_type_id FROM seats s
         JOIN task_types t ON t.id = s.task_type_id
         WHERE s.election_id = $1 AND t.trusted = 0 LIMIT 1",
    )
    .bind(election)
    .fetch_one(storage.pool())
    .await
    .unwrap();
    sqlx::query(
        "UPDATE seats SET status = 'open', volunteer_id = NULL, accepted_at = NULL,
             invited_at = NULL, respond_by = NULL
         WHERE election_id = $1 AND station_id = $2 AND day = $3 AND team_id = $4
           AND task_type_id = $5",
    )
    .bind(election)
    .bind(station)
    .bind(&day)
    .bind(team)
    .bind(task)
    .execute(storage.pool())
    .await
    .unwrap();
    storage
        .set_seat_counts(&SeatCountsChange {
            election_id: election,
            station_id: station,
            day: day.parse().unwrap(),
            cells: vec![(team, task, SEATS)],
        })
        .await
        .unwrap();
    let cell = (election, station, day.clone(), team, task);
    assert!(check_cell(&storage, &cell).await.is_empty());

    // TAKERS eligible people, free that day, each signed in.
    let takers: Vec<(i64, String)> = sqlx::query_as(
        "SELECT v.id, v.email FROM volunteers v
         WHERE v.municipality_code = '999' AND v.citizenship = 'danish'
           AND v.under_guardianship = 0 AND v.birth_date <= '1990-01-01'
           AND v.deactivated_at IS NULL AND v.anonymised_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM seats s WHERE s.volunteer_id = v.id
                           AND s.election_id = $1 AND s.day = $2)
         ORDER BY v.id LIMIT $3",
    )
    .bind(election)
    .bind(&day)
    .bind(TAKERS as i64)
    .fetch_all(storage.pool())
    .await
    .unwrap();
    assert_eq!(takers.len(), TAKERS);
    let now = secrets::unix_now();
    let mut cookies = Vec::new();
    for (id, email) in &takers {
        let user = storage
            .ensure_user_with_role(email, "Taker", Role::Volunteer)
            .await
            .unwrap();
        storage.link_volunteer(user, *id).await.unwrap();
        let session = secrets::new_secret();
        storage
            .create_session(&secrets::hash(&session), user, now, now + 86_400)
            .await
            .unwrap();
        cookies.push((*id, format!("vv_session={session}")));
    }
    let leader = storage
        .ensure_user_with_role("leder@example.dk", "Leder", Role::TeamLeader)
        .await
        .unwrap();
    let token = "crash-test-link-000000000000000000";
    storage
        .create_link(
            &NewSignupLink {
                token_hash: secrets::hash(token),
                election_id: election,
                team_id: team,
                filters: LinkFilters::default(),
                expires_at: None,
                created_by: leader,
            },
            now,
        )
        .await
        .unwrap();

    let form = [
        ("token", token.to_string()),
        ("station_id", station.to_string()),
        ("day", day.clone()),
        ("task_type_id", task.to_string()),
    ];
    let take_all = |base: String, cookies: Vec<(i64, String)>| {
        let form = form.clone();
        cookies
            .into_iter()
            .map(move |(person, cookie)| {
                let url = format!("{base}/api/signup/take");
                let form = form.clone();
                tokio::spawn(async move {
                    let answer = crate::helpers::client()
                        .post(url)
                        .header(reqwest::header::COOKIE, cookie)
                        .form(&form)
                        .send()
                        .await;
                    let seated = answer.is_ok_and(|r| r.status().is_success());
                    (person, seated)
                })
            })
            .collect::<Vec<_>>()
    };

    let mut server = Served::start(dir.path(), &database.to_string_lossy(), &[]).await;
    let taps = take_all(server.base.clone(), cookies.clone());
    // Kill once some have been seated and while others are under way.
    poll_until("some seats are taken", Duration::from_secs(60), || async {
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM seats WHERE election_id = $1 AND station_id = $2 AND day = $3
               AND team_id = $4 AND task_type_id = $5 AND status = 'accepted'",
        )
        .bind(election)
        .bind(station)
        .bind(&day)
        .bind(team)
        .bind(task)
        .fetch_one(storage.pool())
        .await
        .unwrap();
        held >= 5
    })
    .await;
    server.kill9();
    let mut acknowledged = BTreeSet::new();
    for tap in taps {
        let (person, seated) = tap.await.unwrap();
        if seated {
            acknowledged.insert(person);
        }
    }

    let restarted = Served::start(dir.path(), &database.to_string_lossy(), &[]).await;
    let holders = check_cell(&storage, &cell).await;
    assert!(
        acknowledged.is_subset(&holders),
        "everyone told they have a seat has it"
    );
    assert!(
        (holders.len() as i64) < SEATS,
        "the kill came before the end"
    );

    // Everyone tries again; the seats fill exactly, once each.
    let retries = take_all(restarted.base.clone(), cookies);
    let mut seated_now = 0;
    for tap in retries {
        let (_, seated) = tap.await.unwrap();
        seated_now += usize::from(seated);
    }
    let holders_after = check_cell(&storage, &cell).await;
    assert_eq!(holders_after.len() as i64, SEATS, "every seat is taken");
    assert_eq!(
        holders.len() + seated_now,
        SEATS as usize,
        "the retries took exactly the seats still open"
    );
    let takers: BTreeSet<i64> = takers.iter().map(|(id, _)| *id).collect();
    assert!(holders_after.is_subset(&takers));
}
