//! Dates, times and numbers as people type them: one reading and one range for every form,
//! link and import.
//!
//! chrono reads years up to 262142 (and before year 0), and its date arithmetic panics near
//! those edges; browsers, databases and calendar apps stop at 9999. A date outside `YEARS`
//! is refused here, before any arithmetic can meet it. Each form adds its own, narrower rule
//! (not in the future, within a year, inside the programme's cycle …).

use crate::error::FieldErrors;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use std::ops::RangeInclusive;

/// The years Conform accepts wherever a date is typed.
pub const YEARS: RangeInclusive<i32> = 1900..=9999;

/// The `datetime-local` input's format: how wall-clock times are typed and shown in forms.
pub const LOCAL_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M";

/// The largest number (either sign) a KPI, target or measurement may hold: room for any real
/// figure, far from where sums and ratios of them stop being finite.
pub const NUMBER_LIMIT: f64 = 1e12;

/// Why a typed date or number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a date (or number) in the expected shape.
    Unreadable,
    /// A date, but its year is outside `YEARS`.
    OutOfRange,
    /// A number, but beyond ±`NUMBER_LIMIT`.
    TooLarge,
}

impl Refusal {
    /// The field message: `unreadable` is the form's own hint for text of the wrong shape.
    pub fn message(self, unreadable: &str) -> String {
        match self {
            Refusal::Unreadable => unreadable.to_string(),
            Refusal::OutOfRange => {
                format!("Enter a year from {} to {}.", YEARS.start(), YEARS.end())
            }
            Refusal::TooLarge => {
                "Enter a number below 1,000,000,000,000 (either sign).".to_string()
            }
        }
    }
}

/// A date typed as YYYY-MM-DD.
pub fn date(value: &str) -> Result<NaiveDate, Refusal> {
    let value = value.trim();
    match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(date) if YEARS.contains(&date.year()) => Ok(date),
        Ok(_) => Err(Refusal::OutOfRange),
        Err(_) => Err(unreadable_or_out_of_range(value)),
    }
}

/// A wall-clock time typed as YYYY-MM-DDTHH:MM (a browser's datetime-local), seconds allowed.
pub fn date_time(value: &str) -> Result<NaiveDateTime, Refusal> {
    let value = value.trim();
    let parsed = NaiveDateTime::parse_from_str(value, LOCAL_TIME_FORMAT)
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S"));
    match parsed {
        Ok(time) if YEARS.contains(&time.year()) => Ok(time),
        Ok(_) => Err(Refusal::OutOfRange),
        Err(_) => Err(unreadable_or_out_of_range(value)),
    }
}

/// An optional wall-clock time typed into a form field: empty is `None`; text that is not a
/// time adds the field's message to `errors`.
pub fn local_time_field(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
) -> Option<NaiveDateTime> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    date_time(value)
        .map_err(|refusal| {
            errors.add(
                field,
                refusal.message("Enter a date and time like 2026-12-01T22:00."),
            )
        })
        .ok()
}

/// Text chrono could not read: a signed year or one of five or more digits ("262142-01-01")
/// is a date out of range, and saying so helps more than "not a date".
fn unreadable_or_out_of_range(value: &str) -> Refusal {
    let unsigned = value.trim_start_matches(['+', '-']);
    let digits = unsigned.chars().take_while(char::is_ascii_digit).count();
    let dated = unsigned[digits..].starts_with('-');
    if dated && digits > 0 && (digits > 4 || unsigned.len() < value.len()) {
        Refusal::OutOfRange
    } else {
        Refusal::Unreadable
    }
}

/// A number as people type it: `95`, `95.5`, `95,5`, ` 95 % `; finite and within
/// ±`NUMBER_LIMIT`.
pub fn number(value: &str) -> Result<f64, Refusal> {
    let cleaned = value.trim().trim_end_matches('%').trim().replace(',', ".");
    match cleaned.parse::<f64>() {
        Ok(n) if n.is_finite() && n.abs() < NUMBER_LIMIT => Ok(n),
        Ok(n) if !n.is_nan() => Err(Refusal::TooLarge),
        _ => Err(Refusal::Unreadable),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_inside_the_range_are_read() {
        assert_eq!(
            date(" 2026-03-31 ").ok(),
            NaiveDate::from_ymd_opt(2026, 3, 31)
        );
        assert!(date("1900-01-01").is_ok());
        assert!(date("9999-12-31").is_ok());
    }

    #[test]
    fn far_and_signed_years_are_out_of_range_not_unreadable() {
        for far in [
            "262142-01-01",
            "+262142-12-31",
            "-262143-01-01",
            "10000-01-01",
            "1899-12-31",
            "0000-01-01",
            "-0001-01-01",
        ] {
            assert_eq!(date(far), Err(Refusal::OutOfRange), "{far}");
        }
        for far in [
            "262142-01-01T00:00",
            "+10000-01-01T10:00",
            "1800-01-01T10:00",
        ] {
            assert_eq!(date_time(far), Err(Refusal::OutOfRange), "{far}");
        }
    }

    #[test]
    fn other_text_is_unreadable() {
        for bad in [
            "",
            "tomorrow",
            "2026-13-01",
            "2026-02-30",
            "31.03.2026",
            "-",
            "12345",
        ] {
            assert_eq!(date(bad), Err(Refusal::Unreadable), "{bad}");
        }
        assert_eq!(date_time("2026-12-01"), Err(Refusal::Unreadable));
        assert_eq!(date_time("2026-12-01T25:00"), Err(Refusal::Unreadable));
    }

    #[test]
    fn times_take_minutes_and_optional_seconds() {
        assert!(date_time("2026-12-01T22:00").is_ok());
        assert!(date_time("2026-12-01T22:00:30").is_ok());
    }

    #[test]
    fn the_message_names_the_range_or_the_forms_hint() {
        assert_eq!(
            Refusal::OutOfRange.message("Enter the date."),
            "Enter a year from 1900 to 9999."
        );
        assert_eq!(
            Refusal::Unreadable.message("Enter the date."),
            "Enter the date."
        );
    }

    #[test]
    fn numbers_read_as_typed_and_stay_finite() {
        assert_eq!(number(" 95 % "), Ok(95.0));
        assert_eq!(number("95,5"), Ok(95.5));
        assert_eq!(number("-3"), Ok(-3.0));
        for bad in ["", "abc", "NaN", "1,2,3"] {
            assert_eq!(number(bad), Err(Refusal::Unreadable), "{bad}");
        }
        for huge in ["inf", "-inf", "1e308", "1e12", "-1e13", "1e999"] {
            assert_eq!(number(huge), Err(Refusal::TooLarge), "{huge}");
        }
    }
}
