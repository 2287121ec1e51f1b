//! `GET /requests/export.csv`: the request queue, with its filters and sort, as CSV
//! (formula-safe, UTF-8 with a byte-order mark). Each reader exports exactly what their queue
//! shows them — their own requests, or everyone's for those who read them all — read a
//! thousand rows at a time by key.

use super::{attachment, csv_cell as cell, every_row, failure, EXPORT_BATCH};
use app::error::AppError;
use app::model::access::Permission;
use app::model::service_request::{RequestListParams, RequestRow};
use app::server::auth::RequestAuth;
use app::server::service::service_requests;
use app::server::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;

pub const COLUMNS: [&str; 10] = [
    "Reference",
    "Summary",
    "Type",
    "Service",
    "Status",
    "Requester",
    "Assignee",
    "Fulfilment target",
    "Fulfilment due (UTC)",
    "Raised (UTC)",
];

pub async fn request_csv(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Query(params): Query<RequestListParams>,
) -> Response {
    let user = match crate::access::require(&state, &auth, Permission::RequestRead).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let now = chrono::Utc::now();
    let base = RequestListParams {
        page: String::new(),
        after: String::new(),
        before: String::new(),
        ..params
    };
    let (db, user) = (&state.db, &user);
    let result = every_row(
        |page, after| {
            let params = RequestListParams {
                page: page.to_string(),
                after: after.map(|key| key.query_pair().1).unwrap_or_default(),
                ..base.clone()
            };
            async move {
                let found = service_requests::page(db, user, &params, now, EXPORT_BATCH).await?;
                Ok(found.rows)
            }
        },
        |row| row.id,
    )
    .await
    .and_then(|rows| write(&rows));
    match result {
        Ok(body) => attachment("text/csv; charset=utf-8", "conform-requests.csv", body),
        Err(error) => failure(error),
    }
}

pub fn write(rows: &[RequestRow]) -> Result<Vec<u8>, AppError> {
    let fail = |e: csv::Error| app::server::failure::internal(e);
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(COLUMNS).map_err(fail)?;
    let time = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    for row in rows {
        out.write_record([
            row.reference.clone(),
            cell(&row.summary),
            cell(&row.type_name),
            cell(&row.service),
            row.state.label().to_string(),
            cell(&row.requester),
            cell(row.assignee.as_deref().unwrap_or("")),
            row.status
                .map(|s| s.label().to_string())
                .unwrap_or_default(),
            time(row.due_at),
            time(Some(row.created_at)),
        ])
        .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| app::server::failure::internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::service_request::RequestState;

    #[test]
    fn cells_a_spreadsheet_would_run_are_defused() {
        let row = RequestRow {
            id: 4,
            reference: "REQ-4".into(),
            summary: "@SUM(A1:A9)".into(),
            type_name: "New laptop".into(),
            service: "Service desk".into(),
            state: RequestState::AwaitingApproval,
            requester: "+Robin".into(),
            assignee: None,
            warning_at: None,
            due_at: None,
            status: None,
            created_at: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        let text = String::from_utf8(write(&[row]).unwrap()).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert!(line.starts_with("REQ-4,'@SUM(A1:A9),New laptop,"), "{line}");
        assert!(line.contains(",'+Robin,,,,2027-01-15 08:00"), "{line}");
    }
}
