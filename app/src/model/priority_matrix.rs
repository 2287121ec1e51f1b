//! Priority from impact × urgency (clause 8.6.1): the organisation sets the matrix once, every
//! incident's priority is read from it, and the record shows the rule that gave it.

use crate::error::FieldErrors;
use crate::model::labelled::labelled_enum;
use serde::{Deserialize, Serialize};

labelled_enum! {
    /// How much of the service, and how many people, an incident affects.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum Impact {
        High => ("high", "High — a whole service or many users"),
        Medium => ("medium", "Medium — part of a service or a group of users"),
        Low => ("low", "Low — one user or a workaround exists"),
    }
}

labelled_enum! {
    /// How soon the business needs it fixed.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum Urgency {
        High => ("high", "High — work has stopped"),
        Medium => ("medium", "Medium — work is slowed"),
        Low => ("low", "Low — it can wait"),
    }
}

labelled_enum! {
    /// An incident's or request's priority: P1 is the most pressing. Agreements set their
    /// targets per priority.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum TicketPriority {
        P1 => ("p1", "P1 Critical"),
        P2 => ("p2", "P2 High"),
        P3 => ("p3", "P3 Moderate"),
        P4 => ("p4", "P4 Low"),
        P5 => ("p5", "P5 Planning"),
    }
}

impl Impact {
    /// The short word (the matrix's row heading).
    pub fn word(self) -> &'static str {
        self.label().split(" — ").next().unwrap_or_default()
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl Urgency {
    pub fn word(self) -> &'static str {
        self.label().split(" — ").next().unwrap_or_default()
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The matrix: `cells[impact][urgency]`, both from High to Low.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriorityMatrix {
    pub cells: [[TicketPriority; 3]; 3],
}

impl Default for PriorityMatrix {
    /// The usual ITIL matrix: the sum of the two ranks.
    fn default() -> Self {
        use TicketPriority::*;
        PriorityMatrix {
            cells: [[P1, P2, P3], [P2, P3, P4], [P3, P4, P5]],
        }
    }
}

impl PriorityMatrix {
    pub fn priority(&self, impact: Impact, urgency: Urgency) -> TicketPriority {
        self.cells[impact.index()][urgency.index()]
    }

    /// The rule that gave the priority, as the record shows it.
    pub fn rule(&self, impact: Impact, urgency: Urgency) -> String {
        format!(
            "Impact {} × urgency {} → {} (the organisation's priority matrix)",
            impact.word().to_lowercase(),
            urgency.word().to_lowercase(),
            self.priority(impact, urgency).label()
        )
    }

    /// The matrix as stored: rows of codes, impact high to low, `p1,p2,p3;p2,p3,p4;p3,p4,p5`.
    pub fn codes(&self) -> String {
        self.cells
            .map(|row| row.map(|p| p.as_str()).join(","))
            .join(";")
    }

    /// Reads what `codes` wrote; `None` for anything else.
    pub fn from_codes(stored: &str) -> Option<PriorityMatrix> {
        let mut matrix = PriorityMatrix::default();
        let rows: Vec<&str> = stored.split(';').collect();
        if rows.len() != 3 {
            return None;
        }
        for (i, row) in rows.into_iter().enumerate() {
            let cells: Vec<&str> = row.split(',').collect();
            if cells.len() != 3 {
                return None;
            }
            for (u, code) in cells.into_iter().enumerate() {
                matrix.cells[i][u] = TicketPriority::parse(code)?;
            }
        }
        Some(matrix)
    }

    /// A matrix is consistent when more impact or more urgency never lowers the priority.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        for impact in Impact::ALL {
            for urgency in Urgency::ALL {
                let here = self.priority(impact, urgency);
                let field = cell_field(impact, urgency);
                let worse_impact = Impact::ALL.into_iter().filter(|i| *i < impact);
                let worse_urgency = Urgency::ALL.into_iter().filter(|u| *u < urgency);
                let lower = worse_impact
                    .map(|i| (i.word(), urgency.word(), self.priority(i, urgency)))
                    .chain(
                        worse_urgency.map(|u| (impact.word(), u.word(), self.priority(impact, u))),
                    )
                    .find(|(_, _, p)| *p > here);
                if let Some((i, u, p)) = lower {
                    errors.add(
                        &field,
                        format!(
                            "{} is more pressing than impact {} × urgency {} ({}): more impact or urgency never lowers the priority.",
                            here.label(),
                            i.to_lowercase(),
                            u.to_lowercase(),
                            p.label()
                        ),
                    );
                }
            }
        }
        errors.into_result(())
    }

    /// The matrix as a form posts it: one field per cell.
    pub fn from_fields(
        read: impl Fn(&str) -> Option<String>,
    ) -> Result<PriorityMatrix, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut matrix = PriorityMatrix::default();
        for impact in Impact::ALL {
            for urgency in Urgency::ALL {
                let field = cell_field(impact, urgency);
                match read(&field).as_deref().and_then(TicketPriority::parse) {
                    Some(p) => matrix.cells[impact.index()][urgency.index()] = p,
                    None => errors.add(&field, "Choose a priority for this cell."),
                }
            }
        }
        errors.into_result(matrix)?;
        matrix.validate()?;
        Ok(matrix)
    }
}

/// What the organisation sets once for every incident: the priority matrix and how long a
/// resolved incident may be reopened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLevelSettings {
    pub matrix: PriorityMatrix,
    pub reopen_days: u32,
    pub version: i32,
}

/// The longest reopen period an organisation may set.
pub const MAX_REOPEN_DAYS: u32 = 90;

/// A reopen period from 0 (never reopened) to `MAX_REOPEN_DAYS` days.
pub fn check_reopen_days(days: u32) -> Result<u32, FieldErrors> {
    let mut errors = FieldErrors::new();
    if days > MAX_REOPEN_DAYS {
        errors.add(
            "reopen_days",
            format!("Give whole days from 0 to {MAX_REOPEN_DAYS}."),
        );
    }
    errors.into_result(days)
}

/// The form field of one cell: `cell_high_low`.
pub fn cell_field(impact: Impact, urgency: Urgency) -> String {
    format!("cell_{}_{}", impact.as_str(), urgency.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    #[test]
    fn the_default_matrix_reads_like_the_itil_table() {
        let m = PriorityMatrix::default();
        assert_eq!(m.priority(Impact::High, Urgency::High), TicketPriority::P1);
        assert_eq!(m.priority(Impact::High, Urgency::Low), TicketPriority::P3);
        assert_eq!(m.priority(Impact::Low, Urgency::Low), TicketPriority::P5);
        assert_eq!(
            m.rule(Impact::Medium, Urgency::High),
            "Impact medium × urgency high → P2 High (the organisation's priority matrix)"
        );
        assert!(m.validate().is_ok());
        assert_eq!(m.codes(), "p1,p2,p3;p2,p3,p4;p3,p4,p5");
        assert_eq!(PriorityMatrix::from_codes(&m.codes()), Some(m));
        assert_eq!(PriorityMatrix::from_codes("p1,p2;p3"), None);
    }

    #[test]
    fn a_form_with_a_missing_or_inverted_cell_is_refused() {
        let mut fields: HashMap<String, String> = HashMap::new();
        for i in Impact::ALL {
            for u in Urgency::ALL {
                let p = PriorityMatrix::default().priority(i, u);
                fields.insert(cell_field(i, u), p.as_str().into());
            }
        }
        let read = |f: &HashMap<String, String>| {
            let f = f.clone();
            PriorityMatrix::from_fields(move |k| f.get(k).cloned())
        };
        assert_eq!(read(&fields).unwrap(), PriorityMatrix::default());
        fields.insert("cell_low_low".into(), "p1".into());
        let errors = read(&fields).unwrap_err();
        assert!(errors.get("cell_low_low").unwrap().contains("never lowers"));
        fields.insert("cell_low_low".into(), "p9".into());
        assert!(read(&fields)
            .unwrap_err()
            .get("cell_low_low")
            .unwrap()
            .contains("Choose"));
    }

    fn any_matrix() -> impl Strategy<Value = PriorityMatrix> {
        proptest::array::uniform3(proptest::array::uniform3(0usize..5)).prop_map(|cells| {
            PriorityMatrix {
                cells: cells.map(|row| row.map(|p| TicketPriority::ALL[p])),
            }
        })
    }

    proptest! {
        /// A matrix passes exactly when raising impact or urgency never lowers the priority.
        #[test]
        fn validation_is_monotonicity(m in any_matrix()) {
            let monotone = Impact::ALL.into_iter().all(|i1| Impact::ALL.into_iter().all(|i2| {
                Urgency::ALL.into_iter().all(|u1| Urgency::ALL.into_iter().all(|u2| {
                    !(i1 <= i2 && u1 <= u2) || m.priority(i1, u1) <= m.priority(i2, u2)
                }))
            }));
            prop_assert_eq!(m.validate().is_ok(), monotone);
        }
    }
}
