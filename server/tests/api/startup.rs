//! A server starting in a process that already serves pages. The test
//! command runs hundreds of servers side by side in one process, and a start
//! must not stall a page that another server is rendering (listing the
//! routes switches resource loading off process-wide, and a page whose data
//! was first asked for at that moment never finished). The pages are read
//! whatever their status: the check-in page answers a visitor with 401.

use crate::helpers::{client, spawn_app};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_render_whole_while_more_servers_start_beside_them() {
    let app = spawn_app().await;
    let starts = tokio::spawn(async {
        for _ in 0..6 {
            drop(spawn_app().await);
        }
    });
    let mut rounds = 0;
    while !starts.is_finished() || rounds < 10 {
        for path in ["/", "/signin", "/stations/1/checkin"] {
            let page = tokio::time::timeout(Duration::from_secs(20), async {
                client()
                    .get(format!("{}{path}", app.base))
                    .send()
                    .await?
                    .text()
                    .await
            })
            .await
            .unwrap_or_else(|_| panic!("{path} still rendering after 20 s while a server started"))
            .expect("the page");
            assert!(page.contains("</html>"), "{path} came whole: {page}");
        }
        rounds += 1;
    }
    starts.await.expect("the servers started");
}
