//! Request bodies: at most `BODY_LIMIT` bytes, refused with 413 and a clear message whatever
//! the size — before the body is read when its length is declared, while reading it when
//! it is sent in chunks. A moderately oversized body is read and thrown away first (up to
//! `DRAIN_LIMIT`), so that the client reads the 413 instead of a reset connection.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;
use tokio_stream::StreamExt;

/// The largest request body accepted (forms, server-function calls, CSV imports of up to
/// 1 MB of text).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Oversized bodies up to this size are drained before answering (beyond it the connection
/// is closed after the 413).
pub const DRAIN_LIMIT: u64 = 64 * 1024 * 1024;

const DRAIN_TIME: Duration = Duration::from_secs(10);

pub fn message() -> String {
    format!(
        "The request is too large: Conform accepts at most {} MiB in one request.",
        BODY_LIMIT / (1024 * 1024)
    )
}

/// 413 with the message: as an `AppError` for server functions, as text otherwise.
pub fn too_large_response(path: &str) -> Response {
    let mut response = if path.starts_with("/api/") {
        let body = serde_json::to_string(&AppError::BadRequest(message())).unwrap_or_default();
        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
    } else {
        message().into_response()
    };
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

async fn drain(body: Body) {
    let mut stream = body.into_data_stream();
    let mut read = 0u64;
    let _ = tokio::time::timeout(DRAIN_TIME, async {
        while let Some(Ok(chunk)) = stream.next().await {
            read += chunk.len() as u64;
            if read > DRAIN_LIMIT {
                break;
            }
        }
    })
    .await;
}

pub async fn limit_body(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(length) = declared {
        if length > BODY_LIMIT as u64 {
            if length <= DRAIN_LIMIT {
                drain(request.into_body()).await;
            }
            return too_large_response(&path);
        }
        return next.run(request).await;
    }
    if !request.headers().contains_key(header::TRANSFER_ENCODING) {
        return next.run(request).await;
    }
    // Chunked: read it here, at most the limit (the handler would read it whole anyway).
    let (parts, body) = request.into_parts();
    let mut stream = body.into_data_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return (
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            )
                .into_response();
        };
        if bytes.len() + chunk.len() > BODY_LIMIT {
            return too_large_response(&path);
        }
        bytes.extend_from_slice(&chunk);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
