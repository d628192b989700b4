//! Live gap boards. Triggers keep a version per election that moves with
//! every seat change (whatever wrote it); one poller per server reads the
//! versions a few times a second and tells each open board's event stream
//! (`/board/events?election=…`, server-sent events) when its election moved.
//! A board that reconnects gets an event at once, so it catches up.

use crate::calendar::request_user;
use crate::startup::AppState;
use app::domain::Id;
use app::server::Storage;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// The changes of all elections, for every open board to pick its own from.
pub struct BoardFeed {
    changes: broadcast::Sender<(Id, i64)>,
}

impl BoardFeed {
    pub fn new() -> Arc<Self> {
        let (changes, _) = broadcast::channel(1024);
        Arc::new(BoardFeed { changes })
    }

    /// How many boards are open (event streams listening).
    pub fn open_boards(&self) -> usize {
        self.changes.receiver_count()
    }

    /// Reads the versions every `every` until `shutdown`, and announces each
    /// election whose version moved.
    pub fn spawn_poller(
        self: Arc<Self>,
        storage: Arc<dyn Storage>,
        every: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut seen: HashMap<Id, i64> = HashMap::new();
            let mut watching = true;
            let mut primed = false;
            loop {
                match storage.board_versions().await {
                    Ok(versions) => {
                        for (election, version) in versions {
                            let before = seen.insert(election, version);
                            // The first read only learns where things stand;
                            // after it, a new election's first seats count too.
                            if primed && before != Some(version) {
                                // Nobody listening is fine.
                                let _ = self.changes.send((election, version));
                            }
                        }
                        primed = true;
                    }
                    Err(e) => tracing::warn!("reading the board versions failed: {e:?}"),
                }
                // A dropped sender means nobody will ask us to stop: go on.
                if watching {
                    tokio::select! {
                        _ = tokio::time::sleep(every) => {}
                        changed = shutdown.changed() => match changed {
                            Ok(()) if *shutdown.borrow() => return,
                            Ok(()) => {}
                            Err(_) => watching = false,
                        },
                    }
                } else {
                    tokio::time::sleep(every).await;
                }
            }
        })
    }
}

#[derive(serde::Deserialize)]
pub struct EventsQuery {
    election: Id,
}

/// The event stream of one election's board, for those who may see the plan.
pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<EventsQuery>,
) -> Response {
    match request_user(&state.ctx, &headers).await {
        Ok(Some(user)) if user.can_view_plan() => {}
        Ok(Some(_)) => return StatusCode::FORBIDDEN.into_response(),
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
    let election = query.election;
    let changes = state.board.changes.subscribe();
    let hello = futures::stream::once(async {
        Ok::<_, Infallible>(Event::default().event("seats").data("hello"))
    });
    let updates = futures::stream::unfold(changes, move |mut changes| async move {
        loop {
            match changes.recv().await {
                Ok((e, version)) if e == election => {
                    let event = Event::default().event("seats").data(version.to_string());
                    return Some((Ok(event), changes));
                }
                Ok(_) => continue,
                // Too far behind to know: refresh anyway.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let event = Event::default().event("seats").data("lagged");
                    return Some((Ok(event), changes));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    use futures::StreamExt;
    Sse::new(hello.chain(updates))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
