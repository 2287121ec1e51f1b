//! A change request (RFC) as people fill it in and as the board and pages show it.
//!
//! This file is the stored record (`Change`, the board's `ChangeCard`, references); the form
//! and its validation are in `form`, the change list's filters, sorting and links in `query`.
//! Everything is re-exported here, so callers name `change_request::X` whichever file holds it.

mod form;
mod query;

pub(crate) use form::parse_ids;
pub use form::{ChangeDraft, ChangeForm, OUTAGE_MAX_MINUTES, TEXT_MAX, TITLE_MAX};
pub use query::{ChangeQuery, ChangeQueryParams, ChangeSort};

use crate::error::FieldErrors;
use crate::model::change::{ApprovalPath, ChangeState, ChangeType};
use crate::model::refs::{PersonRef, ServiceRef};
use crate::model::risk::{RiskAnswers, RiskAssessment, RiskLevel};
use crate::model::schedule::Conflict;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// A conflict with the words to show for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConflictNote {
    pub conflict: Conflict,
    pub message: String,
}

/// The post-implementation review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub outcome: String,
    pub incidents: i32,
    pub lessons: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub reason: String,
    pub change_type: ChangeType,
    pub category: String,
    pub state: ChangeState,
    pub requester: PersonRef,
    pub owner: PersonRef,
    pub implementers: Vec<PersonRef>,
    pub services: Vec<ServiceRef>,
    pub configuration_items: Vec<String>,
    pub planned_start: Option<DateTime<Utc>>,
    pub planned_end: Option<DateTime<Utc>>,
    pub expects_outage: bool,
    pub outage_minutes: i32,
    pub implementation_plan: String,
    pub test_plan: String,
    pub backout_plan: String,
    pub communication_plan: String,
    pub risk_answers: Option<RiskAnswers>,
    pub risk: Option<RiskAssessment>,
    pub conflicts: Vec<ConflictNote>,
    pub conflict_override: Option<String>,
    pub review: Option<Review>,
    /// Changes this one links to (`outgoing`) or that link to it.
    pub related: Vec<RelatedChange>,
    /// The standard change template it follows (id, name).
    pub template: Option<(i64, String)>,
    /// Who owned it before its current owner (they never decide on it).
    #[serde(default)]
    pub former_owners: Vec<PersonRef>,
    /// Imported history: arrives closed, read-only.
    #[serde(default)]
    pub imported: bool,
    /// The planned window in the reader's time zone (set by the server for each reader).
    #[serde(default)]
    pub local_window: Option<LocalWindow>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A planned window as one reader's wall clock shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalWindow {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub zone: String,
}

impl LocalWindow {
    /// "2026-12-01 22:00 – 23:30 Europe/Berlin"; the end date is repeated when it differs.
    pub fn text(&self) -> String {
        let end = if self.end.date() == self.start.date() {
            self.end.format("%H:%M")
        } else {
            self.end.format("%Y-%m-%d %H:%M")
        };
        format!(
            "{} – {end} {}",
            self.start.format("%Y-%m-%d %H:%M"),
            self.zone
        )
    }
}

/// What the change form offers to choose from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeFormChoices {
    pub services: Vec<ServiceRef>,
    pub people: Vec<PersonRef>,
    /// Active standard change templates (id, name).
    pub templates: Vec<(i64, String)>,
}

/// A change linked to another, as the detail page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedChange {
    pub id: i64,
    pub title: String,
    pub state: ChangeState,
    /// Entered on this change (and editable here), rather than on the other one.
    pub outgoing: bool,
}

impl Change {
    pub fn reference(&self) -> String {
        reference(self.id)
    }

    /// The edit form, filled in; `local` turns a stored instant into the editor's wall clock.
    pub fn to_form(&self, local: impl Fn(DateTime<Utc>) -> NaiveDateTime) -> ChangeForm {
        let time = |t: Option<DateTime<Utc>>| {
            t.map(|t| {
                local(t)
                    .format(crate::model::typed::LOCAL_TIME_FORMAT)
                    .to_string()
            })
            .unwrap_or_default()
        };
        let answer = |pick: fn(&RiskAnswers) -> u8| {
            self.risk_answers
                .as_ref()
                .map(|a| pick(a).to_string())
                .unwrap_or_default()
        };
        ChangeForm {
            title: self.title.clone(),
            description: self.description.clone(),
            reason: self.reason.clone(),
            change_type: self.change_type.as_str().to_string(),
            category: self.category.clone(),
            service_ids: self.services.iter().map(|s| s.id.to_string()).collect(),
            configuration_items: self.configuration_items.join("\n"),
            owner_id: self.owner.id.to_string(),
            implementer_ids: self.implementers.iter().map(|p| p.id.to_string()).collect(),
            planned_start: time(self.planned_start),
            planned_end: time(self.planned_end),
            expects_outage: self.expects_outage.then(|| "on".to_string()),
            outage_minutes: if self.expects_outage {
                self.outage_minutes.to_string()
            } else {
                String::new()
            },
            implementation_plan: self.implementation_plan.clone(),
            test_plan: self.test_plan.clone(),
            backout_plan: self.backout_plan.clone(),
            communication_plan: self.communication_plan.clone(),
            impact_breadth: answer(|a| a.impact_breadth),
            complexity: answer(|a| a.complexity),
            backout_difficulty: answer(|a| a.backout_difficulty),
            history: answer(|a| a.history),
            time_pressure: answer(|a| a.time_pressure),
            template_id: self
                .template
                .as_ref()
                .map(|(id, _)| id.to_string())
                .unwrap_or_default(),
            related_changes: self
                .related
                .iter()
                .filter(|r| r.outgoing)
                .map(|r| reference(r.id))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// Whether its content may still be edited (before authorisation is asked for; never
    /// imported history). Editing an assessed change in what the assessment relied on sends
    /// it back for assessment (see `change::state_after_edit`).
    pub fn is_editable(&self) -> bool {
        !self.imported
            && matches!(
                self.state,
                ChangeState::Draft | ChangeState::Submitted | ChangeState::Assessed
            )
    }

    pub fn risk_level(&self) -> Option<RiskLevel> {
        self.risk.as_ref().map(|r| r.level)
    }

    pub fn approval_path(&self) -> ApprovalPath {
        ApprovalPath::for_change(self.change_type, self.risk_level())
    }

    pub fn has_plans(&self) -> bool {
        [
            &self.implementation_plan,
            &self.test_plan,
            &self.backout_plan,
        ]
        .iter()
        .all(|p| !p.trim().is_empty())
    }

    pub fn facts(&self) -> crate::model::change::ChangeFacts {
        crate::model::change::ChangeFacts {
            state: self.state,
            change_type: self.change_type,
            risk: self.risk_level(),
            requester_id: self.requester.id,
            owner_id: self.owner.id,
            implementer_ids: self.implementers.iter().map(|p| p.id).collect(),
            has_plans: self.has_plans(),
            has_schedule: self.planned_start.is_some() && self.planned_end.is_some(),
            open_conflicts: self.open_conflicts(),
            // The review form comes with the action itself.
            has_review: true,
            former_owner_ids: self.former_owners.iter().map(|p| p.id).collect(),
            imported: self.imported,
        }
    }

    /// Conflicts that still block authorisation.
    pub fn open_conflicts(&self) -> u32 {
        if self.conflict_override.is_some() {
            0
        } else {
            self.conflicts.len() as u32
        }
    }
}

/// `CHG-00042`: a change's id as people write it (`parse_references` reads it back).
pub fn reference(id: i64) -> String {
    format!("CHG-{id:05}")
}

/// The most related changes one change may link to.
pub const RELATED_MAX: usize = 20;

/// Reads "CHG-00012, chg-15 16" as change ids; every token must be a reference or a number.
pub(crate) fn parse_references(errors: &mut FieldErrors, field: &str, value: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for token in value
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        let digits = token
            .get(..4)
            .filter(|prefix| prefix.eq_ignore_ascii_case("CHG-"))
            .map_or(token, |_| &token[4..]);
        match digits.parse::<i64>() {
            Ok(id) if id > 0 => {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            _ => errors.add(
                field,
                format!("“{token}” is not a change reference like CHG-00012."),
            ),
        }
    }
    if ids.len() > RELATED_MAX {
        errors.add(
            field,
            format!("Link at most {RELATED_MAX} related changes."),
        );
    }
    ids
}

/// What a board card needs: small, so a board of a thousand cards stays quick.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeCard {
    pub id: i64,
    pub title: String,
    pub change_type: ChangeType,
    pub state: ChangeState,
    pub risk: Option<RiskLevel>,
    pub services: Vec<String>,
    pub owner: PersonRef,
    pub requester_id: i64,
    pub implementer_ids: Vec<i64>,
    pub planned_start: Option<DateTime<Utc>>,
    pub planned_end: Option<DateTime<Utc>>,
    pub has_plans: bool,
    pub has_review: bool,
    pub conflicts: u32,
    pub conflict_overridden: bool,
    /// Who owned it before its current owner.
    #[serde(default)]
    pub former_owner_ids: Vec<i64>,
    /// Imported history (read-only).
    #[serde(default)]
    pub imported: bool,
    pub version: i32,
    /// The planned window in the reader's time zone (set by the server for each reader).
    #[serde(default)]
    pub local_window: Option<LocalWindow>,
}

impl ChangeCard {
    /// A plain unscheduled normal change in Submitted, version 1, for tests to shape.
    #[cfg(test)]
    pub fn sample(id: i64) -> Self {
        ChangeCard {
            id,
            title: format!("Change {id}"),
            change_type: ChangeType::Normal,
            state: ChangeState::Submitted,
            risk: None,
            services: vec![],
            owner: PersonRef {
                id: 1,
                name: "Owner".into(),
            },
            requester_id: 1,
            implementer_ids: vec![],
            planned_start: None,
            planned_end: None,
            has_plans: false,
            has_review: false,
            conflicts: 0,
            conflict_overridden: false,
            former_owner_ids: vec![],
            imported: false,
            version: 1,
            local_window: None,
        }
    }

    pub fn facts(&self) -> crate::model::change::ChangeFacts {
        crate::model::change::ChangeFacts {
            state: self.state,
            change_type: self.change_type,
            risk: self.risk,
            requester_id: self.requester_id,
            owner_id: self.owner.id,
            implementer_ids: self.implementer_ids.clone(),
            has_plans: self.has_plans,
            has_schedule: self.planned_start.is_some() && self.planned_end.is_some(),
            open_conflicts: if self.conflict_overridden {
                0
            } else {
                self.conflicts
            },
            has_review: self.has_review,
            former_owner_ids: self.former_owner_ids.clone(),
            imported: self.imported,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_padded() {
        assert_eq!(reference(42), "CHG-00042");
    }

    #[test]
    fn local_windows_repeat_the_date_only_when_it_changes() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        let same_day = LocalWindow {
            start: at("2026-12-01 22:00"),
            end: at("2026-12-01 23:30"),
            zone: "Europe/Berlin".into(),
        };
        assert_eq!(same_day.text(), "2026-12-01 22:00 – 23:30 Europe/Berlin");
        let overnight = LocalWindow {
            end: at("2026-12-02 01:00"),
            ..same_day
        };
        assert_eq!(
            overnight.text(),
            "2026-12-01 22:00 – 2026-12-02 01:00 Europe/Berlin"
        );
    }
}
