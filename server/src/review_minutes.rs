//! `GET /compliance/reviews/{id}/minutes` and `…/minutes.md`: a management review's minutes as
//! a standalone printable page (no app chrome, no JavaScript, stylesheet from its own URL) or
//! as Markdown. A review not yet published prints with a DRAFT watermark.
//! [`minutes_html`] is also what the evidence pack embeds.

use crate::printable::{escape, slug, stylesheet};
use app::error::AppError;
use app::model::access::Permission;
use app::model::management_review::{minutes_markdown, ReviewRecord, ReviewState};
use app::server::auth::RequestAuth;
use app::server::markdown::to_safe_html;
use app::server::service::management_reviews;
use app::server::service::schedule::local_today;
use app::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

/// Where the minutes' stylesheet is served (the CSP allows styles from 'self' only).
pub const PRINT_CSS_PATH: &str = "/compliance/reviews/print.css";

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
ul,ol{padding-left:1.4rem}
.watermark{position:fixed;top:40%;left:0;right:0;text-align:center;font-size:3rem;font-weight:700;color:#ddd;transform:rotate(-30deg);z-index:-1}
footer{margin-top:2rem;padding-top:.4rem;border-top:1px solid #000;font-size:9pt}
@page{size:A4;margin:16mm 15mm}
@media print{body{margin:0;max-width:none;padding:0}a{color:inherit;text-decoration:none}}
";

fn error_response(error: AppError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}

async fn review(state: &AppState, auth: &RequestAuth, id: i64) -> Result<ReviewRecord, Response> {
    let user = crate::access::require(state, auth, Permission::ComplianceRead).await?;
    let today = local_today(&user.time_zone);
    management_reviews::get(state.db.reader(), id, today)
        .await
        .map_err(error_response)
}

/// `management-review-q3-minutes.md`: ASCII only, so always a valid header value.
fn file_name(review: &ReviewRecord, extension: &str) -> String {
    let slug = slug(&review.title);
    let slug = if slug.is_empty() {
        format!("management-review-{}", review.id)
    } else {
        slug
    };
    format!("{slug}-minutes.{extension}")
}

/// The minutes as a complete standalone HTML page: no script, the stylesheet by URL.
pub fn minutes_html(review: &ReviewRecord) -> String {
    let watermark = if review.state == ReviewState::Published {
        ""
    } else {
        "<div class=\"watermark\" aria-hidden=\"true\">DRAFT — NOT PUBLISHED</div>"
    };
    let footer = match (&review.published_at, &review.published_by) {
        (Some(at), Some(by)) => format!(
            "Minutes published by {} on {}; they do not change after publishing.",
            escape(&by.name),
            at.format("%Y-%m-%d")
        ),
        _ => format!(
            "Draft ({}): the inputs are live and may change until the minutes are published.",
            review.state.label().to_lowercase()
        ),
    };
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"{PRINT_CSS_PATH}\"></head>\
         <body>{watermark}<main>{body}</main><footer>{footer}</footer></body></html>",
        title = escape(&format!("{} — minutes", review.title)),
        body = to_safe_html(&minutes_markdown(review)),
    )
}

pub async fn html(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
) -> Response {
    let review = match review(&state, &auth, id).await {
        Ok(review) => review,
        Err(response) => return response,
    };
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}\"", file_name(&review, "html")),
            ),
        ],
        minutes_html(&review),
    )
        .into_response()
}

pub async fn markdown(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
) -> Response {
    let review = match review(&state, &auth, id).await {
        Ok(review) => review,
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
                format!("attachment; filename=\"{}\"", file_name(&review, "md")),
            ),
        ],
        minutes_markdown(&review),
    )
        .into_response()
}

pub async fn print_css() -> Response {
    stylesheet(PRINT_CSS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::change_request::PersonRef;
    use app::model::management_review::{Period, ReviewInputs};

    fn record(title: &str, state: ReviewState) -> ReviewRecord {
        let day = |s: &str| s.parse().unwrap();
        let period = Period {
            start: day("2026-07-01"),
            end: day("2026-09-30"),
        };
        let quinn = PersonRef {
            id: 1,
            name: "Quinn <Quality>".into(),
        };
        ReviewRecord {
            id: 4,
            title: title.into(),
            planned_on: day("2026-10-10"),
            period,
            state,
            chair: quinn.clone(),
            attendees: vec![quinn.clone()],
            guests: String::new(),
            context_changes: "<script>alert(1)</script>".into(),
            customer_feedback: String::new(),
            inputs: ReviewInputs::empty(period, day("2026-10-10")),
            inputs_frozen: state == ReviewState::Published,
            minutes: "We *agreed*.".into(),
            published_at: (state == ReviewState::Published).then(chrono::Utc::now),
            published_by: (state == ReviewState::Published).then_some(quinn),
            version: 3,
            decisions: vec![],
            actions: vec![],
        }
    }

    #[test]
    fn minutes_have_no_script_and_link_their_stylesheet() {
        let page = minutes_html(&record("Review Q3", ReviewState::Published));
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains(PRINT_CSS_PATH));
        assert!(page.contains("Minutes published by Quinn &lt;Quality&gt;"));
        assert!(page.contains("<em>agreed</em>"));
        assert!(page.contains("no data"));
        assert!(!page.contains("DRAFT"));
    }

    #[test]
    fn a_draft_prints_with_a_watermark() {
        let page = minutes_html(&record("Review Q3", ReviewState::Held));
        assert!(page.contains("DRAFT — NOT PUBLISHED"));
        assert_eq!(
            file_name(&record("Review — Q3 <B>", ReviewState::Held), "md"),
            "review-q3-b-minutes.md"
        );
        assert_eq!(
            file_name(&record("Обзор", ReviewState::Held), "md"),
            "management-review-4-minutes.md"
        );
    }
}
