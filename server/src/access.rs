//! The door of the plain HTTP handlers (exports, printable pages, evidence-pack download,
//! live events): the same check, the same refusal (status and words) and the same count in
//! the audit trail as server functions — `app::server::refusals::admit` does all three.

use app::error::AppError;
use app::model::access::Permission;
use app::model::user::CurrentUser;
use app::server::auth::RequestAuth;
use app::server::state::AppState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The signed-in user, when a role of theirs grants `permission`; else the refusal response.
pub async fn require(
    state: &AppState,
    auth: &RequestAuth,
    permission: Permission,
) -> Result<CurrentUser, Response> {
    app::server::refusals::admit(state, auth, permission)
        .await
        .map_err(error_response)
}

/// An `AppError` as a plain-text response with its status (401, 403, 404 …).
pub fn error_response(error: AppError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}
