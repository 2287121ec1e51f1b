//! Importing an existing improvement register from CSV (`model::csv_import`): the columns
//! of the file and what goes in each.

use crate::model::csv_import::ImportColumn;
use serde::{Deserialize, Serialize};

/// A column of the import file. Headers match case-insensitively; the export's own headers
/// are all understood, so an exported register imports again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegisterColumn {
    Reference,
    Title,
    Description,
    Source,
    Services,
    Clauses,
    ExpectedBenefit,
    BenefitScore,
    Effort,
    Owner,
    Approver,
    TargetDate,
}

impl ImportColumn for RegisterColumn {
    const ALL: &'static [RegisterColumn] = &[
        RegisterColumn::Reference,
        RegisterColumn::Title,
        RegisterColumn::Description,
        RegisterColumn::Source,
        RegisterColumn::Services,
        RegisterColumn::Clauses,
        RegisterColumn::ExpectedBenefit,
        RegisterColumn::BenefitScore,
        RegisterColumn::Effort,
        RegisterColumn::Owner,
        RegisterColumn::Approver,
        RegisterColumn::TargetDate,
    ];

    fn header(self) -> &'static str {
        match self {
            RegisterColumn::Reference => "Reference",
            RegisterColumn::Title => "Title",
            RegisterColumn::Description => "Description",
            RegisterColumn::Source => "Source",
            RegisterColumn::Services => "Services",
            RegisterColumn::Clauses => "Clauses",
            RegisterColumn::ExpectedBenefit => "Expected benefit",
            RegisterColumn::BenefitScore => "Benefit score",
            RegisterColumn::Effort => "Effort",
            RegisterColumn::Owner => "Owner",
            RegisterColumn::Approver => "Approver",
            RegisterColumn::TargetDate => "Target date",
        }
    }

    fn help(self) -> &'static str {
        match self {
            RegisterColumn::Reference => "Optional. An IMP- reference already in this register with the same title marks the row as present (skipped).",
            RegisterColumn::Title => "Required, 5–160 characters.",
            RegisterColumn::Description => "Optional.",
            RegisterColumn::Source => "Required: Audit finding, Nonconformity, Incident trend, Problem trend, Change review, Continuity exercise, Management review, Customer feedback or Staff suggestion.",
            RegisterColumn::Services => "Optional: service names from the catalogue, separated by ; or ,.",
            RegisterColumn::Clauses => "Optional: clause numbers such as 8.5.1, 10.2.",
            RegisterColumn::ExpectedBenefit => "Optional.",
            RegisterColumn::BenefitScore => "Optional: 1–5 (with an effort, it gives the priority).",
            RegisterColumn::Effort => "Optional: S, M, L or XL.",
            RegisterColumn::Owner => "Required: the owner's e-mail address or full name.",
            RegisterColumn::Approver => "Optional: e-mail address or full name.",
            RegisterColumn::TargetDate => "Optional: YYYY-MM-DD.",
        }
    }

    fn alias(lowercase: &str) -> Option<RegisterColumn> {
        match lowercase {
            "owner email" | "owner e-mail" => Some(RegisterColumn::Owner),
            "approver email" | "approver e-mail" => Some(RegisterColumn::Approver),
            "service" => Some(RegisterColumn::Services),
            _ => None,
        }
    }

    fn required(self) -> bool {
        matches!(
            self,
            RegisterColumn::Title | RegisterColumn::Source | RegisterColumn::Owner
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_the_export_and_other_tools_names() {
        assert_eq!(
            RegisterColumn::from_header("\u{feff}Reference"),
            Some(RegisterColumn::Reference)
        );
        assert_eq!(
            RegisterColumn::from_header(" target DATE "),
            Some(RegisterColumn::TargetDate)
        );
        assert_eq!(
            RegisterColumn::from_header("Owner email"),
            Some(RegisterColumn::Owner)
        );
        assert_eq!(
            RegisterColumn::from_header("Service"),
            Some(RegisterColumn::Services)
        );
        assert_eq!(RegisterColumn::from_header("Status"), None);
        assert_eq!(RegisterColumn::from_header("Priority"), None);
    }
}
