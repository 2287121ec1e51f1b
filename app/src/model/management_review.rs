//! Management review (ISO/IEC 20000-1 clause 9.3), the rules without the storage.
//!
//! A review is planned (title, date, the period its inputs cover, a chair), held, and its
//! minutes published: Planned → Held → Published. Publishing needs at least one attendee and
//! the minutes; a published review never changes again — its inputs are a frozen snapshot —
//! but its actions stay trackable until done (by their owner or a quality manager).
//!
//! The inputs the standard expects are gathered by Conform into [`ReviewInputs`]: KPIs for the
//! period and the period before (for trends), and where things stand today. Ratios whose
//! denominator is zero are "no data", never NaN.

use crate::error::FieldErrors;
use crate::model::access::Permission;
use crate::model::labelled::labelled_enum;
use crate::model::nonconformity::NcState;
use crate::model::refs::PersonRef;
use crate::model::user::CurrentUser;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ReviewState {
        Planned => ("planned", "Planned"),
        Held => ("held", "Held"),
        Published => ("published", "Minutes published"),
    }
}

impl ReviewState {
    /// Only a published review is immutable.
    pub fn is_editable(self) -> bool {
        self != Self::Published
    }
}

/// A transition of a review along its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewTransition {
    /// The meeting took place.
    Hold,
    /// The minutes are final: the review becomes immutable.
    Publish,
}

impl ReviewTransition {
    pub fn label(self) -> &'static str {
        match self {
            Self::Hold => "Mark as held",
            Self::Publish => "Publish minutes",
        }
    }
}

/// What the lifecycle needs to know about the review in transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewFacts {
    pub attendees: usize,
    pub has_minutes: bool,
}

/// The state after `step`, or why it is refused.
pub fn review_transition(
    state: ReviewState,
    step: ReviewTransition,
    facts: ReviewFacts,
) -> Result<ReviewState, String> {
    match (state, step) {
        (ReviewState::Planned, ReviewTransition::Hold) => Ok(ReviewState::Held),
        (ReviewState::Held, ReviewTransition::Publish) => {
            if facts.attendees == 0 {
                Err("Record who attended before publishing the minutes.".into())
            } else if !facts.has_minutes {
                Err("Write the minutes before publishing them.".into())
            } else {
                Ok(ReviewState::Published)
            }
        }
        (ReviewState::Planned, ReviewTransition::Publish) => {
            Err("Mark the review as held before publishing its minutes.".into())
        }
        (ReviewState::Held, ReviewTransition::Hold) => Err("The review is already held.".into()),
        (ReviewState::Published, _) => {
            Err("The minutes are published; a published review does not change.".into())
        }
    }
}

/// Whether `user` may mark an action owned by `owner_id` done: its owner, or whoever manages
/// reviews (the quality manager).
pub fn may_complete_action(user: &CurrentUser, owner_id: i64) -> bool {
    user.id == owner_id || user.may(Permission::ReviewManage)
}

/// `part` of `whole`; a zero `whole` is "no data".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ratio {
    pub part: u64,
    pub whole: u64,
}

impl Ratio {
    pub fn new(part: u64, whole: u64) -> Self {
        Self { part, whole }
    }

    /// The percentage, `None` when there is nothing to divide by.
    pub fn percent(&self) -> Option<f64> {
        (self.whole > 0).then(|| self.part as f64 * 100.0 / self.whole as f64)
    }

    pub fn text(&self) -> String {
        match self.percent() {
            Some(p) => format!("{p:.0}% ({} of {})", self.part, self.whole),
            None => "no data".into(),
        }
    }
}

labelled_enum! {
    /// How a figure moved against the previous period.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Trend {
        Better => ("better", "▲ better"),
        Worse => ("worse", "▼ worse"),
        Same => ("same", "= same"),
        /// One of the two periods has nothing to compare, or the figure has no good direction.
        NoData => ("none", "—"),
    }
}

/// Direction of `current` against `previous`; differences under half a unit count as the same.
pub fn trend(current: Option<f64>, previous: Option<f64>, higher_is_better: bool) -> Trend {
    match (current, previous) {
        (Some(c), Some(p)) if c.is_finite() && p.is_finite() => {
            if (c - p).abs() < 0.5 {
                Trend::Same
            } else if (c > p) == higher_is_better {
                Trend::Better
            } else {
                Trend::Worse
            }
        }
        _ => Trend::NoData,
    }
}

/// The period a review's inputs cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// The period of the same length that ends the day before this one starts.
    pub fn previous(&self) -> Period {
        let days = (self.end - self.start).num_days().max(0) + 1;
        let end = self.start - chrono::Duration::days(1);
        Period {
            start: end - chrono::Duration::days(days - 1),
            end,
        }
    }

    pub fn label(&self) -> String {
        format!("{} – {}", self.start, self.end)
    }
}

/// The last full calendar quarter before `today`: the usual period a review looks back on.
pub fn last_full_quarter(today: NaiveDate) -> Period {
    use chrono::Datelike;
    let first_month = (today.month0() / 3) * 3 + 1;
    let this_quarter = NaiveDate::from_ymd_opt(today.year(), first_month, 1).unwrap_or(today);
    let end = this_quarter - chrono::Duration::days(1);
    let start_month = (end.month0() / 3) * 3 + 1;
    let start = NaiveDate::from_ymd_opt(end.year(), start_month, 1).unwrap_or(end);
    Period { start, end }
}

/// Internal audits completed in a period and their findings by grade.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditResults {
    pub audits_completed: u64,
    pub major: u64,
    pub minor: u64,
    pub observation: u64,
    pub opportunity: u64,
}

/// Figures that belong to a period (this one or the one before, for trends).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodFigures {
    /// Successful changes of those implemented in the period.
    pub change_success: Ratio,
    /// Emergency changes of those raised in the period.
    pub emergency_changes: Ratio,
    pub exercises_passed: u64,
    pub exercises_partly: u64,
    pub exercises_failed: u64,
    pub improvements_opened: u64,
    pub improvements_closed: u64,
    pub nonconformities_raised: u64,
    /// Closed after their corrective action was verified effective.
    pub nonconformities_closed_verified: u64,
    pub audit: AuditResults,
    /// Incidents resolved in the period within their resolution target, of those measured.
    /// (Reviews published before service levels existed read these as nothing.)
    #[serde(default)]
    pub incidents_in_target: Ratio,
    /// Requests fulfilled in the period within their target, of those measured.
    #[serde(default)]
    pub requests_in_target: Ratio,
    /// Major incidents reported in the period.
    #[serde(default)]
    pub major_incidents: u64,
}

impl PeriodFigures {
    pub fn exercises(&self) -> Ratio {
        Ratio::new(
            self.exercises_passed,
            self.exercises_passed + self.exercises_partly + self.exercises_failed,
        )
    }
}

/// Status of the actions agreed in earlier reviews.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionStatus {
    pub open: u64,
    pub done: u64,
    pub overdue: u64,
}

/// Objectives (clause 6.2) by their latest measurement up to the end of the period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectiveStatus {
    pub met: u64,
    pub not_met: u64,
    pub not_measured: u64,
}

/// The SMS risk register as a review weighs it (clause 9.3: how the actions on risks and
/// opportunities are working).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskStatus {
    pub live: u64,
    pub accepted: u64,
    /// Open risks whose residual level is above the appetite.
    pub above_appetite_open: u64,
    pub reviews_overdue: u64,
}

impl RiskStatus {
    pub fn summary(&self) -> String {
        format!(
            "{} live ({} accepted), {} open above the appetite, {} reviews overdue",
            self.live, self.accepted, self.above_appetite_open, self.reviews_overdue
        )
    }
}

/// Everything Conform gathers for a management review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewInputs {
    pub period: Period,
    /// The day the inputs were gathered ("today" for live inputs, the freeze day otherwise).
    pub gathered_on: NaiveDate,
    pub current: PeriodFigures,
    pub previous: PeriodFigures,
    pub previous_actions: ActionStatus,
    pub improvements_open: u64,
    pub improvements_overdue: u64,
    /// Open nonconformities per state (closed ones are not listed).
    pub nonconformities_open: Vec<(NcState, u64)>,
    pub nonconformities_overdue: u64,
    pub objectives: ObjectiveStatus,
    /// Inputs frozen before the register existed read as none.
    #[serde(default)]
    pub risks: RiskStatus,
}

impl ReviewInputs {
    pub fn empty(period: Period, gathered_on: NaiveDate) -> Self {
        Self {
            period,
            gathered_on,
            current: PeriodFigures::default(),
            previous: PeriodFigures::default(),
            previous_actions: ActionStatus::default(),
            improvements_open: 0,
            improvements_overdue: 0,
            nonconformities_open: Vec::new(),
            nonconformities_overdue: 0,
            objectives: ObjectiveStatus::default(),
            risks: RiskStatus::default(),
        }
    }

    pub fn nonconformities_open_total(&self) -> u64 {
        self.nonconformities_open.iter().map(|(_, n)| n).sum()
    }
}

/// One line of the KPI table: this period, the previous one, and the trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiRow {
    pub label: &'static str,
    pub current: String,
    pub previous: String,
    pub trend: Trend,
}

fn count_row(label: &'static str, current: u64, previous: u64, higher_is_better: bool) -> KpiRow {
    KpiRow {
        label,
        current: current.to_string(),
        previous: previous.to_string(),
        trend: trend(
            Some(current as f64),
            Some(previous as f64),
            higher_is_better,
        ),
    }
}

fn ratio_row(label: &'static str, current: Ratio, previous: Ratio, higher: bool) -> KpiRow {
    KpiRow {
        label,
        current: current.text(),
        previous: previous.text(),
        trend: trend(current.percent(), previous.percent(), higher),
    }
}

/// The period KPIs as rows, the same on the page and in the minutes.
pub fn kpi_rows(inputs: &ReviewInputs) -> Vec<KpiRow> {
    let (c, p) = (&inputs.current, &inputs.previous);
    let audit_findings = |a: &AuditResults| a.major + a.minor;
    vec![
        ratio_row(
            "Change success rate",
            c.change_success,
            p.change_success,
            true,
        ),
        ratio_row(
            "Emergency change ratio",
            c.emergency_changes,
            p.emergency_changes,
            false,
        ),
        ratio_row(
            "Continuity exercises passed",
            c.exercises(),
            p.exercises(),
            true,
        ),
        count_row(
            "Improvements opened",
            c.improvements_opened,
            p.improvements_opened,
            true,
        ),
        count_row(
            "Improvements closed",
            c.improvements_closed,
            p.improvements_closed,
            true,
        ),
        count_row(
            "Nonconformities raised",
            c.nonconformities_raised,
            p.nonconformities_raised,
            false,
        ),
        count_row(
            "Nonconformities closed, effectiveness verified",
            c.nonconformities_closed_verified,
            p.nonconformities_closed_verified,
            true,
        ),
        ratio_row(
            "Incidents resolved within target",
            c.incidents_in_target,
            p.incidents_in_target,
            true,
        ),
        ratio_row(
            "Requests fulfilled within target",
            c.requests_in_target,
            p.requests_in_target,
            true,
        ),
        count_row(
            "Major incidents",
            c.major_incidents,
            p.major_incidents,
            false,
        ),
        count_row(
            "Audit nonconformities (major + minor)",
            audit_findings(&c.audit),
            audit_findings(&p.audit),
            false,
        ),
    ]
}

/// A decision recorded in a review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDecision {
    pub id: i64,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// An action agreed in a review, with its owner and due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewAction {
    pub id: i64,
    pub review_id: i64,
    pub text: String,
    pub owner: PersonRef,
    pub due_on: NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
    pub done_note: String,
    pub version: i32,
}

impl ReviewAction {
    pub fn is_open(&self) -> bool {
        self.done_at.is_none()
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.due_on < today
    }
}

/// An open action on its owner's dashboard, with the review it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyReviewAction {
    pub action: ReviewAction,
    pub review_title: String,
    pub overdue: bool,
}

/// A management review whole: what the page, the printable minutes and the evidence pack show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewRecord {
    pub id: i64,
    pub title: String,
    pub planned_on: NaiveDate,
    pub period: Period,
    pub state: ReviewState,
    pub chair: PersonRef,
    pub attendees: Vec<PersonRef>,
    pub guests: String,
    pub context_changes: String,
    pub customer_feedback: String,
    /// Live while planned or held, the frozen snapshot once published.
    pub inputs: ReviewInputs,
    pub inputs_frozen: bool,
    pub minutes: String,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<PersonRef>,
    pub version: i32,
    pub decisions: Vec<ReviewDecision>,
    pub actions: Vec<ReviewAction>,
}

/// A line of the reviews list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub id: i64,
    pub title: String,
    pub planned_on: NaiveDate,
    pub state: ReviewState,
    pub chair: String,
    pub open_actions: u64,
    pub overdue_actions: u64,
}

/// The "Plan a review" form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanForm {
    pub title: String,
    pub planned_on: String,
    pub period_start: String,
    pub period_end: String,
    pub chair_id: String,
}

/// A validated plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewPlan {
    pub title: String,
    pub planned_on: NaiveDate,
    pub period: Period,
    pub chair_id: i64,
}

fn date(errors: &mut FieldErrors, field: &str, value: &str, message: &str) -> Option<NaiveDate> {
    crate::model::typed::date(value)
        .map_err(|refusal| errors.add(field, refusal.message(message)))
        .ok()
}

impl PlanForm {
    pub fn validate(&self) -> Result<ReviewPlan, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = crate::model::text::bounded(&mut errors, "title", "Title", &self.title, 5, 160);
        let planned_on = date(
            &mut errors,
            "planned_on",
            &self.planned_on,
            "Enter the date of the review (YYYY-MM-DD).",
        );
        let start = date(
            &mut errors,
            "period_start",
            &self.period_start,
            "Enter the first day of the period the inputs cover.",
        );
        let end = date(
            &mut errors,
            "period_end",
            &self.period_end,
            "Enter the last day of the period the inputs cover.",
        );
        if let (Some(start), Some(end)) = (start, end) {
            if end < start {
                errors.add("period_end", "The period ends after it starts.");
            } else if (end - start).num_days() > 3 * 366 {
                errors.add("period_end", "A review covers at most three years.");
            }
        }
        let chair_id = self.chair_id.trim().parse::<i64>().ok();
        if chair_id.is_none() {
            errors.add("chair_id", "Choose who chairs the review.");
        }
        match (planned_on, start, end, chair_id) {
            (Some(planned_on), Some(start), Some(end), Some(chair_id)) if errors.is_empty() => {
                Ok(ReviewPlan {
                    title,
                    planned_on,
                    period: Period { start, end },
                    chair_id,
                })
            }
            _ => Err(errors),
        }
    }
}

/// What can be written on a review until its minutes are published.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetailsForm {
    #[serde(default)]
    pub attendees: Vec<i64>,
    #[serde(default)]
    pub guests: String,
    #[serde(default)]
    pub context_changes: String,
    #[serde(default)]
    pub customer_feedback: String,
    #[serde(default)]
    pub minutes: String,
}

impl DetailsForm {
    /// Trimmed, bounded, attendees de-duplicated (that they exist is the service's check).
    pub fn validate(&self) -> Result<DetailsForm, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut attendees = self.attendees.clone();
        attendees.sort_unstable();
        attendees.dedup();
        if attendees.len() > 100 {
            errors.add("attendees", "A review lists at most 100 attendees.");
        }
        let text = |errors: &mut FieldErrors, field: &str, label: &str, value: &str, max| {
            crate::model::text::bounded(errors, field, label, value, 0, max)
        };
        let guests = text(&mut errors, "guests", "Guests", &self.guests, 1_000);
        let context_changes = text(
            &mut errors,
            "context_changes",
            "Changes in context",
            &self.context_changes,
            10_000,
        );
        let customer_feedback = text(
            &mut errors,
            "customer_feedback",
            "Customer feedback",
            &self.customer_feedback,
            10_000,
        );
        let minutes = text(&mut errors, "minutes", "Minutes", &self.minutes, 100_000);
        errors.into_result(DetailsForm {
            attendees,
            guests,
            context_changes,
            customer_feedback,
            minutes,
        })
    }
}

/// A decision's text, checked.
pub fn check_decision(text: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::new();
    let text = crate::model::text::bounded(&mut errors, "text", "Decision", text, 3, 2_000);
    errors.into_result(text)
}

/// A new action, checked: its text, owner and due date (not before the review's date).
pub fn check_action(
    text: &str,
    owner_id: &str,
    due_on: &str,
    planned_on: NaiveDate,
) -> Result<(String, i64, NaiveDate), FieldErrors> {
    let mut errors = FieldErrors::new();
    let text = crate::model::text::bounded(&mut errors, "text", "Action", text, 3, 2_000);
    let owner = owner_id.trim().parse::<i64>().ok();
    if owner.is_none() {
        errors.add("owner_id", "Choose who owns the action.");
    }
    let due = date(
        &mut errors,
        "due_on",
        due_on,
        "Enter the date the action is due (YYYY-MM-DD).",
    );
    if due.is_some_and(|d| d < planned_on) {
        errors.add("due_on", "An action is due on or after the review's date.");
    }
    match (owner, due) {
        (Some(owner), Some(due)) if errors.is_empty() => Ok((text, owner, due)),
        _ => Err(errors),
    }
}

/// The minutes as Markdown: the record of the review, as published and printed.
pub fn minutes_markdown(review: &ReviewRecord) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let inputs = &review.inputs;
    let _ = writeln!(out, "# {}\n", review.title);
    let _ = writeln!(
        out,
        "Management review held on {} · chaired by {} · inputs cover {}\n",
        review.planned_on,
        review.chair.name,
        review.period.label()
    );
    match (&review.published_at, &review.published_by) {
        (Some(at), Some(by)) => {
            let _ = writeln!(
                out,
                "Minutes published by {} on {}.\n",
                by.name,
                at.format("%Y-%m-%d")
            );
        }
        _ => {
            let _ = writeln!(out, "Draft: {}.\n", review.state.label().to_lowercase());
        }
    }
    out.push_str("## Attendees\n\n");
    if review.attendees.is_empty() && review.guests.trim().is_empty() {
        out.push_str("None recorded.\n\n");
    }
    for person in &review.attendees {
        let _ = writeln!(out, "- {}", person.name);
    }
    if !review.guests.trim().is_empty() {
        let _ = writeln!(out, "- Guests: {}", review.guests.trim());
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "## Inputs\n\nGathered by Conform on {} for {} (previous period {}).\n",
        inputs.gathered_on,
        inputs.period.label(),
        inputs.period.previous().label()
    );
    out.push_str("| Measure | This period | Previous period | Trend |\n|---|---|---|---|\n");
    for row in kpi_rows(inputs) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            row.label,
            row.current,
            row.previous,
            row.trend.label()
        );
    }
    let a = &inputs.previous_actions;
    let _ = writeln!(
        out,
        "\n- Actions from previous reviews: {} open ({} overdue), {} done",
        a.open, a.overdue, a.done
    );
    let _ = writeln!(
        out,
        "- Improvement register: {} open, {} past their target date",
        inputs.improvements_open, inputs.improvements_overdue
    );
    let _ = writeln!(
        out,
        "- Nonconformities open: {} ({} overdue){}",
        inputs.nonconformities_open_total(),
        inputs.nonconformities_overdue,
        if inputs.nonconformities_open.is_empty() {
            String::new()
        } else {
            format!(
                " — {}",
                inputs
                    .nonconformities_open
                    .iter()
                    .map(|(s, n)| format!("{}: {n}", s.label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    let _ = writeln!(out, "- SMS risks: {}", inputs.risks.summary());
    let c = &inputs.current;
    let _ = writeln!(
        out,
        "- Continuity exercises: {} passed, {} partly, {} failed",
        c.exercises_passed, c.exercises_partly, c.exercises_failed
    );
    let _ = writeln!(
        out,
        "- Audit results: {} audits, {} major, {} minor, {} observations, {} opportunities",
        c.audit.audits_completed,
        c.audit.major,
        c.audit.minor,
        c.audit.observation,
        c.audit.opportunity
    );
    let o = &inputs.objectives;
    let _ = writeln!(
        out,
        "- Objectives: {} met, {} not met, {} not measured\n",
        o.met, o.not_met, o.not_measured
    );
    for (heading, text) in [
        ("Changes in context", &review.context_changes),
        ("Customer feedback", &review.customer_feedback),
    ] {
        let _ = writeln!(out, "### {heading}\n");
        let body = text.trim();
        let _ = writeln!(
            out,
            "{}\n",
            if body.is_empty() {
                "None recorded."
            } else {
                body
            }
        );
    }
    out.push_str("## Decisions\n\n");
    if review.decisions.is_empty() {
        out.push_str("None recorded.\n");
    }
    for (i, decision) in review.decisions.iter().enumerate() {
        let _ = writeln!(out, "{}. {}", i + 1, decision.text.trim());
    }
    out.push_str("\n## Actions\n\n");
    if review.actions.is_empty() {
        out.push_str("None agreed.\n");
    } else {
        out.push_str("| Action | Owner | Due | Status |\n|---|---|---|---|\n");
        for action in &review.actions {
            let status = match action.done_at {
                Some(at) => format!("Done {}", at.format("%Y-%m-%d")),
                None => "Open".into(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                action.text.replace('|', "/").replace('\n', " "),
                action.owner.name,
                action.due_on,
                status
            );
        }
    }
    out.push_str("\n## Minutes\n\n");
    let minutes = review.minutes.trim();
    out.push_str(if minutes.is_empty() {
        "Not written yet."
    } else {
        minutes
    });
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn lifecycle_planned_held_published() {
        let ok = ReviewFacts {
            attendees: 2,
            has_minutes: true,
        };
        assert_eq!(
            review_transition(ReviewState::Planned, ReviewTransition::Hold, ok),
            Ok(ReviewState::Held)
        );
        assert_eq!(
            review_transition(ReviewState::Held, ReviewTransition::Publish, ok),
            Ok(ReviewState::Published)
        );
        assert!(review_transition(ReviewState::Planned, ReviewTransition::Publish, ok).is_err());
        for step in [ReviewTransition::Hold, ReviewTransition::Publish] {
            assert!(review_transition(ReviewState::Published, step, ok).is_err());
        }
    }

    #[test]
    fn publishing_needs_attendees_and_minutes() {
        let no_one = ReviewFacts {
            attendees: 0,
            has_minutes: true,
        };
        let no_minutes = ReviewFacts {
            attendees: 1,
            has_minutes: false,
        };
        let err =
            review_transition(ReviewState::Held, ReviewTransition::Publish, no_one).unwrap_err();
        assert!(err.contains("attended"), "{err}");
        let err = review_transition(ReviewState::Held, ReviewTransition::Publish, no_minutes)
            .unwrap_err();
        assert!(err.contains("minutes"), "{err}");
    }

    #[test]
    fn a_zero_denominator_is_no_data() {
        let none = Ratio::new(0, 0);
        assert_eq!(none.percent(), None);
        assert_eq!(none.text(), "no data");
        assert_eq!(Ratio::new(3, 4).text(), "75% (3 of 4)");
        assert_eq!(
            trend(none.percent(), Ratio::new(1, 2).percent(), true),
            Trend::NoData
        );
    }

    #[test]
    fn trends_know_which_way_is_good() {
        assert_eq!(trend(Some(90.0), Some(80.0), true), Trend::Better);
        assert_eq!(trend(Some(90.0), Some(80.0), false), Trend::Worse);
        assert_eq!(trend(Some(80.2), Some(80.0), true), Trend::Same);
    }

    #[test]
    fn the_previous_period_has_the_same_length() {
        let q = Period {
            start: day("2026-07-01"),
            end: day("2026-09-30"),
        };
        let p = q.previous();
        assert_eq!(p.end, day("2026-06-30"));
        assert_eq!((p.end - p.start), (q.end - q.start));
    }

    #[test]
    fn the_default_period_is_the_last_full_quarter() {
        let q = last_full_quarter(day("2026-11-28"));
        assert_eq!((q.start, q.end), (day("2026-07-01"), day("2026-09-30")));
        let q = last_full_quarter(day("2026-02-10"));
        assert_eq!((q.start, q.end), (day("2025-10-01"), day("2025-12-31")));
    }

    #[test]
    fn the_plan_form_explains_each_problem() {
        let form = PlanForm {
            title: "Q".into(),
            planned_on: "soon".into(),
            period_start: "2026-10-01".into(),
            period_end: "2026-09-01".into(),
            chair_id: "".into(),
        };
        let errors = form.validate().unwrap_err();
        for field in ["title", "planned_on", "period_end", "chair_id"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let good = PlanForm {
            title: "Management review Q4".into(),
            planned_on: "2026-12-10".into(),
            period_start: "2026-09-01".into(),
            period_end: "2026-11-30".into(),
            chair_id: "3".into(),
        };
        assert_eq!(good.validate().unwrap().chair_id, 3);
    }

    #[test]
    fn actions_are_due_on_or_after_the_review() {
        let on = day("2026-12-10");
        assert!(check_action("Fix it", "2", "2026-12-01", on).is_err());
        assert!(check_action("Fix it", "x", "2026-12-11", on).is_err());
        assert_eq!(
            check_action("Fix it", "2", "2026-12-11", on).unwrap(),
            ("Fix it".into(), 2, day("2026-12-11"))
        );
    }

    #[test]
    fn inputs_frozen_before_service_levels_still_read() {
        // A snapshot published before the service level figures existed lacks them.
        let mut old = serde_json::to_value(PeriodFigures::default()).unwrap();
        for field in [
            "incidents_in_target",
            "requests_in_target",
            "major_incidents",
        ] {
            old.as_object_mut().unwrap().remove(field);
        }
        let read: PeriodFigures = serde_json::from_value(old).expect("old snapshots read");
        assert_eq!(read.incidents_in_target, Ratio::new(0, 0));
        let mut inputs = ReviewInputs::empty(
            Period {
                start: day("2026-01-01"),
                end: day("2026-03-31"),
            },
            day("2026-04-01"),
        );
        inputs.current.incidents_in_target = Ratio::new(9, 10);
        inputs.previous.incidents_in_target = Ratio::new(7, 10);
        let rows = kpi_rows(&inputs);
        let row = rows
            .iter()
            .find(|r| r.label == "Incidents resolved within target")
            .unwrap();
        assert_eq!(row.trend, Trend::Better);
    }

    #[test]
    fn details_deduplicate_attendees() {
        let form = DetailsForm {
            attendees: vec![3, 1, 3],
            minutes: "  Notes  ".into(),
            ..Default::default()
        };
        let checked = form.validate().unwrap();
        assert_eq!(checked.attendees, vec![1, 3]);
        assert_eq!(checked.minutes, "Notes");
    }

    #[test]
    fn only_the_owner_or_the_quality_manager_completes_an_action() {
        use crate::model::access::Role;
        let user = |id, roles| CurrentUser {
            id,
            email: String::new(),
            name: String::new(),
            roles,
            time_zone: "UTC".into(),
        };
        assert!(may_complete_action(&user(5, vec![]), 5));
        assert!(!may_complete_action(&user(6, vec![Role::Auditor]), 5));
        assert!(may_complete_action(&user(6, vec![Role::QualityManager]), 5));
    }

    proptest! {
        #[test]
        fn ratios_never_give_nan(part in 0u64..1_000_000, whole in 0u64..1_000_000) {
            let ratio = Ratio::new(part.min(whole), whole);
            match ratio.percent() {
                Some(p) => prop_assert!(p.is_finite() && (0.0..=100.0).contains(&p)),
                None => prop_assert_eq!(whole, 0),
            }
            let _ = ratio.text();
        }

        #[test]
        fn kpi_rows_never_panic(a in 0u64..50, b in 0u64..50, c in 0u64..50, d in 0u64..50) {
            let mut inputs = ReviewInputs::empty(
                Period { start: day("2026-01-01"), end: day("2026-03-31") },
                day("2026-04-01"),
            );
            inputs.current.change_success = Ratio::new(a.min(b), b);
            inputs.previous.change_success = Ratio::new(c.min(d), d);
            inputs.current.exercises_failed = c;
            let rows = kpi_rows(&inputs);
            prop_assert_eq!(rows.len(), 11);
            if b == 0 || d == 0 {
                prop_assert_eq!(rows[0].trend, Trend::NoData);
            }
        }

        #[test]
        fn previous_period_is_adjacent_and_equal(start in 0i64..3000, len in 0i64..800) {
            let start = day("2020-01-01") + chrono::Duration::days(start);
            let period = Period { start, end: start + chrono::Duration::days(len) };
            let prev = period.previous();
            prop_assert_eq!(prev.end + chrono::Duration::days(1), period.start);
            prop_assert_eq!(prev.end - prev.start, period.end - period.start);
        }
    }
}
