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
//! And what the targets stand on: a page that reads nothing, anonymous and
//! signed in (then its one statement is the session read), the server's
//! memory at the start and with the takers' connections open before anyone
//! taps, and the same 1,000 people calling at once a server function that
//! reads nothing but the session.
//!
//! Prints the figures; exits non-zero only when the run itself fails (a
//! wrong answer, not a slow one). Run: `cargo bench -p server --bench throughput`.

use app::domain::accounts::Role;
use app::server::storage::{AccountStore, ElectionStore};
use valgvagt_server::storage::sqlite::SqliteStorage;

const TAKERS: usize = 1000;
const LAST_SEATS: usize = 10;

mod common;
#[path = "common/load.rs"]
mod load;
use common::{fail, session_cookie};
use load::{keep_alive, peak_rss_kb, rss_kb, single_request_ms, Server, Tap, CONNECTIONS, RUN};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let database = dir.path().join("bench.db");
    let storage = common::scaled_demo(&database, common::scale()).await?;

    let server = Server::start(&dir.path().join("site"), &database.to_string_lossy(), &[]).await?;
    let pid = server.pid();
    let base = server.base.clone();
    let (resident, code) = rss_kb(pid)?;
    println!(
        "server resident at start: {:.1} MB, of which {:.1} MB its code mapped from the binary",
        resident as f64 / 1024.0,
        code as f64 / 1024.0
    );

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
    common::share_link(&storage, token, election, team, Default::default(), user).await?;

    println!(
        "\nkeep-alive throughput, {CONNECTIONS} connections for {}s each; single = one request at a time",
        RUN.as_secs()
    );
    for (label, path, cookie, target) in [
        (
            "/my-shifts",
            "/my-shifts".to_string(),
            Some(volunteer.clone()),
            Some(4500.0),
        ),
        ("/join/:token", format!("/join/{token}"), None, None),
        ("/signin", "/signin".to_string(), None, Some(3000.0)),
        // No page and no database: what any request costs on this machine.
        ("/healthz", "/healthz".to_string(), None, None),
        // A page that reads nothing, then the same page signed in: the
        // session read is its one statement, the least a personal page costs.
        ("/accessibility", "/accessibility".to_string(), None, None),
        (
            "/accessibility signed in",
            "/accessibility".to_string(),
            Some(volunteer.clone()),
            None,
        ),
        (
            "/board (300 stations)",
            format!("/board?election={election}"),
            Some(coordinator.clone()),
            None,
        ),
    ] {
        let url = format!("{base}{path}");
        let single = single_request_ms(&url, cookie.as_deref()).await?;
        let load = keep_alive(std::slice::from_ref(&url), cookie.as_deref()).await?;
        let rate = load.rate();
        let p99_ok = load.p99_ms <= 2.0 * single;
        println!(
            "{label:<26} {rate:7.0} req/s   p50 {:6.2} ms   p99 {:6.2} ms   single {single:5.2} ms   peak {:5.1} MB   {}{}",
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

    let (takes, form) = last_seats(&storage, &base, election, user).await?;
    let mut connected = 0;
    let race = load::race(takes.clone(), Tap::Take(&form), || {
        connected = rss_kb(pid)?.0;
        Ok(())
    })
    .await?;
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
    println!(
        "server resident with the {TAKERS} takers' connections open, before anyone tapped: {:.1} MB",
        connected as f64 / 1024.0
    );
    let peak = peak_rss_kb(pid)?;
    println!(
        "server peak resident memory over the run: {:.1} MB (target < 50 MB) {}",
        peak as f64 / 1024.0,
        if peak < 50 * 1024 { "met" } else { "MISSED" }
    );
    // The same people at the same moment, each asking for the badge of the
    // tab bar, which reads nothing but the session: the least a burst of
    // signed-in calls costs (after the peak above, which it would change).
    let floor = load::race(takes, Tap::Call("/api/shifts/waiting"), || Ok(())).await?;
    println!(
        "{TAKERS} signed-in calls that read only the session, at once: p50 {:.1} ms, p99 {:.1} ms",
        floor.p50_ms, floor.p99_ms
    );
    Ok(())
}

/// Leaves exactly `LAST_SEATS` seats of the demo's largest public cell open,
/// shares its team's link, and signs in `TAKERS` eligible volunteers (each
/// to race on a connection of their own): their server and cookie, and the
/// form that takes a seat of the cell.
async fn last_seats(
    storage: &SqliteStorage,
    base: &str,
    election: i64,
    creator: i64,
) -> anyhow::Result<(Vec<(String, String)>, Vec<(&'static str, String)>)> {
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
    common::share_link(storage, token, election, team, Default::default(), creator).await?;
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
    let mut takes = Vec::with_capacity(TAKERS);
    for (id, email) in &takers {
        let user = storage
            .ensure_user_with_role(email, "Taker", Role::Volunteer)
            .await
            .map_err(fail)?;
        storage.link_volunteer(user, *id).await.map_err(fail)?;
        takes.push((base.to_string(), session_cookie(storage, user).await?));
    }
    let form = vec![
        ("token", token.to_string()),
        ("station_id", station.to_string()),
        ("day", day.clone()),
        ("task_type_id", task.to_string()),
    ];
    Ok((takes, form))
}
