//! `GET /competences/matrix.csv`: the competence matrix with the page's filters — people by
//! name against every active competence, each cell in the words the page prints — as CSV
//! (formula-safe, UTF-8 with a byte-order mark), a thousand people at a time by key.

use super::{attachment, csv_cell as cell, every_row, failure, EXPORT_BATCH};
use app::error::AppError;
use app::model::access::Permission;
use app::model::competence::{CompetenceColumn, MatrixParams, MatrixRow};
use app::server::auth::RequestAuth;
use app::server::service::competences;
use app::server::service::schedule::local_today;
use app::server::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Extension;

pub async fn competence_csv(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Query(params): Query<MatrixParams>,
) -> Response {
    let user = match crate::access::require(&state, &auth, Permission::CompetenceRead).await {
        Ok(user) => user,
        Err(refused) => return refused,
    };
    let today = local_today(&user.time_zone);
    let base = MatrixParams {
        page: String::new(),
        after: String::new(),
        before: String::new(),
        ..params
    };
    let db = &state.db;
    let result = async {
        // One set of columns for every batch, so each row lines up with the header.
        let columns = competences::matrix_columns(db.reader()).await?;
        let rows = every_row(
            |page, after| {
                let params = MatrixParams {
                    page: page.to_string(),
                    after: after.map(|key| key.query_pair().1).unwrap_or_default(),
                    ..base.clone()
                };
                let columns = &columns;
                async move {
                    competences::matrix_rows(
                        db.reader(),
                        &params,
                        columns,
                        today,
                        (page, EXPORT_BATCH),
                    )
                    .await
                }
            },
            |row| row.person.id,
        )
        .await?;
        write(&columns, &rows)
    }
    .await;
    match result {
        Ok(body) => attachment(
            "text/csv; charset=utf-8",
            &format!("conform-competence-matrix-{today}.csv"),
            body,
        ),
        Err(error) => failure(error),
    }
}

/// A competence's column head: its name, and its service when it is for one.
fn head(column: &CompetenceColumn) -> String {
    match &column.service {
        Some(service) => format!("{} ({})", column.name, service.name),
        None => column.name.clone(),
    }
}

pub fn write(columns: &[CompetenceColumn], rows: &[MatrixRow]) -> Result<Vec<u8>, AppError> {
    let fail = |e: csv::Error| app::server::failure::internal(e);
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let mut header = vec!["Person".to_string(), "Roles".into(), "Gaps".into()];
    header.extend(columns.iter().map(|c| cell(&head(c))));
    out.write_record(&header).map_err(fail)?;
    for row in rows {
        let roles: Vec<&str> = row.roles.iter().map(|r| r.label()).collect();
        let mut record = vec![
            cell(&row.person.name),
            roles.join("; "),
            row.gaps().to_string(),
        ];
        record.extend(row.cells.iter().map(|c| c.label()));
        out.write_record(&record).map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| app::server::failure::internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::access::Role;
    use app::model::competence::{Cell, Held, Standing};
    use app::model::refs::{PersonRef, ServiceRef};
    use chrono::NaiveDate;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn each_cell_is_written_in_words_under_its_competence() {
        let columns = vec![
            CompetenceColumn {
                id: 1,
                name: "CAB chair".into(),
                service: None,
            },
            CompetenceColumn {
                id: 2,
                name: "Continuity manager".into(),
                service: Some(ServiceRef {
                    id: 7,
                    name: "Payroll".into(),
                }),
            },
        ];
        let rows = vec![MatrixRow {
            person: PersonRef {
                id: 3,
                name: "=Casey".into(),
            },
            roles: vec![Role::ChangeManager, Role::CabMember],
            cells: vec![
                Cell {
                    required: true,
                    expires: Some(Held {
                        expires_on: Some(day(1)),
                        standing: Standing::Expired,
                    }),
                },
                Cell {
                    required: false,
                    expires: None,
                },
            ],
        }];
        let body = String::from_utf8(write(&columns, &rows).unwrap()).unwrap();
        let mut lines = body.trim_start_matches('\u{feff}').lines();
        assert_eq!(
            lines.next(),
            Some("Person,Roles,Gaps,CAB chair,Continuity manager (Payroll)")
        );
        // A name that starts like a formula is defused; the gap is counted and worded.
        assert_eq!(
            lines.next(),
            Some("'=Casey,Change manager; CAB member,1,Gap: expired 2026-12-01,")
        );
    }
}
