//! The agenda: which changes awaiting authorisation a board's criteria pick (and no other
//! open meeting holds), appending them as items, the chair's edits (add, remove, reorder,
//! time box, refresh), and an item's change in full with the board's earlier decisions on it.

use super::{begin_chair, bump, decision_of, items_of, path_of, record_event};
use crate::error::AppError;
use crate::model::change::{ChangeState, ChangeType};
use crate::model::change_request::{reference, Change};
use crate::model::meeting::{
    MeetingAction, MeetingState, PreviousDecision, DEFAULT_TIME_BOX_MINUTES,
};
use crate::model::user::CurrentUser;
use crate::server::audit::Actor;
use crate::server::db::Db;
use crate::server::entity::cab_action::{self as action_entity, Entity as Actions};
use crate::server::entity::cab_agenda_item::{self as item_entity, Entity as Items};
use crate::server::entity::cab_meeting::{self as meeting_entity, Entity as Meetings};
use crate::server::entity::cab_vote::{self as vote_entity, Entity as Votes};
use crate::server::entity::change::{self as change_entity, Entity as Changes};
use crate::server::entity::change_service::{self, Entity as ChangeServices};
use crate::server::service::cab::boards::BoardRecord;
use crate::server::service::change_records;
use crate::server::service::changes;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use std::collections::HashMap;

/// Changes awaiting authorisation that the board's criteria pick and that are not already
/// waiting on another open meeting's agenda.
pub(super) async fn agenda_candidates<C: ConnectionTrait>(
    conn: &C,
    board: &BoardRecord,
    except_meeting: Option<i64>,
) -> Result<Vec<i64>, AppError> {
    let waiting = Changes::find()
        .filter(change_entity::Column::State.eq(ChangeState::AwaitingAuthorisation.as_str()))
        .order_by_asc(change_entity::Column::PlannedStart)
        .order_by_asc(change_entity::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i64> = waiting.iter().map(|c| c.id).collect();
    let mut services: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for link in ChangeServices::find()
            .filter(change_service::Column::ChangeId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            services
                .entry(link.change_id)
                .or_default()
                .push(link.service_id);
        }
    }
    let open_meetings: Vec<i64> = Meetings::find()
        .filter(meeting_entity::Column::State.ne(MeetingState::Ended.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.id)
        .filter(|id| Some(*id) != except_meeting)
        .collect();
    let mut taken: Vec<i64> = Vec::new();
    for chunk in open_meetings.chunks(500) {
        taken.extend(
            Items::find()
                .filter(item_entity::Column::MeetingId.is_in(chunk.to_vec()))
                .filter(item_entity::Column::Decision.is_null())
                .all(conn)
                .await?
                .into_iter()
                .map(|i| i.change_id),
        );
    }
    Ok(waiting
        .iter()
        .filter(|c| !taken.contains(&c.id))
        .filter(|c| board.board.kind.decides(path_of(c)).is_ok())
        .filter(|c| {
            board.board.criteria.matches(
                ChangeType::parse(&c.change_type).unwrap_or(ChangeType::Normal),
                change_records::risk_level(c),
                services.get(&c.id).map(Vec::as_slice).unwrap_or(&[]),
            )
        })
        .map(|c| c.id)
        .collect())
}

pub(super) async fn append_items(
    txn: &DatabaseTransaction,
    meeting_id: i64,
    change_ids: &[i64],
) -> Result<(), AppError> {
    let last = items_of(txn, meeting_id)
        .await?
        .iter()
        .map(|i| i.position)
        .max()
        .unwrap_or(0);
    for (offset, change_id) in change_ids.iter().enumerate() {
        item_entity::ActiveModel {
            meeting_id: Set(meeting_id),
            change_id: Set(*change_id),
            position: Set(last + 1 + offset as i32),
            time_box_minutes: Set(DEFAULT_TIME_BOX_MINUTES),
            notes: Set(String::new()),
            decision: Set(None),
            decision_text: Set(String::new()),
            decided_by: Set(None),
            decided_at: Set(None),
            spent_seconds: Set(0),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// The change behind an agenda item, in full, and the board decisions taken on it before.
pub async fn item_detail(
    db: &Db,
    meeting_id: i64,
    item_id: i64,
) -> Result<(Change, Vec<PreviousDecision>), AppError> {
    let conn = db.reader();
    let item = Items::find_by_id(item_id)
        .filter(item_entity::Column::MeetingId.eq(meeting_id))
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That agenda item".into()))?;
    let change = changes::load(conn, item.change_id).await?;
    let earlier = Items::find()
        .filter(item_entity::Column::ChangeId.eq(item.change_id))
        .filter(item_entity::Column::MeetingId.ne(meeting_id))
        .filter(item_entity::Column::Decision.is_not_null())
        .all(conn)
        .await?;
    let meetings: HashMap<i64, meeting_entity::Model> = Meetings::find()
        .filter(meeting_entity::Column::Id.is_in(earlier.iter().map(|row| row.meeting_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut previous = Vec::new();
    for row in earlier {
        let Some(meeting) = meetings.get(&row.meeting_id) else {
            continue;
        };
        if let Some(decision) = decision_of(&row) {
            previous.push(PreviousDecision {
                meeting_id: meeting.id,
                meeting_title: meeting.title.clone(),
                decision,
                text: row.decision_text,
                at: row.decided_at.unwrap_or(meeting.scheduled_at),
            });
        }
    }
    previous.sort_by_key(|p| std::cmp::Reverse(p.at));
    Ok((change, previous))
}

/// What the chair does to the agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgendaEdit {
    /// Add a change awaiting authorisation (by id).
    Add(i64),
    Remove(i64),
    /// Move an item one place up (`true`) or down.
    Move(i64, bool),
    TimeBox(i64, i32),
    /// Pull in changes that match the criteria since the agenda was built.
    Refresh,
}

pub async fn edit_agenda(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    edit: AgendaEdit,
) -> Result<(), AppError> {
    let (txn, row, board) = begin_chair(db, user, id, MeetingAction::EditAgenda).await?;
    let items = items_of(&txn, id).await?;
    let find = |item_id: i64| {
        items
            .iter()
            .find(|i| i.id == item_id)
            .ok_or_else(|| AppError::NotFound("That agenda item".into()))
    };
    let summary = match &edit {
        AgendaEdit::Add(change_id) => {
            let change = Changes::find_by_id(*change_id)
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::single_field("change", "No change has that reference."))?;
            if change_records::state_of(&change) != ChangeState::AwaitingAuthorisation {
                return Err(AppError::single_field(
                    "change",
                    format!(
                        "{} is {}, not awaiting authorisation.",
                        reference(change.id),
                        change_records::state_of(&change).label().to_lowercase()
                    ),
                ));
            }
            board
                .board
                .kind
                .decides(path_of(&change))
                .map_err(AppError::Refused)?;
            if items.iter().any(|i| i.change_id == change.id) {
                return Err(AppError::single_field(
                    "change",
                    format!("{} is on the agenda already.", reference(change.id)),
                ));
            }
            append_items(&txn, id, &[change.id]).await?;
            format!("{} added to the agenda", reference(change.id))
        }
        AgendaEdit::Remove(item_id) => {
            let item = find(*item_id)?;
            if item.decision.is_some() {
                return Err(AppError::Refused(
                    "A decided item stays on the agenda (it is in the minutes).".into(),
                ));
            }
            if row.current_item_id == Some(*item_id) {
                return Err(AppError::Refused(
                    "Move to another item before removing the one under discussion.".into(),
                ));
            }
            Votes::delete_many()
                .filter(vote_entity::Column::ItemId.eq(*item_id))
                .exec(&txn)
                .await?;
            // Actions agreed on it stay in the meeting's record, as general actions.
            Actions::update_many()
                .col_expr(
                    action_entity::Column::ItemId,
                    Expr::value(Option::<i64>::None),
                )
                .filter(action_entity::Column::ItemId.eq(*item_id))
                .exec(&txn)
                .await?;
            Items::delete_by_id(*item_id).exec(&txn).await?;
            format!("{} removed from the agenda", reference(item.change_id))
        }
        AgendaEdit::Move(item_id, up) => {
            let index = items
                .iter()
                .position(|i| i.id == *item_id)
                .ok_or_else(|| AppError::NotFound("That agenda item".into()))?;
            let other = if *up {
                index.checked_sub(1)
            } else {
                Some(index + 1).filter(|i| *i < items.len())
            };
            let Some(other) = other else {
                return Err(AppError::Refused(format!(
                    "The item is already {}.",
                    if *up { "first" } else { "last" }
                )));
            };
            // Renumber the whole agenda so that equal positions can never tie.
            let mut order: Vec<i64> = items.iter().map(|i| i.id).collect();
            order.swap(index, other);
            for (position, item_id) in order.iter().enumerate() {
                Items::update_many()
                    .col_expr(
                        item_entity::Column::Position,
                        Expr::value(position as i32 + 1),
                    )
                    .filter(item_entity::Column::Id.eq(*item_id))
                    .exec(&txn)
                    .await?;
            }
            format!(
                "{} moved {}",
                reference(items[index].change_id),
                if *up { "up" } else { "down" }
            )
        }
        AgendaEdit::TimeBox(item_id, minutes) => {
            let item = find(*item_id)?;
            if !(1..=120).contains(minutes) {
                return Err(AppError::single_field(
                    "minutes",
                    "Give the item from 1 to 120 minutes.",
                ));
            }
            Items::update_many()
                .col_expr(item_entity::Column::TimeBoxMinutes, Expr::value(*minutes))
                .filter(item_entity::Column::Id.eq(*item_id))
                .exec(&txn)
                .await?;
            format!(
                "{} time box set to {minutes} min",
                reference(item.change_id)
            )
        }
        AgendaEdit::Refresh => {
            let on_agenda: Vec<i64> = items.iter().map(|i| i.change_id).collect();
            let new: Vec<i64> = agenda_candidates(&txn, &board, Some(id))
                .await?
                .into_iter()
                .filter(|c| !on_agenda.contains(c))
                .collect();
            append_items(&txn, id, &new).await?;
            format!("{} new change(s) added to the agenda", new.len())
        }
    };
    bump(&txn, &row, version, |u| u).await?;
    record_event(&txn, actor, id, "cab_agenda_changed", summary).await?;
    txn.commit().await?;
    Ok(())
}
