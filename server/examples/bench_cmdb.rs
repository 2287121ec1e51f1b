//! CMDB impact analysis at 50,000 configuration items and 200,000 relationships (run by
//! `scripts/bench.sh`, or alone: `cargo run --release -p conform --example bench_cmdb --
//! sqlite:///tmp/cmdb.db`).
//!
//! A fresh database with the demo data, then a layered CMDB inserted in bulk (load, not
//! history: no audit entries): 10 core switches, 490 access switches (each connects to two
//! core switches), 5,000 servers (each connects to two access switches), 4,500 databases (each
//! runs on two servers), 40,000 applications in systems of 20 (each runs on two servers,
//! depends on a database, on the application before it in its system and, for half of them,
//! on one more of its system) serving 200 services — 200,000 relationships. Each kind's
//! failure is analysed for 9 items spread over the kind (median of 3 runs each, after one
//! warm-up), against the same run's baseline: one recursive SQL query collecting the ids of
//! everything that relies on the item, without depths, statuses, services or names.

use app::model::cmdb::CiStatus;
use app::server::entity::{ci_relationship, ci_service, configuration_item};
use chrono::Utc;
use sea_orm::{ConnectionTrait, EntityTrait, Set, Statement, TransactionTrait};
use std::time::Instant;

const CORE: usize = 10;
const ACCESS: usize = 490;
const SERVERS: usize = 5_000;
const DATABASES: usize = 4_500;
const APPLICATIONS: usize = 40_000;
const SYSTEM: usize = 20;
const SERVICES: usize = 200;
const SAMPLES: usize = 9;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Some(url) = std::env::args().nth(1) else {
        anyhow::bail!("usage: bench_cmdb <database-url>");
    };
    let db = conform::database::open(&conform::config::DatabaseArgs {
        database_url: url.clone(),
    })
    .await?;
    conform::database::migrate(&db).await?;
    conform::demo::seed(&db).await?;
    let t0 = Instant::now();
    let layout = seed(&db).await?;
    let relationships = layout.edges;
    println!(
        "## CMDB impact analysis: {} items, {relationships} relationships, {SERVICES} services (SQLite; loaded in {:.1} s)",
        layout.items,
        t0.elapsed().as_secs_f64()
    );
    println!(
        "{:<16} {:>10} {:>10} {:>9} {:>12} {:>12} {:>7}",
        "failed item", "reached", "services", "depth", "impact ms", "baseline ms", "ratio"
    );
    for (label, ids) in [
        ("core switch", &layout.core),
        ("access switch", &layout.access),
        ("server", &layout.servers),
        ("database", &layout.databases),
        ("application", &layout.applications),
    ] {
        let step = (ids.len() / SAMPLES).max(1);
        let sample: Vec<i64> = ids.iter().step_by(step).take(SAMPLES).copied().collect();
        let (mut impact_ms, mut baseline_ms) = (Vec::new(), Vec::new());
        let (mut reached, mut services, mut depth) = (0u64, 0usize, 0u32);
        for id in &sample {
            let impact = app::server::service::cmdb::impact_of(db.reader(), &[*id]).await?;
            let bare = bare_walk(&db, *id).await?;
            anyhow::ensure!(
                bare == impact.reached,
                "item {id}: the baseline reached {bare}, the analysis {}",
                impact.reached
            );
            reached += impact.reached;
            services += impact.services.len();
            depth = depth.max(impact.items.iter().map(|r| r.depth).max().unwrap_or(0));
            impact_ms.push(
                median_ms(|| async {
                    app::server::service::cmdb::impact_of(db.reader(), &[*id]).await?;
                    Ok(())
                })
                .await?,
            );
            baseline_ms.push(
                median_ms(|| async {
                    bare_walk(&db, *id).await?;
                    Ok(())
                })
                .await?,
            );
        }
        let (impact, baseline) = (median(&mut impact_ms), median(&mut baseline_ms));
        println!(
            "{label:<16} {:>10} {:>10} {depth:>9} {impact:>12.1} {baseline:>12.1} {:>6.1}×",
            reached / sample.len() as u64,
            services / sample.len(),
            impact / baseline.max(0.001)
        );
    }
    Ok(())
}

struct Layout {
    items: usize,
    edges: usize,
    core: Vec<i64>,
    access: Vec<i64>,
    servers: Vec<i64>,
    databases: Vec<i64>,
    applications: Vec<i64>,
}

/// Inserts the generated CMDB in bulk, in one transaction.
async fn seed(db: &app::server::db::Db) -> anyhow::Result<Layout> {
    let owner = app::server::service::users::list(db)
        .await?
        .first()
        .map(|u| u.id)
        .ok_or_else(|| anyhow::anyhow!("the demo has no users"))?;
    // Services for the applications: the demo's, then generated ones up to SERVICES.
    let mut services: Vec<i64> = app::server::service::catalogue::active_refs(db.reader())
        .await?
        .iter()
        .map(|s| s.id)
        .collect();
    let actor = app::server::audit::Actor::system("bench");
    while services.len() < SERVICES {
        let form = app::model::service::ServiceForm {
            name: format!("Generated service {}", services.len()),
            owner: "Owner".into(),
            criticality: "low".into(),
            status: "live".into(),
            ..Default::default()
        };
        let draft = form.validate().map_err(|e| anyhow::anyhow!("{e:?}"))?;
        services.push(
            app::server::service::catalogue::create(db, &actor, draft)
                .await?
                .id,
        );
    }
    let now = Utc::now();
    let txn = db.writer().begin().await?;
    let mut next_id = 1_000_000i64;
    let mut make = |count: usize, kind: &str, rows: &mut Vec<configuration_item::ActiveModel>| {
        let ids: Vec<i64> = (0..count)
            .map(|_| {
                next_id += 1;
                next_id
            })
            .collect();
        for id in &ids {
            rows.push(configuration_item::ActiveModel {
                id: Set(*id),
                name: Set(format!("{kind}-{id}")),
                name_key: Set(format!("{kind}-{id}")),
                kind: Set(kind.into()),
                status: Set(CiStatus::Live.as_str().into()),
                owner_id: Set(Some(owner)),
                supplier_id: Set(None),
                description: Set(String::new()),
                attributes: Set("{}".into()),
                created_by: Set(owner),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            });
        }
        ids
    };
    let mut rows = Vec::new();
    let core = make(CORE, "network", &mut rows);
    let access = make(ACCESS, "network", &mut rows);
    let servers = make(SERVERS, "server", &mut rows);
    let databases = make(DATABASES, "database", &mut rows);
    let applications = make(APPLICATIONS, "application", &mut rows);
    let items = rows.len();
    for chunk in rows.chunks(500) {
        configuration_item::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    let mut edges: Vec<(i64, i64, &str)> = Vec::new();
    for (i, a) in access.iter().enumerate() {
        edges.push((*a, core[i % CORE], "connects_to"));
        edges.push((*a, core[(i + 1) % CORE], "connects_to"));
    }
    for (i, s) in servers.iter().enumerate() {
        edges.push((*s, access[i % ACCESS], "connects_to"));
        edges.push((*s, access[(i * 7 + 3) % ACCESS], "connects_to"));
    }
    for (i, d) in databases.iter().enumerate() {
        edges.push((*d, servers[i % SERVERS], "runs_on"));
        edges.push((*d, servers[(i + SERVERS / 2) % SERVERS], "runs_on"));
    }
    for (i, app) in applications.iter().enumerate() {
        edges.push((*app, servers[(i * 13) % SERVERS], "runs_on"));
        edges.push((*app, servers[(i * 13 + 1) % SERVERS], "runs_on"));
        edges.push((*app, databases[(i / 9) % DATABASES], "depends_on"));
        let in_system = i % SYSTEM;
        if in_system > 0 {
            edges.push((*app, applications[i - 1], "depends_on"));
        }
        if in_system > 1 && i % 2 == 0 {
            edges.push((
                *app,
                applications[i - 1 - (i / 2) % in_system.min(2)],
                "connects_to",
            ));
        }
    }
    // Top up to 200,000 with a second database for the first applications.
    let mut i = 0;
    while edges.len() < 200_000 && i < APPLICATIONS {
        edges.push((
            applications[i],
            databases[(i / 9 + 1) % DATABASES],
            "depends_on",
        ));
        i += 1;
    }
    edges.sort();
    edges.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1 && a.2 == b.2);
    let edge_count = edges.len();
    let edge_rows: Vec<ci_relationship::ActiveModel> = edges
        .into_iter()
        .map(|(source, target, kind)| ci_relationship::ActiveModel {
            source_id: Set(source),
            target_id: Set(target),
            kind: Set(kind.into()),
            created_by: Set(owner),
            created_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in edge_rows.chunks(1000) {
        ci_relationship::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    let links: Vec<ci_service::ActiveModel> = applications
        .iter()
        .enumerate()
        .map(|(i, app)| ci_service::ActiveModel {
            ci_id: Set(*app),
            service_id: Set(services[(i / SYSTEM) % services.len()]),
            ..Default::default()
        })
        .collect();
    for chunk in links.chunks(1000) {
        ci_service::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    txn_analyse(db).await?;
    Ok(Layout {
        items,
        edges: edge_count,
        core,
        access,
        servers,
        databases,
        applications,
    })
}

/// Fresh statistics for the planner, as a running installation has.
async fn txn_analyse(db: &app::server::db::Db) -> anyhow::Result<()> {
    db.writer().execute_unprepared("ANALYZE").await?;
    Ok(())
}

/// The baseline: one recursive query for the ids of everything that relies on `id`.
async fn bare_walk(db: &app::server::db::Db, id: i64) -> anyhow::Result<u64> {
    let backend = db.reader().get_database_backend();
    let row = db
        .reader()
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            "WITH RECURSIVE up(id) AS (SELECT $1 UNION SELECT r.source_id FROM ci_relationships r JOIN up ON r.target_id = up.id) SELECT COUNT(*) - 1 AS reached FROM up",
            [id.into()],
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no answer"))?;
    Ok(row.try_get::<i64>("", "reached")? as u64)
}

async fn median_ms<F, Fut>(run: F) -> anyhow::Result<f64>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    run().await?; // warm the cache
    let mut times = Vec::with_capacity(3);
    for _ in 0..3 {
        let t0 = Instant::now();
        run().await?;
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(median(&mut times))
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
