//! Server functions of the improvement register. Reading needs `ImprovementRead`; every
//! write needs `ImprovementRaise`, and the lifecycle rules decide who may make each move.

use crate::error::AppError;
use crate::model::register::{
    BoardColumn, Improvement, ImprovementForm, KpiForm, MeasurementForm, RegisterPage,
    RegisterParams,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::{Permission, RecordType},
    crate::server::service::register,
};

/// One page of the register with the list's filters and sort, plus counts for the summary.
#[server(endpoint = "improvements/list")]
pub async fn list_improvements(params: RegisterParams) -> Result<RegisterPage, AppError> {
    use crate::model::register::REGISTER_PAGE_SIZE;
    let caller = require(Permission::ImprovementRead).await?;
    let today = crate::server::service::schedule::local_today(&caller.user.time_zone);
    let (items, total, page) =
        register::query(&caller.db, &params, today, REGISTER_PAGE_SIZE as u64).await?;
    Ok(RegisterPage {
        items,
        total: total as usize,
        page: page as usize,
        pages: (total as usize).div_ceil(REGISTER_PAGE_SIZE).max(1),
        summary: register::summary(&caller.db, today).await?,
    })
}

/// The Kanban: entries by status with the table's filters (its status filter aside).
#[server(endpoint = "improvements/board")]
pub async fn improvement_board(params: RegisterParams) -> Result<Vec<BoardColumn>, AppError> {
    use crate::model::register::BOARD_COLUMN_LIMIT;
    let caller = require(Permission::ImprovementRead).await?;
    let today = crate::server::service::schedule::local_today(&caller.user.time_zone);
    register::board(&caller.db, &params, today, BOARD_COLUMN_LIMIT as u64).await
}

#[server(endpoint = "improvements/get")]
pub async fn get_improvement(id: i64) -> Result<Improvement, AppError> {
    let caller = require(Permission::ImprovementRead).await?;
    register::get(caller.db.reader(), id).await
}

#[server(endpoint = "improvements/create")]
pub async fn create_improvement(form: ImprovementForm) -> Result<Improvement, AppError> {
    let caller = require(Permission::ImprovementRaise).await?;
    let draft = form.validate()?;
    let created = register::create(&caller.db, &caller.actor(), draft).await?;
    leptos_axum::redirect(&format!("/improvements/{}", created.id));
    Ok(created)
}

#[server(endpoint = "improvements/update")]
pub async fn update_improvement(
    id: i64,
    version: i32,
    form: ImprovementForm,
) -> Result<Improvement, AppError> {
    let caller = require(Permission::ImprovementRaise).await?;
    let draft = form.validate()?;
    let updated = register::update(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        draft,
    )
    .await;
    let updated = caller
        .counted(RecordType::Improvement, Some(id), updated)
        .await?;
    leptos_axum::redirect(&format!("/improvements/{id}"));
    Ok(updated)
}

/// A lifecycle transition: `action` is `evaluate`, `approve`, `reject`, `defer`, `reconsider`,
/// `start`, `implement`, `verify` or `close` (with `closure_code`).
#[server(endpoint = "improvements/transition")]
pub async fn transition_improvement(
    id: i64,
    version: i32,
    action: String,
    #[server(default)] outcome: Option<String>,
    #[server(default)] closure_code: Option<String>,
) -> Result<Improvement, AppError> {
    use crate::model::improvement::{ClosureCode, ImprovementAction};
    let caller = require(Permission::ImprovementRaise).await?;
    let action = ImprovementAction::parse(&action).ok_or_else(|| {
        AppError::BadRequest(format!("“{action}” is not a move of an improvement."))
    })?;
    let closure_code = match closure_code.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(ClosureCode::parse(code).ok_or_else(|| {
            AppError::single_field("closure_code", format!("“{code}” is not a closure code."))
        })?),
    };
    let result = register::transition(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        action,
        register::TransitionInput {
            outcome: outcome.unwrap_or_default(),
            closure_code,
        },
    )
    .await;
    caller
        .counted(RecordType::Improvement, Some(id), result)
        .await
}

#[server(endpoint = "improvements/add_kpi")]
pub async fn add_kpi(id: i64, version: i32, form: KpiForm) -> Result<Improvement, AppError> {
    let caller = require(Permission::ImprovementRaise).await?;
    let kpi = form.validate()?;
    let result =
        register::add_kpi(&caller.db, &caller.user, &caller.actor(), id, version, kpi).await;
    caller
        .counted(RecordType::Improvement, Some(id), result)
        .await
}

#[server(endpoint = "improvements/measure")]
pub async fn add_measurement(
    id: i64,
    version: i32,
    kpi_id: i64,
    form: MeasurementForm,
) -> Result<Improvement, AppError> {
    let caller = require(Permission::ImprovementRaise).await?;
    let measurement = form.validate(crate::server::service::schedule::local_today(
        &caller.user.time_zone,
    ))?;
    let result = register::add_measurement(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        kpi_id,
        measurement,
    )
    .await;
    caller
        .counted(RecordType::Improvement, Some(id), result)
        .await
}

/// The entry's audit trail, newest first.
#[server(endpoint = "improvements/history")]
pub async fn improvement_history(
    id: i64,
) -> Result<Vec<crate::model::audit::AuditEntry>, AppError> {
    let caller = require(Permission::ImprovementRead).await?;
    crate::server::service::audit_trail::history(&caller.db, "improvement", &id.to_string()).await
}

/// What importing `csv` would do, row by row; writes nothing.
#[server(endpoint = "improvements/import/preview")]
pub async fn preview_import(
    csv: String,
) -> Result<crate::model::csv_import::ImportPreview, AppError> {
    let caller = require(Permission::ImprovementRaise).await?;
    Ok(
        crate::server::service::register_import::plan(caller.db.reader(), &csv)
            .await?
            .preview,
    )
}

/// Imports `csv`: every new row becomes an entry, in one transaction, or nothing does.
/// Returns the references created.
#[server(endpoint = "improvements/import")]
pub async fn import_register(csv: String) -> Result<Vec<String>, AppError> {
    let caller = require(Permission::ImprovementRaise).await?;
    let (_, created) =
        crate::server::service::register_import::import(&caller.db, &caller.actor(), &csv).await?;
    Ok(created.iter().map(Improvement::reference).collect())
}
