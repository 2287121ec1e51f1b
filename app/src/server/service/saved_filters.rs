//! Saved change-list filters: personal, named, at most `SAVED_FILTERS_MAX` per person.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::change_request::{ChangeQueryParams, SavedFilter, SAVED_FILTERS_MAX};
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::saved_filter::{self, Column, Entity as SavedFilters};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

fn view(row: saved_filter::Model) -> SavedFilter {
    SavedFilter {
        id: row.id,
        name: row.name,
        query: row.query,
    }
}

pub async fn list(db: &Db, user_id: i64) -> Result<Vec<SavedFilter>, AppError> {
    Ok(SavedFilters::find()
        .filter(Column::UserId.eq(user_id))
        .order_by_asc(Column::Name)
        .all(db.reader())
        .await?
        .into_iter()
        .map(view)
        .collect())
}

async fn named<C: ConnectionTrait>(conn: &C, user_id: i64, name: &str) -> Result<bool, AppError> {
    let lower = name.to_lowercase();
    Ok(SavedFilters::find()
        .filter(Column::UserId.eq(user_id))
        .all(conn)
        .await?
        .iter()
        .any(|f| f.name.to_lowercase() == lower))
}

/// Saves the filters of `params` (normalised: only what the list understands) as `name`.
pub async fn save(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    name: &str,
    params: &ChangeQueryParams,
) -> Result<SavedFilter, AppError> {
    let mut errors = FieldErrors::new();
    let name = crate::model::text::bounded(&mut errors, "name", "Name", name, 1, 60);
    let query = params.to_query();
    if !query.is_filtered() {
        errors.add("name", "Choose at least one filter before saving it.");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let txn = db.begin_write().await?;
    if named(&txn, user_id, &name).await? {
        return Err(AppError::single_field(
            "name",
            format!("You already have a filter called “{name}”."),
        ));
    }
    let count = SavedFilters::find()
        .filter(Column::UserId.eq(user_id))
        .count(&txn)
        .await?;
    if count as usize >= SAVED_FILTERS_MAX {
        return Err(AppError::single_field(
            "name",
            format!("You can keep {SAVED_FILTERS_MAX} filters; delete one first."),
        ));
    }
    let row = saved_filter::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.clone()),
        query: Set(query.to_query_string()),
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
        format!("Saved change filter “{name}”: {}", row.query),
    )
    .await?;
    txn.commit().await?;
    Ok(view(row))
}

/// Deletes one of the caller's own filters; someone else's reads as not found.
pub async fn delete(db: &Db, actor: &Actor, user_id: i64, id: i64) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let Some(row) = SavedFilters::find_by_id(id)
        .filter(Column::UserId.eq(user_id))
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
        format!("Deleted change filter “{}”", row.name),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
