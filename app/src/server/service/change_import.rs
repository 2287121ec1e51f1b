//! Migration import of change history from another tool: one audited record per change,
//! finished and read-only (the lifecycle it went through elsewhere is not replayed).

use crate::error::AppError;
use crate::model::access::RecordType;
use crate::model::change::{self as lifecycle, ChangeState};
use crate::model::change_request::{ChangeDraft, Review};
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::service::changes::{insert_change, Origin};
use crate::server::service::templates::apply_template;
use chrono::{DateTime, Utc};

/// Migration import of change history from another tool, written as one audited record (the
/// lifecycle it went through elsewhere is not replayed). Imports never create an authorised,
/// scheduled or implemented change: history arrives finished (closed, or cancelled or
/// rejected), is marked as imported and stays read-only. Open work is raised in Conform.
pub struct Imported {
    pub draft: ChangeDraft,
    pub state: ChangeState,
    pub requester_id: i64,
    pub planned: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub review: Option<Review>,
}

pub async fn import(db: &Db, actor: &Actor, imported: Imported) -> Result<i64, AppError> {
    if !imported.state.is_final() {
        return Err(AppError::Refused(format!(
            "Imported changes arrive as history (closed, cancelled or rejected), never {}: raise open work in Conform so that it is assessed and authorised here.",
            imported.state.label().to_lowercase()
        )));
    }
    if !lifecycle::reachable(imported.draft.change_type, imported.state) {
        return Err(AppError::Refused(format!(
            "A {} change cannot be {}.",
            imported.draft.change_type.label().to_lowercase(),
            imported.state.label().to_lowercase()
        )));
    }
    let txn = db.begin_write().await?;
    let mut imported = imported;
    apply_template(&txn, &mut imported.draft, None).await?;
    let origin = Origin {
        state: imported.state,
        requester_id: imported.requester_id,
        planned: (imported.planned.map(|p| p.0), imported.planned.map(|p| p.1)),
        review: imported.review,
        // Nobody in Conform authorised it.
        authorised_by: None,
        imported: true,
    };
    let row = insert_change(&txn, &imported.draft, origin).await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "change_imported",
            RecordType::Change,
            Some(row.id.to_string()),
            format!(
                "Imported {} {} as {} history (read-only)",
                crate::model::change_request::reference(row.id),
                row.title,
                imported.state.label().to_lowercase()
            ),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row.id)
}
