//! `GET /events`: server-sent events for open boards and meetings (signed-in users only).
//! `GET /events?meeting=ID` also marks the caller present in that meeting for as long as the
//! connection stays open: presence is the set of open connections, kept in the database so
//! that every `conform` process on it sees the same room.

use app::model::access::Permission;
use app::model::live::LiveEvent;
use app::server::auth::RequestAuth;
use app::server::service::cab_meetings;
use app::server::state::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    meeting: Option<i64>,
}

/// How often an open meeting connection confirms it is still there.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// Held by the response stream: when the browser goes away, the stream is dropped and the
/// person leaves the meeting (the room hears it at once).
struct Presence {
    state: AppState,
    meeting_id: i64,
    user_id: i64,
    heartbeat: tokio::task::JoinHandle<()>,
}

impl Drop for Presence {
    fn drop(&mut self) {
        self.heartbeat.abort();
        let state = self.state.clone();
        let (meeting_id, user_id) = (self.meeting_id, self.user_id);
        tokio::spawn(async move {
            match cab_meetings::leave(&state.db, meeting_id, user_id).await {
                Ok(true) => state
                    .events
                    .publish(&LiveEvent::MeetingUpdated { meeting_id }),
                Ok(false) => {}
                Err(err) => tracing::warn!(?err, meeting_id, "could not record leaving"),
            }
        });
    }
}

async fn enter(state: &AppState, meeting_id: i64, user_id: i64) -> Result<Presence, Response> {
    match cab_meetings::join(&state.db, meeting_id, user_id).await {
        Ok(arrived) => {
            if arrived {
                state
                    .events
                    .publish(&LiveEvent::MeetingUpdated { meeting_id });
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
    let db = state.db.clone();
    let heartbeat = tokio::spawn(async move {
        let mut ticks = tokio::time::interval(HEARTBEAT);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            if let Err(err) = cab_meetings::heartbeat(&db, meeting_id, user_id).await {
                tracing::warn!(?err, meeting_id, "presence heartbeat");
            }
        }
    });
    Ok(Presence {
        state: state.clone(),
        meeting_id,
        user_id,
        heartbeat,
    })
}

pub async fn events(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Query(query): Query<EventsQuery>,
) -> Response {
    let Some(user) = auth.user else {
        return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response();
    };
    // Subscribed before arriving, so that the connection hears its own arrival and anything
    // said from now on.
    let subscription = state.events.subscribe();
    let presence = match query.meeting {
        None => None,
        Some(_) if !user.may(Permission::ChangeRead) => {
            return (StatusCode::FORBIDDEN, "You cannot see CAB meetings.").into_response()
        }
        Some(meeting_id) => match enter(&state, meeting_id, user.id).await {
            Ok(presence) => Some(presence),
            Err(response) => return response,
        },
    };
    // A lagging client skips what it missed; the page refetches on the next event anyway.
    let stream = BroadcastStream::new(subscription)
        .filter_map(|message| message.ok())
        .map(move |payload| {
            // The stream owns the presence: it ends when the connection does.
            let _room = &presence;
            Ok::<_, Infallible>(Event::default().event("change").data(payload))
        });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
