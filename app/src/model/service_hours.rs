//! Service hours (ISO/IEC 20000-1 clause 8.3.3): when an agreement's targets are measured. A
//! target of "4 hours to resolve" means four hours of service time — inside the agreed hours of
//! each weekday, in the service's time zone, on days that are not holidays.
//!
//! The arithmetic is generic over `chrono::TimeZone` so that the model stays free of the time
//! zone database (which the browser does not need); the server passes a `chrono_tz::Tz`. Local
//! times that a daylight-saving change skips start at the first instant after the gap; local
//! times it repeats open at their first occurrence and close at their second, so a service day
//! lasts exactly as long as the clocks on the wall say.

use crate::error::FieldErrors;
use crate::model::text;
use crate::model::typed;
use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Minutes in a day: a day's hours end at most at 24:00.
pub const MINUTES_PER_DAY: u16 = 24 * 60;

/// How far ahead a due time is looked for (ten years of days): a target the calendar cannot
/// fit in that time has no due time.
pub const DAYS_SEARCHED: u32 = 3_660;

/// The most holidays one calendar lists (a decade of public holidays with room to spare).
pub const MAX_HOLIDAYS: usize = 400;

/// The weekdays as forms and pages name them, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// One day's service hours: minutes after local midnight, `start < end <= 24:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayHours {
    pub start: u16,
    pub end: u16,
}

impl DayHours {
    pub const ALL_DAY: DayHours = DayHours {
        start: 0,
        end: MINUTES_PER_DAY,
    };

    /// Reads `09:00-17:30` (or `09:00–17:30`, `9:00 - 17:30`); `24:00` ends a day.
    pub fn parse(value: &str) -> Result<DayHours, String> {
        let value = value.trim();
        let Some((start, end)) = value.split_once(['-', '–']) else {
            return Err("Write the hours as start–end, like 08:00-18:00.".into());
        };
        let start = minute_of_day(start.trim())?;
        let end = minute_of_day(end.trim())?;
        if start >= end {
            return Err("The hours end after they start (a day ends at 24:00).".into());
        }
        Ok(DayHours { start, end })
    }

    pub fn minutes(self) -> u32 {
        u32::from(self.end - self.start)
    }
}

impl std::fmt::Display for DayHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let clock = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        write!(f, "{}–{}", clock(self.start), clock(self.end))
    }
}

/// `HH:MM` as minutes after midnight; `24:00` is the end of the day.
fn minute_of_day(value: &str) -> Result<u16, String> {
    if value == "24:00" {
        return Ok(MINUTES_PER_DAY);
    }
    NaiveTime::parse_from_str(value, "%H:%M")
        .map(|t| (t.signed_duration_since(NaiveTime::MIN).num_minutes()) as u16)
        .map_err(|_| format!("“{value}” is not a time like 08:00."))
}

/// A day off: no service time is counted on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: NaiveDate,
    pub name: String,
}

/// A service-hours calendar: weekly hours in a time zone, less holidays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceHours {
    pub name: String,
    /// An IANA time zone name (`Europe/London`); the server checks it names a real zone.
    pub time_zone: String,
    /// Monday first; `None` is a day without service.
    pub week: [Option<DayHours>; 7],
    /// Sorted by date, one entry per date.
    pub holidays: Vec<Holiday>,
}

impl ServiceHours {
    /// Round the clock, every day of the year (a 24×7 agreement).
    pub fn always(time_zone: &str) -> ServiceHours {
        ServiceHours {
            name: "24×7".into(),
            time_zone: time_zone.into(),
            week: [Some(DayHours::ALL_DAY); 7],
            holidays: Vec::new(),
        }
    }

    /// Service hours per week, holidays aside.
    pub fn weekly_minutes(&self) -> u32 {
        self.week.iter().flatten().map(|d| d.minutes()).sum()
    }

    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.holidays
            .binary_search_by(|h| h.date.cmp(&date))
            .is_ok()
    }

    /// The hours of a local date, if there is service that day.
    pub fn hours_on(&self, date: NaiveDate) -> Option<DayHours> {
        if self.is_holiday(date) {
            return None;
        }
        self.week[date.weekday().num_days_from_monday() as usize]
    }

    /// The instant `seconds` of service time after `start` (`start` itself for zero or less);
    /// `None` when the calendar does not hold that much service time within `DAYS_SEARCHED`.
    pub fn add<Z: TimeZone>(
        &self,
        zone: &Z,
        start: DateTime<Utc>,
        seconds: i64,
    ) -> Option<DateTime<Utc>> {
        if seconds <= 0 {
            return Some(start);
        }
        let mut left = seconds;
        let mut date = start.with_timezone(zone).date_naive();
        for _ in 0..DAYS_SEARCHED {
            if let Some((open, close)) = self.span_on(zone, date) {
                let from = open.max(start);
                if from < close {
                    let available = (close - from).num_seconds();
                    if left <= available {
                        return Some(from + Duration::seconds(left));
                    }
                    left -= available;
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// Service time, in seconds, between two instants (zero when `to` is not after `from`).
    pub fn seconds_between<Z: TimeZone>(
        &self,
        zone: &Z,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = 0;
        let mut date = from.with_timezone(zone).date_naive();
        let last = to.with_timezone(zone).date_naive();
        while date <= last {
            if let Some((open, close)) = self.span_on(zone, date) {
                let (start, end) = (open.max(from), close.min(to));
                if start < end {
                    total += (end - start).num_seconds();
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total
    }

    /// Whether the clock runs at `at`.
    pub fn is_open_at<Z: TimeZone>(&self, zone: &Z, at: DateTime<Utc>) -> bool {
        let date = at.with_timezone(zone).date_naive();
        self.span_on(zone, date)
            .is_some_and(|(open, close)| open <= at && at < close)
    }

    /// The instants a local date's service opens and closes.
    fn span_on<Z: TimeZone>(
        &self,
        zone: &Z,
        date: NaiveDate,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let hours = self.hours_on(date)?;
        let open = instant(zone, date, hours.start, Occurrence::First)?;
        let close = instant(zone, date, hours.end, Occurrence::Last)?;
        (open < close).then_some((open, close))
    }
}

/// Which of two instants a repeated local time means.
#[derive(Clone, Copy)]
enum Occurrence {
    First,
    Last,
}

/// The instant of `minute` after local midnight on `date`; a skipped local time moves to the
/// first local time after the gap.
fn instant<Z: TimeZone>(
    zone: &Z,
    date: NaiveDate,
    minute: u16,
    occurrence: Occurrence,
) -> Option<DateTime<Utc>> {
    let mut local = date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minute));
    for _ in 0..=MINUTES_PER_DAY {
        match zone.from_local_datetime(&local) {
            LocalResult::Single(t) => return Some(t.with_timezone(&Utc)),
            LocalResult::Ambiguous(first, last) => {
                let chosen = match occurrence {
                    Occurrence::First => first,
                    Occurrence::Last => last,
                };
                return Some(chosen.with_timezone(&Utc));
            }
            LocalResult::None => local += Duration::minutes(1),
        }
    }
    None
}

/// A stored calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCalendar {
    pub id: i64,
    pub hours: ServiceHours,
    pub version: i32,
}

/// The calendar as a form posts it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
// Fields a form leaves out (an unticked box, a step's unused inputs) read as empty.
#[serde(default)]
pub struct ServiceHoursForm {
    pub name: String,
    pub time_zone: String,
    /// Monday first: `08:00-18:00`, or empty for a day without service.
    pub days: [String; 7],
    /// One per line: `2027-12-25 Christmas Day`.
    pub holidays: String,
}

impl ServiceHoursForm {
    /// The form of a stored calendar (to edit it).
    pub fn of(hours: &ServiceHours) -> ServiceHoursForm {
        ServiceHoursForm {
            name: hours.name.clone(),
            time_zone: hours.time_zone.clone(),
            days: hours.week.map(|d| {
                d.map(|d| d.to_string().replace('–', "-"))
                    .unwrap_or_default()
            }),
            holidays: hours
                .holidays
                .iter()
                .map(|h| format!("{} {}", h.date, h.name).trim_end().to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    pub fn validate(&self) -> Result<ServiceHours, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = text::line(&mut errors, "name", "The name", &self.name, 1, 80);
        let time_zone = text::line(
            &mut errors,
            "time_zone",
            "The time zone",
            &self.time_zone,
            1,
            64,
        );
        let mut week = [None; 7];
        for (day, value) in self.days.iter().enumerate() {
            if value.trim().is_empty() {
                continue;
            }
            match DayHours::parse(value) {
                Ok(hours) => week[day] = Some(hours),
                Err(message) => errors.add(&format!("day_{day}"), message),
            }
        }
        let day_refused = (0..7).any(|day| errors.get(&format!("day_{day}")).is_some());
        if !day_refused && week.iter().all(Option::is_none) {
            errors.add("day_0", "Give the service hours of at least one day.");
        }
        let holidays = read_holidays(&mut errors, &self.holidays);
        errors.into_result(ServiceHours {
            name,
            time_zone,
            week,
            holidays,
        })
    }
}

/// Holidays, one per line (`YYYY-MM-DD name`), sorted; a date listed twice is refused.
fn read_holidays(errors: &mut FieldErrors, value: &str) -> Vec<Holiday> {
    let mut holidays = Vec::new();
    for (number, line) in value.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (date, name) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match typed::date(date) {
            Ok(date) => holidays.push(Holiday {
                date,
                name: name.trim().chars().take(80).collect(),
            }),
            Err(refusal) => {
                let hint = format!("Line {}: start with a date like 2027-12-25.", number + 1);
                errors.add("holidays", refusal.message(&hint));
                return Vec::new();
            }
        }
    }
    holidays.sort_by_key(|h| h.date);
    if let Some(pair) = holidays.windows(2).find(|w| w[0].date == w[1].date) {
        errors.add("holidays", format!("{} is listed twice.", pair[0].date));
    } else if holidays.len() > MAX_HOLIDAYS {
        errors.add(
            "holidays",
            format!(
                "List at most {MAX_HOLIDAYS} holidays (there are {}).",
                holidays.len()
            ),
        );
    }
    holidays
}

#[cfg(test)]
mod posted {
    use super::*;

    #[test]
    fn the_form_reads_as_its_page_posts_it() {
        let posted = "name=Office&time_zone=Europe%2FLondon&days[0]=08%3A00-18%3A00\
            &days[1]=08%3A00-18%3A00&days[2]=&days[3]=&days[4]=09%3A00-17%3A00&days[5]=&days[6]=\
            &holidays=2027-12-25+Christmas+Day";
        let form: ServiceHoursForm = serde_qs::from_str(posted).expect("the page's fields read");
        let hours = form.validate().expect("valid hours");
        assert_eq!(hours.weekly_minutes(), 28 * 60);
        assert_eq!(hours.holidays.len(), 1);
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use chrono_tz::Tz;
    use proptest::prelude::*;

    fn office() -> ServiceHours {
        let nine_to_five = Some(DayHours {
            start: 9 * 60,
            end: 17 * 60,
        });
        ServiceHours {
            name: "Office".into(),
            time_zone: "Europe/London".into(),
            week: [
                nine_to_five,
                nine_to_five,
                nine_to_five,
                nine_to_five,
                nine_to_five,
                None,
                None,
            ],
            holidays: vec![Holiday {
                date: NaiveDate::from_ymd_opt(2027, 12, 27).unwrap(),
                name: "Christmas Day (substitute)".into(),
            }],
        }
    }

    fn london() -> Tz {
        "Europe/London".parse().unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn four_office_hours_from_friday_afternoon_end_on_monday() {
        // Friday 24 Dec 2027, 15:00 GMT: two hours on Friday, Monday is a holiday, two on Tuesday.
        let due = office().add(&london(), utc("2027-12-24T15:00:00Z"), 4 * 3600);
        assert_eq!(due, Some(utc("2027-12-28T11:00:00Z")));
    }

    #[test]
    fn time_outside_the_hours_does_not_count() {
        let hours = office();
        let zone = london();
        // Saturday to Sunday: nothing; Friday 16:00 to Monday 10:00 (3 Jan 2028): 2 hours.
        assert_eq!(
            hours.seconds_between(
                &zone,
                utc("2028-01-01T10:00:00Z"),
                utc("2028-01-02T10:00:00Z")
            ),
            0
        );
        assert_eq!(
            hours.seconds_between(
                &zone,
                utc("2027-12-31T16:00:00Z"),
                utc("2028-01-03T10:00:00Z")
            ),
            2 * 3600
        );
        assert!(!hours.is_open_at(&zone, utc("2027-12-27T10:00:00Z")));
        assert!(hours.is_open_at(&zone, utc("2027-12-28T10:00:00Z")));
    }

    #[test]
    fn daylight_saving_days_last_as_long_as_the_wall_clock_says() {
        let zone = london();
        let always = ServiceHours::always("Europe/London");
        // 28 March 2027: clocks go forward, the day has 23 hours.
        let spring = always.seconds_between(
            &zone,
            utc("2027-03-28T00:00:00Z"),
            utc("2027-03-28T23:00:00Z"),
        );
        assert_eq!(spring, 23 * 3600);
        // 31 October 2027: clocks go back, the day has 25 hours.
        let autumn = always.seconds_between(
            &zone,
            utc("2027-10-30T23:00:00Z"),
            utc("2027-11-01T00:00:00Z"),
        );
        assert_eq!(autumn, 25 * 3600);
        // Office hours keep 09:00 local on both sides of the change.
        let office = office();
        let before = office.add(&zone, utc("2027-03-26T16:00:00Z"), 2 * 3600);
        // One hour on Friday (GMT), the second from 09:00 BST on Monday.
        assert_eq!(before, Some(utc("2027-03-29T10:00:00+01:00")));
    }

    #[test]
    fn hours_that_start_in_a_skipped_hour_start_after_it() {
        let zone = london();
        let mut night = ServiceHours::always("Europe/London");
        night.week = [Some(DayHours {
            start: 60 + 30,
            end: 4 * 60,
        }); 7];
        // 01:30 local does not exist on 28 March 2027: the day runs 02:00 BST (01:00 UTC) to 04:00 BST.
        assert_eq!(
            night.seconds_between(
                &zone,
                utc("2027-03-28T00:00:00Z"),
                utc("2027-03-28T06:00:00Z")
            ),
            2 * 3600
        );
    }

    #[test]
    fn a_calendar_without_the_time_gives_no_due_time() {
        let mut closed = office();
        closed.week = [None; 7];
        assert_eq!(closed.add(&london(), utc("2027-01-01T00:00:00Z"), 60), None);
    }

    #[test]
    fn the_form_reads_hours_and_holidays() {
        let mut form = ServiceHoursForm {
            name: " Office ".into(),
            time_zone: "Europe/London".into(),
            holidays: "2027-12-27 Christmas Day (substitute)\n\n2027-01-01 New Year".into(),
            ..Default::default()
        };
        form.days[0] = "09:00-17:00".into();
        form.days[6] = "10:00 – 24:00".into();
        let hours = form.validate().unwrap();
        assert_eq!(hours.name, "Office");
        assert_eq!(
            hours.week[0],
            Some(DayHours {
                start: 540,
                end: 1020
            })
        );
        assert_eq!(
            hours.week[6],
            Some(DayHours {
                start: 600,
                end: 1440
            })
        );
        assert_eq!(hours.holidays[0].name, "New Year");
        assert_eq!(hours.weekly_minutes(), 8 * 60 + 14 * 60);
        assert_eq!(ServiceHoursForm::of(&hours).validate().unwrap(), hours);
    }

    #[test]
    fn the_form_says_what_is_wrong() {
        let mut form = ServiceHoursForm {
            name: "Office".into(),
            time_zone: "UTC".into(),
            holidays: "2027-12-25 Christmas\n2027-12-25 Again".into(),
            ..Default::default()
        };
        let errors = form.validate().unwrap_err();
        assert!(errors.get("day_0").unwrap().contains("at least one day"));
        assert!(errors.get("holidays").unwrap().contains("twice"));
        form.days[2] = "17:00-09:00".into();
        form.days[3] = "9 to 5".into();
        form.holidays = "Christmas 2027-12-25".into();
        let errors = form.validate().unwrap_err();
        assert!(errors
            .get("day_2")
            .unwrap()
            .contains("end after they start"));
        assert!(errors.get("day_3").unwrap().contains("start–end"));
        assert!(errors.get("day_0").is_none());
        assert!(errors.get("holidays").unwrap().contains("Line 1"));
        form.days[3] = "25:00-26:00".into();
        assert!(form
            .validate()
            .unwrap_err()
            .get("day_3")
            .unwrap()
            .contains("not a time"));
    }

    fn any_calendar() -> impl Strategy<Value = ServiceHours> {
        let day = prop_oneof![
            1 => Just(None),
            3 => (0u16..1439).prop_flat_map(|s| (Just(s), (s + 1)..=1440))
                .prop_map(|(start, end)| Some(DayHours { start, end })),
        ];
        let zone = prop_oneof![
            Just("UTC"),
            Just("Europe/London"),
            Just("America/New_York"),
            Just("Australia/Lord_Howe"),
            Just("Asia/Kolkata"),
        ];
        (
            proptest::array::uniform7(day),
            zone,
            proptest::collection::vec(0i64..800, 0..30),
        )
            .prop_filter("some service hours", |(week, _, _)| {
                week.iter().any(Option::is_some)
            })
            .prop_map(|(week, zone, offsets)| {
                let first = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
                let mut holidays: Vec<Holiday> = offsets
                    .into_iter()
                    .map(|d| Holiday {
                        date: first + Duration::days(d),
                        name: String::new(),
                    })
                    .collect();
                holidays.sort_by_key(|h| h.date);
                holidays.dedup_by_key(|h| h.date);
                ServiceHours {
                    name: "Generated".into(),
                    time_zone: zone.into(),
                    week,
                    holidays,
                }
            })
    }

    fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
        // October 2026 to December 2028: two years of daylight-saving changes in every zone.
        (1_790_000_000i64..1_860_000_000).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Adding service time and measuring it back agree, in every zone, across
        /// daylight-saving changes and holidays.
        #[test]
        fn adding_then_measuring_gives_back_the_time(
            hours in any_calendar(),
            start in any_instant(),
            seconds in 1i64..(40 * 24 * 3600),
        ) {
            let zone: Tz = hours.time_zone.parse().unwrap();
            let Some(due) = hours.add(&zone, start, seconds) else {
                // Only a calendar that truly lacks the time gives no due time.
                let horizon = start + Duration::days(i64::from(DAYS_SEARCHED));
                prop_assert!(hours.seconds_between(&zone, start, horizon) < seconds);
                return Ok(());
            };
            prop_assert!(due > start);
            prop_assert_eq!(hours.seconds_between(&zone, start, due), seconds);
            // The due time is the first such instant: one second earlier is not enough.
            prop_assert_eq!(hours.seconds_between(&zone, start, due - Duration::seconds(1)), seconds - 1);
        }

        /// Time added in two steps ends where it ends in one.
        #[test]
        fn adding_in_two_steps_is_adding_once(
            hours in any_calendar(),
            start in any_instant(),
            first in 1i64..(10 * 24 * 3600),
            second in 1i64..(10 * 24 * 3600),
        ) {
            let zone: Tz = hours.time_zone.parse().unwrap();
            // The search looks DAYS_SEARCHED ahead of where it starts, so two steps may
            // reach further than one: compare where the single step finds its end.
            let once = hours.add(&zone, start, first + second);
            match hours.add(&zone, start, first) {
                None => prop_assert_eq!(once, None),
                Some(middle) if once.is_some() => {
                    prop_assert_eq!(hours.add(&zone, middle, second), once)
                }
                Some(_) => {}
            }
        }

        /// Service time never exceeds the time on the wall, counts nothing on a holiday, and
        /// splits exactly at any instant in between.
        #[test]
        fn measured_time_splits_and_stays_within_the_wall_clock(
            hours in any_calendar(),
            from in any_instant(),
            middle in 0i64..(20 * 24 * 3600),
            rest in 0i64..(20 * 24 * 3600),
        ) {
            let zone: Tz = hours.time_zone.parse().unwrap();
            let middle = from + Duration::seconds(middle);
            let to = middle + Duration::seconds(rest);
            let whole = hours.seconds_between(&zone, from, to);
            prop_assert!(whole <= (to - from).num_seconds());
            prop_assert_eq!(
                whole,
                hours.seconds_between(&zone, from, middle) + hours.seconds_between(&zone, middle, to)
            );
            if let Some(holiday) = hours.holidays.first() {
                let local = holiday.date.and_time(NaiveTime::MIN);
                if let LocalResult::Single(start) = zone.from_local_datetime(&local) {
                    let start = start.with_timezone(&Utc);
                    prop_assert_eq!(
                        hours.seconds_between(&zone, start, start + Duration::hours(20)),
                        0
                    );
                }
            }
        }
    }
}
