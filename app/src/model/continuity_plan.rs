//! A service continuity plan (clause 8.7.2): its structured content, its lifecycle and the
//! comparison of two versions section by section.

use crate::model::access::Role;
use crate::model::actor::{ActorFacts, Refusal};
use crate::model::labelled::labelled_enum;
use crate::model::recovery::RecoveryStep;
use serde::{Deserialize, Serialize};

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum PlanState {
        Draft => ("draft", "Draft"),
        InReview => ("in_review", "In review"),
        Approved => ("approved", "Approved"),
        Superseded => ("superseded", "Superseded"),
        Retired => ("retired", "Retired"),
    }
}

impl PlanState {
    /// Only a draft's content can change; approved versions are kept as they were.
    pub fn is_editable(self) -> bool {
        self == PlanState::Draft
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanAction {
    SendToReview,
    /// Back to the author with the reviewers' comments.
    ReturnToDraft,
    Approve,
    Retire,
}

impl PlanAction {
    pub fn label(self) -> &'static str {
        match self {
            PlanAction::SendToReview => "Send to review",
            PlanAction::ReturnToDraft => "Return to draft",
            PlanAction::Approve => "Approve",
            PlanAction::Retire => "Retire",
        }
    }
}

/// Whether `actor` may write a draft of a plan owned by `owner_id`: the draft's author, the
/// plan's owner or a continuity manager. (Whoever writes becomes a contributor, and no
/// contributor approves the version: `plan_transition`.)
pub fn may_write_draft(author_id: i64, owner_id: i64, actor: &ActorFacts) -> Result<(), Refusal> {
    if actor.user_id == author_id
        || actor.user_id == owner_id
        || actor.roles.contains(&Role::ContinuityManager)
    {
        Ok(())
    } else {
        Err(Refusal(
            "Only the plan's owner, the draft's author or a continuity manager edits it.".into(),
        ))
    }
}

/// Who may do what to a plan version: the plan's owner and continuity managers write and
/// send drafts to review; only a continuity manager approves (never a version they wrote
/// alone) and retires.
pub fn plan_transition(
    state: PlanState,
    action: PlanAction,
    author_id: i64,
    contributor_ids: &[i64],
    owner_id: i64,
    actor: &ActorFacts,
) -> Result<PlanState, Refusal> {
    let manager = actor.roles.contains(&Role::ContinuityManager);
    let owner = actor.user_id == owner_id;
    let refuse = |why: &str| Err(Refusal(why.into()));
    match (state, action) {
        (PlanState::Draft, PlanAction::SendToReview) => {
            if manager || owner {
                Ok(PlanState::InReview)
            } else {
                refuse("Only the plan's owner or a continuity manager sends it to review.")
            }
        }
        (PlanState::InReview, PlanAction::ReturnToDraft) => {
            if manager || owner {
                Ok(PlanState::Draft)
            } else {
                refuse("Only the plan's owner or a continuity manager returns it to draft.")
            }
        }
        (PlanState::InReview, PlanAction::Approve) => {
            if !manager {
                refuse("Only a continuity manager approves a continuity plan.")
            } else if actor.user_id == author_id || contributor_ids.contains(&actor.user_id) {
                refuse("Someone who wrote no part of this version approves it.")
            } else {
                Ok(PlanState::Approved)
            }
        }
        (PlanState::Approved | PlanState::Draft | PlanState::InReview, PlanAction::Retire) => {
            if manager {
                Ok(PlanState::Retired)
            } else {
                refuse("Only a continuity manager retires a plan.")
            }
        }
        (state, action) => Err(Refusal(format!(
            "A plan that is {} cannot be moved with “{}”.",
            state.label().to_lowercase(),
            action.label()
        ))),
    }
}

/// A person in the call tree, in escalation order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub role: String,
    pub person: String,
    pub deputy: String,
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    pub strategy: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Communication {
    pub audience: String,
    pub message: String,
    pub when: String,
}

/// Everything a version of a plan says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContent {
    pub scope: String,
    pub activation: String,
    pub call_tree: Vec<Contact>,
    pub scenarios: Vec<Scenario>,
    pub steps: Vec<RecoveryStep>,
    pub communications: Vec<Communication>,
    pub return_to_normal: String,
    pub related_plans: String,
}

labelled_enum! {
    /// The sections of a plan, in the order the plan and its diff show them.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum Section {
        Scope => ("scope", "Scope"),
        Activation => ("activation", "Activation criteria and authority"),
        CallTree => ("call_tree", "Call tree"),
        Scenarios => ("scenarios", "Scenarios and strategies"),
        Steps => ("steps", "Recovery steps"),
        Communications => ("communications", "Communication plan"),
        ReturnToNormal => ("return_to_normal", "Return to normal"),
        RelatedPlans => ("related_plans", "Related plans"),
    }
}

impl Section {
    /// The section as lines of text, the unit a diff compares.
    pub fn lines(self, content: &PlanContent) -> Vec<String> {
        let text = |t: &str| t.lines().map(str::to_string).collect::<Vec<_>>();
        match self {
            Section::Scope => text(&content.scope),
            Section::Activation => text(&content.activation),
            Section::CallTree => content
                .call_tree
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    format!(
                        "{}. {}: {} (deputy {}) {}",
                        i + 1,
                        c.role,
                        c.person,
                        c.deputy,
                        c.phone
                    )
                })
                .collect(),
            Section::Scenarios => content
                .scenarios
                .iter()
                .map(|s| format!("{}: {}", s.name, s.strategy))
                .collect(),
            Section::Steps => content
                .steps
                .iter()
                .map(|s| {
                    let waits = if s.waits_for.is_empty() {
                        String::new()
                    } else {
                        format!(
                            ", after {}",
                            s.waits_for
                                .iter()
                                .map(|w| format!("#{w}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    format!(
                        "{}#{} {} — {}{}{}",
                        "  ".repeat(s.depth as usize),
                        s.key,
                        s.title,
                        crate::model::recovery::minutes_text(s.duration_minutes),
                        waits,
                        s.owner_id
                            .map(|o| format!(", owner {o}"))
                            .unwrap_or_default()
                    )
                })
                .collect(),
            Section::Communications => content
                .communications
                .iter()
                .map(|c| format!("{} — {} ({})", c.audience, c.message, c.when))
                .collect(),
            Section::ReturnToNormal => text(&content.return_to_normal),
            Section::RelatedPlans => text(&content.related_plans),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffLine {
    Same(String),
    Removed(String),
    Added(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionDiff {
    pub section: Section,
    pub lines: Vec<DiffLine>,
}

impl SectionDiff {
    pub fn changed(&self) -> bool {
        self.lines.iter().any(|l| !matches!(l, DiffLine::Same(_)))
    }
}

/// What changed from `old` to `new`, section by section (a line diff by longest common
/// subsequence; sections are short, so the quadratic table is small).
pub fn compare(old: &PlanContent, new: &PlanContent) -> Vec<SectionDiff> {
    Section::ALL
        .into_iter()
        .map(|section| SectionDiff {
            section,
            lines: diff_lines(&section.lines(old), &section.lines(new)),
        })
        .collect()
}

fn diff_lines(old: &[String], new: &[String]) -> Vec<DiffLine> {
    let (n, m) = (old.len(), new.len());
    let mut common = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            common[i][j] = if old[i] == new[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut lines = Vec::new();
    while i < n || j < m {
        if i < n && j < m && old[i] == new[j] {
            lines.push(DiffLine::Same(old[i].clone()));
            i += 1;
            j += 1;
        } else if j < m && (i == n || common[i][j + 1] >= common[i + 1][j]) {
            lines.push(DiffLine::Added(new[j].clone()));
            j += 1;
        } else {
            lines.push(DiffLine::Removed(old[i].clone()));
            i += 1;
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn actor(id: i64, roles: &[Role]) -> ActorFacts {
        ActorFacts {
            user_id: id,
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn a_draft_is_written_by_its_author_the_owner_or_a_continuity_manager_only() {
        let (author, owner) = (1, 2);
        assert!(may_write_draft(author, owner, &actor(author, &[Role::Requester])).is_ok());
        assert!(may_write_draft(author, owner, &actor(owner, &[Role::ServiceOwner])).is_ok());
        assert!(may_write_draft(author, owner, &actor(3, &[Role::ContinuityManager])).is_ok());
        for roles in [
            vec![Role::ServiceOwner],
            vec![Role::QualityManager],
            vec![Role::ChangeManager, Role::Auditor],
        ] {
            let refused = may_write_draft(author, owner, &actor(3, &roles)).unwrap_err();
            assert!(refused.0.contains("edits it"), "{refused:?}");
        }
    }

    #[test]
    fn a_draft_goes_to_review_and_is_approved_by_another_continuity_manager() {
        let owner = actor(1, &[Role::ServiceOwner]);
        let rowan = actor(2, &[Role::ContinuityManager]);
        let sam = actor(3, &[Role::ContinuityManager]);
        let next = plan_transition(
            PlanState::Draft,
            PlanAction::SendToReview,
            1,
            &[],
            1,
            &owner,
        )
        .unwrap();
        assert_eq!(next, PlanState::InReview);
        assert!(plan_transition(next, PlanAction::Approve, 1, &[], 1, &owner).is_err());
        // Rowan wrote this version, so Sam approves it.
        assert!(plan_transition(next, PlanAction::Approve, 2, &[], 1, &rowan).is_err());
        // Neither does a continuity manager who saved part of Rowan's draft.
        let refusal = plan_transition(next, PlanAction::Approve, 2, &[3], 1, &sam).unwrap_err();
        assert!(refusal.0.contains("no part of this version"), "{refusal}");
        assert_eq!(
            plan_transition(next, PlanAction::Approve, 2, &[], 1, &sam).unwrap(),
            PlanState::Approved
        );
        assert!(plan_transition(
            PlanState::Approved,
            PlanAction::SendToReview,
            2,
            &[],
            1,
            &sam
        )
        .is_err());
        assert!(
            plan_transition(PlanState::Approved, PlanAction::Retire, 2, &[], 1, &owner).is_err()
        );
        assert!(!PlanState::Approved.is_editable());
    }

    fn content(steps: &[&str]) -> PlanContent {
        PlanContent {
            scope: "Payroll".into(),
            steps: steps
                .iter()
                .enumerate()
                .map(|(i, t)| RecoveryStep {
                    key: i as u32 + 1,
                    title: t.to_string(),
                    owner_id: None,
                    duration_minutes: 30,
                    waits_for: vec![],
                    depth: 0,
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn the_diff_shows_what_changed_in_each_section() {
        let old = content(&["Fail over the database", "Restart the app"]);
        let mut new = content(&[
            "Fail over the database",
            "Restart the app",
            "Tell the users",
        ]);
        new.scope = "Payroll and HR".into();
        let diff = compare(&old, &new);
        let changed: Vec<Section> = diff
            .iter()
            .filter(|d| d.changed())
            .map(|d| d.section)
            .collect();
        assert_eq!(changed, vec![Section::Scope, Section::Steps]);
        let steps = diff.iter().find(|d| d.section == Section::Steps).unwrap();
        assert_eq!(
            steps
                .lines
                .iter()
                .filter(|l| matches!(l, DiffLine::Added(_)))
                .count(),
            1
        );
        assert!(compare(&old, &old).iter().all(|d| !d.changed()));
    }

    proptest! {
        #[test]
        fn a_diff_rebuilds_both_versions(
            old in prop::collection::vec("[a-c]{1,2}", 0..8),
            new in prop::collection::vec("[a-c]{1,2}", 0..8),
        ) {
            let lines = diff_lines(&old, &new);
            let before: Vec<String> = lines.iter().filter_map(|l| match l {
                DiffLine::Same(t) | DiffLine::Removed(t) => Some(t.clone()),
                DiffLine::Added(_) => None,
            }).collect();
            let after: Vec<String> = lines.iter().filter_map(|l| match l {
                DiffLine::Same(t) | DiffLine::Added(t) => Some(t.clone()),
                DiffLine::Removed(_) => None,
            }).collect();
            prop_assert_eq!(before, old);
            prop_assert_eq!(after, new);
        }
    }
}

/// One version of a plan as it crosses the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanVersion {
    pub id: i64,
    pub plan_id: i64,
    pub number: i32,
    pub state: PlanState,
    pub content: PlanContent,
    pub author: crate::model::refs::PersonRef,
    /// Everyone else who saved part of this version (none of them approves it).
    pub contributor_ids: Vec<i64>,
    pub approved_by: Option<crate::model::refs::PersonRef>,
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i32,
}

/// Why a plan's content cannot be saved: each problem keyed by its section.
pub fn check_content(content: &PlanContent) -> Result<(), crate::error::FieldErrors> {
    let mut errors = crate::error::FieldErrors::new();
    let long = |text: &str| text.chars().count() > 20_000;
    for (field, text) in [
        ("scope", &content.scope),
        ("activation", &content.activation),
        ("return_to_normal", &content.return_to_normal),
        ("related_plans", &content.related_plans),
    ] {
        if long(text) {
            errors.add(field, "Keep this section under 20,000 characters.");
        }
    }
    if content.steps.len() > 2_000 {
        errors.add("steps", "A plan holds at most 2,000 recovery steps.");
    }
    for step in &content.steps {
        let title = step.title.trim();
        if title.is_empty() || title.chars().count() > 300 {
            errors.add(
                "steps",
                format!("Step {} needs a title (at most 300 characters).", step.key),
            );
        }
        if step.duration_minutes > 60 * 24 * 90 {
            errors.add(
                "steps",
                format!("“{title}” lasts more than 90 days; check its duration."),
            );
        }
    }
    if let Err(problem) = crate::model::recovery::schedule(&content.steps) {
        errors.add("steps", problem.describe(&content.steps));
    }
    for contact in &content.call_tree {
        if contact.person.trim().is_empty() {
            errors.add("call_tree", "Every call-tree entry names a person.");
        }
    }
    for scenario in &content.scenarios {
        if scenario.name.trim().is_empty() {
            errors.add("scenarios", "Every scenario has a name.");
        }
    }
    errors.into_result(())
}

#[cfg(test)]
mod content_tests {
    use super::*;

    #[test]
    fn a_cycle_in_the_steps_is_refused_with_the_steps_named() {
        let mut content = PlanContent::default();
        for (key, waits) in [(1, vec![2]), (2, vec![1])] {
            content.steps.push(RecoveryStep {
                key,
                title: format!("Restore part {key}"),
                owner_id: Some(1),
                duration_minutes: 30,
                waits_for: waits,
                depth: 0,
            });
        }
        let errors = check_content(&content).unwrap_err();
        let message = errors.get("steps").unwrap();
        assert!(
            message.contains("“Restore part 1”") && message.contains("circle"),
            "{message}"
        );
        content.steps[0].waits_for.clear();
        assert!(check_content(&content).is_ok());
    }
}

labelled_enum! {
    /// How a plan is tested.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum ExerciseKind {
        Walkthrough => ("walkthrough", "Walkthrough"),
        Tabletop => ("tabletop", "Tabletop"),
        Simulation => ("simulation", "Simulation"),
        FullFailover => ("full_failover", "Full failover"),
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum ExerciseResult {
        Passed => ("passed", "Passed"),
        Partly => ("partly", "Partly passed"),
        Failed => ("failed", "Failed"),
    }
}

/// Something an exercise showed; it may become an improvement-register entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseFinding {
    pub text: String,
    /// The register entry it became, if it did.
    pub improvement_id: Option<i64>,
}

/// The outcome of an exercise as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExerciseOutcome {
    pub result: ExerciseResult,
    pub actual_minutes: u32,
    pub findings: Vec<String>,
}

/// Checks a recorded outcome: a result, the recovery time it took, findings one per line; a
/// failed or partly passed exercise must say what went wrong.
pub fn check_outcome(
    result: &str,
    actual: &str,
    findings: &str,
) -> Result<ExerciseOutcome, crate::error::FieldErrors> {
    let mut errors = crate::error::FieldErrors::new();
    let result = ExerciseResult::parse(result);
    if result.is_none() {
        errors.add("result", "Choose passed, partly passed or failed.");
    }
    let actual_minutes = crate::model::recovery::parse_minutes(actual);
    if actual_minutes.is_none() {
        errors.add(
            "actual",
            "Enter the recovery time it took, such as 3 h or 90 min (at most 366 days).",
        );
    }
    let findings: Vec<String> = findings
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.chars().take(500).collect())
        .collect();
    if findings.len() > 50 {
        errors.add("findings", "Record at most 50 findings.");
    }
    if matches!(
        result,
        Some(ExerciseResult::Failed | ExerciseResult::Partly)
    ) && findings.is_empty()
    {
        errors.add("findings", "Say what did not work: one finding per line.");
    }
    match (result, actual_minutes) {
        (Some(result), Some(actual_minutes)) if errors.is_empty() => Ok(ExerciseOutcome {
            result,
            actual_minutes,
            findings,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod exercise_tests {
    use super::*;

    #[test]
    fn a_failed_exercise_must_say_what_went_wrong() {
        let ok = check_outcome("passed", "3 h", "").unwrap();
        assert_eq!(
            (ok.result, ok.actual_minutes),
            (ExerciseResult::Passed, 180)
        );
        let silent = check_outcome("failed", "5 h", "  \n").unwrap_err();
        assert!(silent.get("findings").is_some());
        let told = check_outcome(
            "partly",
            "5 h",
            "Backups were a day old\nCall tree out of date\n",
        )
        .unwrap();
        assert_eq!(told.findings.len(), 2);
        let bad = check_outcome("great", "soon", "").unwrap_err();
        assert!(bad.get("result").is_some() && bad.get("actual").is_some());
    }
}

/// An exercise as it crosses the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exercise {
    pub id: i64,
    pub plan_id: i64,
    pub kind: ExerciseKind,
    pub planned_on: chrono::NaiveDate,
    pub participants: String,
    pub objectives: String,
    pub result: Option<ExerciseResult>,
    pub actual_minutes: Option<u32>,
    /// The shortest RTO among the plan's covered services, when they have a BIA.
    pub rto_minutes: Option<u32>,
    pub findings: Vec<ExerciseFinding>,
    pub version: i32,
}

impl Exercise {
    /// Whether the recovery came in within the RTO (unknown until both are known).
    pub fn met_rto(&self) -> Option<bool> {
        Some(self.actual_minutes? <= self.rto_minutes?)
    }
}
