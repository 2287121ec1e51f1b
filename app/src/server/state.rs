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
    /// Where people reach Conform (`CONFORM_PUBLIC_URL`, no trailing slash), when configured:
    /// the base of links that leave the browser, such as calendar feeds.
    pub public_url: Option<String>,
    /// The organisation's control settings (minimum waiting periods and the like).
    pub controls: crate::model::controls::Controls,
    /// Trusted proxies, refusal tallies, live-connection limits (abuse resistance).
    pub safeguards: super::safeguards::Safeguards,
}

impl AppState {
    /// Served over HTTPS (`CONFORM_PUBLIC_URL` is `https://…`): browsers get HSTS.
    pub fn served_over_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }
}
