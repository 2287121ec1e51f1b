//! Server functions of management reviews (clause 9.3): `ComplianceRead` to read,
//! `ReviewManage` (the quality manager) to plan, record and publish. Marking an action done is
//! for its owner or a review manager — a record-level rule the service applies.

use crate::error::AppError;
use crate::model::management_review::{
    DetailsForm, MyReviewAction, PlanForm, ReviewAction, ReviewRecord, ReviewState, ReviewSummary,
    ReviewTransition,
};
use crate::model::refs::PersonRef;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require, crate::model::access::Permission, crate::model::access::RecordType,
    crate::server::service::management_reviews as reviews,
    crate::server::service::schedule::local_today,
};

/// Every review with its state, date and open actions.
#[server(endpoint = "reviews/list")]
pub async fn list_reviews() -> Result<Vec<ReviewSummary>, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    let today = local_today(&caller.user.time_zone);
    reviews::list(caller.db.reader(), today).await
}

/// One review whole: live inputs while planned or held, the frozen ones once published.
#[server(endpoint = "reviews/get")]
pub async fn get_review(id: i64) -> Result<ReviewRecord, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    let today = local_today(&caller.user.time_zone);
    reviews::get(caller.db.reader(), id, today).await
}

/// The people who can chair, attend or own actions, and the caller's date (for defaults).
#[server(endpoint = "reviews/people")]
pub async fn review_people() -> Result<(Vec<PersonRef>, chrono::NaiveDate), AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    let people = crate::server::service::users::active_people(caller.db.reader()).await?;
    Ok((people, local_today(&caller.user.time_zone)))
}

/// Plans a review and goes to it.
#[server(endpoint = "reviews/plan")]
pub async fn plan_review(form: PlanForm) -> Result<(), AppError> {
    let caller = require(Permission::ReviewManage).await?;
    let plan = form.validate()?;
    let id = reviews::plan(&caller.db, &caller.actor(), plan).await?;
    leptos_axum::redirect(&format!("/compliance/reviews/{id}"));
    Ok(())
}

/// Saves attendees, guests, context changes, customer feedback and minutes.
#[server(endpoint = "reviews/save")]
pub async fn save_review(id: i64, version: i32, form: DetailsForm) -> Result<(), AppError> {
    let caller = require(Permission::ReviewManage).await?;
    let result = reviews::save_details(&caller.db, &caller.actor(), id, version, form).await;
    caller
        .counted(RecordType::ManagementReview, Some(id), result)
        .await
}

#[server(endpoint = "reviews/decision")]
pub async fn add_review_decision(id: i64, version: i32, text: String) -> Result<(), AppError> {
    let caller = require(Permission::ReviewManage).await?;
    let result = reviews::add_decision(&caller.db, &caller.actor(), id, version, &text).await;
    caller
        .counted(RecordType::ManagementReview, Some(id), result)
        .await
}

/// An action with its owner and due date (YYYY-MM-DD).
#[server(endpoint = "reviews/action")]
pub async fn add_review_action(
    id: i64,
    version: i32,
    text: String,
    owner_id: String,
    due_on: String,
) -> Result<(), AppError> {
    let caller = require(Permission::ReviewManage).await?;
    let result = reviews::add_action(
        &caller.db,
        &caller.actor(),
        id,
        version,
        &text,
        &owner_id,
        &due_on,
    )
    .await;
    caller
        .counted(RecordType::ManagementReview, Some(id), result)
        .await
}

/// Marks an action done: its owner, or a review manager; also after publishing.
#[server(endpoint = "reviews/action/done")]
pub async fn complete_review_action(
    id: i64,
    version: i32,
    #[server(default)] note: String,
) -> Result<ReviewAction, AppError> {
    let caller = require(Permission::AssignedWork).await?;
    let result = reviews::complete_action(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &note,
    )
    .await;
    caller
        .counted(RecordType::ManagementReview, None, result)
        .await
}

/// Marks the review held, or publishes its minutes (then it never changes).
#[server(endpoint = "reviews/transition")]
pub async fn transition_review(
    id: i64,
    version: i32,
    step: ReviewTransition,
) -> Result<ReviewState, AppError> {
    let caller = require(Permission::ReviewManage).await?;
    let today = local_today(&caller.user.time_zone);
    let result = reviews::transition_review(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        step,
        today,
    )
    .await;
    caller
        .counted(RecordType::ManagementReview, Some(id), result)
        .await
}

/// The caller's own open review actions, for the dashboard.
#[server(endpoint = "reviews/mine")]
pub async fn my_review_actions() -> Result<Vec<MyReviewAction>, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    let today = local_today(&caller.user.time_zone);
    reviews::my_open_actions(caller.db.reader(), caller.user.id, today).await
}
