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
