//! `valgvagt backup` while the server writes, and `valgvagt restore` into a
//! fresh server: the same people, signed in the same way.

use crate::helpers::{spawn_app, spawn_app_with};
use crate::storage::volunteer;
use app::server::storage::VolunteerStore;
use reqwest::StatusCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use valgvagt_server::backup;

fn person(n: usize) -> app::domain::volunteers::NewVolunteer {
    let mut new = volunteer(&format!("person{n}@example.dk"));
    new.name = format!("Person Nummer{n}");
    new
}

#[tokio::test]
async fn a_backup_taken_during_writes_restores_into_a_server_that_shows_the_same_people() {
    // `valgvagt backup` is for SQLite files; PostgreSQL runs skip it.
    if crate::helpers::postgres_url().is_some() {
        return;
    }
    let app = spawn_app().await;
    app.sign_in_admin().await;
    let first = app.storage.create_volunteer(&person(0)).await.unwrap();

    // Someone keeps registering people while the backup runs.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let storage = app.storage.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut n = 1;
            while !stop.load(Ordering::Relaxed) {
                storage.create_volunteer(&person(n)).await.expect("write");
                n += 1;
            }
            n
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.db");
    let snapshot = backup::backup(app.config.database.file().unwrap(), &file)
        .await
        .expect("backup");
    stop.store(true, Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(file.exists());
    assert!(!dir.path().join("copy.db.partial").exists());
    assert!(
        snapshot.volunteers >= 2 && (snapshot.volunteers as usize) <= written,
        "a snapshot between the first write and the last: {snapshot} of {written}"
    );
    // A second backup to the same name is refused, the first kept.
    let again = backup::backup(app.config.database.file().unwrap(), &file).await;
    assert!(again.is_err());

    // The running server's database cannot be restored over.
    let refused = backup::restore(&file, app.config.database.file().unwrap())
        .await
        .expect_err("the server is running");
    assert!(refused.to_string().contains("stop it first"), "{refused}");

    // A fresh server on the restored file.
    let target_dir = tempfile::tempdir().unwrap();
    let target = target_dir.path().join("restored.db");
    let restored = backup::restore(&file, &target).await.expect("restore");
    assert_eq!(restored.snapshot, snapshot);
    assert!(restored.previous.is_none());
    let fresh =
        spawn_app_with(&[("VALGVAGT_DATABASE", target.to_string_lossy().to_string())]).await;
    assert_eq!(
        fresh.storage.count_volunteers().await.unwrap(),
        snapshot.volunteers
    );
    fresh.sign_in_admin().await;
    let page = fresh
        .client
        .get(format!("{}/volunteers/{first}", fresh.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Person Nummer0"));
}

#[tokio::test]
async fn restore_refuses_a_damaged_file_and_keeps_the_database_it_would_replace() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("v.db");
    // A stopped server's database, with one person.
    {
        let storage = valgvagt_server::storage::sqlite::SqliteStorage::open(&database)
            .await
            .unwrap();
        storage.create_volunteer(&person(1)).await.unwrap();
        storage.pool().close().await;
    }
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, b"SQLite format 3\0 but not really").unwrap();
    assert!(backup::restore(&garbage, &database).await.is_err());
    let not_valgvagt = dir.path().join("other.db");
    {
        use sqlx::{ConnectOptions, Connection};
        let mut other = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&not_valgvagt)
            .create_if_missing(true)
            .connect()
            .await
            .unwrap();
        sqlx::query("CREATE TABLE notes (x TEXT)")
            .execute(&mut other)
            .await
            .unwrap();
        other.close().await.unwrap();
    }
    let refused = backup::restore(&not_valgvagt, &database).await.unwrap_err();
    assert!(
        format!("{refused:#}").contains("not a Valgvagt database"),
        "{refused:#}"
    );

    // A good backup replaces it, and the replaced one is moved aside whole.
    let copy = dir.path().join("copy.db");
    backup::backup(&database, &copy).await.unwrap();
    {
        let storage = valgvagt_server::storage::sqlite::SqliteStorage::open(&database)
            .await
            .unwrap();
        storage.create_volunteer(&person(2)).await.unwrap();
        storage.pool().close().await;
    }
    let restored = backup::restore(&copy, &database).await.unwrap();
    assert_eq!(restored.snapshot.volunteers, 1);
    let previous = restored.previous.expect("moved aside");
    let aside = valgvagt_server::storage::sqlite::SqliteStorage::open(&previous)
        .await
        .unwrap();
    assert_eq!(aside.count_volunteers().await.unwrap(), 2);
    let now = valgvagt_server::storage::sqlite::SqliteStorage::open(&database)
        .await
        .unwrap();
    assert_eq!(now.count_volunteers().await.unwrap(), 1);
}
