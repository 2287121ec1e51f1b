//! What every request handler and server function can reach.

use super::auth::AuthSettings;
use super::db::Db;
use super::events::Events;
use super::evidence_jobs::EvidencePacks;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub auth: AuthSettings,
    pub events: Events,
    pub evidence_packs: EvidencePacks,
}
