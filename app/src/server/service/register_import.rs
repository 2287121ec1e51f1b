//! Importing an improvement register from CSV: every row is read and checked against the
//! people, services and entries Conform holds; the import then creates every new row in one
//! transaction, or nothing at all when any row has an error.

use crate::error::AppError;
use crate::model::csv_import::{ImportColumn as _, ImportPreview, PreviewRow, RowFate};
use crate::model::register::{
    improvement_reference, Improvement, ImprovementDraft, ImprovementForm,
};
use crate::model::register_import::RegisterColumn as Column;
use crate::server::audit::Actor;
use crate::server::db::Db;
use crate::server::entity::improvement;
use crate::server::service::csv_import::{CsvFile, CsvRow, Directory};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// The preview, and the entries the rows to create become.
pub struct Plan {
    pub preview: ImportPreview,
    drafts: Vec<ImprovementDraft>,
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
    let mut preview = ImportPreview {
        shown: [Column::Title, Column::Source, Column::Owner]
            .map(|c| c.header().to_string())
            .to_vec(),
        ..Default::default()
    };
    let mut drafts = Vec::new();
    let Some(file) = CsvFile::<Column>::read(text, &mut preview) else {
        return Ok(Plan { preview, drafts });
    };
    let directory = Directory::load(conn).await?;
    let existing = existing_titles(conn, &file.column(Column::Reference)).await?;
    for row in file.rows() {
        let (fate, draft) = match row.unreadable() {
            Some(problem) => (RowFate::Invalid(vec![problem]), None),
            None => row_fate(&directory, &existing, &row),
        };
        preview.rows.push(PreviewRow {
            line: row.line,
            cells: [Column::Title, Column::Source, Column::Owner]
                .map(|c| row.cell(c))
                .to_vec(),
            fate,
        });
        drafts.extend(draft);
    }
    Ok(Plan { preview, drafts })
}

/// Titles of the entries the file's references point at, to tell "already here" from a clash.
async fn existing_titles<C: ConnectionTrait>(
    conn: &C,
    references: &[String],
) -> Result<HashMap<i64, String>, AppError> {
    let ids: Vec<i64> = references.iter().filter_map(|r| reference_id(r)).collect();
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
    row: &CsvRow<'_, Column>,
) -> (RowFate, Option<ImprovementDraft>) {
    let cell = |column| row.cell(column);
    let mut problems = Vec::new();
    let title = cell(Column::Title);
    let reference = cell(Column::Reference);
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
    let mut person = |column: Column, required: bool| -> String {
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
    let owner_id = person(Column::Owner, true);
    let approver_id = person(Column::Approver, false);
    let mut service_ids = Vec::new();
    for name in cell(Column::Services)
        .split([';', ','])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        match directory.service("Services", name) {
            Ok(id) => service_ids.push(id.to_string()),
            Err(problem) => problems.push(problem),
        }
    }
    let form = ImprovementForm {
        title,
        description: cell(Column::Description),
        source: cell(Column::Source),
        source_ref: String::new(),
        service_ids,
        clauses: cell(Column::Clauses),
        expected_benefit: cell(Column::ExpectedBenefit),
        benefit_score: cell(Column::BenefitScore),
        effort: cell(Column::Effort),
        owner_id,
        approver_id,
        target_date: cell(Column::TargetDate),
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
