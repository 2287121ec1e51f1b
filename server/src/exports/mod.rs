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
pub mod awareness_csv;
pub mod cab_minutes;
pub mod change_csv;
pub mod ci_csv;
pub mod competence_csv;
pub mod continuity_plan;
pub mod incident_csv;
pub mod profile_csv;
pub mod register_csv;
pub mod request_csv;
pub mod review_minutes;
pub mod risk_csv;
pub mod service_report_csv;
pub mod supplier_csv;

use app::error::AppError;
use app::model::listing::PageKey;
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

/// Rows a key-paged export reads per query.
pub const EXPORT_BATCH: u64 = 1000;

/// Every row of a queue, [`EXPORT_BATCH`] at a time by key, so a long export never asks the
/// database for a deep offset: `batch(page, after)` reads one batch (page 1 with no key, then
/// each page after the last id of the one before); a batch that is not full is the last.
pub async fn every_row<R, Batch>(
    mut batch: impl FnMut(u64, Option<PageKey>) -> Batch,
    id_of: impl Fn(&R) -> i64,
) -> Result<Vec<R>, AppError>
where
    Batch: std::future::Future<Output = Result<Vec<R>, AppError>>,
{
    let mut rows = Vec::new();
    let mut after = None;
    for page in 1.. {
        let read = batch(page, after).await?;
        let full = read.len() as u64 == EXPORT_BATCH;
        let last = read.last().map(&id_of);
        rows.extend(read);
        match last {
            Some(id) if full => after = Some(PageKey::After(id)),
            _ => break,
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A queue of `total` rows with ids 1…total, read as `every_row` asks; the pages asked for.
    async fn export(total: i64) -> (Vec<i64>, Vec<(u64, Option<PageKey>)>) {
        let asked = std::cell::RefCell::new(Vec::new());
        let rows = every_row(
            |page, after| {
                asked.borrow_mut().push((page, after));
                let start = match after {
                    Some(PageKey::After(id)) => id + 1,
                    _ => 1,
                };
                let end = (start + EXPORT_BATCH as i64 - 1).min(total);
                async move { Ok((start..=end).collect::<Vec<i64>>()) }
            },
            |id| *id,
        )
        .await
        .unwrap();
        (rows, asked.into_inner())
    }

    #[tokio::test]
    async fn every_row_is_read_once_by_key() {
        let (rows, asked) = export(2500).await;
        assert_eq!(rows, (1..=2500).collect::<Vec<_>>());
        assert_eq!(
            asked,
            vec![
                (1, None),
                (2, Some(PageKey::After(1000))),
                (3, Some(PageKey::After(2000)))
            ]
        );
        let (rows, asked) = export(0).await;
        assert!(rows.is_empty());
        assert_eq!(asked.len(), 1);
        // A last batch that is exactly full needs one more (empty) read to know it was the last.
        let (rows, asked) = export(1000).await;
        assert_eq!(rows.len(), 1000);
        assert_eq!(asked.len(), 2);
    }
}
