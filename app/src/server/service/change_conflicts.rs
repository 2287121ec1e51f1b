//! Schedule conflicts of changes: every active scheduled change and every blackout and
//! maintenance window read as the input of the model's detection (`model::schedule::detect`),
//! and the conflicts found told in words (the other change, the service, the window, the
//! person).

use crate::error::AppError;
use crate::model::change::ChangeState;
use crate::model::change_request::ConflictNote;
use crate::model::schedule::{detect, Conflict, PlannedChange, ScheduleWindow, Window, WindowKind};
use crate::server::entity::change::{Column, Entity as Changes};
use crate::server::entity::schedule_window::Entity as ScheduleWindows;
use crate::server::service::change_records::links;
use crate::server::service::users::{people, person};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;

/// A change as detection reads it: id, planned start, planned end.
type ScheduledRow = (i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Every active, scheduled change and every window: the input of conflict detection.
async fn schedule<C: ConnectionTrait>(
    conn: &C,
) -> Result<(Vec<PlannedChange>, Vec<ScheduleWindow>), AppError> {
    let active: Vec<&str> = ChangeState::ALL
        .iter()
        .filter(|s| {
            !s.is_final()
                && !matches!(
                    s,
                    ChangeState::Reviewed
                        | ChangeState::Implemented
                        | ChangeState::Failed
                        | ChangeState::BackedOut
                )
        })
        .map(|s| s.as_str())
        .collect();
    let rows: Vec<ScheduledRow> = Changes::find()
        .select_only()
        .column(Column::Id)
        .column(Column::PlannedStart)
        .column(Column::PlannedEnd)
        .filter(Column::State.is_in(active))
        .filter(Column::PlannedStart.is_not_null())
        .into_tuple()
        .all(conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|(id, _, _)| *id).collect();
    let links = links(conn, &ids).await?;
    let planned = rows
        .into_iter()
        .filter_map(|(id, start, end)| {
            let window = Window::new(start?, end?)?;
            Some(PlannedChange {
                id,
                window,
                service_ids: links.services.get(&id).cloned().unwrap_or_default(),
                implementer_ids: links.implementers.get(&id).cloned().unwrap_or_default(),
            })
        })
        .collect();
    let windows = ScheduleWindows::find()
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|w| {
            Some(ScheduleWindow {
                id: w.id,
                kind: if w.kind == "blackout" {
                    WindowKind::Blackout
                } else {
                    WindowKind::Maintenance
                },
                name: w.name,
                service_id: w.service_id,
                window: Window::new(w.starts_at, w.ends_at)?,
            })
        })
        .collect();
    Ok((planned, windows))
}

/// Conflicts of every active scheduled change.
pub async fn all_conflicts<C: ConnectionTrait>(
    conn: &C,
) -> Result<HashMap<i64, Vec<Conflict>>, AppError> {
    let (planned, windows) = schedule(conn).await?;
    Ok(detect(&planned, &windows))
}

/// Conflicts in words, naming the other change, the service, the window or the person.
pub(crate) async fn describe_conflicts<C: ConnectionTrait>(
    conn: &C,
    conflicts: Vec<Conflict>,
) -> Result<Vec<ConflictNote>, AppError> {
    if conflicts.is_empty() {
        return Ok(Vec::new());
    }
    let service_names = crate::server::service::catalogue::names(conn).await?;
    let window_names: HashMap<i64, String> = ScheduleWindows::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|w| (w.id, w.name))
        .collect();
    let user_ids: Vec<i64> = conflicts
        .iter()
        .filter_map(|c| match c {
            Conflict::ImplementerDoubleBooked { user_id, .. } => Some(*user_id),
            _ => None,
        })
        .collect();
    let user_names = people(conn, &user_ids).await?;
    let service = |id: &i64| {
        service_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("service {id}"))
    };
    Ok(conflicts
        .into_iter()
        .map(|conflict| {
            let message = match &conflict {
                Conflict::SameService {
                    other_change,
                    service_id,
                } => format!(
                    "{} changes {} at an overlapping time.",
                    crate::model::change_request::reference(*other_change),
                    service(service_id)
                ),
                Conflict::InBlackout { window_id } => format!(
                    "Falls inside the blackout window “{}”.",
                    window_names.get(window_id).cloned().unwrap_or_default()
                ),
                Conflict::OutsideMaintenance { service_id } => format!(
                    "Outside the maintenance windows of {}.",
                    service(service_id)
                ),
                Conflict::ImplementerDoubleBooked {
                    other_change,
                    user_id,
                } => format!(
                    "{} also implements {} at that time.",
                    person(&user_names, *user_id).name,
                    crate::model::change_request::reference(*other_change)
                ),
            };
            ConflictNote { conflict, message }
        })
        .collect())
}
