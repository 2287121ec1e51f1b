//! The minutes: generated from the records (attendance, items, votes, decisions, actions) as
//! the meeting runs, saved and published once by the chair, and read back for export.

use super::{begin_chair, bump, decision_of, items_of, meeting_row, record_event, vote_of};
use crate::error::{AppError, FieldErrors};
use crate::model::cab::{MinutesAction, MinutesInput, MinutesItem, MinutesVote};
use crate::model::meeting::MeetingAction;
use crate::model::user::CurrentUser;
use crate::server::audit::Actor;
use crate::server::db::Db;
use crate::server::entity::cab_action::{self as action_entity, Entity as Actions};
use crate::server::entity::cab_attendance::{self as attendance_entity, Entity as Attendance};
use crate::server::entity::cab_meeting::{self as meeting_entity};
use crate::server::entity::cab_vote::{self as vote_entity, Entity as Votes};
use crate::server::entity::change::{self as change_entity, Entity as Changes};
use crate::server::service::cab::boards::BoardRecord;
use crate::server::service::users::{people, person};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// The minutes as they stand, from the records: attendance, items, votes, decisions, actions.
pub(super) async fn generate_minutes<C: ConnectionTrait>(
    conn: &C,
    row: &meeting_entity::Model,
    board: &BoardRecord,
) -> Result<String, AppError> {
    // Present: whoever had the meeting open once it had started (not someone who looked at
    // the scheduled meeting days before).
    let since = row.started_at.unwrap_or(row.scheduled_at);
    let attended: Vec<i64> = Attendance::find()
        .filter(attendance_entity::Column::MeetingId.eq(row.id))
        .filter(attendance_entity::Column::LastSeen.gte(since))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.user_id)
        .collect();
    let items = items_of(conn, row.id).await?;
    let item_ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let votes = Votes::find()
        .filter(vote_entity::Column::ItemId.is_in(item_ids))
        .order_by_asc(vote_entity::Column::CastAt)
        .all(conn)
        .await?;
    let actions = Actions::find()
        .filter(action_entity::Column::MeetingId.eq(row.id))
        .order_by_asc(action_entity::Column::Id)
        .all(conn)
        .await?;
    let titles: HashMap<i64, String> = Changes::find()
        .filter(
            change_entity::Column::Id.is_in(items.iter().map(|i| i.change_id).collect::<Vec<_>>()),
        )
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    let mut ids = attended.clone();
    ids.extend(votes.iter().flat_map(|v| [v.voter_id, v.member_id]));
    ids.extend(actions.iter().map(|a| a.owner_id));
    let names = people(conn, &ids).await?;
    let name = |id: i64| person(&names, id).name;
    let mut present: Vec<String> = attended.iter().map(|id| name(*id)).collect();
    present.sort();
    let mut apologies: Vec<String> = board
        .board
        .members
        .iter()
        .filter(|m| !attended.contains(&m.member.id))
        .map(|m| m.member.name.clone())
        .collect();
    apologies.sort();
    let held = row.started_at.unwrap_or(row.scheduled_at);
    let action_row = |a: &action_entity::Model| MinutesAction {
        text: a.text.clone(),
        owner: name(a.owner_id),
        due: a.due_on,
    };
    let minutes_items: Vec<MinutesItem> = items
        .iter()
        .map(|item| MinutesItem {
            change_id: item.change_id,
            title: titles.get(&item.change_id).cloned().unwrap_or_default(),
            notes: item.notes.clone(),
            votes: votes
                .iter()
                .filter(|v| v.item_id == item.id)
                .map(|v| MinutesVote {
                    voter: name(v.voter_id),
                    on_behalf_of: (v.member_id != v.voter_id).then(|| name(v.member_id)),
                    vote: vote_of(v),
                    comment: v.comment.clone(),
                })
                .collect(),
            decision: decision_of(item).map(|d| (d, item.decision_text.clone())),
            actions: actions
                .iter()
                .filter(|a| a.item_id == Some(item.id))
                .map(action_row)
                .collect(),
        })
        .collect();
    let general: Vec<MinutesAction> = actions
        .iter()
        .filter(|a| a.item_id.is_none())
        .map(action_row)
        .collect();
    let mut text = crate::model::cab::minutes_markdown(&MinutesInput {
        board: board.board.name.clone(),
        held_at: crate::server::service::schedule::local(
            held,
            crate::server::service::schedule::zone(&board.board.time_zone),
        ),
        time_zone: board.board.time_zone.clone(),
        chair: board.board.chair.name.clone(),
        present,
        apologies,
        items: minutes_items,
    });
    if !general.is_empty() {
        text.push_str("\n## Other actions\n\n");
        for action in general {
            text.push_str(&format!(
                "- {} — {}, due {}\n",
                crate::model::cab::plain(&action.text),
                crate::model::cab::plain(&action.owner),
                action.due
            ));
        }
    }
    Ok(text)
}

/// The chair saves the minutes (Markdown) and, with `publish`, publishes exactly that text as
/// the meeting's record in the same transaction; from then on nothing about it changes.
pub async fn save_minutes(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    text: String,
    publish: bool,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let text = crate::model::text::bounded(&mut errors, "minutes", "Minutes", &text, 20, 100_000);
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let action = if publish {
        MeetingAction::PublishMinutes
    } else {
        MeetingAction::EditMinutes
    };
    let (txn, row, _) = begin_chair(db, user, id, action).await?;
    let now = Utc::now();
    bump(&txn, &row, version, |u| {
        let u = u.col_expr(
            meeting_entity::Column::MinutesDraft,
            Expr::value(text.clone()),
        );
        if publish {
            u.col_expr(
                meeting_entity::Column::MinutesPublished,
                Expr::value(text.clone()),
            )
            .col_expr(meeting_entity::Column::PublishedAt, Expr::value(now))
            .col_expr(meeting_entity::Column::PublishedBy, Expr::value(user.id))
        } else {
            u
        }
    })
    .await?;
    let (event, summary) = if publish {
        (
            "cab_minutes_published",
            format!("Minutes of “{}” published", row.title),
        )
    } else {
        (
            "cab_minutes_edited",
            format!("Minutes of “{}” edited", row.title),
        )
    };
    record_event(&txn, actor, id, event, summary).await?;
    txn.commit().await?;
    Ok(())
}

/// The published minutes and the meeting's title, for export.
pub async fn published_minutes(db: &Db, id: i64) -> Result<(String, String), AppError> {
    let row = meeting_row(db.reader(), id).await?;
    match row.minutes_published {
        Some(text) => Ok((row.title, text)),
        None => Err(AppError::NotFound(
            "Published minutes of that meeting".into(),
        )),
    }
}
