//! A target clock (clauses 8.3.3, 8.6.1): how much of an agreed response or resolution time
//! a record has used, measured in service time (`service_hours`), paused while the record
//! waits for the customer or a supplier, stopped when the target is met.
//!
//! The clock is stored as what it has used so far and since when it runs; everything else is
//! worked out. While it runs, the instants it reaches 75 % (warning) and 100 % (breach) are
//! worked out once, so a queue sorts by them in SQL and a browser turns a card amber or red on
//! time without doing the calendar's arithmetic.

use crate::model::labelled::labelled_enum;
use crate::model::service_hours::ServiceHours;
use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// At this share of the target a clock warns.
pub const WARNING_PERCENT: i64 = 75;

/// The longest target an agreement may set: 90 days (of service time).
pub const MAX_TARGET_MINUTES: u32 = 90 * 24 * 60;

labelled_enum! {
    /// Whether a clock is counting.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ClockPhase {
        Running => ("running", "Running"),
        Paused => ("paused", "Paused"),
        Stopped => ("stopped", "Stopped"),
    }
}

labelled_enum! {
    /// How a clock stands against its target.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum ClockStatus {
        OnTrack => ("on_track", "On track"),
        Warning => ("warning", "Warning"),
        Breached => ("breached", "Breached"),
    }
}

/// One target's clock, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetClock {
    pub target_minutes: u32,
    /// Service seconds used in the runs that have ended (before the last pause or the stop).
    pub used_seconds: i64,
    /// Since when the current run counts; `None` while paused or stopped.
    pub running_since: Option<DateTime<Utc>>,
    /// When the clock was stopped (the response given, the record resolved).
    pub stopped_at: Option<DateTime<Utc>>,
}

/// What a clock says at one instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockReading {
    pub phase: ClockPhase,
    pub status: ClockStatus,
    pub target_minutes: u32,
    pub used_seconds: i64,
    /// Used time as a share of the target, in percent (over 100 once breached).
    pub percent: i64,
    /// While running: when it warns and when it reaches the target (breached a moment later).
    pub warning_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
}

impl ClockReading {
    /// Service time left, in seconds (negative once breached).
    pub fn left_seconds(&self) -> i64 {
        i64::from(self.target_minutes) * 60 - self.used_seconds
    }

    /// The status at a later instant, without the calendar: a running clock's status changes
    /// only at its warning and due instants (what a browser's ticking clock asks).
    pub fn status_at(&self, now: DateTime<Utc>) -> ClockStatus {
        match (self.phase, self.warning_at, self.due_at) {
            (ClockPhase::Running, _, Some(due)) if now > due => ClockStatus::Breached,
            (ClockPhase::Running, Some(warning), _) if now >= warning => {
                self.status.max(ClockStatus::Warning)
            }
            _ => self.status,
        }
    }
}

/// A clock as a queue row stores it — its standing when read and, while it runs, the
/// instants it warns and falls due — enough for `ClockReading::status_at` to tick.
pub fn stored_reading(
    status: ClockStatus,
    warning_at: Option<DateTime<Utc>>,
    due_at: Option<DateTime<Utc>>,
) -> ClockReading {
    ClockReading {
        phase: if due_at.is_some() {
            ClockPhase::Running
        } else {
            ClockPhase::Paused
        },
        status,
        target_minutes: 0,
        used_seconds: 0,
        percent: 0,
        warning_at,
        due_at,
    }
}

/// What a queue row says of a due instant at `now`: "2 h 05 min left", "15 min over".
pub fn due_words(due_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match due_at {
        Some(due) => {
            let left = (due - now).num_seconds();
            if left >= 0 {
                format!("{} left", span(left))
            } else {
                format!("{} over", span(-left))
            }
        }
        None => String::new(),
    }
}

impl ClockReading {
    /// The reading in words at `now`, as a record or queue shows it ("2 h 05 min left",
    /// "breached 15 min ago", "paused, 40 min left", "met", "missed by 12 min"). A running
    /// clock counts down to its due instant in wall time, which already skips closed hours.
    pub fn describe(&self, now: DateTime<Utc>) -> String {
        let target = i64::from(self.target_minutes) * 60;
        match (self.phase, self.due_at) {
            (ClockPhase::Running, Some(due)) => {
                let left = (due - now).num_seconds();
                if left >= 0 {
                    format!("{} left", span(left))
                } else {
                    format!("breached {} ago", span(-left))
                }
            }
            (ClockPhase::Stopped, _) if self.used_seconds <= target => "met".into(),
            (ClockPhase::Stopped, _) => format!("missed by {}", span(self.used_seconds - target)),
            (_, _) if self.used_seconds > target => {
                format!("paused, over by {}", span(self.used_seconds - target))
            }
            (_, _) => format!("paused, {} left", span(self.left_seconds())),
        }
    }
}

/// A duration in the largest units that matter: "2 d 3 h", "3 h 05 min", "12 min",
/// "under a minute".
pub fn span(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    let (days, hours, mins) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (days, hours, mins) {
        (0, 0, 0) => "under a minute".into(),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m:02} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

impl TargetClock {
    /// A clock that starts counting at `at`.
    pub fn start(target_minutes: u32, at: DateTime<Utc>) -> TargetClock {
        TargetClock {
            target_minutes,
            used_seconds: 0,
            running_since: Some(at),
            stopped_at: None,
        }
    }

    pub fn phase(&self) -> ClockPhase {
        match (self.stopped_at, self.running_since) {
            (Some(_), _) => ClockPhase::Stopped,
            (None, Some(_)) => ClockPhase::Running,
            (None, None) => ClockPhase::Paused,
        }
    }

    fn target_seconds(&self) -> i64 {
        i64::from(self.target_minutes) * 60
    }

    /// Service seconds used up to `now`.
    pub fn used_at<Z: TimeZone>(&self, hours: &ServiceHours, zone: &Z, now: DateTime<Utc>) -> i64 {
        self.used_seconds
            + self
                .running_since
                .map_or(0, |since| hours.seconds_between(zone, since, now))
    }

    /// Stops counting at `at` (waiting for the customer or a supplier); a clock that is not
    /// running is left as it is.
    pub fn pause<Z: TimeZone>(&mut self, hours: &ServiceHours, zone: &Z, at: DateTime<Utc>) {
        if let Some(since) = self.running_since.take() {
            self.used_seconds += hours.seconds_between(zone, since, at);
        }
    }

    /// Counts again from `at`; only a paused clock resumes.
    pub fn resume(&mut self, at: DateTime<Utc>) {
        if self.phase() == ClockPhase::Paused {
            self.running_since = Some(at);
        }
    }

    /// Stops for good at `at` (the target is met, or was breached, then).
    pub fn stop<Z: TimeZone>(&mut self, hours: &ServiceHours, zone: &Z, at: DateTime<Utc>) {
        if self.stopped_at.is_none() {
            self.pause(hours, zone, at);
            self.stopped_at = Some(at);
        }
    }

    /// Counts again after a stop (a resolved incident is reopened): the time used so far stays
    /// used, so a reopened record cannot meet its target by being resolved early.
    pub fn restart(&mut self, at: DateTime<Utc>) {
        self.stopped_at = None;
        self.running_since = Some(at);
    }

    /// The clock's reading at `now`.
    pub fn read<Z: TimeZone>(
        &self,
        hours: &ServiceHours,
        zone: &Z,
        now: DateTime<Utc>,
    ) -> ClockReading {
        let used = self.used_at(hours, zone, now);
        let target = self.target_seconds();
        let (warning_at, due_at) = match self.running_since {
            Some(since) if self.stopped_at.is_none() => {
                // Rounded up: the first whole second at or past the share.
                let needed = |share: i64| (target * share + 99) / 100 - self.used_seconds;
                let warning_at = Some(needed(WARNING_PERCENT))
                    .filter(|&n| n > 0)
                    .and_then(|n| hours.add(zone, since, n));
                // The last instant with no more than the target used: a target used up at
                // closing time is passed only when service time runs again. Met means "used
                // no more than the target" everywhere, so "past due" must mean the same for
                // the queue filter and the ticking clock.
                let due_at = Some(needed(100))
                    .filter(|&n| n > 0)
                    .and_then(|n| hours.add(zone, since, n + 1))
                    .map(|over| over - chrono::Duration::seconds(1));
                (warning_at, due_at)
            }
            _ => (None, None),
        };
        let percent = if target == 0 {
            100
        } else {
            used * 100 / target
        };
        let status = status_of(used, target);
        // Reached before this run started: the instant itself is in the past, unknown here.
        let due_at = due_at
            .or_else(|| (self.phase() == ClockPhase::Running && used > target).then_some(now));
        ClockReading {
            phase: self.phase(),
            status,
            target_minutes: self.target_minutes,
            used_seconds: used,
            percent,
            warning_at,
            due_at,
        }
    }

    /// The standing at `now` from what a stored row holds alone — the time used before the
    /// current run and the instants worked out when the clock last moved — without the
    /// calendar (what a queue row shows).
    pub fn status_from_stored(
        &self,
        warning_at: Option<DateTime<Utc>>,
        due_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> ClockStatus {
        ClockReading {
            phase: self.phase(),
            status: status_of(self.used_seconds, self.target_seconds()),
            target_minutes: self.target_minutes,
            used_seconds: self.used_seconds,
            percent: 0,
            warning_at,
            due_at,
        }
        .status_at(now)
    }

    /// Whether the target was met: decided once the clock is stopped.
    pub fn met(&self) -> Option<bool> {
        self.stopped_at
            .map(|_| self.used_seconds <= self.target_seconds())
    }
}

/// How `used` seconds stand against a target of `target` seconds.
fn status_of(used: i64, target: i64) -> ClockStatus {
    if used > target || (target == 0 && used > 0) {
        ClockStatus::Breached
    } else if used * 100 >= target * WARNING_PERCENT {
        ClockStatus::Warning
    } else {
        ClockStatus::OnTrack
    }
}

#[cfg(test)]
mod words {
    use super::*;
    use chrono::TimeZone;

    fn reading(phase: ClockPhase, used: i64, due: Option<DateTime<Utc>>) -> ClockReading {
        ClockReading {
            phase,
            status: status_of(used, 3600),
            target_minutes: 60,
            used_seconds: used,
            percent: used * 100 / 3600,
            warning_at: None,
            due_at: due,
        }
    }

    #[test]
    fn durations_read_in_the_units_that_matter() {
        assert_eq!(span(59), "under a minute");
        assert_eq!(span(12 * 60 + 30), "12 min");
        assert_eq!(span(3 * 3600 + 5 * 60), "3 h 05 min");
        assert_eq!(span(2 * 86_400 + 3 * 3600 + 59 * 60), "2 d 3 h");
        assert_eq!(span(-5), "under a minute");
    }

    #[test]
    fn a_reading_says_where_it_stands() {
        let now = Utc.with_ymd_and_hms(2027, 3, 1, 10, 0, 0).unwrap();
        let due = now + chrono::Duration::minutes(125);
        let running = reading(ClockPhase::Running, 600, Some(due));
        assert_eq!(running.describe(now), "2 h 05 min left");
        assert_eq!(
            running.describe(due + chrono::Duration::minutes(15)),
            "breached 15 min ago"
        );
        assert_eq!(
            reading(ClockPhase::Paused, 1200, None).describe(now),
            "paused, 40 min left"
        );
        assert_eq!(
            reading(ClockPhase::Paused, 4200, None).describe(now),
            "paused, over by 10 min"
        );
        assert_eq!(
            reading(ClockPhase::Stopped, 3600, None).describe(now),
            "met"
        );
        assert_eq!(
            reading(ClockPhase::Stopped, 4320, None).describe(now),
            "missed by 12 min"
        );
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::model::service_hours::DayHours;
    use chrono::Duration;
    use chrono_tz::Tz;
    use proptest::prelude::*;

    #[test]
    fn a_row_ticks_from_its_stored_instants() {
        let now = Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap();
        let reading = stored_reading(
            ClockStatus::OnTrack,
            Some(now + Duration::minutes(30)),
            Some(now + Duration::minutes(40)),
        );
        assert_eq!(reading.status_at(now), ClockStatus::OnTrack);
        assert_eq!(
            reading.status_at(now + Duration::minutes(30)),
            ClockStatus::Warning
        );
        assert_eq!(
            reading.status_at(now + Duration::minutes(41)),
            ClockStatus::Breached
        );
        assert_eq!(due_words(reading.due_at, now), "40 min left");
        assert_eq!(
            due_words(reading.due_at, now + Duration::minutes(55)),
            "15 min over"
        );
        // Paused: no due instant, the stored standing holds.
        let paused = stored_reading(ClockStatus::Warning, None, None);
        assert_eq!(
            paused.status_at(now + Duration::days(9)),
            ClockStatus::Warning
        );
        assert_eq!(due_words(None, now), "");
    }

    fn office() -> (ServiceHours, Tz) {
        let mut hours = ServiceHours::always("Europe/Paris");
        hours.week = [Some(DayHours {
            start: 8 * 60,
            end: 18 * 60,
        }); 7];
        hours.week[5] = None;
        hours.week[6] = None;
        (hours, "Europe/Paris".parse().unwrap())
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_clock_warns_at_three_quarters_and_breaches_at_the_target() {
        let (hours, zone) = office();
        // Monday 1 March 2027, 09:00 in Paris; a 4-hour target.
        let clock = TargetClock::start(240, at("2027-03-01T09:00:00+01:00"));
        let reading = clock.read(&hours, &zone, at("2027-03-01T10:00:00+01:00"));
        assert_eq!(reading.status, ClockStatus::OnTrack);
        assert_eq!(reading.percent, 25);
        assert_eq!(reading.warning_at, Some(at("2027-03-01T12:00:00+01:00")));
        assert_eq!(reading.due_at, Some(at("2027-03-01T13:00:00+01:00")));
        assert_eq!(
            reading.status_at(at("2027-03-01T12:00:00+01:00")),
            ClockStatus::Warning
        );
        assert_eq!(
            reading.status_at(at("2027-03-01T13:00:01+01:00")),
            ClockStatus::Breached
        );
        let later = clock.read(&hours, &zone, at("2027-03-01T13:30:00+01:00"));
        assert_eq!(later.status, ClockStatus::Breached);
        assert_eq!(later.left_seconds(), -30 * 60);
    }

    #[test]
    fn a_target_used_up_at_closing_time_is_passed_only_when_service_resumes() {
        let (hours, zone) = office();
        // Monday 14:00, four hours to go: the target is used up at 18:00, closing time.
        let clock = TargetClock::start(240, at("2027-03-01T14:00:00+01:00"));
        let reading = clock.read(&hours, &zone, at("2027-03-01T14:00:00+01:00"));
        assert_eq!(reading.due_at, Some(at("2027-03-02T08:00:00+01:00")));
        let evening = at("2027-03-01T18:30:00+01:00");
        assert_eq!(
            clock.read(&hours, &zone, evening).status,
            ClockStatus::Warning
        );
        assert_eq!(reading.status_at(evening), ClockStatus::Warning);
        let mut resolved_in_the_evening = clock.clone();
        resolved_in_the_evening.stop(&hours, &zone, evening);
        assert_eq!(resolved_in_the_evening.met(), Some(true));
        let next_morning = at("2027-03-02T08:00:01+01:00");
        assert_eq!(
            clock.read(&hours, &zone, next_morning).status,
            ClockStatus::Breached
        );
        assert_eq!(reading.status_at(next_morning), ClockStatus::Breached);
    }

    #[test]
    fn a_paused_clock_stands_still_and_resumes_where_it_stopped() {
        let (hours, zone) = office();
        let mut clock = TargetClock::start(240, at("2027-03-01T09:00:00+01:00"));
        clock.pause(&hours, &zone, at("2027-03-01T11:00:00+01:00"));
        let paused = clock.read(&hours, &zone, at("2027-03-03T11:00:00+01:00"));
        assert_eq!(paused.phase, ClockPhase::Paused);
        assert_eq!(paused.used_seconds, 2 * 3600);
        assert_eq!(paused.due_at, None);
        // Waiting from Monday to Friday 17:00: two hours left, one today and one on Monday.
        clock.resume(at("2027-03-05T17:00:00+01:00"));
        let running = clock.read(&hours, &zone, at("2027-03-05T17:00:00+01:00"));
        assert_eq!(running.due_at, Some(at("2027-03-08T09:00:00+01:00")));
        assert_eq!(running.warning_at, Some(at("2027-03-05T18:00:00+01:00")));
        clock.stop(&hours, &zone, at("2027-03-08T08:30:00+01:00"));
        assert_eq!(clock.met(), Some(true));
        assert_eq!(clock.phase(), ClockPhase::Stopped);
    }

    #[test]
    fn a_reopened_record_keeps_the_time_it_used() {
        let (hours, zone) = office();
        let mut clock = TargetClock::start(60, at("2027-03-01T09:00:00+01:00"));
        clock.stop(&hours, &zone, at("2027-03-01T09:50:00+01:00"));
        assert_eq!(clock.met(), Some(true));
        clock.restart(at("2027-03-01T14:00:00+01:00"));
        let reading = clock.read(&hours, &zone, at("2027-03-01T14:00:00+01:00"));
        assert_eq!(reading.status, ClockStatus::Warning);
        assert_eq!(reading.due_at, Some(at("2027-03-01T14:10:00+01:00")));
        clock.stop(&hours, &zone, at("2027-03-01T14:20:00+01:00"));
        assert_eq!(clock.met(), Some(false));
    }

    #[test]
    fn a_clock_already_past_its_target_reads_breached_when_it_resumes() {
        let (hours, zone) = office();
        let mut clock = TargetClock::start(30, at("2027-03-01T09:00:00+01:00"));
        clock.pause(&hours, &zone, at("2027-03-01T10:00:00+01:00"));
        clock.resume(at("2027-03-02T09:00:00+01:00"));
        let reading = clock.read(&hours, &zone, at("2027-03-02T09:00:00+01:00"));
        assert_eq!(reading.status, ClockStatus::Breached);
        assert_eq!(reading.due_at, Some(at("2027-03-02T09:00:00+01:00")));
        assert_eq!(reading.warning_at, None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// However a clock is paused and resumed, it has used exactly the service time of its
        /// running stretches, and its due instant is where that time reaches the target.
        #[test]
        fn pauses_take_out_exactly_the_time_spent_waiting(
            target in 1u32..(5 * 24 * 60),
            stretches in proptest::collection::vec((0i64..(3 * 24 * 3600), 0i64..(3 * 24 * 3600)), 1..6),
            start in 1_790_000_000i64..1_850_000_000,
        ) {
            let (hours, zone) = office();
            let mut now = DateTime::from_timestamp(start, 0).unwrap();
            let mut clock = TargetClock::start(target, now);
            let mut counted = 0;
            for (running, waiting) in stretches {
                let until = now + Duration::seconds(running);
                counted += hours.seconds_between(&zone, now, until);
                clock.pause(&hours, &zone, until);
                now = until + Duration::seconds(waiting);
                clock.resume(now);
            }
            prop_assert_eq!(clock.used_at(&hours, &zone, now), counted);
            let reading = clock.read(&hours, &zone, now);
            prop_assert_eq!(reading.used_seconds, counted);
            // A queue row's standing, from the stored instants, agrees with the full reading
            // at any later instant.
            for later in [0i64, 3600, 86_400, 5 * 86_400] {
                let then = now + Duration::seconds(later);
                prop_assert_eq!(
                    clock.status_from_stored(reading.warning_at, reading.due_at, then),
                    clock.read(&hours, &zone, then).status
                );
            }
            let target_seconds = i64::from(target) * 60;
            if counted < target_seconds {
                let due = reading.due_at.unwrap();
                prop_assert_eq!(clock.used_at(&hours, &zone, due), target_seconds);
                prop_assert!(reading.status_at(due) < ClockStatus::Breached);
                prop_assert!(reading.status_at(due + Duration::seconds(1)) == ClockStatus::Breached);
                match reading.warning_at {
                    Some(warning) => prop_assert!(warning <= due && reading.status == ClockStatus::OnTrack),
                    None => prop_assert_eq!(reading.status, ClockStatus::Warning),
                }
            } else {
                prop_assert_eq!(reading.status_at(now), if counted > target_seconds {
                    ClockStatus::Breached
                } else {
                    ClockStatus::Warning
                });
            }
        }
    }
}
