//! `GET /awareness/{id}/export.csv`: every person a campaign asked, with their roles and
//! acknowledgement, as CSV (formula-safe, UTF-8 with a byte-order mark), read a thousand
//! assignments at a time by key (`every_row`).

use super::{attachment, csv_cell as cell, every_row, failure, slug, EXPORT_BATCH};
use app::error::AppError;
use app::model::access::Permission;
use app::model::awareness::Progress;
use app::model::listing::PageKey;
use app::server::auth::RequestAuth;
use app::server::service::awareness;
use app::server::service::schedule::local_today;
use app::server::session::roles_from_json;
use app::server::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Extension;

pub const COLUMNS: [&str; 7] = [
    "Person",
    "E-mail",
    "Roles",
    "Account",
    "Status",
    "Acknowledged on",
    "Late",
];

/// One exported line: the person and where they stand.
pub struct Line {
    pub name: String,
    pub email: String,
    pub roles: String,
    pub enabled: bool,
    pub progress: Progress,
}

pub async fn awareness_csv(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<i64>,
) -> Response {
    let user = match crate::access::require(&state, &auth, Permission::AwarenessRead).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let today = local_today(&user.time_zone);
    let db = &state.db;
    let result = async {
        let (title, due_on) = awareness::export_head(db.reader(), id).await?;
        let rows = every_row(
            |_, after| {
                let after = match after {
                    Some(PageKey::After(id)) => Some(id),
                    _ => None,
                };
                awareness::assignments_batch(db.reader(), id, due_on, after, EXPORT_BATCH, today)
            },
            |(assignment_id, ..)| *assignment_id,
        )
        .await?;
        let lines: Vec<Line> = rows
            .into_iter()
            .map(|(_, user, progress)| Line {
                roles: roles_from_json(&user.roles)
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join("; "),
                enabled: user.disabled_at.is_none(),
                name: user.name,
                email: user.email,
                progress,
            })
            .collect();
        Ok::<_, AppError>((title, write(&lines)?))
    }
    .await;
    match result {
        Ok((title, body)) => attachment(
            "text/csv; charset=utf-8",
            &format!("conform-awareness-{id}-{}.csv", slug(&title)),
            body,
        ),
        Err(error) => failure(error),
    }
}

pub fn write(rows: &[Line]) -> Result<Vec<u8>, AppError> {
    let fail = |e: csv::Error| app::server::failure::internal(e);
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(COLUMNS).map_err(fail)?;
    for line in rows {
        let (status, on, late) = match line.progress {
            Progress::Acknowledged { on, late } => (
                "Acknowledged",
                on.to_string(),
                if late { "yes" } else { "no" },
            ),
            Progress::Due => ("Not yet", String::new(), ""),
            Progress::Overdue => ("Overdue", String::new(), ""),
        };
        out.write_record([
            cell(&line.name),
            cell(&line.email),
            cell(&line.roles),
            if line.enabled {
                "enabled"
            } else {
                "disabled (left)"
            }
            .to_string(),
            status.to_string(),
            on,
            late.to_string(),
        ])
        .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| app::server::failure::internal(e.to_string()))
}
