//! `GET /continuity/plans/{id}/plan.md` and `…/print`: a continuity plan as Markdown, or as a
//! standalone page to print for an outage (no app chrome, no JavaScript, boxes to tick on
//! paper). `?version=<number>` picks a version; by default the approved one, else the latest.

use super::{attachment, escape, failure, inline_html, page, slug};
use app::model::access::Permission;
use app::model::continuity_plan::{PlanState, PlanVersion};
use app::model::plan_document::{markdown, pick_version};
use app::model::plan_overview::PlanDetail;
use app::server::auth::RequestAuth;
use app::server::markdown::to_safe_html;
use app::server::service::plan_overview;
use app::server::service::schedule::local_today;
use app::server::state::AppState;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Extension;
use chrono::NaiveDate;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct VersionQuery {
    /// Kept as text so a wrong value gets our message rather than a parser's.
    version: Option<String>,
}

/// The plan and the version asked for, if the caller may read plans, with the caller's date.
async fn plan_version(
    state: &AppState,
    auth: &RequestAuth,
    id: i64,
    query: &VersionQuery,
) -> Result<(PlanDetail, PlanVersion, NaiveDate), Response> {
    // The session layer already sends signed-out browsers to sign in; this is the backstop.
    let user = crate::access::require(state, auth, Permission::ContinuityRead).await?;
    let today = local_today(&user.time_zone);
    let detail = plan_overview::detail(state.db.reader(), id, today)
        .await
        .map_err(failure)?;
    let version = pick_version(&detail, query.version.as_deref())
        .map_err(failure)?
        .clone();
    Ok((detail, version, today))
}

/// `payroll-continuity-plan-v2.md`: ASCII only, so it is always a valid header value.
fn file_name(detail: &PlanDetail, version: &PlanVersion, extension: &str) -> String {
    let slug = slug(&detail.title);
    let slug = if slug.is_empty() {
        format!("continuity-plan-{}", detail.id)
    } else {
        slug
    };
    format!("{slug}-v{}.{extension}", version.number)
}

pub async fn plan_markdown(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
    Query(query): Query<VersionQuery>,
) -> Response {
    match plan_version(&state, &auth, id, &query).await {
        Ok((detail, version, _)) => attachment(
            "text/markdown; charset=utf-8",
            &file_name(&detail, &version, "md"),
            markdown(&detail, &version),
        ),
        Err(response) => response,
    }
}

pub async fn plan_print(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
    Query(query): Query<VersionQuery>,
) -> Response {
    match plan_version(&state, &auth, id, &query).await {
        Ok((detail, version, today)) => inline_html(
            &file_name(&detail, &version, "html"),
            print_page(&detail, &version, today),
        ),
        Err(response) => response,
    }
}

fn print_page(detail: &PlanDetail, version: &PlanVersion, today: NaiveDate) -> String {
    let watermark = match version.state {
        PlanState::Approved => None,
        PlanState::Superseded => Some("SUPERSEDED"),
        PlanState::Retired => Some("RETIRED"),
        PlanState::Draft | PlanState::InReview => Some("DRAFT — NOT APPROVED"),
    };
    let footer = format!(
        "Printed {today} — check the version: this is version {number} ({state}) of \
         “{plan}”. The plan in Conform may have changed since.",
        number = version.number,
        state = version.state.label().to_lowercase(),
        plan = escape(&detail.title),
    );
    page(
        &format!("{} — version {}", detail.title, version.number),
        watermark,
        &to_safe_html(&markdown(detail, version)),
        &footer,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::continuity_plan::PlanContent;
    use app::model::plan_overview::ReviewStatus;
    use app::model::refs::PersonRef;

    fn plan(title: &str) -> (PlanDetail, PlanVersion) {
        let author = PersonRef {
            id: 1,
            name: "Rowan".into(),
        };
        let version = PlanVersion {
            id: 1,
            plan_id: 7,
            number: 2,
            state: PlanState::Draft,
            content: PlanContent::default(),
            author: author.clone(),
            contributor_ids: vec![],
            approved_by: None,
            approved_at: None,
            version: 1,
        };
        let detail = PlanDetail {
            id: 7,
            title: title.into(),
            owner: author,
            site: String::new(),
            review_months: 12,
            retired: false,
            services: vec![],
            versions: vec![version.clone()],
            comments: vec![],
            exercises: vec![],
            review: ReviewStatus::NotApproved,
            major_changes: vec![],
            people: vec![],
            owner_competence: vec![],
        };
        (detail, version)
    }

    #[test]
    fn file_names_are_plain_ascii() {
        let (detail, version) = plan("Payroll — plan <B>");
        assert_eq!(file_name(&detail, &version, "md"), "payroll-plan-b-v2.md");
        let (detail, version) = plan("Расчёт");
        assert_eq!(
            file_name(&detail, &version, "md"),
            "continuity-plan-7-v2.md"
        );
    }

    #[test]
    fn a_draft_prints_with_a_watermark_and_no_script() {
        let (detail, version) = plan("Payroll <script>");
        let page = print_page(&detail, &version, "2026-12-01".parse().unwrap());
        assert!(page.contains("DRAFT — NOT APPROVED"));
        assert!(page.contains("Printed 2026-12-01 — check the version"));
        assert!(!page.contains("<script"), "{page}");
        assert!(!page.contains("<nav"));
    }
}
