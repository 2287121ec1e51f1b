//! The change form as posted, and its validation into a `ChangeDraft`.

use super::parse_references;
use crate::error::FieldErrors;
use crate::model::change::ChangeType;
use crate::model::risk::RiskAnswers;
use crate::model::text::bounded;
use crate::model::typed::local_time_field;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

pub const TITLE_MAX: usize = 120;
pub const TEXT_MAX: usize = 10_000;
pub const OUTAGE_MAX_MINUTES: i32 = 7 * 24 * 60;

/// The change form as posted: every field a string (dates as `datetime-local` values in the
/// user's time zone).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeForm {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub reason: String,
    pub change_type: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub service_ids: Vec<String>,
    #[serde(default)]
    pub configuration_items: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub implementer_ids: Vec<String>,
    #[serde(default)]
    pub planned_start: String,
    #[serde(default)]
    pub planned_end: String,
    #[serde(default)]
    pub expects_outage: Option<String>,
    #[serde(default)]
    pub outage_minutes: String,
    #[serde(default)]
    pub implementation_plan: String,
    #[serde(default)]
    pub test_plan: String,
    #[serde(default)]
    pub backout_plan: String,
    #[serde(default)]
    pub communication_plan: String,
    #[serde(default)]
    pub impact_breadth: String,
    #[serde(default)]
    pub complexity: String,
    #[serde(default)]
    pub backout_difficulty: String,
    #[serde(default)]
    pub history: String,
    #[serde(default)]
    pub time_pressure: String,
    /// References of related changes, e.g. "CHG-00012, CHG-00015".
    #[serde(default)]
    pub related_changes: String,
    /// The standard change template (standard changes only).
    #[serde(default)]
    pub template_id: String,
}

/// A validated change form. Local times are converted to UTC on the server (it knows zones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeDraft {
    pub title: String,
    pub description: String,
    pub reason: String,
    pub change_type: ChangeType,
    pub category: String,
    pub service_ids: Vec<i64>,
    pub configuration_items: Vec<String>,
    pub owner_id: Option<i64>,
    pub implementer_ids: Vec<i64>,
    pub planned_start: Option<NaiveDateTime>,
    pub planned_end: Option<NaiveDateTime>,
    pub expects_outage: bool,
    pub outage_minutes: i32,
    pub implementation_plan: String,
    pub test_plan: String,
    pub backout_plan: String,
    pub communication_plan: String,
    pub risk_answers: Option<RiskAnswers>,
    pub related_ids: Vec<i64>,
    /// Required for standard changes, `None` for the others.
    pub template_id: Option<i64>,
}

pub(crate) fn parse_ids(errors: &mut FieldErrors, field: &str, values: &[String]) -> Vec<i64> {
    let mut ids = Vec::new();
    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match value.parse::<i64>() {
            Ok(id) if id > 0 => {
                if !ids.contains(&id) {
                    ids.push(id)
                }
            }
            _ => errors.add(field, format!("“{value}” is not a valid choice.")),
        }
    }
    ids
}

/// One id from a single-choice field; empty is no choice.
fn single_id(errors: &mut FieldErrors, field: &str, value: &str) -> Option<i64> {
    parse_ids(errors, field, &[value.to_string()])
        .first()
        .copied()
}

fn parse_answer(errors: &mut FieldErrors, field: &str, value: &str) -> Option<u8> {
    match value.trim() {
        "" => None,
        text => match text.parse::<u8>() {
            Ok(n) if n <= 3 => Some(n),
            _ => {
                errors.add(field, "Choose one of the answers.");
                None
            }
        },
    }
}

impl ChangeForm {
    /// The form read into a draft. Every field is checked, so the form shows all its problems
    /// at once; each field's first problem is the one kept.
    pub fn validate(&self) -> Result<ChangeDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let (title, description, reason, category) = self.what_and_why(&mut errors);
        let change_type = self.type_of_change(&mut errors);
        let (service_ids, configuration_items) = self.scope(&mut errors);
        let (owner_id, implementer_ids) = self.people(&mut errors);
        let (planned_start, planned_end) = self.planned_window(&mut errors);
        let (expects_outage, outage_minutes) = self.outage(&mut errors);
        let [implementation_plan, test_plan, backout_plan, communication_plan] =
            self.plans(&mut errors);
        let risk_answers = self.risk_answers(&mut errors);
        let related_ids = parse_references(&mut errors, "related_changes", &self.related_changes);
        let template_id = self.template(&mut errors, change_type);
        // Not before: a form without a type still has its other fields checked.
        let Some(change_type) = change_type else {
            return Err(errors);
        };
        errors.into_result(ChangeDraft {
            title,
            description,
            reason,
            change_type,
            category,
            service_ids,
            configuration_items,
            owner_id,
            implementer_ids,
            planned_start,
            planned_end,
            expects_outage,
            outage_minutes,
            implementation_plan,
            test_plan,
            backout_plan,
            communication_plan,
            risk_answers,
            related_ids,
            template_id,
        })
    }

    /// Title, description, reason and category.
    fn what_and_why(&self, errors: &mut FieldErrors) -> (String, String, String, String) {
        let title = crate::model::text::line(errors, "title", "Title", &self.title, 5, TITLE_MAX);
        let description = bounded(
            errors,
            "description",
            "Description",
            &self.description,
            0,
            TEXT_MAX,
        );
        let reason = bounded(
            errors,
            "reason",
            "Reason and benefit",
            &self.reason,
            0,
            TEXT_MAX,
        );
        let category = bounded(errors, "category", "Category", &self.category, 0, 60);
        (title, description, reason, category)
    }

    fn type_of_change(&self, errors: &mut FieldErrors) -> Option<ChangeType> {
        let change_type = ChangeType::parse(self.change_type.trim());
        if change_type.is_none() {
            errors.add(
                "change_type",
                "Choose the type: standard, normal or emergency.",
            );
        }
        change_type
    }

    /// The services it touches and its configuration items (one a line).
    fn scope(&self, errors: &mut FieldErrors) -> (Vec<i64>, Vec<String>) {
        let service_ids = parse_ids(errors, "service_ids", &self.service_ids);
        let configuration_items: Vec<String> = self
            .configuration_items
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| l.chars().take(120).collect())
            .collect();
        if configuration_items.len() > 100 {
            errors.add(
                "configuration_items",
                "List at most 100 configuration items.",
            );
        }
        (service_ids, configuration_items)
    }

    /// The owner and the implementers.
    fn people(&self, errors: &mut FieldErrors) -> (Option<i64>, Vec<i64>) {
        let owner_id = single_id(errors, "owner_id", &self.owner_id);
        let implementer_ids = parse_ids(errors, "implementer_ids", &self.implementer_ids);
        (owner_id, implementer_ids)
    }

    /// The planned start and end: both or neither, the end after the start.
    fn planned_window(
        &self,
        errors: &mut FieldErrors,
    ) -> (Option<NaiveDateTime>, Option<NaiveDateTime>) {
        let start = local_time_field(errors, "planned_start", &self.planned_start);
        let end = local_time_field(errors, "planned_end", &self.planned_end);
        // A time that could not be read keeps its own message over "Set … too".
        match (start, end) {
            (Some(start), Some(end)) if end <= start => {
                errors.add("planned_end", "The end must be after the start.")
            }
            (Some(_), None) => errors.add("planned_end", "Set the end too."),
            (None, Some(_)) => errors.add("planned_start", "Set the start too."),
            _ => {}
        }
        (start, end)
    }

    /// Whether an outage is expected, and its minutes (0 when none is).
    fn outage(&self, errors: &mut FieldErrors) -> (bool, i32) {
        let expects_outage = self
            .expects_outage
            .as_deref()
            .is_some_and(|v| matches!(v, "on" | "true" | "yes"));
        let minutes = match self.outage_minutes.trim() {
            "" => 0,
            text => match text.parse::<i32>() {
                Ok(m) if (0..=OUTAGE_MAX_MINUTES).contains(&m) => m,
                _ => {
                    errors.add(
                        "outage_minutes",
                        format!("Enter whole minutes from 0 to {OUTAGE_MAX_MINUTES}."),
                    );
                    0
                }
            },
        };
        if expects_outage && minutes == 0 && errors.get("outage_minutes").is_none() {
            errors.add(
                "outage_minutes",
                "How many minutes of outage do you expect?",
            );
        }
        // Minutes left in the field after unticking the box are checked, but not kept.
        (expects_outage, if expects_outage { minutes } else { 0 })
    }

    /// The implementation, test, back-out and communication plans, in that order.
    fn plans(&self, errors: &mut FieldErrors) -> [String; 4] {
        [
            (
                "implementation_plan",
                "Implementation plan",
                &self.implementation_plan,
            ),
            ("test_plan", "Test plan", &self.test_plan),
            ("backout_plan", "Back-out plan", &self.backout_plan),
            (
                "communication_plan",
                "Communication plan",
                &self.communication_plan,
            ),
        ]
        .map(|(field, label, text)| bounded(errors, field, label, text, 0, TEXT_MAX))
    }

    /// The five risk questions: all answered or none yet (assessment can come later).
    fn risk_answers(&self, errors: &mut FieldErrors) -> Option<RiskAnswers> {
        let answers = [
            parse_answer(errors, "impact_breadth", &self.impact_breadth),
            parse_answer(errors, "complexity", &self.complexity),
            parse_answer(errors, "backout_difficulty", &self.backout_difficulty),
            parse_answer(errors, "history", &self.history),
            parse_answer(errors, "time_pressure", &self.time_pressure),
        ];
        match answers {
            [Some(impact_breadth), Some(complexity), Some(backout_difficulty), Some(history), Some(time_pressure)] => {
                Some(RiskAnswers {
                    impact_breadth,
                    complexity,
                    backout_difficulty,
                    history,
                    time_pressure,
                })
            }
            [None, None, None, None, None] => None,
            _ => {
                errors.add("risk", "Answer every risk question, or none yet.");
                None
            }
        }
    }

    /// The template a standard change follows. It is read whatever the type, so a bad value is
    /// reported even when the type is missing; only a standard change keeps it.
    fn template(&self, errors: &mut FieldErrors, change_type: Option<ChangeType>) -> Option<i64> {
        let template_id = single_id(errors, "template_id", &self.template_id);
        if change_type != Some(ChangeType::Standard) {
            return None;
        }
        if template_id.is_none() && errors.get("template_id").is_none() {
            errors.add(
                "template_id",
                "Choose the standard change template this change follows.",
            );
        }
        template_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::change::ChangeState;
    use crate::model::change_request::{Change, RelatedChange};
    use crate::model::refs::{PersonRef, ServiceRef};
    use chrono::Utc;

    fn form() -> ChangeForm {
        ChangeForm {
            title: "Upgrade the mail gateway".into(),
            change_type: "normal".into(),
            service_ids: vec!["1".into(), "2".into(), "1".into()],
            owner_id: "4".into(),
            planned_start: "2026-12-01T22:00".into(),
            planned_end: "2026-12-01T23:30".into(),
            implementation_plan: "Apply the update.".into(),
            test_plan: "Send test mail.".into(),
            backout_plan: "Restore the snapshot.".into(),
            configuration_items: "mx1\n\nmx2\n".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_form_validates() {
        let draft = form().validate().unwrap();
        assert_eq!(draft.service_ids, vec![1, 2]);
        assert_eq!(draft.configuration_items, vec!["mx1", "mx2"]);
        assert_eq!(draft.owner_id, Some(4));
        assert!(draft.risk_answers.is_none());
        assert_eq!(draft.outage_minutes, 0);
    }

    #[test]
    fn times_and_outage_are_checked() {
        let mut bad = form();
        bad.planned_end = "2026-12-01T21:00".into();
        bad.expects_outage = Some("on".into());
        bad.outage_minutes = "".into();
        let errors = bad.validate().unwrap_err();
        assert_eq!(
            errors.get("planned_end"),
            Some("The end must be after the start.")
        );
        assert_eq!(
            errors.get("outage_minutes"),
            Some("How many minutes of outage do you expect?")
        );
        bad.planned_start = "tomorrow".into();
        assert!(bad.validate().unwrap_err().get("planned_start").is_some());
    }

    #[test]
    fn risk_answers_are_all_or_nothing() {
        let mut partial = form();
        partial.impact_breadth = "2".into();
        assert_eq!(
            partial.validate().unwrap_err().get("risk"),
            Some("Answer every risk question, or none yet.")
        );
        let mut full = partial.clone();
        full.complexity = "1".into();
        full.backout_difficulty = "0".into();
        full.history = "3".into();
        full.time_pressure = "1".into();
        assert_eq!(full.validate().unwrap().risk_answers.unwrap().history, 3);
        full.history = "7".into();
        assert!(full.validate().is_err());
    }

    #[test]
    fn title_and_type_are_required() {
        let errors = ChangeForm::default().validate().unwrap_err();
        assert_eq!(errors.get("title"), Some("Title is required."));
        assert!(errors.get("change_type").is_some());
    }

    #[test]
    fn a_change_fills_its_edit_form_and_validates_back_to_the_same_draft() {
        let draft = ChangeForm {
            related_changes: "CHG-00012".into(),
            ..form()
        }
        .validate()
        .unwrap();
        let change = Change {
            id: 5,
            title: draft.title.clone(),
            description: String::new(),
            reason: String::new(),
            change_type: draft.change_type,
            category: String::new(),
            state: ChangeState::Draft,
            requester: PersonRef {
                id: 4,
                name: "R".into(),
            },
            owner: PersonRef {
                id: 4,
                name: "R".into(),
            },
            implementers: vec![],
            services: vec![
                ServiceRef {
                    id: 1,
                    name: "A".into(),
                },
                ServiceRef {
                    id: 2,
                    name: "B".into(),
                },
            ],
            configuration_items: draft.configuration_items.clone(),
            // Stored as UTC; the editor is one hour ahead.
            planned_start: draft
                .planned_start
                .map(|t| (t - chrono::Duration::hours(1)).and_utc()),
            planned_end: draft
                .planned_end
                .map(|t| (t - chrono::Duration::hours(1)).and_utc()),
            expects_outage: false,
            outage_minutes: 0,
            implementation_plan: draft.implementation_plan.clone(),
            test_plan: draft.test_plan.clone(),
            backout_plan: draft.backout_plan.clone(),
            communication_plan: String::new(),
            risk_answers: None,
            risk: None,
            conflicts: vec![],
            conflict_override: None,
            review: None,
            related: vec![RelatedChange {
                id: 12,
                title: "Earlier wave".into(),
                state: ChangeState::Closed,
                outgoing: true,
            }],
            template: None,
            former_owners: vec![],
            imported: false,
            local_window: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let again = change
            .to_form(|t| t.naive_utc() + chrono::Duration::hours(1))
            .validate()
            .unwrap();
        assert_eq!(again, draft);
        assert!(change.is_editable());
    }

    #[test]
    fn related_changes_are_read_from_references_or_numbers() {
        let draft = ChangeForm {
            related_changes: "CHG-00012, chg-15;16 CHG-00012".into(),
            ..form()
        }
        .validate()
        .unwrap();
        assert_eq!(draft.related_ids, vec![12, 15, 16]);
        let errors = ChangeForm {
            related_changes: "CHG-12, the other one".into(),
            ..form()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            errors.get("related_changes"),
            Some("“the” is not a change reference like CHG-00012.")
        );
        let many = (1..=21)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let errors = ChangeForm {
            related_changes: many,
            ..form()
        }
        .validate()
        .unwrap_err();
        assert!(errors
            .get("related_changes")
            .unwrap()
            .contains("at most 20"));
    }

    #[test]
    fn standard_changes_name_their_template_and_others_drop_it() {
        let errors = ChangeForm {
            change_type: "standard".into(),
            ..form()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            errors.get("template_id"),
            Some("Choose the standard change template this change follows.")
        );
        let standard = ChangeForm {
            change_type: "standard".into(),
            template_id: "4".into(),
            ..form()
        }
        .validate()
        .unwrap();
        assert_eq!(standard.template_id, Some(4));
        let normal = ChangeForm {
            template_id: "4".into(),
            ..form()
        }
        .validate()
        .unwrap();
        assert_eq!(normal.template_id, None);
    }
}
