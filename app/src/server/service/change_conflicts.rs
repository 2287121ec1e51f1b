//! Schedule conflicts of changes: every active scheduled change and every blackout and
//! maintenance window read as the input of the model's detection (`model::schedule::detect`),
//! and the conflicts found told in words (the other change, the service, the window, the
//! person).

use crate::error::AppError;
use crate::model::change::ChangeState;
use crate::model::change_request::ConflictNote;
use crate::model::schedule::{
    detect, detect_in_slice, Conflict, PlannedChange, ScheduleWindow, Window, WindowKind,
};
use crate::server::entity::change::{Column, Entity as Changes};
use crate::server::entity::schedule_window::{self, Entity as ScheduleWindows};
use crate::server::service::change_records::links;
use crate::server::service::users::{people, person};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// A change as detection reads it: id, planned start, planned end.
type ScheduledRow = (i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The states in which a change holds its place in the schedule.
pub(crate) fn scheduled_states() -> Vec<&'static str> {
    ChangeState::ALL
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
        .collect()
}

/// Scheduled changes: their services and implementers read for those rows only.
async fn planned<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<ScheduledRow>,
) -> Result<Vec<PlannedChange>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|(id, _, _)| *id).collect();
    let links = links(conn, &ids).await?;
    Ok(rows
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
        .collect())
}

fn schedule_window(w: schedule_window::Model) -> Option<ScheduleWindow> {
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
}

/// Conflicts of every active scheduled change: the whole schedule read and swept. For a
/// page of changes use `conflicts_of`, which reads only what overlaps them.
pub async fn all_conflicts<C: ConnectionTrait>(
    conn: &C,
) -> Result<HashMap<i64, Vec<Conflict>>, AppError> {
    let rows: Vec<ScheduledRow> = Changes::find()
        .select_only()
        .columns([Column::Id, Column::PlannedStart, Column::PlannedEnd])
        .filter(Column::State.is_in(scheduled_states()))
        .filter(Column::PlannedStart.is_not_null())
        .into_tuple()
        .all(conn)
        .await?;
    let changes = planned(conn, rows).await?;
    let windows: Vec<ScheduleWindow> = ScheduleWindows::find()
        .all(conn)
        .await?
        .into_iter()
        .filter_map(schedule_window)
        .collect();
    Ok(detect(&changes, &windows))
}

/// How many time spans one overlap query tests (each is two bound parameters).
const SPANS_PER_QUERY: usize = 200;

/// Conflicts of the given changes only (those not scheduled have none). Reads the changes and
/// windows whose time overlaps theirs, through the planned-start index, and which of their
/// services have maintenance windows at all — work in proportion to the page, not the
/// schedule. Equal, for these changes, to `all_conflicts` (see `detect_in_slice`).
pub async fn conflicts_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<Conflict>>, AppError> {
    let mut asked: Vec<ScheduledRow> = Vec::new();
    for chunk in ids.chunks(500) {
        asked.extend(
            Changes::find()
                .select_only()
                .columns([Column::Id, Column::PlannedStart, Column::PlannedEnd])
                .filter(Column::Id.is_in(chunk.to_vec()))
                .filter(Column::State.is_in(scheduled_states()))
                .filter(Column::PlannedStart.is_not_null())
                .into_tuple::<ScheduledRow>()
                .all(conn)
                .await?,
        );
    }
    let asked = planned(conn, asked).await?;
    let spans = merged_spans(asked.iter().map(|c| c.window).collect());
    if spans.is_empty() {
        return Ok(HashMap::new());
    }

    let mut rows: BTreeMap<i64, ScheduledRow> = BTreeMap::new();
    let mut windows: BTreeMap<i64, ScheduleWindow> = BTreeMap::new();
    for chunk in spans.chunks(SPANS_PER_QUERY) {
        for row in Changes::find()
            .select_only()
            .columns([Column::Id, Column::PlannedStart, Column::PlannedEnd])
            .filter(Column::State.is_in(scheduled_states()))
            .filter(overlapping(chunk, Column::PlannedStart, Column::PlannedEnd))
            .into_tuple::<ScheduledRow>()
            .all(conn)
            .await?
        {
            rows.insert(row.0, row);
        }
        for window in ScheduleWindows::find()
            .filter(overlapping(
                chunk,
                schedule_window::Column::StartsAt,
                schedule_window::Column::EndsAt,
            ))
            .all(conn)
            .await?
            .into_iter()
            .filter_map(schedule_window)
        {
            windows.insert(window.id, window);
        }
    }
    let services: BTreeSet<i64> = asked.iter().flat_map(|c| c.service_ids.clone()).collect();
    let maintained: HashSet<i64> = ScheduleWindows::find()
        .select_only()
        .column(schedule_window::Column::ServiceId)
        .distinct()
        .filter(schedule_window::Column::Kind.eq("maintenance"))
        .filter(schedule_window::Column::ServiceId.is_in(services))
        .into_tuple::<Option<i64>>()
        .all(conn)
        .await?
        .into_iter()
        .flatten()
        .collect();

    let neighbours = planned(conn, rows.into_values().collect()).await?;
    let windows: Vec<ScheduleWindow> = windows.into_values().collect();
    let mut found = detect_in_slice(&neighbours, &windows, &maintained);
    let asked: HashSet<i64> = asked.iter().map(|c| c.id).collect();
    found.retain(|id, _| asked.contains(id));
    Ok(found)
}

/// Rows whose [start, end) overlaps any of the spans.
pub(crate) fn overlapping<Col: ColumnTrait>(spans: &[Window], start: Col, end: Col) -> Condition {
    spans.iter().fold(Condition::any(), |any, span| {
        any.add(
            Condition::all()
                .add(start.lt(span.end))
                .add(end.gt(span.start)),
        )
    })
}

/// The time the given windows cover, as few disjoint spans as possible (sorted by start).
fn merged_spans(mut windows: Vec<Window>) -> Vec<Window> {
    windows.sort_by_key(|w| w.start);
    let mut spans: Vec<Window> = Vec::new();
    for window in windows {
        match spans.last_mut() {
            Some(last) if window.start <= last.end => last.end = last.end.max(window.end),
            _ => spans.push(window),
        }
    }
    spans
}

/// Conflicts in words, naming the other change, the service, the window or the person.
pub(crate) async fn describe_conflicts<C: ConnectionTrait>(
    conn: &C,
    conflicts: Vec<Conflict>,
) -> Result<Vec<ConflictNote>, AppError> {
    if conflicts.is_empty() {
        return Ok(Vec::new());
    }
    let service_ids = conflicts.iter().filter_map(|c| match c {
        Conflict::SameService { service_id, .. } | Conflict::OutsideMaintenance { service_id } => {
            Some(*service_id)
        }
        _ => None,
    });
    let service_names = crate::server::service::catalogue::names_of(conn, service_ids).await?;
    let window_ids: BTreeSet<i64> = conflicts
        .iter()
        .filter_map(|c| match c {
            Conflict::InBlackout { window_id } => Some(*window_id),
            _ => None,
        })
        .collect();
    let window_names: HashMap<i64, String> = ScheduleWindows::find()
        .select_only()
        .columns([schedule_window::Column::Id, schedule_window::Column::Name])
        .filter(schedule_window::Column::Id.is_in(window_ids))
        .into_tuple::<(i64, String)>()
        .all(conn)
        .await?
        .into_iter()
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
