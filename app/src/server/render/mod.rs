//! Pure rendering shared by the server's downloads and printable pages and by the evidence
//! pack: HTML escaping, ASCII slugs for file names, CSV cells a spreadsheet will not evaluate,
//! the standalone printable page, and (in the submodules) the internal audit report and the
//! management review minutes.

pub mod audit_report;
pub mod review_minutes;

/// Where every printable page finds its stylesheet.
pub const PRINT_CSS_PATH: &str = "/print.css";

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
