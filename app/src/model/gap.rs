//! Gap analysis against ISO/IEC 20000-1: each sub-clause rated on a four-step maturity scale
//! (or not applicable, with a reason), and from the ratings a readiness score per clause and
//! overall, the heat map of clauses 4–10, and what changed since the previous assessment.

use crate::model::clauses::CLAUSES;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Maturity {
    NotAddressed,
    Initial,
    /// Defined but applied inconsistently.
    Defined,
    Conforming,
}

impl Maturity {
    pub const ALL: [Maturity; 4] = [
        Maturity::NotAddressed,
        Maturity::Initial,
        Maturity::Defined,
        Maturity::Conforming,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Maturity::NotAddressed => "not_addressed",
            Maturity::Initial => "initial",
            Maturity::Defined => "defined",
            Maturity::Conforming => "conforming",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Maturity::NotAddressed => "Not addressed",
            Maturity::Initial => "Initial",
            Maturity::Defined => "Defined but inconsistent",
            Maturity::Conforming => "Conforming",
        }
    }

    pub fn parse(value: &str) -> Option<Maturity> {
        Maturity::ALL
            .into_iter()
            .find(|m| m.as_str() == value.trim())
    }

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
}
