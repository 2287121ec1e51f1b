//! Service and HTTP tests, one module per subject, linked into one test binary: every
//! binary links the whole server (about 900 MB with line tables), so one binary instead of
//! one per file saves CI most of its link time and its disk.
//!
//! Run one subject with `cargo test -p conform --test integration segregation::`.

mod common;

mod abuse;
mod alert_intake;
mod audit_trail;
mod awareness;
mod backup;
mod bia_criticality;
mod cab;
mod cab_http;
mod catalogue;
mod change_controls;
mod change_controls_http;
mod changes;
mod clause_evidence;
mod clause_library;
mod client_files;
mod cmdb;
mod competences;
mod continuity;
mod demo_continuity;
mod demo_documents;
mod demo_gap;
mod documents;
mod evidence_pack;
mod extremes;
mod feeds;
mod gap_assessments;
mod http;
mod identity;
mod incident_causes;
mod incident_import;
mod incidents;
mod internal_audits;
mod last_admin;
mod live;
mod management_reviews;
mod nonconformities;
mod objectives;
mod permissions;
mod plan_export;
mod problems;
mod public_url;
mod record_refusals_http;
mod register;
mod register_import;
mod risk_links;
mod schedule;
mod segregation;
mod service_levels;
mod service_reports;
mod service_requests;
mod shutdown;
mod sms_profile;
mod sms_risks;
mod suppliers;
