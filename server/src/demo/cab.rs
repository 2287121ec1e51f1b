//! Demo boards: a weekly CAB (normal changes) and an emergency CAB, and the weekly board's
//! next meeting with its agenda already built from what awaits authorisation. The demo changes
//! that are past authorisation on the CAB or ECAB path were authorised the only way Conform
//! allows: by a board's decision in a meeting with quorum ([`decide_in_meeting`]).

use app::error::AppError;
use app::model::cab::{BoardForm, Decision};
use app::model::meeting::{MeetingState, MeetingWhen};
use app::model::user::CurrentUser;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::cab::agenda::AgendaEdit;
use app::server::service::{cab, users};
use chrono::Utc;

/// The demo's boards (weekly CAB, emergency CAB), created when there are none yet.
pub struct DemoBoards {
    pub weekly: i64,
    pub emergency: i64,
    /// Who sits on each (the chair first).
    pub weekly_members: Vec<i64>,
    pub emergency_members: Vec<i64>,
}

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    let boards = boards(db).await?;
    let meetings = cab::meetings::list(db, "UTC").await?;
    if meetings
        .iter()
        .any(|m| m.state == MeetingState::Scheduled && !m.emergency)
    {
        return Ok(0);
    }
    let actor = Actor::system("demo-seed");
    cab::meetings::schedule(
        db,
        &actor,
        boards.weekly,
        MeetingWhen::Next,
        String::new(),
        Utc::now(),
    )
    .await?;
    Ok(1)
}

/// The chair holds a meeting of `board_id` now with its members present, authorises each of
/// `change_ids` (adding it to the agenda when the criteria did not pick it), and ends it.
pub async fn decide_in_meeting(
    db: &Db,
    chair: &CurrentUser,
    board_id: i64,
    present: &[i64],
    change_ids: &[i64],
) -> Result<(), AppError> {
    if change_ids.is_empty() {
        return Ok(());
    }
    let actor = Actor::user(chair.id, chair.name.clone(), None);
    let id = cab::meetings::schedule(
        db,
        &actor,
        board_id,
        MeetingWhen::Now,
        "Decisions on the changes under way".into(),
        Utc::now(),
    )
    .await?;
    for person in present {
        cab::presence::join(db, id, *person).await?;
    }
    let meeting = cab::meetings::load(db, chair, id).await?;
    cab::meetings::start(db, chair, &actor, id, meeting.version).await?;
    for change_id in change_ids {
        let mut meeting = cab::meetings::load(db, chair, id).await?;
        if !meeting.items.iter().any(|i| i.change_id == *change_id) {
            cab::agenda::edit_agenda(
                db,
                chair,
                &actor,
                id,
                meeting.version,
                AgendaEdit::Add(*change_id),
            )
            .await?;
            meeting = cab::meetings::load(db, chair, id).await?;
        }
        let Some(item) = meeting.items.iter().find(|i| i.change_id == *change_id) else {
            continue;
        };
        cab::meetings::go_to(db, chair, &actor, id, meeting.version, item.id).await?;
        let meeting = cab::meetings::load(db, chair, id).await?;
        cab::voting::decide(
            db,
            chair,
            &actor,
            id,
            meeting.version,
            item.id,
            Decision::Authorise,
            String::new(),
            String::new(),
        )
        .await?;
    }
    let meeting = cab::meetings::load(db, chair, id).await?;
    cab::meetings::end(db, chair, &actor, id, meeting.version).await?;
    Ok(())
}

/// The demo boards, created on first use.
pub async fn boards(db: &Db) -> Result<DemoBoards, AppError> {
    let actor = Actor::system("demo-seed");
    let people = users::list(db).await?;
    let id_of = |email: &str| {
        people
            .iter()
            .find(|u| u.email == email)
            .map(|u| u.id.to_string())
            .unwrap_or_default()
    };
    let chair = id_of("change.manager@conform.demo");
    let weekly = BoardForm {
        name: "Weekly CAB".into(),
        kind: "cab".into(),
        chair_id: chair.clone(),
        quorum_kind: "majority".into(),
        weekday: "tue".into(),
        meets_at: "10:00".into(),
        interval_weeks: "1".into(),
        time_zone: "UTC".into(),
        change_types: vec!["normal".into()],
        member_ids: vec![
            chair.clone(),
            id_of("cab.member@conform.demo"),
            id_of("service.owner@conform.demo"),
            id_of("continuity@conform.demo"),
            id_of("quality@conform.demo"),
        ],
        // The continuity manager's seat goes to the quality manager when they are away.
        delegates: [(
            id_of("continuity@conform.demo"),
            id_of("quality@conform.demo"),
        )]
        .into_iter()
        .collect(),
        ..Default::default()
    };
    let emergency = BoardForm {
        name: "Emergency CAB".into(),
        kind: "ecab".into(),
        chair_id: chair.clone(),
        quorum_kind: "at_least".into(),
        quorum_value: "2".into(),
        time_zone: "UTC".into(),
        change_types: vec!["emergency".into()],
        member_ids: vec![
            chair.clone(),
            id_of("cab.member@conform.demo"),
            id_of("quality@conform.demo"),
        ],
        ..Default::default()
    };
    let weekly_members = ids(&weekly.member_ids);
    let emergency_members = ids(&emergency.member_ids);
    let existing = cab::boards::list(db, Utc::now()).await?;
    let find = |name: &str| {
        existing
            .iter()
            .find(|b| b.board.name == name)
            .map(|b| b.board.id)
    };
    let weekly = match find("Weekly CAB") {
        Some(id) => id,
        None => {
            cab::boards::create(db, &actor, weekly.validate()?)
                .await?
                .id
        }
    };
    let emergency = match find("Emergency CAB") {
        Some(id) => id,
        None => {
            cab::boards::create(db, &actor, emergency.validate()?)
                .await?
                .id
        }
    };
    Ok(DemoBoards {
        weekly,
        emergency,
        weekly_members,
        emergency_members,
    })
}

fn ids(values: &[String]) -> Vec<i64> {
    values.iter().filter_map(|v| v.parse().ok()).collect()
}
