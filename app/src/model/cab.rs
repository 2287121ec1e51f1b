//! Change advisory board meetings, the rules without the storage: quorum, who may vote on
//! which change, what a decision does to the change, and the minutes.

use crate::model::change::{ApprovalPath, ChangeAction};
use crate::model::change_request::reference;
use crate::model::labelled::labelled_enum;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// How many of a board's members must take part before it may decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QuorumRule {
    /// At least this many members (or their delegates).
    AtLeast(u32),
    /// More than half of the members.
    Majority,
    /// At least this percentage of the members, rounded up.
    Percent(u8),
}

impl QuorumRule {
    /// How many members must be represented out of `members`.
    pub fn required(self, members: u32) -> u32 {
        let needed = match self {
            QuorumRule::AtLeast(n) => n,
            QuorumRule::Majority => members / 2 + 1,
            QuorumRule::Percent(p) => (members * u32::from(p.min(100))).div_ceil(100),
        };
        // A board can always reach its quorum with everyone there, and never with nobody.
        needed.clamp(1, members.max(1))
    }

    /// Whether `represented` of `members` is enough; the refusal says what is missing.
    pub fn check(self, members: u32, represented: u32) -> Result<(), String> {
        let required = self.required(members);
        if represented >= required {
            Ok(())
        } else {
            Err(format!(
                "No quorum: {represented} of {members} members present, {required} needed ({}).",
                self.describe()
            ))
        }
    }

    pub fn describe(self) -> String {
        match self {
            QuorumRule::AtLeast(n) => format!("at least {n}"),
            QuorumRule::Majority => "a majority".to_string(),
            QuorumRule::Percent(p) => format!("{p}% of the members"),
        }
    }

    /// The stored form: `at_least:3`, `majority`, `percent:60`.
    pub fn as_code(self) -> String {
        match self {
            QuorumRule::AtLeast(n) => format!("at_least:{n}"),
            QuorumRule::Majority => "majority".to_string(),
            QuorumRule::Percent(p) => format!("percent:{p}"),
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code.trim().split_once(':') {
            None if code.trim() == "majority" => Some(QuorumRule::Majority),
            Some(("at_least", n)) => n.parse().ok().filter(|n| *n > 0).map(QuorumRule::AtLeast),
            Some(("percent", p)) => p
                .parse()
                .ok()
                .filter(|p| (1..=100).contains(p))
                .map(QuorumRule::Percent),
            _ => None,
        }
    }
}

/// A member of a board and, optionally, who votes for them when they are away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub member_id: i64,
    pub delegate_id: Option<i64>,
}

/// The members represented in the room by someone who may vote (`may_vote`: their roles grant
/// the CAB vote): those present, and those absent whose delegate is present (a delegate stands
/// in for absent members only). Only these seats count towards the quorum.
pub fn represented(
    members: &[Membership],
    present: &[i64],
    may_vote: impl Fn(i64) -> bool,
) -> Vec<i64> {
    members
        .iter()
        .filter(|m| {
            if present.contains(&m.member_id) {
                may_vote(m.member_id)
            } else {
                m.delegate_id
                    .is_some_and(|delegate| present.contains(&delegate) && may_vote(delegate))
            }
        })
        .map(|m| m.member_id)
        .collect()
}

/// For whom `voter` may cast a vote: themselves if a member, and each absent member who
/// named them as delegate.
pub fn votes_for(members: &[Membership], present: &[i64], voter: i64) -> Vec<i64> {
    members
        .iter()
        .filter(|m| {
            m.member_id == voter
                || (m.delegate_id == Some(voter) && !present.contains(&m.member_id))
        })
        .map(|m| m.member_id)
        .collect()
}

/// Conflict of interest: nobody votes on a change they requested or own (also not as a
/// delegate for someone else).
pub fn may_vote_on(voter: i64, requester_id: i64, owner_id: i64) -> Result<(), String> {
    if voter == requester_id {
        Err("You requested this change, so you cannot vote on it.".into())
    } else if voter == owner_id {
        Err("You own this change, so you cannot vote on it.".into())
    } else {
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Vote {
    Approve,
    ApproveWithConditions,
    Reject,
    Defer,
    Abstain,
}

impl Vote {
    pub const ALL: [Vote; 5] = [
        Vote::Approve,
        Vote::ApproveWithConditions,
        Vote::Reject,
        Vote::Defer,
        Vote::Abstain,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Vote::Approve => "Approve",
            Vote::ApproveWithConditions => "Approve with conditions",
            Vote::Reject => "Reject",
            Vote::Defer => "Defer",
            Vote::Abstain => "Abstain",
        }
    }
}

/// Votes counted per kind, in `Vote::ALL` order.
pub fn tally(votes: &[Vote]) -> [(Vote, usize); 5] {
    Vote::ALL.map(|kind| (kind, votes.iter().filter(|v| **v == kind).count()))
}

/// What the chair records for an agenda item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Authorise,
    AuthoriseWithConditions,
    Reject,
    Defer,
}

impl Decision {
    /// The lifecycle move the decision makes on the change board.
    pub fn action(self) -> ChangeAction {
        match self {
            Decision::Authorise | Decision::AuthoriseWithConditions => ChangeAction::Authorise,
            Decision::Reject => ChangeAction::Reject,
            Decision::Defer => ChangeAction::Defer,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Decision::Authorise => "Authorised",
            Decision::AuthoriseWithConditions => "Authorised with conditions",
            Decision::Reject => "Rejected",
            Decision::Defer => "Deferred",
        }
    }

    /// The text a decision cannot be recorded without, and what the screen asks for.
    pub fn required_text(self) -> Option<&'static str> {
        match self {
            Decision::Authorise => None,
            Decision::AuthoriseWithConditions => Some("State the conditions."),
            Decision::Reject => Some("Give the reason for rejecting."),
            Decision::Defer => Some("Say what the board needs before it decides."),
        }
    }

    /// Refuses a decision whose conditions or reasons are missing.
    pub fn check_text(self, text: &str) -> Result<(), String> {
        match self.required_text() {
            Some(ask) if text.trim().chars().count() < 5 => Err(ask.to_string()),
            _ => Ok(()),
        }
    }
}

/// A follow-up agreed in the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutesAction {
    pub text: String,
    pub owner: String,
    pub due: chrono::NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutesVote {
    pub voter: String,
    /// Set when a delegate voted for an absent member.
    pub on_behalf_of: Option<String>,
    pub vote: Vote,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutesItem {
    pub change_id: i64,
    pub title: String,
    pub notes: String,
    pub votes: Vec<MinutesVote>,
    /// The decision and its conditions or reason; `None` when the item was not reached.
    pub decision: Option<(Decision, String)>,
    pub actions: Vec<MinutesAction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutesInput {
    pub board: String,
    /// Local start time and its zone, as the board meets.
    pub held_at: NaiveDateTime,
    pub time_zone: String,
    pub chair: String,
    pub present: Vec<String>,
    pub apologies: Vec<String>,
    pub items: Vec<MinutesItem>,
}

/// Markdown that cannot be read as markup: names and titles come from users.
pub(crate) fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '[' | ']' | '#' | '|' | '<' | '>' | '`'
        ) {
            out.push('\\');
        }
        out.push(if c == '\n' || c == '\r' { ' ' } else { c });
    }
    out
}

/// The minutes as Markdown, written from what happened: attendance, then each item with its
/// notes, votes, decision and actions, then every action in one list for follow-up.
pub fn minutes_markdown(input: &MinutesInput) -> String {
    let mut md = String::new();
    md.push_str(&format!(
        "# Minutes: {}, {} ({})\n\n",
        plain(&input.board),
        input.held_at.format("%A %-d %B %Y, %H:%M"),
        plain(&input.time_zone)
    ));
    md.push_str(&format!("Chair: {}\n\n", plain(&input.chair)));
    let list = |names: &[String]| {
        if names.is_empty() {
            "none".to_string()
        } else {
            names
                .iter()
                .map(|n| plain(n))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    md.push_str(&format!("Present: {}\n\n", list(&input.present)));
    md.push_str(&format!("Apologies: {}\n\n", list(&input.apologies)));
    md.push_str("## Agenda\n\n");
    for (number, item) in input.items.iter().enumerate() {
        md.push_str(&format!(
            "### {}. {} {}\n\n",
            number + 1,
            reference(item.change_id),
            plain(&item.title)
        ));
        if !item.notes.trim().is_empty() {
            md.push_str(&format!("Discussion: {}\n\n", plain(item.notes.trim())));
        }
        if !item.votes.is_empty() {
            md.push_str("Votes:\n\n");
            for vote in &item.votes {
                md.push_str(&format!(
                    "- {}{}: {}{}\n",
                    plain(&vote.voter),
                    vote.on_behalf_of
                        .as_ref()
                        .map(|m| format!(" (for {})", plain(m)))
                        .unwrap_or_default(),
                    vote.vote.label(),
                    if vote.comment.trim().is_empty() {
                        String::new()
                    } else {
                        format!(" — {}", plain(vote.comment.trim()))
                    }
                ));
            }
            md.push('\n');
        }
        match &item.decision {
            Some((decision, text)) if text.trim().is_empty() => {
                md.push_str(&format!("**Decision: {}.**\n\n", decision.label()))
            }
            Some((decision, text)) => md.push_str(&format!(
                "**Decision: {}.** {}\n\n",
                decision.label(),
                plain(text.trim())
            )),
            None => md.push_str("Not reached; carried over to the next meeting.\n\n"),
        }
        for action in &item.actions {
            md.push_str(&format!(
                "- Action: {} — {}, due {}\n",
                plain(&action.text),
                plain(&action.owner),
                action.due.format("%Y-%m-%d")
            ));
        }
        if !item.actions.is_empty() {
            md.push('\n');
        }
    }
    let actions: Vec<(&MinutesItem, &MinutesAction)> = input
        .items
        .iter()
        .flat_map(|item| item.actions.iter().map(move |a| (item, a)))
        .collect();
    if !actions.is_empty() {
        md.push_str("## Actions\n\n| Change | Action | Owner | Due |\n| --- | --- | --- | --- |\n");
        for (item, action) in actions {
            md.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                reference(item.change_id),
                plain(&action.text),
                plain(&action.owner),
                action.due.format("%Y-%m-%d")
            ));
        }
    }
    md
}

/// When a board meets: every `interval_weeks` weeks on `weekday` at `time`, in the board's
/// time zone (the server turns these wall-clock times into instants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recurrence {
    pub weekday: chrono::Weekday,
    pub time: chrono::NaiveTime,
    pub interval_weeks: u32,
}

impl Recurrence {
    /// The next `count` meetings strictly after `after` (wall clock). The cadence is anchored
    /// on `anchor`, the board's first meeting, so fortnightly boards keep their weeks.
    pub fn next(
        self,
        anchor: NaiveDateTime,
        after: NaiveDateTime,
        count: usize,
    ) -> Vec<NaiveDateTime> {
        use chrono::Datelike;
        let interval = i64::from(self.interval_weeks.max(1)) * 7;
        // The first meeting on the right weekday on or after the anchor's date.
        let offset = (i64::from(self.weekday.num_days_from_monday())
            - i64::from(anchor.date().weekday().num_days_from_monday()))
        .rem_euclid(7);
        let first = (anchor.date() + chrono::Duration::days(offset)).and_time(self.time);
        let mut meeting = if after < first {
            first
        } else {
            let elapsed = (after.date() - first.date()).num_days();
            first + chrono::Duration::days(elapsed - elapsed.rem_euclid(interval))
        };
        let mut found = Vec::with_capacity(count);
        while found.len() < count {
            if meeting > after {
                found.push(meeting);
            }
            meeting += chrono::Duration::days(interval);
        }
        found
    }
}

/// Which changes awaiting authorisation belong on a board's agenda.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaCriteria {
    /// The lowest risk level the board looks at (`None`: any).
    pub min_risk: Option<crate::model::risk::RiskLevel>,
    /// Only changes touching one of these services (empty: any service).
    pub service_ids: Vec<i64>,
    /// Only these change types (empty: normal and emergency).
    pub change_types: Vec<crate::model::change::ChangeType>,
}

impl AgendaCriteria {
    pub fn matches(
        &self,
        change_type: crate::model::change::ChangeType,
        risk: Option<crate::model::risk::RiskLevel>,
        service_ids: &[i64],
    ) -> bool {
        use crate::model::change::ChangeType;
        let type_ok = if self.change_types.is_empty() {
            change_type != ChangeType::Standard
        } else {
            self.change_types.contains(&change_type)
        };
        let risk_ok = match self.min_risk {
            None => true,
            Some(min) => risk.is_some_and(|r| r >= min),
        };
        let service_ok =
            self.service_ids.is_empty() || service_ids.iter().any(|s| self.service_ids.contains(s));
        type_ok && risk_ok && service_ok
    }
}

labelled_enum! {
    /// A change advisory board, or the emergency board that decides emergency changes.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum BoardKind {
        Cab => ("cab", "CAB"),
        Ecab => ("ecab", "ECAB"),
    }
}

impl BoardKind {
    /// Whether a board of this kind decides a change on `path`: an emergency CAB decides
    /// emergency changes only (its small, fast quorum is not the CAB's); the CAB decides the
    /// changes on its path and, as the full board, emergencies too.
    pub fn decides(self, path: ApprovalPath) -> Result<(), String> {
        match (self, path) {
            (BoardKind::Ecab, ApprovalPath::EmergencyCab) | (BoardKind::Cab, _) => Ok(()),
            (BoardKind::Ecab, _) => Err(
                "An emergency CAB decides emergency changes only; this change is decided by the CAB."
                    .into(),
            ),
        }
    }
}

/// The board definition form as posted (every field a string, as forms send them).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoardForm {
    pub name: String,
    pub kind: String,
    pub chair_id: String,
    /// `majority`, `at_least` or `percent`.
    pub quorum_kind: String,
    #[serde(default)]
    pub quorum_value: String,
    /// Empty: the board meets ad hoc only. Otherwise `mon` … `sun`.
    #[serde(default)]
    pub weekday: String,
    #[serde(default)]
    pub meets_at: String,
    #[serde(default)]
    pub interval_weeks: String,
    pub time_zone: String,
    #[serde(default)]
    pub min_risk: String,
    #[serde(default)]
    pub service_ids: Vec<String>,
    #[serde(default)]
    pub change_types: Vec<String>,
    #[serde(default)]
    pub member_ids: Vec<String>,
    /// Member id → delegate id.
    #[serde(default)]
    pub delegates: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardDraft {
    pub name: String,
    pub kind: BoardKind,
    pub chair_id: i64,
    pub quorum: QuorumRule,
    pub recurrence: Option<Recurrence>,
    pub time_zone: String,
    pub criteria: AgendaCriteria,
    pub members: Vec<Membership>,
}

fn positive_id(errors: &mut crate::error::FieldErrors, field: &str, value: &str) -> Option<i64> {
    match value.trim().parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            errors.add(field, "Choose someone from the list.");
            None
        }
    }
}

impl BoardForm {
    pub fn validate(&self) -> Result<BoardDraft, crate::error::FieldErrors> {
        use crate::model::change::ChangeType;
        use crate::model::risk::RiskLevel;
        let mut errors = crate::error::FieldErrors::new();
        let name = crate::model::text::bounded(&mut errors, "name", "Name", &self.name, 3, 80);
        let kind = BoardKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "Choose CAB or emergency CAB.");
        }
        let chair_id = positive_id(&mut errors, "chair_id", &self.chair_id);
        let members =
            crate::model::change_request::parse_ids(&mut errors, "member_ids", &self.member_ids);
        if members.len() < 2 {
            errors.add("member_ids", "A board needs at least two members.");
        }
        let mut memberships = Vec::new();
        for member_id in &members {
            let delegate_id = match self
                .delegates
                .get(&member_id.to_string())
                .map(|d| d.trim())
                .filter(|d| !d.is_empty())
            {
                None => None,
                Some(value) => match value.parse::<i64>() {
                    Ok(id) if id == *member_id => {
                        errors.add("delegates", "A member cannot be their own delegate.");
                        None
                    }
                    Ok(id) if id > 0 => Some(id),
                    _ => {
                        errors.add("delegates", format!("“{value}” is not a valid delegate."));
                        None
                    }
                },
            };
            memberships.push(Membership {
                member_id: *member_id,
                delegate_id,
            });
        }
        let number = |errors: &mut crate::error::FieldErrors,
                      field: &str,
                      value: &str,
                      range: std::ops::RangeInclusive<u32>,
                      what: &str| {
            match value.trim().parse::<u32>() {
                Ok(n) if range.contains(&n) => Some(n),
                _ => {
                    errors.add(
                        field,
                        format!("Enter {what} from {} to {}.", range.start(), range.end()),
                    );
                    None
                }
            }
        };
        let quorum = match self.quorum_kind.trim() {
            "majority" => Some(QuorumRule::Majority),
            "at_least" => number(
                &mut errors,
                "quorum_value",
                &self.quorum_value,
                1..=100,
                "a number of members",
            )
            .map(QuorumRule::AtLeast),
            "percent" => number(
                &mut errors,
                "quorum_value",
                &self.quorum_value,
                1..=100,
                "a percentage",
            )
            .map(|p| QuorumRule::Percent(p as u8)),
            _ => {
                errors.add("quorum_kind", "Choose how the quorum is counted.");
                None
            }
        };
        if let Some(QuorumRule::AtLeast(n)) = quorum {
            if n as usize > members.len() && members.len() >= 2 {
                errors.add(
                    "quorum_value",
                    format!(
                        "A quorum of {n} cannot be reached by {} members.",
                        members.len()
                    ),
                );
            }
        }
        let recurrence = match self.weekday.trim() {
            "" => None,
            day => {
                let weekday = day.parse::<chrono::Weekday>().ok();
                if weekday.is_none() {
                    errors.add("weekday", "Choose a day of the week.");
                }
                let time = chrono::NaiveTime::parse_from_str(self.meets_at.trim(), "%H:%M").ok();
                if time.is_none() {
                    errors.add("meets_at", "Enter the time the board meets, like 10:00.");
                }
                let interval = if self.interval_weeks.trim().is_empty() {
                    Some(1)
                } else {
                    number(
                        &mut errors,
                        "interval_weeks",
                        &self.interval_weeks,
                        1..=4,
                        "a number of weeks",
                    )
                };
                match (weekday, time, interval) {
                    (Some(weekday), Some(time), Some(interval_weeks)) => Some(Recurrence {
                        weekday,
                        time,
                        interval_weeks,
                    }),
                    _ => None,
                }
            }
        };
        let time_zone =
            crate::model::user::check_time_zone_shape(&mut errors, "time_zone", &self.time_zone);
        let min_risk = match self.min_risk.trim() {
            "" => None,
            value => {
                let level = RiskLevel::parse(value);
                if level.is_none() {
                    errors.add("min_risk", "Choose a risk level.");
                }
                level
            }
        };
        let mut change_types = Vec::new();
        for value in self
            .change_types
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        {
            match ChangeType::parse(value) {
                Some(ChangeType::Standard) => errors.add(
                    "change_types",
                    "Standard changes are pre-authorised and never go to a board.",
                ),
                Some(t) if !change_types.contains(&t) => change_types.push(t),
                Some(_) => {}
                None => errors.add("change_types", format!("“{value}” is not a change type.")),
            }
        }
        let service_ids =
            crate::model::change_request::parse_ids(&mut errors, "service_ids", &self.service_ids);
        match (kind, chair_id, quorum) {
            (Some(kind), Some(chair_id), Some(quorum)) if errors.is_empty() => Ok(BoardDraft {
                name,
                kind,
                chair_id,
                quorum,
                recurrence,
                time_zone,
                criteria: AgendaCriteria {
                    min_risk,
                    service_ids,
                    change_types,
                },
                members: memberships,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quorum_rules_count_up_and_explain_refusals() {
        assert_eq!(QuorumRule::Majority.required(5), 3);
        assert_eq!(QuorumRule::Majority.required(4), 3);
        assert_eq!(QuorumRule::Percent(60).required(5), 3);
        assert_eq!(QuorumRule::Percent(60).required(4), 3, "2.4 rounds up");
        assert_eq!(
            QuorumRule::AtLeast(10).required(4),
            4,
            "never more than everyone"
        );
        assert_eq!(QuorumRule::Percent(1).required(0), 1, "never nobody");
        assert!(QuorumRule::Majority.check(5, 3).is_ok());
        assert_eq!(
            QuorumRule::Majority.check(5, 2).unwrap_err(),
            "No quorum: 2 of 5 members present, 3 needed (a majority)."
        );
    }

    #[test]
    fn quorum_rules_round_trip_their_codes() {
        for rule in [
            QuorumRule::AtLeast(3),
            QuorumRule::Majority,
            QuorumRule::Percent(60),
        ] {
            assert_eq!(QuorumRule::parse(&rule.as_code()), Some(rule));
        }
        for bad in [
            "",
            "most",
            "at_least:0",
            "percent:0",
            "percent:101",
            "at_least:x",
        ] {
            assert_eq!(QuorumRule::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn delegates_stand_in_only_for_absent_members() {
        let members = [
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
        ];
        // 1 is here; 3 is away and their delegate 9 is here; 2 is away.
        let present = [1, 9];
        assert_eq!(represented(&members, &present, |_| true), vec![1, 3]);
        // A seat counts only when whoever fills it may vote: 1 may not (and 9 does not stand
        // in for a member who is there); 9 may not vote for 3 either.
        assert_eq!(represented(&members, &present, |p| p != 1), vec![3]);
        assert_eq!(represented(&members, &present, |p| p != 9), vec![1]);
        assert_eq!(
            represented(&members, &[1, 3, 9], |p| p == 9),
            Vec::<i64>::new()
        );
        assert_eq!(votes_for(&members, &present, 9), vec![3]);
        assert_eq!(votes_for(&members, &present, 1), vec![1]);
        assert_eq!(votes_for(&members, &present, 2), vec![2]);
        assert!(votes_for(&members, &present, 7).is_empty(), "not a member");
    }

    #[test]
    fn an_emergency_board_decides_emergency_changes_only() {
        use crate::model::change::ChangeType;
        use crate::model::risk::RiskLevel;
        let emergency = ApprovalPath::for_change(ChangeType::Emergency, Some(RiskLevel::Low));
        assert!(BoardKind::Ecab.decides(emergency).is_ok());
        assert!(
            BoardKind::Cab.decides(emergency).is_ok(),
            "the full board may"
        );
        for risk in [None, Some(RiskLevel::Low), Some(RiskLevel::VeryHigh)] {
            let normal = ApprovalPath::for_change(ChangeType::Normal, risk);
            assert!(BoardKind::Cab.decides(normal).is_ok());
            assert!(BoardKind::Ecab
                .decides(normal)
                .unwrap_err()
                .contains("emergency changes only"));
        }
    }

    #[test]
    fn nobody_votes_on_their_own_change() {
        assert!(may_vote_on(5, 1, 2).is_ok());
        assert!(may_vote_on(1, 1, 2).unwrap_err().contains("requested"));
        assert!(may_vote_on(2, 1, 2).unwrap_err().contains("own"));
    }

    #[test]
    fn decisions_map_to_lifecycle_moves_and_need_their_reasons() {
        assert_eq!(Decision::Authorise.action(), ChangeAction::Authorise);
        assert_eq!(
            Decision::AuthoriseWithConditions.action(),
            ChangeAction::Authorise
        );
        assert_eq!(Decision::Reject.action(), ChangeAction::Reject);
        assert_eq!(Decision::Defer.action(), ChangeAction::Defer);
        assert!(Decision::Authorise.check_text("").is_ok());
        assert_eq!(
            Decision::Reject.check_text("  no "),
            Err("Give the reason for rejecting.".into())
        );
        assert!(Decision::AuthoriseWithConditions
            .check_text("Only after the backup ran.")
            .is_ok());
    }

    #[test]
    fn votes_are_tallied_per_kind() {
        let counts = tally(&[Vote::Approve, Vote::Reject, Vote::Approve, Vote::Abstain]);
        assert_eq!(counts[0], (Vote::Approve, 2));
        assert_eq!(counts[2], (Vote::Reject, 1));
        assert_eq!(counts[3], (Vote::Defer, 0));
    }

    #[test]
    fn minutes_record_what_happened_and_cannot_be_injected_with_markup() {
        let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap();
        let input = MinutesInput {
            board: "Weekly CAB".into(),
            held_at: NaiveDateTime::parse_from_str("2026-12-01 10:00", "%Y-%m-%d %H:%M").unwrap(),
            time_zone: "Europe/Berlin".into(),
            chair: "Chris Change".into(),
            present: vec!["Cam Cab".into(), "Dana | Delegate".into()],
            apologies: vec![],
            items: vec![
                MinutesItem {
                    change_id: 42,
                    title: "Upgrade the *core* switch".into(),
                    notes: "Vendor on site.\nRollback tested.".into(),
                    votes: vec![
                        MinutesVote {
                            voter: "Cam Cab".into(),
                            on_behalf_of: None,
                            vote: Vote::ApproveWithConditions,
                            comment: "After the backup".into(),
                        },
                        MinutesVote {
                            voter: "Dana | Delegate".into(),
                            on_behalf_of: Some("Sam Service".into()),
                            vote: Vote::Approve,
                            comment: String::new(),
                        },
                    ],
                    decision: Some((
                        Decision::AuthoriseWithConditions,
                        "Only after the nightly backup.".into(),
                    )),
                    actions: vec![MinutesAction {
                        text: "Confirm the backup ran".into(),
                        owner: "Cam Cab".into(),
                        due,
                    }],
                },
                MinutesItem {
                    change_id: 43,
                    title: "Retire the fax server".into(),
                    notes: String::new(),
                    votes: vec![],
                    decision: None,
                    actions: vec![],
                },
            ],
        };
        let md = minutes_markdown(&input);
        assert!(
            md.starts_with("# Minutes: Weekly CAB, Tuesday 1 December 2026, 10:00 (Europe/Berlin)")
        );
        assert!(md.contains("Present: Cam Cab, Dana \\| Delegate"));
        assert!(md.contains("Apologies: none"));
        assert!(md.contains("### 1. CHG-00042 Upgrade the \\*core\\* switch"));
        assert!(md.contains("Discussion: Vendor on site. Rollback tested."));
        assert!(md.contains("- Cam Cab: Approve with conditions — After the backup"));
        assert!(md.contains("- Dana \\| Delegate (for Sam Service): Approve"));
        assert!(
            md.contains("**Decision: Authorised with conditions.** Only after the nightly backup.")
        );
        assert!(md.contains("### 2. CHG-00043 Retire the fax server\n\nNot reached; carried over"));
        assert!(md.contains("| CHG-00042 | Confirm the backup ran | Cam Cab | 2026-12-10 |"));
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn weekly_and_fortnightly_boards_keep_their_day_and_weeks() {
        let weekly = Recurrence {
            weekday: chrono::Weekday::Tue,
            time: chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            interval_weeks: 1,
        };
        // Anchored on Friday 27 November 2026: first meeting Tuesday 1 December.
        let anchor = at("2026-11-27 09:00");
        assert_eq!(
            weekly.next(anchor, anchor, 2),
            vec![at("2026-12-01 10:00"), at("2026-12-08 10:00")]
        );
        // Asked at 10:00 on a meeting day: that meeting has started, the next is a week on.
        assert_eq!(
            weekly.next(anchor, at("2026-12-08 10:00"), 1),
            vec![at("2026-12-15 10:00")]
        );
        assert_eq!(
            weekly.next(anchor, at("2026-12-08 09:59"), 1),
            vec![at("2026-12-08 10:00")]
        );

        let fortnightly = Recurrence {
            interval_weeks: 2,
            ..weekly
        };
        assert_eq!(
            fortnightly.next(anchor, at("2026-12-02 00:00"), 2),
            vec![at("2026-12-15 10:00"), at("2026-12-29 10:00")]
        );
    }

    #[test]
    fn agenda_criteria_pick_changes_by_type_risk_and_service() {
        use crate::model::change::ChangeType;
        use crate::model::risk::RiskLevel;
        let any = AgendaCriteria::default();
        assert!(any.matches(ChangeType::Normal, None, &[]));
        assert!(
            !any.matches(ChangeType::Standard, None, &[]),
            "standard changes skip the CAB"
        );
        let network_high = AgendaCriteria {
            min_risk: Some(RiskLevel::High),
            service_ids: vec![7],
            change_types: vec![],
        };
        assert!(network_high.matches(ChangeType::Normal, Some(RiskLevel::VeryHigh), &[3, 7]));
        assert!(!network_high.matches(ChangeType::Normal, Some(RiskLevel::Medium), &[7]));
        assert!(
            !network_high.matches(ChangeType::Normal, None, &[7]),
            "unassessed is not high"
        );
        assert!(!network_high.matches(ChangeType::Normal, Some(RiskLevel::High), &[3]));
        let ecab = AgendaCriteria {
            change_types: vec![ChangeType::Emergency],
            ..Default::default()
        };
        assert!(ecab.matches(ChangeType::Emergency, None, &[]));
        assert!(!ecab.matches(ChangeType::Normal, Some(RiskLevel::VeryHigh), &[]));
    }

    fn board_form() -> BoardForm {
        BoardForm {
            name: "Weekly CAB".into(),
            kind: "cab".into(),
            chair_id: "2".into(),
            quorum_kind: "majority".into(),
            weekday: "tue".into(),
            meets_at: "10:00".into(),
            time_zone: "Europe/Berlin".into(),
            min_risk: "medium".into(),
            member_ids: vec!["3".into(), "4".into(), "5".into()],
            delegates: [("5".to_string(), "6".to_string())].into_iter().collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_board_form_becomes_a_board_definition() {
        let draft = board_form().validate().unwrap();
        assert_eq!(draft.kind, BoardKind::Cab);
        assert_eq!(draft.quorum, QuorumRule::Majority);
        let recurrence = draft.recurrence.unwrap();
        assert_eq!(recurrence.weekday, chrono::Weekday::Tue);
        assert_eq!(recurrence.interval_weeks, 1);
        assert_eq!(
            draft.criteria.min_risk,
            Some(crate::model::risk::RiskLevel::Medium)
        );
        assert_eq!(
            draft.members,
            vec![
                Membership {
                    member_id: 3,
                    delegate_id: None
                },
                Membership {
                    member_id: 4,
                    delegate_id: None
                },
                Membership {
                    member_id: 5,
                    delegate_id: Some(6)
                },
            ]
        );
        let ad_hoc = BoardForm {
            weekday: String::new(),
            meets_at: String::new(),
            ..board_form()
        };
        assert_eq!(ad_hoc.validate().unwrap().recurrence, None);
    }

    #[test]
    fn board_forms_refuse_what_cannot_work() {
        let errors = BoardForm {
            quorum_kind: "at_least".into(),
            quorum_value: "4".into(),
            ..board_form()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            errors.get("quorum_value"),
            Some("A quorum of 4 cannot be reached by 3 members.")
        );

        let errors = BoardForm {
            member_ids: vec!["3".into()],
            delegates: [("3".to_string(), "3".to_string())].into_iter().collect(),
            weekday: "someday".into(),
            meets_at: "25:00".into(),
            change_types: vec!["standard".into()],
            ..board_form()
        }
        .validate()
        .unwrap_err();
        assert!(errors.get("member_ids").is_some());
        assert_eq!(
            errors.get("delegates"),
            Some("A member cannot be their own delegate.")
        );
        assert!(errors.get("weekday").is_some());
        assert!(errors.get("meets_at").is_some());
        assert!(errors
            .get("change_types")
            .unwrap()
            .contains("pre-authorised"));

        let errors = BoardForm {
            kind: "committee".into(),
            quorum_kind: "loudest".into(),
            chair_id: "nobody".into(),
            ..board_form()
        }
        .validate()
        .unwrap_err();
        for field in ["kind", "quorum_kind", "chair_id"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    proptest! {
        /// More people in the room never loses a quorum that was there.
        #[test]
        fn quorum_is_monotonic(members in 1u32..40, present in 0u32..40, extra in 0u32..5, rule in 0usize..3, n in 1u32..10, p in 1u8..=100) {
            let rule = [QuorumRule::Majority, QuorumRule::AtLeast(n), QuorumRule::Percent(p)][rule];
            let present = present.min(members);
            let more = (present + extra).min(members);
            if rule.check(members, present).is_ok() {
                prop_assert!(rule.check(members, more).is_ok());
            }
            prop_assert!(rule.check(members, members).is_ok(), "everyone is always enough");
        }
    }
}
