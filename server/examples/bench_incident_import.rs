//! The incident import benchmark (run by `scripts/bench.sh`).
//!
//! `bench_incident_import <database-url>` fills a fresh database with the demo data, then
//! times a file of 5,000 incidents (the import's row limit) in ServiceNow's column names:
//! four in five closed history spread over the last year on the demo services (two under an
//! approved agreement, so their clocks are measured), one in five still in progress.
//! - preview (every row checked, nothing written), median of 5, against reading the same
//!   file with the `csv` crate alone;
//! - import (checked again and written in one transaction: row, both clocks, timeline,
//!   audit entry), median of 3 with a file of new references each time, against inserting
//!   5,000 bare incident rows in one transaction (no checks, clocks, timeline or audit).

use app::model::access::Role;
use app::model::csv_import::{IMPORT_MAX_BYTES, IMPORT_MAX_ROWS};
use app::model::user::CurrentUser;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::entity::incident;
use app::server::service::{catalogue, incident_import, users};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{EntityTrait, Set, TransactionTrait};
use std::fmt::Write;
use std::time::Instant;

const ROWS: usize = IMPORT_MAX_ROWS;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Some(url) = std::env::args().nth(1) else {
        anyhow::bail!("usage: bench_incident_import <database-url>");
    };
    let db = conform::database::open(&conform::config::DatabaseArgs {
        database_url: url.clone(),
    })
    .await?;
    conform::database::migrate(&db).await?;
    conform::demo::seed(&db).await?;
    let importer = importer(&db).await?;
    let actor = Actor::system("bench");
    let now = Utc::now();
    let files: Vec<String> = (0..3).map(|run| history(run, now)).collect();
    let bytes = files[0].len();
    anyhow::ensure!(bytes <= IMPORT_MAX_BYTES, "the file is {bytes} bytes");

    println!(
        "## Incident import: {ROWS} rows, {} KiB (SQLite; ms, ratio to baseline)",
        bytes / 1024
    );
    let parse = median_ms(5, |_| async {
        let mut reader = csv::Reader::from_reader(files[0].as_bytes());
        let rows = reader.records().collect::<Result<Vec<_>, _>>()?;
        anyhow::ensure!(rows.len() == ROWS);
        Ok(())
    })
    .await?;
    let preview = median_ms(5, |_| async {
        let plan = incident_import::plan(db.reader(), &importer, &files[0], now).await?;
        anyhow::ensure!(
            plan.preview.can_import() && plan.preview.to_create() == ROWS,
            "{}",
            plan.preview.summary()
        );
        Ok(())
    })
    .await?;
    let bare = median_ms(3, |_| async { insert_bare(&db, now).await }).await?;
    let import = median_ms(3, |run| {
        let (db, importer, actor, file) = (&db, &importer, &actor, &files[run]);
        async move {
            let ids = incident_import::import(db, importer, actor, file, now).await?;
            anyhow::ensure!(ids.len() == ROWS);
            Ok(())
        }
    })
    .await?;
    let per_row = |ms: f64| ms * 1000.0 / ROWS as f64;
    println!(
        "{:<58} {parse:>9.1} ms",
        "baseline: reading the file with the csv crate"
    );
    println!(
        "{:<58} {preview:>9.1} ms  ×{:.1}  ({:.0} µs a row)",
        "preview: every row checked against people and services",
        preview / parse,
        per_row(preview)
    );
    println!(
        "{:<58} {bare:>9.1} ms",
        "baseline: 5,000 bare rows in one transaction"
    );
    println!(
        "{:<58} {import:>9.1} ms  ×{:.1}  ({:.0} µs a row)",
        "import: checked, clocks, timeline, audit, one transaction",
        import / bare,
        per_row(import)
    );
    Ok(())
}

/// The demo service level manager, as the services see them (in UTC, so the file's times
/// are read as written).
async fn importer(db: &Db) -> anyhow::Result<CurrentUser> {
    let user = users::list(db)
        .await?
        .into_iter()
        .find(|u| u.email == "service.levels@conform.demo")
        .ok_or_else(|| anyhow::anyhow!("the demo data has no service level manager"))?;
    Ok(CurrentUser {
        id: user.id,
        email: user.email,
        name: user.name,
        roles: vec![Role::ServiceLevelManager],
        time_zone: "UTC".into(),
    })
}

/// A file of `ROWS` incidents whose references start with `run` (so each run is new).
fn history(run: usize, now: DateTime<Utc>) -> String {
    const SERVICES: [&str; 2] = ["Customer portal", "E-mail and calendar"];
    const WORDS: [&str; 6] = ["login", "search", "export", "invoice", "upload", "sync"];
    let mut file = String::from(
        "Number,Short description,Business service,Impact,Urgency,Caller,Assigned to,State,Opened,Responded,Resolved,Close code,Close notes\n",
    );
    let time = |at: DateTime<Utc>| at.format("%Y-%m-%d %H:%M").to_string();
    for n in 0..ROWS {
        let opened = now - Duration::minutes(20 + (n as i64 * 104) % 525_000);
        let (level, word) = (1 + n % 3, WORDS[n % WORDS.len()]);
        let _ = write!(
            file,
            "INC{run}{n:05},{word} fails ({n}),{},{level},{},requester@conform.demo,resolver@conform.demo,",
            SERVICES[n % 2],
            1 + (n / 3) % 3,
        );
        let responded = time(opened + Duration::minutes(5));
        if n % 5 == 0 {
            let _ = writeln!(file, "In Progress,{},{responded},,,", time(opened));
        } else {
            let _ = writeln!(
                file,
                "Closed,{},{responded},{},Solved (Permanently),Fixed {word} and redeployed.",
                time(opened),
                time(opened + Duration::minutes(10 + (n % 600) as i64)),
            );
        }
    }
    file
}

/// The baseline: as many incident rows as a file holds, inserted bare in one transaction.
async fn insert_bare(db: &Db, now: DateTime<Utc>) -> anyhow::Result<()> {
    let service = catalogue::active_refs(db.reader()).await?[0].id;
    let reporter = users::list(db).await?[0].id;
    let rows: Vec<incident::ActiveModel> = (0..ROWS)
        .map(|n| incident::ActiveModel {
            title: Set(format!("Bare row {n}")),
            description: Set(String::new()),
            service_id: Set(service),
            impact: Set("medium".into()),
            urgency: Set("medium".into()),
            priority: Set("p3".into()),
            priority_rule: Set("bench".into()),
            category: Set(String::new()),
            affected: Set(String::new()),
            reporter_id: Set(reporter),
            state: Set("closed".into()),
            major: Set(false),
            service_affecting: Set(false),
            started_at: Set(now),
            response_used_seconds: Set(0),
            resolution_used_seconds: Set(0),
            queue_due_at: Set(app::model::incident_queue::not_due()),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    let txn = db.writer().begin().await?;
    for chunk in rows.chunks(500) {
        incident::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The median of `runs` timed runs, each told its number (an import cannot run twice on the
/// same file, so there is no untimed warm-up run).
async fn median_ms<F, Fut>(runs: usize, run: F) -> anyhow::Result<f64>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let mut times = Vec::with_capacity(runs);
    for n in 0..runs {
        let t0 = Instant::now();
        run(n).await?;
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[runs / 2])
}
