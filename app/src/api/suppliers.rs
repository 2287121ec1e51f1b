//! Server functions of the supplier register (clause 8.3.4). Those who work in the SMS and
//! wait on suppliers read it (`SupplierRead`); service owners, service level and quality
//! managers keep it (`SupplierManage`).

use crate::error::AppError;
use crate::model::sms_risk::ReviewReminders;
use crate::model::supplier::{
    ContractForm, PlanSupplier, SupplierChoices, SupplierForm, SupplierListParams, SupplierPage,
    SupplierRecord, SupplierReviewForm, SupplierStatusForm,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::{Permission, RecordType},
    crate::server::service::schedule::local_today,
    crate::server::service::suppliers,
};

/// The suppliers the caller manages due for review within the fortnight or overdue, and how
/// many supplier reviews are overdue (the dashboard's reminder).
#[server(endpoint = "suppliers/reminders")]
pub async fn supplier_review_reminders() -> Result<ReviewReminders, AppError> {
    let caller = require(Permission::SupplierManage).await?;
    let today = local_today(&caller.user.time_zone);
    let conn = caller.db.reader();
    Ok(ReviewReminders {
        mine: suppliers::reviews_due_for(conn, caller.user.id, today, 8).await?,
        overdue_total: suppliers::overdue_count(conn, today).await?,
        today,
    })
}

/// The suppliers a continuity plan's services depend on, with their contacts.
#[server(endpoint = "suppliers/for_plan")]
pub async fn plan_suppliers(plan_id: i64) -> Result<Vec<PlanSupplier>, AppError> {
    let caller = require(Permission::SupplierRead).await?;
    suppliers::of_plan(caller.db.reader(), plan_id).await
}

/// One page of the register.
#[server(endpoint = "suppliers/list")]
pub async fn supplier_list(params: SupplierListParams) -> Result<SupplierPage, AppError> {
    let caller = require(Permission::SupplierRead).await?;
    suppliers::page(
        caller.db.reader(),
        &params,
        local_today(&caller.user.time_zone),
        crate::model::listing::DEFAULT_PAGE_SIZE,
    )
    .await
}

/// One supplier, with its contracts, reviews and the services that depend on it.
#[server(endpoint = "suppliers/get")]
pub async fn get_supplier(id: i64) -> Result<SupplierRecord, AppError> {
    let caller = require(Permission::SupplierRead).await?;
    suppliers::record(
        caller.db.reader(),
        &caller.user,
        id,
        local_today(&caller.user.time_zone),
    )
    .await
}

/// What the supplier form offers: the catalogue's services and who may manage a supplier.
#[server(endpoint = "suppliers/choices")]
pub async fn supplier_form_choices() -> Result<SupplierChoices, AppError> {
    let caller = require(Permission::SupplierManage).await?;
    suppliers::choices(caller.db.reader()).await
}

/// Adds a supplier and goes to it.
#[server(endpoint = "suppliers/create")]
pub async fn add_supplier(form: SupplierForm) -> Result<i64, AppError> {
    let caller = require(Permission::SupplierManage).await?;
    let created = suppliers::create(
        &caller.db,
        &caller.user,
        &caller.actor(),
        &form,
        chrono::Utc::now(),
    )
    .await;
    let id = caller.counted(RecordType::Supplier, None, created).await?;
    leptos_axum::redirect(&format!("/suppliers/{id}"));
    Ok(id)
}

/// Saves an active supplier's details.
#[server(endpoint = "suppliers/update")]
pub async fn update_supplier(id: i64, version: i32, form: SupplierForm) -> Result<(), AppError> {
    let caller = require(Permission::SupplierManage).await?;
    let saved = suppliers::update(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
    )
    .await;
    caller.counted(RecordType::Supplier, Some(id), saved).await
}

/// Retires (with a reason) or restores a supplier.
#[server(endpoint = "suppliers/status")]
pub async fn set_supplier_status(
    id: i64,
    version: i32,
    form: SupplierStatusForm,
) -> Result<(), AppError> {
    let caller = require(Permission::SupplierManage).await?;
    let set = suppliers::set_status(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
    )
    .await;
    caller.counted(RecordType::Supplier, Some(id), set).await
}

/// Adds a contract with its agreed targets and renewal notice.
#[server(endpoint = "suppliers/add_contract")]
pub async fn add_supplier_contract(
    id: i64,
    version: i32,
    form: ContractForm,
) -> Result<(), AppError> {
    let caller = require(Permission::SupplierManage).await?;
    let added = suppliers::add_contract(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
        chrono::Utc::now(),
    )
    .await;
    caller.counted(RecordType::Supplier, Some(id), added).await
}

/// Removes a contract recorded in error.
#[server(endpoint = "suppliers/remove_contract")]
pub async fn remove_supplier_contract(
    id: i64,
    version: i32,
    contract_id: i64,
) -> Result<(), AppError> {
    let caller = require(Permission::SupplierManage).await?;
    let removed = suppliers::remove_contract(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        contract_id,
    )
    .await;
    caller
        .counted(RecordType::Supplier, Some(id), removed)
        .await
}

/// Records today's performance review; the next falls one cycle on.
#[server(endpoint = "suppliers/review")]
pub async fn review_supplier(
    id: i64,
    version: i32,
    form: SupplierReviewForm,
) -> Result<(), AppError> {
    let caller = require(Permission::SupplierManage).await?;
    let reviewed = suppliers::review(
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
        .counted(RecordType::Supplier, Some(id), reviewed)
        .await
}
