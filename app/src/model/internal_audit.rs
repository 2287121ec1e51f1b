//! Internal audits (ISO/IEC 20000-1 clause 9.2), the rules without the storage:
//! - the programme's coverage of clauses 4–10 over its cycle (gaps are flagged),
//! - auditor independence (nobody audits their own work),
//! - the checklist an audit starts with, generated from the clause library,
//! - the audit lifecycle Planned → In progress → Completed (or Cancelled),
//! - the validation of programmes, audits and graded findings.

use crate::error::FieldErrors;
use crate::model::actor::Refusal;
use crate::model::clause_library::{ClauseEntry, DocumentedKind};
use crate::model::clauses::{self, CLAUSES};
use crate::model::labelled::labelled_enum;
use crate::model::refs::PersonRef;
use crate::model::text::bounded;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The top-level clauses an SMS is audited against.
pub const TOP_CLAUSES: [&str; 7] = ["4", "5", "6", "7", "8", "9", "10"];

/// "IA-00012".
pub fn audit_reference(id: i64) -> String {
    format!("IA-{id:05}")
}

/// The title of a top-level clause, for the coverage grid.
pub fn top_clause_title(number: &str) -> Option<&'static str> {
    Some(match number {
        "4" => "Context of the organization",
        "5" => "Leadership",
        "6" => "Planning",
        "7" => "Support",
        "8" => "Operation of the SMS",
        "9" => "Performance evaluation",
        "10" => "Improvement",
        _ => return None,
    })
}

/// A number an audit may name in its scope: a top-level clause (4–10) or a known sub-clause.
pub fn is_scope_number(number: &str) -> bool {
    TOP_CLAUSES.contains(&number) || clauses::title(number).is_some()
}

/// "8 Operation of the SMS" or "8.5.1 Change management".
pub fn scope_label(number: &str) -> String {
    match top_clause_title(number) {
        Some(title) => format!("{number} {title}"),
        None => clauses::label(number),
    }
}

/// True when the scope entry `scope` covers the sub-clause `clause`: the same number, or a
/// higher-level number of it ("8" and "8.5" cover "8.5.1"; "8.5" does not cover "8.51").
pub fn covers(scope: &str, clause: &str) -> bool {
    let (scope, clause) = (scope.trim(), clause.trim());
    clause == scope
        || clause
            .strip_prefix(scope)
            .is_some_and(|rest| rest.starts_with('.'))
}

/// The top-level clause a number belongs to ("8.5.1" → "8").
pub fn top_of(number: &str) -> &str {
    number.split('.').next().unwrap_or(number)
}

// ---------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum AuditState {
        Planned => ("planned", "Planned"),
        InProgress => ("in_progress", "In progress"),
        /// The report is issued; nothing about the audit changes any more.
        Completed => ("completed", "Completed (report issued)"),
        Cancelled => ("cancelled", "Cancelled"),
    }
}

impl AuditState {
    /// Completed and cancelled audits are read-only.
    pub fn is_closed(self) -> bool {
        matches!(self, AuditState::Completed | AuditState::Cancelled)
    }

    /// The audit's scope, auditors and auditees may still be edited.
    pub fn is_editable(self) -> bool {
        self == AuditState::Planned
    }

    /// Checklist results and findings are recorded while the audit is under way.
    pub fn records_evidence(self) -> bool {
        self == AuditState::InProgress
    }

    /// The report exists only for a completed audit.
    pub fn has_report(self) -> bool {
        self == AuditState::Completed
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum AuditAction {
        Start => ("start", "Start the audit"),
        Complete => ("complete", "Complete and issue the report"),
        Cancel => ("cancel", "Cancel the audit"),
    }
}

/// What completing an audit needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CompletionFacts {
    /// Checklist items still `pending`.
    pub pending_items: usize,
    pub has_conclusion: bool,
}

/// The audit lifecycle: `(state, action, facts) -> new state`, or why not.
pub fn transition(
    state: AuditState,
    action: AuditAction,
    facts: CompletionFacts,
) -> Result<AuditState, Refusal> {
    use AuditAction as A;
    use AuditState as S;
    match (state, action) {
        (S::Planned, A::Start) => Ok(S::InProgress),
        (S::InProgress, A::Complete) => {
            if facts.pending_items > 0 {
                Err(Refusal(format!(
                    "{} checklist item(s) still pending: record each as conforming, finding or not checked before completing.",
                    facts.pending_items
                )))
            } else if !facts.has_conclusion {
                Err(Refusal(
                    "Write the audit's conclusion before completing it.".into(),
                ))
            } else {
                Ok(S::Completed)
            }
        }
        (S::Planned | S::InProgress, A::Cancel) => Ok(S::Cancelled),
        (S::Completed, _) => Err(Refusal(
            "A completed audit is read-only: its report has been issued.".into(),
        )),
        (S::Cancelled, _) => Err(Refusal("A cancelled audit is read-only.".into())),
        (state, action) => Err(Refusal(format!(
            "An audit that is {} cannot be moved with “{}”.",
            state.label().to_lowercase(),
            action.label()
        ))),
    }
}

/// The actions worth offering as buttons for an audit in `state`.
pub fn available_actions(state: AuditState) -> Vec<AuditAction> {
    AuditAction::ALL
        .into_iter()
        .filter(|a| {
            // Completion depends on facts; offer it whenever the state allows it.
            let facts = CompletionFacts {
                pending_items: 0,
                has_conclusion: true,
            };
            transition(state, *a, facts).is_ok()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Independence
// ---------------------------------------------------------------------------------------

/// Why an audit team is not independent of the area audited. Names the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndependenceError {
    pub person_id: i64,
    pub field: &'static str,
    pub message: String,
}

/// An auditor cannot audit their own work: the lead auditor and every auditor must not be
/// among the auditees (the people whose work is audited, the owners of the area). `name`
/// turns an id into the person's name for the message.
pub fn check_independence(
    lead_auditor_id: i64,
    auditor_ids: &[i64],
    auditee_ids: &[i64],
    name: impl Fn(i64) -> String,
) -> Result<(), IndependenceError> {
    if auditee_ids.contains(&lead_auditor_id) {
        return Err(IndependenceError {
            person_id: lead_auditor_id,
            field: "lead_auditor_id",
            message: format!(
                "{} cannot lead this audit: they are an auditee, and an auditor cannot audit their own work. Choose a lead auditor from outside the area.",
                name(lead_auditor_id)
            ),
        });
    }
    if let Some(&id) = auditor_ids.iter().find(|id| auditee_ids.contains(id)) {
        return Err(IndependenceError {
            person_id: id,
            field: "auditor_ids",
            message: format!(
                "{} cannot audit this area: they are an auditee, and an auditor cannot audit their own work. Remove them from the auditors or from the auditees.",
                name(id)
            ),
        });
    }
    Ok(())
}

/// Who may record an audit's checklist results and findings, start it and complete it: a
/// member of its team (the lead auditor or one of the auditors), and only while the team is
/// independent of the auditees. Checked at every write, not only when the audit is planned.
pub fn check_recorder(
    user_id: i64,
    lead_auditor_id: i64,
    auditor_ids: &[i64],
    auditee_ids: &[i64],
) -> Result<(), Refusal> {
    if auditee_ids.contains(&user_id) {
        return Err(Refusal(
            "You are an auditee of this audit: an auditor cannot audit their own work.".into(),
        ));
    }
    if user_id != lead_auditor_id && !auditor_ids.contains(&user_id) {
        return Err(Refusal(
            "Only the audit's team (its lead auditor and auditors) records its results, findings and completion.".into(),
        ));
    }
    check_independence(lead_auditor_id, auditor_ids, auditee_ids, |id| {
        format!("User {id}")
    })
    .map_err(|error| {
        Refusal(format!(
            "The audit's team is no longer independent of its auditees ({}); correct the plan first.",
            error.message
        ))
    })
}

// ---------------------------------------------------------------------------------------
// Coverage
// ---------------------------------------------------------------------------------------

/// What the coverage rule needs to know about one audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageAudit {
    pub id: i64,
    pub state: AuditState,
    pub planned_on: NaiveDate,
    pub clauses: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CoverageStatus {
    /// No audit of the cycle covers it.
    Gap,
    /// Planned or under way, not yet completed.
    Planned,
    /// A completed audit covered it.
    Audited,
}

impl CoverageStatus {
    pub fn label(self) -> &'static str {
        match self {
            CoverageStatus::Gap => "Not covered (gap)",
            CoverageStatus::Planned => "Planned",
            CoverageStatus::Audited => "Audited",
        }
    }

    pub fn css(self) -> &'static str {
        match self {
            CoverageStatus::Gap => "coverage-gap",
            CoverageStatus::Planned => "coverage-planned",
            CoverageStatus::Audited => "coverage-audited",
        }
    }
}

/// One sub-clause's coverage in the cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseCoverage {
    pub number: String,
    pub title: String,
    pub status: CoverageStatus,
    /// Audits (ids) of the cycle that cover it, not cancelled.
    pub audits: Vec<i64>,
}

/// One top-level clause with its sub-clauses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopCoverage {
    pub number: String,
    pub title: String,
    pub clauses: Vec<ClauseCoverage>,
}

impl TopCoverage {
    /// The weakest status of its sub-clauses.
    pub fn status(&self) -> CoverageStatus {
        self.clauses
            .iter()
            .map(|c| c.status)
            .min()
            .unwrap_or(CoverageStatus::Gap)
    }

    pub fn is_entirely_uncovered(&self) -> bool {
        self.clauses.iter().all(|c| c.status == CoverageStatus::Gap)
    }
}

/// The coverage of clauses 4–10 by the audits of the cycle `start..=end`: an audit counts
/// when it is not cancelled and planned inside the cycle; a completed audit marks its
/// clauses audited, a planned or running one marks them planned.
pub fn coverage(start: NaiveDate, end: NaiveDate, audits: &[CoverageAudit]) -> Vec<TopCoverage> {
    let counted: Vec<&CoverageAudit> = audits
        .iter()
        .filter(|a| {
            a.state != AuditState::Cancelled && a.planned_on >= start && a.planned_on <= end
        })
        .collect();
    TOP_CLAUSES
        .iter()
        .map(|top| TopCoverage {
            number: top.to_string(),
            title: top_clause_title(top).unwrap_or_default().to_string(),
            clauses: CLAUSES
                .iter()
                .filter(|(number, _)| top_of(number) == *top)
                .map(|(number, title)| {
                    let covering: Vec<&&CoverageAudit> = counted
                        .iter()
                        .filter(|a| a.clauses.iter().any(|s| covers(s, number)))
                        .collect();
                    let status = if covering.iter().any(|a| a.state == AuditState::Completed) {
                        CoverageStatus::Audited
                    } else if covering.is_empty() {
                        CoverageStatus::Gap
                    } else {
                        CoverageStatus::Planned
                    };
                    ClauseCoverage {
                        number: number.to_string(),
                        title: title.to_string(),
                        status,
                        audits: covering.iter().map(|a| a.id).collect(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// The gaps in words' building blocks: a whole top-level clause ("7") when none of it is
/// covered, otherwise each uncovered sub-clause ("8.5.2").
pub fn gaps(coverage: &[TopCoverage]) -> Vec<String> {
    let mut out = Vec::new();
    for top in coverage {
        if top.is_entirely_uncovered() {
            out.push(top.number.clone());
        } else {
            out.extend(
                top.clauses
                    .iter()
                    .filter(|c| c.status == CoverageStatus::Gap)
                    .map(|c| c.number.clone()),
            );
        }
    }
    out
}

/// The gaps as one sentence for the page and the report.
pub fn gaps_sentence(gaps: &[String]) -> String {
    if gaps.is_empty() {
        return "Every clause 4–10 is covered by an audit in this cycle.".into();
    }
    let named: Vec<String> = gaps
        .iter()
        .map(|g| {
            if top_clause_title(g).is_some() {
                format!("clause {} (all of it)", scope_label(g))
            } else {
                scope_label(g)
            }
        })
        .collect();
    format!(
        "Not covered by any audit in this cycle: {}.",
        named.join("; ")
    )
}

// ---------------------------------------------------------------------------------------
// Checklist
// ---------------------------------------------------------------------------------------

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ChecklistResult {
        Pending => ("pending", "Pending"),
        Conforming => ("conforming", "Conforming"),
        Finding => ("finding", "Finding raised"),
        NotChecked => ("not_checked", "Not checked"),
    }
}

/// A checklist question before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistDraft {
    pub clause: String,
    pub prompt: String,
}

/// One item per sub-clause of the library in scope, in clause order; the prompt is built
/// from the library's guidance, the documented information it expects and what auditors
/// usually sample.
pub fn generate_checklist(scope: &[String], library: &[ClauseEntry]) -> Vec<ChecklistDraft> {
    library
        .iter()
        .filter(|entry| scope.iter().any(|s| covers(s, &entry.number)))
        .map(|entry| ChecklistDraft {
            clause: entry.number.clone(),
            prompt: prompt_for(entry),
        })
        .collect()
}

fn prompt_for(entry: &ClauseEntry) -> String {
    let mut prompt = format!(
        "{} {} — is this met in practice? {}",
        entry.number,
        entry.title,
        entry.guidance.trim()
    );
    let named = |kind: DocumentedKind| -> Vec<&str> {
        entry
            .documented
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| d.name.as_str())
            .collect()
    };
    let documents = named(DocumentedKind::Document);
    if !documents.is_empty() {
        prompt.push_str(&format!(
            "\nDocuments to see (current, approved): {}.",
            documents.join("; ")
        ));
    }
    let records = named(DocumentedKind::Record);
    if !records.is_empty() {
        prompt.push_str(&format!("\nRecords to sample: {}.", records.join("; ")));
    }
    if !entry.evidence_hints.is_empty() {
        prompt.push_str(&format!(
            "\nEvidence to look for: {}.",
            entry.evidence_hints.join("; ")
        ));
    }
    prompt
}

/// One checklist result as recorded by the auditor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistEntry {
    pub result: ChecklistResult,
    pub notes: String,
    pub sampled_records: String,
}

/// Validates one checklist result.
pub fn validate_checklist_entry(
    result: &str,
    notes: &str,
    sampled_records: &str,
) -> Result<ChecklistEntry, FieldErrors> {
    let mut errors = FieldErrors::new();
    let result = ChecklistResult::parse(result);
    if result.is_none() {
        errors.add(
            "result",
            "Choose a result: pending, conforming, finding or not checked.",
        );
    }
    let notes = bounded(&mut errors, "notes", "Notes", notes, 0, 4000);
    let sampled_records = bounded(
        &mut errors,
        "sampled_records",
        "Sampled records",
        sampled_records,
        0,
        4000,
    );
    if result == Some(ChecklistResult::Conforming) && sampled_records.is_empty() {
        // Conformity is shown by evidence: say what was looked at.
        errors.add(
            "sampled_records",
            "Name the records sampled that show conformity (e.g. CHG-00012, CHG-00015).",
        );
    }
    if result == Some(ChecklistResult::NotChecked) && notes.is_empty() {
        errors.add("notes", "Say why this item was not checked.");
    }
    match result {
        Some(result) if errors.is_empty() => Ok(ChecklistEntry {
            result,
            notes,
            sampled_records,
        }),
        _ => Err(errors),
    }
}

// ---------------------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------------------

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum FindingGrade {
        MajorNc => ("major_nc", "Major nonconformity"),
        MinorNc => ("minor_nc", "Minor nonconformity"),
        Observation => ("observation", "Observation"),
        Opportunity => ("opportunity", "Opportunity for improvement"),
    }
}

impl FindingGrade {
    /// Nonconformities follow the corrective-action path; the others go to the register.
    pub fn is_nonconformity(self) -> bool {
        matches!(self, FindingGrade::MajorNc | FindingGrade::MinorNc)
    }

    /// The grade of the nonconformity workflow it maps to.
    pub fn nc_grade(self) -> crate::model::nonconformity::Grade {
        use crate::model::nonconformity::Grade;
        match self {
            FindingGrade::MajorNc => Grade::Major,
            FindingGrade::MinorNc => Grade::Minor,
            FindingGrade::Observation => Grade::Observation,
            FindingGrade::Opportunity => Grade::Opportunity,
        }
    }
}

/// A finding as typed into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingForm {
    pub grade: String,
    pub clause: String,
    pub statement: String,
    pub evidence: String,
    /// Who owns the follow-up (the nonconformity or register entry): one of the auditees.
    pub owner_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingDraft {
    pub grade: FindingGrade,
    pub clause: String,
    pub statement: String,
    pub evidence: String,
    pub owner_id: i64,
}

impl FindingForm {
    /// Checks a finding against the audit's scope and auditees: it names a sub-clause in
    /// scope, says what was found and, for a nonconformity, on what evidence.
    pub fn validate(
        &self,
        scope: &[String],
        auditee_ids: &[i64],
    ) -> Result<FindingDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let grade = FindingGrade::parse(&self.grade);
        if grade.is_none() {
            errors.add(
                "grade",
                "Choose the grade: major NC, minor NC, observation or opportunity.",
            );
        }
        let clause = self.clause.trim().to_string();
        if clauses::title(&clause).is_none() {
            errors.add(
                "clause",
                "Name the sub-clause the finding concerns (for example 8.5.1).",
            );
        } else if !scope.iter().any(|s| covers(s, &clause)) {
            errors.add(
                "clause",
                format!(
                    "{} is outside this audit's scope ({}).",
                    clauses::label(&clause),
                    scope.join(", ")
                ),
            );
        }
        let statement = bounded(
            &mut errors,
            "statement",
            "The finding statement",
            &self.statement,
            10,
            4000,
        );
        let min_evidence = if grade.is_some_and(FindingGrade::is_nonconformity) {
            5
        } else {
            0
        };
        let evidence = bounded(
            &mut errors,
            "evidence",
            "Objective evidence",
            &self.evidence,
            min_evidence,
            4000,
        );
        let owner_id = self.owner_id.trim().parse::<i64>().ok();
        match owner_id {
            None => errors.add(
                "owner_id",
                "Choose who owns the follow-up (one of the auditees).",
            ),
            Some(id) if !auditee_ids.contains(&id) => errors.add(
                "owner_id",
                "The follow-up is owned by one of the audit's auditees.",
            ),
            Some(_) => {}
        }
        match (grade, owner_id) {
            (Some(grade), Some(owner_id)) if errors.is_empty() => Ok(FindingDraft {
                grade,
                clause,
                statement,
                evidence,
                owner_id,
            }),
            _ => Err(errors),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Programme and audit forms
// ---------------------------------------------------------------------------------------

/// The longest cycle a programme may span: the three-year certification cycle.
pub const MAX_CYCLE_DAYS: i64 = 3 * 366;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeForm {
    pub title: String,
    pub cycle_start: String,
    pub cycle_end: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeDraft {
    pub title: String,
    pub cycle_start: NaiveDate,
    pub cycle_end: NaiveDate,
}

fn date_field(
    errors: &mut FieldErrors,
    field: &str,
    label: &str,
    value: &str,
) -> Option<NaiveDate> {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, format!("{label} is required."));
        return None;
    }
    crate::model::typed::date(value)
        .map_err(|refusal| {
            errors.add(
                field,
                refusal.message(&format!("{label} must be a date like 2026-03-31.")),
            )
        })
        .ok()
}

impl ProgrammeForm {
    pub fn validate(&self) -> Result<ProgrammeDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = bounded(&mut errors, "title", "Title", &self.title, 3, 160);
        let start = date_field(
            &mut errors,
            "cycle_start",
            "The cycle start",
            &self.cycle_start,
        );
        let end = date_field(&mut errors, "cycle_end", "The cycle end", &self.cycle_end);
        if let (Some(start), Some(end)) = (start, end) {
            if end <= start {
                errors.add("cycle_end", "The cycle ends after it starts.");
            } else if (end - start).num_days() > MAX_CYCLE_DAYS {
                errors.add(
                    "cycle_end",
                    "A programme spans at most the three-year certification cycle.",
                );
            }
        }
        match (start, end) {
            (Some(cycle_start), Some(cycle_end)) if errors.is_empty() => Ok(ProgrammeDraft {
                title,
                cycle_start,
                cycle_end,
            }),
            _ => Err(errors),
        }
    }
}

/// An audit as typed into the plan form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditForm {
    pub title: String,
    pub clauses: Vec<String>,
    pub area: String,
    pub planned_on: String,
    pub lead_auditor_id: String,
    pub auditor_ids: Vec<String>,
    pub auditee_ids: Vec<String>,
    pub scope: String,
    pub criteria: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditDraft {
    pub title: String,
    /// Distinct, in clause order.
    pub clauses: Vec<String>,
    pub area: String,
    pub planned_on: NaiveDate,
    pub lead_auditor_id: i64,
    /// Distinct, without the lead auditor.
    pub auditor_ids: Vec<i64>,
    pub auditee_ids: Vec<i64>,
    pub scope: String,
    pub criteria: String,
}

impl AuditDraft {
    /// The whole audit team, lead first.
    pub fn team(&self) -> Vec<i64> {
        std::iter::once(self.lead_auditor_id)
            .chain(self.auditor_ids.iter().copied())
            .collect()
    }
}

fn ids(errors: &mut FieldErrors, field: &str, values: &[String]) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match value.parse::<i64>() {
            Ok(id) if !out.contains(&id) => out.push(id),
            Ok(_) => {}
            Err(_) => errors.add(field, "Choose the people from the list."),
        }
    }
    out
}

/// Scope numbers in clause order, top-level numbers before their sub-clauses.
fn clause_order(number: &str) -> Vec<u32> {
    crate::model::clause_library::sort_key(number)
}

impl AuditForm {
    /// Validates the plan; the independence rule is checked separately (it needs names).
    pub fn validate(&self) -> Result<AuditDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = bounded(&mut errors, "title", "Title", &self.title, 3, 160);
        let mut clauses: Vec<String> = Vec::new();
        for number in self
            .clauses
            .iter()
            .map(|c| c.trim())
            .filter(|c| !c.is_empty())
        {
            if !is_scope_number(number) {
                errors.add(
                    "clauses",
                    format!(
                        "“{number}” is not a clause: choose clauses 4–10 or their sub-clauses."
                    ),
                );
            } else if !clauses.iter().any(|c| c == number) {
                clauses.push(number.to_string());
            }
        }
        if clauses.is_empty() && errors.get("clauses").is_none() {
            errors.add("clauses", "Choose at least one clause to audit.");
        }
        clauses.sort_by_key(|c| clause_order(c));
        let area = bounded(&mut errors, "area", "Processes or area", &self.area, 3, 400);
        let planned_on = date_field(
            &mut errors,
            "planned_on",
            "The planned date",
            &self.planned_on,
        );
        let lead = self.lead_auditor_id.trim().parse::<i64>().ok();
        if lead.is_none() {
            errors.add("lead_auditor_id", "Choose the lead auditor.");
        }
        let mut auditor_ids = ids(&mut errors, "auditor_ids", &self.auditor_ids);
        if let Some(lead) = lead {
            auditor_ids.retain(|id| *id != lead);
        }
        let auditee_ids = ids(&mut errors, "auditee_ids", &self.auditee_ids);
        if auditee_ids.is_empty() && errors.get("auditee_ids").is_none() {
            errors.add(
                "auditee_ids",
                "Name the people whose work is audited (the area's owners), so independence can be checked.",
            );
        }
        let scope = bounded(&mut errors, "scope", "Scope", &self.scope, 10, 4000);
        let criteria = bounded(&mut errors, "criteria", "Criteria", &self.criteria, 5, 4000);
        match (planned_on, lead) {
            (Some(planned_on), Some(lead_auditor_id)) if errors.is_empty() => Ok(AuditDraft {
                title,
                clauses,
                area,
                planned_on,
                lead_auditor_id,
                auditor_ids,
                auditee_ids,
                scope,
                criteria,
            }),
            _ => Err(errors),
        }
    }
}

/// An audit is planned inside its programme's cycle.
pub fn check_in_cycle(
    planned_on: NaiveDate,
    cycle_start: NaiveDate,
    cycle_end: NaiveDate,
) -> Result<(), String> {
    if planned_on < cycle_start || planned_on > cycle_end {
        Err(format!(
            "Plan the audit inside the programme's cycle ({cycle_start} to {cycle_end})."
        ))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// What crosses the wire
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Programme {
    pub id: i64,
    pub title: String,
    pub cycle_start: NaiveDate,
    pub cycle_end: NaiveDate,
    pub version: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Audit {
    pub id: i64,
    pub programme_id: i64,
    pub title: String,
    pub clauses: Vec<String>,
    pub area: String,
    pub planned_on: NaiveDate,
    pub state: AuditState,
    pub lead_auditor: PersonRef,
    pub auditors: Vec<PersonRef>,
    pub auditees: Vec<PersonRef>,
    pub scope: String,
    pub criteria: String,
    pub conclusion: String,
    pub completed_on: Option<NaiveDate>,
    pub version: i32,
}

impl Audit {
    pub fn reference(&self) -> String {
        audit_reference(self.id)
    }

    pub fn scope_labels(&self) -> Vec<String> {
        self.clauses.iter().map(|c| scope_label(c)).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecklistItem {
    pub id: i64,
    pub clause: String,
    pub prompt: String,
    pub result: ChecklistResult,
    pub notes: String,
    pub sampled_records: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub id: i64,
    pub clause: String,
    pub grade: FindingGrade,
    pub statement: String,
    pub evidence: String,
    pub nonconformity_id: Option<i64>,
    pub improvement_id: Option<i64>,
    pub created_by: PersonRef,
}

/// A programme with its audits and coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgrammeView {
    pub programme: Programme,
    pub audits: Vec<Audit>,
    pub coverage: Vec<TopCoverage>,
    pub gaps: Vec<String>,
}

/// One audit with its checklist and findings; also the content of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditDetail {
    pub audit: Audit,
    pub programme: Programme,
    pub checklist: Vec<ChecklistItem>,
    pub findings: Vec<Finding>,
}

/// Everything the printable report and its Markdown export show.
pub type AuditReport = AuditDetail;

impl AuditDetail {
    pub fn count(&self, grade: FindingGrade) -> usize {
        self.findings.iter().filter(|f| f.grade == grade).count()
    }

    pub fn pending_items(&self) -> usize {
        self.checklist
            .iter()
            .filter(|i| i.result == ChecklistResult::Pending)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_independent_team_member_records_results() {
        // Lead 1, auditor 2, auditee 3; 4 planned the audit but is not on the team.
        assert!(check_recorder(1, 1, &[2], &[3]).is_ok());
        assert!(check_recorder(2, 1, &[2], &[3]).is_ok());
        let outsider = check_recorder(4, 1, &[2], &[3]).unwrap_err();
        assert!(outsider.0.contains("Only the audit's team"), "{outsider}");
        let auditee = check_recorder(3, 1, &[2], &[3]).unwrap_err();
        assert!(auditee.0.contains("auditee"), "{auditee}");
        // A team that stopped being independent records nothing until the plan is corrected.
        let tainted = check_recorder(1, 1, &[2], &[2]).unwrap_err();
        assert!(tainted.0.contains("no longer independent"), "{tainted}");
    }
    use crate::model::clause_library::Documented;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn audit(id: i64, state: AuditState, on: &str, clauses: &[&str]) -> CoverageAudit {
        CoverageAudit {
            id,
            state,
            planned_on: day(on),
            clauses: clauses.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn status(cov: &[TopCoverage], number: &str) -> CoverageStatus {
        cov.iter()
            .flat_map(|t| t.clauses.iter())
            .find(|c| c.number == number)
            .unwrap()
            .status
    }

    #[test]
    fn a_top_level_number_covers_its_sub_clauses_only() {
        assert!(covers("8", "8.5.1"));
        assert!(covers("8.5", "8.5.1"));
        assert!(covers("8.5.1", "8.5.1"));
        assert!(!covers("8.5", "8.51"));
        assert!(!covers("1", "10.1"));
        assert!(!covers("8.5.1", "8.5"));
    }

    #[test]
    fn coverage_flags_gaps_and_ignores_cancelled_and_out_of_cycle_audits() {
        let (start, end) = (day("2026-01-01"), day("2026-12-31"));
        let audits = vec![
            audit(1, AuditState::Completed, "2026-03-01", &["8.5.1", "10"]),
            audit(2, AuditState::Planned, "2026-09-01", &["4", "5", "6"]),
            audit(3, AuditState::Cancelled, "2026-05-01", &["7"]),
            audit(4, AuditState::Completed, "2025-05-01", &["9"]),
        ];
        let cov = coverage(start, end, &audits);
        assert_eq!(cov.len(), 7);
        assert_eq!(status(&cov, "8.5.1"), CoverageStatus::Audited);
        assert_eq!(status(&cov, "10.2"), CoverageStatus::Audited);
        assert_eq!(status(&cov, "4.3"), CoverageStatus::Planned);
        assert_eq!(status(&cov, "7.5"), CoverageStatus::Gap);
        assert_eq!(status(&cov, "9.2"), CoverageStatus::Gap);
        let gaps = gaps(&cov);
        assert!(gaps.contains(&"7".to_string()), "{gaps:?}");
        assert!(gaps.contains(&"9".to_string()));
        assert!(gaps.contains(&"8.5.2".to_string()));
        assert!(!gaps.contains(&"8.5.1".to_string()));
        assert!(
            !gaps.iter().any(|g| g.starts_with("7.")),
            "whole clause named once"
        );
        assert!(gaps_sentence(&gaps).contains("7 Support (all of it)"));
    }

    #[test]
    fn full_coverage_says_so() {
        let audits = vec![audit(1, AuditState::Completed, "2026-02-01", &TOP_CLAUSES)];
        let cov = coverage(day("2026-01-01"), day("2026-12-31"), &audits);
        assert!(gaps(&cov).is_empty());
        assert!(gaps_sentence(&[]).starts_with("Every clause"));
    }

    #[test]
    fn independence_names_the_person_who_would_audit_their_own_work() {
        let name = |id: i64| format!("Person {id}");
        assert!(check_independence(1, &[2], &[3, 4], name).is_ok());
        let lead = check_independence(3, &[2], &[3, 4], name).unwrap_err();
        assert_eq!(lead.person_id, 3);
        assert_eq!(lead.field, "lead_auditor_id");
        assert!(lead.message.contains("Person 3"));
        let other = check_independence(1, &[2, 4], &[3, 4], name).unwrap_err();
        assert_eq!(other.person_id, 4);
        assert!(other.message.contains("Person 4 cannot audit"));
    }

    #[test]
    fn the_lifecycle_runs_planned_in_progress_completed_and_then_stops() {
        let ready = CompletionFacts {
            pending_items: 0,
            has_conclusion: true,
        };
        use AuditAction as A;
        use AuditState as S;
        assert_eq!(transition(S::Planned, A::Start, ready), Ok(S::InProgress));
        assert!(transition(S::Planned, A::Complete, ready).is_err());
        assert_eq!(
            transition(S::InProgress, A::Complete, ready),
            Ok(S::Completed)
        );
        let pending = CompletionFacts {
            pending_items: 2,
            has_conclusion: true,
        };
        assert!(transition(S::InProgress, A::Complete, pending)
            .unwrap_err()
            .0
            .contains("2 checklist"));
        let silent = CompletionFacts {
            pending_items: 0,
            has_conclusion: false,
        };
        assert!(transition(S::InProgress, A::Complete, silent).is_err());
        assert_eq!(transition(S::Planned, A::Cancel, ready), Ok(S::Cancelled));
        for action in AuditAction::ALL {
            assert!(transition(S::Completed, action, ready)
                .unwrap_err()
                .0
                .contains("read-only"));
            assert!(transition(S::Cancelled, action, ready).is_err());
        }
        assert!(available_actions(S::Completed).is_empty());
        assert_eq!(available_actions(S::Planned), vec![A::Start, A::Cancel]);
        assert!(S::Completed.has_report() && !S::InProgress.has_report());
    }

    fn entry(number: &str) -> ClauseEntry {
        ClauseEntry {
            number: number.into(),
            title: clauses::title(number).unwrap_or("?").into(),
            guidance: format!("Guidance for {number}."),
            documented: vec![
                Documented {
                    kind: DocumentedKind::Document,
                    name: format!("Procedure {number}"),
                },
                Documented {
                    kind: DocumentedKind::Record,
                    name: format!("Records {number}"),
                },
            ],
            evidence_hints: vec![format!("Hint {number}")],
        }
    }

    #[test]
    fn the_checklist_has_one_item_per_sub_clause_in_scope_built_from_the_library() {
        let library: Vec<ClauseEntry> = ["8.5.1", "8.5.2", "9.2", "10.1", "10.2"]
            .into_iter()
            .map(entry)
            .collect();
        let items = generate_checklist(&["8.5.1".into(), "10".into()], &library);
        let numbers: Vec<&str> = items.iter().map(|i| i.clause.as_str()).collect();
        assert_eq!(numbers, vec!["8.5.1", "10.1", "10.2"]);
        let first = &items[0].prompt;
        assert!(first.contains("Change management"));
        assert!(first.contains("Guidance for 8.5.1."));
        assert!(first.contains("Procedure 8.5.1"));
        assert!(first.contains("Records 8.5.1"));
        assert!(first.contains("Hint 8.5.1"));
    }

    #[test]
    fn the_bundled_library_gives_a_checklist_item_for_every_clause() {
        let library = crate::model::clause_library::bundled().unwrap();
        let all: Vec<String> = TOP_CLAUSES.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            generate_checklist(&all, &library.clauses).len(),
            CLAUSES.len()
        );
    }

    #[test]
    fn checklist_entries_need_evidence_for_conformity_and_a_reason_when_skipped() {
        assert!(validate_checklist_entry("conforming", "", "").is_err());
        assert!(validate_checklist_entry("conforming", "", "CHG-00012").is_ok());
        assert!(validate_checklist_entry("not_checked", "", "").is_err());
        assert!(validate_checklist_entry("not_checked", "Out of time", "").is_ok());
        assert!(validate_checklist_entry("maybe", "", "").is_err());
        assert!(validate_checklist_entry("pending", "", "").is_ok());
    }

    #[test]
    fn findings_are_graded_in_scope_with_evidence_and_an_auditee_owner() {
        let scope = vec!["8.5.1".to_string(), "10".to_string()];
        let good = FindingForm {
            grade: "minor_nc".into(),
            clause: "8.5.1".into(),
            statement: "Two emergency changes lacked a review.".into(),
            evidence: "CHG-00012, CHG-00015".into(),
            owner_id: "7".into(),
        };
        let draft = good.validate(&scope, &[7]).unwrap();
        assert_eq!(draft.grade, FindingGrade::MinorNc);
        assert!(draft.grade.is_nonconformity());
        let outside = FindingForm {
            clause: "7.5".into(),
            ..good.clone()
        };
        let errors = outside.validate(&scope, &[7]).unwrap_err();
        assert!(errors.get("clause").unwrap().contains("outside"));
        let no_evidence = FindingForm {
            evidence: String::new(),
            ..good.clone()
        };
        assert!(no_evidence
            .validate(&scope, &[7])
            .unwrap_err()
            .get("evidence")
            .is_some());
        let observation = FindingForm {
            grade: "observation".into(),
            evidence: String::new(),
            ..good.clone()
        };
        assert!(observation.validate(&scope, &[7]).is_ok());
        assert!(good
            .validate(&scope, &[8])
            .unwrap_err()
            .get("owner_id")
            .is_some());
        let bad_grade = FindingForm {
            grade: "severe".into(),
            ..good
        };
        assert!(bad_grade
            .validate(&scope, &[7])
            .unwrap_err()
            .get("grade")
            .is_some());
    }

    #[test]
    fn programme_and_audit_forms_are_checked() {
        let p = ProgrammeForm {
            title: "Audit programme 2026".into(),
            cycle_start: "2026-01-01".into(),
            cycle_end: "2026-12-31".into(),
        };
        assert!(p.validate().is_ok());
        let backwards = ProgrammeForm {
            cycle_end: "2025-12-31".into(),
            ..p.clone()
        };
        assert!(backwards.validate().unwrap_err().get("cycle_end").is_some());
        let too_long = ProgrammeForm {
            cycle_end: "2030-01-01".into(),
            ..p
        };
        assert!(too_long.validate().is_err());

        let form = AuditForm {
            title: "Change management".into(),
            clauses: vec!["10".into(), "8.5.1".into(), "8.5.1".into()],
            area: "Change management process".into(),
            planned_on: "2026-03-01".into(),
            lead_auditor_id: "1".into(),
            auditor_ids: vec!["1".into(), "2".into()],
            auditee_ids: vec!["3".into()],
            scope: "Changes of the last six months".into(),
            criteria: "ISO/IEC 20000-1:2018; change procedure".into(),
        };
        let draft = form.validate().unwrap();
        assert_eq!(draft.clauses, vec!["8.5.1", "10"]);
        assert_eq!(draft.auditor_ids, vec![2]);
        assert_eq!(draft.team(), vec![1, 2]);
        let bad = AuditForm {
            clauses: vec!["11".into()],
            auditee_ids: vec![],
            ..form
        };
        let errors = bad.validate().unwrap_err();
        assert!(errors.get("clauses").unwrap().contains("“11”"));
        assert!(errors.get("auditee_ids").is_some());
        assert!(check_in_cycle(day("2027-01-02"), day("2026-01-01"), day("2026-12-31")).is_err());
    }

    fn scope_number() -> impl Strategy<Value = String> {
        let mut all: Vec<String> = TOP_CLAUSES.iter().map(|c| c.to_string()).collect();
        all.extend(CLAUSES.iter().map(|(n, _)| n.to_string()));
        proptest::sample::select(all)
    }

    fn any_audit() -> impl Strategy<Value = CoverageAudit> {
        (
            1i64..1000,
            proptest::sample::select(AuditState::ALL.to_vec()),
            0i64..500,
            proptest::collection::vec(scope_number(), 0..5),
        )
            .prop_map(|(id, state, offset, clauses)| CoverageAudit {
                id,
                state,
                planned_on: day("2026-01-01") + chrono::Duration::days(offset - 60),
                clauses,
            })
    }

    proptest! {
        /// Adding an audit to a programme never un-covers a clause: each sub-clause's status
        /// stays the same or gets better.
        #[test]
        fn adding_an_audit_never_uncovers_a_clause(
            audits in proptest::collection::vec(any_audit(), 0..6),
            extra in any_audit(),
        ) {
            let (start, end) = (day("2026-01-01"), day("2026-12-31"));
            let before = coverage(start, end, &audits);
            let mut more = audits.clone();
            more.push(extra);
            let after = coverage(start, end, &more);
            for (b, a) in before.iter().flat_map(|t| t.clauses.iter())
                .zip(after.iter().flat_map(|t| t.clauses.iter()))
            {
                prop_assert_eq!(&b.number, &a.number);
                prop_assert!(a.status >= b.status, "{} went from {:?} to {:?}", b.number, b.status, a.status);
            }
            let gaps_after = gaps(&after);
            for gap in &gaps_after {
                // A gap after adding was a gap (or inside a gap) before.
                let before_gaps = gaps(&before);
                prop_assert!(before_gaps.iter().any(|g| covers(g, gap) || covers(gap, g)));
            }
        }

        /// Independence holds exactly when no one of the team is an auditee.
        #[test]
        fn independence_holds_exactly_when_team_and_auditees_are_disjoint(
            lead in 1i64..8,
            auditors in proptest::collection::vec(1i64..8, 0..4),
            auditees in proptest::collection::vec(1i64..8, 0..4),
        ) {
            let result = check_independence(lead, &auditors, &auditees, |id| format!("P{id}"));
            let disjoint = !auditees.contains(&lead) && auditors.iter().all(|a| !auditees.contains(a));
            prop_assert_eq!(result.is_ok(), disjoint);
            if let Err(e) = result {
                prop_assert!(auditees.contains(&e.person_id));
                let named = format!("P{}", e.person_id);
                prop_assert!(e.message.contains(&named));
            }
        }

        /// Every generated checklist item lies within the scope, once.
        #[test]
        fn checklist_items_lie_in_scope(scope in proptest::collection::vec(scope_number(), 1..4)) {
            let library = crate::model::clause_library::bundled().unwrap();
            let items = generate_checklist(&scope, &library.clauses);
            let mut seen = std::collections::BTreeSet::new();
            for item in &items {
                prop_assert!(scope.iter().any(|s| covers(s, &item.clause)));
                prop_assert!(seen.insert(item.clause.clone()));
            }
            for (number, _) in CLAUSES {
                if scope.iter().any(|s| covers(s, number)) {
                    prop_assert!(seen.contains(*number));
                }
            }
        }
    }
}
