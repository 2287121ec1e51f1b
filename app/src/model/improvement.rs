//! The improvement register (ISO/IEC 20000-1 clause 10.2), the rules without the storage:
//! where an improvement comes from, how its priority follows from benefit and effort, its
//! lifecycle as one pure state machine, and how a KPI says whether the target is met.
//!
//! The invariant auditors rely on: nothing is Closed without a measured outcome, verified by
//! someone who is not the owner.

use crate::model::access::Role;
use crate::model::actor::{refuse, ActorFacts, Refusal};
use crate::model::labelled::labelled_enum;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// Where an improvement opportunity came from.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Source {
        AuditFinding => ("audit_finding", "Audit finding"),
        Nonconformity => ("nonconformity", "Nonconformity"),
        IncidentTrend => ("incident_trend", "Incident trend"),
        ProblemTrend => ("problem_trend", "Problem trend"),
        ChangeReview => ("change_review", "Change review"),
        ContinuityExercise => ("continuity_exercise", "Continuity exercise"),
        ManagementReview => ("management_review", "Management review"),
        CustomerFeedback => ("customer_feedback", "Customer feedback"),
        StaffSuggestion => ("staff_suggestion", "Staff suggestion"),
        /// A gap found by a gap assessment (source_ref `gap:<assessment>/<sub-clause>`).
        GapAnalysis => ("gap_analysis", "Gap analysis"),
        /// An action of a major incident's post-incident review (source_ref `incident:<id>`).
        MajorIncident => ("major_incident", "Major incident review"),
        /// A risk's treatment action (source_ref `risk:<id>`).
        RiskTreatment => ("risk_treatment", "Risk treatment"),
    }
}

labelled_enum! {
    /// How much work an improvement is.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum Effort {
        S => "S",
        M => "M",
        L => "L",
        XL => "XL",
    }
}

impl Effort {
    /// Points taken off the benefit score by the priority rule.
    fn weight(self) -> i32 {
        match self {
            Effort::S => 0,
            Effort::M => 1,
            Effort::L => 2,
            Effort::XL => 3,
        }
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum Priority {
        Low => ("low", "Low"),
        Medium => ("medium", "Medium"),
        High => ("high", "High"),
    }
}

impl Priority {
    /// The rule, as the register shows it to the people using it.
    pub const RULE: &'static str = "Priority = benefit score (1–5) minus effort (S 0, M 1, L 2, XL 3): 4 or more is high, 2–3 medium, 1 or less low.";

    /// Computes the priority from the benefit score (1–5) and the effort.
    pub fn of(benefit_score: u8, effort: Effort) -> Priority {
        match i32::from(benefit_score.clamp(1, 5)) - effort.weight() {
            value if value >= 4 => Priority::High,
            value if value >= 2 => Priority::Medium,
            _ => Priority::Low,
        }
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum ImprovementState {
        Identified => ("identified", "Identified"),
        Evaluated => ("evaluated", "Evaluated"),
        Approved => ("approved", "Approved"),
        Rejected => ("rejected", "Rejected"),
        Deferred => ("deferred", "Deferred"),
        InProgress => ("in_progress", "In progress"),
        Implemented => ("implemented", "Implemented"),
        Verified => ("verified", "Verified"),
        Closed => ("closed", "Closed"),
    }
}

impl ImprovementState {
    /// Still being worked on (counts for overdue).
    pub fn is_open(self) -> bool {
        !matches!(self, ImprovementState::Rejected | ImprovementState::Closed)
    }

    /// KPIs and measured values may still be added (a verified, closed or rejected entry keeps
    /// the figures its outcome was judged on).
    pub fn is_measurable(self) -> bool {
        self.is_open() && self != ImprovementState::Verified
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ImprovementAction {
        Evaluate => ("evaluate", "Evaluate"),
        Approve => ("approve", "Approve"),
        Reject => ("reject", "Reject"),
        Defer => ("defer", "Defer"),
        /// A deferred improvement comes back for a new decision.
        Reconsider => ("reconsider", "Reconsider"),
        Start => ("start", "Start"),
        Implement => ("implement", "Mark implemented"),
        Verify => ("verify", "Verify the outcome"),
        Close => ("close", "Close"),
    }
}

/// Where `action` takes an improvement that is in `from`, if it applies there at all.
pub fn next_state(from: ImprovementState, action: ImprovementAction) -> Option<ImprovementState> {
    use ImprovementAction as A;
    use ImprovementState as S;
    Some(match (from, action) {
        (S::Identified, A::Evaluate) => S::Evaluated,
        (S::Evaluated, A::Approve) => S::Approved,
        (S::Evaluated, A::Reject) => S::Rejected,
        (S::Evaluated, A::Defer) => S::Deferred,
        (S::Deferred, A::Reconsider) => S::Evaluated,
        (S::Approved, A::Start) => S::InProgress,
        (S::InProgress, A::Implement) => S::Implemented,
        (S::Implemented, A::Verify) => S::Verified,
        (S::Verified, A::Close) => S::Closed,
        _ => return None,
    })
}

/// The move that takes an improvement from `from` to `to` in one step (the Kanban's drop).
pub fn action_towards(from: ImprovementState, to: ImprovementState) -> Option<ImprovementAction> {
    ImprovementAction::ALL
        .into_iter()
        .find(|a| next_state(from, *a) == Some(to))
}

labelled_enum! {
    /// How a closed improvement ended.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ClosureCode {
        Achieved => ("achieved", "Achieved"),
        PartlyAchieved => ("partly_achieved", "Partly achieved"),
        NotAchieved => ("not_achieved", "Not achieved"),
        Withdrawn => ("withdrawn", "Withdrawn"),
    }
}

/// What the rules need to know about an improvement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImprovementFacts {
    pub state: ImprovementState,
    pub owner_id: i64,
    /// The named approver, if any (otherwise a quality manager decides).
    pub approver_id: Option<i64>,
    /// Benefit score and effort are set.
    pub evaluated: bool,
    /// An outcome measurement is recorded (a KPI value after implementation, or a written
    /// outcome when the improvement has no KPI).
    pub has_outcome: bool,
    /// Who verified the outcome.
    pub verifier_id: Option<i64>,
    /// Everyone who owned the entry before its current owner (hand-overs keep them here).
    pub former_owner_ids: Vec<i64>,
    /// Who named the current approver.
    pub approver_named_by: Option<i64>,
}

impl ImprovementFacts {
    /// The owner now or before a hand-over: never decides on or verifies the entry.
    pub fn has_owned(&self, user_id: i64) -> bool {
        self.owner_id == user_id || self.former_owner_ids.contains(&user_id)
    }

    /// The named approver, unless they named themselves.
    pub fn is_approver(&self, user_id: i64) -> bool {
        self.approver_id == Some(user_id) && self.approver_named_by != Some(user_id)
    }

    /// Not yet decided on: the owner may still hand it over or name its approver.
    fn before_approval(&self) -> bool {
        matches!(
            self.state,
            ImprovementState::Identified | ImprovementState::Evaluated | ImprovementState::Deferred
        )
    }
}

/// Whether `actor` may hand the entry to a new owner or change its approver: a quality
/// manager while it is open, the current owner only before the decision.
pub fn may_reassign(facts: &ImprovementFacts, actor: &ActorFacts) -> bool {
    facts.state.is_open()
        && (actor.roles.contains(&Role::QualityManager)
            || (actor.user_id == facts.owner_id && facts.before_approval()))
}

/// Who may edit an entry and change who is responsible for it: the owner or a quality manager
/// edit an open entry; owner and approver change only by a quality manager, or by the current
/// owner before the decision (a hand-over); nobody who has owned the entry becomes its approver.
pub fn check_edit(
    facts: &ImprovementFacts,
    next_owner: i64,
    next_approver: Option<i64>,
    actor: &ActorFacts,
) -> Result<(), Refusal> {
    let quality = actor.roles.contains(&Role::QualityManager);
    let owner = actor.user_id == facts.owner_id;
    if !facts.state.is_open() {
        return Err(Refusal(format!(
            "The improvement is {}; it is kept as it was.",
            facts.state.label().to_lowercase()
        )));
    }
    if !(quality || owner) {
        return Err(Refusal(
            "Only the owner or a quality manager edits an improvement.".into(),
        ));
    }
    let may_reassign = may_reassign(facts, actor);
    if next_owner != facts.owner_id && !may_reassign {
        return Err(Refusal(
            "Once an improvement is decided on, only a quality manager hands it to a new owner."
                .into(),
        ));
    }
    if next_approver != facts.approver_id && !may_reassign {
        return Err(Refusal(
            "Once an improvement is decided on, only a quality manager changes its approver."
                .into(),
        ));
    }
    if let Some(approver) = next_approver {
        if approver == next_owner || facts.has_owned(approver) {
            return Err(Refusal(
                "Someone who owns or has owned the improvement cannot be its approver.".into(),
            ));
        }
    }
    Ok(())
}

/// Who may add KPIs and record measured values: the owner or a quality manager, while the
/// outcome is still open (a verified, closed or rejected entry keeps its figures).
pub fn check_measuring(facts: &ImprovementFacts, actor: &ActorFacts) -> Result<(), Refusal> {
    if !facts.state.is_measurable() {
        return Err(Refusal(format!(
            "The improvement is {}: its KPIs and measurements are kept as they were.",
            facts.state.label().to_lowercase()
        )));
    }
    if !(actor.roles.contains(&Role::QualityManager) || actor.user_id == facts.owner_id) {
        return Err(Refusal(
            "Only the owner or a quality manager records KPIs and measured values.".into(),
        ));
    }
    Ok(())
}

/// The lifecycle: `(facts, action, actor) -> new state`, or why not. The UI asks it which
/// moves to offer; the server asks it before writing.
pub fn transition(
    facts: &ImprovementFacts,
    action: ImprovementAction,
    actor: &ActorFacts,
) -> Result<ImprovementState, Refusal> {
    use ImprovementAction as A;
    let quality = actor.roles.contains(&Role::QualityManager);
    let owner = actor.user_id == facts.owner_id;
    let has_owned = facts.has_owned(actor.user_id);
    let approver = facts.is_approver(actor.user_id);
    let self_named = facts.approver_id == Some(actor.user_id) && !approver;
    let Some(next) = next_state(facts.state, action) else {
        return refuse(format!(
            "An improvement that is {} cannot be moved with “{}”.",
            facts.state.label().to_lowercase(),
            action.label()
        ));
    };
    match action {
        A::Evaluate | A::Reconsider => {
            if !(quality || owner) {
                return refuse("Only the owner or a quality manager can evaluate an improvement.");
            }
            if action == A::Evaluate && !facts.evaluated {
                return refuse("Give the benefit score and the effort first.");
            }
        }
        A::Approve | A::Reject | A::Defer => {
            if has_owned {
                return refuse(
                    "The owner, now or before a hand-over, cannot decide on their own improvement.",
                );
            }
            if self_named && !quality {
                return refuse("You named yourself the approver: a quality manager decides.");
            }
            if !(approver || quality) {
                return refuse("Only the approver or a quality manager decides on an improvement.");
            }
        }
        A::Start | A::Implement => {
            if !(quality || owner) {
                return refuse("Only the owner or a quality manager can record progress.");
            }
        }
        A::Verify => {
            if has_owned {
                return refuse("Someone who has not owned the improvement verifies the outcome.");
            }
            if !(quality || approver) {
                return refuse("Only the approver or a quality manager verifies the outcome.");
            }
            if !facts.has_outcome {
                return refuse("Record the measured outcome before verifying it.");
            }
        }
        A::Close => {
            if !(quality || approver) {
                return refuse("Only the approver or a quality manager closes an improvement.");
            }
            if !facts.has_outcome {
                return refuse("An improvement is closed only with a measured outcome.");
            }
            match facts.verifier_id {
                None => return refuse("Verify the outcome before closing."),
                Some(verifier) if facts.has_owned(verifier) => {
                    return refuse(
                        "The outcome was verified by its owner; someone else must verify it.",
                    )
                }
                Some(_) => {}
            }
        }
    }
    Ok(next)
}

labelled_enum! {
    /// Which way a KPI should move.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Direction {
        HigherIsBetter => "higher",
        LowerIsBetter => "lower",
    }
}

/// A key performance indicator with where it started and where it should get to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kpi {
    pub name: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    pub direction: Direction,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub on: NaiveDate,
    pub value: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetVerdict {
    Met,
    NotMet,
    NotMeasured,
}

impl Kpi {
    /// Whether a value reaches the target in the KPI's direction.
    pub fn meets(&self, value: f64) -> bool {
        match self.direction {
            Direction::HigherIsBetter => value >= self.target,
            Direction::LowerIsBetter => value <= self.target,
        }
    }

    /// The verdict on the latest measurement (by date; the later entry wins a tie).
    pub fn verdict(&self, measurements: &[Measurement]) -> TargetVerdict {
        match latest(measurements) {
            None => TargetVerdict::NotMeasured,
            Some(m) if self.meets(m.value) => TargetVerdict::Met,
            Some(_) => TargetVerdict::NotMet,
        }
    }

    /// How far from baseline to target the latest value has come, in percent (may be below 0
    /// or above 100); `None` without measurements or when baseline equals target.
    pub fn progress(&self, measurements: &[Measurement]) -> Option<f64> {
        let value = latest(measurements)?.value;
        let span = self.target - self.baseline;
        (span.abs() > f64::EPSILON).then(|| (value - self.baseline) / span * 100.0)
    }

    /// Refuses a KPI whose target is not an improvement on its baseline.
    pub fn check(&self) -> Result<(), String> {
        if !self.baseline.is_finite() || !self.target.is_finite() {
            return Err("Baseline and target must be numbers.".into());
        }
        let improves = match self.direction {
            Direction::HigherIsBetter => self.target > self.baseline,
            Direction::LowerIsBetter => self.target < self.baseline,
        };
        if improves {
            Ok(())
        } else {
            Err(match self.direction {
                Direction::HigherIsBetter => {
                    "The target must be above the baseline (higher is better).".into()
                }
                Direction::LowerIsBetter => {
                    "The target must be below the baseline (lower is better).".into()
                }
            })
        }
    }
}

fn latest(measurements: &[Measurement]) -> Option<&Measurement> {
    measurements
        .iter()
        .enumerate()
        .max_by_key(|(index, m)| (m.on, *index))
        .map(|(_, m)| m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn person(user_id: i64, roles: &[Role]) -> ActorFacts {
        ActorFacts {
            user_id,
            roles: roles.to_vec(),
        }
    }

    const OWNER: i64 = 1;
    const QUALITY: i64 = 2;
    const APPROVER: i64 = 3;
    const OTHER: i64 = 4;

    fn facts(state: ImprovementState) -> ImprovementFacts {
        ImprovementFacts {
            state,
            owner_id: OWNER,
            approver_id: Some(APPROVER),
            evaluated: true,
            has_outcome: true,
            verifier_id: Some(QUALITY),
            former_owner_ids: Vec::new(),
            approver_named_by: Some(QUALITY),
        }
    }

    #[test]
    fn priority_follows_the_rule_shown_to_users() {
        assert_eq!(Priority::of(5, Effort::S), Priority::High);
        assert_eq!(Priority::of(5, Effort::M), Priority::High);
        assert_eq!(Priority::of(5, Effort::XL), Priority::Medium);
        assert_eq!(Priority::of(3, Effort::S), Priority::Medium);
        assert_eq!(Priority::of(3, Effort::L), Priority::Low);
        assert_eq!(Priority::of(1, Effort::S), Priority::Low);
        // Out-of-range scores are held to 1–5.
        assert_eq!(Priority::of(9, Effort::S), Priority::High);
        assert_eq!(Priority::of(0, Effort::S), Priority::Low);
    }

    #[test]
    fn the_happy_path_needs_the_right_people() {
        use ImprovementAction as A;
        use ImprovementState as S;
        let owner = person(OWNER, &[Role::Requester]);
        let quality = person(QUALITY, &[Role::QualityManager]);
        let approver = person(APPROVER, &[Role::ServiceOwner]);
        let other = person(OTHER, &[Role::ServiceOwner]);
        assert_eq!(
            transition(&facts(S::Identified), A::Evaluate, &owner),
            Ok(S::Evaluated)
        );
        assert!(transition(&facts(S::Identified), A::Evaluate, &other).is_err());
        assert_eq!(
            transition(&facts(S::Evaluated), A::Approve, &approver),
            Ok(S::Approved)
        );
        assert!(transition(&facts(S::Evaluated), A::Approve, &owner).is_err());
        assert!(transition(&facts(S::Evaluated), A::Approve, &other).is_err());
        assert_eq!(
            transition(&facts(S::Approved), A::Start, &owner),
            Ok(S::InProgress)
        );
        assert_eq!(
            transition(&facts(S::InProgress), A::Implement, &owner),
            Ok(S::Implemented)
        );
        assert_eq!(
            transition(&facts(S::Implemented), A::Verify, &owner)
                .unwrap_err()
                .0,
            "Someone who has not owned the improvement verifies the outcome."
        );
        assert_eq!(
            transition(&facts(S::Implemented), A::Verify, &quality),
            Ok(S::Verified)
        );
        assert_eq!(
            transition(&facts(S::Verified), A::Close, &approver),
            Ok(S::Closed)
        );
    }

    #[test]
    fn a_quality_manager_who_owns_an_improvement_does_not_approve_it() {
        let owner_quality = person(OWNER, &[Role::QualityManager]);
        let mut f = facts(ImprovementState::Evaluated);
        f.approver_id = None;
        assert_eq!(
            transition(&f, ImprovementAction::Approve, &owner_quality)
                .unwrap_err()
                .0,
            "The owner, now or before a hand-over, cannot decide on their own improvement."
        );
    }

    #[test]
    fn nothing_closes_without_an_outcome_verified_by_someone_else() {
        let quality = person(QUALITY, &[Role::QualityManager]);
        let mut f = facts(ImprovementState::Verified);
        f.has_outcome = false;
        assert!(transition(&f, ImprovementAction::Close, &quality).is_err());
        let mut f = facts(ImprovementState::Verified);
        f.verifier_id = Some(OWNER);
        assert!(transition(&f, ImprovementAction::Close, &quality).is_err());
        let mut f = facts(ImprovementState::Implemented);
        f.has_outcome = false;
        assert_eq!(
            transition(&f, ImprovementAction::Verify, &quality)
                .unwrap_err()
                .0,
            "Record the measured outcome before verifying it."
        );
    }

    #[test]
    fn kpis_judge_the_latest_value_in_their_direction() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let resolution = Kpi {
            name: "First-contact resolution".into(),
            unit: "%".into(),
            baseline: 60.0,
            target: 75.0,
            direction: Direction::HigherIsBetter,
        };
        assert_eq!(resolution.verdict(&[]), TargetVerdict::NotMeasured);
        let values = [
            Measurement {
                on: day(20),
                value: 78.0,
            },
            Measurement {
                on: day(10),
                value: 64.0,
            },
        ];
        assert_eq!(resolution.verdict(&values), TargetVerdict::Met);
        assert_eq!(resolution.verdict(&values[1..]), TargetVerdict::NotMet);
        assert_eq!(
            resolution.progress(&values[1..]).map(|p| p.round()),
            Some(27.0)
        );
        let backlog = Kpi {
            name: "Backlog".into(),
            unit: "tickets".into(),
            baseline: 400.0,
            target: 250.0,
            direction: Direction::LowerIsBetter,
        };
        assert!(backlog.meets(240.0) && !backlog.meets(260.0));
        assert!(backlog.check().is_ok());
        let wrong_way = Kpi {
            target: 500.0,
            ..backlog
        };
        assert!(wrong_way.check().is_err());
    }

    #[derive(Debug, Clone)]
    struct Step {
        action: ImprovementAction,
        actor: i64,
        quality: bool,
        record_outcome: bool,
    }

    fn step() -> impl Strategy<Value = Step> {
        (
            proptest::sample::select(ImprovementAction::ALL.to_vec()),
            1i64..5,
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(action, actor, quality, record_outcome)| Step {
                action,
                actor,
                quality,
                record_outcome,
            })
    }

    proptest! {
        /// Over any sequence of moves by anyone, a closed improvement always has an outcome and
        /// a verifier who is not its owner, and every state reached is one the rules allow.
        #[test]
        fn closed_always_means_measured_and_verified_by_someone_else(
            steps in proptest::collection::vec(step(), 0..40),
            approver in proptest::option::of(1i64..5),
        ) {
            let mut f = ImprovementFacts {
                state: ImprovementState::Identified,
                owner_id: OWNER,
                approver_id: approver,
                evaluated: true,
                has_outcome: false,
                verifier_id: None,
                former_owner_ids: Vec::new(),
                approver_named_by: None,
            };
            for s in steps {
                if s.record_outcome {
                    f.has_outcome = true;
                }
                let roles = if s.quality { vec![Role::QualityManager] } else { vec![Role::Requester] };
                let actor = ActorFacts { user_id: s.actor, roles };
                if let Ok(next) = transition(&f, s.action, &actor) {
                    if s.action == ImprovementAction::Verify {
                        prop_assert_ne!(s.actor, f.owner_id);
                        f.verifier_id = Some(s.actor);
                    }
                    f.state = next;
                }
                if f.state == ImprovementState::Closed {
                    prop_assert!(f.has_outcome);
                    prop_assert!(f.verifier_id.is_some_and(|v| v != f.owner_id));
                }
            }
        }
    }

    /// Something that happens to an entry: a lifecycle move, or an edit of who is responsible.
    #[derive(Debug, Clone)]
    enum Event {
        Move(Step),
        Reassign {
            actor: i64,
            quality: bool,
            owner: i64,
            approver: Option<i64>,
        },
    }

    fn event() -> impl Strategy<Value = Event> {
        prop_oneof![
            step().prop_map(Event::Move),
            (
                1i64..6,
                any::<bool>(),
                1i64..6,
                proptest::option::of(1i64..6)
            )
                .prop_map(|(actor, quality, owner, approver)| Event::Reassign {
                    actor,
                    quality,
                    owner,
                    approver,
                }),
        ]
    }

    proptest! {
        /// Whatever hand-overs and approver changes happen on the way, nobody who ever owned
        /// the entry decides on it or verifies it, nobody decides as an approver they named
        /// themselves, and owner or approver change after the decision only by a quality manager.
        #[test]
        fn no_hand_over_lets_an_owner_decide_or_verify(
            events in proptest::collection::vec(event(), 0..60),
        ) {
            let mut f = ImprovementFacts {
                state: ImprovementState::Identified,
                owner_id: OWNER,
                approver_id: None,
                evaluated: true,
                has_outcome: true,
                verifier_id: None,
                former_owner_ids: Vec::new(),
                approver_named_by: None,
            };
            let mut ever_owned = vec![OWNER];
            for event in events {
                match event {
                    Event::Move(s) => {
                        let roles = if s.quality { vec![Role::QualityManager] } else { vec![Role::Requester] };
                        let actor = ActorFacts { user_id: s.actor, roles };
                        if let Ok(next) = transition(&f, s.action, &actor) {
                            use ImprovementAction as A;
                            if matches!(s.action, A::Approve | A::Reject | A::Defer | A::Verify) {
                                prop_assert!(!ever_owned.contains(&s.actor));
                                if !s.quality {
                                    prop_assert_ne!(f.approver_named_by, Some(s.actor));
                                }
                            }
                            if s.action == A::Verify {
                                f.verifier_id = Some(s.actor);
                            }
                            f.state = next;
                        }
                    }
                    Event::Reassign { actor, quality, owner, approver } => {
                        let roles = if quality { vec![Role::QualityManager] } else { vec![Role::Requester] };
                        let who = ActorFacts { user_id: actor, roles };
                        let decided = !matches!(
                            f.state,
                            ImprovementState::Identified | ImprovementState::Evaluated | ImprovementState::Deferred
                        );
                        if check_edit(&f, owner, approver, &who).is_ok() {
                            let changes = owner != f.owner_id || approver != f.approver_id;
                            if changes && decided {
                                prop_assert!(quality);
                            }
                            prop_assert!(quality || actor == f.owner_id);
                            if owner != f.owner_id {
                                f.former_owner_ids.push(f.owner_id);
                                f.owner_id = owner;
                                ever_owned.push(owner);
                            }
                            if approver != f.approver_id {
                                f.approver_id = approver;
                                f.approver_named_by = Some(actor);
                            }
                            if let Some(a) = f.approver_id {
                                prop_assert!(!ever_owned.contains(&a));
                            }
                        }
                    }
                }
            }
        }
    }
}
