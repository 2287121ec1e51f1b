//! The evidence pack as the browser sees it while it is built: a progress report.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PackState {
    Building,
    Ready,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackStatus {
    /// Opaque job id (a UUID), used in the download address.
    pub id: String,
    /// The sampling window ends here (YYYY-MM-DD).
    pub as_of: String,
    pub state: PackState,
    pub done: u32,
    pub total: u32,
    pub step: String,
    pub started_by: String,
    /// Set once ready.
    pub files: Option<u32>,
    pub bytes: Option<u64>,
    /// SHA-256 of the whole archive, so a copy can be checked against this page.
    pub sha256: Option<String>,
    pub error: Option<String>,
}

impl PackStatus {
    pub fn percent(&self) -> u32 {
        (self.done.min(self.total) * 100)
            .checked_div(self.total)
            .unwrap_or(0)
    }

    pub fn download_href(&self) -> String {
        format!("/compliance/evidence-pack/{}/download", self.id)
    }

    pub fn file_name(&self) -> String {
        format!("conform-evidence-pack-{}.zip", self.as_of)
    }
}

/// The as-of date asked for: empty means today; never in the future, never before 2000.
pub fn parse_as_of(value: &str, today: chrono::NaiveDate) -> Result<chrono::NaiveDate, String> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(today);
    }
    let date = crate::model::typed::date(value).map_err(|refusal| {
        refusal.message(&format!(
            "“{}” is not a date; use YYYY-MM-DD.",
            value.chars().take(20).collect::<String>()
        ))
    })?;
    if date > today {
        return Err("The evidence pack cannot be dated in the future.".into());
    }
    if date < chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(date) {
        return Err("Pick a date from 2000 onwards.".into());
    }
    Ok(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_defaults_to_today_and_refuses_the_future() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(parse_as_of("", today), Ok(today));
        assert_eq!(
            parse_as_of("2026-06-30", today),
            Ok(chrono::NaiveDate::from_ymd_opt(2026, 6, 30).unwrap())
        );
        assert!(parse_as_of("2026-11-29", today)
            .unwrap_err()
            .contains("future"));
        assert!(parse_as_of("30/06/2026", today)
            .unwrap_err()
            .contains("YYYY-MM-DD"));
        assert!(parse_as_of("1999-12-31", today).is_err());
    }

    #[test]
    fn percent_never_exceeds_a_hundred() {
        let mut status = PackStatus {
            id: "x".into(),
            as_of: "2026-11-28".into(),
            state: PackState::Building,
            done: 3,
            total: 10,
            step: String::new(),
            started_by: String::new(),
            files: None,
            bytes: None,
            sha256: None,
            error: None,
        };
        assert_eq!(status.percent(), 30);
        status.done = 12;
        assert_eq!(status.percent(), 100);
        status.total = 0;
        assert_eq!(status.percent(), 0);
        assert_eq!(status.file_name(), "conform-evidence-pack-2026-11-28.zip");
    }
}
