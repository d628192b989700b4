//! The server under load, as election morning brings it: the demo scaled to
//! a large municipality (`--scale 10`; BENCH_SCALE changes it), the real
//! `valgvagt` binary in a process of its own, and the load generator in
//! this one, on loopback on the same machine.
//! - Keep-alive throughput with 16 connections for `/my-shifts`,
//!   `/join/:token`, `/signin` and `/board`: requests a second and the
//!   50th/99th percentile, beside the page's single-request time (one
//!   connection, one request at a time). Targets: `/my-shifts` ≥ 4,500 and
//!   `/signin` ≥ 3,000 requests a second; every page's p99 under load within
//!   twice its single-request time.
//! - 1,000 signed-in volunteers tapping "take" at once for the last 10 open
//!   seats of a cell: exactly 10 seated, every other one refused clearly;
//!   target p99 ≤ 100 ms.
//! - The server's peak resident memory over the run (target < 50 MB).
//!
//! Prints the figures; exits non-zero only when the run itself fails (a
//! wrong answer, not a slow one). Run: `cargo bench -p server --bench throughput`.

use app::domain::accounts::Role;
use app::domain::signup::{LinkFilters, NewSignupLink};
use app::server::storage::{AccountStore, ElectionStore, SignupStore};
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use valgvagt_server::secrets;
use valgvagt_server::storage::sqlite::SqliteStorage;

const CONNECTIONS: usize = 16;
const RUN: Duration = Duration::from_secs(5);
const SINGLE: usize = 200;
const TAKERS: usize = 1000;
const LAST_SEATS: usize = 10;

mod common;
use common::{fail, session_cookie};

/// Stops the server process when the bench ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let database = dir.path().join("bench.db");
    let storage = common::scaled_demo(&database, common::scale()).await?;

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let site = dir.path().join("site");
    std::fs::create_dir_all(&site)?;
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_valgvagt"))
            .env("VALGVAGT_DATABASE", &database)
            .env("VALGVAGT_BIND", format!("127.0.0.1:{port}"))
            .env("VALGVAGT_PUBLIC_URL", format!("http://localhost:{port}"))
            .env("LEPTOS_SITE_ROOT", &site)
            .env("VALGVAGT_OUTBOX_WORKER", "false")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()?,
    );
    let pid = server.0.id();
    wait_until_up(&base, &mut server).await?;

    let election = storage.list_elections().await.map_err(fail)?[0].id;
    // A volunteer with a shift, a coordinator, and a whole team's link.
    let (volunteer_id, email): (i64, String) = sqlx::query_as(
        "SELECT v.id, v.email FROM volunteers v JOIN seats s ON s.volunteer_id = v.id
         WHERE s.election_id = $1 LIMIT 1",
    )
    .bind(election)
    .fetch_one(storage.pool())
    .await?;
    let user = storage
        .ensure_user_with_role(&email, "Bench", Role::Volunteer)
        .await
        .map_err(fail)?;
    storage
        .link_volunteer(user, volunteer_id)
        .await
        .map_err(fail)?;
    let volunteer = session_cookie(&storage, user).await?;
    let coordinator = storage
        .ensure_user_with_role("koordinator.bench@example.dk", "Bench", Role::Coordinator)
        .await
        .map_err(fail)?;
    let coordinator = session_cookie(&storage, coordinator).await?;
    let team = common::busiest_public_team(&storage, election).await?;
    let token = "bench-throughput-link-0000000000";
    share_link(&storage, token, election, team, user).await?;

    println!(
        "\nkeep-alive throughput, {CONNECTIONS} connections for {}s each; single = one request at a time",
        RUN.as_secs()
    );
    for (path, cookie, target) in [
        (
            "/my-shifts".to_string(),
            Some(volunteer.clone()),
            Some(4500.0),
        ),
        (format!("/join/{token}"), None, None),
        ("/signin".to_string(), None, Some(3000.0)),
        // No page and no database: what any request costs on this machine.
        ("/healthz".to_string(), None, None),
        (
            format!("/board?election={election}"),
            Some(coordinator.clone()),
            None,
        ),
    ] {
        let url = format!("{base}{path}");
        let single = single_request_ms(&url, cookie.as_deref()).await?;
        let load = keep_alive(&url, cookie.as_deref()).await?;
        let rate = load.requests as f64 / load.elapsed.as_secs_f64();
        let p99_ok = load.p99_ms <= 2.0 * single;
        println!(
            "{path:<42} {rate:7.0} req/s   p50 {:6.2} ms   p99 {:6.2} ms   single {single:5.2} ms   peak {:5.1} MB   {}{}",
            load.p50_ms,
            load.p99_ms,
            peak_rss_kb(pid)? as f64 / 1024.0,
            match target {
                Some(t) if rate >= t => format!("target {t:.0} req/s met; "),
                Some(t) => format!("BELOW target {t:.0} req/s; "),
                None => String::new(),
            },
            if p99_ok {
                "p99 within 2× single"
            } else {
                "p99 OVER 2× single"
            }
        );
    }

    let race = last_seats_race(&storage, &base, election, user).await?;
    println!(
        "\n{TAKERS} takers for the last {LAST_SEATS} seats: {} seated; refusals {:?}; p50 {:.1} ms, p99 {:.1} ms (target ≤ 100 ms) {}",
        race.seated,
        race.refusals,
        race.p50_ms,
        race.p99_ms,
        if race.p99_ms <= 100.0 { "met" } else { "MISSED" }
    );
    anyhow::ensure!(
        race.seated == LAST_SEATS,
        "{} seated, not {LAST_SEATS}",
        race.seated
    );
    let peak = peak_rss_kb(pid)?;
    println!(
        "server peak resident memory over the run: {:.1} MB (target < 50 MB) {}",
        peak as f64 / 1024.0,
        if peak < 50 * 1024 { "met" } else { "MISSED" }
    );
    Ok(())
}

async fn wait_until_up(base: &str, server: &mut Server) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if let Some(status) = server.0.try_wait()? {
            anyhow::bail!("the server exited: {status}");
        }
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the server did not come up")
}

/// One keep-alive connection (a client with one pooled connection).
fn one_connection() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .http1_only()
        .build()?)
}

async fn get(client: &reqwest::Client, url: &str, cookie: Option<&str>) -> anyhow::Result<()> {
    let mut request = client.get(url);
    if let Some(cookie) = cookie {
        request = request.header(reqwest::header::COOKIE, cookie);
    }
    let response = request.send().await?;
    anyhow::ensure!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    response.bytes().await?;
    Ok(())
}

/// The median time of one request at a time on one connection.
async fn single_request_ms(url: &str, cookie: Option<&str>) -> anyhow::Result<f64> {
    let client = one_connection()?;
    let mut times = Vec::with_capacity(SINGLE);
    for n in 0..SINGLE + 20 {
        let started = Instant::now();
        get(&client, url, cookie).await?;
        if n >= 20 {
            times.push(started.elapsed());
        }
    }
    times.sort();
    Ok(ms(times[times.len() / 2]))
}

struct Load {
    requests: usize,
    elapsed: Duration,
    p50_ms: f64,
    p99_ms: f64,
}

/// `CONNECTIONS` connections, each sending its next request as soon as the
/// last answer is read, for `RUN`.
async fn keep_alive(url: &str, cookie: Option<&str>) -> anyhow::Result<Load> {
    let started = Instant::now();
    let deadline = started + RUN;
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let client = one_connection()?;
        let url = url.to_string();
        let cookie = cookie.map(str::to_string);
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            // Warm the connection up first.
            get(&client, &url, cookie.as_deref()).await?;
            while Instant::now() < deadline {
                let at = Instant::now();
                get(&client, &url, cookie.as_deref()).await?;
                times.push(at.elapsed());
            }
            anyhow::Ok(times)
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await??);
    }
    let elapsed = started.elapsed();
    times.sort();
    Ok(Load {
        requests: times.len(),
        elapsed,
        p50_ms: ms(times[times.len() / 2]),
        p99_ms: ms(times[times.len() * 99 / 100]),
    })
}

struct Race {
    seated: usize,
    refusals: BTreeMap<String, usize>,
    p50_ms: f64,
    p99_ms: f64,
}

/// A whole team's sign-up link with a token the bench knows.
async fn share_link(
    storage: &SqliteStorage,
    token: &str,
    election: i64,
    team: i64,
    creator: i64,
) -> anyhow::Result<()> {
    storage
        .create_link(
            &NewSignupLink {
                token_hash: secrets::hash(token),
                election_id: election,
                team_id: team,
                filters: LinkFilters::default(),
                expires_at: None,
                created_by: creator,
            },
            secrets::unix_now(),
        )
        .await
        .map_err(fail)?;
    Ok(())
}

/// Leaves exactly `LAST_SEATS` seats of the demo's largest public cell open,
/// shares its team's link, and lets `TAKERS` eligible volunteers, each
/// signed in on a connection of their own, take one at the same moment.
async fn last_seats_race(
    storage: &SqliteStorage,
    base: &str,
    election: i64,
    creator: i64,
) -> anyhow::Result<Race> {
    let (team, station, day, task): (i64, i64, String, i64) = sqlx::query_as(
        "SELECT s.team_id, s.station_id, s.day, s.task_type_id FROM seats s
         JOIN task_types t ON t.id = s.task_type_id
         WHERE s.election_id = $1 AND t.trusted = 0
         GROUP BY s.team_id, s.station_id, s.day, s.task_type_id HAVING count(*) >= $2
         ORDER BY count(*) DESC LIMIT 1",
    )
    .bind(election)
    .bind(LAST_SEATS as i64)
    .fetch_optional(storage.pool())
    .await?
    .ok_or_else(|| anyhow::anyhow!("no public cell of {LAST_SEATS} seats in the demo"))?;
    let token = "bench-race-link-00000000000000000";
    share_link(storage, token, election, team, creator).await?;
    let cell: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM seats WHERE election_id = $1 AND team_id = $2 AND station_id = $3
           AND day = $4 AND task_type_id = $5 ORDER BY id",
    )
    .bind(election)
    .bind(team)
    .bind(station)
    .bind(&day)
    .bind(task)
    .fetch_all(storage.pool())
    .await?;
    // The first LAST_SEATS open, the rest of the cell filled.
    let filler: i64 = sqlx::query_scalar("SELECT min(id) FROM volunteers")
        .fetch_one(storage.pool())
        .await?;
    for (n, seat) in cell.iter().enumerate() {
        if n < LAST_SEATS {
            sqlx::query(
                "UPDATE seats SET status = 'open', volunteer_id = NULL, accepted_at = NULL,
                     invited_at = NULL, respond_by = NULL WHERE id = $1",
            )
            .bind(seat)
            .execute(storage.pool())
            .await?;
        } else {
            sqlx::query(
                "UPDATE seats SET status = 'accepted', volunteer_id = $2, accepted_at = 1
                 WHERE id = $1 AND status = 'open'",
            )
            .bind(seat)
            .bind(filler)
            .execute(storage.pool())
            .await?;
        }
    }
    // Eligible by their declaration and free that day.
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
    .await?;
    anyhow::ensure!(
        takers.len() == TAKERS,
        "only {} eligible takers",
        takers.len()
    );
    let mut clients = Vec::with_capacity(TAKERS);
    for (id, email) in &takers {
        let user = storage
            .ensure_user_with_role(email, "Taker", Role::Volunteer)
            .await
            .map_err(fail)?;
        storage.link_volunteer(user, *id).await.map_err(fail)?;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(1)
            .build()?;
        // Connected and signed in before the moment.
        let cookie = session_cookie(storage, user).await?;
        get(&client, &format!("{base}/healthz"), None).await?;
        clients.push((client, cookie));
    }
    let url = format!("{base}/api/signup/take");
    let start = Arc::new(tokio::sync::Barrier::new(TAKERS));
    let mut taps = Vec::with_capacity(TAKERS);
    for (client, cookie) in clients {
        let url = url.clone();
        let start = start.clone();
        let form = [
            ("token", token.to_string()),
            ("station_id", station.to_string()),
            ("day", day.clone()),
            ("task_type_id", task.to_string()),
        ];
        taps.push(tokio::spawn(async move {
            start.wait().await;
            let at = Instant::now();
            let response = client
                .post(&url)
                .header(reqwest::header::COOKIE, cookie)
                .header("sec-fetch-site", "same-origin")
                .form(&form)
                .send()
                .await?;
            let status = response.status();
            let body = response.text().await?;
            anyhow::Ok((at.elapsed(), status, body))
        }));
    }
    let mut seated = 0;
    let mut refusals = BTreeMap::new();
    let mut times = Vec::with_capacity(TAKERS);
    for tap in taps {
        let (took, status, body) = tap.await??;
        times.push(took);
        if status.is_success() || status.is_redirection() {
            seated += 1;
        } else {
            let error: app::domain::AppError = serde_json::from_str(&body)
                .map_err(|e| anyhow::anyhow!("an unclear refusal ({status}): {body}: {e}"))?;
            *refusals
                .entry(format!("{status} {}", error.message_key()))
                .or_insert(0) += 1;
        }
    }
    times.sort();
    Ok(Race {
        seated,
        refusals,
        p50_ms: ms(times[times.len() / 2]),
        p99_ms: ms(times[times.len() * 99 / 100]),
    })
}

/// The process's peak resident memory (VmHWM), in KB.
fn peak_rss_kb(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmHWM for the server"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
