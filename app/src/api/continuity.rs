//! Server functions of service continuity. Business impact analyses: reading needs
//! `ServiceRead`, saving needs `ServiceUpdate` (the service owner sets the objectives). Plans
//! and exercises: `ContinuityRead` to read, `ContinuityEdit` to write (the plan lifecycle
//! then decides who approves), `ContinuityReview` to comment on a version in review.

use crate::error::AppError;
use crate::model::bia::{Bia, BiaForm};
use crate::model::continuity_plan::{Exercise, PlanAction, PlanContent, PlanVersion, SectionDiff};
use crate::model::plan_overview::{PlanComment, PlanDetail, PlanSummary};
use crate::model::refs::{PersonRef, ServiceRef};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::Permission,
    crate::model::access::RecordType,
    crate::model::continuity_plan::{check_outcome, ExerciseKind, Section},
    crate::server::service::schedule::local_today,
    crate::server::service::{bia, continuity_exercises, continuity_plans, plan_overview},
};

#[server(endpoint = "continuity/bia")]
pub async fn get_bia(service_id: i64) -> Result<Bia, AppError> {
    let caller = require(Permission::ServiceRead).await?;
    bia::get(caller.db.reader(), service_id).await
}

/// Saves the whole analysis; `version` is the one the form was loaded with (0 the first time).
#[server(endpoint = "continuity/bia/save")]
pub async fn save_bia(service_id: i64, version: i32, form: BiaForm) -> Result<Bia, AppError> {
    let caller = require(Permission::ServiceUpdate).await?;
    let draft = form.validate()?;
    bia::save(
        &caller.db,
        &caller.actor(),
        caller.user.id,
        service_id,
        version,
        draft,
    )
    .await
}

/// Every continuity plan with its review status and warnings, as of the caller's date.
#[server(endpoint = "continuity/plans")]
pub async fn list_plans() -> Result<Vec<PlanSummary>, AppError> {
    let caller = require(Permission::ContinuityRead).await?;
    let today = local_today(&caller.user.time_zone);
    plan_overview::summaries(caller.db.reader(), today).await
}

/// One plan: its versions, comments, exercises and what needs attention.
#[server(endpoint = "continuity/plan")]
pub async fn get_plan(id: i64) -> Result<PlanDetail, AppError> {
    let caller = require(Permission::ContinuityRead).await?;
    let today = local_today(&caller.user.time_zone);
    plan_overview::detail(caller.db.reader(), id, today).await
}

/// What the new-plan form offers: the catalogue's services and the people who may own it.
#[server(endpoint = "continuity/plan-choices")]
pub async fn plan_choices() -> Result<(Vec<ServiceRef>, Vec<PersonRef>), AppError> {
    let caller = require(Permission::ContinuityRead).await?;
    let services = crate::api::changes::service_refs(&caller.db).await?;
    let people = crate::server::service::users::active_people(caller.db.reader()).await?;
    Ok((services, people))
}

/// Starts a plan (its first draft is empty) and goes to it.
#[server(endpoint = "continuity/plan/create")]
pub async fn create_plan(
    title: String,
    owner_id: i64,
    #[server(default)] service_ids: Vec<i64>,
    #[server(default)] site: String,
    review_months: i32,
) -> Result<(), AppError> {
    let caller = require(Permission::ContinuityEdit).await?;
    let (id, _) = continuity_plans::create(
        &caller.db,
        &caller.user,
        &caller.actor(),
        continuity_plans::NewPlan {
            title,
            owner_id,
            service_ids,
            site,
            review_months,
        },
    )
    .await?;
    leptos_axum::redirect(&format!("/continuity/plans/{id}"));
    Ok(())
}

/// Saves a draft's whole content against the version it was loaded with (autosave).
#[server(endpoint = "continuity/draft/save", input = server_fn::codec::Json)]
pub async fn save_plan_draft(
    version_id: i64,
    version: i32,
    content: PlanContent,
) -> Result<PlanVersion, AppError> {
    let caller = require(Permission::ContinuityEdit).await?;
    let result = continuity_plans::save_draft(
        &caller.db,
        &caller.user,
        &caller.actor(),
        version_id,
        version,
        content,
    )
    .await;
    caller
        .counted_on(
            RecordType::ContinuityPlan,
            continuity_plans::plan_of_version(&caller.db, version_id),
            result,
        )
        .await
}

/// One lifecycle transition of a version (the plan lifecycle decides who may).
#[server(endpoint = "continuity/version/transition")]
pub async fn transition_plan_version(
    version_id: i64,
    version: i32,
    action: PlanAction,
) -> Result<PlanVersion, AppError> {
    let caller = require(Permission::ContinuityEdit).await?;
    let result = continuity_plans::transition_version(
        &caller.db,
        &caller.user,
        &caller.actor(),
        version_id,
        version,
        action,
    )
    .await;
    caller
        .counted_on(
            RecordType::ContinuityPlan,
            continuity_plans::plan_of_version(&caller.db, version_id),
            result,
        )
        .await
}

/// The next draft, starting from the newest version's content.
#[server(endpoint = "continuity/draft/new")]
pub async fn start_plan_draft(plan_id: i64) -> Result<PlanVersion, AppError> {
    let caller = require(Permission::ContinuityEdit).await?;
    let result =
        continuity_plans::new_draft(&caller.db, &caller.user, &caller.actor(), plan_id).await;
    caller
        .counted(RecordType::ContinuityPlan, Some(plan_id), result)
        .await
}

#[server(endpoint = "continuity/compare")]
pub async fn compare_plan_versions(old_id: i64, new_id: i64) -> Result<Vec<SectionDiff>, AppError> {
    let caller = require(Permission::ContinuityRead).await?;
    continuity_plans::compare_versions(caller.db.reader(), old_id, new_id).await
}

/// A reviewer's comment on one section (`section` as `Section::as_str`).
#[server(endpoint = "continuity/comment")]
pub async fn comment_on_plan(
    version_id: i64,
    section: String,
    text: String,
) -> Result<PlanComment, AppError> {
    let caller = require(Permission::ContinuityReview).await?;
    let section = Section::parse(&section)
        .ok_or_else(|| AppError::BadRequest("Choose the section the comment is about.".into()))?;
    let result = continuity_plans::comment(
        &caller.db,
        &caller.user,
        &caller.actor(),
        version_id,
        section,
        &text,
    )
    .await;
    caller
        .counted_on(
            RecordType::ContinuityPlan,
            continuity_plans::plan_of_version(&caller.db, version_id),
            result,
        )
        .await
}

/// Plans an exercise of a plan; `planned_on` is a date (YYYY-MM-DD).
#[server(endpoint = "continuity/exercise/plan")]
pub async fn plan_exercise(
    plan_id: i64,
    kind: String,
    planned_on: String,
    participants: String,
    objectives: String,
) -> Result<Exercise, AppError> {
    let caller = require(Permission::ContinuityEdit).await?;
    let mut errors = crate::error::FieldErrors::new();
    let kind = ExerciseKind::parse(&kind);
    if kind.is_none() {
        errors.add(
            "kind",
            "Choose walkthrough, tabletop, simulation or full failover.",
        );
    }
    let planned = crate::model::typed::date(&planned_on)
        .map_err(|refusal| {
            errors.add(
                "planned_on",
                refusal.message("Enter the date of the exercise."),
            )
        })
        .ok();
    let (Some(kind), Some(planned_on)) = (kind, planned) else {
        return Err(errors.into());
    };
    continuity_exercises::plan(
        &caller.db,
        &caller.user,
        &caller.actor(),
        plan_id,
        continuity_exercises::PlannedExercise {
            kind,
            planned_on,
            participants,
            objectives,
        },
    )
    .await
}

/// Records how an exercise went: `actual` as people write durations, one finding per line.
#[server(endpoint = "continuity/exercise/record")]
pub async fn record_exercise(
    exercise_id: i64,
    version: i32,
    result: String,
    actual: String,
    #[server(default)] findings: String,
) -> Result<Exercise, AppError> {
    let caller = require(Permission::ContinuityEdit).await?;
    let outcome = check_outcome(&result, &actual, &findings)?;
    let result = continuity_exercises::record_outcome(
        &caller.db,
        &caller.user,
        &caller.actor(),
        exercise_id,
        version,
        outcome,
    )
    .await;
    caller
        .counted(RecordType::ContinuityPlan, None, result)
        .await
}

/// Puts one finding of an exercise in the improvement register.
#[server(endpoint = "continuity/exercise/finding")]
pub async fn exercise_finding_to_register(
    exercise_id: i64,
    version: i32,
    index: usize,
) -> Result<Exercise, AppError> {
    let caller = require(Permission::ContinuityEdit).await?;
    let (exercise, _) = continuity_exercises::finding_to_register(
        &caller.db,
        &caller.user,
        &caller.actor(),
        exercise_id,
        version,
        index,
    )
    .await?;
    Ok(exercise)
}
