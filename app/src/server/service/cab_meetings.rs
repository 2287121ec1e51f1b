//! CAB meetings: scheduling with an agenda built from the board's criteria, the live meeting
//! (current item, votes, the chair's decisions that move changes on the change board),
//! attendance, and minutes that are written as the meeting runs and published once.
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

use crate::error::{AppError, FieldErrors};
use crate::model::access::{Permission, RecordType, Role};
use crate::model::cab::{
    represented, Decision, MinutesAction, MinutesInput, MinutesItem, MinutesVote, Vote,
};
use crate::model::change::{ApprovalPath, ChangeState, ChangeType};
use crate::model::change_request::{reference, Change};
use crate::model::meeting::{
    meeting_allows, vote_seats, AgendaItem, CabAction, CastVote, Meeting, MeetingAction,
    MeetingState, MeetingSummary, MeetingWhen, PreviousDecision, QuorumStatus, RecordedDecision,
    SeatPresence, DEFAULT_TIME_BOX_MINUTES,
};
use crate::model::refs::PersonRef;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::cab_action::{self as action_entity, Entity as Actions};
use crate::server::entity::cab_agenda_item::{self as item_entity, Entity as Items};
use crate::server::entity::cab_attendance::{self as attendance_entity, Entity as Attendance};
use crate::server::entity::cab_meeting::{self as meeting_entity, Entity as Meetings};
use crate::server::entity::cab_vote::{self as vote_entity, Entity as Votes};
use crate::server::entity::change::{self as change_entity, Entity as Changes};
use crate::server::entity::change_service::{self, Entity as ChangeServices};
use crate::server::entity::user::{self as user_entity, Entity as Users};
use crate::server::service::cab_boards::{self, local_label, BoardRecord};
use crate::server::service::changes::{self, people, person, TransitionInput};
use crate::server::service::notifications;
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

/// Someone whose connection has not been refreshed for this long has left.
pub const PRESENCE_TIMEOUT_SECONDS: i64 = 45;

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
    let board = cab_boards::get(&txn, row.board_id).await?;
    require_chair(user, &board)?;
    allowed(&row, action)?;
    Ok((txn, row, board))
}

/// The chair runs the meeting; a change manager may stand in (e.g. an emergency board). Either
/// way only while their roles grant chairing: being named chair on the board is not enough.
fn may_chair(user: &CurrentUser, board: &BoardRecord) -> bool {
    user.may(Permission::CabChair)
        && (user.id == board.board.chair.id || user.roles.contains(&Role::ChangeManager))
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

/// Of `ids`, the people who may vote now: enabled accounts whose roles grant `CabVote`.
async fn voters<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<i64>, AppError> {
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

/// Changes awaiting authorisation that the board's criteria pick and that are not already
/// waiting on another open meeting's agenda.
async fn agenda_candidates<C: ConnectionTrait>(
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
                changes::risk_level(c),
                services.get(&c.id).map(Vec::as_slice).unwrap_or(&[]),
            )
        })
        .map(|c| c.id)
        .collect())
}

fn path_of(row: &change_entity::Model) -> ApprovalPath {
    ApprovalPath::for_change(
        ChangeType::parse(&row.change_type).unwrap_or(ChangeType::Normal),
        changes::risk_level(row),
    )
}

async fn append_items(
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
    let board = cab_boards::get(&txn, board_id).await?;
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
            let at = changes::to_utc("when", local, &board.board.time_zone, &mut errors);
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
    let mut counts: HashMap<i64, (u32, u32)> = HashMap::new();
    for chunk in ids.chunks(500) {
        for item in Items::find()
            .filter(item_entity::Column::MeetingId.is_in(chunk.to_vec()))
            .all(db.reader())
            .await?
        {
            let entry = counts.entry(item.meeting_id).or_default();
            entry.0 += 1;
            entry.1 += u32::from(item.decision.is_some());
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

/// Who has the meeting open now.
async fn present_ids<C: ConnectionTrait>(
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
fn quorum_status(board: &BoardRecord, present: &[i64], voters: &[i64]) -> QuorumStatus {
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

/// The live meeting as `viewer` sees it.
pub async fn load(db: &Db, viewer: &CurrentUser, id: i64) -> Result<Meeting, AppError> {
    let conn = db.reader();
    let row = meeting_row(conn, id).await?;
    let board = cab_boards::get(conn, row.board_id).await?;
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
                change_state: change.map(changes::state_of).unwrap_or(ChangeState::Draft),
                change_version: change.map(|c| c.version).unwrap_or_default(),
                risk: change.and_then(changes::risk_level),
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
    let board = cab_boards::get(&txn, row.board_id).await?;
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
            "{}: {}{}{}",
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
            }
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
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
            if changes::state_of(&change) != ChangeState::AwaitingAuthorisation {
                return Err(AppError::single_field(
                    "change",
                    format!(
                        "{} is {}, not awaiting authorisation.",
                        reference(change.id),
                        changes::state_of(&change).label().to_lowercase()
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

/// The chair records a follow-up action (on an item, or for the meeting as a whole).
#[allow(clippy::too_many_arguments)]
pub async fn add_action(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    item_id: Option<i64>,
    text: String,
    owner_id: i64,
    due: NaiveDate,
) -> Result<(), AppError> {
    let (txn, row, _) = begin_chair(db, user, id, MeetingAction::AddAction).await?;
    let change_id = match item_id {
        None => None,
        Some(item_id) => Some(
            Items::find_by_id(item_id)
                .filter(item_entity::Column::MeetingId.eq(id))
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::NotFound("That agenda item".into()))?
                .change_id,
        ),
    };
    let owner = people(&txn, &[owner_id]).await?;
    let Some(owner) = owner.get(&owner_id).cloned() else {
        return Err(AppError::single_field(
            "action_owner",
            "Choose someone from the list.",
        ));
    };
    action_entity::ActiveModel {
        meeting_id: Set(id),
        item_id: Set(item_id),
        change_id: Set(change_id),
        text: Set(text.clone()),
        owner_id: Set(owner_id),
        due_on: Set(due),
        done_at: Set(None),
        version: Set(1),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    notifications::notify(
        &txn,
        owner_id,
        format!("Action from {}: {text} (due {due})", row.title),
        "/".to_string(),
    )
    .await?;
    bump(&txn, &row, version, |u| u).await?;
    record_event(
        &txn,
        actor,
        id,
        "cab_action_added",
        format!("Action for {}: {text}, due {due}", owner.name),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The minutes as they stand, from the records: attendance, items, votes, decisions, actions.
async fn generate_minutes<C: ConnectionTrait>(
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

/// Open actions owned by `user_id`, soonest due first.
pub async fn actions_for(db: &Db, user_id: i64) -> Result<Vec<CabAction>, AppError> {
    let rows = Actions::find()
        .filter(action_entity::Column::OwnerId.eq(user_id))
        .filter(action_entity::Column::DoneAt.is_null())
        .order_by_asc(action_entity::Column::DueOn)
        .all(db.reader())
        .await?;
    let titles: HashMap<i64, String> = Meetings::find()
        .filter(
            meeting_entity::Column::Id.is_in(rows.iter().map(|a| a.meeting_id).collect::<Vec<_>>()),
        )
        .all(db.reader())
        .await?
        .into_iter()
        .map(|m| (m.id, m.title))
        .collect();
    let names = people(db.reader(), &[user_id]).await?;
    Ok(rows
        .into_iter()
        .map(|a| CabAction {
            id: a.id,
            meeting_id: a.meeting_id,
            meeting_title: titles.get(&a.meeting_id).cloned().unwrap_or_default(),
            change_id: a.change_id,
            text: a.text,
            owner: person(&names, a.owner_id),
            due: a.due_on,
            done: false,
            version: a.version,
        })
        .collect())
}

/// The owner marks their action done.
pub async fn complete_action(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    action_id: i64,
    version: i32,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let action = Actions::find_by_id(action_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That action".into()))?;
    if action.owner_id != user.id {
        return Err(AppError::Refused(
            "Only the action's owner marks it done.".into(),
        ));
    }
    if action.done_at.is_some() {
        return Err(AppError::Refused("That action is done already.".into()));
    }
    versioned::update(
        &txn,
        action_id,
        version,
        |update: sea_orm::UpdateMany<Actions>| {
            update.col_expr(action_entity::Column::DoneAt, Expr::value(Utc::now()))
        },
    )
    .await?;
    record_event(
        &txn,
        actor,
        action.meeting_id,
        "cab_action_done",
        format!("Action done: {}", action.text),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
