//! Live gap boards. Triggers keep a version per election that moves with
//! every seat change (whatever wrote it, on whichever server); one poller
//! per server reads the versions a few times a second — and at once when
//! PostgreSQL announces a change (LISTEN/NOTIFY) — and tells each open
//! board's event stream (`/board/events?election=…`, server-sent events)
//! when its election moved. A board that reconnects gets an event at once,
//! so it catches up.

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
    /// How often an open stream checks that its session still holds.
    recheck: Duration,
    /// Open streams per user.
    streams: std::sync::Mutex<HashMap<Id, usize>>,
}

/// Boards one person may have open at once: the town hall's screen, a
/// tablet, a few tabs. More is a script, not a person.
pub const STREAMS_PER_USER: usize = 10;

/// One user's open stream; counted while it lives.
struct StreamSlot {
    feed: Arc<BoardFeed>,
    user: Id,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut streams = self.feed.streams.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(open) = streams.get_mut(&self.user) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                streams.remove(&self.user);
            }
        }
    }
}

impl BoardFeed {
    pub fn new(recheck: Duration) -> Arc<Self> {
        let (changes, _) = broadcast::channel(1024);
        Arc::new(BoardFeed {
            changes,
            recheck,
            streams: std::sync::Mutex::new(HashMap::new()),
        })
    }

    /// A slot for one more stream of `user`, unless they have all theirs.
    fn open_stream(self: &Arc<Self>, user: Id) -> Option<StreamSlot> {
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        let open = streams.entry(user).or_insert(0);
        if *open >= STREAMS_PER_USER {
            return None;
        }
        *open += 1;
        Some(StreamSlot {
            feed: self.clone(),
            user,
        })
    }

    /// How many boards are open (event streams listening).
    pub fn open_boards(&self) -> usize {
        self.changes.receiver_count()
    }

    /// Reads the versions every `every`, and at once when `heard` is woken
    /// (another server changed seats), until `shutdown`; announces each
    /// election whose version moved.
    pub fn spawn_poller(
        self: Arc<Self>,
        storage: Arc<dyn Storage>,
        every: Duration,
        heard: Arc<tokio::sync::Notify>,
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
                        _ = heard.notified() => {}
                        changed = shutdown.changed() => match changed {
                            Ok(()) if *shutdown.borrow() => return,
                            Ok(()) => {}
                            Err(_) => watching = false,
                        },
                    }
                } else {
                    tokio::select! {
                        _ = tokio::time::sleep(every) => {}
                        _ = heard.notified() => {}
                    }
                }
            }
        })
    }
}

#[derive(serde::Deserialize)]
pub struct EventsQuery {
    election: Id,
}

/// Whether the stream's session still may see the plan.
async fn may_watch(state: &AppState, headers: &HeaderMap) -> Result<Id, StatusCode> {
    match request_user(&state.ctx, headers).await {
        Ok(Some(user)) if user.can_view_plan() => Ok(user.id),
        Ok(Some(_)) => Err(StatusCode::FORBIDDEN),
        Ok(None) => Err(StatusCode::UNAUTHORIZED),
        Err(_) => Err(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

/// The event stream of one election's board, for those who may see the plan.
/// The session is checked again while the stream is open: a board left open
/// after sign-out, session end or a revoked role falls silent and closes.
pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<EventsQuery>,
) -> Response {
    let user = match may_watch(&state, &headers).await {
        Ok(user) => user,
        Err(status) => return status.into_response(),
    };
    let Some(slot) = state.board.open_stream(user) else {
        return StatusCode::TOO_MANY_REQUESTS.into_response();
    };
    let election = query.election;
    let changes = state.board.changes.subscribe();
    let mut recheck = tokio::time::interval(state.board.recheck);
    recheck.reset();
    let hello = futures::stream::once(async {
        Ok::<_, Infallible>(Event::default().event("seats").data("hello"))
    });
    let watcher = (changes, recheck, state, headers, slot);
    let updates = futures::stream::unfold(watcher, move |mut watcher| async move {
        loop {
            let next = {
                let (changes, recheck, ..) = &mut watcher;
                tokio::select! {
                    _ = recheck.tick() => None,
                    change = changes.recv() => Some(change),
                }
            };
            let event = match next {
                None => {
                    let (_, _, state, headers, _) = &watcher;
                    if may_watch(state, headers).await.is_err() {
                        return None;
                    }
                    continue;
                }
                Some(Ok((e, version))) if e == election => version.to_string(),
                Some(Ok(_)) => continue,
                // Too far behind to know: refresh anyway.
                Some(Err(broadcast::error::RecvError::Lagged(_))) => "lagged".to_string(),
                Some(Err(broadcast::error::RecvError::Closed)) => return None,
            };
            let event = Event::default().event("seats").data(event);
            return Some((Ok(event), watcher));
        }
    });
    use futures::StreamExt;
    Sse::new(hello.chain(updates))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
