//! The supplier register (clause 8.3.4): external suppliers, internal suppliers and customers
//! acting as suppliers, the services each supports, their contracts with the agreed targets
//! and renewal notice, and the performance reviews held on a cycle. A business impact analysis
//! names the suppliers a service depends on from here.

use crate::error::FieldErrors;
use crate::model::access::Role;
use crate::model::actor::ActorFacts;
use crate::model::labelled::labelled_enum;
use crate::model::refs::{PersonRef, ServiceRef};
use crate::model::sms_risk::{review_standing, ReviewStanding};
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// Clause 8.3.4 treats the three differently: an external supplier has a contract, an
    /// internal supplier or a customer acting as one has documented agreed targets.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum SupplierKind {
        External => ("external", "External supplier"),
        Internal => ("internal", "Internal supplier"),
        Customer => ("customer", "Customer acting as a supplier"),
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum SupplierStatus {
        Active => ("active", "Active"),
        Retired => ("retired", "Retired"),
    }
}

labelled_enum! {
    /// What a performance review found against the agreed targets.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum ReviewOutcome {
        Meets => ("meets", "Meets its targets"),
        PartlyMeets => ("partly", "Partly meets its targets"),
        DoesNotMeet => ("fails", "Does not meet its targets"),
    }
}

/// The shortest and longest review cycles, in months.
pub const REVIEW_CYCLES: std::ops::RangeInclusive<u32> = 1..=24;
/// A supplier supports at most this many services (more is the whole catalogue: say so).
pub const MAX_SERVICES: usize = 50;
/// The longest renewal notice a contract may give, in days.
pub const MAX_NOTICE_DAYS: u32 = 730;
/// The most contracts one supplier holds that have not ended.
pub const MAX_CONTRACTS: usize = 50;
/// How long before a contract's notice date the renewal decision is flagged as due.
pub const RENEWAL_LEAD_DAYS: i64 = 30;

/// Who changes a supplier: its relationship manager, or a service level or quality manager
/// (who keep the whole register). Another service owner keeps their own suppliers only.
pub fn may_change(owner_id: i64, actor: &ActorFacts) -> bool {
    actor.user_id == owner_id || actor.any(&[Role::ServiceLevelManager, Role::QualityManager])
}

/// The refusal when `may_change` says no.
pub const NOT_YOURS: &str =
    "Only the supplier's relationship manager, a service level manager or a quality manager changes it.";

pub fn reference(id: i64) -> String {
    format!("SUP-{id}")
}

/// "SUP-12" or "12" as the supplier's id.
pub fn parse_reference(text: &str) -> Option<i64> {
    let text = text.trim();
    let number = match text.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("SUP-") => &text[4..],
        _ => text,
    };
    number.trim().parse::<i64>().ok().filter(|id| *id > 0)
}

/// The next review after one held on `reviewed_on`, a cycle of `months` later.
pub fn next_review(reviewed_on: NaiveDate, months: u32) -> NaiveDate {
    reviewed_on
        .checked_add_months(Months::new(months))
        .unwrap_or(reviewed_on)
}

/// A supplier as typed into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SupplierForm {
    pub name: String,
    pub kind: String,
    /// What the supplier provides, in a sentence or two.
    pub provides: String,
    /// The person in the organisation who manages the relationship.
    pub owner_id: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub service_ids: Vec<String>,
    pub review_every_months: String,
    /// The first review (recording a supplier only; reviews move it afterwards).
    pub first_review_on: String,
}

/// A checked supplier, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierDraft {
    pub name: String,
    pub kind: SupplierKind,
    pub provides: String,
    pub owner_id: i64,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub service_ids: Vec<i64>,
    pub review_every_months: u32,
    /// Set when recording; an edit keeps the stored date.
    pub first_review_on: Option<NaiveDate>,
}

/// A plausible e-mail address: one `@` with text either side and a dot in the domain, no
/// spaces. (Whether it reaches anyone is for the mail server to say.)
pub fn plausible_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// A telephone number as people write them: digits, spaces and `+ ( ) - . /`, with at least
/// six digits.
pub fn plausible_phone(value: &str) -> bool {
    value
        .chars()
        .all(|c| c.is_ascii_digit() || " +()-./".contains(c))
        && value.chars().filter(char::is_ascii_digit).count() >= 6
}

impl SupplierForm {
    /// A new supplier: the first review is on or after `today` and within one cycle.
    pub fn validate(&self, today: NaiveDate) -> Result<SupplierDraft, FieldErrors> {
        self.checked(Some(today))
    }

    /// An edit: the review date stays where the last review put it.
    pub fn validate_edit(&self) -> Result<SupplierDraft, FieldErrors> {
        self.checked(None)
    }

    fn checked(&self, recording_on: Option<NaiveDate>) -> Result<SupplierDraft, FieldErrors> {
        use crate::model::text::{bounded, line};
        let mut errors = FieldErrors::new();
        let name = line(&mut errors, "name", "Name", &self.name, 2, 120);
        let kind = SupplierKind::parse(&self.kind);
        if kind.is_none() {
            errors.add(
                "kind",
                "Say whether it is an external supplier, an internal supplier or a customer acting as one.",
            );
        }
        let provides = bounded(
            &mut errors,
            "provides",
            "What it provides",
            &self.provides,
            0,
            2000,
        );
        let owner_id = self
            .owner_id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0);
        if owner_id.is_none() {
            errors.add("owner_id", "Choose who manages the relationship.");
        }
        let contact_name = line(
            &mut errors,
            "contact_name",
            "Contact name",
            &self.contact_name,
            0,
            120,
        );
        let contact_email = line(
            &mut errors,
            "contact_email",
            "Contact e-mail",
            &self.contact_email,
            0,
            254,
        );
        if !contact_email.is_empty() && !plausible_email(&contact_email) {
            errors.add(
                "contact_email",
                "Enter an e-mail address such as desk@supplier.example.",
            );
        }
        let contact_phone = line(
            &mut errors,
            "contact_phone",
            "Contact telephone",
            &self.contact_phone,
            0,
            40,
        );
        if !contact_phone.is_empty() && !plausible_phone(&contact_phone) {
            errors.add(
                "contact_phone",
                "Enter a telephone number: digits, spaces and + ( ) - . /, at least six digits.",
            );
        }
        let service_ids = crate::model::refs::chosen_ids(
            &mut errors,
            "service_ids",
            &self.service_ids,
            MAX_SERVICES,
            &format!("Name at most {MAX_SERVICES} services."),
        );
        let cycle = self
            .review_every_months
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|m| REVIEW_CYCLES.contains(m));
        if cycle.is_none() {
            errors.add(
                "review_every_months",
                format!(
                    "Review the supplier every {} to {} months.",
                    REVIEW_CYCLES.start(),
                    REVIEW_CYCLES.end()
                ),
            );
        }
        let first_review_on = match recording_on {
            None => None,
            Some(today) => match crate::model::typed::date(&self.first_review_on) {
                Ok(date) if date < today => {
                    errors.add("first_review_on", "The first review cannot be in the past.");
                    None
                }
                Ok(date) if cycle.is_some_and(|m| date > next_review(today, m)) => {
                    errors.add(
                        "first_review_on",
                        "Hold the first review within one review cycle from today.",
                    );
                    None
                }
                Ok(date) => Some(date),
                Err(refusal) => {
                    errors.add(
                        "first_review_on",
                        refusal.message("Enter the first review's date (YYYY-MM-DD)."),
                    );
                    None
                }
            },
        };
        match (kind, owner_id, cycle) {
            (Some(kind), Some(owner_id), Some(review_every_months)) if errors.is_empty() => {
                Ok(SupplierDraft {
                    name,
                    kind,
                    provides,
                    owner_id,
                    contact_name,
                    contact_email,
                    contact_phone,
                    service_ids,
                    review_every_months,
                    first_review_on,
                })
            }
            _ => Err(errors),
        }
    }
}

/// A contract (or, for internal suppliers, the documented agreement) as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContractForm {
    pub reference: String,
    pub starts_on: String,
    /// Empty: open-ended (renewal notice does not apply).
    pub ends_on: String,
    /// Days before the end by which renewal or exit must be decided.
    pub notice_days: String,
    /// Optional, as the contract states it ("EUR 48,000 a year").
    pub value: String,
    /// The agreed targets the supplier is reviewed against.
    pub targets: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractDraft {
    pub reference: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub notice_days: u32,
    pub value: String,
    pub targets: String,
}

impl ContractDraft {
    /// The day renewal notice starts: `notice_days` before the end.
    pub fn notice_on(&self) -> Option<NaiveDate> {
        notice_on(self.ends_on, self.notice_days)
    }
}

pub fn notice_on(ends_on: Option<NaiveDate>, notice_days: u32) -> Option<NaiveDate> {
    ends_on.map(|end| end - chrono::Duration::days(i64::from(notice_days)))
}

impl ContractForm {
    pub fn validate(&self) -> Result<ContractDraft, FieldErrors> {
        use crate::model::text::{bounded, line};
        let mut errors = FieldErrors::new();
        let reference = line(
            &mut errors,
            "reference",
            "Contract reference",
            &self.reference,
            1,
            60,
        );
        let date = |errors: &mut FieldErrors, field: &str, value: &str, what: &str| {
            match crate::model::typed::date(value) {
                Ok(date) => Some(date),
                Err(refusal) => {
                    errors.add(
                        field,
                        refusal.message(&format!("Enter the {what} as YYYY-MM-DD.")),
                    );
                    None
                }
            }
        };
        let starts_on = date(&mut errors, "starts_on", &self.starts_on, "start date");
        let ends_on = if self.ends_on.trim().is_empty() {
            None
        } else {
            date(&mut errors, "ends_on", &self.ends_on, "end date")
        };
        if let (Some(start), Some(end)) = (starts_on, ends_on) {
            if end < start {
                errors.add("ends_on", "The contract cannot end before it starts.");
            }
        }
        let length = match (starts_on, ends_on) {
            (Some(start), Some(end)) => Some((end - start).num_days()),
            _ => None,
        };
        let notice_days = if self.notice_days.trim().is_empty() {
            Some(0)
        } else {
            self.notice_days
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|d| *d <= MAX_NOTICE_DAYS)
        };
        if notice_days.is_none() {
            errors.add(
                "notice_days",
                format!("Give the renewal notice in whole days, 0 to {MAX_NOTICE_DAYS}."),
            );
        }
        if let (Some(days), Some(length)) = (notice_days, length) {
            if days > 0 && i64::from(days) >= length {
                errors.add(
                    "notice_days",
                    "The notice is longer than the contract: it would be due before the contract starts.",
                );
            }
        }
        if notice_days.is_some_and(|d| d > 0) && ends_on.is_none() && self.ends_on.trim().is_empty()
        {
            errors.add(
                "notice_days",
                "An open-ended contract has no renewal date: give its end date or no notice.",
            );
        }
        let value = line(&mut errors, "value", "Value", &self.value, 0, 60);
        let targets = bounded(
            &mut errors,
            "targets",
            "Agreed targets",
            &self.targets,
            10,
            4000,
        );
        match (starts_on, notice_days) {
            (Some(starts_on), Some(notice_days)) if errors.is_empty() => Ok(ContractDraft {
                reference,
                starts_on,
                ends_on,
                notice_days,
                value,
                targets,
            }),
            _ => Err(errors),
        }
    }
}

/// Where a contract stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContractStanding {
    NotStarted,
    InForce,
    /// In force, with a later contract recorded to follow it: renewal decided.
    Renewed,
    /// In force, and its notice date is within `RENEWAL_LEAD_DAYS`: decide on renewal.
    RenewalDue,
    /// In force, its notice date passed with no later contract recorded.
    NoticePassed,
    Ended,
}

impl ContractStanding {
    pub fn of(
        starts_on: NaiveDate,
        ends_on: Option<NaiveDate>,
        notice_days: u32,
        superseded: bool,
        today: NaiveDate,
    ) -> Self {
        if today < starts_on {
            return Self::NotStarted;
        }
        match (ends_on, notice_on(ends_on, notice_days)) {
            (Some(end), _) if end < today => Self::Ended,
            _ if superseded => Self::Renewed,
            (_, Some(notice)) if notice < today => Self::NoticePassed,
            (_, Some(notice)) if today >= notice - chrono::Duration::days(RENEWAL_LEAD_DAYS) => {
                Self::RenewalDue
            }
            _ => Self::InForce,
        }
    }

    /// In force on the day (whatever its renewal).
    pub fn in_force(self) -> bool {
        matches!(
            self,
            Self::InForce | Self::Renewed | Self::RenewalDue | Self::NoticePassed
        )
    }

    /// A renewal decision is waiting (due, or its notice date passed).
    pub fn awaits_renewal(self) -> bool {
        matches!(self, Self::RenewalDue | Self::NoticePassed)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "Not started",
            Self::InForce => "In force",
            Self::Renewed => "In force, renewed",
            Self::RenewalDue => "Renewal decision due",
            Self::NoticePassed => "Notice date passed",
            Self::Ended => "Ended",
        }
    }
}

/// A performance review as typed. The review is held today; the next falls a cycle later.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SupplierReviewForm {
    pub outcome: String,
    /// What the review found against the agreed targets.
    pub findings: String,
    /// What will be done; required when a target was missed.
    pub actions: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierReviewDraft {
    pub outcome: ReviewOutcome,
    pub findings: String,
    pub actions: String,
}

impl SupplierReviewForm {
    pub fn validate(&self) -> Result<SupplierReviewDraft, FieldErrors> {
        use crate::model::text::bounded;
        let mut errors = FieldErrors::new();
        let outcome = ReviewOutcome::parse(&self.outcome);
        if outcome.is_none() {
            errors.add(
                "outcome",
                "Say whether the supplier met its agreed targets.",
            );
        }
        let findings = bounded(
            &mut errors,
            "findings",
            "What the review found",
            &self.findings,
            10,
            4000,
        );
        let missed = outcome.is_some_and(|o| o != ReviewOutcome::Meets);
        if missed && self.actions.trim().is_empty() {
            errors.add(
                "actions",
                "A review that finds targets missed says what will be done about them.",
            );
        }
        let actions = bounded(
            &mut errors,
            "actions",
            "Actions",
            &self.actions,
            if missed { 10 } else { 0 },
            4000,
        );
        match outcome {
            Some(outcome) if errors.is_empty() => Ok(SupplierReviewDraft {
                outcome,
                findings,
                actions,
            }),
            _ => Err(errors),
        }
    }
}

/// Retires or restores a supplier; retiring says why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SupplierStatusForm {
    pub status: String,
    pub reason: String,
}

impl SupplierStatusForm {
    pub fn validate(&self) -> Result<(SupplierStatus, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let status = SupplierStatus::parse(&self.status);
        if status.is_none() {
            errors.add("status", "Choose to retire or restore the supplier.");
        }
        let reason = crate::model::text::bounded(
            &mut errors,
            "reason",
            "Reason",
            &self.reason,
            if status == Some(SupplierStatus::Retired) {
                10
            } else {
                0
            },
            1000,
        );
        match status {
            Some(status) if errors.is_empty() => Ok((status, reason)),
            _ => Err(errors),
        }
    }
}

/// A contract as the supplier's page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    pub id: i64,
    pub reference: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub notice_days: u32,
    pub value: String,
    pub targets: String,
    pub standing: ContractStanding,
}

impl Contract {
    pub fn notice_on(&self) -> Option<NaiveDate> {
        notice_on(self.ends_on, self.notice_days)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierReview {
    pub id: i64,
    pub reviewed_on: NaiveDate,
    pub by: PersonRef,
    pub outcome: ReviewOutcome,
    pub findings: String,
    pub actions: String,
    pub next_review_on: NaiveDate,
}

/// A service whose business impact analysis names the supplier, with the recovery time the
/// supplier promises there (if given) against the service's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependent {
    pub service: ServiceRef,
    pub supplier_rto_minutes: Option<u32>,
    pub service_rto_minutes: Option<u32>,
}

impl Dependent {
    /// The supplier promises to be back later than the service must be.
    pub fn late(&self) -> bool {
        matches!((self.supplier_rto_minutes, self.service_rto_minutes), (Some(s), Some(r)) if s > r)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplier {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub kind: SupplierKind,
    pub status: SupplierStatus,
    pub provides: String,
    pub owner: PersonRef,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub services: Vec<ServiceRef>,
    pub review_every_months: u32,
    pub next_review_on: NaiveDate,
    pub last_outcome: Option<ReviewOutcome>,
    pub retired_reason: Option<String>,
    pub contracts: Vec<Contract>,
    pub reviews: Vec<SupplierReview>,
    pub dependents: Vec<Dependent>,
    pub created_by: PersonRef,
    pub created_at: DateTime<Utc>,
    pub version: i32,
}

impl Supplier {
    pub fn form(&self) -> SupplierForm {
        SupplierForm {
            name: self.name.clone(),
            kind: self.kind.as_str().into(),
            provides: self.provides.clone(),
            owner_id: self.owner.id.to_string(),
            contact_name: self.contact_name.clone(),
            contact_email: self.contact_email.clone(),
            contact_phone: self.contact_phone.clone(),
            service_ids: self.services.iter().map(|s| s.id.to_string()).collect(),
            review_every_months: self.review_every_months.to_string(),
            first_review_on: self.next_review_on.to_string(),
        }
    }

    /// What an auditor would question first, worst first.
    pub fn concerns(&self, today: NaiveDate) -> Vec<String> {
        let mut concerns = Vec::new();
        if self.status == SupplierStatus::Retired {
            return concerns;
        }
        if self.reviews.is_empty() {
            concerns.push("Never reviewed.".to_string());
        }
        if review_standing(self.next_review_on, today) == ReviewStanding::Overdue {
            concerns.push(format!("Review overdue since {}.", self.next_review_on));
        }
        if self.kind == SupplierKind::External
            && !self.contracts.iter().any(|c| c.standing.in_force())
        {
            concerns.push("No contract in force.".to_string());
        }
        for contract in &self.contracts {
            let (notice, end) = (
                contract
                    .notice_on()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                contract.ends_on.map(|d| d.to_string()).unwrap_or_default(),
            );
            match contract.standing {
                ContractStanding::RenewalDue => concerns.push(format!(
                    "Contract {}: decide on renewal by {notice} (it ends {end}).",
                    contract.reference
                )),
                ContractStanding::NoticePassed => concerns.push(format!(
                    "Contract {}: its notice date {notice} passed with no renewal recorded (it ends {end}).",
                    contract.reference
                )),
                _ => {}
            }
        }
        for dependent in self.dependents.iter().filter(|d| d.late()) {
            concerns.push(format!(
                "Recovers later than {} needs (its BIA).",
                dependent.service.name
            ));
        }
        concerns
    }
}

/// A supplier a continuity plan's services depend on (from their impact analyses), with what
/// the plan's reader needs in a disruption: whom to call, and how fast it promises to recover
/// against what each service needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSupplier {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub status: SupplierStatus,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub last_outcome: Option<ReviewOutcome>,
    /// The plan's services that depend on it.
    pub services: Vec<Dependent>,
}

impl PlanSupplier {
    /// It promises to be back later than one of the plan's services needs.
    pub fn late(&self) -> bool {
        self.services.iter().any(Dependent::late)
    }
}

/// The supplier page: the record and what the reader may do with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierRecord {
    pub supplier: Supplier,
    pub may_manage: bool,
    pub today: NaiveDate,
}

/// A row of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierRow {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub kind: SupplierKind,
    pub status: SupplierStatus,
    pub owner: String,
    pub next_review_on: NaiveDate,
    pub last_outcome: Option<ReviewOutcome>,
    pub last_reviewed_on: Option<NaiveDate>,
    /// The nearest end of a contract still in force.
    pub next_contract_end: Option<NaiveDate>,
}

/// A row of the CSV export: the register row and the rest of the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierExportRow {
    pub row: SupplierRow,
    pub provides: String,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub services: Vec<String>,
    pub contracts: Vec<String>,
    pub review_every_months: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierPage {
    pub rows: Vec<SupplierRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub today: NaiveDate,
}

/// What the supplier form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplierChoices {
    pub services: Vec<ServiceRef>,
    pub owners: Vec<PersonRef>,
}

/// The register's filters, as in the query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SupplierListParams {
    pub q: String,
    /// `active` (the default), `retired` or `all`.
    pub status: String,
    pub kind: String,
    /// `due`: review overdue or due within the notice period; `overdue`; `never`.
    pub review: String,
    /// `due`: a contract whose renewal notice has started.
    pub renewal: String,
    pub page: String,
    pub after: String,
    pub before: String,
}

impl SupplierListParams {
    /// `None` for every status.
    pub fn status(&self) -> Option<SupplierStatus> {
        match self.status.trim() {
            "all" => None,
            other => Some(SupplierStatus::parse(other).unwrap_or(SupplierStatus::Active)),
        }
    }

    pub fn kind(&self) -> Option<SupplierKind> {
        SupplierKind::parse(&self.kind)
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

    /// The register's link to `page`, keeping the filters.
    pub fn href_at(&self, page: u64, key: Option<crate::model::listing::PageKey>) -> String {
        crate::model::listing::list_href(
            "/suppliers",
            &[
                ("q", &self.q),
                ("status", &self.status),
                ("kind", &self.kind),
                ("review", &self.review),
                ("renewal", &self.renewal),
            ],
            page,
            key,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn form() -> SupplierForm {
        SupplierForm {
            name: "Northwind Hosting".into(),
            kind: "external".into(),
            provides: "Data-centre hosting".into(),
            owner_id: "4".into(),
            contact_name: "Service desk".into(),
            contact_email: "desk@northwind.example".into(),
            contact_phone: "+44 20 7946 0000".into(),
            service_ids: vec!["2".into(), "2".into(), "3".into()],
            review_every_months: "6".into(),
            first_review_on: "2026-12-20".into(),
        }
    }

    #[test]
    fn a_supplier_form_reads_and_drops_repeated_services() {
        let draft = form().validate(day("2026-12-07")).unwrap();
        assert_eq!(draft.service_ids, vec![2, 3]);
        assert_eq!(draft.kind, SupplierKind::External);
        assert_eq!(draft.first_review_on, Some(day("2026-12-20")));
        assert_eq!(form().validate_edit().unwrap().first_review_on, None);
    }

    #[test]
    fn a_supplier_form_names_each_bad_field() {
        let bad = SupplierForm {
            name: "X".into(),
            kind: "vendor".into(),
            owner_id: "me".into(),
            contact_email: "desk at northwind".into(),
            contact_phone: "call us".into(),
            service_ids: vec!["one".into()],
            review_every_months: "36".into(),
            first_review_on: "2026-12-01".into(),
            ..form()
        };
        let errors = bad.validate(day("2026-12-07")).unwrap_err();
        for field in [
            "name",
            "kind",
            "owner_id",
            "contact_email",
            "contact_phone",
            "service_ids",
            "review_every_months",
            "first_review_on",
        ] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        let late = SupplierForm {
            first_review_on: "2027-12-07".into(),
            ..form()
        };
        assert_eq!(
            late.validate(day("2026-12-07"))
                .unwrap_err()
                .get("first_review_on"),
            Some("Hold the first review within one review cycle from today.")
        );
    }

    #[test]
    fn references_read_with_or_without_the_prefix() {
        assert_eq!(parse_reference("SUP-12"), Some(12));
        assert_eq!(parse_reference("sup-3"), Some(3));
        assert_eq!(parse_reference(" 7 "), Some(7));
        assert_eq!(parse_reference("RSK-7"), None);
        assert_eq!(parse_reference("SUP-0"), None);
        assert_eq!(parse_reference("SUPé"), None);
        assert_eq!(reference(5), "SUP-5");
    }

    #[test]
    fn a_contract_checks_its_dates_notice_and_targets() {
        let good = ContractForm {
            reference: "C-2026-01".into(),
            starts_on: "2026-01-01".into(),
            ends_on: "2027-12-31".into(),
            notice_days: "90".into(),
            value: "EUR 48,000 a year".into(),
            targets: "99.9% availability; P1 response 30 min".into(),
        };
        let draft = good.validate().unwrap();
        assert_eq!(draft.notice_on(), Some(day("2027-10-02")));
        let backwards = ContractForm {
            ends_on: "2025-12-31".into(),
            ..good.clone()
        };
        assert_eq!(
            backwards.validate().unwrap_err().get("ends_on"),
            Some("The contract cannot end before it starts.")
        );
        let notice_beyond_length = ContractForm {
            ends_on: "2026-02-01".into(),
            ..good.clone()
        };
        assert_eq!(
            notice_beyond_length.validate().unwrap_err().get("notice_days"),
            Some("The notice is longer than the contract: it would be due before the contract starts.")
        );
        let open_with_notice = ContractForm {
            ends_on: String::new(),
            ..good.clone()
        };
        assert!(open_with_notice
            .validate()
            .unwrap_err()
            .get("notice_days")
            .is_some());
        let open = ContractForm {
            ends_on: String::new(),
            notice_days: String::new(),
            ..good.clone()
        };
        assert_eq!(open.validate().unwrap().notice_on(), None);
        let silly = ContractForm {
            notice_days: "-3".into(),
            targets: "fast".into(),
            reference: String::new(),
            ..good
        };
        let errors = silly.validate().unwrap_err();
        for field in ["notice_days", "targets", "reference"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn a_contract_stands_by_its_dates_notice_and_renewal() {
        // Ends 31 December with 60 days' notice: notice by 1 November, flagged from 2 October.
        let standing = |today, superseded| {
            ContractStanding::of(
                day("2026-01-01"),
                Some(day("2026-12-31")),
                60,
                superseded,
                day(today),
            )
        };
        assert_eq!(standing("2025-12-31", false), ContractStanding::NotStarted);
        assert_eq!(standing("2026-06-01", false), ContractStanding::InForce);
        assert_eq!(standing("2026-10-01", false), ContractStanding::InForce);
        assert_eq!(standing("2026-10-02", false), ContractStanding::RenewalDue);
        assert_eq!(standing("2026-11-01", false), ContractStanding::RenewalDue);
        assert_eq!(
            standing("2026-11-02", false),
            ContractStanding::NoticePassed
        );
        assert_eq!(
            standing("2026-12-31", false),
            ContractStanding::NoticePassed
        );
        assert_eq!(standing("2026-11-02", true), ContractStanding::Renewed);
        assert_eq!(standing("2027-01-01", false), ContractStanding::Ended);
        assert_eq!(
            ContractStanding::of(day("2026-01-01"), None, 0, false, day("2040-01-01")),
            ContractStanding::InForce
        );
    }

    #[test]
    fn only_the_relationship_manager_or_the_register_keepers_change_a_supplier() {
        let owner = ActorFacts::person(4, vec![Role::ServiceOwner]);
        let other_owner = ActorFacts::person(5, vec![Role::ServiceOwner]);
        assert!(may_change(4, &owner));
        assert!(!may_change(4, &other_owner));
        for role in [Role::ServiceLevelManager, Role::QualityManager] {
            assert!(may_change(4, &ActorFacts::person(9, vec![role])));
        }
    }

    #[test]
    fn a_review_that_finds_targets_missed_says_what_will_be_done() {
        let missed = SupplierReviewForm {
            outcome: "partly".into(),
            findings: "Two P1 responses took over an hour.".into(),
            actions: String::new(),
        };
        assert_eq!(
            missed.validate().unwrap_err().get("actions"),
            Some("A review that finds targets missed says what will be done about them.")
        );
        let met = SupplierReviewForm {
            outcome: "meets".into(),
            ..missed.clone()
        };
        assert_eq!(met.validate().unwrap().outcome, ReviewOutcome::Meets);
        let with_actions = SupplierReviewForm {
            actions: "Service credits claimed; monthly call until fixed.".into(),
            ..missed
        };
        assert_eq!(
            with_actions.validate().unwrap().outcome,
            ReviewOutcome::PartlyMeets
        );
    }

    #[test]
    fn retiring_says_why_and_restoring_need_not() {
        let retire = SupplierStatusForm {
            status: "retired".into(),
            reason: "".into(),
        };
        assert!(retire.validate().unwrap_err().get("reason").is_some());
        let restore = SupplierStatusForm {
            status: "active".into(),
            reason: "".into(),
        };
        assert_eq!(restore.validate().unwrap().0, SupplierStatus::Active);
    }

    #[test]
    fn contacts_are_plausible_or_refused() {
        assert!(plausible_email("desk@northwind.example"));
        for bad in [
            "desk@",
            "@x.example",
            "a b@x.example",
            "desk@example",
            "a@b@c.example",
            "desk@.example",
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
        assert!(plausible_phone("+44 (0)20 7946-0000"));
        assert!(!plausible_phone("12345"));
        assert!(!plausible_phone("0800 FLOWERS"));
    }

    proptest! {
        /// The next review is one cycle on, never before the review, whatever the day and
        /// cycle (month ends clamp: 31 January + 1 month is 28 or 29 February).
        #[test]
        fn the_next_review_is_one_cycle_on(days in 0i64..20_000, months in 1u32..=24) {
            let reviewed = day("2000-01-01") + chrono::Duration::days(days);
            let next = next_review(reviewed, months);
            prop_assert!(next > reviewed);
            let span = (next - reviewed).num_days();
            prop_assert!(span >= i64::from(months) * 28 && span <= i64::from(months) * 31);
        }

        /// Renewal is flagged only while the contract is in force, from the lead time before
        /// its notice date; a renewed contract is never flagged; an ended one never in force.
        #[test]
        fn renewal_is_flagged_only_inside_its_window(
            start in 0i64..1000, length in 0i64..1000, notice in 0u32..=MAX_NOTICE_DAYS,
            today in 0i64..2500, superseded: bool
        ) {
            let base = day("2025-01-01");
            let (starts, ends, today) = (base + chrono::Duration::days(start), base + chrono::Duration::days(start + length), base + chrono::Duration::days(today));
            let standing = ContractStanding::of(starts, Some(ends), notice, superseded, today);
            let notice_day = notice_on(Some(ends), notice).unwrap();
            if standing.awaits_renewal() {
                prop_assert!(!superseded);
                prop_assert!(today <= ends && today >= starts);
                prop_assert!(today >= notice_day - chrono::Duration::days(RENEWAL_LEAD_DAYS));
                prop_assert_eq!(standing == ContractStanding::NoticePassed, today > notice_day);
            }
            prop_assert_eq!(standing == ContractStanding::Ended, today > ends && today >= starts);
            prop_assert_eq!(standing.in_force(), today >= starts && today <= ends);
        }
    }
}
