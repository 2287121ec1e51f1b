//! Incidents and problems name the configuration items they touch (8.2.6 meets 8.6.1 and
//! 8.6.3): those who work the record name an item by reference or name, or take it off again,
//! against the record's version, while the record is open; each is recorded in the audit log
//! (and on an incident's timeline). A record's reach is the services a failure of its items
//! affects — flagged where the record does not name the service; an item's page lists the
//! records that named it.

use crate::error::AppError;
use crate::model::access::{Permission, RecordType};
use crate::model::actor::ActorFacts;
use crate::model::cmdb::{
    reference as ci_reference, ChangeImpact, CiNameForm, CiRef, CiStatus, Impact, NamedBy, Naming,
    MAX_NAMED,
};
use crate::model::incident::{self, IncidentState, TimelineKind};
use crate::model::problem::{self, ProblemState};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::incident::Entity as Incidents;
use crate::server::entity::problem::Entity as Problems;
use crate::server::entity::record_ci::{ActiveModel, Column, Entity as Links};
use crate::server::failure::is_unique_violation;
use crate::server::service::cmdb;
use crate::server::service::incidents::add_event;
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, UpdateMany,
};

/// How many records an item's page lists (newest first).
pub const LISTED: u64 = 25;

/// Checks that `user` works records of this kind and that record `id` is open and still at
/// `version`, then bumps its version (the naming is a change to the record); answers the
/// record's reference for its history.
async fn open_for_naming<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    on: NamedBy,
    id: i64,
    version: i32,
) -> Result<String, AppError> {
    let facts = ActorFacts::from(user);
    match on {
        NamedBy::Incident => {
            if !incident::works_incidents(&facts) {
                return Err(AppError::Refused(
                    "Only those who work incidents name the items an incident touches.".into(),
                ));
            }
            let row = Incidents::find_by_id(id)
                .one(conn)
                .await?
                .ok_or_else(|| AppError::NotFound("That incident".into()))?;
            if row.state == IncidentState::Closed.as_str() {
                return Err(AppError::Refused("The incident is closed.".into()));
            }
            check_version::<Incidents>(version, row.version)?;
            versioned::update(conn, id, version, |update: UpdateMany<Incidents>| update).await?;
            Ok(incident::reference(id))
        }
        NamedBy::Problem => {
            if !problem::works_problems(&facts) {
                return Err(AppError::Refused(
                    "Only resolvers and service level managers work problems.".into(),
                ));
            }
            let row = Problems::find_by_id(id)
                .one(conn)
                .await?
                .ok_or_else(|| AppError::NotFound("That problem".into()))?;
            // As its analysis: once resolved, what it touched is settled.
            if !ProblemState::parse(&row.state).is_some_and(ProblemState::is_open) {
                return Err(AppError::Refused(
                    "The problem is resolved: its configuration items are settled.".into(),
                ));
            }
            check_version::<Problems>(version, row.version)?;
            versioned::update(conn, id, version, |update: UpdateMany<Problems>| update).await?;
            Ok(problem::reference(id))
        }
    }
}

/// What a naming did, on an incident's timeline and in the audit trail.
#[allow(clippy::too_many_arguments)]
async fn recorded<C: ConnectionTrait>(
    txn: &C,
    user: &CurrentUser,
    actor: &Actor,
    (on, id): (NamedBy, i64),
    reference: &str,
    action: &'static str,
    what: String,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if on == NamedBy::Incident {
        add_event(
            txn,
            id,
            now,
            Some(user.id),
            TimelineKind::Step,
            what.clone(),
        )
        .await?;
    }
    audit::record(
        txn,
        actor,
        record_type(on),
        id,
        action,
        format!("{reference}: {}", what.to_lowercase()),
    )
    .await?;
    Ok(())
}

fn record_type(on: NamedBy) -> RecordType {
    match on {
        NamedBy::Incident => RecordType::Incident,
        NamedBy::Problem => RecordType::Problem,
    }
}

/// Names an item on record `id` (read at `version`).
#[allow(clippy::too_many_arguments)]
pub async fn name_item(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    on: NamedBy,
    id: i64,
    version: i32,
    form: &CiNameForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let target = form.validate()?;
    let txn = db.begin_write().await?;
    let reference = open_for_naming(&txn, user, on, id, version).await?;
    let item = cmdb::find_target(&txn, &target).await?;
    let label = format!("{} {}", ci_reference(item.id), item.name);
    if CiStatus::parse(&item.status) == Some(CiStatus::Retired) {
        return Err(AppError::single_field(
            "target",
            format!("{label} is retired: it is no longer in use."),
        ));
    }
    let named = Links::find()
        .filter(Column::RecordType.eq(on.as_str()))
        .filter(Column::RecordId.eq(id))
        .count(&txn)
        .await?;
    if named >= MAX_NAMED as u64 {
        return Err(AppError::single_field(
            "target",
            format!("A record names at most {MAX_NAMED} items."),
        ));
    }
    ActiveModel {
        record_type: Set(on.as_str().into()),
        record_id: Set(id),
        ci_id: Set(item.id),
        created_by: Set(user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::single_field("target", format!("{label} is already named."))
        } else {
            e.into()
        }
    })?;
    let what = format!("Names configuration item {label}");
    recorded(
        &txn,
        user,
        actor,
        (on, id),
        &reference,
        "ci_named",
        what,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Takes item `ci_id` off record `id` (read at `version`).
#[allow(clippy::too_many_arguments)]
pub async fn unname_item(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    on: NamedBy,
    id: i64,
    version: i32,
    ci_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let reference = open_for_naming(&txn, user, on, id, version).await?;
    let removed = Links::delete_many()
        .filter(Column::RecordType.eq(on.as_str()))
        .filter(Column::RecordId.eq(id))
        .filter(Column::CiId.eq(ci_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(AppError::NotFound(
            "That configuration item on the record".into(),
        ));
    }
    let what = format!("No longer names {}", ci_reference(ci_id));
    recorded(
        &txn,
        user,
        actor,
        (on, id),
        &reference,
        "ci_unnamed",
        what,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The items record `id` names and the services a failure of those in use would affect,
/// against the record's own service.
pub async fn reach<C: ConnectionTrait>(
    conn: &C,
    on: NamedBy,
    id: i64,
) -> Result<ChangeImpact, AppError> {
    let service_id: Option<i64> = match on {
        NamedBy::Incident => {
            Incidents::find_by_id(id)
                .select_only()
                .column(crate::server::entity::incident::Column::ServiceId)
                .into_tuple()
                .one(conn)
                .await?
        }
        NamedBy::Problem => {
            Problems::find_by_id(id)
                .select_only()
                .column(crate::server::entity::problem::Column::ServiceId)
                .into_tuple()
                .one(conn)
                .await?
        }
    };
    let Some(service_id) = service_id else {
        return Err(AppError::NotFound(format!("That {}", on.label())));
    };
    reach_from(conn, on, id, service_id).await
}

/// A record's reach as its page shows it: only to readers of the CMDB (others see no
/// panel), read with the record so the page loads it in one request.
pub async fn reach_for<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    (on, id): (NamedBy, i64),
    service_id: i64,
) -> Result<Option<ChangeImpact>, AppError> {
    if !user.may(Permission::ConfigurationRead) {
        return Ok(None);
    }
    reach_from(conn, on, id, service_id).await.map(Some)
}

/// The reach of record `id` of service `service_id` (its caller has read the record).
async fn reach_from<C: ConnectionTrait>(
    conn: &C,
    on: NamedBy,
    id: i64,
    service_id: i64,
) -> Result<ChangeImpact, AppError> {
    let ids: Vec<i64> = Links::find()
        .select_only()
        .column(Column::CiId)
        .filter(Column::RecordType.eq(on.as_str()))
        .filter(Column::RecordId.eq(id))
        .order_by_asc(Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let found = cmdb::refs_of(conn, &ids).await?;
    let items: Vec<CiRef> = ids.iter().filter_map(|id| found.get(id).cloned()).collect();
    let in_use: Vec<i64> = items
        .iter()
        .filter(|i| i.status != CiStatus::Retired)
        .map(|i| i.id)
        .collect();
    let impact = if in_use.is_empty() {
        Impact::default()
    } else {
        cmdb::impact_of(conn, &in_use).await?
    };
    Ok(ChangeImpact {
        subject: on.label().into(),
        items,
        unknown: Vec::new(),
        services: impact.services,
        named: vec![service_id],
        reached: impact.reached,
    })
}

/// The records that named item `ci_id`, newest first (the first `LISTED` of each kind), with
/// how many there are.
pub async fn naming<C: ConnectionTrait>(conn: &C, ci_id: i64) -> Result<Naming, AppError> {
    let mut out = Naming::default();
    for on in NamedBy::ALL {
        let select = Links::find()
            .filter(Column::CiId.eq(ci_id))
            .filter(Column::RecordType.eq(on.as_str()));
        let total = select.clone().count(conn).await?;
        let ids: Vec<i64> = select
            .select_only()
            .column(Column::RecordId)
            .order_by_desc(Column::RecordId)
            .limit(LISTED)
            .into_tuple()
            .all(conn)
            .await?;
        let titled: Vec<(i64, String)> = match on {
            NamedBy::Incident => {
                use crate::server::entity::incident::Column as C;
                Incidents::find()
                    .select_only()
                    .columns([C::Id, C::Title])
                    .filter(C::Id.is_in(ids))
                    .order_by_desc(C::Id)
                    .into_tuple()
                    .all(conn)
                    .await?
            }
            NamedBy::Problem => {
                use crate::server::entity::problem::Column as C;
                Problems::find()
                    .select_only()
                    .columns([C::Id, C::Title])
                    .filter(C::Id.is_in(ids))
                    .order_by_desc(C::Id)
                    .into_tuple()
                    .all(conn)
                    .await?
            }
        };
        let listed = titled
            .into_iter()
            .map(|(id, title)| {
                let (reference, href) = match on {
                    NamedBy::Incident => (incident::reference(id), format!("/incidents/{id}")),
                    NamedBy::Problem => (problem::reference(id), format!("/problems/{id}")),
                };
                (format!("{reference} {title}"), href)
            })
            .collect();
        match on {
            NamedBy::Incident => {
                out.incidents = listed;
                out.incidents_total = total;
            }
            NamedBy::Problem => {
                out.problems = listed;
                out.problems_total = total;
            }
        }
    }
    Ok(out)
}
