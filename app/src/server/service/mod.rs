//! Business services: the logic behind each server function, taking the database handle.

pub mod catalogue;
