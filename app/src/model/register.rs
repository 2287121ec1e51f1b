//! Improvement register entries as they cross the wire: the entry, its KPIs with measured
//! values, the form that creates or edits one, and the register's query.

use crate::error::FieldErrors;
use crate::model::improvement::{
    ClosureCode, Direction, Effort, ImprovementFacts, ImprovementState, Kpi, Measurement, Priority,
    Source, TargetVerdict,
};
use crate::model::refs::PersonRef;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// "IMP-00012".
pub fn improvement_reference(id: i64) -> String {
    format!("IMP-{id:05}")
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiRecord {
    pub id: i64,
    pub kpi: Kpi,
    /// Oldest first.
    pub measurements: Vec<Measurement>,
}

impl KpiRecord {
    pub fn verdict(&self) -> TargetVerdict {
        self.kpi.verdict(&self.measurements)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Improvement {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub source: Source,
    /// Where the trigger lives in Conform (`nonconformity:3`, `change:12`), if it does.
    pub source_ref: Option<String>,
    pub service_ids: Vec<i64>,
    pub clauses: Vec<String>,
    pub expected_benefit: String,
    pub benefit_score: Option<u8>,
    pub effort: Option<Effort>,
    pub owner: PersonRef,
    pub approver: Option<PersonRef>,
    pub target_date: Option<NaiveDate>,
    pub state: ImprovementState,
    pub outcome: String,
    pub verifier: Option<PersonRef>,
    pub closure_code: Option<ClosureCode>,
    pub closed_at: Option<DateTime<Utc>>,
    pub kpis: Vec<KpiRecord>,
    /// Who owned the entry before its current owner (they never decide on or verify it).
    pub former_owner_ids: Vec<i64>,
    /// Who named the current approver.
    pub approver_named_by: Option<i64>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Improvement {
    pub fn reference(&self) -> String {
        improvement_reference(self.id)
    }

    pub fn priority(&self) -> Option<Priority> {
        Some(Priority::of(self.benefit_score?, self.effort?))
    }

    /// Open and past its target date.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.state.is_open() && self.target_date.is_some_and(|due| due < today)
    }

    /// What the lifecycle rules need to know about this entry.
    pub fn facts(&self) -> ImprovementFacts {
        ImprovementFacts {
            state: self.state,
            owner_id: self.owner.id,
            approver_id: self.approver.as_ref().map(|a| a.id),
            evaluated: self.benefit_score.is_some() && self.effort.is_some(),
            has_outcome: self.has_outcome(),
            verifier_id: self.verifier.as_ref().map(|v| v.id),
            former_owner_ids: self.former_owner_ids.clone(),
            approver_named_by: self.approver_named_by,
        }
    }

    /// A measured outcome: a KPI value recorded, or the outcome written down.
    pub fn has_outcome(&self) -> bool {
        self.kpis.iter().any(|k| !k.measurements.is_empty()) || !self.outcome.trim().is_empty()
    }
}

/// Where an entry's source lives in Conform, as (label, address): `nonconformity:3` is
/// NC-00003, `change:12` is CHG-00012.
pub fn source_link(source_ref: &str) -> Option<(String, String)> {
    // An internal audit's finding names the audit by its reference: `IA-00005`.
    if let Some(id) = source_ref.trim().strip_prefix("IA-") {
        let id = id.parse::<i64>().ok().filter(|id| *id > 0)?;
        return Some((
            crate::model::internal_audit::audit_reference(id),
            format!("/compliance/audits/{id}"),
        ));
    }
    let (kind, id) = source_ref.split_once(':')?;
    // A gap names its assessment and sub-clause: `gap:3/8.5.1`.
    if kind.trim() == "gap" {
        let (assessment, clause) = gap_ref(id)?;
        return Some((
            format!("Gap assessment {assessment}, sub-clause {clause}"),
            format!("/compliance/gap/{assessment}#clause-{clause}"),
        ));
    }
    let id = id.trim().parse::<i64>().ok().filter(|id| *id > 0)?;
    match kind.trim() {
        "nonconformity" => Some((
            crate::model::nonconformity::nc_reference(id),
            format!("/nonconformities/{id}"),
        )),
        "change" => Some((
            crate::model::change_request::reference(id),
            format!("/changes/{id}"),
        )),
        "improvement" => Some((improvement_reference(id), format!("/improvements/{id}"))),
        "incident" => Some((
            crate::model::incident::reference(id),
            format!("/incidents/{id}"),
        )),
        "risk" => Some((
            crate::model::sms_risk::reference(id),
            format!("/risks/{id}"),
        )),
        _ => None,
    }
}

/// `3/8.5.1` → (3, "8.5.1") when the assessment id is positive and the sub-clause known.
fn gap_ref(value: &str) -> Option<(i64, &str)> {
    let (assessment, clause) = value.trim().split_once('/')?;
    let assessment = assessment.parse::<i64>().ok().filter(|id| *id > 0)?;
    crate::model::clauses::title(clause)?;
    Some((assessment, clause))
}

/// The entry form as posted (every field a string).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImprovementForm {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub source: String,
    #[serde(default)]
    pub source_ref: String,
    #[serde(default)]
    pub service_ids: Vec<String>,
    /// Clause numbers, comma separated ("8.5.1, 10.2").
    #[serde(default)]
    pub clauses: String,
    #[serde(default)]
    pub expected_benefit: String,
    #[serde(default)]
    pub benefit_score: String,
    #[serde(default)]
    pub effort: String,
    pub owner_id: String,
    #[serde(default)]
    pub approver_id: String,
    #[serde(default)]
    pub target_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImprovementDraft {
    pub title: String,
    pub description: String,
    pub source: Source,
    pub source_ref: Option<String>,
    pub service_ids: Vec<i64>,
    pub clauses: Vec<String>,
    pub expected_benefit: String,
    pub benefit_score: Option<u8>,
    pub effort: Option<Effort>,
    pub owner_id: i64,
    pub approver_id: Option<i64>,
    pub target_date: Option<NaiveDate>,
}

/// Parses "8.5.1, 10.2" into known clause numbers, reporting unknown ones.
pub fn parse_clauses(errors: &mut FieldErrors, field: &str, value: &str) -> Vec<String> {
    let mut clauses = Vec::new();
    for token in value
        .split([',', ';', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if crate::model::clauses::title(token).is_none() {
            errors.add(
                field,
                format!("“{token}” is not a clause of ISO/IEC 20000-1 (4.1 … 10.2)."),
            );
        } else if !clauses.iter().any(|c| c == token) {
            clauses.push(token.to_string());
        }
    }
    clauses
}

fn optional_id(errors: &mut FieldErrors, field: &str, value: &str) -> Option<i64> {
    match value.trim() {
        "" => None,
        value => match value.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.add(field, "Choose someone from the list.");
                None
            }
        },
    }
}

impl ImprovementForm {
    pub fn validate(&self) -> Result<ImprovementDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = crate::model::text::bounded(&mut errors, "title", "Title", &self.title, 5, 160);
        let description = crate::model::text::bounded(
            &mut errors,
            "description",
            "Description",
            &self.description,
            0,
            8000,
        );
        let expected_benefit = crate::model::text::bounded(
            &mut errors,
            "expected_benefit",
            "Expected benefit",
            &self.expected_benefit,
            0,
            4000,
        );
        let source = Source::parse_loose(&self.source);
        if source.is_none() {
            errors.add("source", "Choose where the improvement comes from.");
        }
        let source_ref = match self.source_ref.trim() {
            "" => None,
            value => {
                let valid = value.split_once(':').is_some_and(|(kind, id)| {
                    (kind == "gap" && gap_ref(id).is_some())
                        || matches!(
                            kind,
                            "nonconformity"
                                | "change"
                                | "exercise"
                                | "audit"
                                | "review"
                                | "incident"
                                | "risk"
                        ) && id.parse::<i64>().is_ok_and(|id| id > 0)
                });
                if !valid {
                    errors.add(
                        "source_ref",
                        "Link a record as kind:id, for example change:12.",
                    );
                }
                valid.then(|| value.to_string())
            }
        };
        let service_ids =
            crate::model::change_request::parse_ids(&mut errors, "service_ids", &self.service_ids);
        let clauses = parse_clauses(&mut errors, "clauses", &self.clauses);
        let benefit_score = match self.benefit_score.trim() {
            "" => None,
            value => match value.parse::<u8>() {
                Ok(score) if (1..=5).contains(&score) => Some(score),
                _ => {
                    errors.add(
                        "benefit_score",
                        "Score the benefit from 1 (little) to 5 (large).",
                    );
                    None
                }
            },
        };
        let effort = match self.effort.trim() {
            "" => None,
            value => {
                let effort = Effort::parse_loose(value);
                if effort.is_none() {
                    errors.add("effort", "Choose the effort: S, M, L or XL.");
                }
                effort
            }
        };
        let owner_id = optional_id(&mut errors, "owner_id", &self.owner_id);
        if owner_id.is_none() && errors.get("owner_id").is_none() {
            errors.add("owner_id", "Choose the owner.");
        }
        let approver_id = optional_id(&mut errors, "approver_id", &self.approver_id);
        if approver_id.is_some() && approver_id == owner_id {
            errors.add(
                "approver_id",
                "The approver must be someone other than the owner.",
            );
        }
        let target_date = match self.target_date.trim() {
            "" => None,
            value => match crate::model::typed::date(value) {
                Ok(date) if (2000..=2200).contains(&date.year()) => Some(date),
                Ok(_) => {
                    errors.add("target_date", "Choose a target date from 2000 to 2200.");
                    None
                }
                Err(refusal) => {
                    errors.add(
                        "target_date",
                        refusal.message("Enter the target date as YYYY-MM-DD."),
                    );
                    None
                }
            },
        };
        match (source, owner_id) {
            (Some(source), Some(owner_id)) if errors.is_empty() => Ok(ImprovementDraft {
                title,
                description,
                source,
                source_ref,
                service_ids,
                clauses,
                expected_benefit,
                benefit_score,
                effort,
                owner_id,
                approver_id,
                target_date,
            }),
            _ => Err(errors),
        }
    }
}

/// A KPI as entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KpiForm {
    pub name: String,
    #[serde(default)]
    pub unit: String,
    pub baseline: String,
    pub target: String,
    /// `higher` or `lower`.
    pub direction: String,
}

fn number(errors: &mut FieldErrors, field: &str, what: &str, value: &str) -> Option<f64> {
    crate::model::typed::number(value)
        .map_err(|refusal| {
            errors.add(
                field,
                refusal.message(&format!("Enter the {what} as a number.")),
            )
        })
        .ok()
}

impl KpiForm {
    pub fn validate(&self) -> Result<Kpi, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name =
            crate::model::text::bounded(&mut errors, "kpi_name", "KPI name", &self.name, 2, 120);
        let unit = crate::model::text::bounded(&mut errors, "kpi_unit", "Unit", &self.unit, 0, 30);
        let baseline = number(&mut errors, "kpi_baseline", "baseline", &self.baseline);
        let target = number(&mut errors, "kpi_target", "target", &self.target);
        let direction = Direction::parse(self.direction.trim());
        if direction.is_none() {
            errors.add("kpi_direction", "Say whether higher or lower is better.");
        }
        if let (Some(baseline), Some(target), Some(direction)) = (baseline, target, direction) {
            let kpi = Kpi {
                name,
                unit,
                baseline,
                target,
                direction,
            };
            if let Err(problem) = kpi.check() {
                errors.add("kpi_target", problem);
            }
            if errors.is_empty() {
                return Ok(kpi);
            }
        }
        Err(errors)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasurementForm {
    pub on: String,
    pub value: String,
}

impl MeasurementForm {
    pub fn validate(&self, today: NaiveDate) -> Result<Measurement, FieldErrors> {
        let mut errors = FieldErrors::new();
        let value = number(&mut errors, "measurement_value", "value", &self.value);
        let on = match crate::model::typed::date(&self.on) {
            Ok(on) if on > today => {
                errors.add("measurement_on", "A measurement cannot be in the future.");
                None
            }
            Ok(on) if on.year() < 2000 => {
                errors.add("measurement_on", "Enter a date from the year 2000 on.");
                None
            }
            Ok(on) => Some(on),
            Err(refusal) => {
                errors.add(
                    "measurement_on",
                    refusal.message("Enter the date as YYYY-MM-DD."),
                );
                None
            }
        };
        match (on, value) {
            (Some(on), Some(value)) if errors.is_empty() => Ok(Measurement { on, value }),
            _ => Err(errors),
        }
    }
}

use chrono::Datelike;

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ImprovementForm {
        ImprovementForm {
            title: "Cut repeat incidents on the portal".into(),
            source: "incident_trend".into(),
            clauses: "8.6.1, 10.2".into(),
            benefit_score: "4".into(),
            effort: "m".into(),
            owner_id: "3".into(),
            approver_id: "5".into(),
            target_date: "2027-03-31".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_form_becomes_a_draft() {
        let draft = form().validate().unwrap();
        assert_eq!(draft.source, Source::IncidentTrend);
        assert_eq!(draft.clauses, vec!["8.6.1", "10.2"]);
        assert_eq!(draft.effort, Some(Effort::M));
        assert_eq!(
            Priority::of(draft.benefit_score.unwrap(), draft.effort.unwrap()),
            Priority::Medium
        );
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = ImprovementForm {
            title: "x".into(),
            source: "rumour".into(),
            clauses: "8.5.1, 11.1".into(),
            benefit_score: "9".into(),
            effort: "XXL".into(),
            owner_id: "3".into(),
            approver_id: "3".into(),
            target_date: "soon".into(),
            source_ref: "ticket:abc".into(),
            ..Default::default()
        };
        let errors = bad.validate().unwrap_err();
        for field in [
            "title",
            "source",
            "clauses",
            "benefit_score",
            "effort",
            "approver_id",
            "target_date",
            "source_ref",
        ] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
        assert!(errors.get("clauses").unwrap().contains("11.1"));
    }

    #[test]
    fn kpis_and_measurements_are_checked() {
        let kpi = KpiForm {
            name: "Repeat incidents".into(),
            unit: "per month".into(),
            baseline: "40".into(),
            target: "25".into(),
            direction: "lower".into(),
        };
        assert!(kpi.validate().is_ok());
        let wrong_way = KpiForm {
            target: "60".into(),
            ..kpi.clone()
        };
        assert!(wrong_way
            .validate()
            .unwrap_err()
            .get("kpi_target")
            .is_some());
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert!(MeasurementForm {
            on: "2026-11-20".into(),
            value: "31,5".into()
        }
        .validate(today)
        .is_ok());
        assert!(MeasurementForm {
            on: "2026-12-20".into(),
            value: "31".into()
        }
        .validate(today)
        .is_err());
        assert!(MeasurementForm {
            on: "2026-11-20".into(),
            value: "NaN".into()
        }
        .validate(today)
        .is_err());
    }
}

/// The register table's query string: filters, sort and page (all optional strings, as
/// links and the filter form send them; anything unknown is ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegisterParams {
    pub q: String,
    pub state: String,
    pub source: String,
    pub priority: String,
    pub owner: String,
    pub service: String,
    pub clause: String,
    /// `yes`: only open entries past their target date.
    pub overdue: String,
    /// `reference` (default), `title`, `priority`, `target`, `state`.
    pub sort: String,
    /// `asc` or `desc`.
    pub dir: String,
    pub page: String,
    /// The id of the last entry of the page before this one (see `PageKey`).
    pub after: String,
    /// The id of the first entry of the page after this one.
    pub before: String,
}

pub const REGISTER_PAGE_SIZE: usize = 50;

impl RegisterParams {
    /// The entries that pass the filters, in the chosen order (ties by reference). The
    /// server runs the same query in SQL (`service::register::query`); this is its
    /// specification, and the service tests hold the two to the same answers.
    pub fn apply<'a>(&self, entries: &'a [Improvement], today: NaiveDate) -> Vec<&'a Improvement> {
        let text = self.q.trim().to_lowercase();
        let state = ImprovementState::parse_loose(&self.state);
        let source = Source::parse_loose(&self.source);
        let owner = self.owner.trim().parse::<i64>().ok();
        let service = self.service.trim().parse::<i64>().ok();
        let clause = self.clause.trim();
        let priority = Priority::parse_loose(&self.priority);
        let mut found: Vec<&Improvement> = entries
            .iter()
            .filter(|e| {
                text.is_empty()
                    || e.title.to_lowercase().contains(&text)
                    || e.reference().to_lowercase() == text
                    || e.description.to_lowercase().contains(&text)
            })
            .filter(|e| state.is_none_or(|s| e.state == s))
            .filter(|e| source.is_none_or(|s| e.source == s))
            .filter(|e| owner.is_none_or(|o| e.owner.id == o))
            .filter(|e| service.is_none_or(|s| e.service_ids.contains(&s)))
            .filter(|e| clause.is_empty() || e.clauses.iter().any(|c| c == clause))
            .filter(|e| priority.is_none() || e.priority() == priority)
            .filter(|e| self.overdue != "yes" || e.is_overdue(today))
            .collect();
        let descending = self.dir == "desc";
        found.sort_by(|a, b| {
            let order = match self.sort.as_str() {
                "title" => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
                "priority" => a.priority().cmp(&b.priority()),
                "target" => a.target_date.cmp(&b.target_date),
                "state" => a.state.cmp(&b.state),
                _ => std::cmp::Ordering::Equal,
            }
            .then(a.id.cmp(&b.id));
            if descending {
                order.reverse()
            } else {
                order
            }
        });
        found
    }

    pub fn page_number(&self) -> usize {
        self.page
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    /// Where this page starts, when a pager link said so.
    pub fn page_key(&self) -> Option<crate::model::listing::PageKey> {
        crate::model::listing::PageKey::parse(Some(&self.after), Some(&self.before))
    }

    /// The query string for this view at `page`, found by number.
    pub fn href(&self, page: usize) -> String {
        self.href_at(page, None)
    }

    /// The query string for this view at `page`, which starts at `key`.
    pub fn href_at(&self, page: usize, key: Option<crate::model::listing::PageKey>) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (key, value) in [
            ("q", &self.q),
            ("state", &self.state),
            ("source", &self.source),
            ("priority", &self.priority),
            ("owner", &self.owner),
            ("service", &self.service),
            ("clause", &self.clause),
            ("overdue", &self.overdue),
            ("sort", &self.sort),
            ("dir", &self.dir),
        ] {
            if !value.trim().is_empty() {
                pairs.push((key, value.trim().to_string()));
            }
        }
        if page > 1 {
            pairs.push(("page", page.to_string()));
            pairs.extend(key.map(crate::model::listing::PageKey::query_pair));
        }
        let query: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", crate::model::service::encode_component(&v)))
            .collect();
        if query.is_empty() {
            "/improvements".into()
        } else {
            format!("/improvements?{}", query.join("&"))
        }
    }
}

/// One status column of the Kanban.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardColumn {
    pub state: ImprovementState,
    /// The first cards, in the board's order.
    pub entries: Vec<Improvement>,
    /// How many entries match in this status (more than `entries` on a large register).
    pub total: usize,
}

/// Cards per Kanban column; the table pages through the rest.
pub const BOARD_COLUMN_LIMIT: usize = 100;

/// Counts for the register summary (all entries, not only the filtered ones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterSummary {
    pub by_state: Vec<(ImprovementState, usize)>,
    pub by_source: Vec<(Source, usize)>,
    /// Entries closed in each of the last six months ("2026-11"), oldest first.
    pub closed_per_month: Vec<(String, usize)>,
    pub overdue: usize,
}

/// One page of the register as the table shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterPage {
    pub items: Vec<Improvement>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub summary: RegisterSummary,
}

/// How many of `closed` fall in each of the six months up to `today`'s, oldest first.
pub fn closed_per_month(closed: &[DateTime<Utc>], today: NaiveDate) -> Vec<(String, usize)> {
    let mut months = Vec::new();
    let (mut year, mut month) = (today.year(), today.month());
    for _ in 0..6 {
        months.push((year, month));
        if month == 1 {
            year -= 1;
            month = 12;
        } else {
            month -= 1;
        }
    }
    months.reverse();
    months
        .into_iter()
        .map(|(y, m)| {
            let count = closed
                .iter()
                .filter(|at| at.year() == y && at.month() == m)
                .count();
            (format!("{y}-{m:02}"), count)
        })
        .collect()
}

/// Where a KPI's trend line, baseline and target fall in a chart of `width` × `height`
/// (y grows downwards, as in SVG). Values are spread evenly by date order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartGeometry {
    pub points: Vec<(f64, f64)>,
    pub baseline_y: f64,
    pub target_y: f64,
    pub low: f64,
    pub high: f64,
}

pub fn chart_geometry(
    kpi: &Kpi,
    measurements: &[Measurement],
    width: f64,
    height: f64,
) -> ChartGeometry {
    let mut values: Vec<&Measurement> = measurements.iter().collect();
    values.sort_by_key(|m| m.on);
    let mut low = kpi.baseline.min(kpi.target);
    let mut high = kpi.baseline.max(kpi.target);
    for m in &values {
        low = low.min(m.value);
        high = high.max(m.value);
    }
    // Some air above and below, and never a zero span.
    let pad = ((high - low) * 0.1).max(1e-9);
    let (low, high) = (low - pad, high + pad);
    let y = |value: f64| height - (value - low) / (high - low) * height;
    let step = if values.len() > 1 {
        width / (values.len() - 1) as f64
    } else {
        0.0
    };
    let points = values
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let x = if values.len() == 1 {
                width / 2.0
            } else {
                i as f64 * step
            };
            (x, y(m.value))
        })
        .collect();
    ChartGeometry {
        points,
        baseline_y: y(kpi.baseline),
        target_y: y(kpi.target),
        low,
        high,
    }
}

#[cfg(test)]
mod chart_tests {
    use super::*;

    #[test]
    fn the_chart_puts_higher_values_higher_and_spans_all_points() {
        let kpi = Kpi {
            name: "Resolution".into(),
            unit: "%".into(),
            baseline: 60.0,
            target: 80.0,
            direction: Direction::HigherIsBetter,
        };
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let values = [
            Measurement {
                on: day(20),
                value: 85.0,
            },
            Measurement {
                on: day(1),
                value: 55.0,
            },
        ];
        let g = chart_geometry(&kpi, &values, 300.0, 100.0);
        assert_eq!(g.points.len(), 2);
        // Sorted by date: the first point is the older, lower value.
        assert!(g.points[0].1 > g.points[1].1);
        assert_eq!(g.points[0].0, 0.0);
        assert_eq!(g.points[1].0, 300.0);
        assert!(g.target_y < g.baseline_y);
        assert!(g.points.iter().all(|(_, y)| (0.0..=100.0).contains(y)));
        let empty = chart_geometry(&kpi, &[], 300.0, 100.0);
        assert!(empty.points.is_empty() && empty.target_y < empty.baseline_y);
    }
}

#[cfg(test)]
mod source_link_tests {
    #[test]
    fn sources_in_conform_become_links_and_others_stay_text() {
        assert_eq!(
            super::source_link("nonconformity:3"),
            Some(("NC-00003".into(), "/nonconformities/3".into()))
        );
        assert_eq!(super::source_link("change:12").unwrap().1, "/changes/12");
        assert_eq!(super::source_link("ticket:12"), None);
        assert_eq!(
            super::source_link("IA-00005"),
            Some(("IA-00005".to_string(), "/compliance/audits/5".to_string()))
        );
        assert_eq!(super::source_link("IA-0"), None);
        assert_eq!(super::source_link("IA-x"), None);
        assert_eq!(super::source_link("change:-1"), None);
        assert_eq!(super::source_link("INC-4411"), None);
        assert_eq!(
            super::source_link("incident:7"),
            Some(("INC-7".to_string(), "/incidents/7".to_string()))
        );
    }
}

#[cfg(test)]
mod summary_tests {
    #[test]
    fn six_months_oldest_first_across_a_year_end() {
        let today = chrono::NaiveDate::from_ymd_opt(2027, 2, 10).unwrap();
        let months: Vec<String> = super::closed_per_month(&[], today)
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        assert_eq!(
            months,
            vec!["2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2027-02"]
        );
    }
}
