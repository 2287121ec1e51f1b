//! Importing configuration items and their relationships from CSV (a CMDB export from
//! another tool, or Conform's own): every row is read and checked against the people,
//! services and items Conform holds, and every relationship against the items of the file
//! and of the CMDB; the import then creates every new item and relationship in one
//! transaction, or nothing at all when any row has an error.

use crate::error::AppError;
use crate::model::access::{Permission, RecordType};
use crate::model::cmdb::{
    reference, relationship_refusal, CiDraft, CiForm, CiStatus, RelationKind, MAX_RELATIONSHIPS,
};
use crate::model::cmdb_import::{kind_from_text, relies_on, status_from_text, CiColumn};
use crate::model::csv_import::{ImportColumn as _, ImportPreview, PreviewRow, RowFate};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::ci_relationship as edge_entity;
use crate::server::entity::configuration_item::{Column, Entity as Items};
use crate::server::service::csv_import::{CsvFile, CsvRow, Directory};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use std::collections::{HashMap, HashSet};

/// A row to create: the item and what it relies on (by name).
struct NewItem {
    draft: CiDraft,
    relies_on: Vec<(RelationKind, String)>,
}

/// The preview, and the items the rows to create become.
pub struct Plan {
    pub preview: ImportPreview,
    items: Vec<NewItem>,
}

const SHOWN: [CiColumn; 3] = [CiColumn::Name, CiColumn::Kind, CiColumn::Owner];

/// Items already in the CMDB among `names` (lower-cased): id and status by name key.
async fn existing<C: ConnectionTrait>(
    conn: &C,
    names: &HashSet<String>,
) -> Result<HashMap<String, (i64, CiStatus)>, AppError> {
    let names: Vec<String> = names.iter().cloned().collect();
    let mut found = HashMap::new();
    for chunk in names.chunks(900) {
        for row in Items::find()
            .filter(Column::NameKey.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            let status = CiStatus::parse(&row.status).unwrap_or(CiStatus::Live);
            found.insert(row.name_key, (row.id, status));
        }
    }
    Ok(found)
}

fn column_of(field: &str) -> String {
    match field {
        "name" => "Name".into(),
        "kind" => "Kind".into(),
        "status" => "Status".into(),
        "owner_id" => "Owner".into(),
        "service_ids" => "Services".into(),
        "description" => "Description".into(),
        other => match other.strip_prefix("attributes.") {
            Some(key) => crate::model::cmdb_import::attribute_label(key).into(),
            None => "Row".into(),
        },
    }
}

/// Reads the file and decides every row's fate; writes nothing.
pub async fn plan<C: ConnectionTrait>(conn: &C, text: &str) -> Result<Plan, AppError> {
    let mut preview = ImportPreview {
        shown: SHOWN.map(|c| c.header().to_string()).to_vec(),
        ..Default::default()
    };
    let mut items = Vec::new();
    let Some(file) = CsvFile::<CiColumn>::read(text, &mut preview) else {
        return Ok(Plan { preview, items });
    };
    let directory = Directory::load(conn).await?;
    let keepers: HashSet<i64> = crate::server::service::users::active_people_where(conn, |roles| {
        crate::model::access::may(roles, Permission::ConfigurationManage)
    })
    .await?
    .into_iter()
    .map(|p| p.id)
    .collect();
    // Every name the file mentions, as an item or as what one relies on: one lookup.
    let mut mentioned: HashSet<String> = HashSet::new();
    for row in file.rows() {
        mentioned.insert(row.cell(CiColumn::Name).to_lowercase());
        for (_, target) in relies_on(&row.cell(CiColumn::ReliesOn)) {
            mentioned.insert(target.to_lowercase());
        }
    }
    let in_cmdb = existing(conn, &mentioned).await?;
    // The items the file itself will create, and their statuses, for its relationships.
    let mut in_file: HashMap<String, CiStatus> = HashMap::new();
    for row in file.rows() {
        let key = row.cell(CiColumn::Name).to_lowercase();
        if !key.is_empty() && !in_cmdb.contains_key(&key) {
            let status = status_from_text(&row.cell(CiColumn::Status)).unwrap_or(CiStatus::Live);
            in_file.entry(key).or_insert(status);
        }
    }
    let mut seen: HashSet<String> = HashSet::new();
    for row in file.rows() {
        let fate = match row.unreadable() {
            Some(problem) => RowFate::Invalid(vec![problem]),
            None => {
                let (fate, item) =
                    row_fate(&directory, &keepers, &in_cmdb, &in_file, &mut seen, &row);
                items.extend(item);
                fate
            }
        };
        preview.rows.push(PreviewRow {
            line: row.line,
            cells: SHOWN.map(|c| row.cell(c)).to_vec(),
            fate,
        });
    }
    Ok(Plan { preview, items })
}

fn row_fate(
    directory: &Directory,
    keepers: &HashSet<i64>,
    in_cmdb: &HashMap<String, (i64, CiStatus)>,
    in_file: &HashMap<String, CiStatus>,
    seen: &mut HashSet<String>,
    row: &CsvRow<'_, CiColumn>,
) -> (RowFate, Option<NewItem>) {
    let cell = |column| row.cell(column);
    let name = cell(CiColumn::Name);
    let key = name.to_lowercase();
    if let Some((id, _)) = in_cmdb.get(&key) {
        let note = if cell(CiColumn::ReliesOn).is_empty() {
            String::new()
        } else {
            " (left as it is: its relationships in the file are not imported)".to_string()
        };
        return (RowFate::Present(format!("{}{note}", reference(*id))), None);
    }
    let mut problems = Vec::new();
    if !key.is_empty() && !seen.insert(key.clone()) {
        problems.push(format!(
            "Name: “{name}” is in the file more than once; an item is imported once."
        ));
    }
    let kind_text = cell(CiColumn::Kind);
    let kind = kind_from_text(&kind_text);
    if kind.is_none() && !kind_text.is_empty() {
        problems.push(format!(
            "Kind: “{kind_text}” is not a kind Conform knows (Application, Server, Database, Network device, Document or Supplier service)."
        ));
    }
    let status_text = cell(CiColumn::Status);
    let status = status_from_text(&status_text);
    if status.is_none() {
        problems.push(format!(
            "Status: “{status_text}” is not Planned, Live or Retired."
        ));
    }
    let owner_text = cell(CiColumn::Owner);
    let owner_id = if owner_text.is_empty() {
        String::new()
    } else {
        match directory.person("Owner", &owner_text) {
            Ok(id) if keepers.contains(&id) => id.to_string(),
            Ok(_) => {
                problems.push(format!(
                    "Owner: {owner_text} does not keep the CMDB (a change manager, service owner or resolver does)."
                ));
                String::new()
            }
            Err(problem) => {
                problems.push(problem);
                String::new()
            }
        }
    };
    let mut service_ids = Vec::new();
    for service in cell(CiColumn::Services)
        .split(';')
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        match directory.service("Services", service) {
            Ok(id) => service_ids.push(id.to_string()),
            Err(problem) => problems.push(problem),
        }
    }
    let attributes = CiColumn::ALL
        .iter()
        .filter_map(|column| match column {
            CiColumn::Attribute(key) => {
                let value = cell(*column);
                (!value.is_empty()).then(|| (key.to_string(), value))
            }
            _ => None,
        })
        .collect();
    let form = CiForm {
        name: name.clone(),
        kind: kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        owner_id,
        supplier_id: String::new(),
        description: cell(CiColumn::Description),
        service_ids,
        attributes,
    };
    // What it relies on: items of the file or of the CMDB, each once, by the usual rules.
    let mut relationships: Vec<(RelationKind, String)> = Vec::new();
    for (how, target) in relies_on(&cell(CiColumn::ReliesOn)) {
        let target_key = target.to_lowercase();
        let target_status = in_cmdb
            .get(&target_key)
            .map(|(_, status)| *status)
            .or_else(|| in_file.get(&target_key).copied());
        let Some(target_status) = target_status else {
            problems.push(format!(
                "Relies on: “{target}” is neither in the file nor in the CMDB."
            ));
            continue;
        };
        let own_status = status.unwrap_or(CiStatus::Live);
        // Ids stand in for "the same item or not": the refusal compares them. A retired
        // item's relationships are its history (an export of retired items keeps them) and
        // carry no failure, so they load as they are.
        let same = if target_key == key { 1 } else { 2 };
        let (own_status, target_status) = if own_status == CiStatus::Retired {
            (CiStatus::Live, CiStatus::Live)
        } else {
            (own_status, target_status)
        };
        if let Some(refusal) =
            relationship_refusal(1, same, own_status, target_status, relationships.len())
        {
            problems.push(format!("Relies on “{target}”: {refusal}"));
            continue;
        }
        if !relationships
            .iter()
            .any(|(k, t)| *k == how && t.to_lowercase() == target_key)
        {
            relationships.push((how, target));
        }
    }
    if relationships.len() > MAX_RELATIONSHIPS {
        problems.push(format!(
            "Relies on: at most {MAX_RELATIONSHIPS} items directly."
        ));
    }
    match form.validate() {
        Ok(draft) if problems.is_empty() => (
            RowFate::Create,
            Some(NewItem {
                draft,
                relies_on: relationships,
            }),
        ),
        Ok(_) => (RowFate::Invalid(problems), None),
        Err(errors) => {
            for (field, message) in errors.0 {
                // The lookups above already said what is wrong with these.
                let said = match field.as_str() {
                    "owner_id" => !owner_text.is_empty(),
                    "kind" => !kind_text.is_empty(),
                    "status" => status.is_none(),
                    _ => false,
                };
                if said {
                    continue;
                }
                problems.push(format!("{}: {message}", column_of(&field)));
            }
            (RowFate::Invalid(problems), None)
        }
    }
}

/// Checks the file again inside one transaction and creates every new item and its
/// relationships, or nothing. Answers the references created.
pub async fn import(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Vec<String>, AppError> {
    let txn = db.begin_write().await?;
    let Plan { preview, items } = plan(&txn, text).await?;
    if !preview.can_import() {
        return Err(AppError::BadRequest(format!(
            "Nothing was imported. {}",
            preview.summary()
        )));
    }
    let owner_ids: Vec<i64> = items.iter().filter_map(|i| i.draft.owner_id).collect();
    let owners = crate::server::service::users::people(&txn, &owner_ids).await?;
    let mut ids: HashMap<String, i64> = HashMap::new();
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut created = Vec::with_capacity(items.len());
    for item in &items {
        let owner = item
            .draft
            .owner_id
            .map(|o| crate::server::service::users::person(&owners, o).name);
        let id =
            super::cmdb::insert_item(&txn, user.id, actor, &item.draft, owner, None, now).await?;
        names.insert(id, item.draft.name.clone());
        ids.insert(item.draft.name.to_lowercase(), id);
        created.push(reference(id));
    }
    // Targets already in the CMDB, by name.
    let wanted: HashSet<String> = items
        .iter()
        .flat_map(|i| i.relies_on.iter().map(|(_, t)| t.to_lowercase()))
        .filter(|t| !ids.contains_key(t))
        .collect();
    for (key, (id, _)) in existing(&txn, &wanted).await? {
        ids.insert(key, id);
    }
    let kept: Vec<i64> = ids
        .values()
        .copied()
        .filter(|id| !names.contains_key(id))
        .collect();
    for row in Items::find()
        .filter(Column::Id.is_in(kept))
        .all(&txn)
        .await?
    {
        names.insert(row.id, row.name);
    }
    for item in items.iter().filter(|i| !i.relies_on.is_empty()) {
        let source = ids[&item.draft.name.to_lowercase()];
        let mut words = Vec::new();
        for (how, target) in &item.relies_on {
            let Some(&target_id) = ids.get(&target.to_lowercase()) else {
                continue;
            };
            edge_entity::ActiveModel {
                source_id: Set(source),
                target_id: Set(target_id),
                kind: Set(how.as_str().into()),
                created_by: Set(user.id),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let target_name = names.get(&target_id).cloned().unwrap_or_default();
            words.push(format!(
                "{} {} “{target_name}”",
                how.label(),
                reference(target_id)
            ));
            audit::record(
                &txn,
                actor,
                RecordType::ConfigurationItem,
                target_id,
                "ci_related",
                format!(
                    "{} “{}” (imported) {} {} “{target_name}”",
                    reference(source),
                    item.draft.name,
                    how.label(),
                    reference(target_id)
                ),
            )
            .await?;
        }
        audit::record(
            &txn,
            actor,
            RecordType::ConfigurationItem,
            source,
            "ci_related",
            format!(
                "{} “{}” (imported) {}",
                reference(source),
                item.draft.name,
                words.join("; ")
            ),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(created)
}
