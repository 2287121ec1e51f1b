//! Service requests (ISO/IEC 20000-1 clause 8.6.2), the rules without the storage: the
//! catalogue of request types a service offers (the fields it asks, whether someone approves
//! it, its fulfilment target), the request's lifecycle as one pure state machine, and the
//! forms.
//!
//! The invariants an auditor samples: a request that needs approval is approved by someone
//! who neither asked for it nor raised it, before anyone works on it; the fulfilment clock
//! runs only while the request is the service desk's to work (not while it waits for an
//! approver or for the requester); a fulfilled request says what was done.

use crate::error::FieldErrors;
use crate::model::access::Role;
use crate::model::actor::{refuse, ActorFacts, Refusal};
use crate::model::labelled::labelled_enum;
use crate::model::refs::{PersonRef, ServiceRef};
use crate::model::target_clock::{ClockReading, ClockStatus, MAX_TARGET_MINUTES};
use crate::model::text;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// How a request is named to people: `REQ-12`.
pub fn reference(id: i64) -> String {
    format!("REQ-{id}")
}

/// The most fields one request type asks.
pub const MAX_FIELDS: usize = 8;

/// The most choices one field offers.
pub const MAX_CHOICES: usize = 20;

/// The longest answer to a long-text field.
pub const MAX_LONG_ANSWER: usize = 4000;

/// The longest answer to any other field.
pub const MAX_SHORT_ANSWER: usize = 200;

labelled_enum! {
    /// What kind of answer a request type's field takes.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum FieldKind {
        Text => ("text", "Short text"),
        LongText => ("long_text", "Long text"),
        Date => ("date", "Date"),
        Choice => ("choice", "Choice from a list"),
    }
}

/// One field a request type asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestField {
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    /// The choices of a `Choice` field (empty otherwise).
    pub options: Vec<String>,
}

/// One field row as the request type form posts it (a row without a label is no field).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FieldForm {
    pub label: String,
    pub kind: String,
    /// `yes` when an answer is required.
    pub required: String,
    /// The choices, separated by `|` or `,`.
    pub options: String,
}

impl FieldForm {
    pub fn of(field: &RequestField) -> Self {
        FieldForm {
            label: field.label.clone(),
            kind: field.kind.as_str().into(),
            required: if field.required {
                "yes".into()
            } else {
                String::new()
            },
            options: field.options.join(" | "),
        }
    }
}

/// A request type as its form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestTypeForm {
    pub service_id: String,
    pub name: String,
    pub description: String,
    /// `yes` when someone approves each request before it is worked.
    pub approval: String,
    /// Minutes of service time; empty means the agreement's fulfilment target.
    pub fulfilment_minutes: String,
    /// `yes` while the type is offered in the catalogue.
    pub active: String,
    pub fields: Vec<FieldForm>,
}

/// A validated request type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestTypeDraft {
    pub service_id: i64,
    pub name: String,
    pub description: String,
    pub approval_required: bool,
    pub fulfilment_minutes: Option<u32>,
    pub active: bool,
    pub fields: Vec<RequestField>,
}

fn positive_id(value: &str) -> Option<i64> {
    value.trim().parse::<i64>().ok().filter(|id| *id > 0)
}

fn split_options(value: &str) -> Vec<String> {
    let separator = if value.contains('|') { '|' } else { ',' };
    value
        .split(separator)
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_string)
        .collect()
}

impl RequestTypeForm {
    /// Errors on a field row are keyed `field_{row}`.
    pub fn validate(&self) -> Result<RequestTypeDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let service_id = positive_id(&self.service_id).unwrap_or_else(|| {
            errors.add("service_id", "Choose the service that offers this request.");
            0
        });
        let name = text::line(&mut errors, "name", "The name", &self.name, 3, 120);
        let description = text::bounded(
            &mut errors,
            "description",
            "The description",
            &self.description,
            0,
            2000,
        );
        let fulfilment_minutes = match self.fulfilment_minutes.trim() {
            "" => None,
            value => match value.parse::<u32>() {
                Ok(minutes) if (1..=MAX_TARGET_MINUTES).contains(&minutes) => Some(minutes),
                _ => {
                    errors.add(
                        "fulfilment_minutes",
                        format!(
                            "Give the target in minutes of service time, from 1 to {MAX_TARGET_MINUTES}, or leave it empty to use the agreement's."
                        ),
                    );
                    None
                }
            },
        };
        let mut fields: Vec<RequestField> = Vec::new();
        for (row, form) in self.fields.iter().enumerate() {
            let key = format!("field_{row}");
            let label = form.label.trim();
            if label.is_empty() {
                if !form.options.trim().is_empty() {
                    errors.add(&key, "Name the field these choices belong to.");
                }
                continue;
            }
            let label = text::line(&mut errors, &key, "The field's label", label, 2, 80);
            let Some(kind) = FieldKind::parse(form.kind.trim()) else {
                errors.add(&key, "Choose what kind of answer the field takes.");
                continue;
            };
            let options = split_options(&form.options);
            match kind {
                FieldKind::Choice if options.len() < 2 => {
                    errors.add(&key, "A choice offers at least two options (a | b).")
                }
                FieldKind::Choice if options.len() > MAX_CHOICES => errors.add(
                    &key,
                    format!("A choice offers at most {MAX_CHOICES} options."),
                ),
                FieldKind::Choice if options.iter().any(|o| o.chars().count() > 80) => {
                    errors.add(&key, "Each option is at most 80 characters.")
                }
                FieldKind::Choice => {}
                _ if !options.is_empty() => errors.add(&key, "Only a choice field has options."),
                _ => {}
            }
            if fields
                .iter()
                .any(|f| f.label.to_lowercase() == label.to_lowercase())
            {
                errors.add(&key, "Two fields have this label.");
            }
            fields.push(RequestField {
                label,
                kind,
                required: form.required.trim() == "yes",
                options: if kind == FieldKind::Choice {
                    options
                } else {
                    Vec::new()
                },
            });
        }
        if fields.len() > MAX_FIELDS {
            errors.add(
                "fields",
                format!("A request type asks at most {MAX_FIELDS} fields."),
            );
        }
        errors.into_result(RequestTypeDraft {
            service_id,
            name,
            description,
            approval_required: self.approval.trim() == "yes",
            fulfilment_minutes,
            active: self.active.trim() == "yes",
            fields,
        })
    }
}

/// The answers given, checked against the fields asked. Answers are keyed `answer_{i}`.
pub fn check_answers(
    errors: &mut FieldErrors,
    fields: &[RequestField],
    answers: &[String],
) -> Vec<Answer> {
    // Answers to questions the type does not ask are refused, unless they are empty.
    if answers
        .iter()
        .skip(fields.len())
        .any(|a| !a.trim().is_empty())
    {
        errors.add(
            "answers",
            "The request carries more answers than its type asks.",
        );
    }
    let mut checked = Vec::with_capacity(fields.len());
    for (i, field) in fields.iter().enumerate() {
        let key = format!("answer_{i}");
        let raw = answers.get(i).map(String::as_str).unwrap_or("");
        let max = match field.kind {
            FieldKind::LongText => MAX_LONG_ANSWER,
            _ => MAX_SHORT_ANSWER,
        };
        let value = text::bounded(errors, &key, &field.label, raw, 0, max);
        if value.is_empty() {
            if field.required {
                errors.add(&key, format!("{} is required.", field.label));
            }
            checked.push(Answer {
                label: field.label.clone(),
                value,
            });
            continue;
        }
        match field.kind {
            FieldKind::Text if value.contains(['\r', '\n']) => {
                errors.add(&key, format!("{} is one line.", field.label))
            }
            FieldKind::Date if NaiveDate::parse_from_str(&value, "%Y-%m-%d").is_err() => errors
                .add(
                    &key,
                    format!("{} is a date, written 2026-12-31.", field.label),
                ),
            FieldKind::Choice if !field.options.contains(&value) => errors.add(
                &key,
                format!("Choose {} from the list.", field.label.to_lowercase()),
            ),
            _ => {}
        }
        checked.push(Answer {
            label: field.label.clone(),
            value,
        });
    }
    checked
}

/// One answer, as the request keeps it (the label as it was asked, so a later edit of the
/// type does not change what the requester was asked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub label: String,
    pub value: String,
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum RequestState {
        AwaitingApproval => ("awaiting_approval", "Awaiting approval"),
        Open => ("open", "Open"),
        InProgress => ("in_progress", "In progress"),
        Pending => ("pending", "Waiting for the requester"),
        Fulfilled => ("fulfilled", "Fulfilled"),
        Closed => ("closed", "Closed"),
        Rejected => ("rejected", "Rejected"),
        Cancelled => ("cancelled", "Cancelled"),
    }
}

impl RequestState {
    /// Still to be fulfilled: counts as open work.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            RequestState::AwaitingApproval
                | RequestState::Open
                | RequestState::InProgress
                | RequestState::Pending
        )
    }

    /// Nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RequestState::Closed | RequestState::Rejected | RequestState::Cancelled
        )
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum RequestAction {
        Approve => ("approve", "Approve"),
        Reject => ("reject", "Reject"),
        Take => ("take", "Assign"),
        Pend => ("pend", "Ask the requester"),
        Resume => ("resume", "Resume"),
        Fulfil => ("fulfil", "Fulfil"),
        Reopen => ("reopen", "Reopen"),
        Close => ("close", "Close"),
        Cancel => ("cancel", "Cancel the request"),
    }
}

/// What a step does to the fulfilment clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockEffect {
    Keep,
    /// Approved: the clock starts counting.
    Start,
    Pause,
    Resume,
    Stop,
    /// Reopened: counts on from what it had used.
    Restart,
}

/// Where an action takes a request in `from`, if it applies there at all.
pub fn next_state(from: RequestState, action: RequestAction) -> Option<RequestState> {
    use RequestAction as A;
    use RequestState as S;
    Some(match (from, action) {
        (S::AwaitingApproval, A::Approve) => S::Open,
        (S::AwaitingApproval, A::Reject) => S::Rejected,
        // Assigning again hands the request to someone else.
        (S::Open | S::InProgress, A::Take) => S::InProgress,
        (S::InProgress, A::Pend) => S::Pending,
        (S::Pending, A::Resume) => S::InProgress,
        (S::InProgress, A::Fulfil) => S::Fulfilled,
        (S::Fulfilled, A::Reopen) => S::InProgress,
        (S::Fulfilled, A::Close) => S::Closed,
        (S::AwaitingApproval | S::Open | S::InProgress | S::Pending, A::Cancel) => S::Cancelled,
        _ => return None,
    })
}

/// What a step does to the fulfilment clock.
pub fn clock_effect(action: RequestAction) -> ClockEffect {
    match action {
        RequestAction::Approve => ClockEffect::Start,
        RequestAction::Pend => ClockEffect::Pause,
        RequestAction::Resume => ClockEffect::Resume,
        RequestAction::Fulfil | RequestAction::Reject => ClockEffect::Stop,
        RequestAction::Cancel => ClockEffect::Stop,
        RequestAction::Reopen => ClockEffect::Restart,
        RequestAction::Take | RequestAction::Close => ClockEffect::Keep,
    }
}

/// What the rules need to know about a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFacts {
    pub state: RequestState,
    pub requester_id: i64,
    /// Who put it in (the requester, or someone on their behalf).
    pub raised_by: i64,
    /// Who works it after the step (a Take names the assignee here).
    pub assignee_id: Option<i64>,
    /// The step carries the words it needs (why rejected, what was asked, what was done).
    pub has_note: bool,
}

/// Those who fulfil requests: the service desk.
pub fn works_requests(actor: &ActorFacts) -> bool {
    actor.any(&[Role::Resolver, Role::ServiceLevelManager])
}

/// Those who may approve a request at all (the record adds: never their own).
pub fn approves_requests(actor: &ActorFacts) -> bool {
    actor.any(&[Role::ServiceOwner, Role::ServiceLevelManager])
}

/// Those who read every request, not only their own: the service desk, approvers, and those
/// who check the SMS.
pub fn reads_all_requests(actor: &ActorFacts) -> bool {
    actor.any(&[
        Role::Resolver,
        Role::ServiceLevelManager,
        Role::ServiceOwner,
        Role::QualityManager,
        Role::Auditor,
        Role::Admin,
    ])
}

/// The lifecycle: `(facts, action, actor) -> new state`, or why not. The record asks it
/// which steps to offer; the server asks it again before writing.
pub fn transition(
    facts: &RequestFacts,
    action: RequestAction,
    actor: &ActorFacts,
) -> Result<RequestState, Refusal> {
    use RequestAction as A;
    let Some(next) = next_state(facts.state, action) else {
        return refuse(format!(
            "A request that is {} cannot take “{}”.",
            facts.state.label().to_lowercase(),
            action.label()
        ));
    };
    let requester = actor.user_id == facts.requester_id;
    let worker = works_requests(actor);
    match action {
        A::Approve | A::Reject => {
            if !approves_requests(actor) {
                return refuse("Only service owners and service level managers approve requests.");
            }
            if requester || actor.user_id == facts.raised_by {
                return refuse(
                    "Someone else approves this request: nobody approves a request they asked for or raised.",
                );
            }
            if action == A::Reject && !facts.has_note {
                return refuse("Say why the request is rejected.");
            }
        }
        A::Take => {
            if !worker {
                return refuse("Only resolvers and service level managers work requests.");
            }
            if facts.assignee_id.is_none() {
                return refuse("Choose who fulfils the request.");
            }
        }
        A::Pend | A::Fulfil => {
            if !worker {
                return refuse("Only resolvers and service level managers work requests.");
            }
            if !facts.has_note {
                return refuse(if action == A::Pend {
                    "Say what the requester is asked for."
                } else {
                    "Say what was done to fulfil the request."
                });
            }
        }
        A::Resume | A::Reopen | A::Close => {
            if !(worker || requester) {
                return refuse("Only the requester or the service desk takes this step.");
            }
            if action == A::Reopen && !facts.has_note {
                return refuse("Say what is still missing.");
            }
        }
        A::Cancel => {
            if !(worker || requester) {
                return refuse("Only the requester or the service desk cancels a request.");
            }
            if !facts.has_note {
                return refuse("Say why the request is cancelled.");
            }
        }
    }
    Ok(next)
}

/// The steps `actor` may take now, in the order a record shows them.
pub fn available_actions(facts: &RequestFacts, actor: &ActorFacts) -> Vec<RequestAction> {
    RequestAction::ALL
        .into_iter()
        .filter(|action| {
            let mut facts = facts.clone();
            if *action == RequestAction::Take {
                // Offered whoever holds it: the form asks whom.
                facts.assignee_id = Some(actor.user_id);
            }
            // The step's form asks for the words.
            facts.has_note = true;
            transition(&facts, *action, actor).is_ok()
        })
        .collect()
}

/// A request as its form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    pub type_id: String,
    /// The type's version the form was drawn from: a type edited meanwhile asks again.
    pub type_version: String,
    pub summary: String,
    /// Empty: the person raising it asks for themselves.
    pub requester_id: String,
    pub answers: Vec<String>,
}

/// A validated request, before its answers are checked against the type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDraft {
    pub type_id: i64,
    pub type_version: Option<i32>,
    pub summary: String,
    pub requester_id: Option<i64>,
}

impl RequestForm {
    pub fn validate(&self, errors: &mut FieldErrors) -> RequestDraft {
        let type_id = positive_id(&self.type_id).unwrap_or_else(|| {
            errors.add(
                "type_id",
                "Choose what you are asking for from the catalogue.",
            );
            0
        });
        let summary = text::line(errors, "summary", "The summary", &self.summary, 3, 160);
        let requester_id = match self.requester_id.trim() {
            "" => None,
            value => {
                let id = positive_id(value);
                if id.is_none() {
                    errors.add("requester_id", "Choose the requester from the list.");
                }
                id
            }
        };
        RequestDraft {
            type_id,
            type_version: self.type_version.trim().parse().ok(),
            summary,
            requester_id,
        }
    }
}

/// A step as its form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestStepForm {
    pub action: String,
    pub assignee_id: String,
    pub note: String,
}

/// A validated step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestStep {
    pub action: RequestAction,
    pub assignee_id: Option<i64>,
    pub note: Option<String>,
}

impl RequestStepForm {
    pub fn validate(&self) -> Result<RequestStep, FieldErrors> {
        let mut errors = FieldErrors::new();
        let action = RequestAction::parse(self.action.trim());
        if action.is_none() {
            errors.add("action", "Choose a step.");
        }
        let assignee_id = match self.assignee_id.trim() {
            "" => None,
            value => {
                let id = positive_id(value);
                if id.is_none() {
                    errors.add(
                        "assignee_id",
                        "Choose who fulfils the request from the list.",
                    );
                }
                id
            }
        };
        if action == Some(RequestAction::Take) && assignee_id.is_none() {
            errors.add("assignee_id", "Choose who fulfils the request.");
        }
        let note = text::bounded(&mut errors, "note", "The note", &self.note, 0, 4000);
        let needs_note = matches!(
            action,
            Some(
                RequestAction::Reject
                    | RequestAction::Pend
                    | RequestAction::Fulfil
                    | RequestAction::Reopen
                    | RequestAction::Cancel
            )
        );
        if needs_note && note.chars().count() < 5 && !errors.0.contains_key("note") {
            errors.add(
                "note",
                match action {
                    Some(RequestAction::Reject) => "Say why the request is rejected.",
                    Some(RequestAction::Pend) => "Say what the requester is asked for.",
                    Some(RequestAction::Fulfil) => "Say what was done to fulfil the request.",
                    Some(RequestAction::Reopen) => "Say what is still missing.",
                    _ => "Say why the request is cancelled.",
                },
            );
        }
        match action {
            Some(action) if errors.is_empty() => Ok(RequestStep {
                action,
                assignee_id,
                note: (!note.is_empty()).then_some(note),
            }),
            _ => Err(errors),
        }
    }
}

/// A request type as the catalogue and its editor show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestType {
    pub id: i64,
    pub service: ServiceRef,
    pub name: String,
    pub description: String,
    pub approval_required: bool,
    /// The type's own target; none means the agreement's fulfilment target.
    pub fulfilment_minutes: Option<u32>,
    pub active: bool,
    pub fields: Vec<RequestField>,
    pub version: i32,
}

impl RequestType {
    pub fn form(&self) -> RequestTypeForm {
        let mut fields: Vec<FieldForm> = self.fields.iter().map(FieldForm::of).collect();
        fields.resize(MAX_FIELDS, FieldForm::default());
        RequestTypeForm {
            service_id: self.service.id.to_string(),
            name: self.name.clone(),
            description: self.description.clone(),
            approval: if self.approval_required {
                "yes".into()
            } else {
                String::new()
            },
            fulfilment_minutes: self
                .fulfilment_minutes
                .map(|m| m.to_string())
                .unwrap_or_default(),
            active: if self.active {
                "yes".into()
            } else {
                String::new()
            },
            fields,
        }
    }
}

/// The catalogue: the active types, by service, and whether the reader may edit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestCatalogue {
    pub types: Vec<RequestType>,
    pub may_manage: bool,
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestEvent {
    pub at: DateTime<Utc>,
    pub author: Option<String>,
    pub body: String,
}

/// A request as its record page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRequest {
    pub id: i64,
    pub reference: String,
    pub type_id: i64,
    pub type_name: String,
    pub service: ServiceRef,
    pub summary: String,
    pub answers: Vec<Answer>,
    pub state: RequestState,
    pub requester: PersonRef,
    pub raised_by: PersonRef,
    pub approval_required: bool,
    pub approver: Option<PersonRef>,
    pub decided_at: Option<DateTime<Utc>>,
    pub assignee: Option<PersonRef>,
    /// The fulfilment clock, read now (none when no target applies).
    pub clock: Option<ClockReading>,
    /// Which agreement the target comes from (`SLA-n`), or the type's own.
    pub target_source: String,
    pub created_at: DateTime<Utc>,
    pub fulfilled_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub timeline: Vec<RequestEvent>,
    pub version: i32,
    pub read_at: DateTime<Utc>,
}

/// A request as `user` sees it: the record and what they may do to it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    pub request: ServiceRequest,
    pub actions: Vec<RequestAction>,
    /// Who the request may be assigned to (offered with "Assign").
    pub workers: Vec<PersonRef>,
}

/// One line of the request queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRow {
    pub id: i64,
    pub reference: String,
    pub summary: String,
    pub type_name: String,
    pub service: String,
    pub state: RequestState,
    pub requester: String,
    pub assignee: Option<String>,
    pub warning_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    pub status: Option<ClockStatus>,
    pub created_at: DateTime<Utc>,
}

impl RequestRow {
    /// The fulfilment clock as far as a row knows it, enough for `ClockReading::status_at`.
    pub fn fulfilment_reading(&self) -> Option<ClockReading> {
        self.status.map(|status| {
            crate::model::target_clock::stored_reading(status, self.warning_at, self.due_at)
        })
    }
}

pub const REQUEST_PAGE_SIZE: u64 = 25;

/// The queue's filters, as its query string carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestListParams {
    /// Words in the summary, or a reference (`REQ-12`).
    pub q: String,
    /// `open` (the default), `all`, or one state.
    pub state: String,
    /// `me` (requested by me), or empty.
    pub mine: String,
    /// `me`, `none` (unassigned), or empty.
    pub assignee: String,
    pub service: String,
    /// `yes`: only requests past their fulfilment target.
    pub breached: String,
    /// `due` (the default) or `newest`.
    pub sort: String,
    pub page: String,
    pub after: String,
    pub before: String,
}

/// What the state filter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    Open,
    All,
    One(RequestState),
}

impl RequestListParams {
    pub fn state_filter(&self) -> StateFilter {
        match self.state.trim() {
            "all" => StateFilter::All,
            value => RequestState::parse(value)
                .map(StateFilter::One)
                .unwrap_or(StateFilter::Open),
        }
    }

    pub fn mine(&self) -> bool {
        self.mine.trim() == "me"
    }

    pub fn service(&self) -> Option<i64> {
        positive_id(&self.service)
    }

    pub fn breached_only(&self) -> bool {
        self.breached.trim() == "yes"
    }

    pub fn newest_first(&self) -> bool {
        self.sort.trim() == "newest"
    }

    /// The search, bounded: a longer query string reads only its first 100 characters.
    pub fn search(&self) -> String {
        self.q.trim().chars().take(100).collect()
    }

    pub fn reference_id(&self) -> Option<i64> {
        let text = self.q.trim().to_ascii_uppercase();
        text.strip_prefix("REQ-")
            .and_then(|n| n.parse().ok())
            .filter(|id| *id > 0)
    }

    pub fn page_number(&self) -> u64 {
        crate::model::listing::parse_page(Some(&self.page))
    }

    pub fn page_key(&self) -> Option<crate::model::listing::PageKey> {
        crate::model::listing::PageKey::parse(Some(&self.after), Some(&self.before))
    }

    /// The view with only what the queue understood, each value as the queue writes it, and
    /// no page (what a saved filter keeps).
    pub fn canonical(&self) -> RequestListParams {
        let text = |on: bool, value: &str| if on { value.to_string() } else { String::new() };
        RequestListParams {
            q: self.search(),
            state: match self.state_filter() {
                StateFilter::Open => String::new(),
                StateFilter::All => "all".into(),
                StateFilter::One(state) => state.as_str().into(),
            },
            mine: text(self.mine(), "me"),
            assignee: match self.assignee.trim() {
                "me" => "me".into(),
                "none" => "none".into(),
                _ => String::new(),
            },
            service: self.service().map(|id| id.to_string()).unwrap_or_default(),
            breached: text(self.breached_only(), "yes"),
            sort: text(self.newest_first(), "newest"),
            page: String::new(),
            after: String::new(),
            before: String::new(),
        }
    }

    /// The link to page `page` of this view (starting at `key` when known).
    pub fn href_at(&self, page: u64, key: Option<crate::model::listing::PageKey>) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("q", &self.q),
            ("state", &self.state),
            ("mine", &self.mine),
            ("assignee", &self.assignee),
            ("service", &self.service),
            ("breached", &self.breached),
            ("sort", &self.sort),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.trim().to_string()))
        .collect();
        if page > 1 {
            pairs.push(("page", page.to_string()));
            pairs.extend(key.map(crate::model::listing::PageKey::query_pair));
        }
        if pairs.is_empty() {
            "/requests".into()
        } else {
            format!(
                "/requests?{}",
                serde_urlencoded::to_string(pairs).unwrap_or_default()
            )
        }
    }
}

/// One page of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPage {
    pub rows: Vec<RequestRow>,
    pub total: u64,
    /// More matched than were counted.
    pub more: bool,
    pub page: u64,
    pub pages: u64,
    /// Whether the reader sees everyone's requests or only their own.
    pub everyone: bool,
    pub read_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn person(id: i64, roles: &[Role]) -> ActorFacts {
        ActorFacts::person(id, roles.to_vec())
    }

    fn facts(state: RequestState) -> RequestFacts {
        RequestFacts {
            state,
            requester_id: 1,
            raised_by: 1,
            assignee_id: None,
            has_note: true,
        }
    }

    #[test]
    fn nobody_approves_what_they_asked_for_or_raised() {
        let mut f = facts(RequestState::AwaitingApproval);
        let manager_requester = person(1, &[Role::ServiceLevelManager]);
        assert!(transition(&f, RequestAction::Approve, &manager_requester).is_err());
        f.requester_id = 5;
        f.raised_by = 1;
        assert!(
            transition(&f, RequestAction::Approve, &manager_requester).is_err(),
            "raising it on someone's behalf is not approving it"
        );
        let other = person(2, &[Role::ServiceOwner]);
        assert_eq!(
            transition(&f, RequestAction::Approve, &other),
            Ok(RequestState::Open)
        );
        let resolver = person(3, &[Role::Resolver]);
        assert!(transition(&f, RequestAction::Approve, &resolver).is_err());
    }

    #[test]
    fn a_request_awaiting_approval_is_not_worked() {
        let f = facts(RequestState::AwaitingApproval);
        let resolver = person(3, &[Role::Resolver]);
        let mut take = f.clone();
        take.assignee_id = Some(3);
        assert!(transition(&take, RequestAction::Take, &resolver).is_err());
        assert!(transition(&f, RequestAction::Fulfil, &resolver).is_err());
    }

    #[test]
    fn steps_that_need_words_refuse_without_them() {
        let resolver = person(3, &[Role::Resolver]);
        let mut f = facts(RequestState::InProgress);
        f.has_note = false;
        assert!(transition(&f, RequestAction::Fulfil, &resolver).is_err());
        assert!(transition(&f, RequestAction::Pend, &resolver).is_err());
        assert!(transition(&f, RequestAction::Cancel, &resolver).is_err());
        f.has_note = true;
        assert_eq!(
            transition(&f, RequestAction::Fulfil, &resolver),
            Ok(RequestState::Fulfilled)
        );
    }

    #[test]
    fn the_requester_answers_confirms_and_cancels_but_does_not_fulfil() {
        let requester = person(1, &[Role::Requester]);
        let pending = facts(RequestState::Pending);
        assert_eq!(
            transition(&pending, RequestAction::Resume, &requester),
            Ok(RequestState::InProgress)
        );
        assert!(transition(
            &facts(RequestState::InProgress),
            RequestAction::Fulfil,
            &requester
        )
        .is_err());
        assert_eq!(
            transition(
                &facts(RequestState::Fulfilled),
                RequestAction::Close,
                &requester
            ),
            Ok(RequestState::Closed)
        );
        let stranger = person(9, &[Role::Requester]);
        assert!(transition(&pending, RequestAction::Cancel, &stranger).is_err());
    }

    #[test]
    fn the_clock_waits_for_approval_and_for_the_requester() {
        use RequestAction as A;
        assert_eq!(clock_effect(A::Approve), ClockEffect::Start);
        assert_eq!(clock_effect(A::Pend), ClockEffect::Pause);
        assert_eq!(clock_effect(A::Resume), ClockEffect::Resume);
        assert_eq!(clock_effect(A::Fulfil), ClockEffect::Stop);
        assert_eq!(clock_effect(A::Reopen), ClockEffect::Restart);
    }

    fn field(label: &str, kind: FieldKind, required: bool, options: &[&str]) -> RequestField {
        RequestField {
            label: label.into(),
            kind,
            required,
            options: options.iter().map(|o| o.to_string()).collect(),
        }
    }

    #[test]
    fn answers_are_checked_against_the_fields_asked() {
        let fields = vec![
            field("Start date", FieldKind::Date, true, &[]),
            field(
                "Laptop",
                FieldKind::Choice,
                true,
                &["Standard", "Developer"],
            ),
            field("Notes", FieldKind::LongText, false, &[]),
        ];
        let mut errors = FieldErrors::new();
        let answers = check_answers(
            &mut errors,
            &fields,
            &["2027-01-04".into(), "Developer".into(), String::new()],
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(answers[1].value, "Developer");
        let mut errors = FieldErrors::new();
        check_answers(&mut errors, &fields, &["4 January".into(), "Gaming".into()]);
        assert!(errors.0.contains_key("answer_0"));
        assert!(errors.0.contains_key("answer_1"));
        let mut errors = FieldErrors::new();
        check_answers(&mut errors, &fields, &[]);
        assert!(
            errors.0.contains_key("answer_0"),
            "a required date is missing"
        );
        let mut errors = FieldErrors::new();
        check_answers(
            &mut errors,
            &fields,
            &[
                "2027-01-04".into(),
                "Standard".into(),
                "".into(),
                "extra".into(),
            ],
        );
        assert!(errors.0.contains_key("answers"));
    }

    #[test]
    fn a_request_type_validates_its_fields() {
        let mut form = RequestTypeForm {
            service_id: "3".into(),
            name: "New starter laptop".into(),
            approval: "yes".into(),
            active: "yes".into(),
            fulfilment_minutes: "2400".into(),
            fields: vec![
                FieldForm {
                    label: "Laptop".into(),
                    kind: "choice".into(),
                    required: "yes".into(),
                    options: "Standard | Developer".into(),
                },
                FieldForm::default(),
            ],
            ..Default::default()
        };
        let draft = form.validate().expect("valid");
        assert_eq!(draft.fields.len(), 1, "an empty row is no field");
        assert_eq!(draft.fields[0].options, vec!["Standard", "Developer"]);
        assert!(draft.approval_required);
        form.fields[0].options = "Only one".into();
        assert!(form.validate().unwrap_err().0.contains_key("field_0"));
        form.fields[0].options = "a|b".into();
        form.fields[1] = FieldForm {
            label: "laptop".into(),
            kind: "text".into(),
            ..Default::default()
        };
        assert!(form.validate().unwrap_err().0.contains_key("field_1"));
        form.fields.truncate(1);
        form.fulfilment_minutes = "0".into();
        assert!(form
            .validate()
            .unwrap_err()
            .0
            .contains_key("fulfilment_minutes"));
    }

    fn any_state() -> impl Strategy<Value = RequestState> {
        prop::sample::select(RequestState::ALL.to_vec())
    }

    fn any_roles() -> impl Strategy<Value = Vec<Role>> {
        prop::collection::vec(prop::sample::select(Role::ALL.to_vec()), 0..3)
    }

    proptest! {
        /// The record offers exactly the steps the server would take.
        #[test]
        fn offered_steps_are_allowed_steps(
            state in any_state(),
            roles in any_roles(),
            actor_id in 1i64..4,
            requester_id in 1i64..4,
            raised_by in 1i64..4,
        ) {
            let actor = ActorFacts::person(actor_id, roles);
            let facts = RequestFacts { state, requester_id, raised_by, assignee_id: None, has_note: true };
            let offered = available_actions(&facts, &actor);
            for action in RequestAction::ALL {
                let mut asked = facts.clone();
                if action == RequestAction::Take {
                    asked.assignee_id = Some(actor_id);
                }
                prop_assert_eq!(offered.contains(&action), transition(&asked, action, &actor).is_ok());
            }
        }

        /// Whatever the roles, nobody approves their own request, and a final request takes
        /// no step at all.
        #[test]
        fn approval_is_never_ones_own_and_final_is_final(
            state in any_state(),
            roles in any_roles(),
            raised_by in 1i64..3,
        ) {
            let actor = ActorFacts::person(1, roles);
            let facts = RequestFacts { state, requester_id: 1, raised_by, assignee_id: Some(1), has_note: true };
            prop_assert!(transition(&facts, RequestAction::Approve, &actor).is_err());
            let on_behalf = RequestFacts { requester_id: 2, raised_by: 1, ..facts.clone() };
            prop_assert!(transition(&on_behalf, RequestAction::Approve, &actor).is_err());
            if state.is_final() {
                for action in RequestAction::ALL {
                    prop_assert!(transition(&facts, action, &actor).is_err());
                }
            }
        }

        /// Work on a request (assign, ask, fulfil) only ever follows its approval.
        #[test]
        fn work_never_starts_before_approval(roles in any_roles(), actor_id in 1i64..4) {
            let actor = ActorFacts::person(actor_id, roles);
            let facts = RequestFacts { state: RequestState::AwaitingApproval, requester_id: 1, raised_by: 1, assignee_id: Some(actor_id), has_note: true };
            for action in [RequestAction::Take, RequestAction::Pend, RequestAction::Fulfil, RequestAction::Close] {
                prop_assert!(transition(&facts, action, &actor).is_err());
            }
        }
    }
}
