//! The same demo municipality on SQLite and on PostgreSQL reads the same:
//! ids, names in their order, dates and times, counts, case-blind search.
//! Runs in the PostgreSQL pass (it needs both).

use crate::helpers::{fresh_database, postgres_url};
use app::domain::register::{RegisterFilter, RegisterScope};
use serde::Serialize;
use valgvagt_server::storage::postgres::PostgresStorage;
use valgvagt_server::storage::sqlite::SqliteStorage;
use valgvagt_server::storage::Backend;

/// `value` as JSON without the moments it was written at (each load writes
/// its own `now`), so that what is left must be equal.
fn timeless<T: Serialize>(value: &T) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.retain(|key, _| !key.ends_with("_at") && key != "respond_by");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut json = serde_json::to_value(value).expect("serialisable");
    strip(&mut json);
    json
}

async fn demo(storage: &dyn Backend) {
    valgvagt_server::demo::seed_defaults(storage).await.unwrap();
    valgvagt_server::demo::load_scaled(storage, "999", 1)
        .await
        .expect("the demo loads");
}

#[tokio::test]
async fn the_demo_reads_the_same_on_both_backends() {
    if postgres_url().is_none() {
        eprintln!("comparing backends needs PostgreSQL: it runs in the PostgreSQL pass");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStorage::open(&dir.path().join("demo.db"))
        .await
        .unwrap();
    let postgres = PostgresStorage::open(&fresh_database(dir.path()).await)
        .await
        .unwrap();
    demo(&sqlite).await;
    demo(&postgres).await;
    let both: [&dyn Backend; 2] = [&sqlite, &postgres];

    macro_rules! same {
        ($what:expr, |$s:ident| $read:expr) => {{
            let mut read = Vec::new();
            for $s in both {
                read.push(timeless(&$read.await.unwrap()));
            }
            assert_eq!(read[0], read[1], "{} differs", $what);
            assert!(
                !matches!(&read[0], serde_json::Value::Array(a) if a.is_empty()),
                "{} is empty",
                $what
            );
        }};
    }
    same!("election types", |s| s.list_election_types());
    same!("elections", |s| s.list_elections());
    same!("areas", |s| s.list_areas());
    same!("stations", |s| s.list_stations());
    same!("task types", |s| s.list_task_types());
    same!("teams", |s| s.list_teams());
    same!("diets", |s| s.list_diets());
    let election = both[0].list_elections().await.unwrap()[0].id;
    same!("election days", |s| s.election_days(election));
    same!("the board", |s| s.board_counts(election, None, None, None));
    for station in [1, 2, 17, 30] {
        same!(format!("station {station}'s roster"), |s| s
            .station_roster(election, station));
    }
    for volunteer in [1, 2, 500, 1999] {
        same!(format!("volunteer {volunteer}"), |s| s
            .get_volunteer(volunteer));
    }
    // The register: name order, case-blind search, paging and counts.
    for text in ["", "hansen", "HANSEN", "@example", "2"] {
        for page in [1, 3] {
            let filter = RegisterFilter {
                text: text.to_string(),
                page,
                ..Default::default()
            };
            same!(format!("the register for {text:?}, page {page}"), |s| s
                .search_register(&filter, &RegisterScope::All));
        }
    }
}
