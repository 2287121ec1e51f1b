//! Internal audits (clause 9.2): programmes, audits planned in them, the checklist generated
//! from the clause library when an audit starts, checklist results, graded findings (a
//! nonconformity raises one on the clause 10.1 path, an observation or opportunity becomes an
//! improvement register entry, both linked both ways) and completion with a conclusion.
//! The pure rules live in `model::internal_audit`; this writes, versioned and audited, each
//! write in one transaction.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::audit::diff;
use crate::model::improvement::Source;
use crate::model::internal_audit::{
    audit_reference, check_in_cycle, check_independence, check_recorder, coverage, gaps,
    generate_checklist, transition, Audit, AuditAction, AuditDetail, AuditDraft, AuditReport,
    AuditState, ChecklistEntry, ChecklistItem, ChecklistResult, CompletionFacts, CoverageAudit,
    Finding, FindingDraft, FindingForm, FindingGrade, Programme, ProgrammeDraft, ProgrammeView,
};
use crate::model::nonconformity::{FoundIn, NcDraft};
use crate::model::refs::PersonRef;
use crate::model::register::ImprovementDraft;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::audit_checklist_item::{self as item_entity, Entity as Items};
use crate::server::entity::audit_finding::{self as finding_entity, Entity as Findings};
use crate::server::entity::audit_programme::{self as programme_entity, Entity as Programmes};
use crate::server::entity::internal_audit::{self as audit_entity, Entity as Audits};
use crate::server::service::users::{people, person};
use crate::server::service::{clause_library, nonconformities, register};
use crate::server::versioned::{self, check_version};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    UpdateMany,
};
use std::collections::HashMap;

/// Days a nonconformity raised by an audit waits between "actions done" and the
/// effectiveness check (the nonconformity form's default).
const NC_WAIT_DAYS: i64 = 30;

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

fn ids_of(text: &str) -> Vec<i64> {
    serde_json::from_str(text).unwrap_or_default()
}

/// Refuses `user` unless they are on the stored audit's team and the team is independent of
/// its auditees (`check_recorder`), read from the row inside the write's transaction.
fn require_team(row: &audit_entity::Model, user: &CurrentUser) -> Result<(), AppError> {
    check_recorder(
        user.id,
        row.lead_auditor_id,
        &ids_of(&row.auditor_ids),
        &ids_of(&row.auditee_ids),
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------

fn programme_view(row: programme_entity::Model) -> Programme {
    Programme {
        id: row.id,
        title: row.title,
        cycle_start: row.cycle_start,
        cycle_end: row.cycle_end,
        version: row.version,
    }
}

async fn programme_row<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<programme_entity::Model, AppError> {
    Programmes::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That audit programme".into()))
}

async fn audit_row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<audit_entity::Model, AppError> {
    Audits::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Internal audit {}", audit_reference(id))))
}

async fn audit_views<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<audit_entity::Model>,
) -> Result<Vec<Audit>, AppError> {
    let mut wanted: Vec<i64> = Vec::new();
    for r in &rows {
        wanted.push(r.lead_auditor_id);
        wanted.extend(ids_of(&r.auditor_ids));
        wanted.extend(ids_of(&r.auditee_ids));
    }
    let names = people(conn, &wanted).await?;
    let refs = |text: &str| -> Vec<PersonRef> {
        ids_of(text)
            .into_iter()
            .map(|id| person(&names, id))
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| Audit {
            id: r.id,
            programme_id: r.programme_id,
            clauses: serde_json::from_str(&r.clauses).unwrap_or_default(),
            state: AuditState::parse(&r.state).unwrap_or(AuditState::Planned),
            lead_auditor: person(&names, r.lead_auditor_id),
            auditors: refs(&r.auditor_ids),
            auditees: refs(&r.auditee_ids),
            title: r.title,
            area: r.area,
            planned_on: r.planned_on,
            scope: r.scope,
            criteria: r.criteria,
            conclusion: r.conclusion,
            completed_on: r.completed_on,
            version: r.version,
        })
        .collect())
}

/// Every programme, the newest cycle first.
pub async fn programmes<C: ConnectionTrait>(conn: &C) -> Result<Vec<Programme>, AppError> {
    Ok(Programmes::find()
        .order_by_desc(programme_entity::Column::CycleStart)
        .order_by_desc(programme_entity::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(programme_view)
        .collect())
}

/// One programme with its audits (by planned date) and its coverage of clauses 4–10.
pub async fn programme<C: ConnectionTrait>(conn: &C, id: i64) -> Result<ProgrammeView, AppError> {
    let programme = programme_view(programme_row(conn, id).await?);
    let rows = Audits::find()
        .filter(audit_entity::Column::ProgrammeId.eq(id))
        .order_by_asc(audit_entity::Column::PlannedOn)
        .order_by_asc(audit_entity::Column::Id)
        .all(conn)
        .await?;
    let audits = audit_views(conn, rows).await?;
    let facts: Vec<CoverageAudit> = audits
        .iter()
        .map(|a| CoverageAudit {
            id: a.id,
            state: a.state,
            planned_on: a.planned_on,
            clauses: a.clauses.clone(),
        })
        .collect();
    let coverage = coverage(programme.cycle_start, programme.cycle_end, &facts);
    let gaps = gaps(&coverage);
    Ok(ProgrammeView {
        programme,
        audits,
        coverage,
        gaps,
    })
}

/// Every programme with its audits and coverage, the newest cycle first.
pub async fn overview<C: ConnectionTrait>(conn: &C) -> Result<Vec<ProgrammeView>, AppError> {
    let mut out = Vec::new();
    for p in programmes(conn).await? {
        out.push(programme(conn, p.id).await?);
    }
    Ok(out)
}

/// One audit with its programme, checklist (in clause order) and findings.
pub async fn detail<C: ConnectionTrait>(conn: &C, id: i64) -> Result<AuditDetail, AppError> {
    let row = audit_row(conn, id).await?;
    let programme = programme_view(programme_row(conn, row.programme_id).await?);
    let audit = audit_views(conn, vec![row]).await?.remove(0);
    let checklist = Items::find()
        .filter(item_entity::Column::AuditId.eq(id))
        .order_by_asc(item_entity::Column::Position)
        .order_by_asc(item_entity::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|i| ChecklistItem {
            id: i.id,
            result: ChecklistResult::parse(&i.result).unwrap_or(ChecklistResult::Pending),
            clause: i.clause,
            prompt: i.prompt,
            notes: i.notes,
            sampled_records: i.sampled_records,
        })
        .collect();
    let finding_rows = Findings::find()
        .filter(finding_entity::Column::AuditId.eq(id))
        .order_by_asc(finding_entity::Column::Id)
        .all(conn)
        .await?;
    let authors: Vec<i64> = finding_rows.iter().map(|f| f.created_by).collect();
    let names = people(conn, &authors).await?;
    let findings = finding_rows
        .into_iter()
        .map(|f| Finding {
            id: f.id,
            grade: FindingGrade::parse(&f.grade).unwrap_or(FindingGrade::Observation),
            created_by: person(&names, f.created_by),
            clause: f.clause,
            statement: f.statement,
            evidence: f.evidence,
            nonconformity_id: f.nonconformity_id,
            improvement_id: f.improvement_id,
        })
        .collect();
    Ok(AuditDetail {
        audit,
        programme,
        checklist,
        findings,
    })
}

/// The report of a completed audit; audits not yet completed have none.
pub async fn report<C: ConnectionTrait>(conn: &C, id: i64) -> Result<AuditReport, AppError> {
    let detail = detail(conn, id).await?;
    if !detail.audit.state.has_report() {
        return Err(AppError::BadRequest(format!(
            "{} is {}: its report is issued when the audit is completed.",
            detail.audit.reference(),
            detail.audit.state.label().to_lowercase()
        )));
    }
    Ok(detail)
}

/// The reports of the audits completed on or after `since`, oldest first (the evidence pack
/// embeds them with `report_html`).
pub async fn completed_reports<C: ConnectionTrait>(
    conn: &C,
    since: NaiveDate,
) -> Result<Vec<AuditReport>, AppError> {
    let rows = Audits::find()
        .filter(audit_entity::Column::State.eq(AuditState::Completed.as_str()))
        .filter(audit_entity::Column::CompletedOn.gte(since))
        .order_by_asc(audit_entity::Column::CompletedOn)
        .order_by_asc(audit_entity::Column::Id)
        .all(conn)
        .await?;
    let mut out = Vec::new();
    for row in rows {
        out.push(detail(conn, row.id).await?);
    }
    Ok(out)
}

/// The programme whose cycle contains `today`, else the one that started last.
pub async fn current_programme<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<Option<Programme>, AppError> {
    let all = programmes(conn).await?;
    Ok(all
        .iter()
        .find(|p| p.cycle_start <= today && today <= p.cycle_end)
        .or_else(|| all.first())
        .cloned())
}

/// Audits completed between `start` and `end` (inclusive) and their findings by grade: the
/// "audit results" input of a management review.
pub async fn results_in<C: ConnectionTrait>(
    conn: &C,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<crate::model::management_review::AuditResults, AppError> {
    let ids: Vec<i64> = Audits::find()
        .filter(audit_entity::Column::State.eq(AuditState::Completed.as_str()))
        .filter(audit_entity::Column::CompletedOn.between(start, end))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let mut results = crate::model::management_review::AuditResults {
        audits_completed: ids.len() as u64,
        ..Default::default()
    };
    if ids.is_empty() {
        return Ok(results);
    }
    for finding in Findings::find()
        .filter(finding_entity::Column::AuditId.is_in(ids))
        .all(conn)
        .await?
    {
        match FindingGrade::parse(&finding.grade) {
            Some(FindingGrade::MajorNc) => results.major += 1,
            Some(FindingGrade::MinorNc) => results.minor += 1,
            Some(FindingGrade::Observation) => results.observation += 1,
            Some(FindingGrade::Opportunity) => results.opportunity += 1,
            None => {}
        }
    }
    Ok(results)
}

// ---------------------------------------------------------------------------------------
// Programmes
// ---------------------------------------------------------------------------------------

pub async fn create_programme(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    draft: ProgrammeDraft,
) -> Result<Programme, AppError> {
    let txn = db.begin_write().await?;
    let now = Utc::now();
    let row = programme_entity::ActiveModel {
        title: Set(draft.title),
        cycle_start: Set(draft.cycle_start),
        cycle_end: Set(draft.cycle_end),
        version: Set(1),
        created_by: Set(user.id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "audit_programme_created",
            RecordType::InternalAudit,
            Some(format!("programme-{}", row.id)),
            format!(
                "Audit programme “{}” created for {} to {}",
                row.title, row.cycle_start, row.cycle_end
            ),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(programme_view(row))
}

pub async fn update_programme(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    draft: ProgrammeDraft,
) -> Result<Programme, AppError> {
    let txn = db.begin_write().await?;
    let before = programme_row(&txn, id).await?;
    // Audits already planned stay inside the cycle.
    let outside = Audits::find()
        .filter(audit_entity::Column::ProgrammeId.eq(id))
        .filter(audit_entity::Column::State.ne(AuditState::Cancelled.as_str()))
        .all(&txn)
        .await?
        .into_iter()
        .find(|a| check_in_cycle(a.planned_on, draft.cycle_start, draft.cycle_end).is_err());
    if let Some(audit) = outside {
        return Err(AppError::single_field(
            "cycle_start",
            format!(
                "{} “{}” is planned on {}, outside the new cycle: move or cancel it first.",
                audit_reference(audit.id),
                audit.title,
                audit.planned_on
            ),
        ));
    }
    versioned::update(&txn, id, version, |update: UpdateMany<Programmes>| {
        update
            .col_expr(
                programme_entity::Column::Title,
                Expr::value(draft.title.clone()),
            )
            .col_expr(
                programme_entity::Column::CycleStart,
                Expr::value(draft.cycle_start),
            )
            .col_expr(
                programme_entity::Column::CycleEnd,
                Expr::value(draft.cycle_end),
            )
    })
    .await?;
    let after = programme_row(&txn, id).await?;
    let view = |p: &programme_entity::Model| serde_json::json!({"title": p.title, "cycle_start": p.cycle_start, "cycle_end": p.cycle_end});
    audit::append(
        &txn,
        actor,
        Event::new(
            "audit_programme_updated",
            RecordType::InternalAudit,
            Some(format!("programme-{id}")),
            format!("Audit programme “{}” edited", after.title),
        )
        .with_changes(diff(Some(&view(&before)), Some(&view(&after)))),
    )
    .await?;
    txn.commit().await?;
    Ok(programme_view(after))
}

// ---------------------------------------------------------------------------------------
// Planning
// ---------------------------------------------------------------------------------------

/// Everyone named must be an active person, the team independent of the auditees, and the
/// date inside the programme's cycle.
async fn check_plan<C: ConnectionTrait>(
    conn: &C,
    programme: &programme_entity::Model,
    draft: &AuditDraft,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    if let Err(message) =
        check_in_cycle(draft.planned_on, programme.cycle_start, programme.cycle_end)
    {
        errors.add("planned_on", message);
    }
    let active: HashMap<i64, String> = crate::server::service::users::active_people(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    if !active.contains_key(&draft.lead_auditor_id) {
        errors.add("lead_auditor_id", "Choose the lead auditor from the list.");
    }
    if draft.auditor_ids.iter().any(|id| !active.contains_key(id)) {
        errors.add("auditor_ids", "Choose the auditors from the list.");
    }
    if draft.auditee_ids.iter().any(|id| !active.contains_key(id)) {
        errors.add("auditee_ids", "Choose the auditees from the list.");
    }
    if let Err(refusal) = check_independence(
        draft.lead_auditor_id,
        &draft.auditor_ids,
        &draft.auditee_ids,
        |id| {
            active
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("User {id}"))
        },
    ) {
        errors.add(refusal.field, refusal.message);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.into())
    }
}

fn audit_json(a: &Audit) -> serde_json::Value {
    serde_json::json!({
        "title": a.title,
        "clauses": a.clauses,
        "area": a.area,
        "planned_on": a.planned_on,
        "state": a.state.label(),
        "lead_auditor": a.lead_auditor.name,
        "auditors": a.auditors.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
        "auditees": a.auditees.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
        "scope": a.scope,
        "criteria": a.criteria,
        "conclusion": a.conclusion,
    })
}

async fn one_audit<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Audit, AppError> {
    Ok(audit_views(conn, vec![audit_row(conn, id).await?])
        .await?
        .remove(0))
}

/// Plans an audit in a programme.
pub async fn plan_audit(
    db: &Db,
    actor: &Actor,
    programme_id: i64,
    draft: AuditDraft,
) -> Result<Audit, AppError> {
    let txn = db.begin_write().await?;
    let programme = programme_row(&txn, programme_id).await?;
    check_plan(&txn, &programme, &draft).await?;
    let now = Utc::now();
    let row = audit_entity::ActiveModel {
        programme_id: Set(programme_id),
        title: Set(draft.title),
        clauses: Set(json(&draft.clauses)),
        area: Set(draft.area),
        planned_on: Set(draft.planned_on),
        state: Set(AuditState::Planned.as_str().into()),
        lead_auditor_id: Set(draft.lead_auditor_id),
        auditor_ids: Set(json(&draft.auditor_ids)),
        auditee_ids: Set(json(&draft.auditee_ids)),
        scope: Set(draft.scope),
        criteria: Set(draft.criteria),
        conclusion: Set(String::new()),
        completed_on: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let created = one_audit(&txn, row.id).await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "internal_audit_planned",
            RecordType::InternalAudit,
            Some(row.id.to_string()),
            format!(
                "{} “{}” planned for {} in “{}”",
                created.reference(),
                created.title,
                created.planned_on,
                programme.title
            ),
        )
        .with_changes(diff(None, Some(&audit_json(&created)))),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Edits a planned audit (scope, team, date) if `version` is current.
pub async fn edit_audit(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    draft: AuditDraft,
) -> Result<Audit, AppError> {
    let txn = db.begin_write().await?;
    let row = audit_row(&txn, id).await?;
    let state = AuditState::parse(&row.state).unwrap_or(AuditState::Planned);
    if !state.is_editable() {
        return Err(AppError::BadRequest(format!(
            "{} is {}: only a planned audit's plan can be edited.",
            audit_reference(id),
            state.label().to_lowercase()
        )));
    }
    let programme = programme_row(&txn, row.programme_id).await?;
    check_plan(&txn, &programme, &draft).await?;
    let before = one_audit(&txn, id).await?;
    versioned::update(&txn, id, version, |update: UpdateMany<Audits>| {
        update
            .col_expr(audit_entity::Column::Title, Expr::value(draft.title))
            .col_expr(
                audit_entity::Column::Clauses,
                Expr::value(json(&draft.clauses)),
            )
            .col_expr(audit_entity::Column::Area, Expr::value(draft.area))
            .col_expr(
                audit_entity::Column::PlannedOn,
                Expr::value(draft.planned_on),
            )
            .col_expr(
                audit_entity::Column::LeadAuditorId,
                Expr::value(draft.lead_auditor_id),
            )
            .col_expr(
                audit_entity::Column::AuditorIds,
                Expr::value(json(&draft.auditor_ids)),
            )
            .col_expr(
                audit_entity::Column::AuditeeIds,
                Expr::value(json(&draft.auditee_ids)),
            )
            .col_expr(audit_entity::Column::Scope, Expr::value(draft.scope))
            .col_expr(audit_entity::Column::Criteria, Expr::value(draft.criteria))
    })
    .await?;
    let after = one_audit(&txn, id).await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "internal_audit_edited",
            RecordType::InternalAudit,
            Some(id.to_string()),
            format!("{} “{}” plan edited", after.reference(), after.title),
        )
        .with_changes(diff(Some(&audit_json(&before)), Some(&audit_json(&after)))),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------

/// Starts, completes or cancels an audit. Starting generates the checklist from the clause
/// library for the audit's scope; completing needs a conclusion and no pending item, and
/// then the audit is read-only.
#[allow(clippy::too_many_arguments)]
pub async fn transition_audit(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    action: AuditAction,
    conclusion: String,
    today: NaiveDate,
) -> Result<Audit, AppError> {
    let conclusion = conclusion.trim().to_string();
    if action == AuditAction::Complete && conclusion.chars().count() > 8000 {
        return Err(AppError::single_field(
            "conclusion",
            "The conclusion must be at most 8000 characters.",
        ));
    }
    let txn = db.begin_write().await?;
    let row = audit_row(&txn, id).await?;
    // A quality manager may call off a planned audit; everything else is the team's.
    let quality = user
        .roles
        .contains(&crate::model::access::Role::QualityManager);
    if !(action == AuditAction::Cancel && quality) {
        require_team(&row, user)?;
    }
    let state = AuditState::parse(&row.state).unwrap_or(AuditState::Planned);
    let pending_items = Items::find()
        .filter(item_entity::Column::AuditId.eq(id))
        .filter(item_entity::Column::Result.eq(ChecklistResult::Pending.as_str()))
        .all(&txn)
        .await?
        .len();
    let facts = CompletionFacts {
        pending_items,
        has_conclusion: conclusion.chars().count() >= 10,
    };
    let next = match transition(state, action, facts) {
        Ok(next) => next,
        Err(refusal)
            if action == AuditAction::Complete
                && !facts.has_conclusion
                && state == AuditState::InProgress
                && pending_items == 0 =>
        {
            return Err(AppError::single_field(
                "conclusion",
                format!("{} (at least 10 characters)", refusal.0),
            ))
        }
        Err(refusal) => return Err(refusal.into()),
    };
    check_version::<Audits>(version, row.version)?;
    versioned::update(&txn, id, version, |update: UpdateMany<Audits>| {
        let update = update.col_expr(audit_entity::Column::State, Expr::value(next.as_str()));
        if next == AuditState::Completed {
            update
                .col_expr(
                    audit_entity::Column::Conclusion,
                    Expr::value(conclusion.clone()),
                )
                .col_expr(audit_entity::Column::CompletedOn, Expr::value(today))
        } else {
            update
        }
    })
    .await?;
    let mut summary = format!(
        "{} “{}”: {} → {}",
        audit_reference(id),
        row.title,
        state.label(),
        next.label()
    );
    if action == AuditAction::Start {
        let scope: Vec<String> = serde_json::from_str(&row.clauses).unwrap_or_default();
        let library = clause_library::list(&txn).await?;
        let items = generate_checklist(&scope, &library);
        if items.is_empty() {
            return Err(AppError::BadRequest(
                "The clause library has no clause in this audit's scope; the checklist would be empty.".into(),
            ));
        }
        let count = items.len();
        let rows: Vec<item_entity::ActiveModel> = items
            .into_iter()
            .enumerate()
            .map(|(position, item)| item_entity::ActiveModel {
                audit_id: Set(id),
                position: Set(position as i32),
                clause: Set(item.clause),
                prompt: Set(item.prompt),
                result: Set(ChecklistResult::Pending.as_str().into()),
                notes: Set(String::new()),
                sampled_records: Set(String::new()),
                ..Default::default()
            })
            .collect();
        Items::insert_many(rows)
            .exec_without_returning(&txn)
            .await?;
        summary.push_str(&format!(
            "; checklist of {count} item(s) generated from the clause library"
        ));
    }
    let action_name = match action {
        AuditAction::Start => "internal_audit_started",
        AuditAction::Complete => "internal_audit_completed",
        AuditAction::Cancel => "internal_audit_cancelled",
    };
    audit::record(
        &txn,
        actor,
        RecordType::InternalAudit,
        id,
        action_name,
        summary,
    )
    .await?;
    let after = one_audit(&txn, id).await?;
    txn.commit().await?;
    Ok(after)
}

/// Records one checklist item's result, notes and sampled records, against the audit's
/// `version` (the page reloads after each save).
pub async fn record_item(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    audit_id: i64,
    version: i32,
    item_id: i64,
    entry: ChecklistEntry,
) -> Result<ChecklistItem, AppError> {
    let txn = db.begin_write().await?;
    let row = audit_row(&txn, audit_id).await?;
    require_team(&row, user)?;
    let state = AuditState::parse(&row.state).unwrap_or(AuditState::Planned);
    if !state.records_evidence() {
        return Err(AppError::BadRequest(format!(
            "{} is {}: checklist results are recorded while the audit is in progress.",
            audit_reference(audit_id),
            state.label().to_lowercase()
        )));
    }
    let item = Items::find_by_id(item_id)
        .filter(item_entity::Column::AuditId.eq(audit_id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That checklist item".into()))?;
    versioned::update(&txn, row.id, version, |u: UpdateMany<Audits>| u).await?;
    let before = serde_json::json!({"result": item.result, "notes": item.notes, "sampled_records": item.sampled_records});
    let mut active: item_entity::ActiveModel = item.clone().into();
    active.result = Set(entry.result.as_str().into());
    active.notes = Set(entry.notes.clone());
    active.sampled_records = Set(entry.sampled_records.clone());
    let saved = active.update(&txn).await?;
    let after = serde_json::json!({"result": saved.result, "notes": saved.notes, "sampled_records": saved.sampled_records});
    audit::append(
        &txn,
        actor,
        Event::new(
            "internal_audit_checklist_recorded",
            RecordType::InternalAudit,
            Some(audit_id.to_string()),
            format!(
                "{} checklist {}: {}",
                audit_reference(audit_id),
                saved.clause,
                entry.result.label()
            ),
        )
        .with_changes(diff(Some(&before), Some(&after))),
    )
    .await?;
    txn.commit().await?;
    Ok(ChecklistItem {
        id: saved.id,
        clause: saved.clause,
        prompt: saved.prompt,
        result: entry.result,
        notes: saved.notes,
        sampled_records: saved.sampled_records,
    })
}

/// Records a graded finding. A major or minor nonconformity raises a nonconformity (found in
/// an audit) on the clause 10.1 path; an observation or opportunity becomes an improvement
/// register entry sourced from the audit finding. Both are linked both ways, all in one
/// transaction with the finding.
pub async fn record_finding(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    audit_id: i64,
    version: i32,
    form: FindingForm,
    today: NaiveDate,
) -> Result<Finding, AppError> {
    let txn = db.begin_write().await?;
    let row = audit_row(&txn, audit_id).await?;
    require_team(&row, user)?;
    let state = AuditState::parse(&row.state).unwrap_or(AuditState::Planned);
    if !state.records_evidence() {
        return Err(AppError::BadRequest(format!(
            "{} is {}: findings are recorded while the audit is in progress.",
            audit_reference(audit_id),
            state.label().to_lowercase()
        )));
    }
    // Checked against the stored audit's scope and auditees, not the page's copy.
    let scope: Vec<String> = serde_json::from_str(&row.clauses).unwrap_or_default();
    let draft: FindingDraft = form.validate(&scope, &ids_of(&row.auditee_ids))?;
    versioned::update(&txn, row.id, version, |u: UpdateMany<Audits>| u).await?;
    let reference = audit_reference(audit_id);
    let origin = format!("Internal audit {reference} “{}”", row.title);
    let (nonconformity_id, improvement_id) = if draft.grade.is_nonconformity() {
        let nc = nonconformities::insert_raised(
            &txn,
            user.id,
            actor,
            NcDraft {
                grade: draft.grade.nc_grade(),
                clause: draft.clause.clone(),
                description: format!("{}\n\nRaised by {origin}.", draft.statement),
                evidence: draft.evidence.clone(),
                found_in: FoundIn::Audit,
                owner_id: draft.owner_id,
                wait_days: Some(NC_WAIT_DAYS),
            },
            today,
        )
        .await?;
        (Some(nc), None)
    } else {
        let entry = register::insert_entry(
            &txn,
            actor,
            ImprovementDraft {
                title: crate::model::text::shorten(&draft.statement, 150),
                description: if draft.evidence.is_empty() {
                    format!("{}\n\n{} ({origin}).", draft.statement, draft.grade.label())
                } else {
                    format!(
                        "{}\n\nEvidence: {}\n\n{} ({origin}).",
                        draft.statement,
                        draft.evidence,
                        draft.grade.label()
                    )
                },
                source: Source::AuditFinding,
                source_ref: Some(reference.clone()),
                service_ids: Vec::new(),
                clauses: vec![draft.clause.clone()],
                expected_benefit: String::new(),
                benefit_score: None,
                effort: None,
                owner_id: draft.owner_id,
                approver_id: None,
                target_date: None,
            },
        )
        .await?;
        (None, Some(entry.id))
    };
    let now = Utc::now();
    let saved = finding_entity::ActiveModel {
        audit_id: Set(audit_id),
        clause: Set(draft.clause.clone()),
        grade: Set(draft.grade.as_str().into()),
        statement: Set(draft.statement.clone()),
        evidence: Set(draft.evidence.clone()),
        nonconformity_id: Set(nonconformity_id),
        improvement_id: Set(improvement_id),
        created_by: Set(user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let raised = match (nonconformity_id, improvement_id) {
        (Some(nc), _) => format!(", raised {}", crate::model::nonconformity::nc_reference(nc)),
        (_, Some(entry)) => format!(
            ", added {} to the improvement register",
            crate::model::register::improvement_reference(entry)
        ),
        _ => String::new(),
    };
    audit::record(
        &txn,
        actor,
        RecordType::InternalAudit,
        audit_id,
        "internal_audit_finding_recorded",
        format!(
            "{reference} finding: {} against {}{raised}",
            draft.grade.label(),
            crate::model::clauses::label(&draft.clause)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(Finding {
        id: saved.id,
        clause: saved.clause,
        grade: draft.grade,
        statement: saved.statement,
        evidence: saved.evidence,
        nonconformity_id,
        improvement_id,
        created_by: PersonRef {
            id: user.id,
            name: user.name.clone(),
        },
    })
}
