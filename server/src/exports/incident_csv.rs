//! `GET /incidents/export.csv`: the incident queue, with its filters and sort, as CSV for
//! spreadsheets and reports (formula-safe, UTF-8 with a byte-order mark). Read a thousand rows
//! at a time by key (`every_row`).

use super::{attachment, csv_cell as cell, every_row, failure, EXPORT_BATCH};
use app::error::AppError;
use app::model::access::Permission;
use app::model::incident_queue::{QueueParams, QueueRow};
use app::server::auth::RequestAuth;
use app::server::service::incident_queue;
use app::server::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;

pub const COLUMNS: [&str; 10] = [
    "Reference",
    "Title",
    "Service",
    "Priority",
    "Status",
    "Assignee",
    "Major",
    "Resolution target",
    "Resolution due (UTC)",
    "Reported (UTC)",
];

pub async fn incident_csv(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Query(params): Query<QueueParams>,
) -> Response {
    let user = match crate::access::require(&state, &auth, Permission::IncidentRead).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let now = chrono::Utc::now();
    let base = QueueParams {
        page: String::new(),
        after: String::new(),
        before: String::new(),
        ..params
    };
    let (db, user_id) = (&state.db, user.id);
    let result = every_row(
        |page, after| {
            let params = QueueParams {
                page: page.to_string(),
                after: after.map(|key| key.query_pair().1).unwrap_or_default(),
                ..base.clone()
            };
            async move {
                let found = incident_queue::page(db, &params, user_id, now, EXPORT_BATCH).await?;
                Ok(found.rows)
            }
        },
        |row| row.id,
    )
    .await
    .and_then(|rows| write(&rows));
    match result {
        Ok(body) => attachment("text/csv; charset=utf-8", "conform-incidents.csv", body),
        Err(error) => failure(error),
    }
}

pub fn write(rows: &[QueueRow]) -> Result<Vec<u8>, AppError> {
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
            cell(&row.title),
            cell(&row.service),
            row.priority.label().to_string(),
            row.state.label().to_string(),
            cell(row.assignee.as_deref().unwrap_or("")),
            if row.major { "yes" } else { "" }.to_string(),
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
    use app::model::incident::IncidentState;
    use app::model::priority_matrix::TicketPriority;

    #[test]
    fn cells_a_spreadsheet_would_run_are_defused() {
        let row = QueueRow {
            id: 7,
            reference: "INC-7".into(),
            title: "=HYPERLINK(\"http://evil\")".into(),
            service: "Mail".into(),
            priority: TicketPriority::P2,
            state: IncidentState::Pending,
            assignee: None,
            major: true,
            warning_at: None,
            due_at: None,
            status: None,
            created_at: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        let text = String::from_utf8(write(&[row]).unwrap()).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert!(line.starts_with("INC-7,\"'=HYPERLINK"), "{line}");
        assert!(
            line.contains("P2 High,Pending,,yes,,,2027-01-15 08:00"),
            "{line}"
        );
    }
}
