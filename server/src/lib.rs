//! The Conform server: configuration, database start-up, HTTP routes and the CLI.

pub mod access;
pub mod admin;
pub mod backup;
pub mod body_limit;
pub mod cli;
pub mod client_files;
pub mod config;
pub mod database;
pub mod demo;
pub mod evidence_pack;
pub mod exports;
pub mod feeds;
pub mod health;
pub mod instance_lock;
pub mod intake;
pub mod live;
pub mod memory;
pub mod middleware;
pub mod routes;
pub mod telemetry;
