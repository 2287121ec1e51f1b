//! Downloads and printable pages outside the app's own pages: CSV exports of the change list
//! and the improvement register; CAB minutes, internal audit reports, management review
//! minutes and continuity plans as Markdown or as standalone HTML to print or save as PDF.
//!
//! Every handler has the same shape: check the permission, load through the same service as
//! the page, render with a pure function, answer with one of the responses below (or
//! [`failure`]). Printable pages share one stylesheet (`style/print.css`) served from its own
//! URL, because the content security policy allows styles from 'self' only, never inline.

pub mod audit_report;
pub mod cab_minutes;
pub mod change_csv;
pub mod continuity_plan;
pub mod register_csv;
pub mod review_minutes;

use app::error::AppError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// Where every printable page finds its stylesheet.
pub const PRINT_CSS_PATH: &str = "/print.css";

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

/// A complete printable page: no script, the shared print stylesheet, an optional watermark
/// (repeated on every printed sheet) and a footer saying what the copy is. `main` and
/// `footer` are HTML; `title` is text.
pub fn page(title: &str, watermark: Option<&str>, main: &str, footer: &str) -> String {
    let watermark = watermark
        .map(|text| {
            format!(
                "<div class=\"watermark\" aria-hidden=\"true\">{}</div>",
                escape(text)
            )
        })
        .unwrap_or_default();
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"{PRINT_CSS_PATH}\"></head>\
         <body>{watermark}<main>{main}</main><footer>{footer}</footer></body></html>",
        title = escape(title),
    )
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

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `title` as a lower-case ASCII slug ("Payroll — plan <B>" → "payroll-plan-b"); empty when
/// nothing ASCII is left, so the caller picks its own fallback.
pub fn slug(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// A CSV cell a spreadsheet would evaluate (`=`, `+`, `-`, `@`, tab, carriage return first)
/// gets a leading apostrophe, the OWASP-recommended neutraliser.
pub fn csv_cell(value: &str) -> String {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_ascii() {
        assert_eq!(slug("Payroll — plan <B>"), "payroll-plan-b");
        assert_eq!(slug("Расчёт"), "");
        assert_eq!(
            escape("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn pages_link_the_shared_stylesheet_escape_the_title_and_carry_no_script() {
        let html = page("A <b> plan", Some("DRAFT"), "<p>body</p>", "footer");
        assert!(html.contains("<title>A &lt;b&gt; plan</title>"));
        assert!(html.contains("href=\"/print.css\""));
        assert!(html.contains("class=\"watermark\" aria-hidden=\"true\">DRAFT<"));
        assert!(!html.contains("<script"));
        assert!(!page("t", None, "", "").contains("watermark"));
    }
}
