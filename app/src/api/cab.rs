//! Server functions of change advisory boards and their meetings. Boards and scheduling need
//! `CabManage`; running a meeting needs `CabChair` and is then checked against the board (its
//! chair, or a change manager standing in); voting needs `CabVote` and is then checked against
//! the board's membership (a member, or the delegate of an absent member). A meeting write
//! refused by such a rule is counted in the audit trail (`Caller::counted`) and answered 403
//! in the rule's own words. Every write announces the meeting afterwards.

use crate::error::AppError;
use crate::model::cab::BoardForm;
use crate::model::meeting::{
    Board, BoardSummary, CabAction, CabActionForm, DecisionForm, ItemDetail, Meeting, MeetingForm,
    MeetingSummary, Notification, VoteForm,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::{announce_change, announce_meeting, require, signed_in},
    crate::model::access::{Permission, RecordType},
    crate::server::service::{cab, notifications},
};

/// Boards with their next meetings, and the meetings (running, upcoming, past).
#[server(endpoint = "cab/overview")]
pub async fn cab_overview() -> Result<(Vec<BoardSummary>, Vec<MeetingSummary>), AppError> {
    let caller = require(Permission::ChangeRead).await?;
    let boards = cab::boards::list(&caller.db, chrono::Utc::now()).await?;
    let meetings = cab::meetings::list(&caller.db, &caller.user.time_zone).await?;
    Ok((boards, meetings))
}

#[server(endpoint = "cab/board")]
pub async fn get_board(id: i64) -> Result<Board, AppError> {
    let caller = require(Permission::ChangeRead).await?;
    Ok(cab::boards::get(caller.db.reader(), id).await?.board)
}

#[server(endpoint = "cab/create_board")]
pub async fn create_board(form: BoardForm) -> Result<Board, AppError> {
    let caller = require(Permission::CabManage).await?;
    let draft = form.validate()?;
    let board = cab::boards::create(&caller.db, &caller.actor(), draft).await?;
    leptos_axum::redirect("/cab");
    Ok(board)
}

/// Saves a board; `active` is the checkbox ("true" when ticked, absent when not).
#[server(endpoint = "cab/update_board")]
pub async fn update_board(
    id: i64,
    version: i32,
    form: BoardForm,
    #[server(default)] active: Option<String>,
) -> Result<Board, AppError> {
    let caller = require(Permission::CabManage).await?;
    let draft = form.validate()?;
    let active = match active.as_deref() {
        None | Some("") => false,
        Some("true" | "on") => true,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "“{other}” is not a yes/no value for active."
            )))
        }
    };
    let board =
        cab::boards::update(&caller.db, &caller.actor(), id, version, draft, active).await?;
    leptos_axum::redirect("/cab");
    Ok(board)
}

/// Schedules a meeting (next slot, now, or a board-local time) and opens it.
#[server(endpoint = "cab/schedule_meeting")]
pub async fn schedule_meeting(form: MeetingForm) -> Result<i64, AppError> {
    let caller = require(Permission::CabManage).await?;
    let (board_id, when, title) = form.validate()?;
    let id = cab::meetings::schedule(
        &caller.db,
        &caller.actor(),
        board_id,
        when,
        title,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&format!("/cab/meetings/{id}"));
    Ok(id)
}

#[server(endpoint = "cab/meeting")]
pub async fn get_meeting(id: i64) -> Result<Meeting, AppError> {
    let caller = require(Permission::ChangeRead).await?;
    cab::meetings::load(&caller.db, &caller.user, id).await
}

/// The change behind an agenda item, in full, with the board's earlier decisions on it and
/// what its configuration items reach (readers of the CMDB only).
#[server(endpoint = "cab/item")]
pub async fn meeting_item(meeting_id: i64, item_id: i64) -> Result<ItemDetail, AppError> {
    let caller = require(Permission::ChangeRead).await?;
    let (mut change, previous) = cab::agenda::item_detail(&caller.db, meeting_id, item_id).await?;
    change.local_window = crate::server::service::schedule::local_window(
        change.planned_start,
        change.planned_end,
        &caller.user.time_zone,
    );
    let reach = if caller.user.may(Permission::ConfigurationRead) {
        let impact =
            crate::server::service::cmdb::change_impact(caller.db.reader(), change.id).await?;
        (!impact.items.is_empty() || !impact.unknown.is_empty()).then_some(impact)
    } else {
        None
    };
    Ok(ItemDetail {
        change,
        previous,
        reach,
    })
}

#[server(endpoint = "cab/start")]
pub async fn start_meeting(id: i64, version: i32) -> Result<(), AppError> {
    let caller = require(Permission::CabChair).await?;
    let started =
        cab::meetings::start(&caller.db, &caller.user, &caller.actor(), id, version).await;
    caller
        .counted(RecordType::CabMeeting, Some(id), started)
        .await?;
    announce_meeting(id).await;
    Ok(())
}

#[server(endpoint = "cab/go_to")]
pub async fn go_to_item(id: i64, version: i32, item_id: i64) -> Result<(), AppError> {
    let caller = require(Permission::CabChair).await?;
    let moved = cab::meetings::go_to(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        item_id,
    )
    .await;
    caller
        .counted(RecordType::CabMeeting, Some(id), moved)
        .await?;
    announce_meeting(id).await;
    Ok(())
}

#[server(endpoint = "cab/vote")]
pub async fn cast_vote(id: i64, item_id: i64, form: VoteForm) -> Result<(), AppError> {
    let caller = require(Permission::CabVote).await?;
    let (vote, comment) = form.validate()?;
    let cast = cab::voting::vote(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        item_id,
        vote,
        comment,
    )
    .await;
    caller
        .counted(RecordType::CabMeeting, Some(id), cast)
        .await?;
    announce_meeting(id).await;
    Ok(())
}

/// The competences checked at a CAB vote that the caller lacks for the item under discussion:
/// the vote panel warns (or says the vote is refused) before they vote.
#[server(endpoint = "cab/vote_competence")]
pub async fn vote_competence(id: i64) -> Result<Vec<crate::model::competence::GateGap>, AppError> {
    let caller = require(Permission::CabVote).await?;
    cab::voting::vote_gaps(&caller.db, &caller.user, id).await
}

#[server(endpoint = "cab/decide")]
pub async fn record_decision(
    id: i64,
    version: i32,
    item_id: i64,
    form: DecisionForm,
) -> Result<(), AppError> {
    let caller = require(Permission::CabChair).await?;
    let (decision, text, notes) = form.validate()?;
    let decided = cab::voting::decide(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        item_id,
        decision,
        text,
        notes,
    )
    .await;
    let change = caller
        .counted(RecordType::CabMeeting, Some(id), decided)
        .await?;
    announce_meeting(id).await;
    announce_change(&change).await;
    Ok(())
}

/// Agenda edits: `op` is `add` (with `change`, a reference like CHG-00012), `remove`, `up`,
/// `down`, `time_box` (with `minutes`) or `refresh`.
#[server(endpoint = "cab/agenda")]
pub async fn edit_agenda(
    id: i64,
    version: i32,
    op: String,
    #[server(default)] item_id: Option<i64>,
    #[server(default)] change: Option<String>,
    #[server(default)] minutes: Option<String>,
) -> Result<(), AppError> {
    use crate::server::service::cab::agenda::AgendaEdit;
    let caller = require(Permission::CabChair).await?;
    let item = || item_id.ok_or_else(|| AppError::BadRequest("Which agenda item?".into()));
    let edit = match op.as_str() {
        "add" => {
            let mut errors = crate::error::FieldErrors::new();
            let ids = crate::model::change_request::parse_references(
                &mut errors,
                "change",
                change.as_deref().unwrap_or_default(),
            );
            match (errors.is_empty(), ids.as_slice()) {
                (true, [one]) => AgendaEdit::Add(*one),
                (true, _) => {
                    return Err(AppError::single_field(
                        "change",
                        "Enter one change reference, like CHG-00012.",
                    ))
                }
                (false, _) => return Err(errors.into()),
            }
        }
        "remove" => AgendaEdit::Remove(item()?),
        "up" => AgendaEdit::Move(item()?, true),
        "down" => AgendaEdit::Move(item()?, false),
        "time_box" => {
            let minutes = minutes
                .unwrap_or_default()
                .trim()
                .parse::<i32>()
                .map_err(|_| AppError::single_field("minutes", "Enter a number of minutes."))?;
            AgendaEdit::TimeBox(item()?, minutes)
        }
        "refresh" => AgendaEdit::Refresh,
        other => {
            return Err(AppError::BadRequest(format!(
                "“{other}” is not an agenda edit."
            )))
        }
    };
    let edited =
        cab::agenda::edit_agenda(&caller.db, &caller.user, &caller.actor(), id, version, edit)
            .await;
    caller
        .counted(RecordType::CabMeeting, Some(id), edited)
        .await?;
    announce_meeting(id).await;
    Ok(())
}

#[server(endpoint = "cab/add_action")]
pub async fn add_cab_action(
    id: i64,
    version: i32,
    #[server(default)] item_id: Option<i64>,
    form: CabActionForm,
) -> Result<(), AppError> {
    let caller = require(Permission::CabChair).await?;
    // "Today" is the chair's own date, not UTC's.
    let today = crate::server::service::schedule::local_today(&caller.user.time_zone);
    let (text, owner_id, due) = form.validate(today)?;
    let added = cab::actions::add_action(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        item_id,
        text,
        owner_id,
        due,
    )
    .await;
    caller
        .counted(RecordType::CabMeeting, Some(id), added)
        .await?;
    announce_meeting(id).await;
    Ok(())
}

#[server(endpoint = "cab/end")]
pub async fn end_meeting(id: i64, version: i32) -> Result<(), AppError> {
    let caller = require(Permission::CabChair).await?;
    let ended = cab::meetings::end(&caller.db, &caller.user, &caller.actor(), id, version).await;
    caller
        .counted(RecordType::CabMeeting, Some(id), ended)
        .await?;
    announce_meeting(id).await;
    Ok(())
}

/// Saves the minutes; with `publish=true` publishes exactly this text (immutable from then on).
#[server(endpoint = "cab/save_minutes")]
pub async fn save_minutes(
    id: i64,
    version: i32,
    minutes: String,
    #[server(default)] publish: Option<String>,
) -> Result<(), AppError> {
    let caller = require(Permission::CabChair).await?;
    let publish = match publish.as_deref() {
        None | Some("") => false,
        Some("true") => true,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "“{other}” is not a yes/no value for publish."
            )))
        }
    };
    let saved = cab::minutes::save_minutes(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        minutes,
        publish,
    )
    .await;
    caller
        .counted(RecordType::CabMeeting, Some(id), saved)
        .await?;
    announce_meeting(id).await;
    Ok(())
}

/// The caller's open CAB actions and recent notifications.
#[server(endpoint = "cab/my_work")]
pub async fn my_cab_work() -> Result<(Vec<CabAction>, Vec<Notification>), AppError> {
    let caller = signed_in()?;
    let actions = cab::actions::actions_for(&caller.db, caller.user.id).await?;
    let notes = notifications::recent(&caller.db, caller.user.id).await?;
    Ok((actions, notes))
}

#[server(endpoint = "cab/complete_action")]
pub async fn complete_cab_action(id: i64, version: i32) -> Result<(), AppError> {
    let caller = signed_in()?;
    let done =
        cab::actions::complete_action(&caller.db, &caller.user, &caller.actor(), id, version).await;
    caller.counted(RecordType::CabMeeting, None, done).await
}

#[server(endpoint = "notifications/read")]
pub async fn mark_notifications_read() -> Result<(), AppError> {
    let caller = signed_in()?;
    notifications::mark_all_read(&caller.db, caller.user.id).await
}
