//! Server functions of service requests (clause 8.6.2). Everyone sees the catalogue and their
//! own requests (`RequestRead`; the record decides who sees everyone's); people who work in
//! the organisation ask (`RequestRaise`); each step is decided by the lifecycle in
//! `model::service_request` with the caller's roles — approving included, which nobody does
//! for a request they asked for or raised — so the permission checked here is only the door.

use crate::error::AppError;
use crate::model::service_request::{
    RequestCatalogue, RequestForm, RequestListParams, RequestPage, RequestRecord, RequestStepForm,
    RequestType, RequestTypeForm,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::{announce_request, require},
    crate::model::access::{Permission, RecordType},
    crate::server::service::service_requests,
};

/// The request catalogue, by service.
#[server(endpoint = "requests/catalogue")]
pub async fn read_request_catalogue() -> Result<RequestCatalogue, AppError> {
    let caller = require(Permission::RequestRead).await?;
    service_requests::catalogue(caller.db.reader(), &caller.user).await
}

/// One request type: the questions a request of it asks, or the type's editor.
#[server(endpoint = "requests/type")]
pub async fn get_request_type(id: i64) -> Result<RequestType, AppError> {
    let caller = require(Permission::RequestRead).await?;
    let found = service_requests::request_type(caller.db.reader(), id).await?;
    if !found.active && !caller.user.may(Permission::RequestTypeManage) {
        return Err(AppError::NotFound("That request type".into()));
    }
    Ok(found)
}

/// Adds a request type and goes to the catalogue.
#[server(endpoint = "requests/type_create")]
pub async fn create_request_type(form: RequestTypeForm) -> Result<i64, AppError> {
    let caller = require(Permission::RequestTypeManage).await?;
    let created = service_requests::create_type(
        &caller.db,
        &caller.user,
        &caller.actor(),
        &form,
        chrono::Utc::now(),
    )
    .await;
    let id = caller
        .counted(RecordType::RequestType, None, created)
        .await?;
    leptos_axum::redirect("/requests/catalogue");
    Ok(id)
}

/// Saves a request type, against the version it was read at.
#[server(endpoint = "requests/type_update")]
pub async fn update_request_type(
    id: i64,
    version: i32,
    form: RequestTypeForm,
) -> Result<(), AppError> {
    let caller = require(Permission::RequestTypeManage).await?;
    let saved =
        service_requests::update_type(&caller.db, &caller.actor(), id, version, &form).await;
    caller
        .counted(RecordType::RequestType, Some(id), saved)
        .await?;
    leptos_axum::redirect("/requests/catalogue");
    Ok(())
}

/// Raises a request from the catalogue and goes to its record.
#[server(endpoint = "requests/raise")]
pub async fn raise_request(form: RequestForm) -> Result<i64, AppError> {
    let caller = require(Permission::RequestRaise).await?;
    let raised = service_requests::raise(
        &caller.db,
        &caller.user,
        &caller.actor(),
        &form,
        chrono::Utc::now(),
    )
    .await;
    let id = caller
        .counted(RecordType::ServiceRequest, None, raised)
        .await?;
    announce_request(id, 1);
    leptos_axum::redirect(&format!("/requests/{id}"));
    Ok(id)
}

/// One page of the request queue (one's own requests, or everyone's for those who read them).
#[server(endpoint = "requests/list")]
pub async fn request_queue(params: RequestListParams) -> Result<RequestPage, AppError> {
    let caller = require(Permission::RequestRead).await?;
    service_requests::page(
        &caller.db,
        &caller.user,
        &params,
        chrono::Utc::now(),
        crate::model::service_request::REQUEST_PAGE_SIZE,
    )
    .await
}

/// One request, with the steps the caller may take now.
#[server(endpoint = "requests/get")]
pub async fn get_request(id: i64) -> Result<RequestRecord, AppError> {
    let caller = require(Permission::RequestRead).await?;
    service_requests::record(caller.db.reader(), &caller.user, id, chrono::Utc::now()).await
}

/// One lifecycle step (approve, reject, assign, ask, resume, fulfil, reopen, close, cancel),
/// against the version the record was read at.
#[server(endpoint = "requests/step")]
pub async fn request_step(id: i64, version: i32, form: RequestStepForm) -> Result<(), AppError> {
    let caller = require(Permission::RequestRaise).await?;
    let taken = service_requests::take_step(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
        chrono::Utc::now(),
    )
    .await
    .map(|_| ());
    caller
        .counted(RecordType::ServiceRequest, Some(id), taken)
        .await?;
    announce_request(id, version + 1);
    Ok(())
}
