//! SeaORM entities. They stay on the server; the wire carries `model` types.

pub mod audit_head;
pub mod audit_log;
pub mod auth_throttle;
pub mod cab_action;
pub mod cab_agenda_item;
pub mod cab_attendance;
pub mod cab_board;
pub mod cab_meeting;
pub mod cab_vote;
pub mod calendar_feed;
pub mod change;
pub mod change_implementer;
pub mod change_link;
pub mod change_service;
pub mod corrective_action;
pub mod improvement;
pub mod improvement_kpi;
pub mod kpi_measurement;
pub mod nonconformity;
pub mod notification;
pub mod saved_filter;
pub mod schedule_window;
pub mod service;
pub mod session;
pub mod standard_template;
pub mod user;
