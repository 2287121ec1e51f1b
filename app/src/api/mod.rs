//! Server functions, one file per domain. Each is thin: check permission, validate,
//! call the service in `crate::server`, map errors. POST only.

pub mod dashboard;
pub mod service;

#[cfg(feature = "ssr")]
pub(crate) mod context {
    use crate::error::AppError;
    use crate::server::db::Db;
    use crate::server::state::AppState;
    use leptos::prelude::use_context;

    /// The database handle the server put into the request's context.
    pub fn db() -> Result<Db, AppError> {
        use_context::<AppState>()
            .map(|state| state.db)
            .ok_or_else(|| crate::server::failure::internal("AppState missing from context"))
    }
}
