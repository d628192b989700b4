//! The pages' budgets at a large municipality's size: the demo scaled to
//! 300 stations and 20,000 volunteers (`--scale 10`; set BENCH_SCALE to
//! change it), with the real server on loopback.
//! - Whole server-side renders of "my shifts" for a signed-in volunteer and
//!   of shift links' pages: median and 95th percentile of 200 requests
//!   each; the budget is 20 ms at the median.
//! - The gap board's first render: budget 50 ms at the median.
//! - The page a personal answer link opens (no session): budget 5 ms.
//! - A search of the participant register (its server function, as the
//!   page calls it while someone types): budget 20 ms at the median.
//! - 200 open boards (live event streams): the server's extra memory
//!   (budget 100 MB) and how long a seat change takes to reach every one
//!   of them (budget 500 ms).
//!
//! Run: `cargo bench -p server --bench pages`.

use app::domain::signup::LinkFilters;
use app::server::storage::{AccountStore, AnswerStore, ElectionStore, SeatStore, VolunteerStore};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use valgvagt_server::config::Config;
use valgvagt_server::storage::sqlite::SqliteStorage;
use valgvagt_server::{secrets, startup};

const REQUESTS: usize = 200;
const BUDGET_MS: f64 = 20.0;
const BOARD_BUDGET_MS: f64 = 50.0;
const ANSWER_BUDGET_MS: f64 = 5.0;
const BOARDS: usize = 200;

mod common;
use common::fail;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let database = dir.path().join("bench.db");
    drop(common::scaled_demo(&database, common::scale()).await?);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let env: HashMap<String, String> = [
        ("VALGVAGT_DATABASE", database.to_string_lossy().to_string()),
        ("VALGVAGT_BIND", addr.to_string()),
        (
            "VALGVAGT_PUBLIC_URL",
            format!("http://localhost:{}", addr.port()),
        ),
        (
            "LEPTOS_SITE_ROOT",
            dir.path().join("site").to_string_lossy().to_string(),
        ),
        ("VALGVAGT_OUTBOX_WORKER", "false".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let config = Config::from_layers(&HashMap::new(), &env)?;
    let _running = startup::start(&config, listener).await?;
    let storage = SqliteStorage::open(&database).await?;
    let base = format!("http://{addr}");

    // A volunteer with a shift, signed in.
    let mut volunteer = None;
    for id in 1..=200 {
        if !storage.volunteer_seats(id).await.map_err(fail)?.is_empty() {
            volunteer = Some(storage.get_volunteer(id).await.map_err(fail)?);
            break;
        }
    }
    let volunteer = volunteer.ok_or_else(|| anyhow::anyhow!("no volunteer holds a seat"))?;
    let user = storage
        .ensure_user_with_role(
            &volunteer.email,
            &volunteer.name,
            app::domain::accounts::Role::Volunteer,
        )
        .await
        .map_err(fail)?;
    storage
        .link_volunteer(user, volunteer.id)
        .await
        .map_err(fail)?;
    let signed_in = signed_in_as(&storage, user).await?;
    let now = secrets::unix_now();

    // Links: the whole team with the most public seats (a cell at every
    // station), and one narrowed to a single station.
    let election = storage.list_elections().await.map_err(fail)?[0].id;
    let team = common::busiest_public_team(&storage, election).await?;
    let station: i64 =
        sqlx::query_scalar("SELECT station_id FROM seats WHERE election_id = $1 AND team_id = $2")
            .bind(election)
            .bind(team)
            .fetch_one(storage.pool())
            .await?;
    let whole = "bench-whole-team-link-0000000000";
    let narrow = "bench-one-station-link-000000000";
    for (token, filters) in [
        (whole, LinkFilters::default()),
        (
            narrow,
            LinkFilters {
                stations: vec![station],
                ..Default::default()
            },
        ),
    ] {
        common::share_link(&storage, token, election, team, filters, user).await?;
    }
    let anonymous = reqwest::Client::new();
    let coordinator = storage
        .ensure_user_with_role(
            "koordinator.bench@example.dk",
            "Bench",
            app::domain::accounts::Role::Coordinator,
        )
        .await
        .map_err(fail)?;
    let coordinator = signed_in_as(&storage, coordinator).await?;
    // An invitation's answer link, as its message would carry it.
    let (invited_seat, invited): (i64, i64) = sqlx::query_as(
        "SELECT id, volunteer_id FROM seats WHERE election_id = $1 AND status = 'invited' LIMIT 1",
    )
    .bind(election)
    .fetch_one(storage.pool())
    .await?;
    let answer = secrets::new_short_secret();
    storage
        .create_answer_link(&secrets::hash(&answer), invited_seat, invited, now)
        .await
        .map_err(fail)?
        .ok_or_else(|| anyhow::anyhow!("the invitation has no live offer"))?;

    println!("{REQUESTS} requests each, after 20 to warm up; budget {BUDGET_MS} ms at the median");
    let mut over = Vec::new();
    for (label, client, path, expect, budget) in [
        (
            "my shifts",
            &signed_in,
            "/my-shifts".to_string(),
            "Mine vagter",
            BUDGET_MS,
        ),
        (
            "shift link, whole team",
            &anonymous,
            format!("/join/{whole}"),
            "Tag vagten",
            BUDGET_MS,
        ),
        (
            "shift link, one station",
            &anonymous,
            format!("/join/{narrow}"),
            "roster-line",
            BUDGET_MS,
        ),
        (
            "answer link page",
            &anonymous,
            format!("/answer/{answer}"),
            "Ja tak",
            ANSWER_BUDGET_MS,
        ),
        (
            "gap board, 300 stations",
            &coordinator,
            format!("/board?election={election}"),
            "gap-missing",
            BOARD_BUDGET_MS,
        ),
    ] {
        let url = format!("{base}{path}");
        let mut times = Vec::with_capacity(REQUESTS);
        let mut bytes = 0;
        for n in 0..REQUESTS + 20 {
            let started = Instant::now();
            let response = client.get(&url).send().await?;
            anyhow::ensure!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            let body = response.text().await?;
            let took = started.elapsed();
            anyhow::ensure!(body.contains(expect), "{path} does not show {expect:?}");
            if n == 0 {
                if let Ok(dump) = std::env::var("BENCH_DUMP") {
                    std::fs::write(format!("{dump}/{}.html", label.replace(' ', "_")), &body)?;
                }
            }
            if n >= 20 {
                times.push(took);
                bytes = body.len();
            }
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let median = ms(times[times.len() / 2]);
        let p95 = ms(times[times.len() * 95 / 100]);
        println!(
            "{label:<26} median {median:6.2} ms   p95 {p95:6.2} ms   max {:6.2} ms   {} KB  {}",
            ms(times[times.len() - 1]),
            bytes / 1024,
            if median <= budget {
                "within budget"
            } else {
                "OVER BUDGET"
            }
        );
        if median > budget {
            over.push(label.to_string());
        }
    }

    // The register, searched as the office types: a name part, a phone
    // fragment, a filter with no text, and a page far down the list.
    for (label, form) in [
        ("register: name \"jens\"", vec![("query[q]", "jens")]),
        ("register: phone \"20 3\"", vec![("query[q]", "20 3")]),
        ("register: no seat", vec![("query[seat]", "no_seat")]),
        (
            "register: page 200",
            vec![("query[q]", ""), ("query[page]", "200")],
        ),
    ] {
        let url = format!("{base}/api/volunteers/register");
        let mut times = Vec::with_capacity(REQUESTS);
        let mut total = 0;
        for n in 0..REQUESTS + 20 {
            let started = Instant::now();
            let response = coordinator.post(&url).form(&form).send().await?;
            anyhow::ensure!(
                response.status().is_success(),
                "{label}: {}",
                response.status()
            );
            let body: serde_json::Value = response.json().await?;
            let took = started.elapsed();
            if n >= 20 {
                times.push(took);
                total = body["page"]["total"].as_i64().unwrap_or_default();
            }
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let median = ms(times[times.len() / 2]);
        println!(
            "{label:<26} median {median:6.2} ms   p95 {:6.2} ms   {total} matches  {}",
            ms(times[times.len() * 95 / 100]),
            if median <= BUDGET_MS {
                "within budget"
            } else {
                "OVER BUDGET"
            }
        );
        if median > BUDGET_MS {
            over.push(label.to_string());
        }
    }

    // 200 open boards, each an event stream, read as a browser would.
    let memory_before = resident_kb()?;
    let url = format!("{base}/board/events?election={election}");
    let (arrived, mut arrivals) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    for _ in 0..BOARDS {
        let mut stream = coordinator.get(&url).send().await?;
        anyhow::ensure!(stream.status().is_success(), "events: {}", stream.status());
        let arrived = arrived.clone();
        tokio::spawn(async move {
            let mut events = 0;
            while let Ok(Some(chunk)) = stream.chunk().await {
                events += String::from_utf8_lossy(&chunk)
                    .matches("event: seats")
                    .count();
                // The first event is the greeting; the next one a change.
                if events >= 2 {
                    let _ = arrived.send(Instant::now());
                    return;
                }
            }
        });
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let memory = resident_kb()?.saturating_sub(memory_before);
    let open: i64 = sqlx::query_scalar(
        "SELECT id FROM seats WHERE election_id = $1 AND status = 'open' LIMIT 1",
    )
    .bind(election)
    .fetch_one(storage.pool())
    .await?;
    let changed = Instant::now();
    sqlx::query(
        "UPDATE seats SET status = 'accepted', volunteer_id = $2, accepted_at = 1 WHERE id = $1",
    )
    .bind(open)
    .bind(volunteer.id)
    .execute(storage.pool())
    .await?;
    let mut last = changed;
    for _ in 0..BOARDS {
        let at = tokio::time::timeout(Duration::from_secs(5), arrivals.recv())
            .await?
            .ok_or_else(|| anyhow::anyhow!("a board stopped listening"))?;
        last = last.max(at);
    }
    let reach = (last - changed).as_secs_f64() * 1000.0;
    println!(
        "{BOARDS} open boards: {:.1} MB more memory (budget 100 MB); a change reached all of them in {reach:.0} ms (budget 500 ms)",
        memory as f64 / 1024.0
    );
    if memory > 100 * 1024 {
        over.push("memory of open boards".into());
    }
    if reach > 500.0 {
        over.push("live update".into());
    }
    anyhow::ensure!(over.is_empty(), "over budget: {over:?}");
    Ok(())
}

/// This process's resident memory (the server runs in it), in KB.
fn resident_kb() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmRSS in /proc/self/status"))
}

/// A browser with a fresh session of `user`.
async fn signed_in_as(storage: &SqliteStorage, user: i64) -> anyhow::Result<reqwest::Client> {
    let cookie = common::session_cookie(storage, user).await?;
    Ok(reqwest::Client::builder()
        .default_headers(
            [
                (reqwest::header::COOKIE, cookie.parse()?),
                // As a browser marks a request from the site's own page.
                ("sec-fetch-site".parse()?, "same-origin".parse()?),
            ]
            .into_iter()
            .collect(),
        )
        .build()?)
}
