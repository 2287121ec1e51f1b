//! Calendar subscriptions: a secret per person in the feed URL, stored only as its SHA-256,
//! replaced or revoked at will. The feed answers for the person while they are active.

use crate::error::AppError;
use crate::model::access::{Permission, RecordType};
use crate::model::calendar::FeedStatus;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::calendar_feed::{self, Column, Entity as CalendarFeeds};
use crate::server::entity::user::Entity as Users;
use crate::server::session::{current_user, new_token, token_hash};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

/// `last_used_at` is refreshed at most this often: calendar apps poll every few minutes.
const TOUCH_INTERVAL: Duration = Duration::hours(1);

pub async fn status(db: &Db, user_id: i64) -> Result<Option<FeedStatus>, AppError> {
    Ok(CalendarFeeds::find()
        .filter(Column::UserId.eq(user_id))
        .one(db.reader())
        .await?
        .map(|row| FeedStatus {
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        }))
}

/// A new secret for `user_id`; any earlier link stops working in the same transaction.
pub async fn create(db: &Db, actor: &Actor, user_id: i64) -> Result<String, AppError> {
    let token = new_token();
    let txn = db.begin_write().await?;
    let replaced = CalendarFeeds::delete_many()
        .filter(Column::UserId.eq(user_id))
        .exec(&txn)
        .await?
        .rows_affected
        > 0;
    calendar_feed::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(token_hash(&token)),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let (action, summary) = if replaced {
        (
            "calendar_feed_replaced",
            "Calendar feed link replaced; the old link no longer works",
        )
    } else {
        ("calendar_feed_created", "Calendar feed link created")
    };
    audit::record(&txn, actor, RecordType::User, user_id, action, summary).await?;
    txn.commit().await?;
    Ok(token)
}

/// Stops the feed; `false` when there was none.
pub async fn revoke(db: &Db, actor: &Actor, user_id: i64) -> Result<bool, AppError> {
    let txn = db.begin_write().await?;
    let removed = CalendarFeeds::delete_many()
        .filter(Column::UserId.eq(user_id))
        .exec(&txn)
        .await?
        .rows_affected;
    if removed == 0 {
        return Ok(false);
    }
    audit::record(
        &txn,
        actor,
        RecordType::User,
        user_id,
        "calendar_feed_revoked",
        "Calendar feed link revoked",
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// Whose feed `token` opens: an active person who may still read changes, or nobody.
pub async fn owner(db: &Db, token: &str) -> Result<Option<CurrentUser>, AppError> {
    if token.is_empty() || token.len() > 100 {
        return Ok(None);
    }
    let Some(feed) = CalendarFeeds::find()
        .filter(Column::TokenHash.eq(token_hash(token)))
        .one(db.reader())
        .await?
    else {
        return Ok(None);
    };
    let Some(row) = Users::find_by_id(feed.user_id).one(db.reader()).await? else {
        return Ok(None);
    };
    let user = current_user(&row);
    if row.disabled_at.is_some() || !user.may(Permission::ChangeRead) {
        return Ok(None);
    }
    let stale = feed
        .last_used_at
        .is_none_or(|used| Utc::now() - used > TOUCH_INTERVAL);
    if stale {
        let txn = db.begin_write().await?;
        CalendarFeeds::update_many()
            .col_expr(Column::LastUsedAt, Expr::value(Utc::now()))
            .filter(Column::Id.eq(feed.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
    Ok(Some(user))
}
