//! Importing an existing improvement register from CSV: how the file's columns map onto an
//! entry, and the preview that shows every row's fate before anything is written.

use serde::{Deserialize, Serialize};

/// Biggest file accepted (about 5,000 rows of a typical register).
pub const IMPORT_MAX_BYTES: usize = 1_000_000;
pub const IMPORT_MAX_ROWS: usize = 5_000;

/// A column of the import file. Headers match case-insensitively; the export's own headers
/// are all understood, so an exported register imports again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportColumn {
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

impl ImportColumn {
    pub const ALL: [ImportColumn; 12] = [
        ImportColumn::Reference,
        ImportColumn::Title,
        ImportColumn::Description,
        ImportColumn::Source,
        ImportColumn::Services,
        ImportColumn::Clauses,
        ImportColumn::ExpectedBenefit,
        ImportColumn::BenefitScore,
        ImportColumn::Effort,
        ImportColumn::Owner,
        ImportColumn::Approver,
        ImportColumn::TargetDate,
    ];

    /// The header as the export writes it.
    pub fn header(self) -> &'static str {
        match self {
            ImportColumn::Reference => "Reference",
            ImportColumn::Title => "Title",
            ImportColumn::Description => "Description",
            ImportColumn::Source => "Source",
            ImportColumn::Services => "Services",
            ImportColumn::Clauses => "Clauses",
            ImportColumn::ExpectedBenefit => "Expected benefit",
            ImportColumn::BenefitScore => "Benefit score",
            ImportColumn::Effort => "Effort",
            ImportColumn::Owner => "Owner",
            ImportColumn::Approver => "Approver",
            ImportColumn::TargetDate => "Target date",
        }
    }

    /// What goes in it, for the import page's help table.
    pub fn help(self) -> &'static str {
        match self {
            ImportColumn::Reference => "Optional. An IMP- reference already in this register with the same title marks the row as present (skipped).",
            ImportColumn::Title => "Required, 5–160 characters.",
            ImportColumn::Description => "Optional.",
            ImportColumn::Source => "Required: Audit finding, Nonconformity, Incident trend, Problem trend, Change review, Continuity exercise, Management review, Customer feedback or Staff suggestion.",
            ImportColumn::Services => "Optional: service names from the catalogue, separated by ; or ,.",
            ImportColumn::Clauses => "Optional: clause numbers such as 8.5.1, 10.2.",
            ImportColumn::ExpectedBenefit => "Optional.",
            ImportColumn::BenefitScore => "Optional: 1–5 (with an effort, it gives the priority).",
            ImportColumn::Effort => "Optional: S, M, L or XL.",
            ImportColumn::Owner => "Required: the owner's e-mail address or full name.",
            ImportColumn::Approver => "Optional: e-mail address or full name.",
            ImportColumn::TargetDate => "Optional: YYYY-MM-DD.",
        }
    }

    pub fn from_header(header: &str) -> Option<ImportColumn> {
        let wanted = header.trim().trim_start_matches('\u{feff}').to_lowercase();
        let wanted = match wanted.as_str() {
            "owner email" | "owner e-mail" => "owner",
            "approver email" | "approver e-mail" => "approver",
            "service" => "services",
            "status" | "state" => return None,
            other => other,
        };
        ImportColumn::ALL
            .into_iter()
            .find(|c| c.header().to_lowercase() == wanted)
    }

    pub fn required(self) -> bool {
        matches!(
            self,
            ImportColumn::Title | ImportColumn::Source | ImportColumn::Owner
        )
    }
}

/// Undoes the export's formula guard: a `'` put before `=`, `+`, `-`, `@` or a control
/// character so spreadsheets show the text instead of running it.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// What will happen to one row of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowFate {
    /// A new entry, starting as Identified.
    Create,
    /// Already in the register under this reference; left alone.
    Present(String),
    /// What is wrong with it; nothing is imported while any row has errors.
    Invalid(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    /// The line in the file (the header is line 1).
    pub line: usize,
    pub title: String,
    pub source: String,
    pub owner: String,
    pub fate: RowFate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// Problems with the file as a whole (no header, a required column missing, too big).
    pub file_errors: Vec<String>,
    /// Headers Conform does not read (status, priority … are decided by Conform itself).
    pub ignored_columns: Vec<String>,
    pub rows: Vec<PreviewRow>,
}

impl ImportPreview {
    pub fn to_create(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.fate == RowFate::Create)
            .count()
    }

    pub fn present(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.fate, RowFate::Present(_)))
            .count()
    }

    pub fn invalid(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| matches!(r.fate, RowFate::Invalid(_)))
            .count()
    }

    /// All or nothing: only a file without a single error is imported.
    pub fn can_import(&self) -> bool {
        self.file_errors.is_empty() && self.invalid() == 0 && self.to_create() > 0
    }

    /// One sentence for the top of the preview.
    pub fn summary(&self) -> String {
        if !self.file_errors.is_empty() {
            return "The file cannot be read as a register; nothing will be imported.".into();
        }
        let mut parts = vec![format!("{} to create", self.to_create())];
        if self.present() > 0 {
            parts.push(format!("{} already in the register", self.present()));
        }
        if self.invalid() > 0 {
            parts.push(format!(
                "{} with errors — fix them and preview again; nothing is imported while any row has an error",
                self.invalid()
            ));
        }
        parts.join(" · ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_the_export_in_any_case() {
        assert_eq!(
            ImportColumn::from_header("\u{feff}Reference"),
            Some(ImportColumn::Reference)
        );
        assert_eq!(
            ImportColumn::from_header(" target DATE "),
            Some(ImportColumn::TargetDate)
        );
        assert_eq!(
            ImportColumn::from_header("Owner email"),
            Some(ImportColumn::Owner)
        );
        assert_eq!(ImportColumn::from_header("Status"), None);
        assert_eq!(ImportColumn::from_header("Priority"), None);
    }

    #[test]
    fn the_formula_guard_comes_off_and_nothing_else() {
        assert_eq!(unguard("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unguard("'-Dana"), "-Dana");
        assert_eq!(unguard("'quoted'"), "'quoted'");
        assert_eq!(unguard("plain"), "plain");
    }

    #[test]
    fn one_bad_row_blocks_the_whole_import() {
        let row = |fate| PreviewRow {
            line: 2,
            title: "t".into(),
            source: "s".into(),
            owner: "o".into(),
            fate,
        };
        let mut preview = ImportPreview {
            rows: vec![
                row(RowFate::Create),
                row(RowFate::Present("IMP-00001".into())),
            ],
            ..Default::default()
        };
        assert!(preview.can_import());
        preview
            .rows
            .push(row(RowFate::Invalid(vec!["Title: too short".into()])));
        assert!(!preview.can_import());
        assert!(preview.summary().contains("1 with errors"));
    }
}
