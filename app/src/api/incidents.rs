//! Server functions of incidents (clause 8.6.1). Everyone reads them (`IncidentRead`); those
//! who work in the SMS report them (`IncidentRaise`); each step is decided by the lifecycle in
//! `model::incident` with the caller's roles, so the permission checked here is only the door.
//! Every write tells open queues and records afterwards.

use crate::error::AppError;
use crate::model::incident::{
    CauseForm, CausedIncidents, IncidentChoices, IncidentForm, IncidentRecord, ReviewForm, StepForm,
};
use crate::model::incident_queue::{QueuePage, QueueParams};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::{announce_incident, require},
    crate::model::access::{Permission, RecordType},
    crate::server::service::{incident_causes, incidents},
};

/// One page of the queue, as its query string asks.
#[server(endpoint = "incidents/queue")]
pub async fn incident_queue(params: QueueParams) -> Result<QueuePage, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    crate::server::service::incident_queue::page(
        &caller.db,
        &params,
        caller.user.id,
        chrono::Utc::now(),
        crate::model::incident_queue::QUEUE_PAGE_SIZE,
    )
    .await
}

/// The board: the first page of each open state under the same filters as the queue.
#[server(endpoint = "incidents/board")]
pub async fn incident_board(
    params: QueueParams,
) -> Result<crate::model::incident_queue::IncidentBoard, AppError> {
    use crate::model::incident_queue::{board_states, IncidentBoard};
    let caller = require(Permission::IncidentRead).await?;
    let now = chrono::Utc::now();
    let mut columns = Vec::new();
    for state in board_states() {
        let column = QueueParams {
            state: state.as_str().to_string(),
            sort: "due".into(),
            page: String::new(),
            after: String::new(),
            before: String::new(),
            ..params.clone()
        };
        let page = crate::server::service::incident_queue::page(
            &caller.db,
            &column,
            caller.user.id,
            now,
            crate::model::incident_queue::QUEUE_PAGE_SIZE,
        )
        .await?;
        columns.push((state, page));
    }
    Ok(IncidentBoard {
        columns,
        read_at: now,
    })
}

/// One incident, with the steps the caller may take now.
#[server(endpoint = "incidents/get")]
pub async fn get_incident(id: i64) -> Result<IncidentRecord, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    incidents::record(caller.db.reader(), &caller.user, id, chrono::Utc::now()).await
}

/// What the incident forms offer.
#[server(endpoint = "incidents/choices")]
pub async fn incident_form_choices() -> Result<IncidentChoices, AppError> {
    use crate::model::actor::ActorFacts;
    use crate::model::incident::works_incidents;
    use crate::server::service::{catalogue, service_levels, users};
    let caller = require(Permission::IncidentRead).await?;
    let conn = caller.db.reader();
    let reporters = if works_incidents(&ActorFacts::from(&caller.user)) {
        users::active_people(conn).await?
    } else {
        Vec::new()
    };
    Ok(IncidentChoices {
        services: catalogue::active_refs(conn).await?,
        workers: users::active_people_where(conn, |roles| {
            works_incidents(&ActorFacts::person(0, roles.to_vec()))
        })
        .await?,
        reporters,
        matrix: service_levels::settings(conn).await?.matrix,
    })
}

/// Raises an incident and goes to its record.
#[server(endpoint = "incidents/raise")]
pub async fn raise_incident(form: IncidentForm) -> Result<i64, AppError> {
    let caller = require(Permission::IncidentRaise).await?;
    let raised = incidents::raise(
        &caller.db,
        &caller.user,
        &caller.actor(),
        &form,
        chrono::Utc::now(),
    )
    .await;
    let id = caller.counted(RecordType::Incident, None, raised).await?;
    announce_incident(id, 1);
    leptos_axum::redirect(&format!("/incidents/{id}"));
    Ok(id)
}

/// One lifecycle step (assign, start, wait, resume, resolve, reopen, close), against the
/// version the record was read at.
#[server(endpoint = "incidents/step")]
pub async fn incident_step(id: i64, version: i32, form: StepForm) -> Result<(), AppError> {
    let caller = require(Permission::IncidentRaise).await?;
    let taken = incidents::take_step(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
        chrono::Utc::now(),
    )
    .await;
    caller
        .counted(RecordType::Incident, Some(id), taken)
        .await?;
    announce_incident(id, version + 1);
    Ok(())
}

/// A line on the timeline: a work note, or (`kind` = `communication`) what was told to users
/// and stakeholders during a major incident.
#[server(endpoint = "incidents/note")]
pub async fn incident_note(
    id: i64,
    note: String,
    #[server(default)] kind: Option<String>,
) -> Result<(), AppError> {
    use crate::model::incident::TimelineKind;
    let caller = require(Permission::IncidentRaise).await?;
    let kind = match kind.as_deref() {
        None | Some("") | Some("note") => TimelineKind::Note,
        Some("communication") => TimelineKind::Communication,
        Some(_) => {
            return Err(AppError::single_field(
                "kind",
                "Add a note or a communication.",
            ))
        }
    };
    let added = incidents::add_note(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        kind,
        &note,
        chrono::Utc::now(),
    )
    .await;
    caller
        .counted(RecordType::Incident, Some(id), added)
        .await?;
    announce_incident(id, 0);
    Ok(())
}

/// Declares a major incident (`major` true) or stands it down.
#[server(endpoint = "incidents/major")]
pub async fn incident_major(id: i64, version: i32, major: bool) -> Result<(), AppError> {
    let caller = require(Permission::IncidentWork).await?;
    let set = incidents::set_major(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        major,
        chrono::Utc::now(),
    )
    .await;
    caller.counted(RecordType::Incident, Some(id), set).await?;
    announce_incident(id, version + 1);
    Ok(())
}

/// Completes a major incident's post-incident review; its actions go to the improvement
/// register in the same step.
#[server(endpoint = "incidents/review")]
pub async fn incident_review(id: i64, version: i32, form: ReviewForm) -> Result<(), AppError> {
    let caller = require(Permission::IncidentWork).await?;
    let completed = incidents::complete_review(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
        chrono::Utc::now(),
    )
    .await
    .map(|_| ());
    caller
        .counted(RecordType::Incident, Some(id), completed)
        .await?;
    announce_incident(id, version + 1);
    Ok(())
}

/// Names the change that caused the incident (an empty reference says none did).
#[server(endpoint = "incidents/cause")]
pub async fn incident_cause(id: i64, version: i32, form: CauseForm) -> Result<(), AppError> {
    let caller = require(Permission::IncidentWork).await?;
    let set = incident_causes::set_cause(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
        chrono::Utc::now(),
    )
    .await;
    caller.counted(RecordType::Incident, Some(id), set).await?;
    announce_incident(id, version + 1);
    Ok(())
}

/// The incidents a change caused, for the change's record.
#[server(endpoint = "incidents/caused_by")]
pub async fn incidents_caused_by(change_id: i64) -> Result<CausedIncidents, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    incident_causes::caused_by(caller.db.reader(), change_id).await
}

/// What importing `csv` (incidents from another tool) would do, row by row; writes nothing.
#[server(endpoint = "incidents/import/preview")]
pub async fn preview_incident_import(
    csv: String,
) -> Result<crate::model::csv_import::ImportPreview, AppError> {
    let caller = require(Permission::IncidentImport).await?;
    Ok(crate::server::service::incident_import::plan(
        caller.db.reader(),
        &caller.user,
        &csv,
        chrono::Utc::now(),
    )
    .await?
    .preview)
}

/// Imports `csv`: every new row becomes an incident, in one transaction, or none does.
/// Returns the references created.
#[server(endpoint = "incidents/import")]
pub async fn import_incidents(csv: String) -> Result<Vec<String>, AppError> {
    let caller = require(Permission::IncidentImport).await?;
    let created = crate::server::service::incident_import::import(
        &caller.db,
        &caller.user,
        &caller.actor(),
        &csv,
        chrono::Utc::now(),
    )
    .await?;
    // One announcement is enough: open queues fetch their page again.
    if let Some(last) = created.last() {
        announce_incident(*last, 1);
    }
    Ok(created
        .into_iter()
        .map(crate::model::incident::reference)
        .collect())
}
