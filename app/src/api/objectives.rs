//! Server functions of the service management objectives (clause 6.2). `ComplianceRead`
//! reads; `ObjectiveManage` sets and edits objectives; a measurement is recorded by the
//! objective's owner or a quality manager (checked in the service).

use crate::error::AppError;
use crate::model::objective::{MeasurementForm, ObjectiveDetail, ObjectiveForm, ObjectiveSummary};
use crate::model::refs::{PersonRef, ServiceRef};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require, crate::model::access::Permission, crate::model::access::RecordType,
    crate::server::service::objectives, crate::server::service::schedule::local_today,
};

/// Every objective with its latest value, verdict and flags, as of the caller's date.
#[server(endpoint = "objectives/list")]
pub async fn list_objectives() -> Result<Vec<ObjectiveSummary>, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    let today = local_today(&caller.user.time_zone);
    objectives::summaries(&caller.db, today).await
}

#[server(endpoint = "objectives/get")]
pub async fn get_objective(id: i64) -> Result<ObjectiveDetail, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    let today = local_today(&caller.user.time_zone);
    objectives::detail(&caller.db, id, today).await
}

/// The people who may own an objective and the services it may concern.
#[server(endpoint = "objectives/choices")]
pub async fn objective_choices() -> Result<(Vec<PersonRef>, Vec<ServiceRef>), AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    let people = crate::server::service::users::active_people(caller.db.reader()).await?;
    let services = crate::api::changes::service_refs(&caller.db).await?;
    Ok((people, services))
}

/// Sets an objective and goes to it.
#[server(endpoint = "objectives/create")]
pub async fn create_objective(form: ObjectiveForm) -> Result<(), AppError> {
    let caller = require(Permission::ObjectiveManage).await?;
    let id = objectives::create(&caller.db, &caller.actor(), form).await?;
    leptos_axum::redirect(&format!("/compliance/objectives/{id}"));
    Ok(())
}

/// Edits an objective against the version it was loaded with.
#[server(endpoint = "objectives/update")]
pub async fn update_objective(id: i64, version: i32, form: ObjectiveForm) -> Result<(), AppError> {
    let caller = require(Permission::ObjectiveManage).await?;
    let result = objectives::update(&caller.db, &caller.actor(), id, version, form).await;
    caller
        .counted(RecordType::Objective, Some(id), result)
        .await
}

/// Records a measurement; the service lets the owner or a quality manager do it.
#[server(endpoint = "objectives/measure")]
pub async fn record_measurement(id: i64, form: MeasurementForm) -> Result<(), AppError> {
    let caller = require(Permission::AssignedWork).await?;
    let today = local_today(&caller.user.time_zone);
    let result =
        objectives::record_measurement(&caller.db, &caller.user, &caller.actor(), id, form, today)
            .await;
    caller
        .counted(RecordType::Objective, Some(id), result)
        .await
}
