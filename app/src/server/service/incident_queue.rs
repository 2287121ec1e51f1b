//! The incident queue in SQL: filters, sort and one page, so a queue of a hundred thousand
//! incidents costs what a page of 25 costs. Breached means the resolution target is passed:
//! a running clock whose due instant is behind us, or a stopped or paused clock that used more
//! than its target.

use crate::error::AppError;
use crate::model::incident::{reference, IncidentState};
use crate::model::incident_queue::{
    AssigneeFilter, QueuePage, QueueParams, QueueRow, QueueSort, StateFilter, COUNT_LIMIT,
};
use crate::model::priority_matrix::TicketPriority;
use crate::model::target_clock::{ClockStatus, TargetClock};
use crate::server::db::Db;
use crate::server::entity::incident::{Column, Entity as Incidents, Model};
use crate::server::service::catalogue;
use crate::server::service::key_paging::{self, KeyOrder};
use crate::server::service::users::people;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, Func};
use sea_orm::{ColumnTrait, Condition, EntityTrait, Order, QueryFilter, QuerySelect, Select};

fn open_states() -> Vec<&'static str> {
    IncidentState::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(IncidentState::as_str)
        .collect()
}

/// The resolution target is passed at `now`.
fn breached(now: DateTime<Utc>) -> Condition {
    let over_target = Expr::col(Column::ResolutionUsedSeconds)
        .gt(Expr::col(Column::ResolutionTargetMinutes).mul(60));
    Condition::any()
        .add(
            Condition::all()
                .add(Column::ResolutionRunningSince.is_not_null())
                .add(Column::ResolutionStoppedAt.is_null())
                .add(Column::ResolutionDueAt.lt(now)),
        )
        .add(
            Condition::all()
                .add(Column::ResolutionTargetMinutes.is_not_null())
                .add(over_target),
        )
}

fn filtered(params: &QueueParams, me: i64, now: DateTime<Utc>) -> Select<Incidents> {
    let mut query = Incidents::find();
    query = match params.states() {
        StateFilter::Open => query.filter(Column::State.is_in(open_states())),
        StateFilter::All => query,
        StateFilter::Only(state) => query.filter(Column::State.eq(state.as_str())),
    };
    if let Some(priority) = params.priority() {
        query = query.filter(Column::Priority.eq(priority.as_str()));
    }
    query = match params.assignee(me) {
        AssigneeFilter::Anyone => query,
        AssigneeFilter::Unassigned => query.filter(Column::AssigneeId.is_null()),
        AssigneeFilter::Person(id) => query.filter(Column::AssigneeId.eq(id)),
    };
    if let Some(service) = params.service() {
        query = query.filter(Column::ServiceId.eq(service));
    }
    if params.breached_only() {
        query = query.filter(breached(now));
    }
    if let Some(id) = params.reference_id() {
        query = query.filter(Column::Id.eq(id));
    } else if let Some(text) = params.text() {
        let pattern = format!("%{}%", text.to_lowercase().replace(['%', '_'], ""));
        query = query.filter(Expr::expr(Func::lower(Expr::col(Column::Title))).like(pattern));
    }
    query
}

/// Due soonest first (incidents without a running clock after every dated one), most
/// pressing priority first, or newest first; ties by reference.
fn queue_order(sort: QueueSort) -> KeyOrder<Incidents> {
    match sort {
        QueueSort::Due => KeyOrder {
            keys: vec![Expr::col((Incidents, Column::QueueDueAt))],
            id: Column::Id,
            order: Order::Asc,
        },
        QueueSort::Priority => KeyOrder {
            keys: vec![Expr::Case(Box::new(
                TicketPriority::ALL
                    .into_iter()
                    .enumerate()
                    .fold(CaseStatement::new(), |case, (rank, p)| {
                        case.case(Column::Priority.eq(p.as_str()), rank as i32)
                    })
                    .finally(9),
            ))],
            id: Column::Id,
            order: Order::Asc,
        },
        QueueSort::Newest => KeyOrder {
            keys: vec![],
            id: Column::Id,
            order: Order::Desc,
        },
    }
}

/// One page of the queue, as `me` asked for it at `now`.
pub async fn page(
    db: &Db,
    params: &QueueParams,
    me: i64,
    now: DateTime<Utc>,
    page_size: u64,
) -> Result<QueuePage, AppError> {
    let conn = db.reader();
    // Counted up to the limit: reading the first 1,001 matching ids stops early, where a
    // COUNT would visit every open incident.
    let counted: Vec<i64> = filtered(params, me, now)
        .select_only()
        .column(Column::Id)
        .limit(COUNT_LIMIT + 1)
        .into_tuple()
        .all(conn)
        .await?;
    let more = counted.len() as u64 > COUNT_LIMIT;
    let total = Ord::min(counted.len() as u64, COUNT_LIMIT);
    let (page, pages) = QueuePage::paging(total, more, params.page_number(), page_size);
    let rows = key_paging::read_page(
        filtered(params, me, now),
        &queue_order(params.sort()),
        params.page_key(),
        page,
        page_size,
        |select| async move { Ok(select.all(conn).await?) },
    )
    .await?;
    let services = catalogue::names_of(conn, rows.iter().map(|r| r.service_id)).await?;
    let assignees: Vec<i64> = rows.iter().filter_map(|r| r.assignee_id).collect();
    let names = people(conn, &assignees).await?;
    // Past the count, a page that is not full is the last.
    let pages = if more && (rows.len() as u64) < page_size {
        page
    } else {
        pages
    };
    Ok(QueuePage {
        more,
        rows: rows
            .into_iter()
            .map(|row| QueueRow {
                id: row.id,
                reference: reference(row.id),
                title: row.title.clone(),
                service: services.get(&row.service_id).cloned().unwrap_or_default(),
                priority: TicketPriority::parse(&row.priority).unwrap_or(TicketPriority::P5),
                state: IncidentState::parse(&row.state).unwrap_or(IncidentState::New),
                assignee: row
                    .assignee_id
                    .and_then(|id| names.get(&id).map(|p| p.name.clone())),
                major: row.major,
                warning_at: row.resolution_warning_at,
                due_at: row.resolution_due_at,
                status: status_at(&row, now),
                created_at: row.created_at,
            })
            .collect(),
        total,
        page,
        pages,
        read_at: now,
    })
}

/// The resolution target's standing from the stored instants alone (no calendar needed).
fn status_at(row: &Model, now: DateTime<Utc>) -> Option<ClockStatus> {
    let target = row.resolution_target_minutes?;
    let clock = TargetClock {
        target_minutes: u32::try_from(target).unwrap_or(0),
        used_seconds: row.resolution_used_seconds,
        running_since: row.resolution_running_since,
        stopped_at: row.resolution_stopped_at,
    };
    Some(clock.status_from_stored(row.resolution_warning_at, row.resolution_due_at, now))
}
