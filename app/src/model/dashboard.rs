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
