//! Continuity exercises (clause 8.7.2: plans are tested at planned intervals): planned with
//! kind, date, participants and objectives; their outcome recorded with the recovery time it
//! took against the covered services' RTO; each finding can become an improvement-register
//! entry that links back to the exercise. Versioned and audited.

use crate::error::{AppError, FieldErrors};
use crate::model::access::{RecordType, Role};
use crate::model::continuity_plan::{
    Exercise, ExerciseFinding, ExerciseKind, ExerciseOutcome, ExerciseResult,
};
use crate::model::improvement::Source;
use crate::model::register::{Improvement, ImprovementDraft};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::continuity_exercise::{self as exercise_entity, Entity as Exercises};
use crate::server::entity::continuity_plan::{self as plan_entity, Entity as Plans};
use crate::server::entity::service_bia::{Column as BiaColumn, Entity as Bias};
use crate::server::versioned::{self, check_version};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    UpdateMany,
};

/// What a planned exercise needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedExercise {
    pub kind: ExerciseKind,
    pub planned_on: NaiveDate,
    pub participants: String,
    pub objectives: String,
}

async fn plan_row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<plan_entity::Model, AppError> {
    Plans::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That continuity plan".into()))
}

/// The shortest RTO among the services a plan covers (the one the recovery must meet).
async fn plan_rto<C: ConnectionTrait>(
    conn: &C,
    plan: &plan_entity::Model,
) -> Result<Option<u32>, AppError> {
    let services: Vec<i64> = serde_json::from_str(&plan.service_ids).unwrap_or_default();
    if services.is_empty() {
        return Ok(None);
    }
    Ok(Bias::find()
        .filter(BiaColumn::ServiceId.is_in(services))
        .all(conn)
        .await?
        .iter()
        .map(|b| Ord::max(b.rto, 0) as u32)
        .min())
}

fn view(row: exercise_entity::Model, rto_minutes: Option<u32>) -> Exercise {
    Exercise {
        id: row.id,
        plan_id: row.plan_id,
        kind: ExerciseKind::parse(&row.kind).unwrap_or(ExerciseKind::Walkthrough),
        planned_on: row.planned_on,
        participants: row.participants,
        objectives: row.objectives,
        result: row.result.as_deref().and_then(ExerciseResult::parse),
        actual_minutes: row.actual_minutes.map(|m| Ord::max(m, 0) as u32),
        rto_minutes,
        findings: serde_json::from_str(&row.findings).unwrap_or_default(),
        version: row.version,
    }
}

async fn load<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Exercise, AppError> {
    let row = Exercises::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That exercise".into()))?;
    let plan = plan_row(conn, row.plan_id).await?;
    Ok(view(row, plan_rto(conn, &plan).await?))
}

/// A plan's exercises, latest date first.
pub async fn list<C: ConnectionTrait>(conn: &C, plan_id: i64) -> Result<Vec<Exercise>, AppError> {
    let plan = plan_row(conn, plan_id).await?;
    let rto = plan_rto(conn, &plan).await?;
    Ok(Exercises::find()
        .filter(exercise_entity::Column::PlanId.eq(plan_id))
        .order_by_desc(exercise_entity::Column::PlannedOn)
        .all(conn)
        .await?
        .into_iter()
        .map(|row| view(row, rto))
        .collect())
}

/// Only a continuity manager or the plan's owner plans and records exercises.
fn may_run(user: &CurrentUser, plan: &plan_entity::Model) -> Result<(), AppError> {
    if user.roles.contains(&Role::ContinuityManager) || user.id == plan.owner_id {
        Ok(())
    } else {
        Err(AppError::BadRequest(
            "Only the plan's owner or a continuity manager runs its exercises.".into(),
        ))
    }
}

pub async fn plan(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    plan_id: i64,
    planned: PlannedExercise,
) -> Result<Exercise, AppError> {
    let mut errors = FieldErrors::new();
    let participants = crate::model::text::bounded(
        &mut errors,
        "participants",
        "Participants",
        &planned.participants,
        2,
        2000,
    );
    let objectives = crate::model::text::bounded(
        &mut errors,
        "objectives",
        "Objectives",
        &planned.objectives,
        5,
        4000,
    );
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let txn = db.begin_write().await?;
    let plan = plan_row(&txn, plan_id).await?;
    may_run(user, &plan)?;
    let now = Utc::now();
    let row = exercise_entity::ActiveModel {
        plan_id: Set(plan_id),
        kind: Set(planned.kind.as_str().into()),
        planned_on: Set(planned.planned_on),
        participants: Set(participants),
        objectives: Set(objectives),
        result: Set(None),
        actual_minutes: Set(None),
        findings: Set("[]".into()),
        recorded_by: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::ContinuityPlan,
        plan_id,
        "exercise_planned",
        format!(
            "{} of “{}” planned for {}",
            planned.kind.label(),
            plan.title,
            planned.planned_on
        ),
    )
    .await?;
    let exercise = load(&txn, row.id).await?;
    txn.commit().await?;
    Ok(exercise)
}

/// Records how the exercise went, against the version it was loaded with.
pub async fn record_outcome(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    exercise_id: i64,
    version: i32,
    outcome: ExerciseOutcome,
) -> Result<Exercise, AppError> {
    let txn = db.begin_write().await?;
    let before = load(&txn, exercise_id).await?;
    let plan = plan_row(&txn, before.plan_id).await?;
    may_run(user, &plan)?;
    let findings: Vec<ExerciseFinding> = outcome
        .findings
        .iter()
        .map(|text| ExerciseFinding {
            text: text.clone(),
            improvement_id: None,
        })
        .collect();
    let findings = serde_json::to_string(&findings).unwrap_or_else(|_| "[]".into());
    versioned::update(
        &txn,
        exercise_id,
        version,
        |update: UpdateMany<Exercises>| {
            update
                .col_expr(
                    exercise_entity::Column::Result,
                    Expr::value(outcome.result.as_str()),
                )
                .col_expr(
                    exercise_entity::Column::ActualMinutes,
                    Expr::value(outcome.actual_minutes as i32),
                )
                .col_expr(exercise_entity::Column::Findings, Expr::value(findings))
                .col_expr(exercise_entity::Column::RecordedBy, Expr::value(user.id))
        },
    )
    .await?;
    let after = load(&txn, exercise_id).await?;
    let against_rto = match after.met_rto() {
        Some(true) => " within the RTO",
        Some(false) => " — longer than the RTO",
        None => "",
    };
    audit::record(
        &txn,
        actor,
        RecordType::ContinuityPlan,
        plan.id,
        "exercise_recorded",
        format!(
            "{} of “{}”: {}, recovered in {}{against_rto}",
            after.kind.label(),
            plan.title,
            outcome.result.label(),
            crate::model::recovery::minutes_text(outcome.actual_minutes)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Turns finding number `index` into an improvement-register entry (source: continuity
/// exercise), linked both ways.
pub async fn finding_to_register(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    exercise_id: i64,
    version: i32,
    index: usize,
) -> Result<(Exercise, Improvement), AppError> {
    if !user.may(crate::model::access::Permission::ImprovementRaise) {
        return Err(AppError::Forbidden(
            crate::model::access::Permission::ImprovementRaise
                .describe()
                .into(),
        ));
    }
    let txn = db.begin_write().await?;
    let before = load(&txn, exercise_id).await?;
    check_version::<Exercises>(version, before.version)?;
    let plan = plan_row(&txn, before.plan_id).await?;
    let mut findings = before.findings.clone();
    let Some(finding) = findings.get_mut(index) else {
        return Err(AppError::NotFound("That finding".into()));
    };
    if let Some(entry) = finding.improvement_id {
        return Err(AppError::BadRequest(format!(
            "That finding is in the register already as {}.",
            crate::model::register::improvement_reference(entry)
        )));
    }
    let mut title: String = finding.text.chars().take(160).collect();
    if title.chars().count() < 5 {
        title = format!("Exercise finding: {title}");
    }
    let entry = crate::server::service::register::insert_entry(
        &txn,
        actor,
        ImprovementDraft {
            title,
            description: format!(
                "Found in the {} of “{}” on {}: {}",
                before.kind.label().to_lowercase(),
                plan.title,
                before.planned_on,
                finding.text
            ),
            source: Source::ContinuityExercise,
            source_ref: Some(format!("exercise:{exercise_id}")),
            service_ids: serde_json::from_str(&plan.service_ids).unwrap_or_default(),
            clauses: vec!["8.7.2".into()],
            expected_benefit: "The plan works when it is needed.".into(),
            benefit_score: None,
            effort: None,
            owner_id: plan.owner_id,
            approver_id: None,
            target_date: None,
        },
    )
    .await?;
    finding.improvement_id = Some(entry.id);
    // Against the version checked above (on PostgreSQL another save may have come between).
    let findings = serde_json::to_string(&findings).unwrap_or_else(|_| "[]".into());
    versioned::update(
        &txn,
        exercise_id,
        version,
        |update: UpdateMany<Exercises>| {
            update.col_expr(exercise_entity::Column::Findings, Expr::value(findings))
        },
    )
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::ContinuityPlan,
        plan.id,
        "exercise_finding_to_register",
        format!(
            "Finding of the {} of “{}” put in the register as {}",
            before.kind.label().to_lowercase(),
            plan.title,
            entry.reference()
        ),
    )
    .await?;
    let after = load(&txn, exercise_id).await?;
    txn.commit().await?;
    Ok((after, entry))
}
