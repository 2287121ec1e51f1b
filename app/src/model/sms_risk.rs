//! The SMS risk register (clause 6.1, and the information security risks of 8.7.3), the rules
//! without the storage: risks and opportunities to the SMS and its services, rated likelihood ×
//! impact on the organisation's matrix before treatment (inherent) and after it (residual),
//! treated, accepted and reviewed on a cycle. Named apart from the change-risk questionnaire
//! (`model/risk.rs`), whose level words it shares.
//!
//! The control an auditor samples: a risk rated above the organisation's appetite — now, or
//! at any time since it was recorded or last reopened — is accepted or closed only by a
//! quality manager who does not own it and never has (lowering the rating first does not
//! get around it); an accepted risk keeps the rating it was accepted on until it is
//! reopened. Opportunities are not held to the appetite.

use crate::error::FieldErrors;
use crate::model::access::Role;
use crate::model::actor::{refuse, ActorFacts, Refusal};
use crate::model::labelled::labelled_enum;
use crate::model::refs::{PersonRef, ServiceRef};
use crate::model::risk::RiskLevel;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// Something that could go wrong, or could go better than planned.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum RiskKind {
        Risk => ("risk", "Risk"),
        Opportunity => ("opportunity", "Opportunity"),
    }
}

labelled_enum! {
    /// What is done about it.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Treatment {
        Reduce => ("reduce", "Reduce — act on likelihood or impact"),
        Transfer => ("transfer", "Transfer — insure or contract it out"),
        Avoid => ("avoid", "Avoid — stop the activity"),
        Accept => ("accept", "Accept — live with it as rated"),
        Pursue => ("pursue", "Pursue — act to realise the opportunity"),
    }
}

impl Treatment {
    /// The treatments that make sense for `kind`.
    pub fn for_kind(kind: RiskKind) -> &'static [Treatment] {
        match kind {
            RiskKind::Risk => &[
                Treatment::Reduce,
                Treatment::Transfer,
                Treatment::Avoid,
                Treatment::Accept,
            ],
            RiskKind::Opportunity => &[Treatment::Pursue, Treatment::Accept],
        }
    }

    /// The first word, for tables.
    pub fn word(self) -> &'static str {
        self.label().split(" — ").next().unwrap_or_default()
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum RiskState {
        /// Rated and being treated.
        Open => ("open", "Open"),
        /// The residual rating is accepted; the risk is watched through its reviews.
        Accepted => ("accepted", "Accepted"),
        /// No longer applies (kept, with why).
        Closed => ("closed", "Closed"),
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum RiskAction {
        Accept => ("accept", "Accept the residual risk"),
        Reopen => ("reopen", "Reopen"),
        Close => ("close", "Close"),
    }
}

/// The words of the five likelihood steps, 1 to 5.
pub const LIKELIHOOD: [&str; 5] = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"];
/// The words of the five impact steps, 1 to 5.
pub const IMPACT: [&str; 5] = ["Negligible", "Minor", "Moderate", "Major", "Severe"];

/// A likelihood and an impact, each 1 (least) to 5 (most).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rating {
    pub likelihood: u8,
    pub impact: u8,
}

impl Rating {
    pub fn new(likelihood: u8, impact: u8) -> Option<Rating> {
        ((1..=5).contains(&likelihood) && (1..=5).contains(&impact))
            .then_some(Rating { likelihood, impact })
    }

    /// Likelihood × impact, 1 to 25.
    pub fn score(self) -> u8 {
        self.likelihood * self.impact
    }

    /// "Likely (4) × Major (4) = 16".
    pub fn describe(self) -> String {
        format!(
            "{} ({}) × {} ({}) = {}",
            LIKELIHOOD[usize::from(self.likelihood - 1)],
            self.likelihood,
            IMPACT[usize::from(self.impact - 1)],
            self.impact,
            self.score()
        )
    }
}

/// The organisation's matrix: the level of each likelihood × impact cell, and the appetite —
/// the highest residual level a risk's owner may accept alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskMatrix {
    /// `cells[likelihood - 1][impact - 1]`.
    pub cells: [[RiskLevel; 5]; 5],
    pub appetite: RiskLevel,
}

impl Default for RiskMatrix {
    /// Score bands: 1–4 low, 5–9 medium, 10–16 high, 20–25 very high; appetite medium.
    fn default() -> Self {
        let mut cells = [[RiskLevel::Low; 5]; 5];
        for (l, row) in cells.iter_mut().enumerate() {
            for (i, cell) in row.iter_mut().enumerate() {
                *cell = match (l + 1) * (i + 1) {
                    1..=4 => RiskLevel::Low,
                    5..=9 => RiskLevel::Medium,
                    10..=16 => RiskLevel::High,
                    _ => RiskLevel::VeryHigh,
                };
            }
        }
        RiskMatrix {
            cells,
            appetite: RiskLevel::Medium,
        }
    }
}

impl RiskMatrix {
    pub fn level(&self, rating: Rating) -> RiskLevel {
        self.cells[usize::from(rating.likelihood - 1)][usize::from(rating.impact - 1)]
    }

    /// Above the appetite: only a quality manager who never owned it accepts it.
    pub fn above_appetite(&self, rating: Rating) -> bool {
        self.level(rating) > self.appetite
    }

    /// Whether `next` lets an owner accept more alone than this matrix does: a higher
    /// appetite, or any cell rated lower. Such a change waits for a second quality manager.
    pub fn loosened_by(&self, next: &RiskMatrix) -> bool {
        next.appetite > self.appetite
            || self
                .cells
                .iter()
                .flatten()
                .zip(next.cells.iter().flatten())
                .any(|(now, then)| then < now)
    }

    /// A matrix whose level never falls as likelihood or impact rises: anything else would
    /// rate a worse risk lower than a milder one.
    pub fn check(&self) -> Result<(), String> {
        for (l, likelihood) in LIKELIHOOD.iter().enumerate() {
            for (i, impact) in IMPACT.iter().enumerate() {
                let cell = self.cells[l][i];
                let below_is_worse = l > 0 && self.cells[l - 1][i] > cell;
                let left_is_worse = i > 0 && self.cells[l][i - 1] > cell;
                if below_is_worse || left_is_worse {
                    return Err(format!(
                        "{likelihood} × {impact} is rated {}, lower than a milder cell: levels must not fall as likelihood or impact rise.",
                        cell.label().to_lowercase()
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A cell's key in the matrix form, `l4i5`: a letter first, because the form encoding reads a
/// key that starts with a digit as a list index.
pub fn cell_key(likelihood: u8, impact: u8) -> String {
    format!("l{likelihood}i{impact}")
}

/// The matrix as its form sends it: a level code per cell keyed by `cell_key`, and the
/// appetite's code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatrixForm {
    #[serde(default)]
    pub cells: std::collections::BTreeMap<String, String>,
    pub appetite: String,
}

impl MatrixForm {
    pub fn of(matrix: &RiskMatrix) -> MatrixForm {
        let mut cells = std::collections::BTreeMap::new();
        for l in 1..=5u8 {
            for i in 1..=5u8 {
                let level = matrix.level(Rating {
                    likelihood: l,
                    impact: i,
                });
                cells.insert(cell_key(l, i), level.as_str().to_string());
            }
        }
        MatrixForm {
            cells,
            appetite: matrix.appetite.as_str().into(),
        }
    }

    /// Every cell given a level, the appetite named, and the levels rising with both axes.
    pub fn validate(&self) -> Result<RiskMatrix, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut matrix = RiskMatrix::default();
        for l in 1..=5usize {
            for i in 1..=5usize {
                match self
                    .cells
                    .get(&cell_key(l as u8, i as u8))
                    .and_then(|code| RiskLevel::parse(code.trim()))
                {
                    Some(level) => matrix.cells[l - 1][i - 1] = level,
                    None => errors.add(
                        "matrix",
                        format!("Give {} × {} a level.", LIKELIHOOD[l - 1], IMPACT[i - 1]),
                    ),
                }
            }
        }
        match RiskLevel::parse(self.appetite.trim()) {
            Some(level) => matrix.appetite = level,
            None => errors.add(
                "appetite",
                "Choose the highest residual level an owner accepts alone.",
            ),
        }
        if errors.is_empty() {
            if let Err(problem) = matrix.check() {
                errors.add("matrix", problem);
            }
        }
        if errors.is_empty() {
            Ok(matrix)
        } else {
            Err(errors)
        }
    }
}

/// What the rules need to know about a risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskFacts {
    pub kind: RiskKind,
    pub state: RiskState,
    pub owner_id: i64,
    /// Everyone who owned the risk before its current owner.
    pub former_owner_ids: Vec<i64>,
    /// Everyone who recorded it or changed its rating or treatment.
    pub rater_ids: Vec<i64>,
    pub residual: Rating,
    /// Rated above the appetite at some point since it was recorded or last reopened.
    pub escalated: bool,
}

impl RiskFacts {
    pub fn has_owned(&self, user_id: i64) -> bool {
        self.owner_id == user_id || self.former_owner_ids.contains(&user_id)
    }

    /// Owned it, or recorded or rated it: not independent of how it stands.
    pub fn took_part(&self, user_id: i64) -> bool {
        self.has_owned(user_id) || self.rater_ids.contains(&user_id)
    }
}

/// Whether accepting or closing the risk needs a quality manager who never owned it: a risk
/// (not an opportunity) above the appetite now, or at any time since it was recorded or
/// last reopened.
pub fn needs_independent_decision(facts: &RiskFacts, matrix: &RiskMatrix) -> bool {
    facts.kind == RiskKind::Risk && (facts.escalated || matrix.above_appetite(facts.residual))
}

/// Who may change an open risk's content and owner: its owner or a quality manager; an
/// accepted or closed risk keeps what it was decided on.
pub fn check_edit(facts: &RiskFacts, next_owner: i64, actor: &ActorFacts) -> Result<(), Refusal> {
    let quality = actor.has(Role::QualityManager);
    match facts.state {
        RiskState::Open => {}
        RiskState::Accepted => {
            return refuse(
                "An accepted risk keeps the rating it was accepted on: reopen it to change it.",
            )
        }
        RiskState::Closed => return refuse("The risk is closed; it is kept as it was."),
    }
    if !(quality || actor.user_id == facts.owner_id) {
        return refuse(if next_owner == facts.owner_id {
            "Only the risk's owner or a quality manager edits it."
        } else {
            "Only the owner or a quality manager hands a risk to someone else."
        });
    }
    Ok(())
}

/// The lifecycle: `(facts, action, actor) -> new state`, or why not. The record asks it which
/// steps to offer; the server asks it again before writing.
pub fn transition(
    facts: &RiskFacts,
    matrix: &RiskMatrix,
    action: RiskAction,
    actor: &ActorFacts,
) -> Result<RiskState, Refusal> {
    use RiskAction as A;
    use RiskState as S;
    let quality = actor.has(Role::QualityManager);
    let owner = actor.user_id == facts.owner_id;
    let next = match (facts.state, action) {
        (S::Open, A::Accept) => S::Accepted,
        (S::Accepted, A::Reopen) => S::Open,
        (S::Open | S::Accepted, A::Close) => S::Closed,
        (state, action) => {
            return refuse(format!(
                "A risk that is {} cannot be moved with “{}”.",
                state.label().to_lowercase(),
                action.label()
            ))
        }
    };
    let independent = needs_independent_decision(facts, matrix);
    let why = if matrix.above_appetite(facts.residual) {
        format!(
            "The residual risk is {}, above the appetite",
            matrix.level(facts.residual).label().to_lowercase()
        )
    } else {
        "The risk was rated above the appetite since it was recorded or reopened".to_string()
    };
    match action {
        A::Accept if independent => {
            if facts.took_part(actor.user_id) {
                return refuse(format!(
                    "{why}: someone who has never owned, recorded or rated it accepts it."
                ));
            }
            if !quality {
                return refuse(format!("{why}: only a quality manager accepts it."));
            }
        }
        A::Accept | A::Reopen => {
            if !(quality || owner) {
                return refuse("Only the risk's owner or a quality manager does this.");
            }
        }
        A::Close => {
            if !quality {
                return refuse(
                    "Only a quality manager closes a risk (it leaves the register's watch).",
                );
            }
            if independent && facts.took_part(actor.user_id) {
                return refuse(format!(
                    "{why}: someone who has never owned, recorded or rated it closes it."
                ));
            }
        }
    }
    Ok(next)
}

/// When a review falls due: overdue after its date, due within the fortnight before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewStanding {
    Scheduled,
    DueSoon,
    Overdue,
}

pub const REVIEW_NOTICE_DAYS: i64 = 14;

pub fn review_standing(review_on: NaiveDate, today: NaiveDate) -> ReviewStanding {
    if review_on < today {
        ReviewStanding::Overdue
    } else if (review_on - today).num_days() <= REVIEW_NOTICE_DAYS {
        ReviewStanding::DueSoon
    } else {
        ReviewStanding::Scheduled
    }
}

/// The longest a risk may go unreviewed.
pub const MAX_REVIEW_DAYS: i64 = 366;

/// A risk as typed into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskForm {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub owner_id: String,
    #[serde(default)]
    pub service_ids: Vec<String>,
    #[serde(default)]
    pub information_security: bool,
    #[serde(default)]
    pub confidentiality: bool,
    #[serde(default)]
    pub integrity: bool,
    #[serde(default)]
    pub availability: bool,
    pub inherent_likelihood: String,
    pub inherent_impact: String,
    pub treatment: String,
    pub treatment_plan: String,
    pub residual_likelihood: String,
    pub residual_impact: String,
    pub review_on: String,
}

/// A checked risk, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskDraft {
    pub kind: RiskKind,
    pub title: String,
    pub description: String,
    pub owner_id: i64,
    pub service_ids: Vec<i64>,
    /// Which of confidentiality, integrity, availability it threatens (an information
    /// security risk names at least one).
    pub security: Option<Cia>,
    pub inherent: Rating,
    pub treatment: Treatment,
    pub treatment_plan: String,
    pub residual: Rating,
    pub review_on: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cia {
    pub confidentiality: bool,
    pub integrity: bool,
    pub availability: bool,
}

impl Cia {
    /// "C I A" letters for tables: "C·A".
    pub fn letters(self) -> String {
        [
            (self.confidentiality, "C"),
            (self.integrity, "I"),
            (self.availability, "A"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, l)| *l)
        .collect::<Vec<_>>()
        .join("·")
    }
}

fn step(errors: &mut FieldErrors, field: &str, what: &str, value: &str) -> Option<u8> {
    match value.trim().parse::<u8>() {
        Ok(v) if (1..=5).contains(&v) => Some(v),
        _ => {
            errors.add(field, format!("Choose the {what}, 1 to 5."));
            None
        }
    }
}

/// The most services one risk names (beyond that it concerns the SMS as a whole).
pub const MAX_SERVICES: usize = 50;

impl RiskForm {
    /// A new risk: every field, the next review date included.
    pub fn validate(&self, today: NaiveDate) -> Result<RiskDraft, FieldErrors> {
        self.checked(today, None)
    }

    /// An edit: the review date stays `review_on` (only a recorded review moves it, so an
    /// edit never clears an overdue review).
    pub fn validate_edit(
        &self,
        today: NaiveDate,
        review_on: NaiveDate,
    ) -> Result<RiskDraft, FieldErrors> {
        self.checked(today, Some(review_on))
    }

    fn checked(
        &self,
        today: NaiveDate,
        kept_review: Option<NaiveDate>,
    ) -> Result<RiskDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let text = crate::model::text::bounded;
        let kind = RiskKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "Say whether this is a risk or an opportunity.");
        }
        let title = crate::model::text::line(&mut errors, "title", "Title", &self.title, 5, 160);
        let description = text(
            &mut errors,
            "description",
            "Description",
            &self.description,
            0,
            4000,
        );
        let owner_id = self
            .owner_id
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0);
        if owner_id.is_none() {
            errors.add("owner_id", "Choose who owns the risk.");
        }
        let mut service_ids = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for id in &self.service_ids {
            match id.trim().parse::<i64>() {
                Ok(id) if id > 0 => {
                    if seen.insert(id) {
                        service_ids.push(id)
                    }
                }
                _ => errors.add("service_ids", "Choose services from the list."),
            }
        }
        if service_ids.len() > MAX_SERVICES {
            errors.add(
                "service_ids",
                format!("Name at most {MAX_SERVICES} services; a risk to more concerns the SMS as a whole."),
            );
        }
        let cia = Cia {
            confidentiality: self.confidentiality,
            integrity: self.integrity,
            availability: self.availability,
        };
        let any_cia = cia.confidentiality || cia.integrity || cia.availability;
        let security = match (self.information_security, any_cia) {
            (true, true) => Some(cia),
            (true, false) => {
                errors.add(
                    "information_security",
                    "Say which of confidentiality, integrity and availability it threatens.",
                );
                None
            }
            (false, true) => {
                errors.add(
                    "information_security",
                    "Mark it an information security risk to name what it threatens.",
                );
                None
            }
            (false, false) => None,
        };
        let inherent = (
            step(
                &mut errors,
                "inherent_likelihood",
                "likelihood before treatment",
                &self.inherent_likelihood,
            ),
            step(
                &mut errors,
                "inherent_impact",
                "impact before treatment",
                &self.inherent_impact,
            ),
        );
        let residual = (
            step(
                &mut errors,
                "residual_likelihood",
                "likelihood after treatment",
                &self.residual_likelihood,
            ),
            step(
                &mut errors,
                "residual_impact",
                "impact after treatment",
                &self.residual_impact,
            ),
        );
        let treatment = Treatment::parse(self.treatment.trim());
        match (kind, treatment) {
            (_, None) => errors.add("treatment", "Choose how the risk is treated."),
            (Some(kind), Some(t)) if !Treatment::for_kind(kind).contains(&t) => errors.add(
                "treatment",
                format!(
                    "{} is not a treatment for {}.",
                    t.word(),
                    match kind {
                        RiskKind::Risk => "a risk",
                        RiskKind::Opportunity => "an opportunity",
                    }
                ),
            ),
            _ => {}
        }
        let treatment_plan = text(
            &mut errors,
            "treatment_plan",
            "Treatment plan",
            &self.treatment_plan,
            0,
            4000,
        );
        if matches!(
            treatment,
            Some(Treatment::Reduce | Treatment::Transfer | Treatment::Avoid | Treatment::Pursue)
        ) && treatment_plan.chars().count() < 10
        {
            errors.add(
                "treatment_plan",
                "Say what will be done (at least 10 characters).",
            );
        }
        if let (Some(RiskKind::Risk), (Some(il), Some(ii)), (Some(rl), Some(ri))) =
            (kind, inherent, residual)
        {
            if rl > il || ri > ii {
                errors.add(
                    "residual_likelihood",
                    "Treatment does not make a risk more likely or worse: the residual rating is at most the inherent one.",
                );
            }
            if treatment == Some(Treatment::Accept) && (rl, ri) != (il, ii) {
                errors.add(
                    "residual_likelihood",
                    "An accepted risk is not acted on: its residual rating is its inherent one.",
                );
            }
        }
        let review_on = match kept_review
            .map(Ok)
            .unwrap_or_else(|| NaiveDate::parse_from_str(self.review_on.trim(), "%Y-%m-%d"))
        {
            Ok(date) if kept_review.is_some() => Some(date),
            Ok(date) if date < today => {
                errors.add("review_on", "The next review is today or later.");
                None
            }
            Ok(date) if (date - today).num_days() > MAX_REVIEW_DAYS => {
                errors.add("review_on", "Review a risk at least once a year.");
                None
            }
            Ok(date) => Some(date),
            Err(_) => {
                errors.add("review_on", "Give the date of the next review.");
                None
            }
        };
        match (kind, owner_id, inherent, residual, treatment, review_on) {
            (
                Some(kind),
                Some(owner_id),
                (Some(il), Some(ii)),
                (Some(rl), Some(ri)),
                Some(treatment),
                Some(review_on),
            ) if errors.is_empty() => Ok(RiskDraft {
                kind,
                title,
                description,
                owner_id,
                service_ids,
                security,
                inherent: Rating {
                    likelihood: il,
                    impact: ii,
                },
                treatment,
                treatment_plan,
                residual: Rating {
                    likelihood: rl,
                    impact: ri,
                },
                review_on,
            }),
            _ => Err(errors),
        }
    }
}

/// A review as typed: what was found, and when to look again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub note: String,
    pub next_review_on: String,
}

impl ReviewForm {
    pub fn validate(&self, today: NaiveDate) -> Result<(String, NaiveDate), FieldErrors> {
        let mut errors = FieldErrors::new();
        let note = crate::model::text::bounded(
            &mut errors,
            "review_note",
            "What the review found",
            &self.note,
            10,
            4000,
        );
        let next = match NaiveDate::parse_from_str(self.next_review_on.trim(), "%Y-%m-%d") {
            Ok(date) if date <= today => {
                errors.add("next_review_on", "The next review is after today.");
                None
            }
            Ok(date) if (date - today).num_days() > MAX_REVIEW_DAYS => {
                errors.add("next_review_on", "Review a risk at least once a year.");
                None
            }
            Ok(date) => Some(date),
            Err(_) => {
                errors.add("next_review_on", "Give the date of the next review.");
                None
            }
        };
        match next {
            Some(next) if errors.is_empty() => Ok((note, next)),
            _ => Err(errors),
        }
    }
}

/// "RSK-12".
pub fn reference(id: i64) -> String {
    format!("RSK-{id}")
}

/// A review recorded on a risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskReview {
    pub by: PersonRef,
    pub at: DateTime<Utc>,
    pub note: String,
    pub next_review_on: NaiveDate,
}

/// A risk as its record shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsRisk {
    pub id: i64,
    pub reference: String,
    pub kind: RiskKind,
    pub title: String,
    pub description: String,
    pub owner: PersonRef,
    pub services: Vec<ServiceRef>,
    pub security: Option<Cia>,
    pub inherent: Rating,
    pub treatment: Treatment,
    pub treatment_plan: String,
    pub residual: Rating,
    pub state: RiskState,
    pub review_on: NaiveDate,
    pub accepted_by: Option<PersonRef>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// Why it was accepted (risks accepted before reasons were asked have none).
    pub accepted_reason: Option<String>,
    pub closed_reason: Option<String>,
    pub created_by: PersonRef,
    pub created_at: DateTime<Utc>,
    pub reviews: Vec<RiskReview>,
    pub version: i32,
}

impl SmsRisk {
    /// The form as it stands, to edit from.
    pub fn form(&self) -> RiskForm {
        let cia = self.security.unwrap_or(Cia {
            confidentiality: false,
            integrity: false,
            availability: false,
        });
        RiskForm {
            kind: self.kind.as_str().into(),
            title: self.title.clone(),
            description: self.description.clone(),
            owner_id: self.owner.id.to_string(),
            service_ids: self.services.iter().map(|s| s.id.to_string()).collect(),
            information_security: self.security.is_some(),
            confidentiality: cia.confidentiality,
            integrity: cia.integrity,
            availability: cia.availability,
            inherent_likelihood: self.inherent.likelihood.to_string(),
            inherent_impact: self.inherent.impact.to_string(),
            treatment: self.treatment.as_str().into(),
            treatment_plan: self.treatment_plan.clone(),
            residual_likelihood: self.residual.likelihood.to_string(),
            residual_impact: self.residual.impact.to_string(),
            review_on: self.review_on.to_string(),
        }
    }
}

/// A risk as `user` sees it: the record, the organisation's matrix, and what they may do now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskRecord {
    pub risk: SmsRisk,
    pub matrix: RiskMatrix,
    /// Accepting or closing it needs a quality manager who never owned it.
    pub independent_decision: bool,
    pub actions: Vec<RiskAction>,
    pub may_edit: bool,
    pub may_review: bool,
    /// The changes and continuity plans that address it.
    pub addressed_by: Vec<crate::model::risk_link::Addressor>,
    pub today: NaiveDate,
}

/// One line of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskRow {
    pub id: i64,
    pub reference: String,
    pub kind: RiskKind,
    pub title: String,
    pub owner: String,
    pub security: Option<Cia>,
    pub inherent: Rating,
    pub residual: Rating,
    pub treatment: Treatment,
    pub state: RiskState,
    pub review_on: NaiveDate,
}

/// A risk as the register's CSV export writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskExportRow {
    pub row: RiskRow,
    pub description: String,
    pub services: Vec<String>,
    pub treatment_plan: String,
    pub accepted_by: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub accepted_reason: Option<String>,
    pub closed_reason: Option<String>,
    /// "CHG-00012", "Plan 3": the changes and plans that address it.
    pub addressed_by: Vec<String>,
}

/// How many live (open or accepted) risks sit in each cell, before and after treatment:
/// `[likelihood - 1][impact - 1]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatMap {
    pub inherent: [[u32; 5]; 5],
    pub residual: [[u32; 5]; 5],
}

/// One page of the register, with the heat map of the whole register and its matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskPage {
    pub rows: Vec<RiskRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
    pub heat: HeatMap,
    pub matrix: RiskMatrix,
    pub today: NaiveDate,
}

/// What the state filter asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskStateFilter {
    /// Open and accepted: the risks the register still watches.
    Live,
    All,
    One(RiskState),
}

/// A loosening of the matrix one quality manager proposed, waiting for another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixProposal {
    pub matrix: RiskMatrix,
    pub by: PersonRef,
    pub at: DateTime<Utc>,
}

/// The matrix in force, its version, and any loosening waiting for a second quality manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixSettings {
    pub matrix: RiskMatrix,
    pub version: i32,
    pub proposal: Option<MatrixProposal>,
}

/// What saving the matrix did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MatrixOutcome {
    /// Stricter or the same: in force now.
    Applied,
    /// Looser: waits for a second quality manager.
    Proposed,
}

labelled_enum! {
    /// A second quality manager's answer to a proposed loosening.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum MatrixDecision {
        Approve => ("approve", "Approve the proposed matrix"),
        Reject => ("reject", "Reject the proposal"),
    }
}

/// Who decides a proposal: any other quality manager approves it; its proposer may only
/// withdraw (reject) it.
pub fn may_decide_matrix(
    proposer_id: i64,
    decision: MatrixDecision,
    actor: &ActorFacts,
) -> Result<(), Refusal> {
    if !actor.has(Role::QualityManager) {
        return refuse("Only a quality manager decides on the risk matrix.");
    }
    if decision == MatrixDecision::Approve && actor.user_id == proposer_id {
        return refuse(
            "You proposed this matrix: another quality manager approves it (you may withdraw it).",
        );
    }
    Ok(())
}

/// The register's filters, as its query string carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskListParams {
    pub q: String,
    /// `live` (the default: open and accepted), `all`, or one state.
    pub state: String,
    /// One residual level (`low` … `very_high`), by the organisation's matrix.
    pub level: String,
    /// One residual cell, `likelihood-impact` (the heat map's links).
    pub cell: String,
    /// `me`, or a person's id.
    pub owner: String,
    /// `overdue`: reviews past their date; `due`: overdue or due within the notice period.
    pub review: String,
    /// `yes`: information security risks only.
    pub security: String,
    pub page: String,
    pub after: String,
    pub before: String,
}

impl RiskListParams {
    pub fn state_filter(&self) -> RiskStateFilter {
        match self.state.trim() {
            "all" => RiskStateFilter::All,
            value => RiskState::parse(value)
                .map(RiskStateFilter::One)
                .unwrap_or(RiskStateFilter::Live),
        }
    }

    pub fn level(&self) -> Option<RiskLevel> {
        RiskLevel::parse(self.level.trim())
    }

    pub fn cell(&self) -> Option<Rating> {
        let (l, i) = self.cell.trim().split_once('-')?;
        Rating::new(l.parse().ok()?, i.parse().ok()?)
    }

    /// `Some(None)` for "mine", `Some(Some(id))` for one person.
    pub fn owner(&self) -> Option<Option<i64>> {
        match self.owner.trim() {
            "me" => Some(None),
            value => value.parse::<i64>().ok().filter(|id| *id > 0).map(Some),
        }
    }

    pub fn security_only(&self) -> bool {
        self.security.trim() == "yes"
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
            "/risks",
            &[
                ("q", &self.q),
                ("state", &self.state),
                ("level", &self.level),
                ("cell", &self.cell),
                ("owner", &self.owner),
                ("review", &self.review),
                ("security", &self.security),
            ],
            page,
            key,
        )
    }

    /// This view narrowed to one residual cell of the heat map.
    pub fn cell_href(&self, rating: Rating) -> String {
        RiskListParams {
            cell: format!("{}-{}", rating.likelihood, rating.impact),
            level: String::new(),
            page: String::new(),
            after: String::new(),
            before: String::new(),
            ..self.clone()
        }
        .href_at(1, None)
    }
}

/// The dashboard's reminder: the reader's risks whose review is due within the notice
/// period or overdue (soonest first), and how many reviews the whole register has overdue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewReminders {
    pub mine: Vec<(i64, String, NaiveDate)>,
    pub overdue_total: u64,
    pub today: NaiveDate,
}

/// What the risk form offers to choose from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskChoices {
    pub services: Vec<ServiceRef>,
    pub owners: Vec<PersonRef>,
}

/// A step as the record's buttons send it: the action, and why (accepting and closing need
/// a reason).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RiskStepForm {
    pub action: String,
    #[serde(default)]
    pub reason: String,
}

impl RiskStepForm {
    pub fn validate(&self) -> Result<(RiskAction, Option<String>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let Some(action) = RiskAction::parse(self.action.trim()) else {
            errors.add("action", "Choose a step the record offers.");
            return Err(errors);
        };
        let reason =
            crate::model::text::bounded(&mut errors, "reason", "Why", &self.reason, 0, 2000);
        // Both decisions take the risk off the owner's hands, so an auditor sampling them
        // reads why.
        if reason.chars().count() < 10 {
            match action {
                RiskAction::Close => errors.add(
                    "reason",
                    "Say why the risk no longer applies (at least 10 characters).",
                ),
                RiskAction::Accept => errors.add(
                    "reason",
                    "Say why the risk is acceptable as it stands (at least 10 characters).",
                ),
                RiskAction::Reopen => {}
            }
        }
        if errors.is_empty() {
            Ok((action, (!reason.is_empty()).then_some(reason)))
        } else {
            Err(errors)
        }
    }
}

/// The steps the rules let `actor` take on a risk now.
pub fn available_actions(
    facts: &RiskFacts,
    matrix: &RiskMatrix,
    actor: &ActorFacts,
) -> Vec<RiskAction> {
    RiskAction::ALL
        .into_iter()
        .filter(|a| transition(facts, matrix, *a, actor).is_ok())
        .collect()
}

/// Who records a review: the owner or a quality manager, while the register watches the risk.
pub fn may_review(facts: &RiskFacts, actor: &ActorFacts) -> bool {
    facts.state != RiskState::Closed
        && (actor.user_id == facts.owner_id || actor.has(Role::QualityManager))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    fn form() -> RiskForm {
        RiskForm {
            kind: "risk".into(),
            title: "Key supplier fails without notice".into(),
            owner_id: "3".into(),
            service_ids: vec!["1".into(), "2".into(), "1".into()],
            inherent_likelihood: "3".into(),
            inherent_impact: "5".into(),
            treatment: "reduce".into(),
            treatment_plan: "Second supplier contracted for the hosting.".into(),
            residual_likelihood: "2".into(),
            residual_impact: "4".into(),
            review_on: "2027-03-01".into(),
            ..Default::default()
        }
    }

    fn facts(state: RiskState, residual: Rating) -> RiskFacts {
        RiskFacts {
            kind: RiskKind::Risk,
            state,
            owner_id: 3,
            former_owner_ids: vec![9],
            rater_ids: vec![3, 11],
            residual,
            escalated: false,
        }
    }

    #[test]
    fn a_quality_manager_who_recorded_or_rated_a_risk_does_not_accept_it_above_the_appetite() {
        let matrix = RiskMatrix::default();
        let above = facts(RiskState::Open, Rating::new(4, 4).unwrap());
        // 11 recorded or re-rated it for owner 3; 5 never touched it.
        let rater = ActorFacts::person(11, vec![Role::QualityManager]);
        let refused = transition(&above, &matrix, RiskAction::Accept, &rater).unwrap_err();
        assert!(refused.0.contains("recorded or rated"), "{refused}");
        assert!(transition(&above, &matrix, RiskAction::Close, &rater).is_err());
        let other = ActorFacts::person(5, vec![Role::QualityManager]);
        assert!(transition(&above, &matrix, RiskAction::Accept, &other).is_ok());
        // Within the appetite, rating it is no bar (the owner accepts their own).
        let within = facts(RiskState::Open, Rating::new(1, 2).unwrap());
        assert!(transition(&within, &matrix, RiskAction::Accept, &rater).is_ok());
    }

    #[test]
    fn once_rated_above_the_appetite_lowering_the_rating_does_not_let_the_owner_accept() {
        let matrix = RiskMatrix::default();
        let lowered = RiskFacts {
            escalated: true,
            ..facts(RiskState::Open, Rating::new(2, 2).unwrap())
        };
        let owner = ActorFacts::person(3, vec![Role::ServiceOwner]);
        let refused = transition(&lowered, &matrix, RiskAction::Accept, &owner).unwrap_err();
        assert!(
            refused.0.contains("was rated above the appetite"),
            "{refused}"
        );
        let other_qm = ActorFacts::person(5, vec![Role::QualityManager]);
        assert_eq!(
            transition(&lowered, &matrix, RiskAction::Accept, &other_qm),
            Ok(RiskState::Accepted)
        );
        // An opportunity is not held to the appetite.
        let opportunity = RiskFacts {
            kind: RiskKind::Opportunity,
            ..facts(RiskState::Open, Rating::new(5, 5).unwrap())
        };
        assert_eq!(
            transition(&opportunity, &matrix, RiskAction::Accept, &owner),
            Ok(RiskState::Accepted)
        );
    }

    #[test]
    fn a_quality_manager_who_owned_a_risk_above_the_appetite_does_not_close_it() {
        let matrix = RiskMatrix::default();
        let high = facts(RiskState::Open, Rating::new(4, 4).unwrap());
        let owner_qm = ActorFacts::person(3, vec![Role::QualityManager]);
        let former_qm = ActorFacts::person(9, vec![Role::QualityManager]);
        for who in [&owner_qm, &former_qm] {
            let refused = transition(&high, &matrix, RiskAction::Close, who).unwrap_err();
            assert!(
                refused
                    .0
                    .contains("never owned, recorded or rated it closes it"),
                "{refused}"
            );
        }
        let other_qm = ActorFacts::person(5, vec![Role::QualityManager]);
        assert_eq!(
            transition(&high, &matrix, RiskAction::Close, &other_qm),
            Ok(RiskState::Closed)
        );
        // Within the appetite, the owning quality manager closes it.
        let low = facts(RiskState::Open, Rating::new(1, 2).unwrap());
        assert_eq!(
            transition(&low, &matrix, RiskAction::Close, &owner_qm),
            Ok(RiskState::Closed)
        );
    }

    #[test]
    fn a_looser_matrix_is_one_that_lets_more_be_accepted_alone() {
        let matrix = RiskMatrix::default();
        assert!(!matrix.loosened_by(&matrix));
        let higher_appetite = RiskMatrix {
            appetite: RiskLevel::High,
            ..matrix
        };
        assert!(matrix.loosened_by(&higher_appetite));
        assert!(!higher_appetite.loosened_by(&matrix));
        let mut milder_cell = matrix;
        milder_cell.cells[4][4] = RiskLevel::High;
        assert!(matrix.loosened_by(&milder_cell));
        // Stricter in one place, milder in another: still looser.
        let mut mixed = milder_cell;
        mixed.appetite = RiskLevel::Low;
        assert!(matrix.loosened_by(&mixed));
    }

    #[test]
    fn a_proposer_withdraws_but_never_approves_their_own_matrix() {
        let quality = ActorFacts {
            user_id: 1,
            roles: vec![Role::QualityManager],
        };
        let other = ActorFacts {
            user_id: 2,
            roles: vec![Role::QualityManager],
        };
        let owner = ActorFacts {
            user_id: 3,
            roles: vec![Role::ServiceOwner],
        };
        assert!(may_decide_matrix(1, MatrixDecision::Approve, &quality).is_err());
        assert!(may_decide_matrix(1, MatrixDecision::Reject, &quality).is_ok());
        assert!(may_decide_matrix(1, MatrixDecision::Approve, &other).is_ok());
        assert!(may_decide_matrix(1, MatrixDecision::Reject, &owner).is_err());
    }

    #[test]
    fn accepting_and_closing_say_why_reopening_need_not() {
        let step = |action: &str, reason: &str| RiskStepForm {
            action: action.into(),
            reason: reason.into(),
        };
        for action in ["accept", "close"] {
            let errors = step(action, "  fine  ").validate().unwrap_err();
            assert!(errors.get("reason").is_some(), "{action}");
            let (_, reason) = step(action, " Within what we can bear. ")
                .validate()
                .unwrap();
            assert_eq!(reason.as_deref(), Some("Within what we can bear."));
        }
        assert_eq!(
            step("reopen", "").validate().unwrap(),
            (RiskAction::Reopen, None)
        );
        assert!(step("approve", "Because I say so.").validate().is_err());
        assert!(step("accept", &"x".repeat(2001)).validate().is_err());
    }

    #[test]
    fn an_edit_keeps_the_review_date_and_a_title_is_one_line() {
        let kept = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let edited = RiskForm {
            review_on: "2027-12-01".into(),
            ..form()
        };
        assert_eq!(edited.validate_edit(today(), kept).unwrap().review_on, kept);
        let two_lines = RiskForm {
            title: "Key supplier\nfails".into(),
            ..form()
        };
        assert!(two_lines
            .validate(today())
            .unwrap_err()
            .get("title")
            .unwrap()
            .contains("one line"));
        let many = RiskForm {
            service_ids: (1..=51).map(|n| n.to_string()).collect(),
            ..form()
        };
        assert!(many
            .validate(today())
            .unwrap_err()
            .get("service_ids")
            .unwrap()
            .contains("at most 50"));
    }

    #[test]
    fn a_good_form_becomes_a_draft_with_each_service_once() {
        let draft = form().validate(today()).unwrap();
        assert_eq!(draft.service_ids, vec![1, 2]);
        assert_eq!(draft.inherent.score(), 15);
        assert_eq!(draft.residual.describe(), "Unlikely (2) × Major (4) = 8");
        assert_eq!(draft.security, None);
    }

    #[test]
    fn bad_input_is_named_field_by_field() {
        let bad = RiskForm {
            kind: "threat".into(),
            title: "x".into(),
            owner_id: "me".into(),
            service_ids: vec!["-1".into()],
            inherent_likelihood: "6".into(),
            inherent_impact: "".into(),
            treatment: "ignore".into(),
            residual_likelihood: "0".into(),
            residual_impact: "2".into(),
            review_on: "2026-12-06".into(),
            ..Default::default()
        };
        let errors = bad.validate(today()).unwrap_err();
        for field in [
            "kind",
            "title",
            "owner_id",
            "service_ids",
            "inherent_likelihood",
            "inherent_impact",
            "treatment",
            "residual_likelihood",
            "review_on",
        ] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
    }

    #[test]
    fn treatment_must_fit_the_kind_and_say_what_is_done() {
        let pursue = RiskForm {
            treatment: "pursue".into(),
            ..form()
        };
        assert!(pursue
            .validate(today())
            .unwrap_err()
            .get("treatment")
            .unwrap()
            .contains("not a treatment for a risk"));
        let opportunity = RiskForm {
            kind: "opportunity".into(),
            treatment: "avoid".into(),
            ..form()
        };
        assert!(opportunity.validate(today()).is_err());
        let silent = RiskForm {
            treatment_plan: "tbd".into(),
            ..form()
        };
        assert!(silent
            .validate(today())
            .unwrap_err()
            .get("treatment_plan")
            .is_some());
        let accepted = RiskForm {
            treatment: "accept".into(),
            treatment_plan: String::new(),
            residual_likelihood: "3".into(),
            residual_impact: "5".into(),
            ..form()
        };
        assert!(accepted.validate(today()).is_ok());
        let accepted_lower = RiskForm {
            treatment: "accept".into(),
            ..form()
        };
        assert!(accepted_lower
            .validate(today())
            .unwrap_err()
            .get("residual_likelihood")
            .unwrap()
            .contains("not acted on"));
    }

    #[test]
    fn an_information_security_risk_names_what_it_threatens() {
        let none = RiskForm {
            information_security: true,
            ..form()
        };
        assert!(none
            .validate(today())
            .unwrap_err()
            .get("information_security")
            .is_some());
        let stray = RiskForm {
            integrity: true,
            ..form()
        };
        assert!(stray
            .validate(today())
            .unwrap_err()
            .get("information_security")
            .is_some());
        let named = RiskForm {
            information_security: true,
            confidentiality: true,
            availability: true,
            ..form()
        };
        let cia = named.validate(today()).unwrap().security.unwrap();
        assert_eq!(cia.letters(), "C·A");
    }

    #[test]
    fn reviews_fall_due_within_a_year_and_not_in_the_past() {
        let late = RiskForm {
            review_on: "2028-01-01".into(),
            ..form()
        };
        assert!(late
            .validate(today())
            .unwrap_err()
            .get("review_on")
            .unwrap()
            .contains("once a year"));
        let review = ReviewForm {
            note: "Still rated as before.".into(),
            next_review_on: "2026-12-07".into(),
        };
        assert!(review.validate(today()).is_err());
        let review = ReviewForm {
            next_review_on: "2027-06-07".into(),
            ..review
        };
        assert_eq!(
            review.validate(today()).unwrap().1,
            NaiveDate::from_ymd_opt(2027, 6, 7).unwrap()
        );
        assert_eq!(review_standing(today(), today()), ReviewStanding::DueSoon);
        assert_eq!(
            review_standing(today().pred_opt().unwrap(), today()),
            ReviewStanding::Overdue
        );
        assert_eq!(
            review_standing(today() + chrono::Duration::days(15), today()),
            ReviewStanding::Scheduled
        );
    }

    #[test]
    fn the_default_matrix_bands_the_score_and_rises_with_both_axes() {
        let matrix = RiskMatrix::default();
        assert_eq!(matrix.check(), Ok(()));
        assert_eq!(matrix.level(Rating::new(1, 4).unwrap()), RiskLevel::Low);
        assert_eq!(matrix.level(Rating::new(3, 3).unwrap()), RiskLevel::Medium);
        assert_eq!(matrix.level(Rating::new(4, 4).unwrap()), RiskLevel::High);
        assert_eq!(
            matrix.level(Rating::new(5, 4).unwrap()),
            RiskLevel::VeryHigh
        );
        let mut falling = matrix;
        falling.cells[4][4] = RiskLevel::Low;
        assert!(falling
            .check()
            .unwrap_err()
            .contains("Almost certain × Severe"));
    }

    #[test]
    fn the_matrix_form_round_trips_and_names_what_is_missing() {
        let matrix = RiskMatrix::default();
        assert_eq!(MatrixForm::of(&matrix).validate(), Ok(matrix));
        let mut form = MatrixForm::of(&matrix);
        form.cells.remove(&cell_key(5, 5));
        form.appetite = "none".into();
        let errors = form.validate().unwrap_err();
        assert!(errors
            .get("matrix")
            .unwrap()
            .contains("Almost certain × Severe"));
        assert!(errors.get("appetite").is_some());
        let mut falling = MatrixForm::of(&matrix);
        falling.cells.insert(cell_key(5, 5), "low".into());
        assert!(falling
            .validate()
            .unwrap_err()
            .get("matrix")
            .unwrap()
            .contains("must not fall"));
    }

    #[test]
    fn above_the_appetite_only_a_quality_manager_who_never_owned_it_accepts() {
        let matrix = RiskMatrix::default();
        let high = facts(RiskState::Open, Rating::new(4, 4).unwrap());
        let owner_qm = ActorFacts::person(3, vec![Role::QualityManager]);
        let former_owner_qm = ActorFacts::person(9, vec![Role::QualityManager]);
        let other_qm = ActorFacts::person(5, vec![Role::QualityManager]);
        let colleague = ActorFacts::person(6, vec![Role::ServiceOwner]);
        for who in [&owner_qm, &former_owner_qm] {
            assert!(transition(&high, &matrix, RiskAction::Accept, who)
                .unwrap_err()
                .0
                .contains("never owned"));
        }
        assert!(transition(&high, &matrix, RiskAction::Accept, &colleague)
            .unwrap_err()
            .0
            .contains("only a quality manager"));
        assert_eq!(
            transition(&high, &matrix, RiskAction::Accept, &other_qm),
            Ok(RiskState::Accepted)
        );
        // Within the appetite the owner accepts their own risk.
        let low = facts(RiskState::Open, Rating::new(2, 2).unwrap());
        let owner = ActorFacts::person(3, vec![Role::ServiceOwner]);
        assert_eq!(
            transition(&low, &matrix, RiskAction::Accept, &owner),
            Ok(RiskState::Accepted)
        );
        assert!(transition(&low, &matrix, RiskAction::Accept, &colleague).is_err());
    }

    #[test]
    fn an_accepted_risk_is_reopened_before_it_changes() {
        let accepted = facts(RiskState::Accepted, Rating::new(2, 2).unwrap());
        let owner = ActorFacts::person(3, vec![]);
        assert!(check_edit(&accepted, 3, &owner)
            .unwrap_err()
            .0
            .contains("reopen"));
        let matrix = RiskMatrix::default();
        assert_eq!(
            transition(&accepted, &matrix, RiskAction::Reopen, &owner),
            Ok(RiskState::Open)
        );
        assert!(transition(&accepted, &matrix, RiskAction::Accept, &owner).is_err());
        assert!(transition(&accepted, &matrix, RiskAction::Close, &owner)
            .unwrap_err()
            .0
            .contains("quality manager"));
        let closed = facts(RiskState::Closed, Rating::new(2, 2).unwrap());
        assert!(check_edit(
            &closed,
            3,
            &ActorFacts::person(5, vec![Role::QualityManager])
        )
        .is_err());
        assert!(transition(&closed, &matrix, RiskAction::Reopen, &owner).is_err());
    }

    #[test]
    fn only_the_owner_or_a_quality_manager_edits_an_open_risk() {
        let open = facts(RiskState::Open, Rating::new(2, 2).unwrap());
        assert!(check_edit(&open, 3, &ActorFacts::person(3, vec![])).is_ok());
        assert!(check_edit(&open, 7, &ActorFacts::person(3, vec![])).is_ok());
        assert!(check_edit(&open, 3, &ActorFacts::person(6, vec![Role::ServiceOwner])).is_err());
        assert!(check_edit(&open, 6, &ActorFacts::person(5, vec![Role::QualityManager])).is_ok());
    }

    fn any_matrix() -> impl Strategy<Value = RiskMatrix> {
        (prop::array::uniform25(0usize..4), 0usize..4).prop_map(|(cells, appetite)| {
            let mut matrix = RiskMatrix {
                cells: [[RiskLevel::Low; 5]; 5],
                appetite: RiskLevel::ALL[appetite],
            };
            for (n, level) in cells.iter().enumerate() {
                matrix.cells[n / 5][n % 5] = RiskLevel::ALL[*level];
            }
            matrix
        })
    }

    proptest! {
        /// Whatever the matrix, appetite and people: nobody who has owned a risk accepts it
        /// above the appetite, and nobody but a quality manager does.
        #[test]
        fn acceptance_above_the_appetite_is_never_the_owners_alone(
            matrix in any_matrix(),
            likelihood in 1u8..=5,
            impact in 1u8..=5,
            actor_id in 1i64..=12,
            quality in any::<bool>(),
            owner_id in 1i64..=12,
            former in prop::collection::vec(1i64..=12, 0..3),
            raters in prop::collection::vec(1i64..=12, 0..3),
            escalated in any::<bool>(),
            close in any::<bool>(),
        ) {
            let residual = Rating::new(likelihood, impact).unwrap();
            let facts = RiskFacts { kind: RiskKind::Risk, state: RiskState::Open, owner_id, former_owner_ids: former, rater_ids: raters, residual, escalated };
            let roles = if quality { vec![Role::QualityManager] } else { vec![Role::ServiceOwner] };
            let actor = ActorFacts::person(actor_id, roles);
            let action = if close { RiskAction::Close } else { RiskAction::Accept };
            if transition(&facts, &matrix, action, &actor).is_ok() {
                prop_assert!(quality || actor_id == owner_id);
                if matrix.above_appetite(residual) || escalated {
                    prop_assert!(quality && !facts.took_part(actor_id));
                }
            }
        }

        /// The check passes exactly the matrices whose level never falls as likelihood or
        /// impact rises (tried against every pair of cells).
        #[test]
        fn raising_levels_or_lowering_the_appetite_never_loosens(
            matrix in any_matrix(),
            raises in proptest::collection::vec(0usize..4, 25),
            lower in 0usize..4,
        ) {
            let levels = RiskLevel::ALL;
            let mut next = matrix;
            for (cell, raise) in next.cells.iter_mut().flatten().zip(&raises) {
                let at = levels.iter().position(|l| l == cell).unwrap();
                *cell = levels[(at + raise).min(levels.len() - 1)];
            }
            let at = levels.iter().position(|l| *l == matrix.appetite).unwrap();
            next.appetite = levels[at.saturating_sub(lower)];
            prop_assert!(!matrix.loosened_by(&next));
            // And undoing a stricter change is a loosening exactly when something changed.
            prop_assert_eq!(next.loosened_by(&matrix), next != matrix);
        }

        #[test]
        fn the_check_passes_exactly_the_monotone_matrices(matrix in any_matrix()) {
            let cells: Vec<Rating> = (1..=5u8).flat_map(|l| (1..=5u8).map(move |i| Rating { likelihood: l, impact: i })).collect();
            let monotone = cells.iter().all(|a| cells.iter().all(|b| {
                !(a.likelihood <= b.likelihood && a.impact <= b.impact) || matrix.level(*a) <= matrix.level(*b)
            }));
            prop_assert_eq!(matrix.check().is_ok(), monotone);
        }

        /// Matrices built to rise (a level per row plus a level per column, capped) pass.
        #[test]
        fn a_rising_matrix_passes_its_check(
            rows in prop::collection::vec(0usize..3, 5),
            columns in prop::collection::vec(0usize..3, 5),
        ) {
            let mut rows = rows;
            let mut columns = columns;
            rows.sort_unstable();
            columns.sort_unstable();
            let mut matrix = RiskMatrix::default();
            for (row, step) in matrix.cells.iter_mut().zip(&rows) {
                for (cell, column) in row.iter_mut().zip(&columns) {
                    *cell = RiskLevel::ALL[(step + column).min(3)];
                }
            }
            prop_assert_eq!(matrix.check(), Ok(()));
        }
    }
}
