//! Who is in the room: connections joining, refreshing and leaving a meeting, who has it open
//! now, which of them may vote, and whether their seats make the board's quorum.

use super::meeting_row;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::cab::represented;
use crate::model::meeting::QuorumStatus;
use crate::server::db::Db;
use crate::server::entity::cab_attendance::{self as attendance_entity, Entity as Attendance};
use crate::server::entity::user::{self as user_entity, Entity as Users};
use crate::server::service::cab::boards::BoardRecord;
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

/// Someone whose connection has not been refreshed for this long has left.
pub const PRESENCE_TIMEOUT_SECONDS: i64 = 45;

/// Of `ids`, the people who may vote now: enabled accounts whose roles grant `CabVote`.
pub(super) async fn voters<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<Vec<i64>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Users::find()
        .filter(user_entity::Column::Id.is_in(ids.to_vec()))
        .filter(user_entity::Column::DisabledAt.is_null())
        .all(conn)
        .await?
        .into_iter()
        .filter(|u| {
            crate::model::access::may(
                &crate::server::session::roles_from_json(&u.roles),
                Permission::CabVote,
            )
        })
        .map(|u| u.id)
        .collect())
}

/// Who has the meeting open now.
pub(super) async fn present_ids<C: ConnectionTrait>(
    conn: &C,
    meeting_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, AppError> {
    Ok(Attendance::find()
        .filter(attendance_entity::Column::MeetingId.eq(meeting_id))
        .filter(attendance_entity::Column::Connections.gt(0))
        .filter(
            attendance_entity::Column::LastSeen
                .gt(now - Duration::seconds(PRESENCE_TIMEOUT_SECONDS)),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.user_id)
        .collect())
}

/// The quorum with `present` in the room, of whom `voters` may vote (only their seats count).
pub(super) fn quorum_status(board: &BoardRecord, present: &[i64], voters: &[i64]) -> QuorumStatus {
    let members = board.board.members.len() as u32;
    let represented =
        represented(&board.board.memberships(), present, |p| voters.contains(&p)).len() as u32;
    QuorumStatus {
        members,
        represented,
        required: board.board.quorum.required(members),
        rule: board.board.quorum.describe(),
        refusal: board.board.quorum.check(members, represented).err(),
    }
}

/// Someone opened the meeting (one more connection). Returns whether they just arrived.
pub async fn join(db: &Db, meeting_id: i64, user_id: i64) -> Result<bool, AppError> {
    let txn = db.begin_write().await?;
    meeting_row(&txn, meeting_id).await?;
    let now = Utc::now();
    let before = present_ids(&txn, meeting_id, now).await?;
    Attendance::insert(attendance_entity::ActiveModel {
        meeting_id: Set(meeting_id),
        user_id: Set(user_id),
        first_seen: Set(now),
        last_seen: Set(now),
        connections: Set(1),
    })
    .on_conflict(
        OnConflict::columns([
            attendance_entity::Column::MeetingId,
            attendance_entity::Column::UserId,
        ])
        .value(
            attendance_entity::Column::Connections,
            // A stale count (a process died) restarts at one.
            Expr::case(
                Expr::col((Attendance, attendance_entity::Column::LastSeen))
                    .lt(now - Duration::seconds(PRESENCE_TIMEOUT_SECONDS)),
                1,
            )
            .finally(Expr::col((Attendance, attendance_entity::Column::Connections)).add(1)),
        )
        .value(attendance_entity::Column::LastSeen, now)
        .to_owned(),
    )
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(!before.contains(&user_id))
}

/// An open connection is still there.
pub async fn heartbeat(db: &Db, meeting_id: i64, user_id: i64) -> Result<(), AppError> {
    Attendance::update_many()
        .col_expr(attendance_entity::Column::LastSeen, Expr::value(Utc::now()))
        .filter(attendance_entity::Column::MeetingId.eq(meeting_id))
        .filter(attendance_entity::Column::UserId.eq(user_id))
        .exec(db.writer())
        .await?;
    Ok(())
}

/// A connection closed. Returns whether that was the person's last one (they left).
pub async fn leave(db: &Db, meeting_id: i64, user_id: i64) -> Result<bool, AppError> {
    let txn = db.begin_write().await?;
    Attendance::update_many()
        .col_expr(
            attendance_entity::Column::Connections,
            Expr::col(attendance_entity::Column::Connections).sub(1),
        )
        .filter(attendance_entity::Column::MeetingId.eq(meeting_id))
        .filter(attendance_entity::Column::UserId.eq(user_id))
        .filter(attendance_entity::Column::Connections.gt(0))
        .exec(&txn)
        .await?;
    let left = !present_ids(&txn, meeting_id, Utc::now())
        .await?
        .contains(&user_id);
    txn.commit().await?;
    Ok(left)
}
