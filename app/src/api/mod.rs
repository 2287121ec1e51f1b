//! Server functions, one file per domain. Each is thin: check permission first, validate,
//! call the service in `crate::server`, map errors. POST only.

// A server function's arguments are the fields its form posts by name (the page works before
// the WebAssembly arrives), so a form with ten fields is a function with ten arguments. The
// allowance must sit here: `#[server]` drops attributes from the browser's half of the function.
#![allow(clippy::too_many_arguments)]

pub mod audit;
pub mod audits;
pub mod auth;
pub mod awareness;
pub mod cab;
pub mod changes;
pub mod cmdb;
pub mod competences;
pub mod compliance;
pub mod continuity;
pub mod dashboard;
pub mod documents;
pub mod evidence;
pub mod gap;
pub mod improvements;
pub mod incidents;
pub mod intake;
pub mod nonconformities;
pub mod objectives;
pub mod problems;
pub mod requests;
pub mod reviews;
pub mod risks;
pub mod saved_filters;
pub mod schedule;
pub mod service;
pub mod service_levels;
pub mod sms_profile;
pub mod suppliers;
pub mod templates;
pub mod users;

/// Server functions that answer without a signed-in user, on purpose.
/// A test proves every other registered server function refuses anonymous callers.
pub const PUBLIC_SERVER_FNS: &[&str] = &[
    "/api/auth/sign_in",
    "/api/auth/current_user",
    "/api/auth/sign_out",
];

#[cfg(feature = "ssr")]
pub(crate) mod guard {
    use crate::error::AppError;
    use crate::model::access::Permission;
    use crate::model::user::CurrentUser;
    use crate::server::audit::Actor;
    use crate::server::auth::RequestAuth;
    use crate::server::db::Db;
    use crate::server::failure::internal;
    use crate::server::service::identity::ClientInfo;
    use crate::server::state::AppState;
    use leptos::prelude::use_context;

    /// A signed-in caller who passed the permission check.
    pub struct Caller {
        pub user: CurrentUser,
        pub client: ClientInfo,
        pub db: Db,
    }

    impl Caller {
        pub fn actor(&self) -> Actor {
            Actor::user(self.user.id, self.user.name.clone(), self.client.ip.clone())
        }

        /// Passes `result` on; a refusal by a rule of the record (`AppError::Refused`) is
        /// first counted in the audit trail like a permission refusal
        /// (`refusals::refused_by_rule`), on the record of `record_type` and `record_id`.
        pub async fn counted<T>(
            &self,
            record_type: crate::model::access::RecordType,
            record_id: Option<i64>,
            result: Result<T, AppError>,
        ) -> Result<T, AppError> {
            match (&result, state()) {
                (Err(AppError::Refused(_)), Ok(state)) => {
                    crate::server::refusals::refused_by_rule(
                        &state,
                        &self.actor(),
                        record_type,
                        record_id,
                        result,
                    )
                    .await
                }
                _ => result,
            }
        }

        /// `counted`, for writes given a part of the record (a document's or plan's
        /// version): `record_id` finds the record, and is asked only after a refusal.
        pub async fn counted_on<T>(
            &self,
            record_type: crate::model::access::RecordType,
            record_id: impl std::future::Future<Output = Option<i64>>,
            result: Result<T, AppError>,
        ) -> Result<T, AppError> {
            let record_id = match &result {
                Err(AppError::Refused(_)) => record_id.await,
                _ => None,
            };
            self.counted(record_type, record_id, result).await
        }
    }

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| internal("AppState missing from context"))
    }

    /// What the session middleware attached to this request.
    pub fn request_auth() -> RequestAuth {
        use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<RequestAuth>().cloned())
            .unwrap_or_default()
    }

    /// Tells every open board that a change moved (after the write committed), with the
    /// cards that changed so that boards update in place.
    pub async fn announce_change(change: &crate::model::change_request::Change) {
        announce_edited_change(change, None).await
    }

    /// As `announce_change`, for an edit that may have moved the change's window from
    /// `before`: the neighbours it left come with the event too.
    pub async fn announce_edited_change(
        change: &crate::model::change_request::Change,
        before: Option<crate::model::schedule::Window>,
    ) {
        if let Ok(state) = state() {
            crate::server::announce::change(&state, change, before).await;
        }
    }

    /// Tells everyone in a meeting that it moved on (after the write committed), with the
    /// meeting as it now stands.
    pub async fn announce_meeting(meeting_id: i64) {
        if let Ok(state) = state() {
            crate::server::announce::meeting(&state, meeting_id).await;
        }
    }

    /// Tells open queues and records that an incident moved (after the write committed).
    pub fn announce_incident(id: i64, version: i32) {
        if let Ok(state) = state() {
            state
                .events
                .publish(&crate::model::live::LiveEvent::IncidentUpdated { id, version });
        }
    }

    /// Tells open request queues and records that a request moved (after the write committed).
    pub fn announce_request(id: i64, version: i32) {
        if let Ok(state) = state() {
            state
                .events
                .publish(&crate::model::live::LiveEvent::RequestUpdated { id, version });
        }
    }

    /// Tells every open board and calendar that a window moved, with the cards of the
    /// changes whose conflict count moved with it.
    pub async fn announce_schedule(window_id: i64, recounted: &[i64]) {
        if let Ok(state) = state() {
            crate::server::announce::schedule(&state, window_id, recounted).await;
        }
    }

    /// Tells every process that a user's sessions ended (after the write committed): their
    /// live streams close and their meeting presence ends at once.
    pub fn announce_sessions_ended(user_id: i64) {
        if let Ok(state) = state() {
            state.events.sessions_ended(user_id);
        }
    }

    /// Sets the HTTP status of the response to match a refusal (401 or 403).
    fn refuse(error: AppError) -> AppError {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = axum::http::StatusCode::from_u16(error.status_code()) {
                response.set_status(status);
            }
        }
        error
    }

    /// The signed-in caller, whatever their roles (for their own account).
    pub fn signed_in() -> Result<Caller, AppError> {
        let auth = request_auth();
        let user = auth.user.ok_or_else(|| refuse(AppError::Unauthenticated))?;
        Ok(Caller {
            user,
            client: auth.client,
            db: state()?.db,
        })
    }

    /// The signed-in caller, if a role of theirs grants `permission`. Refusals are counted
    /// in the audit trail by `refusals::admit`, the door the plain HTTP handlers use too.
    pub async fn require(permission: Permission) -> Result<Caller, AppError> {
        let state = state()?;
        let auth = request_auth();
        let user = crate::server::refusals::admit(&state, &auth, permission)
            .await
            .map_err(refuse)?;
        Ok(Caller {
            user,
            client: auth.client,
            db: state.db,
        })
    }
}
