//! Load from this process on servers in processes of their own: keep-alive
//! throughput, single-request times and the race for the last seats. What
//! is measured is HTTP only; each bench sets its data up itself.

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const CONNECTIONS: usize = 16;
pub const RUN: Duration = Duration::from_secs(5);
const SINGLE: usize = 200;

/// A `valgvagt` server process, stopped when the bench ends however it ends.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// Starts the binary on `database` on a free loopback port, with the
    /// outbox worker off (nothing is sent) and `extra` settings, and waits
    /// until it answers.
    pub async fn start(
        site: &std::path::Path,
        database: &str,
        extra: &[(&str, &str)],
    ) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        std::fs::create_dir_all(site)?;
        let mut command = Command::new(env!("CARGO_BIN_EXE_valgvagt"));
        command
            .env("VALGVAGT_DATABASE", database)
            .env("VALGVAGT_BIND", format!("127.0.0.1:{port}"))
            .env("VALGVAGT_PUBLIC_URL", format!("http://localhost:{port}"))
            .env("LEPTOS_SITE_ROOT", site)
            .env("VALGVAGT_OUTBOX_WORKER", "false")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        for (key, value) in extra {
            command.env(key, value);
        }
        let mut server = Server {
            child: command.spawn()?,
            base: format!("http://127.0.0.1:{port}"),
        };
        server.wait_until_up().await?;
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn wait_until_up(&mut self) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!("the server exited: {status}");
            }
            if client
                .get(format!("{}/healthz", self.base))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("the server did not come up")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One keep-alive connection (a client with one pooled connection).
pub fn one_connection() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .http1_only()
        .build()?)
}

pub async fn get(client: &reqwest::Client, url: &str, cookie: Option<&str>) -> anyhow::Result<()> {
    let mut request = client.get(url);
    if let Some(cookie) = cookie {
        request = request.header(reqwest::header::COOKIE, cookie);
    }
    let response = request.send().await?;
    anyhow::ensure!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    response.bytes().await?;
    Ok(())
}

/// The median time of one request at a time on one connection.
pub async fn single_request_ms(url: &str, cookie: Option<&str>) -> anyhow::Result<f64> {
    let client = one_connection()?;
    let mut times = Vec::with_capacity(SINGLE);
    for n in 0..SINGLE + 20 {
        let started = Instant::now();
        get(&client, url, cookie).await?;
        if n >= 20 {
            times.push(started.elapsed());
        }
    }
    times.sort();
    Ok(ms(times[times.len() / 2]))
}

pub struct Load {
    pub requests: usize,
    pub elapsed: Duration,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Load {
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }
}

/// `CONNECTIONS` connections, spread over `urls` in turn (the same page on
/// each server, as a load balancer spreads them), each sending its next
/// request as soon as the last answer is read, for `RUN`.
pub async fn keep_alive(urls: &[String], cookie: Option<&str>) -> anyhow::Result<Load> {
    let started = Instant::now();
    let deadline = started + RUN;
    let mut tasks = Vec::new();
    for n in 0..CONNECTIONS {
        let client = one_connection()?;
        let url = urls[n % urls.len()].clone();
        let cookie = cookie.map(str::to_string);
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            // Warm the connection up first.
            get(&client, &url, cookie.as_deref()).await?;
            while Instant::now() < deadline {
                let at = Instant::now();
                get(&client, &url, cookie.as_deref()).await?;
                times.push(at.elapsed());
            }
            anyhow::Ok(times)
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await??);
    }
    let elapsed = started.elapsed();
    times.sort();
    Ok(Load {
        requests: times.len(),
        elapsed,
        p50_ms: ms(times[times.len() / 2]),
        p99_ms: ms(times[times.len() * 99 / 100]),
    })
}

pub struct Race {
    pub seated: usize,
    pub refusals: BTreeMap<String, usize>,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// What every racer sends at the same moment.
pub enum Tap<'a> {
    /// "Take" with this form (a seat, or a refusal).
    Take(&'a [(&'a str, String)]),
    /// A signed-in call of this server function with no arguments, which
    /// must answer 200.
    Call(&'a str),
}

/// Every racer (a server's base URL and a session cookie), connected and
/// signed in beforehand, sends `tap` at the same moment; `connected` runs
/// once every connection is open, before anyone taps. Counts the answered
/// (a seat taken answers with a redirect) and the refusals by their message.
pub async fn race(
    takers: Vec<(String, String)>,
    tap: Tap<'_>,
    connected: impl FnOnce() -> anyhow::Result<()>,
) -> anyhow::Result<Race> {
    let count = takers.len();
    let mut clients = Vec::with_capacity(count);
    for (base, cookie) in takers {
        // A seat taken answers with a redirect: counted, not followed.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        get(&client, &format!("{base}/healthz"), None).await?;
        clients.push((client, base, cookie));
    }
    connected()?;
    let start = Arc::new(tokio::sync::Barrier::new(count));
    let calling = matches!(tap, Tap::Call(_));
    let (path, form): (&str, Vec<(String, String)>) = match tap {
        Tap::Take(form) => (
            "/api/signup/take",
            form.iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        ),
        Tap::Call(path) => (path, Vec::new()),
    };
    let mut taps = Vec::with_capacity(count);
    for (client, base, cookie) in clients {
        let (start, form, url) = (start.clone(), form.clone(), format!("{base}{path}"));
        taps.push(tokio::spawn(async move {
            let request = client
                .post(&url)
                .header("sec-fetch-site", "same-origin")
                .header(reqwest::header::COOKIE, cookie)
                .form(&form);
            start.wait().await;
            let at = Instant::now();
            let response = request.send().await?;
            let status = response.status();
            let body = response.text().await?;
            anyhow::Ok((at.elapsed(), status, body))
        }));
    }
    let mut seated = 0;
    let mut refusals = BTreeMap::new();
    let mut times = Vec::with_capacity(count);
    for tap in taps {
        let (took, status, body) = tap.await??;
        times.push(took);
        if calling {
            anyhow::ensure!(status.is_success(), "a signed-in call answered {status}");
            seated += 1;
        } else if status.is_success() || status.is_redirection() {
            seated += 1;
        } else {
            let error: app::domain::AppError = serde_json::from_str(&body)
                .map_err(|e| anyhow::anyhow!("an unclear refusal ({status}): {body}: {e}"))?;
            *refusals
                .entry(format!("{status} {}", error.message_key()))
                .or_insert(0) += 1;
        }
    }
    times.sort();
    Ok(Race {
        seated,
        refusals,
        p50_ms: ms(times[times.len() / 2]),
        p99_ms: ms(times[times.len() * 99 / 100]),
    })
}

/// The process's resident memory now, in KB: in all, and of that the part
/// mapped from files (the binary's code, `RssFile`).
pub fn rss_kb(pid: u32) -> anyhow::Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| anyhow::anyhow!("no {name} for the server"))
    };
    Ok((field("VmRSS:")?, field("RssFile:")?))
}

/// The process's peak resident memory (VmHWM), in KB.
pub fn peak_rss_kb(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmHWM for the server"))
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
