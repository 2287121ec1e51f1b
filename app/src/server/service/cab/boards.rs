//! Change advisory board definitions: members and delegates, chair, quorum, when the board
//! meets and which changes it looks at. Change managers keep them (the API checks);
//! writes are versioned and audited.

use crate::error::AppError;
use crate::model::access::RecordType;
use crate::model::audit::diff;
use crate::model::cab::{
    AgendaCriteria, BoardDraft, BoardKind, Membership, QuorumRule, Recurrence,
};
use crate::model::meeting::{Board, BoardMember, BoardSummary};
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::cab_board::{self as board_entity, Column, Entity as Boards};
use crate::server::entity::user::{self as user_entity, Entity as Users};
use crate::server::service::schedule::{local, zone};
use crate::server::service::users::{people, person};
use crate::server::versioned;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, UpdateMany,
};
use serde::{Deserialize, Serialize};

/// The recurrence as stored, with the date its cadence counts from.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct StoredRecurrence {
    recurrence: Recurrence,
    anchor: NaiveDate,
}

/// A stored board and the raw facts the meeting service needs besides the view.
pub struct BoardRecord {
    pub board: Board,
    anchor: Option<NaiveDate>,
}

impl BoardRecord {
    /// The next `count` meetings after `now`, as UTC instants (DST gaps skipped).
    pub fn next_meetings(&self, now: DateTime<Utc>, count: usize) -> Vec<DateTime<Utc>> {
        let (Some(recurrence), Some(anchor)) = (self.board.recurrence, self.anchor) else {
            return Vec::new();
        };
        let tz = zone(&self.board.time_zone);
        let anchor = anchor.and_time(chrono::NaiveTime::MIN);
        recurrence
            .next(anchor, local(now, tz), count)
            .into_iter()
            .filter_map(|at| {
                use chrono::TimeZone;
                tz.from_local_datetime(&at)
                    .earliest()
                    .map(|t| t.with_timezone(&Utc))
            })
            .collect()
    }
}

/// "Tuesday 1 December 2026, 10:00 (Europe/Berlin)".
pub fn local_label(instant: DateTime<Utc>, time_zone: &str) -> String {
    format!(
        "{} ({time_zone})",
        local(instant, zone(time_zone)).format("%A %-d %B %Y, %H:%M")
    )
}

fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

async fn record<C: ConnectionTrait>(
    conn: &C,
    row: board_entity::Model,
) -> Result<BoardRecord, AppError> {
    let members: Vec<Membership> = serde_json::from_str(&row.members).unwrap_or_default();
    let stored: Option<StoredRecurrence> = row
        .recurrence
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok());
    let mut ids: Vec<i64> = members
        .iter()
        .flat_map(|m| std::iter::once(m.member_id).chain(m.delegate_id))
        .collect();
    ids.push(row.chair_id);
    let names = people(conn, &ids).await?;
    Ok(BoardRecord {
        board: Board {
            id: row.id,
            name: row.name,
            kind: BoardKind::parse(&row.kind).unwrap_or(BoardKind::Cab),
            chair: person(&names, row.chair_id),
            quorum: QuorumRule::parse(&row.quorum).unwrap_or(QuorumRule::Majority),
            recurrence: stored.map(|s| s.recurrence),
            time_zone: row.time_zone,
            criteria: serde_json::from_str::<AgendaCriteria>(&row.criteria).unwrap_or_default(),
            members: members
                .iter()
                .map(|m| BoardMember {
                    member: person(&names, m.member_id),
                    delegate: m.delegate_id.map(|d| person(&names, d)),
                })
                .collect(),
            active: row.active,
            version: row.version,
        },
        anchor: stored.map(|s| s.anchor),
    })
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<BoardRecord, AppError> {
    let row = Boards::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That board".into()))?;
    record(conn, row).await
}

/// Every board, active first, each with its next three meetings.
pub async fn list(db: &Db, now: DateTime<Utc>) -> Result<Vec<BoardSummary>, AppError> {
    let rows = Boards::find()
        .order_by_desc(Column::Active)
        .order_by_asc(Column::NameKey)
        .all(db.reader())
        .await?;
    let mut boards = Vec::with_capacity(rows.len());
    for row in rows {
        let record = record(db.reader(), row).await?;
        let next_meetings = record
            .next_meetings(now, 3)
            .into_iter()
            .map(|at| local_label(at, &record.board.time_zone))
            .collect();
        boards.push(BoardSummary {
            board: record.board,
            next_meetings,
        });
    }
    Ok(boards)
}

/// Chair, members and delegates must be active people; the name must be free.
async fn check<C: ConnectionTrait>(
    conn: &C,
    draft: &BoardDraft,
    id: Option<i64>,
) -> Result<(), AppError> {
    let mut taken = Boards::find().filter(Column::NameKey.eq(name_key(&draft.name)));
    if let Some(id) = id {
        taken = taken.filter(Column::Id.ne(id));
    }
    if taken.count(conn).await? > 0 {
        return Err(AppError::single_field(
            "name",
            "A board with this name exists already.",
        ));
    }
    let mut ids: Vec<i64> = draft
        .members
        .iter()
        .flat_map(|m| std::iter::once(m.member_id).chain(m.delegate_id))
        .collect();
    ids.push(draft.chair_id);
    ids.sort_unstable();
    ids.dedup();
    let active = Users::find()
        .filter(user_entity::Column::Id.is_in(ids.clone()))
        .filter(user_entity::Column::DisabledAt.is_null())
        .count(conn)
        .await?;
    if active != ids.len() as u64 {
        return Err(AppError::single_field(
            "member_ids",
            "Chair, members and delegates must be active people in Conform.",
        ));
    }
    Ok(())
}

fn audit_view(board: &Board) -> serde_json::Value {
    serde_json::json!({
        "name": board.name,
        "kind": board.kind.as_str(),
        "chair": board.chair.name,
        "quorum": board.quorum.describe(),
        "meets": board.cadence(),
        "criteria": board.criteria,
        "members": board.members.iter().map(|m| match &m.delegate {
            Some(d) => format!("{} (delegate {})", m.member.name, d.name),
            None => m.member.name.clone(),
        }).collect::<Vec<_>>(),
        "active": board.active,
    })
}

fn stored_recurrence(draft: &BoardDraft, anchor: NaiveDate) -> Option<String> {
    draft.recurrence.map(|recurrence| {
        serde_json::to_string(&StoredRecurrence { recurrence, anchor }).unwrap_or_default()
    })
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

pub async fn create(db: &Db, actor: &Actor, draft: BoardDraft) -> Result<Board, AppError> {
    let txn = db.begin_write().await?;
    check(&txn, &draft, None).await?;
    let now = Utc::now();
    let row = board_entity::ActiveModel {
        name_key: Set(name_key(&draft.name)),
        name: Set(draft.name.clone()),
        kind: Set(draft.kind.as_str().into()),
        chair_id: Set(draft.chair_id),
        quorum: Set(draft.quorum.as_code()),
        recurrence: Set(stored_recurrence(&draft, now.date_naive())),
        time_zone: Set(draft.time_zone.clone()),
        criteria: Set(json(&draft.criteria)),
        members: Set(json(&draft.members)),
        active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let created = record(&txn, row).await?.board;
    audit::append(
        &txn,
        actor,
        Event::new(
            "cab_board_created",
            RecordType::CabBoard,
            Some(created.id.to_string()),
            format!("Board “{}” created", created.name),
        )
        .with_changes(diff(None, Some(&audit_view(&created)))),
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Changes a board definition if `version` is current; meetings already held keep theirs.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    draft: BoardDraft,
    active: bool,
) -> Result<Board, AppError> {
    let txn = db.begin_write().await?;
    let before = get(&txn, id).await?;
    check(&txn, &draft, Some(id)).await?;
    // A changed cadence counts from today; an unchanged one keeps its weeks.
    let anchor = match (before.board.recurrence, before.anchor) {
        (Some(old), Some(anchor)) if Some(old) == draft.recurrence => anchor,
        _ => Utc::now().date_naive(),
    };
    let recurrence = stored_recurrence(&draft, anchor);
    versioned::update(&txn, id, version, |update: UpdateMany<Boards>| {
        update
            .col_expr(Column::NameKey, Expr::value(name_key(&draft.name)))
            .col_expr(Column::Name, Expr::value(draft.name.clone()))
            .col_expr(Column::Kind, Expr::value(draft.kind.as_str()))
            .col_expr(Column::ChairId, Expr::value(draft.chair_id))
            .col_expr(Column::Quorum, Expr::value(draft.quorum.as_code()))
            .col_expr(Column::Recurrence, Expr::value(recurrence))
            .col_expr(Column::TimeZone, Expr::value(draft.time_zone.clone()))
            .col_expr(Column::Criteria, Expr::value(json(&draft.criteria)))
            .col_expr(Column::Members, Expr::value(json(&draft.members)))
            .col_expr(Column::Active, Expr::value(active))
    })
    .await?;
    let after = get(&txn, id).await?.board;
    audit::append(
        &txn,
        actor,
        Event::new(
            "cab_board_updated",
            RecordType::CabBoard,
            Some(id.to_string()),
            format!("Board “{}” updated", after.name),
        )
        .with_changes(diff(
            Some(&audit_view(&before.board)),
            Some(&audit_view(&after)),
        )),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
