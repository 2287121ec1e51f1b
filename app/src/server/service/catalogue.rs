//! The service catalogue: list, read, create, update, archive and restore services.

use crate::error::AppError;
use crate::model::access::RecordType;
use crate::model::audit::diff;
use crate::model::listing::{Page, SortDirection, MAX_PAGE_SIZE};
use crate::model::refs::ServiceRef;
use crate::model::service::{
    ArchiveFilter, Criticality, Service, ServiceDraft, ServiceQuery, ServiceSort, ServiceStatus,
};
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::service::{self as service_entity, Column, Entity as Services};
use crate::server::failure::{internal, is_unique_violation};
use crate::server::search::contains_text;
use crate::server::versioned::{self, check_version};
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set, UpdateMany,
};

impl From<service_entity::Model> for Service {
    fn from(row: service_entity::Model) -> Self {
        Service {
            id: row.id,
            name: row.name,
            owner: row.owner,
            // The migration constrains both columns, so the fallbacks are never expected.
            criticality: Criticality::from_rank(row.criticality).unwrap_or(Criticality::Medium),
            status: ServiceStatus::parse(&row.status).unwrap_or(ServiceStatus::Live),
            description: row.description,
            customers: serde_json::from_str(&row.customers).unwrap_or_default(),
            archived: row.archived_at.is_some(),
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

pub async fn list(db: &Db, query: &ServiceQuery) -> Result<Page<Service>, AppError> {
    let page_size = query.page_size.clamp(1, MAX_PAGE_SIZE);
    let mut select = Services::find();
    select = match query.archive {
        ArchiveFilter::Active => select.filter(Column::ArchivedAt.is_null()),
        ArchiveFilter::Archived => select.filter(Column::ArchivedAt.is_not_null()),
        ArchiveFilter::All => select,
    };
    if let Some(criticality) = query.criticality {
        select = select.filter(Column::Criticality.eq(criticality.rank()));
    }
    let search = query.search.trim();
    if !search.is_empty() {
        let matches = |column: Column| contains_text(column, search);
        select = select.filter(
            matches(Column::Name)
                .or(matches(Column::Owner))
                .or(matches(Column::Description))
                .or(matches(Column::Customers)),
        );
    }
    let order = match query.direction {
        SortDirection::Ascending => Order::Asc,
        SortDirection::Descending => Order::Desc,
    };
    let sort_column = match query.sort {
        ServiceSort::Name => Column::NameKey,
        ServiceSort::Owner => Column::Owner,
        ServiceSort::Criticality => Column::Criticality,
        ServiceSort::Status => Column::Status,
        ServiceSort::Updated => Column::UpdatedAt,
    };
    // The name breaks ties so that paging is stable.
    select = select
        .order_by(sort_column, order)
        .order_by(Column::NameKey, Order::Asc);

    let total = select.clone().count(db.reader()).await?;
    let page = query.page.clamp(1, crate::model::listing::MAX_PAGE);
    let rows = select
        .offset(crate::model::listing::page_offset(page, page_size))
        .limit(page_size)
        .all(db.reader())
        .await?;
    Ok(Page {
        items: rows.into_iter().map(Service::from).collect(),
        page,
        page_size,
        total,
    })
}

/// Whether `id` names a service in use (not archived): one row read, for a form's check.
pub async fn is_active<C: ConnectionTrait>(conn: &C, id: i64) -> Result<bool, AppError> {
    let found: Option<i64> = Services::find_by_id(id)
        .select_only()
        .column(Column::Id)
        .filter(Column::ArchivedAt.is_null())
        .into_tuple()
        .one(conn)
        .await?;
    Ok(found.is_some())
}

/// Every service in use (not archived), by name: id and name only, for pickers and filters.
pub async fn active_refs<C: ConnectionTrait>(conn: &C) -> Result<Vec<ServiceRef>, AppError> {
    let rows: Vec<(i64, String)> = Services::find()
        .select_only()
        .columns([Column::Id, Column::Name])
        .filter(Column::ArchivedAt.is_null())
        .order_by_asc(Column::NameKey)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name)| ServiceRef { id, name })
        .collect())
}

pub async fn get(db: &Db, id: i64) -> Result<Service, AppError> {
    find(db.reader(), id).await
}

async fn find(conn: &impl ConnectionTrait, id: i64) -> Result<Service, AppError> {
    Services::find_by_id(id)
        .one(conn)
        .await?
        .map(Service::from)
        .ok_or_else(|| AppError::NotFound(format!("Service {id}")))
}

/// The fields an auditor sees change.
fn audit_view(service: &Service) -> serde_json::Value {
    serde_json::json!({
        "name": service.name,
        "owner": service.owner,
        "criticality": service.criticality.label(),
        "status": service.status.label(),
        "description": service.description,
        "customers": service.customers,
        "archived": service.archived,
    })
}

async fn record<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    action: &'static str,
    summary: String,
    before: Option<&Service>,
    after: &Service,
) -> Result<(), AppError> {
    let changes = diff(before.map(audit_view).as_ref(), Some(&audit_view(after)));
    audit::append(
        conn,
        actor,
        Event::new(
            action,
            RecordType::Service,
            Some(after.id.to_string()),
            summary,
        )
        .with_changes(changes),
    )
    .await?;
    Ok(())
}

pub async fn create(db: &Db, actor: &Actor, draft: ServiceDraft) -> Result<Service, AppError> {
    let txn = db.begin_write().await?;
    ensure_name_free(&txn, &draft, None).await?;
    let now = Utc::now();
    let row = service_entity::ActiveModel {
        name: Set(draft.name.clone()),
        name_key: Set(draft.name_key()),
        owner: Set(draft.owner.clone()),
        criticality: Set(draft.criticality.rank()),
        status: Set(draft.status.as_str().to_string()),
        description: Set(draft.description.clone()),
        customers: Set(customers_json(&draft)?),
        archived_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|err| name_taken_or_internal(err, &draft))?;
    let service = Service::from(row);
    record(
        &txn,
        actor,
        "service_created",
        format!("Created service {}", service.name),
        None,
        &service,
    )
    .await?;
    txn.commit().await?;
    Ok(service)
}

pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected_version: i32,
    draft: ServiceDraft,
) -> Result<Service, AppError> {
    let txn = db.begin_write().await?;
    ensure_name_free(&txn, &draft, Some(id)).await?;
    let before = find(&txn, id).await?;
    let customers = customers_json(&draft)?;
    versioned::update_or(
        &txn,
        id,
        expected_version,
        |update: UpdateMany<Services>| {
            update
                .col_expr(Column::Name, Expr::value(draft.name.clone()))
                .col_expr(Column::NameKey, Expr::value(draft.name_key()))
                .col_expr(Column::Owner, Expr::value(draft.owner.clone()))
                .col_expr(Column::Criticality, Expr::value(draft.criticality.rank()))
                .col_expr(Column::Status, Expr::value(draft.status.as_str()))
                .col_expr(Column::Description, Expr::value(draft.description.clone()))
                .col_expr(Column::Customers, Expr::value(customers))
        },
        |err| name_taken_or_internal(err, &draft),
    )
    .await?;
    let service = find(&txn, id).await?;
    record(
        &txn,
        actor,
        "service_updated",
        format!("Updated service {}", service.name),
        Some(&before),
        &service,
    )
    .await?;
    txn.commit().await?;
    Ok(service)
}

/// Archives (`archived = true`) or restores a service; archived services leave the default list.
pub async fn set_archived(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected_version: i32,
    archived: bool,
) -> Result<Service, AppError> {
    let txn = db.begin_write().await?;
    let current = find(&txn, id).await?;
    check_version::<Services>(expected_version, current.version)?;
    if current.archived == archived {
        let state = if archived { "archived" } else { "active" };
        return Err(AppError::BadRequest(format!(
            "Service {id} is already {state}."
        )));
    }
    let archived_at = archived.then(Utc::now);
    versioned::update(
        &txn,
        id,
        expected_version,
        |update: UpdateMany<Services>| {
            update.col_expr(Column::ArchivedAt, Expr::value(archived_at))
        },
    )
    .await?;
    let service = find(&txn, id).await?;
    let (action, verb) = if archived {
        ("service_archived", "Archived")
    } else {
        ("service_restored", "Restored")
    };
    record(
        &txn,
        actor,
        action,
        format!("{verb} service {}", service.name),
        Some(&current),
        &service,
    )
    .await?;
    txn.commit().await?;
    Ok(service)
}

/// Counts of active services by criticality, for the dashboard.
pub async fn criticality_counts(db: &Db) -> Result<Vec<(Criticality, u64)>, AppError> {
    let mut counts = Vec::new();
    for criticality in Criticality::ALL {
        let count = Services::find()
            .filter(Column::ArchivedAt.is_null())
            .filter(Column::Criticality.eq(criticality.rank()))
            .count(db.reader())
            .await?;
        counts.push((criticality, count));
    }
    Ok(counts)
}

async fn ensure_name_free(
    conn: &impl ConnectionTrait,
    draft: &ServiceDraft,
    except_id: Option<i64>,
) -> Result<(), AppError> {
    let mut select = Services::find().filter(Column::NameKey.eq(draft.name_key()));
    if let Some(id) = except_id {
        select = select.filter(Column::Id.ne(id));
    }
    if select.count(conn).await? > 0 {
        return Err(name_taken(draft));
    }
    Ok(())
}

fn name_taken(draft: &ServiceDraft) -> AppError {
    AppError::single_field(
        "name",
        format!("A service named “{}” already exists.", draft.name),
    )
}

fn name_taken_or_internal(err: sea_orm::DbErr, draft: &ServiceDraft) -> AppError {
    if is_unique_violation(&err) {
        name_taken(draft)
    } else {
        internal(err)
    }
}

fn customers_json(draft: &ServiceDraft) -> Result<String, AppError> {
    serde_json::to_string(&draft.customers).map_err(internal)
}

/// The names of the given services by id (archived ones too: old changes still name them);
/// what a page of rows needs, read for those rows only.
pub async fn names_of<C: sea_orm::ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    use crate::server::entity::service::{Column, Entity};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
    let ids: std::collections::BTreeSet<i64> = ids.into_iter().collect();
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut names = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, String)> = Entity::find()
            .select_only()
            .columns([Column::Id, Column::Name])
            .filter(Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        names.extend(rows);
    }
    Ok(names)
}

/// Every service's name by id (archived ones too: old changes still name them).
pub async fn names<C: sea_orm::ConnectionTrait>(
    conn: &C,
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    use sea_orm::EntityTrait;
    Ok(crate::server::entity::service::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}
