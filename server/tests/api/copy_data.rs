//! `valgvagt copy-data`: a municipality moves between SQLite and
//! PostgreSQL. Runs in the PostgreSQL pass of the test command (it needs
//! both ends).

use crate::helpers::{fresh_database, postgres_url, spawn_app};
use crate::setup::{make_area, make_station};
use valgvagt_server::config::Database;
use valgvagt_server::storage::copy::{copy_data, Copied, LEFT_OUT, TABLES};

fn rows_of(copied: &[Copied], table: &str) -> u64 {
    copied
        .iter()
        .find(|c| c.table == table)
        .map(|c| c.rows)
        .unwrap_or_default()
}

#[tokio::test]
async fn a_municipality_moves_to_sqlite_and_back_with_every_row() {
    if postgres_url().is_none() {
        eprintln!("copy-data needs PostgreSQL: it runs in the PostgreSQL pass");
        return;
    }
    let app = spawn_app().await;
    app.sign_in_admin().await;
    valgvagt_server::demo::load_scaled(app.storage.as_ref(), &app.config.municipality_code, 1)
        .await
        .expect("demo data");
    let area = make_area(&app, "Flyttet område").await;
    make_station(&app, &area, "Flyttet skole").await;

    let dir = tempfile::tempdir().unwrap();
    let file = Database::Sqlite(dir.path().join("moved.db"));
    let there = copy_data(&app.config.database, &file)
        .await
        .expect("to SQLite");
    let back_url = Database::parse(&fresh_database(dir.path()).await);
    let back = copy_data(&file, &back_url)
        .await
        .expect("back to PostgreSQL");

    // Every table, in both directions, with the same rows and checksums.
    assert_eq!(there.len(), TABLES.len());
    assert_eq!(there, back);
    for table in [
        "volunteers",
        "seats",
        "users",
        "sessions",
        "audit_log",
        "stations",
    ] {
        assert!(rows_of(&there, table) > 0, "{table} was copied empty");
    }

    // The copy is a working database: new rows get new ids after the
    // copied ones, and the office's data reads the same.
    let original = valgvagt_server::storage::open(&app.config.database, Default::default())
        .await
        .unwrap();
    let copy = valgvagt_server::storage::open(&back_url, Default::default())
        .await
        .unwrap();
    assert_eq!(
        original.list_areas().await.unwrap(),
        copy.list_areas().await.unwrap()
    );
    assert_eq!(
        original.list_stations().await.unwrap(),
        copy.list_stations().await.unwrap()
    );
    assert_eq!(
        original.get_volunteer(1).await.unwrap(),
        copy.get_volunteer(1).await.unwrap()
    );
    let Database::Postgres(url) = &back_url else {
        unreachable!()
    };
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let max: i64 = sqlx::query_scalar("SELECT max(id) FROM areas")
        .fetch_one(&pool)
        .await
        .unwrap();
    let new: i64 =
        sqlx::query_scalar("INSERT INTO areas (name, description) VALUES ('Ny', '') RETURNING id")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(new > max, "{new} after {max}");
}

#[tokio::test]
async fn a_target_with_data_or_a_source_from_a_newer_version_is_refused() {
    if postgres_url().is_none() {
        eprintln!("copy-data needs PostgreSQL: it runs in the PostgreSQL pass");
        return;
    }
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let dir = tempfile::tempdir().unwrap();

    // Into a database that has data: refused, and the data is as it was.
    let full = Database::Sqlite(dir.path().join("full.db"));
    copy_data(&app.config.database, &full)
        .await
        .expect("a first copy");
    let again = copy_data(&app.config.database, &full).await.unwrap_err();
    assert!(again.to_string().contains("not empty"), "{again}");
    let Database::Sqlite(path) = &full else {
        unreachable!()
    };
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 1);

    // A table this version does not know (a newer version's) is not left
    // behind silently.
    sqlx::query("CREATE TABLE from_the_future (id INTEGER)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let target = Database::parse(&fresh_database(dir.path()).await);
    let newer = copy_data(&full, &target).await.unwrap_err();
    assert!(newer.to_string().contains("from_the_future"), "{newer}");

    // Same kind on both ends: the tools for that are named.
    let same = copy_data(&full, &Database::Sqlite(dir.path().join("other.db")))
        .await
        .unwrap_err();
    assert!(same.to_string().contains("backup"), "{same}");
    assert!(LEFT_OUT.iter().all(|t| !TABLES.contains(t)));
}
