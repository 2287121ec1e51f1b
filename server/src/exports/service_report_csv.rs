//! `GET /service-levels/report.csv?service=N&month=2026-11`: the monthly service report's
//! twelve months as CSV (formula-safe, UTF-8 with a byte-order mark), for the report pack a
//! service level manager sends to the customer.

use super::{attachment, csv_cell as cell, failure};
use app::api::service_levels::read_month;
use app::error::AppError;
use app::model::access::Permission;
use app::model::service_report::{csv_rows, CSV_COLUMNS};
use app::server::auth::RequestAuth;
use app::server::service::service_reports;
use app::server::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    service: String,
    month: String,
}

pub async fn service_report_csv(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Query(query): Query<ReportQuery>,
) -> Response {
    if let Err(refused) = crate::access::require(&state, &auth, Permission::IncidentRead).await {
        return refused;
    }
    let now = chrono::Utc::now();
    let result = async {
        let service = query
            .service
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| AppError::single_field("service", "Choose the service to report on."))?;
        let month = read_month(&query.month, now)?;
        let report = service_reports::report(state.db.reader(), service, month, now).await?;
        let file = format!("conform-service-report-{}.csv", month.code());
        write(&csv_rows(&report)).map(|body| (file, body))
    }
    .await;
    match result {
        Ok((file, body)) => attachment("text/csv; charset=utf-8", &file, body),
        Err(error) => failure(error),
    }
}

fn write(rows: &[Vec<String>]) -> Result<Vec<u8>, AppError> {
    let fail = |e: csv::Error| app::server::failure::internal(e);
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(CSV_COLUMNS).map_err(fail)?;
    for row in rows {
        out.write_record(row.iter().map(|c| cell(c)))
            .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| app::server::failure::internal(e.to_string()))
}
