//! `GET /cmdb/export.csv`: the configuration items with the register page's filters, by name,
//! as CSV (formula-safe, UTF-8 with a byte-order mark), read a thousand rows at a time by key.
//! The columns are the ones the CMDB import reads, so an export loads back into another
//! Conform as it is.

use super::{attachment, csv_cell as cell, every_row, failure, EXPORT_BATCH};
use app::error::AppError;
use app::model::access::Permission;
use app::model::cmdb::{CiExportRow, CiKind, CiListParams};
use app::server::auth::RequestAuth;
use app::server::service::cmdb;
use app::server::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;

/// The fixed columns; one column per attribute follows, by its label.
pub const COLUMNS: [&str; 8] = [
    "Reference",
    "Name",
    "Kind",
    "Status",
    "Owner",
    "Services",
    "Description",
    "Relies on",
];

pub async fn ci_csv(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Query(params): Query<CiListParams>,
) -> Response {
    if let Err(refused) = crate::access::require(&state, &auth, Permission::ConfigurationRead).await
    {
        return refused;
    }
    let base = CiListParams {
        page: String::new(),
        after: String::new(),
        before: String::new(),
        ..params
    };
    let db = &state.db;
    let result = async {
        let rows = every_row(
            |page, after| {
                let params = CiListParams {
                    after: after.map(|key| key.query_pair().1).unwrap_or_default(),
                    ..base.clone()
                };
                async move { cmdb::export_batch(db.reader(), &params, page, EXPORT_BATCH).await }
            },
            |row| row.row.id,
        )
        .await?;
        write(&rows)
    }
    .await;
    match result {
        Ok(body) => attachment(
            "text/csv; charset=utf-8",
            "conform-configuration-items.csv",
            body,
        ),
        Err(error) => failure(error),
    }
}

pub fn write(rows: &[CiExportRow]) -> Result<Vec<u8>, AppError> {
    let fail = |e: csv::Error| app::server::failure::internal(e);
    let attributes = CiKind::all_attributes();
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(
        COLUMNS
            .iter()
            .copied()
            .chain(attributes.iter().map(|(_, label)| *label)),
    )
    .map_err(fail)?;
    for exported in rows {
        let row = &exported.row;
        let mut record = vec![
            row.reference.clone(),
            cell(&row.name),
            row.kind.label().to_string(),
            row.status.label().to_string(),
            cell(row.owner.as_deref().unwrap_or_default()),
            cell(&row.services.join("; ")),
            cell(&exported.description),
            cell(&exported.relies_on.join("; ")),
        ];
        for (key, _) in &attributes {
            record.push(cell(
                exported
                    .attributes
                    .get(*key)
                    .map(String::as_str)
                    .unwrap_or_default(),
            ));
        }
        out.write_record(record).map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| app::server::failure::internal(e.to_string()))
}
