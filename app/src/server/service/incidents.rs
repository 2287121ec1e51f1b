//! Incidents (clause 8.6.1): raised with a priority from the organisation's matrix, measured
//! against the agreement in force for their service, and worked through the lifecycle of
//! `model::incident`. Each step moves the two clocks as the lifecycle says, stores their
//! warning and due instants for the queue, adds a line to the timeline and an audit entry, in
//! one transaction checked against the version the step was offered at.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::actor::ActorFacts;
use crate::model::cmdb::NamedBy;
use crate::model::incident::{
    self, reference, ClockStep, Incident, IncidentAction, IncidentFacts, IncidentForm,
    IncidentRecord, IncidentState, PendingReason, PostIncidentReview, ResolutionCode, ReviewForm,
    StepForm, TimelineEntry, TimelineKind,
};
use crate::model::priority_matrix::{Impact, TicketPriority, Urgency};
use crate::model::refs::ServiceRef;
use crate::model::service_hours::ServiceHours;
use crate::model::target_clock::{ClockReading, TargetClock};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::incident::{self as row_entity, Entity as Incidents};
use crate::server::entity::incident_event::{self as event_entity, Entity as Events};
use crate::server::service::users::{people, person};
use crate::server::service::{agreements, catalogue, schedule, service_levels};
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    UpdateMany,
};

async fn row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<row_entity::Model, AppError> {
    Incidents::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That incident".into()))
}

/// The two clocks of a stored incident (none when no agreement covered it).
pub(crate) struct Clocks {
    pub response: Option<TargetClock>,
    pub resolution: Option<TargetClock>,
}

fn clocks_of(row: &row_entity::Model) -> Clocks {
    let clock = |target: Option<i32>, used, since, stopped| {
        target.map(|target| TargetClock {
            target_minutes: u32::try_from(target).unwrap_or(0),
            used_seconds: used,
            running_since: since,
            stopped_at: stopped,
        })
    };
    Clocks {
        response: clock(
            row.response_target_minutes,
            row.response_used_seconds,
            row.response_running_since,
            row.response_stopped_at,
        ),
        resolution: clock(
            row.resolution_target_minutes,
            row.resolution_used_seconds,
            row.resolution_running_since,
            row.resolution_stopped_at,
        ),
    }
}

/// The service hours an incident's clocks run on (24×7 in UTC when none are named).
pub(crate) async fn hours_of<C: ConnectionTrait>(
    conn: &C,
    calendar_id: Option<i64>,
) -> Result<ServiceHours, AppError> {
    Ok(match calendar_id {
        Some(id) => service_levels::calendar(conn, id).await?.hours,
        None => ServiceHours::always("UTC"),
    })
}

fn read(
    clock: &Option<TargetClock>,
    hours: &ServiceHours,
    now: DateTime<Utc>,
) -> Option<ClockReading> {
    let zone = service_levels::zone_of(hours);
    clock.as_ref().map(|c| c.read(hours, &zone, now))
}

fn apply(
    clock: &mut Option<TargetClock>,
    step: ClockStep,
    hours: &ServiceHours,
    now: DateTime<Utc>,
) {
    let zone = service_levels::zone_of(hours);
    if let Some(clock) = clock {
        match step {
            ClockStep::Keep => {}
            ClockStep::Pause => clock.pause(hours, &zone, now),
            ClockStep::Resume => clock.resume(now),
            ClockStep::Stop => clock.stop(hours, &zone, now),
            ClockStep::Restart => clock.restart(now),
        }
    }
}

/// Raises an incident; returns its id. Someone who works incidents may raise it on behalf of
/// the person who reported it; anyone else reports for themselves.
pub async fn raise(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    form: &IncidentForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let draft = form.validate()?;
    let facts = ActorFacts::from(user);
    let mut errors = FieldErrors::new();
    let reporter_id = draft.reporter_id.unwrap_or(user.id);
    if reporter_id != user.id && !incident::works_incidents(&facts) {
        errors.add(
            "reporter_id",
            "Only resolvers and service level managers raise an incident for someone else.",
        );
    }
    let started_at = match draft.started_at {
        Some(local) => schedule::to_utc("started_at", local, &user.time_zone, &mut errors),
        None => Some(now),
    };
    if started_at.is_some_and(|at| at > now) {
        errors.add("started_at", "The incident started before it is reported.");
    }
    let txn = db.begin_write().await?;
    if catalogue::names_of(&txn, [draft.service_id])
        .await?
        .is_empty()
    {
        errors.add("service_id", "Choose the service from the catalogue.");
    }
    if people(&txn, &[reporter_id]).await?.is_empty() {
        errors.add("reporter_id", "Choose the person who reported it.");
    }
    errors.into_result(())?;
    let on_behalf = if reporter_id == user.id {
        String::new()
    } else {
        format!(", on behalf of the reporter by {}", user.name)
    };
    let opening = Opening {
        title: draft.title,
        description: draft.description,
        service_id: draft.service_id,
        impact: draft.impact,
        urgency: draft.urgency,
        category: draft.category,
        affected: draft.affected,
        reporter_id,
        started_at: started_at.unwrap_or(now),
        service_affecting: draft.service_affecting,
        author_id: Some(user.id),
        raised_note: on_behalf,
    };
    let (id, _) = open(&txn, &opening, actor, now).await?;
    if let Some(problem) = draft.known_error_id {
        super::problems::apply_known_error(&txn, actor, id, problem, user.id, now).await?;
    }
    txn.commit().await?;
    Ok(id)
}

/// A new incident as it is opened, whoever raised it (a person's form or a monitoring alert).
pub(crate) struct Opening {
    pub title: String,
    pub description: String,
    pub service_id: i64,
    pub impact: Impact,
    pub urgency: Urgency,
    pub category: String,
    pub affected: String,
    pub reporter_id: i64,
    pub started_at: DateTime<Utc>,
    pub service_affecting: bool,
    /// Who wrote the first line of the timeline (none: a monitoring source).
    pub author_id: Option<i64>,
    /// What that line adds after the priority and agreement (", on behalf of …").
    pub raised_note: String,
}

/// Opens an incident inside `txn`: the priority from the organisation's matrix, the clocks
/// from the agreement in force for the service, the first line of the timeline and the
/// audit entry. Returns its id and priority.
pub(crate) async fn open<C: ConnectionTrait>(
    txn: &C,
    opening: &Opening,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<(i64, TicketPriority), AppError> {
    let settings = service_levels::settings(txn).await?;
    let priority = settings.matrix.priority(opening.impact, opening.urgency);
    let rule = settings.matrix.rule(opening.impact, opening.urgency);
    let in_force = agreements::in_force(txn, opening.service_id, now.date_naive()).await?;
    let (agreement_id, calendar_id, target) = match &in_force {
        Some((id, terms, _)) => (Some(*id), Some(terms.calendar_id), terms.target(priority)),
        None => (None, None, None),
    };
    let hours = match &in_force {
        Some((_, _, hours)) => hours.clone(),
        None => ServiceHours::always("UTC"),
    };
    let clocks = Clocks {
        response: target.map(|t| TargetClock::start(t.response_minutes, now)),
        resolution: target.map(|t| TargetClock::start(t.resolution_minutes, now)),
    };
    let mut active = new_row(opening, (priority, rule), (agreement_id, calendar_id), now);
    for (column, value) in clock_values(&clocks, &hours, now) {
        active.set(column, value);
    }
    let inserted = active.insert(txn).await?;
    let id = inserted.id;
    add_event(
        txn,
        id,
        now,
        opening.author_id,
        TimelineKind::Raised,
        format!(
            "Raised as {} ({}){}",
            priority.label(),
            in_force
                .as_ref()
                .map(|(a, _, _)| format!("measured against {}", agreements::reference(*a)))
                .unwrap_or_else(|| "no agreement covers the service: no targets".into()),
            opening.raised_note
        ),
    )
    .await?;
    audit::record(
        txn,
        actor,
        RecordType::Incident,
        id,
        "incident_raised",
        format!(
            "{} “{}” raised ({})",
            reference(id),
            opening.title,
            priority.label()
        ),
    )
    .await?;
    Ok((id, priority))
}

/// The row of a new incident as `opening` describes it, raised at `at`, with the priority
/// (and its rule) and the agreement it is measured against; clocks are the caller's.
pub(crate) fn new_row(
    opening: &Opening,
    (priority, rule): (TicketPriority, String),
    (agreement_id, calendar_id): (Option<i64>, Option<i64>),
    at: DateTime<Utc>,
) -> row_entity::ActiveModel {
    row_entity::ActiveModel {
        title: Set(opening.title.clone()),
        description: Set(opening.description.clone()),
        service_id: Set(opening.service_id),
        impact: Set(opening.impact.as_str().into()),
        urgency: Set(opening.urgency.as_str().into()),
        priority: Set(priority.as_str().into()),
        priority_rule: Set(rule),
        category: Set(opening.category.clone()),
        affected: Set(opening.affected.clone()),
        reporter_id: Set(opening.reporter_id),
        assignee_id: Set(None),
        state: Set(IncidentState::New.as_str().into()),
        pending_reason: Set(None),
        resolution_code: Set(None),
        resolution: Set(None),
        major: Set(false),
        review_completed_at: Set(None),
        service_affecting: Set(opening.service_affecting),
        started_at: Set(opening.started_at),
        agreement_id: Set(agreement_id),
        calendar_id: Set(calendar_id),
        resolved_at: Set(None),
        closed_at: Set(None),
        imported_ref: Set(None),
        version: Set(1),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
}

/// Both clocks as their columns store them, with the warning and due instants their
/// readings at `now` give: what an insert sets and a step's update writes.
pub(crate) fn clock_values(
    clocks: &Clocks,
    hours: &ServiceHours,
    now: DateTime<Utc>,
) -> Vec<(row_entity::Column, sea_orm::Value)> {
    use row_entity::Column as C;
    let mut values = Vec::with_capacity(13);
    for (clock, [target, used, since, stopped, warning, due]) in [
        (
            &clocks.response,
            [
                C::ResponseTargetMinutes,
                C::ResponseUsedSeconds,
                C::ResponseRunningSince,
                C::ResponseStoppedAt,
                C::ResponseWarningAt,
                C::ResponseDueAt,
            ],
        ),
        (
            &clocks.resolution,
            [
                C::ResolutionTargetMinutes,
                C::ResolutionUsedSeconds,
                C::ResolutionRunningSince,
                C::ResolutionStoppedAt,
                C::ResolutionWarningAt,
                C::ResolutionDueAt,
            ],
        ),
    ] {
        let reading = read(clock, hours, now);
        values.extend([
            (
                target,
                clock.as_ref().map(|c| c.target_minutes as i32).into(),
            ),
            (used, clock.as_ref().map_or(0, |c| c.used_seconds).into()),
            (since, clock.as_ref().and_then(|c| c.running_since).into()),
            (stopped, clock.as_ref().and_then(|c| c.stopped_at).into()),
            (warning, reading.as_ref().and_then(|r| r.warning_at).into()),
            (due, reading.as_ref().and_then(|r| r.due_at).into()),
        ]);
    }
    // The queue's sort key, never empty: an index serves the default queue's order.
    let resolution_due = read(&clocks.resolution, hours, now).and_then(|r| r.due_at);
    values.push((
        C::QueueDueAt,
        resolution_due
            .unwrap_or_else(crate::model::incident_queue::not_due)
            .into(),
    ));
    values
}

pub(crate) async fn add_event<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
    at: DateTime<Utc>,
    author_id: Option<i64>,
    kind: TimelineKind,
    body: String,
) -> Result<(), AppError> {
    event_entity::ActiveModel {
        incident_id: Set(incident_id),
        at: Set(at),
        author_id: Set(author_id),
        kind: Set(kind.as_str().into()),
        body: Set(body),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

fn facts_of(row: &row_entity::Model, reopen_days: u32, now: DateTime<Utc>) -> IncidentFacts {
    IncidentFacts {
        state: IncidentState::parse(&row.state).unwrap_or(IncidentState::New),
        reporter_id: row.reporter_id,
        assignee_id: row.assignee_id,
        has_resolution: row.resolution_code.is_some(),
        major: row.major,
        review_completed: row.review_completed_at.is_some(),
        resolved_at: row.resolved_at,
        reopen_days,
        now,
    }
}

/// Takes one step of the lifecycle, against the version it was offered at.
pub async fn take_step(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &StepForm,
    now: DateTime<Utc>,
) -> Result<IncidentState, AppError> {
    let step = form.validate()?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    let settings = service_levels::settings(&txn).await?;
    let mut facts = facts_of(&before, settings.reopen_days, now);
    if let Some(assignee) = step.assignee_id {
        facts.assignee_id = Some(assignee);
    }
    // Resolving (again, after a reopen) takes this step's resolution, not an earlier one.
    facts.has_resolution = step.resolution.is_some();
    let from = facts.state;
    // The lifecycle first: someone who may not assign is told so, whoever they named.
    let next = incident::transition(&facts, step.action, &ActorFacts::from(user))?;
    let assignee_name = match step.assignee_id {
        Some(assignee) => Some(check_assignee(&txn, assignee).await?),
        None => None,
    };
    check_version::<Incidents>(version, before.version)?;

    let hours = hours_of(&txn, before.calendar_id).await?;
    let mut clocks = clocks_of(&before);
    let (response_step, resolution_step) = incident::clock_steps(from, next);
    apply(&mut clocks.response, response_step, &hours, now);
    apply(&mut clocks.resolution, resolution_step, &hours, now);
    let clock_values = clock_values(&clocks, &hours, now);
    let pending = match step.action {
        IncidentAction::WaitForCustomer => Some(PendingReason::Customer),
        IncidentAction::WaitForSupplier => Some(PendingReason::Supplier),
        _ if next == IncidentState::Pending => before
            .pending_reason
            .as_deref()
            .and_then(PendingReason::parse),
        _ => None,
    };
    let (code, words) = match &step.resolution {
        Some((code, words)) => (Some(code.as_str().to_string()), Some(words.clone())),
        None => (before.resolution_code.clone(), before.resolution.clone()),
    };
    let resolved_at = match next {
        IncidentState::Resolved if from != IncidentState::Resolved => Some(now),
        IncidentState::Resolved | IncidentState::Closed => before.resolved_at,
        _ => None,
    };
    let closed_at = (next == IncidentState::Closed).then_some(now);
    versioned::update(&txn, id, version, |update: UpdateMany<Incidents>| {
        use row_entity::Column;
        let mut update = update
            .col_expr(Column::State, Expr::value(next.as_str()))
            .col_expr(Column::AssigneeId, Expr::value(facts.assignee_id))
            .col_expr(
                Column::PendingReason,
                Expr::value(pending.map(|p| p.as_str().to_string())),
            )
            .col_expr(Column::ResolutionCode, Expr::value(code))
            .col_expr(Column::Resolution, Expr::value(words))
            .col_expr(Column::ResolvedAt, Expr::value(resolved_at))
            .col_expr(Column::ClosedAt, Expr::value(closed_at));
        for (column, value) in clock_values {
            update = update.col_expr(column, Expr::value(value));
        }
        update
    })
    .await?;
    let mut body = match (step.action, &assignee_name, &step.resolution) {
        (IncidentAction::Assign, Some(name), _) => format!("Assigned to {name}"),
        (IncidentAction::Resolve, _, Some((code, words))) => {
            format!("Resolved — {}: {words}", code.label())
        }
        (action, _, _) => action.label().to_string(),
    };
    if !step.note.is_empty() {
        body.push_str("\n\n");
        body.push_str(&step.note);
    }
    add_event(&txn, id, now, Some(user.id), TimelineKind::Step, body).await?;
    audit::record(
        &txn,
        actor,
        RecordType::Incident,
        id,
        "incident_step",
        format!(
            "{} “{}”: {} → {} ({})",
            reference(id),
            before.title,
            from.label(),
            next.label(),
            step.action.label()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

/// The person an incident is assigned to must exist and work incidents.
async fn check_assignee<C: ConnectionTrait>(conn: &C, id: i64) -> Result<String, AppError> {
    check_worker(
        conn,
        id,
        "assignee_id",
        "Assign the incident to a resolver or a service level manager.",
    )
    .await
}

/// `id` names an enabled person who works incidents (and so problems); their name, or an
/// error on `field` saying so.
pub(crate) async fn check_worker<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    field: &str,
    not_a_worker: &str,
) -> Result<String, AppError> {
    match crate::server::service::users::enabled_roles(conn, id).await? {
        Some((name, roles))
            if incident::works_incidents(&ActorFacts::person(id, roles.clone())) =>
        {
            Ok(name)
        }
        Some(_) => Err(AppError::single_field(field, not_a_worker)),
        None => Err(AppError::single_field(
            field,
            "Choose the person from the list.",
        )),
    }
}

/// Adds a line to the timeline: a work note (the reporter, or someone who works incidents),
/// or, on a major incident, a communication sent to users and stakeholders (those who work
/// incidents). Lines only ever add, so they need no version check.
pub async fn add_note(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    kind: TimelineKind,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let note = crate::model::text::bounded(&mut errors, "note", "The note", note, 1, 4000);
    errors.into_result(())?;
    let txn = db.begin_write().await?;
    let row = row(&txn, id).await?;
    let worker = incident::works_incidents(&ActorFacts::from(user));
    match kind {
        TimelineKind::Note if row.reporter_id == user.id || worker => {}
        TimelineKind::Note => {
            return Err(AppError::Refused(
                "Only the reporter and those who work incidents add notes.".into(),
            ))
        }
        TimelineKind::Communication if worker && row.major => {}
        TimelineKind::Communication => {
            return Err(AppError::Refused(
                "Communications are logged on a major incident, by those who work incidents."
                    .into(),
            ))
        }
        _ => {
            return Err(AppError::BadRequest(
                "Add a note or a communication.".into(),
            ))
        }
    }
    add_event(&txn, id, now, Some(user.id), kind, note).await?;
    audit::record(
        &txn,
        actor,
        RecordType::Incident,
        id,
        "incident_note",
        format!("{}: {} added", reference(id), kind.label().to_lowercase()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Completes a major incident's post-incident review: what happened, why, what was learned,
/// and its actions, each added to the improvement register in the same transaction.
#[allow(clippy::too_many_arguments)]
pub async fn complete_review(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &ReviewForm,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, AppError> {
    let draft = form.validate(schedule::local_today(&user.time_zone))?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    incident::check_review(
        IncidentState::parse(&before.state).unwrap_or(IncidentState::New),
        before.major,
        before.review_completed_at.is_some(),
        &ActorFacts::from(user),
    )?;
    check_version::<Incidents>(version, before.version)?;
    let owners: Vec<i64> = draft.actions.iter().map(|a| a.owner_id).collect();
    let found = people(&txn, &owners).await?;
    let mut errors = FieldErrors::new();
    for (row_number, action) in draft.actions.iter().enumerate() {
        if !found.contains_key(&action.owner_id) {
            errors.add(
                &format!("action_{row_number}_owner"),
                "Choose the owner from the list.",
            );
        }
    }
    errors.into_result(())?;
    versioned::update(&txn, id, version, |update: UpdateMany<Incidents>| {
        use row_entity::Column;
        update
            .col_expr(Column::ReviewSummary, Expr::value(draft.summary.clone()))
            .col_expr(Column::ReviewCause, Expr::value(draft.cause.clone()))
            .col_expr(Column::ReviewLessons, Expr::value(draft.lessons.clone()))
            .col_expr(Column::ReviewedBy, Expr::value(user.id))
            .col_expr(Column::ReviewCompletedAt, Expr::value(now))
    })
    .await?;
    let mut entries = Vec::new();
    for action in &draft.actions {
        let entry = crate::server::service::register::insert_entry(
            &txn,
            actor,
            crate::model::register::ImprovementDraft {
                title: action.text.clone(),
                description: format!(
                    "Action of the post-incident review of {} “{}”: {}",
                    reference(id),
                    before.title,
                    action.text
                ),
                source: crate::model::improvement::Source::MajorIncident,
                source_ref: Some(review_source(id)),
                service_ids: vec![before.service_id],
                clauses: vec!["8.6.1".into()],
                expected_benefit: "The incident does not recur, or hurts less when it does.".into(),
                benefit_score: None,
                effort: None,
                owner_id: action.owner_id,
                approver_id: None,
                target_date: Some(action.due),
            },
        )
        .await?;
        entries.push(entry.id);
    }
    let body = match entries.len() {
        0 => "Post-incident review completed.".to_string(),
        n => format!(
            "Post-incident review completed; {n} action(s) added to the improvement register."
        ),
    };
    add_event(
        &txn,
        id,
        now,
        Some(user.id),
        TimelineKind::Review,
        body.clone(),
    )
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::Incident,
        id,
        "incident_review",
        format!("{}: {}", reference(id), body),
    )
    .await?;
    txn.commit().await?;
    Ok(entries)
}

/// How register entries name the incident whose review sent them.
fn review_source(id: i64) -> String {
    format!("incident:{id}")
}

/// The review as the record shows it, with the register entries its actions became.
async fn review_of<C: ConnectionTrait>(
    conn: &C,
    row: &row_entity::Model,
    persons: &std::collections::HashMap<i64, crate::model::refs::PersonRef>,
) -> Result<Option<PostIncidentReview>, AppError> {
    use crate::server::entity::improvement::{Column as EntryColumn, Entity as Entries};
    let Some(completed_at) = row.review_completed_at else {
        return Ok(None);
    };
    let actions = Entries::find()
        .filter(EntryColumn::SourceRef.eq(review_source(row.id)))
        .order_by_asc(EntryColumn::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|e| {
            (
                e.id,
                crate::model::register::improvement_reference(e.id),
                e.title,
            )
        })
        .collect();
    Ok(Some(PostIncidentReview {
        summary: row.review_summary.clone().unwrap_or_default(),
        cause: row.review_cause.clone().unwrap_or_default(),
        lessons: row.review_lessons.clone().unwrap_or_default(),
        reviewed_by: row.reviewed_by.map(|id| person(persons, id)),
        completed_at,
        actions,
    }))
}

/// Declares (or stands down) a major incident: a service level manager's call. A major
/// incident is closed only after its post-incident review.
pub async fn set_major(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    major: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !incident::may_declare_major(&ActorFacts::from(user)) {
        return Err(AppError::Refused(
            "Only a service level manager declares a major incident.".into(),
        ));
    }
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    if before.state == IncidentState::Closed.as_str() {
        return Err(AppError::Refused("The incident is closed.".into()));
    }
    check_version::<Incidents>(version, before.version)?;
    versioned::update(&txn, id, version, |update: UpdateMany<Incidents>| {
        update.col_expr(row_entity::Column::Major, Expr::value(major))
    })
    .await?;
    let what = if major {
        "Declared a major incident"
    } else {
        "No longer a major incident"
    };
    add_event(
        &txn,
        id,
        now,
        Some(user.id),
        TimelineKind::Step,
        what.into(),
    )
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::Incident,
        id,
        "incident_major",
        format!("{}: {}", reference(id), what.to_lowercase()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One incident with its clocks read at `now` and its whole timeline.
pub async fn detail<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Incident, AppError> {
    let row = row(conn, id).await?;
    let events = Events::find()
        .filter(event_entity::Column::IncidentId.eq(id))
        .order_by_asc(event_entity::Column::Id)
        .all(conn)
        .await?;
    let mut wanted = vec![row.reporter_id];
    wanted.extend(row.assignee_id);
    wanted.extend(row.reviewed_by);
    wanted.extend(events.iter().filter_map(|e| e.author_id));
    let persons = people(conn, &wanted).await?;
    let service_name = catalogue::names_of(conn, [row.service_id])
        .await?
        .remove(&row.service_id)
        .unwrap_or_else(|| format!("Service {}", row.service_id));
    let hours = hours_of(conn, row.calendar_id).await?;
    let clocks = clocks_of(&row);
    Ok(Incident {
        id: row.id,
        reference: reference(row.id),
        title: row.title.clone(),
        description: row.description.clone(),
        service: ServiceRef {
            id: row.service_id,
            name: service_name,
        },
        impact: Impact::parse(&row.impact).unwrap_or(Impact::Low),
        urgency: Urgency::parse(&row.urgency).unwrap_or(Urgency::Low),
        priority: TicketPriority::parse(&row.priority).unwrap_or(TicketPriority::P5),
        priority_rule: row.priority_rule.clone(),
        category: row.category.clone(),
        affected: row.affected.clone(),
        reporter: person(&persons, row.reporter_id),
        assignee: row.assignee_id.map(|id| person(&persons, id)),
        state: IncidentState::parse(&row.state).unwrap_or(IncidentState::New),
        pending_reason: row.pending_reason.as_deref().and_then(PendingReason::parse),
        resolution_code: row
            .resolution_code
            .as_deref()
            .and_then(ResolutionCode::parse),
        resolution: row.resolution.clone(),
        major: row.major,
        review_completed_at: row.review_completed_at,
        review: review_of(conn, &row, &persons).await?,
        service_affecting: row.service_affecting,
        started_at: row.started_at,
        agreement: row.agreement_id.map(agreements::reference),
        caused_by_change_id: row.caused_by_change_id,
        imported_ref: row.imported_ref.clone(),
        response_clock: read(&clocks.response, &hours, now),
        resolution_clock: read(&clocks.resolution, &hours, now),
        created_at: row.created_at,
        resolved_at: row.resolved_at,
        closed_at: row.closed_at,
        read_at: now,
        timeline: events
            .into_iter()
            .map(|e| TimelineEntry {
                at: e.at,
                author: e.author_id.map(|id| person(&persons, id)),
                kind: TimelineKind::parse(&e.kind).unwrap_or(TimelineKind::Note),
                body: e.body,
            })
            .collect(),
        version: row.version,
    })
}

/// An incident as `user` sees it: the record, and the steps the rules let them take now.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    id: i64,
    now: DateTime<Utc>,
) -> Result<IncidentRecord, AppError> {
    let incident = detail(conn, id, now).await?;
    let settings = service_levels::settings(conn).await?;
    let facts = IncidentFacts {
        state: incident.state,
        reporter_id: incident.reporter.id,
        assignee_id: incident.assignee.as_ref().map(|p| p.id),
        has_resolution: incident.resolution_code.is_some(),
        major: incident.major,
        review_completed: incident.review_completed_at.is_some(),
        resolved_at: incident.resolved_at,
        reopen_days: settings.reopen_days,
        now,
    };
    let actor = ActorFacts::from(user);
    let worker = incident::works_incidents(&actor);
    let problem = super::problems::of_incident(conn, id).await?;
    let caused_by = match incident.caused_by_change_id {
        Some(change_id) => super::incident_causes::cause(conn, change_id).await?,
        None => None,
    };
    let configuration =
        super::record_cis::reach_for(conn, user, (NamedBy::Incident, id), incident.service.id)
            .await?;
    Ok(IncidentRecord {
        problem,
        caused_by,
        configuration,
        may_link_cause: worker && incident.state != IncidentState::Closed,
        actions: incident::available_actions(&facts, &actor),
        may_note: worker || incident.reporter.id == user.id,
        may_communicate: worker && incident.major,
        may_declare_major: incident::may_declare_major(&actor) && incident.state.is_open(),
        may_review: incident::check_review(
            incident.state,
            incident.major,
            incident.review_completed_at.is_some(),
            &actor,
        )
        .is_ok(),
        incident,
    })
}
