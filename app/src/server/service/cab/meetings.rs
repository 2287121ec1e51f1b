//! A meeting's life as a whole: scheduling it (with the agenda its board's criteria pick), the
//! list of meetings, the live meeting as a viewer sees it, and the chair starting it, moving
//! everyone from item to item (calling in the change's requester and owner) and ending it
//! with the minutes drafted from the records.

use super::{
    begin_chair, bump, decision_of, items_of, may_chair, meeting_row, record_event, state_of,
    vote_of,
};
use crate::error::{AppError, FieldErrors};
use crate::model::change::ChangeState;
use crate::model::change_request::reference;
use crate::model::meeting::{
    AgendaItem, CabAction, CastVote, Meeting, MeetingAction, MeetingState, MeetingSummary,
    MeetingWhen, RecordedDecision, SeatPresence,
};
use crate::model::refs::PersonRef;
use crate::model::user::CurrentUser;
use crate::server::audit::Actor;
use crate::server::db::Db;
use crate::server::entity::cab_action::{self as action_entity, Entity as Actions};
use crate::server::entity::cab_agenda_item::{self as item_entity, Entity as Items};
use crate::server::entity::cab_meeting::{self as meeting_entity, Entity as Meetings};
use crate::server::entity::cab_vote::{self as vote_entity, Entity as Votes};
use crate::server::entity::change::{self as change_entity, Entity as Changes};
use crate::server::service::cab::agenda::{agenda_candidates, append_items};
use crate::server::service::cab::boards::{self, local_label, BoardRecord};
use crate::server::service::cab::minutes::generate_minutes;
use crate::server::service::cab::presence::{present_ids, quorum_status, voters};
use crate::server::service::change_records;
use crate::server::service::notifications;
use crate::server::service::users::{people, person};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use std::collections::HashMap;

/// Schedules a meeting of `board_id` (its next slot, now, or a board-local time) with the
/// agenda its criteria pick. Returns the new meeting's id.
pub async fn schedule(
    db: &Db,
    actor: &Actor,
    board_id: i64,
    when: MeetingWhen,
    title: String,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let txn = db.begin_write().await?;
    let board = boards::get(&txn, board_id).await?;
    if !board.board.active {
        return Err(AppError::single_field(
            "board_id",
            "This board is retired; choose an active one.",
        ));
    }
    let (scheduled_at, emergency) = match when {
        MeetingWhen::Now => (now, true),
        MeetingWhen::Next => match board.next_meetings(now, 1).first() {
            Some(at) => (*at, false),
            None => {
                return Err(AppError::single_field(
                    "when",
                    "This board meets ad hoc; choose a time or “now”.",
                ))
            }
        },
        MeetingWhen::At(local) => {
            let mut errors = FieldErrors::new();
            let at = crate::server::service::schedule::to_utc(
                "when",
                local,
                &board.board.time_zone,
                &mut errors,
            );
            match at {
                Some(at) if at + Duration::hours(1) < now => {
                    return Err(AppError::single_field(
                        "when",
                        "That time has passed; choose a time from now on.",
                    ))
                }
                Some(at) => (at, false),
                None => return Err(errors.into()),
            }
        }
    };
    let emergency = emergency || board.board.kind == crate::model::cab::BoardKind::Ecab;
    let title = if title.trim().is_empty() {
        format!(
            "{} — {}",
            board.board.name,
            crate::server::service::schedule::local(
                scheduled_at,
                crate::server::service::schedule::zone(&board.board.time_zone)
            )
            .format("%-d %b %Y")
        )
    } else {
        title.trim().to_string()
    };
    let row = meeting_entity::ActiveModel {
        board_id: Set(board_id),
        title: Set(title.clone()),
        scheduled_at: Set(scheduled_at),
        emergency: Set(emergency),
        state: Set(MeetingState::Scheduled.as_str().into()),
        current_item_id: Set(None),
        item_started_at: Set(None),
        started_at: Set(None),
        ended_at: Set(None),
        minutes_draft: Set(None),
        minutes_published: Set(None),
        published_at: Set(None),
        published_by: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let agenda = agenda_candidates(&txn, &board, Some(row.id)).await?;
    append_items(&txn, row.id, &agenda).await?;
    record_event(
        &txn,
        actor,
        row.id,
        "cab_meeting_scheduled",
        format!(
            "Meeting “{title}” scheduled for {} with {} agenda item{}",
            local_label(scheduled_at, &board.board.time_zone),
            agenda.len(),
            if agenda.len() == 1 { "" } else { "s" }
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row.id)
}

/// Meetings in progress first, then upcoming, then the last ended ones.
pub async fn list(db: &Db, time_zone: &str) -> Result<Vec<MeetingSummary>, AppError> {
    let rows = Meetings::find()
        .order_by_desc(meeting_entity::Column::ScheduledAt)
        .all(db.reader())
        .await?;
    let boards: HashMap<i64, String> = crate::server::entity::cab_board::Entity::find()
        .all(db.reader())
        .await?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    // Counted in the database: items and decided items per meeting, never the items.
    let mut counts: HashMap<i64, (u32, u32)> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, i64, i64)> = Items::find()
            .select_only()
            .column(item_entity::Column::MeetingId)
            .column_as(
                Expr::from(Func::count(Expr::col(item_entity::Column::Id))),
                "items",
            )
            .column_as(
                Expr::from(Func::count(Expr::col(item_entity::Column::Decision))),
                "decided",
            )
            .filter(item_entity::Column::MeetingId.is_in(chunk.to_vec()))
            .group_by(item_entity::Column::MeetingId)
            .into_tuple()
            .all(db.reader())
            .await?;
        for (meeting, items, decided) in rows {
            counts.insert(meeting, (items as u32, decided as u32));
        }
    }
    let mut meetings: Vec<MeetingSummary> = rows
        .into_iter()
        .map(|row| {
            let (items, decided) = counts.get(&row.id).copied().unwrap_or_default();
            MeetingSummary {
                id: row.id,
                board_name: boards.get(&row.board_id).cloned().unwrap_or_default(),
                title: row.title.clone(),
                emergency: row.emergency,
                state: state_of(&row),
                scheduled_at: row.scheduled_at,
                scheduled_local: local_label(row.scheduled_at, time_zone),
                items,
                decided,
                minutes_published: row.minutes_published.is_some(),
            }
        })
        .collect();
    meetings.sort_by_key(|m| match m.state {
        MeetingState::InProgress => (0, 0),
        MeetingState::Scheduled => (1, m.scheduled_at.timestamp()),
        MeetingState::Ended => (2, -m.scheduled_at.timestamp()),
    });
    Ok(meetings)
}

/// The live meeting as `viewer` sees it.
pub async fn load(db: &Db, viewer: &CurrentUser, id: i64) -> Result<Meeting, AppError> {
    let conn = db.reader();
    let row = meeting_row(conn, id).await?;
    let board = boards::get(conn, row.board_id).await?;
    let now = Utc::now();
    let present = present_ids(conn, id, now).await?;
    let present_voters = voters(conn, &present).await?;
    let items = items_of(conn, id).await?;
    let item_ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let votes = Votes::find()
        .filter(vote_entity::Column::ItemId.is_in(item_ids.clone()))
        .order_by_asc(vote_entity::Column::CastAt)
        .all(conn)
        .await?;
    let actions = Actions::find()
        .filter(action_entity::Column::MeetingId.eq(id))
        .order_by_asc(action_entity::Column::Id)
        .all(conn)
        .await?;
    let change_ids: Vec<i64> = items.iter().map(|i| i.change_id).collect();
    let change_rows: HashMap<i64, change_entity::Model> = Changes::find()
        .filter(change_entity::Column::Id.is_in(change_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut ids: Vec<i64> = present.clone();
    ids.extend(votes.iter().flat_map(|v| [v.voter_id, v.member_id]));
    ids.extend(actions.iter().map(|a| a.owner_id));
    ids.extend(items.iter().filter_map(|i| i.decided_by));
    ids.extend(
        change_rows
            .values()
            .flat_map(|c| [c.requester_id, c.owner_id]),
    );
    let names = people(conn, &ids).await?;
    let action_view = |a: &action_entity::Model| CabAction {
        id: a.id,
        meeting_id: a.meeting_id,
        meeting_title: row.title.clone(),
        change_id: a.change_id,
        text: a.text.clone(),
        owner: person(&names, a.owner_id),
        due: a.due_on,
        done: a.done_at.is_some(),
        version: a.version,
    };
    let agenda: Vec<AgendaItem> = items
        .iter()
        .map(|item| {
            let change = change_rows.get(&item.change_id);
            AgendaItem {
                id: item.id,
                position: item.position,
                change_id: item.change_id,
                title: change.map(|c| c.title.clone()).unwrap_or_default(),
                change_state: change
                    .map(change_records::state_of)
                    .unwrap_or(ChangeState::Draft),
                change_version: change.map(|c| c.version).unwrap_or_default(),
                risk: change.and_then(change_records::risk_level),
                requester: person(&names, change.map_or(0, |c| c.requester_id)),
                owner: person(&names, change.map_or(0, |c| c.owner_id)),
                time_box_minutes: item.time_box_minutes,
                notes: item.notes.clone(),
                votes: votes
                    .iter()
                    .filter(|v| v.item_id == item.id)
                    .map(|v| CastVote {
                        voter: person(&names, v.voter_id),
                        member: person(&names, v.member_id),
                        vote: vote_of(v),
                        comment: v.comment.clone(),
                    })
                    .collect(),
                decision: decision_of(item).map(|decision| RecordedDecision {
                    decision,
                    text: item.decision_text.clone(),
                    by: person(&names, item.decided_by.unwrap_or_default()),
                    at: item.decided_at.unwrap_or(now),
                }),
                actions: actions
                    .iter()
                    .filter(|a| a.item_id == Some(item.id))
                    .map(action_view)
                    .collect(),
                spent_seconds: item.spent_seconds,
            }
        })
        .collect();
    let seats = board
        .board
        .members
        .iter()
        .map(|m| SeatPresence {
            member: m.member.clone(),
            delegate: m.delegate.clone(),
            present: present.contains(&m.member.id),
            delegate_present: m.delegate.as_ref().is_some_and(|d| present.contains(&d.id)),
        })
        .collect();
    let mut present_people: Vec<PersonRef> = present.iter().map(|p| person(&names, *p)).collect();
    present_people.sort_by(|a, b| a.name.cmp(&b.name));
    let state = state_of(&row);
    let minutes_draft = match state {
        // Written as the meeting runs; the chair edits the stored draft once it has ended.
        MeetingState::InProgress => Some(generate_minutes(conn, &row, &board).await?),
        _ => row.minutes_draft.clone(),
    };
    Ok(Meeting {
        id: row.id,
        version: row.version,
        board_id: board.board.id,
        board_name: board.board.name.clone(),
        kind: board.board.kind,
        title: row.title.clone(),
        emergency: row.emergency,
        state,
        chair: board.board.chair.clone(),
        scheduled_at: row.scheduled_at,
        scheduled_local: local_label(row.scheduled_at, &viewer.time_zone),
        current_item_id: row.current_item_id,
        item_started_at: row.item_started_at,
        now,
        seats,
        present: present_people,
        quorum: quorum_status(&board, &present, &present_voters),
        items: agenda,
        minutes_html: row
            .minutes_published
            .as_deref()
            .or(minutes_draft.as_deref())
            .map(crate::server::markdown::to_safe_html),
        minutes_draft,
        minutes_published: row.minutes_published.clone(),
        published_at: row.published_at,
        viewer_is_chair: may_chair(viewer, &board),
        viewer_id: viewer.id,
    })
}

/// Tells the requester and owner of the item's change that it is up now.
async fn call_in(
    txn: &DatabaseTransaction,
    meeting: &meeting_entity::Model,
    board: &BoardRecord,
    item: &item_entity::Model,
) -> Result<(), AppError> {
    let change = Changes::find_by_id(item.change_id).one(txn).await?;
    let Some(change) = change else {
        return Ok(());
    };
    let mut people = vec![change.requester_id, change.owner_id];
    people.dedup();
    for user_id in people {
        notifications::notify(
            txn,
            user_id,
            format!(
                "{} “{}” is being discussed now in {}.",
                reference(change.id),
                change.title,
                board.board.name
            ),
            format!("/cab/meetings/{}", meeting.id),
        )
        .await?;
    }
    Ok(())
}

/// Seconds spent on the current item in this turn.
fn turn_seconds(row: &meeting_entity::Model, now: DateTime<Utc>) -> i32 {
    row.item_started_at
        .map(|since| (now - since).num_seconds().clamp(0, i64::from(i32::MAX)) as i32)
        .unwrap_or(0)
}

async fn close_turn(
    txn: &DatabaseTransaction,
    row: &meeting_entity::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if let Some(current) = row.current_item_id {
        Items::update_many()
            .col_expr(
                item_entity::Column::SpentSeconds,
                Expr::col(item_entity::Column::SpentSeconds).add(turn_seconds(row, now)),
            )
            .filter(item_entity::Column::Id.eq(current))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// The chair opens the meeting on its first undecided item.
pub async fn start(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<(), AppError> {
    let (txn, row, board) = begin_chair(db, user, id, MeetingAction::Start).await?;
    let items = items_of(&txn, id).await?;
    let first = items.iter().find(|i| i.decision.is_none());
    let now = Utc::now();
    bump(&txn, &row, version, |u| {
        u.col_expr(
            meeting_entity::Column::State,
            Expr::value(MeetingState::InProgress.as_str()),
        )
        .col_expr(meeting_entity::Column::StartedAt, Expr::value(now))
        .col_expr(
            meeting_entity::Column::CurrentItemId,
            Expr::value(first.map(|i| i.id)),
        )
        .col_expr(
            meeting_entity::Column::ItemStartedAt,
            Expr::value(first.map(|_| now)),
        )
    })
    .await?;
    if let Some(first) = first {
        call_in(&txn, &row, &board, first).await?;
    }
    record_event(
        &txn,
        actor,
        id,
        "cab_meeting_started",
        format!("Meeting “{}” started", row.title),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The chair moves everyone to `item_id`.
pub async fn go_to(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    item_id: i64,
) -> Result<(), AppError> {
    let (txn, row, board) = begin_chair(db, user, id, MeetingAction::GoTo).await?;
    let items = items_of(&txn, id).await?;
    let Some(item) = items.iter().find(|i| i.id == item_id) else {
        return Err(AppError::NotFound("That agenda item".into()));
    };
    if row.current_item_id == Some(item_id) {
        return Ok(());
    }
    let now = Utc::now();
    close_turn(&txn, &row, now).await?;
    bump(&txn, &row, version, |u| {
        u.col_expr(meeting_entity::Column::CurrentItemId, Expr::value(item_id))
            .col_expr(meeting_entity::Column::ItemStartedAt, Expr::value(now))
    })
    .await?;
    if item.decision.is_none() {
        call_in(&txn, &row, &board, item).await?;
    }
    record_event(
        &txn,
        actor,
        id,
        "cab_meeting_item",
        format!(
            "Meeting “{}” moved to {}",
            row.title,
            reference(item.change_id)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The chair closes the meeting; the minutes draft is written from the records.
pub async fn end(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<(), AppError> {
    let (txn, row, board) = begin_chair(db, user, id, MeetingAction::End).await?;
    let now = Utc::now();
    close_turn(&txn, &row, now).await?;
    let draft = generate_minutes(&txn, &row, &board).await?;
    bump(&txn, &row, version, |u| {
        u.col_expr(
            meeting_entity::Column::State,
            Expr::value(MeetingState::Ended.as_str()),
        )
        .col_expr(meeting_entity::Column::EndedAt, Expr::value(now))
        .col_expr(
            meeting_entity::Column::CurrentItemId,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            meeting_entity::Column::ItemStartedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(meeting_entity::Column::MinutesDraft, Expr::value(draft))
    })
    .await?;
    record_event(
        &txn,
        actor,
        id,
        "cab_meeting_ended",
        format!("Meeting “{}” ended", row.title),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
