//! The change calendar: which days a month, week or day view shows, and which changes and
//! windows fall on each day. Pure: the server converts instants to the reader's local time
//! first, so this module works in wall-clock dates and times only.

use crate::model::change::{ChangeState, ChangeType};
use crate::model::labelled::labelled_enum;
use crate::model::risk::RiskLevel;
use crate::model::schedule::WindowKind;
use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
    pub enum CalendarView {
        #[default]
        Month => ("month", "Month"),
        Week => ("week", "Week"),
        Day => ("day", "Day"),
    }
}

impl CalendarView {
    /// The first and last day shown around `anchor`. A month shows whole weeks (Monday first),
    /// so the grid always has full rows.
    pub fn range(self, anchor: NaiveDate) -> (NaiveDate, NaiveDate) {
        match self {
            CalendarView::Day => (anchor, anchor),
            CalendarView::Week => {
                let monday = anchor.week(Weekday::Mon).first_day();
                (monday, monday + Days::new(6))
            }
            CalendarView::Month => {
                let first = anchor.with_day(1).unwrap_or(anchor);
                let last = first
                    .checked_add_months(Months::new(1))
                    .and_then(|next| next.pred_opt())
                    .unwrap_or(first);
                (
                    first.week(Weekday::Mon).first_day(),
                    last.week(Weekday::Mon).last_day(),
                )
            }
        }
    }

    /// The anchor of the previous (`step = -1`) or next (`step = 1`) page.
    pub fn step(self, anchor: NaiveDate, step: i32) -> NaiveDate {
        let forward = step >= 0;
        let moved = match self {
            CalendarView::Day if forward => anchor.checked_add_days(Days::new(1)),
            CalendarView::Day => anchor.checked_sub_days(Days::new(1)),
            CalendarView::Week if forward => anchor.checked_add_days(Days::new(7)),
            CalendarView::Week => anchor.checked_sub_days(Days::new(7)),
            CalendarView::Month if forward => anchor.checked_add_months(Months::new(1)),
            CalendarView::Month => anchor.checked_sub_months(Months::new(1)),
        };
        moved.unwrap_or(anchor)
    }

    /// The heading of a page: "December 2026", "Week of 30 Nov 2026", "Tuesday 1 Dec 2026".
    pub fn title(self, anchor: NaiveDate) -> String {
        match self {
            CalendarView::Month => anchor.format("%B %Y").to_string(),
            CalendarView::Week => {
                let (first, last) = self.range(anchor);
                format!("{} – {}", first.format("%-d %b"), last.format("%-d %b %Y"))
            }
            CalendarView::Day => anchor.format("%A %-d %B %Y").to_string(),
        }
    }
}

/// The calendar page's query string, as typed: `?view=week&date=2026-12-01`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarParams {
    pub view: Option<String>,
    pub date: Option<String>,
}

impl CalendarParams {
    /// Unknown views and unreadable dates fall back to the month of `today`, so a mistyped
    /// link still shows a calendar (the link is not a form; there is nothing to correct).
    pub fn resolve(&self, today: NaiveDate) -> (CalendarView, NaiveDate) {
        let view = self
            .view
            .as_deref()
            .and_then(|v| CalendarView::parse(v.trim()))
            .unwrap_or_default();
        let date = self
            .date
            .as_deref()
            .and_then(|d| crate::model::typed::date(d).ok())
            .filter(|d| (1970..=9000).contains(&d.year()))
            .unwrap_or(today);
        (view, date)
    }
}

/// A scheduled change as the calendar shows it, in the reader's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarChange {
    pub id: i64,
    pub title: String,
    pub state: ChangeState,
    pub change_type: ChangeType,
    pub risk: Option<RiskLevel>,
    pub services: Vec<String>,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    /// Open (not overridden) schedule conflicts.
    pub conflicts: Vec<String>,
}

/// A blackout or maintenance window as the calendar shows it, in the reader's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarWindow {
    pub id: i64,
    pub kind: WindowKind,
    pub name: String,
    /// `None`: every service.
    pub service: Option<String>,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

/// A window as its edit form and the window list show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowRecord {
    pub window: CalendarWindow,
    pub service_id: Option<i64>,
    pub version: i32,
}

impl WindowRecord {
    /// The edit form, filled in (times as `datetime-local` values).
    pub fn form(&self) -> crate::model::schedule::WindowForm {
        let format = crate::model::typed::LOCAL_TIME_FORMAT;
        crate::model::schedule::WindowForm {
            kind: self.window.kind.as_str().into(),
            name: self.window.name.clone(),
            service_id: self.service_id.map(|id| id.to_string()).unwrap_or_default(),
            starts: self.window.start.format(format).to_string(),
            ends: self.window.end.format(format).to_string(),
        }
    }
}

/// A person's calendar subscription, without its secret (shown once, when created).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedStatus {
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// One day of the calendar with what touches it (indexes into the calendar's lists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: NaiveDate,
    /// Outside the month being shown (the grey days of a month grid).
    pub outside: bool,
    pub changes: Vec<usize>,
    pub windows: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    pub view: CalendarView,
    pub anchor: NaiveDate,
    pub today: NaiveDate,
    pub time_zone: String,
    pub changes: Vec<CalendarChange>,
    pub windows: Vec<CalendarWindow>,
    pub days: Vec<CalendarDay>,
}

/// Does the half-open span [start, end) touch `day`? A change ending at midnight does not
/// spill onto the next day.
fn touches(day: NaiveDate, start: NaiveDateTime, end: NaiveDateTime) -> bool {
    let day_start = day.and_time(NaiveTime::MIN);
    let day_end = day_start + chrono::Duration::days(1);
    start < day_end && (end > day_start || (start == end && start >= day_start))
}

impl Calendar {
    /// Lays out changes and windows on the days of `view` around `anchor`; changes sorted by
    /// start so each day reads top to bottom in time order.
    pub fn layout(
        view: CalendarView,
        anchor: NaiveDate,
        today: NaiveDate,
        time_zone: String,
        mut changes: Vec<CalendarChange>,
        mut windows: Vec<CalendarWindow>,
    ) -> Calendar {
        changes.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
        windows.sort_by(|a, b| a.start.cmp(&b.start).then(a.id.cmp(&b.id)));
        let (first, last) = view.range(anchor);
        let days = first
            .iter_days()
            .take_while(|d| *d <= last)
            .map(|date| CalendarDay {
                date,
                outside: view == CalendarView::Month && date.month() != anchor.month(),
                changes: (0..changes.len())
                    .filter(|i| touches(date, changes[*i].start, changes[*i].end))
                    .collect(),
                windows: (0..windows.len())
                    .filter(|i| touches(date, windows[*i].start, windows[*i].end))
                    .collect(),
            })
            .collect();
        Calendar {
            view,
            anchor,
            today,
            time_zone,
            changes,
            windows,
            days,
        }
    }

    /// The first and last day shown.
    pub fn bounds(&self) -> (NaiveDate, NaiveDate) {
        self.view.range(self.anchor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn change(id: i64, start: &str, end: &str) -> CalendarChange {
        CalendarChange {
            id,
            title: format!("Change {id}"),
            state: ChangeState::Scheduled,
            change_type: ChangeType::Normal,
            risk: None,
            services: vec![],
            start: at(start),
            end: at(end),
            conflicts: vec![],
        }
    }

    #[test]
    fn a_month_grid_is_whole_weeks_from_monday() {
        // December 2026 starts on a Tuesday and ends on a Thursday.
        let (first, last) = CalendarView::Month.range(date("2026-12-15"));
        assert_eq!(first, date("2026-11-30"));
        assert_eq!(last, date("2027-01-03"));
        assert_eq!((last - first).num_days() + 1, 35);
    }

    #[test]
    fn weeks_run_monday_to_sunday_and_days_are_themselves() {
        assert_eq!(
            CalendarView::Week.range(date("2026-12-06")),
            (date("2026-11-30"), date("2026-12-06"))
        );
        assert_eq!(
            CalendarView::Day.range(date("2026-12-06")),
            (date("2026-12-06"), date("2026-12-06"))
        );
    }

    #[test]
    fn stepping_a_month_from_the_31st_lands_on_the_last_day() {
        assert_eq!(
            CalendarView::Month.step(date("2027-01-31"), 1),
            date("2027-02-28")
        );
        assert_eq!(
            CalendarView::Week.step(date("2026-12-01"), -1),
            date("2026-11-24")
        );
        assert_eq!(
            CalendarView::Day.step(date("2026-12-31"), 1),
            date("2027-01-01")
        );
    }

    #[test]
    fn bad_params_fall_back_to_the_month_of_today() {
        let today = date("2026-11-27");
        let params = CalendarParams {
            view: Some("fortnight".into()),
            date: Some("2026-13-45".into()),
        };
        assert_eq!(params.resolve(today), (CalendarView::Month, today));
        let params = CalendarParams {
            view: Some(" week ".into()),
            date: Some("2026-12-01".into()),
        };
        assert_eq!(
            params.resolve(today),
            (CalendarView::Week, date("2026-12-01"))
        );
    }

    #[test]
    fn changes_land_on_every_day_they_touch_but_not_the_day_they_end_at_midnight() {
        let calendar = Calendar::layout(
            CalendarView::Week,
            date("2026-12-01"),
            date("2026-12-01"),
            "UTC".into(),
            vec![
                change(1, "2026-12-01 22:00", "2026-12-03 02:00"),
                change(2, "2026-12-04 20:00", "2026-12-05 00:00"),
                change(3, "2026-12-01 08:00", "2026-12-01 09:00"),
            ],
            vec![],
        );
        let on = |d: &str| -> Vec<i64> {
            let day = calendar.days.iter().find(|x| x.date == date(d)).unwrap();
            day.changes
                .iter()
                .map(|i| calendar.changes[*i].id)
                .collect()
        };
        assert_eq!(on("2026-12-01"), vec![3, 1], "time order within a day");
        assert_eq!(on("2026-12-02"), vec![1]);
        assert_eq!(on("2026-12-03"), vec![1]);
        assert_eq!(on("2026-12-04"), vec![2]);
        assert_eq!(on("2026-12-05"), Vec::<i64>::new());
    }

    #[test]
    fn month_days_outside_the_month_are_marked() {
        let calendar = Calendar::layout(
            CalendarView::Month,
            date("2026-12-10"),
            date("2026-12-10"),
            "UTC".into(),
            vec![],
            vec![],
        );
        assert!(calendar.days[0].outside, "30 November");
        assert!(!calendar.days[1].outside, "1 December");
        assert!(calendar.days.last().unwrap().outside, "3 January");
    }
}
