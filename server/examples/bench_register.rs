//! Data for the improvement-register benchmark (run by `scripts/bench.sh`).
//!
//! `bench_register seed <database-url>` fills a database with the demo data plus generated
//! entries up to 20,000, spread over every state, source, owner, service, clause, effort and
//! target date, so that each filter and sort of the table has real work to do. The generated
//! rows are inserted in bulk (no audit entries): they are load, not history.

use app::model::improvement::{Effort, ImprovementState, Source};
use app::server::entity::improvement;
use chrono::{Duration, Utc};
use sea_orm::{EntityTrait, PaginatorTrait, Set};

const TOTAL: u64 = 20_000;
const WORDS: [&str; 12] = [
    "patch",
    "portal",
    "backup",
    "supplier",
    "catalogue",
    "incident",
    "change",
    "continuity",
    "payroll",
    "desk",
    "network",
    "report",
];

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2)) {
        (Some("seed"), Some(url)) => seed(url).await,
        _ => anyhow::bail!("usage: bench_register seed <database-url>"),
    }
}

async fn seed(url: &str) -> anyhow::Result<()> {
    let db = conform::database::open(&conform::config::DatabaseArgs {
        database_url: url.to_string(),
    })
    .await?;
    conform::database::migrate(&db).await?;
    conform::demo::seed(&db).await?;
    let people: Vec<i64> = app::server::service::users::list(&db)
        .await?
        .iter()
        .map(|u| u.id)
        .collect();
    let services: Vec<i64> = app::server::service::catalogue::list(
        &db,
        &app::model::service::ServiceQuery {
            page_size: 200,
            ..Default::default()
        },
    )
    .await?
    .items
    .iter()
    .map(|s| s.id)
    .collect();
    let clauses = [
        "8.5.1", "10.2", "8.6.1", "8.7.2", "9.2", "7.5", "8.2.4", "10.1",
    ];
    let existing = improvement::Entity::find().count(db.writer()).await?;
    let now = Utc::now();
    let today = now.date_naive();
    let rows: Vec<improvement::ActiveModel> = (existing..TOTAL)
        .map(|n| {
            let i = n as usize;
            let state = ImprovementState::ALL[i % ImprovementState::ALL.len()];
            let effort = Effort::ALL[(i / 3) % Effort::ALL.len()];
            improvement::ActiveModel {
                title: Set(format!(
                    "Improve the {} {} ({i})",
                    WORDS[i % WORDS.len()],
                    WORDS[(i * 7 + 3) % WORDS.len()]
                )),
                description: Set(format!(
                    "Generated entry {i} about the {} process.",
                    WORDS[(i * 5) % WORDS.len()]
                )),
                source: Set(Source::ALL[i % Source::ALL.len()].as_str().into()),
                source_ref: Set(None),
                service_ids: Set(format!(
                    "[{},{}]",
                    services[i % services.len()],
                    services[(i * 3 + 1) % services.len()]
                )),
                clauses: Set(format!("[\"{}\"]", clauses[i % clauses.len()])),
                expected_benefit: Set("Fewer incidents.".into()),
                benefit_score: Set(Some((i % 5 + 1) as i16)),
                effort: Set(Some(effort.as_str().into())),
                owner_id: Set(people[i % people.len()]),
                approver_id: Set(None),
                target_date: Set(Some(today + Duration::days((i % 400) as i64 - 200))),
                state: Set(state.as_str().into()),
                outcome: Set(String::new()),
                verifier_id: Set(None),
                closure_code: Set(None),
                closed_at: Set((state == ImprovementState::Closed)
                    .then(|| now - Duration::days((i % 180) as i64))),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    let added = rows.len();
    for chunk in rows.chunks(500) {
        improvement::Entity::insert_many(chunk.to_vec())
            .exec(db.writer())
            .await?;
    }
    println!("{{\"entries\":{TOTAL},\"added\":{added}}}");
    Ok(())
}
