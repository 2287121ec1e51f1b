//! Conform's schema, one timestamped, reversible migration per step.
//! Runs at server start-up and from `conform migrate`; the same files serve SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261127_000001_create_services;
mod m20261127_000002_identity_and_audit;
mod m20261127_000003_changes;
mod m20261127_000004_calendar_feeds_and_saved_filters;
mod m20261127_000005_change_links;
mod m20261127_000006_standard_templates;
mod m20261127_000007_cab_meetings;
mod m20261127_000008_improvements;
mod m20261127_000009_nonconformity_wait;
mod m20261127_000010_continuity;
mod m20261128_000011_clause_library;
mod m20261128_000012_documents_and_objectives;
mod m20261128_000013_gap_assessments;
mod m20261128_000014_internal_audits;
mod m20261128_000015_management_reviews;
mod m20261204_000101_custody_and_contributors;
mod m20261204_000201_change_custody_and_imports;
mod m20261205_000301_lookup_indexes;
mod m20261205_000401_change_conflict_counts;
mod m20261206_000501_service_levels;
mod m20261206_000502_incidents;
mod m20261206_000503_incident_reviews;
mod m20261206_000504_alert_intake;
mod m20261206_000505_problems;
mod m20261206_000506_incident_queue_due;
mod m20261206_000507_service_requests;
mod m20261206_000508_incident_cause;
mod m20261206_000509_incident_import;
mod m20261206_000510_saved_filter_lists;
mod m20261207_000511_sms_risks;
mod m20261207_000512_sms_risk_escalation;
mod m20261207_000513_sms_risk_links;
mod m20261207_000514_suppliers;
mod m20261207_000515_competences;
mod m20261207_000516_awareness;
mod m20261207_000517_competence_gates;
mod m20261207_000518_configuration_items;
mod m20261208_000519_sms_profile;
mod m20261208_000520_record_configuration_items;
mod m20261208_000521_awareness_closed_by_role;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_create_services::Migration),
            Box::new(m20261127_000002_identity_and_audit::Migration),
            Box::new(m20261127_000003_changes::Migration),
            Box::new(m20261127_000004_calendar_feeds_and_saved_filters::Migration),
            Box::new(m20261127_000005_change_links::Migration),
            Box::new(m20261127_000006_standard_templates::Migration),
            Box::new(m20261127_000007_cab_meetings::Migration),
            Box::new(m20261127_000008_improvements::Migration),
            Box::new(m20261127_000009_nonconformity_wait::Migration),
            Box::new(m20261127_000010_continuity::Migration),
            Box::new(m20261128_000011_clause_library::Migration),
            Box::new(m20261128_000012_documents_and_objectives::Migration),
            Box::new(m20261128_000013_gap_assessments::Migration),
            Box::new(m20261128_000014_internal_audits::Migration),
            Box::new(m20261128_000015_management_reviews::Migration),
            Box::new(m20261204_000101_custody_and_contributors::Migration),
            Box::new(m20261204_000201_change_custody_and_imports::Migration),
            Box::new(m20261205_000301_lookup_indexes::Migration),
            Box::new(m20261205_000401_change_conflict_counts::Migration),
            Box::new(m20261206_000501_service_levels::Migration),
            Box::new(m20261206_000502_incidents::Migration),
            Box::new(m20261206_000503_incident_reviews::Migration),
            Box::new(m20261206_000504_alert_intake::Migration),
            Box::new(m20261206_000505_problems::Migration),
            Box::new(m20261206_000506_incident_queue_due::Migration),
            Box::new(m20261206_000507_service_requests::Migration),
            Box::new(m20261206_000508_incident_cause::Migration),
            Box::new(m20261206_000509_incident_import::Migration),
            Box::new(m20261206_000510_saved_filter_lists::Migration),
            Box::new(m20261207_000511_sms_risks::Migration),
            Box::new(m20261207_000512_sms_risk_escalation::Migration),
            Box::new(m20261207_000513_sms_risk_links::Migration),
            Box::new(m20261207_000514_suppliers::Migration),
            Box::new(m20261207_000515_competences::Migration),
            Box::new(m20261207_000516_awareness::Migration),
            Box::new(m20261207_000517_competence_gates::Migration),
            Box::new(m20261207_000518_configuration_items::Migration),
            Box::new(m20261208_000519_sms_profile::Migration),
            Box::new(m20261208_000520_record_configuration_items::Migration),
            Box::new(m20261208_000521_awareness_closed_by_role::Migration),
        ]
    }
}
