//! Server functions of the service catalogue.

use crate::error::AppError;
use crate::model::audit::AuditEntry;
use crate::model::listing::Page;
use crate::model::service::{Service, ServiceForm, ServiceQueryParams};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::Permission,
    crate::server::service::{audit_trail, catalogue},
};

#[server(endpoint = "services/list")]
pub async fn list_services(
    #[server(default)] params: ServiceQueryParams,
) -> Result<Page<Service>, AppError> {
    let caller = require(Permission::ServiceRead).await?;
    catalogue::list(&caller.db, &params.to_query()).await
}

#[server(endpoint = "services/get")]
pub async fn get_service(id: i64) -> Result<Service, AppError> {
    let caller = require(Permission::ServiceRead).await?;
    catalogue::get(&caller.db, id).await
}

#[server(endpoint = "services/history")]
pub async fn service_history(id: i64) -> Result<Vec<AuditEntry>, AppError> {
    let caller = require(Permission::ServiceRead).await?;
    audit_trail::history(&caller.db, "service", &id.to_string()).await
}

#[server(endpoint = "services/create")]
pub async fn create_service(form: ServiceForm) -> Result<Service, AppError> {
    let caller = require(Permission::ServiceCreate).await?;
    let draft = form.validate()?;
    let service = catalogue::create(&caller.db, &caller.actor(), draft).await?;
    leptos_axum::redirect(&format!("/services/{}", service.id));
    Ok(service)
}

#[server(endpoint = "services/update")]
pub async fn update_service(id: i64, version: i32, form: ServiceForm) -> Result<Service, AppError> {
    let caller = require(Permission::ServiceUpdate).await?;
    let draft = form.validate()?;
    let service = catalogue::update(&caller.db, &caller.actor(), id, version, draft).await?;
    leptos_axum::redirect(&format!("/services/{}", service.id));
    Ok(service)
}

#[server(endpoint = "services/archive")]
pub async fn archive_service(id: i64, version: i32) -> Result<Service, AppError> {
    let caller = require(Permission::ServiceArchive).await?;
    catalogue::set_archived(&caller.db, &caller.actor(), id, version, true).await
}

#[server(endpoint = "services/restore")]
pub async fn restore_service(id: i64, version: i32) -> Result<Service, AppError> {
    let caller = require(Permission::ServiceArchive).await?;
    catalogue::set_archived(&caller.db, &caller.actor(), id, version, false).await
}
