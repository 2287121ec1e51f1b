//! Incidents caused by a change (8.5.1 meets 8.6.1): someone working an incident names the
//! change that caused it; the change's record lists those incidents, its review counts at
//! least them, and the change KPIs (the service report, the management review) count a change
//! that caused incidents as one that did not succeed.

use crate::error::AppError;
use crate::model::access::RecordType;
use crate::model::actor::ActorFacts;
use crate::model::change::ChangeState;
use crate::model::change_request::reference as change_reference;
use crate::model::incident::{
    self, reference, CauseForm, CausedIncident, CausedIncidents, IncidentCause, IncidentState,
    TimelineKind,
};
use crate::model::priority_matrix::TicketPriority;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::change::{Column as ChangeColumn, Entity as Changes};
use crate::server::entity::incident::{self as row_entity, Entity as Incidents};
use crate::server::service::incidents::add_event;
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, UpdateMany,
};
use std::collections::HashSet;

/// How many caused incidents a change's record lists (the count says how many there are).
pub const LISTED: u64 = 25;

/// The change as an incident's record names it; `None` when it no longer exists.
pub async fn cause<C: ConnectionTrait>(
    conn: &C,
    change_id: i64,
) -> Result<Option<IncidentCause>, AppError> {
    let found: Option<(i64, String, String)> = Changes::find_by_id(change_id)
        .select_only()
        .columns([ChangeColumn::Id, ChangeColumn::Title, ChangeColumn::State])
        .into_tuple()
        .one(conn)
        .await?;
    Ok(found.map(|(id, title, state)| IncidentCause {
        id,
        reference: change_reference(id),
        title,
        state: ChangeState::parse(&state).unwrap_or(ChangeState::Closed),
    }))
}

/// Names the change that caused incident `id` (or, with an empty form, says none did). Only
/// those who work incidents do this, on an incident not yet closed, and only a change whose
/// implementation began can have caused anything.
pub async fn set_cause(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &CauseForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !incident::works_incidents(&ActorFacts::from(user)) {
        return Err(AppError::Refused(
            "Only those who work incidents name the change that caused one.".into(),
        ));
    }
    let change_id = form.validate()?;
    let txn = db.begin_write().await?;
    let before = Incidents::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That incident".into()))?;
    if before.state == IncidentState::Closed.as_str() {
        return Err(AppError::Refused("The incident is closed.".into()));
    }
    check_version::<Incidents>(version, before.version)?;
    if before.caused_by_change_id == change_id {
        return Ok(());
    }
    let named = match change_id {
        None => None,
        Some(change_id) => {
            let Some(change) = cause(&txn, change_id).await? else {
                return Err(AppError::single_field(
                    "change",
                    format!("There is no {}.", change_reference(change_id)),
                ));
            };
            if !change.state.was_carried_out() {
                return Err(AppError::single_field(
                    "change",
                    format!(
                        "{} is {}: only a change whose implementation began can cause an incident.",
                        change.reference,
                        change.state.label().to_lowercase()
                    ),
                ));
            }
            Some(change)
        }
    };
    versioned::update(&txn, id, version, |update: UpdateMany<Incidents>| {
        update.col_expr(row_entity::Column::CausedByChangeId, Expr::value(change_id))
    })
    .await?;
    let what = match (&named, before.caused_by_change_id) {
        (Some(change), _) => format!("Caused by {} “{}”", change.reference, change.title),
        (None, Some(old)) => format!("Not caused by {} after all", change_reference(old)),
        (None, None) => "No change caused it".into(),
    };
    add_event(
        &txn,
        id,
        now,
        Some(user.id),
        TimelineKind::Step,
        what.clone(),
    )
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::Incident,
        id,
        "incident_cause",
        format!("{}: {}", reference(id), what.to_lowercase()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The incidents change `change_id` caused: the first `LISTED`, newest first, and how many.
pub async fn caused_by<C: ConnectionTrait>(
    conn: &C,
    change_id: i64,
) -> Result<CausedIncidents, AppError> {
    let linked = Incidents::find().filter(row_entity::Column::CausedByChangeId.eq(change_id));
    let total = linked.clone().count(conn).await?;
    let rows: Vec<(i64, String, String, String)> = linked
        .select_only()
        .columns([
            row_entity::Column::Id,
            row_entity::Column::Title,
            row_entity::Column::Priority,
            row_entity::Column::State,
        ])
        .order_by_desc(row_entity::Column::Id)
        .limit(LISTED)
        .into_tuple()
        .all(conn)
        .await?;
    let listed = rows
        .into_iter()
        .map(|(id, title, priority, state)| CausedIncident {
            id,
            reference: reference(id),
            title,
            priority: TicketPriority::parse(&priority).unwrap_or(TicketPriority::P5),
            state: IncidentState::parse(&state).unwrap_or(IncidentState::New),
        })
        .collect();
    Ok(CausedIncidents { listed, total })
}

/// How many incidents change `change_id` caused.
pub async fn count_caused<C: ConnectionTrait>(conn: &C, change_id: i64) -> Result<u64, AppError> {
    Ok(Incidents::find()
        .filter(row_entity::Column::CausedByChangeId.eq(change_id))
        .count(conn)
        .await?)
}

/// Which of `change_ids` caused at least one incident (read in chunks, by the index).
pub async fn changes_that_caused<C: ConnectionTrait>(
    conn: &C,
    change_ids: &[i64],
) -> Result<HashSet<i64>, AppError> {
    let mut found = HashSet::new();
    for chunk in change_ids.chunks(500) {
        let rows: Vec<Option<i64>> = Incidents::find()
            .select_only()
            .column(row_entity::Column::CausedByChangeId)
            .filter(row_entity::Column::CausedByChangeId.is_in(chunk.to_vec()))
            .distinct()
            .into_tuple()
            .all(conn)
            .await?;
        found.extend(rows.into_iter().flatten());
    }
    Ok(found)
}
