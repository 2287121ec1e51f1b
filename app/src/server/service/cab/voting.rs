//! Votes and decisions: a member (or the delegate of an absent member) votes on the item under
//! discussion, and the chair records the board's decision, which moves the change on the
//! change board in the same transaction and is refused without quorum.

use super::{allowed, begin_chair, bump, meeting_for_update, path_of, record_event};
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::cab::{Decision, Vote};
use crate::model::change_request::{reference, Change};
use crate::model::competence::{gaps_words, gate_refusal, GatedActivity};
use crate::model::meeting::{vote_seats, MeetingAction};
use crate::model::user::CurrentUser;
use crate::server::audit::Actor;
use crate::server::db::Db;
use crate::server::entity::cab_agenda_item::{self as item_entity, Entity as Items};
use crate::server::entity::cab_meeting::Entity as Meetings;
use crate::server::entity::cab_vote::{self as vote_entity, Entity as Votes};
use crate::server::entity::change::Entity as Changes;
use crate::server::entity::change_service::{self, Entity as ChangeServices};
use crate::server::service::cab::boards;
use crate::server::service::cab::presence::{present_ids, quorum_status, voters};
use crate::server::service::changes::{self, TransitionInput};
use crate::server::service::competence_gates;
use crate::server::service::schedule::today_for;
use crate::server::service::users::{people, person};
use crate::server::versioned::check_version;
use chrono::Utc;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};

/// A member (or a delegate for absent members) votes on the item under discussion.
#[allow(clippy::too_many_arguments)]
pub async fn vote(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    item_id: i64,
    vote: Vote,
    comment: String,
) -> Result<(), AppError> {
    if !user.may(Permission::CabVote) {
        return Err(AppError::Forbidden(Permission::CabVote.describe().into()));
    }
    let txn = db.begin_write().await?;
    let row = meeting_for_update(&txn, id).await?;
    allowed(&row, MeetingAction::Vote)?;
    if row.current_item_id != Some(item_id) {
        return Err(AppError::Refused(
            "The board has moved on; votes are cast on the item under discussion.".into(),
        ));
    }
    let item = Items::find_by_id(item_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That agenda item".into()))?;
    if item.decision.is_some() {
        return Err(AppError::Refused(
            "The chair has recorded the decision; voting on this item is closed.".into(),
        ));
    }
    let board = boards::get(&txn, row.board_id).await?;
    let change = Changes::find_by_id(item.change_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(reference(item.change_id)))?;
    let present = present_ids(&txn, id, Utc::now()).await?;
    let seats = vote_seats(
        &board.board.memberships(),
        &present,
        user.id,
        change.requester_id,
        change.owner_id,
    )
    .map_err(AppError::Refused)?;
    let now = Utc::now();
    // Competence gates: a gap the quality manager set to refuse refuses the vote; one set to
    // warn goes on record with it.
    let lacking = gaps_for_vote(&txn, user, change.id, now).await?;
    if let Some(refusal) = gate_refusal(&lacking, "vote on this change") {
        return Err(AppError::Refused(refusal));
    }
    for member_id in &seats {
        Votes::insert(vote_entity::ActiveModel {
            item_id: Set(item_id),
            member_id: Set(*member_id),
            voter_id: Set(user.id),
            vote: Set(serde_json::to_string(&vote).unwrap_or_default()),
            comment: Set(comment.clone()),
            cast_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([vote_entity::Column::ItemId, vote_entity::Column::MemberId])
                .update_columns([
                    vote_entity::Column::VoterId,
                    vote_entity::Column::Vote,
                    vote_entity::Column::Comment,
                    vote_entity::Column::CastAt,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    }
    let names = people(&txn, &seats).await?;
    let for_whom: Vec<String> = seats
        .iter()
        .filter(|s| **s != user.id)
        .map(|s| person(&names, *s).name)
        .collect();
    record_event(
        &txn,
        actor,
        id,
        "cab_vote",
        format!(
            "{}: {}{}{}{}",
            reference(item.change_id),
            vote.label(),
            if for_whom.is_empty() {
                String::new()
            } else {
                format!(" (for {})", for_whom.join(", "))
            },
            if comment.is_empty() {
                String::new()
            } else {
                format!(" — {comment}")
            },
            if lacking.is_empty() {
                String::new()
            } else {
                format!(" (cast without {})", gaps_words(&lacking))
            }
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The competences checked at a CAB vote that `user` lacks for the item under discussion in
/// meeting `id` (none when nothing is under discussion): the vote panel shows them first.
pub async fn vote_gaps(
    db: &Db,
    user: &CurrentUser,
    id: i64,
) -> Result<Vec<crate::model::competence::GateGap>, AppError> {
    let conn = db.reader();
    let meeting = Meetings::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That meeting".into()))?;
    let Some(item_id) = meeting.current_item_id else {
        return Ok(Vec::new());
    };
    let Some(item) = Items::find_by_id(item_id).one(conn).await? else {
        return Ok(Vec::new());
    };
    gaps_for_vote(conn, user, item.change_id, Utc::now()).await
}

/// The competences checked at a CAB vote that `user` lacks for a vote on `change_id`: those
/// for any service and those for the services the change touches. One check for the vote and
/// for the panel that warns before it.
async fn gaps_for_vote<C: sea_orm::ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    change_id: i64,
    now: chrono::DateTime<Utc>,
) -> Result<Vec<crate::model::competence::GateGap>, AppError> {
    let services: Vec<i64> = ChangeServices::find()
        .select_only()
        .column(change_service::Column::ServiceId)
        .filter(change_service::Column::ChangeId.eq(change_id))
        .into_tuple()
        .all(conn)
        .await?;
    competence_gates::gaps(
        conn,
        GatedActivity::CabVote,
        user.id,
        &services,
        today_for(user, now),
    )
    .await
}

/// The chair records the board's decision on the current item; the change moves on the change
/// board in the same transaction. Refused without quorum.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    item_id: i64,
    decision: Decision,
    text: String,
    notes: String,
) -> Result<Change, AppError> {
    let (txn, row, board) = begin_chair(db, user, id, MeetingAction::Decide).await?;
    check_version::<Meetings>(version, row.version)?;
    if row.current_item_id != Some(item_id) {
        return Err(AppError::Refused(
            "Decisions are recorded on the item under discussion; move to it first.".into(),
        ));
    }
    let item = Items::find_by_id(item_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That agenda item".into()))?;
    if item.decision.is_some() {
        return Err(AppError::Refused(
            "The board has already decided this item.".into(),
        ));
    }
    let present = present_ids(&txn, id, Utc::now()).await?;
    let present_voters = voters(&txn, &present).await?;
    if let Some(refusal) = quorum_status(&board, &present, &present_voters).refusal {
        return Err(AppError::Refused(refusal));
    }
    decision
        .check_text(&text)
        .map_err(|ask| AppError::single_field("text", ask))?;
    let change = Changes::find_by_id(item.change_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound(reference(item.change_id)))?;
    // The board's kind is read now: a board turned into an ECAB after the agenda was built
    // does not decide the CAB's changes.
    board
        .board
        .kind
        .decides(path_of(&change))
        .map_err(AppError::Refused)?;
    let change_version = change.version;
    let comment = if text.trim().is_empty() {
        format!("{} by {}", decision.label(), board.board.name)
    } else {
        format!(
            "{} by {}: {}",
            decision.label(),
            board.board.name,
            text.trim()
        )
    };
    let change = changes::decide_as_board(
        &txn,
        user,
        actor,
        item.change_id,
        change_version,
        decision.action(),
        TransitionInput {
            comment,
            review: None,
        },
    )
    .await?;
    let now = Utc::now();
    Items::update_many()
        .col_expr(
            item_entity::Column::Decision,
            Expr::value(serde_json::to_string(&decision).unwrap_or_default()),
        )
        .col_expr(item_entity::Column::DecisionText, Expr::value(text.trim()))
        .col_expr(item_entity::Column::Notes, Expr::value(notes.trim()))
        .col_expr(item_entity::Column::DecidedBy, Expr::value(user.id))
        .col_expr(item_entity::Column::DecidedAt, Expr::value(now))
        .filter(item_entity::Column::Id.eq(item_id))
        .exec(&txn)
        .await?;
    bump(&txn, &row, version, |u| u).await?;
    record_event(
        &txn,
        actor,
        id,
        "cab_decision",
        format!(
            "{}: {}{}",
            reference(item.change_id),
            decision.label(),
            if text.trim().is_empty() {
                String::new()
            } else {
                format!(" — {}", text.trim())
            }
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(change)
}
