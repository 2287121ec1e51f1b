//! The dashboard's server function.

use crate::error::AppError;
use crate::model::dashboard::DashboardSummary;
use leptos::prelude::*;

#[server(endpoint = "dashboard/summary")]
pub async fn get_dashboard() -> Result<DashboardSummary, AppError> {
    let db = super::context::db()?;
    Ok(DashboardSummary {
        services_by_criticality: crate::server::service::catalogue::criticality_counts(&db).await?,
    })
}
