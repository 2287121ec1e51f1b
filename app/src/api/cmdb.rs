//! Server functions of the CMDB (clauses 8.2.5, 8.2.6). Those who work in the SMS read it
//! (`ConfigurationRead`); change managers, service owners and resolvers keep it
//! (`ConfigurationManage`) — each item by its owner or a change manager.

use crate::error::AppError;
use crate::model::audit::AuditEntry;
use crate::model::cmdb::{
    ChangeImpact, CiChoices, CiForm, CiListParams, CiNameForm, CiPage, CiRecord, NamedBy,
    RelationshipForm,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::{Permission, RecordType},
    crate::server::service::cmdb,
};

/// One page of the register.
#[server(endpoint = "cmdb/list")]
pub async fn ci_list(params: CiListParams) -> Result<CiPage, AppError> {
    let caller = require(Permission::ConfigurationRead).await?;
    cmdb::page(
        caller.db.reader(),
        &params,
        crate::model::listing::DEFAULT_PAGE_SIZE,
    )
    .await
}

/// One item with its relationships and what its failure reaches.
#[server(endpoint = "cmdb/get")]
pub async fn get_ci(id: i64) -> Result<CiRecord, AppError> {
    let caller = require(Permission::ConfigurationRead).await?;
    cmdb::record(caller.db.reader(), &caller.user, id).await
}

/// The item's history: every change, field by field.
#[server(endpoint = "cmdb/history")]
pub async fn ci_history(id: i64) -> Result<Vec<AuditEntry>, AppError> {
    let caller = require(Permission::ConfigurationRead).await?;
    crate::server::service::audit_trail::history(
        &caller.db,
        RecordType::ConfigurationItem.as_str(),
        &id.to_string(),
    )
    .await
}

/// What the item form offers.
#[server(endpoint = "cmdb/choices")]
pub async fn ci_form_choices() -> Result<CiChoices, AppError> {
    let caller = require(Permission::ConfigurationManage).await?;
    cmdb::choices(caller.db.reader()).await
}

/// Records an item and goes to it.
#[server(endpoint = "cmdb/create")]
pub async fn add_ci(form: CiForm) -> Result<i64, AppError> {
    let caller = require(Permission::ConfigurationManage).await?;
    let created = cmdb::create(
        &caller.db,
        &caller.user,
        &caller.actor(),
        &form,
        chrono::Utc::now(),
    )
    .await;
    let id = caller
        .counted(RecordType::ConfigurationItem, None, created)
        .await?;
    leptos_axum::redirect(&format!("/cmdb/{id}"));
    Ok(id)
}

/// Saves an item's details.
#[server(endpoint = "cmdb/update")]
pub async fn update_ci(id: i64, version: i32, form: CiForm) -> Result<(), AppError> {
    let caller = require(Permission::ConfigurationManage).await?;
    let saved = cmdb::update(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
    )
    .await;
    caller
        .counted(RecordType::ConfigurationItem, Some(id), saved)
        .await
}

/// Records that the item relies on another.
#[server(endpoint = "cmdb/relate")]
pub async fn relate_ci(id: i64, version: i32, form: RelationshipForm) -> Result<(), AppError> {
    let caller = require(Permission::ConfigurationManage).await?;
    let related = cmdb::relate(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
        chrono::Utc::now(),
    )
    .await;
    caller
        .counted(RecordType::ConfigurationItem, Some(id), related)
        .await
}

/// Removes one of the item's relationships.
#[server(endpoint = "cmdb/unrelate")]
pub async fn unrelate_ci(id: i64, version: i32, relationship_id: i64) -> Result<(), AppError> {
    let caller = require(Permission::ConfigurationManage).await?;
    let removed = cmdb::unrelate(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        relationship_id,
    )
    .await;
    caller
        .counted(RecordType::ConfigurationItem, Some(id), removed)
        .await
}

/// What a change's configuration items reach through the CMDB (the change page and the CAB's
/// agenda item show it).
#[server(endpoint = "cmdb/change_impact")]
pub async fn change_ci_impact(change_id: i64) -> Result<ChangeImpact, AppError> {
    let caller = require(Permission::ConfigurationRead).await?;
    if !caller.user.may(Permission::ChangeRead) {
        return Err(AppError::Forbidden(
            "You are not allowed to read changes.".into(),
        ));
    }
    cmdb::change_impact(caller.db.reader(), change_id).await
}

/// What importing `csv` would do, row by row; writes nothing.
#[server(endpoint = "cmdb/import/preview")]
pub async fn preview_ci_import(
    csv: String,
) -> Result<crate::model::csv_import::ImportPreview, AppError> {
    let caller = require(Permission::ConfigurationManage).await?;
    Ok(
        crate::server::service::cmdb_import::plan(caller.db.reader(), &csv)
            .await?
            .preview,
    )
}

/// Imports `csv`: every new row becomes an item with its relationships, in one transaction,
/// or nothing does. Returns the references created.
#[server(endpoint = "cmdb/import")]
pub async fn import_cis(csv: String) -> Result<Vec<String>, AppError> {
    let caller = require(Permission::ConfigurationManage).await?;
    let imported = crate::server::service::cmdb_import::import(
        &caller.db,
        &caller.user,
        &caller.actor(),
        &csv,
        chrono::Utc::now(),
    )
    .await;
    caller
        .counted(RecordType::ConfigurationItem, None, imported)
        .await
}

/// The items an incident or a problem names and the services a failure of them reaches.
#[server(endpoint = "cmdb/reach")]
pub async fn record_ci_reach(on: NamedBy, id: i64) -> Result<ChangeImpact, AppError> {
    let caller = require(Permission::ConfigurationRead).await?;
    if !caller.user.may(Permission::IncidentRead) {
        return Err(AppError::Forbidden(
            Permission::IncidentRead.describe().into(),
        ));
    }
    crate::server::service::record_cis::reach(caller.db.reader(), on, id).await
}

/// Names an item on an incident or a problem (by those who work it, while it is open).
#[server(endpoint = "cmdb/name")]
pub async fn name_ci(on: NamedBy, id: i64, version: i32, form: CiNameForm) -> Result<(), AppError> {
    let caller = require(Permission::ConfigurationRead).await?;
    let named = crate::server::service::record_cis::name_item(
        &caller.db,
        &caller.user,
        &caller.actor(),
        on,
        id,
        version,
        &form,
        chrono::Utc::now(),
    )
    .await;
    caller.counted(named_type(on), Some(id), named).await
}

/// Takes an item off an incident or a problem.
#[server(endpoint = "cmdb/unname")]
pub async fn unname_ci(on: NamedBy, id: i64, version: i32, ci_id: i64) -> Result<(), AppError> {
    let caller = require(Permission::ConfigurationRead).await?;
    let removed = crate::server::service::record_cis::unname_item(
        &caller.db,
        &caller.user,
        &caller.actor(),
        on,
        id,
        version,
        ci_id,
        chrono::Utc::now(),
    )
    .await;
    caller.counted(named_type(on), Some(id), removed).await
}

#[cfg(feature = "ssr")]
fn named_type(on: NamedBy) -> RecordType {
    match on {
        NamedBy::Incident => RecordType::Incident,
        NamedBy::Problem => RecordType::Problem,
    }
}
