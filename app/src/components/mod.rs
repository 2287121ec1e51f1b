//! Reusable UI pieces.

pub mod audience;
pub mod badges;
pub mod change_badges;
pub mod change_fields;
pub mod csv_import;
pub mod drag;
pub mod draw_more;
pub mod error_view;
pub mod field;
pub mod history;
pub mod kpi_chart;
pub mod layout;
pub mod live;
pub mod pager;
pub mod plan_editor;
pub mod plan_exercises;
pub mod plan_suppliers;
pub mod plan_timeline;
pub mod plan_view;
pub mod risk_links;
pub mod saved_filters;
pub mod service_fields;
pub mod session;
pub mod succeeded;
pub mod target_clocks;
