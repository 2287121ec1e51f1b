//! Business services: the logic behind each server function, taking the database handle.

pub mod audit_trail;
pub mod catalogue;
pub mod changes;
pub mod identity;
pub mod schedule;
pub mod users;
