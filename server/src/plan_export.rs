//! `GET /continuity/plans/{id}/plan.md` and `…/print`: a continuity plan as Markdown, or as a
//! standalone page to print for an outage (no app chrome, no JavaScript, boxes to tick on
//! paper). `?version=<number>` picks a version; by default the approved one, else the latest.

use crate::printable::{escape, slug, stylesheet};
use app::error::AppError;
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
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::NaiveDate;
use serde::Deserialize;

/// Where the print page's stylesheet is served. It is a file of its own because the
/// Content-Security-Policy (`style-src 'self'`) ignores inline `<style>` elements.
pub const PRINT_CSS_PATH: &str = "/continuity/print.css";

/// A4, black on white, every step a box to tick, nothing split across a page break that a
/// reader needs whole (a table row, a step, a heading and what follows it).
const PRINT_CSS: &str = "\
body{font:11pt/1.45 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#000;background:#fff}
h1{font-size:1.6rem;margin:0 0 .4rem}
h2{font-size:1.2rem;margin-top:1.4rem;border-bottom:1.5px solid #000;break-after:avoid}
h3{font-size:1.05rem;break-after:avoid}
p{margin:.4rem 0}
table{border-collapse:collapse;width:100%;margin:.4rem 0}
th,td{border:1px solid #000;padding:.3rem .45rem;text-align:left;vertical-align:top}
thead{display:table-header-group}
tr{break-inside:avoid}
ul{padding-left:1.4rem}
li{margin:.3rem 0}
li:not(:has(ul)){break-inside:avoid}
li:has(>input[type=checkbox]){list-style:none;margin-left:-1.4rem;padding-left:1.7em;text-indent:-1.7em}
li li:has(>input[type=checkbox]){margin-left:0}
input[type=checkbox]{-webkit-appearance:none;appearance:none;width:1.1em;height:1.1em;margin:0 .6em 0 0;border:1.5px solid #000;border-radius:2px;background:#fff;vertical-align:-.2em}
.watermark{position:fixed;top:40%;left:0;right:0;text-align:center;font-size:3rem;font-weight:700;color:#ddd;transform:rotate(-30deg);z-index:-1}
footer{margin-top:2rem;padding-top:.4rem;border-top:1px solid #000;font-size:9pt}
@page{size:A4;margin:16mm 15mm}
@media print{body{margin:0;max-width:none;padding:0}a{color:inherit;text-decoration:none}}
";

#[derive(Debug, Deserialize)]
pub struct VersionQuery {
    /// Kept as text so a wrong value gets our message rather than a parser's.
    version: Option<String>,
}

fn error_response(error: AppError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
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
        .map_err(error_response)?;
    let version = pick_version(&detail, query.version.as_deref())
        .map_err(error_response)?
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
    let (detail, version, _) = match plan_version(&state, &auth, id, &query).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    (
        [
            (
                header::CONTENT_TYPE,
                "text/markdown; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    file_name(&detail, &version, "md")
                ),
            ),
        ],
        markdown(&detail, &version),
    )
        .into_response()
}

pub async fn plan_print(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
    Query(query): Query<VersionQuery>,
) -> Response {
    let (detail, version, today) = match plan_version(&state, &auth, id, &query).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let page = print_page(&detail, &version, today);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"{}\"",
                    file_name(&detail, &version, "html")
                ),
            ),
        ],
        page,
    )
        .into_response()
}

pub async fn print_css() -> Response {
    stylesheet(PRINT_CSS)
}

fn print_page(detail: &PlanDetail, version: &PlanVersion, today: NaiveDate) -> String {
    // Repeated on every printed page, so a single sheet found later still says it.
    let watermark = match version.state {
        PlanState::Approved => "",
        PlanState::Superseded => "<div class=\"watermark\" aria-hidden=\"true\">SUPERSEDED</div>",
        PlanState::Retired => "<div class=\"watermark\" aria-hidden=\"true\">RETIRED</div>",
        PlanState::Draft | PlanState::InReview => {
            "<div class=\"watermark\" aria-hidden=\"true\">DRAFT — NOT APPROVED</div>"
        }
    };
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"{PRINT_CSS_PATH}\"></head>\
         <body>{watermark}<main>{body}</main>\
         <footer>Printed {today} — check the version: this is version {number} ({state}) of \
         “{plan}”. The plan in Conform may have changed since.</footer></body></html>",
        title = escape(&format!("{} — version {}", detail.title, version.number)),
        body = to_safe_html(&markdown(detail, version)),
        number = version.number,
        state = version.state.label().to_lowercase(),
        plan = escape(&detail.title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::change_request::PersonRef;
    use app::model::continuity_plan::PlanContent;
    use app::model::plan_overview::ReviewStatus;

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
