//! Events pushed to open pages so that everyone sees the same board, and how a board applies
//! the cards an event carries in place of fetching itself again.

use crate::model::change_request::ChangeCard;
use crate::model::meeting::Meeting;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A change was created, edited or moved. `cards` is what changed on the board: the
    /// change's own card first, then the cards of the changes overlapping its window, and
    /// for an edit the window it had before (their conflict counts may have moved with it).
    /// Empty when there were too many to send: boards then fetch themselves again.
    ChangeUpdated {
        id: i64,
        version: i32,
        state: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        cards: Vec<ChangeCard>,
    },
    /// A blackout or maintenance window was added, moved or removed. `cards`: those of the
    /// changes whose conflict count moved with it (often none), or nothing when there were too
    /// many to send: boards then fetch themselves again.
    ScheduleChanged {
        window_id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cards: Option<Vec<ChangeCard>>,
    },
    /// A CAB meeting moved on (agenda, current item, votes, decision, presence, minutes):
    /// the meeting as it now stands (its reader's fields set for each stream), or nothing
    /// when it could not be sent (screens then fetch it).
    MeetingUpdated {
        meeting_id: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        meeting: Option<Box<Meeting>>,
    },
    /// An incident was raised or moved (a step, a note, declared major): queues and open
    /// records fetch what they show. Everyone reads incidents, so it carries no details.
    IncidentUpdated { id: i64, version: i32 },
    /// A service request was raised or moved: its queue and open record fetch what they show
    /// (each reader sees only the requests the rules let them), so it carries no details.
    RequestUpdated { id: i64, version: i32 },
}

impl LiveEvent {
    /// Whether the event carries change details (titles, owners), which only readers of
    /// changes may be sent.
    pub fn carries_change_details(&self) -> bool {
        match self {
            LiveEvent::ChangeUpdated { cards, .. } => !cards.is_empty(),
            LiveEvent::MeetingUpdated { meeting, .. } => meeting.is_some(),
            LiveEvent::ScheduleChanged { cards, .. } => {
                cards.as_ref().is_some_and(|c| !c.is_empty())
            }
            LiveEvent::IncidentUpdated { .. } | LiveEvent::RequestUpdated { .. } => false,
        }
    }

    /// The same event without its details: listeners fetch what they show instead.
    pub fn without_details(mut self) -> Self {
        match &mut self {
            LiveEvent::ChangeUpdated { cards, .. } => cards.clear(),
            LiveEvent::MeetingUpdated { meeting, .. } => *meeting = None,
            LiveEvent::ScheduleChanged { cards, .. } => *cards = None,
            LiveEvent::IncidentUpdated { .. } | LiveEvent::RequestUpdated { .. } => {}
        }
        self
    }
}

/// Which meetings a page has seen at which version, so that it fetches again when a meeting
/// moved on (agenda, item, decision, minutes) but not for someone coming or going, which
/// leaves the version as it was (fifty arrivals at the start of a CAB are one fetch, not 50).
#[derive(Debug, Default, Clone)]
pub struct SeenMeetings(std::collections::HashMap<i64, i32>);

impl SeenMeetings {
    /// Whether `event` tells of a meeting that moved on since this page last heard of it
    /// (a meeting heard of for the first time counts; so does one sent without its details).
    pub fn moved_on(&mut self, event: &LiveEvent) -> bool {
        match event {
            LiveEvent::MeetingUpdated {
                meeting_id,
                meeting: Some(meeting),
            } => self.0.insert(*meeting_id, meeting.version) != Some(meeting.version),
            LiveEvent::MeetingUpdated { meeting: None, .. } => true,
            _ => false,
        }
    }
}

/// The board as read, and where the live stream stood just before it was read: the page's
/// stream starts there (`/events?after=`), so that nothing said between the read and the
/// stream opening is missed (an event heard twice changes nothing: cards go by version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardSnapshot {
    pub cards: Vec<ChangeCard>,
    pub events_after: String,
}

/// What a board must do after taking the cards of a `ChangeUpdated` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardUpdate {
    /// The board now shows what the server has.
    Applied,
    /// No cards came (too many to send, or not for this reader): fetch the board again.
    Refetch,
}

/// Takes the cards of a change's event into `board` (kept in planned-start order): a card
/// replaces the one with its id unless that one is newer; a card whose window moved moves to
/// where it now belongs; a card not yet on the board is inserted in order. Taking the same
/// event twice changes nothing. An event carries every card whose conflicts may have moved,
/// the neighbours an edited change left included, so only an event without cards (too many
/// to send, or not for this reader) calls for a fetch.
pub fn apply_cards(board: &mut Vec<ChangeCard>, cards: Vec<ChangeCard>) -> BoardUpdate {
    if cards.is_empty() {
        return BoardUpdate::Refetch;
    }
    take_cards(board, cards);
    BoardUpdate::Applied
}

/// Takes the cards of a window event (changes whose conflict count moved) into `board`, as
/// `apply_cards` does; none may be a fine answer (nothing moved).
pub fn apply_recounted(board: &mut Vec<ChangeCard>, cards: Vec<ChangeCard>) {
    take_cards(board, cards);
}

fn take_cards(board: &mut Vec<ChangeCard>, cards: Vec<ChangeCard>) {
    for card in cards {
        match board.iter().position(|shown| shown.id == card.id) {
            Some(at) if board[at].version > card.version => {}
            Some(at) => {
                let window_moved = (board[at].planned_start, board[at].planned_end)
                    != (card.planned_start, card.planned_end);
                if window_moved {
                    board.remove(at);
                    insert_in_order(board, card);
                } else {
                    board[at] = card;
                }
            }
            None => insert_in_order(board, card),
        }
    }
}

/// The board's order: planned start (unscheduled first), then id.
fn insert_in_order(board: &mut Vec<ChangeCard>, card: ChangeCard) {
    let key = |c: &ChangeCard| (c.planned_start, c.id);
    let at = board.partition_point(|shown| key(shown) < key(&card));
    board.insert(at, card);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::change::ChangeState;
    use crate::model::refs::PersonRef;
    use chrono::{DateTime, TimeZone, Utc};
    use proptest::prelude::*;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, hour, 0, 0).unwrap()
    }

    fn card(id: i64, version: i32, start: Option<u32>) -> ChangeCard {
        ChangeCard {
            version,
            planned_start: start.map(at),
            planned_end: start.map(|h| at(h + 1)),
            ..ChangeCard::sample(id)
        }
    }

    fn ids(board: &[ChangeCard]) -> Vec<i64> {
        board.iter().map(|c| c.id).collect()
    }

    #[test]
    fn a_moved_card_replaces_its_older_self_in_place() {
        let mut board = vec![card(1, 1, None), card(2, 1, Some(3)), card(3, 1, Some(5))];
        let mut moved = card(2, 2, Some(3));
        moved.state = ChangeState::Assessed;
        let mut neighbour = card(3, 1, Some(5));
        neighbour.conflicts = 1;
        assert_eq!(
            apply_cards(&mut board, vec![moved.clone(), neighbour.clone()]),
            BoardUpdate::Applied
        );
        assert_eq!(ids(&board), vec![1, 2, 3]);
        assert_eq!(board[1], moved);
        assert_eq!(
            board[2], neighbour,
            "a neighbour's conflicts are taken at its version"
        );
    }

    #[test]
    fn an_older_card_never_replaces_a_newer_one() {
        let mut board = vec![card(1, 3, Some(2))];
        assert_eq!(
            apply_cards(&mut board, vec![card(1, 2, Some(2))]),
            BoardUpdate::Applied
        );
        assert_eq!(board[0].version, 3);
    }

    #[test]
    fn a_new_change_is_inserted_in_planned_order() {
        let mut board = vec![card(1, 1, None), card(2, 1, Some(3)), card(3, 1, Some(5))];
        apply_cards(&mut board, vec![card(9, 1, Some(4))]);
        assert_eq!(ids(&board), vec![1, 2, 9, 3]);
        apply_cards(&mut board, vec![card(8, 1, None)]);
        assert_eq!(ids(&board), vec![1, 8, 2, 9, 3]);
    }

    #[test]
    fn a_change_whose_window_moved_moves_to_where_it_now_belongs() {
        let mut board = vec![card(1, 1, Some(1)), card(2, 2, Some(3))];
        let mut left_behind = card(2, 2, Some(3));
        left_behind.conflicts = 0;
        assert_eq!(
            apply_cards(&mut board, vec![card(1, 2, Some(6)), left_behind.clone()]),
            BoardUpdate::Applied
        );
        assert_eq!(ids(&board), vec![2, 1]);
        assert_eq!(
            board[0], left_behind,
            "the neighbour it left comes with the event"
        );
    }

    #[test]
    fn an_event_without_cards_asks_for_the_whole_board() {
        let mut board = vec![card(1, 1, Some(1))];
        assert_eq!(apply_cards(&mut board, vec![]), BoardUpdate::Refetch);
        assert_eq!(ids(&board), vec![1]);
    }

    #[test]
    fn details_travel_only_with_cards() {
        let event = LiveEvent::ChangeUpdated {
            id: 1,
            version: 1,
            state: "submitted".into(),
            cards: vec![card(1, 1, None)],
        };
        assert!(event.carries_change_details());
        let light = event.without_details();
        assert!(!light.carries_change_details());
        // An event from a build without cards still reads.
        let old: LiveEvent = serde_json::from_str(
            r#"{"kind":"change_updated","id":1,"version":2,"state":"assessed"}"#,
        )
        .unwrap();
        assert_eq!(old, light_with_version(2));
    }

    #[test]
    fn a_window_event_updates_counts_in_place_and_only_its_absence_of_cards_asks_for_more() {
        let mut board = vec![card(1, 2, Some(1)), card(2, 1, Some(3))];
        let mut recounted = card(2, 1, Some(3));
        recounted.conflicts = 2;
        apply_recounted(&mut board, vec![recounted.clone(), card(1, 1, Some(1))]);
        assert_eq!(board[1], recounted, "same version: the new count is taken");
        assert_eq!(board[0].version, 2, "an older card is not");

        let event = LiveEvent::ScheduleChanged {
            window_id: 4,
            cards: Some(vec![recounted]),
        };
        assert!(event.carries_change_details());
        let light = event.without_details();
        assert_eq!(
            light,
            LiveEvent::ScheduleChanged {
                window_id: 4,
                cards: None
            },
            "a reader who may not see changes is told to fetch what it may see"
        );
        let nothing_moved = LiveEvent::ScheduleChanged {
            window_id: 4,
            cards: Some(vec![]),
        };
        assert!(!nothing_moved.carries_change_details());
        let json = serde_json::to_string(&nothing_moved).unwrap();
        assert_eq!(
            serde_json::from_str::<LiveEvent>(&json).unwrap(),
            nothing_moved
        );
    }

    fn light_with_version(version: i32) -> LiveEvent {
        LiveEvent::ChangeUpdated {
            id: 1,
            version,
            state: "assessed".into(),
            cards: vec![],
        }
    }

    #[test]
    fn a_meeting_moved_on_only_when_its_version_did() {
        let at = |meeting_id: i64, version: Option<i32>| LiveEvent::MeetingUpdated {
            meeting_id,
            meeting: version.map(|version| {
                let now = at(10);
                let mut meeting = Meeting {
                    id: meeting_id,
                    version,
                    board_id: 1,
                    board_name: "CAB".into(),
                    kind: crate::model::cab::BoardKind::Cab,
                    title: "Weekly".into(),
                    emergency: false,
                    state: crate::model::meeting::MeetingState::InProgress,
                    chair: PersonRef {
                        id: 1,
                        name: "Chair".into(),
                    },
                    scheduled_at: now,
                    scheduled_local: String::new(),
                    current_item_id: None,
                    item_started_at: None,
                    now,
                    seats: vec![],
                    present: vec![],
                    quorum: crate::model::meeting::QuorumStatus {
                        members: 0,
                        represented: 0,
                        required: 0,
                        rule: String::new(),
                        refusal: None,
                    },
                    items: vec![],
                    minutes_draft: None,
                    minutes_published: None,
                    minutes_html: None,
                    published_at: None,
                    viewer_is_chair: false,
                    viewer_id: 0,
                };
                meeting.version = version;
                Box::new(meeting)
            }),
        };
        let mut seen = SeenMeetings::default();
        assert!(seen.moved_on(&at(1, Some(3))), "first heard of");
        assert!(!seen.moved_on(&at(1, Some(3))), "someone came or went");
        assert!(seen.moved_on(&at(1, Some(4))));
        assert!(seen.moved_on(&at(2, Some(4))), "another meeting");
        assert!(seen.moved_on(&at(1, None)), "no details: fetch");
        let change = LiveEvent::ChangeUpdated {
            id: 1,
            version: 1,
            state: "submitted".into(),
            cards: vec![],
        };
        assert!(!seen.moved_on(&change));
    }

    proptest! {
        /// Whatever events arrive, in whatever order and however often, the board ends with
        /// the newest version of every card it heard of, once each, in planned order.
        #[test]
        fn the_board_converges_on_the_newest_cards(
            events in prop::collection::vec((0i64..6, 1i32..5, prop::option::of(0u32..20)), 0..40),
        ) {
            let mut board: Vec<ChangeCard> = vec![];
            for (id, version, start) in &events {
                apply_cards(&mut board, vec![card(*id, *version, *start)]);
                // Taking the same event again changes nothing.
                let before = board.clone();
                apply_cards(&mut board, vec![card(*id, *version, *start)]);
                prop_assert_eq!(&before, &board);
            }
            let mut seen = ids(&board);
            seen.sort();
            seen.dedup();
            prop_assert_eq!(seen.len(), board.len());
            for shown in &board {
                let newest = events.iter().filter(|(id, ..)| *id == shown.id).map(|(_, v, _)| *v).max().unwrap();
                prop_assert_eq!(shown.version, newest);
            }
            prop_assert!(board.windows(2).all(|w| (w[0].planned_start, w[0].id) <= (w[1].planned_start, w[1].id)));
        }
    }
}
