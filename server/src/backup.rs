//! `valgvagt backup` and `valgvagt restore`: a consistent copy of the live
//! database while the server keeps serving, and putting one back.
//!
//! A backup is SQLite's `VACUUM INTO`: one read transaction, so the copy is
//! the database as it was at one instant even while others write. It is
//! written beside its final name and renamed only once it passed an
//! integrity check, so a half-written file never looks like a backup.
//!
//! A running server holds an exclusive lock on `<database>.lock` for as long
//! as it lives (the kernel drops it when the process dies, also on kill -9);
//! restore takes the same lock, so it cannot replace a database in use.

use anyhow::{bail, Context};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Held by a serving process: while it lives, nobody can restore over the
/// database.
#[derive(Debug)]
pub struct ServingLock {
    _file: File,
}

/// The lock file beside a database.
fn lock_path(database: &Path) -> PathBuf {
    with_suffix(database, ".lock")
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Takes the database's serving lock, or says who holds it.
pub fn lock_database(database: &Path) -> anyhow::Result<ServingLock> {
    let path = lock_path(database);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(ServingLock { _file: file }),
        Err(TryLockError::WouldBlock) => bail!(
            "a Valgvagt server is using {}; stop it first",
            database.display()
        ),
        Err(TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
}

/// What a backup or restore found in the file it checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub bytes: u64,
    /// The newest migration the file has.
    pub schema_version: i64,
    pub volunteers: i64,
    pub elections: i64,
}

impl std::fmt::Display for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} bytes, schema {}, {} volunteers, {} elections",
            self.bytes, self.schema_version, self.volunteers, self.elections
        )
    }
}

async fn connect(path: &Path) -> anyhow::Result<SqliteConnection> {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await
        .with_context(|| format!("cannot open {}", path.display()))
}

/// Checks that `path` is a whole Valgvagt database this version can run.
async fn inspect(path: &Path) -> anyhow::Result<Snapshot> {
    let mut db = connect(path).await?;
    let result = async {
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut db)
            .await
            .context("not a readable SQLite database")?;
        if check != "ok" {
            bail!("the database is damaged: {check}");
        }
        let versions: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success = 1")
                .fetch_all(&mut db)
                .await
                .context("not a Valgvagt database (it has no migrations)")?;
        let known: Vec<i64> = crate::storage::sqlite::migration_versions();
        if let Some(unknown) = versions.iter().find(|v| !known.contains(v)) {
            bail!("made by a newer Valgvagt (migration {unknown} is unknown to this one)");
        }
        let volunteers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM volunteers")
            .fetch_one(&mut db)
            .await?;
        let elections: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM elections")
            .fetch_one(&mut db)
            .await?;
        Ok((
            versions.iter().copied().max().unwrap_or(0),
            volunteers,
            elections,
        ))
    }
    .await;
    db.close().await.ok();
    let (schema_version, volunteers, elections) = result?;
    let bytes = std::fs::metadata(path)?.len();
    Ok(Snapshot {
        bytes,
        schema_version,
        volunteers,
        elections,
    })
}

/// Writes a consistent copy of `database` to `target`, which must not exist.
pub async fn backup(database: &Path, target: &Path) -> anyhow::Result<Snapshot> {
    if target.exists() {
        bail!("{} exists already; choose a new file", target.display());
    }
    if !database.exists() {
        bail!("there is no database at {}", database.display());
    }
    let partial = with_suffix(target, ".partial");
    // A partial file is only ever left by a backup that died; it is ours.
    let _ = std::fs::remove_file(&partial);
    let mut db = connect(database).await?;
    let copied = sqlx::query("VACUUM INTO ?")
        .bind(partial.to_string_lossy().to_string())
        .execute(&mut db)
        .await;
    db.close().await.ok();
    copied.with_context(|| format!("cannot write {}", partial.display()))?;
    let checked = inspect(&partial).await;
    let snapshot = match checked {
        Ok(snapshot) => snapshot,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.context("the copy failed its check"));
        }
    };
    File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, target)?;
    sync_parent(target);
    Ok(snapshot)
}

/// What a restore did.
#[derive(Debug)]
pub struct Restored {
    pub snapshot: Snapshot,
    /// Where the database that was replaced was moved, if there was one.
    pub previous: Option<PathBuf>,
}

/// Puts the backup `source` in place of `database`, which no server may be
/// using. A database already there is moved aside, never deleted.
pub async fn restore(source: &Path, database: &Path) -> anyhow::Result<Restored> {
    let snapshot = inspect(source)
        .await
        .with_context(|| format!("{} cannot be restored", source.display()))?;
    let _lock = lock_database(database)?;
    let previous = if database.exists() {
        // Fold the write-ahead log into the file, so what is moved aside is
        // the whole database.
        let mut db = connect(database).await?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut db)
            .await?;
        db.close().await?;
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let aside = with_suffix(database, &format!(".before-restore-{stamp}"));
        std::fs::rename(database, &aside)?;
        Some(aside)
    } else {
        None
    };
    for leftover in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(with_suffix(database, leftover));
    }
    let incoming = with_suffix(database, ".restoring");
    std::fs::copy(source, &incoming)
        .with_context(|| format!("cannot copy to {}", incoming.display()))?;
    File::open(&incoming)?.sync_all()?;
    std::fs::rename(&incoming, database)?;
    sync_parent(database);
    // Bring an older backup up to this version's schema now, not at the
    // next start, and leave it in the server's journal mode.
    let storage = crate::storage::sqlite::SqliteStorage::open(database).await?;
    storage.pool().close().await;
    Ok(Restored { snapshot, previous })
}

/// A rename is durable only once its directory is; best effort.
fn sync_parent(path: &Path) {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_database_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let db = dir.path().join("v.db");
        let held = lock_database(&db).expect("first lock");
        let refused = lock_database(&db).expect_err("second lock");
        assert!(refused.to_string().contains("is using"), "{refused}");
        drop(held);
        lock_database(&db).expect("free again once dropped");
    }
}
