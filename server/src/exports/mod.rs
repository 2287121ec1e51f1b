//! Downloads and printable pages outside the app's own pages: CSV exports of the change list
//! and the improvement register; CAB minutes, internal audit reports, management review
//! minutes and continuity plans as Markdown or as standalone HTML to print or save as PDF.
//!
//! Every handler has the same shape: check the permission, load through the same service as
//! the page, render with a pure function (in `app::server::render` when the evidence pack
//! embeds it too), answer with one of the responses below (or [`failure`]). Printable pages
//! share one stylesheet (`style/print.css`) served from its own URL, because the content
//! security policy allows styles from 'self' only, never inline.

pub mod audit_report;
pub mod cab_minutes;
pub mod change_csv;
pub mod continuity_plan;
pub mod incident_csv;
pub mod register_csv;
pub mod request_csv;
pub mod review_minutes;
pub mod service_report_csv;

use app::error::AppError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub use app::server::render::{csv_cell, escape, page, slug, PRINT_CSS_PATH};

const PRINT_CSS: &str = include_str!("../../../style/print.css");

pub async fn print_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        PRINT_CSS,
    )
        .into_response()
}

/// A printable page shown in the browser, named for when it is saved.
pub fn inline_html(file_name: &str, page: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{file_name}\""),
            ),
        ],
        page,
    )
        .into_response()
}

/// A file to save: `content_type` with its charset, never cached (records change).
pub fn attachment(
    content_type: &'static str,
    file_name: &str,
    body: impl IntoResponse,
) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

/// Every export's error answer: the error's status and its message as plain text (these URLs
/// are opened as downloads or new tabs, where an app page would not render).
pub fn failure(error: AppError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}
