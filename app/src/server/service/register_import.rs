//! Importing an improvement register from CSV: every row is read and checked against the
//! people, services and entries Conform holds; the import then creates every new row in one
//! transaction, or nothing at all when any row has an error.

use crate::error::AppError;
use crate::model::register::{
    improvement_reference, Improvement, ImprovementDraft, ImprovementForm,
};
use crate::model::register_import::{
    unguard, ImportColumn, ImportPreview, PreviewRow, RowFate, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS,
};
use crate::server::audit::Actor;
use crate::server::db::Db;
use crate::server::entity::{improvement, service, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// The preview, and the entries the rows to create become.
pub struct Plan {
    pub preview: ImportPreview,
    drafts: Vec<ImprovementDraft>,
}

/// Who and what the file's names may refer to.
struct Directory {
    by_email: HashMap<String, i64>,
    by_name: HashMap<String, Vec<i64>>,
    services: HashMap<String, i64>,
}

impl Directory {
    async fn load<C: ConnectionTrait>(conn: &C) -> Result<Directory, AppError> {
        let mut by_email = HashMap::new();
        let mut by_name: HashMap<String, Vec<i64>> = HashMap::new();
        for person in user::Entity::find()
            .filter(user::Column::DisabledAt.is_null())
            .all(conn)
            .await?
        {
            by_email.insert(person.email.to_lowercase(), person.id);
            by_name
                .entry(person.name.trim().to_lowercase())
                .or_default()
                .push(person.id);
        }
        let services = service::Entity::find()
            .filter(service::Column::ArchivedAt.is_null())
            .all(conn)
            .await?
            .into_iter()
            .map(|s| (s.name.trim().to_lowercase(), s.id))
            .collect();
        Ok(Directory {
            by_email,
            by_name,
            services,
        })
    }

    /// A person named by e-mail address or by full name (when only one person has it).
    fn person(&self, column: &str, value: &str) -> Result<i64, String> {
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
}

/// The column a form field's error belongs to, for messages about the file.
fn column_of(field: &str) -> &'static str {
    match field {
        "title" => "Title",
        "description" => "Description",
        "source" => "Source",
        "source_ref" => "Reference",
        "service_ids" => "Services",
        "clauses" => "Clauses",
        "expected_benefit" => "Expected benefit",
        "benefit_score" => "Benefit score",
        "effort" => "Effort",
        "owner_id" => "Owner",
        "approver_id" => "Approver",
        "target_date" => "Target date",
        _ => "Row",
    }
}

/// Reads the file and decides every row's fate; writes nothing.
pub async fn plan<C: ConnectionTrait>(conn: &C, text: &str) -> Result<Plan, AppError> {
    let mut preview = ImportPreview::default();
    let mut drafts = Vec::new();
    if text.len() > IMPORT_MAX_BYTES {
        preview.file_errors.push(format!(
            "The file is {} KB; the most Conform imports at once is {} KB. Split it.",
            text.len() / 1000,
            IMPORT_MAX_BYTES / 1000
        ));
        return Ok(Plan { preview, drafts });
    }
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) if headers.iter().any(|h| !h.trim().is_empty()) => headers.clone(),
        _ => {
            preview
                .file_errors
                .push("The first line must name the columns (Title, Source, Owner …).".into());
            return Ok(Plan { preview, drafts });
        }
    };
    let mut columns: Vec<Option<ImportColumn>> = Vec::new();
    for header in headers.iter() {
        let column = ImportColumn::from_header(header);
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
    for required in ImportColumn::ALL.into_iter().filter(|c| c.required()) {
        if !columns.contains(&Some(required)) {
            preview.file_errors.push(format!(
                "The file has no “{}” column, which every entry needs.",
                required.header()
            ));
        }
    }
    if !preview.file_errors.is_empty() {
        return Ok(Plan { preview, drafts });
    }

    let directory = Directory::load(conn).await?;
    let mut records = Vec::new();
    for record in reader.records() {
        records.push(record);
        if records.len() > IMPORT_MAX_ROWS {
            preview.file_errors.push(format!(
                "The file has more than {IMPORT_MAX_ROWS} rows; import it in parts."
            ));
            return Ok(Plan { preview, drafts });
        }
    }
    let existing = existing_titles(conn, &records, &columns).await?;

    for (index, record) in records.into_iter().enumerate() {
        let mut line = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                preview.rows.push(PreviewRow {
                    line,
                    title: String::new(),
                    source: String::new(),
                    owner: String::new(),
                    fate: RowFate::Invalid(vec![format!("The row cannot be read: {error}")]),
                });
                continue;
            }
        };
        if let Some(position) = record.position() {
            line = position.line() as usize;
        }
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let cell = |wanted: ImportColumn| -> String {
            columns
                .iter()
                .position(|c| *c == Some(wanted))
                .and_then(|i| record.get(i))
                .map(|value| unguard(value.trim()).to_string())
                .unwrap_or_default()
        };
        let (fate, draft) = row_fate(&directory, &existing, &cell);
        preview.rows.push(PreviewRow {
            line,
            title: cell(ImportColumn::Title),
            source: cell(ImportColumn::Source),
            owner: cell(ImportColumn::Owner),
            fate,
        });
        drafts.extend(draft);
    }
    Ok(Plan { preview, drafts })
}

/// Titles of the entries the file's references point at, to tell "already here" from a clash.
async fn existing_titles<C: ConnectionTrait>(
    conn: &C,
    records: &[Result<csv::StringRecord, csv::Error>],
    columns: &[Option<ImportColumn>],
) -> Result<HashMap<i64, String>, AppError> {
    let Some(at) = columns
        .iter()
        .position(|c| *c == Some(ImportColumn::Reference))
    else {
        return Ok(HashMap::new());
    };
    let ids: Vec<i64> = records
        .iter()
        .filter_map(|r| r.as_ref().ok()?.get(at).and_then(reference_id))
        .collect();
    let mut titles = HashMap::new();
    for chunk in ids.chunks(500) {
        let found: Vec<(i64, String)> = improvement::Entity::find()
            .select_only()
            .column(improvement::Column::Id)
            .column(improvement::Column::Title)
            .filter(improvement::Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        titles.extend(found);
    }
    Ok(titles)
}

/// "IMP-00012" → 12.
fn reference_id(value: &str) -> Option<i64> {
    let value = value.trim();
    let id = value.get(4..)?.parse::<i64>().ok()?;
    (improvement_reference(id).eq_ignore_ascii_case(value)).then_some(id)
}

fn row_fate(
    directory: &Directory,
    existing: &HashMap<i64, String>,
    cell: &dyn Fn(ImportColumn) -> String,
) -> (RowFate, Option<ImprovementDraft>) {
    let mut problems = Vec::new();
    let title = cell(ImportColumn::Title);
    let reference = cell(ImportColumn::Reference);
    if let Some(id) = reference_id(&reference) {
        match existing.get(&id) {
            Some(here) if here.trim().eq_ignore_ascii_case(title.trim()) => {
                return (RowFate::Present(improvement_reference(id)), None)
            }
            Some(here) => problems.push(format!(
                "Reference: {} is another entry here (“{here}”); clear the reference to import the row as a new entry.",
                improvement_reference(id)
            )),
            None => {}
        }
    }
    let mut person = |column: ImportColumn, required: bool| -> String {
        let value = cell(column);
        if value.is_empty() {
            if required {
                problems.push(format!("{}: required.", column.header()));
            }
            return String::new();
        }
        match directory.person(column.header(), &value) {
            Ok(id) => id.to_string(),
            Err(problem) => {
                problems.push(problem);
                String::new()
            }
        }
    };
    let owner_id = person(ImportColumn::Owner, true);
    let approver_id = person(ImportColumn::Approver, false);
    let mut service_ids = Vec::new();
    for name in cell(ImportColumn::Services)
        .split([';', ','])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        match directory.services.get(&name.to_lowercase()) {
            Some(id) => service_ids.push(id.to_string()),
            None => problems.push(format!(
                "Services: “{name}” is not in the service catalogue."
            )),
        }
    }
    let form = ImprovementForm {
        title,
        description: cell(ImportColumn::Description),
        source: cell(ImportColumn::Source),
        source_ref: String::new(),
        service_ids,
        clauses: cell(ImportColumn::Clauses),
        expected_benefit: cell(ImportColumn::ExpectedBenefit),
        benefit_score: cell(ImportColumn::BenefitScore),
        effort: cell(ImportColumn::Effort),
        owner_id,
        approver_id,
        target_date: cell(ImportColumn::TargetDate),
    };
    match form.validate() {
        Ok(draft) if problems.is_empty() => (RowFate::Create, Some(draft)),
        Ok(_) => (RowFate::Invalid(problems), None),
        Err(errors) => {
            for (field, message) in errors.0 {
                // The person lookups above already said what is wrong with those.
                if matches!(field.as_str(), "owner_id" | "approver_id") && !problems.is_empty() {
                    continue;
                }
                problems.push(format!("{}: {message}", column_of(&field)));
            }
            (RowFate::Invalid(problems), None)
        }
    }
}

/// Checks the file again inside one transaction and creates every new row, or nothing.
pub async fn import(
    db: &Db,
    actor: &Actor,
    text: &str,
) -> Result<(ImportPreview, Vec<Improvement>), AppError> {
    let txn = db.begin_write().await?;
    let Plan { preview, drafts } = plan(&txn, text).await?;
    if !preview.can_import() {
        return Err(AppError::BadRequest(format!(
            "Nothing was imported. {}",
            preview.summary()
        )));
    }
    let mut created = Vec::with_capacity(drafts.len());
    for draft in drafts {
        created.push(super::register::insert_entry(&txn, actor, draft).await?);
    }
    txn.commit().await?;
    Ok((preview, created))
}
