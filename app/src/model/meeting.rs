//! CAB boards and meetings as they cross the wire: the board definition, the live meeting
//! (agenda, presence, votes, decisions), and the meeting's own small state machine. The rules
//! they use (quorum, conflicts of interest, decisions) live in `model::cab`.

use crate::error::FieldErrors;
use crate::model::cab::{
    may_vote_on, votes_for, AgendaCriteria, BoardForm, BoardKind, Decision, Membership, QuorumRule,
    Recurrence, Vote,
};
use crate::model::change::ChangeState;
use crate::model::labelled::labelled_enum;
use crate::model::refs::PersonRef;
use crate::model::risk::RiskLevel;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// How long an agenda item is planned to take unless the chair says otherwise.
pub const DEFAULT_TIME_BOX_MINUTES: i32 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardMember {
    pub member: PersonRef,
    pub delegate: Option<PersonRef>,
}

/// A board definition, with its next meetings already in its own time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub id: i64,
    pub name: String,
    pub kind: BoardKind,
    pub chair: PersonRef,
    pub quorum: QuorumRule,
    pub recurrence: Option<Recurrence>,
    pub time_zone: String,
    pub criteria: AgendaCriteria,
    pub members: Vec<BoardMember>,
    pub active: bool,
    pub version: i32,
}

impl Board {
    pub fn memberships(&self) -> Vec<Membership> {
        self.members
            .iter()
            .map(|m| Membership {
                member_id: m.member.id,
                delegate_id: m.delegate.as_ref().map(|d| d.id),
            })
            .collect()
    }

    /// "Weekly on Tuesday at 10:00 (Europe/Berlin)" or "Meets ad hoc".
    pub fn cadence(&self) -> String {
        match self.recurrence {
            None => "Meets ad hoc".into(),
            Some(r) => format!(
                "{} on {} at {} ({})",
                match r.interval_weeks {
                    1 => "Weekly".to_string(),
                    2 => "Fortnightly".to_string(),
                    n => format!("Every {n} weeks"),
                },
                weekday_name(r.weekday),
                r.time.format("%H:%M"),
                self.time_zone
            ),
        }
    }

    /// The form, filled in, for editing.
    pub fn to_form(&self) -> BoardForm {
        let (quorum_kind, quorum_value) = match self.quorum {
            QuorumRule::Majority => ("majority", String::new()),
            QuorumRule::AtLeast(n) => ("at_least", n.to_string()),
            QuorumRule::Percent(p) => ("percent", p.to_string()),
        };
        BoardForm {
            name: self.name.clone(),
            kind: self.kind.as_str().into(),
            chair_id: self.chair.id.to_string(),
            quorum_kind: quorum_kind.into(),
            quorum_value,
            weekday: self
                .recurrence
                .map(|r| weekday_code(r.weekday).to_string())
                .unwrap_or_default(),
            meets_at: self
                .recurrence
                .map(|r| r.time.format("%H:%M").to_string())
                .unwrap_or_default(),
            interval_weeks: self
                .recurrence
                .map(|r| r.interval_weeks.to_string())
                .unwrap_or_default(),
            time_zone: self.time_zone.clone(),
            min_risk: self
                .criteria
                .min_risk
                .map(|r| r.as_str().to_string())
                .unwrap_or_default(),
            service_ids: self
                .criteria
                .service_ids
                .iter()
                .map(|s| s.to_string())
                .collect(),
            change_types: self
                .criteria
                .change_types
                .iter()
                .map(|t| t.as_str().to_string())
                .collect(),
            member_ids: self
                .members
                .iter()
                .map(|m| m.member.id.to_string())
                .collect(),
            delegates: self
                .members
                .iter()
                .filter_map(|m| {
                    m.delegate
                        .as_ref()
                        .map(|d| (m.member.id.to_string(), d.id.to_string()))
                })
                .collect(),
        }
    }
}

pub const WEEKDAYS: [(chrono::Weekday, &str, &str); 7] = [
    (chrono::Weekday::Mon, "mon", "Monday"),
    (chrono::Weekday::Tue, "tue", "Tuesday"),
    (chrono::Weekday::Wed, "wed", "Wednesday"),
    (chrono::Weekday::Thu, "thu", "Thursday"),
    (chrono::Weekday::Fri, "fri", "Friday"),
    (chrono::Weekday::Sat, "sat", "Saturday"),
    (chrono::Weekday::Sun, "sun", "Sunday"),
];

pub fn weekday_code(day: chrono::Weekday) -> &'static str {
    WEEKDAYS.iter().find(|w| w.0 == day).map_or("mon", |w| w.1)
}

pub fn weekday_name(day: chrono::Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|w| w.0 == day)
        .map_or("Monday", |w| w.2)
}

/// A board in the list, with when it meets next (local to the board).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardSummary {
    pub board: Board,
    pub next_meetings: Vec<String>,
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum MeetingState {
        Scheduled => ("scheduled", "Scheduled"),
        InProgress => ("in_progress", "In progress"),
        Ended => ("ended", "Ended"),
    }
}

/// What the chair (or, for votes, a member) asks of a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeetingAction {
    Start,
    EditAgenda,
    GoTo,
    Vote,
    Decide,
    AddAction,
    End,
    EditMinutes,
    PublishMinutes,
}

/// The meeting's lifecycle: Scheduled → In progress → Ended, then the minutes are edited and
/// published once. Returns why an action is refused in the meeting's current state.
pub fn meeting_allows(
    state: MeetingState,
    published: bool,
    action: MeetingAction,
) -> Result<(), String> {
    use MeetingAction as A;
    use MeetingState as S;
    let ok = match action {
        A::Start => state == S::Scheduled,
        A::EditAgenda | A::AddAction => state != S::Ended,
        A::GoTo | A::Vote | A::Decide | A::End => state == S::InProgress,
        A::EditMinutes | A::PublishMinutes => state == S::Ended && !published,
    };
    if ok {
        return Ok(());
    }
    Err(match (action, state) {
        (_, S::Ended) if published => "The minutes are published; the meeting is closed.".into(),
        (A::Start, S::InProgress) => "The meeting is already running.".into(),
        (A::Start, S::Ended) => "The meeting has ended.".into(),
        (A::EditMinutes | A::PublishMinutes, _) => {
            "Minutes are edited and published after the meeting ends.".into()
        }
        (_, S::Scheduled) => "The chair has not started the meeting yet.".into(),
        (_, S::Ended) => "The meeting has ended.".into(),
        (_, S::InProgress) => "Not possible while the meeting runs.".into(),
    })
}

/// The board seats `voter` may vote for on a change: their own and those of absent members
/// who named them delegate, minus any seat whose member has a conflict of interest. Refused
/// with the reason when none is left.
pub fn vote_seats(
    members: &[Membership],
    present: &[i64],
    voter: i64,
    requester_id: i64,
    owner_id: i64,
) -> Result<Vec<i64>, String> {
    may_vote_on(voter, requester_id, owner_id)?;
    let seats = votes_for(members, present, voter);
    if seats.is_empty() {
        return Err(
            "Only board members, and delegates of absent members, vote on this board.".into(),
        );
    }
    let clear: Vec<i64> = seats
        .into_iter()
        .filter(|member| may_vote_on(*member, requester_id, owner_id).is_ok())
        .collect();
    if clear.is_empty() {
        return Err(
            "The member you stand in for requested or owns this change, so their seat does not vote on it."
                .into(),
        );
    }
    Ok(clear)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CastVote {
    pub voter: PersonRef,
    /// The seat the vote counts for (the voter themselves unless they are a delegate).
    pub member: PersonRef,
    pub vote: Vote,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedDecision {
    pub decision: Decision,
    pub text: String,
    pub by: PersonRef,
    pub at: DateTime<Utc>,
}

/// An action agreed in a meeting, owned by one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CabAction {
    pub id: i64,
    pub meeting_id: i64,
    pub meeting_title: String,
    pub change_id: Option<i64>,
    pub text: String,
    pub owner: PersonRef,
    pub due: NaiveDate,
    pub done: bool,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub id: i64,
    pub position: i32,
    pub change_id: i64,
    pub title: String,
    pub change_state: ChangeState,
    pub change_version: i32,
    pub risk: Option<RiskLevel>,
    pub requester: PersonRef,
    pub owner: PersonRef,
    pub time_box_minutes: i32,
    pub notes: String,
    pub votes: Vec<CastVote>,
    pub decision: Option<RecordedDecision>,
    pub actions: Vec<CabAction>,
    /// Seconds spent in earlier turns on this item.
    pub spent_seconds: i32,
}

/// A member's seat and whether it is filled in the room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeatPresence {
    pub member: PersonRef,
    pub delegate: Option<PersonRef>,
    pub present: bool,
    pub delegate_present: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumStatus {
    pub members: u32,
    pub represented: u32,
    pub required: u32,
    pub rule: String,
    /// Why the board cannot decide now; `None` when it can.
    pub refusal: Option<String>,
}

/// Everything the live meeting screen shows, as one reader sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: i64,
    pub version: i32,
    pub board_id: i64,
    pub board_name: String,
    pub kind: BoardKind,
    pub title: String,
    pub emergency: bool,
    pub state: MeetingState,
    pub chair: PersonRef,
    pub scheduled_at: DateTime<Utc>,
    /// "Tuesday 1 December 2026, 10:00 (Europe/Berlin)".
    pub scheduled_local: String,
    pub current_item_id: Option<i64>,
    pub item_started_at: Option<DateTime<Utc>>,
    /// The server's clock when this was read, so the timer is right on a skewed client.
    pub now: DateTime<Utc>,
    pub seats: Vec<SeatPresence>,
    /// Everyone with the meeting open (members, delegates, guests).
    pub present: Vec<PersonRef>,
    pub quorum: QuorumStatus,
    pub items: Vec<AgendaItem>,
    pub minutes_draft: Option<String>,
    pub minutes_published: Option<String>,
    /// The published minutes (or else the draft) rendered as safe HTML by the server.
    pub minutes_html: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// The reader may run the meeting (the chair, or a change manager standing in).
    pub viewer_is_chair: bool,
    pub viewer_id: i64,
}

/// Whether `viewer` may run a meeting whose board is chaired by `chair_id`: the chair, or a
/// change manager standing in — either only while their roles grant chairing.
pub fn may_chair(viewer: &crate::model::user::CurrentUser, chair_id: i64) -> bool {
    use crate::model::access::{Permission, Role};
    viewer.may(Permission::CabChair)
        && (viewer.id == chair_id || viewer.roles.contains(&Role::ChangeManager))
}

impl Meeting {
    /// The meeting as `viewer` sees it (read once for everyone, then told who reads it):
    /// whether they may run it, and when it is on their clock.
    pub fn show_to(&mut self, viewer: &crate::model::user::CurrentUser, scheduled_local: String) {
        self.viewer_is_chair = may_chair(viewer, self.chair.id);
        self.viewer_id = viewer.id;
        self.scheduled_local = scheduled_local;
    }

    pub fn current_item(&self) -> Option<&AgendaItem> {
        self.current_item_id
            .and_then(|id| self.items.iter().find(|i| i.id == id))
    }

    pub fn decided(&self) -> usize {
        self.items.iter().filter(|i| i.decision.is_some()).count()
    }

    pub fn memberships(&self) -> Vec<Membership> {
        self.seats
            .iter()
            .map(|s| Membership {
                member_id: s.member.id,
                delegate_id: s.delegate.as_ref().map(|d| d.id),
            })
            .collect()
    }

    /// Seats the reader may vote for on `item`, or why not.
    pub fn viewer_seats(&self, item: &AgendaItem) -> Result<Vec<i64>, String> {
        let present: Vec<i64> = self.present.iter().map(|p| p.id).collect();
        vote_seats(
            &self.memberships(),
            &present,
            self.viewer_id,
            item.requester.id,
            item.owner.id,
        )
    }
}

/// A meeting in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingSummary {
    pub id: i64,
    pub board_name: String,
    pub title: String,
    pub emergency: bool,
    pub state: MeetingState,
    pub scheduled_at: DateTime<Utc>,
    pub scheduled_local: String,
    pub items: u32,
    pub decided: u32,
    pub minutes_published: bool,
}

/// The change behind an agenda item as the meeting shows it: in full, with the board's earlier
/// decisions on it and — for readers of the CMDB — what a failure of its configuration items
/// reaches (one answer, so the live panel renders and hydrates from one resource).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDetail {
    pub change: crate::model::change_request::Change,
    pub previous: Vec<PreviousDecision>,
    pub reach: Option<crate::model::cmdb::ChangeImpact>,
}

/// An earlier board decision on the same change (shown with the item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousDecision {
    pub meeting_id: i64,
    pub meeting_title: String,
    pub decision: Decision,
    pub text: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub text: String,
    pub link: String,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

/// Parses a vote as the buttons post it (`approve`, `approve_with_conditions` …).
pub fn parse_vote(value: &str) -> Option<Vote> {
    Vote::ALL
        .into_iter()
        .find(|v| vote_code(*v) == value.trim())
}

pub fn vote_code(vote: Vote) -> &'static str {
    match vote {
        Vote::Approve => "approve",
        Vote::ApproveWithConditions => "approve_with_conditions",
        Vote::Reject => "reject",
        Vote::Defer => "defer",
        Vote::Abstain => "abstain",
    }
}

pub const DECISIONS: [Decision; 4] = [
    Decision::Authorise,
    Decision::AuthoriseWithConditions,
    Decision::Reject,
    Decision::Defer,
];

pub fn decision_code(decision: Decision) -> &'static str {
    match decision {
        Decision::Authorise => "authorise",
        Decision::AuthoriseWithConditions => "authorise_with_conditions",
        Decision::Reject => "reject",
        Decision::Defer => "defer",
    }
}

pub fn parse_decision(value: &str) -> Option<Decision> {
    DECISIONS
        .into_iter()
        .find(|d| decision_code(*d) == value.trim())
}

/// The decision form: what the chair records for the current item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionForm {
    pub decision: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub notes: String,
}

impl DecisionForm {
    pub fn validate(&self) -> Result<(Decision, String, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let decision = parse_decision(&self.decision);
        let text = crate::model::text::bounded(
            &mut errors,
            "text",
            "Conditions or reason",
            &self.text,
            0,
            2000,
        );
        let notes = crate::model::text::bounded(
            &mut errors,
            "notes",
            "Discussion notes",
            &self.notes,
            0,
            4000,
        );
        match decision {
            None => errors.add("decision", "Choose the board's decision."),
            Some(decision) => {
                if let Err(ask) = decision.check_text(&text) {
                    errors.add("text", ask);
                }
            }
        }
        match decision {
            Some(decision) if errors.is_empty() => Ok((decision, text, notes)),
            _ => Err(errors),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoteForm {
    pub vote: String,
    #[serde(default)]
    pub comment: String,
}

impl VoteForm {
    pub fn validate(&self) -> Result<(Vote, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let comment =
            crate::model::text::bounded(&mut errors, "comment", "Comment", &self.comment, 0, 1000);
        let vote = parse_vote(&self.vote);
        match vote {
            None => errors.add("vote", "Choose how you vote."),
            Some(Vote::ApproveWithConditions | Vote::Reject) if comment.chars().count() < 5 => {
                errors.add("comment", "Say which conditions, or why, in the comment.")
            }
            Some(_) => {}
        }
        match vote {
            Some(vote) if errors.is_empty() => Ok((vote, comment)),
            _ => Err(errors),
        }
    }
}

/// A follow-up action ([`CabAction`]) as the chair enters it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CabActionForm {
    pub text: String,
    pub owner_id: String,
    pub due: String,
}

impl CabActionForm {
    pub fn validate(&self, today: NaiveDate) -> Result<(String, i64, NaiveDate), FieldErrors> {
        let mut errors = FieldErrors::new();
        let text =
            crate::model::text::bounded(&mut errors, "action_text", "Action", &self.text, 3, 500);
        let owner = match self.owner_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.add("action_owner", "Choose who owns the action.");
                None
            }
        };
        let due = match crate::model::typed::date(&self.due) {
            Ok(due) if due < today => {
                errors.add("action_due", "The due date cannot be in the past.");
                None
            }
            Ok(due) if due > today + chrono::Duration::days(366) => {
                errors.add("action_due", "Choose a due date within a year.");
                None
            }
            Ok(due) => Some(due),
            Err(refusal) => {
                errors.add(
                    "action_due",
                    refusal.message("Enter the due date as YYYY-MM-DD."),
                );
                None
            }
        };
        match (owner, due) {
            (Some(owner), Some(due)) if errors.is_empty() => Ok((text, owner, due)),
            _ => Err(errors),
        }
    }
}

/// Scheduling a meeting: the board's next slot, or an ad hoc one (`now` or a local time).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingForm {
    pub board_id: String,
    /// `next` (the board's next recurring slot), `now`, or `YYYY-MM-DDTHH:MM` board-local.
    pub when: String,
    #[serde(default)]
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetingWhen {
    Next,
    Now,
    At(chrono::NaiveDateTime),
}

impl MeetingForm {
    pub fn validate(&self) -> Result<(i64, MeetingWhen, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let board_id = match self.board_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.add("board_id", "Choose a board.");
                None
            }
        };
        let when = match self.when.trim() {
            "next" => Some(MeetingWhen::Next),
            "now" => Some(MeetingWhen::Now),
            value => match crate::model::typed::date_time(value) {
                Ok(at) if !(2000..=2200).contains(&chrono::Datelike::year(&at)) => {
                    errors.add("when", "Enter a date between the years 2000 and 2200.");
                    None
                }
                Ok(at) => Some(MeetingWhen::At(at)),
                Err(refusal) => {
                    errors.add(
                        "when",
                        refusal.message("Enter the date and time of the meeting."),
                    );
                    None
                }
            },
        };
        let title = crate::model::text::bounded(&mut errors, "title", "Title", &self.title, 0, 120);
        match (board_id, when) {
            (Some(board_id), Some(when)) if errors.is_empty() => Ok((board_id, when, title)),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn members() -> Vec<Membership> {
        vec![
            Membership {
                member_id: 1,
                delegate_id: Some(9),
            },
            Membership {
                member_id: 2,
                delegate_id: None,
            },
            Membership {
                member_id: 3,
                delegate_id: Some(9),
            },
        ]
    }

    #[test]
    fn the_meeting_runs_scheduled_in_progress_ended_then_minutes_once() {
        use MeetingAction as A;
        use MeetingState as S;
        assert!(meeting_allows(S::Scheduled, false, A::Start).is_ok());
        assert!(meeting_allows(S::Scheduled, false, A::EditAgenda).is_ok());
        assert_eq!(
            meeting_allows(S::Scheduled, false, A::Decide).unwrap_err(),
            "The chair has not started the meeting yet."
        );
        for action in [A::GoTo, A::Vote, A::Decide, A::End, A::EditAgenda] {
            assert!(meeting_allows(S::InProgress, false, action).is_ok());
        }
        assert!(meeting_allows(S::InProgress, false, A::PublishMinutes).is_err());
        assert!(meeting_allows(S::Ended, false, A::Vote).is_err());
        assert!(meeting_allows(S::Ended, false, A::EditMinutes).is_ok());
        assert_eq!(
            meeting_allows(S::Ended, true, A::EditMinutes).unwrap_err(),
            "The minutes are published; the meeting is closed."
        );
    }

    #[test]
    fn a_delegate_votes_for_each_absent_member_who_named_them() {
        assert_eq!(vote_seats(&members(), &[2, 9], 9, 50, 51), Ok(vec![1, 3]));
        // Member 1 came back: the delegate only stands in for 3.
        assert_eq!(vote_seats(&members(), &[1, 2, 9], 9, 50, 51), Ok(vec![3]));
        assert!(vote_seats(&members(), &[2], 7, 50, 51).is_err());
    }

    #[test]
    fn nobody_votes_on_a_change_they_or_the_member_they_stand_for_requested_or_own() {
        assert!(vote_seats(&members(), &[2], 2, 2, 51)
            .unwrap_err()
            .contains("requested"));
        // The delegate keeps the seat of member 3 but not that of member 1, the owner.
        assert_eq!(vote_seats(&members(), &[9], 9, 50, 1), Ok(vec![3]));
        let only_conflicted = vec![Membership {
            member_id: 1,
            delegate_id: Some(9),
        }];
        assert!(vote_seats(&only_conflicted, &[9], 9, 1, 51).is_err());
    }

    #[test]
    fn forms_refuse_what_the_board_cannot_record() {
        let reject = DecisionForm {
            decision: "reject".into(),
            text: " ".into(),
            notes: String::new(),
        };
        assert!(reject.validate().unwrap_err().get("text").is_some());
        let unknown = DecisionForm {
            decision: "approve".into(),
            ..Default::default()
        };
        assert!(unknown.validate().unwrap_err().get("decision").is_some());
        let ok = DecisionForm {
            decision: "authorise_with_conditions".into(),
            text: "Only after the backup completes".into(),
            notes: "Discussed the window".into(),
        };
        assert_eq!(ok.validate().unwrap().0, Decision::AuthoriseWithConditions);
        assert!(VoteForm {
            vote: "reject".into(),
            comment: "".into()
        }
        .validate()
        .is_err());
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let late = CabActionForm {
            text: "Update the runbook".into(),
            owner_id: "3".into(),
            due: "2026-11-26".into(),
        };
        assert!(late
            .validate(today)
            .unwrap_err()
            .get("action_due")
            .is_some());
        for when in ["tomorrow", "+262143-12-31T23:30", "1999-12-31T10:00"] {
            assert!(MeetingForm {
                board_id: "1".into(),
                when: when.into(),
                title: String::new()
            }
            .validate()
            .is_err());
        }
    }

    proptest! {
        /// Whatever the room looks like, a seat never votes on its own member's change,
        /// and nobody gets a seat that is neither theirs nor an absent delegator's.
        #[test]
        fn seats_respect_membership_and_conflicts(
            present in proptest::collection::vec(1i64..10, 0..6),
            voter in 1i64..10,
            requester in 1i64..10,
            owner in 1i64..10,
        ) {
            if let Ok(seats) = vote_seats(&members(), &present, voter, requester, owner) {
                prop_assert!(voter != requester && voter != owner);
                for seat in seats {
                    prop_assert!(seat != requester && seat != owner);
                    let m = members().into_iter().find(|m| m.member_id == seat).unwrap();
                    prop_assert!(seat == voter || (m.delegate_id == Some(voter) && !present.contains(&seat)));
                }
            }
        }
    }
}
