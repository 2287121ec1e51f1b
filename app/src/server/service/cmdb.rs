//! The CMDB (clauses 8.2.5, 8.2.6): configuration items, the services each serves, the
//! relationships between them, and impact analysis. Every write checks the item's version,
//! runs in one transaction with its audit entry (the fields before and after, so the item's
//! history reads as a diff) and bumps the version.

use crate::error::{AppError, FieldErrors};
use crate::model::access::{Permission, RecordType};
use crate::model::actor::ActorFacts;
use crate::model::audit::diff;
use crate::model::cmdb::{
    reference, relationship_refusal, retire_refusal, AffectedService, CiChoices, CiDraft,
    CiExportRow, CiForm, CiKind, CiListParams, CiPage, CiRecord, CiRef, CiRow, CiStatus,
    ConfigurationItem, Impact, Reached, RelationKind, Relationship, RelationshipForm, Target,
    GRAPH_DEPTH, MAX_DEPTH,
};
use crate::model::refs::ServiceRef;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::ci_relationship::{self as edge_entity, Entity as Edges};
use crate::server::entity::ci_service::{self as link_entity, Entity as Links};
use crate::server::entity::configuration_item::{self as row_entity, Column, Entity as Items};
use crate::server::failure::is_unique_violation;
use crate::server::service::catalogue;
use crate::server::service::key_paging::{self, KeyOrder};
use crate::server::service::text_search::contains;
use crate::server::service::users::{people, person};
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set, UpdateMany,
};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Ids per `IN (…)`: well inside both databases' limits on bound values.
const CHUNK: usize = 900;
/// Items listed on an impact (the count says how many more).
const SHOWN: usize = 500;
/// Relationships listed each way on an item's page.
const LISTED: u64 = 200;

async fn row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<row_entity::Model, AppError> {
    Items::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That configuration item".into()))
}

fn unreadable(id: i64, what: &str) -> AppError {
    crate::server::failure::internal(format!("configuration item {id} has an unreadable {what}"))
}

fn kind_of(row: &row_entity::Model) -> Result<CiKind, AppError> {
    CiKind::parse(&row.kind).ok_or_else(|| unreadable(row.id, "kind"))
}

fn status_of(row: &row_entity::Model) -> Result<CiStatus, AppError> {
    CiStatus::parse(&row.status).ok_or_else(|| unreadable(row.id, "status"))
}

fn ci_ref(row: &row_entity::Model) -> Result<CiRef, AppError> {
    Ok(CiRef {
        id: row.id,
        name: row.name.clone(),
        kind: kind_of(row)?,
        status: status_of(row)?,
    })
}

fn check_may_change(row: &row_entity::Model, user: &CurrentUser) -> Result<(), AppError> {
    if crate::model::cmdb::may_change(row.owner_id, &ActorFacts::from(user)) {
        Ok(())
    } else {
        Err(AppError::Refused(crate::model::cmdb::NOT_YOURS.into()))
    }
}

fn name_taken(error: sea_orm::DbErr, name: &str) -> AppError {
    if is_unique_violation(&error) {
        AppError::single_field(
            "name",
            format!("The CMDB already has an item called “{name}”."),
        )
    } else {
        error.into()
    }
}

/// Who may own an item: enabled people who keep the CMDB.
pub async fn choices<C: ConnectionTrait>(conn: &C) -> Result<CiChoices, AppError> {
    use crate::server::entity::supplier::{Column as SupplierColumn, Entity as Suppliers};
    Ok(CiChoices {
        services: catalogue::active_refs(conn).await?,
        owners: crate::server::service::users::active_people_where(conn, |roles| {
            crate::model::access::may(roles, Permission::ConfigurationManage)
        })
        .await?,
        suppliers: Suppliers::find()
            .select_only()
            .columns([SupplierColumn::Id, SupplierColumn::Name])
            .filter(SupplierColumn::Status.eq("active"))
            .order_by_asc(SupplierColumn::NameKey)
            .into_tuple()
            .all(conn)
            .await?,
    })
}

/// The owner keeps the CMDB and is enabled, the services are active, the supplier is in the
/// register; answers the owner's and supplier's names.
async fn check_references<C: ConnectionTrait>(
    conn: &C,
    draft: &CiDraft,
    kept_services: &[i64],
    kept_supplier: Option<i64>,
) -> Result<(Option<String>, Option<String>), AppError> {
    let mut errors = FieldErrors::new();
    let mut owner = None;
    if let Some(owner_id) = draft.owner_id {
        match crate::server::service::users::enabled_roles(conn, owner_id).await? {
            Some((name, roles))
                if crate::model::access::may(&roles, Permission::ConfigurationManage) =>
            {
                owner = Some(name)
            }
            Some(_) => errors.add(
                "owner_id",
                "Choose someone who keeps the CMDB (a change manager, service owner or resolver).",
            ),
            None => errors.add("owner_id", "Choose the owner from the list."),
        }
    }
    let new_services: Vec<i64> = draft
        .service_ids
        .iter()
        .filter(|id| !kept_services.contains(id))
        .copied()
        .collect();
    if !new_services.is_empty() {
        use crate::server::entity::service::{Column as ServiceColumn, Entity as Services};
        let active = Services::find()
            .filter(ServiceColumn::Id.is_in(new_services.clone()))
            .filter(ServiceColumn::ArchivedAt.is_null())
            .count(conn)
            .await?;
        if active != new_services.len() as u64 {
            errors.add("service_ids", "Choose services from the catalogue.");
        }
    }
    let mut supplier = None;
    if let Some(supplier_id) = draft.supplier_id {
        use crate::server::entity::supplier::Entity as Suppliers;
        // A retired supplier stays on an item that named it, but is not chosen anew.
        match Suppliers::find_by_id(supplier_id).one(conn).await? {
            Some(found) if found.status == "active" || kept_supplier == Some(supplier_id) => {
                supplier = Some(found.name)
            }
            _ => errors.add(
                "supplier_id",
                "Choose an active supplier from the register.",
            ),
        }
    }
    Ok(errors.into_result((owner, supplier))?)
}

async fn set_services<C: ConnectionTrait>(
    txn: &C,
    id: i64,
    service_ids: &[i64],
) -> Result<(), AppError> {
    Links::delete_many()
        .filter(link_entity::Column::CiId.eq(id))
        .exec(txn)
        .await?;
    for service_id in service_ids {
        link_entity::ActiveModel {
            ci_id: Set(id),
            service_id: Set(*service_id),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

fn attributes_json(attributes: &BTreeMap<String, String>) -> Result<String, AppError> {
    serde_json::to_string(attributes).map_err(crate::server::failure::internal)
}

/// The item as its history compares it, before and after a change.
fn audit_view(
    draft: &CiDraft,
    owner: Option<&str>,
    supplier: Option<&str>,
    services: &HashMap<i64, String>,
) -> serde_json::Value {
    let mut view = serde_json::json!({
        "name": draft.name,
        "kind": draft.kind.label(),
        "status": draft.status.label(),
        "owner": owner,
        "description": draft.description,
        "services": draft.service_ids.iter().filter_map(|s| services.get(s)).collect::<Vec<_>>(),
    });
    if draft.kind == CiKind::SupplierService {
        view["supplier"] = serde_json::json!(supplier);
    }
    for (key, label) in draft.kind.attributes() {
        view[label.to_lowercase()] = serde_json::json!(draft.attributes.get(*key));
    }
    view
}

/// Records an item.
pub async fn create(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    form: &CiForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let draft = form.validate()?;
    let txn = db.begin_write().await?;
    let (owner, supplier) = check_references(&txn, &draft, &[], None).await?;
    let id = insert_item(&txn, user.id, actor, &draft, owner, supplier, now).await?;
    txn.commit().await?;
    Ok(id)
}

/// Writes a checked item (its references already checked) with its services and its audit
/// entry: recording one by hand and importing a file write items the same way.
pub(crate) async fn insert_item<C: ConnectionTrait>(
    txn: &C,
    created_by: i64,
    actor: &Actor,
    draft: &CiDraft,
    owner: Option<String>,
    supplier: Option<String>,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let id = row_entity::ActiveModel {
        name: Set(draft.name.clone()),
        name_key: Set(draft.name.to_lowercase()),
        kind: Set(draft.kind.as_str().into()),
        status: Set(draft.status.as_str().into()),
        owner_id: Set(draft.owner_id),
        supplier_id: Set(draft.supplier_id),
        description: Set(draft.description.clone()),
        attributes: Set(attributes_json(&draft.attributes)?),
        created_by: Set(created_by),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(txn)
    .await
    .map_err(|e| name_taken(e, &draft.name))?
    .id;
    set_services(txn, id, &draft.service_ids).await?;
    let names = catalogue::names_of(txn, draft.service_ids.iter().copied()).await?;
    let after = audit_view(draft, owner.as_deref(), supplier.as_deref(), &names);
    audit::append(
        txn,
        actor,
        Event::new(
            "ci_added",
            RecordType::ConfigurationItem,
            Some(id.to_string()),
            format!(
                "{} {} “{}” recorded ({}){}",
                draft.kind.label(),
                reference(id),
                draft.name,
                draft.status.label().to_lowercase(),
                owner
                    .map(|o| format!(", owned by {o}"))
                    .unwrap_or_else(|| ", no owner yet".into())
            ),
        )
        .with_changes(diff(None, Some(&after))),
    )
    .await?;
    Ok(id)
}

async fn service_ids_of<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<i64>, AppError> {
    Ok(Links::find()
        .select_only()
        .column(link_entity::Column::ServiceId)
        .filter(link_entity::Column::CiId.eq(id))
        .order_by_asc(link_entity::Column::Id)
        .into_tuple()
        .all(conn)
        .await?)
}

fn draft_of(row: &row_entity::Model, service_ids: Vec<i64>) -> Result<CiDraft, AppError> {
    Ok(CiDraft {
        name: row.name.clone(),
        kind: kind_of(row)?,
        status: status_of(row)?,
        owner_id: row.owner_id,
        supplier_id: row.supplier_id,
        description: row.description.clone(),
        service_ids,
        attributes: serde_json::from_str(&row.attributes)
            .map_err(|_| unreadable(row.id, "attributes"))?,
    })
}

/// Items in use (planned or live) that rely on `id`: up to five names and how many.
async fn relied_on_in_use<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<(Vec<String>, u64), AppError> {
    let sources: Vec<i64> = Edges::find()
        .select_only()
        .column(edge_entity::Column::SourceId)
        .filter(edge_entity::Column::TargetId.eq(id))
        .into_tuple()
        .all(conn)
        .await?;
    let mut in_use: Vec<(String, String)> = Vec::new();
    for chunk in sources.chunks(CHUNK) {
        for r in Items::find()
            .filter(Column::Id.is_in(chunk.to_vec()))
            .filter(Column::Status.ne(CiStatus::Retired.as_str()))
            .all(conn)
            .await?
        {
            in_use.push((r.name_key, r.name));
        }
    }
    in_use.sort();
    let total = in_use.len() as u64;
    Ok((
        in_use.into_iter().take(5).map(|(_, name)| name).collect(),
        total,
    ))
}

/// Retired items that `id` relies on (names, up to five): an item back in use relies on
/// items in use only.
async fn retired_targets<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<String>, AppError> {
    let targets: Vec<i64> = Edges::find()
        .select_only()
        .column(edge_entity::Column::TargetId)
        .filter(edge_entity::Column::SourceId.eq(id))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(Items::find()
        .filter(Column::Id.is_in(targets))
        .filter(Column::Status.eq(CiStatus::Retired.as_str()))
        .order_by_asc(Column::NameKey)
        .limit(5)
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.name)
        .collect())
}

/// Changes an item against the version read. Services that were archived since stay linked
/// (the form offers active ones only). Retiring is refused while items in use rely on it.
pub async fn update(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &CiForm,
) -> Result<(), AppError> {
    let mut draft = form.validate()?;
    let txn = db.begin_write().await?;
    let before_row = row(&txn, id).await?;
    check_may_change(&before_row, user)?;
    check_version::<Items>(version, before_row.version)?;
    let linked = service_ids_of(&txn, id).await?;
    let before = draft_of(&before_row, linked.clone())?;
    let archived: Vec<i64> = {
        use crate::server::entity::service::{Column as ServiceColumn, Entity as Services};
        Services::find()
            .select_only()
            .column(ServiceColumn::Id)
            .filter(ServiceColumn::Id.is_in(linked.clone()))
            .filter(ServiceColumn::ArchivedAt.is_not_null())
            .into_tuple()
            .all(&txn)
            .await?
    };
    for kept in archived {
        if !draft.service_ids.contains(&kept) {
            draft.service_ids.push(kept);
        }
    }
    let (owner, supplier) = check_references(&txn, &draft, &linked, before.supplier_id).await?;
    let attributes = attributes_json(&draft.attributes)?;
    let name = draft.name.clone();
    let apply = |update: UpdateMany<Items>| {
        update
            .col_expr(Column::Name, Expr::value(draft.name.clone()))
            .col_expr(Column::NameKey, Expr::value(draft.name.to_lowercase()))
            .col_expr(Column::Kind, Expr::value(draft.kind.as_str()))
            .col_expr(Column::Status, Expr::value(draft.status.as_str()))
            .col_expr(Column::OwnerId, Expr::value(draft.owner_id))
            .col_expr(Column::SupplierId, Expr::value(draft.supplier_id))
            .col_expr(Column::Description, Expr::value(draft.description.clone()))
            .col_expr(Column::Attributes, Expr::value(attributes))
    };
    // Written first: on PostgreSQL the row stays locked, so a relationship being added to it
    // meanwhile waits and then sees its new status (and this check sees that relationship).
    versioned::update_or(&txn, id, version, apply, |e| name_taken(e, &name)).await?;
    if draft.status == CiStatus::Retired && before.status != CiStatus::Retired {
        let (names, total) = relied_on_in_use(&txn, id).await?;
        if let Some(refusal) = retire_refusal(&draft.name, &names, total) {
            return Err(AppError::Refused(refusal));
        }
    }
    if draft.status != CiStatus::Retired && before.status == CiStatus::Retired {
        let retired = retired_targets(&txn, id).await?;
        if !retired.is_empty() {
            return Err(AppError::Refused(format!(
                "{} relies on retired items ({}): remove those relationships before putting it back in use.",
                draft.name,
                retired.join(", ")
            )));
        }
    }
    set_services(&txn, id, &draft.service_ids).await?;
    let names = catalogue::names_of(&txn, linked.iter().chain(&draft.service_ids).copied()).await?;
    let before_owner = match before.owner_id {
        Some(owner_id) => people(&txn, &[owner_id])
            .await?
            .get(&owner_id)
            .map(|p| p.name.clone()),
        None => None,
    };
    let before_supplier = match before.supplier_id {
        Some(supplier_id) => crate::server::entity::supplier::Entity::find_by_id(supplier_id)
            .one(&txn)
            .await?
            .map(|s| s.name),
        None => None,
    };
    let changes = diff(
        Some(&audit_view(
            &before,
            before_owner.as_deref(),
            before_supplier.as_deref(),
            &names,
        )),
        Some(&audit_view(
            &draft,
            owner.as_deref(),
            supplier.as_deref(),
            &names,
        )),
    );
    let fields = changes
        .iter()
        .map(|c| c.field.clone())
        .collect::<Vec<_>>()
        .join(", ");
    audit::append(
        &txn,
        actor,
        Event::new(
            "ci_updated",
            RecordType::ConfigurationItem,
            Some(id.to_string()),
            format!(
                "{} “{}”: {}",
                reference(id),
                draft.name,
                if fields.is_empty() {
                    "saved unchanged".to_string()
                } else {
                    format!("changed {fields}")
                }
            ),
        )
        .with_changes(changes),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub(crate) async fn find_target<C: ConnectionTrait>(
    conn: &C,
    target: &Target,
) -> Result<row_entity::Model, AppError> {
    let select = match target {
        Target::Id(id) => Items::find_by_id(*id),
        Target::Name(name) => Items::find().filter(Column::NameKey.eq(name.to_lowercase())),
    };
    // Locked on PostgreSQL: a concurrent retirement of the target waits for this, or this
    // for it, and then sees its status.
    let found = crate::server::db::locked(conn, select).one(conn).await?;
    found.ok_or_else(|| {
        AppError::single_field("target", "No item in the CMDB has that reference or name.")
    })
}

/// Records that item `id` relies on another (a change to `id`, checked against its version).
pub async fn relate(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &RelationshipForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (kind, target) = form.validate()?;
    let txn = db.begin_write().await?;
    let source = row(&txn, id).await?;
    check_may_change(&source, user)?;
    check_version::<Items>(version, source.version)?;
    let target = find_target(&txn, &target).await?;
    let existing = Edges::find()
        .filter(edge_entity::Column::SourceId.eq(id))
        .count(&txn)
        .await?;
    if let Some(refusal) = relationship_refusal(
        source.id,
        target.id,
        status_of(&source)?,
        status_of(&target)?,
        existing as usize,
    ) {
        return Err(AppError::single_field("target", refusal));
    }
    edge_entity::ActiveModel {
        source_id: Set(id),
        target_id: Set(target.id),
        kind: Set(kind.as_str().into()),
        created_by: Set(user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::single_field(
                "target",
                format!("{} already {} {}.", source.name, kind.label(), target.name),
            )
        } else {
            e.into()
        }
    })?;
    versioned::update::<Items, _>(&txn, id, version, |u| u).await?;
    let summary = format!(
        "{} “{}” {} {} “{}”",
        reference(id),
        source.name,
        kind.label(),
        reference(target.id),
        target.name
    );
    audit::record(
        &txn,
        actor,
        RecordType::ConfigurationItem,
        id,
        "ci_related",
        summary.clone(),
    )
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::ConfigurationItem,
        target.id,
        "ci_related",
        summary,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes one of item `id`'s relationships (either way), against `id`'s version.
pub async fn unrelate(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    relationship_id: i64,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let item = row(&txn, id).await?;
    check_version::<Items>(version, item.version)?;
    // Removed from the item that relies: its keeper decides what it relies on, against the
    // version they read.
    let edge = Edges::find_by_id(relationship_id)
        .filter(edge_entity::Column::SourceId.eq(id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That relationship of this item".into()))?;
    check_may_change(&item, user)?;
    let source = item;
    let target = row(&txn, edge.target_id).await?;
    Edges::delete_by_id(edge.id).exec(&txn).await?;
    versioned::update::<Items, _>(&txn, id, version, |u| u).await?;
    let kind = RelationKind::parse(&edge.kind).ok_or_else(|| unreadable(id, "relationship"))?;
    let summary = format!(
        "{} “{}” no longer {} {} “{}”",
        reference(source.id),
        source.name,
        kind.label(),
        reference(target.id),
        target.name
    );
    for record in [source.id, target.id] {
        audit::record(
            &txn,
            actor,
            RecordType::ConfigurationItem,
            record,
            "ci_unrelated",
            summary.clone(),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// One step of a walk: an item reached, how far, and through which.
struct Step {
    id: i64,
    depth: u32,
    via: Option<i64>,
}

/// Walks relationships from `start` — upwards (to what relies on the items) or downwards (to
/// what they rely on) — one query per step and chunk, skipping retired items, to `max_depth`
/// steps. Answers the items reached (nearest first, never the start) and whether more lay
/// beyond `max_depth`.
async fn walk<C: ConnectionTrait>(
    conn: &C,
    start: &[i64],
    upward: bool,
    max_depth: u32,
) -> Result<(Vec<Step>, bool), AppError> {
    let (from, to) = if upward {
        (edge_entity::Column::TargetId, edge_entity::Column::SourceId)
    } else {
        (edge_entity::Column::SourceId, edge_entity::Column::TargetId)
    };
    let mut seen: HashSet<i64> = start.iter().copied().collect();
    let mut frontier: Vec<i64> = start.to_vec();
    let mut steps = Vec::new();
    let mut depth = 0;
    while !frontier.is_empty() {
        let found = next_step(conn, &frontier, from, to, &seen).await?;
        if depth == max_depth {
            return Ok((steps, !found.is_empty()));
        }
        depth += 1;
        let mut next = Vec::new();
        for (near, far) in found {
            if seen.insert(far) {
                steps.push(Step {
                    id: far,
                    depth,
                    via: (depth > 1).then_some(near),
                });
                next.push(far);
            }
        }
        frontier = next;
    }
    Ok((steps, false))
}

/// The relationships one step on from `frontier` to items not yet `seen` and in use: one
/// indexed read per chunk of the frontier, then one read of the new items' statuses (a
/// retired item carries no failure further).
async fn next_step<C: ConnectionTrait>(
    conn: &C,
    frontier: &[i64],
    from: edge_entity::Column,
    to: edge_entity::Column,
    seen: &HashSet<i64>,
) -> Result<Vec<(i64, i64)>, AppError> {
    let mut pairs = Vec::new();
    for chunk in frontier.chunks(CHUNK) {
        let found: Vec<(i64, i64)> = Edges::find()
            .select_only()
            .column(from)
            .column(to)
            .filter(from.is_in(chunk.to_vec()))
            .order_by_asc(from)
            .order_by_asc(to)
            .into_tuple()
            .all(conn)
            .await?;
        pairs.extend(found.into_iter().filter(|(_, far)| !seen.contains(far)));
    }
    let fresh: Vec<i64> = pairs
        .iter()
        .map(|(_, far)| *far)
        .collect::<std::collections::BTreeSet<i64>>()
        .into_iter()
        .collect();
    let mut retired: HashSet<i64> = HashSet::new();
    for chunk in fresh.chunks(CHUNK) {
        let ids: Vec<i64> = Items::find()
            .select_only()
            .column(Column::Id)
            .filter(Column::Id.is_in(chunk.to_vec()))
            .filter(Column::Status.eq(CiStatus::Retired.as_str()))
            .into_tuple()
            .all(conn)
            .await?;
        retired.extend(ids);
    }
    pairs.retain(|(_, far)| !retired.contains(far));
    Ok(pairs)
}

/// Items by id, as references (chunked).
pub(crate) async fn refs_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashMap<i64, CiRef>, AppError> {
    let mut found = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        for r in Items::find()
            .filter(Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            found.insert(r.id, ci_ref(&r)?);
        }
    }
    Ok(found)
}

fn reached(steps: &[Step], refs: &HashMap<i64, CiRef>) -> Vec<Reached> {
    steps
        .iter()
        .filter_map(|s| {
            Some(Reached {
                ci: refs.get(&s.id)?.clone(),
                depth: s.depth,
                via: s.via,
            })
        })
        .collect()
}

/// What a failure of `ids` reaches: every item in use that relies on one of them, directly
/// or through others, and the services those (and the failed items) serve, each through the
/// nearest item. Work grows with what is reached, not with the size of the CMDB.
pub async fn impact_of<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Impact, AppError> {
    let (steps, cut_short) = walk(conn, ids, true, MAX_DEPTH).await?;
    // Services: the failed items' own first (depth 0), then by distance.
    let mut depth_of: HashMap<i64, u32> = ids.iter().map(|id| (*id, 0)).collect();
    for step in &steps {
        depth_of.entry(step.id).or_insert(step.depth);
    }
    let all: Vec<i64> = ids
        .iter()
        .copied()
        .chain(steps.iter().map(|s| s.id))
        .collect();
    let mut nearest: HashMap<i64, (u32, i64)> = HashMap::new();
    for chunk in all.chunks(CHUNK) {
        let links: Vec<(i64, i64)> = Links::find()
            .select_only()
            .columns([link_entity::Column::CiId, link_entity::Column::ServiceId])
            .filter(link_entity::Column::CiId.is_in(chunk.to_vec()))
            .filter(
                link_entity::Column::ServiceId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(crate::server::entity::service::Column::Id)
                        .from(crate::server::entity::service::Entity)
                        .and_where(
                            Expr::col(crate::server::entity::service::Column::ArchivedAt).is_null(),
                        )
                        .to_owned(),
                ),
            )
            .into_tuple()
            .all(conn)
            .await?;
        for (ci, service) in links {
            let depth = depth_of.get(&ci).copied().unwrap_or(0);
            let entry = nearest.entry(service).or_insert((depth, ci));
            if (depth, ci) < *entry {
                *entry = (depth, ci);
            }
        }
    }
    let shown: Vec<i64> = steps.iter().take(SHOWN).map(|s| s.id).collect();
    let through: Vec<i64> = nearest.values().map(|(_, ci)| *ci).collect();
    let refs = refs_of(
        conn,
        &shown
            .iter()
            .chain(&through)
            .chain(ids)
            .copied()
            .collect::<Vec<_>>(),
    )
    .await?;
    let names = catalogue::names_of(conn, nearest.keys().copied()).await?;
    let mut services: Vec<AffectedService> = nearest
        .into_iter()
        .filter_map(|(service, (depth, ci))| {
            Some(AffectedService {
                service: ServiceRef {
                    id: service,
                    name: names.get(&service)?.clone(),
                },
                through: refs.get(&ci)?.clone(),
                depth,
            })
        })
        .collect();
    services.sort_by_key(|a| (a.depth, a.service.name.to_lowercase()));
    let mut items = reached(&steps[..steps.len().min(SHOWN)], &refs);
    items.sort_by_key(|a| (a.depth, a.ci.name.to_lowercase()));
    Ok(Impact {
        services,
        items,
        reached: steps.len() as u64,
        cut_short,
    })
}

async fn relationships<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    outgoing: bool,
) -> Result<(Vec<Relationship>, u64), AppError> {
    let mine = if outgoing {
        edge_entity::Column::SourceId
    } else {
        edge_entity::Column::TargetId
    };
    let total = Edges::find().filter(mine.eq(id)).count(conn).await?;
    let edges = Edges::find()
        .filter(mine.eq(id))
        .order_by_asc(edge_entity::Column::Id)
        .limit(LISTED)
        .all(conn)
        .await?;
    let others: Vec<i64> = edges
        .iter()
        .map(|e| if outgoing { e.target_id } else { e.source_id })
        .collect();
    let refs = refs_of(conn, &others).await?;
    let mut listed: Vec<Relationship> = edges
        .iter()
        .filter_map(|e| {
            let other = if outgoing { e.target_id } else { e.source_id };
            Some(Relationship {
                id: e.id,
                kind: RelationKind::parse(&e.kind)?,
                other: refs.get(&other)?.clone(),
            })
        })
        .collect();
    listed.sort_by_key(|a| a.other.name.to_lowercase());
    Ok((listed, total))
}

/// One item with its relationships, what its failure reaches and what it relies on.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    id: i64,
) -> Result<CiRecord, AppError> {
    let r = row(conn, id).await?;
    let service_ids = service_ids_of(conn, id).await?;
    let names = catalogue::names_of(conn, service_ids.iter().copied()).await?;
    let mut ids = vec![r.created_by];
    ids.extend(r.owner_id);
    let who = people(conn, &ids).await?;
    let supplier = match r.supplier_id {
        Some(supplier_id) => crate::server::entity::supplier::Entity::find_by_id(supplier_id)
            .one(conn)
            .await?
            .map(|s| (s.id, s.name)),
        None => None,
    };
    let (relies_on, _) = relationships(conn, id, true).await?;
    let (relied_on_by, relied_on_by_total) = relationships(conn, id, false).await?;
    let draft = draft_of(&r, service_ids.clone())?;
    let item = ConfigurationItem {
        id,
        reference: reference(id),
        name: r.name.clone(),
        kind: draft.kind,
        status: draft.status,
        owner: r.owner_id.map(|o| person(&who, o)),
        supplier,
        description: r.description.clone(),
        attributes: draft.attributes,
        services: service_ids
            .iter()
            .filter_map(|s| {
                Some(ServiceRef {
                    id: *s,
                    name: names.get(s)?.clone(),
                })
            })
            .collect(),
        relies_on,
        relied_on_by,
        relied_on_by_total,
        created_by: person(&who, r.created_by),
        created_at: r.created_at,
        updated_at: r.updated_at,
        version: r.version,
    };
    let impact = impact_of(conn, &[id]).await?;
    let (mut steps, _) = walk(conn, &[id], false, GRAPH_DEPTH).await?;
    steps.truncate(SHOWN);
    let refs = refs_of(conn, &steps.iter().map(|s| s.id).collect::<Vec<_>>()).await?;
    Ok(CiRecord {
        may_change: crate::model::access::may(&user.roles, Permission::ConfigurationManage)
            && crate::model::cmdb::may_change(r.owner_id, &ActorFacts::from(user)),
        item,
        impact,
        dependencies: reached(&steps, &refs),
        naming: crate::server::service::record_cis::naming(conn, id).await?,
    })
}

fn filtered(params: &CiListParams) -> Select<Items> {
    let mut query = Items::find()
        .filter(Column::Status.is_in(params.statuses().into_iter().map(|s| s.as_str())));
    if let Some(kind) = params.kind() {
        query = query.filter(Column::Kind.eq(kind.as_str()));
    }
    if params.unowned() {
        query = query.filter(Column::OwnerId.is_null());
    }
    if let Some(service) = params.service_id() {
        query = query.filter(
            Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(link_entity::Column::CiId)
                    .from(Links)
                    .and_where(Expr::col(link_entity::Column::ServiceId).eq(service))
                    .to_owned(),
            ),
        );
    }
    let search = params.search();
    if let Some(id) = crate::model::cmdb::parse_reference(&search) {
        query = query.filter(Column::Id.eq(id));
    } else if !search.is_empty() {
        query = query.filter(
            Condition::any()
                .add(contains(Column::Name, &search))
                .add(contains(Column::Description, &search))
                .add(contains(Column::Attributes, &search)),
        );
    }
    query
}

fn register_order() -> KeyOrder<Items> {
    KeyOrder::<Items> {
        keys: vec![Expr::col((Items, Column::NameKey))],
        id: Column::Id,
        order: Order::Asc,
    }
}

/// The services of each of `ids` by name: one read for a page of rows.
async fn services_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let links: Vec<(i64, i64)> = Links::find()
        .select_only()
        .columns([link_entity::Column::CiId, link_entity::Column::ServiceId])
        .filter(link_entity::Column::CiId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    let names = catalogue::names_of(conn, links.iter().map(|(_, s)| *s)).await?;
    let mut by_item: HashMap<i64, Vec<String>> = HashMap::new();
    for (ci, service) in links {
        if let Some(name) = names.get(&service) {
            by_item.entry(ci).or_default().push(name.clone());
        }
    }
    for list in by_item.values_mut() {
        list.sort();
    }
    Ok(by_item)
}

async fn rows_of<C: ConnectionTrait>(
    conn: &C,
    rows: &[row_entity::Model],
) -> Result<Vec<CiRow>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let owners: Vec<i64> = rows.iter().filter_map(|r| r.owner_id).collect();
    let names = people(conn, &owners).await?;
    let mut services = services_of(conn, &ids).await?;
    rows.iter()
        .map(|r| {
            Ok(CiRow {
                id: r.id,
                reference: reference(r.id),
                name: r.name.clone(),
                kind: kind_of(r)?,
                status: status_of(r)?,
                owner: r.owner_id.map(|o| person(&names, o).name),
                services: services.remove(&r.id).unwrap_or_default(),
            })
        })
        .collect()
}

/// One page of the register, by name.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    params: &CiListParams,
    page_size: u64,
) -> Result<CiPage, AppError> {
    let total = filtered(params).count(conn).await?;
    let pages = Ord::max(total.div_ceil(page_size), 1);
    let page = Ord::min(params.page_number(), pages);
    let rows = key_paging::read_page(
        filtered(params),
        &register_order(),
        params.page_key(),
        page,
        page_size,
        |select| async move { Ok(select.all(conn).await?) },
    )
    .await?;
    Ok(CiPage {
        rows: rows_of(conn, &rows).await?,
        total,
        page,
        pages,
    })
}

/// One batch of the register for the CSV export: `size` rows after the key `params` carries,
/// with each item's attributes and what it relies on.
pub async fn export_batch<C: ConnectionTrait>(
    conn: &C,
    params: &CiListParams,
    page: u64,
    size: u64,
) -> Result<Vec<CiExportRow>, AppError> {
    let rows = key_paging::read_page(
        filtered(params),
        &register_order(),
        params.page_key(),
        page,
        size,
        |select| async move { Ok(select.all(conn).await?) },
    )
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let edges = Edges::find()
        .filter(edge_entity::Column::SourceId.is_in(ids.clone()))
        .order_by_asc(edge_entity::Column::Id)
        .all(conn)
        .await?;
    let targets = refs_of(conn, &edges.iter().map(|e| e.target_id).collect::<Vec<_>>()).await?;
    let mut relies: HashMap<i64, Vec<String>> = HashMap::new();
    for e in &edges {
        if let (Some(kind), Some(target)) =
            (RelationKind::parse(&e.kind), targets.get(&e.target_id))
        {
            relies.entry(e.source_id).or_default().push(format!(
                "{} {}",
                kind.label(),
                target.name
            ));
        }
    }
    let listed = rows_of(conn, &rows).await?;
    rows.iter()
        .zip(listed)
        .map(|(r, row)| {
            let attributes: BTreeMap<String, String> =
                serde_json::from_str(&r.attributes).map_err(|_| unreadable(r.id, "attributes"))?;
            Ok(CiExportRow {
                row,
                attributes,
                description: r.description.clone(),
                relies_on: relies.remove(&r.id).unwrap_or_default(),
            })
        })
        .collect()
}

/// Items in use without an owner (the clause 8.2.6 evidence's thin rule).
pub fn unowned() -> Select<Items> {
    Items::find()
        .filter(Column::Status.ne(CiStatus::Retired.as_str()))
        .filter(Column::OwnerId.is_null())
}

/// Items in use, and how many of them have an owner.
pub async fn counts<C: ConnectionTrait>(conn: &C) -> Result<(u64, u64), AppError> {
    let in_use = Items::find()
        .filter(Column::Status.ne(CiStatus::Retired.as_str()))
        .count(conn)
        .await?;
    let unowned = unowned().count(conn).await?;
    Ok((in_use, in_use.saturating_sub(unowned)))
}

/// How many relationships the CMDB records.
pub async fn relationship_count<C: ConnectionTrait>(conn: &C) -> Result<u64, AppError> {
    Ok(Edges::find().count(conn).await?)
}

/// Items named (in any case) among `names`: the register's matches of a change's free-text
/// list of configuration items.
pub async fn find_by_names<C: ConnectionTrait>(
    conn: &C,
    names: &[String],
) -> Result<Vec<CiRef>, AppError> {
    let keys: Vec<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
    let mut found = Vec::new();
    for chunk in keys.chunks(CHUNK) {
        for r in Items::find()
            .filter(Column::NameKey.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            found.push(ci_ref(&r)?);
        }
    }
    found.sort_by_key(|a| a.name.to_lowercase());
    Ok(found)
}

/// What change `change_id`'s configuration items reach (its free-text list matched to the
/// CMDB by name, in any case).
pub async fn change_impact<C: ConnectionTrait>(
    conn: &C,
    change_id: i64,
) -> Result<crate::model::cmdb::ChangeImpact, AppError> {
    use crate::server::entity::change::Entity as Changes;
    use crate::server::entity::change_service::{Column as LinkColumn, Entity as ChangeServices};
    let change = Changes::find_by_id(change_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That change".into()))?;
    let names: Vec<String> = serde_json::from_str(&change.configuration_items).map_err(|_| {
        crate::server::failure::internal(format!(
            "change {change_id} has unreadable configuration items"
        ))
    })?;
    let items = find_by_names(conn, &names).await?;
    let unknown = names
        .iter()
        .filter(|n| {
            !items
                .iter()
                .any(|i| i.name.to_lowercase() == n.trim().to_lowercase())
        })
        .cloned()
        .collect();
    let named: Vec<i64> = ChangeServices::find()
        .select_only()
        .column(LinkColumn::ServiceId)
        .filter(LinkColumn::ChangeId.eq(change_id))
        .into_tuple()
        .all(conn)
        .await?;
    let in_use: Vec<i64> = items
        .iter()
        .filter(|i| i.status != CiStatus::Retired)
        .map(|i| i.id)
        .collect();
    let impact = if in_use.is_empty() {
        Impact {
            services: Vec::new(),
            items: Vec::new(),
            reached: 0,
            cut_short: false,
        }
    } else {
        impact_of(conn, &in_use).await?
    };
    Ok(crate::model::cmdb::ChangeImpact {
        subject: "change".into(),
        items,
        unknown,
        services: impact.services,
        named,
        reached: impact.reached,
    })
}
