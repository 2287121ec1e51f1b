//! Reading an import file (`model::csv_import`): the checks on the file as a whole, then its
//! rows with their cells by column; and the directory the rows' names of people and services
//! are looked up in. Each kind of import decides what a row becomes.

use crate::error::AppError;
use crate::model::csv_import::{
    unguard, ImportColumn, ImportPreview, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS,
};
use crate::server::entity::{service, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// A file whose header and size passed: its columns and raw rows.
pub struct CsvFile<C> {
    columns: Vec<Option<C>>,
    records: Vec<Result<csv::StringRecord, csv::Error>>,
}

/// One row of the file, read.
pub struct CsvRow<'a, C> {
    /// The line in the file (the header is line 1).
    pub line: usize,
    columns: &'a [Option<C>],
    record: Result<&'a csv::StringRecord, String>,
}

impl<C: ImportColumn> CsvRow<'_, C> {
    /// Why the row cannot be read at all, if it cannot.
    pub fn unreadable(&self) -> Option<String> {
        self.record
            .as_ref()
            .err()
            .map(|e| format!("The row cannot be read: {e}"))
    }

    /// The cell of `wanted`, trimmed and with the export's formula guard off; empty when the
    /// file has no such column.
    pub fn cell(&self, wanted: C) -> String {
        let Ok(record) = self.record else {
            return String::new();
        };
        self.columns
            .iter()
            .position(|c| *c == Some(wanted))
            .and_then(|i| record.get(i))
            .map(|value| unguard(value.trim()).to_string())
            .unwrap_or_default()
    }

    fn is_blank(&self) -> bool {
        self.record
            .as_ref()
            .is_ok_and(|r| r.iter().all(|cell| cell.trim().is_empty()))
    }
}

impl<C: ImportColumn> CsvFile<C> {
    /// Reads `text`; on a problem with the file as a whole, says so in `preview` and gives
    /// nothing back.
    pub fn read(text: &str, preview: &mut ImportPreview) -> Option<CsvFile<C>> {
        if text.len() > IMPORT_MAX_BYTES {
            preview.file_errors.push(format!(
                "The file is {} KB; the most Conform imports at once is {} KB. Split it.",
                text.len() / 1000,
                IMPORT_MAX_BYTES / 1000
            ));
            return None;
        }
        let text = text.trim_start_matches('\u{feff}');
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let required: Vec<C> = C::ALL.iter().copied().filter(|c| c.required()).collect();
        let headers = match reader.headers() {
            Ok(headers) if headers.iter().any(|h| !h.trim().is_empty()) => headers.clone(),
            _ => {
                let names: Vec<&str> = required.iter().map(|c| c.header()).collect();
                preview.file_errors.push(format!(
                    "The first line must name the columns ({} …).",
                    names.join(", ")
                ));
                return None;
            }
        };
        let mut columns: Vec<Option<C>> = Vec::new();
        for header in headers.iter() {
            let column = C::from_header(header);
            match column {
                Some(c) if columns.contains(&Some(c)) => preview
                    .file_errors
                    .push(format!("The column “{}” appears twice.", c.header())),
                Some(_) => {}
                None if header.trim().is_empty() => {}
                None => preview.ignored_columns.push(header.trim().to_string()),
            }
            columns.push(column);
        }
        for column in required {
            if !columns.contains(&Some(column)) {
                preview.file_errors.push(format!(
                    "The file has no “{}” column, which every row needs.",
                    column.header()
                ));
            }
        }
        if !preview.file_errors.is_empty() {
            return None;
        }
        let mut records = Vec::new();
        for record in reader.into_records() {
            records.push(record);
            if records.len() > IMPORT_MAX_ROWS {
                preview.file_errors.push(format!(
                    "The file has more than {IMPORT_MAX_ROWS} rows; import it in parts."
                ));
                return None;
            }
        }
        Some(CsvFile { columns, records })
    }

    /// The cells of one column in every readable row (to look up references in one query).
    pub fn column(&self, wanted: C) -> Vec<String> {
        self.rows().map(|row| row.cell(wanted)).collect()
    }

    /// Every row that is not blank.
    pub fn rows(&self) -> impl Iterator<Item = CsvRow<'_, C>> {
        self.records
            .iter()
            .enumerate()
            .map(|(index, record)| {
                let line = record
                    .as_ref()
                    .ok()
                    .and_then(|r| r.position())
                    .map_or(index + 2, |p| p.line() as usize);
                CsvRow {
                    line,
                    columns: &self.columns,
                    record: record.as_ref().map_err(|e| e.to_string()),
                }
            })
            .filter(|row| !row.is_blank())
    }
}

/// Who and which services the file's names may refer to.
pub struct Directory {
    by_email: HashMap<String, i64>,
    by_name: HashMap<String, Vec<i64>>,
    services: HashMap<String, i64>,
}

impl Directory {
    /// Active people and services: one read of each, however long the file.
    pub async fn load<C: ConnectionTrait>(conn: &C) -> Result<Directory, AppError> {
        let mut by_email = HashMap::new();
        let mut by_name: HashMap<String, Vec<i64>> = HashMap::new();
        let people: Vec<(i64, String, String)> = user::Entity::find()
            .select_only()
            .columns([user::Column::Id, user::Column::Email, user::Column::Name])
            .filter(user::Column::DisabledAt.is_null())
            .into_tuple()
            .all(conn)
            .await?;
        for (id, email, name) in people {
            by_email.insert(email.to_lowercase(), id);
            by_name
                .entry(name.trim().to_lowercase())
                .or_default()
                .push(id);
        }
        let services: Vec<(i64, String)> = service::Entity::find()
            .select_only()
            .columns([service::Column::Id, service::Column::Name])
            .filter(service::Column::ArchivedAt.is_null())
            .into_tuple()
            .all(conn)
            .await?;
        let services = services
            .into_iter()
            .map(|(id, name)| (name.trim().to_lowercase(), id))
            .collect();
        Ok(Directory {
            by_email,
            by_name,
            services,
        })
    }

    /// A person named by e-mail address or by full name (when only one person has it).
    pub fn person(&self, column: &str, value: &str) -> Result<i64, String> {
        let key = value.trim().to_lowercase();
        if let Some(id) = self.by_email.get(&key) {
            return Ok(*id);
        }
        match self.by_name.get(&key).map(Vec::as_slice) {
            Some([id]) => Ok(*id),
            Some(ids) if ids.len() > 1 => Err(format!(
                "{column}: {} people are called “{}”; give the e-mail address instead.",
                ids.len(),
                value.trim()
            )),
            _ => Err(format!(
                "{column}: nobody active in Conform has the e-mail address or name “{}”.",
                value.trim()
            )),
        }
    }

    /// A service of the catalogue, by name.
    pub fn service(&self, column: &str, name: &str) -> Result<i64, String> {
        self.services
            .get(&name.trim().to_lowercase())
            .copied()
            .ok_or_else(|| {
                format!(
                    "{column}: “{}” is not in the service catalogue.",
                    name.trim()
                )
            })
    }
}
