//! Change advisory boards: the boards themselves, and their meetings — scheduling with an
//! agenda built from the board's criteria, the live meeting (current item, votes, the chair's
//! decisions that move changes on the change board), attendance, and minutes that are written
//! as the meeting runs and published once.
//!
//! Chair writes carry the meeting's version (a stale screen gets a conflict, never a lost
//! update); votes are keyed by item and seat, so a member changing their vote replaces it.
//!
//! Who may act is checked here on every write, whoever calls: running the meeting and
//! recording decisions needs the `CabChair` permission and then the board's chair (or a
//! change manager standing in); a vote needs `CabVote` and then a seat; the quorum counts only
//! seats filled by someone who may vote. A missing permission answers `AppError::Forbidden`
//! (the permission check's words); a rule of the meeting (chair, seat, conflict of interest,
//! quorum, the meeting's state) answers `AppError::Refused` in its own words.
//!
//! One module per concern; this file holds only what they share (reading a meeting's rows,
//! opening a chair write, the version bump and the audit entry). The modules point one way:
//! `meetings` uses `agenda`, `presence` and `minutes`; `voting` uses `presence`; none of them
//! uses `meetings` or `voting`, and all of them may use `boards`.

pub mod actions;
pub mod agenda;
pub mod boards;
pub mod meetings;
pub mod minutes;
pub mod presence;
pub mod voting;

use self::boards::BoardRecord;
use crate::error::AppError;
use crate::model::access::{Permission, RecordType};
use crate::model::cab::{Decision, Vote};
use crate::model::change::{ApprovalPath, ChangeType};
use crate::model::meeting::{meeting_allows, MeetingAction, MeetingState};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::cab_agenda_item::{self as item_entity, Entity as Items};
use crate::server::entity::cab_meeting::{self as meeting_entity, Entity as Meetings};
use crate::server::entity::cab_vote::{self as vote_entity};
use crate::server::entity::change::{self as change_entity};
use crate::server::service::change_records;
use crate::server::versioned;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

fn state_of(row: &meeting_entity::Model) -> MeetingState {
    MeetingState::parse(&row.state).unwrap_or(MeetingState::Scheduled)
}

fn decision_of(row: &item_entity::Model) -> Option<Decision> {
    row.decision
        .as_deref()
        .and_then(|d| serde_json::from_str(d).ok())
}

fn vote_of(row: &vote_entity::Model) -> Vote {
    serde_json::from_str(&row.vote).unwrap_or(Vote::Abstain)
}

async fn meeting_row<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<meeting_entity::Model, AppError> {
    Meetings::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That meeting".into()))
}

async fn items_of<C: ConnectionTrait>(
    conn: &C,
    meeting_id: i64,
) -> Result<Vec<item_entity::Model>, AppError> {
    Ok(Items::find()
        .filter(item_entity::Column::MeetingId.eq(meeting_id))
        .order_by_asc(item_entity::Column::Position)
        .order_by_asc(item_entity::Column::Id)
        .all(conn)
        .await?)
}

/// The meeting row, locked for the rest of the transaction on PostgreSQL (`FOR UPDATE`), so
/// that a vote and the chair's decision on the same item cannot interleave. SQLite
/// serialises writers already.
async fn meeting_for_update(
    txn: &DatabaseTransaction,
    id: i64,
) -> Result<meeting_entity::Model, AppError> {
    Meetings::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That meeting".into()))
}

/// Opens a chair write: the transaction, the meeting row locked, its board; refused unless
/// `user` may chair it and the meeting's state allows `action`.
async fn begin_chair(
    db: &Db,
    user: &CurrentUser,
    id: i64,
    action: MeetingAction,
) -> Result<(DatabaseTransaction, meeting_entity::Model, BoardRecord), AppError> {
    let txn = db.begin_write().await?;
    let row = meeting_for_update(&txn, id).await?;
    let board = boards::get(&txn, row.board_id).await?;
    require_chair(user, &board)?;
    allowed(&row, action)?;
    Ok((txn, row, board))
}

/// The chair runs the meeting; a change manager may stand in (e.g. an emergency board). Either
/// way only while their roles grant chairing: being named chair on the board is not enough.
fn may_chair(user: &CurrentUser, board: &BoardRecord) -> bool {
    crate::model::meeting::may_chair(user, board.board.chair.id)
}

fn require_chair(user: &CurrentUser, board: &BoardRecord) -> Result<(), AppError> {
    if !user.may(Permission::CabChair) {
        return Err(AppError::Forbidden(Permission::CabChair.describe().into()));
    }
    if may_chair(user, board) {
        Ok(())
    } else {
        Err(AppError::Refused(format!(
            "Only this meeting's chair, {}, or a change manager standing in can run it and record the board's decisions.",
            board.board.chair.name
        )))
    }
}

fn allowed(row: &meeting_entity::Model, action: MeetingAction) -> Result<(), AppError> {
    meeting_allows(state_of(row), row.minutes_published.is_some(), action)
        .map_err(AppError::Refused)
}

/// The optimistic lock for chair writes: the meeting moves on only from `version`.
async fn bump(
    txn: &DatabaseTransaction,
    row: &meeting_entity::Model,
    version: i32,
    apply: impl FnOnce(sea_orm::UpdateMany<Meetings>) -> sea_orm::UpdateMany<Meetings>,
) -> Result<(), AppError> {
    versioned::update(txn, row.id, version, apply).await
}

async fn record_event(
    txn: &DatabaseTransaction,
    actor: &Actor,
    meeting_id: i64,
    action: &'static str,
    summary: String,
) -> Result<(), AppError> {
    audit::append(
        txn,
        actor,
        Event::new(
            action,
            RecordType::CabMeeting,
            Some(meeting_id.to_string()),
            summary,
        ),
    )
    .await?;
    Ok(())
}

fn path_of(row: &change_entity::Model) -> ApprovalPath {
    ApprovalPath::for_change(
        ChangeType::parse(&row.change_type).unwrap_or(ChangeType::Normal),
        change_records::risk_level(row),
    )
}
