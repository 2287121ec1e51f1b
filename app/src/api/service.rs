//! Server functions of the service catalogue.

use crate::error::AppError;
use crate::model::listing::Page;
use crate::model::service::{Service, ServiceForm, ServiceQueryParams};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::context::db, crate::server::service::catalogue};

#[server(endpoint = "services/list")]
pub async fn list_services(params: ServiceQueryParams) -> Result<Page<Service>, AppError> {
    catalogue::list(&db()?, &params.to_query()).await
}

#[server(endpoint = "services/get")]
pub async fn get_service(id: i64) -> Result<Service, AppError> {
    catalogue::get(&db()?, id).await
}

#[server(endpoint = "services/create")]
pub async fn create_service(form: ServiceForm) -> Result<Service, AppError> {
    let draft = form.validate()?;
    let service = catalogue::create(&db()?, draft).await?;
    leptos_axum::redirect(&format!("/services/{}", service.id));
    Ok(service)
}

#[server(endpoint = "services/update")]
pub async fn update_service(id: i64, version: i32, form: ServiceForm) -> Result<Service, AppError> {
    let draft = form.validate()?;
    let service = catalogue::update(&db()?, id, version, draft).await?;
    leptos_axum::redirect(&format!("/services/{}", service.id));
    Ok(service)
}

#[server(endpoint = "services/archive")]
pub async fn archive_service(id: i64, version: i32) -> Result<Service, AppError> {
    catalogue::set_archived(&db()?, id, version, true).await
}

#[server(endpoint = "services/restore")]
pub async fn restore_service(id: i64, version: i32) -> Result<Service, AppError> {
    catalogue::set_archived(&db()?, id, version, false).await
}
