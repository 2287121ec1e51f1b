//! `GET /improvements/export.csv`: the improvement register, with the table's filters and
//! sort, as CSV for spreadsheets (formula-safe, UTF-8 with a byte-order mark).

use super::{attachment, csv_cell as cell, failure};
use app::error::AppError;
use app::model::access::Permission;
use app::model::register::{Improvement, RegisterParams};
use app::server::auth::RequestAuth;
use app::server::service::register;
use app::server::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;
use std::collections::HashMap;

pub async fn register_csv(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Query(params): Query<RegisterParams>,
) -> Response {
    let user = match crate::access::require(&state, &auth, Permission::ImprovementRead).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let today = app::server::service::schedule::local_today(&user.time_zone);
    let result = async {
        let entries = register::matching(&state.db, &params, today).await?;
        let services = service_names(&state).await?;
        write(&entries, &services)
    }
    .await;
    match result {
        Ok(body) => attachment("text/csv; charset=utf-8", "conform-improvements.csv", body),
        Err(error) => failure(error),
    }
}

/// The columns an import reads back (the same names, in this order).
pub const COLUMNS: [&str; 16] = [
    "Reference",
    "Title",
    "Description",
    "Source",
    "Services",
    "Clauses",
    "Expected benefit",
    "Benefit score",
    "Effort",
    "Priority",
    "Owner",
    "Approver",
    "Target date",
    "Status",
    "Outcome",
    "Closure",
];

/// Service names by id, for the Services column.
async fn service_names(state: &AppState) -> Result<HashMap<i64, String>, AppError> {
    use app::server::entity::service::Entity as Services;
    use sea_orm::EntityTrait;
    Ok(Services::find()
        .all(state.db.reader())
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

pub fn write(
    entries: &[Improvement],
    services: &HashMap<i64, String>,
) -> Result<Vec<u8>, AppError> {
    let fail = |e: csv::Error| app::server::failure::internal(e);
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(COLUMNS).map_err(fail)?;
    for e in entries {
        out.write_record([
            e.reference(),
            cell(&e.title),
            cell(&e.description),
            e.source.label().to_string(),
            cell(
                &e.service_ids
                    .iter()
                    .filter_map(|id| services.get(id).cloned())
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            e.clauses.join(", "),
            cell(&e.expected_benefit),
            e.benefit_score.map(|s| s.to_string()).unwrap_or_default(),
            e.effort.map(|x| x.as_str().to_string()).unwrap_or_default(),
            e.priority()
                .map(|p| p.label().to_string())
                .unwrap_or_default(),
            cell(&e.owner.name),
            cell(e.approver.as_ref().map(|a| a.name.as_str()).unwrap_or("")),
            e.target_date.map(|d| d.to_string()).unwrap_or_default(),
            e.state.label().to_string(),
            cell(&e.outcome),
            e.closure_code
                .map(|c| c.label().to_string())
                .unwrap_or_default(),
        ])
        .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| app::server::failure::internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::improvement::{ImprovementState, Source};
    use app::model::refs::PersonRef;

    fn entry(title: &str, outcome: &str) -> Improvement {
        Improvement {
            id: 3,
            title: title.into(),
            description: "+1 more".into(),
            source: Source::StaffSuggestion,
            source_ref: None,
            service_ids: vec![],
            clauses: vec!["10.2".into()],
            expected_benefit: "@SUM(A1:A9)".into(),
            benefit_score: Some(4),
            effort: Some(app::model::improvement::Effort::S),
            owner: PersonRef {
                id: 1,
                name: "-Dana".into(),
            },
            approver: None,
            target_date: None,
            state: ImprovementState::Identified,
            outcome: outcome.into(),
            verifier: None,
            closure_code: None,
            closed_at: None,
            kpis: vec![],
            former_owner_ids: vec![],
            approver_named_by: None,
            version: 1,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn leading_formula_characters_are_neutralised_in_every_text_cell() {
        let mut e = entry("=HYPERLINK(\"http://evil\")", "\tsneaky");
        e.service_ids = vec![7];
        let services = HashMap::from([(7, "-Ops console".to_string())]);
        let text = String::from_utf8(write(std::slice::from_ref(&e), &services).unwrap()).unwrap();
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "IMP-00003");
        assert_eq!(&row[1], "'=HYPERLINK(\"http://evil\")");
        assert_eq!(&row[2], "'+1 more");
        assert_eq!(&row[4], "'-Ops console");
        assert_eq!(&row[6], "'@SUM(A1:A9)");
        assert_eq!(&row[9], "High");
        assert_eq!(&row[10], "'-Dana");
        assert_eq!(&row[14], "'\tsneaky");
        for (index, value) in row.iter().enumerate() {
            assert!(
                !value.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "column {index} starts with a formula character: {value}"
            );
        }
    }
}
