//! Small helpers for validating free text the same way everywhere.

use crate::error::FieldErrors;

/// Trims `value` and checks it is within `min..=max` characters (not bytes).
/// Records a message under `field` and returns the trimmed text either way.
pub fn bounded(
    errors: &mut FieldErrors,
    field: &str,
    label: &str,
    value: &str,
    min: usize,
    max: usize,
) -> String {
    let trimmed = value.trim();
    let length = trimmed.chars().count();
    if min > 0 && length == 0 {
        errors.add(field, format!("{label} is required."));
    } else if length < min {
        errors.add(field, format!("{label} must be at least {min} characters."));
    } else if length > max {
        errors.add(
            field,
            format!("{label} must be at most {max} characters (it has {length})."),
        );
    } else if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        errors.add(field, format!("{label} contains control characters."));
    }
    trimmed.to_string()
}

/// A title or name: `bounded`, and on one line. Such text ends up in one-line places (an
/// iCalendar SUMMARY, a CSV cell, a page heading) where a bare CR or LF would break the line.
pub fn line(
    errors: &mut FieldErrors,
    field: &str,
    label: &str,
    value: &str,
    min: usize,
    max: usize,
) -> String {
    let text = bounded(errors, field, label, value, min, max);
    if text.contains(['\r', '\n']) {
        errors.add(
            field,
            format!("{label} is one line: remove the line break."),
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        let mut errors = FieldErrors::new();
        let value = bounded(&mut errors, "name", "Name", "  Zürich Ärzte  ", 2, 12);
        assert_eq!(value, "Zürich Ärzte");
        assert!(errors.is_empty());
    }

    #[test]
    fn reports_required_short_long_and_control() {
        let cases = [
            ("   ", "Name is required."),
            ("a", "Name must be at least 2 characters."),
            ("abcdef", "Name must be at most 5 characters (it has 6)."),
            ("a\u{0}b", "Name contains control characters."),
        ];
        for (input, expected) in cases {
            let mut errors = FieldErrors::new();
            bounded(&mut errors, "name", "Name", input, 2, 5);
            assert_eq!(errors.get("name"), Some(expected), "input {input:?}");
        }
    }

    #[test]
    fn a_line_refuses_a_bare_cr_as_well_as_lf() {
        for input in ["Patch\rX-INJECTED:1", "Patch\nmail", "Patch\r\nmail"] {
            let mut errors = FieldErrors::new();
            line(&mut errors, "title", "Title", input, 2, 50);
            assert_eq!(
                errors.get("title"),
                Some("Title is one line: remove the line break."),
                "{input:?}"
            );
        }
        let mut errors = FieldErrors::new();
        assert_eq!(
            line(&mut errors, "title", "Title", " Patch\n", 2, 50),
            "Patch"
        );
        assert!(errors.is_empty(), "a line break around the text is trimmed");
    }
}

/// The first `max` characters of `text` on one line, with "…" when cut (for titles made
/// from longer text).
pub fn shorten(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod shorten_tests {
    #[test]
    fn long_text_is_cut_on_one_line() {
        assert_eq!(super::shorten("a\nb  c", 10), "a b c");
        assert_eq!(super::shorten("abcdefghij", 5), "abcd…");
    }
}
