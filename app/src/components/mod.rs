//! Reusable UI pieces.

pub mod badges;
pub mod change_badges;
pub mod change_fields;
pub mod drag;
pub mod error_view;
pub mod field;
pub mod history;
pub mod layout;
pub mod live;
pub mod service_fields;
pub mod session;
