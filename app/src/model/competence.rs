//! Competence (clause 7.2): the competences the SMS needs, who needs each (SMS roles, named
//! people, optionally for one service), and the evidence each person holds — training, a
//! certificate or assessed experience — with its expiry. The matrix of people against
//! competences shows gaps and expiries; nobody records their own competence.

use crate::error::FieldErrors;
use crate::model::access::Role;
use crate::model::labelled::labelled_enum;
use crate::model::refs::{PersonRef, ServiceRef};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// How a person showed the competence.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum EvidenceKind {
        Training => ("training", "Training"),
        Certificate => ("certificate", "Certificate"),
        Assessed => ("assessed", "Assessed experience"),
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum CompetenceStatus {
        Active => ("active", "Active"),
        Retired => ("retired", "Retired"),
    }
}

labelled_enum! {
    /// What a gap does when someone acts without the competence (a gate on an activity).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Gate {
        Off => ("off", "Not checked"),
        /// Shown to them and noted on the record.
        Warn => ("warn", "Warn"),
        /// Refused, with the reason.
        Block => ("block", "Refuse"),
    }
}

/// An activity a competence can gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GatedActivity {
    /// Casting a vote in a CAB meeting (on a change touching the competence's service, if it
    /// names one).
    CabVote,
    /// Owning a continuity plan (covering the competence's service, if it names one).
    PlanOwner,
}

/// A competence checked at an activity that the person acting lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateGap {
    pub competence_id: i64,
    pub name: String,
    pub gate: Gate,
    /// When their last evidence expired; none when they never held it (or it was withdrawn).
    pub expired_on: Option<NaiveDate>,
}

impl GateGap {
    /// "“CAB chair” (expired 2026-10-01)" or "“CAB chair” (not held)".
    pub fn words(&self) -> String {
        match self.expired_on {
            Some(day) => format!("“{}” (expired {day})", self.name),
            None => format!("“{}” (not held)", self.name),
        }
    }
}

/// The gaps in words, joined: "“A” (not held), “B” (expired 2026-10-01)".
pub fn gaps_words(gaps: &[GateGap]) -> String {
    gaps.iter()
        .map(GateGap::words)
        .collect::<Vec<_>>()
        .join(", ")
}

fn blocking(gaps: &[GateGap]) -> Vec<GateGap> {
    gaps.iter()
        .filter(|g| g.gate == Gate::Block)
        .cloned()
        .collect()
}

/// Why the person may not `act` (e.g. "vote on this change"), when a gap is set to refuse.
pub fn gate_refusal(gaps: &[GateGap], act: &str) -> Option<String> {
    let blocking = blocking(gaps);
    (!blocking.is_empty()).then(|| {
        format!(
            "You cannot {act} without {}: the quality manager requires it. A quality manager records your evidence once you hold it.",
            gaps_words(&blocking)
        )
    })
}

/// Why a plan is not approved while its owner lacks a competence set to refuse.
pub fn owner_gate_refusal(gaps: &[GateGap]) -> Option<String> {
    let blocking = blocking(gaps);
    (!blocking.is_empty()).then(|| {
        format!(
            "The plan's owner does not hold {}, which the quality manager requires of a plan owner: record their evidence or give the plan another owner before approving it.",
            gaps_words(&blocking)
        )
    })
}

/// How long evidence may stay valid, in months (a competence without one never expires).
pub const VALIDITY_MONTHS: std::ops::RangeInclusive<u32> = 1..=120;
/// The most active competences: each is a column of the matrix, which must stay readable
/// and printable.
pub const MAX_ACTIVE: u64 = 40;
/// The most people a competence names besides its roles.
pub const MAX_NAMED: usize = 50;
/// Evidence expiring within this many days is flagged on the matrix and the dashboard.
pub const EXPIRY_NOTICE_DAYS: i64 = 60;

/// Self-attestation is not evidence: the holder never records (or withdraws) their own.
pub const NOT_YOUR_OWN: &str = "Nobody records or withdraws their own competence: someone else who keeps competence records does it from the evidence.";

/// Where a person's evidence stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Standing {
    Valid,
    /// Valid, but expires within `EXPIRY_NOTICE_DAYS`.
    Expiring,
    Expired,
}

impl Standing {
    /// The standing on `today` of evidence that expires on `expires_on` (the last valid day).
    pub fn of(expires_on: Option<NaiveDate>, today: NaiveDate) -> Standing {
        match expires_on {
            Some(last) if last < today => Standing::Expired,
            Some(last) if (last - today).num_days() < EXPIRY_NOTICE_DAYS => Standing::Expiring,
            _ => Standing::Valid,
        }
    }

    pub fn holds(self) -> bool {
        self != Standing::Expired
    }
}

/// The day evidence achieved on `achieved_on` expires under a validity of `months`.
/// The day before the same day `months` on; when that month is too short for the day (achieved
/// on 31 January, one month), its last day: evidence never loses days to the calendar.
pub fn expiry(achieved_on: NaiveDate, months: Option<u32>) -> Option<NaiveDate> {
    use chrono::Datelike;
    months.map(|m| match achieved_on.checked_add_months(Months::new(m)) {
        Some(same_day) if same_day.day() == achieved_on.day() => {
            same_day.pred_opt().unwrap_or(same_day)
        }
        Some(month_end) => month_end,
        None => achieved_on,
    })
}

/// Whether a competence required of `roles` and `named` people is required of a person.
pub fn required_of(roles: &[Role], named: &[i64], person_id: i64, person_roles: &[Role]) -> bool {
    named.contains(&person_id) || person_roles.iter().any(|r| roles.contains(r))
}

/// A competence as typed into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CompetenceForm {
    pub name: String,
    pub description: String,
    /// Role codes: everyone holding one of them needs the competence.
    pub roles: Vec<String>,
    /// People who need it besides the roles (e.g. the continuity manager for Payroll).
    pub people: Vec<String>,
    /// The service it is for, if any.
    pub service_id: String,
    /// Empty: the evidence never expires.
    pub validity_months: String,
    /// A `Gate` code for casting a CAB vote without it (empty: not checked).
    pub cab_vote: String,
    /// A `Gate` code for owning a continuity plan without it (empty: not checked).
    pub plan_owner: String,
}

/// A checked competence, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetenceDraft {
    pub name: String,
    pub description: String,
    pub roles: Vec<Role>,
    pub people: Vec<i64>,
    pub service_id: Option<i64>,
    pub validity_months: Option<u32>,
    pub cab_vote: Gate,
    pub plan_owner: Gate,
}

/// A gate as chosen: empty is not checked.
fn gate(errors: &mut FieldErrors, field: &str, code: &str) -> Gate {
    match code.trim() {
        "" => Gate::Off,
        code => Gate::parse(code).unwrap_or_else(|| {
            errors.add(field, "Choose what happens from the list.");
            Gate::Off
        }),
    }
}

impl CompetenceForm {
    pub fn validate(&self) -> Result<CompetenceDraft, FieldErrors> {
        use crate::model::text::{bounded, line};
        let mut errors = FieldErrors::new();
        let name = line(&mut errors, "name", "Name", &self.name, 2, 120);
        let description = bounded(
            &mut errors,
            "description",
            "What it means",
            &self.description,
            0,
            2000,
        );
        let roles = crate::model::refs::chosen_roles(&mut errors, "roles", &self.roles);
        let people = crate::model::refs::chosen_ids(
            &mut errors,
            "people",
            &self.people,
            MAX_NAMED,
            &format!("Name at most {MAX_NAMED} people; require it of a role instead."),
        );
        if roles.is_empty() && people.is_empty() && errors.is_empty() {
            errors.add(
                "roles",
                "Say who needs it: at least one role or one named person.",
            );
        }
        let service_id = match self.service_id.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.add("service_id", "Choose the service from the list.");
                    None
                }
            },
        };
        let validity_months = match self.validity_months.trim() {
            "" => None,
            text => match text.parse::<u32>() {
                Ok(m) if VALIDITY_MONTHS.contains(&m) => Some(m),
                _ => {
                    errors.add(
                        "validity_months",
                        format!(
                            "Evidence stays valid {} to {} months, or leave it empty if it never expires.",
                            VALIDITY_MONTHS.start(),
                            VALIDITY_MONTHS.end()
                        ),
                    );
                    None
                }
            },
        };
        let cab_vote = gate(&mut errors, "cab_vote", &self.cab_vote);
        let plan_owner = gate(&mut errors, "plan_owner", &self.plan_owner);
        errors.into_result(CompetenceDraft {
            name,
            description,
            roles,
            people,
            service_id,
            validity_months,
            cab_vote,
            plan_owner,
        })
    }
}

/// A person's evidence as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EvidenceForm {
    pub user_id: String,
    pub competence_id: String,
    pub kind: String,
    /// The course, the certificate's name and number, or how the experience was assessed.
    pub evidence: String,
    pub achieved_on: String,
    /// Empty: from the competence's validity (or never, when it has none).
    pub expires_on: String,
}

/// Checked evidence, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceDraft {
    pub user_id: i64,
    pub competence_id: i64,
    pub kind: EvidenceKind,
    pub evidence: String,
    pub achieved_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
}

impl EvidenceForm {
    /// Checked on `today` for a competence whose evidence stays valid `validity` months.
    pub fn validate(
        &self,
        today: NaiveDate,
        validity: Option<u32>,
    ) -> Result<EvidenceDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let id = |errors: &mut FieldErrors, field: &str, value: &str, message: &str| {
            let id = value.trim().parse::<i64>().ok().filter(|id| *id > 0);
            if id.is_none() {
                errors.add(field, message);
            }
            id.unwrap_or(0)
        };
        let user_id = id(&mut errors, "user_id", &self.user_id, "Choose the person.");
        let competence_id = id(
            &mut errors,
            "competence_id",
            &self.competence_id,
            "Choose the competence.",
        );
        let kind = EvidenceKind::parse(&self.kind);
        if kind.is_none() {
            errors.add(
                "kind",
                "Say whether it is training, a certificate or assessed experience.",
            );
        }
        let evidence = crate::model::text::bounded(
            &mut errors,
            "evidence",
            "Evidence",
            &self.evidence,
            5,
            1000,
        );
        let achieved_on = match crate::model::typed::date(&self.achieved_on) {
            Ok(date) if date > today => {
                errors.add("achieved_on", "Evidence cannot be from the future.");
                None
            }
            Ok(date) => Some(date),
            Err(refusal) => {
                errors.add(
                    "achieved_on",
                    refusal.message("Enter when it was achieved (YYYY-MM-DD)."),
                );
                None
            }
        };
        let expires_on = match self.expires_on.trim() {
            "" => achieved_on.and_then(|d| expiry(d, validity)),
            text => match crate::model::typed::date(text) {
                Ok(date) if achieved_on.is_some_and(|a| date <= a) => {
                    errors.add("expires_on", "It expires after it was achieved.");
                    None
                }
                // A typed expiry may shorten the competence's validity, never extend it:
                // otherwise one entry would exempt a person from revalidation.
                Ok(date)
                    if achieved_on
                        .and_then(|a| expiry(a, validity))
                        .is_some_and(|limit| date > limit) =>
                {
                    let limit = achieved_on.and_then(|a| expiry(a, validity));
                    errors.add(
                        "expires_on",
                        format!(
                            "Evidence of this competence stays valid {} months: from that achievement, until {} at the latest.",
                            validity.unwrap_or_default(),
                            limit.map(|d| d.to_string()).unwrap_or_default()
                        ),
                    );
                    None
                }
                Ok(date) => Some(date),
                Err(refusal) => {
                    errors.add(
                        "expires_on",
                        refusal.message("Enter the expiry (YYYY-MM-DD) or leave it empty."),
                    );
                    None
                }
            },
        };
        if expires_on.is_some_and(|last| last < today) && errors.is_empty() {
            errors.add(
                "expires_on",
                "This evidence has already expired: record current evidence.",
            );
        }
        match (kind, achieved_on) {
            (Some(kind), Some(achieved_on)) if errors.is_empty() => Ok(EvidenceDraft {
                user_id,
                competence_id,
                kind,
                evidence,
                achieved_on,
                expires_on,
            }),
            _ => Err(errors),
        }
    }
}

/// Why evidence is withdrawn (found false, certificate revoked), as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WithdrawForm {
    pub reason: String,
}

impl WithdrawForm {
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::new();
        let reason =
            crate::model::text::bounded(&mut errors, "reason", "Reason", &self.reason, 10, 500);
        errors.into_result(reason)
    }
}

/// One cell of the matrix: whether the person needs the competence and the best evidence
/// they hold for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    pub required: bool,
    /// The latest-expiring evidence not withdrawn; `None` when they hold none.
    pub expires: Option<Held>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub expires_on: Option<NaiveDate>,
    pub standing: Standing,
}

impl Cell {
    /// Required and not held on the day (never held, or expired).
    pub fn gap(&self) -> bool {
        self.required && !self.expires.is_some_and(|h| h.standing.holds())
    }

    /// The cell in words (the matrix prints them, so colour never carries meaning alone).
    pub fn label(&self) -> String {
        let until = |d: Option<NaiveDate>| d.map_or(String::new(), |d| format!(" until {d}"));
        match (self.required, self.expires) {
            (
                _,
                Some(Held {
                    standing: Standing::Valid,
                    expires_on,
                }),
            ) => format!("Held{}", until(expires_on)),
            (
                _,
                Some(Held {
                    standing: Standing::Expiring,
                    expires_on,
                }),
            ) => format!("Expiring{}", until(expires_on)),
            (
                true,
                Some(Held {
                    standing: Standing::Expired,
                    expires_on,
                }),
            ) => format!(
                "Gap: expired {}",
                expires_on.map_or(String::new(), |d| d.to_string())
            ),
            (
                false,
                Some(Held {
                    standing: Standing::Expired,
                    ..
                }),
            ) => "Expired (not required)".into(),
            (true, None) => "Gap: not held".into(),
            (false, None) => String::new(),
        }
    }

    /// A CSS modifier for the cell.
    pub fn class(&self) -> &'static str {
        match (self.gap(), self.expires.map(|h| h.standing)) {
            (true, _) => "competence-gap",
            (false, Some(Standing::Expiring)) => "competence-expiring",
            (false, Some(Standing::Valid)) => "competence-held",
            _ => "competence-none",
        }
    }
}

/// The best evidence among several (the one valid longest; open-ended beats any date).
pub fn best(
    expiries: impl IntoIterator<Item = Option<NaiveDate>>,
    today: NaiveDate,
) -> Option<Held> {
    expiries
        .into_iter()
        .max_by_key(|e| e.unwrap_or(NaiveDate::MAX))
        .map(|expires_on| Held {
            expires_on,
            standing: Standing::of(expires_on, today),
        })
}

/// A competence as the matrix's column heads name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetenceColumn {
    pub id: i64,
    pub name: String,
    pub service: Option<ServiceRef>,
}

/// One person's row of the matrix, one cell per column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub person: PersonRef,
    pub roles: Vec<Role>,
    pub cells: Vec<Cell>,
}

impl MatrixRow {
    pub fn gaps(&self) -> usize {
        self.cells.iter().filter(|c| c.gap()).count()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixPage {
    pub columns: Vec<CompetenceColumn>,
    /// Retired competences, so they can be found and restored.
    pub retired: Vec<CompetenceColumn>,
    pub rows: Vec<MatrixRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub today: NaiveDate,
}

/// The matrix's filters, as in the query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatrixParams {
    /// A name to search people by.
    pub q: String,
    /// A role code: only people holding it.
    pub role: String,
    /// `yes`: only people with a gap (a required competence not held, or expired).
    pub gaps: String,
    pub page: String,
    pub after: String,
    pub before: String,
}

impl MatrixParams {
    pub fn role(&self) -> Option<Role> {
        Role::parse(self.role.trim())
    }

    pub fn gaps_only(&self) -> bool {
        self.gaps.trim() == "yes"
    }

    pub fn search(&self) -> String {
        self.q.trim().chars().take(100).collect()
    }

    pub fn page_number(&self) -> u64 {
        crate::model::listing::parse_page(Some(&self.page))
    }

    pub fn page_key(&self) -> Option<crate::model::listing::PageKey> {
        crate::model::listing::PageKey::parse(Some(&self.after), Some(&self.before))
    }

    /// The matrix's link to `page`, keeping the filters.
    pub fn href_at(&self, page: u64, key: Option<crate::model::listing::PageKey>) -> String {
        crate::model::listing::list_href(
            "/competences",
            &[("q", &self.q), ("role", &self.role), ("gaps", &self.gaps)],
            page,
            key,
        )
    }
}

/// One piece of evidence a person holds (or held: withdrawn evidence stays, with why).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub id: i64,
    pub person: PersonRef,
    pub competence: CompetenceColumn,
    pub kind: EvidenceKind,
    pub evidence: String,
    pub achieved_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub standing: Standing,
    pub recorded_by: PersonRef,
    pub recorded_at: DateTime<Utc>,
    pub withdrawn: Option<Withdrawal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withdrawal {
    pub by: PersonRef,
    pub at: DateTime<Utc>,
    pub reason: String,
}

/// A competence with who needs it and where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Competence {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub roles: Vec<Role>,
    pub people: Vec<PersonRef>,
    pub service: Option<ServiceRef>,
    pub validity_months: Option<u32>,
    pub cab_vote: Gate,
    pub plan_owner: Gate,
    pub status: CompetenceStatus,
    pub version: i32,
    /// Current evidence (not withdrawn), soonest expiry first.
    pub evidence: Vec<Evidence>,
    /// Enabled people who need it and hold no valid evidence (the first `LISTED`).
    pub missing: Vec<PersonRef>,
    /// How many in all: the page says when it lists only some.
    pub evidence_total: u64,
    pub missing_total: u64,
    pub today: NaiveDate,
    /// The reader keeps competence records (set by the server for the reader).
    pub may_manage: bool,
    /// The reader's own id: their own evidence is not theirs to withdraw.
    pub reader_id: i64,
}

impl Competence {
    pub fn form(&self) -> CompetenceForm {
        CompetenceForm {
            name: self.name.clone(),
            description: self.description.clone(),
            roles: self.roles.iter().map(|r| r.as_str().to_string()).collect(),
            people: self.people.iter().map(|p| p.id.to_string()).collect(),
            service_id: self
                .service
                .as_ref()
                .map_or(String::new(), |s| s.id.to_string()),
            validity_months: self
                .validity_months
                .map_or(String::new(), |m| m.to_string()),
            cab_vote: self.cab_vote.as_str().into(),
            plan_owner: self.plan_owner.as_str().into(),
        }
    }
}

/// A person's competences: what they need, where they stand, and their evidence history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCompetences {
    pub person: PersonRef,
    pub roles: Vec<Role>,
    /// Every active competence they need or hold, with its cell.
    pub standing: Vec<(CompetenceColumn, Cell)>,
    /// Every active competence, needed or not: evidence may be recorded for any.
    pub active: Vec<CompetenceColumn>,
    /// Every piece of evidence, newest first, withdrawn included.
    pub evidence: Vec<Evidence>,
    pub today: NaiveDate,
    /// The reader keeps competence records and this is someone else: they may record and
    /// withdraw this person's evidence.
    pub may_record: bool,
}

/// What the competence forms offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetenceChoices {
    pub people: Vec<PersonRef>,
    pub services: Vec<ServiceRef>,
}

/// A dashboard reminder: one of the reader's own competences needs attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetenceReminder {
    pub competence: CompetenceColumn,
    pub cell: Cell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn form() -> CompetenceForm {
        CompetenceForm {
            name: "CAB chair".into(),
            description: "Runs a change advisory board meeting to the procedure.".into(),
            roles: vec!["change_manager".into(), "change_manager".into()],
            people: vec!["7".into()],
            service_id: String::new(),
            validity_months: "24".into(),
            cab_vote: String::new(),
            plan_owner: String::new(),
        }
    }

    #[test]
    fn gates_are_chosen_from_the_list_and_only_refuse_when_set_to() {
        let draft = form().validate().unwrap();
        assert_eq!((draft.cab_vote, draft.plan_owner), (Gate::Off, Gate::Off));
        let gated = CompetenceForm {
            cab_vote: "block".into(),
            plan_owner: "warn".into(),
            ..form()
        };
        let draft = gated.validate().unwrap();
        assert_eq!(
            (draft.cab_vote, draft.plan_owner),
            (Gate::Block, Gate::Warn)
        );
        let bad = CompetenceForm {
            cab_vote: "sometimes".into(),
            ..form()
        };
        assert!(bad.validate().unwrap_err().get("cab_vote").is_some());

        let gap = |gate, expired_on| GateGap {
            competence_id: 1,
            name: "CAB chair".into(),
            gate,
            expired_on,
        };
        let expired = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let warned = [gap(Gate::Warn, Some(expired))];
        assert_eq!(gate_refusal(&warned, "vote on this change"), None);
        assert_eq!(owner_gate_refusal(&warned), None);
        assert_eq!(gaps_words(&warned), "“CAB chair” (expired 2026-10-01)");
        let refused = [gap(Gate::Warn, Some(expired)), gap(Gate::Block, None)];
        let reason = gate_refusal(&refused, "vote on this change").unwrap();
        // Only what refuses is named in the refusal.
        assert!(
            reason.starts_with("You cannot vote on this change without “CAB chair” (not held):"),
            "{reason}"
        );
        assert!(owner_gate_refusal(&refused)
            .unwrap()
            .contains("“CAB chair” (not held)"));
    }

    #[test]
    fn a_competence_needs_someone_who_needs_it() {
        let draft = form().validate().unwrap();
        assert_eq!(draft.roles, vec![Role::ChangeManager]);
        assert_eq!(draft.people, vec![7]);
        assert_eq!(draft.validity_months, Some(24));
        let nobody = CompetenceForm {
            roles: vec![],
            people: vec![],
            ..form()
        };
        assert!(nobody.validate().unwrap_err().get("roles").is_some());
        let bad = CompetenceForm {
            roles: vec!["wizard".into()],
            validity_months: "0".into(),
            service_id: "x".into(),
            name: " ".into(),
            ..form()
        };
        let errors = bad.validate().unwrap_err();
        for field in ["roles", "validity_months", "service_id", "name"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let open_ended = CompetenceForm {
            validity_months: String::new(),
            ..form()
        };
        assert_eq!(open_ended.validate().unwrap().validity_months, None);
    }

    fn evidence() -> EvidenceForm {
        EvidenceForm {
            user_id: "3".into(),
            competence_id: "1".into(),
            kind: "certificate".into(),
            evidence: "ITIL 4 Foundation, certificate 12345".into(),
            achieved_on: "2026-01-15".into(),
            expires_on: String::new(),
        }
    }

    #[test]
    fn evidence_expires_after_the_competences_validity_unless_told() {
        let today = day("2026-12-07");
        let draft = evidence().validate(today, Some(24)).unwrap();
        assert_eq!(draft.expires_on, Some(day("2028-01-14")));
        assert_eq!(draft.kind, EvidenceKind::Certificate);
        let never = evidence().validate(today, None).unwrap();
        assert_eq!(never.expires_on, None);
        let told = EvidenceForm {
            expires_on: "2027-06-30".into(),
            ..evidence()
        };
        assert_eq!(
            told.validate(today, Some(24)).unwrap().expires_on,
            Some(day("2027-06-30"))
        );
    }

    #[test]
    fn validity_ends_the_day_before_or_at_a_short_months_end() {
        assert_eq!(expiry(day("2026-01-15"), Some(1)), Some(day("2026-02-14")));
        assert_eq!(expiry(day("2026-01-31"), Some(1)), Some(day("2026-02-28")));
        assert_eq!(expiry(day("2024-02-29"), Some(12)), Some(day("2025-02-28")));
        assert_eq!(expiry(day("2026-01-28"), Some(1)), Some(day("2026-02-27")));
        assert_eq!(expiry(day("2026-01-28"), None), None);
        // A typed expiry shortens the validity, never extends it.
        let today = day("2026-12-07");
        let longer = EvidenceForm {
            expires_on: "2099-12-31".into(),
            ..evidence()
        };
        assert!(longer
            .validate(today, Some(24))
            .unwrap_err()
            .get("expires_on")
            .is_some());
        assert_eq!(
            longer.validate(today, None).unwrap().expires_on,
            Some(day("2099-12-31"))
        );
    }

    #[test]
    fn evidence_from_the_future_already_expired_or_unreadable_is_refused() {
        let today = day("2026-12-07");
        let future = EvidenceForm {
            achieved_on: "2026-12-08".into(),
            ..evidence()
        };
        assert!(future
            .validate(today, None)
            .unwrap_err()
            .get("achieved_on")
            .is_some());
        let lapsed = EvidenceForm {
            achieved_on: "2020-01-01".into(),
            ..evidence()
        };
        assert!(lapsed
            .validate(today, Some(12))
            .unwrap_err()
            .get("expires_on")
            .is_some());
        let backwards = EvidenceForm {
            expires_on: "2026-01-15".into(),
            ..evidence()
        };
        assert!(backwards
            .validate(today, None)
            .unwrap_err()
            .get("expires_on")
            .is_some());
        let junk = EvidenceForm {
            user_id: "-1".into(),
            competence_id: "".into(),
            kind: "rumour".into(),
            evidence: "ok".into(),
            ..evidence()
        };
        let errors = junk.validate(today, None).unwrap_err();
        for field in ["user_id", "competence_id", "kind", "evidence"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        assert!(WithdrawForm {
            reason: "no".into()
        }
        .validate()
        .is_err());
    }

    #[test]
    fn cells_say_gaps_and_expiries_in_words() {
        let today = day("2026-12-07");
        let held = |expires_on: Option<NaiveDate>| {
            Some(Held {
                expires_on,
                standing: Standing::of(expires_on, today),
            })
        };
        let gap = Cell {
            required: true,
            expires: None,
        };
        assert!(gap.gap());
        assert_eq!(gap.label(), "Gap: not held");
        let expired = Cell {
            required: true,
            expires: held(Some(day("2026-12-06"))),
        };
        assert!(expired.gap());
        assert_eq!(expired.label(), "Gap: expired 2026-12-06");
        let expiring = Cell {
            required: true,
            expires: held(Some(day("2027-01-15"))),
        };
        assert!(!expiring.gap());
        assert_eq!(expiring.class(), "competence-expiring");
        let extra = Cell {
            required: false,
            expires: held(None),
        };
        assert_eq!(extra.label(), "Held");
        assert_eq!(
            Cell {
                required: false,
                expires: None
            }
            .label(),
            ""
        );
    }

    #[test]
    fn the_best_evidence_is_the_one_valid_longest() {
        let today = day("2026-12-07");
        let best = best(
            [Some(day("2027-01-01")), None, Some(day("2030-01-01"))],
            today,
        );
        assert_eq!(best.unwrap().expires_on, None);
        assert!(super::best([], today).is_none());
    }

    proptest! {
        /// A cell is a gap exactly when the competence is required and no evidence is valid
        /// on the day; evidence is valid through its last day.
        #[test]
        fn a_gap_is_required_and_not_validly_held(
            required in any::<bool>(),
            expiries in proptest::collection::vec(proptest::option::of(-400i64..400), 0..4),
        ) {
            let today = day("2026-12-07");
            let dates: Vec<Option<NaiveDate>> = expiries
                .iter()
                .map(|e| e.map(|d| today + chrono::Duration::days(d)))
                .collect();
            let cell = Cell { required, expires: best(dates.clone(), today) };
            let valid = dates.iter().any(|d| d.is_none_or(|d| d >= today));
            prop_assert_eq!(cell.gap(), required && !valid);
            prop_assert_eq!(cell.label().starts_with("Gap"), cell.gap());
        }

        #[test]
        fn required_of_roles_or_named_people(
            named in proptest::collection::vec(1i64..6, 0..3),
            person in 1i64..6,
            has_role in any::<bool>(),
        ) {
            let person_roles = if has_role { vec![Role::CabMember] } else { vec![Role::Resolver] };
            prop_assert_eq!(
                required_of(&[Role::CabMember], &named, person, &person_roles),
                has_role || named.contains(&person)
            );
        }
    }
}
