//! Awareness campaigns (clause 7.3): the quality manager asks an audience — SMS roles and
//! named people — to read a document from the register (the policy, a procedure) by a due
//! date. At launch the audience becomes one assignment per person and the document's approved
//! version is pinned; each person acknowledges their own, and completion is reported per role
//! with the overdue named.

use crate::error::FieldErrors;
use crate::model::access::Role;
use crate::model::labelled::labelled_enum;
use crate::model::refs::PersonRef;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum CampaignStatus {
        /// Being prepared: its text, document and audience still change.
        Draft => ("draft", "Draft"),
        /// Launched: the audience acknowledges.
        Running => ("running", "Running"),
        /// Over: its completion is the record.
        Closed => ("closed", "Closed"),
    }
}

/// The most people a campaign names besides its roles.
pub const MAX_NAMED: usize = 200;
/// What share of the audience must acknowledge, in percent.
pub const TARGET_PERCENT: std::ops::RangeInclusive<u32> = 1..=100;
/// The target a new campaign proposes.
pub const DEFAULT_TARGET_PERCENT: u32 = 90;
/// How far ahead a due date may be set, in days (a campaign is a call to act, not a standing
/// instruction).
pub const MAX_DAYS_AHEAD: i64 = 366;

/// An acknowledgement is the person's own statement: nobody makes it for someone else.
pub const ONLY_YOUR_OWN: &str =
    "Only the person themselves acknowledges a campaign: nobody acknowledges for someone else.";

/// What the quality manager does with a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CampaignAction {
    Launch,
    Close,
}

impl CampaignAction {
    pub fn label(self) -> &'static str {
        match self {
            CampaignAction::Launch => "Launch",
            CampaignAction::Close => "Close",
        }
    }
}

/// The campaign lifecycle: a draft is launched once, a running campaign is closed once.
pub fn next_status(
    status: CampaignStatus,
    action: CampaignAction,
) -> Result<CampaignStatus, String> {
    match (status, action) {
        (CampaignStatus::Draft, CampaignAction::Launch) => Ok(CampaignStatus::Running),
        (CampaignStatus::Running, CampaignAction::Close) => Ok(CampaignStatus::Closed),
        (CampaignStatus::Draft, CampaignAction::Close) => {
            Err("A draft was never launched: there is nothing to close.".into())
        }
        (status, action) => Err(format!(
            "A campaign that is {} cannot be moved with “{}”.",
            status.label().to_lowercase(),
            action.label()
        )),
    }
}

/// Why a person cannot acknowledge a campaign in `status`, if they cannot.
pub fn acknowledgement_refused(status: CampaignStatus) -> Option<&'static str> {
    match status {
        CampaignStatus::Draft => Some("That campaign has not been launched yet."),
        CampaignStatus::Running => None,
        CampaignStatus::Closed => {
            Some("That campaign is closed: its completion is the record now.")
        }
    }
}

/// A campaign as typed into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignForm {
    pub title: String,
    /// What the audience is asked to do and why.
    pub message: String,
    pub document_id: String,
    /// Role codes: everyone holding one of them is in the audience.
    pub roles: Vec<String>,
    pub people: Vec<String>,
    pub due_on: String,
    pub target_percent: String,
}

/// A checked campaign, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDraft {
    pub title: String,
    pub message: String,
    pub document_id: i64,
    pub roles: Vec<Role>,
    pub people: Vec<i64>,
    pub due_on: NaiveDate,
    pub target_percent: u32,
}

/// A due date as typed: a date from `today` to `MAX_DAYS_AHEAD` days on.
fn due_date(errors: &mut FieldErrors, field: &str, text: &str, today: NaiveDate) -> NaiveDate {
    match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(day) if day < today => {
            errors.add(
                field,
                "The due date has passed: choose today or a later day.",
            );
            today
        }
        Ok(day) if (day - today).num_days() > MAX_DAYS_AHEAD => {
            errors.add(
                field,
                format!("Choose a due date within {MAX_DAYS_AHEAD} days."),
            );
            today
        }
        Ok(day) => day,
        Err(_) if text.trim().is_empty() => {
            errors.add(field, "Say by when the audience acknowledges.");
            today
        }
        Err(_) => {
            errors.add(field, "Give the due date as YYYY-MM-DD.");
            today
        }
    }
}

impl CampaignForm {
    pub fn new_campaign() -> Self {
        CampaignForm {
            target_percent: DEFAULT_TARGET_PERCENT.to_string(),
            ..Default::default()
        }
    }

    pub fn validate(&self, today: NaiveDate) -> Result<CampaignDraft, FieldErrors> {
        use crate::model::text::{bounded, line};
        let mut errors = FieldErrors::new();
        let title = line(&mut errors, "title", "Title", &self.title, 3, 160);
        let message = bounded(
            &mut errors,
            "message",
            "What you ask of them",
            &self.message,
            10,
            4000,
        );
        let document_id = match self.document_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => id,
            _ => {
                errors.add(
                    "document_id",
                    "Choose the document they read from the register.",
                );
                0
            }
        };
        let roles = crate::model::refs::chosen_roles(&mut errors, "roles", &self.roles);
        let people = crate::model::refs::chosen_ids(
            &mut errors,
            "people",
            &self.people,
            MAX_NAMED,
            &format!("Name at most {MAX_NAMED} people; choose a role instead."),
        );
        if roles.is_empty() && people.is_empty() && errors.get("roles").is_none() {
            errors.add(
                "roles",
                "Say who it is for: at least one role or one named person.",
            );
        }
        let due_on = due_date(&mut errors, "due_on", &self.due_on, today);
        let target_percent = match self.target_percent.trim().parse::<u32>() {
            Ok(p) if TARGET_PERCENT.contains(&p) => p,
            _ => {
                errors.add(
                    "target_percent",
                    "The target is a share of the audience from 1 to 100 percent.",
                );
                DEFAULT_TARGET_PERCENT
            }
        };
        errors.into_result(CampaignDraft {
            title,
            message,
            document_id,
            roles,
            people,
            due_on,
            target_percent,
        })
    }
}

/// A running campaign's new due date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExtendForm {
    pub due_on: String,
}

impl ExtendForm {
    /// Only later than the current due date: an earlier one would make people overdue who
    /// were on time.
    pub fn validate(&self, current: NaiveDate, today: NaiveDate) -> Result<NaiveDate, FieldErrors> {
        let mut errors = FieldErrors::new();
        let day = due_date(&mut errors, "due_on", &self.due_on, today);
        if errors.is_empty() && day <= current {
            errors.add(
                "due_on",
                format!("The campaign is due {current}: a new due date comes after it."),
            );
        }
        errors.into_result(day)
    }
}

/// How far an audience has come. Only people with an enabled account count: a leaver is
/// neither done nor outstanding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completion {
    pub assigned: u64,
    pub acknowledged: u64,
    /// Not acknowledged and past the due date.
    pub overdue: u64,
}

impl Completion {
    /// The acknowledged share in whole percent, rounded down (99.6% is not 100%); none for an
    /// empty audience.
    pub fn percent(&self) -> Option<u32> {
        (self.assigned > 0)
            .then(|| (self.acknowledged.min(self.assigned) * 100 / self.assigned) as u32)
    }

    /// Whether the share reaches `target` percent, compared exactly (no rounding).
    pub fn meets(&self, target: u32) -> bool {
        self.assigned > 0 && self.acknowledged * 100 >= u64::from(target) * self.assigned
    }

    pub fn outstanding(&self) -> u64 {
        self.assigned.saturating_sub(self.acknowledged)
    }

    /// "7 of 9 (77%)".
    pub fn words(&self) -> String {
        match self.percent() {
            Some(p) => format!("{} of {} ({p}%)", self.acknowledged, self.assigned),
            None => "Nobody assigned".into(),
        }
    }
}

/// Where one person stands in a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Progress {
    Acknowledged { on: NaiveDate, late: bool },
    Due,
    Overdue,
}

impl Progress {
    /// `acknowledged_on` is the person's own day of acknowledging.
    pub fn of(acknowledged_on: Option<NaiveDate>, due_on: NaiveDate, today: NaiveDate) -> Progress {
        match acknowledged_on {
            Some(on) => Progress::Acknowledged {
                on,
                late: on > due_on,
            },
            None if today > due_on => Progress::Overdue,
            None => Progress::Due,
        }
    }

    pub fn words(&self) -> String {
        match self {
            Progress::Acknowledged { on, late: false } => format!("Acknowledged {on}"),
            Progress::Acknowledged { on, late: true } => format!("Acknowledged {on}, late"),
            Progress::Due => "Not yet".into(),
            Progress::Overdue => "Overdue".into(),
        }
    }
}

/// The document a campaign asks people to read: the version pinned at launch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDocument {
    pub id: i64,
    pub title: String,
    /// The approved version's number: pinned at launch, the current approved one before.
    pub version: Option<i32>,
}

impl CampaignDocument {
    /// The register's page of the version people are asked to read.
    pub fn href(&self) -> String {
        match self.version {
            Some(v) => format!("/compliance/documents/{}?version={v}", self.id),
            None => format!("/compliance/documents/{}", self.id),
        }
    }

    pub fn words(&self) -> String {
        match self.version {
            Some(v) => format!("{} (version {v})", self.title),
            None => format!("{} (no approved version)", self.title),
        }
    }
}

/// One campaign in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignRow {
    pub id: i64,
    pub title: String,
    pub status: CampaignStatus,
    pub document: CampaignDocument,
    pub due_on: NaiveDate,
    pub target_percent: u32,
    pub completion: Completion,
}

impl CampaignRow {
    /// Below target after its due date: what the auditor asks about.
    pub fn behind(&self, today: NaiveDate) -> bool {
        self.status != CampaignStatus::Draft
            && self.due_on < today
            && !self.completion.meets(self.target_percent)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignList {
    pub rows: Vec<CampaignRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub today: NaiveDate,
}

/// The list's filters, as in the query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignParams {
    /// A status code; empty: all.
    pub status: String,
    pub page: String,
    pub after: String,
    pub before: String,
}

impl CampaignParams {
    pub fn status(&self) -> Option<CampaignStatus> {
        CampaignStatus::parse(&self.status)
    }

    pub fn page_number(&self) -> u64 {
        crate::model::listing::parse_page(Some(&self.page))
    }

    pub fn page_key(&self) -> Option<crate::model::listing::PageKey> {
        crate::model::listing::PageKey::parse(Some(&self.after), Some(&self.before))
    }

    pub fn href_at(&self, page: u64, key: Option<crate::model::listing::PageKey>) -> String {
        crate::model::listing::list_href("/awareness", &[("status", &self.status)], page, key)
    }
}

/// Completion among the audience members holding one role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleCompletion {
    pub role: Role,
    pub completion: Completion,
}

/// One audience member and where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRow {
    pub person: PersonRef,
    pub progress: Progress,
}

/// Who did what to the campaign, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub by: PersonRef,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    pub id: i64,
    pub title: String,
    pub message: String,
    pub status: CampaignStatus,
    pub document: CampaignDocument,
    pub roles: Vec<Role>,
    pub people: Vec<PersonRef>,
    pub due_on: NaiveDate,
    pub target_percent: u32,
    pub version: i32,
    pub created: Stamp,
    pub launched: Option<Stamp>,
    pub closed: Option<Stamp>,
    pub completion: Completion,
    pub by_role: Vec<RoleCompletion>,
    /// Those who have not acknowledged, overdue first (at most `LISTED`; the export has all).
    pub outstanding: Vec<AssignmentRow>,
    /// People in the audience now (by role or name) who were not when it launched.
    pub newcomers: u64,
    /// The reader's own place in the audience.
    pub mine: Option<Progress>,
    pub may_manage: bool,
    pub today: NaiveDate,
}

impl Campaign {
    pub fn form(&self) -> CampaignForm {
        CampaignForm {
            title: self.title.clone(),
            message: self.message.clone(),
            document_id: self.document.id.to_string(),
            roles: self.roles.iter().map(|r| r.as_str().to_string()).collect(),
            people: self.people.iter().map(|p| p.id.to_string()).collect(),
            due_on: self.due_on.to_string(),
            target_percent: self.target_percent.to_string(),
        }
    }
}

/// A campaign waiting for the reader's acknowledgement (the dashboard).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwarenessDue {
    pub campaign_id: i64,
    pub title: String,
    pub message: String,
    pub document: CampaignDocument,
    pub due_on: NaiveDate,
    pub overdue: bool,
}

/// What the campaign form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignChoices {
    /// Documents with an approved version, not retired.
    pub documents: Vec<CampaignDocument>,
    pub people: Vec<PersonRef>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn form() -> CampaignForm {
        CampaignForm {
            title: "Service management policy 2027".into(),
            message: "Read the policy and acknowledge it.".into(),
            document_id: "3".into(),
            roles: vec!["cab_member".into(), "cab_member".into()],
            people: vec!["7".into()],
            due_on: "2026-12-31".into(),
            target_percent: "90".into(),
        }
    }

    #[test]
    fn a_complete_form_becomes_a_draft() {
        let draft = form().validate(day("2026-12-07")).unwrap();
        assert_eq!(draft.roles, vec![Role::CabMember]);
        assert_eq!(draft.people, vec![7]);
        assert_eq!(draft.due_on, day("2026-12-31"));
        assert_eq!(draft.target_percent, 90);
    }

    #[test]
    fn each_bad_field_says_what_is_wrong() {
        let today = day("2026-12-07");
        let bad = CampaignForm {
            title: "x".into(),
            message: "".into(),
            document_id: "none".into(),
            roles: vec!["superuser".into()],
            people: vec![],
            due_on: "2026-12-06".into(),
            target_percent: "0".into(),
        };
        let errors = bad.validate(today).unwrap_err();
        for field in [
            "title",
            "message",
            "document_id",
            "roles",
            "due_on",
            "target_percent",
        ] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let nobody = CampaignForm {
            roles: vec![],
            people: vec![],
            ..form()
        };
        assert_eq!(
            nobody.validate(today).unwrap_err().get("roles"),
            Some("Say who it is for: at least one role or one named person.")
        );
        let far = CampaignForm {
            due_on: "2028-01-01".into(),
            ..form()
        };
        assert!(far.validate(today).unwrap_err().get("due_on").is_some());
        let garbled = CampaignForm {
            due_on: "31/12/2026".into(),
            ..form()
        };
        assert_eq!(
            garbled.validate(today).unwrap_err().get("due_on"),
            Some("Give the due date as YYYY-MM-DD.")
        );
    }

    #[test]
    fn a_due_date_of_today_is_allowed() {
        let today = day("2026-12-31");
        assert_eq!(form().validate(today).unwrap().due_on, today);
    }

    #[test]
    fn extending_only_moves_the_due_date_later() {
        let today = day("2026-12-07");
        let current = day("2026-12-20");
        let later = ExtendForm {
            due_on: "2027-01-10".into(),
        };
        assert_eq!(later.validate(current, today), Ok(day("2027-01-10")));
        for earlier in ["2026-12-20", "2026-12-10"] {
            let form = ExtendForm {
                due_on: earlier.into(),
            };
            assert!(form
                .validate(current, today)
                .unwrap_err()
                .get("due_on")
                .is_some());
        }
        // An overdue campaign is extended to a day that has not passed.
        let past = ExtendForm {
            due_on: "2026-12-01".into(),
        };
        assert!(past
            .validate(day("2026-11-20"), today)
            .unwrap_err()
            .get("due_on")
            .is_some());
    }

    #[test]
    fn a_campaign_links_to_the_version_it_asks_people_to_read() {
        let pinned = CampaignDocument {
            id: 4,
            title: "Service management policy".into(),
            version: Some(3),
        };
        assert_eq!(pinned.href(), "/compliance/documents/4?version=3");
        assert_eq!(pinned.words(), "Service management policy (version 3)");
        let none = CampaignDocument {
            version: None,
            ..pinned
        };
        assert_eq!(none.href(), "/compliance/documents/4");
    }

    #[test]
    fn the_lifecycle_launches_once_and_closes_once() {
        use CampaignAction::*;
        use CampaignStatus::*;
        assert_eq!(next_status(Draft, Launch), Ok(Running));
        assert_eq!(next_status(Running, Close), Ok(Closed));
        assert!(next_status(Running, Launch).is_err());
        assert!(next_status(Closed, Close).is_err());
        assert!(next_status(Closed, Launch).is_err());
        assert!(next_status(Draft, Close).is_err());
        assert!(acknowledgement_refused(Draft).is_some());
        assert!(acknowledgement_refused(Closed).is_some());
        assert_eq!(acknowledgement_refused(Running), None);
    }

    #[test]
    fn progress_reads_the_due_date_inclusively() {
        let due = day("2026-12-10");
        assert_eq!(Progress::of(None, due, due), Progress::Due);
        assert_eq!(
            Progress::of(None, due, day("2026-12-11")),
            Progress::Overdue
        );
        assert_eq!(
            Progress::of(Some(due), due, day("2026-12-20")),
            Progress::Acknowledged {
                on: due,
                late: false
            }
        );
        assert_eq!(
            Progress::of(Some(day("2026-12-11")), due, day("2026-12-20")),
            Progress::Acknowledged {
                on: day("2026-12-11"),
                late: true
            }
        );
    }

    #[test]
    fn completion_rounds_down_and_meets_targets_exactly() {
        let c = Completion {
            assigned: 3,
            acknowledged: 2,
            overdue: 1,
        };
        assert_eq!(c.percent(), Some(66));
        assert!(c.meets(66));
        assert!(!c.meets(67));
        assert_eq!(c.words(), "2 of 3 (66%)");
        let empty = Completion::default();
        assert_eq!(empty.percent(), None);
        assert!(!empty.meets(1), "an empty audience shows nothing was done");
    }

    proptest! {
        /// The percentage shown never claims more than was done, and meeting a target agrees
        /// with the exact share.
        #[test]
        fn completion_never_overstates(assigned in 1u64..5000, done in 0u64..5000, target in 1u32..=100) {
            let c = Completion { assigned, acknowledged: done.min(assigned), overdue: 0 };
            let percent = c.percent().unwrap();
            prop_assert!(percent <= 100);
            prop_assert!(u64::from(percent) * assigned <= c.acknowledged * 100);
            // Rounding down never flips the verdict: a whole-percent target is met exactly
            // when the shown percentage reaches it.
            prop_assert_eq!(c.meets(target), percent >= target);
        }

        /// Progress: acknowledged whenever a day is recorded, late exactly when after the due
        /// date; otherwise overdue exactly after the due date.
        #[test]
        fn progress_agrees_with_the_dates(due in 0i64..60, today in 0i64..60, ack in proptest::option::of(0i64..60)) {
            let base = day("2026-12-01");
            let at = |d: i64| base + chrono::Duration::days(d);
            let progress = Progress::of(ack.map(at), at(due), at(today));
            match (ack, progress) {
                (Some(a), Progress::Acknowledged { late, .. }) => prop_assert_eq!(late, a > due),
                (None, Progress::Overdue) => prop_assert!(today > due),
                (None, Progress::Due) => prop_assert!(today <= due),
                _ => prop_assert!(false, "unexpected {:?}", progress),
            }
        }
    }
}
