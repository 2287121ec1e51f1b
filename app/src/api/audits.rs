//! Server functions of internal audits (clause 9.2): `ComplianceRead` to read,
//! `AuditManage` to write (programmes, planning, the checklist, findings, completion). The
//! lifecycle and independence rules in `model::internal_audit` decide the rest.

use crate::error::AppError;
use crate::model::internal_audit::{
    Audit, AuditDetail, ChecklistItem, Finding, Programme, ProgrammeView,
};
use crate::model::refs::PersonRef;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::Permission,
    crate::model::access::RecordType,
    crate::model::internal_audit::{
        validate_checklist_entry, AuditAction, AuditForm, FindingForm, ProgrammeForm,
    },
    crate::server::service::internal_audits,
    crate::server::service::schedule::local_today,
};

/// Every programme with its audits and coverage, the newest cycle first.
#[server(endpoint = "audits/overview")]
pub async fn audit_overview() -> Result<Vec<ProgrammeView>, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    internal_audits::overview(caller.db.reader()).await
}

/// The people who may be named as auditors and auditees, and the caller's "today".
#[server(endpoint = "audits/choices")]
pub async fn audit_choices() -> Result<(Vec<PersonRef>, chrono::NaiveDate), AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    let people = crate::server::service::users::active_people(caller.db.reader()).await?;
    Ok((people, local_today(&caller.user.time_zone)))
}

/// One audit with its checklist and findings.
#[server(endpoint = "audits/detail")]
pub async fn get_audit(id: i64) -> Result<AuditDetail, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    internal_audits::detail(caller.db.reader(), id).await
}

#[server(endpoint = "audits/programme/create")]
pub async fn create_audit_programme(
    title: String,
    cycle_start: String,
    cycle_end: String,
) -> Result<Programme, AppError> {
    let caller = require(Permission::AuditManage).await?;
    let draft = ProgrammeForm {
        title,
        cycle_start,
        cycle_end,
    }
    .validate()?;
    internal_audits::create_programme(&caller.db, &caller.user, &caller.actor(), draft).await
}

#[server(endpoint = "audits/programme/update")]
pub async fn update_audit_programme(
    id: i64,
    version: i32,
    title: String,
    cycle_start: String,
    cycle_end: String,
) -> Result<Programme, AppError> {
    let caller = require(Permission::AuditManage).await?;
    let draft = ProgrammeForm {
        title,
        cycle_start,
        cycle_end,
    }
    .validate()?;
    let result =
        internal_audits::update_programme(&caller.db, &caller.actor(), id, version, draft).await;
    caller
        .counted(RecordType::InternalAudit, None, result)
        .await
}

/// Plans an audit; the team must be independent of the auditees named. Goes to the audit.
#[server(endpoint = "audits/plan")]
pub async fn plan_audit(
    programme_id: i64,
    title: String,
    #[server(default)] clauses: Vec<String>,
    area: String,
    planned_on: String,
    lead_auditor_id: String,
    #[server(default)] auditor_ids: Vec<String>,
    #[server(default)] auditee_ids: Vec<String>,
    scope: String,
    criteria: String,
) -> Result<(), AppError> {
    let caller = require(Permission::AuditManage).await?;
    let draft = AuditForm {
        title,
        clauses,
        area,
        planned_on,
        lead_auditor_id,
        auditor_ids,
        auditee_ids,
        scope,
        criteria,
    }
    .validate()?;
    let audit =
        internal_audits::plan_audit(&caller.db, &caller.actor(), programme_id, draft).await?;
    leptos_axum::redirect(&format!("/compliance/audits/{}", audit.id));
    Ok(())
}

/// Edits a planned audit's plan against the version it was loaded with.
#[server(endpoint = "audits/edit")]
pub async fn edit_audit(
    id: i64,
    version: i32,
    title: String,
    #[server(default)] clauses: Vec<String>,
    area: String,
    planned_on: String,
    lead_auditor_id: String,
    #[server(default)] auditor_ids: Vec<String>,
    #[server(default)] auditee_ids: Vec<String>,
    scope: String,
    criteria: String,
) -> Result<Audit, AppError> {
    let caller = require(Permission::AuditManage).await?;
    let draft = AuditForm {
        title,
        clauses,
        area,
        planned_on,
        lead_auditor_id,
        auditor_ids,
        auditee_ids,
        scope,
        criteria,
    }
    .validate()?;
    let result = internal_audits::edit_audit(&caller.db, &caller.actor(), id, version, draft).await;
    caller
        .counted(RecordType::InternalAudit, Some(id), result)
        .await
}

/// Starts (generating the checklist), completes (with the conclusion) or cancels an audit.
#[server(endpoint = "audits/transition")]
pub async fn transition_audit(
    id: i64,
    version: i32,
    action: String,
    #[server(default)] conclusion: String,
) -> Result<Audit, AppError> {
    let caller = require(Permission::AuditManage).await?;
    let action = AuditAction::parse(&action)
        .ok_or_else(|| AppError::BadRequest("Unknown audit action.".into()))?;
    let today = local_today(&caller.user.time_zone);
    let result = internal_audits::transition_audit(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        action,
        conclusion,
        today,
    )
    .await;
    caller
        .counted(RecordType::InternalAudit, Some(id), result)
        .await
}

/// Records one checklist item's result, notes and sampled records.
#[server(endpoint = "audits/checklist/record")]
pub async fn record_checklist_item(
    audit_id: i64,
    version: i32,
    item_id: i64,
    result: String,
    #[server(default)] notes: String,
    #[server(default)] sampled_records: String,
) -> Result<ChecklistItem, AppError> {
    let caller = require(Permission::AuditManage).await?;
    let entry = validate_checklist_entry(&result, &notes, &sampled_records)?;
    let result = internal_audits::record_item(
        &caller.db,
        &caller.user,
        &caller.actor(),
        audit_id,
        version,
        item_id,
        entry,
    )
    .await;
    caller
        .counted(RecordType::InternalAudit, Some(audit_id), result)
        .await
}

/// Records a graded finding; a nonconformity or register entry is raised with it.
#[server(endpoint = "audits/finding/record")]
pub async fn record_audit_finding(
    audit_id: i64,
    version: i32,
    grade: String,
    clause: String,
    statement: String,
    #[server(default)] evidence: String,
    #[server(default)] owner_id: String,
) -> Result<Finding, AppError> {
    let caller = require(Permission::AuditManage).await?;
    let today = local_today(&caller.user.time_zone);
    let result = internal_audits::record_finding(
        &caller.db,
        &caller.user,
        &caller.actor(),
        audit_id,
        version,
        FindingForm {
            grade,
            clause,
            statement,
            evidence,
            owner_id,
        },
        today,
    )
    .await;
    caller
        .counted(RecordType::InternalAudit, Some(audit_id), result)
        .await
}
