//! `GET /healthz`: is the process up and can it reach its database?

use app::server::db::Db;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Serialize)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
    pub version: &'static str,
}

pub async fn healthz(State(db): State<Db>) -> (StatusCode, Json<Health>) {
    let reachable = matches!(
        tokio::time::timeout(Duration::from_secs(3), db.ping()).await,
        Ok(Ok(()))
    );
    let health = Health {
        status: if reachable { "ok" } else { "degraded" },
        database: if reachable { "ok" } else { "failing" },
        version: env!("CARGO_PKG_VERSION"),
    };
    let code = if reachable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(health))
}
