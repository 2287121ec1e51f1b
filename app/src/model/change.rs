//! The change lifecycle (ISO/IEC 20000-1 clause 8.5.1) as a pure state machine.
//!
//! `transition(facts, action, actor)` answers whether `actor` may take `action` on a change
//! described by `facts`, and the state it leads to. The board asks it which moves to offer;
//! the server asks it again before writing.
//!
//! Segregation of duties, whatever path the request takes:
//! - nobody decides (authorises, rejects, defers) a change they requested, own or owned before;
//! - a change whose approval path is the CAB (normal, medium risk or higher) or the ECAB
//!   (emergency) is decided only by a board's decision taken in a meeting with quorum, recorded
//!   by its chair ([`Authority::BoardDecision`]); a change manager decides low-risk normal
//!   changes alone; standard changes are pre-authorised by their template;
//! - a standard change is authorised on submission only when its schedule has no open
//!   conflicts (blackouts, maintenance windows, double bookings);
//! - imported history is read-only: nothing moves it;
//! - editing what an assessment relied on sends an assessed change back for assessment
//!   ([`state_after_edit`]).

use crate::model::access::Role;
use crate::model::actor::{refuse, ActorFacts, Refusal};
use crate::model::labelled::labelled_enum;
use crate::model::risk::RiskLevel;
use serde::{Deserialize, Serialize};

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ChangeType {
        /// Pre-authorised, low risk, from a template: skips assessment and CAB.
        Standard => ("standard", "Standard"),
        /// Assessed and authorised: by the change manager when low risk, by the CAB otherwise.
        Normal => ("normal", "Normal"),
        /// Authorised fast by the emergency CAB; reviewed afterwards.
        Emergency => ("emergency", "Emergency"),
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum ChangeState {
        Draft => ("draft", "Draft"),
        Submitted => ("submitted", "Submitted"),
        Assessed => ("assessed", "Assessed"),
        AwaitingAuthorisation => ("awaiting_authorisation", "Awaiting authorisation"),
        Authorised => ("authorised", "Authorised"),
        Rejected => ("rejected", "Rejected"),
        Scheduled => ("scheduled", "Scheduled"),
        Implementing => ("implementing", "Implementing"),
        Implemented => ("implemented", "Implemented"),
        Failed => ("failed", "Failed"),
        BackedOut => ("backed_out", "Backed out"),
        Reviewed => ("reviewed", "Reviewed"),
        Closed => ("closed", "Closed"),
        Cancelled => ("cancelled", "Cancelled"),
    }
}

impl ChangeState {
    /// Final states: nothing happens to the change any more.
    pub fn is_final(self) -> bool {
        matches!(self, Self::Closed | Self::Cancelled | Self::Rejected)
    }

    /// Implementation began: from here on the change may have caused incidents.
    pub fn was_carried_out(self) -> bool {
        matches!(
            self,
            Self::Implementing
                | Self::Implemented
                | Self::Failed
                | Self::BackedOut
                | Self::Reviewed
                | Self::Closed
        )
    }

    /// States from which the change can still be cancelled (nothing has been touched yet).
    pub fn is_cancellable(self) -> bool {
        matches!(
            self,
            Self::Draft
                | Self::Submitted
                | Self::Assessed
                | Self::AwaitingAuthorisation
                | Self::Authorised
                | Self::Scheduled
        )
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ChangeAction {
        Submit => ("submit", "Submit"),
        Assess => ("assess", "Mark assessed"),
        RequestAuthorisation => ("request_authorisation", "Request authorisation"),
        Authorise => ("authorise", "Authorise"),
        Reject => ("reject", "Reject"),
        Defer => ("defer", "Defer"),
        Schedule => ("schedule", "Schedule"),
        StartImplementation => ("start_implementation", "Start implementation"),
        Complete => ("complete", "Complete"),
        ReportFailure => ("report_failure", "Report failure"),
        BackOut => ("back_out", "Back out"),
        Review => ("review", "Record review"),
        Close => ("close", "Close"),
        Cancel => ("cancel", "Cancel"),
    }
}

impl ChangeAction {
    /// Actions that need a comment from the person taking them.
    pub fn needs_comment(self) -> bool {
        matches!(
            self,
            Self::Reject | Self::Defer | Self::Cancel | Self::ReportFailure | Self::BackOut
        )
    }
}

/// Who approves a change, decided by its type and risk level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApprovalPath {
    PreAuthorised,
    ChangeManager,
    Cab,
    EmergencyCab,
}

impl ApprovalPath {
    pub fn for_change(change_type: ChangeType, risk: Option<RiskLevel>) -> Self {
        match (change_type, risk) {
            (ChangeType::Standard, _) => Self::PreAuthorised,
            (ChangeType::Emergency, _) => Self::EmergencyCab,
            (ChangeType::Normal, Some(RiskLevel::Low)) => Self::ChangeManager,
            (ChangeType::Normal, _) => Self::Cab,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::PreAuthorised => "Pre-authorised (standard change)",
            Self::ChangeManager => "Change manager",
            Self::Cab => "Change advisory board (CAB)",
            Self::EmergencyCab => "Emergency CAB (ECAB)",
        }
    }

    /// Whether only a board's decision in a meeting with quorum decides changes on this path.
    pub fn needs_board(self) -> bool {
        matches!(self, Self::Cab | Self::EmergencyCab)
    }

    /// Roles that may record the authorisation decision on this path (on a board path: the
    /// chair recording the board's decision).
    pub fn deciders(self) -> &'static [Role] {
        match self {
            Self::PreAuthorised => &[],
            Self::ChangeManager => &[Role::ChangeManager],
            Self::Cab | Self::EmergencyCab => &[Role::CabMember, Role::ChangeManager],
        }
    }
}

/// What the rules need to know about a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeFacts {
    pub state: ChangeState,
    pub change_type: ChangeType,
    pub risk: Option<RiskLevel>,
    pub requester_id: i64,
    pub owner_id: i64,
    pub implementer_ids: Vec<i64>,
    /// Implementation, test and back-out plans are all written.
    pub has_plans: bool,
    /// Planned start and end are set.
    pub has_schedule: bool,
    /// Unresolved schedule conflicts (not overridden by a change manager).
    pub open_conflicts: u32,
    /// A post-implementation review is recorded.
    pub has_review: bool,
    /// Everyone who owned the change before its current owner: handing it over does not make
    /// them independent of it.
    #[serde(default)]
    pub former_owner_ids: Vec<i64>,
    /// Imported history: read-only.
    #[serde(default)]
    pub imported: bool,
}

/// On whose authority a move is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Authority {
    /// The person on their own account: the board, the detail page, the plain transition.
    Own,
    /// The chair recording a decision of a change advisory board (CAB or ECAB) taken in a
    /// meeting with quorum. Only the CAB meeting service uses it, after checking the chair
    /// and the quorum.
    BoardDecision,
}

/// The state `action` leads to from `facts.state`, ignoring who asks.
fn target(facts: &ChangeFacts, action: ChangeAction) -> Option<ChangeState> {
    use ChangeAction as A;
    use ChangeState as S;
    let standard = facts.change_type == ChangeType::Standard;
    let emergency = facts.change_type == ChangeType::Emergency;
    Some(match (facts.state, action) {
        (S::Draft, A::Submit) if standard => S::Authorised,
        (S::Draft, A::Submit) if emergency => S::AwaitingAuthorisation,
        (S::Draft, A::Submit) => S::Submitted,
        (S::Submitted, A::Assess) => S::Assessed,
        (S::Assessed, A::RequestAuthorisation) => S::AwaitingAuthorisation,
        (S::AwaitingAuthorisation, A::Authorise) => S::Authorised,
        (S::AwaitingAuthorisation, A::Reject) => S::Rejected,
        (S::AwaitingAuthorisation, A::Defer) if !emergency => S::Assessed,
        (S::Authorised, A::Schedule) => S::Scheduled,
        (S::Scheduled, A::StartImplementation) => S::Implementing,
        (S::Implementing, A::Complete) => S::Implemented,
        (S::Implementing, A::ReportFailure) => S::Failed,
        (S::Implementing, A::BackOut) => S::BackedOut,
        (S::Implemented | S::Failed | S::BackedOut, A::Review) => S::Reviewed,
        (S::Reviewed, A::Close) => S::Closed,
        (state, A::Cancel) if state.is_cancellable() => S::Cancelled,
        _ => return None,
    })
}

/// Whether a change of `change_type` can ever be in `state`: standard changes skip
/// assessment and authorisation, emergencies skip assessment. Imports are held to this.
pub fn reachable(change_type: ChangeType, state: ChangeState) -> bool {
    use ChangeState as S;
    match change_type {
        ChangeType::Standard => !matches!(
            state,
            S::Submitted | S::Assessed | S::AwaitingAuthorisation | S::Rejected
        ),
        ChangeType::Emergency => !matches!(state, S::Submitted | S::Assessed),
        ChangeType::Normal => true,
    }
}

/// Whether `actor` may take `action` on the change on their own account, and the state it
/// leads to.
pub fn transition(
    facts: &ChangeFacts,
    action: ChangeAction,
    actor: &ActorFacts,
) -> Result<ChangeState, Refusal> {
    transition_by(facts, action, actor, Authority::Own)
}

/// Whether `actor` may take `action` on the change on `authority`, and the state it leads to.
pub fn transition_by(
    facts: &ChangeFacts,
    action: ChangeAction,
    actor: &ActorFacts,
    authority: Authority,
) -> Result<ChangeState, Refusal> {
    use ChangeAction as A;
    let board_decision = authority == Authority::BoardDecision;
    if facts.imported {
        return refuse("This change is imported history: it is read-only and cannot be moved.");
    }
    let Some(next) = target(facts, action) else {
        return refuse(format!(
            "A change that is {} cannot be moved with “{}”.",
            facts.state.label().to_lowercase(),
            action.label()
        ));
    };
    let is_requester = actor.user_id == facts.requester_id;
    let is_owner = actor.user_id == facts.owner_id;
    let is_implementer = facts.implementer_ids.contains(&actor.user_id);
    let manager = actor.has(Role::ChangeManager);
    match action {
        A::Submit => {
            if !(is_requester || is_owner || manager) {
                return refuse("Only the requester, the change owner or a change manager can submit this change.");
            }
            if !facts.has_plans {
                return refuse(
                    "Write the implementation, test and back-out plans before submitting.",
                );
            }
            if !facts.has_schedule {
                return refuse("Set the planned start and end before submitting.");
            }
            // Submitting a standard change authorises it: the schedule must be clear first.
            if facts.change_type == ChangeType::Standard && facts.open_conflicts > 0 {
                return refuse(format!(
                    "{} schedule conflict{} (blackout, maintenance window or double booking) must be resolved or overridden by a change manager before this standard change is authorised.",
                    facts.open_conflicts,
                    if facts.open_conflicts == 1 { "" } else { "s" }
                ));
            }
        }
        A::Assess => {
            if !manager {
                return refuse("Only a change manager can assess a change.");
            }
            if facts.risk.is_none() {
                return refuse("Complete the risk assessment first.");
            }
        }
        A::RequestAuthorisation => {
            if !manager {
                return refuse("Only a change manager can send a change for authorisation.");
            }
        }
        A::Authorise | A::Reject | A::Defer => {
            let path = ApprovalPath::for_change(facts.change_type, facts.risk);
            if path.needs_board() && !board_decision {
                return refuse(format!(
                    "This change is decided by the {}: its chair records the board's decision in a meeting with quorum.",
                    path.label()
                ));
            }
            // A board may also decide a change a change manager could decide alone.
            let deciders = if board_decision {
                ApprovalPath::Cab.deciders()
            } else {
                path.deciders()
            };
            if !actor.any(deciders) {
                return refuse(format!("This change is decided by the {}.", path.label()));
            }
            if is_requester || is_owner {
                return refuse("You cannot decide on a change you requested or own.");
            }
            if facts.former_owner_ids.contains(&actor.user_id) {
                return refuse("You owned this change before; you cannot decide on it.");
            }
            if action == A::Authorise && facts.open_conflicts > 0 {
                return refuse(format!(
                    "{} schedule conflict{} must be resolved or overridden by a change manager first.",
                    facts.open_conflicts,
                    if facts.open_conflicts == 1 { "" } else { "s" }
                ));
            }
        }
        A::Schedule => {
            if !(manager || is_owner) {
                return refuse("Only the change owner or a change manager can schedule a change.");
            }
            if !facts.has_schedule {
                return refuse("Set the planned start and end first.");
            }
        }
        A::StartImplementation | A::Complete | A::ReportFailure | A::BackOut => {
            if !(is_implementer || is_owner || manager) {
                return refuse("Only an implementer, the change owner or a change manager can record implementation progress.");
            }
        }
        A::Review => {
            if !(manager || is_owner) {
                return refuse("Only the change owner or a change manager can record the post-implementation review.");
            }
            if !facts.has_review {
                return refuse("Fill in the post-implementation review: outcome, incidents caused and lessons.");
            }
        }
        A::Close => {
            if !manager {
                return refuse("Only a change manager can close a change.");
            }
        }
        A::Cancel => {
            if !(is_requester || is_owner || manager) {
                return refuse("Only the requester, the change owner or a change manager can cancel this change.");
            }
        }
    }
    Ok(next)
}

/// The state a change is in after an edit: an assessed change whose risk answers, services,
/// plans or schedule changed goes back to Submitted, to be assessed again (the assessment
/// relied on them). Other edits leave the state alone.
pub fn state_after_edit(state: ChangeState, assessment_inputs_changed: bool) -> ChangeState {
    match state {
        ChangeState::Assessed if assessment_inputs_changed => ChangeState::Submitted,
        other => other,
    }
}

/// Whether an edit may turn a change of type `from` into `to` in `state`: only a draft changes
/// its type (a submitted change was routed and assessed by it).
pub fn may_change_type(
    state: ChangeState,
    from: ChangeType,
    to: ChangeType,
) -> Result<(), Refusal> {
    if from == to || state == ChangeState::Draft {
        Ok(())
    } else {
        refuse(format!(
            "A {} change cannot become a {} change once submitted; cancel it and raise a new one.",
            from.label().to_lowercase(),
            to.label().to_lowercase()
        ))
    }
}

/// The actions `actor` can take now: what the board highlights and the detail page offers.
pub fn available_actions(
    facts: &ChangeFacts,
    actor: &ActorFacts,
) -> Vec<(ChangeAction, ChangeState)> {
    ChangeAction::ALL
        .into_iter()
        .filter_map(|action| {
            transition(facts, action, actor)
                .ok()
                .map(|next| (action, next))
        })
        .collect()
}

/// The action that moves a change from its state to `to`, if one exists (for drag and drop).
pub fn action_towards(facts: &ChangeFacts, to: ChangeState) -> Option<ChangeAction> {
    ChangeAction::ALL
        .into_iter()
        .find(|action| target(facts, *action) == Some(to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REQUESTER: i64 = 1;
    const OWNER: i64 = 2;
    const IMPLEMENTER: i64 = 3;
    const MANAGER: i64 = 4;
    const CAB: i64 = 5;

    fn facts(state: ChangeState, change_type: ChangeType, risk: Option<RiskLevel>) -> ChangeFacts {
        ChangeFacts {
            state,
            change_type,
            risk,
            requester_id: REQUESTER,
            owner_id: OWNER,
            implementer_ids: vec![IMPLEMENTER],
            has_plans: true,
            has_schedule: true,
            open_conflicts: 0,
            has_review: true,
            former_owner_ids: vec![],
            imported: false,
        }
    }

    fn person(user_id: i64, roles: &[Role]) -> ActorFacts {
        ActorFacts::person(user_id, roles.to_vec())
    }

    /// A CAB member chairing a meeting with quorum records the board's decision.
    fn by_board(facts: &ChangeFacts, action: ChangeAction) -> Result<ChangeState, Refusal> {
        transition_by(facts, action, &cab(), Authority::BoardDecision)
    }

    fn manager() -> ActorFacts {
        person(MANAGER, &[Role::ChangeManager])
    }

    fn cab() -> ActorFacts {
        person(CAB, &[Role::CabMember])
    }

    #[test]
    fn normal_change_walks_the_whole_lifecycle() {
        use ChangeAction as A;
        let mut change = facts(
            ChangeState::Draft,
            ChangeType::Normal,
            Some(RiskLevel::High),
        );
        let steps = [
            (
                A::Submit,
                person(REQUESTER, &[Role::Requester]),
                ChangeState::Submitted,
            ),
            (A::Assess, manager(), ChangeState::Assessed),
            (
                A::RequestAuthorisation,
                manager(),
                ChangeState::AwaitingAuthorisation,
            ),
            (A::Authorise, cab(), ChangeState::Authorised),
            (A::Schedule, person(OWNER, &[]), ChangeState::Scheduled),
            (
                A::StartImplementation,
                person(IMPLEMENTER, &[]),
                ChangeState::Implementing,
            ),
            (
                A::Complete,
                person(IMPLEMENTER, &[]),
                ChangeState::Implemented,
            ),
            (A::Review, manager(), ChangeState::Reviewed),
            (A::Close, manager(), ChangeState::Closed),
        ];
        for (action, actor, expected) in steps {
            // The CAB decides in its meeting; everything else on the person's own account.
            let authority = if action == A::Authorise {
                Authority::BoardDecision
            } else {
                Authority::Own
            };
            let next = transition_by(&change, action, &actor, authority)
                .unwrap_or_else(|r| panic!("{action:?}: {r}"));
            assert_eq!(next, expected, "{action:?}");
            change.state = next;
        }
    }

    #[test]
    fn standard_changes_are_pre_authorised_and_emergencies_go_to_the_ecab() {
        let requester = person(REQUESTER, &[Role::Requester]);
        let standard = facts(ChangeState::Draft, ChangeType::Standard, None);
        assert_eq!(
            transition(&standard, ChangeAction::Submit, &requester),
            Ok(ChangeState::Authorised)
        );
        let emergency = facts(
            ChangeState::Draft,
            ChangeType::Emergency,
            Some(RiskLevel::High),
        );
        assert_eq!(
            transition(&emergency, ChangeAction::Submit, &requester),
            Ok(ChangeState::AwaitingAuthorisation)
        );
        let waiting = facts(
            ChangeState::AwaitingAuthorisation,
            ChangeType::Emergency,
            Some(RiskLevel::High),
        );
        assert!(
            by_board(&waiting, ChangeAction::Defer).is_err(),
            "an emergency cannot wait"
        );
        assert_eq!(
            ApprovalPath::for_change(ChangeType::Emergency, None),
            ApprovalPath::EmergencyCab
        );
    }

    #[test]
    fn low_risk_normal_changes_are_decided_by_the_change_manager_alone() {
        let low = facts(
            ChangeState::AwaitingAuthorisation,
            ChangeType::Normal,
            Some(RiskLevel::Low),
        );
        assert_eq!(
            transition(&low, ChangeAction::Authorise, &manager()),
            Ok(ChangeState::Authorised)
        );
        assert!(transition(&low, ChangeAction::Authorise, &cab()).is_err());
        let medium = facts(
            ChangeState::AwaitingAuthorisation,
            ChangeType::Normal,
            Some(RiskLevel::Medium),
        );
        assert_eq!(
            by_board(&medium, ChangeAction::Authorise),
            Ok(ChangeState::Authorised)
        );
    }

    #[test]
    fn cab_path_changes_are_decided_only_by_a_board_decision() {
        for (change_type, risk) in [
            (ChangeType::Normal, RiskLevel::Medium),
            (ChangeType::Normal, RiskLevel::High),
            (ChangeType::Normal, RiskLevel::VeryHigh),
            (ChangeType::Emergency, RiskLevel::Low),
            (ChangeType::Emergency, RiskLevel::High),
        ] {
            let change = facts(ChangeState::AwaitingAuthorisation, change_type, Some(risk));
            for actor in [
                cab(),
                manager(),
                person(CAB, &[Role::CabMember, Role::ChangeManager]),
            ] {
                for action in [ChangeAction::Authorise, ChangeAction::Reject] {
                    let refusal = transition(&change, action, &actor).unwrap_err();
                    assert!(
                        refusal.0.contains("meeting with quorum"),
                        "{change_type:?} {risk:?} {action:?}: {refusal}"
                    );
                }
            }
            assert_eq!(
                by_board(&change, ChangeAction::Authorise),
                Ok(ChangeState::Authorised)
            );
            // The chair needs a deciding role too; a board decision is not a free pass.
            assert!(transition_by(
                &change,
                ChangeAction::Authorise,
                &person(CAB, &[Role::Requester]),
                Authority::BoardDecision
            )
            .is_err());
        }
        // A board may also decide a low-risk change a change manager could decide alone.
        let low = facts(
            ChangeState::AwaitingAuthorisation,
            ChangeType::Normal,
            Some(RiskLevel::Low),
        );
        assert_eq!(
            by_board(&low, ChangeAction::Authorise),
            Ok(ChangeState::Authorised)
        );
        // An unassessed risk is not low: the CAB decides.
        let unknown = facts(ChangeState::AwaitingAuthorisation, ChangeType::Normal, None);
        assert!(transition(&unknown, ChangeAction::Authorise, &manager()).is_err());
    }

    #[test]
    fn the_board_and_detail_page_never_offer_a_cab_decision_outside_the_meeting() {
        let change = facts(
            ChangeState::AwaitingAuthorisation,
            ChangeType::Normal,
            Some(RiskLevel::High),
        );
        for actor in [cab(), manager()] {
            let offered = available_actions(&change, &actor);
            assert!(
                offered.iter().all(|(a, _)| !matches!(
                    a,
                    ChangeAction::Authorise | ChangeAction::Reject | ChangeAction::Defer
                )),
                "{offered:?}"
            );
        }
    }

    #[test]
    fn former_owners_never_decide() {
        let mut change = facts(
            ChangeState::AwaitingAuthorisation,
            ChangeType::Normal,
            Some(RiskLevel::Low),
        );
        change.former_owner_ids = vec![MANAGER];
        let refusal = transition(&change, ChangeAction::Authorise, &manager()).unwrap_err();
        assert_eq!(
            refusal.0,
            "You owned this change before; you cannot decide on it."
        );
        assert!(transition(&change, ChangeAction::Reject, &manager()).is_err());
        let mut high = facts(
            ChangeState::AwaitingAuthorisation,
            ChangeType::Normal,
            Some(RiskLevel::High),
        );
        high.former_owner_ids = vec![CAB];
        assert!(by_board(&high, ChangeAction::Authorise).is_err());
        // Someone else still can.
        high.former_owner_ids = vec![MANAGER];
        assert_eq!(
            by_board(&high, ChangeAction::Authorise),
            Ok(ChangeState::Authorised)
        );
    }

    #[test]
    fn imported_history_never_moves() {
        for state in ChangeState::ALL {
            let mut change = facts(state, ChangeType::Normal, Some(RiskLevel::Low));
            change.imported = true;
            for actor in [manager(), cab(), person(OWNER, &[]), person(REQUESTER, &[])] {
                assert!(available_actions(&change, &actor).is_empty(), "{state:?}");
                for action in ChangeAction::ALL {
                    assert!(
                        transition_by(&change, action, &actor, Authority::BoardDecision).is_err()
                    );
                }
            }
        }
    }

    #[test]
    fn a_standard_change_with_conflicts_is_not_authorised_on_submission() {
        let requester = person(REQUESTER, &[Role::Requester]);
        let mut standard = facts(ChangeState::Draft, ChangeType::Standard, None);
        standard.open_conflicts = 1;
        let refusal = transition(&standard, ChangeAction::Submit, &requester).unwrap_err();
        assert!(refusal.0.starts_with("1 schedule conflict "), "{refusal}");
        standard.open_conflicts = 0;
        assert_eq!(
            transition(&standard, ChangeAction::Submit, &requester),
            Ok(ChangeState::Authorised)
        );
    }

    #[test]
    fn editing_what_the_assessment_relied_on_sends_it_back() {
        use ChangeState as S;
        assert_eq!(state_after_edit(S::Assessed, true), S::Submitted);
        assert_eq!(state_after_edit(S::Assessed, false), S::Assessed);
        assert_eq!(state_after_edit(S::Submitted, true), S::Submitted);
        assert_eq!(state_after_edit(S::Draft, true), S::Draft);
        assert!(may_change_type(S::Draft, ChangeType::Normal, ChangeType::Standard).is_ok());
        assert!(may_change_type(S::Submitted, ChangeType::Normal, ChangeType::Normal).is_ok());
        assert!(may_change_type(S::Submitted, ChangeType::Normal, ChangeType::Standard).is_err());
        assert!(may_change_type(S::Assessed, ChangeType::Normal, ChangeType::Emergency).is_err());
    }

    #[test]
    fn nobody_authorises_their_own_change() {
        let mut change = facts(
            ChangeState::AwaitingAuthorisation,
            ChangeType::Normal,
            Some(RiskLevel::Low),
        );
        change.requester_id = MANAGER;
        let refusal = transition(&change, ChangeAction::Authorise, &manager()).unwrap_err();
        assert_eq!(
            refusal.0,
            "You cannot decide on a change you requested or own."
        );
    }

    #[test]
    fn submit_needs_plans_and_schedule() {
        let requester = person(REQUESTER, &[Role::Requester]);
        let mut change = facts(ChangeState::Draft, ChangeType::Normal, None);
        change.has_plans = false;
        assert!(transition(&change, ChangeAction::Submit, &requester)
            .unwrap_err()
            .0
            .contains("plans"));
        change.has_plans = true;
        change.has_schedule = false;
        assert!(transition(&change, ChangeAction::Submit, &requester)
            .unwrap_err()
            .0
            .contains("planned start"));
    }

    #[test]
    fn conflicts_block_authorisation() {
        let mut change = facts(
            ChangeState::AwaitingAuthorisation,
            ChangeType::Normal,
            Some(RiskLevel::High),
        );
        change.open_conflicts = 2;
        let refusal = by_board(&change, ChangeAction::Authorise).unwrap_err();
        assert!(refusal.0.starts_with("2 schedule conflicts"), "{refusal}");
        assert_eq!(
            by_board(&change, ChangeAction::Reject),
            Ok(ChangeState::Rejected)
        );
    }

    #[test]
    fn review_needs_a_pir_and_closed_changes_stay_closed() {
        let mut change = facts(
            ChangeState::Implemented,
            ChangeType::Normal,
            Some(RiskLevel::Low),
        );
        change.has_review = false;
        assert!(transition(&change, ChangeAction::Review, &manager()).is_err());
        let closed = facts(
            ChangeState::Closed,
            ChangeType::Normal,
            Some(RiskLevel::Low),
        );
        assert!(available_actions(&closed, &manager()).is_empty());
    }

    #[test]
    fn the_board_finds_the_action_for_a_drop() {
        let change = facts(
            ChangeState::Submitted,
            ChangeType::Normal,
            Some(RiskLevel::Low),
        );
        assert_eq!(
            action_towards(&change, ChangeState::Assessed),
            Some(ChangeAction::Assess)
        );
        assert_eq!(
            action_towards(&change, ChangeState::Cancelled),
            Some(ChangeAction::Cancel)
        );
        assert_eq!(action_towards(&change, ChangeState::Closed), None);
    }

    #[test]
    fn codes_round_trip() {
        for state in ChangeState::ALL {
            assert_eq!(ChangeState::parse(state.as_str()), Some(state));
        }
        for action in ChangeAction::ALL {
            assert_eq!(ChangeAction::parse(action.as_str()), Some(action));
        }
    }

    fn any_role() -> impl Strategy<Value = Vec<Role>> {
        proptest::sample::subsequence(Role::ALL.to_vec(), 0..=3)
    }

    proptest! {
        /// Random sequences of actions by random people keep the invariants: closed, cancelled
        /// and rejected changes never move again; every authorisation of a normal or emergency
        /// change was made by someone who is neither its requester nor its owner.
        #[test]
        fn random_walks_keep_the_invariants(
            change_type in proptest::sample::select(ChangeType::ALL.to_vec()),
            risk in proptest::sample::select(RiskLevel::ALL.to_vec()),
            steps in proptest::collection::vec((proptest::sample::select(ChangeAction::ALL.to_vec()), 1i64..=6, any_role(), any::<bool>()), 1..40),
            former_owner in 1i64..=6,
        ) {
            let mut change = facts(ChangeState::Draft, change_type, Some(risk));
            change.former_owner_ids = vec![former_owner];
            for (action, user_id, roles, board_decision) in steps {
                let actor = ActorFacts { user_id, roles };
                let authority = if board_decision { Authority::BoardDecision } else { Authority::Own };
                let before = change.state;
                match transition_by(&change, action, &actor, authority) {
                    Ok(next) => {
                        prop_assert!(!before.is_final(), "{before:?} moved to {next:?}");
                        if next == ChangeState::Authorised && change_type != ChangeType::Standard {
                            prop_assert!(user_id != change.requester_id && user_id != change.owner_id);
                            prop_assert!(user_id != former_owner, "a former owner authorised");
                            prop_assert!(actor.roles.contains(&Role::ChangeManager) || actor.roles.contains(&Role::CabMember));
                            // Only a board's decision authorises a CAB or ECAB path change;
                            // a change manager alone only a low-risk normal one.
                            if ApprovalPath::for_change(change_type, Some(risk)).needs_board() {
                                prop_assert!(board_decision, "authorised outside a board decision");
                            } else {
                                prop_assert!(board_decision || actor.roles.contains(&Role::ChangeManager));
                            }
                        }
                        if next == ChangeState::Closed {
                            prop_assert_eq!(before, ChangeState::Reviewed);
                        }
                        change.state = next;
                    }
                    Err(_) => prop_assert_eq!(change.state, before),
                }
            }
        }
    }

    #[test]
    fn reachable_states_are_exactly_those_the_lifecycle_leads_to() {
        for change_type in ChangeType::ALL {
            let mut seen = vec![ChangeState::Draft];
            let mut queue = vec![ChangeState::Draft];
            while let Some(state) = queue.pop() {
                for action in ChangeAction::ALL {
                    let mut facts = facts(state, change_type, Some(RiskLevel::Low));
                    facts.state = state;
                    if let Some(next) = target(&facts, action) {
                        if !seen.contains(&next) {
                            seen.push(next);
                            queue.push(next);
                        }
                    }
                }
            }
            for state in ChangeState::ALL {
                assert_eq!(
                    reachable(change_type, state),
                    seen.contains(&state),
                    "{change_type:?} {state:?}"
                );
            }
        }
    }
}
