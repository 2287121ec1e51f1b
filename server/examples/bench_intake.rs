//! Monitoring intake under an alert storm (run by `scripts/bench.sh`).
//!
//! `bench_intake <database-url>` migrates a fresh database, loads the demo data, adds an
//! Alertmanager source, serves Conform's router on a local port in this process and posts,
//! over HTTP as Alertmanager does (bearer token, JSON, four deliveries in flight):
//! - 1,000 new alerts in 100 deliveries of 10: each opens an incident;
//! - the same 100 deliveries again: each alert is already open, nothing is added;
//! - against the baseline of 100 `GET /healthz` on the same server (the HTTP floor).
//!
//! It then counts the incidents and links the alerts made: "no loss" means exactly 1,000 of
//! each, and every delivery answered 200.

use app::model::alert_intake::{IntakeOutcome, SourceForm};
use app::server::entity::{alert_link, incident, user};
use app::server::service::{alert_intake, catalogue};
use chrono::Utc;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sea_orm::{EntityTrait, PaginatorTrait};
use std::sync::Arc;
use std::time::Instant;

const ALERTS: usize = 1000;
const PER_DELIVERY: usize = 10;
const IN_FLIGHT: usize = 4;

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Some(url) = std::env::args().nth(1) else {
        anyhow::bail!("usage: bench_intake <database-url>");
    };
    let db = conform::database::open(&conform::config::DatabaseArgs {
        database_url: url.clone(),
    })
    .await?;
    conform::database::migrate(&db).await?;
    conform::demo::seed(&db).await?;
    let before = incident::Entity::find().count(db.reader()).await?;
    let links_before = alert_link::Entity::find().count(db.reader()).await?;
    let owner = user::Entity::find()
        .one(db.reader())
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo has people"))?;
    let me = app::server::session::current_user(&owner);
    let service = catalogue::active_refs(db.reader()).await?[0].id;
    let form = SourceForm {
        name: "Benchmark Prometheus".into(),
        reporter_id: me.id.to_string(),
        service_id: service.to_string(),
        impact: "medium".into(),
        urgency: "high".into(),
        rules: Vec::new(),
    };
    let actor = app::server::audit::Actor::system("bench");
    let token = alert_intake::create(&db, &me, &actor, &form, Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .token;

    let state = app::server::state::AppState {
        leptos_options: leptos::config::LeptosOptions::builder()
            .output_name("conform")
            .site_root("target/site")
            .build(),
        db: db.clone(),
        auth: Default::default(),
        events: app::server::events::Events::local(),
        evidence_packs: conform::evidence_pack::registry(),
        public_url: None,
        controls: Default::default(),
        safeguards: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = conform::routes::router(state)
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let deliveries: Vec<Bytes> = (0..ALERTS / PER_DELIVERY)
        .map(|d| Bytes::from(delivery(d)))
        .collect();

    println!(
        "## Monitoring intake: {ALERTS} alerts in {} deliveries of {PER_DELIVERY}, {IN_FLIGHT} in flight (SQLite)",
        deliveries.len()
    );
    let (baseline, _) = run(&client, &base, &token, None, deliveries.len()).await?;
    println!(
        "{:<44} {:>8.0} ms",
        format!("baseline: {} GET /healthz", deliveries.len()),
        baseline
    );
    let (opening, first) = run(&client, &base, &token, Some(&deliveries), deliveries.len()).await?;
    println!(
        "{:<44} {:>8.0} ms  ×{:.1}  ({:.0} alerts/min)",
        "new alerts (each opens an incident)",
        opening,
        opening / baseline.max(0.001),
        ALERTS as f64 / (opening / 60_000.0)
    );
    let (repeating, second) =
        run(&client, &base, &token, Some(&deliveries), deliveries.len()).await?;
    println!(
        "{:<44} {:>8.0} ms  ×{:.1}  ({:.0} alerts/min)",
        "the same alerts again (deduplicated)",
        repeating,
        repeating / baseline.max(0.001),
        ALERTS as f64 / (repeating / 60_000.0)
    );
    let opened = incident::Entity::find().count(db.reader()).await? - before;
    let links = alert_link::Entity::find().count(db.reader()).await? - links_before;
    println!(
        "answers: {} opened, then {} unchanged; stored: {opened} incidents, {links} alert links",
        first.opened.len(),
        second.unchanged
    );
    anyhow::ensure!(
        opened as usize == ALERTS && links as usize == ALERTS && second.unchanged == ALERTS,
        "alerts were lost or doubled"
    );
    println!("no loss: every alert opened exactly one incident");
    Ok(())
}

/// One delivery of `PER_DELIVERY` firing alerts, numbered from `n`'s block.
fn delivery(n: usize) -> String {
    let alerts: Vec<serde_json::Value> = (0..PER_DELIVERY)
        .map(|i| {
            let k = n * PER_DELIVERY + i;
            serde_json::json!({
                "status": "firing",
                "labels": {"alertname": "HostDown", "instance": format!("host-{k}:9100"), "severity": "critical"},
                "annotations": {"summary": format!("host-{k} is down")},
                "startsAt": "2026-12-06T08:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus:9090/graph",
                "fingerprint": format!("{k:016x}")
            })
        })
        .collect();
    serde_json::json!({"version": "4", "status": "firing", "receiver": "conform", "alerts": alerts})
        .to_string()
}

/// Sends `count` requests, `IN_FLIGHT` at a time: the deliveries when given, else health
/// checks. Answers the milliseconds taken and the deliveries' summed outcome.
async fn run(
    client: &HttpClient,
    base: &str,
    token: &str,
    deliveries: Option<&[Bytes]>,
    count: usize,
) -> anyhow::Result<(f64, IntakeOutcome)> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..IN_FLIGHT {
        let (client, base, token, next) = (
            client.clone(),
            base.to_string(),
            token.to_string(),
            next.clone(),
        );
        let deliveries: Option<Vec<Bytes>> = deliveries.map(<[Bytes]>::to_vec);
        workers.push(tokio::spawn(async move {
            let mut total = IntakeOutcome::default();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if n >= count {
                    return anyhow::Ok(total);
                }
                let request = match &deliveries {
                    Some(bodies) => hyper::Request::post(format!("{base}/intake/alertmanager"))
                        .header("authorization", format!("Bearer {token}"))
                        .header("content-type", "application/json")
                        .body(Full::new(bodies[n].clone()))?,
                    None => hyper::Request::get(format!("{base}/healthz"))
                        .body(Full::new(Bytes::new()))?,
                };
                let response = client.request(request).await?;
                let status = response.status();
                let body = response.into_body().collect().await?.to_bytes();
                anyhow::ensure!(status.is_success(), "answered {status}: {body:?}");
                if deliveries.is_some() {
                    let outcome: IntakeOutcome = serde_json::from_slice(&body)?;
                    total.opened.extend(outcome.opened);
                    total.unchanged += outcome.unchanged;
                }
            }
        }));
    }
    let mut sum = IntakeOutcome::default();
    for worker in workers {
        let part = worker.await??;
        sum.opened.extend(part.opened);
        sum.unchanged += part.unchanged;
    }
    Ok((started.elapsed().as_secs_f64() * 1000.0, sum))
}
