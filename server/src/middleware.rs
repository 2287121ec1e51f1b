//! Request middleware: who is calling (session), may they see this page, did the request
//! come from Conform itself (cross-site protection), and the security headers on every response.

use app::server::auth::RequestAuth;
use app::server::service::identity::ClientInfo;
use app::server::session;
use app::server::state::AppState;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;

/// Paths anyone may fetch without signing in.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path.starts_with("/pkg/")
        || path.starts_with("/favicon")
        // Server functions check permissions themselves and answer 401 as data, not a redirect.
        || path.starts_with("/api/")
        // The live stream answers 401 itself (an EventSource cannot follow a sign-in redirect).
        || path == "/events"
        // Calendar apps cannot sign in: the secret in the feed URL is checked by the handler.
        || path.starts_with("/calendar/feed/")
}

/// Resolves the session cookie to a user and attaches a `RequestAuth` to the request.
/// Pages ask for sign-in when there is no user; an anonymous call of a server function that
/// is not public is refused (401) here, before its body is read.
/// The client's address is the socket's peer, or from `X-Forwarded-For` when that peer is a
/// trusted proxy (`CONFORM_TRUSTED_PROXIES`, see `app::server::client_address`).
pub async fn session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let forwarded_for = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok());
    let client = ClientInfo {
        ip: state
            .safeguards
            .proxies
            .client_ip(peer, forwarded_for)
            .map(|ip| ip.to_string()),
        user_agent: request
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    };
    let token = request
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|cookies| state.auth.token_from_cookie_header(cookies));
    let mut auth = RequestAuth {
        user: None,
        token: None,
        client,
    };
    if let Some(token) = token {
        match session::resolve(
            state.db.reader(),
            state.db.writer(),
            &token,
            state.auth.session,
            chrono::Utc::now(),
        )
        .await
        {
            Ok(Some(user)) => {
                auth.user = Some(user);
                auth.token = Some(token);
            }
            Ok(None) => {}
            Err(err) => {
                tracing::error!(?err, "session lookup failed");
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The database is not reachable.",
                )
                    .into_response();
            }
        }
    }
    let path = request.uri().path().to_string();
    if auth.user.is_none()
        && request.method() == Method::POST
        && path.starts_with("/api/")
        && !app::api::PUBLIC_SERVER_FNS.contains(&path.as_str())
    {
        app::server::refusals::refuse_anonymous(&state, &auth).await;
        let body =
            serde_json::to_string(&app::error::AppError::Unauthenticated).unwrap_or_default();
        return (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
    }
    if auth.user.is_none() && !is_public(&path) && request.method() == Method::GET {
        let target = request
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or("/");
        let next = app::model::service::encode_component(target);
        return Redirect::to(&format!("/login?next={next}")).into_response();
    }
    if auth.user.is_some() && path == "/login" {
        return Redirect::to("/").into_response();
    }
    request.extensions_mut().insert(auth);
    next.run(request).await
}

/// Refuses state-changing requests that did not come from Conform's own pages.
pub async fn same_origin_writes(request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let same_origin = match (fetch_site, origin) {
        (Some("same-origin"), _) => true,
        (Some(_), _) => false,
        (None, Some(origin)) => {
            let origin_host = origin.split("://").nth(1);
            origin_host.is_some() && origin_host == host
        }
        (None, None) => false,
    };
    if same_origin {
        next.run(request).await
    } else {
        (
            StatusCode::FORBIDDEN,
            "Cross-site request refused: state changes must come from Conform's own pages.",
        )
            .into_response()
    }
}

pub async fn security_headers(mut request: Request, next: Next) -> Response {
    let nonce = session::new_token();
    let asset_path = request
        .uri()
        .path()
        .starts_with("/pkg/")
        .then(|| request.uri().path().to_string());
    request
        .extensions_mut()
        .insert(app::CspNonce(nonce.clone()));
    let mut response: Response<Body> = next.run(request).await;
    let headers = response.headers_mut();
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if let Some(path) = asset_path {
        crate::client_files::cache_control(&path, &mut response);
    } else if is_html || !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Served over HTTPS (`CONFORM_PUBLIC_URL=https://…`): browsers use nothing else for a year,
/// sub-domains included. Never sent over plain HTTP configurations.
pub async fn strict_transport_security(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    if state.served_over_https() {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// Server functions answer every error with 500; give typed errors their real status
/// (400 validation, 404, 409 conflict, 429 …) so HTTP clients and logs see what happened.
pub async fn server_fn_error_status(request: Request, next: Next) -> Response {
    let is_server_fn = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    if !is_server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(error.status_code()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::is_public;

    #[test]
    fn only_sign_in_health_and_assets_are_public_pages() {
        for path in ["/login", "/healthz", "/pkg/conform.wasm", "/favicon.svg"] {
            assert!(is_public(path), "{path}");
        }
        for path in ["/", "/services", "/audit", "/admin/users", "/loginx"] {
            assert!(!is_public(path), "{path}");
        }
    }
}
