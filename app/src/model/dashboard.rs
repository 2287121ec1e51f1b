//! What the dashboard shows at a glance.

use crate::model::service::Criticality;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardSummary {
    pub services_by_criticality: Vec<(Criticality, u64)>,
}

impl DashboardSummary {
    pub fn active_services(&self) -> u64 {
        self.services_by_criticality.iter().map(|(_, n)| n).sum()
    }
}

/// Something past its date in the improvement register or the nonconformity path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueItem {
    pub reference: String,
    pub title: String,
    pub href: String,
    pub due: chrono::NaiveDate,
    /// What is overdue: the entry's target date, or the nonconformity's current step.
    pub what: String,
    pub owner: String,
    pub mine: bool,
}

/// The dashboard's overdue lists: the caller's own first, then by date, a few of each.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueWork {
    pub improvements: Vec<OverdueItem>,
    pub improvements_total: usize,
    pub nonconformities: Vec<OverdueItem>,
    pub nonconformities_total: usize,
}

/// The SMS profile's yearly review (clause 4.3, 5.2): the version in force, if any, and
/// where its review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileReview {
    pub number: Option<i32>,
    pub review: crate::model::sms_document::ReviewStatus,
}

impl ProfileReview {
    /// Due within the month, overdue, or never approved: the scope and policy the whole
    /// SMS rests on are not current.
    pub fn needs_attention(&self) -> bool {
        self.number.is_none() || self.review.needs_attention()
    }

    pub fn label(&self) -> String {
        match self.number {
            None => "No version approved yet".into(),
            Some(number) => format!("Version {number} · {}", self.review.label()),
        }
    }
}

/// The dashboard's compliance panel: the profile when its review needs attention, SMS
/// documents due for review, objectives needing a measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceDue {
    pub profile: Option<ProfileReview>,
    pub documents: Vec<crate::model::sms_document::DocumentSummary>,
    pub objectives: Vec<crate::model::objective::ObjectiveSummary>,
}

/// How many of each list the dashboard shows.
pub const OVERDUE_SHOWN: usize = 8;

/// Orders `items` mine first, then oldest due date, and keeps the first `OVERDUE_SHOWN`.
pub fn most_pressing(mut items: Vec<OverdueItem>) -> Vec<OverdueItem> {
    items.sort_by(|a, b| b.mine.cmp(&a.mine).then(a.due.cmp(&b.due)));
    items.truncate(OVERDUE_SHOWN);
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(reference: &str, day: u32, mine: bool) -> OverdueItem {
        OverdueItem {
            reference: reference.into(),
            title: String::new(),
            href: String::new(),
            due: chrono::NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            what: String::new(),
            owner: String::new(),
            mine,
        }
    }

    #[test]
    fn the_profile_needs_attention_when_its_review_is_near_or_it_was_never_approved() {
        use crate::model::sms_document::ReviewStatus;
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap();
        let due = |days: i64| ProfileReview {
            number: Some(2),
            review: ReviewStatus::of(Some(today + chrono::Duration::days(days)), today),
        };
        assert!(!due(31).needs_attention());
        assert!(due(30).needs_attention());
        assert!(due(-1).needs_attention());
        assert_eq!(
            due(-1).label(),
            "Version 2 · Review overdue since 2026-12-07"
        );
        let never = ProfileReview {
            number: None,
            review: ReviewStatus::NotApproved,
        };
        assert!(never.needs_attention());
        assert_eq!(never.label(), "No version approved yet");
    }

    #[test]
    fn own_work_comes_first_then_the_oldest() {
        let mut items: Vec<OverdueItem> =
            (1..=12).map(|d| item(&format!("X{d}"), d, false)).collect();
        items.push(item("MINE", 20, true));
        let shown = most_pressing(items);
        assert_eq!(shown.len(), OVERDUE_SHOWN);
        assert_eq!(shown[0].reference, "MINE");
        assert_eq!(shown[1].reference, "X1");
    }
}
