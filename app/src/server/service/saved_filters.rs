//! Saved filters (`model::saved_filter`): personal, named, at most `SAVED_FILTERS_MAX` per
//! person and list. The query kept is always the list's canonical form, worked out here from
//! what the caller sent, never taken as sent.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::saved_filter::{SavedFilter, SavedList, SAVED_FILTERS_MAX};
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::saved_filter::{self, Column, Entity as SavedFilters};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

fn view(row: saved_filter::Model) -> Option<SavedFilter> {
    Some(SavedFilter {
        id: row.id,
        list: SavedList::parse(&row.list)?,
        name: row.name,
        query: row.query,
    })
}

fn of_list(user_id: i64, list: SavedList) -> sea_orm::Select<SavedFilters> {
    SavedFilters::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::List.eq(list.as_str()))
}

pub async fn list(db: &Db, user_id: i64, list: SavedList) -> Result<Vec<SavedFilter>, AppError> {
    Ok(of_list(user_id, list)
        .order_by_asc(Column::Name)
        .limit(SAVED_FILTERS_MAX as u64)
        .all(db.reader())
        .await?
        .into_iter()
        .filter_map(view)
        .collect())
}

/// Whether the person already has a filter of that name on the list, in any case.
async fn named<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    list: SavedList,
    name: &str,
) -> Result<bool, AppError> {
    let lower = name.to_lowercase();
    let names: Vec<String> = of_list(user_id, list)
        .select_only()
        .column(Column::Name)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(names.iter().any(|n| n.to_lowercase() == lower))
}

/// Saves the filters of `query` (a query string of `list`'s page) as `name`.
pub async fn save(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    list: SavedList,
    name: &str,
    query: &str,
) -> Result<SavedFilter, AppError> {
    let mut errors = FieldErrors::new();
    let name = crate::model::text::bounded(&mut errors, "name", "Name", name, 1, 60);
    let query = list.canonical(query);
    if query.is_none() {
        errors.add("name", "Choose at least one filter before saving it.");
    }
    errors.into_result(())?;
    let query = query.unwrap_or_default();
    let txn = db.begin_write().await?;
    if named(&txn, user_id, list, &name).await? {
        return Err(AppError::single_field(
            "name",
            format!("You already have a filter called “{name}”."),
        ));
    }
    let count = of_list(user_id, list).count(&txn).await?;
    if count as usize >= SAVED_FILTERS_MAX {
        return Err(AppError::single_field(
            "name",
            format!(
                "You can keep {SAVED_FILTERS_MAX} filters of {}; delete one first.",
                list.label().to_lowercase()
            ),
        ));
    }
    let row = saved_filter::ActiveModel {
        user_id: Set(user_id),
        list: Set(list.as_str().into()),
        name: Set(name.clone()),
        query: Set(query),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::User,
        user_id,
        "saved_filter_created",
        format!(
            "Saved filter of {} “{name}”: {}",
            list.label().to_lowercase(),
            row.query
        ),
    )
    .await?;
    txn.commit().await?;
    view(row).ok_or_else(|| AppError::NotFound("That saved filter".into()))
}

/// Deletes one of the caller's own filters of `list`; someone else's reads as not found.
pub async fn delete(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    list: SavedList,
    id: i64,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let Some(row) = of_list(user_id, list)
        .filter(Column::Id.eq(id))
        .one(&txn)
        .await?
    else {
        return Err(AppError::NotFound("That saved filter".into()));
    };
    SavedFilters::delete_by_id(id).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        RecordType::User,
        user_id,
        "saved_filter_deleted",
        format!(
            "Deleted filter of {} “{}”",
            list.label().to_lowercase(),
            row.name
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
