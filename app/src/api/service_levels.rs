//! Server functions of service level management (clause 8.3.3): agreements, the service
//! hours they are measured on, and the priority matrix. Service level managers write them
//! (`AgreementManage`); everyone reads them, since every incident is measured against them.
//! Approval is decided by `model::agreement` (a service level manager or quality manager who
//! wrote no part of the text), so its door is reading, not writing.

use crate::error::AppError;
use crate::model::agreement::{Agreement, AgreementChoices, AgreementForm, AgreementRecord};
use crate::model::priority_matrix::ServiceLevelSettings;
use crate::model::service_hours::{ServiceHoursForm, StoredCalendar};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::{Permission, RecordType},
    crate::server::service::{agreements, service_levels},
};

/// How many agreements the list shows: an organisation keeps a few dozen at most.
pub const AGREEMENTS_LISTED: u64 = 200;

/// The agreements in force or being written (approved first).
#[server(endpoint = "service_levels/agreements")]
pub async fn list_agreements() -> Result<Vec<Agreement>, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    agreements::current(caller.db.reader(), AGREEMENTS_LISTED).await
}

#[server(endpoint = "service_levels/agreement")]
pub async fn get_agreement(id: i64) -> Result<AgreementRecord, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    agreements::record(caller.db.reader(), &caller.user, id).await
}

/// Services and calendars for the agreement form.
#[server(endpoint = "service_levels/choices")]
pub async fn agreement_form_choices() -> Result<AgreementChoices, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    let conn = caller.db.reader();
    Ok(AgreementChoices {
        services: crate::server::service::catalogue::active_refs(conn).await?,
        calendars: service_levels::calendars(conn)
            .await?
            .into_iter()
            .map(|c| (c.id, c.hours.name))
            .collect(),
    })
}

/// Drafts an agreement and goes to it.
#[server(endpoint = "service_levels/agreements/create")]
pub async fn create_agreement(form: AgreementForm) -> Result<i64, AppError> {
    let caller = require(Permission::AgreementManage).await?;
    let created = agreements::create(&caller.db, &caller.user, &caller.actor(), &form).await;
    let id = caller
        .counted(RecordType::ServiceAgreement, None, created)
        .await?;
    leptos_axum::redirect(&format!("/service-levels/agreements/{id}"));
    Ok(id)
}

#[server(endpoint = "service_levels/agreements/update")]
pub async fn update_agreement(id: i64, version: i32, form: AgreementForm) -> Result<(), AppError> {
    let caller = require(Permission::AgreementManage).await?;
    let updated = agreements::update(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
    )
    .await;
    caller
        .counted(RecordType::ServiceAgreement, Some(id), updated)
        .await
}

/// One lifecycle step: `send_to_review`, `return_to_draft`, `approve` or `retire`.
#[server(endpoint = "service_levels/agreements/transition")]
pub async fn agreement_transition(id: i64, version: i32, action: String) -> Result<(), AppError> {
    use crate::model::agreement::AgreementAction;
    let caller = require(Permission::IncidentRead).await?;
    let action = AgreementAction::parse(&action)
        .ok_or_else(|| AppError::single_field("action", "Choose the step to take."))?;
    let moved = agreements::transition(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        action,
    )
    .await
    .map(|_| ());
    caller
        .counted(RecordType::ServiceAgreement, Some(id), moved)
        .await
}

/// Starts a revision of an approved agreement and goes to the new draft.
#[server(endpoint = "service_levels/agreements/revise")]
pub async fn revise_agreement(id: i64) -> Result<i64, AppError> {
    let caller = require(Permission::AgreementManage).await?;
    let revised = agreements::revise(&caller.db, &caller.user, &caller.actor(), id).await;
    let new_id = caller
        .counted(RecordType::ServiceAgreement, Some(id), revised)
        .await?;
    leptos_axum::redirect(&format!("/service-levels/agreements/{new_id}"));
    Ok(new_id)
}

/// Every service-hours calendar.
#[server(endpoint = "service_levels/calendars")]
pub async fn list_calendars() -> Result<Vec<StoredCalendar>, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    service_levels::calendars(caller.db.reader()).await
}

#[server(endpoint = "service_levels/calendar")]
pub async fn get_calendar(id: i64) -> Result<StoredCalendar, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    service_levels::calendar(caller.db.reader(), id).await
}

#[server(endpoint = "service_levels/calendars/create")]
pub async fn create_calendar(form: ServiceHoursForm) -> Result<i64, AppError> {
    let caller = require(Permission::AgreementManage).await?;
    service_levels::create_calendar(&caller.db, &caller.actor(), &form).await
}

#[server(endpoint = "service_levels/calendars/update")]
pub async fn update_calendar(
    id: i64,
    version: i32,
    form: ServiceHoursForm,
) -> Result<(), AppError> {
    let caller = require(Permission::AgreementManage).await?;
    service_levels::update_calendar(&caller.db, &caller.actor(), id, version, &form).await
}

/// The priority matrix and the reopen period.
#[server(endpoint = "service_levels/settings")]
pub async fn get_service_level_settings() -> Result<ServiceLevelSettings, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    service_levels::settings(caller.db.reader()).await
}

/// Sets the matrix (`cells` keyed by `cell_field`, e.g. `high_medium` → `p2`) and the reopen
/// period in days.
#[server(endpoint = "service_levels/settings/update")]
pub async fn update_service_level_settings(
    version: i32,
    cells: std::collections::HashMap<String, String>,
    reopen_days: String,
) -> Result<(), AppError> {
    use crate::model::priority_matrix::{check_reopen_days, PriorityMatrix};
    let caller = require(Permission::AgreementManage).await?;
    let mut errors = crate::error::FieldErrors::new();
    let matrix = PriorityMatrix::from_fields(|field| cells.get(field).cloned())
        .map_err(|found| errors.0.extend(found.0))
        .ok();
    let days = match reopen_days.trim().parse::<u32>() {
        Ok(days) => check_reopen_days(days)
            .map_err(|found| errors.0.extend(found.0))
            .ok(),
        Err(_) => {
            errors.add(
                "reopen_days",
                "Enter the reopen period as a number of days.",
            );
            None
        }
    };
    let (Some(matrix), Some(days)) = (matrix, days) else {
        return Err(errors.into());
    };
    service_levels::update_settings(&caller.db, &caller.actor(), version, matrix, days).await
}

/// The monthly service report of one service (`month` as `2026-11`; empty: the current
/// month), with the eleven months before it.
#[server(endpoint = "service_levels/report")]
pub async fn service_report(
    service_id: i64,
    month: String,
) -> Result<crate::model::service_report::ServiceReport, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    let now = chrono::Utc::now();
    let month = read_month(&month, now)?;
    crate::server::service::service_reports::report(caller.db.reader(), service_id, month, now)
        .await
}

/// The month a report asks for: `2026-11`, not in the future; empty is the current month.
#[cfg(feature = "ssr")]
pub fn read_month(
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<crate::model::service_report::ReportMonth, AppError> {
    use crate::model::service_report::ReportMonth;
    let current = ReportMonth::of(now);
    if text.trim().is_empty() {
        return Ok(current);
    }
    match ReportMonth::parse(text) {
        Some(month) if month <= current => Ok(month),
        Some(_) => Err(AppError::single_field(
            "month",
            "A report covers a month that has begun.",
        )),
        None => Err(AppError::single_field(
            "month",
            "Give the month as year and month, like 2026-11.",
        )),
    }
}
