//! `valgvagt`: serve the app, run migrations, load demo data, or create the
//! first administrator.

use anyhow::Context;
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;
use valgvagt_server::config::Config;
use valgvagt_server::{demo, startup};

#[derive(Parser)]
#[command(name = "valgvagt", version, about = "Valgvagt – staffing elections")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (the default).
    Serve,
    /// Create or upgrade the database, then exit.
    Migrate,
    /// Load the demo municipality into an empty database.
    Demo {
        /// Times the stations (30) and volunteers (2,000), to try a large
        /// municipality: `--scale 10` gives 300 and 20,000.
        #[arg(long, default_value_t = 1)]
        scale: usize,
    },
    /// Write a consistent copy of the database to FILE, also while the
    /// server is running.
    Backup {
        /// A new file (it must not exist).
        file: std::path::PathBuf,
    },
    /// Replace the database with the backup FILE, after checking it. The
    /// server must be stopped; the database replaced is moved aside.
    Restore { file: std::path::PathBuf },
    /// Copy the whole database from a SQLite file to an empty PostgreSQL
    /// database, or back; prints each table's rows and checksums.
    CopyData {
        /// A SQLite file or a postgres://… URL.
        #[arg(long)]
        from: String,
        /// An empty database (a new SQLite file, or a postgres://… URL).
        #[arg(long)]
        to: String,
    },
    /// Create an administrator (or give an existing user the role) and print
    /// a one-time sign-in link.
    Admin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Administrator")]
        name: String,
    },
}

/// Worker threads' stacks. A page is rendered whole before it is sent
/// (`SsrMode::Async`), and a big page's rendering nests deep: in an
/// unoptimised build the 2 MiB default overflows on a long roster. Only
/// the pages a stack really touches take memory.
const WORKER_STACK_BYTES: usize = 8 << 20;

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(WORKER_STACK_BYTES)
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&config).await,
        Command::Migrate => {
            let storage = open(&config).await?;
            demo::seed_defaults(storage.as_ref()).await?;
            eprintln!("database {} is up to date", config.database);
            Ok(())
        }
        Command::Demo { scale } => {
            let storage = open(&config).await?;
            demo::seed_defaults(storage.as_ref()).await?;
            let summary =
                demo::load_scaled(storage.as_ref(), &config.municipality_code, scale).await?;
            eprintln!("demo data loaded into {}: {summary}", config.database);
            Ok(())
        }
        Command::Backup { file } => {
            let database = sqlite_file(&config, "backup")?;
            let snapshot = valgvagt_server::backup::backup(database, &file).await?;
            eprintln!("backup written to {}: {snapshot}", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            let database = sqlite_file(&config, "restore")?;
            let restored = valgvagt_server::backup::restore(&file, database).await?;
            if let Some(previous) = &restored.previous {
                eprintln!("the database replaced was moved to {}", previous.display());
            }
            eprintln!(
                "{} restored into {}: {}",
                file.display(),
                database.display(),
                restored.snapshot
            );
            Ok(())
        }
        Command::Admin { email, name } => admin(&config, &email, &name).await,
        Command::CopyData { from, to } => {
            use valgvagt_server::config::Database;
            let (from, to) = (Database::parse(&from), Database::parse(&to));
            let copied = valgvagt_server::storage::copy::copy_data(&from, &to).await?;
            print!("{}", valgvagt_server::storage::copy::report(&copied));
            eprintln!("{from} copied into {to}; the counts and checksums agree");
            Ok(())
        }
    }
}

async fn serve(config: &Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let running = startup::start(config, listener).await?;
    tracing::info!(
        "Valgvagt listens on http://{} (public URL {})",
        running.addr,
        config.public_url
    );
    tokio::select! {
        result = running.handle => result??,
        _ = tokio::signal::ctrl_c() => tracing::info!("shutting down"),
    }
    Ok(())
}

async fn admin(config: &Config, email: &str, name: &str) -> anyhow::Result<()> {
    let storage = open(config).await?;
    demo::seed_defaults(storage.as_ref()).await?;
    let link =
        valgvagt_server::admin::administrator_link(storage.as_ref(), config, email, name).await?;
    eprintln!(
        "Administrator {} can sign in once, within {} minutes, with this link:",
        email.trim(),
        config.admin_link_minutes
    );
    println!("{link}");
    Ok(())
}

async fn open(
    config: &Config,
) -> anyhow::Result<std::sync::Arc<dyn valgvagt_server::storage::Backend>> {
    valgvagt_server::storage::open(&config.database, Default::default()).await
}

/// The SQLite file `backup` and `restore` work on; a PostgreSQL database is
/// backed up and restored with PostgreSQL's own tools.
fn sqlite_file<'a>(config: &'a Config, command: &str) -> anyhow::Result<&'a std::path::Path> {
    config.database.file().ok_or_else(|| {
        anyhow::anyhow!(
            "`valgvagt {command}` works on a SQLite file; {} is PostgreSQL: use pg_dump and \
             pg_restore (see the README), or `valgvagt copy-data` to move the data",
            config.database
        )
    })
}
