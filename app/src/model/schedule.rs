//! The change schedule: planned windows, blackout and maintenance windows, and the conflicts
//! between them. Pure functions; times are UTC instants, windows are half-open [start, end),
//! so a change ending at 10:00 and another starting at 10:00 do not overlap.

use crate::model::labelled::labelled_enum;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Window {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Option<Self> {
        (start < end).then_some(Self { start, end })
    }

    /// A change's planned window, when it has both ends (and they are in order).
    pub fn planned(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> Option<Self> {
        Self::new(start?, end?)
    }

    pub fn overlaps(&self, other: &Window) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn contains(&self, other: &Window) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum WindowKind {
        /// Changes are forbidden (freeze).
        Blackout => ("blackout", "Blackout (change freeze)"),
        /// Changes to the covered services should land inside one of these.
        Maintenance => ("maintenance", "Maintenance window"),
    }
}

/// A blackout or maintenance window; `service_id: None` means it applies to every service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleWindow {
    pub id: i64,
    pub kind: WindowKind,
    pub name: String,
    pub service_id: Option<i64>,
    pub window: Window,
}

/// What conflict detection needs to know about one scheduled change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedChange {
    pub id: i64,
    pub window: Window,
    pub service_ids: Vec<i64>,
    pub implementer_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Conflict {
    /// Another change touches the same service at an overlapping time.
    SameService { other_change: i64, service_id: i64 },
    /// The change falls (partly) inside a blackout window.
    InBlackout { window_id: i64 },
    /// The change is not inside any maintenance window of a service that has them.
    OutsideMaintenance { service_id: i64 },
    /// An implementer is booked on another overlapping change.
    ImplementerDoubleBooked { other_change: i64, user_id: i64 },
}

/// All conflicts of every change, keyed by change id. Overlap checks sweep changes sorted by
/// start, per service and per implementer, so 10,000 changes take milliseconds, not a square.
pub fn detect(
    changes: &[PlannedChange],
    windows: &[ScheduleWindow],
) -> HashMap<i64, Vec<Conflict>> {
    let maintained: HashSet<i64> = windows
        .iter()
        .filter(|w| w.kind == WindowKind::Maintenance)
        .filter_map(|w| w.service_id)
        .collect();
    detect_in_slice(changes, windows, &maintained)
}

/// Conflicts found in a slice of the schedule: the changes and windows that overlap the
/// changes asked about, and the services that have maintenance windows at all (a service
/// with windows elsewhere in time still makes a change outside them a conflict). For the
/// changes asked about, the answer equals `detect` over the whole schedule.
pub fn detect_in_slice(
    changes: &[PlannedChange],
    windows: &[ScheduleWindow],
    maintained: &HashSet<i64>,
) -> HashMap<i64, Vec<Conflict>> {
    let mut found: HashMap<i64, Vec<Conflict>> = HashMap::new();

    let mut by_service: HashMap<i64, Vec<&PlannedChange>> = HashMap::new();
    let mut by_implementer: HashMap<i64, Vec<&PlannedChange>> = HashMap::new();
    for change in changes {
        for service in &change.service_ids {
            by_service.entry(*service).or_default().push(change);
        }
        for user in &change.implementer_ids {
            by_implementer.entry(*user).or_default().push(change);
        }
    }
    for (service_id, group) in by_service {
        for (a, b) in overlapping_pairs(group) {
            found.entry(a.id).or_default().push(Conflict::SameService {
                other_change: b.id,
                service_id,
            });
            found.entry(b.id).or_default().push(Conflict::SameService {
                other_change: a.id,
                service_id,
            });
        }
    }
    for (user_id, group) in by_implementer {
        for (a, b) in overlapping_pairs(group) {
            found
                .entry(a.id)
                .or_default()
                .push(Conflict::ImplementerDoubleBooked {
                    other_change: b.id,
                    user_id,
                });
            found
                .entry(b.id)
                .or_default()
                .push(Conflict::ImplementerDoubleBooked {
                    other_change: a.id,
                    user_id,
                });
        }
    }

    let blackouts: Vec<&ScheduleWindow> = windows
        .iter()
        .filter(|w| w.kind == WindowKind::Blackout)
        .collect();
    let mut maintenance: HashMap<Option<i64>, Vec<&ScheduleWindow>> = HashMap::new();
    for window in windows.iter().filter(|w| w.kind == WindowKind::Maintenance) {
        maintenance
            .entry(window.service_id)
            .or_default()
            .push(window);
    }
    for change in changes {
        for blackout in &blackouts {
            let applies = blackout
                .service_id
                .is_none_or(|s| change.service_ids.contains(&s));
            if applies && blackout.window.overlaps(&change.window) {
                found
                    .entry(change.id)
                    .or_default()
                    .push(Conflict::InBlackout {
                        window_id: blackout.id,
                    });
            }
        }
        for service_id in &change.service_ids {
            if !maintained.contains(service_id) {
                continue;
            }
            let own = maintenance.get(&Some(*service_id));
            let global = maintenance.get(&None);
            let inside = own
                .into_iter()
                .chain(global)
                .flatten()
                .any(|w| w.window.contains(&change.window));
            if !inside {
                found
                    .entry(change.id)
                    .or_default()
                    .push(Conflict::OutsideMaintenance {
                        service_id: *service_id,
                    });
            }
        }
    }
    for conflicts in found.values_mut() {
        conflicts.sort();
        conflicts.dedup();
    }
    found
}

/// Pairs of overlapping changes in `group`: sort by start, keep the ones still running.
fn overlapping_pairs(mut group: Vec<&PlannedChange>) -> Vec<(&PlannedChange, &PlannedChange)> {
    group.sort_by_key(|c| (c.window.start, c.id));
    let mut pairs = Vec::new();
    let mut running: Vec<&PlannedChange> = Vec::new();
    for change in group {
        running.retain(|r| r.window.end > change.window.start);
        for earlier in &running {
            if earlier.id != change.id {
                pairs.push((*earlier, change));
            }
        }
        running.push(change);
    }
    pairs
}

/// The blackout/maintenance window form as posted (times in the editor's time zone).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowForm {
    pub kind: String,
    pub name: String,
    /// Empty: every service.
    #[serde(default)]
    pub service_id: String,
    pub starts: String,
    pub ends: String,
}

/// A validated window form; local times become instants on the server, which knows zones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowDraft {
    pub kind: WindowKind,
    pub name: String,
    pub service_id: Option<i64>,
    pub starts: chrono::NaiveDateTime,
    pub ends: chrono::NaiveDateTime,
}

/// The longest window Conform accepts: a freeze over a whole year is a policy, not a window.
pub const WINDOW_MAX_DAYS: i64 = 92;

impl WindowForm {
    pub fn validate(&self) -> Result<WindowDraft, crate::error::FieldErrors> {
        let mut errors = crate::error::FieldErrors::new();
        let kind = WindowKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "Choose blackout or maintenance.");
        }
        let name = crate::model::text::line(&mut errors, "name", "Name", &self.name, 3, 120);
        let service_id = match self.service_id.trim() {
            "" => None,
            value => match value.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.add("service_id", format!("“{value}” is not a valid service."));
                    None
                }
            },
        };
        let starts = crate::model::typed::local_time_field(&mut errors, "starts", &self.starts);
        let ends = crate::model::typed::local_time_field(&mut errors, "ends", &self.ends);
        if self.starts.trim().is_empty() {
            errors.add("starts", "Enter when the window starts.");
        }
        if self.ends.trim().is_empty() {
            errors.add("ends", "Enter when the window ends.");
        }
        if let (Some(s), Some(e)) = (starts, ends) {
            if e <= s {
                errors.add("ends", "The window must end after it starts.");
            } else if (e - s).num_days() > WINDOW_MAX_DAYS {
                errors.add(
                    "ends",
                    format!("A window may last at most {WINDOW_MAX_DAYS} days."),
                );
            }
        }
        match (kind, starts, ends) {
            (Some(kind), Some(starts), Some(ends)) if errors.is_empty() => Ok(WindowDraft {
                kind,
                name,
                service_id,
                starts,
                ends,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn at(hour: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 28, 0, 0, 0).unwrap() + Duration::hours(hour)
    }

    fn change(
        id: i64,
        from: i64,
        to: i64,
        services: &[i64],
        implementers: &[i64],
    ) -> PlannedChange {
        PlannedChange {
            id,
            window: Window::new(at(from), at(to)).unwrap(),
            service_ids: services.to_vec(),
            implementer_ids: implementers.to_vec(),
        }
    }

    fn window(
        id: i64,
        kind: WindowKind,
        service_id: Option<i64>,
        from: i64,
        to: i64,
    ) -> ScheduleWindow {
        ScheduleWindow {
            id,
            kind,
            name: format!("w{id}"),
            service_id,
            window: Window::new(at(from), at(to)).unwrap(),
        }
    }

    #[test]
    fn touching_windows_do_not_conflict() {
        let conflicts = detect(
            &[change(1, 8, 10, &[7], &[]), change(2, 10, 12, &[7], &[])],
            &[],
        );
        assert!(conflicts.is_empty());
    }

    #[test]
    fn overlapping_changes_on_one_service_conflict_both_ways() {
        let conflicts = detect(
            &[
                change(1, 8, 11, &[7], &[]),
                change(2, 10, 12, &[7, 8], &[]),
                change(3, 9, 10, &[8], &[]),
            ],
            &[],
        );
        assert_eq!(
            conflicts[&1],
            vec![Conflict::SameService {
                other_change: 2,
                service_id: 7
            }]
        );
        assert_eq!(
            conflicts[&2],
            vec![Conflict::SameService {
                other_change: 1,
                service_id: 7
            }]
        );
        assert!(
            !conflicts.contains_key(&3),
            "service 8 changes do not overlap"
        );
    }

    #[test]
    fn implementers_cannot_be_in_two_places() {
        let conflicts = detect(
            &[change(1, 8, 11, &[1], &[42]), change(2, 9, 10, &[2], &[42])],
            &[],
        );
        assert_eq!(
            conflicts[&2],
            vec![Conflict::ImplementerDoubleBooked {
                other_change: 1,
                user_id: 42
            }]
        );
    }

    #[test]
    fn blackouts_apply_globally_or_per_service() {
        let windows = [
            window(10, WindowKind::Blackout, None, 0, 6),
            window(11, WindowKind::Blackout, Some(5), 20, 30),
        ];
        let conflicts = detect(
            &[
                change(1, 5, 7, &[1], &[]),
                change(2, 21, 22, &[1], &[]),
                change(3, 21, 22, &[5], &[]),
            ],
            &windows,
        );
        assert_eq!(conflicts[&1], vec![Conflict::InBlackout { window_id: 10 }]);
        assert!(!conflicts.contains_key(&2));
        assert_eq!(conflicts[&3], vec![Conflict::InBlackout { window_id: 11 }]);
    }

    #[test]
    fn changes_must_land_inside_their_services_maintenance_windows() {
        let windows = [window(20, WindowKind::Maintenance, Some(3), 22, 26)];
        let inside = change(1, 23, 25, &[3], &[]);
        let outside = change(2, 25, 27, &[3], &[]);
        let no_windows = change(3, 12, 13, &[4], &[]);
        let conflicts = detect(&[inside, outside, no_windows], &windows);
        assert_eq!(
            conflicts.get(&2),
            Some(&vec![Conflict::OutsideMaintenance { service_id: 3 }])
        );
        assert_eq!(conflicts.len(), 1);
    }

    #[test]
    fn dst_changes_nothing_because_instants_are_utc() {
        // 2026-03-29 01:00 UTC is when Europe/Berlin jumps from 02:00 to 03:00 local time.
        let berlin = chrono::FixedOffset::east_opt(3600).unwrap();
        let a_start = berlin
            .with_ymd_and_hms(2026, 3, 29, 1, 30, 0)
            .unwrap()
            .with_timezone(&Utc);
        let a_end = a_start + Duration::minutes(60);
        let b_start = a_end; // 03:30 local summer time, same instant as a's end
        let a = PlannedChange {
            id: 1,
            window: Window::new(a_start, a_end).unwrap(),
            service_ids: vec![1],
            implementer_ids: vec![],
        };
        let b = PlannedChange {
            id: 2,
            window: Window::new(b_start, b_start + Duration::minutes(30)).unwrap(),
            service_ids: vec![1],
            implementer_ids: vec![],
        };
        assert!(detect(&[a, b], &[]).is_empty());
    }

    proptest! {
        /// The sweep finds exactly the pairs a brute-force comparison finds.
        #[test]
        fn sweep_equals_brute_force(spans in proptest::collection::vec((0i64..100, 1i64..20, 0i64..3), 0..40)) {
            let changes: Vec<PlannedChange> = spans.iter().enumerate()
                .map(|(i, (start, length, service))| change(i as i64, *start, start + length, &[*service], &[]))
                .collect();
            let found = detect(&changes, &[]);
            for a in &changes {
                let mut expected: Vec<Conflict> = changes.iter()
                    .filter(|b| b.id != a.id && b.service_ids == a.service_ids && a.window.overlaps(&b.window))
                    .map(|b| Conflict::SameService { other_change: b.id, service_id: a.service_ids[0] })
                    .collect();
                expected.sort();
                prop_assert_eq!(found.get(&a.id).cloned().unwrap_or_default(), expected);
            }
        }

        /// What a page asks about: detection over only the changes and windows that overlap
        /// the asked-about changes (what the server reads) finds, for those changes, exactly
        /// what detection over the whole schedule finds.
        #[test]
        fn a_slice_around_some_changes_finds_their_whole_schedule_conflicts(
            spans in proptest::collection::vec((0i64..200, 1i64..30, 0i64..4, 0i64..4, 0i64..3), 1..40),
            frames in proptest::collection::vec((0i64..200, 1i64..60, 0i64..5, any::<bool>()), 0..12),
            asked in proptest::collection::vec(any::<proptest::sample::Index>(), 1..6),
        ) {
            let changes: Vec<PlannedChange> = spans.iter().enumerate()
                .map(|(i, (start, length, a, b, who))| {
                    let mut services = vec![*a];
                    if b != a { services.push(*b); }
                    change(i as i64, *start, start + length, &services, &[*who])
                })
                .collect();
            let windows: Vec<ScheduleWindow> = frames.iter().enumerate()
                .map(|(i, (start, length, service, blackout))| {
                    let kind = if *blackout { WindowKind::Blackout } else { WindowKind::Maintenance };
                    window(i as i64, kind, (*service < 4).then_some(*service), *start, start + length)
                })
                .collect();
            let asked: Vec<&PlannedChange> = asked.iter().map(|i| &changes[i.index(changes.len())]).collect();
            let near = |w: &Window| asked.iter().any(|a| a.window.overlaps(w));
            let slice: Vec<PlannedChange> = changes.iter().filter(|c| near(&c.window)).cloned().collect();
            let slice_windows: Vec<ScheduleWindow> = windows.iter().filter(|w| near(&w.window)).cloned().collect();
            let maintained: HashSet<i64> = windows.iter()
                .filter(|w| w.kind == WindowKind::Maintenance)
                .filter_map(|w| w.service_id)
                .collect();
            let whole = detect(&changes, &windows);
            let sliced = detect_in_slice(&slice, &slice_windows, &maintained);
            for a in asked {
                prop_assert_eq!(sliced.get(&a.id), whole.get(&a.id));
            }
        }
    }

    fn form(kind: &str, starts: &str, ends: &str) -> WindowForm {
        WindowForm {
            kind: kind.into(),
            name: "Year-end freeze".into(),
            service_id: String::new(),
            starts: starts.into(),
            ends: ends.into(),
        }
    }

    #[test]
    fn window_forms_need_a_kind_and_an_end_after_the_start() {
        let ok = form("blackout", "2026-12-20T00:00", "2027-01-04T00:00")
            .validate()
            .unwrap();
        assert_eq!(ok.kind, WindowKind::Blackout);
        assert_eq!(ok.service_id, None);

        let errors = form("freeze", "2026-12-20T00:00", "2026-12-20T00:00")
            .validate()
            .unwrap_err();
        assert!(errors.get("kind").is_some());
        assert_eq!(
            errors.get("ends"),
            Some("The window must end after it starts.")
        );

        let errors = form("maintenance", "tomorrow", "").validate().unwrap_err();
        assert!(errors.get("starts").is_some());
        assert!(errors.get("ends").is_some());

        let errors = form("maintenance", "2026-01-01T00:00", "2026-12-01T00:00")
            .validate()
            .unwrap_err();
        assert!(errors.get("ends").unwrap().contains("at most"));

        let mut bad_service = form("maintenance", "2026-12-01T00:00", "2026-12-01T04:00");
        bad_service.service_id = "-3".into();
        assert!(bad_service
            .validate()
            .unwrap_err()
            .get("service_id")
            .is_some());
    }
}
