//! Gap analysis against ISO/IEC 20000-1: each sub-clause rated on a four-step maturity scale
//! (or not applicable, with a reason), and from the ratings a readiness score per clause and
//! overall, the heat map of clauses 4–10, and what changed since the previous assessment.

use crate::model::clauses::CLAUSES;
use crate::model::labelled::labelled_enum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum Maturity {
        NotAddressed => ("not_addressed", "Not addressed"),
        Initial => ("initial", "Initial"),
        /// Defined but applied inconsistently.
        Defined => ("defined", "Defined but inconsistent"),
        Conforming => ("conforming", "Conforming"),
    }
}

impl Maturity {
    /// Points towards readiness: a step on the scale is a third of the way.
    pub fn points(self) -> u32 {
        match self {
            Maturity::NotAddressed => 0,
            Maturity::Initial => 1,
            Maturity::Defined => 2,
            Maturity::Conforming => 3,
        }
    }

    /// Anything short of conforming is a gap that needs an action.
    pub fn is_gap(self) -> bool {
        self != Maturity::Conforming
    }
}

/// One sub-clause's rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rating {
    Rated(Maturity),
    /// Excluded from the score; the reason is what an auditor will ask for.
    NotApplicable {
        justification: String,
    },
}

/// The rule, as the results page states it.
pub const READINESS_RULE: &str = "Each applicable sub-clause scores 0 (not addressed), 1 (initial), 2 (defined but inconsistent) or 3 (conforming). A clause's readiness is its points over 3 × its applicable sub-clauses; overall readiness is all points over 3 × all applicable sub-clauses. Not-applicable sub-clauses (with a justification) count for neither; unrated ones count as not addressed.";

/// Why a rating cannot be saved.
pub fn check_rating(rating: &Rating) -> Result<(), String> {
    match rating {
        Rating::NotApplicable { justification } if justification.trim().chars().count() < 10 => {
            Err("Say why this sub-clause does not apply (at least 10 characters): the auditor will ask.".into())
        }
        _ => Ok(()),
    }
}

/// The top-level clause of a sub-clause number: "8.2.4" → "8".
pub fn top_clause(number: &str) -> &str {
    number.split('.').next().unwrap_or(number)
}

/// Readiness as a whole percentage (rounded down, so 100 means every point was earned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readiness {
    pub points: u32,
    pub possible: u32,
}

impl Readiness {
    pub fn percent(self) -> Option<u32> {
        (self.possible > 0).then(|| self.points * 100 / self.possible)
    }

    /// The heat-map band: red below 40%, amber below 75%, green from there.
    pub fn band(self) -> &'static str {
        match self.percent() {
            None => "not-applicable",
            Some(p) if p < 40 => "red",
            Some(p) if p < 75 => "amber",
            Some(_) => "green",
        }
    }

    fn add(&mut self, rating: Option<&Rating>) {
        match rating {
            Some(Rating::NotApplicable { .. }) => {}
            Some(Rating::Rated(maturity)) => {
                self.points += maturity.points();
                self.possible += 3;
            }
            None => self.possible += 3,
        }
    }
}

/// Readiness per top-level clause (4–10, in order) and overall, over every sub-clause of the
/// library; `ratings` is keyed by sub-clause number.
pub fn readiness(ratings: &BTreeMap<String, Rating>) -> (Vec<(String, Readiness)>, Readiness) {
    let mut per_clause: Vec<(String, Readiness)> = Vec::new();
    let mut overall = Readiness {
        points: 0,
        possible: 0,
    };
    for (number, _) in CLAUSES {
        let top = top_clause(number);
        if per_clause.last().is_none_or(|(t, _)| t != top) {
            per_clause.push((
                top.to_string(),
                Readiness {
                    points: 0,
                    possible: 0,
                },
            ));
        }
        let rating = ratings.get(*number);
        if let Some((_, clause)) = per_clause.last_mut() {
            clause.add(rating);
        }
        overall.add(rating);
    }
    (per_clause, overall)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Movement {
    Improved { from: Maturity, to: Maturity },
    Regressed { from: Maturity, to: Maturity },
}

/// What moved on the maturity scale from the previous assessment to this one, by sub-clause
/// (sub-clauses not rated in both, or not applicable in either, are left out).
pub fn compare(
    previous: &BTreeMap<String, Rating>,
    current: &BTreeMap<String, Rating>,
) -> Vec<(String, Movement)> {
    let mut moved = Vec::new();
    for (number, _) in CLAUSES {
        if let (Some(Rating::Rated(from)), Some(Rating::Rated(to))) =
            (previous.get(*number), current.get(*number))
        {
            if to > from {
                moved.push((
                    number.to_string(),
                    Movement::Improved {
                        from: *from,
                        to: *to,
                    },
                ));
            } else if to < from {
                moved.push((
                    number.to_string(),
                    Movement::Regressed {
                        from: *from,
                        to: *to,
                    },
                ));
            }
        }
    }
    moved
}

// ---------------------------------------------------------------------------------------------
// Campaigns: an assessment is opened by the quality manager, rated sub-clause by sub-clause,
// and closed (then read-only). These types cross the wire.

use crate::model::clause_library::{ClauseEntry, DocumentedKind};
use crate::model::refs::PersonRef;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum AssessmentState {
        Open => ("open", "Open"),
        Closed => ("closed", "Closed"),
    }
}

/// The stored code of a rating: a maturity code or `not_applicable`.
pub const NOT_APPLICABLE: &str = "not_applicable";

impl Rating {
    pub fn code(&self) -> &'static str {
        match self {
            Rating::Rated(m) => m.as_str(),
            Rating::NotApplicable { .. } => NOT_APPLICABLE,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Rating::Rated(m) => m.label(),
            Rating::NotApplicable { .. } => "Not applicable",
        }
    }

    /// From the stored or posted code and justification; `None` for an unknown code.
    pub fn from_code(code: &str, justification: &str) -> Option<Rating> {
        if code.trim() == NOT_APPLICABLE {
            return Some(Rating::NotApplicable {
                justification: justification.trim().to_string(),
            });
        }
        Maturity::parse(code).map(Rating::Rated)
    }
}

/// Parses a posted rating: empty means "not rated yet"; N/A must say why (`check_rating`).
pub fn parse_rating(code: &str, justification: &str) -> Result<Option<Rating>, String> {
    if code.trim().is_empty() {
        return Ok(None);
    }
    let rating = Rating::from_code(code, justification)
        .ok_or_else(|| "Choose a maturity step or Not applicable.".to_string())?;
    check_rating(&rating)?;
    Ok(Some(rating))
}

/// One assessment as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentSummary {
    pub id: i64,
    pub title: String,
    pub state: AssessmentState,
    pub opened_by: PersonRef,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i32,
    /// Sub-clauses with a rating (N/A counts as rated).
    pub rated: usize,
    pub overall: Readiness,
}

labelled_enum! {
    /// What the evidence link points at.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum EvidenceKind {
        /// A document of the register, by its id.
        Document => ("document", "Document (register id)"),
        /// A record Conform holds, by its internal path (`/changes/12`).
        Record => ("record", "Conform record (path)"),
        /// Anything else, by an http(s) address.
        Url => ("url", "Web address"),
    }
}

impl EvidenceKind {
    /// Whether the link shows that records are retained (a document does not).
    pub fn is_record_evidence(self) -> bool {
        matches!(self, EvidenceKind::Record | EvidenceKind::Url)
    }
}

/// The kinds of Conform record an evidence link may point at, as path prefixes.
pub const RECORD_PATHS: [&str; 9] = [
    "/services/",
    "/changes/",
    "/cab/meetings/",
    "/continuity/plans/",
    "/improvements/",
    "/nonconformities/",
    "/compliance/documents/",
    "/compliance/audits/",
    "/compliance/reviews/",
];

/// A checked evidence link, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceDraft {
    pub kind: EvidenceKind,
    pub target: String,
    pub label: String,
}

/// One stored evidence link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceLink {
    pub id: i64,
    pub kind: EvidenceKind,
    pub target: String,
    pub label: String,
    pub created_by: PersonRef,
    pub created_at: DateTime<Utc>,
}

impl EvidenceLink {
    /// Where the link leads in the browser.
    pub fn href(&self) -> String {
        evidence_href(self.kind, &self.target)
    }
}

pub fn evidence_href(kind: EvidenceKind, target: &str) -> String {
    match kind {
        EvidenceKind::Document => format!("/compliance/documents/{}", target.trim()),
        EvidenceKind::Record | EvidenceKind::Url => target.trim().to_string(),
    }
}

fn positive_id(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && text.parse::<i64>().is_ok_and(|id| id > 0)
}

/// An internal path of a known record kind: `/changes/12` yes, `/changes/12/edit` or
/// `/admin/users` no.
pub fn is_record_path(target: &str) -> bool {
    RECORD_PATHS
        .iter()
        .any(|prefix| target.strip_prefix(prefix).is_some_and(positive_id))
}

/// An absolute http(s) address with a host and no spaces.
pub fn is_web_address(target: &str) -> bool {
    let rest = target
        .strip_prefix("https://")
        .or_else(|| target.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !target.chars().any(char::is_whitespace) && target.len() <= 2000
    })
}

/// Checks a posted evidence link; errors per field (`kind`, `target`, `label`).
pub fn check_evidence(
    kind: &str,
    target: &str,
    label: &str,
) -> Result<EvidenceDraft, crate::error::FieldErrors> {
    let mut errors = crate::error::FieldErrors::new();
    let target = target.trim();
    let label = label.trim();
    let kind = EvidenceKind::parse(kind);
    match kind {
        None => errors.add("kind", "Choose what the link points at."),
        Some(EvidenceKind::Document) if !positive_id(target) => errors.add(
            "target",
            "Give the document's number in the register, for example 4.",
        ),
        Some(EvidenceKind::Record) if !is_record_path(target) => errors.add(
            "target",
            "Give the path of a Conform record, for example /changes/12 (services, changes, CAB meetings, continuity plans, improvements, nonconformities, documents, audits, reviews).",
        ),
        Some(EvidenceKind::Url) if !is_web_address(target) => errors.add(
            "target",
            "Give a full web address starting with https:// or http://.",
        ),
        Some(_) => {}
    }
    let count = label.chars().count();
    if count < 3 {
        errors.add(
            "label",
            "Say in a few words what the evidence is (at least 3 characters).",
        );
    } else if count > 200 {
        errors.add("label", "Keep the label under 200 characters.");
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(EvidenceDraft {
            kind,
            target: target.to_string(),
            label: label.to_string(),
        }),
        _ => Err(errors),
    }
}

/// One sub-clause's row of the sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingRow {
    pub id: i64,
    pub clause: String,
    pub rating: Option<Rating>,
    pub notes: String,
    pub owner: Option<PersonRef>,
    pub improvement: Option<LinkedImprovement>,
    pub evidence: Vec<EvidenceLink>,
    pub version: i32,
    pub updated_by: Option<PersonRef>,
    pub updated_at: DateTime<Utc>,
}

impl RatingRow {
    /// A gap that an improvement action may be raised for.
    pub fn is_gap(&self) -> bool {
        match &self.rating {
            Some(Rating::Rated(m)) => m.is_gap(),
            _ => false,
        }
    }
}

/// The register entry a gap was turned into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedImprovement {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub state: String,
}

/// The whole sheet of one assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentSheet {
    pub assessment: AssessmentSummary,
    /// The library in clause order (guidance, expected documented information).
    pub clauses: Vec<ClauseEntry>,
    pub rows: Vec<RatingRow>,
    /// Who may be named as a row's owner.
    pub people: Vec<PersonRef>,
}

/// What the "open an assessment" form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpeningChoices {
    pub open: Option<AssessmentSummary>,
    /// The assessment whose ratings can be copied as the starting point.
    pub previous: Option<AssessmentSummary>,
}

// ---------------------------------------------------------------------------------------------
// Blockers: what stands between the organisation and certification.

/// What the document register holds for a sub-clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DocumentStatus {
    /// At least one document answering it has an approved version.
    Approved,
    /// Only drafts or documents in review.
    OnlyUnapproved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BlockerKind {
    DocumentMissing,
    DocumentNotApproved,
    RecordsMissing,
    NotAddressed,
}

impl BlockerKind {
    pub fn label(self) -> &'static str {
        match self {
            BlockerKind::DocumentMissing => "Mandatory document missing",
            BlockerKind::DocumentNotApproved => "Document not approved",
            BlockerKind::RecordsMissing => "Records missing",
            BlockerKind::NotAddressed => "Not addressed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocker {
    pub clause: String,
    pub kind: BlockerKind,
    /// What is expected, in words ("SMS scope", "rated Not addressed").
    pub detail: String,
}

impl Blocker {
    /// Where to go to remove it.
    pub fn href(&self, assessment_id: i64) -> String {
        match self.kind {
            BlockerKind::DocumentMissing | BlockerKind::DocumentNotApproved => {
                "/compliance/documents".to_string()
            }
            BlockerKind::RecordsMissing | BlockerKind::NotAddressed => {
                format!("/compliance/gap/{assessment_id}#clause-{}", self.clause)
            }
        }
    }
}

fn names_of(entry: &ClauseEntry, kind: DocumentedKind) -> String {
    entry
        .documented
        .iter()
        .filter(|d| d.kind == kind)
        .map(|d| d.name.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// What blocks certification, in clause order. For every applicable sub-clause (not rated
/// N/A): a document it expects that the register does not hold approved; records it expects
/// when Conform holds none live (`live_records`) and the assessment links none
/// (`record_evidence`: sub-clauses with an evidence link of kind record or url); and a
/// rating of Not addressed.
pub fn blockers(
    library: &[ClauseEntry],
    ratings: &BTreeMap<String, Rating>,
    documents: &BTreeMap<String, DocumentStatus>,
    live_records: &BTreeSet<String>,
    record_evidence: &BTreeSet<String>,
) -> Vec<Blocker> {
    let mut found = Vec::new();
    for entry in library {
        let rating = ratings.get(&entry.number);
        if matches!(rating, Some(Rating::NotApplicable { .. })) {
            continue;
        }
        if entry.expects(DocumentedKind::Document) {
            let kind = match documents.get(&entry.number) {
                Some(DocumentStatus::Approved) => None,
                Some(DocumentStatus::OnlyUnapproved) => Some(BlockerKind::DocumentNotApproved),
                None => Some(BlockerKind::DocumentMissing),
            };
            if let Some(kind) = kind {
                found.push(Blocker {
                    clause: entry.number.clone(),
                    kind,
                    detail: names_of(entry, DocumentedKind::Document),
                });
            }
        }
        if entry.expects(DocumentedKind::Record)
            && !live_records.contains(&entry.number)
            && !record_evidence.contains(&entry.number)
        {
            found.push(Blocker {
                clause: entry.number.clone(),
                kind: BlockerKind::RecordsMissing,
                detail: names_of(entry, DocumentedKind::Record),
            });
        }
        if rating == Some(&Rating::Rated(Maturity::NotAddressed)) {
            found.push(Blocker {
                clause: entry.number.clone(),
                kind: BlockerKind::NotAddressed,
                detail: "Rated Not addressed".into(),
            });
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Results.

/// One cell of the heat map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatCell {
    pub clause: String,
    pub title: String,
    pub rating: Option<Rating>,
}

impl HeatCell {
    /// The CSS class of the cell (colour), always shown with a text label too.
    pub fn class(&self) -> &'static str {
        match &self.rating {
            None => "heat-unrated",
            Some(Rating::NotApplicable { .. }) => "heat-na",
            Some(Rating::Rated(Maturity::NotAddressed)) => "heat-not-addressed",
            Some(Rating::Rated(Maturity::Initial)) => "heat-initial",
            Some(Rating::Rated(Maturity::Defined)) => "heat-defined",
            Some(Rating::Rated(Maturity::Conforming)) => "heat-conforming",
        }
    }

    pub fn label(&self) -> &'static str {
        self.rating.as_ref().map_or("Not rated", Rating::label)
    }
}

/// How this assessment compares with the previous closed one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub previous: AssessmentSummary,
    /// (sub-clause, from, to)
    pub improved: Vec<(String, Maturity, Maturity)>,
    pub regressed: Vec<(String, Maturity, Maturity)>,
    /// Sub-clauses rated the same maturity in both.
    pub unchanged: Vec<String>,
}

/// Builds the comparison from both assessments' ratings (`compare` plus the unchanged).
pub fn comparison(
    previous: AssessmentSummary,
    before: &BTreeMap<String, Rating>,
    after: &BTreeMap<String, Rating>,
) -> Comparison {
    let mut improved = Vec::new();
    let mut regressed = Vec::new();
    for (clause, movement) in compare(before, after) {
        match movement {
            Movement::Improved { from, to } => improved.push((clause, from, to)),
            Movement::Regressed { from, to } => regressed.push((clause, from, to)),
        }
    }
    let unchanged = CLAUSES
        .iter()
        .filter(|(n, _)| {
            matches!(
                (before.get(*n), after.get(*n)),
                (Some(Rating::Rated(a)), Some(Rating::Rated(b))) if a == b
            )
        })
        .map(|(n, _)| n.to_string())
        .collect();
    Comparison {
        previous,
        improved,
        regressed,
        unchanged,
    }
}

/// Everything the results page (and the evidence pack) shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GapResults {
    pub assessment: AssessmentSummary,
    /// (clause 4–10, its title, readiness)
    pub per_clause: Vec<(String, String, Readiness)>,
    pub overall: Readiness,
    pub heat_map: Vec<HeatCell>,
    pub blockers: Vec<Blocker>,
    pub comparison: Option<Comparison>,
}

/// The heading of a top-level clause of ISO/IEC 20000-1:2018.
pub fn clause_title(top: &str) -> &'static str {
    match top {
        "4" => "Context of the organization",
        "5" => "Leadership",
        "6" => "Planning",
        "7" => "Support of the SMS",
        "8" => "Operation of the SMS",
        "9" => "Performance evaluation",
        "10" => "Improvement",
        _ => "",
    }
}

/// Results from the ratings and the blockers' inputs already gathered.
pub fn results(
    assessment: AssessmentSummary,
    ratings: &BTreeMap<String, Rating>,
    blockers: Vec<Blocker>,
    comparison: Option<Comparison>,
) -> GapResults {
    let (per_clause, overall) = readiness(ratings);
    let per_clause = per_clause
        .into_iter()
        .map(|(top, r)| {
            let title = clause_title(&top).to_string();
            (top, title, r)
        })
        .collect();
    let heat_map = CLAUSES
        .iter()
        .map(|(n, title)| HeatCell {
            clause: n.to_string(),
            title: title.to_string(),
            rating: ratings.get(*n).cloned(),
        })
        .collect();
    GapResults {
        assessment,
        per_clause,
        overall,
        heat_map,
        blockers,
        comparison,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rated(pairs: &[(&str, Maturity)]) -> BTreeMap<String, Rating> {
        pairs
            .iter()
            .map(|(n, m)| (n.to_string(), Rating::Rated(*m)))
            .collect()
    }

    #[test]
    fn readiness_follows_the_stated_rule() {
        let all: BTreeMap<String, Rating> = CLAUSES
            .iter()
            .map(|(n, _)| (n.to_string(), Rating::Rated(Maturity::Conforming)))
            .collect();
        let (clauses, overall) = readiness(&all);
        assert_eq!(overall.percent(), Some(100));
        let tops: Vec<&str> = clauses.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(tops, vec!["4", "5", "6", "7", "8", "9", "10"]);

        // Nothing rated: nothing ready, every clause red.
        let (clauses, overall) = readiness(&BTreeMap::new());
        assert_eq!(overall.percent(), Some(0));
        assert!(clauses.iter().all(|(_, r)| r.band() == "red"));

        // Clause 4 has four sub-clauses: 3 + 2 + 1 + 0 points of 12 = 50%, amber.
        let four = rated(&[
            ("4.1", Maturity::Conforming),
            ("4.2", Maturity::Defined),
            ("4.3", Maturity::Initial),
            ("4.4", Maturity::NotAddressed),
        ]);
        let (clauses, _) = readiness(&four);
        assert_eq!(clauses[0].1.percent(), Some(50));
        assert_eq!(clauses[0].1.band(), "amber");
    }

    #[test]
    fn not_applicable_needs_a_reason_and_leaves_the_score() {
        assert!(check_rating(&Rating::NotApplicable {
            justification: "n/a".into()
        })
        .is_err());
        let reason = Rating::NotApplicable {
            justification: "No assets are managed by the SMS scope.".into(),
        };
        assert!(check_rating(&reason).is_ok());
        let mut ratings = rated(&[("8.2.5", Maturity::NotAddressed)]);
        let (_, with_gap) = readiness(&ratings);
        ratings.insert("8.2.5".into(), reason);
        let (_, excluded) = readiness(&ratings);
        assert_eq!(excluded.possible, with_gap.possible - 3);
    }

    #[test]
    fn the_comparison_names_what_improved_and_what_regressed() {
        let before = rated(&[
            ("4.3", Maturity::Initial),
            ("8.5.1", Maturity::Conforming),
            ("9.2", Maturity::Defined),
        ]);
        let after = rated(&[
            ("4.3", Maturity::Conforming),
            ("8.5.1", Maturity::Defined),
            ("9.2", Maturity::Defined),
        ]);
        let moved = compare(&before, &after);
        assert_eq!(
            moved,
            vec![
                (
                    "4.3".to_string(),
                    Movement::Improved {
                        from: Maturity::Initial,
                        to: Maturity::Conforming
                    }
                ),
                (
                    "8.5.1".to_string(),
                    Movement::Regressed {
                        from: Maturity::Conforming,
                        to: Maturity::Defined
                    }
                ),
            ]
        );
    }

    fn any_ratings() -> impl Strategy<Value = BTreeMap<String, Rating>> {
        prop::collection::vec(0u8..6, CLAUSES.len()).prop_map(|codes| {
            CLAUSES
                .iter()
                .zip(codes)
                .filter_map(|((n, _), code)| {
                    let rating = match code {
                        0..=3 => Rating::Rated(Maturity::ALL[code as usize]),
                        4 => Rating::NotApplicable {
                            justification: "Outside the scope of the SMS.".into(),
                        },
                        _ => return None,
                    };
                    Some((n.to_string(), rating))
                })
                .collect()
        })
    }

    proptest! {
        /// Readiness stays within 0–100%, and raising any one rating never lowers any score.
        #[test]
        fn raising_a_rating_never_lowers_readiness(ratings in any_ratings(), pick in 0usize..1000) {
            let (clauses, overall) = readiness(&ratings);
            prop_assert!(overall.percent().is_none_or(|p| p <= 100));
            let (number, _) = CLAUSES[pick % CLAUSES.len()];
            let mut raised = ratings.clone();
            let next = match ratings.get(number) {
                Some(Rating::Rated(m)) => Maturity::ALL.into_iter().find(|n| n > m).unwrap_or(*m),
                None => Maturity::Initial,
                Some(Rating::NotApplicable { .. }) => return Ok(()),
            };
            raised.insert(number.to_string(), Rating::Rated(next));
            let (raised_clauses, raised_overall) = readiness(&raised);
            prop_assert!(raised_overall.points >= overall.points);
            prop_assert_eq!(raised_overall.possible, overall.possible);
            for ((_, before), (_, after)) in clauses.iter().zip(&raised_clauses) {
                prop_assert!(after.percent() >= before.percent());
            }
        }

        /// An assessment compared with itself shows no movement.
        #[test]
        fn nothing_moves_against_itself(ratings in any_ratings()) {
            prop_assert!(compare(&ratings, &ratings).is_empty());
        }
    }

    #[test]
    fn evidence_links_are_checked_by_kind() {
        assert!(check_evidence("record", "/changes/12", "RFC with PIR").is_ok());
        assert!(check_evidence("record", "/compliance/audits/3", "Audit 3").is_ok());
        assert!(check_evidence("record", "/changes/12/edit", "RFC").is_err());
        assert!(check_evidence("record", "/admin/users/1", "Users").is_err());
        assert!(check_evidence("record", "/changes/0", "RFC").is_err());
        assert!(check_evidence("record", "https://example.org", "RFC").is_err());
        assert!(check_evidence("url", "https://wiki.example.org/sms", "Wiki page").is_ok());
        assert!(check_evidence("url", "ftp://example.org/x", "File").is_err());
        assert!(check_evidence("url", "javascript:alert(1)", "Bad").is_err());
        assert!(check_evidence("url", "https:// example.org", "Bad").is_err());
        assert!(check_evidence("document", "4", "Scope").is_ok());
        assert!(check_evidence("document", "four", "Scope").is_err());
        let errors = check_evidence("file", "x", "").unwrap_err();
        assert!(errors.get("kind").is_some() && errors.get("label").is_some());
        let link = check_evidence("document", " 7 ", " Policy ").unwrap();
        assert_eq!(
            evidence_href(link.kind, &link.target),
            "/compliance/documents/7"
        );
        assert_eq!(link.label, "Policy");
    }

    #[test]
    fn a_posted_rating_is_parsed_and_checked() {
        assert_eq!(parse_rating("", ""), Ok(None));
        assert_eq!(
            parse_rating("defined", ""),
            Ok(Some(Rating::Rated(Maturity::Defined)))
        );
        assert!(parse_rating("not_applicable", "no").is_err());
        assert!(parse_rating("great", "").is_err());
        let na = parse_rating("not_applicable", "No suppliers in the scope of the SMS.")
            .unwrap()
            .unwrap();
        assert_eq!(na.code(), NOT_APPLICABLE);
    }

    fn library() -> Vec<ClauseEntry> {
        crate::model::clause_library::bundled().unwrap().clauses
    }

    fn documented_clauses(kind: DocumentedKind) -> Vec<String> {
        library()
            .into_iter()
            .filter(|c| c.expects(kind))
            .map(|c| c.number)
            .collect()
    }

    #[test]
    fn blockers_name_missing_documents_records_and_gaps() {
        let lib = library();
        let mut ratings = rated(&[("9.2", Maturity::NotAddressed)]);
        let mut documents = BTreeMap::new();
        documents.insert("4.3".to_string(), DocumentStatus::Approved);
        documents.insert("5.2".to_string(), DocumentStatus::OnlyUnapproved);
        let live: BTreeSet<String> = ["10.1".to_string()].into();
        let evidence: BTreeSet<String> = ["7.2".to_string()].into();
        let found = blockers(&lib, &ratings, &documents, &live, &evidence);
        let has = |clause: &str, kind: BlockerKind| {
            found.iter().any(|b| b.clause == clause && b.kind == kind)
        };
        assert!(!has("4.3", BlockerKind::DocumentMissing));
        assert!(has("5.2", BlockerKind::DocumentNotApproved));
        assert!(has("6.3", BlockerKind::DocumentMissing));
        assert!(!has("10.1", BlockerKind::RecordsMissing));
        assert!(!has("7.2", BlockerKind::RecordsMissing));
        assert!(has("9.3", BlockerKind::RecordsMissing));
        assert!(has("9.2", BlockerKind::NotAddressed));
        // The sub-clause's expected document is named.
        let scope = found.iter().find(|b| b.clause == "6.3").unwrap();
        assert!(!scope.detail.is_empty());

        // A justified N/A removes every blocker of that sub-clause.
        ratings.insert(
            "9.2".into(),
            Rating::NotApplicable {
                justification: "Audits are run by the parent company.".into(),
            },
        );
        let found = blockers(&lib, &ratings, &documents, &live, &evidence);
        assert!(found.iter().all(|b| b.clause != "9.2"));

        // Everything in place: nothing blocks.
        let all_docs = documented_clauses(DocumentedKind::Document)
            .into_iter()
            .map(|c| (c, DocumentStatus::Approved))
            .collect();
        let all_records: BTreeSet<String> = documented_clauses(DocumentedKind::Record)
            .into_iter()
            .collect();
        assert!(blockers(
            &lib,
            &BTreeMap::new(),
            &all_docs,
            &all_records,
            &BTreeSet::new()
        )
        .is_empty());
    }

    #[test]
    fn results_carry_every_sub_clause_and_the_comparison() {
        let before = rated(&[("4.1", Maturity::Initial), ("4.2", Maturity::Defined)]);
        let after = rated(&[("4.1", Maturity::Defined), ("4.2", Maturity::Defined)]);
        let summary = AssessmentSummary {
            id: 1,
            title: "Q1".into(),
            state: AssessmentState::Closed,
            opened_by: PersonRef {
                id: 1,
                name: "Q".into(),
            },
            opened_at: DateTime::<Utc>::default(),
            closed_at: None,
            version: 1,
            rated: 2,
            overall: readiness(&before).1,
        };
        let cmp = comparison(summary.clone(), &before, &after);
        assert_eq!(
            cmp.improved,
            vec![("4.1".to_string(), Maturity::Initial, Maturity::Defined)]
        );
        assert!(cmp.regressed.is_empty());
        assert_eq!(cmp.unchanged, vec!["4.2".to_string()]);
        let results = results(summary, &after, Vec::new(), Some(cmp));
        assert_eq!(results.heat_map.len(), CLAUSES.len());
        assert_eq!(results.per_clause.len(), 7);
        assert_eq!(results.per_clause[0].1, "Context of the organization");
        assert_eq!(results.heat_map[0].label(), "Defined but inconsistent");
        assert_eq!(results.heat_map[5].label(), "Not rated");
    }

    fn any_documents() -> impl Strategy<Value = BTreeMap<String, DocumentStatus>> {
        prop::collection::vec(0u8..3, CLAUSES.len()).prop_map(|codes| {
            CLAUSES
                .iter()
                .zip(codes)
                .filter_map(|((n, _), code)| match code {
                    0 => Some((n.to_string(), DocumentStatus::Approved)),
                    1 => Some((n.to_string(), DocumentStatus::OnlyUnapproved)),
                    _ => None,
                })
                .collect()
        })
    }

    fn any_clause_set() -> impl Strategy<Value = BTreeSet<String>> {
        prop::collection::vec(any::<bool>(), CLAUSES.len()).prop_map(|flags| {
            CLAUSES
                .iter()
                .zip(flags)
                .filter(|(_, f)| *f)
                .map(|((n, _), _)| n.to_string())
                .collect()
        })
    }

    proptest! {
        /// Approving a document, adding live records or an evidence link never adds a blocker;
        /// a not-applicable sub-clause never blocks.
        #[test]
        fn more_evidence_never_adds_a_blocker(
            ratings in any_ratings(),
            documents in any_documents(),
            live in any_clause_set(),
            evidence in any_clause_set(),
            pick in 0usize..1000,
        ) {
            let lib = library();
            let found = blockers(&lib, &ratings, &documents, &live, &evidence);
            for b in &found {
                let excluded = matches!(ratings.get(&b.clause), Some(Rating::NotApplicable { .. }));
                prop_assert!(!excluded);
            }
            let (number, _) = CLAUSES[pick % CLAUSES.len()];
            let mut approved = documents.clone();
            approved.insert(number.to_string(), DocumentStatus::Approved);
            let mut more_live = live.clone();
            more_live.insert(number.to_string());
            let mut more_evidence = evidence.clone();
            more_evidence.insert(number.to_string());
            for after in [
                blockers(&lib, &ratings, &approved, &live, &evidence),
                blockers(&lib, &ratings, &documents, &more_live, &evidence),
                blockers(&lib, &ratings, &documents, &live, &more_evidence),
            ] {
                prop_assert!(after.len() <= found.len());
                prop_assert!(after.iter().all(|b| found.contains(b)));
            }
        }
    }
}
