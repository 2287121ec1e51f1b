//! Nonconformities and corrective action (ISO/IEC 20000-1 clause 10.1), the rules without the
//! storage: grades, where a finding came from, and the path Raised → Contained → Root cause
//! analysed → Actions planned → Actions done → Effectiveness verified → Closed as one pure
//! state machine. An ineffective verification sends the nonconformity back to root cause.

use crate::model::access::Role;
use crate::model::actor::{refuse, ActorFacts, Refusal};
use crate::model::labelled::labelled_enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Grade {
        Major => ("major", "Major nonconformity"),
        Minor => ("minor", "Minor nonconformity"),
        /// Not a nonconformity: goes straight to the improvement register.
        Observation => ("observation", "Observation"),
        /// Not a nonconformity: goes straight to the improvement register.
        Opportunity => ("opportunity", "Opportunity for improvement"),
    }
}

impl Grade {
    /// Major and minor findings follow the corrective-action path; the others become
    /// improvement register entries.
    pub fn is_nonconformity(self) -> bool {
        matches!(self, Grade::Major | Grade::Minor)
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum FoundIn {
        Audit => ("audit", "Audit"),
        Incident => ("incident", "Incident"),
        Complaint => ("complaint", "Complaint"),
        SelfIdentified => ("self_identified", "Self-identified"),
    }
}

/// How the root cause was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RootCauseMethod {
    FiveWhys,
    CauseCategories,
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum NcState {
        Raised => ("raised", "Raised"),
        Contained => ("contained", "Contained"),
        RootCauseAnalysed => ("root_cause_analysed", "Root cause analysed"),
        ActionsPlanned => ("actions_planned", "Corrective action planned"),
        ActionsDone => ("actions_done", "Actions done"),
        EffectivenessVerified => ("effectiveness_verified", "Effectiveness verified"),
        Closed => ("closed", "Closed"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NcAction {
    Contain,
    AnalyseRootCause,
    PlanActions,
    CompleteActions,
    VerifyEffective,
    /// The actions did not remove the cause: back to root-cause analysis.
    VerifyIneffective,
    Close,
}

impl NcAction {
    pub const ALL: [NcAction; 7] = [
        NcAction::Contain,
        NcAction::AnalyseRootCause,
        NcAction::PlanActions,
        NcAction::CompleteActions,
        NcAction::VerifyEffective,
        NcAction::VerifyIneffective,
        NcAction::Close,
    ];

    pub fn label(self) -> &'static str {
        match self {
            NcAction::Contain => "Record the correction",
            NcAction::AnalyseRootCause => "Record the root cause",
            NcAction::PlanActions => "Plan corrective actions",
            NcAction::CompleteActions => "Actions done",
            NcAction::VerifyEffective => "Effective",
            NcAction::VerifyIneffective => "Not effective",
            NcAction::Close => "Close",
        }
    }
}

/// What the rules need to know about a nonconformity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NcFacts {
    pub state: NcState,
    pub owner_id: i64,
    pub has_correction: bool,
    pub has_root_cause: bool,
    /// Similar nonconformities elsewhere were looked for (clause 10.1 asks for it).
    pub similar_checked: bool,
    pub planned_actions: u32,
    pub open_actions: u32,
    /// Effectiveness is judged no earlier than this (the waiting period set on the NC).
    pub verify_from: NaiveDate,
    pub today: NaiveDate,
}

/// The clause 10.1 path: `(facts, action, actor) -> new state`, or why not.
pub fn transition(
    facts: &NcFacts,
    action: NcAction,
    actor: &ActorFacts,
) -> Result<NcState, Refusal> {
    use NcAction as A;
    use NcState as S;
    let quality = actor.roles.contains(&Role::QualityManager);
    let auditor = actor.roles.contains(&Role::Auditor);
    let owner = actor.user_id == facts.owner_id;
    let next = match (facts.state, action) {
        (S::Raised, A::Contain) => S::Contained,
        (S::Contained, A::AnalyseRootCause) => S::RootCauseAnalysed,
        (S::RootCauseAnalysed, A::PlanActions) => S::ActionsPlanned,
        (S::ActionsPlanned, A::CompleteActions) => S::ActionsDone,
        (S::ActionsDone, A::VerifyEffective) => S::EffectivenessVerified,
        (S::ActionsDone, A::VerifyIneffective) => S::Contained,
        (S::EffectivenessVerified, A::Close) => S::Closed,
        (state, action) => {
            return refuse(format!(
                "A nonconformity that is {} cannot be moved with “{}”.",
                state.label().to_lowercase(),
                action.label()
            ))
        }
    };
    match action {
        A::Contain | A::AnalyseRootCause | A::PlanActions | A::CompleteActions => {
            if !(owner || quality) {
                return refuse("Only the owner or a quality manager works on the nonconformity.");
            }
            match action {
                A::Contain if !facts.has_correction => {
                    return refuse("Describe the immediate correction first.")
                }
                A::AnalyseRootCause if !facts.has_root_cause => {
                    return refuse("Describe the root cause and the method used first.")
                }
                A::AnalyseRootCause if !facts.similar_checked => {
                    return refuse("Record whether similar nonconformities exist elsewhere.")
                }
                A::PlanActions if facts.planned_actions == 0 => {
                    return refuse("Plan at least one corrective action with an owner and a date.")
                }
                A::CompleteActions if facts.open_actions > 0 => {
                    return refuse(format!(
                        "{} corrective action{} still open.",
                        facts.open_actions,
                        if facts.open_actions == 1 {
                            " is"
                        } else {
                            "s are"
                        }
                    ))
                }
                _ => {}
            }
        }
        A::VerifyEffective | A::VerifyIneffective => {
            if owner {
                return refuse("Someone other than the owner verifies effectiveness.");
            }
            if !(quality || auditor) {
                return refuse("Only a quality manager or an auditor verifies effectiveness.");
            }
            if facts.today < facts.verify_from {
                return refuse(format!(
                    "Effectiveness is judged from {} (the waiting period set on the nonconformity).",
                    facts.verify_from.format("%Y-%m-%d")
                ));
            }
        }
        A::Close => {
            if !quality {
                return refuse("Only a quality manager closes a nonconformity.");
            }
        }
    }
    Ok(next)
}

/// The days to wait between the actions being done and the check of their effectiveness.
///
/// `requested` is what the person asks for (none: keep `stored`, the period set when the
/// nonconformity was raised, or the organisation's minimum when raising). Nobody goes below
/// the organisation's minimum; only a quality manager may shorten what was set on the
/// nonconformity, so the owner cannot hurry the check of their own work.
pub fn waiting_period(
    requested: Option<i64>,
    stored: Option<i64>,
    controls: &crate::model::controls::Controls,
    quality_manager: bool,
) -> Result<i64, String> {
    let minimum = controls.nc_min_wait_days;
    let stored = stored.map(|days| days.max(minimum));
    let Some(days) = requested else {
        return Ok(stored.unwrap_or(minimum));
    };
    if !(0..=crate::model::controls::Controls::MAX_WAIT_DAYS).contains(&days) {
        return Err(format!(
            "Enter a waiting period from {minimum} to {} days.",
            crate::model::controls::Controls::MAX_WAIT_DAYS
        ));
    }
    if days < minimum {
        return Err(format!(
            "The organisation's minimum waiting period is {minimum} days: effectiveness is not judged sooner."
        ));
    }
    match stored {
        Some(set) if days < set && !quality_manager => Err(format!(
            "The nonconformity asks for {set} days before effectiveness is judged; only a quality manager shortens it."
        )),
        _ => Ok(days),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nobody_waits_less_than_the_organisations_minimum() {
        use crate::model::controls::Controls;
        let controls = Controls::default();
        assert_eq!(waiting_period(None, None, &controls, false), Ok(30));
        assert_eq!(waiting_period(None, Some(45), &controls, false), Ok(45));
        // A period stored before the minimum was raised counts as the minimum.
        assert_eq!(waiting_period(None, Some(0), &controls, false), Ok(30));
        assert!(waiting_period(Some(0), Some(30), &controls, false).is_err());
        assert!(waiting_period(Some(0), Some(30), &controls, true).is_err());
        assert!(waiting_period(Some(29), None, &controls, true).is_err());
        assert_eq!(waiting_period(Some(60), Some(30), &controls, false), Ok(60));
        assert!(waiting_period(Some(40), Some(60), &controls, false).is_err());
        assert_eq!(waiting_period(Some(40), Some(60), &controls, true), Ok(40));
        assert!(waiting_period(Some(366), None, &controls, true).is_err());
        assert!(waiting_period(Some(i64::MIN), None, &controls, true).is_err());
    }

    proptest! {
        #[test]
        fn the_wait_is_never_below_the_minimum_nor_shortened_by_the_owner(
            minimum in 1i64..=365,
            requested in proptest::option::of(-10i64..400),
            stored in proptest::option::of(0i64..=365),
            quality in any::<bool>(),
        ) {
            let controls = crate::model::controls::Controls { nc_min_wait_days: minimum };
            if let Ok(days) = waiting_period(requested, stored, &controls, quality) {
                prop_assert!(days >= minimum);
                prop_assert!(days <= 365);
                if !quality {
                    prop_assert!(days >= stored.unwrap_or(0).max(minimum));
                }
            }
        }
    }

    const OWNER: i64 = 1;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn facts(state: NcState) -> NcFacts {
        NcFacts {
            state,
            owner_id: OWNER,
            has_correction: true,
            has_root_cause: true,
            similar_checked: true,
            planned_actions: 2,
            open_actions: 0,
            verify_from: day(10),
            today: day(15),
        }
    }

    fn who(id: i64, role: Role) -> ActorFacts {
        ActorFacts {
            user_id: id,
            roles: vec![role],
        }
    }

    #[test]
    fn observations_and_opportunities_go_to_the_register() {
        assert!(Grade::Major.is_nonconformity() && Grade::Minor.is_nonconformity());
        assert!(!Grade::Observation.is_nonconformity() && !Grade::Opportunity.is_nonconformity());
    }

    #[test]
    fn the_owner_works_it_and_someone_else_verifies_it_after_the_wait() {
        use NcAction as A;
        use NcState as S;
        let owner = who(OWNER, Role::ServiceOwner);
        let quality = who(2, Role::QualityManager);
        let auditor = who(3, Role::Auditor);
        assert_eq!(
            transition(&facts(S::Raised), A::Contain, &owner),
            Ok(S::Contained)
        );
        assert!(transition(&facts(S::Raised), A::Contain, &who(9, Role::Requester)).is_err());
        let mut unchecked = facts(S::Contained);
        unchecked.similar_checked = false;
        assert!(transition(&unchecked, A::AnalyseRootCause, &owner).is_err());
        assert_eq!(
            transition(&facts(S::Contained), A::AnalyseRootCause, &owner),
            Ok(S::RootCauseAnalysed)
        );
        let mut open = facts(S::ActionsPlanned);
        open.open_actions = 1;
        assert_eq!(
            transition(&open, A::CompleteActions, &owner).unwrap_err().0,
            "1 corrective action is still open."
        );
        assert!(transition(&facts(S::ActionsDone), A::VerifyEffective, &owner).is_err());
        let mut early = facts(S::ActionsDone);
        early.today = day(5);
        assert!(transition(&early, A::VerifyEffective, &auditor)
            .unwrap_err()
            .0
            .contains("2026-12-10"));
        assert_eq!(
            transition(&facts(S::ActionsDone), A::VerifyEffective, &auditor),
            Ok(S::EffectivenessVerified)
        );
        assert_eq!(
            transition(&facts(S::ActionsDone), A::VerifyIneffective, &quality),
            Ok(S::Contained)
        );
        assert!(transition(&facts(S::EffectivenessVerified), A::Close, &auditor).is_err());
        assert_eq!(
            transition(&facts(S::EffectivenessVerified), A::Close, &quality),
            Ok(S::Closed)
        );
    }

    proptest! {
        /// Whatever anyone tries in whatever order, a nonconformity reaches Closed only through
        /// an effectiveness verification by someone other than its owner.
        #[test]
        fn closed_only_after_verification_by_someone_else(
            steps in proptest::collection::vec(
                (proptest::sample::select(NcAction::ALL.to_vec()), 1i64..5, 0usize..4),
                0..50,
            ),
        ) {
            let roles = [Role::QualityManager, Role::Auditor, Role::ServiceOwner, Role::Requester];
            let mut f = facts(NcState::Raised);
            let mut verified_by: Option<i64> = None;
            for (action, actor, role) in steps {
                let actor_facts = ActorFacts { user_id: actor, roles: vec![roles[role]] };
                if let Ok(next) = transition(&f, action, &actor_facts) {
                    match action {
                        NcAction::VerifyEffective => verified_by = Some(actor),
                        NcAction::VerifyIneffective => verified_by = None,
                        _ => {}
                    }
                    f.state = next;
                }
                if f.state == NcState::Closed {
                    prop_assert!(verified_by.is_some_and(|v| v != f.owner_id));
                }
            }
        }
    }
}

/// "NC-00003".
pub fn nc_reference(id: i64) -> String {
    format!("NC-{id:05}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectiveAction {
    pub id: i64,
    pub text: String,
    pub owner: crate::model::refs::PersonRef,
    pub due: NaiveDate,
    pub done: bool,
    /// The register entry it became, if it did.
    pub improvement_id: Option<i64>,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nonconformity {
    pub id: i64,
    pub grade: Grade,
    pub clause: String,
    pub description: String,
    pub evidence: String,
    pub found_in: FoundIn,
    pub raised_by: crate::model::refs::PersonRef,
    pub owner: crate::model::refs::PersonRef,
    pub state: NcState,
    pub correction: String,
    pub root_cause: String,
    pub root_cause_method: Option<RootCauseMethod>,
    pub similar_checked: bool,
    pub similar_notes: String,
    /// Effectiveness is judged no earlier than this.
    pub verify_from: Option<NaiveDate>,
    pub verification_failures: i32,
    pub verified_by: Option<crate::model::refs::PersonRef>,
    /// When the current step is due.
    pub step_due: Option<NaiveDate>,
    pub actions: Vec<CorrectiveAction>,
    /// The internal audit whose finding raised it, if one did.
    pub raised_in_audit: Option<i64>,
    pub version: i32,
}

impl Nonconformity {
    pub fn reference(&self) -> String {
        nc_reference(self.id)
    }

    /// Open and its current step past due.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.state != NcState::Closed && self.step_due.is_some_and(|due| due < today)
    }

    pub fn facts(&self, today: NaiveDate) -> NcFacts {
        NcFacts {
            state: self.state,
            owner_id: self.owner.id,
            has_correction: !self.correction.trim().is_empty(),
            has_root_cause: !self.root_cause.trim().is_empty() && self.root_cause_method.is_some(),
            similar_checked: self.similar_checked,
            planned_actions: self.actions.len() as u32,
            open_actions: self.actions.iter().filter(|a| !a.done).count() as u32,
            verify_from: self.verify_from.unwrap_or(today),
            today,
        }
    }
}

/// Raising a finding, as the form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NcForm {
    pub grade: String,
    pub clause: String,
    pub description: String,
    #[serde(default)]
    pub evidence: String,
    pub found_in: String,
    pub owner_id: String,
    /// Days after the actions are done before effectiveness is judged (default 30).
    #[serde(default)]
    pub wait_days: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NcDraft {
    pub grade: Grade,
    pub clause: String,
    pub description: String,
    pub evidence: String,
    pub found_in: FoundIn,
    pub owner_id: i64,
    /// Days asked for between the actions being done and the effectiveness check; none: the
    /// organisation's minimum (see `waiting_period`).
    pub wait_days: Option<i64>,
}

impl NcForm {
    pub fn validate(&self) -> Result<NcDraft, crate::error::FieldErrors> {
        let mut errors = crate::error::FieldErrors::new();
        let grade = Grade::parse(&self.grade);
        if grade.is_none() {
            errors.add("grade", "Choose the grade of the finding.");
        }
        let clause = self.clause.trim().to_string();
        if crate::model::clauses::title(&clause).is_none() {
            errors.add(
                "clause",
                "Name the requirement not met by its clause number (4.1 … 10.2).",
            );
        }
        let description = crate::model::text::bounded(
            &mut errors,
            "description",
            "Description",
            &self.description,
            10,
            8000,
        );
        let evidence = crate::model::text::bounded(
            &mut errors,
            "evidence",
            "Evidence",
            &self.evidence,
            0,
            8000,
        );
        let found_in = FoundIn::ALL
            .into_iter()
            .find(|f| f.as_str() == self.found_in.trim());
        if found_in.is_none() {
            errors.add("found_in", "Say where it was found.");
        }
        let owner_id = match self.owner_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.add("owner_id", "Choose the owner.");
                None
            }
        };
        let wait_days = match self.wait_days.trim() {
            "" => Some(None),
            value => match value.parse::<i64>() {
                Ok(days) if (0..=365).contains(&days) => Some(Some(days)),
                _ => {
                    errors.add("wait_days", "Enter a waiting period from 0 to 365 days.");
                    None
                }
            },
        };
        match (grade, found_in, owner_id, wait_days) {
            (Some(grade), Some(found_in), Some(owner_id), Some(wait_days)) if errors.is_empty() => {
                Ok(NcDraft {
                    grade,
                    clause,
                    description,
                    evidence,
                    found_in,
                    owner_id,
                    wait_days,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod form_tests {
    use super::*;

    #[test]
    fn a_finding_names_a_real_clause_a_place_and_an_owner() {
        let form = NcForm {
            grade: "minor".into(),
            clause: "8.5.1".into(),
            description: "Two emergency changes had no retrospective review.".into(),
            found_in: "audit".into(),
            owner_id: "4".into(),
            ..Default::default()
        };
        let draft = form.validate().unwrap();
        assert_eq!(draft.wait_days, None);
        let bad = NcForm {
            grade: "awful".into(),
            clause: "12.1".into(),
            description: "short".into(),
            found_in: "rumour".into(),
            owner_id: "x".into(),
            wait_days: "900".into(),
            ..Default::default()
        };
        let errors = bad.validate().unwrap_err();
        for field in [
            "grade",
            "clause",
            "description",
            "found_in",
            "owner_id",
            "wait_days",
        ] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }
}
