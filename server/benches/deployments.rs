//! The same election-morning load on three deployments, side by side:
//! SQLite with one server, PostgreSQL with one server, and PostgreSQL with
//! two servers (connections and takers spread over both, as a load balancer
//! spreads them). Each gets the demo at `BENCH_SCALE` (default 10), the
//! real `valgvagt` binaries in processes of their own, and the load from
//! this one on loopback:
//! - keep-alive throughput with 16 connections of `/my-shifts` (signed in)
//!   and `/board` (a coordinator), and each page's single-request time;
//! - 1,000 signed-in volunteers tapping "take" at once for the last 10 seats
//!   of a cell: how many were seated (must be 10) and p50/p99.
//!
//! Needs a PostgreSQL server where it may create databases:
//! `BENCH_POSTGRES_URL` (or `VALGVAGT_TEST_POSTGRES_URL`).
//! `scripts/bench-deployments.sh` starts a throwaway one (durable settings)
//! and runs `cargo bench -p server --bench deployments` against it.

use app::domain::accounts::Role;
use valgvagt_server::secrets;
use valgvagt_server::storage::postgres::PostgresStorage;
use valgvagt_server::storage::sqlite::SqliteStorage;
use valgvagt_server::storage::Backend;

// The SQLite-only helpers in common are the other benches'.
#[allow(dead_code)]
mod common;
// The signed-in floor and the memory of open connections are the
// throughput bench's.
#[allow(dead_code)]
#[path = "common/load.rs"]
mod load;
use common::fail;
use load::{keep_alive, peak_rss_kb, single_request_ms, Load, Server};

const TAKERS: usize = 1000;
const LAST_SEATS: usize = 10;

/// One deployment's database (one at a time: their sizes do not matter).
#[allow(clippy::large_enum_variant)]
enum Db {
    Sqlite(SqliteStorage),
    Postgres(PostgresStorage),
}

/// Runs `$body` with `$pool` the database's own pool: the same portable
/// statement on either backend.
macro_rules! on {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            Db::Sqlite(storage) => {
                let $pool = storage.pool();
                $body
            }
            Db::Postgres(storage) => {
                let $pool = storage.pool();
                $body
            }
        }
    };
}

impl Db {
    fn storage(&self) -> &dyn Backend {
        match self {
            Db::Sqlite(s) => s,
            Db::Postgres(s) => s,
        }
    }

    async fn session(&self, user: i64) -> anyhow::Result<String> {
        let session = secrets::new_secret();
        let now = secrets::unix_now();
        self.storage()
            .create_session(&secrets::hash(&session), user, now, now + 86_400)
            .await
            .map_err(fail)?;
        Ok(format!("vv_session={session}"))
    }
}

struct Figures {
    name: &'static str,
    pages: Vec<(&'static str, f64, Load)>,
    race: load::Race,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let postgres = std::env::var("BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("VALGVAGT_TEST_POSTGRES_URL"))
        .map_err(|_| {
            anyhow::anyhow!(
                "set BENCH_POSTGRES_URL to a PostgreSQL server where the bench may create \
                 databases, or run scripts/bench-deployments.sh"
            )
        })?;
    let dir = tempfile::tempdir()?;
    let scale = common::scale();
    let mut all = Vec::new();
    for (name, servers) in [
        ("SQLite, one server", 0),
        ("PostgreSQL, one server", 1),
        ("PostgreSQL, two servers", 2),
    ] {
        let (database, db) = if servers == 0 {
            let file = dir.path().join("bench.db");
            let storage = SqliteStorage::open(&file).await?;
            (file.to_string_lossy().to_string(), Db::Sqlite(storage))
        } else {
            let url = new_postgres_database(&postgres, servers).await?;
            let storage = PostgresStorage::open(&url).await?;
            (url, Db::Postgres(storage))
        };
        let started = std::time::Instant::now();
        valgvagt_server::demo::seed_defaults(db.storage()).await?;
        let summary = valgvagt_server::demo::load_scaled(db.storage(), "999", scale).await?;
        println!(
            "\n{name}: demo at scale {scale} loaded in {:.0?} ({summary})",
            started.elapsed()
        );
        if let Db::Postgres(storage) = &db {
            // Measured as a database in use, not one that autovacuum and a
            // checkpoint are still catching up on after the bulk load.
            for settle in ["VACUUM ANALYZE", "CHECKPOINT"] {
                sqlx::query(settle).execute(storage.pool()).await?;
            }
        }
        let mut running = Vec::new();
        for _ in 0..servers.max(1) {
            running.push(Server::start(&dir.path().join("site"), &database, &[]).await?);
        }
        let bases: Vec<String> = running.iter().map(|s| s.base.clone()).collect();
        all.push(measure(name, &db, &bases).await?);
        for server in &running {
            println!(
                "  server {} peak resident memory {:.1} MB",
                server.base,
                peak_rss_kb(server.pid())? as f64 / 1024.0
            );
        }
        drop(running);
    }

    let page = format!(" {:>9} {:>6} {:>6} {:>7}", "req/s", "p50", "p99", "single");
    println!(
        "\n{:<26}{:^31}{:^31}{:^34}\n{:<26}{page}{page} {:>11} {:>10} {:>10}",
        "(times in ms)",
        "/my-shifts",
        "/board",
        "1,000 takers, 10 seats",
        "deployment",
        "seated",
        "p50",
        "p99"
    );
    for figures in &all {
        let mut line = format!("{:<26}", figures.name);
        for (_, single, load) in &figures.pages {
            line.push_str(&format!(
                " {:>9.0} {:>6.1} {:>6.1} {:>7.2}",
                load.rate(),
                load.p50_ms,
                load.p99_ms,
                single
            ));
        }
        line.push_str(&format!(
            " {:>11} {:>10.1} {:>10.1}",
            figures.race.seated, figures.race.p50_ms, figures.race.p99_ms
        ));
        println!("{line}");
    }
    for figures in &all {
        anyhow::ensure!(
            figures.race.seated == LAST_SEATS,
            "{}: {} seated, not {LAST_SEATS}; refusals {:?}",
            figures.name,
            figures.race.seated,
            figures.race.refusals
        );
    }
    Ok(())
}

/// A new database on the PostgreSQL server at `server`.
async fn new_postgres_database(server: &str, n: usize) -> anyhow::Result<String> {
    use sqlx::Connection;
    let name = format!("valgvagt_bench_{n}_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(server).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&mut admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    let mut url = url::Url::parse(server)?;
    url.set_path(&name);
    Ok(url.to_string())
}

async fn measure(name: &'static str, db: &Db, bases: &[String]) -> anyhow::Result<Figures> {
    let storage = db.storage();
    let election = storage.list_elections().await.map_err(fail)?[0].id;
    let (volunteer, email): (i64, String) = on!(db, |pool| sqlx::query_as(
        "SELECT v.id, v.email FROM volunteers v JOIN seats s ON s.volunteer_id = v.id
         WHERE s.election_id = $1 ORDER BY v.id LIMIT 1",
    )
    .bind(election)
    .fetch_one(pool)
    .await?);
    let user = storage
        .ensure_user_with_role(&email, "Bench", Role::Volunteer)
        .await
        .map_err(fail)?;
    storage
        .link_volunteer(user, volunteer)
        .await
        .map_err(fail)?;
    let volunteer = db.session(user).await?;
    let coordinator = storage
        .ensure_user_with_role("koordinator.bench@example.dk", "Bench", Role::Coordinator)
        .await
        .map_err(fail)?;
    let coordinator = db.session(coordinator).await?;

    let mut pages = Vec::new();
    for (path, cookie) in [
        ("/my-shifts".to_string(), volunteer),
        (format!("/board?election={election}"), coordinator),
    ] {
        let urls: Vec<String> = bases.iter().map(|b| format!("{b}{path}")).collect();
        let single = single_request_ms(&urls[0], Some(&cookie)).await?;
        let load = keep_alive(&urls, Some(&cookie)).await?;
        println!(
            "  {path:<24} {:7.0} req/s   p50 {:6.2} ms   p99 {:6.2} ms   single {single:5.2} ms",
            load.rate(),
            load.p50_ms,
            load.p99_ms
        );
        let label = if path.starts_with("/board") {
            "/board"
        } else {
            "/my-shifts"
        };
        pages.push((label, single, load));
    }
    let race = last_seats_race(db, bases, election, user).await?;
    println!(
        "  {TAKERS} takers for {LAST_SEATS} seats: {} seated; refusals {:?}; p50 {:.1} ms, p99 {:.1} ms",
        race.seated, race.refusals, race.p50_ms, race.p99_ms
    );
    Ok(Figures { name, pages, race })
}

/// Leaves exactly `LAST_SEATS` seats of the largest public cell open, shares
/// its team's link, and lets `TAKERS` eligible volunteers, signed in and
/// spread over the servers, take one at the same moment.
async fn last_seats_race(
    db: &Db,
    bases: &[String],
    election: i64,
    creator: i64,
) -> anyhow::Result<load::Race> {
    let (team, station, day, task): (i64, i64, String, i64) = on!(db, |pool| sqlx::query_as(
        "SELECT s.team_id, s.station_id, CAST(s.day AS TEXT), s.task_type_id FROM seats s
         JOIN task_types t ON t.id = s.task_type_id
         WHERE s.election_id = $1 AND NOT t.trusted
         GROUP BY s.team_id, s.station_id, s.day, s.task_type_id HAVING count(*) >= $2
         ORDER BY count(*) DESC, s.station_id LIMIT 1",
    )
    .bind(election)
    .bind(LAST_SEATS as i64)
    .fetch_one(pool)
    .await?);
    let token = format!("bench-{}", secrets::new_secret());
    common::share_link(
        db.storage(),
        &token,
        election,
        team,
        Default::default(),
        creator,
    )
    .await?;
    let cell: Vec<i64> = on!(db, |pool| sqlx::query_scalar(
        "SELECT id FROM seats WHERE election_id = $1 AND team_id = $2 AND station_id = $3
           AND CAST(day AS TEXT) = $4 AND task_type_id = $5 ORDER BY id",
    )
    .bind(election)
    .bind(team)
    .bind(station)
    .bind(&day)
    .bind(task)
    .fetch_all(pool)
    .await?);
    let filler: i64 = on!(db, |pool| sqlx::query_scalar(
        "SELECT min(id) FROM volunteers"
    )
    .fetch_one(pool)
    .await?);
    for (n, seat) in cell.iter().enumerate() {
        if n < LAST_SEATS {
            on!(db, |pool| sqlx::query(
                "UPDATE seats SET status = 'open', volunteer_id = NULL, accepted_at = NULL,
                     invited_at = NULL, respond_by = NULL WHERE id = $1",
            )
            .bind(seat)
            .execute(pool)
            .await
            .map(|_| ())?);
        } else {
            on!(db, |pool| sqlx::query(
                "UPDATE seats SET status = 'accepted', volunteer_id = $2, accepted_at = 1
                 WHERE id = $1 AND status = 'open'",
            )
            .bind(seat)
            .bind(filler)
            .execute(pool)
            .await
            .map(|_| ())?);
        }
    }
    let takers: Vec<(i64, String)> = on!(db, |pool| sqlx::query_as(
        "SELECT v.id, v.email FROM volunteers v
         WHERE v.municipality_code = '999' AND v.citizenship = 'danish'
           AND NOT v.under_guardianship AND v.birth_date <= '1990-01-01'
           AND v.deactivated_at IS NULL AND v.anonymised_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM seats s WHERE s.volunteer_id = v.id
                           AND s.election_id = $1 AND CAST(s.day AS TEXT) = $2)
         ORDER BY v.id LIMIT $3",
    )
    .bind(election)
    .bind(&day)
    .bind(TAKERS as i64)
    .fetch_all(pool)
    .await?);
    anyhow::ensure!(
        takers.len() == TAKERS,
        "only {} eligible takers",
        takers.len()
    );
    let mut takes = Vec::with_capacity(TAKERS);
    for (n, (id, email)) in takers.iter().enumerate() {
        let user = db
            .storage()
            .ensure_user_with_role(email, "Taker", Role::Volunteer)
            .await
            .map_err(fail)?;
        db.storage().link_volunteer(user, *id).await.map_err(fail)?;
        takes.push((bases[n % bases.len()].clone(), db.session(user).await?));
    }
    let form = [
        ("token", token),
        ("station_id", station.to_string()),
        ("day", day),
        ("task_type_id", task.to_string()),
    ];
    load::race(takes, load::Tap::Take(&form), || Ok(())).await
}
