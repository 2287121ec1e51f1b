//! The clause library: for every clause of ISO/IEC 20000-1:2018 that Conform knows
//! (`clauses::CLAUSES`), Conform's own plain-language guidance, the documented information an
//! organisation is expected to keep, and what an auditor typically samples.
//!
//! The library is versioned data shipped in the repository (`app/data/clause_library.json`)
//! and compiled into the binary; the server copies it into the database whenever the bundled
//! version is newer than the stored one. Numbers and titles come from `CLAUSES` only: the data
//! file carries neither titles nor numbers that list does not know.

use crate::model::clauses::{self, CLAUSES};
use crate::model::labelled::labelled_enum;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The library as shipped with this build.
pub const BUNDLED: &str = include_str!("../../data/clause_library.json");

labelled_enum! {
    /// Whether a piece of documented information is maintained (kept current, versioned,
    /// approved) or retained (kept as proof that something happened).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum DocumentedKind {
        Document => "document",
        Record => "record",
    }
}

/// One piece of documented information a clause expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Documented {
    pub kind: DocumentedKind,
    pub name: String,
}

/// One clause with its guidance. `title` is filled from `CLAUSES`, never from the data file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseEntry {
    pub number: String,
    pub title: String,
    pub guidance: String,
    pub documented: Vec<Documented>,
    pub evidence_hints: Vec<String>,
}

impl ClauseEntry {
    /// True when the clause expects at least one piece of documented information of `kind`.
    pub fn expects(&self, kind: DocumentedKind) -> bool {
        self.documented.iter().any(|d| d.kind == kind)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClauseLibrary {
    /// Raised whenever the data changes, so installed databases pick the change up.
    pub version: i32,
    /// In clause order (see `sort_key`).
    pub clauses: Vec<ClauseEntry>,
}

impl ClauseLibrary {
    pub fn get(&self, number: &str) -> Option<&ClauseEntry> {
        self.clauses.iter().find(|c| c.number == number.trim())
    }
}

// The data file's shape: strict, so a typo in a field name fails the build's tests
// instead of silently dropping guidance.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLibrary {
    version: i32,
    clauses: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    number: String,
    guidance: String,
    documented: Vec<Documented>,
    evidence_hints: Vec<String>,
}

/// Orders clause numbers numerically ("8.2.1" after "8.1", "10.1" after "9.4"), which string
/// order gets wrong. Parts that are not numbers sort last rather than failing.
pub fn sort_key(number: &str) -> Vec<u32> {
    number
        .trim()
        .split('.')
        .map(|part| part.parse().unwrap_or(u32::MAX))
        .collect()
}

/// Parses and checks a library: every known clause exactly once, no unknown numbers, and
/// guidance, names and hints that say something. All problems are reported together, so
/// whoever edits the data file sees everything to fix at once.
pub fn parse(json: &str) -> Result<ClauseLibrary, String> {
    let raw: RawLibrary =
        serde_json::from_str(json).map_err(|e| format!("The clause library is not valid: {e}"))?;
    let mut problems = Vec::new();
    if raw.version < 1 {
        problems.push(format!("version must be 1 or more, not {}", raw.version));
    }
    let mut seen = BTreeSet::new();
    let mut clauses = Vec::with_capacity(raw.clauses.len());
    for entry in raw.clauses {
        let number = entry.number.trim().to_string();
        let Some(title) = clauses::title(&number) else {
            problems.push(format!("{number:?} is not a known clause number"));
            continue;
        };
        if !seen.insert(number.clone()) {
            problems.push(format!("{number} appears more than once"));
            continue;
        }
        problems.extend(entry_problems(&number, &entry));
        clauses.push(ClauseEntry {
            number,
            title: title.to_string(),
            guidance: entry.guidance.trim().to_string(),
            documented: entry
                .documented
                .into_iter()
                .map(|d| Documented {
                    kind: d.kind,
                    name: d.name.trim().to_string(),
                })
                .collect(),
            evidence_hints: entry
                .evidence_hints
                .iter()
                .map(|h| h.trim().to_string())
                .collect(),
        });
    }
    for (number, _) in CLAUSES {
        if !seen.contains(*number) {
            problems.push(format!("{number} is missing"));
        }
    }
    if !problems.is_empty() {
        return Err(format!(
            "The clause library is not valid: {}.",
            problems.join("; ")
        ));
    }
    clauses.sort_by_key(|c| sort_key(&c.number));
    Ok(ClauseLibrary {
        version: raw.version,
        clauses,
    })
}

fn entry_problems(number: &str, entry: &RawEntry) -> Vec<String> {
    let mut problems = Vec::new();
    if entry.guidance.trim().is_empty() {
        problems.push(format!("{number} has no guidance"));
    }
    if entry.documented.iter().any(|d| d.name.trim().is_empty()) {
        problems.push(format!("{number} names a documented item without a name"));
    }
    if entry.evidence_hints.is_empty() {
        problems.push(format!("{number} has no evidence hints"));
    }
    if entry.evidence_hints.iter().any(|h| h.trim().is_empty()) {
        problems.push(format!("{number} has an empty evidence hint"));
    }
    problems
}

/// The library compiled into this build. Its validity is guaranteed by the tests below,
/// but a broken file still surfaces as an error, never a panic.
pub fn bundled() -> Result<ClauseLibrary, String> {
    parse(BUNDLED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library() -> ClauseLibrary {
        bundled().expect("the bundled clause library parses")
    }

    fn minimal(entries: &[&str]) -> String {
        let clauses: Vec<String> = entries
            .iter()
            .map(|n| {
                format!(
                    r#"{{"number":"{n}","guidance":"Do it.","documented":[],"evidence_hints":["A record"]}}"#
                )
            })
            .collect();
        format!(r#"{{"version":1,"clauses":[{}]}}"#, clauses.join(","))
    }

    #[test]
    fn the_bundled_library_covers_exactly_the_known_clauses_in_order() {
        let library = library();
        assert!(library.version >= 1);
        let numbers: Vec<&str> = library.clauses.iter().map(|c| c.number.as_str()).collect();
        let known: Vec<&str> = CLAUSES.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, known);
        for entry in &library.clauses {
            assert_eq!(Some(entry.title.as_str()), clauses::title(&entry.number));
        }
    }

    #[test]
    fn every_clause_has_guidance_documented_information_and_hints() {
        for entry in library().clauses {
            assert!(entry.guidance.len() > 80, "{} guidance", entry.number);
            assert!(!entry.documented.is_empty(), "{} documented", entry.number);
            assert!(
                (2..=4).contains(&entry.evidence_hints.len()),
                "{} hints",
                entry.number
            );
        }
    }

    #[test]
    fn the_issue_examples_have_the_stated_kinds() {
        let library = library();
        let documents = [
            "4.3", "5.2", "6.2", "6.3", "8.2.4", "8.3.3", "8.5.1", "8.7.2", "8.7.3",
        ];
        let records = [
            "7.2", "8.5.1", "8.6.1", "8.6.2", "8.6.3", "8.7.2", "9.2", "9.3", "10.1", "10.2",
        ];
        for number in documents {
            let entry = library.get(number).expect(number);
            assert!(entry.expects(DocumentedKind::Document), "{number} document");
        }
        for number in records {
            let entry = library.get(number).expect(number);
            assert!(entry.expects(DocumentedKind::Record), "{number} record");
        }
    }

    #[test]
    fn numbers_sort_numerically_not_as_text() {
        let mut numbers = vec!["10.1", "8.2.1", "9.4", "8.1", "4.1", "8.10.1", "8.2.10"];
        numbers.sort_by_key(|n| sort_key(n));
        assert_eq!(
            numbers,
            ["4.1", "8.1", "8.2.1", "8.2.10", "8.10.1", "9.4", "10.1"]
        );
    }

    #[test]
    fn unknown_duplicate_and_missing_clauses_are_refused() {
        let all: Vec<&str> = CLAUSES.iter().map(|(n, _)| *n).collect();
        assert!(parse(&minimal(&all)).is_ok());

        let mut unknown = all.clone();
        unknown.push("11.1");
        let error = parse(&minimal(&unknown)).unwrap_err();
        assert!(
            error.contains("\"11.1\" is not a known clause number"),
            "{error}"
        );

        let mut twice = all.clone();
        twice.push("8.5.1");
        let error = parse(&minimal(&twice)).unwrap_err();
        assert!(error.contains("8.5.1 appears more than once"), "{error}");

        let error = parse(&minimal(&all[1..])).unwrap_err();
        assert!(error.contains("4.1 is missing"), "{error}");
    }

    #[test]
    fn empty_guidance_and_unknown_kinds_are_refused() {
        let all: Vec<&str> = CLAUSES.iter().map(|(n, _)| *n).collect();
        let blank = minimal(&all).replacen("Do it.", "  ", 1);
        let error = parse(&blank).unwrap_err();
        assert!(error.contains("4.1 has no guidance"), "{error}");

        let bad_kind = minimal(&all).replacen(
            r#""documented":[]"#,
            r#""documented":[{"kind":"memo","name":"x"}]"#,
            1,
        );
        assert!(parse(&bad_kind).is_err());

        let titled = minimal(&all).replacen(r#""guidance""#, r#""title":"x","guidance""#, 1);
        assert!(parse(&titled).is_err(), "titles come from CLAUSES only");
    }
}
