//! Shared typed models: compiled for the browser and the server, validated in both.

pub mod access;
pub mod audit;
pub mod bia;
pub mod cab;
pub mod calendar;
pub mod change;
pub mod change_request;
pub mod clauses;
pub mod continuity_plan;
pub mod dashboard;
pub mod improvement;
pub mod listing;
pub mod live;
pub mod meeting;
pub mod nonconformity;
pub mod plan_overview;
pub mod recovery;
pub mod register;
pub mod register_import;
pub mod risk;
pub mod schedule;
pub mod service;
pub mod standard_template;
pub mod text;
pub mod throttle;
pub mod user;
