//! Service management objectives (clause 6.2) and their measurements. The quality manager
//! sets objectives; a measurement is recorded by the objective's owner or a quality manager.
//! Every write is audited; edits are checked against the version they were loaded with.

use crate::error::{AppError, FieldErrors};
use crate::model::access::{RecordType, Role};
use crate::model::improvement::{Direction, Kpi, Measurement};
use crate::model::objective::{
    flags, CheckedObjective, Frequency, MeasurementForm, MeasurementRow, ObjectiveDetail,
    ObjectiveForm, ObjectiveSummary,
};
use crate::model::refs::{PersonRef, ServiceRef};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::objective::{self as objective_entity, Entity as Objectives};
use crate::server::entity::objective_measurement::{
    self as measurement_entity, Entity as Measurements,
};
use crate::server::service::users::{people, person};
use crate::server::versioned::{self, check_version};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    UpdateMany,
};
use std::collections::HashMap;

async fn objective_row<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<objective_entity::Model, AppError> {
    Objectives::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That objective".into()))
}

fn kpi_of(row: &objective_entity::Model) -> Kpi {
    Kpi {
        name: row.kpi_name.clone(),
        unit: row.unit.clone(),
        baseline: row.baseline,
        target: row.target,
        direction: Direction::parse(&row.direction).unwrap_or(Direction::HigherIsBetter),
    }
}

async fn service_names<C: ConnectionTrait>(
    conn: &C,
    ids: Vec<i64>,
) -> Result<HashMap<i64, String>, AppError> {
    use crate::server::entity::service::{Column, Entity as Services};
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(Services::find()
        .filter(Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

fn summary(
    row: &objective_entity::Model,
    points: &[Measurement],
    names: &HashMap<i64, PersonRef>,
    services: &HashMap<i64, String>,
    today: NaiveDate,
) -> ObjectiveSummary {
    let kpi = kpi_of(row);
    let frequency = Frequency::parse(&row.frequency).unwrap_or(Frequency::Monthly);
    let latest = points
        .iter()
        .enumerate()
        .max_by_key(|(i, m)| (m.on, *i))
        .map(|(_, m)| *m);
    ObjectiveSummary {
        id: row.id,
        title: row.title.clone(),
        description: row.description.clone(),
        owner: person(names, row.owner_id),
        service: row.service_id.and_then(|id| {
            services.get(&id).map(|name| ServiceRef {
                id,
                name: name.clone(),
            })
        }),
        verdict: kpi.verdict(points),
        flags: if row.retired {
            Vec::new()
        } else {
            flags(&kpi, frequency, points, today)
        },
        kpi,
        frequency,
        latest,
        retired: row.retired,
        version: row.version,
    }
}

/// Every objective that is not retired, with its latest value, verdict and flags as of `today`.
pub async fn summaries(db: &Db, today: NaiveDate) -> Result<Vec<ObjectiveSummary>, AppError> {
    let conn = db.reader();
    let rows = Objectives::find()
        .filter(objective_entity::Column::Retired.eq(false))
        .order_by_asc(objective_entity::Column::Title)
        .all(conn)
        .await?;
    // The verdict and the flags depend on the latest measurement only.
    let points: HashMap<i64, Vec<Measurement>> =
        latest_measurements(conn, rows.iter().map(|r| r.id).collect())
            .await?
            .into_iter()
            .map(|(objective, latest)| (objective, vec![latest]))
            .collect();
    let owners: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
    let names = people(conn, &owners).await?;
    let services = service_names(conn, rows.iter().filter_map(|r| r.service_id).collect()).await?;
    Ok(rows
        .iter()
        .map(|row| {
            let p = points.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
            summary(row, p, &names, &services, today)
        })
        .collect())
}

/// The latest measurement (latest date, then latest recorded) of each of `objectives`, one
/// indexed lookup per objective instead of reading every measurement.
async fn latest_measurements<C: ConnectionTrait>(
    conn: &C,
    objectives: Vec<i64>,
) -> Result<HashMap<i64, Measurement>, AppError> {
    use measurement_entity::Column;
    let newer = Alias::new("newer");
    let latest_of_each = Query::select()
        .column((newer.clone(), Column::Id))
        .from_as(Measurements, newer.clone())
        .and_where(
            Expr::col((newer.clone(), Column::ObjectiveId))
                .equals((Measurements, Column::ObjectiveId)),
        )
        .order_by((newer.clone(), Column::MeasuredOn), Order::Desc)
        .order_by((newer, Column::Id), Order::Desc)
        .limit(1)
        .to_owned();
    let mut latest = HashMap::new();
    for chunk in objectives.chunks(500) {
        for m in Measurements::find()
            .filter(Column::ObjectiveId.is_in(chunk.iter().copied()))
            .filter(Expr::col((Measurements, Column::Id)).in_subquery(latest_of_each.clone()))
            .all(conn)
            .await?
        {
            latest.insert(
                m.objective_id,
                Measurement {
                    on: m.measured_on,
                    value: m.value,
                },
            );
        }
    }
    Ok(latest)
}

/// One objective with every measurement, oldest first.
pub async fn detail(db: &Db, id: i64, today: NaiveDate) -> Result<ObjectiveDetail, AppError> {
    let conn = db.reader();
    let row = objective_row(conn, id).await?;
    let rows = Measurements::find()
        .filter(measurement_entity::Column::ObjectiveId.eq(id))
        .order_by_asc(measurement_entity::Column::MeasuredOn)
        .order_by_asc(measurement_entity::Column::Id)
        .all(conn)
        .await?;
    let mut wanted = vec![row.owner_id];
    wanted.extend(rows.iter().map(|m| m.recorded_by));
    let names = people(conn, &wanted).await?;
    let services = service_names(conn, row.service_id.into_iter().collect()).await?;
    let points: Vec<Measurement> = rows
        .iter()
        .map(|m| Measurement {
            on: m.measured_on,
            value: m.value,
        })
        .collect();
    Ok(ObjectiveDetail {
        summary: summary(&row, &points, &names, &services, today),
        measurements: rows
            .into_iter()
            .map(|m| MeasurementRow {
                id: m.id,
                on: m.measured_on,
                value: m.value,
                note: m.note,
                recorded_by: person(&names, m.recorded_by),
            })
            .collect(),
    })
}

/// The form checked, with an owner and a service that exist.
async fn check<C: ConnectionTrait>(
    conn: &C,
    form: &ObjectiveForm,
) -> Result<CheckedObjective, AppError> {
    let checked = form.check()?;
    let mut errors = FieldErrors::new();
    if people(conn, &[checked.owner_id]).await?.is_empty() {
        errors.add("owner_id", "Choose the objective's owner from the list.");
    }
    if let Some(service) = checked.service_id {
        if service_names(conn, vec![service]).await?.is_empty() {
            errors.add("service_id", "Choose the service from the catalogue.");
        }
    }
    errors.into_result(checked).map_err(AppError::from)
}

/// Sets a new objective; returns its id.
pub async fn create(db: &Db, actor: &Actor, form: ObjectiveForm) -> Result<i64, AppError> {
    let txn = db.begin_write().await?;
    let checked = check(&txn, &form).await?;
    let now = Utc::now();
    let row = objective_entity::ActiveModel {
        title: Set(checked.title.clone()),
        description: Set(checked.description),
        owner_id: Set(checked.owner_id),
        service_id: Set(checked.service_id),
        kpi_name: Set(checked.kpi.name),
        unit: Set(checked.kpi.unit),
        baseline: Set(checked.kpi.baseline),
        target: Set(checked.kpi.target),
        direction: Set(checked.kpi.direction.as_str().into()),
        frequency: Set(checked.frequency.as_str().into()),
        retired: Set(false),
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
        RecordType::Objective,
        row.id,
        "objective_created",
        format!("Objective “{}” set", checked.title),
    )
    .await?;
    txn.commit().await?;
    Ok(row.id)
}

/// Edits an objective against the version it was loaded with.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    form: ObjectiveForm,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let row = objective_row(&txn, id).await?;
    check_version::<Objectives>(version, row.version)?;
    let checked = check(&txn, &form).await?;
    versioned::update(&txn, id, version, |update: UpdateMany<Objectives>| {
        update
            .col_expr(
                objective_entity::Column::Title,
                Expr::value(checked.title.clone()),
            )
            .col_expr(
                objective_entity::Column::Description,
                Expr::value(checked.description),
            )
            .col_expr(
                objective_entity::Column::OwnerId,
                Expr::value(checked.owner_id),
            )
            .col_expr(
                objective_entity::Column::ServiceId,
                Expr::value(checked.service_id),
            )
            .col_expr(
                objective_entity::Column::KpiName,
                Expr::value(checked.kpi.name),
            )
            .col_expr(
                objective_entity::Column::Unit,
                Expr::value(checked.kpi.unit),
            )
            .col_expr(
                objective_entity::Column::Baseline,
                Expr::value(checked.kpi.baseline),
            )
            .col_expr(
                objective_entity::Column::Target,
                Expr::value(checked.kpi.target),
            )
            .col_expr(
                objective_entity::Column::Direction,
                Expr::value(checked.kpi.direction.as_str()),
            )
            .col_expr(
                objective_entity::Column::Frequency,
                Expr::value(checked.frequency.as_str()),
            )
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::Objective,
        id,
        "objective_updated",
        format!("Objective “{}” changed", checked.title),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Whether `user` may record a measurement of an objective owned by `owner_id`.
pub fn may_measure(user: &CurrentUser, owner_id: i64) -> bool {
    user.id == owner_id || user.roles.contains(&Role::QualityManager)
}

/// Records a measurement (by the objective's owner or a quality manager).
pub async fn record_measurement(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    objective_id: i64,
    form: MeasurementForm,
    today: NaiveDate,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let row = objective_row(&txn, objective_id).await?;
    if !may_measure(user, row.owner_id) {
        return Err(AppError::Refused(
            "Only the objective's owner or a quality manager records its measurements.".into(),
        ));
    }
    if row.retired {
        return Err(AppError::BadRequest("The objective is retired.".into()));
    }
    let (on, value, note) = form.check(today)?;
    measurement_entity::ActiveModel {
        objective_id: Set(objective_id),
        measured_on: Set(on),
        value: Set(value),
        note: Set(note),
        recorded_by: Set(user.id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let unit = if row.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", row.unit)
    };
    audit::record(
        &txn,
        actor,
        RecordType::Objective,
        objective_id,
        "objective_measured",
        format!("“{}”: {value}{unit} on {on}", row.title),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
