//! `GET /changes/export.csv`: the change list, with the list page's filters, as CSV for
//! spreadsheets. Cells that a spreadsheet would run as a formula are neutralised.

use super::{attachment, csv_cell as cell, failure};
use app::error::AppError;
use app::model::access::Permission;
use app::model::change_request::{reference, ChangeCard, ChangeQueryParams};
use app::server::auth::RequestAuth;
use app::server::service::change_lists;
use app::server::state::AppState;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::Response;
use axum::Extension;

pub async fn change_csv(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Query(params): Query<ChangeQueryParams>,
) -> Response {
    if let Err(refused) = crate::access::require(&state, &auth, Permission::ChangeRead).await {
        return refused;
    }
    match change_lists::export(&state.db, &params.to_query()).await {
        Ok((cards, truncated)) => match write(&cards) {
            Ok(body) => {
                let mut response =
                    attachment("text/csv; charset=utf-8", "conform-changes.csv", body);
                if truncated {
                    // Spreadsheets cannot show a banner; the header tells scripts to narrow.
                    response.headers_mut().insert(
                        "x-conform-truncated",
                        header::HeaderValue::from_static("true"),
                    );
                }
                response
            }
            Err(error) => failure(error),
        },
        Err(error) => failure(error),
    }
}

pub fn write(cards: &[ChangeCard]) -> Result<Vec<u8>, AppError> {
    let fail = |e: csv::Error| app::server::failure::internal(e);
    // A byte-order mark so Excel reads the UTF-8 correctly.
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record([
        "Reference",
        "Title",
        "Type",
        "State",
        "Risk",
        "Services",
        "Owner",
        "Planned start (UTC)",
        "Planned end (UTC)",
        "Open conflicts",
    ])
    .map_err(fail)?;
    for card in cards {
        let time = |t: Option<chrono::DateTime<chrono::Utc>>| {
            t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default()
        };
        let open = if card.conflict_overridden {
            0
        } else {
            card.conflicts
        };
        out.write_record([
            reference(card.id),
            cell(&card.title),
            card.change_type.label().to_string(),
            card.state.label().to_string(),
            card.risk.map(|r| r.label().to_string()).unwrap_or_default(),
            cell(&card.services.join("; ")),
            cell(&card.owner.name),
            time(card.planned_start),
            time(card.planned_end),
            open.to_string(),
        ])
        .map_err(fail)?;
    }
    out.into_inner()
        .map_err(|e| app::server::failure::internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::change::{ChangeState, ChangeType};
    use app::model::refs::PersonRef;

    fn card(title: &str) -> ChangeCard {
        ChangeCard {
            id: 7,
            title: title.into(),
            change_type: ChangeType::Normal,
            state: ChangeState::Draft,
            risk: None,
            services: vec!["Mail".into(), "=cmd|' /C calc'!A0".into()],
            owner: PersonRef {
                id: 1,
                name: "Ada Owner".into(),
            },
            requester_id: 1,
            implementer_ids: vec![],
            planned_start: None,
            planned_end: None,
            has_plans: false,
            has_review: false,
            conflicts: 2,
            conflict_overridden: false,
            former_owner_ids: vec![],
            imported: false,
            version: 1,
            local_window: None,
        }
    }

    #[test]
    fn formulas_are_neutralised_and_quotes_survive() {
        let bytes = write(&[
            card("=HYPERLINK(\"http://evil\")"),
            card("Plain, \"quoted\" title"),
        ])
        .unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][0], "CHG-00007");
        assert_eq!(&rows[0][1], "'=HYPERLINK(\"http://evil\")");
        assert_eq!(
            &rows[0][5], "Mail; =cmd|' /C calc'!A0",
            "only a cell's first character counts"
        );
        assert_eq!(&rows[1][1], "Plain, \"quoted\" title");
        assert_eq!(&rows[1][9], "2");
        for value in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(cell(value).starts_with('\''), "{value:?}");
        }
        assert_eq!(cell("Upgrade"), "Upgrade");
    }
}
