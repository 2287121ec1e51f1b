//! `GET /suppliers/export.csv`: the supplier register with the register page's filters and
//! order (review soonest first), as CSV (formula-safe, UTF-8 with a byte-order mark), read a
//! thousand rows at a time by key (`every_row`).

use super::{attachment, csv_cell as cell, every_row, failure, EXPORT_BATCH};
use app::error::AppError;
use app::model::access::Permission;
use app::model::supplier::{SupplierExportRow, SupplierListParams};
use app::server::auth::RequestAuth;
use app::server::service::schedule::local_today;
use app::server::service::suppliers;
use app::server::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;

pub const COLUMNS: [&str; 16] = [
    "Reference",
    "Name",
    "Kind",
    "Status",
    "Provides",
    "Services",
    "Relationship manager",
    "Contact",
    "E-mail",
    "Telephone",
    "Contracts",
    "Next contract end",
    "Review every (months)",
    "Last review",
    "Last outcome",
    "Next review",
];

pub async fn supplier_csv(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Query(params): Query<SupplierListParams>,
) -> Response {
    let user = match crate::access::require(&state, &auth, Permission::SupplierRead).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let today = local_today(&user.time_zone);
    let base = SupplierListParams {
        page: String::new(),
        after: String::new(),
        before: String::new(),
        ..params
    };
    let db = &state.db;
    let result = async {
        let rows = every_row(
            |page, after| {
                let params = SupplierListParams {
                    page: page.to_string(),
                    after: after.map(|key| key.query_pair().1).unwrap_or_default(),
                    ..base.clone()
                };
                async move {
                    suppliers::export_batch(db.reader(), &params, today, page, EXPORT_BATCH).await
                }
            },
            |row| row.row.id,
        )
        .await?;
        write(&rows)
    }
    .await;
    match result {
        Ok(body) => attachment("text/csv; charset=utf-8", "conform-suppliers.csv", body),
        Err(error) => failure(error),
    }
}

pub fn write(rows: &[SupplierExportRow]) -> Result<Vec<u8>, AppError> {
    let fail = |e: csv::Error| app::server::failure::internal(e);
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(COLUMNS).map_err(fail)?;
    for exported in rows {
        let row = &exported.row;
        out.write_record([
            row.reference.clone(),
            cell(&row.name),
            row.kind.label().to_string(),
            row.status.label().to_string(),
            cell(&exported.provides),
            cell(&exported.services.join("; ")),
            cell(&row.owner),
            cell(&exported.contact_name),
            cell(&exported.contact_email),
            cell(&exported.contact_phone),
            cell(&exported.contracts.join("; ")),
            row.next_contract_end
                .map(|d| d.to_string())
                .unwrap_or_default(),
            exported.review_every_months.to_string(),
            row.last_reviewed_on
                .map(|d| d.to_string())
                .unwrap_or_default(),
            row.last_outcome
                .map(|o| o.label().to_string())
                .unwrap_or_default(),
            row.next_review_on.to_string(),
        ])
        .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| app::server::failure::internal(e.to_string()))
}
