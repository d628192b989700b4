//! Throughput of the outbox with web push: enqueues 10,000 messages to a
//! volunteer with push on, then lets the delivery worker send them all
//! (RFC 8291 encryption and VAPID signing per message) to a push service on
//! loopback, and prints messages per second. The budget is 500/s on a
//! 2-core machine. Run: `cargo bench -p server --bench outbox_push`.

use app::domain::notifications::MessageKind;
use app::server::storage::{
    AccountStore, NewMessage, NewPushSubscription, NotificationStore, VolunteerStore,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use valgvagt_server::notifications::push::{new_vapid_key, PushSender};
use valgvagt_server::notifications::Delivery;
use valgvagt_server::storage::sqlite::SqliteStorage;

const MESSAGES: usize = 10_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let storage = Arc::new(SqliteStorage::open(&dir.path().join("bench.db")).await?);

    // A push service that answers like the real ones (201) and counts.
    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    let app = axum::Router::new().route(
        "/push/{device}",
        axum::routing::post(move |body: axum::body::Bytes| {
            let counter = counter.clone();
            async move {
                if !body.is_empty() {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                axum::http::StatusCode::CREATED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let volunteer = storage
        .create_volunteer(&app::domain::volunteers::NewVolunteer {
            name: "Karen Jensen".into(),
            birth_date: chrono::NaiveDate::from_ymd_opt(1970, 3, 4).unwrap_or_default(),
            email: app::domain::volunteers::EmailAddress::parse("email", "karen@example.dk")?,
            phone: app::domain::volunteers::PhoneNumber::parse("phone", "20304050")?,
            address: String::new(),
            postal_code: String::new(),
            city: String::new(),
            municipality_code: "999".into(),
            citizenship: app::domain::volunteers::Citizenship::Danish,
            under_guardianship: false,
            language: app::domain::volunteers::Language::Da,
            diet_ids: vec![],
            consent: None,
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let user = storage
        .ensure_user_with_role(
            "karen@example.dk",
            "Karen",
            app::domain::accounts::Role::Volunteer,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    storage
        .link_volunteer(user, volunteer)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    // A browser's keys, as a real subscription has them.
    let (keys, auth) = ece::generate_keypair_and_auth_secret()?;
    let raw = keys.raw_components()?;
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    storage
        .add_push_subscription(
            user,
            &NewPushSubscription {
                endpoint: format!("http://127.0.0.1:{port}/push/karen"),
                p256dh: b64.encode(raw.public_key()),
                auth: b64.encode(auth),
                device_name: "Telefon".into(),
            },
            1,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;

    let now = chrono::Utc::now().timestamp();
    let started = Instant::now();
    for n in 0..MESSAGES {
        let message = NewMessage {
            idempotency_key: format!("bench:{n}"),
            user_id: None,
            volunteer_id: Some(volunteer),
            kind: MessageKind::FreeText,
            election_id: None,
            task_type_id: None,
            seat_id: None,
            params: [("message".to_string(), format!("Besked nummer {n}"))]
                .into_iter()
                .collect(),
        };
        storage
            .enqueue(&message, now)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    let enqueue = started.elapsed();

    let delivery = Delivery {
        queue: storage.clone(),
        storage: storage.clone(),
        mailer: Arc::new(valgvagt_server::mail::LogMailer),
        push: Some(Arc::new(PushSender::new(
            &new_vapid_key(),
            "mailto:bench@example.dk",
            Duration::from_secs(10),
        )?)),
        sms: None,
        digital_post: None,
        digital_post_first: false,
        public_url: "http://localhost:3000".into(),
        municipality: "Korsbæk Kommune".into(),
        clock: || chrono::Utc::now().timestamp(),
        // The server's own settings, so the figure is production's.
        lease_secs: valgvagt_server::notifications::LEASE_SECS,
        batch: valgvagt_server::notifications::BATCH,
        concurrency: valgvagt_server::notifications::CONCURRENCY,
    };
    let started = Instant::now();
    let delivered = delivery.drain().await?;
    let deliver = started.elapsed();
    let arrived = received.load(Ordering::Relaxed);
    anyhow::ensure!(
        arrived == MESSAGES,
        "only {arrived} of {MESSAGES} pushes arrived"
    );
    anyhow::ensure!(delivered == MESSAGES, "claimed {delivered} of {MESSAGES}");

    println!(
        "outbox with web push, {MESSAGES} messages, {} cores",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!(
        "  enqueue:  {:>8.0} messages/s  ({:.2} s)",
        MESSAGES as f64 / enqueue.as_secs_f64(),
        enqueue.as_secs_f64()
    );
    println!(
        "  delivery: {:>8.0} messages/s  ({:.2} s; encrypted, signed, posted, recorded)",
        MESSAGES as f64 / deliver.as_secs_f64(),
        deliver.as_secs_f64()
    );
    println!(
        "  budget:        500 messages/s  -> {}",
        if MESSAGES as f64 / deliver.as_secs_f64() >= 500.0 {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}
