//! Service level agreements (ISO/IEC 20000-1 clause 8.3.3), the rules without the storage:
//! what an agreement promises (response and resolution times per priority, monthly
//! availability, request fulfilment), measured on a service-hours calendar, and how it is
//! agreed: a service level manager drafts it, someone who wrote no part of it approves it, and
//! an approved agreement is never written again — a revision is a new draft that replaces it
//! when approved.

use crate::error::FieldErrors;
use crate::model::access::Role;
use crate::model::actor::{refuse, ActorFacts, Refusal};
use crate::model::labelled::labelled_enum;
use crate::model::priority_matrix::TicketPriority;
use crate::model::refs::{PersonRef, ServiceRef};
use crate::model::target_clock::MAX_TARGET_MINUTES;
use crate::model::text;
use crate::model::typed;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum AgreementState {
        Draft => ("draft", "Draft"),
        InReview => ("in_review", "In review"),
        Approved => ("approved", "Approved"),
        /// Replaced by an approved revision, or ended: kept for the records measured against it.
        Retired => ("retired", "Retired"),
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum AgreementAction {
        SendToReview => ("send_to_review", "Send to review"),
        ReturnToDraft => ("return_to_draft", "Return to draft"),
        Approve => ("approve", "Approve"),
        Retire => ("retire", "Retire"),
    }
}

/// The targets for one priority, in minutes of service time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityTarget {
    pub priority: TicketPriority,
    pub response_minutes: u32,
    pub resolution_minutes: u32,
}

/// What an agreement promises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementTerms {
    pub title: String,
    pub customer: String,
    pub service_ids: Vec<i64>,
    pub calendar_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub review_on: NaiveDate,
    /// One per priority, P1 first.
    pub targets: Vec<PriorityTarget>,
    /// Monthly availability promised, in percent (99.5).
    pub availability_percent: f64,
    /// Requests from the catalogue are fulfilled within this much service time.
    pub fulfilment_minutes: u32,
}

impl AgreementTerms {
    pub fn target(&self, priority: TicketPriority) -> Option<PriorityTarget> {
        self.targets
            .iter()
            .copied()
            .find(|t| t.priority == priority)
    }

    /// Whether the agreement covers `on` (its period includes the day).
    pub fn covers(&self, on: NaiveDate) -> bool {
        self.starts_on <= on && self.ends_on.is_none_or(|end| on <= end)
    }
}

/// A stored agreement, as pages show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    pub id: i64,
    pub reference: String,
    pub state: AgreementState,
    pub terms: AgreementTerms,
    pub services: Vec<ServiceRef>,
    pub calendar_name: String,
    /// 1 for the first approved text, one more for each revision.
    pub revision: i32,
    /// The agreement this draft revises (and retires when approved).
    pub revises_id: Option<i64>,
    pub author: PersonRef,
    pub contributor_ids: Vec<i64>,
    pub approved_by: Option<PersonRef>,
    pub approved_at: Option<DateTime<Utc>>,
    pub version: i32,
}

/// An agreement with what the reader may do to it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementRecord {
    pub agreement: Agreement,
    pub actions: Vec<AgreementAction>,
    /// A draft the reader may edit.
    pub may_edit: bool,
    /// An approved text the reader may start a revision of.
    pub may_revise: bool,
}

/// What the agreement and service-hours forms offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementChoices {
    pub services: Vec<ServiceRef>,
    /// Calendars as `(id, name)`.
    pub calendars: Vec<(i64, String)>,
}

/// What the rules need to know about an agreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementFacts {
    pub state: AgreementState,
    pub author_id: i64,
    /// Everyone else who saved any part of this draft.
    pub contributor_ids: Vec<i64>,
}

impl AgreementFacts {
    pub fn wrote(&self, user_id: i64) -> bool {
        self.author_id == user_id || self.contributor_ids.contains(&user_id)
    }
}

/// Who writes agreements: service level managers.
pub fn may_write(actor: &ActorFacts) -> bool {
    actor.has(Role::ServiceLevelManager)
}

/// Only a draft's terms change; what was approved stays as it was approved.
pub fn check_edit(facts: &AgreementFacts, actor: &ActorFacts) -> Result<(), Refusal> {
    if !may_write(actor) {
        return refuse("Only a service level manager writes agreements.");
    }
    if facts.state != AgreementState::Draft {
        return refuse(format!(
            "The agreement is {}: revise it to change its terms.",
            facts.state.label().to_lowercase()
        ));
    }
    Ok(())
}

/// The lifecycle: a service level manager sends a draft to review and takes it back; a
/// service level manager or a quality manager who wrote no part of it approves it; a service
/// level manager retires an approved agreement.
pub fn transition(
    facts: &AgreementFacts,
    action: AgreementAction,
    actor: &ActorFacts,
) -> Result<AgreementState, Refusal> {
    use AgreementAction as A;
    use AgreementState as S;
    let next = match (facts.state, action) {
        (S::Draft, A::SendToReview) => S::InReview,
        (S::InReview, A::ReturnToDraft) => S::Draft,
        (S::InReview, A::Approve) => S::Approved,
        (S::Approved, A::Retire) => S::Retired,
        (state, action) => {
            return refuse(format!(
                "An agreement that is {} cannot take “{}”.",
                state.label().to_lowercase(),
                action.label()
            ))
        }
    };
    match action {
        A::Approve => {
            if !actor.any(&[Role::ServiceLevelManager, Role::QualityManager]) {
                return refuse("A service level manager or a quality manager approves agreements.");
            }
            if facts.wrote(actor.user_id) {
                return refuse(
                    "You wrote part of this agreement: someone who did not approves it.",
                );
            }
        }
        _ => {
            if !may_write(actor) {
                return refuse("Only a service level manager moves an agreement on.");
            }
        }
    }
    Ok(next)
}

/// The steps `actor` may take now.
pub fn available_actions(facts: &AgreementFacts, actor: &ActorFacts) -> Vec<AgreementAction> {
    AgreementAction::ALL
        .into_iter()
        .filter(|a| transition(facts, *a, actor).is_ok())
        .collect()
}

/// The agreement as its form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
// Fields a form leaves out (an unticked box, a step's unused inputs) read as empty.
#[serde(default)]
pub struct AgreementForm {
    pub title: String,
    pub customer: String,
    pub service_ids: Vec<String>,
    pub calendar_id: String,
    pub starts_on: String,
    pub ends_on: String,
    pub review_on: String,
    /// P1 first: minutes to respond and to resolve, as typed.
    pub response: [String; 5],
    pub resolution: [String; 5],
    pub availability: String,
    pub fulfilment: String,
}

impl AgreementForm {
    /// The form of stored terms (to revise them).
    pub fn of(terms: &AgreementTerms) -> AgreementForm {
        let minutes = |pick: fn(&PriorityTarget) -> u32| {
            TicketPriority::ALL.map(|p| {
                terms
                    .target(p)
                    .map(|t| pick(&t).to_string())
                    .unwrap_or_default()
            })
        };
        AgreementForm {
            title: terms.title.clone(),
            customer: terms.customer.clone(),
            service_ids: terms.service_ids.iter().map(i64::to_string).collect(),
            calendar_id: terms.calendar_id.to_string(),
            starts_on: terms.starts_on.to_string(),
            ends_on: terms.ends_on.map(|d| d.to_string()).unwrap_or_default(),
            review_on: terms.review_on.to_string(),
            response: minutes(|t| t.response_minutes),
            resolution: minutes(|t| t.resolution_minutes),
            availability: terms.availability_percent.to_string(),
            fulfilment: terms.fulfilment_minutes.to_string(),
        }
    }

    pub fn validate(&self) -> Result<AgreementTerms, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = text::line(&mut errors, "title", "The title", &self.title, 3, 160);
        let customer = text::line(
            &mut errors,
            "customer",
            "The customer",
            &self.customer,
            2,
            160,
        );
        let mut service_ids = Vec::new();
        for id in &self.service_ids {
            match id.trim().parse::<i64>() {
                Ok(id) if id > 0 => {
                    if !service_ids.contains(&id) {
                        service_ids.push(id)
                    }
                }
                _ => errors.add("service_ids", "Choose the services from the catalogue."),
            }
        }
        if service_ids.is_empty() && errors.get("service_ids").is_none() {
            errors.add(
                "service_ids",
                "Choose at least one service the agreement covers.",
            );
        }
        let calendar_id = match self.calendar_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => id,
            _ => {
                errors.add(
                    "calendar_id",
                    "Choose the service hours the targets are measured in.",
                );
                0
            }
        };
        let mut date = |field: &str, value: &str, required: bool| -> Option<NaiveDate> {
            if value.trim().is_empty() {
                if required {
                    errors.add(field, "Give the date.");
                }
                return None;
            }
            typed::date(value)
                .map_err(|r| errors.add(field, r.message("Enter a date like 2027-01-01.")))
                .ok()
        };
        let starts_on = date("starts_on", &self.starts_on, true);
        let ends_on = date("ends_on", &self.ends_on, false);
        let review_on = date("review_on", &self.review_on, true);
        if let (Some(start), Some(end)) = (starts_on, ends_on) {
            if end < start {
                errors.add("ends_on", "The agreement ends after it starts.");
            }
        }
        if let (Some(start), Some(review)) = (starts_on, review_on) {
            if review <= start {
                errors.add("review_on", "The review falls after the agreement starts.");
            }
        }
        let mut targets = Vec::new();
        for (index, priority) in TicketPriority::ALL.into_iter().enumerate() {
            let response = minutes_field(
                &mut errors,
                &format!("response_{index}"),
                &self.response[index],
            );
            let resolution = minutes_field(
                &mut errors,
                &format!("resolution_{index}"),
                &self.resolution[index],
            );
            if let (Some(response), Some(resolution)) = (response, resolution) {
                if response > resolution {
                    errors.add(
                        &format!("response_{index}"),
                        "The response comes before the resolution: make it no longer.",
                    );
                }
                targets.push(PriorityTarget {
                    priority,
                    response_minutes: response,
                    resolution_minutes: resolution,
                });
            }
        }
        // A more pressing priority never gets a longer target.
        for pair in targets.windows(2) {
            if pair[0].resolution_minutes > pair[1].resolution_minutes {
                let index = pair[0].priority as usize;
                errors.add(
                    &format!("resolution_{index}"),
                    format!(
                        "{} is resolved no slower than {}.",
                        pair[0].priority.label(),
                        pair[1].priority.label()
                    ),
                );
            }
        }
        let availability = match typed::number(&self.availability) {
            Ok(value) if value > 0.0 && value <= 100.0 => value,
            _ => {
                errors.add(
                    "availability",
                    "Give the monthly availability in percent, like 99.5.",
                );
                0.0
            }
        };
        let fulfilment = minutes_field(&mut errors, "fulfilment", &self.fulfilment).unwrap_or(0);
        match (starts_on, review_on) {
            (Some(starts_on), Some(review_on)) if errors.is_empty() => Ok(AgreementTerms {
                title,
                customer,
                service_ids,
                calendar_id,
                starts_on,
                ends_on,
                review_on,
                targets,
                availability_percent: availability,
                fulfilment_minutes: fulfilment,
            }),
            _ => Err(errors),
        }
    }
}

/// A target in whole minutes, from 1 to `MAX_TARGET_MINUTES`.
fn minutes_field(errors: &mut FieldErrors, field: &str, value: &str) -> Option<u32> {
    match value.trim().parse::<u32>() {
        Ok(m) if (1..=MAX_TARGET_MINUTES).contains(&m) => Some(m),
        Ok(_) => {
            errors.add(
                field,
                format!("Give from 1 to {MAX_TARGET_MINUTES} minutes."),
            );
            None
        }
        Err(_) => {
            errors.add(field, "Give the target in whole minutes.");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_form_reads_as_its_page_posts_it() {
        let posted = "title=Payroll+support&customer=Finance&service_ids[0]=3&service_ids[2]=5\
            &calendar_id=1&starts_on=2027-01-01&ends_on=&review_on=2027-06-30\
            &response[0]=15&response[1]=30&response[2]=60&response[3]=240&response[4]=480\
            &resolution[0]=240&resolution[1]=480&resolution[2]=1440&resolution[3]=2880&resolution[4]=4800\
            &availability=99.5&fulfilment=2400";
        let form: AgreementForm = serde_qs::from_str(posted).expect("the page's fields read");
        let terms = form.validate().expect("valid terms");
        assert_eq!(terms.service_ids, vec![3, 5]);
        assert_eq!(terms.targets[4].resolution_minutes, 4800);
        // No service ticked: the field is absent, and the error says what to do.
        let none: AgreementForm = serde_qs::from_str("title=Payroll").expect("reads");
        assert!(none.validate().unwrap_err().get("service_ids").is_some());
    }

    pub(crate) fn filled() -> AgreementForm {
        AgreementForm {
            title: "Mail and calendar".into(),
            customer: "All staff".into(),
            service_ids: vec!["1".into(), "2".into(), "1".into()],
            calendar_id: "1".into(),
            starts_on: "2027-01-01".into(),
            ends_on: "".into(),
            review_on: "2027-12-01".into(),
            response: ["15", "30", "60", "240", "480"].map(String::from),
            resolution: ["240", "480", "1440", "2880", "7200"].map(String::from),
            availability: "99.5 %".into(),
            fulfilment: "1440".into(),
        }
    }

    #[test]
    fn a_filled_form_gives_terms_and_back() {
        let terms = filled().validate().unwrap();
        assert_eq!(terms.service_ids, vec![1, 2]);
        assert_eq!(
            terms.target(TicketPriority::P2).unwrap().resolution_minutes,
            480
        );
        assert_eq!(terms.availability_percent, 99.5);
        assert!(terms.covers(NaiveDate::from_ymd_opt(2030, 1, 1).unwrap()));
        assert!(!terms.covers(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()));
        assert_eq!(AgreementForm::of(&terms).validate().unwrap(), terms);
    }

    #[test]
    fn the_form_says_what_is_wrong() {
        let mut form = filled();
        form.service_ids.clear();
        form.response[0] = "300".into();
        form.resolution[3] = "0".into();
        form.resolution[1] = "100".into();
        form.review_on = "2026-12-01".into();
        form.availability = "101".into();
        form.ends_on = "2026-01-01".into();
        let errors = form.validate().unwrap_err();
        assert!(errors.get("service_ids").unwrap().contains("at least one"));
        assert!(errors.get("response_0").unwrap().contains("no longer"));
        assert!(errors.get("resolution_3").unwrap().contains("from 1"));
        assert!(errors.get("resolution_0").unwrap().contains("no slower"));
        assert!(errors.get("review_on").is_some());
        assert!(errors.get("ends_on").is_some());
        assert!(errors.get("availability").is_some());
    }

    const AUTHOR: i64 = 1;
    const EDITOR: i64 = 2;
    const OTHER_SLM: i64 = 3;

    fn slm(id: i64) -> ActorFacts {
        ActorFacts::person(id, vec![Role::ServiceLevelManager])
    }

    fn in_review() -> AgreementFacts {
        AgreementFacts {
            state: AgreementState::InReview,
            author_id: AUTHOR,
            contributor_ids: vec![EDITOR],
        }
    }

    #[test]
    fn nobody_who_wrote_it_approves_it() {
        let facts = in_review();
        for writer in [AUTHOR, EDITOR] {
            let refusal = transition(&facts, AgreementAction::Approve, &slm(writer)).unwrap_err();
            assert!(refusal.0.contains("You wrote part"), "{writer}");
        }
        assert_eq!(
            transition(&facts, AgreementAction::Approve, &slm(OTHER_SLM)),
            Ok(AgreementState::Approved)
        );
        let quality = ActorFacts::person(9, vec![Role::QualityManager]);
        assert_eq!(
            transition(&facts, AgreementAction::Approve, &quality),
            Ok(AgreementState::Approved)
        );
        let requester = ActorFacts::person(9, vec![Role::Requester]);
        assert!(transition(&facts, AgreementAction::Approve, &requester).is_err());
    }

    #[test]
    fn an_approved_agreement_is_not_edited() {
        let mut facts = in_review();
        facts.state = AgreementState::Approved;
        assert!(check_edit(&facts, &slm(AUTHOR))
            .unwrap_err()
            .0
            .contains("revise"));
        facts.state = AgreementState::Draft;
        assert!(check_edit(&facts, &slm(AUTHOR)).is_ok());
        let quality = ActorFacts::person(9, vec![Role::QualityManager]);
        assert!(check_edit(&facts, &quality).is_err());
    }

    proptest! {
        /// Whoever asks and whatever the state: approval never comes from anyone who wrote
        /// part of the agreement, and only the table's steps happen.
        #[test]
        fn approval_is_never_by_a_writer(
            state in 0usize..4,
            action in 0usize..4,
            actor_id in 1i64..6,
            contributors in proptest::collection::vec(1i64..6, 0..3),
            roles in proptest::sample::subsequence(Role::ALL.to_vec(), 0..3),
        ) {
            let facts = AgreementFacts {
                state: AgreementState::ALL[state],
                author_id: AUTHOR,
                contributor_ids: contributors,
            };
            let actor = ActorFacts::person(actor_id, roles);
            let action = AgreementAction::ALL[action];
            if let Ok(next) = transition(&facts, action, &actor) {
                if next == AgreementState::Approved {
                    prop_assert!(!facts.wrote(actor_id));
                }
                prop_assert!(actor.any(&[Role::ServiceLevelManager, Role::QualityManager]));
            }
        }
    }
}
