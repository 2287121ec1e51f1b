//! The dashboard's server function.

use crate::error::AppError;
use crate::model::dashboard::DashboardSummary;
use leptos::prelude::*;

#[server(endpoint = "dashboard/summary")]
pub async fn get_dashboard() -> Result<DashboardSummary, AppError> {
    use crate::model::access::Permission;
    let caller = super::guard::require(Permission::ServiceRead).await?;
    Ok(DashboardSummary {
        services_by_criticality: crate::server::service::catalogue::criticality_counts(&caller.db)
            .await?,
    })
}
