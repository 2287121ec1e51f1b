//! Service requests (clause 8.6.2): the catalogue of request types, requests raised from it,
//! approved where the type says so, and fulfilled against a target on the service's hours —
//! the agreement's fulfilment target, or the type's own. Each step moves the fulfilment clock
//! as `model::service_request` says, stores its warning and due instants for the queue, adds
//! a line to the timeline and an audit entry, in one transaction checked against the version
//! the step was offered at.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::actor::ActorFacts;
use crate::model::incident_queue::{not_due, QueuePage, COUNT_LIMIT};
use crate::model::refs::{PersonRef, ServiceRef};
use crate::model::service_hours::ServiceHours;
use crate::model::service_request::{
    self, check_answers, clock_effect, reference, Answer, ClockEffect, RequestAction,
    RequestCatalogue, RequestEvent, RequestFacts, RequestField, RequestForm, RequestListParams,
    RequestPage, RequestRecord, RequestRow, RequestState, RequestStepForm, RequestType,
    RequestTypeForm, ServiceRequest, StateFilter,
};
use crate::model::target_clock::{ClockStatus, TargetClock};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::request_type::{self as type_entity, Entity as RequestTypes};
use crate::server::entity::service_request::{self as row_entity, Column, Entity as Requests};
use crate::server::entity::service_request_event::{self as event_entity, Entity as Events};
use crate::server::service::incidents::{check_worker, hours_of};
use crate::server::service::key_paging::{self, KeyOrder};
use crate::server::service::users::{active_people_where, people, person};
use crate::server::service::{agreements, catalogue, service_levels};
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter,
    QueryOrder, QuerySelect, Select, Set, UpdateMany,
};

// ---------------------------------------------------------------------------------------
// The catalogue

fn fields_of(row: &type_entity::Model) -> Vec<RequestField> {
    serde_json::from_str(&row.fields).unwrap_or_default()
}

fn type_of(row: type_entity::Model, service: ServiceRef) -> RequestType {
    RequestType {
        id: row.id,
        fields: fields_of(&row),
        service,
        name: row.name,
        description: row.description,
        approval_required: row.approval_required,
        fulfilment_minutes: row.fulfilment_minutes.and_then(|m| u32::try_from(m).ok()),
        active: row.active,
        version: row.version,
    }
}

async fn type_row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<type_entity::Model, AppError> {
    RequestTypes::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That request type".into()))
}

/// One request type, as its editor shows it.
pub async fn request_type<C: ConnectionTrait>(conn: &C, id: i64) -> Result<RequestType, AppError> {
    let row = type_row(conn, id).await?;
    let names = catalogue::names_of(conn, [row.service_id]).await?;
    let service = ServiceRef {
        id: row.service_id,
        name: names.get(&row.service_id).cloned().unwrap_or_default(),
    };
    Ok(type_of(row, service))
}

/// The catalogue by service: what anyone may ask for (a catalogue keeper also sees the types
/// taken out of it). Types of archived services are not offered.
pub async fn catalogue<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
) -> Result<RequestCatalogue, AppError> {
    let may_manage = user.may(crate::model::access::Permission::RequestTypeManage);
    let services = catalogue::active_refs(conn).await?;
    let mut query = RequestTypes::find().filter(
        type_entity::Column::ServiceId.is_in(services.iter().map(|s| s.id).collect::<Vec<_>>()),
    );
    if !may_manage {
        query = query.filter(type_entity::Column::Active.eq(true));
    }
    let rows = query
        .order_by_asc(type_entity::Column::Name)
        .order_by_asc(type_entity::Column::Id)
        .all(conn)
        .await?;
    let mut types: Vec<RequestType> = rows
        .into_iter()
        .filter_map(|row| {
            let service = services.iter().find(|s| s.id == row.service_id)?.clone();
            Some(type_of(row, service))
        })
        .collect();
    types.sort_by(|a, b| {
        (a.service.name.to_lowercase(), a.name.to_lowercase())
            .cmp(&(b.service.name.to_lowercase(), b.name.to_lowercase()))
    });
    Ok(RequestCatalogue { types, may_manage })
}

async fn check_type_service<C: ConnectionTrait>(conn: &C, service_id: i64) -> Result<(), AppError> {
    if catalogue::is_active(conn, service_id).await? {
        Ok(())
    } else {
        Err(AppError::single_field(
            "service_id",
            "Choose a service from the catalogue (not an archived one).",
        ))
    }
}

/// Adds a request type to the catalogue; returns its id.
pub async fn create_type(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    form: &RequestTypeForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let draft = form.validate()?;
    let txn = db.begin_write().await?;
    check_type_service(&txn, draft.service_id).await?;
    let inserted = type_entity::ActiveModel {
        service_id: Set(draft.service_id),
        name: Set(draft.name.clone()),
        description: Set(draft.description.clone()),
        approval_required: Set(draft.approval_required),
        fulfilment_minutes: Set(draft.fulfilment_minutes.map(|m| m as i32)),
        active: Set(draft.active),
        fields: Set(serde_json::to_string(&draft.fields).unwrap_or_else(|_| "[]".into())),
        created_by: Set(user.id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::RequestType,
        inserted.id,
        "request_type_created",
        format!(
            "Request type “{}” added ({} field(s), {})",
            draft.name,
            draft.fields.len(),
            if draft.approval_required {
                "approval needed"
            } else {
                "no approval"
            }
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(inserted.id)
}

/// Saves a request type, against the version it was read at. Requests already raised keep
/// the questions they were asked and the target they started with.
pub async fn update_type(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &RequestTypeForm,
) -> Result<(), AppError> {
    let draft = form.validate()?;
    let txn = db.begin_write().await?;
    let before = type_row(&txn, id).await?;
    check_version::<RequestTypes>(version, before.version)?;
    if draft.service_id != before.service_id {
        check_type_service(&txn, draft.service_id).await?;
    }
    let fields = serde_json::to_string(&draft.fields).unwrap_or_else(|_| "[]".into());
    versioned::update(&txn, id, version, |update: UpdateMany<RequestTypes>| {
        use type_entity::Column as T;
        update
            .col_expr(T::ServiceId, Expr::value(draft.service_id))
            .col_expr(T::Name, Expr::value(draft.name.clone()))
            .col_expr(T::Description, Expr::value(draft.description.clone()))
            .col_expr(T::ApprovalRequired, Expr::value(draft.approval_required))
            .col_expr(
                T::FulfilmentMinutes,
                Expr::value(draft.fulfilment_minutes.map(|m| m as i32)),
            )
            .col_expr(T::Active, Expr::value(draft.active))
            .col_expr(T::Fields, Expr::value(fields.clone()))
    })
    .await?;
    let mut changes = Vec::new();
    if before.approval_required != draft.approval_required {
        changes.push(if draft.approval_required {
            "now needs approval"
        } else {
            "no longer needs approval"
        });
    }
    if before.active != draft.active {
        changes.push(if draft.active {
            "offered again"
        } else {
            "taken out of the catalogue"
        });
    }
    if before.fields != fields {
        changes.push("fields changed");
    }
    audit::record(
        &txn,
        actor,
        RecordType::RequestType,
        id,
        "request_type_updated",
        format!(
            "Request type “{}” saved{}",
            draft.name,
            if changes.is_empty() {
                String::new()
            } else {
                format!(": {}", changes.join(", "))
            }
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The fulfilment clock

fn clock_of(row: &row_entity::Model) -> Option<TargetClock> {
    row.target_minutes.map(|target| TargetClock {
        target_minutes: u32::try_from(target).unwrap_or(0),
        used_seconds: row.used_seconds,
        running_since: row.running_since,
        stopped_at: row.stopped_at,
    })
}

/// The clock as its columns store it, with the warning and due instants of its reading at
/// `now` and the queue's sort key (never empty, so an index serves the queue's order).
fn clock_values(
    clock: &Option<TargetClock>,
    hours: &ServiceHours,
    now: DateTime<Utc>,
) -> Vec<(Column, sea_orm::Value)> {
    let zone = service_levels::zone_of(hours);
    let reading = clock.as_ref().map(|c| c.read(hours, &zone, now));
    let due = reading.as_ref().and_then(|r| r.due_at);
    vec![
        (
            Column::TargetMinutes,
            clock.as_ref().map(|c| c.target_minutes as i32).into(),
        ),
        (
            Column::UsedSeconds,
            clock.as_ref().map_or(0, |c| c.used_seconds).into(),
        ),
        (
            Column::RunningSince,
            clock.as_ref().and_then(|c| c.running_since).into(),
        ),
        (
            Column::StoppedAt,
            clock.as_ref().and_then(|c| c.stopped_at).into(),
        ),
        (
            Column::WarningAt,
            reading.as_ref().and_then(|r| r.warning_at).into(),
        ),
        (Column::DueAt, due.into()),
        (Column::QueueDueAt, due.unwrap_or_else(not_due).into()),
    ]
}

fn move_clock(
    clock: &mut Option<TargetClock>,
    effect: ClockEffect,
    hours: &ServiceHours,
    now: DateTime<Utc>,
) {
    let zone = service_levels::zone_of(hours);
    if let Some(clock) = clock {
        match effect {
            ClockEffect::Keep => {}
            ClockEffect::Start | ClockEffect::Resume => clock.resume(now),
            ClockEffect::Pause => clock.pause(hours, &zone, now),
            ClockEffect::Stop => clock.stop(hours, &zone, now),
            ClockEffect::Restart => clock.restart(now),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Raising a request

async fn add_event<C: ConnectionTrait>(
    conn: &C,
    request_id: i64,
    at: DateTime<Utc>,
    author_id: Option<i64>,
    body: String,
) -> Result<(), AppError> {
    event_entity::ActiveModel {
        request_id: Set(request_id),
        at: Set(at),
        author_id: Set(author_id),
        body: Set(body),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Raises a request from the catalogue; returns its id. The service desk may raise it on
/// behalf of the person who asked; anyone else asks for themselves.
pub async fn raise(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    form: &RequestForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let mut errors = FieldErrors::new();
    let draft = form.validate(&mut errors);
    let facts = ActorFacts::from(user);
    let requester_id = draft.requester_id.unwrap_or(user.id);
    if requester_id != user.id && !service_request::works_requests(&facts) {
        errors.add(
            "requester_id",
            "Only the service desk raises a request for someone else.",
        );
    }
    let txn = db.begin_write().await?;
    let request_type = if draft.type_id > 0 {
        RequestTypes::find_by_id(draft.type_id).one(&txn).await?
    } else {
        None
    };
    let Some(request_type) = request_type.filter(|t| t.active) else {
        errors.add(
            "type_id",
            "That request is not offered in the catalogue any more.",
        );
        return Err(errors.into());
    };
    if draft
        .type_version
        .is_some_and(|v| v != request_type.version)
    {
        return Err(AppError::Conflict {
            message: "The request type was changed while you filled it in; nothing was raised. \
                      Look at its questions again."
                .into(),
            current_version: request_type.version,
        });
    }
    if !catalogue::is_active(&txn, request_type.service_id).await? {
        errors.add("type_id", "The service offering this request is archived.");
    }
    let answers = check_answers(&mut errors, &fields_of(&request_type), &form.answers);
    if requester_id != user.id && people(&txn, &[requester_id]).await?.is_empty() {
        errors.add("requester_id", "Choose the person who asked.");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    // The type's own target, or the agreement's fulfilment target, on the agreement's hours.
    let in_force = agreements::in_force(&txn, request_type.service_id, now.date_naive()).await?;
    let agreement_target = in_force
        .as_ref()
        .map(|(_, terms, _)| terms.fulfilment_minutes)
        .filter(|m| *m > 0);
    let target = request_type
        .fulfilment_minutes
        .and_then(|m| u32::try_from(m).ok())
        .or(agreement_target);
    let hours = in_force
        .as_ref()
        .map(|(_, _, hours)| hours.clone())
        .unwrap_or_else(|| ServiceHours::always("UTC"));
    let state = if request_type.approval_required {
        RequestState::AwaitingApproval
    } else {
        RequestState::Open
    };
    // Waiting for approval is not the service desk's time: the clock starts when approved.
    let clock = target.map(|minutes| match state {
        RequestState::AwaitingApproval => TargetClock {
            target_minutes: minutes,
            used_seconds: 0,
            running_since: None,
            stopped_at: None,
        },
        _ => TargetClock::start(minutes, now),
    });
    let mut active = row_entity::ActiveModel {
        type_id: Set(request_type.id),
        service_id: Set(request_type.service_id),
        summary: Set(draft.summary.clone()),
        answers: Set(serde_json::to_string(&answers).unwrap_or_else(|_| "[]".into())),
        state: Set(state.as_str().into()),
        requester_id: Set(requester_id),
        raised_by: Set(user.id),
        approval_required: Set(request_type.approval_required),
        approver_id: Set(None),
        decided_at: Set(None),
        assignee_id: Set(None),
        agreement_id: Set(in_force.as_ref().map(|(id, _, _)| *id)),
        calendar_id: Set(in_force.as_ref().map(|(_, terms, _)| terms.calendar_id)),
        created_at: Set(now),
        fulfilled_at: Set(None),
        closed_at: Set(None),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    };
    for (column, value) in clock_values(&clock, &hours, now) {
        active.set(column, value);
    }
    let inserted = active.insert(&txn).await?;
    let id = inserted.id;
    let target_words = match (request_type.fulfilment_minutes, &in_force, target) {
        (Some(_), _, Some(minutes)) => format!(
            "fulfilment target {} (the request type's)",
            crate::model::target_clock::span(i64::from(minutes) * 60)
        ),
        (None, Some((agreement, _, _)), Some(minutes)) => format!(
            "fulfilment target {} ({})",
            crate::model::target_clock::span(i64::from(minutes) * 60),
            agreements::reference(*agreement)
        ),
        _ => "no fulfilment target applies".into(),
    };
    let on_behalf = if requester_id == user.id {
        String::new()
    } else {
        format!(", on behalf of the requester by {}", user.name)
    };
    add_event(
        &txn,
        id,
        now,
        Some(user.id),
        format!(
            "Raised from “{}”: {target_words}{}{on_behalf}",
            request_type.name,
            if request_type.approval_required {
                "; waiting for approval"
            } else {
                ""
            }
        ),
    )
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::ServiceRequest,
        id,
        "request_raised",
        format!(
            "{} “{}” raised from “{}”",
            reference(id),
            draft.summary,
            request_type.name
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

// ---------------------------------------------------------------------------------------
// The lifecycle

async fn row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<row_entity::Model, AppError> {
    Requests::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That request".into()))
}

fn state_of(row: &row_entity::Model) -> RequestState {
    RequestState::parse(&row.state).unwrap_or(RequestState::Open)
}

fn facts_of(row: &row_entity::Model) -> RequestFacts {
    RequestFacts {
        state: state_of(row),
        requester_id: row.requester_id,
        raised_by: row.raised_by,
        assignee_id: row.assignee_id,
        has_note: false,
    }
}

/// Whether `user` may see request `row`: their own, or everyone's for those who work,
/// approve or check requests. Others are told it is not there, not that it is someone else's.
fn check_visible(user: &CurrentUser, row: &row_entity::Model) -> Result<(), AppError> {
    let facts = ActorFacts::from(user);
    if service_request::reads_all_requests(&facts)
        || row.requester_id == user.id
        || row.raised_by == user.id
    {
        Ok(())
    } else {
        Err(AppError::NotFound("That request".into()))
    }
}

/// Takes one step of the lifecycle, against the version it was offered at.
pub async fn take_step(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &RequestStepForm,
    now: DateTime<Utc>,
) -> Result<RequestState, AppError> {
    let step = form.validate()?;
    let actor_facts = ActorFacts::from(user);
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    check_visible(user, &before)?;
    let mut facts = facts_of(&before);
    let from = facts.state;
    // Only "assign" names who works it.
    let assignee = match step.action {
        RequestAction::Take => step.assignee_id,
        _ => None,
    };
    if assignee.is_some() {
        facts.assignee_id = assignee;
    }
    facts.has_note = step.note.is_some();
    let next = service_request::transition(&facts, step.action, &actor_facts)?;
    let assignee_name = match assignee {
        Some(person) => Some(
            check_worker(
                &txn,
                person,
                "assignee_id",
                "A request is fulfilled by a resolver or a service level manager.",
            )
            .await?,
        ),
        None => None,
    };
    check_version::<Requests>(version, before.version)?;
    let mut clock = clock_of(&before);
    let hours = hours_of(&txn, before.calendar_id).await?;
    move_clock(&mut clock, clock_effect(step.action), &hours, now);
    let clock_columns = clock_values(&clock, &hours, now);
    let deciding = matches!(step.action, RequestAction::Approve | RequestAction::Reject);
    let approver_id = if deciding {
        Some(user.id)
    } else {
        before.approver_id
    };
    let decided_at = if deciding {
        Some(now)
    } else {
        before.decided_at
    };
    let fulfilled_at = match next {
        RequestState::Fulfilled => Some(now),
        RequestState::Closed => before.fulfilled_at,
        _ => None,
    };
    let closed_at = next.is_final().then_some(now);
    versioned::update(&txn, id, version, |update: UpdateMany<Requests>| {
        let mut update = update
            .col_expr(Column::State, Expr::value(next.as_str()))
            .col_expr(Column::AssigneeId, Expr::value(facts.assignee_id))
            .col_expr(Column::ApproverId, Expr::value(approver_id))
            .col_expr(Column::DecidedAt, Expr::value(decided_at))
            .col_expr(Column::FulfilledAt, Expr::value(fulfilled_at))
            .col_expr(Column::ClosedAt, Expr::value(closed_at));
        for (column, value) in clock_columns {
            update = update.col_expr(column, Expr::value(value));
        }
        update
    })
    .await?;
    let mut line = format!("{} → {}", from.label(), next.label());
    if let Some(name) = &assignee_name {
        line.push_str(&format!(", assigned to {name}"));
    }
    if deciding {
        line.push_str(&format!(" by {}", user.name));
    }
    if let Some(note) = &step.note {
        line.push_str(&format!(": {note}"));
    }
    add_event(&txn, id, now, Some(user.id), line).await?;
    audit::record(
        &txn,
        actor,
        RecordType::ServiceRequest,
        id,
        if deciding {
            "request_decided"
        } else {
            "request_step"
        },
        format!(
            "{} “{}”: {} → {} ({}){}",
            reference(id),
            before.summary,
            from.label(),
            next.label(),
            step.action.label(),
            assignee_name
                .map(|name| format!(", assignee {name}"))
                .unwrap_or_default()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

// ---------------------------------------------------------------------------------------
// Reading

/// A request as its page shows it, read at `now`.
pub async fn detail<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    id: i64,
    now: DateTime<Utc>,
) -> Result<ServiceRequest, AppError> {
    let row = row(conn, id).await?;
    check_visible(user, &row)?;
    let request_type = type_row(conn, row.type_id).await?;
    let services = catalogue::names_of(conn, [row.service_id]).await?;
    let events = Events::find()
        .filter(event_entity::Column::RequestId.eq(id))
        .order_by_asc(event_entity::Column::Id)
        .all(conn)
        .await?;
    let mut ids: Vec<i64> = [
        Some(row.requester_id),
        Some(row.raised_by),
        row.approver_id,
        row.assignee_id,
    ]
    .into_iter()
    .flatten()
    .collect();
    ids.extend(events.iter().filter_map(|e| e.author_id));
    ids.sort_unstable();
    ids.dedup();
    let names = people(conn, &ids).await?;
    let hours = hours_of(conn, row.calendar_id).await?;
    let zone = service_levels::zone_of(&hours);
    let clock = clock_of(&row).map(|c| c.read(&hours, &zone, now));
    let target_source = match (request_type.fulfilment_minutes, row.agreement_id) {
        _ if row.target_minutes.is_none() => "No agreement or request type sets a target".into(),
        (Some(_), _) => "The request type's own target".into(),
        (None, Some(agreement)) => agreements::reference(agreement),
        (None, None) => String::new(),
    };
    let answers: Vec<Answer> = serde_json::from_str(&row.answers).unwrap_or_default();
    Ok(ServiceRequest {
        id,
        reference: reference(id),
        type_id: row.type_id,
        type_name: request_type.name,
        service: ServiceRef {
            id: row.service_id,
            name: services.get(&row.service_id).cloned().unwrap_or_default(),
        },
        summary: row.summary.clone(),
        answers,
        state: state_of(&row),
        requester: person(&names, row.requester_id),
        raised_by: person(&names, row.raised_by),
        approval_required: row.approval_required,
        approver: row.approver_id.map(|id| person(&names, id)),
        decided_at: row.decided_at,
        assignee: row.assignee_id.map(|id| person(&names, id)),
        clock,
        target_source,
        created_at: row.created_at,
        fulfilled_at: row.fulfilled_at,
        closed_at: row.closed_at,
        timeline: events
            .into_iter()
            .map(|e| RequestEvent {
                at: e.at,
                author: e.author_id.map(|id| person(&names, id).name),
                body: e.body,
            })
            .collect(),
        version: row.version,
        read_at: now,
    })
}

/// A request as `user` sees it: the record and the steps they may take now.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    id: i64,
    now: DateTime<Utc>,
) -> Result<RequestRecord, AppError> {
    let request = detail(conn, user, id, now).await?;
    let actor = ActorFacts::from(user);
    let facts = RequestFacts {
        state: request.state,
        requester_id: request.requester.id,
        raised_by: request.raised_by.id,
        assignee_id: request.assignee.as_ref().map(|p| p.id),
        has_note: false,
    };
    let actions = service_request::available_actions(&facts, &actor);
    let workers: Vec<PersonRef> = if actions.contains(&RequestAction::Take) {
        active_people_where(conn, |roles| {
            service_request::works_requests(&ActorFacts::person(0, roles.to_vec()))
        })
        .await?
    } else {
        Vec::new()
    };
    Ok(RequestRecord {
        request,
        actions,
        workers,
    })
}

fn open_states() -> Vec<&'static str> {
    RequestState::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(RequestState::as_str)
        .collect()
}

/// The fulfilment target is passed at `now`.
fn breached(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(Column::RunningSince.is_not_null())
                .add(Column::StoppedAt.is_null())
                .add(Column::DueAt.lt(now)),
        )
        .add(
            Condition::all()
                .add(Column::TargetMinutes.is_not_null())
                .add(Expr::col(Column::UsedSeconds).gt(Expr::col(Column::TargetMinutes).mul(60))),
        )
}

fn filtered(
    params: &RequestListParams,
    user: &CurrentUser,
    everyone: bool,
    now: DateTime<Utc>,
) -> Select<Requests> {
    let mut query = Requests::find();
    if !everyone || params.mine() {
        query = query.filter(
            Condition::any()
                .add(Column::RequesterId.eq(user.id))
                .add(Column::RaisedBy.eq(user.id)),
        );
    }
    query = match params.state_filter() {
        StateFilter::Open => query.filter(Column::State.is_in(open_states())),
        StateFilter::All => query,
        StateFilter::One(state) => query.filter(Column::State.eq(state.as_str())),
    };
    query = match params.assignee.trim() {
        "me" => query.filter(Column::AssigneeId.eq(user.id)),
        "none" => query.filter(Column::AssigneeId.is_null()),
        _ => query,
    };
    if let Some(service) = params.service() {
        query = query.filter(Column::ServiceId.eq(service));
    }
    if params.breached_only() {
        query = query.filter(breached(now));
    }
    if let Some(id) = params.reference_id() {
        query = query.filter(Column::Id.eq(id));
    } else {
        let text = params.search();
        if !text.is_empty() {
            let pattern = format!("%{}%", text.to_lowercase().replace(['%', '_'], ""));
            query = query.filter(Expr::expr(Func::lower(Expr::col(Column::Summary))).like(pattern));
        }
    }
    query
}

fn queue_order(newest_first: bool) -> KeyOrder<Requests> {
    if newest_first {
        KeyOrder {
            keys: vec![],
            id: Column::Id,
            order: Order::Desc,
        }
    } else {
        KeyOrder {
            keys: vec![Expr::col((Requests, Column::QueueDueAt))],
            id: Column::Id,
            order: Order::Asc,
        }
    }
}

/// One page of the queue as `user` may see it at `now`: everyone's requests for those who
/// read them all, their own for everyone else.
pub async fn page(
    db: &Db,
    user: &CurrentUser,
    params: &RequestListParams,
    now: DateTime<Utc>,
    page_size: u64,
) -> Result<RequestPage, AppError> {
    let conn = db.reader();
    let everyone = service_request::reads_all_requests(&ActorFacts::from(user));
    // Counted up to the limit, like the incident queue: reading 1,001 ids stops early.
    let counted: Vec<i64> = filtered(params, user, everyone, now)
        .select_only()
        .column(Column::Id)
        .limit(COUNT_LIMIT + 1)
        .into_tuple()
        .all(conn)
        .await?;
    let more = counted.len() as u64 > COUNT_LIMIT;
    let total = Ord::min(counted.len() as u64, COUNT_LIMIT);
    let (page, pages) = QueuePage::paging(total, more, params.page_number(), page_size);
    let rows = key_paging::read_page(
        filtered(params, user, everyone, now),
        &queue_order(params.newest_first()),
        params.page_key(),
        page,
        page_size,
        |select| async move { Ok(select.all(conn).await?) },
    )
    .await?;
    let pages = if more && (rows.len() as u64) < page_size {
        page
    } else {
        pages
    };
    let services = catalogue::names_of(conn, rows.iter().map(|r| r.service_id)).await?;
    let mut type_ids: Vec<i64> = rows.iter().map(|r| r.type_id).collect();
    type_ids.sort_unstable();
    type_ids.dedup();
    let type_names: std::collections::HashMap<i64, String> = RequestTypes::find()
        .select_only()
        .columns([type_entity::Column::Id, type_entity::Column::Name])
        .filter(type_entity::Column::Id.is_in(type_ids))
        .into_tuple::<(i64, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut person_ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [Some(r.requester_id), r.assignee_id])
        .flatten()
        .collect();
    person_ids.sort_unstable();
    person_ids.dedup();
    let names = people(conn, &person_ids).await?;
    Ok(RequestPage {
        rows: rows
            .into_iter()
            .map(|r| RequestRow {
                id: r.id,
                reference: reference(r.id),
                summary: r.summary.clone(),
                type_name: type_names.get(&r.type_id).cloned().unwrap_or_default(),
                service: services.get(&r.service_id).cloned().unwrap_or_default(),
                state: state_of(&r),
                requester: person(&names, r.requester_id).name,
                assignee: r.assignee_id.map(|id| person(&names, id).name),
                warning_at: r.warning_at,
                due_at: r.due_at,
                status: status_at(&r, now),
                created_at: r.created_at,
            })
            .collect(),
        total,
        more,
        page,
        pages,
        everyone,
        read_at: now,
    })
}

/// The fulfilment target's standing from the stored instants alone.
fn status_at(row: &row_entity::Model, now: DateTime<Utc>) -> Option<ClockStatus> {
    clock_of(row).map(|clock| clock.status_from_stored(row.warning_at, row.due_at, now))
}
