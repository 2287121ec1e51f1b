//! What the live channel is told after a write commits: enough for open pages to update in
//! place (the cards that changed, the meeting as it now stands), read once for everyone. When
//! the details cannot be read, the event goes without them and pages fetch for themselves.

use crate::model::change_request::Change;
use crate::model::live::LiveEvent;
use crate::model::schedule::Window;
use crate::model::user::CurrentUser;
use crate::server::service::{cab, change_lists};
use crate::server::state::AppState;

/// A change was created, edited or moved: its card and those of its overlapping neighbours,
/// at its window now and the one it had `before` an edit.
pub async fn change(state: &AppState, change: &Change, before: Option<Window>) {
    let cards = change_lists::cards_around(&state.db, change.id, before)
        .await
        .unwrap_or_else(|err| {
            tracing::warn!(
                ?err,
                change = change.id,
                "live event sent without its cards"
            );
            None
        })
        .unwrap_or_default();
    state.events.publish(&LiveEvent::ChangeUpdated {
        id: change.id,
        version: change.version,
        state: change.state.as_str().to_string(),
        cards,
    });
}

/// A window was added, moved or removed: the cards of the changes whose conflict count moved.
pub async fn schedule(state: &AppState, window_id: i64, recounted: &[i64]) {
    let cards = change_lists::cards_of(&state.db, recounted)
        .await
        .unwrap_or_else(|err| {
            tracing::warn!(?err, window_id, "live event sent without its cards");
            None
        });
    state
        .events
        .publish(&LiveEvent::ScheduleChanged { window_id, cards });
}

/// A meeting moved on (or someone came or went): the meeting as it now stands, read as
/// nobody in particular; each stream tells it who is reading (`Meeting::show_to`).
pub async fn meeting(state: &AppState, meeting_id: i64) {
    let nobody = CurrentUser {
        id: 0,
        email: String::new(),
        name: String::new(),
        roles: vec![],
        time_zone: "UTC".into(),
    };
    let meeting = match cab::meetings::load(&state.db, &nobody, meeting_id).await {
        Ok(meeting) => Some(Box::new(meeting)),
        Err(err) => {
            tracing::warn!(?err, meeting_id, "live event sent without the meeting");
            None
        }
    };
    state.events.publish(&LiveEvent::MeetingUpdated {
        meeting_id,
        meeting,
    });
}
