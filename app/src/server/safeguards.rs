//! What protects the server from abuse, shared by every request: who counts as a proxy,
//! the refusal tallies, the live connections and the monitoring intake's rate (see each
//! module).

use super::client_address::TrustedProxies;
use super::intake_limits::IntakeLimits;
use super::live_connections::LiveConnections;
use super::refusals::Refusals;

#[derive(Debug, Clone, Default)]
pub struct Safeguards {
    pub proxies: TrustedProxies,
    pub refusals: Refusals,
    pub live: LiveConnections,
    pub intake: IntakeLimits,
}
