//! Server answers against the raw ceiling (run by `scripts/bench.sh`).
//!
//! - `bench_lists seed <database-url> [changes]`: the demo data plus generated changes up to
//!   10,000 (1,000 open and on the board, the rest closed long ago).
//! - `bench_lists ceiling <database-url> <addr>`: a plain axum + sqlx program answering the
//!   same pages straight from SQLite: `/list?state=…` (the filtered first page of 25 with its
//!   total, owner and service names) and `/board` (every open change with the same).
//! - `bench_lists load <url> [--post <body>] [--sign-in <email>] [--connections 32]
//!   [--seconds 10]`: keeps that many connections busy for that long and prints requests/s,
//!   p50 and p95 as JSON. Signs in through Conform's own sign-in first when asked.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use clap::{Parser, Subcommand};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use sea_orm::sqlx::{self, sqlite::SqlitePoolOptions, Row, SqlitePool};
use serde::Deserialize;
use std::time::{Duration, Instant};

#[path = "common/changes.rs"]
mod bench_changes;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Seed {
        database_url: String,
        #[arg(default_value_t = 10_000)]
        changes: usize,
    },
    Ceiling {
        database_url: String,
        addr: std::net::SocketAddr,
    },
    Load {
        url: String,
        /// Send a form-encoded POST with this body (a server function) instead of a GET.
        #[arg(long)]
        post: Option<String>,
        /// Sign in as this demo user first (password `conform-demo`).
        #[arg(long)]
        sign_in: Option<String>,
        #[arg(long, default_value_t = 32)]
        connections: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Seed {
            database_url,
            changes,
        } => bench_changes::seed_database(&database_url, changes, 1_000).await,
        Command::Ceiling { database_url, addr } => ceiling(&database_url, addr).await,
        Command::Load {
            url,
            post,
            sign_in,
            connections,
            seconds,
        } => load(&url, post, sign_in, connections, seconds).await,
    }
}

// ---------------------------------------------------------------------------------------------
// The ceiling: what answering the same page costs with nothing but axum, sqlx and SQL.

#[derive(Deserialize)]
struct ListQuery {
    state: String,
}

#[derive(serde::Serialize)]
struct Row25 {
    id: i64,
    title: String,
    state: String,
    change_type: String,
    risk_level: Option<String>,
    planned_start: Option<String>,
    planned_end: Option<String>,
    version: i32,
    owner: String,
    services: Option<String>,
}

const ROW_SQL: &str = "SELECT c.id, c.title, c.state, c.change_type, c.risk_level, \
    c.planned_start, c.planned_end, c.version, u.name AS owner, \
    (SELECT group_concat(s.name, ', ') FROM change_services cs JOIN services s ON s.id = cs.service_id \
     WHERE cs.change_id = c.id) AS services \
    FROM changes c JOIN users u ON u.id = c.owner_id";

fn rows(found: Vec<sqlx::sqlite::SqliteRow>) -> Vec<Row25> {
    found
        .iter()
        .map(|r| Row25 {
            id: r.get("id"),
            title: r.get("title"),
            state: r.get("state"),
            change_type: r.get("change_type"),
            risk_level: r.get("risk_level"),
            planned_start: r.get("planned_start"),
            planned_end: r.get("planned_end"),
            version: r.get("version"),
            owner: r.get("owner"),
            services: r.get("services"),
        })
        .collect()
}

async fn ceiling_list(
    State(pool): State<SqlitePool>,
    Query(query): Query<ListQuery>,
) -> Result<Json<serde_json::Value>, String> {
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM changes WHERE state = ?")
        .bind(&query.state)
        .fetch_one(&pool)
        .await
        .map_err(|e| e.to_string())?;
    // Fixed text around a constant: nothing from the request is spliced in.
    let found = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{ROW_SQL} WHERE c.state = ? ORDER BY c.id DESC LIMIT 25 OFFSET 0"
    )))
    .bind(&query.state)
    .fetch_all(&pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok(Json(
        serde_json::json!({ "items": rows(found), "page": 1, "page_size": 25, "total": total }),
    ))
}

async fn ceiling_board(State(pool): State<SqlitePool>) -> Result<Json<Vec<Row25>>, String> {
    let found = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{ROW_SQL} WHERE c.state NOT IN ('closed', 'cancelled', 'rejected') \
         ORDER BY c.planned_start, c.id LIMIT 2000"
    )))
    .fetch_all(&pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok(Json(rows(found)))
}

async fn ceiling(url: &str, addr: std::net::SocketAddr) -> anyhow::Result<()> {
    // Same pool size and journal mode as Conform's readers.
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect(&format!("{url}?mode=ro"))
        .await?;
    let app = Router::new()
        .route("/list", get(ceiling_list))
        .route("/board", get(ceiling_board))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The load: N connections, each sending its next request as soon as the last one answered.

type HttpClient = Client<hyper_util::client::legacy::connect::HttpConnector, Full<Bytes>>;

fn request(
    url: &str,
    post: Option<&str>,
    cookie: Option<&str>,
) -> anyhow::Result<hyper::Request<Full<Bytes>>> {
    let uri: hyper::Uri = url.parse()?;
    let origin = format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("http"),
        uri.authority().map(|a| a.as_str()).unwrap_or_default()
    );
    // A server function answers a browser's fetch (JSON) with JSON, a plain form post
    // (accepting HTML) with a redirect; pages are asked for as a browser asks for them.
    let accept = if post.is_some() {
        "application/json"
    } else {
        "text/html"
    };
    let mut builder = hyper::Request::builder()
        .uri(uri)
        .header("Accept", accept)
        .header("Origin", origin);
    if let Some(cookie) = cookie {
        builder = builder.header("Cookie", cookie);
    }
    Ok(match post {
        Some(body) => builder
            .method("POST")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(body.to_string())))?,
        None => builder.method("GET").body(Full::new(Bytes::new()))?,
    })
}

/// Signs in through Conform's sign-in server function; returns the session cookie.
async fn sign_in(client: &HttpClient, url: &str, email: &str) -> anyhow::Result<String> {
    let uri: hyper::Uri = url.parse()?;
    let base = format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("http"),
        uri.authority().map(|a| a.as_str()).unwrap_or_default()
    );
    let body = format!("form[email]={email}&form[password]=conform-demo&form[next]=/");
    let response = client
        .request(request(
            &format!("{base}/api/auth/sign_in"),
            Some(&body),
            None,
        )?)
        .await?;
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|v| !v.ends_with('='))
        .map(str::to_string);
    cookie.ok_or_else(|| anyhow::anyhow!("signing in as {email}: {}", response.status()))
}

async fn load(
    url: &str,
    post: Option<String>,
    sign_in_as: Option<String>,
    connections: usize,
    seconds: u64,
) -> anyhow::Result<()> {
    let client: HttpClient = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(connections)
        .build_http();
    let cookie = match &sign_in_as {
        Some(email) => Some(sign_in(&client, url, email).await?),
        None => None,
    };
    // One request first: a failing page stops the benchmark instead of measuring errors.
    let first = client
        .request(request(url, post.as_deref(), cookie.as_deref())?)
        .await?;
    let status = first.status();
    let bytes = first.into_body().collect().await?.to_bytes().len();
    anyhow::ensure!(status.is_success(), "{url}: {status}");

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (client, url, post, cookie) = (
            client.clone(),
            url.to_string(),
            post.clone(),
            cookie.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let started = Instant::now();
                let answer = async {
                    let response = client
                        .request(request(&url, post.as_deref(), cookie.as_deref())?)
                        .await?;
                    let ok = response.status().is_success();
                    response.into_body().collect().await?;
                    anyhow::Ok(ok)
                };
                match answer.await {
                    Ok(true) => times.push(started.elapsed().as_secs_f64() * 1000.0),
                    _ => errors += 1,
                }
            }
            (times, errors)
        }));
    }
    let mut times = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (t, e) = task.await?;
        times.extend(t);
        errors += e;
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| {
        times
            .get(((times.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "{{\"requests_per_s\":{:.0},\"p50_ms\":{:.1},\"p95_ms\":{:.1},\"errors\":{errors},\"bytes\":{bytes},\"connections\":{connections},\"seconds\":{seconds}}}",
        times.len() as f64 / seconds as f64,
        at(0.5),
        at(0.95)
    );
    Ok(())
}
