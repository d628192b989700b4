//! Live pages. Triggers keep a version per election, per station and per
//! volunteer that moves with every seat change (whatever wrote it, on
//! whichever server); one poller per server reads them a few times a
//! second — and at once when PostgreSQL announces a change (LISTEN/NOTIFY)
//! — and tells each open page's event stream (server-sent events) when what
//! it shows moved: the gap board its election (`/board/events?election=…`),
//! a check-in page its station (`/stations/{id}/events`), *Mine vagter* its
//! person (`/my-shifts/events`). A page that (re)connects gets an event at
//! once, so it catches up. Stations and volunteers are many: the poller
//! reads only those some open page watches, from the version each stream
//! read when it opened, so nothing between the page and its stream is lost.

use crate::calendar::request_user;
use crate::startup::AppState;
use app::domain::Id;
use app::server::Storage;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// What an open page follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Watch {
    Election(Id),
    Station(Id),
    Volunteer(Id),
}

/// The changes of everything watched, for every open page to pick its own
/// from.
pub struct BoardFeed {
    changes: broadcast::Sender<(Watch, i64)>,
    /// Stations and volunteers some open stream watches: how many streams,
    /// and the version last announced.
    watched: std::sync::Mutex<HashMap<Watch, (usize, i64)>>,
    /// How often an open stream checks that its session still holds.
    recheck: Duration,
    /// Open streams per user.
    streams: std::sync::Mutex<HashMap<Id, usize>>,
}

/// Boards one person may have open at once: the town hall's screen, a
/// tablet, a few tabs. More is a script, not a person.
pub const STREAMS_PER_USER: usize = 10;

/// One user's open stream; counted while it lives, with what it watches.
struct StreamSlot {
    feed: Arc<BoardFeed>,
    user: Id,
    watch: Option<Watch>,
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
        drop(streams);
        if let Some(watch) = self.watch {
            let mut watched = self.feed.watched.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((count, _)) = watched.get_mut(&watch) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    watched.remove(&watch);
                }
            }
        }
    }
}

impl BoardFeed {
    pub fn new(recheck: Duration) -> Arc<Self> {
        let (changes, _) = broadcast::channel(1024);
        Arc::new(BoardFeed {
            changes,
            watched: std::sync::Mutex::new(HashMap::new()),
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
            watch: None,
        })
    }

    /// Counts one more stream of `watch`; the first one's `version` (read
    /// when it opened) is where the poller starts from.
    fn watch(&self, slot: &mut StreamSlot, watch: Watch, version: i64) {
        let mut watched = self.watched.lock().unwrap_or_else(|p| p.into_inner());
        watched.entry(watch).or_insert((0, version)).0 += 1;
        slot.watch = Some(watch);
    }

    /// Reads the versions of the stations and volunteers watched, and
    /// announces those that moved.
    async fn poll_watched(&self, storage: &dyn Storage) -> Result<(), app::domain::AppError> {
        let (stations, volunteers): (Vec<Id>, Vec<Id>) = {
            let watched = self.watched.lock().unwrap_or_else(|p| p.into_inner());
            let mut stations = Vec::new();
            let mut volunteers = Vec::new();
            for watch in watched.keys() {
                match watch {
                    Watch::Station(id) => stations.push(*id),
                    Watch::Volunteer(id) => volunteers.push(*id),
                    Watch::Election(_) => {}
                }
            }
            (stations, volunteers)
        };
        let mut read = Vec::new();
        if !stations.is_empty() {
            let versions = storage.station_versions(&stations).await?;
            read.extend(versions.into_iter().map(|(id, v)| (Watch::Station(id), v)));
        }
        if !volunteers.is_empty() {
            let versions = storage.volunteer_versions(&volunteers).await?;
            read.extend(
                versions
                    .into_iter()
                    .map(|(id, v)| (Watch::Volunteer(id), v)),
            );
        }
        let mut watched = self.watched.lock().unwrap_or_else(|p| p.into_inner());
        for (watch, version) in read {
            if let Some((_, known)) = watched.get_mut(&watch) {
                if *known != version {
                    *known = version;
                    let _ = self.changes.send((watch, version));
                }
            }
        }
        Ok(())
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
                                let _ = self.changes.send((Watch::Election(election), version));
                            }
                        }
                        primed = true;
                    }
                    Err(e) => tracing::warn!("reading the board versions failed: {e:?}"),
                }
                if let Err(e) = self.poll_watched(storage.as_ref()).await {
                    tracing::warn!("reading the stations' and people's versions failed: {e:?}");
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

/// Whether the stream's session still may see what `watch` names: the
/// plan for a board, the station's people for a check-in page (its
/// managers, its area's coordinators, the office), one's own shifts.
async fn may_watch(state: &AppState, headers: &HeaderMap, watch: Watch) -> Result<Id, StatusCode> {
    let user = match request_user(&state.ctx, headers).await {
        Ok(Some(user)) => user,
        Ok(None) => return Err(StatusCode::UNAUTHORIZED),
        Err(_) => return Err(StatusCode::INTERNAL_SERVER_ERROR),
    };
    let allowed = match watch {
        Watch::Election(_) => user.can_view_plan(),
        Watch::Station(id) => {
            user.can_view_plan()
                || user.manages_station(id)
                || match state.ctx.storage.get_station(id).await {
                    Ok(station) => user.can_plan_area(station.area_id),
                    Err(app::domain::AppError::NotFound) => return Err(StatusCode::NOT_FOUND),
                    Err(_) => return Err(StatusCode::INTERNAL_SERVER_ERROR),
                }
        }
        Watch::Volunteer(id) => user.volunteer_id == Some(id),
    };
    if allowed {
        Ok(user.id)
    } else {
        Err(StatusCode::FORBIDDEN)
    }
}

/// The event stream of one election's board, for those who may see the plan.
pub async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<EventsQuery>,
) -> Response {
    stream(state, headers, Watch::Election(query.election)).await
}

/// The event stream of a station's check-in page.
pub async fn station_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(station): Path<Id>,
) -> Response {
    stream(state, headers, Watch::Station(station)).await
}

/// The event stream of the signed-in volunteer's *Mine vagter*.
pub async fn my_shifts_events(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let volunteer = match request_user(&state.ctx, &headers).await {
        Ok(Some(user)) => match user.volunteer_id {
            Some(volunteer) => volunteer,
            None => return StatusCode::NOT_FOUND.into_response(),
        },
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    stream(state, headers, Watch::Volunteer(volunteer)).await
}

/// The current version of a station or volunteer (0: never changed).
async fn version_now(state: &AppState, watch: Watch) -> Result<i64, app::domain::AppError> {
    let read = match watch {
        Watch::Station(id) => state.ctx.storage.station_versions(&[id]).await?,
        Watch::Volunteer(id) => state.ctx.storage.volunteer_versions(&[id]).await?,
        Watch::Election(_) => return Ok(0),
    };
    Ok(read.first().map(|(_, v)| *v).unwrap_or(0))
}

/// An event stream of `watch`. The session is checked again while the
/// stream is open: a page left open after sign-out, session end or a
/// revoked role falls silent and closes.
async fn stream(state: AppState, headers: HeaderMap, watch: Watch) -> Response {
    let user = match may_watch(&state, &headers, watch).await {
        Ok(user) => user,
        Err(status) => return status.into_response(),
    };
    let Some(mut slot) = state.board.open_stream(user) else {
        return StatusCode::TOO_MANY_REQUESTS.into_response();
    };
    // Listening before the version is read: a change after the read is
    // announced to this stream.
    let changes = state.board.changes.subscribe();
    if !matches!(watch, Watch::Election(_)) {
        match version_now(&state, watch).await {
            Ok(version) => state.board.watch(&mut slot, watch, version),
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        }
    }
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
                    if may_watch(state, headers, watch).await.is_err() {
                        return None;
                    }
                    continue;
                }
                Some(Ok((w, version))) if w == watch => version.to_string(),
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
    let mut response = Sse::new(hello.chain(updates))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    // Proxies (nginx) pass the events on as they come.
    response.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    response
}
