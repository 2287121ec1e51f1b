//! Live evidence per clause: the records Conform itself keeps that an auditor would ask for,
//! and the rules that say where that evidence is thin.
//!
//! The rules are pure functions over a few facts per record, so they are tested without a
//! database; the service (`server::service::clause_evidence`) loads the facts and applies them.

use crate::model::change::{ChangeState, ChangeType};
use crate::model::nonconformity::NcState;
use crate::model::plan_overview::{review_status, ReviewStatus};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// How many offending records a thin-evidence rule lists; the rest are counted.
pub const LISTED: usize = 20;

/// Days after its planned end a change may wait for its post-implementation review.
pub const REVIEW_GRACE_DAYS: i64 = 14;

/// Months within which an approved continuity plan must have been exercised.
pub const EXERCISE_MONTHS: u32 = 12;

/// What Conform holds for one sub-clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseEvidence {
    pub number: String,
    /// Live records, counted, each with the place that lists them.
    pub sources: Vec<EvidenceSource>,
    /// Approved SMS documents that say they answer this clause.
    pub documents: Vec<RecordRef>,
    /// Rules the records break, with the records that break them.
    pub thin: Vec<ThinEvidence>,
}

impl ClauseEvidence {
    pub fn empty(number: &str) -> Self {
        Self {
            number: number.to_string(),
            sources: Vec::new(),
            documents: Vec::new(),
            thin: Vec::new(),
        }
    }

    /// Conform holds nothing for this clause.
    pub fn holds_nothing(&self) -> bool {
        self.documents.is_empty() && self.sources.iter().all(|s| s.count == 0)
    }

    /// Records counted across the live sources.
    pub fn live_count(&self) -> u64 {
        self.sources.iter().map(|s| s.count).sum()
    }

    /// Offending records across the rules (a record breaking two rules counts twice).
    pub fn thin_count(&self) -> u64 {
        self.thin.iter().map(|t| t.total).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceSource {
    pub label: String,
    pub count: u64,
    pub href: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThinEvidence {
    /// The rule in plain words, e.g. "Changes closed without a post-implementation review".
    pub rule: String,
    /// The first `LISTED` offending records.
    pub records: Vec<RecordRef>,
    /// All offending records.
    pub total: u64,
}

impl ThinEvidence {
    /// A rule with its offenders, keeping only the first `LISTED`; `None` when nothing offends.
    pub fn of(rule: &str, offenders: Vec<RecordRef>) -> Option<Self> {
        if offenders.is_empty() {
            return None;
        }
        let total = offenders.len() as u64;
        Some(Self {
            rule: rule.to_string(),
            records: offenders.into_iter().take(LISTED).collect(),
            total,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordRef {
    pub label: String,
    pub href: String,
}

// ---- 8.5.1 Change management -------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeGap {
    ClosedWithoutReview,
    ReviewOverdue,
    EmergencyNotReviewed,
    NoRiskAssessment,
    NoAuthoriser,
    NoBackoutPlan,
}

impl ChangeGap {
    pub const ALL: [ChangeGap; 6] = [
        Self::ClosedWithoutReview,
        Self::ReviewOverdue,
        Self::EmergencyNotReviewed,
        Self::NoRiskAssessment,
        Self::NoAuthoriser,
        Self::NoBackoutPlan,
    ];

    pub fn rule(self) -> &'static str {
        match self {
            Self::ClosedWithoutReview => "Changes closed without a post-implementation review",
            Self::ReviewOverdue => {
                "Changes implemented more than 14 days ago and still awaiting their post-implementation review"
            }
            Self::EmergencyNotReviewed => "Emergency changes never reviewed after implementation",
            Self::NoRiskAssessment => "Changes authorised without a recorded risk assessment",
            Self::NoAuthoriser => "Changes authorised without a recorded authoriser",
            Self::NoBackoutPlan => "Normal and emergency changes without a back-out plan",
        }
    }
}

/// What the clause 8.5.1 rules need to know about one change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeEvidenceFacts {
    pub change_type: ChangeType,
    pub state: ChangeState,
    pub authoriser_recorded: bool,
    pub risk_assessed: bool,
    pub backout_plan: bool,
    pub reviewed: bool,
    pub planned_end: Option<NaiveDate>,
}

/// The change has been authorised (whatever happened after).
fn past_authorisation(state: ChangeState) -> bool {
    use ChangeState as S;
    matches!(
        state,
        S::Authorised
            | S::Scheduled
            | S::Implementing
            | S::Implemented
            | S::Failed
            | S::BackedOut
            | S::Reviewed
            | S::Closed
    )
}

/// Implementation has ended (completed, failed or backed out) but no review is recorded yet
/// by the lifecycle.
fn awaiting_review(state: ChangeState) -> bool {
    matches!(
        state,
        ChangeState::Implemented | ChangeState::Failed | ChangeState::BackedOut
    )
}

/// The rules one change breaks. The review rules do not overlap: an emergency change is judged
/// only by the emergency rule.
pub fn change_gaps(facts: &ChangeEvidenceFacts, today: NaiveDate) -> Vec<ChangeGap> {
    let mut gaps = Vec::new();
    let emergency = facts.change_type == ChangeType::Emergency;
    let standard = facts.change_type == ChangeType::Standard;
    let finished = matches!(facts.state, ChangeState::Reviewed | ChangeState::Closed);
    if !facts.reviewed {
        if emergency && (finished || awaiting_review(facts.state)) {
            gaps.push(ChangeGap::EmergencyNotReviewed);
        } else if !emergency && finished {
            gaps.push(ChangeGap::ClosedWithoutReview);
        } else if !emergency
            && awaiting_review(facts.state)
            && facts
                .planned_end
                .is_some_and(|end| (today - end).num_days() > REVIEW_GRACE_DAYS)
        {
            gaps.push(ChangeGap::ReviewOverdue);
        }
    }
    // Standard changes are pre-authorised from a template: no assessment, no authoriser.
    if !standard && past_authorisation(facts.state) {
        if !facts.risk_assessed {
            gaps.push(ChangeGap::NoRiskAssessment);
        }
        if !facts.authoriser_recorded {
            gaps.push(ChangeGap::NoAuthoriser);
        }
    }
    let live = !matches!(
        facts.state,
        ChangeState::Draft | ChangeState::Cancelled | ChangeState::Rejected
    );
    if !standard && live && !facts.backout_plan {
        gaps.push(ChangeGap::NoBackoutPlan);
    }
    gaps
}

// ---- 8.7 Continuity ------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PlanGap {
    NeverExercised,
    NotExercisedRecently,
    ReviewOverdue,
}

impl PlanGap {
    pub const ALL: [PlanGap; 3] = [
        Self::NeverExercised,
        Self::NotExercisedRecently,
        Self::ReviewOverdue,
    ];

    pub fn rule(self) -> &'static str {
        match self {
            Self::NeverExercised => "Approved continuity plans never exercised",
            Self::NotExercisedRecently => {
                "Approved continuity plans not exercised in the last 12 months"
            }
            Self::ReviewOverdue => "Continuity plans overdue for review",
        }
    }
}

/// What the continuity rules need to know about one plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEvidenceFacts {
    pub approved_on: Option<NaiveDate>,
    pub review_months: i32,
    pub retired: bool,
    /// The latest exercise with a recorded result.
    pub last_exercised: Option<NaiveDate>,
}

/// The rules one plan breaks; plans not approved or retired are not judged.
pub fn plan_gaps(facts: &PlanEvidenceFacts, today: NaiveDate) -> Vec<PlanGap> {
    if facts.retired || facts.approved_on.is_none() {
        return Vec::new();
    }
    let mut gaps = Vec::new();
    let year_ago = today
        .checked_sub_months(Months::new(EXERCISE_MONTHS))
        .unwrap_or(today);
    match facts.last_exercised {
        None => gaps.push(PlanGap::NeverExercised),
        Some(on) if on < year_ago => gaps.push(PlanGap::NotExercisedRecently),
        Some(_) => {}
    }
    if matches!(
        review_status(facts.approved_on, facts.review_months, facts.retired, today),
        ReviewStatus::Overdue { .. }
    ) {
        gaps.push(PlanGap::ReviewOverdue);
    }
    gaps
}

// ---- 10.1 Nonconformity and corrective action ----------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NcGap {
    ClosedWithoutEffectivenessCheck,
    StepOverdue,
}

impl NcGap {
    pub const ALL: [NcGap; 2] = [Self::ClosedWithoutEffectivenessCheck, Self::StepOverdue];

    pub fn rule(self) -> &'static str {
        match self {
            Self::ClosedWithoutEffectivenessCheck => {
                "Nonconformities closed without an effectiveness check"
            }
            Self::StepOverdue => "Nonconformities with an overdue step",
        }
    }
}

pub fn nc_gaps(
    state: NcState,
    effectiveness_verified: bool,
    step_due: Option<NaiveDate>,
    today: NaiveDate,
) -> Vec<NcGap> {
    let mut gaps = Vec::new();
    if state == NcState::Closed {
        if !effectiveness_verified {
            gaps.push(NcGap::ClosedWithoutEffectivenessCheck);
        }
    } else if step_due.is_some_and(|due| due < today) {
        gaps.push(NcGap::StepOverdue);
    }
    gaps
}

// ---- 10.2 Continual improvement ------------------------------------------------------------

/// The register's lifecycle already refuses to close an improvement without a measured
/// outcome, so the only thin evidence is an open entry past its target date.
pub const IMPROVEMENT_OVERDUE_RULE: &str = "Improvements still open past their target date";

// ---- 6.2 Objectives ------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectiveGap {
    NeverMeasured,
    MeasurementOverdue,
}

impl ObjectiveGap {
    pub const ALL: [ObjectiveGap; 2] = [Self::NeverMeasured, Self::MeasurementOverdue];

    pub fn rule(self) -> &'static str {
        match self {
            Self::NeverMeasured => "Objectives never measured",
            Self::MeasurementOverdue => "Objectives whose measurement is overdue",
        }
    }
}

/// An active objective is thin when never measured, or when its next measurement is overdue
/// by the objectives' own rule (`Frequency::next_due`: one period plus the grace to collect
/// the figure), so the clause page and the objectives page always agree. Unknown stored
/// frequencies count as yearly.
pub fn objective_gap(
    frequency: &str,
    last_measured: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<ObjectiveGap> {
    let Some(last) = last_measured else {
        return Some(ObjectiveGap::NeverMeasured);
    };
    let frequency = crate::model::objective::Frequency::parse(frequency)
        .unwrap_or(crate::model::objective::Frequency::Yearly);
    (frequency.next_due(last) < today).then_some(ObjectiveGap::MeasurementOverdue)
}

// ---- 8.2.4 Service catalogue ----------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServiceGap {
    NoOwner,
    CriticalWithoutBia,
}

impl ServiceGap {
    pub const ALL: [ServiceGap; 2] = [Self::NoOwner, Self::CriticalWithoutBia];

    pub fn rule(self) -> &'static str {
        match self {
            Self::NoOwner => "Services in the catalogue without an owner",
            Self::CriticalWithoutBia => "Live critical services without a business impact analysis",
        }
    }
}

/// The rules one catalogue entry (not archived) breaks.
pub fn service_gaps(owner: &str, live: bool, critical: bool, has_bia: bool) -> Vec<ServiceGap> {
    let mut gaps = Vec::new();
    if owner.trim().is_empty() {
        gaps.push(ServiceGap::NoOwner);
    }
    if live && critical && !has_bia {
        gaps.push(ServiceGap::CriticalWithoutBia);
    }
    gaps
}

// ---- 7.5 Documented information -------------------------------------------------------------

pub const DOCUMENT_REVIEW_RULE: &str = "Approved documents overdue for review";

/// An approved document's next review date has passed.
pub fn document_review_overdue(next_review_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    next_review_on.is_some_and(|due| due < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn change(change_type: ChangeType, state: ChangeState) -> ChangeEvidenceFacts {
        ChangeEvidenceFacts {
            change_type,
            state,
            authoriser_recorded: true,
            risk_assessed: true,
            backout_plan: true,
            reviewed: true,
            planned_end: Some(day("2026-01-01")),
        }
    }

    const TODAY: &str = "2026-11-28";

    #[test]
    fn a_complete_change_breaks_nothing() {
        for state in ChangeState::ALL {
            for t in ChangeType::ALL {
                assert!(change_gaps(&change(t, state), day(TODAY)).is_empty());
            }
        }
    }

    #[test]
    fn closed_without_review_is_named_once() {
        let mut f = change(ChangeType::Normal, ChangeState::Closed);
        f.reviewed = false;
        assert_eq!(
            change_gaps(&f, day(TODAY)),
            vec![ChangeGap::ClosedWithoutReview]
        );
        f.change_type = ChangeType::Emergency;
        assert_eq!(
            change_gaps(&f, day(TODAY)),
            vec![ChangeGap::EmergencyNotReviewed]
        );
    }

    #[test]
    fn implemented_changes_get_a_grace_period_for_their_review() {
        let mut f = change(ChangeType::Standard, ChangeState::Implemented);
        f.reviewed = false;
        f.planned_end = Some(day("2026-11-20"));
        assert!(change_gaps(&f, day(TODAY)).is_empty());
        f.planned_end = Some(day("2026-11-01"));
        assert_eq!(change_gaps(&f, day(TODAY)), vec![ChangeGap::ReviewOverdue]);
        // Emergencies have no grace period.
        f.change_type = ChangeType::Emergency;
        f.planned_end = Some(day("2026-11-27"));
        assert_eq!(
            change_gaps(&f, day(TODAY)),
            vec![ChangeGap::EmergencyNotReviewed]
        );
    }

    #[test]
    fn unreviewed_changes_still_in_flight_are_not_thin() {
        let mut f = change(ChangeType::Emergency, ChangeState::Implementing);
        f.reviewed = false;
        assert!(change_gaps(&f, day(TODAY)).is_empty());
    }

    #[test]
    fn authorisation_gaps_apply_only_past_authorisation_and_not_to_standard_changes() {
        let mut f = change(ChangeType::Normal, ChangeState::AwaitingAuthorisation);
        f.risk_assessed = false;
        f.authoriser_recorded = false;
        assert!(change_gaps(&f, day(TODAY)).is_empty());
        f.state = ChangeState::Scheduled;
        assert_eq!(
            change_gaps(&f, day(TODAY)),
            vec![ChangeGap::NoRiskAssessment, ChangeGap::NoAuthoriser]
        );
        f.change_type = ChangeType::Standard;
        assert!(change_gaps(&f, day(TODAY)).is_empty());
    }

    #[test]
    fn backout_plan_is_required_of_submitted_normal_and_emergency_changes() {
        let mut f = change(ChangeType::Normal, ChangeState::Draft);
        f.backout_plan = false;
        assert!(change_gaps(&f, day(TODAY)).is_empty());
        f.state = ChangeState::Submitted;
        assert_eq!(change_gaps(&f, day(TODAY)), vec![ChangeGap::NoBackoutPlan]);
        f.state = ChangeState::Cancelled;
        assert!(change_gaps(&f, day(TODAY)).is_empty());
        let mut s = change(ChangeType::Standard, ChangeState::Closed);
        s.backout_plan = false;
        assert!(change_gaps(&s, day(TODAY)).is_empty());
    }

    fn plan(approved: Option<&str>, exercised: Option<&str>) -> PlanEvidenceFacts {
        PlanEvidenceFacts {
            approved_on: approved.map(day),
            review_months: 12,
            retired: false,
            last_exercised: exercised.map(day),
        }
    }

    #[test]
    fn approved_plans_must_be_exercised_within_a_year() {
        let today = day(TODAY);
        assert_eq!(
            plan_gaps(&plan(Some("2026-06-01"), None), today),
            vec![PlanGap::NeverExercised]
        );
        assert_eq!(
            plan_gaps(&plan(Some("2026-06-01"), Some("2025-11-27")), today),
            vec![PlanGap::NotExercisedRecently]
        );
        assert!(plan_gaps(&plan(Some("2026-06-01"), Some("2025-11-28")), today).is_empty());
    }

    #[test]
    fn drafts_and_retired_plans_are_not_judged() {
        let today = day(TODAY);
        assert!(plan_gaps(&plan(None, None), today).is_empty());
        let mut retired = plan(Some("2020-01-01"), None);
        retired.retired = true;
        assert!(plan_gaps(&retired, today).is_empty());
    }

    #[test]
    fn plans_past_their_review_date_are_overdue() {
        assert_eq!(
            plan_gaps(&plan(Some("2025-10-01"), Some("2026-10-01")), day(TODAY)),
            vec![PlanGap::ReviewOverdue]
        );
    }

    #[test]
    fn nonconformity_rules() {
        let today = day(TODAY);
        assert_eq!(
            nc_gaps(NcState::Closed, false, None, today),
            vec![NcGap::ClosedWithoutEffectivenessCheck]
        );
        assert!(nc_gaps(NcState::Closed, true, Some(day("2026-01-01")), today).is_empty());
        assert_eq!(
            nc_gaps(
                NcState::ActionsPlanned,
                false,
                Some(day("2026-11-27")),
                today
            ),
            vec![NcGap::StepOverdue]
        );
        assert!(nc_gaps(NcState::Raised, false, Some(day(TODAY)), today).is_empty());
    }

    #[test]
    fn objectives_are_measured_once_per_period() {
        let today = day(TODAY);
        assert_eq!(
            objective_gap("monthly", None, today),
            Some(ObjectiveGap::NeverMeasured)
        );
        // A month plus the objectives' 10 days of grace: the same rule as their own page.
        assert_eq!(
            objective_gap("monthly", Some(day("2026-10-18")), today),
            None
        );
        assert_eq!(
            objective_gap("monthly", Some(day("2026-10-17")), today),
            Some(ObjectiveGap::MeasurementOverdue)
        );
        assert_eq!(
            objective_gap("yearly", Some(day("2026-01-01")), today),
            None
        );
        // An unknown stored frequency counts as yearly.
        assert_eq!(
            objective_gap("nonsense", Some(day("2025-11-01")), today),
            None
        );
        assert_eq!(
            objective_gap("nonsense", Some(day("2025-10-01")), today),
            Some(ObjectiveGap::MeasurementOverdue)
        );
    }

    #[test]
    fn service_rules() {
        assert!(service_gaps("Ann", true, true, true).is_empty());
        assert_eq!(
            service_gaps(" ", true, true, false),
            vec![ServiceGap::NoOwner, ServiceGap::CriticalWithoutBia]
        );
        assert!(service_gaps("Ann", false, true, false).is_empty());
    }

    #[test]
    fn thin_evidence_lists_a_bounded_number_and_counts_all() {
        let offenders: Vec<RecordRef> = (0..25)
            .map(|i| RecordRef {
                label: format!("R{i}"),
                href: format!("/r/{i}"),
            })
            .collect();
        let thin = ThinEvidence::of("rule", offenders).unwrap();
        assert_eq!(thin.records.len(), LISTED);
        assert_eq!(thin.total, 25);
        assert!(ThinEvidence::of("rule", Vec::new()).is_none());
    }

    #[test]
    fn document_review() {
        assert!(document_review_overdue(Some(day("2026-11-27")), day(TODAY)));
        assert!(!document_review_overdue(Some(day(TODAY)), day(TODAY)));
        assert!(!document_review_overdue(None, day(TODAY)));
    }
}
