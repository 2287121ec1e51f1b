//! What the standalone printable pages (CAB minutes, continuity plans) share: HTML escaping,
//! plain-ASCII download names, and serving their stylesheet from a URL of its own — the
//! content security policy allows styles from 'self' only, never inline.

use axum::http::header;
use axum::response::{IntoResponse, Response};

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

/// A print stylesheet compiled into the binary.
pub fn stylesheet(css: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        css,
    )
        .into_response()
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
}
