//! Incidents (ISO/IEC 20000-1 clause 8.6.1), the rules without the storage: the record as a
//! form, its lifecycle as one pure state machine, and what each step does to its two target
//! clocks (response and resolution).
//!
//! The invariants an auditor samples: an incident is owned before work starts, it is resolved
//! only with a resolution code and words, waiting for the customer or a supplier pauses the
//! resolution clock and nothing else does, and a major incident is closed only after its
//! post-incident review.

use crate::error::FieldErrors;
use crate::model::access::Role;
use crate::model::actor::{refuse, ActorFacts, Refusal};
use crate::model::labelled::labelled_enum;
use crate::model::priority_matrix::{Impact, TicketPriority, Urgency};
use crate::model::refs::{PersonRef, ServiceRef};
use crate::model::target_clock::ClockReading;
use crate::model::text;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// How long after resolution an incident may be reopened, unless the organisation sets
/// another period.
pub const DEFAULT_REOPEN_DAYS: u32 = 10;

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum IncidentState {
        New => ("new", "New"),
        Assigned => ("assigned", "Assigned"),
        InProgress => ("in_progress", "In progress"),
        Pending => ("pending", "Pending"),
        Resolved => ("resolved", "Resolved"),
        Closed => ("closed", "Closed"),
    }
}

impl IncidentState {
    /// Still to be resolved: counts in the queue's open work and its clocks run or wait.
    pub fn is_open(self) -> bool {
        !matches!(self, IncidentState::Resolved | IncidentState::Closed)
    }
}

labelled_enum! {
    /// Whom a pending incident waits for; either way the resolution clock stands still.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum PendingReason {
        Customer => ("customer", "Waiting for the customer"),
        Supplier => ("supplier", "Waiting for a supplier"),
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum IncidentAction {
        Assign => ("assign", "Assign"),
        Start => ("start", "Start work"),
        WaitForCustomer => ("wait_customer", "Wait for the customer"),
        WaitForSupplier => ("wait_supplier", "Wait for a supplier"),
        Resume => ("resume", "Resume work"),
        Resolve => ("resolve", "Resolve"),
        Reopen => ("reopen", "Reopen"),
        Close => ("close", "Close"),
    }
}

labelled_enum! {
    /// How an incident was resolved (the service report counts them).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ResolutionCode {
        Fixed => ("fixed", "Fixed"),
        Workaround => ("workaround", "Workaround applied"),
        KnownError => ("known_error", "Known error workaround applied"),
        ChangeReverted => ("change_reverted", "Change backed out"),
        NoFaultFound => ("no_fault_found", "No fault found"),
        Duplicate => ("duplicate", "Duplicate of another incident"),
        UserError => ("user_error", "Advice given (no fault)"),
    }
}

/// Where an action takes an incident in `from`, if it applies there at all.
pub fn next_state(from: IncidentState, action: IncidentAction) -> Option<IncidentState> {
    use IncidentAction as A;
    use IncidentState as S;
    Some(match (from, action) {
        // Assigning again hands the incident to someone else without changing its state.
        (S::New | S::Assigned, A::Assign) => S::Assigned,
        (S::InProgress | S::Pending, A::Assign) => from,
        (S::Assigned, A::Start) => S::InProgress,
        (S::InProgress, A::WaitForCustomer | A::WaitForSupplier) => S::Pending,
        (S::Pending, A::Resume) => S::InProgress,
        (S::Assigned | S::InProgress | S::Pending, A::Resolve) => S::Resolved,
        (S::Resolved, A::Reopen) => S::InProgress,
        (S::Resolved, A::Close) => S::Closed,
        _ => return None,
    })
}

/// The move that takes an incident from `from` to `to` in one step (a board's drop).
pub fn action_towards(from: IncidentState, to: IncidentState) -> Option<IncidentAction> {
    IncidentAction::ALL
        .into_iter()
        .filter(|a| *a != IncidentAction::WaitForSupplier)
        .find(|a| next_state(from, *a) == Some(to) && from != to)
}

/// What the rules need to know about an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentFacts {
    pub state: IncidentState,
    pub reporter_id: i64,
    /// Who it is assigned to after the step (an Assign names the new assignee here).
    pub assignee_id: Option<i64>,
    /// A resolution code and text are given (checked when resolving).
    pub has_resolution: bool,
    pub major: bool,
    /// The major incident's post-incident review is completed.
    pub review_completed: bool,
    /// When it was resolved (the reopen period runs from then).
    pub resolved_at: Option<DateTime<Utc>>,
    pub reopen_days: u32,
    /// The instant the rules are asked at.
    pub now: DateTime<Utc>,
}

/// Those who work incidents: resolvers, and service level managers, who run the queue.
pub fn works_incidents(actor: &ActorFacts) -> bool {
    actor.any(&[Role::Resolver, Role::ServiceLevelManager])
}

/// Who declares a major incident (and appoints its review): a service level manager.
pub fn may_declare_major(actor: &ActorFacts) -> bool {
    actor.has(Role::ServiceLevelManager)
}

/// The lifecycle: `(facts, action, actor) -> new state`, or why not. The queue and the record
/// ask it which steps to offer; the server asks it before writing.
pub fn transition(
    facts: &IncidentFacts,
    action: IncidentAction,
    actor: &ActorFacts,
) -> Result<IncidentState, Refusal> {
    use IncidentAction as A;
    let Some(next) = next_state(facts.state, action) else {
        return refuse(format!(
            "An incident that is {} cannot take “{}”.",
            facts.state.label().to_lowercase(),
            action.label()
        ));
    };
    let worker = works_incidents(actor);
    // Being named is not enough: an assignee who no longer works incidents steps back.
    let assignee = facts.assignee_id == Some(actor.user_id);
    let reporter = facts.reporter_id == actor.user_id;
    match action {
        A::Assign => {
            if !worker {
                return refuse("Only resolvers and service level managers assign incidents.");
            }
            if facts.assignee_id.is_none() {
                return refuse("Choose whom to assign the incident to.");
            }
        }
        A::Start => {
            if !(assignee && worker) {
                return refuse(
                    "Only the assignee starts work: assign the incident to yourself first.",
                );
            }
        }
        A::WaitForCustomer | A::WaitForSupplier | A::Resolve => {
            if !((assignee && worker) || actor.has(Role::ServiceLevelManager)) {
                return refuse("Only the assignee or a service level manager records this step.");
            }
            if action == A::Resolve && !facts.has_resolution {
                return refuse("Give the resolution code and say what was done.");
            }
        }
        A::Resume => {
            // The customer answering is what ends most waits. An assignee who no longer works
            // incidents (now an auditor, say) steps back here too.
            if !((assignee && worker) || reporter || actor.has(Role::ServiceLevelManager)) {
                return refuse(
                    "The assignee, the reporter or a service level manager resumes work.",
                );
            }
        }
        A::Reopen => {
            if !(reporter || worker) {
                return refuse("The reporter or a resolver reopens an incident.");
            }
            let until = facts
                .resolved_at
                .map(|at| at + Duration::days(i64::from(facts.reopen_days)));
            if until.is_some_and(|until| facts.now > until) {
                return refuse(format!(
                    "The incident was resolved more than {} days ago: raise a new incident and link it.",
                    facts.reopen_days
                ));
            }
        }
        A::Close => {
            if !(reporter || worker) {
                return refuse(
                    "The reporter confirms the resolution, or a resolver closes the incident.",
                );
            }
            if facts.major && !facts.review_completed {
                return refuse(
                    "A major incident is closed only after its post-incident review is completed.",
                );
            }
        }
    }
    Ok(next)
}

/// The steps `actor` may take now, in the order a record shows them.
pub fn available_actions(facts: &IncidentFacts, actor: &ActorFacts) -> Vec<IncidentAction> {
    IncidentAction::ALL
        .into_iter()
        .filter(|action| {
            let mut facts = facts.clone();
            if *action == IncidentAction::Assign && facts.assignee_id.is_none() {
                // Offered before anyone is chosen: the form asks whom.
                facts.assignee_id = Some(actor.user_id);
            }
            if *action == IncidentAction::Resolve {
                facts.has_resolution = true;
            }
            transition(&facts, *action, actor).is_ok()
        })
        .collect()
}

/// What a step does to a clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockStep {
    Keep,
    Pause,
    Resume,
    Stop,
    Restart,
}

/// What moving from `from` to `to` does to the response clock and to the resolution clock.
/// Response ends when the incident is first owned; resolution waits while pending, stops when
/// resolved and counts again when reopened.
pub fn clock_steps(from: IncidentState, to: IncidentState) -> (ClockStep, ClockStep) {
    use IncidentState as S;
    let response = match (from, to) {
        (S::New, S::Assigned) => ClockStep::Stop,
        _ => ClockStep::Keep,
    };
    let resolution = match (from, to) {
        (_, S::Pending) if from != S::Pending => ClockStep::Pause,
        (S::Pending, S::InProgress) => ClockStep::Resume,
        (_, S::Resolved) => ClockStep::Stop,
        (S::Resolved, S::InProgress) => ClockStep::Restart,
        _ => ClockStep::Keep,
    };
    (response, resolution)
}

/// A new incident as the form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
// Fields a form leaves out (an unticked box, a step's unused inputs) read as empty.
#[serde(default)]
pub struct IncidentForm {
    pub title: String,
    pub description: String,
    pub service_id: String,
    pub impact: String,
    pub urgency: String,
    pub category: String,
    /// What is affected, in the reporter's words (a server, an application, a site).
    pub affected: String,
    /// Who reported it, when taken on someone's behalf (empty: the person filling the form).
    pub reporter_id: String,
    /// The outage began before it was reported (monitoring's start time), as `datetime-local`.
    pub started_at: String,
    pub service_affecting: bool,
    /// The known error applied while reporting (`PRB` id), which links the incident to it.
    pub known_error: String,
}

/// A validated new incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentDraft {
    pub title: String,
    pub description: String,
    pub service_id: i64,
    pub impact: Impact,
    pub urgency: Urgency,
    pub category: String,
    pub affected: String,
    pub reporter_id: Option<i64>,
    pub started_at: Option<chrono::NaiveDateTime>,
    pub service_affecting: bool,
    pub known_error_id: Option<i64>,
}

impl IncidentForm {
    pub fn validate(&self) -> Result<IncidentDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = text::line(&mut errors, "title", "The title", &self.title, 3, 160);
        let description = text::bounded(
            &mut errors,
            "description",
            "The description",
            &self.description,
            0,
            8000,
        );
        let category = text::line(
            &mut errors,
            "category",
            "The category",
            &self.category,
            0,
            60,
        );
        let affected = text::line(
            &mut errors,
            "affected",
            "What is affected",
            &self.affected,
            0,
            200,
        );
        let service_id = match self.service_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => id,
            _ => {
                errors.add("service_id", "Choose the service the incident affects.");
                0
            }
        };
        let impact = Impact::parse(&self.impact);
        if impact.is_none() {
            errors.add("impact", "Choose the impact.");
        }
        let urgency = Urgency::parse(&self.urgency);
        if urgency.is_none() {
            errors.add("urgency", "Choose the urgency.");
        }
        let reporter_id = match self.reporter_id.trim() {
            "" => None,
            id => match id.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.add("reporter_id", "Choose the person who reported it.");
                    None
                }
            },
        };
        let started_at =
            crate::model::typed::local_time_field(&mut errors, "started_at", &self.started_at);
        let known_error_id = match self.known_error.trim() {
            "" => None,
            id => match id.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.add(
                        "known_error",
                        "Choose the known error from the suggestions.",
                    );
                    None
                }
            },
        };
        match (impact, urgency) {
            (Some(impact), Some(urgency)) if errors.is_empty() => Ok(IncidentDraft {
                title,
                description,
                service_id,
                impact,
                urgency,
                category,
                affected,
                reporter_id,
                started_at,
                service_affecting: self.service_affecting,
                known_error_id,
            }),
            _ => Err(errors),
        }
    }
}

/// The resolution as the resolve form posts it.
pub fn validate_resolution(
    code: &str,
    text_value: &str,
) -> Result<(ResolutionCode, String), FieldErrors> {
    let mut errors = FieldErrors::new();
    let code = ResolutionCode::parse(code);
    if code.is_none() {
        errors.add("resolution_code", "Choose how the incident was resolved.");
    }
    let words = text::bounded(
        &mut errors,
        "resolution",
        "What was done",
        text_value,
        10,
        4000,
    );
    match code {
        Some(code) if errors.is_empty() => Ok((code, words)),
        _ => Err(errors),
    }
}

labelled_enum! {
    /// What a line of the timeline records.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum TimelineKind {
        Raised => ("raised", "Raised"),
        Note => ("note", "Work note"),
        Step => ("step", "Step"),
        /// What was told to users and stakeholders during a major incident.
        Communication => ("communication", "Communication"),
        Review => ("review", "Post-incident review"),
        /// What the monitoring source said after it opened the incident (resolved, firing again).
        Alert => ("alert", "Monitoring alert"),
    }
}

/// One line of an incident's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub author: Option<PersonRef>,
    pub kind: TimelineKind,
    pub body: String,
}

/// An incident as its record page shows it, clocks read at `read_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub description: String,
    pub service: ServiceRef,
    pub impact: Impact,
    pub urgency: Urgency,
    pub priority: TicketPriority,
    /// The rule that gave the priority when it was set.
    pub priority_rule: String,
    pub category: String,
    pub affected: String,
    pub reporter: PersonRef,
    pub assignee: Option<PersonRef>,
    pub state: IncidentState,
    pub pending_reason: Option<PendingReason>,
    pub resolution_code: Option<ResolutionCode>,
    pub resolution: Option<String>,
    pub major: bool,
    pub review_completed_at: Option<DateTime<Utc>>,
    pub review: Option<PostIncidentReview>,
    pub service_affecting: bool,
    pub started_at: DateTime<Utc>,
    /// The agreement the clocks measure against (`SLA-3`), if one was in force.
    pub agreement: Option<String>,
    /// The change that caused it, as its id (the record names it).
    pub caused_by_change_id: Option<i64>,
    /// Its number in the tool it was imported from.
    #[serde(default)]
    pub imported_ref: Option<String>,
    pub response_clock: Option<ClockReading>,
    pub resolution_clock: Option<ClockReading>,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub read_at: DateTime<Utc>,
    pub timeline: Vec<TimelineEntry>,
    pub version: i32,
}

/// Who completes a major incident's post-incident review: a service level manager, once the
/// incident is resolved (the review looks back at the whole of it) and before it is closed.
pub fn check_review(
    state: IncidentState,
    major: bool,
    completed: bool,
    actor: &ActorFacts,
) -> Result<(), Refusal> {
    if !major {
        return refuse("Only a major incident has a post-incident review.");
    }
    if !actor.has(Role::ServiceLevelManager) {
        return refuse("A service level manager completes the post-incident review.");
    }
    if completed {
        return refuse("The post-incident review is already completed.");
    }
    if state != IncidentState::Resolved {
        return refuse(
            "The review is completed once the incident is resolved, before it is closed.",
        );
    }
    Ok(())
}

/// The most actions one review sends to the register at once.
pub const MAX_REVIEW_ACTIONS: usize = 5;

/// One action of a review as its form posts it (a row left empty is no action).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewActionForm {
    pub text: String,
    pub owner_id: String,
    pub due: String,
}

/// A post-incident review as its form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub summary: String,
    pub cause: String,
    pub lessons: String,
    pub actions: Vec<ReviewActionForm>,
}

/// An action the review sends to the improvement register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewAction {
    pub text: String,
    pub owner_id: i64,
    pub due: chrono::NaiveDate,
}

/// A validated review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDraft {
    pub summary: String,
    pub cause: String,
    pub lessons: String,
    pub actions: Vec<ReviewAction>,
}

impl ReviewForm {
    /// Errors on a row are keyed `action_{row}` (text), `action_{row}_owner`, `action_{row}_due`.
    pub fn validate(&self, today: chrono::NaiveDate) -> Result<ReviewDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let summary = text::bounded(
            &mut errors,
            "summary",
            "What happened",
            &self.summary,
            20,
            8000,
        );
        let cause = text::bounded(&mut errors, "cause", "The cause", &self.cause, 10, 4000);
        let lessons = text::bounded(
            &mut errors,
            "lessons",
            "What was learned",
            &self.lessons,
            10,
            4000,
        );
        if self.actions.len() > MAX_REVIEW_ACTIONS {
            errors.add(
                "actions",
                format!("Send at most {MAX_REVIEW_ACTIONS} actions at once."),
            );
        }
        let mut actions = Vec::new();
        for (row, action) in self.actions.iter().enumerate().take(MAX_REVIEW_ACTIONS) {
            if action.text.trim().is_empty()
                && action.owner_id.trim().is_empty()
                && action.due.trim().is_empty()
            {
                continue;
            }
            let field = format!("action_{row}");
            let words = text::line(&mut errors, &field, "The action", &action.text, 5, 160);
            let owner = action
                .owner_id
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0);
            if owner.is_none() {
                errors.add(&format!("{field}_owner"), "Choose who owns the action.");
            }
            let due = crate::model::typed::date(&action.due)
                .map_err(|refusal| {
                    errors.add(
                        &format!("{field}_due"),
                        refusal.message("Enter the due date as YYYY-MM-DD."),
                    )
                })
                .ok();
            if due.is_some_and(|due| due < today) {
                errors.add(&format!("{field}_due"), "The action is due today or later.");
            }
            if let (Some(owner_id), Some(due)) = (owner, due) {
                actions.push(ReviewAction {
                    text: words,
                    owner_id,
                    due,
                });
            }
        }
        errors.into_result(ReviewDraft {
            summary,
            cause,
            lessons,
            actions,
        })
    }
}

/// A completed post-incident review, as the record shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostIncidentReview {
    pub summary: String,
    pub cause: String,
    pub lessons: String,
    pub reviewed_by: Option<PersonRef>,
    pub completed_at: DateTime<Utc>,
    /// The register entries its actions became: `(id, reference, title)`.
    pub actions: Vec<(i64, String, String)>,
}

/// An incident with what the reader may do to it now (the server asks the rules once, the
/// record shows exactly those steps).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentRecord {
    pub incident: Incident,
    pub actions: Vec<IncidentAction>,
    pub may_note: bool,
    pub may_declare_major: bool,
    /// The reader may complete the post-incident review now.
    pub may_review: bool,
    /// The reader may log a communication (a major incident, and they work incidents).
    pub may_communicate: bool,
    /// The problem that explains it, if one does.
    pub problem: Option<IncidentProblem>,
    /// The change that caused it, if someone working it said so.
    pub caused_by: Option<IncidentCause>,
    /// The reader may name (or correct) the change that caused it.
    pub may_link_cause: bool,
    /// The configuration items it names and what a failure of them reaches (readers of the
    /// CMDB only; loaded with the record so the page needs no second request).
    pub configuration: Option<crate::model::cmdb::ChangeImpact>,
}

/// The change an incident was caused by, as the incident's record names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentCause {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub state: crate::model::change::ChangeState,
}

/// An incident as the record of the change that caused it lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CausedIncident {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub priority: TicketPriority,
    pub state: IncidentState,
}

/// The incidents a change caused: the newest few, and how many there are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CausedIncidents {
    pub listed: Vec<CausedIncident>,
    pub total: u64,
}

/// The cause form: the reference of the change that caused the incident, or nothing to say
/// no change did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CauseForm {
    pub change: String,
}

impl CauseForm {
    /// The change's id (`CHG-00012`, `chg-12` or `12`), or `None` to remove the link.
    pub fn validate(&self) -> Result<Option<i64>, FieldErrors> {
        let text = self.change.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let upper = text.to_ascii_uppercase();
        let digits = upper.strip_prefix("CHG-").unwrap_or(&upper);
        match digits.parse::<i64>() {
            Ok(id) if id > 0 => Ok(Some(id)),
            _ => {
                let mut errors = FieldErrors::new();
                errors.add(
                    "change",
                    "Give the change's reference, like CHG-00012 (or leave it empty: no change caused it).",
                );
                Err(errors)
            }
        }
    }
}

/// The problem an incident is linked to, as the incident's record names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentProblem {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub state: crate::model::problem::ProblemState,
    pub workaround: Option<String>,
}

/// What the incident forms offer: services, who may be assigned, whom a report may be taken
/// for, and the matrix (the form shows the priority as impact and urgency are chosen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentChoices {
    pub services: Vec<ServiceRef>,
    /// Enabled people who work incidents (resolvers, service level managers).
    pub workers: Vec<PersonRef>,
    /// Everyone enabled (the reporter, when raised on someone's behalf); empty for callers
    /// who report only for themselves.
    pub reporters: Vec<PersonRef>,
    pub matrix: crate::model::priority_matrix::PriorityMatrix,
}

/// A step as the record's forms post it: the action and what it needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
// Fields a form leaves out (an unticked box, a step's unused inputs) read as empty.
#[serde(default)]
pub struct StepForm {
    pub action: String,
    /// Assign: the new assignee.
    pub assignee_id: String,
    /// Resolve: how, and what was done.
    pub resolution_code: String,
    pub resolution: String,
    /// Any step: a note for the timeline.
    pub note: String,
}

/// The step read from its form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub action: IncidentAction,
    pub assignee_id: Option<i64>,
    pub resolution: Option<(ResolutionCode, String)>,
    pub note: String,
}

impl StepForm {
    pub fn validate(&self) -> Result<Step, FieldErrors> {
        let mut errors = FieldErrors::new();
        let action = IncidentAction::parse(&self.action);
        if action.is_none() {
            errors.add("action", "Choose the step to take.");
        }
        let note = text::bounded(&mut errors, "note", "The note", &self.note, 0, 4000);
        let assignee_id = match (action, self.assignee_id.trim()) {
            (Some(IncidentAction::Assign), id) => match id.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.add("assignee_id", "Choose whom to assign the incident to.");
                    None
                }
            },
            _ => None,
        };
        let resolution = if action == Some(IncidentAction::Resolve) {
            match validate_resolution(&self.resolution_code, &self.resolution) {
                Ok(resolution) => Some(resolution),
                Err(resolution_errors) => {
                    for field in ["resolution_code", "resolution"] {
                        if let Some(message) = resolution_errors.get(field) {
                            errors.add(field, message);
                        }
                    }
                    None
                }
            }
        } else {
            None
        };
        match action {
            Some(action) if errors.is_empty() => Ok(Step {
                action,
                assignee_id,
                resolution,
                note,
            }),
            _ => Err(errors),
        }
    }
}

/// The reference people use: `INC-42`.
pub fn reference(id: i64) -> String {
    format!("INC-{id}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use IncidentAction as A;
    use IncidentState as S;

    const REPORTER: i64 = 1;
    const RESOLVER: i64 = 2;

    #[test]
    fn a_cause_is_a_change_reference_or_nothing() {
        let cause = |text: &str| {
            CauseForm {
                change: text.into(),
            }
            .validate()
        };
        assert_eq!(cause("CHG-00012"), Ok(Some(12)));
        assert_eq!(cause(" chg-7 "), Ok(Some(7)));
        assert_eq!(cause("42"), Ok(Some(42)));
        assert_eq!(cause("  "), Ok(None));
        for bad in ["CHG-", "CHG-0", "-3", "INC-00012", "12 13", "CHG-1x"] {
            let errors = cause(bad).expect_err(bad);
            assert!(errors.get("change").is_some(), "{bad}");
        }
    }

    #[test]
    fn the_forms_read_as_their_pages_post_them() {
        // An unticked box and a step's unused fields are simply absent.
        let form: IncidentForm =
            serde_qs::from_str("title=Mail+down&service_id=2&impact=high&urgency=medium")
                .expect("the report form reads");
        let draft = form.validate().expect("valid report");
        assert!(!draft.service_affecting);
        let step: StepForm = serde_qs::from_str("action=start").expect("a bare step reads");
        assert_eq!(
            step.validate().expect("valid").action,
            IncidentAction::Start
        );
    }
    const MANAGER: i64 = 3;
    const OTHER_RESOLVER: i64 = 4;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2027-03-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn facts(state: IncidentState) -> IncidentFacts {
        IncidentFacts {
            state,
            reporter_id: REPORTER,
            assignee_id: (state != S::New).then_some(RESOLVER),
            has_resolution: false,
            major: false,
            review_completed: false,
            resolved_at: (state >= S::Resolved).then(now),
            reopen_days: DEFAULT_REOPEN_DAYS,
            now: now(),
        }
    }

    fn reporter() -> ActorFacts {
        ActorFacts::person(REPORTER, vec![Role::Requester])
    }
    fn resolver() -> ActorFacts {
        ActorFacts::person(RESOLVER, vec![Role::Resolver])
    }
    fn other_resolver() -> ActorFacts {
        ActorFacts::person(OTHER_RESOLVER, vec![Role::Resolver])
    }
    fn manager() -> ActorFacts {
        ActorFacts::person(MANAGER, vec![Role::ServiceLevelManager])
    }

    #[test]
    fn an_incident_is_worked_from_new_to_closed() {
        let mut f = facts(S::New);
        f.assignee_id = Some(RESOLVER);
        assert_eq!(transition(&f, A::Assign, &manager()), Ok(S::Assigned));
        f.state = S::Assigned;
        assert_eq!(transition(&f, A::Start, &resolver()), Ok(S::InProgress));
        f.state = S::InProgress;
        assert_eq!(
            transition(&f, A::WaitForCustomer, &resolver()),
            Ok(S::Pending)
        );
        f.state = S::Pending;
        assert_eq!(transition(&f, A::Resume, &reporter()), Ok(S::InProgress));
        f.state = S::InProgress;
        assert!(transition(&f, A::Resolve, &resolver())
            .unwrap_err()
            .0
            .contains("resolution code"));
        f.has_resolution = true;
        assert_eq!(transition(&f, A::Resolve, &resolver()), Ok(S::Resolved));
        f.state = S::Resolved;
        f.resolved_at = Some(now());
        assert_eq!(transition(&f, A::Close, &reporter()), Ok(S::Closed));
    }

    #[test]
    fn only_the_assignee_starts_and_resolves() {
        let f = facts(S::Assigned);
        assert!(transition(&f, A::Start, &other_resolver())
            .unwrap_err()
            .0
            .contains("assignee"));
        assert!(transition(&f, A::Start, &manager()).is_err());
        let mut f = facts(S::InProgress);
        f.has_resolution = true;
        assert!(transition(&f, A::Resolve, &other_resolver()).is_err());
        assert!(transition(&f, A::Resolve, &reporter()).is_err());
        assert_eq!(transition(&f, A::Resolve, &manager()), Ok(S::Resolved));
    }

    #[test]
    fn a_requester_cannot_assign_and_nobody_assigns_to_no_one() {
        let f = facts(S::New);
        assert!(transition(&f, A::Assign, &reporter())
            .unwrap_err()
            .0
            .contains("Only resolvers"));
        assert!(transition(&f, A::Assign, &manager())
            .unwrap_err()
            .0
            .contains("Choose whom"));
    }

    #[test]
    fn a_major_incident_closes_only_after_its_review() {
        let mut f = facts(S::Resolved);
        f.major = true;
        assert!(transition(&f, A::Close, &manager())
            .unwrap_err()
            .0
            .contains("post-incident review"));
        f.review_completed = true;
        assert_eq!(transition(&f, A::Close, &manager()), Ok(S::Closed));
        assert!(may_declare_major(&manager()));
        assert!(!may_declare_major(&resolver()));
    }

    #[test]
    fn reopening_is_possible_only_within_the_period() {
        let mut f = facts(S::Resolved);
        f.now = now() + Duration::days(10);
        assert_eq!(transition(&f, A::Reopen, &reporter()), Ok(S::InProgress));
        f.now = now() + Duration::days(10) + Duration::seconds(1);
        assert!(transition(&f, A::Reopen, &reporter())
            .unwrap_err()
            .0
            .contains("more than 10 days"));
        assert!(transition(&facts(S::Closed), A::Reopen, &reporter()).is_err());
    }

    #[test]
    fn pending_pauses_only_the_resolution_clock() {
        assert_eq!(
            clock_steps(S::New, S::Assigned),
            (ClockStep::Stop, ClockStep::Keep)
        );
        assert_eq!(
            clock_steps(S::InProgress, S::Pending),
            (ClockStep::Keep, ClockStep::Pause)
        );
        assert_eq!(
            clock_steps(S::Pending, S::InProgress),
            (ClockStep::Keep, ClockStep::Resume)
        );
        assert_eq!(
            clock_steps(S::Pending, S::Resolved),
            (ClockStep::Keep, ClockStep::Stop)
        );
        assert_eq!(
            clock_steps(S::Resolved, S::InProgress),
            (ClockStep::Keep, ClockStep::Restart)
        );
        assert_eq!(
            clock_steps(S::Pending, S::Pending),
            (ClockStep::Keep, ClockStep::Keep)
        );
    }

    #[test]
    fn the_board_finds_the_step_for_a_drop() {
        assert_eq!(action_towards(S::Assigned, S::InProgress), Some(A::Start));
        assert_eq!(
            action_towards(S::InProgress, S::Pending),
            Some(A::WaitForCustomer)
        );
        assert_eq!(action_towards(S::Resolved, S::InProgress), Some(A::Reopen));
        assert_eq!(action_towards(S::New, S::Closed), None);
        assert_eq!(action_towards(S::InProgress, S::InProgress), None);
    }

    #[test]
    fn the_form_says_what_is_missing() {
        let errors = IncidentForm::default().validate().unwrap_err();
        for field in ["title", "service_id", "impact", "urgency"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let form = IncidentForm {
            title: "Mail is down".into(),
            service_id: "3".into(),
            impact: "high".into(),
            urgency: "medium".into(),
            started_at: "2027-03-01T09:15".into(),
            ..Default::default()
        };
        let draft = form.validate().unwrap();
        assert_eq!(draft.impact, Impact::High);
        assert!(draft.started_at.is_some());
        let bad = IncidentForm {
            reporter_id: "me".into(),
            started_at: "yesterday".into(),
            ..form
        };
        let errors = bad.validate().unwrap_err();
        assert!(errors.get("reporter_id").is_some());
        assert!(errors.get("started_at").is_some());
        assert!(validate_resolution("fixed", "short").is_err());
        assert!(validate_resolution("nonsense", "Restarted the mail relay.").is_err());
        assert_eq!(
            validate_resolution("fixed", " Restarted the mail relay. ").unwrap(),
            (ResolutionCode::Fixed, "Restarted the mail relay.".into())
        );
    }

    #[test]
    fn a_step_form_asks_for_what_its_step_needs() {
        let assign = StepForm {
            action: "assign".into(),
            ..Default::default()
        };
        assert!(assign.validate().unwrap_err().get("assignee_id").is_some());
        let assign = StepForm {
            assignee_id: "7".into(),
            ..assign
        };
        assert_eq!(assign.validate().unwrap().assignee_id, Some(7));
        let resolve = StepForm {
            action: "resolve".into(),
            resolution_code: "fixed".into(),
            ..Default::default()
        };
        assert!(resolve.validate().unwrap_err().get("resolution").is_some());
        let resolve = StepForm {
            resolution: "Replaced the failed disk.".into(),
            ..resolve
        };
        assert_eq!(
            resolve.validate().unwrap().resolution.unwrap().0,
            ResolutionCode::Fixed
        );
        assert!(StepForm::default()
            .validate()
            .unwrap_err()
            .get("action")
            .is_some());
    }

    fn any_facts() -> impl Strategy<Value = IncidentFacts> {
        (
            0usize..IncidentState::ALL.len(),
            proptest::option::of(1i64..6),
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            0i64..30,
        )
            .prop_map(|(state, assignee, resolution, major, reviewed, days)| {
                IncidentFacts {
                    state: IncidentState::ALL[state],
                    reporter_id: REPORTER,
                    assignee_id: assignee,
                    has_resolution: resolution,
                    major,
                    review_completed: reviewed,
                    resolved_at: Some(now()),
                    reopen_days: DEFAULT_REOPEN_DAYS,
                    now: now() + Duration::days(days),
                }
            })
    }

    fn any_actor() -> impl Strategy<Value = ActorFacts> {
        let roles = proptest::sample::subsequence(
            vec![
                Role::Requester,
                Role::Resolver,
                Role::ServiceLevelManager,
                Role::Auditor,
            ],
            0..=2,
        );
        (1i64..6, roles).prop_map(|(id, roles)| ActorFacts::person(id, roles))
    }

    proptest! {
        /// Whatever the facts and whoever asks: a step goes only where the lifecycle's table
        /// goes, an auditor never moves an incident, a closed one never moves, a resolution
        /// always has its words, and a major incident never closes unreviewed.
        #[test]
        fn the_rules_hold_together(f in any_facts(), actor in any_actor(), a in 0usize..IncidentAction::ALL.len()) {
            let action = IncidentAction::ALL[a];
            if let Ok(next) = transition(&f, action, &actor) {
                prop_assert_eq!(Some(next), next_state(f.state, action));
                prop_assert!(f.state != S::Closed);
                prop_assert!(actor.roles != vec![Role::Auditor] || f.reporter_id == actor.user_id);
                if next == S::Resolved { prop_assert!(f.has_resolution); }
                if next == S::Closed && f.major { prop_assert!(f.review_completed); }
                if action == A::Start { prop_assert_eq!(f.assignee_id, Some(actor.user_id)); }
            }
            let offered = available_actions(&f, &actor);
            prop_assert!(offered.iter().all(|a| next_state(f.state, *a).is_some()));
        }
    }
}
