//! Reading the audit trail: filtered pages for the audit page, and one record's history.

use crate::error::AppError;
use crate::model::audit::{AuditEntry, AuditQuery};
use crate::model::listing::{Page, DEFAULT_PAGE_SIZE};
use crate::server::db::Db;
use crate::server::entity::audit_log::{Column, Entity as AuditLog};
use crate::server::service::key_paging::{self, KeyOrder};
use chrono::NaiveTime;
use sea_orm::{
    ColumnTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub async fn list(db: &Db, query: &AuditQuery) -> Result<Page<AuditEntry>, AppError> {
    let mut select = AuditLog::find();
    if let Some(actor) = query.actor_id {
        select = select.filter(Column::ActorId.eq(actor));
    }
    if let Some(record_type) = &query.record_type {
        select = select.filter(Column::RecordType.eq(record_type.clone()));
    }
    if let Some(record_id) = &query.record_id {
        select = select.filter(Column::RecordId.eq(record_id.clone()));
    }
    if let Some(from) = query.from {
        select = select.filter(Column::OccurredAt.gte(from.and_time(NaiveTime::MIN).and_utc()));
    }
    // Inclusive of the whole last day (checked: the last day chrono knows has no next one).
    if let Some(next_day) = query.to.and_then(|to| to.succ_opt()) {
        select = select.filter(Column::OccurredAt.lt(next_day.and_time(NaiveTime::MIN).and_utc()));
    }
    let total = select.clone().count(db.reader()).await?;
    let page_size = DEFAULT_PAGE_SIZE * 2;
    let page = query.page.clamp(1, crate::model::listing::MAX_PAGE);
    // Newest first; the sequence number is the key.
    let newest_first = KeyOrder {
        keys: vec![],
        id: Column::Seq,
        order: Order::Desc,
    };
    let conn = db.reader();
    let rows = key_paging::read_page(
        select,
        &newest_first,
        query.key,
        page,
        page_size,
        |shown| async move { Ok(shown.all(conn).await?) },
    )
    .await?;
    Ok(Page {
        items: rows.into_iter().map(AuditEntry::from).collect(),
        page,
        page_size,
        total,
    })
}

/// Every entry about one record, newest first.
pub async fn history(
    db: &Db,
    record_type: &str,
    record_id: &str,
) -> Result<Vec<AuditEntry>, AppError> {
    Ok(AuditLog::find()
        .filter(Column::RecordType.eq(record_type))
        .filter(Column::RecordId.eq(record_id))
        .order_by_desc(Column::Seq)
        .limit(500)
        .all(db.reader())
        .await?
        .into_iter()
        .map(AuditEntry::from)
        .collect())
}
