//! What every CSV import shares (the improvement register, incidents from another tool): how
//! a file's headers name columns, the limits, and the preview that shows every row's fate
//! before anything is written. Imports are all or nothing.

use serde::{Deserialize, Serialize};

/// Biggest file accepted (about 5,000 rows of a typical register).
pub const IMPORT_MAX_BYTES: usize = 1_000_000;
pub const IMPORT_MAX_ROWS: usize = 5_000;

/// The columns one kind of import reads. Headers match case-insensitively and ignore a
/// byte-order mark; other tools' names for a column are its aliases.
pub trait ImportColumn: Copy + Eq + Sized + 'static {
    const ALL: &'static [Self];

    /// The header as Conform's own export writes it.
    fn header(self) -> &'static str;

    /// What goes in it, for the import page's help table.
    fn help(self) -> &'static str;

    fn required(self) -> bool;

    /// The column another tool calls `lowercase` (already trimmed and lower-cased).
    fn alias(_lowercase: &str) -> Option<Self> {
        None
    }

    fn from_header(header: &str) -> Option<Self> {
        let wanted = header
            .trim()
            .trim_start_matches('\u{feff}')
            .trim()
            .to_lowercase();
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.header().to_lowercase() == wanted)
            .or_else(|| Self::alias(&wanted))
    }
}

/// The help table of an import page: every column with what goes in it.
pub fn column_help<C: ImportColumn>() -> Vec<(&'static str, &'static str)> {
    C::ALL.iter().map(|c| (c.header(), c.help())).collect()
}

/// Undoes the export's formula guard: a `'` put before `=`, `+`, `-`, `@` or a control
/// character so spreadsheets show the text instead of running it.
pub fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => cell,
    }
}

/// "yes", "true", "1", "x" … → true; empty or "no", "false", "0" → false.
pub fn yes_no(column: &str, value: &str) -> Result<bool, String> {
    match value.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "x" => Ok(true),
        "" | "no" | "n" | "false" | "0" => Ok(false),
        other => Err(format!("{column}: write yes or no, not “{other}”.")),
    }
}

/// What will happen to one row of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowFate {
    /// A new record.
    Create,
    /// Already in Conform under this reference; left alone.
    Present(String),
    /// What is wrong with it; nothing is imported while any row has errors.
    Invalid(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    /// The line in the file (the header is line 1).
    pub line: usize,
    /// The cells the preview shows, under `ImportPreview::shown`.
    pub cells: Vec<String>,
    pub fate: RowFate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// Problems with the file as a whole (no header, a required column missing, too big).
    pub file_errors: Vec<String>,
    /// Headers Conform does not read (status, priority … are decided by Conform itself).
    pub ignored_columns: Vec<String>,
    /// The headings of the cells each row shows.
    pub shown: Vec<String>,
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
            return "The file cannot be read; nothing will be imported.".into();
        }
        let mut parts = vec![format!("{} to create", self.to_create())];
        if self.present() > 0 {
            parts.push(format!("{} already in Conform", self.present()));
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

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Column {
        Title,
        Owner,
    }

    impl ImportColumn for Column {
        const ALL: &'static [Column] = &[Column::Title, Column::Owner];
        fn header(self) -> &'static str {
            match self {
                Column::Title => "Title",
                Column::Owner => "Owner",
            }
        }
        fn help(self) -> &'static str {
            ""
        }
        fn required(self) -> bool {
            true
        }
        fn alias(lowercase: &str) -> Option<Column> {
            (lowercase == "owner email").then_some(Column::Owner)
        }
    }

    #[test]
    fn headers_match_in_any_case_and_by_alias() {
        assert_eq!(Column::from_header("\u{feff} TITLE "), Some(Column::Title));
        assert_eq!(Column::from_header("Owner e-mail"), None);
        assert_eq!(Column::from_header("Owner Email"), Some(Column::Owner));
        assert_eq!(Column::from_header("Status"), None);
    }

    #[test]
    fn the_formula_guard_comes_off_and_nothing_else() {
        assert_eq!(unguard("'=SUM(A1)"), "=SUM(A1)");
        assert_eq!(unguard("'-Dana"), "-Dana");
        assert_eq!(unguard("'quoted'"), "'quoted'");
        assert_eq!(unguard("plain"), "plain");
    }

    #[test]
    fn yes_and_no_in_the_words_tools_write() {
        assert_eq!(yes_no("Major", " Yes"), Ok(true));
        assert_eq!(yes_no("Major", "TRUE"), Ok(true));
        assert_eq!(yes_no("Major", ""), Ok(false));
        assert_eq!(yes_no("Major", "0"), Ok(false));
        assert!(yes_no("Major", "maybe").unwrap_err().contains("Major"));
    }

    #[test]
    fn one_bad_row_blocks_the_whole_import() {
        let row = |fate| PreviewRow {
            line: 2,
            cells: vec!["t".into()],
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
        assert_eq!(preview.summary(), "1 to create · 1 already in Conform");
        preview
            .rows
            .push(row(RowFate::Invalid(vec!["Title: too short".into()])));
        assert!(!preview.can_import());
        assert!(preview.summary().contains("1 with errors"));
    }

    #[test]
    fn a_file_with_nothing_new_is_not_imported() {
        let preview = ImportPreview {
            rows: vec![PreviewRow {
                line: 2,
                cells: vec![],
                fate: RowFate::Present("INC-00001".into()),
            }],
            ..Default::default()
        };
        assert!(!preview.can_import());
    }
}
