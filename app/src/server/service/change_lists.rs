//! Reading changes many at a time: the filtered, sorted and paged list, the board, and the
//! export. A card carries what a row needs (service, risk, schedule, people) read in one
//! query for the whole page, never one query per change.

use crate::error::AppError;
use crate::model::change::ChangeState;
use crate::model::change_request::{ChangeCard, ChangeQuery};
use crate::model::listing::{Page, DEFAULT_PAGE_SIZE};
use crate::model::refs::PersonRef;
use crate::model::schedule::Window;
use crate::server::db::Db;
use crate::server::entity::change as change_entity;
use crate::server::entity::change::{Column, Entity as Changes};
use crate::server::entity::change_service::{self, Entity as ChangeServices};
use crate::server::entity::user;
use crate::server::failure::internal;
use crate::server::search::contains_text;
use crate::server::service::change_conflicts::overlapping;
use crate::server::service::change_records::{owner_ids_from, risk_from, state_from, type_from};
use crate::server::service::key_paging::{self, KeyOrder};
use chrono::{DateTime, NaiveTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, JoinType, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait,
};

/// What a card needs of a change's row, and no more (a change's description and plans can
/// run to pages, and a board reads a thousand rows), with its owner's name, its services'
/// names and its implementers gathered in the same query.
#[derive(Debug, sea_orm::FromQueryResult)]
struct CardRow {
    id: i64,
    title: String,
    change_type: String,
    state: String,
    risk_level: Option<String>,
    owner_id: i64,
    requester_id: i64,
    planned_start: Option<DateTime<Utc>>,
    planned_end: Option<DateTime<Utc>>,
    former_owner_ids: String,
    owner_name: Option<String>,
    imported: bool,
    version: i32,
    conflict_count: i32,
    has_plans: bool,
    has_review: bool,
    conflict_overridden: bool,
    /// JSON array of the services' names.
    service_names: String,
    /// JSON array of the implementers' ids.
    implementer_ids: String,
}

/// A JSON array of `value` over the rows of `from` (`[]` when there are none), as text: how
/// each database spells it.
fn json_array(backend: DbBackend, value: &str, from: &str) -> String {
    match backend {
        DbBackend::Postgres => {
            format!("(SELECT coalesce(json_agg({value}), '[]'::json)::text FROM {from})")
        }
        _ => format!("(SELECT json_group_array({value}) FROM {from})"),
    }
}

/// Selects a [`CardRow`] for each change `select` finds: one query, however many cards.
/// Stored plans and outcomes are trimmed when written (`model::text::bounded`), so "not
/// empty" is what `has_plans` and `has_review` mean.
fn card_columns(
    backend: DbBackend,
    select: sea_orm::Select<Changes>,
) -> sea_orm::Selector<sea_orm::SelectModel<CardRow>> {
    let service_names = json_array(
        backend,
        "s.name",
        "change_services cs JOIN services s ON s.id = cs.service_id \
         WHERE cs.change_id = changes.id",
    );
    let implementer_ids = json_array(
        backend,
        "ci.user_id",
        "change_implementers ci WHERE ci.change_id = changes.id",
    );
    select
        .select_only()
        .join(JoinType::LeftJoin, change_entity::Relation::Owner.def())
        .column_as(user::Column::Name, "owner_name")
        .columns([
            Column::Id,
            Column::Title,
            Column::ChangeType,
            Column::State,
            Column::RiskLevel,
            Column::OwnerId,
            Column::RequesterId,
            Column::PlannedStart,
            Column::PlannedEnd,
            Column::FormerOwnerIds,
            Column::Imported,
            Column::Version,
            Column::ConflictCount,
        ])
        .column_as(
            Expr::cust(
                "(trim(implementation_plan) <> '' AND trim(test_plan) <> '' \
                 AND trim(backout_plan) <> '')",
            ),
            "has_plans",
        )
        .column_as(
            Expr::cust("(coalesce(trim(review_outcome), '') <> '')"),
            "has_review",
        )
        .column_as(
            Expr::cust("(conflict_override IS NOT NULL)"),
            "conflict_overridden",
        )
        .column_as(Expr::cust(service_names), "service_names")
        .column_as(Expr::cust(implementer_ids), "implementer_ids")
        .into_model::<CardRow>()
}

/// The board card (and list row) of a row read by [`card_columns`].
fn card(row: CardRow) -> Result<ChangeCard, AppError> {
    let mut services: Vec<String> = serde_json::from_str(&row.service_names).map_err(internal)?;
    services.sort();
    Ok(ChangeCard {
        id: row.id,
        change_type: type_from(&row.change_type),
        state: state_from(&row.state),
        risk: risk_from(row.risk_level.as_deref()),
        services,
        owner: PersonRef {
            id: row.owner_id,
            name: row
                .owner_name
                .unwrap_or_else(|| format!("User {}", row.owner_id)),
        },
        requester_id: row.requester_id,
        implementer_ids: serde_json::from_str(&row.implementer_ids).map_err(internal)?,
        planned_start: row.planned_start,
        planned_end: row.planned_end,
        has_plans: row.has_plans,
        has_review: row.has_review,
        conflicts: u32::try_from(row.conflict_count).unwrap_or(0),
        conflict_overridden: row.conflict_overridden,
        former_owner_ids: owner_ids_from(&row.former_owner_ids),
        imported: row.imported,
        version: row.version,
        local_window: None,
        title: row.title,
    })
}

/// The cards of the changes `select` finds, in its order.
async fn cards<C: ConnectionTrait>(
    conn: &C,
    select: sea_orm::Select<Changes>,
) -> Result<Vec<ChangeCard>, AppError> {
    card_columns(conn.get_database_backend(), select)
        .all(conn)
        .await?
        .into_iter()
        .map(card)
        .collect()
}

/// The changes matching the list's filters, not yet ordered or paged.
async fn filtered(db: &Db, query: &ChangeQuery) -> Result<sea_orm::Select<Changes>, AppError> {
    let mut select = Changes::find();
    if !query.search.is_empty() {
        select = select.filter(
            contains_text(Column::Title, &query.search)
                .or(contains_text(Column::Description, &query.search)),
        );
    }
    if let Some(state) = query.state {
        select = select.filter(Column::State.eq(state.as_str()));
    }
    if let Some(change_type) = query.change_type {
        select = select.filter(Column::ChangeType.eq(change_type.as_str()));
    }
    if let Some(risk) = query.risk {
        select = select.filter(Column::RiskLevel.eq(risk.as_str()));
    }
    if let Some(owner) = query.owner_id {
        select = select.filter(Column::OwnerId.eq(owner));
    }
    if let Some(service) = query.service_id {
        let ids: Vec<i64> = ChangeServices::find()
            .select_only()
            .column(change_service::Column::ChangeId)
            .filter(change_service::Column::ServiceId.eq(service))
            .into_tuple()
            .all(db.reader())
            .await?;
        select = select.filter(Column::Id.is_in(ids));
    }
    if let Some(from) = query.from {
        select = select.filter(
            Column::PlannedEnd.gte(from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()),
        );
    }
    // Inclusive of the whole last day (checked: the last day chrono knows has no next one).
    if let Some(next_day) = query.to.and_then(|to| to.succ_opt()) {
        select =
            select.filter(Column::PlannedStart.lt(next_day.and_time(NaiveTime::MIN).and_utc()));
    }
    Ok(select)
}

pub async fn list(db: &Db, query: &ChangeQuery) -> Result<Page<ChangeCard>, AppError> {
    let select = filtered(db, query).await?;
    let conn = db.reader();
    let total = select.clone().count(conn).await?;
    let page = query.page.clamp(1, crate::model::listing::MAX_PAGE);
    let items = key_paging::read_page(
        select,
        &change_order(query),
        query.key,
        page,
        DEFAULT_PAGE_SIZE,
        |shown| cards(conn, shown),
    )
    .await?;
    Ok(Page {
        items,
        page,
        page_size: DEFAULT_PAGE_SIZE,
        total,
    })
}

/// The list's order, with the id as tie-breaker so that paging is stable. Changes without a
/// risk score or a planned start sort as the lowest and earliest, on every database.
fn change_order(query: &ChangeQuery) -> KeyOrder<Changes> {
    use crate::model::change_request::ChangeSort;
    use crate::model::listing::SortDirection;
    use sea_orm::sea_query::Func;
    let order = match query.direction {
        SortDirection::Ascending => sea_orm::Order::Asc,
        SortDirection::Descending => sea_orm::Order::Desc,
    };
    let column = |column: Column| Expr::col((Changes, column));
    let keys = match query.sort {
        ChangeSort::Reference => vec![],
        ChangeSort::Title => vec![column(Column::Title)],
        ChangeSort::Risk => {
            vec![Func::coalesce([column(Column::RiskScore), Expr::val(-1)]).into()]
        }
        ChangeSort::Planned => vec![Func::coalesce([
            column(Column::PlannedStart),
            Expr::val(key_paging::no_time()),
        ])
        .into()],
    };
    KeyOrder {
        keys,
        id: Column::Id,
        order,
    }
}

/// The most rows one export writes; a list filtered down further exports completely.
pub const EXPORT_MAX_ROWS: u64 = 10_000;

/// Every change matching the list's filters (newest first, up to `EXPORT_MAX_ROWS`), and
/// whether more matched than were exported.
pub async fn export(db: &Db, query: &ChangeQuery) -> Result<(Vec<ChangeCard>, bool), AppError> {
    let select = filtered(db, query).await?;
    let mut rows = cards(
        db.reader(),
        key_paging::ordered(select, &change_order(query)).limit(EXPORT_MAX_ROWS + 1),
    )
    .await?;
    let truncated = rows.len() as u64 > EXPORT_MAX_ROWS;
    rows.truncate(EXPORT_MAX_ROWS as usize);
    Ok((rows, truncated))
}

/// What the board shows: every open change, and those that ended in the last 14 days.
fn on_board() -> sea_orm::Condition {
    let finished: Vec<&str> = ChangeState::ALL
        .iter()
        .filter(|s| s.is_final())
        .map(|s| s.as_str())
        .collect();
    let recent = Utc::now() - chrono::Duration::days(14);
    sea_orm::Condition::any()
        .add(Column::State.is_not_in(finished))
        .add(Column::UpdatedAt.gte(recent))
}

/// Cards for the board.
pub async fn board(db: &Db) -> Result<Vec<ChangeCard>, AppError> {
    let shown = Changes::find()
        .filter(on_board())
        .order_by_asc(Column::PlannedStart)
        .order_by_asc(Column::Id)
        .limit(2000);
    cards(db.reader(), shown).await
}

/// At most this many neighbours travel with a changed card; beyond, boards fetch themselves.
pub const MAX_NEIGHBOURS: u64 = 12;

/// The cards of `ids` for a live event (conflict counts a window moved): `None` when there are
/// more than [`MAX_NEIGHBOURS`], which boards are better off fetching whole.
pub async fn cards_of(db: &Db, ids: &[i64]) -> Result<Option<Vec<ChangeCard>>, AppError> {
    if ids.len() as u64 > MAX_NEIGHBOURS {
        return Ok(None);
    }
    if ids.is_empty() {
        return Ok(Some(vec![]));
    }
    let select = Changes::find()
        .filter(Column::Id.is_in(ids.to_vec()))
        .order_by_asc(Column::Id);
    Ok(Some(cards(db.reader(), select).await?))
}

/// What changed on the board when change `id` was written: its own card first, then the
/// cards on the board whose window overlaps its own, or the window it had `before` the
/// write (their conflicts may have moved with it). `None` when more than
/// [`MAX_NEIGHBOURS`] overlap, or the change is gone.
pub async fn cards_around(
    db: &Db,
    id: i64,
    before: Option<Window>,
) -> Result<Option<Vec<ChangeCard>>, AppError> {
    let conn = db.reader();
    let Some(own) = cards(conn, Changes::find_by_id(id)).await?.pop() else {
        return Ok(None);
    };
    let now = Window::planned(own.planned_start, own.planned_end);
    let spans: Vec<Window> = now.into_iter().chain(before).collect();
    let mut shown = vec![];
    if !spans.is_empty() {
        let neighbours = Changes::find()
            .filter(on_board())
            .filter(Column::Id.ne(id))
            .filter(overlapping(
                &spans,
                Column::PlannedStart,
                Column::PlannedEnd,
            ))
            .order_by_asc(Column::PlannedStart)
            .order_by_asc(Column::Id)
            .limit(MAX_NEIGHBOURS + 1);
        shown = cards(conn, neighbours).await?;
        if shown.len() as u64 > MAX_NEIGHBOURS {
            return Ok(None);
        }
    }
    shown.insert(0, own);
    Ok(Some(shown))
}
