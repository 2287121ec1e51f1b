//! The controlled document register (clause 7.5): a document answers one or more sub-clauses,
//! keeps every version, and moves draft → in review → approved → superseded. Approval is the
//! quality manager's and never the author's; an approved version is never written again.

use crate::error::FieldErrors;
use crate::model::access::Role;
use crate::model::actor::{ActorFacts, Refusal};
use crate::model::labelled::labelled_enum;
use crate::model::refs::PersonRef;
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum DocState {
        Draft => ("draft", "Draft"),
        InReview => ("in_review", "In review"),
        Approved => ("approved", "Approved"),
        Superseded => ("superseded", "Superseded"),
    }
}

impl DocState {
    /// Only a draft's text changes; what was approved stays as it was approved.
    pub fn is_editable(self) -> bool {
        self == DocState::Draft
    }

    /// Still being worked on: no second draft may start beside it.
    pub fn is_open(self) -> bool {
        matches!(self, DocState::Draft | DocState::InReview)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocAction {
    SendToReview,
    /// Back to the author for more work.
    ReturnToDraft,
    Approve,
}

impl DocAction {
    pub const ALL: [DocAction; 3] = [
        DocAction::SendToReview,
        DocAction::ReturnToDraft,
        DocAction::Approve,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DocAction::SendToReview => "Send to review",
            DocAction::ReturnToDraft => "Return to draft",
            DocAction::Approve => "Approve",
        }
    }
}

/// Whether `actor` may write the draft of a document owned by `owner_id`: its author, the
/// document's owner or a quality manager.
pub fn may_write(author_id: i64, owner_id: i64, actor: &ActorFacts) -> bool {
    actor.user_id == author_id
        || actor.user_id == owner_id
        || actor.roles.contains(&Role::QualityManager)
}

/// The lifecycle of a version: the author, the owner or a quality manager sends a draft to
/// review and takes it back; only a quality manager who did not write it approves it.
pub fn transition(
    state: DocState,
    action: DocAction,
    author_id: i64,
    contributor_ids: &[i64],
    owner_id: i64,
    actor: &ActorFacts,
) -> Result<DocState, Refusal> {
    let writer = may_write(author_id, owner_id, actor);
    let refuse = |why: &str| Err(Refusal(why.into()));
    match (state, action) {
        (DocState::Draft, DocAction::SendToReview) => {
            if writer {
                Ok(DocState::InReview)
            } else {
                refuse("Only the author, the document's owner or a quality manager sends a draft to review.")
            }
        }
        (DocState::InReview, DocAction::ReturnToDraft) => {
            if writer {
                Ok(DocState::Draft)
            } else {
                refuse("Only the author, the document's owner or a quality manager returns it to draft.")
            }
        }
        (DocState::InReview, DocAction::Approve) => {
            if !actor.roles.contains(&Role::QualityManager) {
                refuse("Only a quality manager approves an SMS document.")
            } else if actor.user_id == author_id || contributor_ids.contains(&actor.user_id) {
                refuse("You wrote part of this version; another quality manager approves it.")
            } else {
                Ok(DocState::Approved)
            }
        }
        (state, action) => Err(Refusal(format!(
            "A version that is {} cannot be moved with “{}”.",
            state.label().to_lowercase(),
            action.label()
        ))),
    }
}

/// The date an approved version is next reviewed: `review_months` after its approval (the
/// month's last day when the day does not exist, e.g. 31 March + 1 month = 30 April).
pub fn next_review_on(approved_on: NaiveDate, review_months: i32) -> NaiveDate {
    let months = Months::new(review_months.clamp(1, 36) as u32);
    approved_on
        .checked_add_months(months)
        .unwrap_or(approved_on)
}

/// How far ahead a review shows as due.
pub const DUE_WITHIN_DAYS: i64 = 30;

/// Where a document stands in its review cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewStatus {
    /// No version approved yet.
    NotApproved,
    Current {
        due: NaiveDate,
    },
    DueSoon {
        due: NaiveDate,
    },
    Overdue {
        due: NaiveDate,
    },
}

impl ReviewStatus {
    pub fn of(next_review_on: Option<NaiveDate>, today: NaiveDate) -> ReviewStatus {
        match next_review_on {
            None => ReviewStatus::NotApproved,
            Some(due) if due < today => ReviewStatus::Overdue { due },
            Some(due) if (due - today).num_days() <= DUE_WITHIN_DAYS => {
                ReviewStatus::DueSoon { due }
            }
            Some(due) => ReviewStatus::Current { due },
        }
    }

    pub fn label(self) -> String {
        match self {
            ReviewStatus::NotApproved => "Not approved yet".into(),
            ReviewStatus::Current { due } => format!("Review by {due}"),
            ReviewStatus::DueSoon { due } => format!("Review due {due}"),
            ReviewStatus::Overdue { due } => format!("Review overdue since {due}"),
        }
    }

    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            ReviewStatus::DueSoon { .. } | ReviewStatus::Overdue { .. }
        )
    }

    pub fn is_overdue(self) -> bool {
        matches!(self, ReviewStatus::Overdue { .. })
    }
}

/// What the title, clauses, owner and review cycle of a document may be.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentForm {
    pub title: String,
    pub clauses: Vec<String>,
    pub owner_id: i64,
    pub review_months: i32,
}

/// What a draft says: Markdown text, a link to where it is kept, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftForm {
    pub content: String,
    pub link: String,
    pub change_summary: String,
}

pub const MAX_CONTENT_CHARS: usize = 200_000;

impl DocumentForm {
    /// The trimmed form, with its clauses deduplicated in the standard's order, or what is wrong.
    pub fn check(&self, errors: &mut FieldErrors) -> DocumentForm {
        let title = crate::model::text::bounded(errors, "title", "Title", &self.title, 3, 160);
        let mut clauses = Vec::new();
        let mut unknown = Vec::new();
        for clause in &self.clauses {
            let clause = clause.trim();
            if clause.is_empty() {
                continue;
            }
            if crate::model::clauses::title(clause).is_some() {
                clauses.push(clause.to_string());
            } else {
                unknown.push(clause.to_string());
            }
        }
        if !unknown.is_empty() {
            errors.add(
                "clauses",
                format!(
                    "{} is not a clause of ISO/IEC 20000-1; choose the clauses from the list.",
                    unknown.join(", ")
                ),
            );
        } else if clauses.is_empty() {
            errors.add(
                "clauses",
                "Choose at least one clause the document answers.",
            );
        }
        let order = |c: &String| {
            crate::model::clauses::CLAUSES
                .iter()
                .position(|(n, _)| n == c)
                .unwrap_or(usize::MAX)
        };
        clauses.sort_by_key(order);
        clauses.dedup();
        if !(1..=36).contains(&self.review_months) {
            errors.add("review_months", "Review the document every 1 to 36 months.");
        }
        if self.owner_id <= 0 {
            errors.add("owner_id", "Choose the document's owner from the list.");
        }
        DocumentForm {
            title,
            clauses,
            owner_id: self.owner_id,
            review_months: self.review_months,
        }
    }
}

/// Whether a link is an absolute http(s) address with a host.
pub fn is_web_link(link: &str) -> bool {
    let rest = link
        .strip_prefix("https://")
        .or_else(|| link.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !link.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

impl DraftForm {
    pub fn check(&self, errors: &mut FieldErrors) -> DraftForm {
        let content = self.content.trim().to_string();
        if content.chars().count() > MAX_CONTENT_CHARS {
            errors.add(
                "content",
                format!("Keep the text under {MAX_CONTENT_CHARS} characters; link to a longer document instead."),
            );
        }
        let link = self.link.trim().to_string();
        if !link.is_empty() && !is_web_link(&link) {
            errors.add(
                "link",
                "The link must be a web address starting with https:// or http://.",
            );
        } else if link.chars().count() > 2_000 {
            errors.add("link", "Keep the link under 2,000 characters.");
        }
        if content.is_empty() && link.is_empty() {
            errors.add(
                "content",
                "Write the document's text or give a link to where it is kept.",
            );
        }
        let change_summary = crate::model::text::bounded(
            errors,
            "change_summary",
            "Change summary",
            &self.change_summary,
            0,
            500,
        );
        DraftForm {
            content,
            link,
            change_summary,
        }
    }
}

/// An approved document as other parts of Conform cite it (clause pages, evidence pack).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRef {
    pub id: i64,
    pub title: String,
    /// The approved version's number.
    pub version: i32,
    pub approved_at: DateTime<Utc>,
    pub next_review_on: NaiveDate,
    pub overdue: bool,
}

/// One version as the pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentVersion {
    pub id: i64,
    pub number: i32,
    pub state: DocState,
    pub content: String,
    /// The content as safe HTML, rendered on the server.
    pub content_html: String,
    pub link: Option<String>,
    pub change_summary: String,
    pub author: PersonRef,
    /// Everyone else who saved part of this version (none of them approves it).
    pub contributor_ids: Vec<i64>,
    pub approved_by: Option<PersonRef>,
    pub approved_at: Option<DateTime<Utc>>,
    pub next_review_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentSummary {
    pub id: i64,
    pub title: String,
    pub clauses: Vec<String>,
    pub owner: PersonRef,
    pub review_months: i32,
    /// The number of the version in force, if one is approved.
    pub approved_number: Option<i32>,
    pub approved_at: Option<DateTime<Utc>>,
    pub latest_number: i32,
    pub latest_state: DocState,
    pub review: ReviewStatus,
    pub version: i32,
}

/// One document with every version, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentDetail {
    pub summary: DocumentSummary,
    pub versions: Vec<DocumentVersion>,
}

impl DocumentDetail {
    pub fn latest(&self) -> Option<&DocumentVersion> {
        self.versions.first()
    }

    /// The version in force.
    pub fn approved(&self) -> Option<&DocumentVersion> {
        self.versions.iter().find(|v| v.state == DocState::Approved)
    }
}

/// The register's filters: a clause number and a status (`draft`, `in_review`, `approved`,
/// `due` for due soon or overdue, `overdue`); empty means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentFilter {
    pub clause: String,
    pub status: String,
}

pub const STATUS_FILTERS: &[(&str, &str)] = &[
    ("draft", "Draft in progress"),
    ("in_review", "In review"),
    ("approved", "Approved"),
    ("due", "Review due or overdue"),
    ("overdue", "Review overdue"),
    ("not_approved", "Never approved"),
];

impl DocumentFilter {
    pub fn keeps(&self, doc: &DocumentSummary) -> bool {
        let clause = self.clause.trim();
        let clause_ok = clause.is_empty() || doc.clauses.iter().any(|c| c == clause);
        let status_ok = match self.status.trim() {
            "" => true,
            "draft" => doc.latest_state == DocState::Draft,
            "in_review" => doc.latest_state == DocState::InReview,
            "approved" => doc.approved_number.is_some(),
            "due" => doc.review.needs_attention(),
            "overdue" => doc.review.is_overdue(),
            "not_approved" => doc.approved_number.is_none(),
            _ => true,
        };
        clause_ok && status_ok
    }
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

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const AUTHOR: i64 = 1;
    const OWNER: i64 = 2;

    #[test]
    fn a_draft_is_reviewed_and_approved_by_a_quality_manager_who_did_not_write_it() {
        let author = actor(AUTHOR, &[Role::ChangeManager]);
        let quinn = actor(3, &[Role::QualityManager]);
        let next = transition(
            DocState::Draft,
            DocAction::SendToReview,
            AUTHOR,
            &[],
            OWNER,
            &author,
        )
        .unwrap();
        assert_eq!(next, DocState::InReview);
        assert!(transition(next, DocAction::Approve, AUTHOR, &[], OWNER, &author).is_err());
        assert_eq!(
            transition(next, DocAction::Approve, AUTHOR, &[], OWNER, &quinn).unwrap(),
            DocState::Approved
        );
        // A quality manager who wrote the version does not approve it.
        let writer_qm = actor(AUTHOR, &[Role::QualityManager]);
        let refusal =
            transition(next, DocAction::Approve, AUTHOR, &[], OWNER, &writer_qm).unwrap_err();
        assert!(refusal.0.contains("another quality manager"));
        // Nor does a quality manager who saved part of someone else's draft.
        let editor_qm = actor(4, &[Role::QualityManager]);
        let refusal =
            transition(next, DocAction::Approve, AUTHOR, &[4], OWNER, &editor_qm).unwrap_err();
        assert!(refusal.0.contains("part of this version"), "{refusal}");
        // The owner alone is not enough.
        let owner = actor(OWNER, &[Role::ServiceOwner]);
        assert!(transition(next, DocAction::Approve, AUTHOR, &[], OWNER, &owner).is_err());
        assert_eq!(
            transition(next, DocAction::ReturnToDraft, AUTHOR, &[], OWNER, &owner).unwrap(),
            DocState::Draft
        );
        let stranger = actor(9, &[Role::ContinuityManager]);
        assert!(transition(
            DocState::Draft,
            DocAction::SendToReview,
            AUTHOR,
            &[],
            OWNER,
            &stranger
        )
        .is_err());
        assert!(!DocState::Approved.is_editable());
        assert!(DocState::Draft.is_editable());
    }

    #[test]
    fn the_next_review_is_a_cycle_after_approval() {
        assert_eq!(next_review_on(day("2026-03-31"), 1), day("2026-04-30"));
        assert_eq!(next_review_on(day("2026-01-15"), 12), day("2027-01-15"));
        assert_eq!(next_review_on(day("2026-01-15"), 36), day("2029-01-15"));
    }

    #[test]
    fn review_status_is_current_due_within_30_days_or_overdue() {
        let today = day("2026-11-28");
        assert_eq!(ReviewStatus::of(None, today), ReviewStatus::NotApproved);
        assert!(matches!(
            ReviewStatus::of(Some(day("2026-11-27")), today),
            ReviewStatus::Overdue { .. }
        ));
        assert!(matches!(
            ReviewStatus::of(Some(day("2026-11-28")), today),
            ReviewStatus::DueSoon { .. }
        ));
        assert!(matches!(
            ReviewStatus::of(Some(day("2026-12-28")), today),
            ReviewStatus::DueSoon { .. }
        ));
        assert!(matches!(
            ReviewStatus::of(Some(day("2026-12-29")), today),
            ReviewStatus::Current { .. }
        ));
    }

    fn form(title: &str, clauses: &[&str], months: i32) -> DocumentForm {
        DocumentForm {
            title: title.into(),
            clauses: clauses.iter().map(|c| c.to_string()).collect(),
            owner_id: 1,
            review_months: months,
        }
    }

    #[test]
    fn a_document_names_known_clauses_and_a_sane_review_cycle() {
        let mut errors = FieldErrors::new();
        let ok = form(" Change policy ", &["8.5.1", "5.2", "8.5.1"], 12).check(&mut errors);
        assert!(errors.is_empty());
        assert_eq!(ok.title, "Change policy");
        assert_eq!(ok.clauses, vec!["5.2", "8.5.1"]);

        let mut errors = FieldErrors::new();
        form("Ch", &["8.5.9"], 0).check(&mut errors);
        assert!(errors.get("title").is_some());
        assert!(errors.get("clauses").unwrap().contains("8.5.9"));
        assert!(errors.get("review_months").is_some());

        let mut errors = FieldErrors::new();
        form("Policy", &[], 37).check(&mut errors);
        assert!(errors.get("clauses").is_some());
        assert!(errors.get("review_months").is_some());
    }

    #[test]
    fn a_draft_needs_text_or_a_web_link() {
        let draft = |content: &str, link: &str| DraftForm {
            content: content.into(),
            link: link.into(),
            change_summary: String::new(),
        };
        let mut errors = FieldErrors::new();
        draft("", "").check(&mut errors);
        assert!(errors.get("content").is_some());

        let mut errors = FieldErrors::new();
        draft("", "javascript:alert(1)").check(&mut errors);
        assert!(errors.get("link").is_some());

        let mut errors = FieldErrors::new();
        draft("", "https://intranet.example/policy.pdf").check(&mut errors);
        assert!(errors.is_empty());

        let mut errors = FieldErrors::new();
        draft("# Policy", "").check(&mut errors);
        assert!(errors.is_empty());
        assert!(!is_web_link("https://"));
        assert!(!is_web_link("https://a b"));
        assert!(is_web_link("http://wiki/x"));
    }

    fn state() -> impl Strategy<Value = DocState> {
        prop::sample::select(DocState::ALL.to_vec())
    }

    fn action() -> impl Strategy<Value = DocAction> {
        prop::sample::select(DocAction::ALL.to_vec())
    }

    fn roles() -> impl Strategy<Value = Vec<Role>> {
        prop::collection::vec(prop::sample::select(Role::ALL.to_vec()), 0..3)
    }

    proptest! {
        /// Whatever the sequence of moves and people, nobody approves their own version,
        /// only quality managers approve, and approved/superseded versions never move.
        #[test]
        fn approval_rules_hold_for_any_move(
            state in state(),
            action in action(),
            actor_id in 1i64..4,
            author in 1i64..4,
            contributors in prop::collection::vec(1i64..5, 0..3),
            owner in 1i64..4,
            roles in roles(),
        ) {
            let who = actor(actor_id, &roles);
            match transition(state, action, author, &contributors, owner, &who) {
                Ok(DocState::Approved) => {
                    prop_assert_eq!(state, DocState::InReview);
                    prop_assert!(roles.contains(&Role::QualityManager));
                    prop_assert_ne!(actor_id, author);
                    prop_assert!(!contributors.contains(&actor_id));
                }
                Ok(next) => {
                    prop_assert!(state.is_open());
                    prop_assert!(next.is_open());
                    prop_assert!(may_write(author, owner, &who));
                }
                Err(_) => {}
            }
            if !state.is_open() {
                prop_assert!(transition(state, action, author, &contributors, owner, &who).is_err());
            }
        }

        /// Review status follows the date alone, and the next review is always later than the approval.
        #[test]
        fn review_dates_are_consistent(offset in -400i64..400, months in 1i32..=36) {
            let today = day("2026-11-28");
            let due = today + chrono::Duration::days(offset);
            let status = ReviewStatus::of(Some(due), today);
            prop_assert_eq!(status.is_overdue(), offset < 0);
            prop_assert_eq!(status.needs_attention(), offset <= DUE_WITHIN_DAYS);
            prop_assert!(next_review_on(today, months) > today);
        }
    }
}
