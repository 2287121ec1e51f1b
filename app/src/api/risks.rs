//! Server functions of the SMS risk register (clauses 6.1 and 8.7.3). Those who work in the
//! SMS read it (`RiskRead`); owners of services and processes keep risks (`RiskManage`), as
//! the rules in `model::sms_risk` allow; a quality manager sets the matrix and appetite
//! (`RiskMatrixManage`).

use crate::error::AppError;
use crate::model::risk_link::{RiskLinkForm, RiskLinks};
use crate::model::sms_risk::RiskChoices;
use crate::model::sms_risk::{
    MatrixForm, MatrixOutcome, MatrixSettings, ReviewForm, ReviewReminders, RiskForm,
    RiskListParams, RiskPage, RiskRecord, RiskStepForm,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::{Permission, RecordType},
    crate::model::risk_link::AddressedBy,
    crate::model::sms_risk::MatrixDecision,
    crate::server::service::schedule::local_today,
    crate::server::service::{risk_links, sms_risks},
};

/// One page of the register, with its heat map.
#[server(endpoint = "risks/list")]
pub async fn risk_list(params: RiskListParams) -> Result<RiskPage, AppError> {
    let caller = require(Permission::RiskRead).await?;
    sms_risks::page(
        caller.db.reader(),
        &caller.user,
        &params,
        local_today(&caller.user.time_zone),
        crate::model::listing::DEFAULT_PAGE_SIZE,
    )
    .await
}

/// One risk, with what the caller may do to it now.
#[server(endpoint = "risks/get")]
pub async fn get_risk(id: i64) -> Result<RiskRecord, AppError> {
    let caller = require(Permission::RiskRead).await?;
    sms_risks::record(
        caller.db.reader(),
        &caller.user,
        id,
        local_today(&caller.user.time_zone),
    )
    .await
}

/// What the risk form offers: the catalogue's services and the people who may own a risk.
#[server(endpoint = "risks/choices")]
pub async fn risk_form_choices() -> Result<RiskChoices, AppError> {
    let caller = require(Permission::RiskManage).await?;
    let conn = caller.db.reader();
    Ok(RiskChoices {
        services: crate::server::service::catalogue::active_refs(conn).await?,
        owners: crate::server::service::users::active_people_where(conn, |roles| {
            crate::model::access::may(roles, Permission::RiskManage)
        })
        .await?,
    })
}

/// Records a risk or opportunity and goes to it.
#[server(endpoint = "risks/create")]
pub async fn record_risk(form: RiskForm) -> Result<i64, AppError> {
    let caller = require(Permission::RiskManage).await?;
    let created = sms_risks::create(
        &caller.db,
        &caller.user,
        &caller.actor(),
        &form,
        chrono::Utc::now(),
    )
    .await;
    let id = caller.counted(RecordType::SmsRisk, None, created).await?;
    leptos_axum::redirect(&format!("/risks/{id}"));
    Ok(id)
}

/// Saves an open risk's rating, treatment, owner and review date.
#[server(endpoint = "risks/update")]
pub async fn update_risk(id: i64, version: i32, form: RiskForm) -> Result<(), AppError> {
    let caller = require(Permission::RiskManage).await?;
    let saved = sms_risks::update(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
        chrono::Utc::now(),
    )
    .await;
    caller.counted(RecordType::SmsRisk, Some(id), saved).await
}

/// Accepts, reopens or closes a risk.
#[server(endpoint = "risks/step")]
pub async fn risk_step(id: i64, version: i32, form: RiskStepForm) -> Result<(), AppError> {
    let caller = require(Permission::RiskManage).await?;
    let taken = sms_risks::take_step(
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
    caller.counted(RecordType::SmsRisk, Some(id), taken).await
}

/// Records a review and the next review date.
#[server(endpoint = "risks/review")]
pub async fn review_risk(id: i64, version: i32, form: ReviewForm) -> Result<(), AppError> {
    let caller = require(Permission::RiskManage).await?;
    let reviewed = sms_risks::review(
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
        .counted(RecordType::SmsRisk, Some(id), reviewed)
        .await
}

/// The caller's risk reviews due soon or overdue, and the register's overdue count.
#[server(endpoint = "risks/reminders")]
pub async fn risk_review_reminders() -> Result<ReviewReminders, AppError> {
    let caller = require(Permission::RiskRead).await?;
    let today = local_today(&caller.user.time_zone);
    let conn = caller.db.reader();
    Ok(ReviewReminders {
        mine: sms_risks::reviews_due(conn, caller.user.id, today, 8).await?,
        overdue_total: sms_risks::overdue_reviews(conn, today).await?,
        today,
    })
}

/// The organisation's matrix and appetite, with the version to save against and any looser
/// matrix waiting for a second quality manager.
#[server(endpoint = "risks/matrix")]
pub async fn get_risk_matrix() -> Result<MatrixSettings, AppError> {
    let caller = require(Permission::RiskRead).await?;
    sms_risks::settings(caller.db.reader()).await
}

/// Sets the matrix and appetite: stricter at once, looser once a second quality manager
/// approves.
#[server(endpoint = "risks/set_matrix")]
pub async fn set_risk_matrix(version: i32, form: MatrixForm) -> Result<MatrixOutcome, AppError> {
    let caller = require(Permission::RiskMatrixManage).await?;
    let saved = match form.validate() {
        Ok(matrix) => {
            sms_risks::set_matrix(
                &caller.db,
                &caller.user,
                &caller.actor(),
                version,
                matrix,
                chrono::Utc::now(),
            )
            .await
        }
        Err(errors) => Err(AppError::Validation(errors)),
    };
    caller.counted(RecordType::SmsRisk, None, saved).await
}

/// Approves or rejects (its proposer: withdraws) a looser matrix.
#[server(endpoint = "risks/decide_matrix")]
pub async fn decide_risk_matrix(version: i32, decision: String) -> Result<(), AppError> {
    let caller = require(Permission::RiskMatrixManage).await?;
    let decided = match MatrixDecision::parse(decision.trim()) {
        Some(decision) => {
            sms_risks::decide_matrix(&caller.db, &caller.user, &caller.actor(), version, decision)
                .await
        }
        None => Err(AppError::single_field(
            "decision",
            "Approve or reject the proposed matrix.",
        )),
    };
    caller.counted(RecordType::SmsRisk, None, decided).await
}

/// The risks a change or continuity plan addresses, and the live risks of its services.
#[server(endpoint = "risks/addressed")]
pub async fn risks_addressed(addressed_by: String, record_id: i64) -> Result<RiskLinks, AppError> {
    let caller = require(Permission::RiskRead).await?;
    let kind = AddressedBy::parse(addressed_by.trim()).ok_or_else(|| {
        AppError::single_field("addressed_by", "Name a change or a continuity plan.")
    })?;
    risk_links::for_record(caller.db.reader(), &caller.user, kind, record_id).await
}

/// Names a risk as addressed by a change or continuity plan.
#[server(endpoint = "risks/link")]
pub async fn link_risk(form: RiskLinkForm) -> Result<(), AppError> {
    let caller = require(Permission::RiskManage).await?;
    let linked = match form.validate() {
        Ok(request) => {
            let linked = risk_links::link(
                &caller.db,
                &caller.user,
                &caller.actor(),
                request,
                chrono::Utc::now(),
            )
            .await;
            return caller
                .counted(RecordType::SmsRisk, Some(request.risk_id), linked)
                .await;
        }
        Err(errors) => Err(AppError::Validation(errors)),
    };
    caller.counted(RecordType::SmsRisk, None, linked).await
}

/// Removes a risk from what a change or continuity plan addresses.
#[server(endpoint = "risks/unlink")]
pub async fn unlink_risk(form: RiskLinkForm) -> Result<(), AppError> {
    let caller = require(Permission::RiskManage).await?;
    let unlinked = match form.validate() {
        Ok(request) => {
            let unlinked =
                risk_links::unlink(&caller.db, &caller.user, &caller.actor(), request).await;
            return caller
                .counted(RecordType::SmsRisk, Some(request.risk_id), unlinked)
                .await;
        }
        Err(errors) => Err(AppError::Validation(errors)),
    };
    caller.counted(RecordType::SmsRisk, None, unlinked).await
}
