//! The incident queue and due-time benchmark (run by `scripts/bench.sh`).
//!
//! `bench_incidents <database-url>` fills a fresh database with the demo data plus generated
//! incidents up to 100,000 (every state and priority, four services, clocks running, paused
//! and stopped, a tenth of the running ones breached), then times in this process, median of
//! 15 runs each:
//! - queue pages: the default view (open, due soonest), breached only, one priority and
//!   assignee, newest first, a text search, and page 40 reached by its key;
//! - against the baseline of reading any 25 incident rows by primary key;
//! - due instants of 100,000 clocks on an office calendar (08:00–18:00 Mon–Fri, Europe/London,
//!   two holidays), against adding the same seconds as wall time.
//!
//! The generated rows are inserted in bulk (no audit entries or timelines): they are load.

use app::model::incident_queue::{QueueParams, QUEUE_PAGE_SIZE};
use app::model::service_hours::{ServiceHours, ServiceHoursForm};
use app::server::entity::incident;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder, QuerySelect, Set};
use std::time::Instant;

const TOTAL: u64 = 100_000;
const RUNS: usize = 15;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Some(url) = std::env::args().nth(1) else {
        anyhow::bail!("usage: bench_incidents <database-url>");
    };
    let db = conform::database::open(&conform::config::DatabaseArgs {
        database_url: url.clone(),
    })
    .await?;
    conform::database::migrate(&db).await?;
    conform::demo::seed(&db).await?;
    let now = Utc::now();
    seed(&db, now).await?;
    let me = app::server::service::users::list(&db).await?[0].id;

    println!(
        "## Incident queue at {TOTAL} incidents (SQLite, median of {RUNS}; ms, ratio to baseline)"
    );
    let baseline = median_ms(|| async {
        incident::Entity::find()
            .order_by_asc(incident::Column::Id)
            .limit(QUEUE_PAGE_SIZE)
            .all(db.reader())
            .await
            .map(|_| ())
    })
    .await?;
    println!(
        "{:<44} {baseline:>8.2} ms",
        "baseline: any 25 rows by primary key"
    );
    // Straight after a bulk load the planner's statistics are stale: the default view as it
    // runs until the server's hourly refresh (or its next start) brings them up to date.
    let stale = median_ms(|| async {
        app::server::service::incident_queue::page(
            &db,
            &QueueParams::default(),
            me,
            now,
            QUEUE_PAGE_SIZE,
        )
        .await
        .map(|_| ())
    })
    .await?;
    println!(
        "{:<44} {stale:>8.2} ms  ×{:.1}",
        "default view, statistics stale (bulk load)",
        stale / baseline
    );
    let refresh = std::time::Instant::now();
    db.refresh_statistics().await?;
    println!(
        "{:<44} {:>8.2} ms",
        "refreshing the statistics (PRAGMA optimize)",
        refresh.elapsed().as_secs_f64() * 1000.0
    );
    // A connection reads the statistics when it opens; the server's pool renews its
    // connections within 30 minutes (sqlx's lifetime), the bench at once.
    db.close().await?;
    let db = conform::database::open(&conform::config::DatabaseArgs {
        database_url: url.clone(),
    })
    .await?;
    let second_key = {
        // Page 40 of the default view, by the key the pager's link carries.
        let mut params = QueueParams::default();
        let mut page = None;
        for number in 1..=40 {
            params.page = number.to_string();
            let answer =
                app::server::service::incident_queue::page(&db, &params, me, now, QUEUE_PAGE_SIZE)
                    .await?;
            if number == 40 {
                page = Some(params.clone());
                break;
            }
            params.after = answer
                .rows
                .last()
                .map(|r| r.id.to_string())
                .unwrap_or_default();
        }
        page.unwrap_or_default()
    };
    let views: Vec<(&str, QueueParams)> = vec![
        ("open, due soonest (default)", QueueParams::default()),
        (
            "breached only",
            QueueParams {
                breached: "yes".into(),
                ..Default::default()
            },
        ),
        (
            "P2, assigned to one person",
            QueueParams {
                priority: "p2".into(),
                assignee: me.to_string(),
                ..Default::default()
            },
        ),
        (
            "all states, newest first",
            QueueParams {
                state: "all".into(),
                sort: "newest".into(),
                ..Default::default()
            },
        ),
        (
            "text search \"portal\"",
            QueueParams {
                q: "portal".into(),
                ..Default::default()
            },
        ),
        ("page 40 by its key", second_key),
    ];
    for (name, params) in views {
        let ms = median_ms(|| async {
            app::server::service::incident_queue::page(&db, &params, me, now, QUEUE_PAGE_SIZE)
                .await
                .map(|_| ())
        })
        .await?;
        println!("{name:<44} {ms:>8.2} ms  ×{:.1}", ms / baseline.max(0.001));
    }

    println!("## Due instants of {TOTAL} clocks (office hours, Europe/London; ms)");
    let hours = office_hours()?;
    let zone = app::server::service::service_levels::zone_of(&hours);
    let starts: Vec<(DateTime<Utc>, i64)> = (0..TOTAL as i64)
        .map(|i| (now - Duration::minutes(i % 20_000), (i % 48 + 1) * 1800))
        .collect();
    let t0 = Instant::now();
    let mut sink = 0i64;
    for (start, seconds) in &starts {
        sink ^= (*start + Duration::seconds(*seconds)).timestamp();
    }
    let wall = t0.elapsed().as_secs_f64() * 1000.0;
    let t0 = Instant::now();
    for (start, seconds) in &starts {
        if let Some(due) = hours.add(&zone, *start, *seconds) {
            sink ^= due.timestamp();
        }
    }
    let service = t0.elapsed().as_secs_f64() * 1000.0;
    println!("{:<44} {wall:>8.2} ms", "baseline: wall-clock addition");
    println!(
        "{:<44} {service:>8.2} ms  ×{:.0} ({:.2} µs a clock) [{sink}]",
        "service-hours addition",
        service / wall.max(0.001),
        service * 1000.0 / TOTAL as f64,
        sink = sink & 1
    );
    Ok(())
}

async fn median_ms<F, Fut, E>(run: F) -> anyhow::Result<f64>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<(), E>>,
    E: std::error::Error + Send + Sync + 'static,
{
    run().await?; // warm the cache
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t0 = Instant::now();
        run().await?;
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[RUNS / 2])
}

fn office_hours() -> anyhow::Result<ServiceHours> {
    let mut form = ServiceHoursForm {
        name: "Office".into(),
        time_zone: "Europe/London".into(),
        holidays: "2026-12-25 Christmas Day\n2026-12-28 Boxing Day (substitute)".into(),
        ..Default::default()
    };
    for day in 0..5 {
        form.days[day] = "08:00-18:00".into();
    }
    form.validate().map_err(|e| anyhow::anyhow!("{e:?}"))
}

/// Bulk-inserts generated incidents up to `TOTAL`.
async fn seed(db: &app::server::db::Db, now: DateTime<Utc>) -> anyhow::Result<()> {
    use app::model::incident::IncidentState;
    use app::model::priority_matrix::TicketPriority;
    let people: Vec<i64> = app::server::service::users::list(db)
        .await?
        .iter()
        .map(|u| u.id)
        .collect();
    let services: Vec<i64> = app::server::service::catalogue::active_refs(db.reader())
        .await?
        .iter()
        .take(4)
        .map(|s| s.id)
        .collect();
    let words = [
        "portal", "mail", "payroll", "printer", "network", "login", "report", "backup",
    ];
    let existing = incident::Entity::find().count(db.reader()).await?;
    let rows: Vec<incident::ActiveModel> = (existing..TOTAL)
        .map(|n| {
            let i = n as i64;
            let state = IncidentState::ALL[(i % 6) as usize];
            let priority = TicketPriority::ALL[(i % 5) as usize];
            let created = now - Duration::minutes(i % 40_000);
            let target = ((i % 5) + 1) as i32 * 240;
            let running = state.is_open() && state != IncidentState::Pending;
            // A tenth of the running clocks are past due.
            let due = created + Duration::minutes(if i % 10 == 0 { 5 } else { 60_000 });
            incident::ActiveModel {
                title: Set(format!(
                    "The {} is slow for {} users ({i})",
                    words[(i % 8) as usize],
                    words[((i * 3) % 8) as usize]
                )),
                description: Set(String::new()),
                service_id: Set(services[(i as usize) % services.len()]),
                impact: Set("medium".into()),
                urgency: Set("medium".into()),
                priority: Set(priority.as_str().into()),
                priority_rule: Set("generated".into()),
                category: Set(String::new()),
                affected: Set(String::new()),
                reporter_id: Set(people[(i as usize) % people.len()]),
                assignee_id: Set((i % 4 != 0).then(|| people[(i as usize / 4) % people.len()])),
                state: Set(state.as_str().into()),
                major: Set(false),
                service_affecting: Set(false),
                started_at: Set(created),
                response_target_minutes: Set(Some(target / 8)),
                response_used_seconds: Set(600),
                response_stopped_at: Set(Some(created + Duration::minutes(10))),
                resolution_target_minutes: Set(Some(target)),
                resolution_used_seconds: Set(if state.is_open() {
                    0
                } else {
                    i64::from(target) * 50
                }),
                resolution_running_since: Set(running.then_some(created)),
                resolution_stopped_at: Set(
                    (!state.is_open()).then_some(created + Duration::hours(3))
                ),
                resolution_warning_at: Set(running.then_some(due - Duration::minutes(1))),
                resolution_due_at: Set(running.then_some(due)),
                queue_due_at: Set(if running {
                    due
                } else {
                    app::model::incident_queue::not_due()
                }),
                resolved_at: Set((!state.is_open()).then_some(created + Duration::hours(3))),
                version: Set(1),
                created_at: Set(created),
                updated_at: Set(created),
                ..Default::default()
            }
        })
        .collect();
    for chunk in rows.chunks(500) {
        incident::Entity::insert_many(chunk.to_vec())
            .exec(db.writer())
            .await?;
    }
    Ok(())
}
