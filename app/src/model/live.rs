//! Events pushed to open pages so that everyone sees the same board.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A change was created, edited or moved; boards fetch it again.
    ChangeUpdated {
        id: i64,
        version: i32,
        state: String,
    },
    /// A blackout or maintenance window was added, moved or removed: conflicts may differ.
    ScheduleChanged { window_id: i64 },
    /// A CAB meeting moved on (agenda, current item, votes, decision, presence, minutes).
    MeetingUpdated { meeting_id: i64 },
}
