//! `POST /intake/alertmanager`: Prometheus Alertmanager's webhook receiver. The sender
//! presents its source's token as `Authorization: Bearer …` (Alertmanager's
//! `http_config.authorization`); the answer says what the delivery did, as JSON. A 5xx makes
//! Alertmanager retry, and a retried delivery opens nothing twice. A source delivering faster
//! than its quota (`--intake-deliveries-per-minute`) is answered 429 with `Retry-After`.

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
    let limits = &state.safeguards.intake;
    let received = alert_intake::receive_admitted(&state.db, token, &body, Utc::now(), |source| {
        limits.admit(source)
    })
    .await;
    match received {
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
        Err(AppError::RateLimited {
            retry_after_seconds,
        }) => {
            tracing::warn!(retry_after_seconds, "alert source over its delivery rate");
            (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after_seconds.to_string())],
                Json(json!({
                    "error": format!(
                        "This source sent more than {} deliveries in a minute; retry after {retry_after_seconds} s.",
                        limits.deliveries_per_minute()
                    )
                })),
            )
                .into_response()
        }
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
