//! Problems and known errors (ISO/IEC 20000-1 clause 8.6.3), the rules without the storage:
//! the lifecycle as one pure state machine, the forms, and how a known error is matched to
//! the words of an incident being reported.
//!
//! The invariants an auditor samples: a problem is owned before it is analysed, it becomes a
//! known error only with its root cause and a workaround recorded, and it is resolved only
//! with its root cause and what removed it.

use crate::error::FieldErrors;
use crate::model::access::Role;
use crate::model::actor::{refuse, ActorFacts, Refusal};
use crate::model::incident::works_incidents;
use crate::model::labelled::labelled_enum;
use crate::model::refs::{PersonRef, ServiceRef};
use crate::model::text;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How a problem is named to people: `PRB-12`.
pub fn reference(id: i64) -> String {
    format!("PRB-{id}")
}

/// The most incidents one form links at once.
pub const MAX_LINKED_AT_ONCE: usize = 50;

/// The most known errors offered while an incident is typed.
pub const MAX_SUGGESTIONS: usize = 5;

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum ProblemState {
        New => ("new", "New"),
        Analysing => ("analysing", "Analysing"),
        KnownError => ("known_error", "Known error"),
        Resolved => ("resolved", "Resolved"),
        Closed => ("closed", "Closed"),
    }
}

impl ProblemState {
    /// Still to be resolved: counts as open work.
    pub fn is_open(self) -> bool {
        !matches!(self, ProblemState::Resolved | ProblemState::Closed)
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ProblemAction {
        Analyse => ("analyse", "Start the analysis"),
        RecordKnownError => ("known_error", "Record as a known error"),
        Resolve => ("resolve", "Resolve"),
        Reopen => ("reopen", "Reopen"),
        Close => ("close", "Close"),
    }
}

labelled_enum! {
    /// How the root cause was looked for (the record says, so a reviewer can follow it).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum RcaMethod {
        FiveWhys => ("five_whys", "Five whys"),
        Ishikawa => ("ishikawa", "Cause and effect (Ishikawa)"),
        FaultTree => ("fault_tree", "Fault tree"),
        KepnerTregoe => ("kepner_tregoe", "Kepner-Tregoe"),
        Timeline => ("timeline", "Timeline of events"),
    }
}

/// Where an action takes a problem in `from`, if it applies there at all.
pub fn next_state(from: ProblemState, action: ProblemAction) -> Option<ProblemState> {
    use ProblemAction as A;
    use ProblemState as S;
    Some(match (from, action) {
        // Analysing again hands the problem to someone else.
        (S::New | S::Analysing, A::Analyse) => S::Analysing,
        (S::Analysing, A::RecordKnownError) => S::KnownError,
        (S::Analysing | S::KnownError, A::Resolve) => S::Resolved,
        (S::Resolved, A::Reopen) => S::Analysing,
        // A problem that turns out to be none (a duplicate, no fault) is closed with a reason.
        (S::New | S::Analysing | S::Resolved, A::Close) => S::Closed,
        _ => return None,
    })
}

/// What the rules need to know about a problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemFacts {
    pub state: ProblemState,
    /// Who owns it after the step (an Analyse names the owner here).
    pub owner_id: Option<i64>,
    pub has_root_cause: bool,
    pub has_workaround: bool,
    /// The step says what was done (resolving) or why it closes (closing unresolved).
    pub has_resolution: bool,
}

/// Those who work problems: the people who work incidents and see them recur.
pub fn works_problems(actor: &ActorFacts) -> bool {
    works_incidents(actor)
}

/// The lifecycle: `(facts, action, actor) -> new state`, or why not. The record asks it
/// which steps to offer; the server asks it again before writing.
pub fn transition(
    facts: &ProblemFacts,
    action: ProblemAction,
    actor: &ActorFacts,
) -> Result<ProblemState, Refusal> {
    use ProblemAction as A;
    let Some(next) = next_state(facts.state, action) else {
        return refuse(format!(
            "A problem that is {} cannot take “{}”.",
            facts.state.label().to_lowercase(),
            action.label()
        ));
    };
    if !works_problems(actor) {
        return refuse("Only resolvers and service level managers work problems.");
    }
    let owner = facts.owner_id == Some(actor.user_id);
    let manager = actor.has(Role::ServiceLevelManager);
    match action {
        A::Analyse => {
            if facts.owner_id.is_none() {
                return refuse("Choose who analyses the problem.");
            }
        }
        A::RecordKnownError => {
            if !(owner || manager) {
                return refuse("Only the owner or a service level manager records a known error.");
            }
            if !(facts.has_root_cause && facts.has_workaround) {
                return refuse(
                    "Record the root cause and a workaround first: they are what the known error offers.",
                );
            }
        }
        A::Resolve => {
            if !(owner || manager) {
                return refuse("Only the owner or a service level manager resolves a problem.");
            }
            if !facts.has_root_cause {
                return refuse("Record the root cause before resolving the problem.");
            }
            if !facts.has_resolution {
                return refuse("Say what removed the cause.");
            }
        }
        A::Reopen => {}
        A::Close => {
            if facts.state != ProblemState::Resolved {
                if facts.owner_id.is_some() && !(owner || manager) {
                    return refuse(
                        "Only the owner or a service level manager closes a problem unresolved.",
                    );
                }
                if !facts.has_resolution {
                    return refuse("Say why the problem closes without being resolved.");
                }
            }
        }
    }
    Ok(next)
}

/// The steps `actor` may take now, in the order a record shows them.
pub fn available_actions(facts: &ProblemFacts, actor: &ActorFacts) -> Vec<ProblemAction> {
    ProblemAction::ALL
        .into_iter()
        .filter(|action| {
            let mut facts = facts.clone();
            if *action == ProblemAction::Analyse && facts.owner_id.is_none() {
                // Offered before anyone is chosen: the form asks whom.
                facts.owner_id = Some(actor.user_id);
            }
            // The step's form asks for the words.
            facts.has_resolution = true;
            transition(&facts, *action, actor).is_ok()
        })
        .collect()
}

/// The analysis may be written while the problem is open, by those who work problems.
pub fn may_edit_analysis(state: ProblemState, actor: &ActorFacts) -> bool {
    state.is_open() && works_problems(actor)
}

/// Incidents named in a form: `INC-12`, `inc 12` or `12`, separated by commas, spaces or
/// lines. Each named once, at most `MAX_LINKED_AT_ONCE`.
pub fn parse_incident_refs(errors: &mut FieldErrors, field: &str, value: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut words = value
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .peekable();
    while let Some(word) = words.next() {
        let upper = word.to_ascii_uppercase();
        // "INC 12" arrives as two words.
        let number = if upper == "INC" || upper == "INC-" {
            match words.next() {
                Some(next) => next.to_string(),
                None => {
                    errors.add(field, "Name the incident after “INC”, e.g. INC-12.");
                    break;
                }
            }
        } else {
            upper
                .strip_prefix("INC-")
                .or_else(|| upper.strip_prefix("INC"))
                .unwrap_or(&upper)
                .to_string()
        };
        match number.parse::<i64>() {
            Ok(id) if id > 0 => {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            _ => {
                errors.add(
                    field,
                    format!("“{word}” is not an incident: write its reference, e.g. INC-12."),
                );
                break;
            }
        }
    }
    if ids.len() > MAX_LINKED_AT_ONCE {
        errors.add(
            field,
            format!("Link at most {MAX_LINKED_AT_ONCE} incidents at once."),
        );
    }
    ids
}

/// A new problem as the form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProblemForm {
    pub title: String,
    pub description: String,
    pub service_id: String,
    /// The incidents it was found from, as references (`INC-3, INC-7`).
    pub incidents: String,
}

/// A validated new problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemDraft {
    pub title: String,
    pub description: String,
    pub service_id: i64,
    pub incident_ids: Vec<i64>,
}

impl ProblemForm {
    pub fn validate(&self) -> Result<ProblemDraft, FieldErrors> {
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
        let service_id = match self.service_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => id,
            _ => {
                errors.add("service_id", "Choose the service the problem affects.");
                0
            }
        };
        let incident_ids = parse_incident_refs(&mut errors, "incidents", &self.incidents);
        errors.into_result(ProblemDraft {
            title,
            description,
            service_id,
            incident_ids,
        })
    }
}

/// The analysis as its form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalysisForm {
    pub rca_method: String,
    pub root_cause: String,
    pub workaround: String,
}

/// A validated analysis; an empty text is "not known yet".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    pub rca_method: Option<RcaMethod>,
    pub root_cause: Option<String>,
    pub workaround: Option<String>,
}

impl AnalysisForm {
    pub fn validate(&self) -> Result<Analysis, FieldErrors> {
        let mut errors = FieldErrors::new();
        let rca_method = match self.rca_method.trim() {
            "" => None,
            value => {
                let method = RcaMethod::parse(value);
                if method.is_none() {
                    errors.add("rca_method", "Choose the method from the list.");
                }
                method
            }
        };
        let root_cause = text::bounded(
            &mut errors,
            "root_cause",
            "The root cause",
            &self.root_cause,
            0,
            8000,
        );
        let workaround = text::bounded(
            &mut errors,
            "workaround",
            "The workaround",
            &self.workaround,
            0,
            8000,
        );
        let some = |text: String| (!text.is_empty()).then_some(text);
        errors.into_result(Analysis {
            rca_method,
            root_cause: some(root_cause),
            workaround: some(workaround),
        })
    }
}

/// A step as its form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProblemStepForm {
    pub action: String,
    pub owner_id: String,
    /// What removed the cause (resolving), or why it closes unresolved.
    pub resolution: String,
}

/// A validated step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemStep {
    pub action: ProblemAction,
    pub owner_id: Option<i64>,
    pub resolution: Option<String>,
}

impl ProblemStepForm {
    pub fn validate(&self) -> Result<ProblemStep, FieldErrors> {
        let mut errors = FieldErrors::new();
        let action = ProblemAction::parse(&self.action);
        if action.is_none() {
            errors.add("action", "Choose a step.");
        }
        let owner_id = match self.owner_id.trim() {
            "" => None,
            id => match id.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.add("owner_id", "Choose the owner from the list.");
                    None
                }
            },
        };
        if action == Some(ProblemAction::Analyse) && owner_id.is_none() {
            errors.add("owner_id", "Choose who analyses the problem.");
        }
        let words = text::bounded(
            &mut errors,
            "resolution",
            "The resolution",
            &self.resolution,
            0,
            4000,
        );
        let needs_words = matches!(action, Some(ProblemAction::Resolve));
        if needs_words && words.chars().count() < 10 && !errors.0.contains_key("resolution") {
            errors.add(
                "resolution",
                "Say what removed the cause (at least 10 characters).",
            );
        }
        match action {
            Some(action) if errors.is_empty() => Ok(ProblemStep {
                action,
                owner_id,
                resolution: (!words.is_empty()).then_some(words),
            }),
            _ => Err(errors),
        }
    }
}

/// A problem as its record page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub description: String,
    pub service: ServiceRef,
    pub state: ProblemState,
    pub owner: Option<PersonRef>,
    pub rca_method: Option<RcaMethod>,
    pub root_cause: Option<String>,
    pub workaround: Option<String>,
    pub resolution: Option<String>,
    /// The change that removes the cause: (id, `CHG-n`, title, state label).
    pub change: Option<(i64, String, String, String)>,
    pub created_by: PersonRef,
    pub created_at: DateTime<Utc>,
    pub known_error_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub incidents: Vec<LinkedIncident>,
    pub version: i32,
}

/// An incident a problem explains, as the problem lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedIncident {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub state: crate::model::incident::IncidentState,
    pub created_at: DateTime<Utc>,
}

/// A problem as `user` sees it: the record and what they may do to it now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemRecord {
    pub problem: Problem,
    pub actions: Vec<ProblemAction>,
    pub may_edit: bool,
    /// The configuration items it names and what a failure of them reaches (readers of the
    /// CMDB only; loaded with the record so the page needs no second request).
    pub configuration: Option<crate::model::cmdb::ChangeImpact>,
}

/// One line of the problem list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemRow {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub service: String,
    pub state: ProblemState,
    pub owner: Option<String>,
    pub incidents: u64,
    pub created_at: DateTime<Utc>,
}

/// The list's filters, as its query string carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProblemListParams {
    pub q: String,
    /// `open` (the default), `all`, or one state.
    pub state: String,
    pub page: String,
    pub after: String,
    pub before: String,
}

/// What the state filter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    Open,
    All,
    One(ProblemState),
}

impl ProblemListParams {
    pub fn state_filter(&self) -> StateFilter {
        match self.state.trim() {
            "all" => StateFilter::All,
            value => ProblemState::parse(value)
                .map(StateFilter::One)
                .unwrap_or(StateFilter::Open),
        }
    }

    pub fn page_number(&self) -> u64 {
        crate::model::listing::parse_page(Some(&self.page))
    }

    pub fn page_key(&self) -> Option<crate::model::listing::PageKey> {
        crate::model::listing::PageKey::parse(Some(&self.after), Some(&self.before))
    }

    /// The search, bounded: a longer query string reads only its first 100 characters.
    pub fn search(&self) -> String {
        self.q.trim().chars().take(100).collect()
    }

    /// The link to page `page` of this view (starting at `key` when known).
    pub fn href_at(&self, page: u64, key: Option<crate::model::listing::PageKey>) -> String {
        crate::model::listing::list_href(
            "/problems",
            &[("q", &self.q), ("state", &self.state)],
            page,
            key,
        )
    }
}

/// One page of the problem list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemPage {
    pub rows: Vec<ProblemRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

pub const PROBLEM_PAGE_SIZE: u64 = 25;

/// A known error offered while an incident is reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownErrorMatch {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub service: String,
    pub workaround: String,
    /// How many of the typed words it matched.
    pub score: usize,
}

/// Words too common to say anything about a fault.
const STOP_WORDS: [&str; 24] = [
    "the", "and", "for", "with", "that", "this", "from", "have", "has", "not", "are", "was",
    "were", "but", "can", "cannot", "when", "our", "all", "any", "into", "after", "again", "some",
];

/// The words of what is being typed worth matching: lower case, three letters or more, not a
/// common word, each once, at most eight (the longest, which say the most).
pub fn search_terms(typed: &str) -> Vec<String> {
    let mut terms: Vec<String> = Vec::new();
    for word in typed
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3 && !STOP_WORDS.contains(&w.as_str()))
    {
        if !terms.contains(&word) {
            terms.push(word);
        }
    }
    terms.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    terms.truncate(8);
    terms
}

/// How many of `terms` a known error's words contain (title, root cause, workaround).
pub fn match_score(terms: &[String], texts: &[&str]) -> usize {
    let haystack = texts
        .iter()
        .map(|t| t.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    terms
        .iter()
        .filter(|t| haystack.contains(t.as_str()))
        .count()
}

/// The candidates worth offering, best first: at least one term matched, and at least two
/// when the typed text gave three or more terms (one common word is not a match).
pub fn rank_matches(terms: &[String], mut found: Vec<KnownErrorMatch>) -> Vec<KnownErrorMatch> {
    let needed = if terms.len() >= 3 { 2 } else { 1 };
    found.retain(|m| m.score >= needed);
    found.sort_by(|a, b| b.score.cmp(&a.score).then(b.id.cmp(&a.id)));
    found.truncate(MAX_SUGGESTIONS);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn worker(id: i64) -> ActorFacts {
        ActorFacts::person(id, vec![Role::Resolver])
    }

    fn manager(id: i64) -> ActorFacts {
        ActorFacts::person(id, vec![Role::ServiceLevelManager])
    }

    fn facts(state: ProblemState) -> ProblemFacts {
        ProblemFacts {
            state,
            owner_id: Some(1),
            has_root_cause: true,
            has_workaround: true,
            has_resolution: true,
        }
    }

    #[test]
    fn the_lifecycle_runs_new_to_closed() {
        let owner = worker(1);
        let mut state = ProblemState::New;
        for action in [
            ProblemAction::Analyse,
            ProblemAction::RecordKnownError,
            ProblemAction::Resolve,
            ProblemAction::Close,
        ] {
            state = transition(&facts(state), action, &owner).unwrap();
        }
        assert_eq!(state, ProblemState::Closed);
    }

    #[test]
    fn a_known_error_needs_its_root_cause_and_workaround() {
        let owner = worker(1);
        for (cause, workaround) in [(false, true), (true, false), (false, false)] {
            let f = ProblemFacts {
                has_root_cause: cause,
                has_workaround: workaround,
                ..facts(ProblemState::Analysing)
            };
            assert!(transition(&f, ProblemAction::RecordKnownError, &owner).is_err());
        }
    }

    #[test]
    fn resolving_needs_the_cause_and_what_removed_it() {
        let owner = worker(1);
        let no_cause = ProblemFacts {
            has_root_cause: false,
            ..facts(ProblemState::Analysing)
        };
        assert!(transition(&no_cause, ProblemAction::Resolve, &owner).is_err());
        let no_words = ProblemFacts {
            has_resolution: false,
            ..facts(ProblemState::KnownError)
        };
        assert!(transition(&no_words, ProblemAction::Resolve, &owner).is_err());
    }

    #[test]
    fn only_the_owner_or_a_manager_records_and_resolves() {
        let other = worker(2);
        let f = facts(ProblemState::Analysing);
        assert!(transition(&f, ProblemAction::RecordKnownError, &other).is_err());
        assert!(transition(&f, ProblemAction::Resolve, &other).is_err());
        assert!(transition(&f, ProblemAction::Resolve, &manager(3)).is_ok());
    }

    #[test]
    fn people_who_do_not_work_problems_take_no_step() {
        let requester = ActorFacts::person(1, vec![Role::Requester, Role::QualityManager]);
        for state in ProblemState::ALL {
            assert!(available_actions(&facts(state), &requester).is_empty());
        }
    }

    #[test]
    fn closing_unresolved_needs_a_reason() {
        let f = ProblemFacts {
            has_resolution: false,
            ..facts(ProblemState::New)
        };
        assert!(transition(&f, ProblemAction::Close, &worker(1)).is_err());
        let resolved = ProblemFacts {
            has_resolution: false,
            ..facts(ProblemState::Resolved)
        };
        assert!(transition(&resolved, ProblemAction::Close, &worker(1)).is_ok());
    }

    #[test]
    fn known_errors_are_not_closed_without_being_resolved() {
        assert_eq!(
            next_state(ProblemState::KnownError, ProblemAction::Close),
            None
        );
    }

    proptest! {
        /// Whatever the facts and the actor, a step the lifecycle allows is one the record
        /// offers, and closed problems take none.
        #[test]
        fn offered_steps_are_allowed_steps(
            state in 0usize..5,
            owner in proptest::option::of(1i64..4),
            cause: bool,
            workaround: bool,
            actor_id in 1i64..4,
            is_manager: bool,
        ) {
            let f = ProblemFacts {
                state: ProblemState::ALL[state],
                owner_id: owner,
                has_root_cause: cause,
                has_workaround: workaround,
                has_resolution: true,
            };
            let actor = if is_manager { manager(actor_id) } else { worker(actor_id) };
            let offered = available_actions(&f, &actor);
            for action in ProblemAction::ALL {
                let mut asked = f.clone();
                if action == ProblemAction::Analyse && asked.owner_id.is_none() {
                    asked.owner_id = Some(actor_id);
                }
                prop_assert_eq!(offered.contains(&action), transition(&asked, action, &actor).is_ok());
            }
            if f.state == ProblemState::Closed {
                prop_assert!(offered.is_empty());
            }
            if offered.contains(&ProblemAction::RecordKnownError) {
                prop_assert!(cause && workaround);
            }
        }

        /// References written any of the accepted ways read back as the same incidents.
        #[test]
        fn incident_references_read_back(ids in proptest::collection::vec(1i64..100_000, 0..20), style in 0usize..3) {
            let written: Vec<String> = ids.iter().map(|id| match style {
                0 => format!("INC-{id}"),
                1 => format!("inc {id}"),
                _ => id.to_string(),
            }).collect();
            let mut errors = FieldErrors::new();
            let parsed = parse_incident_refs(&mut errors, "incidents", &written.join(", "));
            prop_assert!(errors.is_empty());
            let mut expected = Vec::new();
            for id in ids {
                if !expected.contains(&id) {
                    expected.push(id);
                }
            }
            prop_assert_eq!(parsed, expected);
        }
    }

    #[test]
    fn odd_incident_references_are_refused() {
        for bad in ["INC-x", "CHG-4", "0", "-3", "INC"] {
            let mut errors = FieldErrors::new();
            parse_incident_refs(&mut errors, "incidents", bad);
            assert!(errors.get("incidents").is_some(), "{bad}");
        }
        let mut errors = FieldErrors::new();
        let many = (1..=51)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        parse_incident_refs(&mut errors, "incidents", &many);
        assert!(errors.get("incidents").is_some());
    }

    #[test]
    fn the_forms_say_what_is_wrong() {
        let errors = ProblemForm::default().validate().unwrap_err();
        assert!(errors.get("title").is_some());
        assert!(errors.get("service_id").is_some());
        let step = ProblemStepForm {
            action: "analyse".into(),
            ..Default::default()
        };
        assert!(step.validate().unwrap_err().get("owner_id").is_some());
        let resolve = ProblemStepForm {
            action: "resolve".into(),
            resolution: "short".into(),
            ..Default::default()
        };
        assert!(resolve.validate().unwrap_err().get("resolution").is_some());
        let analysis = AnalysisForm {
            rca_method: "astrology".into(),
            ..Default::default()
        };
        assert!(analysis.validate().unwrap_err().get("rca_method").is_some());
        let empty = AnalysisForm::default().validate().unwrap();
        assert_eq!(empty.root_cause, None);
    }

    #[test]
    fn search_terms_keep_the_telling_words() {
        assert_eq!(
            search_terms("The mail queue is growing, mail not sent"),
            vec!["growing", "queue", "mail", "sent"]
        );
        assert!(search_terms("a an to of").is_empty());
    }

    #[test]
    fn matches_need_enough_words_and_come_best_first() {
        let terms = search_terms("VPN drops every hour for remote staff");
        let candidate = |id, score| KnownErrorMatch {
            id,
            reference: reference(id),
            title: String::new(),
            service: String::new(),
            workaround: String::new(),
            score,
        };
        let ranked = rank_matches(
            &terms,
            vec![candidate(1, 1), candidate(2, 3), candidate(3, 2)],
        );
        assert_eq!(ranked.iter().map(|m| m.id).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(
            match_score(&terms, &["Remote VPN drops", "keepalive", ""]),
            3
        );
    }
}
