//! Server functions of problems and known errors (clause 8.6.3). Everyone who reads incidents
//! reads problems and is offered known errors while reporting (`IncidentRead`); those who work
//! incidents work problems (`ProblemWork`), as the lifecycle in `model::problem` allows.

use crate::error::AppError;
use crate::model::problem::{
    AnalysisForm, KnownErrorMatch, ProblemForm, ProblemListParams, ProblemPage, ProblemRecord,
    ProblemStepForm,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::{announce_incident, require},
    crate::model::access::{Permission, RecordType},
    crate::server::service::problems,
};

/// One page of the problem list.
#[server(endpoint = "problems/list")]
pub async fn problem_list(params: ProblemListParams) -> Result<ProblemPage, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    problems::page(
        caller.db.reader(),
        &params,
        crate::model::problem::PROBLEM_PAGE_SIZE,
    )
    .await
}

/// One problem, with the steps the caller may take now.
#[server(endpoint = "problems/get")]
pub async fn get_problem(id: i64) -> Result<ProblemRecord, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    problems::record(caller.db.reader(), &caller.user, id).await
}

/// The known errors matching what is being typed on the incident form, best first.
#[server(endpoint = "problems/known_errors")]
pub async fn matching_known_errors(text: String) -> Result<Vec<KnownErrorMatch>, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    problems::known_errors(caller.db.reader(), &text).await
}

/// Raises a problem from incidents and goes to its record.
#[server(endpoint = "problems/create")]
pub async fn raise_problem(form: ProblemForm) -> Result<i64, AppError> {
    let caller = require(Permission::ProblemWork).await?;
    let raised = problems::create(
        &caller.db,
        &caller.user,
        &caller.actor(),
        &form,
        chrono::Utc::now(),
    )
    .await;
    let id = caller.counted(RecordType::Problem, None, raised).await?;
    leptos_axum::redirect(&format!("/problems/{id}"));
    Ok(id)
}

/// Links more incidents (`INC-3, INC-9`) to a problem.
#[server(endpoint = "problems/link")]
pub async fn link_problem_incidents(id: i64, incidents: String) -> Result<(), AppError> {
    let caller = require(Permission::ProblemWork).await?;
    let linked = problems::link_incidents(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        &incidents,
        chrono::Utc::now(),
    )
    .await;
    for incident in caller
        .counted(RecordType::Problem, Some(id), linked)
        .await?
    {
        announce_incident(incident, 0);
    }
    Ok(())
}

/// Takes an incident off a problem.
#[server(endpoint = "problems/unlink")]
pub async fn unlink_problem_incident(id: i64, incident_id: i64) -> Result<(), AppError> {
    let caller = require(Permission::ProblemWork).await?;
    let unlinked = problems::unlink_incident(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        incident_id,
        chrono::Utc::now(),
    )
    .await;
    caller
        .counted(RecordType::Problem, Some(id), unlinked)
        .await?;
    announce_incident(incident_id, 0);
    Ok(())
}

/// Saves the root cause analysis and the workaround.
#[server(endpoint = "problems/analysis")]
pub async fn save_problem_analysis(
    id: i64,
    version: i32,
    form: AnalysisForm,
) -> Result<(), AppError> {
    let caller = require(Permission::ProblemWork).await?;
    let saved = problems::save_analysis(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
    )
    .await;
    caller.counted(RecordType::Problem, Some(id), saved).await
}

/// One lifecycle step (analyse, known error, resolve, reopen, close).
#[server(endpoint = "problems/step")]
pub async fn problem_step(id: i64, version: i32, form: ProblemStepForm) -> Result<(), AppError> {
    let caller = require(Permission::ProblemWork).await?;
    let taken = problems::take_step(
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
    caller.counted(RecordType::Problem, Some(id), taken).await
}

/// Raises the change that removes the problem's cause and goes to it.
#[server(endpoint = "problems/change")]
pub async fn raise_problem_change(id: i64, version: i32) -> Result<i64, AppError> {
    let caller = require(Permission::ProblemWork).await?;
    let raised =
        problems::raise_change(&caller.db, &caller.user, &caller.actor(), id, version).await;
    let change = caller
        .counted(RecordType::Problem, Some(id), raised)
        .await?;
    leptos_axum::redirect(&format!("/changes/{change}"));
    Ok(change)
}
