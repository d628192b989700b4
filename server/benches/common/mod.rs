//! What the benchmarks share: the scaled demo municipality and signed-in
//! sessions made straight in storage.

use std::path::Path;
use valgvagt_server::storage::sqlite::SqliteStorage;
use valgvagt_server::{demo, secrets};

pub fn fail(e: app::domain::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e:?}")
}

/// How many times the demo municipality is loaded (BENCH_SCALE, default 10:
/// 300 stations and 20,000 volunteers).
pub fn scale() -> usize {
    std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10)
}

/// A database file with the demo at `scale`, its summary printed.
pub async fn scaled_demo(database: &Path, scale: usize) -> anyhow::Result<SqliteStorage> {
    let started = std::time::Instant::now();
    let storage = SqliteStorage::open(database).await?;
    demo::seed_defaults(&storage).await?;
    let summary = demo::load_scaled(&storage, "999", scale).await?;
    println!(
        "demo at scale {scale} ({:.0?}): {summary}",
        started.elapsed()
    );
    Ok(storage)
}

/// A fresh session of `user`, as the cookie a browser would send.
pub async fn session_cookie(storage: &SqliteStorage, user: i64) -> anyhow::Result<String> {
    use app::server::storage::AccountStore;
    let session = secrets::new_secret();
    let now = secrets::unix_now();
    storage
        .create_session(&secrets::hash(&session), user, now, now + 86_400)
        .await
        .map_err(fail)?;
    Ok(format!("vv_session={session}"))
}

/// The team with the most public seats in `election` (a cell at every
/// station): the link everyone shares on election morning.
pub async fn busiest_public_team(storage: &SqliteStorage, election: i64) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT s.team_id FROM seats s JOIN task_types t ON t.id = s.task_type_id
         WHERE s.election_id = $1 AND t.trusted = 0 GROUP BY s.team_id
         ORDER BY count(*) DESC LIMIT 1",
    )
    .bind(election)
    .fetch_one(storage.pool())
    .await?)
}

/// A sign-up link for `team` with a token the bench knows.
pub async fn share_link(
    storage: &dyn app::server::storage::SignupStore,
    token: &str,
    election: i64,
    team: i64,
    filters: app::domain::signup::LinkFilters,
    creator: i64,
) -> anyhow::Result<()> {
    storage
        .create_link(
            &app::domain::signup::NewSignupLink {
                token_hash: secrets::hash(token),
                election_id: election,
                team_id: team,
                filters,
                expires_at: None,
                created_by: creator,
            },
            secrets::unix_now(),
        )
        .await
        .map_err(fail)?;
    Ok(())
}
