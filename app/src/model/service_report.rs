//! The monthly service report (clauses 9.4, 8.3.3, 8.7.1), the arithmetic without the
//! storage: which month is asked for, how outage time becomes availability, and the figures
//! one month of a service gives — incidents by priority and against their targets, outage
//! and availability against the agreement, requests fulfilled in time, changes and failed
//! changes.
//!
//! Availability is measured on calendar time (every minute of the month, UTC): the outages
//! are the spans from an incident's start to its resolution (or the month's end, while it is
//! open) of incidents flagged as service-affecting, merged where they overlap so two reports
//! of one outage count once.

use crate::model::priority_matrix::TicketPriority;
use crate::model::refs::ServiceRef;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// How many months the trend shows, the reported one included.
pub const TREND_MONTHS: usize = 12;

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ReportMonth {
    pub year: i32,
    pub month: u32,
}

impl ReportMonth {
    /// `2026-11`; anything else is not a month.
    pub fn parse(text: &str) -> Option<ReportMonth> {
        let (year, month) = text.trim().split_once('-')?;
        let (year, month) = (year.parse::<i32>().ok()?, month.parse::<u32>().ok()?);
        ((2000..=2100).contains(&year) && (1..=12).contains(&month))
            .then_some(ReportMonth { year, month })
    }

    /// The month `at` falls in.
    pub fn of(at: DateTime<Utc>) -> ReportMonth {
        ReportMonth {
            year: at.year(),
            month: at.month(),
        }
    }

    fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    /// Its first instant.
    pub fn start(self) -> DateTime<Utc> {
        self.first_day()
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default()
            .and_utc()
    }

    /// The first instant of the next month.
    pub fn end(self) -> DateTime<Utc> {
        self.next().start()
    }

    pub fn next(self) -> ReportMonth {
        if self.month == 12 {
            ReportMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            ReportMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn previous(self) -> ReportMonth {
        if self.month == 1 {
            ReportMonth {
                year: self.year - 1,
                month: 12,
            }
        } else {
            ReportMonth {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// This month and the `n - 1` before it, oldest first.
    pub fn trailing(self, n: usize) -> Vec<ReportMonth> {
        let mut months = vec![self];
        for _ in 1..n {
            let earliest = months[0].previous();
            months.insert(0, earliest);
        }
        months
    }

    pub fn minutes(self) -> i64 {
        (self.end() - self.start()).num_minutes()
    }

    /// `2026-11`, as links and the CSV carry it.
    pub fn code(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// `November 2026`.
    pub fn label(self) -> String {
        self.first_day().format("%B %Y").to_string()
    }

    /// `Nov`, for a chart's axis.
    pub fn short(self) -> String {
        self.first_day().format("%b").to_string()
    }
}

/// The minutes of `[from, to)` covered by any of `spans`, overlaps counted once.
pub fn covered_minutes(
    spans: &[(DateTime<Utc>, DateTime<Utc>)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> i64 {
    let mut clipped: Vec<(DateTime<Utc>, DateTime<Utc>)> = spans
        .iter()
        .map(|(start, end)| (Ord::max(*start, from), Ord::min(*end, to)))
        .filter(|(start, end)| start < end)
        .collect();
    clipped.sort();
    let mut seconds = 0;
    let mut current: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
    for (start, end) in clipped {
        current = match current {
            Some((s, e)) if start <= e => Some((s, Ord::max(e, end))),
            Some((s, e)) => {
                seconds += (e - s).num_seconds();
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = current {
        seconds += (e - s).num_seconds();
    }
    seconds / 60
}

/// Availability in hundredths of a percent (9,950 = 99.50 %).
pub fn availability_basis_points(outage_minutes: i64, month_minutes: i64) -> i64 {
    if month_minutes <= 0 {
        return 10_000;
    }
    let up = (month_minutes - outage_minutes.clamp(0, month_minutes)) * 10_000;
    up / month_minutes
}

/// `99.50 %`.
pub fn percent(basis_points: i64) -> String {
    format!("{}.{:02} %", basis_points / 100, basis_points % 100)
}

/// One month of one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthFigures {
    pub month: ReportMonth,
    /// Incidents reported in the month, per priority (P1 first).
    pub by_priority: Vec<(TicketPriority, u32)>,
    /// Of the incidents resolved in the month with a target: within it, and not.
    pub resolved_in_time: u32,
    pub resolved_late: u32,
    pub outage_minutes: i64,
    pub availability: i64,
    /// The agreement's availability target in force, in basis points.
    pub availability_target: Option<i64>,
    pub requests: u32,
    pub requests_fulfilled: u32,
    pub requests_in_time: u32,
    /// Changes to the service planned to start in the month, and those that failed (failed,
    /// backed out, incidents linked as caused by them, or their review counted some).
    pub changes: u32,
    pub changes_failed: u32,
}

impl MonthFigures {
    pub fn incidents(&self) -> u32 {
        self.by_priority.iter().map(|(_, n)| n).sum()
    }

    pub fn availability_met(&self) -> Option<bool> {
        self.availability_target.map(|t| self.availability >= t)
    }

    /// The agreed targets the month missed, in words (empty when it met them all).
    pub fn missed_targets(&self) -> Vec<String> {
        let mut missed = Vec::new();
        if let (Some(target), Some(false)) = (self.availability_target, self.availability_met()) {
            missed.push(format!(
                "availability {} against {} agreed",
                percent(self.availability),
                percent(target)
            ));
        }
        if self.resolved_late > 0 {
            missed.push(format!(
                "{} of {} incidents resolved late",
                self.resolved_late,
                self.resolved_late + self.resolved_in_time
            ));
        }
        missed
    }

    /// The share of targets met among incidents resolved in the month, in percent.
    pub fn in_time_percent(&self) -> Option<u32> {
        let resolved = self.resolved_in_time + self.resolved_late;
        (resolved > 0).then(|| self.resolved_in_time * 100 / resolved)
    }
}

/// The report of one service for one month, with the trend of the months before it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceReport {
    pub service: ServiceRef,
    /// The agreement in force at the month's end (`SLA-3 Customer-facing services`).
    pub agreement: Option<String>,
    pub month: ReportMonth,
    /// Oldest first; the last is `month`.
    pub trend: Vec<MonthFigures>,
}

impl ServiceReport {
    pub fn figures(&self) -> Option<&MonthFigures> {
        self.trend.last()
    }
}

/// One month of one service, as the clause pages and the management review read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceMonth {
    pub service: ServiceRef,
    /// The agreement in force at the month's end: its id and reference (`SLA-3`).
    pub agreement: Option<(i64, String)>,
    pub figures: MonthFigures,
}

impl ServiceMonth {
    /// Where its report for the month is.
    pub fn report_href(&self) -> String {
        report_href(self.service.id, self.figures.month)
    }
}

/// The report page of a service for a month.
pub fn report_href(service_id: i64, month: ReportMonth) -> String {
    format!(
        "/service-levels/report?service={service_id}&month={}",
        month.code()
    )
}

/// The CSV columns of the report (one row per month of the trend).
pub const CSV_COLUMNS: [&str; 16] = [
    "Service",
    "Month",
    "Incidents",
    "P1",
    "P2",
    "P3",
    "P4",
    "P5",
    "Resolved in time",
    "Resolved late",
    "Outage minutes",
    "Availability %",
    "Availability target %",
    "Requests fulfilled",
    "Requests fulfilled in time",
    "Changes (failed)",
];

/// One CSV row per month, as text cells (the export makes them formula-safe).
pub fn csv_rows(report: &ServiceReport) -> Vec<Vec<String>> {
    report
        .trend
        .iter()
        .map(|m| {
            let mut row = vec![
                report.service.name.clone(),
                m.month.code(),
                m.incidents().to_string(),
            ];
            row.extend(m.by_priority.iter().map(|(_, n)| n.to_string()));
            row.extend([
                m.resolved_in_time.to_string(),
                m.resolved_late.to_string(),
                m.outage_minutes.to_string(),
                format!("{}.{:02}", m.availability / 100, m.availability % 100),
                m.availability_target
                    .map(|t| format!("{}.{:02}", t / 100, t % 100))
                    .unwrap_or_default(),
                m.requests_fulfilled.to_string(),
                m.requests_in_time.to_string(),
                format!("{} ({})", m.changes, m.changes_failed),
            ]);
            row
        })
        .collect()
}

/// Bars of a 12-month chart: (x, y, height) in a `width` × `height` box, scaled to the
/// largest value (at least 1, so an empty year draws flat).
pub fn bars(values: &[u32], width: f64, height: f64) -> Vec<(f64, f64, f64)> {
    let top = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let slot = width / values.len().max(1) as f64;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let h = *v as f64 / top * height;
            (i as f64 * slot + slot * 0.15, height - h, h)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn months_parse_and_step_across_years() {
        let m = ReportMonth::parse("2026-12").unwrap();
        assert_eq!(m.next().code(), "2027-01");
        assert_eq!(ReportMonth::parse("2027-01").unwrap().previous(), m);
        assert_eq!(m.label(), "December 2026");
        assert_eq!(m.minutes(), 31 * 24 * 60);
        assert_eq!(
            ReportMonth::parse("2027-02").unwrap().minutes(),
            28 * 24 * 60
        );
        for bad in ["2026-13", "2026", "november", "1999-05", "2026-00", ""] {
            assert_eq!(ReportMonth::parse(bad), None, "{bad}");
        }
        let year = m.trailing(TREND_MONTHS);
        assert_eq!(year.len(), 12);
        assert_eq!(year[0].code(), "2026-01");
        assert_eq!(year[11], m);
    }

    #[test]
    fn a_month_says_which_targets_it_missed() {
        let month = ReportMonth::parse("2027-03").unwrap();
        let mut figures = MonthFigures {
            month,
            by_priority: vec![],
            resolved_in_time: 3,
            resolved_late: 0,
            outage_minutes: 0,
            availability: 9_980,
            availability_target: Some(9_950),
            requests: 0,
            requests_fulfilled: 0,
            requests_in_time: 0,
            changes: 0,
            changes_failed: 0,
        };
        assert!(figures.missed_targets().is_empty());
        figures.availability = 9_900;
        figures.resolved_late = 1;
        assert_eq!(
            figures.missed_targets(),
            vec![
                "availability 99.00 % against 99.50 % agreed".to_string(),
                "1 of 4 incidents resolved late".to_string()
            ]
        );
        // Without an agreement nothing is missed, however low.
        figures.availability_target = None;
        figures.resolved_late = 0;
        assert!(figures.missed_targets().is_empty());
    }

    #[test]
    fn overlapping_outages_count_once_and_are_clipped_to_the_month() {
        let month = ReportMonth::parse("2027-03").unwrap();
        let spans = [
            (at("2027-03-10T10:00:00Z"), at("2027-03-10T11:00:00Z")),
            // A second report of the same outage, overlapping by half an hour.
            (at("2027-03-10T10:30:00Z"), at("2027-03-10T11:30:00Z")),
            // Began in February: only March's part counts.
            (at("2027-02-28T23:00:00Z"), at("2027-03-01T00:30:00Z")),
        ];
        assert_eq!(covered_minutes(&spans, month.start(), month.end()), 90 + 30);
        let availability = availability_basis_points(120, month.minutes());
        assert_eq!(percent(availability), "99.73 %");
    }

    fn spans() -> impl Strategy<Value = Vec<(DateTime<Utc>, DateTime<Utc>)>> {
        prop::collection::vec((0i64..40 * 24 * 60, 0i64..3 * 24 * 60), 0..12).prop_map(|v| {
            let base = at("2027-02-25T00:00:00Z");
            v.into_iter()
                .map(|(start, length)| {
                    let s = base + chrono::Duration::minutes(start);
                    (s, s + chrono::Duration::minutes(length))
                })
                .collect()
        })
    }

    proptest! {
        /// Merged outage never exceeds the month, never falls below the longest single
        /// outage, and does not depend on the order the incidents were read in.
        #[test]
        fn merged_outage_is_bounded_and_order_free(mut spans in spans()) {
            let month = ReportMonth::parse("2027-03").unwrap();
            let merged = covered_minutes(&spans, month.start(), month.end());
            prop_assert!(merged <= month.minutes());
            let longest = spans.iter().map(|s| covered_minutes(&[*s], month.start(), month.end())).max().unwrap_or(0);
            prop_assert!(merged >= longest);
            let sum: i64 = spans.iter().map(|s| covered_minutes(&[*s], month.start(), month.end())).sum();
            prop_assert!(merged <= sum);
            spans.reverse();
            prop_assert_eq!(covered_minutes(&spans, month.start(), month.end()), merged);
            let availability = availability_basis_points(merged, month.minutes());
            prop_assert!((0..=10_000).contains(&availability));
        }
    }
}
