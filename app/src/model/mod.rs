//! Shared typed models: compiled for the browser and the server, validated in both.

pub mod dashboard;
pub mod listing;
pub mod service;
pub mod text;
