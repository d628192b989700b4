//! `valgvagt copy-data`: moves a municipality's whole database from SQLite
//! to PostgreSQL or back. Both ends are brought to this version's schema
//! first; the target must be empty. The source is read in one snapshot and
//! the target written in one transaction, which commits only when every
//! table's row count and checksum read back from the target equal the
//! source's.
//!
//! Values travel as text in one canonical form per column type (the
//! PostgreSQL end's catalogue says which type), so the checksum of a table
//! is the same on both backends when the data is.

use crate::config::Database;
use anyhow::{anyhow, bail, Context};
use sha2::{Digest, Sha256};
use sqlx::{Postgres, Row, Sqlite, Transaction};
use std::collections::BTreeSet;

/// The tables copied, in an order where every row's references are already
/// there (the PostgreSQL schema's order).
pub const TABLES: &[&str] = &[
    "election_types",
    "elections",
    "areas",
    "stations",
    "election_stations",
    "task_types",
    "teams",
    "diets",
    "volunteers",
    "volunteer_diets",
    "volunteer_cpr",
    "volunteer_payroll_numbers",
    "seats",
    "seat_history",
    "users",
    "user_roles",
    "sign_in_tokens",
    "sessions",
    "rate_events",
    "passkeys",
    "ceremonies",
    "audit_log",
    "coordinator_areas",
    "managed_stations",
    "led_teams",
    "team_members",
    "server_keys",
    "push_subscriptions",
    "outbox",
    "outbox_attempts",
    "message_templates",
    "calendar_feeds",
    "standby",
    "email_changes",
    "board_versions",
    "cover_calls",
    "cover_offers",
    "sign_in_codes",
    "answer_links",
    "registration_holds",
    "volunteer_notes",
    "signup_links",
    "privacy_texts",
    "station_versions",
    "volunteer_versions",
    "checkin_marks",
    "eligibility_flags",
];

/// Tables kept by triggers from the others: the target's own rows (made
/// while the others were copied) give way to the source's.
const DERIVED: &[&str] = &["board_versions", "station_versions", "volunteer_versions"];

/// Tables not copied: which server runs a job now belongs to the servers
/// of each database, not to the data.
pub const LEFT_OUT: &[&str] = &["job_leases"];

/// Rows sent in one INSERT.
const ROWS_PER_INSERT: usize = 200;

/// What one table came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub table: &'static str,
    pub rows: u64,
    /// Order-blind: the wrapping sum of each row's hash.
    pub checksum: u64,
}

/// How a column's values are written as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Real,
    Boolean,
    Date,
    Time,
    Text,
}

impl Kind {
    fn of(pg_type: &str) -> anyhow::Result<Kind> {
        Ok(match pg_type {
            "bigint" | "integer" | "smallint" => Kind::Integer,
            "double precision" | "real" => Kind::Real,
            "boolean" => Kind::Boolean,
            "date" => Kind::Date,
            "time without time zone" => Kind::Time,
            "text" | "character varying" => Kind::Text,
            other => bail!("copy-data does not know the column type {other}"),
        })
    }

    /// The one form both ends agree on.
    fn canonical(self, text: String) -> String {
        match self {
            Kind::Real => text.parse::<f64>().map(|f| f.to_string()).unwrap_or(text),
            Kind::Boolean => match text.as_str() {
                "t" | "true" | "1" => "1".into(),
                "f" | "false" | "0" => "0".into(),
                _ => text,
            },
            Kind::Time => ["%H:%M:%S%.f", "%H:%M"]
                .iter()
                .find_map(|f| chrono::NaiveTime::parse_from_str(&text, f).ok())
                .map(|t| t.format("%H:%M:%S%.f").to_string())
                .unwrap_or(text),
            Kind::Integer | Kind::Date | Kind::Text => text,
        }
    }
}

#[derive(Debug, Clone)]
struct Column {
    name: String,
    pg_type: String,
    kind: Kind,
    identity: bool,
}

type Values = Vec<Option<String>>;

/// One end of the copy, in its transaction.
enum End {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl End {
    async fn open(database: &Database, source: bool) -> anyhow::Result<End> {
        Ok(match database {
            Database::Sqlite(path) => {
                if source && !path.exists() {
                    bail!("{} does not exist", path.display());
                }
                let storage = super::sqlite::SqliteStorage::open(path).await?;
                End::Sqlite(storage.pool().begin().await?)
            }
            Database::Postgres(url) => {
                let storage = super::postgres::PostgresStorage::open(url).await?;
                let mut tx = storage.pool().begin().await?;
                if source {
                    // One snapshot of everything, also while servers write.
                    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                        .execute(&mut *tx)
                        .await?;
                }
                End::Postgres(tx)
            }
        })
    }

    async fn tables(&mut self) -> anyhow::Result<BTreeSet<String>> {
        let names: Vec<String> = match self {
            End::Sqlite(tx) => {
                sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table'
                     AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations'",
                )
                .fetch_all(&mut **tx)
                .await?
            }
            End::Postgres(tx) => {
                sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
                     AND table_name <> '_sqlx_migrations'",
                )
                .fetch_all(&mut **tx)
                .await?
            }
        };
        Ok(names.into_iter().collect())
    }

    /// The table's columns as PostgreSQL declares them (PostgreSQL only).
    async fn pg_columns(&mut self, table: &str) -> anyhow::Result<Vec<Column>> {
        let End::Postgres(tx) = self else {
            bail!("column types come from the PostgreSQL end");
        };
        let rows = sqlx::query(
            "SELECT column_name::text, data_type::text, is_identity::text
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1
             ORDER BY ordinal_position",
        )
        .bind(table)
        .fetch_all(&mut **tx)
        .await?;
        rows.iter()
            .map(|row| {
                let pg_type: String = row.try_get(1)?;
                Ok(Column {
                    name: row.try_get(0)?,
                    kind: Kind::of(&pg_type).with_context(|| format!("in table {table}"))?,
                    pg_type,
                    identity: row.try_get::<String, _>(2)? == "YES",
                })
            })
            .collect()
    }

    async fn column_names(&mut self, table: &str) -> anyhow::Result<BTreeSet<String>> {
        let names: Vec<String> = match self {
            End::Sqlite(tx) => {
                sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
                    .bind(table)
                    .fetch_all(&mut **tx)
                    .await?
            }
            End::Postgres(_) => self
                .pg_columns(table)
                .await?
                .into_iter()
                .map(|c| c.name)
                .collect(),
        };
        Ok(names.into_iter().collect())
    }

    async fn count(&mut self, table: &str) -> anyhow::Result<i64> {
        let sql = format!("SELECT count(*) FROM {table}");
        Ok(match self {
            End::Sqlite(tx) => sqlx::query_scalar(&sql).fetch_one(&mut **tx).await?,
            End::Postgres(tx) => sqlx::query_scalar(&sql).fetch_one(&mut **tx).await?,
        })
    }

    /// Every row of `table`, each value in its canonical text.
    async fn rows(&mut self, table: &str, columns: &[Column]) -> anyhow::Result<Vec<Values>> {
        let select = |cast: &dyn Fn(&Column) -> String| {
            let list: Vec<String> = columns.iter().map(cast).collect();
            format!("SELECT {} FROM {table}", list.join(", "))
        };
        let raw: Vec<Values> = match self {
            End::Sqlite(tx) => {
                let sql = select(&|c| match c.kind {
                    Kind::Real => c.name.clone(),
                    _ => format!("CAST({} AS TEXT)", c.name),
                });
                let rows = sqlx::query(&sql).fetch_all(&mut **tx).await?;
                rows.iter()
                    .map(|r| texts(r, columns))
                    .collect::<Result<_, _>>()?
            }
            End::Postgres(tx) => {
                let sql = select(&|c| match c.kind {
                    Kind::Boolean => format!("({})::int::text", c.name),
                    Kind::Real => format!("({})::float8", c.name),
                    _ => format!("({})::text", c.name),
                });
                let rows = sqlx::query(&sql).fetch_all(&mut **tx).await?;
                rows.iter()
                    .map(|r| texts(r, columns))
                    .collect::<Result<_, _>>()?
            }
        };
        Ok(raw
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .zip(columns)
                    .map(|(value, column)| value.map(|v| column.kind.canonical(v)))
                    .collect()
            })
            .collect())
    }

    async fn insert(
        &mut self,
        table: &str,
        columns: &[Column],
        rows: &[Values],
    ) -> anyhow::Result<()> {
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let mut sql = format!("INSERT INTO {table} ({}) VALUES ", names.join(", "));
            let mut n = 0;
            for (i, _) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                let params: Vec<String> = columns
                    .iter()
                    .map(|c| {
                        n += 1;
                        match self {
                            End::Sqlite(_) => format!("${n}"),
                            End::Postgres(_) => format!("CAST(${n} AS {})", c.pg_type),
                        }
                    })
                    .collect();
                sql.push_str(&format!("({})", params.join(", ")));
            }
            match self {
                End::Sqlite(tx) => {
                    let mut query = sqlx::query(&sql);
                    for row in chunk {
                        for (value, column) in row.iter().zip(columns) {
                            query = match (column.kind, value) {
                                (_, None) => query.bind(None::<String>),
                                (Kind::Integer | Kind::Boolean, Some(v)) => {
                                    query.bind(v.parse::<i64>().with_context(|| {
                                        format!("{table}.{} = {v:?}", column.name)
                                    })?)
                                }
                                (Kind::Real, Some(v)) => {
                                    query.bind(v.parse::<f64>().with_context(|| {
                                        format!("{table}.{} = {v:?}", column.name)
                                    })?)
                                }
                                (_, Some(v)) => query.bind(v.clone()),
                            };
                        }
                    }
                    query.execute(&mut **tx).await?;
                }
                End::Postgres(tx) => {
                    let mut query = sqlx::query(&sql);
                    for row in chunk {
                        for value in row {
                            query = query.bind(value.clone());
                        }
                    }
                    query.execute(&mut **tx).await?;
                }
            }
        }
        Ok(())
    }

    async fn clear(&mut self, table: &str) -> anyhow::Result<()> {
        let sql = format!("DELETE FROM {table}");
        match self {
            End::Sqlite(tx) => {
                sqlx::query(&sql).execute(&mut **tx).await?;
            }
            End::Postgres(tx) => {
                sqlx::query(&sql).execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    /// Identity columns carry on after the ids copied (PostgreSQL; SQLite
    /// moves its counters itself).
    async fn continue_ids(&mut self, table: &str, columns: &[Column]) -> anyhow::Result<()> {
        let End::Postgres(tx) = self else {
            return Ok(());
        };
        for column in columns.iter().filter(|c| c.identity) {
            let name = &column.name;
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{name}'),
                        COALESCE((SELECT max({name}) FROM {table}), 0) + 1, false)"
            ))
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    async fn commit(self) -> anyhow::Result<()> {
        match self {
            End::Sqlite(tx) => tx.commit().await?,
            End::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// A row's values as text; floating point numbers are read as numbers, so
/// that no digits are lost on the way.
fn texts<R: Row>(row: &R, columns: &[Column]) -> Result<Values, sqlx::Error>
where
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<f64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    columns
        .iter()
        .enumerate()
        .map(|(i, column)| match column.kind {
            Kind::Real => Ok(row.try_get::<Option<f64>, _>(i)?.map(|f| f.to_string())),
            _ => row.try_get::<Option<String>, _>(i),
        })
        .collect()
}

fn checksum(rows: &[Values]) -> u64 {
    rows.iter().fold(0u64, |sum, row| {
        let mut hash = Sha256::new();
        for value in row {
            match value {
                Some(v) => {
                    hash.update(b"\x01");
                    hash.update(v.as_bytes());
                }
                None => hash.update(b"\x00"),
            }
            hash.update(b"\x1f");
        }
        let digest = hash.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        sum.wrapping_add(u64::from_be_bytes(first))
    })
}

/// Copies everything in `from` into the empty database `to`. Returns each
/// table's count and checksum, equal on both ends.
pub async fn copy_data(from: &Database, to: &Database) -> anyhow::Result<Vec<Copied>> {
    match (from, to) {
        (Database::Sqlite(_), Database::Sqlite(_)) => {
            bail!("both ends are SQLite files: `valgvagt backup` makes a copy of one")
        }
        (Database::Postgres(_), Database::Postgres(_)) => bail!(
            "both ends are PostgreSQL: copy a PostgreSQL database with pg_dump and pg_restore"
        ),
        _ => {}
    }
    if from.to_string() == to.to_string() {
        bail!("the source and the target are the same database");
    }
    let mut source = End::open(from, true)
        .await
        .with_context(|| format!("opening the source {from}"))?;
    let mut target = End::open(to, false)
        .await
        .with_context(|| format!("opening the target {to}"))?;

    // Every table of the source must be one this version knows how to copy:
    // a table from a newer version would otherwise be left behind.
    let known: BTreeSet<String> = TABLES
        .iter()
        .chain(LEFT_OUT)
        .map(|t| t.to_string())
        .collect();
    let unknown: Vec<String> = source.tables().await?.difference(&known).cloned().collect();
    if !unknown.is_empty() {
        bail!(
            "the source has tables this version of Valgvagt does not know: {}",
            unknown.join(", ")
        );
    }
    for table in TABLES {
        let rows = target.count(table).await?;
        if rows > 0 {
            bail!("the target is not empty: {table} has {rows} rows; copy-data fills an empty database only");
        }
    }

    let mut done = Vec::with_capacity(TABLES.len());
    for &table in TABLES {
        // The PostgreSQL end's catalogue names the types.
        let columns = if matches!(source, End::Postgres(_)) {
            source.pg_columns(table).await?
        } else {
            target.pg_columns(table).await?
        };
        let names: BTreeSet<String> = columns.iter().map(|c| c.name.clone()).collect();
        for end in [&mut source, &mut target] {
            if end.column_names(table).await? != names {
                bail!("{table} has other columns in the source than in the target");
            }
        }
        let rows = source.rows(table, &columns).await?;
        if DERIVED.contains(&table) {
            target.clear(table).await?;
        }
        target.insert(table, &columns, &rows).await?;
        target.continue_ids(table, &columns).await?;
        done.push((table, columns, rows.len() as u64, checksum(&rows)));
    }

    // Read back: the target's rows must be the source's, table by table.
    let mut copied = Vec::with_capacity(done.len());
    for (table, columns, rows, sum) in done {
        let back = target.rows(table, &columns).await?;
        let (back_rows, back_sum) = (back.len() as u64, checksum(&back));
        if (back_rows, back_sum) != (rows, sum) {
            return Err(anyhow!(
                "{table} differs after the copy: {rows} rows ({sum:016x}) in the source, \
                 {back_rows} ({back_sum:016x}) in the target; nothing was written"
            ));
        }
        copied.push(Copied {
            table,
            rows,
            checksum: sum,
        });
    }
    target.commit().await?;
    Ok(copied)
}

/// The per-table lines `copy-data` prints.
pub fn report(copied: &[Copied]) -> String {
    let mut out = format!(
        "{:<22} {:>9}  {:<16}  {:<16}\n",
        "table", "rows", "source", "target"
    );
    for c in copied {
        out.push_str(&format!(
            "{:<22} {:>9}  {:016x}  {:016x}  same\n",
            c.table, c.rows, c.checksum, c.checksum
        ));
    }
    let total: u64 = copied.iter().map(|c| c.rows).sum();
    out.push_str(&format!("{} tables, {total} rows copied\n", copied.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_have_one_form_on_both_ends() {
        assert_eq!(Kind::Real.canonical("55.0".into()), "55");
        assert_eq!(Kind::Real.canonical("55".into()), "55");
        assert_eq!(Kind::Boolean.canonical("t".into()), "1");
        assert_eq!(Kind::Boolean.canonical("0".into()), "0");
        assert_eq!(Kind::Time.canonical("08:00".into()), "08:00:00");
        assert_eq!(Kind::Time.canonical("08:00:00".into()), "08:00:00");
        assert!(Kind::of("bytea").is_err());
    }

    #[test]
    fn a_checksum_ignores_order_but_not_values() {
        let a = vec![Some("1".to_string()), None];
        let b = vec![Some("2".to_string()), Some(String::new())];
        assert_eq!(
            checksum(&[a.clone(), b.clone()]),
            checksum(&[b.clone(), a.clone()])
        );
        let c = vec![Some("2".to_string()), None];
        assert_ne!(checksum(&[a.clone(), b]), checksum(&[a, c]));
    }
}
