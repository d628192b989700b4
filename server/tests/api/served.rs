//! The real `valgvagt` binary as a child process: for kill -9 and for
//! several servers on one database.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `valgvagt` binary serving `database` (a SQLite file or a PostgreSQL
/// URL) on a free loopback port; killed when dropped, however the test ends.
pub struct Served {
    child: Child,
    pub base: String,
    log: PathBuf,
}

impl Served {
    /// Starts the server with `extra` settings on top of the test defaults,
    /// and waits until it answers.
    pub async fn start(dir: &Path, database: &str, extra: &[(&str, &str)]) -> Served {
        let mut served = Served::spawn(dir, database, extra);
        served.wait_until_up().await;
        served
    }

    /// Starts the server without waiting for it.
    pub fn spawn(dir: &Path, database: &str, extra: &[(&str, &str)]) -> Served {
        let port = free_port();
        let site = dir.join("site");
        std::fs::create_dir_all(&site).expect("site dir");
        let log = dir.join(format!("server-{port}.log"));
        let mut command = Command::new(env!("CARGO_BIN_EXE_valgvagt"));
        command
            .current_dir(dir)
            .env("VALGVAGT_DATABASE", database)
            .env("VALGVAGT_BIND", format!("127.0.0.1:{port}"))
            .env("VALGVAGT_PUBLIC_URL", format!("http://localhost:{port}"))
            .env("LEPTOS_SITE_ROOT", &site)
            .env("VALGVAGT_PUSH_LOOPBACK", "true")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).expect("log file"));
        for (key, value) in extra {
            command.env(key, value);
        }
        let child = command.spawn().expect("the server binary starts");
        Served {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    pub async fn wait_until_up(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("the server exited ({status}): {}", self.log_text());
            }
            let up = client.get(format!("{}/healthz", self.base)).send().await;
            if up.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not come up: {}", self.log_text());
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill9(&mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("reaped");
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Waits until `done`, checking every 10 ms; fails the test after `limit`.
pub async fn poll_until<F, Fut>(what: &str, limit: Duration, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
