//! Business services: the logic behind each server function, taking the database handle.

pub mod audit_trail;
pub mod bia;
pub mod cab;
pub mod catalogue;
pub mod changes;
pub mod clause_evidence;
pub mod clause_library;
pub mod continuity_exercises;
pub mod continuity_plans;
pub mod feeds;
pub mod gap_assessments;
pub mod identity;
pub mod internal_audits;
pub mod management_reviews;
pub mod nonconformities;
pub mod notifications;
pub mod objectives;
pub mod plan_overview;
pub mod register;
pub mod register_import;
pub mod saved_filters;
pub mod schedule;
pub mod sms_documents;
pub mod templates;
pub mod users;
