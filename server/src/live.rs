//! `GET /events`: server-sent events for open boards and meetings (signed-in users only).

use app::server::auth::RequestAuth;
use app::server::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use std::convert::Infallible;
use std::time::Duration;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::StreamExt;

pub async fn events(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
) -> Response {
    if auth.user.is_none() {
        return (StatusCode::UNAUTHORIZED, "Please sign in.").into_response();
    }
    // A lagging client skips what it missed; the page refetches on the next event anyway.
    let stream = BroadcastStream::new(state.events.subscribe())
        .filter_map(|message| message.ok())
        .map(|payload| Ok::<_, Infallible>(Event::default().event("change").data(payload)));
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
