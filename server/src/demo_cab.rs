//! Demo boards: a weekly CAB (normal changes) and an emergency CAB, and the weekly board's
//! next meeting with its agenda already built from what awaits authorisation.

use app::error::AppError;
use app::model::cab::BoardForm;
use app::model::meeting::MeetingWhen;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::{cab_boards, cab_meetings, users};
use chrono::Utc;

pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if !cab_boards::list(db, Utc::now()).await?.is_empty() {
        return Ok(0);
    }
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
    let weekly = cab_boards::create(db, &actor, weekly.validate()?).await?;
    cab_boards::create(db, &actor, emergency.validate()?).await?;
    cab_meetings::schedule(
        db,
        &actor,
        weekly.id,
        MeetingWhen::Next,
        String::new(),
        Utc::now(),
    )
    .await?;
    Ok(3)
}
