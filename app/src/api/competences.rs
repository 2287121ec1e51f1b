//! Server functions of the competence records (clause 7.2). Everyone who works in the SMS
//! reads the matrix (`CompetenceRead`); the quality manager keeps it (`CompetenceManage`),
//! and nobody records or withdraws their own evidence.

use crate::error::AppError;
use crate::model::competence::{
    Competence, CompetenceChoices, CompetenceForm, CompetenceReminder, EvidenceForm, MatrixPage,
    MatrixParams, PersonCompetences, WithdrawForm,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::{Permission, RecordType},
    crate::model::competence::CompetenceStatus,
    crate::server::service::competences,
    crate::server::service::schedule::local_today,
};

/// One page of the competence matrix.
#[server(endpoint = "competences/matrix")]
pub async fn competence_matrix(params: MatrixParams) -> Result<MatrixPage, AppError> {
    let caller = require(Permission::CompetenceRead).await?;
    competences::matrix(
        caller.db.reader(),
        &params,
        local_today(&caller.user.time_zone),
        crate::model::listing::DEFAULT_PAGE_SIZE,
    )
    .await
}

/// One competence: who needs it, who holds it, who is missing it.
#[server(endpoint = "competences/get")]
pub async fn get_competence(id: i64) -> Result<Competence, AppError> {
    let caller = require(Permission::CompetenceRead).await?;
    let mut competence =
        competences::detail(caller.db.reader(), id, local_today(&caller.user.time_zone)).await?;
    competence.may_manage = caller.user.may(Permission::CompetenceManage);
    competence.reader_id = caller.user.id;
    Ok(competence)
}

/// One person's competences and evidence history.
#[server(endpoint = "competences/person")]
pub async fn get_person_competences(user_id: i64) -> Result<PersonCompetences, AppError> {
    let caller = require(Permission::CompetenceRead).await?;
    let mut person = competences::of_person(
        caller.db.reader(),
        user_id,
        local_today(&caller.user.time_zone),
    )
    .await?;
    person.may_record = caller.user.may(Permission::CompetenceManage) && caller.user.id != user_id;
    Ok(person)
}

/// The caller's own competence gaps and expiring evidence (the dashboard's reminder).
#[server(endpoint = "competences/reminders")]
pub async fn competence_reminders() -> Result<Vec<CompetenceReminder>, AppError> {
    let caller = require(Permission::CompetenceRead).await?;
    competences::reminders_for(
        caller.db.reader(),
        &caller.user,
        local_today(&caller.user.time_zone),
    )
    .await
}

/// What the competence forms offer: people, services and the active competences.
#[server(endpoint = "competences/choices")]
pub async fn competence_form_choices() -> Result<CompetenceChoices, AppError> {
    let caller = require(Permission::CompetenceManage).await?;
    competences::choices(caller.db.reader()).await
}

/// Defines a competence and goes to it.
#[server(endpoint = "competences/create")]
pub async fn define_competence(form: CompetenceForm) -> Result<i64, AppError> {
    let caller = require(Permission::CompetenceManage).await?;
    let created = competences::create(
        &caller.db,
        &caller.user,
        &caller.actor(),
        &form,
        chrono::Utc::now(),
    )
    .await;
    let id = caller
        .counted(RecordType::Competence, None, created)
        .await?;
    leptos_axum::redirect(&format!("/competences/{id}"));
    Ok(id)
}

/// Saves an active competence.
#[server(endpoint = "competences/update")]
pub async fn update_competence(
    id: i64,
    version: i32,
    form: CompetenceForm,
) -> Result<(), AppError> {
    let caller = require(Permission::CompetenceManage).await?;
    let saved = competences::update(&caller.db, &caller.actor(), id, version, &form).await;
    caller
        .counted(RecordType::Competence, Some(id), saved)
        .await
}

/// Retires a competence (it leaves the matrix) or restores it.
#[server(endpoint = "competences/status")]
pub async fn set_competence_status(id: i64, version: i32, retire: bool) -> Result<(), AppError> {
    let caller = require(Permission::CompetenceManage).await?;
    let status = if retire {
        CompetenceStatus::Retired
    } else {
        CompetenceStatus::Active
    };
    let set = competences::set_status(&caller.db, &caller.actor(), id, version, status).await;
    caller.counted(RecordType::Competence, Some(id), set).await
}

/// Records a person's evidence (never the caller's own).
#[server(endpoint = "competences/record")]
pub async fn record_competence_evidence(form: EvidenceForm) -> Result<i64, AppError> {
    let caller = require(Permission::CompetenceManage).await?;
    let recorded = competences::record_evidence(
        &caller.db,
        &caller.user,
        &caller.actor(),
        &form,
        chrono::Utc::now(),
    )
    .await;
    caller.counted(RecordType::Competence, None, recorded).await
}

/// Withdraws evidence found wanting, with the reason (never the caller's own).
#[server(endpoint = "competences/withdraw")]
pub async fn withdraw_competence_evidence(
    evidence_id: i64,
    form: WithdrawForm,
) -> Result<(), AppError> {
    let caller = require(Permission::CompetenceManage).await?;
    let withdrawn = competences::withdraw_evidence(
        &caller.db,
        &caller.user,
        &caller.actor(),
        evidence_id,
        &form,
        chrono::Utc::now(),
    )
    .await;
    caller
        .counted(RecordType::Competence, None, withdrawn)
        .await
}
