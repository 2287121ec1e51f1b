//! `GET /compliance/profile/export.csv`: the SMS profile in force, one line per entry —
//! issues, interested parties, scope, exclusions, policy and role holders — with the clause
//! each answers, as CSV (formula-safe, UTF-8 with a byte-order mark) for a spreadsheet or an
//! auditor's sample.

use super::{attachment, csv_cell as cell, failure};
use app::error::AppError;
use app::model::access::Permission;
use app::model::sms_profile::{processes, ProfileVersion, SmsRole};
use app::server::auth::RequestAuth;
use app::server::service::schedule::local_today;
use app::server::service::sms_profile;
use app::server::state::AppState;
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use std::collections::BTreeMap;

pub const COLUMNS: [&str; 4] = ["Clause", "Section", "Entry", "Detail"];

pub async fn profile_csv(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
) -> Response {
    let user = match crate::access::require(&state, &auth, Permission::ProfileRead).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let today = local_today(&user.time_zone);
    let result = async {
        let view = sms_profile::view(state.db.reader(), &user, today).await?;
        let version = view
            .in_force
            .ok_or_else(|| AppError::NotFound("An approved version of the SMS profile".into()))?;
        let body = write(&version, &view.people, &view.services)?;
        Ok::<_, AppError>((version.number, body))
    }
    .await;
    match result {
        Ok((number, body)) => attachment(
            "text/csv; charset=utf-8",
            &format!("conform-sms-profile-v{number}.csv"),
            body,
        ),
        Err(error) => failure(error),
    }
}

pub fn write(
    version: &ProfileVersion,
    people: &BTreeMap<i64, String>,
    services: &BTreeMap<i64, String>,
) -> Result<Vec<u8>, AppError> {
    let fail = |e: csv::Error| app::server::failure::internal(e);
    let content = &version.content;
    let who = |id: Option<i64>| match id {
        Some(id) => people
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("Person {id}")),
        None => "Nobody named".into(),
    };
    let mut lines: Vec<[String; 4]> = Vec::new();
    let mut line = |clause: &str, section: &str, entry: &str, detail: &str| {
        lines.push([clause.into(), section.into(), entry.into(), detail.into()]);
    };
    for issue in &content.issues {
        line(
            "4.1",
            &format!("{} issue", issue.kind.label()),
            &issue.text,
            "",
        );
    }
    for party in &content.parties {
        line("4.2", "Interested party", &party.name, &party.requirements);
    }
    line("4.3", "Scope statement", &content.scope, "");
    let mut scoped: Vec<String> = content
        .service_ids
        .iter()
        .map(|id| {
            services
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("Service {id}"))
        })
        .collect();
    scoped.sort_unstable();
    for service in &scoped {
        line("4.3", "Service in scope", service, "");
    }
    for location in &content.locations {
        line("4.3", "Location", location, "");
    }
    for unit in &content.units {
        line("4.3", "Organisational unit", unit, "");
    }
    for exclusion in &content.exclusions {
        line("4.3", "Exclusion", &exclusion.what, &exclusion.reason);
    }
    line("5.2", "Service management policy", &content.policy, "");
    line(
        "5.1",
        "Role",
        &SmsRole::TopManagement.label(),
        &who(content.top_management_id),
    );
    line(
        "5.3",
        "Role",
        &SmsRole::SmsOwner.label(),
        &who(content.sms_owner_id),
    );
    for (clause, title) in processes() {
        let holder = content
            .process_owners
            .iter()
            .find(|p| p.clause == clause)
            .map(|p| p.holder_id);
        line(
            "5.3",
            "Process owner",
            &format!("{clause} {title}"),
            &who(holder),
        );
    }
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(COLUMNS).map_err(fail)?;
    out.write_record([
        String::new(),
        "Version".into(),
        version.number.to_string(),
        version
            .approved_at
            .map(|at| format!("approved {}", at.date_naive()))
            .unwrap_or_default(),
    ])
    .map_err(fail)?;
    for [clause, section, entry, detail] in lines {
        out.write_record([clause, section, cell(&entry), cell(&detail)])
            .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| app::server::failure::internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::refs::PersonRef;
    use app::model::sms_document::DocState;
    use app::model::sms_profile::{
        ContextIssue, Exclusion, IssueKind, Party, ProcessOwner, ProfileContent,
    };
    use chrono::{TimeZone, Utc};

    #[test]
    fn every_entry_is_a_line_with_the_clause_it_answers() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let version = ProfileVersion {
            id: 1,
            number: 3,
            state: DocState::Approved,
            content: ProfileContent {
                scope: "IT services to staff".into(),
                service_ids: vec![7],
                locations: vec!["Leeds".into()],
                units: vec![],
                exclusions: vec![Exclusion {
                    what: "Field service app".into(),
                    reason: "Run by the vendor".into(),
                }],
                parties: vec![Party {
                    name: "=Staff".into(),
                    requirements: "E-mail all day".into(),
                }],
                issues: vec![ContextIssue {
                    kind: IssueKind::External,
                    text: "New data protection rules".into(),
                }],
                policy: "We keep our promises.".into(),
                top_management_id: Some(1),
                sms_owner_id: None,
                process_owners: vec![ProcessOwner {
                    clause: "8.5.1".into(),
                    holder_id: 2,
                }],
            },
            author: PersonRef {
                id: 2,
                name: "Quinn".into(),
            },
            contributors: vec![],
            approved_by: None,
            approved_at: Some(at),
            next_review_on: None,
            updated_at: at,
            version: 1,
        };
        let people = BTreeMap::from([(1, "Avery".to_string()), (2, "Quinn".to_string())]);
        let services = BTreeMap::from([(7, "Payroll".to_string())]);
        let body = String::from_utf8(write(&version, &people, &services).unwrap()).unwrap();
        let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "Clause,Section,Entry,Detail");
        assert_eq!(lines[1], ",Version,3,approved 2026-12-01");
        assert!(lines.contains(&"4.1,External issue,New data protection rules,"));
        // A party's name that reads like a formula is defused.
        assert!(lines.contains(&"4.2,Interested party,'=Staff,E-mail all day"));
        assert!(lines.contains(&"4.3,Service in scope,Payroll,"));
        assert!(lines.contains(&"4.3,Exclusion,Field service app,Run by the vendor"));
        assert!(lines.contains(&"5.1,Role,Top management,Avery"));
        assert!(lines.contains(&"5.3,Role,SMS owner,Nobody named"));
        assert!(lines
            .iter()
            .any(|l| l.starts_with("5.3,Process owner,8.5.1 ") && l.ends_with(",Quinn")));
        // Every process of clause 8 has its line, owned or not.
        let processes = lines
            .iter()
            .filter(|l| l.starts_with("5.3,Process owner,"))
            .count();
        assert_eq!(processes, app::model::sms_profile::processes().count());
    }
}
