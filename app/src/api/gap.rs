//! Server functions of gap assessments. Reading needs `ComplianceRead`; rating, notes,
//! evidence and raising improvement actions need `GapAssess`; opening and closing a
//! campaign is further limited to the quality manager by the service.

use crate::error::AppError;
use crate::model::gap::{
    AssessmentSheet, AssessmentSummary, GapResults, OpeningChoices, RatingRow,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::Permission,
    crate::model::access::RecordType,
    crate::server::service::gap_assessments::{self, RowInput},
};

/// Every assessment, newest first, with the open one and the copy-from choice.
#[server(endpoint = "gap/list")]
pub async fn list_assessments() -> Result<(Vec<AssessmentSummary>, OpeningChoices), AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    let conn = caller.db.reader();
    Ok((
        gap_assessments::list(conn).await?,
        gap_assessments::opening_choices(conn).await?,
    ))
}

/// Opens a campaign (quality manager) and goes to its sheet.
#[server(endpoint = "gap/open")]
pub async fn open_assessment(
    title: String,
    #[server(default)] copy_previous: Option<String>,
) -> Result<(), AppError> {
    let caller = require(Permission::GapAssess).await?;
    let created = gap_assessments::open(
        &caller.db,
        &caller.user,
        &caller.actor(),
        &title,
        copy_previous.is_some_and(|v| !v.is_empty() && v != "false"),
    )
    .await?;
    leptos_axum::redirect(&format!("/compliance/gap/{}", created.id));
    Ok(())
}

#[server(endpoint = "gap/sheet")]
pub async fn get_sheet(id: i64) -> Result<AssessmentSheet, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    gap_assessments::sheet(caller.db.reader(), id).await
}

/// Saves one row: rating (empty = not rated), the N/A justification, notes and owner.
#[server(endpoint = "gap/rating/save")]
pub async fn save_rating(
    rating_id: i64,
    version: i32,
    #[server(default)] rating: String,
    #[server(default)] justification: String,
    #[server(default)] notes: String,
    #[server(default)] owner_id: String,
) -> Result<RatingRow, AppError> {
    let caller = require(Permission::GapAssess).await?;
    let owner_id =
        match owner_id.trim() {
            "" => None,
            value => Some(value.parse::<i64>().map_err(|_| {
                AppError::single_field("owner_id", "Choose the owner from the list.")
            })?),
        };
    let result = gap_assessments::save_rating(
        &caller.db,
        &caller.user,
        &caller.actor(),
        rating_id,
        version,
        RowInput {
            rating,
            justification,
            notes,
            owner_id,
        },
    )
    .await;
    caller
        .counted(RecordType::GapAssessment, None, result)
        .await
}

#[server(endpoint = "gap/evidence/add")]
pub async fn add_evidence(
    rating_id: i64,
    kind: String,
    target: String,
    label: String,
) -> Result<RatingRow, AppError> {
    let caller = require(Permission::GapAssess).await?;
    let result = gap_assessments::add_evidence(
        &caller.db,
        &caller.user,
        &caller.actor(),
        rating_id,
        &kind,
        &target,
        &label,
    )
    .await;
    caller
        .counted(RecordType::GapAssessment, None, result)
        .await
}

#[server(endpoint = "gap/evidence/remove")]
pub async fn remove_evidence(evidence_id: i64) -> Result<RatingRow, AppError> {
    let caller = require(Permission::GapAssess).await?;
    let result =
        gap_assessments::remove_evidence(&caller.db, &caller.user, &caller.actor(), evidence_id)
            .await;
    caller
        .counted(RecordType::GapAssessment, None, result)
        .await
}

/// Turns a rated gap into an improvement action in the register.
#[server(endpoint = "gap/improvement")]
pub async fn raise_improvement(rating_id: i64, version: i32) -> Result<RatingRow, AppError> {
    let caller = require(Permission::GapAssess).await?;
    let result = gap_assessments::raise_improvement(
        &caller.db,
        &caller.user,
        &caller.actor(),
        rating_id,
        version,
    )
    .await;
    caller
        .counted(RecordType::GapAssessment, None, result)
        .await
}

/// Closes the campaign (quality manager); it is read-only afterwards.
#[server(endpoint = "gap/close")]
pub async fn close_assessment(id: i64, version: i32) -> Result<AssessmentSummary, AppError> {
    let caller = require(Permission::GapAssess).await?;
    let result =
        gap_assessments::close(&caller.db, &caller.user, &caller.actor(), id, version).await;
    caller
        .counted(RecordType::GapAssessment, Some(id), result)
        .await
}

#[server(endpoint = "gap/results")]
pub async fn get_results(id: i64) -> Result<GapResults, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    gap_assessments::results(&caller.db, id).await
}
