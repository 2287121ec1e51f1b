//! `POST /intake/alertmanager`: Prometheus Alertmanager's webhook receiver. The sender
//! presents its source's token as `Authorization: Bearer …` (Alertmanager's
//! `http_config.authorization`); the answer says what the delivery did, as JSON. A 5xx makes
//! Alertmanager retry, and a retried delivery opens nothing twice.

use app::error::AppError;
use app::model::live::LiveEvent;
use app::server::service::alert_intake;
use app::server::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::json;

pub async fn alertmanager(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        // The scheme is case-insensitive (RFC 9110 §11.1).
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .unwrap_or_default();
    match alert_intake::receive(&state.db, token, &body, Utc::now()).await {
        Ok(delivery) => {
            for (id, version) in &delivery.touched {
                state.events.publish(&LiveEvent::IncidentUpdated {
                    id: *id,
                    version: *version,
                });
            }
            tracing::info!(
                opened = delivery.outcome.opened.len(),
                unchanged = delivery.outcome.unchanged,
                noted = delivery.outcome.noted,
                ignored = delivery.outcome.ignored,
                "alert delivery taken"
            );
            Json(delivery.outcome).into_response()
        }
        Err(AppError::Unauthenticated) => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"conform-intake\"")],
            Json(json!({
                "error": "Present the source's token as “Authorization: Bearer …”; this one is unknown or revoked."
            })),
        )
            .into_response(),
        Err(error) => {
            let status = StatusCode::from_u16(error.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            if status.is_server_error() {
                tracing::warn!(%error, "alert delivery failed; the sender will retry");
            }
            (status, Json(json!({ "error": error.to_string() }))).into_response()
        }
    }
}
