//! The change calendar and its blackout/maintenance windows. Times are stored as instants and
//! shown in the reader's time zone; windows are edited in the editor's time zone.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::audit::diff;
use crate::model::calendar::{
    Calendar, CalendarChange, CalendarView, CalendarWindow, WindowRecord,
};
use crate::model::change::ChangeState;
use crate::model::change_request::ChangeDraft;
use crate::model::schedule::{Conflict, WindowDraft, WindowKind};
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::change::{Column, Entity as Changes};
use crate::server::entity::schedule_window::{self as window_entity, Entity as ScheduleWindows};
use crate::server::entity::service::Entity as Services;
use crate::server::service::change_conflicts::{conflicts_of, describe_conflicts};
use crate::server::service::change_records::{links, risk_level, state_of, type_of};
use crate::server::service::conflict_counts;
use crate::server::versioned;
use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    UpdateMany,
};
use std::collections::HashMap;

/// A person's zone; an unknown name (checked when saved, so only after a tz database change)
/// reads as UTC rather than failing the page.
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

pub fn local(instant: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    instant.with_timezone(&tz).naive_local()
}

/// The date at `now` where `user` is: a review or expiry is due by their calendar.
pub fn today_for(user: &crate::model::user::CurrentUser, now: DateTime<Utc>) -> NaiveDate {
    local(now, zone(&user.time_zone)).date()
}

/// Today's date where the person is (a due date is "past" in their zone, not UTC's).
pub fn local_today(time_zone: &str) -> NaiveDate {
    local(Utc::now(), zone(time_zone)).date()
}

/// The instant local midnight of `date` begins; a midnight the clocks skip starts an hour on.
fn day_start(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    tz.from_local_datetime(&midnight)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(midnight + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| midnight.and_utc())
}

/// A planned window in the wall clock of `time_zone`, for a reader of that zone.
pub fn local_window(
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    time_zone: &str,
) -> Option<crate::model::change_request::LocalWindow> {
    let tz = zone(time_zone);
    Some(crate::model::change_request::LocalWindow {
        start: local(start?, tz),
        end: local(end?, tz),
        zone: tz.name().to_string(),
    })
}

/// Converts a local wall-clock time in `zone` to UTC; refuses times a DST change skips.
pub fn to_utc(
    field: &str,
    local: NaiveDateTime,
    zone: &str,
    errors: &mut FieldErrors,
) -> Option<DateTime<Utc>> {
    let at = local_to_utc(local, zone);
    if at.is_none() {
        errors.add(
            field,
            format!(
                "{} does not exist in {zone} (the clocks skip it).",
                local.format("%Y-%m-%d %H:%M")
            ),
        );
    }
    at
}

/// A local wall-clock time in `zone` as UTC; `None` for a time a DST change skips.
pub fn local_to_utc(local: NaiveDateTime, zone: &str) -> Option<DateTime<Utc>> {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        // The earlier of two (clocks going back): the first time that wall-clock time occurs.
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

fn kind_of(row: &window_entity::Model) -> WindowKind {
    WindowKind::parse(&row.kind).unwrap_or(WindowKind::Maintenance)
}

fn window_view(row: &window_entity::Model, names: &HashMap<i64, String>, tz: Tz) -> CalendarWindow {
    CalendarWindow {
        id: row.id,
        kind: kind_of(row),
        name: row.name.clone(),
        service: row.service_id.map(|id| {
            names
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("service {id}"))
        }),
        start: local(row.starts_at, tz),
        end: local(row.ends_at, tz),
    }
}

/// Everything scheduled between the first and last day of the view, in `time_zone`.
pub async fn calendar(
    db: &Db,
    time_zone: &str,
    view: CalendarView,
    anchor: NaiveDate,
) -> Result<Calendar, AppError> {
    let tz = zone(time_zone);
    let today = local(Utc::now(), tz).date();
    let (first, last) = view.range(anchor);
    let (from, to) = (
        day_start(first, tz),
        day_start(last + chrono::Duration::days(1), tz),
    );
    let (changes, windows) = between(db, from, to, tz).await?;
    Ok(Calendar::layout(
        view,
        anchor,
        today,
        tz.name().to_string(),
        changes,
        windows,
    ))
}

/// Changes (not cancelled or rejected) and windows overlapping [from, to), with their open
/// conflicts, in the wall-clock time of `tz`.
pub async fn between(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
) -> Result<(Vec<CalendarChange>, Vec<CalendarWindow>), AppError> {
    let conn = db.reader();
    let gone = [
        ChangeState::Cancelled.as_str(),
        ChangeState::Rejected.as_str(),
    ];
    let rows = Changes::find()
        .filter(Column::PlannedStart.lt(to))
        .filter(Column::PlannedEnd.gt(from))
        .filter(Column::State.is_not_in(gone))
        .order_by_asc(Column::PlannedStart)
        .all(conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let linked = links(conn, &ids).await?;
    let window_rows = ScheduleWindows::find()
        .filter(window_entity::Column::StartsAt.lt(to))
        .filter(window_entity::Column::EndsAt.gt(from))
        .all(conn)
        .await?;
    let names = crate::server::service::catalogue::names_of(
        conn,
        linked
            .services
            .values()
            .flatten()
            .copied()
            .chain(window_rows.iter().filter_map(|w| w.service_id)),
    )
    .await?;
    let mut conflicts = conflicts_of(conn, &ids).await?;
    let mut changes = Vec::with_capacity(rows.len());
    // Every open conflict in the range, described in one pass (names looked up once).
    let mut open: Vec<(usize, Conflict)> = Vec::new();
    for row in rows {
        let (Some(start), Some(end)) = (row.planned_start, row.planned_end) else {
            continue;
        };
        if row.conflict_override.is_none() {
            let index = changes.len();
            open.extend(
                conflicts
                    .remove(&row.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| (index, c)),
            );
        }
        let mut services: Vec<String> = linked
            .services
            .get(&row.id)
            .into_iter()
            .flatten()
            .filter_map(|id| names.get(id).cloned())
            .collect();
        services.sort();
        changes.push(CalendarChange {
            id: row.id,
            state: state_of(&row),
            change_type: type_of(&row),
            risk: risk_level(&row),
            services,
            start: local(start, tz),
            end: local(end, tz),
            conflicts: Vec::new(),
            title: row.title,
        });
    }
    let (owners, found): (Vec<usize>, Vec<Conflict>) = open.into_iter().unzip();
    for (index, note) in owners
        .into_iter()
        .zip(describe_conflicts(conn, found).await?)
    {
        changes[index].conflicts.push(note.message);
    }
    let windows = window_rows
        .iter()
        .map(|row| window_view(row, &names, tz))
        .collect();
    Ok((changes, windows))
}

/// Windows that have not ended more than 30 days ago, soonest first.
pub async fn list_windows(db: &Db, time_zone: &str) -> Result<Vec<WindowRecord>, AppError> {
    let tz = zone(time_zone);
    let since = Utc::now() - chrono::Duration::days(30);
    let rows = ScheduleWindows::find()
        .filter(window_entity::Column::EndsAt.gt(since))
        .order_by_asc(window_entity::Column::StartsAt)
        .order_by_asc(window_entity::Column::Id)
        .all(db.reader())
        .await?;
    let names = crate::server::service::catalogue::names_of(
        db.reader(),
        rows.iter().filter_map(|w| w.service_id),
    )
    .await?;
    Ok(rows
        .iter()
        .map(|row| WindowRecord {
            window: window_view(row, &names, tz),
            service_id: row.service_id,
            version: row.version,
        })
        .collect())
}

pub async fn get_window(db: &Db, time_zone: &str, id: i64) -> Result<WindowRecord, AppError> {
    let row = find_window(db.reader(), id).await?;
    let names = crate::server::service::catalogue::names_of(db.reader(), row.service_id).await?;
    Ok(WindowRecord {
        window: window_view(&row, &names, zone(time_zone)),
        service_id: row.service_id,
        version: row.version,
    })
}

async fn find_window<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<window_entity::Model, AppError> {
    ScheduleWindows::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("schedule window {id}")))
}

fn audit_view(row: &window_entity::Model) -> serde_json::Value {
    serde_json::json!({
        "kind": row.kind,
        "name": row.name,
        "service_id": row.service_id,
        "starts_at": row.starts_at.to_rfc3339(),
        "ends_at": row.ends_at.to_rfc3339(),
    })
}

/// The window's instants, or field errors for local times the clocks skip.
fn instants(
    draft: &WindowDraft,
    time_zone: &str,
) -> Result<(DateTime<Utc>, DateTime<Utc>), AppError> {
    let mut errors = FieldErrors::new();
    let start = to_utc("starts", draft.starts, time_zone, &mut errors);
    let end = to_utc("ends", draft.ends, time_zone, &mut errors);
    match (start, end) {
        (Some(s), Some(e)) if e <= s => {
            errors.add("ends", "The window must end after it starts.");
            Err(errors.into())
        }
        (Some(s), Some(e)) if errors.is_empty() => Ok((s, e)),
        _ => Err(errors.into()),
    }
}

/// A change's planned start and end in UTC; either may be unset on a draft.
pub(crate) type PlannedSpan = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

pub(crate) fn schedule_of(draft: &ChangeDraft, zone: &str) -> Result<PlannedSpan, AppError> {
    let mut errors = FieldErrors::new();
    let start = draft
        .planned_start
        .and_then(|t| to_utc("planned_start", t, zone, &mut errors));
    let end = draft
        .planned_end
        .and_then(|t| to_utc("planned_end", t, zone, &mut errors));
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            errors.add("planned_end", "The end must be after the start.");
        }
    }
    errors.into_result((start, end)).map_err(AppError::from)
}

async fn check_service<C: ConnectionTrait>(conn: &C, draft: &WindowDraft) -> Result<(), AppError> {
    if let Some(id) = draft.service_id {
        if Services::find_by_id(id).one(conn).await?.is_none() {
            return Err(AppError::single_field(
                "service_id",
                "That service does not exist (any more).",
            ));
        }
    }
    Ok(())
}

/// A window as saved, and the changes whose conflict count moved with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowWritten {
    pub id: i64,
    pub recounted: Vec<i64>,
}

/// Creates a window (`existing: None`) or changes one whose version still matches.
pub async fn save_window(
    db: &Db,
    actor: &Actor,
    time_zone: &str,
    existing: Option<(i64, i32)>,
    draft: WindowDraft,
) -> Result<WindowWritten, AppError> {
    let (starts_at, ends_at) = instants(&draft, time_zone)?;
    let txn = db.begin_write().await?;
    check_service(&txn, &draft).await?;
    let (id, before, (action, verb)) = match existing {
        None => {
            let row = window_entity::ActiveModel {
                kind: Set(draft.kind.as_str().into()),
                name: Set(draft.name.clone()),
                service_id: Set(draft.service_id),
                starts_at: Set(starts_at),
                ends_at: Set(ends_at),
                version: Set(1),
                created_at: Set(Utc::now()),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            (row.id, None, ("schedule_window_added", "added"))
        }
        Some((id, version)) => {
            let before = find_window(&txn, id).await?;
            versioned::update(&txn, id, version, |update: UpdateMany<ScheduleWindows>| {
                update
                    .col_expr(
                        window_entity::Column::Kind,
                        Expr::value(draft.kind.as_str()),
                    )
                    .col_expr(window_entity::Column::Name, Expr::value(draft.name.clone()))
                    .col_expr(
                        window_entity::Column::ServiceId,
                        Expr::value(draft.service_id),
                    )
                    .col_expr(window_entity::Column::StartsAt, Expr::value(starts_at))
                    .col_expr(window_entity::Column::EndsAt, Expr::value(ends_at))
            })
            .await?;
            (id, Some(before), ("schedule_window_changed", "changed"))
        }
    };
    let after = find_window(&txn, id).await?;
    let recounted = conflict_counts::window_written(&txn, before.as_ref(), Some(&after)).await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            action,
            RecordType::ScheduleWindow,
            Some(id.to_string()),
            format!(
                "{} window “{}” {verb}",
                kind_of(&after).as_str(),
                after.name
            ),
        )
        .with_changes(diff(
            before.as_ref().map(audit_view).as_ref(),
            Some(&audit_view(&after)),
        )),
    )
    .await?;
    txn.commit().await?;
    Ok(WindowWritten { id, recounted })
}

/// Removes a window; answers the changes whose conflict count moved.
pub async fn delete_window(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<Vec<i64>, AppError> {
    let txn = db.begin_write().await?;
    let before = find_window(&txn, id).await?;
    versioned::delete::<ScheduleWindows, _>(&txn, id, version).await?;
    let recounted = conflict_counts::window_written(&txn, Some(&before), None).await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "schedule_window_deleted",
            RecordType::ScheduleWindow,
            Some(id.to_string()),
            format!(
                "{} window “{}” deleted",
                kind_of(&before).as_str(),
                before.name
            ),
        )
        .with_changes(diff(Some(&audit_view(&before)), None)),
    )
    .await?;
    txn.commit().await?;
    Ok(recounted)
}
