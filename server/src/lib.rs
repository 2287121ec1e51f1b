//! The Conform server: configuration, database start-up, HTTP routes and the CLI.

pub mod admin;
pub mod cli;
pub mod config;
pub mod database;
pub mod demo;
pub mod demo_cab;
pub mod demo_changes;
pub mod demo_continuity;
pub mod demo_nonconformities;
pub mod demo_register;
pub mod export;
pub mod feeds;
pub mod health;
pub mod live;
pub mod middleware;
pub mod minutes;
pub mod plan_export;
pub mod printable;
pub mod register_export;
pub mod routes;
pub mod telemetry;
