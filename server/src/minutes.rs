//! `GET /cab/meetings/{id}/minutes.md` and `…/minutes.html`: published CAB minutes as
//! Markdown, or as a standalone HTML page ready to print or save as PDF.

use crate::printable::{escape, slug, stylesheet};
use app::error::AppError;
use app::model::access::Permission;
use app::server::auth::RequestAuth;
use app::server::markdown::to_safe_html;
use app::server::service::cab_meetings;
use app::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;

/// The page's own styles: no app chrome, A4-friendly, tables with borders.
const PRINT_CSS: &str = "body{font:11pt/1.45 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111}\
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:1.6rem;border-bottom:1px solid #999}h3{font-size:1.05rem;break-after:avoid}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #777;padding:.25rem .4rem;text-align:left;vertical-align:top}\
footer{margin-top:2rem;font-size:9pt;color:#444}@page{size:A4;margin:18mm}@media print{body{margin:0;max-width:none}}";

fn file_name(title: &str, extension: &str) -> String {
    format!("minutes-{}.{extension}", slug(title))
}

/// Where the minutes page's stylesheet is served (inline styles are refused by the CSP).
pub const PRINT_CSS_PATH: &str = "/cab/minutes.css";

pub async fn print_css() -> Response {
    stylesheet(PRINT_CSS)
}

async fn published(
    state: &AppState,
    auth: &RequestAuth,
    id: i64,
) -> Result<(String, String), Response> {
    crate::access::require(state, auth, Permission::ChangeRead).await?;
    cab_meetings::published_minutes(&state.db, id)
        .await
        .map_err(|error: AppError| {
            let status = StatusCode::from_u16(error.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, error.to_string()).into_response()
        })
}

pub async fn markdown(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
) -> Response {
    match published(&state, &auth, id).await {
        Ok((title, text)) => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/markdown; charset=utf-8".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", file_name(&title, "md")),
                ),
            ],
            text,
        )
            .into_response(),
        Err(response) => response,
    }
}

pub async fn html(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
) -> Response {
    match published(&state, &auth, id).await {
        Ok((title, text)) => {
            let page = format!(
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title><link rel=\"stylesheet\" href=\"{PRINT_CSS_PATH}\"></head><body>{}<footer>Published minutes, exported from Conform. This record does not change.</footer></body></html>",
                escape(&format!("Minutes: {title}")),
                to_safe_html(&text)
            );
            (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("inline; filename=\"{}\"", file_name(&title, "html")),
                    ),
                ],
                page,
            )
                .into_response()
        }
        Err(response) => response,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_plain() {
        assert_eq!(
            super::file_name("Weekly CAB — 1 Dec 2026", "md"),
            "minutes-weekly-cab-1-dec-2026.md"
        );
    }
}
