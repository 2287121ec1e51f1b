//! Generated changes for the benchmarks, written straight into the tables (the services would
//! refuse to import open work, and a benchmark needs thousands of rows in seconds).

use app::model::change::{ChangeState, ChangeType};
use app::server::db::Db;
use app::server::entity::{change, change_implementer, change_service};
use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set, TransactionTrait};

/// The states an open (on-board) generated change cycles through.
const OPEN_STATES: [ChangeState; 6] = [
    ChangeState::Submitted,
    ChangeState::Assessed,
    ChangeState::AwaitingAuthorisation,
    ChangeState::Authorised,
    ChangeState::Scheduled,
    ChangeState::Draft,
];

/// Adds changes until there are `total`, of which `on_board` are open and planned over the
/// next six weeks (so they also form a dense schedule with conflicts) and the rest closed
/// more than 60 days ago (off the board). Two services and one implementer each.
pub async fn seed(db: &Db, total: usize, on_board: usize) -> anyhow::Result<()> {
    let people: Vec<i64> = app::server::service::users::list(db)
        .await?
        .iter()
        .map(|u| u.id)
        .collect();
    let services: Vec<i64> = app::server::entity::service::Entity::find()
        .all(db.reader())
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    anyhow::ensure!(
        !people.is_empty() && !services.is_empty(),
        "seed the demo data first"
    );
    let existing = change::Entity::find().count(db.reader()).await? as usize;
    let open_now = app::server::service::change_lists::board(db).await?.len();
    let mut open_to_add = on_board.saturating_sub(open_now);
    let now = Utc::now();
    let count = total.saturating_sub(existing);
    for first in (0..count).step_by(1000) {
        let txn = db.writer().begin().await?;
        for i in first..count.min(first + 1000) {
            let open = open_to_add > 0;
            open_to_add = open_to_add.saturating_sub(1);
            let state = if open {
                OPEN_STATES[i % OPEN_STATES.len()]
            } else {
                ChangeState::Closed
            };
            let days = if open {
                (i % 42) as i64
            } else {
                -60 - (i % 300) as i64
            };
            let start = now + Duration::days(days) + Duration::minutes((i % 96) as i64 * 15);
            let updated = if open {
                now
            } else {
                start + Duration::hours(2)
            };
            let row = change::ActiveModel {
                title: Set(format!("Bench change {i}: patch service {}", i % services.len())),
                description: Set("Generated for the benchmarks.".into()),
                reason: Set("Benchmark".into()),
                change_type: Set(ChangeType::Normal.as_str().into()),
                category: Set("Infrastructure".into()),
                state: Set(state.as_str().into()),
                requester_id: Set(people[(i + 2) % people.len()]),
                owner_id: Set(people[i % people.len()]),
                planned_start: Set(Some(start)),
                planned_end: Set(Some(start + Duration::minutes(90))),
                expects_outage: Set(false),
                outage_minutes: Set(0),
                implementation_plan: Set("Apply.".into()),
                test_plan: Set("Verify.".into()),
                backout_plan: Set("Restore.".into()),
                communication_plan: Set(String::new()),
                configuration_items: Set("[]".into()),
                risk_answers: Set(Some(
                    r#"{"impact_breadth":0,"complexity":0,"backout_difficulty":0,"history":0,"time_pressure":0}"#.into(),
                )),
                risk_score: Set(Some(0)),
                risk_level: Set(Some("low".into())),
                conflict_override: Set(None),
                review_outcome: Set((!open).then(|| "Successful".into())),
                review_incidents: Set((!open).then_some(0)),
                review_lessons: Set((!open).then(String::new)),
                authorised_by: Set(None),
                template_id: Set(None),
                former_owner_ids: Set("[]".into()),
                imported: Set(false),
                version: Set(1),
                created_at: Set(updated),
                updated_at: Set(updated),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            let mut linked = vec![services[i % services.len()]];
            let second = services[(i * 7 + 3) % services.len()];
            if second != linked[0] {
                linked.push(second);
            }
            change_service::Entity::insert_many(linked.into_iter().map(|service_id| {
                change_service::ActiveModel {
                    change_id: Set(row.id),
                    service_id: Set(service_id),
                }
            }))
            .exec_without_returning(&txn)
            .await?;
            change_implementer::Entity::insert(change_implementer::ActiveModel {
                change_id: Set(row.id),
                user_id: Set(people[(i + 1) % people.len()]),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        txn.commit().await?;
    }
    Ok(())
}

/// Opens `url`, migrates it, seeds the demo data and changes up to `total` (`on_board` open),
/// and prints what the database then holds.
pub async fn seed_database(url: &str, total: usize, on_board: usize) -> anyhow::Result<()> {
    let db = conform::database::open(&conform::config::DatabaseArgs {
        database_url: url.to_string(),
    })
    .await?;
    conform::database::migrate(&db).await?;
    conform::demo::seed(&db).await?;
    seed(&db, total, on_board).await?;
    let lists = app::server::service::change_lists::list(&db, &Default::default()).await?;
    let board = app::server::service::change_lists::board(&db).await?.len();
    println!("{{\"changes\":{},\"on_board\":{board}}}", lists.total);
    Ok(())
}
