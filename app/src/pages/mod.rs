//! One file per route. A list and its record's page share a file only when both are small and
//! share their forms (nonconformities, objectives, change templates, schedule windows, CAB
//! boards).

pub mod account;
pub mod agreement;
pub mod audit_trail;
pub mod awareness;
pub mod awareness_campaign;
pub mod cab;
pub mod cab_board;
pub mod cab_meeting;
pub mod calendar;
pub mod change_board;
pub mod change_detail;
pub mod change_edit;
pub mod change_list;
pub mod change_new;
pub mod change_templates;
pub mod ci;
pub mod cmdb;
pub mod cmdb_import;
pub mod competence;
pub mod competences;
pub mod compliance;
pub mod compliance_clause;
pub mod continuity;
pub mod continuity_plan;
pub mod dashboard;
pub mod document;
pub mod documents;
pub mod evidence_pack;
pub mod gap_assessment;
pub mod gap_assessments;
pub mod gap_results;
pub mod improvement;
pub mod improvement_board;
pub mod improvement_import;
pub mod improvement_new;
pub mod improvement_register;
pub mod incident;
pub mod incident_board;
pub mod incident_import;
pub mod incident_new;
pub mod incidents;
pub mod intake_sources;
pub mod internal_audit;
pub mod internal_audits;
pub mod login;
pub mod nonconformities;
pub mod not_found;
pub mod objectives;
pub mod person_competences;
pub mod plan_compare;
pub mod problem;
pub mod problems;
pub mod request;
pub mod request_catalogue;
pub mod requests;
pub mod review_detail;
pub mod reviews;
pub mod risk;
pub mod risk_matrix;
pub mod risks;
pub mod schedule_windows;
pub mod service_bia;
pub mod service_calendars;
pub mod service_detail;
pub mod service_edit;
pub mod service_levels;
pub mod service_list;
pub mod service_new;
pub mod service_report;
pub mod sms_profile;
pub mod supplier;
pub mod suppliers;
pub mod users;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The `:id` route parameter as a record id; `None` when it is not a positive number.
/// A query-string value as a form may prefill it: control characters dropped, at most `max`
/// characters.
pub fn query_text(query: &leptos_router::params::ParamsMap, key: &str, max: usize) -> String {
    query
        .get(key)
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(max)
        .collect()
}

pub fn id_param() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .filter(|id| *id > 0)
    })
}
