//! Service management objectives (clause 6.2): each is measured by one KPI (the improvement
//! register's `Kpi`, so "met" means the same everywhere) on a fixed frequency, and is flagged
//! when it was never measured, when its measurement is overdue or when it misses its target.

use crate::error::FieldErrors;
use crate::model::improvement::{Direction, Kpi, Measurement, TargetVerdict};
use crate::model::labelled::labelled_enum;
use crate::model::refs::PersonRef;
use chrono::{Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum Frequency {
        Monthly => ("monthly", "Monthly"),
        Quarterly => ("quarterly", "Quarterly"),
        HalfYearly => ("half_yearly", "Half-yearly"),
        Yearly => ("yearly", "Yearly"),
    }
}

impl Frequency {
    pub fn months(self) -> u32 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::HalfYearly => 6,
            Frequency::Yearly => 12,
        }
    }

    /// Time allowed after the period ends to collect and record the figure.
    pub fn grace_days(self) -> i64 {
        match self {
            Frequency::Monthly => 10,
            Frequency::Quarterly | Frequency::HalfYearly => 21,
            Frequency::Yearly => 30,
        }
    }

    /// The last day a measurement after `last` is still on time.
    pub fn next_due(self, last: NaiveDate) -> NaiveDate {
        last.checked_add_months(Months::new(self.months()))
            .unwrap_or(last)
            + Duration::days(self.grace_days())
    }
}

/// What needs attention on an objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectiveFlag {
    NeverMeasured,
    /// The next measurement was due by `due` (frequency + grace after the latest one).
    MeasurementOverdue {
        due: NaiveDate,
    },
    NotMet,
}

impl ObjectiveFlag {
    pub fn label(self) -> String {
        match self {
            ObjectiveFlag::NeverMeasured => "Never measured".into(),
            ObjectiveFlag::MeasurementOverdue { due } => {
                format!("Measurement overdue since {due}")
            }
            ObjectiveFlag::NotMet => "Target not met".into(),
        }
    }

    /// Whether the flag asks for a new measurement.
    pub fn needs_measurement(self) -> bool {
        matches!(
            self,
            ObjectiveFlag::NeverMeasured | ObjectiveFlag::MeasurementOverdue { .. }
        )
    }
}

/// The flags of an objective measured by `kpi` every `frequency`, as of `today`.
pub fn flags(
    kpi: &Kpi,
    frequency: Frequency,
    measurements: &[Measurement],
    today: NaiveDate,
) -> Vec<ObjectiveFlag> {
    let Some(latest) = measurements.iter().map(|m| m.on).max() else {
        return vec![ObjectiveFlag::NeverMeasured];
    };
    let mut out = Vec::new();
    let due = frequency.next_due(latest);
    if due < today {
        out.push(ObjectiveFlag::MeasurementOverdue { due });
    }
    if kpi.verdict(measurements) == TargetVerdict::NotMet {
        out.push(ObjectiveFlag::NotMet);
    }
    out
}

/// The new-objective and edit forms as typed (numbers as text, so a typo gets a clear message).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectiveForm {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub owner_id: i64,
    #[serde(default)]
    pub service_id: Option<i64>,
    pub kpi_name: String,
    #[serde(default)]
    pub unit: String,
    pub baseline: String,
    pub target: String,
    /// `higher` or `lower`.
    pub direction: String,
    pub frequency: String,
}

/// A valid objective, ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedObjective {
    pub title: String,
    pub description: String,
    pub owner_id: i64,
    pub service_id: Option<i64>,
    pub kpi: Kpi,
    pub frequency: Frequency,
}

/// A typed number, or the field's message (`unreadable` for text that is not a number).
fn number(errors: &mut FieldErrors, field: &str, value: &str, unreadable: &str) -> Option<f64> {
    crate::model::typed::number(value)
        .map_err(|refusal| errors.add(field, refusal.message(unreadable)))
        .ok()
}

impl ObjectiveForm {
    pub fn check(&self) -> Result<CheckedObjective, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = crate::model::text::bounded(&mut errors, "title", "Title", &self.title, 5, 160);
        let description = crate::model::text::bounded(
            &mut errors,
            "description",
            "Description",
            &self.description,
            0,
            4_000,
        );
        let name =
            crate::model::text::bounded(&mut errors, "kpi_name", "KPI", &self.kpi_name, 3, 160);
        let unit = crate::model::text::bounded(&mut errors, "unit", "Unit", &self.unit, 0, 20);
        if self.owner_id <= 0 {
            errors.add("owner_id", "Choose the objective's owner from the list.");
        }
        let baseline = number(
            &mut errors,
            "baseline",
            &self.baseline,
            "Enter the baseline as a number, e.g. 88.5.",
        );
        let target = number(
            &mut errors,
            "target",
            &self.target,
            "Enter the target as a number, e.g. 95.",
        );
        let direction = Direction::parse(self.direction.trim());
        if direction.is_none() {
            errors.add(
                "direction",
                "Say whether higher or lower values are better.",
            );
        }
        let frequency = Frequency::parse(&self.frequency);
        if frequency.is_none() {
            errors.add(
                "frequency",
                "Choose how often it is measured: monthly, quarterly, half-yearly or yearly.",
            );
        }
        let (Some(baseline), Some(target), Some(direction), Some(frequency)) =
            (baseline, target, direction, frequency)
        else {
            return Err(errors);
        };
        let kpi = Kpi {
            name,
            unit,
            baseline,
            target,
            direction,
        };
        if let Err(why) = kpi.check() {
            errors.add("target", why);
        }
        errors.into_result(CheckedObjective {
            title,
            description,
            owner_id: self.owner_id,
            service_id: self.service_id.filter(|id| *id > 0),
            kpi,
            frequency,
        })
    }
}

/// A measurement as typed: the date (YYYY-MM-DD), the value and a note.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasurementForm {
    pub measured_on: String,
    pub value: String,
    #[serde(default)]
    pub note: String,
}

impl MeasurementForm {
    /// A date not in the future and not absurdly old, a number, a short note.
    pub fn check(&self, today: NaiveDate) -> Result<(NaiveDate, f64, String), FieldErrors> {
        let mut errors = FieldErrors::new();
        let on = crate::model::typed::date(&self.measured_on);
        match on {
            Err(refusal) => errors.add(
                "measured_on",
                refusal.message("Enter the date of the measurement."),
            ),
            Ok(on) if on > today => errors.add(
                "measured_on",
                "The measurement date cannot be in the future.",
            ),
            Ok(on) if on < today - Duration::days(365 * 10) => errors.add(
                "measured_on",
                "The measurement date is more than ten years ago.",
            ),
            Ok(_) => {}
        }
        let on = on.ok();
        let value = number(
            &mut errors,
            "value",
            &self.value,
            "Enter the measured value as a number.",
        );
        let note = crate::model::text::bounded(&mut errors, "note", "Note", &self.note, 0, 1_000);
        match (on, value) {
            (Some(on), Some(value)) if errors.is_empty() => Ok((on, value, note)),
            _ => Err(errors),
        }
    }
}

/// One objective as the list and the dashboard show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveSummary {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub owner: PersonRef,
    pub service: Option<crate::model::refs::ServiceRef>,
    pub kpi: Kpi,
    pub frequency: Frequency,
    pub latest: Option<Measurement>,
    pub verdict: TargetVerdict,
    pub flags: Vec<ObjectiveFlag>,
    pub retired: bool,
    pub version: i32,
}

impl ObjectiveSummary {
    pub fn needs_measurement(&self) -> bool {
        !self.retired && self.flags.iter().any(|f| f.needs_measurement())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasurementRow {
    pub id: i64,
    pub on: NaiveDate,
    pub value: f64,
    pub note: String,
    pub recorded_by: PersonRef,
}

/// One objective with every measurement, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveDetail {
    pub summary: ObjectiveSummary,
    pub measurements: Vec<MeasurementRow>,
}

impl ObjectiveDetail {
    pub fn points(&self) -> Vec<Measurement> {
        self.measurements
            .iter()
            .map(|m| Measurement {
                on: m.on,
                value: m.value,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn change_success() -> Kpi {
        Kpi {
            name: "Change success rate".into(),
            unit: "%".into(),
            baseline: 88.0,
            target: 95.0,
            direction: Direction::HigherIsBetter,
        }
    }

    fn m(on: &str, value: f64) -> Measurement {
        Measurement { on: day(on), value }
    }

    #[test]
    fn an_objective_never_measured_is_flagged() {
        let flags = flags(
            &change_success(),
            Frequency::Monthly,
            &[],
            day("2026-11-28"),
        );
        assert_eq!(flags, vec![ObjectiveFlag::NeverMeasured]);
        assert!(flags[0].needs_measurement());
    }

    #[test]
    fn a_measurement_is_overdue_after_the_frequency_and_its_grace() {
        let kpi = change_success();
        let values = [m("2026-09-30", 96.0)];
        // Monthly: due 30 October + 10 days = 9 November.
        assert_eq!(
            flags(&kpi, Frequency::Monthly, &values, day("2026-11-09")),
            vec![]
        );
        assert_eq!(
            flags(&kpi, Frequency::Monthly, &values, day("2026-11-10")),
            vec![ObjectiveFlag::MeasurementOverdue {
                due: day("2026-11-09")
            }]
        );
        // Quarterly: not yet.
        assert_eq!(
            flags(&kpi, Frequency::Quarterly, &values, day("2026-11-28")),
            vec![]
        );
    }

    #[test]
    fn the_latest_value_decides_whether_the_target_is_met() {
        let kpi = change_success();
        let values = [m("2026-10-31", 96.0), m("2026-11-27", 91.0)];
        assert_eq!(
            flags(&kpi, Frequency::Monthly, &values, day("2026-11-28")),
            vec![ObjectiveFlag::NotMet]
        );
        let lower = Kpi {
            name: "Emergency change ratio".into(),
            unit: "%".into(),
            baseline: 18.0,
            target: 10.0,
            direction: Direction::LowerIsBetter,
        };
        assert_eq!(
            flags(
                &lower,
                Frequency::Monthly,
                &[m("2026-11-27", 9.5)],
                day("2026-11-28")
            ),
            vec![]
        );
    }

    fn form() -> ObjectiveForm {
        ObjectiveForm {
            title: "Changes succeed".into(),
            description: String::new(),
            owner_id: 2,
            service_id: None,
            kpi_name: "Change success rate".into(),
            unit: "%".into(),
            baseline: "88".into(),
            target: "95,5 %".into(),
            direction: "higher".into(),
            frequency: "monthly".into(),
        }
    }

    #[test]
    fn an_objective_form_is_checked_field_by_field() {
        let ok = form().check().unwrap();
        assert_eq!(ok.kpi.target, 95.5);
        assert_eq!(ok.frequency, Frequency::Monthly);

        let errors = ObjectiveForm {
            title: "x".into(),
            baseline: "lots".into(),
            frequency: "weekly".into(),
            direction: "sideways".into(),
            owner_id: 0,
            ..form()
        }
        .check()
        .unwrap_err();
        for field in ["title", "baseline", "frequency", "direction", "owner_id"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        // A target that is no improvement on the baseline.
        let errors = ObjectiveForm {
            target: "80".into(),
            ..form()
        }
        .check()
        .unwrap_err();
        assert!(errors.get("target").is_some());
    }

    #[test]
    fn a_measurement_has_a_past_date_and_a_number() {
        let today = day("2026-11-28");
        let ok = MeasurementForm {
            measured_on: "2026-11-27".into(),
            value: "96.2".into(),
            note: " November ".into(),
        }
        .check(today)
        .unwrap();
        assert_eq!(ok, (day("2026-11-27"), 96.2, "November".into()));
        let errors = MeasurementForm {
            measured_on: "2026-12-01".into(),
            value: "n/a".into(),
            note: String::new(),
        }
        .check(today)
        .unwrap_err();
        assert!(errors.get("measured_on").is_some());
        assert!(errors.get("value").is_some());
    }

    proptest! {
        /// Flags agree with the measurements: never measured exactly when there are none,
        /// overdue exactly when the latest is older than frequency + grace, not met exactly
        /// when the KPI says so.
        #[test]
        fn flags_follow_the_measurements(
            ages in prop::collection::vec((0i64..800, 0.0f64..100.0), 0..6),
            freq in prop::sample::select(Frequency::ALL.to_vec()),
        ) {
            let today = day("2026-11-28");
            let kpi = change_success();
            let values: Vec<Measurement> = ages
                .iter()
                .map(|(age, v)| Measurement { on: today - Duration::days(*age), value: *v })
                .collect();
            let got = flags(&kpi, freq, &values, today);
            prop_assert_eq!(got.contains(&ObjectiveFlag::NeverMeasured), values.is_empty());
            if let Some(latest) = values.iter().map(|m| m.on).max() {
                let overdue = got.iter().any(|f| matches!(f, ObjectiveFlag::MeasurementOverdue { .. }));
                prop_assert_eq!(overdue, freq.next_due(latest) < today);
                prop_assert_eq!(got.contains(&ObjectiveFlag::NotMet), kpi.verdict(&values) == TargetVerdict::NotMet);
                prop_assert!(freq.next_due(latest) > latest);
            }
        }
    }
}
