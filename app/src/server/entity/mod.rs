//! SeaORM entities. They stay on the server; the wire carries `model` types.

pub mod service;
