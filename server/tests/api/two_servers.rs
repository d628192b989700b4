//! Two real server processes on one PostgreSQL database, as a municipality
//! runs them behind a load balancer: live boards hear changes made through
//! the other server, the last seats go to exactly as many people as there
//! are seats, queued messages go out once between two workers, a killed
//! server loses nothing, and scheduled jobs run on one server at a time.
//! PostgreSQL only: they run in the PostgreSQL pass of the test command.

use crate::helpers::{fresh_database, postgres_url};
use crate::push_service::PushService;
use crate::served::{free_port, poll_until, Served};
use app::domain::accounts::Role;
use app::domain::notifications::MessageKind;
use app::domain::signup::{LinkFilters, NewSignupLink};
use app::server::storage::{
    AccountStore, ElectionStore, NewMessage, NotificationStore, SignupStore,
};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use valgvagt_server::secrets;
use valgvagt_server::storage::postgres::PostgresStorage;

/// A database of its own with the demo municipality, for servers to share.
struct Shared {
    dir: TempDir,
    url: String,
    storage: PostgresStorage,
    election: i64,
}

impl Shared {
    /// None in the SQLite pass.
    async fn new(demo: bool) -> Option<Shared> {
        postgres_url()?;
        let dir = tempfile::tempdir().unwrap();
        let url = fresh_database(dir.path()).await;
        let storage = PostgresStorage::open(&url).await.expect("the database");
        valgvagt_server::demo::seed_defaults(&storage)
            .await
            .unwrap();
        let mut election = 0;
        if demo {
            valgvagt_server::demo::load_scaled(&storage, "999", 1)
                .await
                .expect("demo data");
            election = storage.list_elections().await.unwrap()[0].id;
        }
        Some(Shared {
            dir,
            url,
            storage,
            election,
        })
    }

    fn pool(&self) -> &PgPool {
        self.storage.pool()
    }

    async fn server(&self, extra: &[(&str, &str)]) -> Served {
        Served::start(self.dir.path(), &self.url, extra).await
    }

    /// A session cookie for a new user with `role`.
    async fn signed_in(&self, email: &str, role: Role) -> String {
        let user = self
            .storage
            .ensure_user_with_role(email, "Test", role)
            .await
            .unwrap();
        self.session(user).await
    }

    async fn session(&self, user: i64) -> String {
        let session = secrets::new_secret();
        let now = secrets::unix_now();
        self.storage
            .create_session(&secrets::hash(&session), user, now, now + 86_400)
            .await
            .unwrap();
        format!("vv_session={session}")
    }

    /// Leaves exactly `open` seats of the demo's largest public cell open,
    /// fills the rest, and shares the cell's team link. Returns the link
    /// token and the take form's cell fields.
    async fn open_cell(&self, open: usize) -> (String, [(&'static str, String); 3]) {
        let (team, station, day, task): (i64, i64, String, i64) = sqlx::query_as(
            "SELECT s.team_id, s.station_id, s.day::text, s.task_type_id FROM seats s
             JOIN task_types t ON t.id = s.task_type_id
             WHERE s.election_id = $1 AND NOT t.trusted
             GROUP BY s.team_id, s.station_id, s.day, s.task_type_id HAVING count(*) >= $2
             ORDER BY count(*) DESC, s.station_id LIMIT 1",
        )
        .bind(self.election)
        .bind(open as i64)
        .fetch_one(self.pool())
        .await
        .expect("a public cell large enough");
        let filler: i64 = sqlx::query_scalar("SELECT min(id) FROM volunteers")
            .fetch_one(self.pool())
            .await
            .unwrap();
        sqlx::query(
            "WITH cell AS (
                SELECT id, row_number() OVER (ORDER BY id) AS n FROM seats
                WHERE election_id = $1 AND team_id = $2 AND station_id = $3
                  AND day = $4::date AND task_type_id = $5)
             UPDATE seats SET
                status = CASE WHEN cell.n <= $6 THEN 'open' ELSE 'accepted' END,
                volunteer_id = CASE WHEN cell.n <= $6 THEN NULL ELSE $7 END,
                accepted_at = CASE WHEN cell.n <= $6 THEN NULL ELSE 1 END,
                invited_at = NULL, respond_by = NULL
             FROM cell WHERE seats.id = cell.id",
        )
        .bind(self.election)
        .bind(team)
        .bind(station)
        .bind(&day)
        .bind(task)
        .bind(open as i64)
        .bind(filler)
        .execute(self.pool())
        .await
        .expect("the cell opened");
        let token = format!("two-servers-{}", secrets::new_secret());
        let creator = self
            .storage
            .ensure_user_with_role("link@example.dk", "Link", Role::TeamLeader)
            .await
            .unwrap();
        self.storage
            .create_link(
                &NewSignupLink {
                    token_hash: secrets::hash(&token),
                    election_id: self.election,
                    team_id: team,
                    filters: LinkFilters::default(),
                    expires_at: None,
                    created_by: creator,
                },
                secrets::unix_now(),
            )
            .await
            .unwrap();
        (
            token,
            [
                ("station_id", station.to_string()),
                ("day", day),
                ("task_type_id", task.to_string()),
            ],
        )
    }

    /// Session cookies of `count` volunteers who may take a seat on `day`:
    /// eligible by their declaration and free that day.
    async fn takers(&self, day: &str, count: usize) -> Vec<String> {
        let people: Vec<(i64, String)> = sqlx::query_as(
            "SELECT v.id, v.email FROM volunteers v
             WHERE v.municipality_code = '999' AND v.citizenship = 'danish'
               AND NOT v.under_guardianship AND v.birth_date <= DATE '1990-01-01'
               AND v.deactivated_at IS NULL AND v.anonymised_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM seats s WHERE s.volunteer_id = v.id
                               AND s.election_id = $1 AND s.day = $2::date)
             ORDER BY v.id LIMIT $3",
        )
        .bind(self.election)
        .bind(day)
        .bind(count as i64)
        .fetch_all(self.pool())
        .await
        .unwrap();
        assert_eq!(people.len(), count, "enough eligible takers in the demo");
        let mut cookies = Vec::with_capacity(count);
        for (volunteer, email) in people {
            let user = self
                .storage
                .ensure_user_with_role(&email, "Taker", Role::Volunteer)
                .await
                .unwrap();
            self.storage.link_volunteer(user, volunteer).await.unwrap();
            cookies.push(self.session(user).await);
        }
        cookies
    }

    /// A volunteer with a phone subscribed at `push`, and `count` messages
    /// for it in the queue. Returns the queued messages' ids.
    async fn queue_pushes(&self, push: &PushService, count: usize) -> BTreeSet<i64> {
        let volunteer = crate::push_service::karen_with_a_phone(&self.storage, push).await;
        let now = secrets::unix_now();
        // One message as the app queues it, then its copies in one statement.
        let message = NewMessage {
            idempotency_key: "two-servers:0".into(),
            user_id: None,
            volunteer_id: Some(volunteer),
            kind: MessageKind::FreeText,
            election_id: None,
            task_type_id: None,
            seat_id: None,
            params: [("message".to_string(), "Besked".to_string())]
                .into_iter()
                .collect(),
        };
        self.storage.enqueue(&message, now).await.unwrap();
        sqlx::query(
            "INSERT INTO outbox (idempotency_key, volunteer_id, kind, params, next_attempt_at,
                                 created_at)
             SELECT 'two-servers:' || n, volunteer_id, kind, params, next_attempt_at, created_at
             FROM outbox, generate_series(1, $1) AS n WHERE idempotency_key = 'two-servers:0'",
        )
        .bind(count as i64 - 1)
        .execute(self.pool())
        .await
        .unwrap();
        sqlx::query_scalar("SELECT id FROM outbox")
            .fetch_all(self.pool())
            .await
            .unwrap()
            .into_iter()
            .collect()
    }

    async fn sent(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE status = 'sent'")
            .fetch_one(self.pool())
            .await
            .unwrap()
    }
}

/// How often each queued message's push arrived, by message id.
fn arrivals(push: &PushService) -> BTreeMap<i64, usize> {
    let mut times = BTreeMap::new();
    for received in push.received() {
        let id = received.payload["tag"]
            .as_str()
            .and_then(|tag| tag.strip_prefix("message-"))
            .and_then(|id| id.parse::<i64>().ok())
            .expect("a message's tag");
        *times.entry(id).or_default() += 1;
    }
    times
}

/// An open board's event stream, read event by event.
struct Board {
    response: reqwest::Response,
    text: String,
}

impl Board {
    async fn open(server: &Served, cookie: &str, election: i64) -> Board {
        Board::follow(
            server,
            cookie,
            &format!("/board/events?election={election}"),
        )
        .await
    }

    /// Any live page's stream: `path` is its events' address.
    async fn follow(server: &Served, cookie: &str, path: &str) -> Board {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", server.base))
            .header(reqwest::header::COOKIE, cookie)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.status());
        let mut board = Board {
            response,
            text: String::new(),
        };
        assert_eq!(
            board.next(Duration::from_secs(10)).await.as_deref(),
            Some("hello")
        );
        board
    }

    /// The next event's data, if one comes within `limit`.
    async fn next(&mut self, limit: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(end) = self.text.find("\n\n") {
                let event: String = self.text.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                    return Some(data.to_string());
                }
                continue; // a keep-alive comment
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk()).await;
            match chunk {
                Ok(Ok(Some(bytes))) => self.text.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }
}

/// A tap on "take" in the sign-up page: the public server function.
async fn take(
    client: &reqwest::Client,
    server: &str,
    cookie: &str,
    token: &str,
    cell: &[(&'static str, String); 3],
) -> (reqwest::StatusCode, String) {
    let mut form = vec![("token", token.to_string())];
    form.extend(cell.iter().cloned());
    let response = client
        .post(format!("{server}/api/signup/take"))
        .header(reqwest::header::COOKIE, cookie)
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn a_seat_taken_through_one_server_shows_on_a_board_open_on_the_other() {
    let Some(shared) = Shared::new(true).await else {
        return;
    };
    let a = shared.server(&[]).await;
    let b = shared.server(&[]).await;
    let coordinator = shared
        .signed_in("koordinator@example.dk", Role::Coordinator)
        .await;
    let mut board = Board::open(&b, &coordinator, shared.election).await;
    let (token, cell) = shared.open_cell(1).await;
    let station = &cell[0].1;
    // The station's check-in page and the taker's *Mine vagter*, on B too.
    let mut checkin = Board::follow(&b, &coordinator, &format!("/stations/{station}/events")).await;
    let taker = shared.takers(&cell[1].1, 1).await.remove(0);
    let mut my_shifts = Board::follow(&b, &taker, "/my-shifts/events").await;
    // Whatever the set-up above stirred has been heard by now.
    for page in [&mut board, &mut checkin, &mut my_shifts] {
        while page.next(Duration::from_millis(600)).await.is_some() {}
    }

    let (status, body) = take(&reqwest::Client::new(), &a.base, &taker, &token, &cell).await;
    assert!(status.is_success(), "{status}: {body}");
    let taken = Instant::now();
    for (page, what) in [
        (&mut board, "board"),
        (&mut checkin, "check-in page"),
        (&mut my_shifts, "Mine vagter"),
    ] {
        let heard = page.next(Duration::from_secs(2)).await;
        assert!(
            heard.is_some_and(|version| version.parse::<i64>().is_ok()),
            "the {what} on B heard nothing within 2 s of the seat taken through A"
        );
    }
    eprintln!("heard on B {:?} after the answer on A", taken.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_takers_split_over_two_servers_fill_ten_seats_exactly() {
    let Some(shared) = Shared::new(true).await else {
        return;
    };
    const SEATS: usize = 10;
    const TAKERS: usize = 1000;
    let servers = [shared.server(&[]).await, shared.server(&[]).await];
    let (token, cell) = shared.open_cell(SEATS).await;
    let cookies = shared.takers(&cell[1].1, TAKERS).await;
    let start = Arc::new(tokio::sync::Barrier::new(TAKERS));
    let mut taps = Vec::with_capacity(TAKERS);
    for (n, cookie) in cookies.into_iter().enumerate() {
        let server = servers[n % 2].base.clone();
        let (token, cell, start) = (token.clone(), cell.clone(), start.clone());
        taps.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            start.wait().await;
            take(&client, &server, &cookie, &token, &cell).await
        }));
    }
    let mut seated = 0;
    let mut refusals: BTreeMap<String, usize> = BTreeMap::new();
    for tap in taps {
        let (status, body) = tap.await.unwrap();
        if status.is_success() {
            seated += 1;
        } else {
            let error: app::domain::AppError = serde_json::from_str(&body)
                .unwrap_or_else(|e| panic!("an unclear refusal ({status}): {body}: {e}"));
            *refusals
                .entry(format!("{status} {}", error.message_key()))
                .or_default() += 1;
        }
    }
    assert_eq!(seated, SEATS, "refusals: {refusals:?}");
    assert_eq!(refusals.values().sum::<usize>(), TAKERS - SEATS);
    assert_eq!(refusals.len(), 1, "one clear refusal for all: {refusals:?}");

    // In the database: the cell is full, each seat with one person.
    let holders: Vec<Option<i64>> = sqlx::query_scalar(
        "SELECT volunteer_id FROM seats
         WHERE election_id = $1 AND station_id = $2 AND day = $3::date AND task_type_id = $4
           AND status = 'accepted' AND volunteer_id <> (SELECT min(id) FROM volunteers)",
    )
    .bind(shared.election)
    .bind(cell[0].1.parse::<i64>().unwrap())
    .bind(&cell[1].1)
    .bind(cell[2].1.parse::<i64>().unwrap())
    .fetch_all(shared.pool())
    .await
    .unwrap();
    let distinct: BTreeSet<_> = holders.iter().collect();
    assert_eq!(holders.len(), SEATS);
    assert_eq!(distinct.len(), SEATS);
}

#[tokio::test]
async fn ten_thousand_queued_messages_go_out_once_between_two_workers() {
    let Some(shared) = Shared::new(false).await else {
        return;
    };
    const MESSAGES: usize = 10_000;
    let push = PushService::start().await;
    let queued = shared.queue_pushes(&push, MESSAGES).await;
    assert_eq!(queued.len(), MESSAGES);
    // Each server signs its pushes with a subject of its own, so the push
    // service can tell who sent what.
    let _a = shared
        .server(&[("VALGVAGT_VAPID_SUBJECT", "mailto:a@korsbaek.example")])
        .await;
    let _b = shared
        .server(&[("VALGVAGT_VAPID_SUBJECT", "mailto:b@korsbaek.example")])
        .await;
    poll_until(
        "every message is sent",
        Duration::from_secs(180),
        || async { shared.sent().await == MESSAGES as i64 },
    )
    .await;
    assert!(push.problems().is_empty(), "{:?}", push.problems());
    let times = arrivals(&push);
    assert_eq!(times.keys().copied().collect::<BTreeSet<_>>(), queued);
    let repeated: Vec<_> = times.iter().filter(|(_, n)| **n != 1).collect();
    assert!(repeated.is_empty(), "sent more than once: {repeated:?}");
    let mut by_server: BTreeMap<String, usize> = BTreeMap::new();
    for received in push.received() {
        *by_server.entry(received.subject).or_default() += 1;
    }
    assert_eq!(by_server.len(), 2, "both servers delivered: {by_server:?}");
}

#[tokio::test]
async fn a_server_killed_mid_delivery_loses_nothing() {
    let Some(shared) = Shared::new(false).await else {
        return;
    };
    const MESSAGES: usize = 1500;
    let push = PushService::start().await;
    let queued = shared.queue_pushes(&push, MESSAGES).await;
    // Short leases, so the survivor takes over the dead one's messages
    // within seconds rather than minutes.
    let settings = [
        ("VALGVAGT_PUSH_TIMEOUT_SECONDS", "2"),
        ("VALGVAGT_OUTBOX_LEASE_SECONDS", "4"),
    ];
    push.slow_down(5);
    let mut a = shared.server(&settings).await;
    let _b = shared.server(&settings).await;
    poll_until("a fifth has arrived", Duration::from_secs(60), || async {
        push.received().len() >= MESSAGES / 5
    })
    .await;
    a.kill9();
    let in_flight: BTreeSet<i64> =
        sqlx::query_scalar("SELECT id FROM outbox WHERE status = 'sending'")
            .fetch_all(shared.pool())
            .await
            .unwrap()
            .into_iter()
            .collect();
    assert!((shared.sent().await as usize) < MESSAGES, "killed mid-run");
    push.slow_down(0);
    poll_until(
        "the survivor has sent everything",
        Duration::from_secs(120),
        || async { shared.sent().await == MESSAGES as i64 },
    )
    .await;
    // Every message arrived; only one in flight at the kill may have
    // arrived twice (and shows once: the same tag).
    let times = arrivals(&push);
    assert_eq!(times.keys().copied().collect::<BTreeSet<_>>(), queued);
    for (id, n) in times {
        assert!(
            n == 1 || (n == 2 && in_flight.contains(&id)),
            "message {id} arrived {n} times"
        );
    }
}

#[tokio::test]
async fn servers_started_together_on_a_new_database_seed_it_once_and_share_the_jobs() {
    let Some(shared) = Shared::new(false).await else {
        return;
    };
    // A database nobody has opened yet: both servers migrate and seed it.
    let url = fresh_database(shared.dir.path()).await;
    let mut a = Served::spawn(shared.dir.path(), &url, &[]);
    let mut b = Served::spawn(shared.dir.path(), &url, &[]);
    a.wait_until_up().await;
    b.wait_until_up().await;
    let pool = PgPool::connect(&url).await.unwrap();
    let types: Vec<String> = sqlx::query_scalar("SELECT title FROM election_types")
        .fetch_all(&pool)
        .await
        .unwrap();
    let distinct: BTreeSet<_> = types.iter().collect();
    assert_eq!(types.len(), distinct.len(), "{types:?}");
    assert!(!types.is_empty());

    // The reminders run on one of them: the one named in the lease.
    let holder = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT holder FROM job_leases WHERE job = 'reminders' AND until > $1",
        )
        .bind(secrets::unix_now())
        .fetch_optional(&pool)
        .await
        .unwrap()
    };
    poll_until(
        "a server holds the reminders",
        Duration::from_secs(10),
        || async { holder().await.is_some() },
    )
    .await;
    let held_by = holder().await.unwrap();
    let pid_of = |name: &str| name.split(':').nth(1).and_then(|p| p.parse::<u32>().ok());
    assert!(
        [a.pid(), b.pid()].contains(&pid_of(&held_by).unwrap()),
        "{held_by}"
    );

    // An older server starts on a schema a newer one has migrated further
    // (upgrading one server at a time).
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (9999, 'from a newer version', TRUE, '\\x00'::bytea, 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let _older = Served::start(shared.dir.path(), &url, &[]).await;
}

/// How many servers' seat listeners are connected to `pool`'s database.
async fn listeners(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity
         WHERE application_name = 'valgvagt-listen' AND datname = current_database()",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn boards_hear_the_other_server_at_once_and_listen_again_after_a_lost_connection() {
    let Some(shared) = Shared::new(true).await else {
        return;
    };
    // A minute between polls: what arrives sooner was announced.
    let slow = [("VALGVAGT_LIVE_POLL_MS", "60000")];
    let a = shared.server(&slow).await;
    let b = shared.server(&slow).await;
    poll_until("both servers listen", Duration::from_secs(10), || async {
        listeners(shared.pool()).await == 2
    })
    .await;
    let coordinator = shared
        .signed_in("koordinator@example.dk", Role::Coordinator)
        .await;
    let mut board = Board::open(&b, &coordinator, shared.election).await;
    let (token, cell) = shared.open_cell(2).await;
    while board.next(Duration::from_millis(600)).await.is_some() {}
    let mut takers = shared.takers(&cell[1].1, 2).await;
    let client = reqwest::Client::new();

    let (status, body) = take(&client, &a.base, &takers.remove(0), &token, &cell).await;
    assert!(status.is_success(), "{status}: {body}");
    assert!(
        board.next(Duration::from_secs(2)).await.is_some(),
        "B's board heard nothing of the seat taken through A"
    );

    // The database drops every listening connection: the servers listen
    // again, and the next change is heard as quickly.
    let dropped: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = 'valgvagt-listen' AND datname = current_database()",
    )
    .fetch_all(shared.pool())
    .await
    .unwrap();
    assert_eq!(dropped, vec![true, true]);
    poll_until(
        "both servers listen again",
        Duration::from_secs(10),
        || async { listeners(shared.pool()).await == 2 },
    )
    .await;
    while board.next(Duration::from_millis(300)).await.is_some() {}
    let (status, body) = take(&client, &a.base, &takers.remove(0), &token, &cell).await;
    assert!(status.is_success(), "{status}: {body}");
    assert!(
        board.next(Duration::from_secs(2)).await.is_some(),
        "B's board heard nothing after its listener came back"
    );
}

/// The cookies a browser keeps, by name, for requests to either server.
#[derive(Default)]
struct Jar(BTreeMap<String, String>);

impl Jar {
    async fn post(
        &mut self,
        url: String,
        body: Option<&serde_json::Value>,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .post(url)
            .header("sec-fetch-site", "same-origin");
        if !self.0.is_empty() {
            let cookies: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header(reqwest::header::COOKIE, cookies.join("; "));
        }
        request = match body {
            Some(json) => request.json(json),
            None => request.form(form),
        };
        let response = request.send().await.unwrap();
        for set in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap_or_default();
            if let Some((name, value)) = pair.split_once('=') {
                self.0
                    .insert(name.trim().to_string(), value.trim().to_string());
            }
        }
        response
    }
}

async fn json_of<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> T {
    let status = response.status();
    let body = response.text().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{body}: {e}"))
}

#[tokio::test]
async fn a_passkey_ceremony_begun_on_one_server_finishes_on_the_other() {
    use app::passkeys::{RegistrationChallenge, SignInChallenge};
    use webauthn_authenticator_rs::softpasskey::SoftPasskey;
    use webauthn_authenticator_rs::WebauthnAuthenticator;
    let Some(shared) = Shared::new(false).await else {
        return;
    };
    // Both servers behind one public name, as behind the proxy.
    let a = shared.server(&[]).await;
    let public = a.base.replace("127.0.0.1", "localhost");
    let b = shared
        .server(&[("VALGVAGT_PUBLIC_URL", public.as_str())])
        .await;
    let origin = url::Url::parse(&public).unwrap();

    // Signed in by a link through A.
    let user = shared
        .storage
        .ensure_user_with_role("passkey@example.dk", "Passkey", Role::Volunteer)
        .await
        .unwrap();
    let token = secrets::new_secret();
    shared
        .storage
        .store_sign_in_token(user, &secrets::hash(&token), i64::MAX / 2)
        .await
        .unwrap();
    let mut phone = Jar::default();
    let signed_in = phone
        .post(
            format!("{}/api/auth/sign_in_with_link", a.base),
            None,
            &[("token", &token)],
        )
        .await;
    assert!(signed_in.status().is_success());

    // A registration begun on A finishes on B.
    let challenge: RegistrationChallenge = json_of(
        phone
            .post(format!("{}/api/passkeys/register_start", a.base), None, &[])
            .await,
    )
    .await;
    let mut authenticator = SoftPasskey::new(true);
    let credential = authenticator
        .do_registration(origin.clone(), challenge.options)
        .expect("the software passkey registers");
    let body = serde_json::json!({
        "ceremony": challenge.ceremony, "name": "Telefon", "response": credential
    });
    let finished = phone
        .post(
            format!("{}/api/passkeys/register_finish", b.base),
            Some(&body),
            &[],
        )
        .await;
    assert!(finished.status().is_success(), "{}", finished.status());

    // A sign-in begun on B, on another device, finishes on A.
    let mut laptop = Jar::default();
    let challenge: SignInChallenge = json_of(
        laptop
            .post(format!("{}/api/passkeys/sign_in_start", b.base), None, &[])
            .await,
    )
    .await;
    let mut options = challenge.options;
    options.public_key.allow_credentials = vec![webauthn_rs_proto::AllowCredentials {
        type_: "public-key".into(),
        id: credential.raw_id.clone(),
        transports: None,
    }];
    let signed = authenticator
        .do_authentication(origin, options)
        .expect("the software passkey signs");
    let body = serde_json::json!({ "ceremony": challenge.ceremony, "response": signed });
    let finished = laptop
        .post(
            format!("{}/api/passkeys/sign_in_finish", a.base),
            Some(&body),
            &[],
        )
        .await;
    assert!(finished.status().is_success(), "{}", finished.status());
    let me: Option<app::domain::accounts::CurrentUser> = json_of(
        laptop
            .post(format!("{}/api/auth/who_am_i", b.base), None, &[])
            .await,
    )
    .await;
    assert_eq!(me.map(|m| m.email).as_deref(), Some("passkey@example.dk"));
}

/// nginx in front, configured by the example in `server/deploy/nginx.conf`
/// with this machine's addresses; stopped when dropped.
struct Nginx {
    child: std::process::Child,
    http: u16,
    https: u16,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Nginx {
    async fn start(dir: &std::path::Path, upstreams: [&Served; 2]) -> Nginx {
        let (http, https) = (free_port(), free_port());
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        let made = std::process::Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ])
            .args(["-subj", "/CN=localhost", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stderr(std::process::Stdio::null())
            .status()
            .expect("openssl (scripts/setup.sh installs it)");
        assert!(made.success());
        let address = |s: &Served| s.base.trim_start_matches("http://").to_string();
        let example = include_str!("../../deploy/nginx.conf")
            .replace("10.0.0.11:3000", &address(upstreams[0]))
            .replace("10.0.0.12:3000", &address(upstreams[1]))
            .replace("listen 80;", &format!("listen 127.0.0.1:{http};"))
            .replace(
                "listen 443 ssl http2;",
                &format!("listen 127.0.0.1:{https} ssl http2;"),
            )
            .replace("/etc/ssl/valgvagt/fullchain.pem", &cert.to_string_lossy())
            .replace("/etc/ssl/valgvagt/privkey.pem", &key.to_string_lossy())
            .lines()
            .filter(|line| !line.contains("listen [::]"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(example.contains(&format!("127.0.0.1:{https}")), "{example}");
        let site = dir.join("nginx-site.conf");
        std::fs::write(&site, example).unwrap();
        let main = dir.join("nginx.conf");
        std::fs::write(
            &main,
            format!(
                "daemon off;\nmaster_process off;\npid {pid};\nerror_log {log} warn;\n\
                 events {{}}\nhttp {{\n  access_log off;\n  include {site};\n}}\n",
                pid = dir.join("nginx.pid").display(),
                log = dir.join("nginx-error.log").display(),
                site = site.display(),
            ),
        )
        .unwrap();
        let child = std::process::Command::new("nginx")
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&main)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nginx (scripts/setup.sh installs nginx-light)");
        let nginx = Nginx { child, http, https };
        let client = nginx.client();
        poll_until("nginx answers", Duration::from_secs(10), || async {
            client
                .get(nginx.url("/healthz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
        })
        .await;
        nginx
    }

    fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.https)
    }
}

#[tokio::test]
async fn the_example_nginx_configuration_ends_tls_streams_live_pages_and_fails_over() {
    let Some(shared) = Shared::new(true).await else {
        return;
    };
    let proxied = [("VALGVAGT_TRUSTED_PROXIES", "127.0.0.1")];
    let mut a = shared.server(&proxied).await;
    let b = shared.server(&proxied).await;
    let nginx = Nginx::start(shared.dir.path(), [&a, &b]).await;
    let client = nginx.client();

    // Plain HTTP is sent to HTTPS.
    let plain = client
        .get(format!("http://127.0.0.1:{}/signin", nginx.http))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), reqwest::StatusCode::MOVED_PERMANENTLY);
    let location = plain.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("https://"), "{location}");

    // A board's events pass through as they come, not when a buffer fills.
    let coordinator = shared
        .signed_in("koordinator@example.dk", Role::Coordinator)
        .await;
    let response = client
        .get(nginx.url(&format!("/board/events?election={}", shared.election)))
        .header(reqwest::header::COOKIE, &coordinator)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let mut board = Board {
        response,
        text: String::new(),
    };
    assert_eq!(
        board.next(Duration::from_secs(10)).await.as_deref(),
        Some("hello")
    );
    let (token, cell) = shared.open_cell(1).await;
    let taker = shared.takers(&cell[1].1, 1).await.remove(0);
    while board.next(Duration::from_millis(600)).await.is_some() {}
    let url = nginx.url("");
    let (status, body) = take(&client, &url, &taker, &token, &cell).await;
    assert!(status.is_success(), "{status}: {body}");
    assert!(
        board.next(Duration::from_secs(2)).await.is_some(),
        "the seat taken did not reach the board through nginx within 2 s"
    );

    // One server dies: every request still gets its answer, from the other.
    a.kill9();
    for _ in 0..20 {
        let page = client.get(nginx.url("/signin")).send().await.unwrap();
        assert!(page.status().is_success(), "{}", page.status());
    }
}

#[tokio::test]
async fn a_rate_limit_counts_the_requests_that_reach_either_server() {
    let Some(shared) = Shared::new(false).await else {
        return;
    };
    let servers = [shared.server(&[]).await, shared.server(&[]).await];
    shared
        .storage
        .ensure_user_with_role("mange@example.dk", "Mange", Role::Volunteer)
        .await
        .unwrap();
    let ask = |server: &Served| {
        let url = format!("{}/api/auth/request_link", server.base);
        async move {
            reqwest::Client::new()
                .post(url)
                .header("sec-fetch-site", "same-origin")
                .form(&[("email", "mange@example.dk")])
                .send()
                .await
                .unwrap()
        }
    };
    // Turn about between the servers, as a load balancer sends them.
    for n in 0..app::auth::LINKS_PER_ADDRESS_PER_HOUR {
        let answer = ask(&servers[n as usize % 2]).await;
        assert!(answer.status().is_success(), "{}", answer.status());
    }
    for server in &servers {
        let refused = ask(server).await;
        assert_eq!(refused.status(), reqwest::StatusCode::CONFLICT);
        let error: app::domain::AppError = refused.json().await.unwrap();
        assert_eq!(error, app::domain::AppError::refused("auth.rate_limited"));
    }
}
