//! What service level targets are measured on (clause 8.3.3): service-hours calendars and the
//! organisation's settings (the impact × urgency matrix, the reopen period). Service level
//! managers keep them; every write is checked against the version it was read at and audited
//! in its transaction. Who may call these is the server function's check (`AgreementManage`).

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::audit::{diff, FieldChange};
use crate::model::priority_matrix::{PriorityMatrix, ServiceLevelSettings};
use crate::model::service_hours::{Holiday, ServiceHours, ServiceHoursForm, StoredCalendar};
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::service_calendar::{self, Entity as Calendars};
use crate::server::entity::service_level_settings::{self as settings_row, Entity as Settings};
use crate::server::failure::internal;
use crate::server::versioned::{self, check_version};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, UpdateMany,
};

/// The time zone database the clocks use: the calendar's zone, read once per use.
pub fn zone_of(hours: &ServiceHours) -> chrono_tz::Tz {
    // Stored zones were checked when saved; a database edited by hand falls back to UTC.
    hours.time_zone.parse().unwrap_or(chrono_tz::UTC)
}

fn hours_of(row: &service_calendar::Model) -> ServiceHours {
    ServiceHours {
        name: row.name.clone(),
        time_zone: row.time_zone.clone(),
        week: serde_json::from_str(&row.week).unwrap_or([None; 7]),
        holidays: serde_json::from_str::<Vec<Holiday>>(&row.holidays).unwrap_or_default(),
    }
}

fn stored(row: &service_calendar::Model) -> StoredCalendar {
    StoredCalendar {
        id: row.id,
        hours: hours_of(row),
        version: row.version,
    }
}

/// Every calendar, by name (an organisation keeps a handful).
pub async fn calendars<C: ConnectionTrait>(conn: &C) -> Result<Vec<StoredCalendar>, AppError> {
    Ok(Calendars::find()
        .order_by_asc(service_calendar::Column::Name)
        .all(conn)
        .await?
        .iter()
        .map(stored)
        .collect())
}

pub async fn calendar<C: ConnectionTrait>(conn: &C, id: i64) -> Result<StoredCalendar, AppError> {
    Calendars::find_by_id(id)
        .one(conn)
        .await?
        .map(|row| stored(&row))
        .ok_or_else(|| AppError::NotFound("Those service hours".into()))
}

/// The names of the calendars `ids` (one query, for a list of agreements).
pub async fn calendar_names<C: ConnectionTrait>(
    conn: &C,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>, AppError> {
    let ids: Vec<i64> = ids.into_iter().collect();
    Ok(Calendars::find()
        .select_only()
        .column(service_calendar::Column::Id)
        .column(service_calendar::Column::Name)
        .filter(service_calendar::Column::Id.is_in(ids))
        .into_tuple::<(i64, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect())
}

/// The form checked: a real time zone and a name no other calendar has.
async fn check<C: ConnectionTrait>(
    conn: &C,
    form: &ServiceHoursForm,
    own_id: Option<i64>,
) -> Result<ServiceHours, AppError> {
    let hours = form.validate()?;
    let mut errors = FieldErrors::new();
    if hours.time_zone.parse::<chrono_tz::Tz>().is_err() {
        errors.add(
            "time_zone",
            "Give a time zone of the IANA database, like Europe/London.",
        );
    }
    let mut same_name = Calendars::find().filter(service_calendar::Column::Name.eq(&hours.name));
    if let Some(id) = own_id {
        same_name = same_name.filter(service_calendar::Column::Id.ne(id));
    }
    if same_name.one(conn).await?.is_some() {
        errors.add("name", "Another calendar has this name.");
    }
    errors.into_result(hours).map_err(AppError::from)
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

/// Adds a calendar; returns its id.
pub async fn create_calendar(
    db: &Db,
    actor: &Actor,
    form: &ServiceHoursForm,
) -> Result<i64, AppError> {
    let txn = db.begin_write().await?;
    let hours = check(&txn, form, None).await?;
    let now = Utc::now();
    let row = service_calendar::ActiveModel {
        name: Set(hours.name.clone()),
        time_zone: Set(hours.time_zone.clone()),
        week: Set(json(&hours.week)),
        holidays: Set(json(&hours.holidays)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::ServiceAgreement,
        row.id,
        "service_hours_created",
        format!(
            "Service hours “{}” added ({}, {} hours a week)",
            hours.name,
            hours.time_zone,
            hours.weekly_minutes() / 60
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row.id)
}

/// Edits a calendar against the version it was read at. Clocks already running keep the due
/// times worked out when they last moved; the new hours count from their next step.
pub async fn update_calendar(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &ServiceHoursForm,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let before = calendar(&txn, id).await?;
    check_version::<Calendars>(version, before.version)?;
    let hours = check(&txn, form, Some(id)).await?;
    versioned::update(&txn, id, version, |update: UpdateMany<Calendars>| {
        update
            .col_expr(
                service_calendar::Column::Name,
                Expr::value(hours.name.clone()),
            )
            .col_expr(
                service_calendar::Column::TimeZone,
                Expr::value(hours.time_zone.clone()),
            )
            .col_expr(
                service_calendar::Column::Week,
                Expr::value(json(&hours.week)),
            )
            .col_expr(
                service_calendar::Column::Holidays,
                Expr::value(json(&hours.holidays)),
            )
    })
    .await?;
    let changes = calendar_changes(&before.hours, &hours);
    audit::append(
        &txn,
        actor,
        Event::new(
            "service_hours_updated",
            RecordType::ServiceAgreement,
            Some(id.to_string()),
            format!("Service hours “{}” changed", hours.name),
        )
        .with_changes(changes),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn calendar_changes(before: &ServiceHours, after: &ServiceHours) -> Vec<FieldChange> {
    let as_json = |hours: &ServiceHours| serde_json::to_value(ServiceHoursForm::of(hours)).ok();
    diff(as_json(before).as_ref(), as_json(after).as_ref())
}

/// The organisation's settings (the migration writes the one row).
pub async fn settings<C: ConnectionTrait>(conn: &C) -> Result<ServiceLevelSettings, AppError> {
    let row = Settings::find_by_id(1)
        .one(conn)
        .await?
        .ok_or_else(|| internal("the service level settings row is missing"))?;
    Ok(ServiceLevelSettings {
        matrix: PriorityMatrix::from_codes(&row.priority_matrix).unwrap_or_default(),
        reopen_days: u32::try_from(row.reopen_days).unwrap_or(0),
        version: row.version,
    })
}

/// Sets the priority matrix and the reopen period. Priorities already given keep the rule
/// that gave them (the incident records it); new incidents use the new matrix.
pub async fn update_settings(
    db: &Db,
    actor: &Actor,
    version: i32,
    matrix: PriorityMatrix,
    reopen_days: u32,
) -> Result<(), AppError> {
    matrix.validate()?;
    let reopen_days = crate::model::priority_matrix::check_reopen_days(reopen_days)?;
    let txn = db.begin_write().await?;
    let before = settings(&txn).await?;
    check_version::<Settings>(version, before.version)?;
    versioned::update(&txn, 1, version, |update: UpdateMany<Settings>| {
        update
            .col_expr(
                settings_row::Column::PriorityMatrix,
                Expr::value(matrix.codes()),
            )
            .col_expr(
                settings_row::Column::ReopenDays,
                Expr::value(reopen_days as i32),
            )
    })
    .await?;
    let as_json = |matrix: &PriorityMatrix, days: u32| serde_json::json!({ "priority_matrix": matrix.codes(), "reopen_days": days });
    let changes = diff(
        Some(&as_json(&before.matrix, before.reopen_days)),
        Some(&as_json(&matrix, reopen_days)),
    );
    audit::append(
        &txn,
        actor,
        Event::new(
            "service_level_settings_updated",
            RecordType::ServiceAgreement,
            None,
            "Priority matrix and reopen period set",
        )
        .with_changes(changes),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
