//! `GET /events`: server-sent events for open boards and meetings (signed-in users only).
//! `GET /events?meeting=ID` also marks the caller present in that meeting for as long as the
//! connection stays open: presence is the set of open connections, kept in the database so
//! that every `conform` process on it sees the same room.
//!
//! Safeguards: at most a few streams per session and a cap per process (429 with a message
//! beyond them); a stream lives only as long as its session — sign-out, a disabled account or
//! a password reset end it at once (the event bus says so), and every heartbeat re-checks the
//! session as a backstop; presence is set only by a request known to come from Conform's
//! own pages (a cross-site GET is refused, one that says nothing streams without presence);
//! at shutdown every stream is told to close.
//!
//! Every event has an id (its position in this process's journal, `app::server::events`). A
//! browser that reconnects sends the last one it saw (`Last-Event-ID`) and is first sent what
//! it missed, or a `resync` event when this process cannot know (another process, a restart,
//! too long ago), after which the page fetches itself again. A new stream starts with a
//! `ready` event, so that even a quiet stream has an id to resume from. Cards in events are
//! shown in the reader's time zone, and only to readers of changes.

use app::model::access::Permission;
use app::model::live::LiveEvent;
use app::server::announce;
use app::server::auth::RequestAuth;
use app::server::events::{Position, Stamped, Start};
use app::server::live_connections::{LiveRefusal, LiveSlot};
use app::server::service::cab;
use app::server::session;
use app::server::state::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    meeting: Option<i64>,
    /// Where the page's data was read (`BoardSnapshot::events_after`): the stream starts
    /// there. A reconnecting browser's `Last-Event-ID` goes first.
    after: Option<String>,
}

/// How often an open connection re-checks its session and confirms meeting presence.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// Held by the stream's task: when the stream ends, the person leaves the meeting (the room
/// hears it at once).
struct Presence {
    state: AppState,
    meeting_id: i64,
    user_id: i64,
}

impl Drop for Presence {
    fn drop(&mut self) {
        let state = self.state.clone();
        let (meeting_id, user_id) = (self.meeting_id, self.user_id);
        tokio::spawn(async move {
            match cab::presence::leave(&state.db, meeting_id, user_id).await {
                Ok(true) => announce::meeting(&state, meeting_id).await,
                Ok(false) => {}
                Err(err) => tracing::warn!(?err, meeting_id, "could not record leaving"),
            }
        });
    }
}

async fn enter(state: &AppState, meeting_id: i64, user_id: i64) -> Result<Presence, Response> {
    match cab::presence::join(&state.db, meeting_id, user_id).await {
        Ok(arrived) => {
            if arrived {
                announce::meeting(state, meeting_id).await;
            }
        }
        Err(app::error::AppError::NotFound(_)) => {
            return Err((StatusCode::NOT_FOUND, "No such meeting.").into_response())
        }
        Err(err) => {
            tracing::warn!(?err, meeting_id, "could not record presence");
            return Err(StatusCode::SERVICE_UNAVAILABLE.into_response());
        }
    }
    Ok(Presence {
        state: state.clone(),
        meeting_id,
        user_id,
    })
}

/// Where a request to `/events` came from, as far as the browser says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Site {
    /// `Sec-Fetch-Site: same-origin`, or (no such header) an `Origin` naming this host.
    Own,
    /// Another site, or a `Sec-Fetch-Site` other than same-origin (same-site, none).
    Foreign,
    /// Neither header: an old browser, or a script.
    Unsaid,
}

fn site_of(headers: &HeaderMap) -> Site {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (fetch_site, origin) {
        (Some("same-origin"), _) => Site::Own,
        (Some(_), _) => Site::Foreign,
        (None, Some(origin)) => {
            let origin_host = origin.split("://").nth(1);
            if origin_host.is_some() && origin_host == host {
                Site::Own
            } else {
                Site::Foreign
            }
        }
        (None, None) => Site::Unsaid,
    }
}

fn too_many(refusal: LiveRefusal) -> Response {
    let status = match refusal {
        LiveRefusal::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::TOO_MANY_REQUESTS,
    };
    (status, [(header::RETRY_AFTER, "5")], refusal.message()).into_response()
}

pub async fn events(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    headers: HeaderMap,
    Query(query): Query<EventsQuery>,
) -> Response {
    let (Some(user), Some(token)) = (auth.user.clone(), auth.token.clone()) else {
        return crate::access::error_response(app::error::AppError::Unauthenticated);
    };
    // Presence is a write made by a GET, so only a request known to come from Conform's own
    // pages makes it. A foreign one is refused. One that says nothing still gets its stream
    // but leaves presence alone: every browser since 2023 sends Sec-Fetch-Site with an
    // EventSource, so only old browsers and scripts land here, and they cannot be told
    // apart from a cross-site page in a browser too old to say so.
    let meeting = match (query.meeting, site_of(&headers)) {
        (None, _) | (Some(_), Site::Unsaid) => None,
        (Some(_), Site::Foreign) => {
            return (
                StatusCode::FORBIDDEN,
                "Cross-site request refused: presence in a meeting is set only from Conform's own pages.",
            )
                .into_response()
        }
        (Some(meeting_id), Site::Own) => Some(meeting_id),
    };
    if meeting.is_some() {
        if let Err(refused) = crate::access::require(&state, &auth, Permission::ChangeRead).await {
            return refused;
        }
    }
    // Not a refusal: a stream without it is simply not sent change details.
    let reads_changes = user.may(Permission::ChangeRead);
    let slot = match state.safeguards.live.open(&session::token_hash(&token)) {
        Ok(slot) => slot,
        Err(refusal) => return too_many(refusal),
    };
    // Subscribed before arriving, so that the connection hears its own arrival and anything
    // said from now on.
    // A page read by another process (behind a load balancer) starts now rather than
    // resyncing: its fresh read would as likely land elsewhere again.
    let read_at = query
        .after
        .as_deref()
        .and_then(Position::parse)
        .filter(|position| state.events.numbered_here(position));
    let seen = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(Position::parse)
        .or(read_at);
    let (start, subscription) = state.events.subscribe_after(seen);
    let sessions = state.events.watch_sessions();
    let presence = match meeting {
        None => None,
        Some(meeting_id) => match enter(&state, meeting_id, user.id).await {
            Ok(presence) => Some(presence),
            Err(response) => return response,
        },
    };
    let (sender, receiver) = mpsc::channel(32);
    tokio::spawn(watch(
        Watch {
            state,
            token,
            user_id: user.id,
            viewer: user.clone(),
            reads_changes,
            presence,
            _slot: slot,
        },
        start,
        subscription,
        sessions,
        sender,
    ));
    Sse::new(ReceiverStream::new(receiver))
        .keep_alive(KeepAlive::new().interval(HEARTBEAT))
        .into_response()
}

/// What one open stream holds; dropped when the stream ends (place freed, meeting left).
struct Watch {
    state: AppState,
    token: String,
    user_id: i64,
    /// Who reads the stream: events are told it (time zone, whether they may chair).
    viewer: app::model::user::CurrentUser,
    reads_changes: bool,
    presence: Option<Presence>,
    _slot: LiveSlot,
}

impl Watch {
    /// The session is still valid (a database error keeps the stream: it is re-checked).
    async fn session_valid(&self) -> bool {
        match session::is_valid(
            self.state.db.reader(),
            &self.token,
            self.state.auth.session,
            chrono::Utc::now(),
        )
        .await
        {
            Ok(valid) => valid,
            Err(err) => {
                tracing::warn!(?err, "could not re-check a live stream's session");
                true
            }
        }
    }

    /// The event as this reader is sent it: cards in their time zone, change details only to
    /// readers of changes (`None`: not for them).
    fn for_reader(&self, stamped: &Stamped) -> Option<Event> {
        let data = if !stamped.change_details {
            stamped.payload.to_string()
        } else if !self.reads_changes {
            return None;
        } else {
            let mut event: LiveEvent = serde_json::from_str(&stamped.payload).ok()?;
            let zone = &self.viewer.time_zone;
            match &mut event {
                LiveEvent::ChangeUpdated { cards, .. }
                | LiveEvent::ScheduleChanged {
                    cards: Some(cards), ..
                } => {
                    for card in cards {
                        card.local_window = app::server::service::schedule::local_window(
                            card.planned_start,
                            card.planned_end,
                            zone,
                        );
                    }
                }
                LiveEvent::MeetingUpdated {
                    meeting: Some(meeting),
                    ..
                } => {
                    let scheduled = cab::boards::local_label(meeting.scheduled_at, zone);
                    meeting.show_to(&self.viewer, scheduled);
                }
                _ => {}
            }
            serde_json::to_string(&event).ok()?
        };
        Some(
            Event::default()
                .event("change")
                .id(stamped.position.to_string())
                .data(data),
        )
    }
}

/// Tells the page to fetch everything again; events continue after `position`.
fn resync(position: Position) -> Event {
    Event::default()
        .event("resync")
        .id(position.to_string())
        .data("{}")
}

/// The events queued for one browser. A browser too slow to read loses what does not fit
/// and is owed one `resync`, sent in place of the next event there is room for (the page
/// then fetches everything, which covers that event too).
struct Outbox {
    sender: mpsc::Sender<Result<Event, Infallible>>,
    owes_resync: bool,
}

impl Outbox {
    /// Queues `event` (or the resync owed instead); `false` when the browser has gone.
    fn offer(&mut self, event: Event, events: &app::server::events::Events) -> bool {
        if self.owes_resync {
            return self.resync(events);
        }
        self.push(event)
    }

    /// Tells the browser to fetch everything (now, or once there is room).
    fn resync(&mut self, events: &app::server::events::Events) -> bool {
        self.owes_resync = true;
        self.push(resync(events.position()))
    }

    fn push(&mut self, event: Event) -> bool {
        match self.sender.try_send(Ok(event)) {
            Ok(()) => {
                self.owes_resync = false;
                true
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.owes_resync = true;
                true
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }
}

/// Forwards events to the browser until the browser goes away, the session ends or the
/// server shuts down.
async fn watch(
    watch: Watch,
    start: Start,
    mut subscription: tokio::sync::broadcast::Receiver<Stamped>,
    mut sessions: tokio::sync::broadcast::Receiver<i64>,
    sender: mpsc::Sender<Result<Event, Infallible>>,
) {
    let mut closing = watch.state.safeguards.live.closing();
    let mut ticks = tokio::time::interval(HEARTBEAT);
    ticks.tick().await;
    let opening: Vec<Event> = match start {
        Start::Now(position) => vec![Event::default()
            .event("ready")
            .id(position.to_string())
            .data("{}")],
        Start::Replay(missed) => missed.iter().filter_map(|e| watch.for_reader(e)).collect(),
        Start::Resync(position) => vec![resync(position)],
    };
    for event in opening {
        if sender.send(Ok(event)).await.is_err() {
            return;
        }
    }
    let mut outbox = Outbox {
        sender,
        owes_resync: false,
    };
    loop {
        if *closing.borrow_and_update() {
            break;
        }
        tokio::select! {
            _ = outbox.sender.closed() => break,
            _ = closing.changed() => break,
            message = subscription.recv() => match message {
                Ok(stamped) => {
                    if let Some(event) = watch.for_reader(&stamped) {
                        if !outbox.offer(event, &watch.state.events) {
                            break;
                        }
                    }
                }
                // This stream fell behind the process's channel: it cannot know what it missed.
                Err(RecvError::Lagged(_)) => {
                    if !outbox.resync(&watch.state.events) {
                        break;
                    }
                }
                Err(RecvError::Closed) => break,
            },
            ended = sessions.recv() => {
                let concerns_me = match ended {
                    Ok(user_id) => user_id == watch.user_id,
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => false,
                };
                if concerns_me && !watch.session_valid().await {
                    break;
                }
            }
            _ = ticks.tick() => {
                if !watch.session_valid().await {
                    break;
                }
                if let Some(presence) = &watch.presence {
                    if let Err(err) = cab::presence::heartbeat(&watch.state.db, presence.meeting_id, presence.user_id).await {
                        tracing::warn!(?err, meeting_id = presence.meeting_id, "presence heartbeat");
                    }
                }
            }
        }
    }
    // Dropping `watch` leaves the meeting and frees the place; dropping `sender` ends the
    // response, so the connection closes.
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_browser_too_slow_to_read_is_owed_one_resync_in_place_of_what_it_lost() {
        let events = app::server::events::Events::local();
        let (sender, mut browser) = mpsc::channel(1);
        let mut outbox = Outbox {
            sender,
            owes_resync: false,
        };
        let named = |name: &str| Event::default().event(name).data("{}");
        let name_of = |event: Result<Event, Infallible>| format!("{:?}", event.unwrap());
        assert!(outbox.offer(named("first"), &events));
        // No room: lost, and a resync is owed (nothing queued or spawned meanwhile).
        assert!(outbox.offer(named("lost"), &events));
        assert!(outbox.offer(named("lost too"), &events));
        assert!(name_of(browser.recv().await.unwrap()).contains("first"));
        assert!(browser.try_recv().is_err());
        // Room again: the next event goes as the owed resync, once.
        assert!(outbox.offer(named("next"), &events));
        assert!(name_of(browser.recv().await.unwrap()).contains("resync"));
        assert!(outbox.offer(named("after"), &events));
        assert!(name_of(browser.recv().await.unwrap()).contains("after"));
        drop(browser);
        assert!(!outbox.offer(named("gone"), &events));
    }

    #[test]
    fn requests_tell_their_site_or_say_nothing() {
        let headers = |pairs: &[(&str, &str)]| {
            let mut map = HeaderMap::new();
            map.insert(header::HOST, "conform.example".parse().unwrap());
            for (k, v) in pairs {
                map.insert(
                    axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                    v.parse().unwrap(),
                );
            }
            map
        };
        assert_eq!(
            site_of(&headers(&[("sec-fetch-site", "same-origin")])),
            Site::Own
        );
        for site in ["cross-site", "same-site", "none"] {
            assert_eq!(
                site_of(&headers(&[("sec-fetch-site", site)])),
                Site::Foreign
            );
        }
        // Sec-Fetch-Site decides when both are sent.
        assert_eq!(
            site_of(&headers(&[
                ("sec-fetch-site", "cross-site"),
                ("origin", "https://conform.example")
            ])),
            Site::Foreign
        );
        assert_eq!(
            site_of(&headers(&[("origin", "https://conform.example")])),
            Site::Own
        );
        assert_eq!(
            site_of(&headers(&[("origin", "https://evil.example")])),
            Site::Foreign
        );
        assert_eq!(site_of(&headers(&[("origin", "null")])), Site::Foreign);
        assert_eq!(site_of(&headers(&[])), Site::Unsaid);
    }
}
