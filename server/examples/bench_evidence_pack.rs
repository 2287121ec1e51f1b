//! The evidence-pack benchmark (run by `scripts/bench.sh`): 10,000 changes, 500
//! nonconformities and 2,000 improvements on top of the demo data.
//!
//! - `bench_evidence_pack seed <database-url>`: the data (bulk inserts, no audit entries:
//!   load, not history). Every change is authorised and planned within the last 12 months,
//!   so all 10,000 are sampled; a quarter carry a CAB decision.
//! - `bench_evidence_pack pack <database-url> <file>`: builds the pack; prints the time, the
//!   size and the process's peak memory.
//! - `bench_evidence_pack read <database-url>`: the baseline — reads the same records once
//!   into memory and writes them out as CSV, no zip, no pages; same figures.
//!
//! Each mode runs in a fresh process so that the peak memory is its own.

use app::server::entity::{cab_agenda_item, cab_meeting, change, improvement, nonconformity};
use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set};
use std::time::Instant;

const CHANGES: u64 = 10_000;
const NONCONFORMITIES: u64 = 500;
const IMPROVEMENTS: u64 = 2_000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match (args.get(1).map(String::as_str), args.get(2), args.get(3)) {
        (Some("seed"), Some(url), None) => seed(url).await,
        (Some("pack"), Some(url), Some(file)) => pack(url, file).await,
        (Some("read"), Some(url), None) => read(url).await,
        _ => anyhow::bail!(
            "usage: bench_evidence_pack seed <database-url> | pack <database-url> <file> | read <database-url>"
        ),
    }
}

async fn open(url: &str) -> anyhow::Result<app::server::db::Db> {
    let db = conform::database::open(&conform::config::DatabaseArgs {
        database_url: url.to_string(),
    })
    .await?;
    conform::database::migrate(&db).await?;
    Ok(db)
}

/// Peak and current resident memory of this process, in KiB (Linux).
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

async fn pack(url: &str, file: &str) -> anyhow::Result<()> {
    let db = open(url).await?;
    let (_, before) = memory_kib();
    let started = Instant::now();
    let report: app::server::service::evidence_pack::file::ReportProgress =
        std::sync::Arc::new(|_, _, _| {});
    let built = app::server::service::evidence_pack::file::build_file(
        &db,
        Utc::now().date_naive(),
        std::path::Path::new(file),
        report,
    )
    .await
    .map_err(|e| anyhow::anyhow!(e))?;
    let elapsed = started.elapsed().as_millis();
    let (peak, _) = memory_kib();
    println!(
        "{{\"mode\":\"pack\",\"ms\":{elapsed},\"files\":{},\"bytes\":{},\"rss_before_kib\":{before},\"peak_kib\":{peak}}}",
        built.files, built.bytes
    );
    Ok(())
}

async fn read(url: &str) -> anyhow::Result<()> {
    let db = open(url).await?;
    let (_, before) = memory_kib();
    let started = Instant::now();
    let changes = change::Entity::find().all(db.reader()).await?;
    let ncs = nonconformity::Entity::find().all(db.reader()).await?;
    let improvements = improvement::Entity::find().all(db.reader()).await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    for c in &changes {
        out.write_record([c.id.to_string(), c.title.clone(), c.state.clone()])?;
    }
    for n in &ncs {
        out.write_record([n.id.to_string(), n.description.clone(), n.state.clone()])?;
    }
    for i in &improvements {
        out.write_record([i.id.to_string(), i.title.clone(), i.state.clone()])?;
    }
    let bytes = out.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?.len();
    let elapsed = started.elapsed().as_millis();
    let (peak, _) = memory_kib();
    println!(
        "{{\"mode\":\"read\",\"ms\":{elapsed},\"records\":{},\"bytes\":{bytes},\"rss_before_kib\":{before},\"peak_kib\":{peak}}}",
        changes.len() + ncs.len() + improvements.len()
    );
    Ok(())
}

async fn seed(url: &str) -> anyhow::Result<()> {
    let db = open(url).await?;
    conform::demo::seed(&db).await?;
    let people: Vec<i64> = app::server::service::users::list(&db)
        .await?
        .iter()
        .map(|u| u.id)
        .collect();
    let meetings: Vec<i64> = cab_meeting::Entity::find()
        .select_only()
        .column(cab_meeting::Column::Id)
        .into_tuple()
        .all(db.reader())
        .await?;
    let now = Utc::now();
    let today = now.date_naive();

    let existing = change::Entity::find().count(db.writer()).await?;
    // Only the generated changes get agenda items (the demo's own are decided already).
    let last_demo_change: i64 = change::Entity::find()
        .select_only()
        .column_as(change::Column::Id.max(), "max")
        .into_tuple::<Option<i64>>()
        .one(db.reader())
        .await?
        .flatten()
        .unwrap_or(0);
    let rows: Vec<change::ActiveModel> = (existing..CHANGES)
        .map(|n| {
            let i = n as usize;
            let start = now - Duration::hours((i % 8_000) as i64);
            change::ActiveModel {
                title: Set(format!(
                    "Generated change {i}: patch the {} cluster",
                    i % 97
                )),
                description: Set("Apply the monthly patches.".into()),
                reason: Set("Security fixes.".into()),
                change_type: Set(["normal", "standard", "emergency"][i % 3].into()),
                category: Set("software".into()),
                state: Set(["closed", "reviewed", "implemented", "authorised"][i % 4].into()),
                requester_id: Set(people[i % people.len()]),
                owner_id: Set(people[(i + 1) % people.len()]),
                planned_start: Set(Some(start)),
                planned_end: Set(Some(start + Duration::hours(2))),
                expects_outage: Set(i.is_multiple_of(5)),
                outage_minutes: Set(if i.is_multiple_of(5) { 30 } else { 0 }),
                implementation_plan: Set("1. Drain. 2. Patch. 3. Restore.".into()),
                test_plan: Set("Smoke tests.".into()),
                backout_plan: Set(if i.is_multiple_of(10) {
                    String::new()
                } else {
                    "Restore the snapshot.".into()
                }),
                communication_plan: Set("Notice to users.".into()),
                configuration_items: Set(String::new()),
                risk_answers: Set(None),
                risk_score: Set(Some((i % 20) as i32)),
                risk_level: Set(Some(["low", "medium", "high"][i % 3].into())),
                conflict_override: Set(None),
                review_outcome: Set((i % 4 < 2).then(|| "successful".to_string())),
                review_incidents: Set((i % 4 < 2).then_some(0)),
                review_lessons: Set((i % 4 < 2).then(|| "None.".to_string())),
                authorised_by: Set(Some(people[(i + 2) % people.len()])),
                template_id: Set(None),
                version: Set(1),
                created_at: Set(start - Duration::days(3)),
                updated_at: Set(start),
                ..Default::default()
            }
        })
        .collect();
    for chunk in rows.chunks(500) {
        change::Entity::insert_many(chunk.to_vec())
            .exec(db.writer())
            .await?;
    }
    // A quarter of the changes were decided at a CAB meeting.
    if !meetings.is_empty() {
        let ids: Vec<i64> = change::Entity::find()
            .select_only()
            .column(change::Column::Id)
            .filter(change::Column::Id.gt(last_demo_change))
            .into_tuple()
            .all(db.reader())
            .await?;
        let items: Vec<cab_agenda_item::ActiveModel> = ids
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 4 == 0)
            .map(|(i, id)| cab_agenda_item::ActiveModel {
                meeting_id: Set(meetings[i % meetings.len()]),
                change_id: Set(*id),
                position: Set(i as i32),
                time_box_minutes: Set(10),
                notes: Set(String::new()),
                decision: Set(Some("authorise".into())),
                decision_text: Set("Go ahead in the window.".into()),
                decided_by: Set(Some(people[i % people.len()])),
                decided_at: Set(Some(now - Duration::days((i % 300) as i64))),
                spent_seconds: Set(300),
                ..Default::default()
            })
            .collect();
        for chunk in items.chunks(500) {
            cab_agenda_item::Entity::insert_many(chunk.to_vec())
                .exec(db.writer())
                .await?;
        }
    }

    let existing = nonconformity::Entity::find().count(db.writer()).await?;
    let rows: Vec<nonconformity::ActiveModel> = (existing..NONCONFORMITIES)
        .map(|n| {
            let i = n as usize;
            let closed = i.is_multiple_of(3);
            nonconformity::ActiveModel {
                grade: Set(["minor", "major"][i % 2].into()),
                clause: Set(["8.5.1", "10.1", "8.7.2", "9.2"][i % 4].into()),
                description: Set(format!("Generated nonconformity {i}: records incomplete.")),
                evidence: Set("Sampled records.".into()),
                found_in: Set(["audit", "incident", "complaint", "self_identified"][i % 4].into()),
                raised_by: Set(people[i % people.len()]),
                owner_id: Set(people[(i + 3) % people.len()]),
                state: Set(if closed { "closed" } else { "actions_planned" }.into()),
                correction: Set("Corrected the records.".into()),
                root_cause: Set("No checklist.".into()),
                root_cause_method: Set(Some("five_whys".into())),
                similar_checked: Set(true),
                similar_notes: Set(String::new()),
                verify_from: Set(Some(today - Duration::days(10))),
                wait_days: Set(30),
                verification_failures: Set(0),
                verified_by: Set(closed.then(|| people[(i + 4) % people.len()])),
                step_due: Set(Some(today + Duration::days((i % 60) as i64 - 30))),
                version: Set(1),
                created_at: Set(now - Duration::days((i % 365) as i64)),
                updated_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    for chunk in rows.chunks(500) {
        nonconformity::Entity::insert_many(chunk.to_vec())
            .exec(db.writer())
            .await?;
    }

    let existing = improvement::Entity::find().count(db.writer()).await?;
    let rows: Vec<improvement::ActiveModel> = (existing..IMPROVEMENTS)
        .map(|n| {
            let i = n as usize;
            improvement::ActiveModel {
                title: Set(format!("Generated improvement {i}")),
                description: Set("Make the process faster.".into()),
                source: Set("staff_suggestion".into()),
                source_ref: Set(None),
                service_ids: Set("[]".into()),
                clauses: Set("[\"10.2\"]".into()),
                expected_benefit: Set("Fewer incidents.".into()),
                benefit_score: Set(Some((i % 5 + 1) as i16)),
                effort: Set(Some("S".into())),
                owner_id: Set(people[i % people.len()]),
                approver_id: Set(None),
                target_date: Set(Some(today + Duration::days((i % 200) as i64))),
                state: Set("identified".into()),
                outcome: Set(String::new()),
                verifier_id: Set(None),
                closure_code: Set(None),
                closed_at: Set(None),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
        })
        .collect();
    for chunk in rows.chunks(500) {
        improvement::Entity::insert_many(chunk.to_vec())
            .exec(db.writer())
            .await?;
    }
    println!(
        "{{\"changes\":{CHANGES},\"nonconformities\":{NONCONFORMITIES},\"improvements\":{IMPROVEMENTS}}}"
    );
    Ok(())
}
