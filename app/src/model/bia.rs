//! Business impact analysis of a service (clause 8.7.2): how bad an outage gets over time in
//! each impact category, the maximum tolerable period of disruption (MTPD) that follows, and
//! the recovery time and point objectives the service owner sets against it.

use crate::error::FieldErrors;
use crate::model::labelled::labelled_enum;
use crate::model::service::Criticality;
use serde::{Deserialize, Serialize};

/// The moments after the start of an outage at which impact is assessed, in minutes.
pub const TIME_POINTS: [u32; 5] = [60, 240, 1440, 4320, 10080];

pub fn time_point_label(minutes: u32) -> &'static str {
    match minutes {
        60 => "1 hour",
        240 => "4 hours",
        1440 => "1 day",
        4320 => "3 days",
        10080 => "1 week",
        _ => "—",
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ImpactCategory {
        Financial => ("financial", "Financial"),
        Customer => ("customer", "Customer / contractual"),
        Regulatory => ("regulatory", "Regulatory"),
        Reputational => ("reputational", "Reputational"),
        Safety => ("safety", "Safety"),
    }
}

/// 0 none … 4 severe. Severe means the organisation cannot tolerate it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ImpactLevel(pub u8);

impl ImpactLevel {
    pub const SEVERE: ImpactLevel = ImpactLevel(4);

    pub fn label(self) -> &'static str {
        match self.0 {
            0 => "None",
            1 => "Minor",
            2 => "Moderate",
            3 => "Major",
            _ => "Severe",
        }
    }
}

/// Impact per category (rows, in `ImpactCategory::ALL` order) at each time point (columns).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImpactGrid(pub Vec<Vec<ImpactLevel>>);

impl ImpactGrid {
    pub fn empty() -> Self {
        ImpactGrid(vec![
            vec![ImpactLevel(0); TIME_POINTS.len()];
            ImpactCategory::ALL.len()
        ])
    }

    pub fn at(&self, category: usize, point: usize) -> ImpactLevel {
        self.0
            .get(category)
            .and_then(|row| row.get(point))
            .copied()
            .unwrap_or(ImpactLevel(0))
    }

    /// Suggested MTPD: the first time point at which any category becomes severe (impact
    /// only grows with time, so a later point is never less severe); none if it never does.
    pub fn mtpd_suggestion(&self) -> Option<u32> {
        (0..TIME_POINTS.len())
            .find(|p| (0..ImpactCategory::ALL.len()).any(|c| self.at(c, *p) >= ImpactLevel::SEVERE))
            .map(|p| TIME_POINTS[p])
    }

    /// Impact never drops as an outage goes on; a grid that says so is mistyped.
    pub fn decreasing_rows(&self) -> Vec<ImpactCategory> {
        ImpactCategory::ALL
            .into_iter()
            .enumerate()
            .filter(|(c, _)| (1..TIME_POINTS.len()).any(|p| self.at(*c, p) < self.at(*c, p - 1)))
            .map(|(_, category)| category)
            .collect()
    }
}

/// The objectives the service owner sets, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objectives {
    pub mtpd: u32,
    pub rto: u32,
    pub rpo: u32,
}

/// Checks objectives against the rule RTO ≤ MTPD (and that each is positive and sensible).
pub fn check_objectives(objectives: &Objectives, grid: &ImpactGrid) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if objectives.mtpd == 0 {
        errors.add(
            "mtpd",
            "The maximum tolerable period of disruption must be more than zero.",
        );
    }
    if objectives.rto == 0 {
        errors.add("rto", "The recovery time objective must be more than zero.");
    } else if objectives.rto > objectives.mtpd && objectives.mtpd > 0 {
        errors.add(
            "rto",
            format!(
                "The RTO ({}) cannot be longer than the MTPD ({}): the service would be back only after the disruption became intolerable.",
                crate::model::recovery::minutes_text(objectives.rto),
                crate::model::recovery::minutes_text(objectives.mtpd)
            ),
        );
    }
    if objectives.rpo > 10080 * 4 {
        errors.add(
            "rpo",
            "An RPO of more than four weeks is not a recovery point objective.",
        );
    }
    let decreasing = grid.decreasing_rows();
    if !decreasing.is_empty() {
        errors.add(
            "impacts",
            format!(
                "Impact cannot drop as an outage goes on; check {}.",
                decreasing
                    .iter()
                    .map(|c| c.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
    }
    errors.into_result(())
}

/// The catalogue criticality an impact analysis implies, read from its MTPD: the sooner an
/// outage becomes intolerable, the more critical the service.
///
/// | MTPD            | Criticality |
/// |-----------------|-------------|
/// | up to 4 hours   | Critical    |
/// | up to 1 day     | High        |
/// | up to 3 days    | Medium      |
/// | longer          | Low         |
///
/// The bands sit on the BIA's own time points, so an MTPD suggested by the grid lands
/// clearly in one of them.
pub fn implied_criticality(mtpd_minutes: u32) -> Criticality {
    match mtpd_minutes {
        0..=240 => Criticality::Critical,
        241..=1440 => Criticality::High,
        1441..=4320 => Criticality::Medium,
        _ => Criticality::Low,
    }
}

/// The criticality the catalogue should be raised to, when the analysis implies more than it
/// says. Never lower: a catalogue entry above its BIA is a deliberate choice (contracts,
/// reputation), and lowering it is the service owner's decision, not an automatic one.
pub fn raised_criticality(catalogue: Criticality, mtpd_minutes: u32) -> Option<Criticality> {
    let implied = implied_criticality(mtpd_minutes);
    (implied > catalogue).then_some(implied)
}

/// A dependency whose own RTO is longer than the dependent service's cannot be back in time.
pub fn late_dependencies(rto: u32, dependencies: &[(String, Option<u32>)]) -> Vec<&str> {
    dependencies
        .iter()
        .filter(|(_, their)| their.is_some_and(|r| r > rto))
        .map(|(name, _)| name.as_str())
        .collect()
}

/// A supplier the service needs, with how fast it promises to recover (if known).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supplier {
    pub name: String,
    pub rto_minutes: Option<u32>,
    /// Its entry in the supplier register (every saved line has one).
    #[serde(default)]
    pub supplier_id: Option<i64>,
}

/// A service's business impact analysis as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bia {
    pub service_id: i64,
    pub service_name: String,
    pub impacts: ImpactGrid,
    /// None until the service owner has set them.
    pub objectives: Option<Objectives>,
    /// Services this one needs, with their own RTO where they have a BIA.
    pub depends_on: Vec<(i64, String, Option<u32>)>,
    pub suppliers: Vec<Supplier>,
    /// 0 before the first save.
    pub version: i32,
    pub updated_by: Option<String>,
}

impl Bia {
    /// Dependencies (services and suppliers) that would be back later than this service.
    pub fn late_dependencies(&self) -> Vec<String> {
        let Some(objectives) = self.objectives else {
            return Vec::new();
        };
        let all: Vec<(String, Option<u32>)> = self
            .depends_on
            .iter()
            .map(|(_, name, rto)| (name.clone(), *rto))
            .chain(
                self.suppliers
                    .iter()
                    .map(|s| (s.name.clone(), s.rto_minutes)),
            )
            .collect();
        late_dependencies(objectives.rto, &all)
            .into_iter()
            .map(str::to_string)
            .collect()
    }
}

/// The BIA form as posted: the grid as 25 levels ("0"–"4", row by row), durations as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BiaForm {
    #[serde(default)]
    pub impacts: Vec<String>,
    #[serde(default)]
    pub mtpd: String,
    #[serde(default)]
    pub rto: String,
    #[serde(default)]
    pub rpo: String,
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// One supplier per line: "Name; 4 h" (the recovery time is optional).
    #[serde(default)]
    pub suppliers: String,
}

/// What a valid BIA form holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BiaDraft {
    pub impacts: ImpactGrid,
    pub objectives: Objectives,
    pub depends_on: Vec<i64>,
    pub suppliers: Vec<Supplier>,
}

impl BiaForm {
    pub fn validate(&self) -> Result<BiaDraft, FieldErrors> {
        use crate::model::recovery::parse_minutes;
        let mut errors = FieldErrors::new();
        let cells = ImpactCategory::ALL.len() * TIME_POINTS.len();
        let mut impacts = ImpactGrid::empty();
        if self.impacts.len() != cells {
            errors.add(
                "impacts",
                format!("Give an impact level for each of the {cells} cells."),
            );
        } else {
            for (i, value) in self.impacts.iter().enumerate() {
                match value.trim().parse::<u8>() {
                    Ok(level) if level <= 4 => {
                        impacts.0[i / TIME_POINTS.len()][i % TIME_POINTS.len()] = ImpactLevel(level)
                    }
                    _ => errors.add("impacts", "Impact levels go from 0 (none) to 4 (severe)."),
                }
            }
        }
        let mut duration = |field: &str, label: &str, value: &str, allow_zero: bool| {
            match parse_minutes(value) {
                Some(minutes) if minutes > 0 || allow_zero => Some(minutes),
                _ => {
                    errors.add(
                        field,
                        format!(
                            "Enter the {label} as a duration such as 4 h, 1 d or 90 min (at most 366 days)."
                        ),
                    );
                    None
                }
            }
        };
        let mtpd = duration("mtpd", "MTPD", &self.mtpd, false);
        let rto = duration("rto", "RTO", &self.rto, false);
        let rpo = duration("rpo", "RPO", &self.rpo, true);
        let depends_on =
            crate::model::change_request::parse_ids(&mut errors, "depends_on", &self.depends_on);
        let mut suppliers = Vec::new();
        for (n, line) in self.suppliers.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let (name, rto) = match line.split_once(';') {
                Some((name, rto)) => (name.trim(), Some(rto.trim())),
                None => (line, None),
            };
            if name.chars().count() < 2 || name.chars().count() > 120 {
                errors.add(
                    "suppliers",
                    format!("Line {}: give the supplier's name.", n + 1),
                );
                continue;
            }
            let rto_minutes = match rto.filter(|r| !r.is_empty()) {
                None => None,
                Some(text) => match parse_minutes(text) {
                    Some(minutes) => Some(minutes),
                    None => {
                        errors.add(
                            "suppliers",
                            format!(
                                "Line {}: “{text}” is not a duration of at most 366 days (e.g. 4 h).",
                                n + 1
                            ),
                        );
                        None
                    }
                },
            };
            suppliers.push(Supplier {
                name: name.to_string(),
                rto_minutes,
                supplier_id: None,
            });
        }
        if suppliers.len() > 50 {
            errors.add("suppliers", "List at most 50 suppliers.");
        }
        if let (Some(mtpd), Some(rto), Some(rpo)) = (mtpd, rto, rpo) {
            let objectives = Objectives { mtpd, rto, rpo };
            if let Err(found) = check_objectives(&objectives, &impacts) {
                for (field, message) in found.0 {
                    errors.add(&field, message);
                }
            }
            if errors.is_empty() {
                return Ok(BiaDraft {
                    impacts,
                    objectives,
                    depends_on,
                    suppliers,
                });
            }
        }
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn grid(rows: [[u8; 5]; 5]) -> ImpactGrid {
        ImpactGrid(
            rows.iter()
                .map(|r| r.iter().map(|l| ImpactLevel(*l)).collect())
                .collect(),
        )
    }

    #[test]
    fn the_mtpd_is_where_any_impact_first_becomes_severe() {
        let g = grid([
            [0, 1, 2, 3, 4],
            [1, 2, 4, 4, 4],
            [0, 0, 1, 2, 3],
            [0, 1, 1, 2, 2],
            [0, 0, 0, 0, 0],
        ]);
        assert_eq!(g.mtpd_suggestion(), Some(1440));
        assert_eq!(ImpactGrid::empty().mtpd_suggestion(), None);
    }

    #[test]
    fn rto_longer_than_mtpd_is_refused() {
        let g = ImpactGrid::empty();
        let fine = Objectives {
            mtpd: 1440,
            rto: 240,
            rpo: 60,
        };
        assert!(check_objectives(&fine, &g).is_ok());
        let late = Objectives {
            mtpd: 240,
            rto: 1440,
            rpo: 60,
        };
        let errors = check_objectives(&late, &g).unwrap_err();
        assert!(errors
            .get("rto")
            .unwrap()
            .contains("cannot be longer than the MTPD"));
        let equal = Objectives {
            mtpd: 240,
            rto: 240,
            rpo: 0,
        };
        assert!(check_objectives(&equal, &g).is_ok());
    }

    #[test]
    fn impact_that_drops_over_time_is_flagged() {
        let mut g = ImpactGrid::empty();
        g.0[1] = vec![
            ImpactLevel(3),
            ImpactLevel(1),
            ImpactLevel(1),
            ImpactLevel(1),
            ImpactLevel(1),
        ];
        let errors = check_objectives(
            &Objectives {
                mtpd: 60,
                rto: 60,
                rpo: 0,
            },
            &g,
        )
        .unwrap_err();
        assert!(errors
            .get("impacts")
            .unwrap()
            .contains("Customer / contractual"));
    }

    #[test]
    fn a_dependency_slower_than_the_service_is_flagged() {
        let deps = vec![
            ("Network".to_string(), Some(60)),
            ("Supplier X".to_string(), Some(2880)),
            ("No BIA".to_string(), None),
        ];
        assert_eq!(late_dependencies(240, &deps), vec!["Supplier X"]);
    }

    #[test]
    fn the_mtpd_implies_a_criticality_on_the_bias_time_points() {
        for (mtpd, expected) in [
            (60, Criticality::Critical),
            (240, Criticality::Critical),
            (241, Criticality::High),
            (1440, Criticality::High),
            (1441, Criticality::Medium),
            (4320, Criticality::Medium),
            (4321, Criticality::Low),
            (10080, Criticality::Low),
        ] {
            assert_eq!(implied_criticality(mtpd), expected, "MTPD {mtpd} min");
        }
    }

    #[test]
    fn the_catalogue_is_raised_but_never_lowered() {
        assert_eq!(
            raised_criticality(Criticality::Medium, 240),
            Some(Criticality::Critical)
        );
        assert_eq!(raised_criticality(Criticality::High, 1440), None, "same");
        assert_eq!(raised_criticality(Criticality::Critical, 10080), None);
    }

    fn form(rto: &str, mtpd: &str) -> BiaForm {
        BiaForm {
            impacts: (0..25).map(|i| (i % 5).min(4).to_string()).collect(),
            mtpd: mtpd.into(),
            rto: rto.into(),
            rpo: "1 h".into(),
            depends_on: vec![],
            suppliers: "Hosting partner; 2 d\nPrint shop\n\n".into(),
        }
    }

    #[test]
    fn the_form_reads_durations_and_suppliers_and_enforces_the_rule() {
        let draft = form("4 h", "1 d").validate().unwrap();
        assert_eq!(
            draft.objectives,
            Objectives {
                mtpd: 1440,
                rto: 240,
                rpo: 60
            }
        );
        assert_eq!(draft.suppliers.len(), 2);
        assert_eq!(draft.suppliers[0].rto_minutes, Some(2880));
        assert_eq!(draft.impacts.mtpd_suggestion(), Some(10080));
        let late = form("2 d", "1 d").validate().unwrap_err();
        assert!(late.get("rto").unwrap().contains("cannot be longer"));
        let mut bad = form("soon", "1 d");
        bad.impacts[3] = "7".into();
        bad.suppliers = "X; tomorrow".into();
        let errors = bad.validate().unwrap_err();
        for field in ["rto", "impacts", "suppliers"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    proptest! {
        #[test]
        fn a_shorter_mtpd_never_implies_a_lower_criticality(a in 1u32..20000, b in 1u32..20000) {
            let (short, long) = (a.min(b), a.max(b));
            prop_assert!(implied_criticality(short) >= implied_criticality(long));
        }

        #[test]
        fn a_raise_is_always_upwards(mtpd in 1u32..20000, rank in 1i16..=4) {
            let catalogue = Criticality::from_rank(rank).unwrap();
            match raised_criticality(catalogue, mtpd) {
                Some(raised) => prop_assert!(raised > catalogue),
                None => prop_assert!(implied_criticality(mtpd) <= catalogue),
            }
        }

        #[test]
        fn rto_within_mtpd_is_exactly_what_passes(mtpd in 1u32..20000, rto in 1u32..20000) {
            let result = check_objectives(&Objectives { mtpd, rto, rpo: 0 }, &ImpactGrid::empty());
            prop_assert_eq!(result.is_ok(), rto <= mtpd);
        }
    }
}
