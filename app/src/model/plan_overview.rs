//! What the continuity pages know about a plan beyond one version's content: the services it
//! covers and their RTOs, its review cycle, what it warns about, reviewers' comments.

use crate::model::continuity_plan::{Exercise, PlanContent, PlanState, PlanVersion, Section};
use crate::model::recovery::{schedule, warnings, Schedule};
use crate::model::refs::PersonRef;
use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A service a plan covers, with the RTO its impact analysis set (if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoveredService {
    pub id: i64,
    pub name: String,
    pub rto_minutes: Option<u32>,
}

/// Where a plan stands in its review cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewStatus {
    /// No version approved yet: nothing to review, but nothing to rely on either.
    NotApproved,
    Current {
        due: NaiveDate,
    },
    /// Due within the next 30 days.
    DueSoon {
        due: NaiveDate,
    },
    Overdue {
        due: NaiveDate,
    },
    Retired,
}

/// How far ahead a review shows as due.
pub const DUE_SOON_DAYS: i64 = 30;

impl ReviewStatus {
    pub fn label(self) -> String {
        match self {
            ReviewStatus::NotApproved => "Not approved yet".into(),
            ReviewStatus::Current { due } => format!("Review by {due}"),
            ReviewStatus::DueSoon { due } => format!("Review due {due}"),
            ReviewStatus::Overdue { due } => format!("Review overdue since {due}"),
            ReviewStatus::Retired => "Retired".into(),
        }
    }

    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            ReviewStatus::DueSoon { .. } | ReviewStatus::Overdue { .. }
        )
    }
}

/// The review cycle: a plan is reviewed `review_months` after its approval.
pub fn review_status(
    approved_on: Option<NaiveDate>,
    review_months: i32,
    retired: bool,
    today: NaiveDate,
) -> ReviewStatus {
    if retired {
        return ReviewStatus::Retired;
    }
    let Some(approved_on) = approved_on else {
        return ReviewStatus::NotApproved;
    };
    let months = Months::new(review_months.clamp(1, 36) as u32);
    let due = approved_on
        .checked_add_months(months)
        .unwrap_or(approved_on);
    if due < today {
        ReviewStatus::Overdue { due }
    } else if (due - today).num_days() <= DUE_SOON_DAYS {
        ReviewStatus::DueSoon { due }
    } else {
        ReviewStatus::Current { due }
    }
}

/// A change implemented on a covered service since the plan was approved: the plan may no
/// longer describe the service as it is (clause 8.7.2: test after major changes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MajorChange {
    pub id: i64,
    pub title: String,
    pub service: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanComment {
    pub id: i64,
    pub version_id: i64,
    pub section: Section,
    pub author: PersonRef,
    pub text: String,
    pub created_at: DateTime<Utc>,
}

/// A version as a list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionStub {
    pub id: i64,
    pub number: i32,
    pub state: PlanState,
}

/// One row of the plan list and of the dashboard's continuity panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSummary {
    pub id: i64,
    pub title: String,
    pub owner: PersonRef,
    pub services: Vec<CoveredService>,
    pub site: String,
    pub latest: VersionStub,
    pub approved_on: Option<NaiveDate>,
    pub review: ReviewStatus,
    /// The critical path of the version in force (the approved one, else the latest).
    pub total_minutes: Option<u32>,
    pub warnings: Vec<String>,
    pub major_changes: Vec<MajorChange>,
}

impl PlanSummary {
    pub fn needs_attention(&self) -> bool {
        self.review.needs_attention() || !self.warnings.is_empty() || !self.major_changes.is_empty()
    }
}

/// Everything the plan page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDetail {
    pub id: i64,
    pub title: String,
    pub owner: PersonRef,
    pub site: String,
    pub review_months: i32,
    pub retired: bool,
    pub services: Vec<CoveredService>,
    /// Newest first.
    pub versions: Vec<PlanVersion>,
    /// Comments on every version, oldest first.
    pub comments: Vec<PlanComment>,
    pub exercises: Vec<Exercise>,
    pub review: ReviewStatus,
    pub major_changes: Vec<MajorChange>,
    /// Everyone who can own a step or be named in the plan.
    pub people: Vec<PersonRef>,
    /// Competences checked of a plan owner that the owner lacks.
    pub owner_competence: Vec<crate::model::competence::GateGap>,
}

impl PlanDetail {
    pub fn latest(&self) -> Option<&PlanVersion> {
        self.versions.first()
    }

    /// The version in force: the approved one.
    pub fn approved(&self) -> Option<&PlanVersion> {
        self.versions
            .iter()
            .find(|v| v.state == PlanState::Approved)
    }

    pub fn rtos(&self) -> Vec<(String, u32)> {
        rtos(&self.services)
    }

    pub fn person_name(&self, id: i64) -> Option<&str> {
        self.people
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.name.as_str())
    }
}

/// The covered services that have an RTO, as the warnings need them.
pub fn rtos(services: &[CoveredService]) -> Vec<(String, u32)> {
    services
        .iter()
        .filter_map(|s| s.rto_minutes.map(|rto| (s.name.clone(), rto)))
        .collect()
}

/// The schedule of a version's steps and every warning about it, in words: a circle of
/// waits, a critical path longer than an RTO, steps without an owner.
pub fn plan_warnings(
    content: &PlanContent,
    rtos: &[(String, u32)],
) -> (Option<Schedule>, Vec<String>) {
    match schedule(&content.steps) {
        Ok(plan) => {
            let found = warnings(&content.steps, &plan, rtos)
                .iter()
                .map(|w| w.describe())
                .collect();
            (Some(plan), found)
        }
        Err(problem) => (None, vec![problem.describe(&content.steps)]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::recovery::RecoveryStep;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_plan_is_due_for_review_a_cycle_after_its_approval() {
        let today = day("2026-11-28");
        assert_eq!(
            review_status(None, 12, false, today),
            ReviewStatus::NotApproved
        );
        assert_eq!(
            review_status(Some(day("2026-03-01")), 12, false, today),
            ReviewStatus::Current {
                due: day("2027-03-01")
            }
        );
        assert_eq!(
            review_status(Some(day("2025-12-20")), 12, false, today),
            ReviewStatus::DueSoon {
                due: day("2026-12-20")
            }
        );
        assert_eq!(
            review_status(Some(day("2025-06-30")), 12, false, today),
            ReviewStatus::Overdue {
                due: day("2026-06-30")
            }
        );
        // The end of a month stays the end of a shorter month.
        assert_eq!(
            review_status(Some(day("2026-08-31")), 6, false, today),
            ReviewStatus::Current {
                due: day("2027-02-28")
            }
        );
        assert_eq!(
            review_status(Some(day("2020-01-01")), 12, true, today),
            ReviewStatus::Retired
        );
        assert!(ReviewStatus::Overdue {
            due: day("2026-01-01")
        }
        .needs_attention());
    }

    fn step(key: u32, minutes: u32, waits_for: Vec<u32>, owner: Option<i64>) -> RecoveryStep {
        RecoveryStep {
            key,
            title: format!("Step {key}"),
            owner_id: owner,
            duration_minutes: minutes,
            waits_for,
            depth: 0,
        }
    }

    #[test]
    fn warnings_name_the_rto_missed_the_unowned_steps_and_circles() {
        let mut content = PlanContent {
            steps: vec![step(1, 120, vec![], Some(1)), step(2, 180, vec![1], None)],
            ..Default::default()
        };
        let (plan, found) = plan_warnings(&content, &[("Payroll".into(), 240)]);
        assert_eq!(plan.unwrap().total_minutes, 300);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("Payroll") && found[0].contains("4 h"));
        assert!(found[1].contains("“Step 2” has no owner"));
        content.steps[0].waits_for = vec![2];
        let (plan, found) = plan_warnings(&content, &[]);
        assert!(plan.is_none());
        assert!(found[0].contains("“Step 1”"), "{found:?}");
    }
}
