//! The SMS profile (clauses 4.1–4.4, 5.1–5.3 and 6.3): the organisation's context (internal
//! and external issues), its interested parties and their requirements, the scope of the SMS
//! with its exclusions, the service management policy, and the SMS roles with named holders
//! (top management, the SMS owner, an owner per process).
//!
//! It is kept in versions like a controlled document (`sms_document`): a quality manager
//! writes a draft section by section and sends it to review; another quality manager — or
//! the top management named in the profile in force — approves it. Nobody who wrote part of
//! the draft approves it. The approved version is the clauses' evidence and is reviewed yearly.

use crate::error::FieldErrors;
use crate::model::access::Role;
use crate::model::actor::{ActorFacts, Refusal};
use crate::model::clauses::CLAUSES;
use crate::model::evidence::{EvidenceSource, RecordRef, ThinEvidence};
use crate::model::labelled::labelled_enum;
use crate::model::refs::PersonRef;
use crate::model::sms_document::{next_review_on, DocAction, DocState, ReviewStatus};
use crate::model::text::{bounded, line};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where the profile lives.
pub const HREF: &str = "/compliance/profile";
/// An approved profile is reviewed (approved again, changed or not) within a year.
pub const REVIEW_MONTHS: i32 = 12;

pub const MAX_PARTIES: usize = 100;
pub const MAX_ISSUES: usize = 200;
pub const MAX_EXCLUSIONS: usize = 50;
pub const MAX_PLACES: usize = 50;
pub const MAX_SCOPE_SERVICES: usize = 500;

labelled_enum! {
    /// Clause 4.1 asks for both: what inside the organisation and what outside it bears on
    /// the SMS achieving its outcomes.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
    pub enum IssueKind {
        Internal => ("internal", "Internal"),
        External => ("external", "External"),
    }
}

/// An interested party (4.2) and what it requires of the services and the SMS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub requirements: String,
}

/// An internal or external issue (4.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContextIssue {
    pub kind: IssueKind,
    pub text: String,
}

/// Something left out of the scope (4.3), with the reason an auditor will ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub what: String,
    pub reason: String,
}

/// The person answering for one process of clause 8.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessOwner {
    /// The process's clause number, e.g. "8.5.1".
    pub clause: String,
    pub holder_id: i64,
}

/// Everything one version of the profile says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileContent {
    pub scope: String,
    pub service_ids: Vec<i64>,
    pub locations: Vec<String>,
    pub units: Vec<String>,
    pub exclusions: Vec<Exclusion>,
    pub parties: Vec<Party>,
    pub issues: Vec<ContextIssue>,
    pub policy: String,
    pub top_management_id: Option<i64>,
    pub sms_owner_id: Option<i64>,
    pub process_owners: Vec<ProcessOwner>,
}

impl ProfileContent {
    /// Every person the profile names, once.
    pub fn holder_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .top_management_id
            .into_iter()
            .chain(self.sms_owner_id)
            .chain(self.process_owners.iter().map(|p| p.holder_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Each role's holder, keyed by the role's form value (`top_management`, `sms_owner`, a
    /// process's clause).
    pub fn holders_by_role(&self) -> BTreeMap<String, i64> {
        let mut out: BTreeMap<String, i64> = self
            .process_owners
            .iter()
            .map(|p| (p.clause.clone(), p.holder_id))
            .collect();
        if let Some(id) = self.top_management_id {
            out.insert(SmsRole::TopManagement.value(), id);
        }
        if let Some(id) = self.sms_owner_id {
            out.insert(SmsRole::SmsOwner.value(), id);
        }
        out
    }

    pub fn owner_of(&self, clause: &str) -> Option<i64> {
        self.process_owners
            .iter()
            .find(|p| p.clause == clause)
            .map(|p| p.holder_id)
    }

    /// The processes nobody owns yet, in clause order.
    pub fn unowned_processes(&self) -> Vec<(&'static str, &'static str)> {
        processes()
            .filter(|(clause, _)| self.owner_of(clause).is_none())
            .collect()
    }

    /// What must be there before the draft goes to review, in words.
    pub fn missing_for_review(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.scope.trim().is_empty() {
            missing.push("the scope statement");
        }
        if self.policy.trim().is_empty() {
            missing.push("the service management policy");
        }
        if self.top_management_id.is_none() {
            missing.push("top management");
        }
        missing
    }
}

/// The processes of clause 8 that have an owner: every sub-clause of 8.2 to 8.7.
pub fn processes() -> impl Iterator<Item = (&'static str, &'static str)> {
    CLAUSES
        .iter()
        .copied()
        .filter(|(number, _)| number.starts_with("8.") && number.matches('.').count() == 2)
}

pub fn process_title(clause: &str) -> Option<&'static str> {
    processes().find(|(n, _)| *n == clause).map(|(_, t)| t)
}

// ---- the section forms ---------------------------------------------------------------------

/// Scope (4.3): the statement, the services in scope, locations and organisational units
/// (one per line).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeForm {
    pub scope: String,
    #[serde(default)]
    pub service_ids: Vec<i64>,
    #[serde(default)]
    pub locations: String,
    #[serde(default)]
    pub units: String,
}

/// The scope section, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub scope: String,
    pub service_ids: Vec<i64>,
    pub locations: Vec<String>,
    pub units: Vec<String>,
}

impl ScopeForm {
    pub fn validate(&self) -> Result<Scope, FieldErrors> {
        let mut errors = FieldErrors::new();
        let scope = bounded(
            &mut errors,
            "scope",
            "The scope statement",
            &self.scope,
            0,
            4000,
        );
        let mut service_ids = self.service_ids.clone();
        service_ids.sort_unstable();
        service_ids.dedup();
        if service_ids.iter().any(|id| *id <= 0) {
            errors.add("service_ids", "Choose services from the list.");
        }
        if service_ids.len() > MAX_SCOPE_SERVICES {
            errors.add(
                "service_ids",
                format!("At most {MAX_SCOPE_SERVICES} services can be named."),
            );
        }
        let locations = places(&mut errors, "locations", "A location", &self.locations);
        let units = places(&mut errors, "units", "An organisational unit", &self.units);
        errors.into_result(Scope {
            scope,
            service_ids,
            locations,
            units,
        })
    }
}

/// One entry per non-empty line, each a short line of its own, duplicates (in any case) once.
fn places(errors: &mut FieldErrors, field: &str, label: &str, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for raw in text.lines().filter(|l| !l.trim().is_empty()) {
        let entry = bounded(errors, field, label, raw, 2, 160);
        if !out.iter().any(|e| e.to_lowercase() == entry.to_lowercase()) {
            out.push(entry);
        }
    }
    if out.len() > MAX_PLACES {
        errors.add(
            field,
            format!("At most {MAX_PLACES} lines, one entry each."),
        );
    }
    out
}

/// An interested party to add (4.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyForm {
    pub name: String,
    pub requirements: String,
}

impl PartyForm {
    pub fn validate(&self, existing: &[Party]) -> Result<Party, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = line(&mut errors, "name", "The party", &self.name, 2, 160);
        let requirements = bounded(
            &mut errors,
            "requirements",
            "Their requirements",
            &self.requirements,
            2,
            2000,
        );
        if existing
            .iter()
            .any(|p| p.name.to_lowercase() == name.to_lowercase())
        {
            errors.add(
                "name",
                format!("{name} is already listed; remove it first to change it."),
            );
        }
        if existing.len() >= MAX_PARTIES {
            errors.add("name", format!("At most {MAX_PARTIES} interested parties."));
        }
        errors.into_result(Party { name, requirements })
    }
}

/// An issue to add (4.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueForm {
    pub kind: String,
    pub text: String,
}

impl IssueForm {
    pub fn validate(&self, existing: &[ContextIssue]) -> Result<ContextIssue, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = IssueKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "Choose internal or external.");
        }
        let text = bounded(&mut errors, "text", "The issue", &self.text, 3, 1000);
        if existing
            .iter()
            .any(|i| i.text.to_lowercase() == text.to_lowercase())
        {
            errors.add("text", "This issue is already listed.");
        }
        if existing.len() >= MAX_ISSUES {
            errors.add("text", format!("At most {MAX_ISSUES} issues."));
        }
        match kind {
            Some(kind) => errors.into_result(ContextIssue { kind, text }),
            None => Err(errors),
        }
    }
}

/// An exclusion from the scope to add (4.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionForm {
    pub what: String,
    pub reason: String,
}

impl ExclusionForm {
    pub fn validate(&self, existing: &[Exclusion]) -> Result<Exclusion, FieldErrors> {
        let mut errors = FieldErrors::new();
        let what = line(&mut errors, "what", "What is excluded", &self.what, 2, 160);
        let reason = bounded(&mut errors, "reason", "The reason", &self.reason, 3, 1000);
        if existing
            .iter()
            .any(|e| e.what.to_lowercase() == what.to_lowercase())
        {
            errors.add("what", format!("{what} is already excluded."));
        }
        if existing.len() >= MAX_EXCLUSIONS {
            errors.add("what", format!("At most {MAX_EXCLUSIONS} exclusions."));
        }
        errors.into_result(Exclusion { what, reason })
    }
}

/// The service management policy (5.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyForm {
    pub policy: String,
}

impl PolicyForm {
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::new();
        let policy = bounded(&mut errors, "policy", "The policy", &self.policy, 0, 20_000);
        errors.into_result(policy)
    }
}

/// Which role a holder is named for (5.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SmsRole {
    TopManagement,
    SmsOwner,
    /// The owner of the process of this clause.
    ProcessOwner(String),
}

impl SmsRole {
    /// From the form's value: `top_management`, `sms_owner` or a process's clause number.
    pub fn parse(value: &str) -> Option<SmsRole> {
        match value.trim() {
            "top_management" => Some(SmsRole::TopManagement),
            "sms_owner" => Some(SmsRole::SmsOwner),
            clause => process_title(clause).map(|_| SmsRole::ProcessOwner(clause.to_string())),
        }
    }

    pub fn value(&self) -> String {
        match self {
            SmsRole::TopManagement => "top_management".into(),
            SmsRole::SmsOwner => "sms_owner".into(),
            SmsRole::ProcessOwner(clause) => clause.clone(),
        }
    }

    pub fn label(&self) -> String {
        match self {
            SmsRole::TopManagement => "Top management".into(),
            SmsRole::SmsOwner => "SMS owner".into(),
            SmsRole::ProcessOwner(clause) => format!(
                "Owner of {clause} {}",
                process_title(clause).unwrap_or_default()
            ),
        }
    }

    /// Every role, in the order the form offers them.
    pub fn all() -> Vec<SmsRole> {
        let mut all = vec![SmsRole::TopManagement, SmsRole::SmsOwner];
        all.extend(processes().map(|(clause, _)| SmsRole::ProcessOwner(clause.into())));
        all
    }
}

/// Names (or, with no holder, clears) the holder of one role.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleForm {
    pub role: String,
    #[serde(default)]
    pub holder_id: Option<i64>,
}

impl RoleForm {
    pub fn validate(&self) -> Result<(SmsRole, Option<i64>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let role = SmsRole::parse(&self.role);
        if role.is_none() {
            errors.add("role", "Choose a role from the list.");
        }
        if matches!(self.holder_id, Some(id) if id <= 0) {
            errors.add("holder_id", "Choose a person from the list.");
        }
        match role {
            Some(role) => errors.into_result((role, self.holder_id)),
            None => Err(errors),
        }
    }
}

/// One edit of the draft: a section form or the removal of a listed entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProfileEdit {
    Scope(ScopeForm),
    AddParty(PartyForm),
    AddIssue(IssueForm),
    AddExclusion(ExclusionForm),
    Policy(PolicyForm),
    Role(RoleForm),
    /// Removes the entry of that list at that position (as the page showed it).
    Remove {
        list: ProfileList,
        index: usize,
    },
}

labelled_enum! {
    /// The lists an entry is removed from.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ProfileList {
        Parties => ("parties", "Interested party"),
        Issues => ("issues", "Issue"),
        Exclusions => ("exclusions", "Exclusion"),
    }
}

/// What an edit changed, in words for the history ("Added interested party Customers").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edited {
    pub content: ProfileContent,
    pub summary: String,
}

/// Applies a checked edit to a draft's content. Role holders are checked by the caller (they
/// must be people who can sign in); everything else is checked here.
pub fn apply(content: &ProfileContent, edit: &ProfileEdit) -> Result<Edited, FieldErrors> {
    let mut next = content.clone();
    let summary = match edit {
        ProfileEdit::Scope(form) => {
            let scope = form.validate()?;
            next.scope = scope.scope;
            next.service_ids = scope.service_ids;
            next.locations = scope.locations;
            next.units = scope.units;
            "Edited the scope".to_string()
        }
        ProfileEdit::AddParty(form) => {
            let party = form.validate(&content.parties)?;
            let summary = format!("Added interested party {}", party.name);
            next.parties.push(party);
            summary
        }
        ProfileEdit::AddIssue(form) => {
            let issue = form.validate(&content.issues)?;
            let summary = format!(
                "Added {} issue “{}”",
                issue.kind.label().to_lowercase(),
                crate::model::text::shorten(&issue.text, 60)
            );
            next.issues.push(issue);
            summary
        }
        ProfileEdit::AddExclusion(form) => {
            let exclusion = form.validate(&content.exclusions)?;
            let summary = format!("Excluded {} from the scope", exclusion.what);
            next.exclusions.push(exclusion);
            summary
        }
        ProfileEdit::Policy(form) => {
            next.policy = form.validate()?;
            "Edited the service management policy".to_string()
        }
        ProfileEdit::Role(form) => {
            let (role, holder) = form.validate()?;
            match &role {
                SmsRole::TopManagement => next.top_management_id = holder,
                SmsRole::SmsOwner => next.sms_owner_id = holder,
                SmsRole::ProcessOwner(clause) => {
                    next.process_owners.retain(|p| &p.clause != clause);
                    if let Some(holder_id) = holder {
                        next.process_owners.push(ProcessOwner {
                            clause: clause.clone(),
                            holder_id,
                        });
                        next.process_owners.sort_by_key(|a| clause_order(&a.clause));
                    }
                }
            }
            match holder {
                Some(_) => format!("Named the holder of {}", role.label()),
                None => format!("Left {} without a holder", role.label()),
            }
        }
        ProfileEdit::Remove { list, index } => {
            let gone = |len: usize| {
                let mut errors = FieldErrors::new();
                errors.add(
                    "index",
                    format!(
                        "That {} is no longer listed; reload the profile.",
                        list.label().to_lowercase()
                    ),
                );
                (*index >= len).then_some(errors)
            };
            match list {
                ProfileList::Parties => {
                    if let Some(errors) = gone(next.parties.len()) {
                        return Err(errors);
                    }
                    let removed = next.parties.remove(*index);
                    format!("Removed interested party {}", removed.name)
                }
                ProfileList::Issues => {
                    if let Some(errors) = gone(next.issues.len()) {
                        return Err(errors);
                    }
                    let removed = next.issues.remove(*index);
                    format!(
                        "Removed issue “{}”",
                        crate::model::text::shorten(&removed.text, 60)
                    )
                }
                ProfileList::Exclusions => {
                    if let Some(errors) = gone(next.exclusions.len()) {
                        return Err(errors);
                    }
                    let removed = next.exclusions.remove(*index);
                    format!("Removed the exclusion of {}", removed.what)
                }
            }
        }
    };
    Ok(Edited {
        content: next,
        summary,
    })
}

fn clause_order(clause: &str) -> usize {
    CLAUSES
        .iter()
        .position(|(n, _)| *n == clause)
        .unwrap_or(usize::MAX)
}

// ---- who may do what -----------------------------------------------------------------------

/// The SMS profile is the quality manager's to write.
pub fn may_write(actor: &ActorFacts) -> bool {
    actor.roles.contains(&Role::QualityManager)
}

/// Whether `actor` could approve a version (leaving aside whether they wrote it): a quality
/// manager, or top management — as named in the profile in force, or, before any version was
/// ever approved, as named in the version itself (somebody has to approve the first one).
pub fn may_approve(actor: &ActorFacts, facts: &VersionFacts) -> bool {
    let top_management = facts.top_management_in_force.or(facts.top_management_named);
    actor.roles.contains(&Role::QualityManager) || top_management == Some(actor.user_id)
}

/// Facts about the version being moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionFacts {
    pub state: DocState,
    pub author_id: i64,
    pub contributor_ids: Vec<i64>,
    /// Top management as named by the approved version in force (none before the first).
    pub top_management_in_force: Option<i64>,
    /// Top management as named by this version.
    pub top_management_named: Option<i64>,
    /// What the draft lacks for review (`ProfileContent::missing_for_review`).
    pub missing: Vec<&'static str>,
}

impl VersionFacts {
    pub fn wrote(&self, user_id: i64) -> bool {
        self.author_id == user_id || self.contributor_ids.contains(&user_id)
    }
}

/// The lifecycle of a profile version: a quality manager sends a complete draft to review
/// and takes it back; a quality manager or top management in force who wrote none of it
/// approves it.
pub fn transition(
    facts: &VersionFacts,
    action: DocAction,
    actor: &ActorFacts,
) -> Result<DocState, Refusal> {
    let refuse = |why: String| Err(Refusal(why));
    match (facts.state, action) {
        (DocState::Draft, DocAction::SendToReview) => {
            if !may_write(actor) {
                refuse("Only a quality manager sends the SMS profile to review.".into())
            } else if !facts.missing.is_empty() {
                refuse(format!(
                    "The draft is not ready for review: add {}.",
                    facts.missing.join(", ")
                ))
            } else {
                Ok(DocState::InReview)
            }
        }
        (DocState::InReview, DocAction::ReturnToDraft) => {
            if may_write(actor) || may_approve(actor, facts) {
                Ok(DocState::Draft)
            } else {
                refuse("Only a quality manager or top management returns it to draft.".into())
            }
        }
        (DocState::InReview, DocAction::Approve) => {
            if !may_approve(actor, facts) {
                refuse(
                    "Only a quality manager or the top management named in the profile in force approves the SMS profile."
                        .into(),
                )
            } else if facts.wrote(actor.user_id) {
                refuse(
                    "You wrote part of this version; someone who did not write it approves it."
                        .into(),
                )
            } else {
                Ok(DocState::Approved)
            }
        }
        (state, action) => refuse(format!(
            "A version that is {} cannot be moved with “{}”.",
            state.label().to_lowercase(),
            action.label()
        )),
    }
}

/// The actions `actor` may take on a version now (the page offers only these).
pub fn available_actions(facts: &VersionFacts, actor: &ActorFacts) -> Vec<DocAction> {
    DocAction::ALL
        .into_iter()
        .filter(|action| transition(facts, *action, actor).is_ok())
        .collect()
}

/// When an approved profile is next reviewed.
pub fn review_due(approved_on: NaiveDate) -> NaiveDate {
    next_review_on(approved_on, REVIEW_MONTHS)
}

// ---- what the page reads -------------------------------------------------------------------

/// One version of the profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileVersion {
    pub id: i64,
    pub number: i32,
    pub state: DocState,
    pub content: ProfileContent,
    pub author: PersonRef,
    pub contributors: Vec<PersonRef>,
    pub approved_by: Option<PersonRef>,
    pub approved_at: Option<DateTime<Utc>>,
    pub next_review_on: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

/// A line of the version history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionLine {
    pub number: i32,
    pub state: DocState,
    pub author: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
}

/// The profile as the page shows it: the version in force, the one being worked on, the
/// names they refer to and what the reader may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileView {
    pub in_force: Option<ProfileVersion>,
    pub open: Option<ProfileVersion>,
    pub history: Vec<VersionLine>,
    /// Names of the people and services the versions shown refer to.
    pub people: BTreeMap<i64, String>,
    pub services: BTreeMap<i64, String>,
    pub review: ReviewStatus,
    pub may_start: bool,
    pub may_write: bool,
    pub actions: Vec<DocAction>,
    /// What the draft's forms offer, for a writer while a draft is open.
    pub choices: Option<ProfileChoices>,
}

/// What the draft's forms offer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileChoices {
    pub people: Vec<PersonRef>,
    pub services: Vec<crate::model::refs::ServiceRef>,
}

// ---- evidence (4.1–4.4, 5.1–5.3, 6.3) ------------------------------------------------------

/// The facts the clauses' evidence is judged on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileFacts {
    /// The version in force: its number, approval day and content.
    pub in_force: Option<(i32, NaiveDate, ProfileContent)>,
    /// When the version in force is next reviewed, as its approval stamped it.
    pub next_review_on: Option<NaiveDate>,
    /// The people the profile names whose accounts are disabled (id, name).
    pub disabled_holders: Vec<(i64, String)>,
    /// Services in the catalogue neither in scope nor named by an exclusion (id, name).
    pub unscoped_services: Vec<(i64, String)>,
}

/// Whether a profile clause's evidence is this record (the clause numbers it answers).
pub const CLAUSES_ANSWERED: [&str; 8] = ["4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.3"];

pub const NOT_APPROVED_RULE: &str = "No approved SMS profile";
pub const REVIEW_OVERDUE_RULE: &str = "The SMS profile is past its yearly review";

/// The sources and thin-evidence rules of one profile clause.
pub fn evidence(
    clause: &str,
    facts: &ProfileFacts,
    today: NaiveDate,
) -> (Vec<EvidenceSource>, Vec<ThinEvidence>) {
    let profile = || RecordRef {
        label: "SMS profile".into(),
        href: HREF.into(),
    };
    let source = |label: &str, count: usize| EvidenceSource {
        label: label.into(),
        count: count as u64,
        href: HREF.into(),
    };
    let Some((number, approved_on, content)) = &facts.in_force else {
        return (
            Vec::new(),
            ThinEvidence::of(NOT_APPROVED_RULE, vec![profile()])
                .into_iter()
                .collect(),
        );
    };
    let mut sources = vec![EvidenceSource {
        label: format!("Approved SMS profile, version {number} ({approved_on})"),
        count: 1,
        href: HREF.into(),
    }];
    let mut thin: Vec<ThinEvidence> = Vec::new();
    let mut rule = |words: &str, offenders: Vec<RecordRef>| {
        thin.extend(ThinEvidence::of(words, offenders));
    };
    let missing = |present: bool| if present { vec![] } else { vec![profile()] };
    let kinds = |kind: IssueKind| content.issues.iter().filter(|i| i.kind == kind).count();
    let person = |id: i64, name: &str| RecordRef {
        label: name.to_string(),
        href: format!("/competences/people/{id}"),
    };
    match clause {
        "4.1" => {
            let (internal, external) = (kinds(IssueKind::Internal), kinds(IssueKind::External));
            sources.push(source("Internal issues", internal));
            sources.push(source("External issues", external));
            rule("No internal issues recorded", missing(internal > 0));
            rule("No external issues recorded", missing(external > 0));
        }
        "4.2" => {
            sources.push(source("Interested parties", content.parties.len()));
            rule(
                "No interested parties recorded",
                missing(!content.parties.is_empty()),
            );
        }
        "4.3" => {
            sources.push(source("Services in scope", content.service_ids.len()));
            sources.push(source(
                "Exclusions with their reason",
                content.exclusions.len(),
            ));
            rule(
                "No scope statement",
                missing(!content.scope.trim().is_empty()),
            );
            rule(
                "Services neither in scope nor excluded",
                facts
                    .unscoped_services
                    .iter()
                    .map(|(id, name)| RecordRef {
                        label: name.clone(),
                        href: format!("/services/{id}"),
                    })
                    .collect(),
            );
        }
        "4.4" | "6.3" => {
            let owned = processes().count() - content.unowned_processes().len();
            sources.push(source("Processes with a named owner", owned));
            rule(
                "Processes without an owner",
                content
                    .unowned_processes()
                    .into_iter()
                    .map(|(clause, title)| RecordRef {
                        label: format!("{clause} {title}"),
                        href: format!("/compliance/clauses/{clause}"),
                    })
                    .collect(),
            );
        }
        "5.1" => {
            rule(
                "Top management not named",
                missing(content.top_management_id.is_some()),
            );
        }
        "5.2" => {
            rule(
                "No service management policy",
                missing(!content.policy.trim().is_empty()),
            );
        }
        "5.3" => {
            let owned = processes().count() - content.unowned_processes().len();
            sources.push(source("Processes with a named owner", owned));
            rule(
                "No SMS owner named",
                missing(content.sms_owner_id.is_some()),
            );
            rule(
                "Roles held by people whose account is disabled",
                facts
                    .disabled_holders
                    .iter()
                    .map(|(id, name)| person(*id, name))
                    .collect(),
            );
        }
        _ => {}
    }
    let due = facts
        .next_review_on
        .unwrap_or_else(|| review_due(*approved_on));
    if ReviewStatus::of(Some(due), today).is_overdue() {
        rule(REVIEW_OVERDUE_RULE, vec![profile()]);
    }
    (sources, thin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn quality(id: i64) -> ActorFacts {
        ActorFacts::person(id, vec![Role::QualityManager])
    }

    fn facts(state: DocState) -> VersionFacts {
        VersionFacts {
            state,
            author_id: 1,
            contributor_ids: vec![2],
            top_management_in_force: Some(9),
            top_management_named: Some(7),
            missing: Vec::new(),
        }
    }

    #[test]
    fn the_processes_are_the_sub_clauses_of_eight_two_to_eight_seven() {
        let all: Vec<&str> = processes().map(|(n, _)| n).collect();
        assert_eq!(all.first(), Some(&"8.2.1"));
        assert_eq!(all.last(), Some(&"8.7.3"));
        assert!(all.contains(&"8.5.1"));
        assert!(!all.contains(&"8.1"));
        assert_eq!(SmsRole::all().len(), all.len() + 2);
    }

    #[test]
    fn a_draft_goes_to_review_only_when_it_has_scope_policy_and_top_management() {
        let mut draft = facts(DocState::Draft);
        draft.missing = ProfileContent::default().missing_for_review();
        let refused = transition(&draft, DocAction::SendToReview, &quality(1)).unwrap_err();
        assert_eq!(
            refused.0,
            "The draft is not ready for review: add the scope statement, the service management policy, top management."
        );
        draft.missing.clear();
        assert_eq!(
            transition(&draft, DocAction::SendToReview, &quality(1)),
            Ok(DocState::InReview)
        );
        let owner = ActorFacts::person(9, vec![Role::ServiceOwner]);
        assert!(transition(&draft, DocAction::SendToReview, &owner).is_err());
    }

    #[test]
    fn approval_is_by_a_quality_manager_or_top_management_who_wrote_none_of_it() {
        let review = facts(DocState::InReview);
        for writer in [1, 2] {
            let refused = transition(&review, DocAction::Approve, &quality(writer)).unwrap_err();
            assert!(refused.0.starts_with("You wrote part"), "{}", refused.0);
        }
        assert_eq!(
            transition(&review, DocAction::Approve, &quality(3)),
            Ok(DocState::Approved)
        );
        let top = ActorFacts::person(9, vec![Role::Admin]);
        assert_eq!(
            transition(&review, DocAction::Approve, &top),
            Ok(DocState::Approved)
        );
        let someone = ActorFacts::person(8, vec![Role::Admin, Role::ChangeManager]);
        assert!(transition(&review, DocAction::Approve, &someone).is_err());
        // Once a version is in force, the top management a draft names approves nothing:
        // a writer cannot name someone new and have them approve it in.
        let named = ActorFacts::person(7, vec![Role::Auditor]);
        assert!(transition(&review, DocAction::Approve, &named).is_err());
        // The first version is approved by the top management it names.
        let mut first = facts(DocState::InReview);
        first.top_management_in_force = None;
        assert_eq!(
            transition(&first, DocAction::Approve, &named),
            Ok(DocState::Approved)
        );
        assert!(transition(&first, DocAction::Approve, &top).is_err());
        first.author_id = 7;
        assert!(transition(&first, DocAction::Approve, &named).is_err());
    }

    #[test]
    fn edits_apply_to_their_section_and_say_what_they_did() {
        let content = ProfileContent::default();
        let added = apply(
            &content,
            &ProfileEdit::AddParty(PartyForm {
                name: " Customers ".into(),
                requirements: "Services as agreed".into(),
            }),
        )
        .unwrap();
        assert_eq!(added.content.parties[0].name, "Customers");
        assert_eq!(added.summary, "Added interested party Customers");
        let again = apply(
            &added.content,
            &ProfileEdit::AddParty(PartyForm {
                name: "customers".into(),
                requirements: "Again".into(),
            }),
        )
        .unwrap_err();
        assert!(again.get("name").unwrap().contains("already listed"));
        let removed = apply(
            &added.content,
            &ProfileEdit::Remove {
                list: ProfileList::Parties,
                index: 0,
            },
        )
        .unwrap();
        assert!(removed.content.parties.is_empty());
        let stale = apply(
            &removed.content,
            &ProfileEdit::Remove {
                list: ProfileList::Parties,
                index: 0,
            },
        )
        .unwrap_err();
        assert!(stale.get("index").is_some());
        let owner = apply(
            &content,
            &ProfileEdit::Role(RoleForm {
                role: "8.5.1".into(),
                holder_id: Some(4),
            }),
        )
        .unwrap();
        assert_eq!(owner.content.owner_of("8.5.1"), Some(4));
        assert_eq!(
            owner.summary,
            "Named the holder of Owner of 8.5.1 Change management"
        );
        let bad_role = RoleForm {
            role: "8.1".into(),
            holder_id: Some(4),
        };
        assert!(apply(&content, &ProfileEdit::Role(bad_role)).is_err());
    }

    #[test]
    fn scope_lines_are_trimmed_and_kept_once() {
        let scope = ScopeForm {
            scope: "All IT services to staff".into(),
            service_ids: vec![3, 1, 3],
            locations: "Leeds\n\n  leeds \nYork".into(),
            units: String::new(),
        }
        .validate()
        .unwrap();
        assert_eq!(scope.locations, vec!["Leeds", "York"]);
        assert_eq!(scope.service_ids, vec![1, 3]);
        let bad = ScopeForm {
            scope: "x".repeat(4001),
            service_ids: vec![0],
            locations: "L".into(),
            units: String::new(),
        }
        .validate()
        .unwrap_err();
        assert!(bad.get("scope").is_some());
        assert!(bad.get("service_ids").is_some());
        assert!(bad.get("locations").is_some());
    }

    #[test]
    fn without_an_approved_profile_every_clause_says_so() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        for clause in CLAUSES_ANSWERED {
            let (sources, thin) = evidence(clause, &ProfileFacts::default(), today);
            assert!(sources.is_empty());
            assert_eq!(thin[0].rule, NOT_APPROVED_RULE);
        }
    }

    #[test]
    fn an_approved_profile_is_judged_clause_by_clause() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let content = ProfileContent {
            scope: "Payroll and e-mail".into(),
            policy: "We deliver".into(),
            top_management_id: Some(1),
            issues: vec![ContextIssue {
                kind: IssueKind::Internal,
                text: "Ageing hardware".into(),
            }],
            ..Default::default()
        };
        let facts = ProfileFacts {
            in_force: Some((2, today - chrono::Days::new(30), content)),
            disabled_holders: vec![(1, "Gone Person".into())],
            unscoped_services: vec![(5, "Printing".into())],
            next_review_on: None,
        };
        let rules = |clause: &str| -> Vec<String> {
            evidence(clause, &facts, today)
                .1
                .into_iter()
                .map(|t| t.rule)
                .collect()
        };
        assert_eq!(rules("4.1"), vec!["No external issues recorded"]);
        assert_eq!(rules("4.2"), vec!["No interested parties recorded"]);
        assert_eq!(rules("4.3"), vec!["Services neither in scope nor excluded"]);
        assert!(rules("5.1").is_empty());
        assert!(rules("5.2").is_empty());
        assert_eq!(
            rules("5.3"),
            vec![
                "No SMS owner named",
                "Roles held by people whose account is disabled"
            ]
        );
        assert_eq!(rules("6.3"), vec!["Processes without an owner"]);
        let late = ProfileFacts {
            in_force: facts
                .in_force
                .clone()
                .map(|(n, _, c)| (n, today - chrono::Days::new(400), c)),
            ..facts.clone()
        };
        let (_, thin) = evidence("5.1", &late, today);
        assert_eq!(thin[0].rule, REVIEW_OVERDUE_RULE);
    }

    proptest! {
        /// Whoever acts and whatever the version's state, an approval never comes from
        /// someone who wrote the version, nor from someone neither a quality manager nor top
        /// management in force.
        #[test]
        fn nobody_approves_alone(
            actor_id in 1i64..6,
            author_id in 1i64..6,
            contributors in proptest::collection::vec(1i64..6, 0..3),
            top in proptest::option::of(1i64..6),
            named in proptest::option::of(1i64..6),
            quality_manager: bool,
            state_index in 0usize..4,
        ) {
            let roles = if quality_manager { vec![Role::QualityManager] } else { vec![Role::Admin] };
            let actor = ActorFacts::person(actor_id, roles);
            let facts = VersionFacts {
                state: DocState::ALL[state_index],
                author_id,
                contributor_ids: contributors.clone(),
                top_management_in_force: top,
                top_management_named: named,
                missing: Vec::new(),
            };
            if transition(&facts, DocAction::Approve, &actor).is_ok() {
                prop_assert_eq!(facts.state, DocState::InReview);
                prop_assert!(actor_id != author_id && !contributors.contains(&actor_id));
                prop_assert!(
                    quality_manager
                        || top == Some(actor_id)
                        || (top.is_none() && named == Some(actor_id))
                );
            }
        }
    }
}
