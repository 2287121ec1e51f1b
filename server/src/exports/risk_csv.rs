//! `GET /risks/export.csv`: the SMS risk register, with the register page's filters and
//! order (worst residual first), as CSV for spreadsheets and the auditor (formula-safe, UTF-8
//! with a byte-order mark). Read a thousand rows at a time by key (`every_row`).

use super::{attachment, csv_cell as cell, every_row, failure, EXPORT_BATCH};
use app::error::AppError;
use app::model::access::Permission;
use app::model::sms_risk::{RiskExportRow, RiskListParams, RiskMatrix};
use app::server::auth::RequestAuth;
use app::server::service::schedule::local_today;
use app::server::service::sms_risks;
use app::server::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;

pub const COLUMNS: [&str; 19] = [
    "Reference",
    "Kind",
    "Title",
    "Description",
    "Services",
    "Owner",
    "Information security",
    "Inherent rating",
    "Inherent level",
    "Treatment",
    "Treatment plan",
    "Residual rating",
    "Residual level",
    "State",
    "Next review",
    "Accepted",
    "Accepted because",
    "Closed because",
    "Addressed by",
];

pub async fn risk_csv(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Query(params): Query<RiskListParams>,
) -> Response {
    let user = match crate::access::require(&state, &auth, Permission::RiskRead).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let today = local_today(&user.time_zone);
    let base = RiskListParams {
        page: String::new(),
        after: String::new(),
        before: String::new(),
        ..params
    };
    let (db, user) = (&state.db, &user);
    let result = async {
        // One matrix for the filter and the level columns alike.
        let (matrix, _) = sms_risks::matrix(db.reader()).await?;
        let matrix = &matrix;
        let rows = every_row(
            |page, after| {
                let params = RiskListParams {
                    page: page.to_string(),
                    after: after.map(|key| key.query_pair().1).unwrap_or_default(),
                    ..base.clone()
                };
                async move {
                    sms_risks::export_batch(
                        db.reader(),
                        user,
                        &params,
                        matrix,
                        today,
                        page,
                        EXPORT_BATCH,
                    )
                    .await
                }
            },
            |row| row.row.id,
        )
        .await?;
        write(&rows, matrix)
    }
    .await;
    match result {
        Ok(body) => attachment("text/csv; charset=utf-8", "conform-risks.csv", body),
        Err(error) => failure(error),
    }
}

pub fn write(rows: &[RiskExportRow], matrix: &RiskMatrix) -> Result<Vec<u8>, AppError> {
    let fail = |e: csv::Error| app::server::failure::internal(e);
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(COLUMNS).map_err(fail)?;
    for exported in rows {
        let row = &exported.row;
        let accepted = match (&exported.accepted_by, exported.accepted_at) {
            (Some(by), Some(at)) => format!("{by}, {}", at.format("%Y-%m-%d")),
            (Some(by), None) => by.clone(),
            _ => String::new(),
        };
        out.write_record([
            row.reference.clone(),
            row.kind.label().to_string(),
            cell(&row.title),
            cell(&exported.description),
            cell(&exported.services.join("; ")),
            cell(&row.owner),
            row.security.map(|cia| cia.letters()).unwrap_or_default(),
            row.inherent.describe(),
            matrix.level(row.inherent).label().to_string(),
            row.treatment.word().to_string(),
            cell(&exported.treatment_plan),
            row.residual.describe(),
            matrix.level(row.residual).label().to_string(),
            row.state.label().to_string(),
            row.review_on.to_string(),
            cell(&accepted),
            cell(exported.accepted_reason.as_deref().unwrap_or("")),
            cell(exported.closed_reason.as_deref().unwrap_or("")),
            exported.addressed_by.join("; "),
        ])
        .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| app::server::failure::internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::sms_risk::{Rating, RiskKind, RiskRow, RiskState, Treatment};

    #[test]
    fn a_row_carries_its_levels_decisions_and_links_and_defuses_formulas() {
        let row = RiskExportRow {
            row: RiskRow {
                id: 3,
                reference: "RSK-3".into(),
                kind: RiskKind::Risk,
                title: "@SUM(A1:A9) supplier fails".into(),
                owner: "Dana Whitfield".into(),
                security: None,
                inherent: Rating::new(5, 5).unwrap(),
                residual: Rating::new(2, 3).unwrap(),
                treatment: Treatment::Reduce,
                state: RiskState::Accepted,
                review_on: chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
            },
            description: "".into(),
            services: vec!["Mail".into(), "Payroll".into()],
            treatment_plan: "Second supplier".into(),
            accepted_by: Some("Quinn Quality".into()),
            accepted_at: chrono::DateTime::from_timestamp(1_800_000_000, 0),
            accepted_reason: Some("Residual within appetite after the second supplier".into()),
            closed_reason: None,
            addressed_by: vec!["CHG-00012".into(), "Plan 2".into()],
        };
        let text = String::from_utf8(write(&[row], &RiskMatrix::default()).unwrap()).unwrap();
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(headers.iter().collect::<Vec<_>>(), COLUMNS.to_vec());
        let record = reader.records().next().unwrap().unwrap();
        let field =
            |name: &str| record[COLUMNS.iter().position(|c| *c == name).unwrap()].to_string();
        assert_eq!(field("Title"), "'@SUM(A1:A9) supplier fails");
        assert_eq!(field("Services"), "Mail; Payroll");
        assert_eq!(field("Inherent level"), "Very high");
        assert_eq!(field("Residual level"), "Medium");
        assert_eq!(field("State"), "Accepted");
        assert_eq!(field("Accepted"), "Quinn Quality, 2027-01-15");
        assert_eq!(field("Addressed by"), "CHG-00012; Plan 2");
    }
}
