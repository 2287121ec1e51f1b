//! Server-only code: database access, business services, and the glue that turns
//! their failures into `AppError`s. Nothing here is compiled into the browser.

pub mod db;
pub mod entity;
pub mod failure;
pub mod service;
pub mod state;
