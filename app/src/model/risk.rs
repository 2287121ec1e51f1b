//! Change risk: a short questionnaire gives a score and a level, and the level picks the
//! approval path. The explanation lists what drove the score, for the people who decide.

use crate::model::labelled::labelled_enum;
use crate::model::service::Criticality;
use serde::{Deserialize, Serialize};

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum RiskLevel {
        Low => ("low", "Low"),
        Medium => ("medium", "Medium"),
        High => ("high", "High"),
        VeryHigh => ("very_high", "Very high"),
    }
}

impl RiskLevel {
    /// Score bands: 0–7 low, 8–13 medium, 14–19 high, 20+ very high.
    pub fn from_score(score: u32) -> Self {
        match score {
            0..=7 => Self::Low,
            8..=13 => Self::Medium,
            14..=19 => Self::High,
            _ => Self::VeryHigh,
        }
    }
}

/// Answers to the risk questionnaire; each answer is 0 (least risky) to 3 (most risky).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RiskAnswers {
    /// How many users or services the change touches.
    pub impact_breadth: u8,
    /// How complex the implementation is.
    pub complexity: u8,
    /// How hard backing out would be.
    pub backout_difficulty: u8,
    /// How similar changes went before (0: always well, 3: new ground or past failures).
    pub history: u8,
    /// How rushed it is.
    pub time_pressure: u8,
}

pub const QUESTIONS: [(&str, &str, [&str; 4]); 5] = [
    (
        "impact_breadth",
        "Impact breadth",
        [
            "One team",
            "One department",
            "Several departments",
            "Whole organisation or customers",
        ],
    ),
    (
        "complexity",
        "Complexity",
        [
            "Routine",
            "Some steps",
            "Many steps or teams",
            "Novel, many dependencies",
        ],
    ),
    (
        "backout_difficulty",
        "Back-out difficulty",
        ["Instant", "Under an hour", "Hours", "Not possible"],
    ),
    (
        "history",
        "Similar changes before",
        [
            "Always successful",
            "Mostly successful",
            "Mixed",
            "Never done or failed",
        ],
    ),
    (
        "time_pressure",
        "Time pressure",
        ["None", "Some", "Tight", "Immediate"],
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskAssessment {
    pub score: u32,
    pub level: RiskLevel,
    /// One line per factor that added to the score, largest first.
    pub explanation: Vec<String>,
}

/// Scores the answers; the most critical affected service weighs in twice.
pub fn assess(answers: &RiskAnswers, most_critical_service: Option<Criticality>) -> RiskAssessment {
    let criticality_points = match most_critical_service {
        None | Some(Criticality::Low) => 0,
        Some(Criticality::Medium) => 2,
        Some(Criticality::High) => 4,
        Some(Criticality::Critical) => 6,
    };
    let answered = [
        answers.impact_breadth,
        answers.complexity,
        answers.backout_difficulty,
        answers.history,
        answers.time_pressure,
    ];
    let mut factors: Vec<(u32, String)> = QUESTIONS
        .iter()
        .zip(answered)
        .map(|((_, label, options), value)| {
            let value = value.min(3);
            (
                u32::from(value) * 3,
                format!("{label}: {}", options[usize::from(value)]),
            )
        })
        .collect();
    if let Some(criticality) = most_critical_service {
        factors.push((
            criticality_points,
            format!("Most critical affected service: {}", criticality.label()),
        ));
    }
    let score = factors.iter().map(|(points, _)| points).sum();
    factors.sort_by_key(|factor| std::cmp::Reverse(factor.0));
    RiskAssessment {
        score,
        level: RiskLevel::from_score(score),
        explanation: factors
            .into_iter()
            .filter(|(points, _)| *points > 0)
            .map(|(points, text)| format!("{text} (+{points})"))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn quiet_change_is_low_and_explains_nothing() {
        let assessment = assess(&RiskAnswers::default(), None);
        assert_eq!(assessment.score, 0);
        assert_eq!(assessment.level, RiskLevel::Low);
        assert!(assessment.explanation.is_empty());
    }

    #[test]
    fn worst_case_is_very_high_with_reasons_largest_first() {
        let answers = RiskAnswers {
            impact_breadth: 3,
            complexity: 3,
            backout_difficulty: 3,
            history: 3,
            time_pressure: 3,
        };
        let assessment = assess(&answers, Some(Criticality::Critical));
        assert_eq!(assessment.score, 51);
        assert_eq!(assessment.level, RiskLevel::VeryHigh);
        assert_eq!(assessment.explanation.len(), 6);
        assert!(assessment.explanation[0].ends_with("(+9)"));
        assert!(assessment.explanation.last().unwrap().contains("Critical"));
    }

    #[test]
    fn band_edges() {
        assert_eq!(RiskLevel::from_score(7), RiskLevel::Low);
        assert_eq!(RiskLevel::from_score(8), RiskLevel::Medium);
        assert_eq!(RiskLevel::from_score(13), RiskLevel::Medium);
        assert_eq!(RiskLevel::from_score(14), RiskLevel::High);
        assert_eq!(RiskLevel::from_score(20), RiskLevel::VeryHigh);
    }

    proptest! {
        /// A riskier answer, or a more critical service, never lowers the level.
        #[test]
        fn risk_is_monotonic(a in 0u8..4, b in 0u8..4, c in 0u8..4, d in 0u8..4, e in 0u8..4, bump in 0usize..5) {
            let answers = RiskAnswers { impact_breadth: a, complexity: b, backout_difficulty: c, history: d, time_pressure: e };
            let mut worse = answers;
            let field = match bump { 0 => &mut worse.impact_breadth, 1 => &mut worse.complexity, 2 => &mut worse.backout_difficulty, 3 => &mut worse.history, _ => &mut worse.time_pressure };
            *field = (*field + 1).min(3);
            prop_assert!(assess(&worse, None).level >= assess(&answers, None).level);
            prop_assert!(assess(&answers, Some(Criticality::Critical)).level >= assess(&answers, Some(Criticality::Low)).level);
        }
    }
}
