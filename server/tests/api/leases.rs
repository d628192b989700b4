//! Scheduled jobs run on one server at a time: the database's job leases.

use crate::helpers::spawn_app;
use valgvagt_server::leases::Lease;

#[tokio::test]
async fn a_job_lease_is_held_by_one_holder_until_it_runs_out() {
    let app = spawn_app().await;
    let store = app.storage.clone();
    let now = 1_000_000;
    assert!(store.hold_lease("reminders", "a", now, 150).await.unwrap());
    // Another server is refused while the lease runs, however often it asks.
    assert!(!store
        .hold_lease("reminders", "b", now + 1, 150)
        .await
        .unwrap());
    assert!(!store
        .hold_lease("reminders", "b", now + 149, 150)
        .await
        .unwrap());
    // The holder renews it.
    assert!(store
        .hold_lease("reminders", "a", now + 60, 150)
        .await
        .unwrap());
    assert!(!store
        .hold_lease("reminders", "b", now + 200, 150)
        .await
        .unwrap());
    assert_eq!(
        store.lease_holder("reminders", now + 200).await.unwrap(),
        Some("a".to_string())
    );
    // Other jobs have leases of their own.
    assert!(store.hold_lease("retention", "b", now, 60).await.unwrap());
    // A holder that stopped renewing is taken over once the lease ran out.
    assert!(store
        .hold_lease("reminders", "b", now + 210, 150)
        .await
        .unwrap());
    assert!(!store
        .hold_lease("reminders", "a", now + 211, 150)
        .await
        .unwrap());
    // Giving it up lets the next one in at once; only the holder can.
    store.release_lease("reminders", "a").await.unwrap();
    assert_eq!(
        store.lease_holder("reminders", now + 212).await.unwrap(),
        Some("b".to_string())
    );
    store.release_lease("reminders", "b").await.unwrap();
    assert_eq!(
        store.lease_holder("reminders", now + 212).await.unwrap(),
        None
    );
    assert!(store
        .hold_lease("reminders", "a", now + 213, 150)
        .await
        .unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_many_servers_asking_at_once_exactly_one_gets_the_lease() {
    let app = spawn_app().await;
    let asks = (0..20).map(|i| {
        let lease = Lease {
            store: app.storage.clone(),
            job: "reminders",
            holder: format!("server-{i}"),
            secs: 150,
        };
        tokio::spawn(async move { lease.hold(5_000).await })
    });
    let mut held = 0;
    for ask in asks {
        if ask.await.unwrap() {
            held += 1;
        }
    }
    assert_eq!(held, 1);
}

#[test]
fn a_holder_names_its_process() {
    let name = valgvagt_server::leases::holder_name();
    let pid = std::process::id().to_string();
    assert!(name.split(':').any(|part| part == pid), "{name}");
    assert_ne!(name, valgvagt_server::leases::holder_name());
}
