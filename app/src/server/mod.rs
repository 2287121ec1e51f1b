//! Server-only code: database access, business services, and the glue that turns
//! their failures into `AppError`s. Nothing here is compiled into the browser.

pub mod announce;
pub mod audit;
pub mod auth;
pub mod client_address;
pub mod contributors;
pub mod db;
pub mod entity;
pub mod events;
pub mod evidence_jobs;
pub mod failure;
pub mod intake_limits;
pub mod live_connections;
pub mod markdown;
pub mod password;
pub mod refusals;
pub mod render;
pub mod safeguards;
pub mod search;
pub mod service;
pub mod session;
pub mod state;
pub mod versioned;
