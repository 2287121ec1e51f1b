//! In-app notifications: a line of text and where to go, for one person.

use crate::error::AppError;
use crate::model::meeting::Notification;
use crate::server::db::Db;
use crate::server::entity::notification::{self as entity, Column, Entity as Notifications};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

/// Adds a notification inside the caller's transaction (it appears only if the write commits).
pub async fn notify<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    text: String,
    link: String,
) -> Result<(), AppError> {
    entity::ActiveModel {
        user_id: Set(user_id),
        text: Set(text),
        link: Set(link),
        created_at: Set(Utc::now()),
        read_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The person's notifications of the last fortnight, newest first.
pub async fn recent(db: &Db, user_id: i64) -> Result<Vec<Notification>, AppError> {
    Ok(Notifications::find()
        .filter(Column::UserId.eq(user_id))
        .filter(Column::CreatedAt.gt(Utc::now() - Duration::days(14)))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .limit(50)
        .all(db.reader())
        .await?
        .into_iter()
        .map(|n| Notification {
            id: n.id,
            text: n.text,
            link: n.link,
            created_at: n.created_at,
            read: n.read_at.is_some(),
        })
        .collect())
}

/// Marks all of the person's notifications read (only their own).
pub async fn mark_all_read(db: &Db, user_id: i64) -> Result<(), AppError> {
    Notifications::update_many()
        .col_expr(Column::ReadAt, Expr::value(Utc::now()))
        .filter(Column::UserId.eq(user_id))
        .filter(Column::ReadAt.is_null())
        .exec(db.writer())
        .await?;
    Ok(())
}
