//! Problems and known errors (clause 8.6.3): raised from the incidents they explain, analysed
//! to a root cause, offered as known errors (with their workaround) while the next incident
//! is typed, and resolved by the change that removes the cause. Each write runs in one
//! transaction with its audit entry; the record's writes are checked against its version.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::actor::ActorFacts;
use crate::model::change::{ChangeState, ChangeType};
use crate::model::change_request::ChangeDraft;
use crate::model::cmdb::NamedBy;
use crate::model::incident::{self, IncidentState, TimelineKind};
use crate::model::problem::{
    self, reference, AnalysisForm, KnownErrorMatch, LinkedIncident, Problem, ProblemAction,
    ProblemFacts, ProblemForm, ProblemListParams, ProblemPage, ProblemRecord, ProblemRow,
    ProblemState, ProblemStepForm, RcaMethod, StateFilter,
};
use crate::model::refs::ServiceRef;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::incident::{self as incident_entity, Entity as Incidents};
use crate::server::entity::problem::{self as row_entity, Column, Entity as Problems};
use crate::server::entity::problem_incident::{self as link_entity, Entity as Links};
use crate::server::service::incidents::add_event;
use crate::server::service::key_paging::{self, KeyOrder};
use crate::server::service::text_search::contains;
use crate::server::service::users::{people, person};
use crate::server::service::{catalogue, changes};
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set, UpdateMany,
};
use std::collections::HashMap;

async fn row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<row_entity::Model, AppError> {
    Problems::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That problem".into()))
}

fn state_of(row: &row_entity::Model) -> ProblemState {
    ProblemState::parse(&row.state).unwrap_or(ProblemState::New)
}

fn refuse_unless_worker(user: &CurrentUser) -> Result<(), AppError> {
    if problem::works_problems(&ActorFacts::from(user)) {
        Ok(())
    } else {
        Err(AppError::Refused(
            "Only resolvers and service level managers work problems.".into(),
        ))
    }
}

/// Raises a problem from the incidents it was found from; returns its id.
pub async fn create(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    form: &ProblemForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    refuse_unless_worker(user)?;
    let draft = form.validate()?;
    let txn = db.begin_write().await?;
    let mut errors = FieldErrors::new();
    if !catalogue::is_active(&txn, draft.service_id).await? {
        errors.add("service_id", "Choose the service from the catalogue.");
    }
    check_linkable(&txn, &draft.incident_ids, None, &mut errors).await?;
    errors.into_result(())?;
    let inserted = row_entity::ActiveModel {
        title: Set(draft.title.clone()),
        description: Set(draft.description.clone()),
        service_id: Set(draft.service_id),
        state: Set(ProblemState::New.as_str().into()),
        owner_id: Set(None),
        rca_method: Set(None),
        root_cause: Set(None),
        workaround: Set(None),
        resolution: Set(None),
        change_id: Set(None),
        created_by: Set(user.id),
        created_at: Set(now),
        known_error_at: Set(None),
        resolved_at: Set(None),
        closed_at: Set(None),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let id = inserted.id;
    link(&txn, id, &draft.incident_ids, user.id, now).await?;
    audit::record(
        &txn,
        actor,
        RecordType::Problem,
        id,
        "problem_raised",
        format!(
            "{} “{}” raised{}",
            reference(id),
            draft.title,
            named_incidents(&draft.incident_ids)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

fn named_incidents(ids: &[i64]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        format!(
            " from {}",
            ids.iter()
                .map(|id| incident::reference(*id))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Each incident exists and no other problem explains it yet (`problem`: the one linking).
async fn check_linkable<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    problem: Option<i64>,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    if ids.is_empty() {
        return Ok(());
    }
    let found: Vec<i64> = Incidents::find()
        .select_only()
        .column(incident_entity::Column::Id)
        .filter(incident_entity::Column::Id.is_in(ids.to_vec()))
        .into_tuple()
        .all(conn)
        .await?;
    if let Some(missing) = ids.iter().find(|id| !found.contains(id)) {
        errors.add(
            "incidents",
            format!("There is no {}.", incident::reference(*missing)),
        );
        return Ok(());
    }
    let taken = Links::find()
        .filter(link_entity::Column::IncidentId.is_in(ids.to_vec()))
        .all(conn)
        .await?;
    if let Some(taken) = taken.first() {
        let message = if Some(taken.problem_id) == problem {
            format!(
                "{} is already linked to this problem.",
                incident::reference(taken.incident_id)
            )
        } else {
            format!(
                "{} is already explained by {}: one problem per incident.",
                incident::reference(taken.incident_id),
                reference(taken.problem_id)
            )
        };
        errors.add("incidents", message);
    }
    Ok(())
}

/// Links the incidents and says so on each incident's timeline.
async fn link<C: ConnectionTrait>(
    txn: &C,
    problem_id: i64,
    ids: &[i64],
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for incident_id in ids {
        insert_link(txn, problem_id, *incident_id, user_id, now).await?;
        add_event(
            txn,
            *incident_id,
            now,
            Some(user_id),
            TimelineKind::Note,
            format!("Linked to problem {}", reference(problem_id)),
        )
        .await?;
    }
    Ok(())
}

/// Moves the problem's version on, against the version just read: a link written while
/// someone resolves or closes the problem makes one of the two fail instead of both landing.
async fn touch<C: ConnectionTrait>(txn: &C, problem: &row_entity::Model) -> Result<(), AppError> {
    versioned::update(
        txn,
        problem.id,
        problem.version,
        |update: UpdateMany<Problems>| update,
    )
    .await?;
    Ok(())
}

async fn insert_link<C: ConnectionTrait>(
    txn: &C,
    problem_id: i64,
    incident_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let inserted = link_entity::ActiveModel {
        problem_id: Set(problem_id),
        incident_id: Set(incident_id),
        linked_by: Set(user_id),
        linked_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        // Someone linked it to a problem a moment ago.
        Err(error) if crate::server::failure::is_unique_violation(&error) => {
            Err(AppError::single_field(
                "incidents",
                format!(
                    "{} was just linked to another problem.",
                    incident::reference(incident_id)
                ),
            ))
        }
        Err(error) => Err(error.into()),
    }
}

/// Links more incidents to an open problem; returns them (links only add, so they need no version check;
/// the unique link per incident settles two people linking the same incident at once).
pub async fn link_incidents(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    incidents: &str,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, AppError> {
    refuse_unless_worker(user)?;
    let mut errors = FieldErrors::new();
    let ids = problem::parse_incident_refs(&mut errors, "incidents", incidents);
    if ids.is_empty() && errors.is_empty() {
        errors.add("incidents", "Name the incidents to link, e.g. INC-12.");
    }
    errors.into_result(())?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    if state_of(&before) == ProblemState::Closed {
        return Err(AppError::Refused("The problem is closed.".into()));
    }
    let mut errors = FieldErrors::new();
    check_linkable(&txn, &ids, Some(id), &mut errors).await?;
    errors.into_result(())?;
    touch(&txn, &before).await?;
    link(&txn, id, &ids, user.id, now).await?;
    audit::record(
        &txn,
        actor,
        RecordType::Problem,
        id,
        "problem_linked",
        format!(
            "{}: linked {}",
            reference(id),
            named_incidents(&ids).trim_start_matches(" from ")
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(ids)
}

/// Takes an incident off a problem it was linked to by mistake.
pub async fn unlink_incident(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    incident_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    refuse_unless_worker(user)?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    if state_of(&before) == ProblemState::Closed {
        return Err(AppError::Refused("The problem is closed.".into()));
    }
    touch(&txn, &before).await?;
    let removed = Links::delete_many()
        .filter(link_entity::Column::ProblemId.eq(id))
        .filter(link_entity::Column::IncidentId.eq(incident_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(AppError::NotFound("That incident's link".into()));
    }
    add_event(
        &txn,
        incident_id,
        now,
        Some(user.id),
        TimelineKind::Note,
        format!("No longer linked to problem {}", reference(id)),
    )
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::Problem,
        id,
        "problem_unlinked",
        format!(
            "{}: unlinked {}",
            reference(id),
            incident::reference(incident_id)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Saves the root cause analysis and the workaround. A known error keeps both: they are
/// what it offers to the next incident.
pub async fn save_analysis(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &AnalysisForm,
) -> Result<(), AppError> {
    let analysis = form.validate()?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    let state = state_of(&before);
    if !problem::may_edit_analysis(state, &ActorFacts::from(user)) {
        return Err(AppError::Refused(if state.is_open() {
            "Only resolvers and service level managers analyse problems.".into()
        } else {
            format!(
                "The problem is {}: reopen it to change its analysis.",
                state.label().to_lowercase()
            )
        }));
    }
    if state == ProblemState::KnownError {
        let mut errors = FieldErrors::new();
        if analysis.root_cause.is_none() {
            errors.add("root_cause", "A known error keeps its root cause.");
        }
        if analysis.workaround.is_none() {
            errors.add("workaround", "A known error keeps its workaround.");
        }
        errors.into_result(())?;
    }
    check_version::<Problems>(version, before.version)?;
    versioned::update(&txn, id, version, |update: UpdateMany<Problems>| {
        update
            .col_expr(
                Column::RcaMethod,
                Expr::value(analysis.rca_method.map(|m| m.as_str().to_string())),
            )
            .col_expr(Column::RootCause, Expr::value(analysis.root_cause.clone()))
            .col_expr(Column::Workaround, Expr::value(analysis.workaround.clone()))
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::Problem,
        id,
        "problem_analysis",
        format!(
            "{}: analysis saved (method {}, root cause {}, workaround {})",
            reference(id),
            analysis.rca_method.map_or("not named", RcaMethod::label),
            if analysis.root_cause.is_some() {
                "recorded"
            } else {
                "not known"
            },
            if analysis.workaround.is_some() {
                "recorded"
            } else {
                "none"
            },
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

fn facts_of(row: &row_entity::Model) -> ProblemFacts {
    ProblemFacts {
        state: state_of(row),
        owner_id: row.owner_id,
        has_root_cause: row.root_cause.is_some(),
        has_workaround: row.workaround.is_some(),
        has_resolution: false,
    }
}

/// Takes one step of the lifecycle, against the version it was offered at.
#[allow(clippy::too_many_arguments)]
pub async fn take_step(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &ProblemStepForm,
    now: DateTime<Utc>,
) -> Result<ProblemState, AppError> {
    let step = form.validate()?;
    let actor_facts = ActorFacts::from(user);
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    let mut facts = facts_of(&before);
    let from = facts.state;
    // Only "analyse" names an owner; a problem someone owns is handed over by them or a
    // service level manager, never taken by naming oneself with another step.
    let owner_id = match step.action {
        ProblemAction::Analyse => step.owner_id,
        _ => None,
    };
    if let Some(owner) = owner_id {
        let current = before.owner_id;
        let may_hand_over = current.is_none()
            || current == Some(user.id)
            || actor_facts.has(crate::model::access::Role::ServiceLevelManager);
        if !may_hand_over && current != Some(owner) {
            return Err(AppError::Refused(
                "Only the owner or a service level manager hands the problem to someone else."
                    .into(),
            ));
        }
        facts.owner_id = Some(owner);
    }
    // The words say what removed the cause (resolving) or why it closes unresolved.
    let words = match (step.action, from) {
        (ProblemAction::Resolve, _) => step.resolution.clone(),
        (ProblemAction::Close, state) if state != ProblemState::Resolved => step.resolution.clone(),
        _ => None,
    };
    facts.has_resolution = words.is_some();
    let next = problem::transition(&facts, step.action, &actor_facts)?;
    let owner_name = match owner_id {
        Some(owner) => Some(check_owner(&txn, owner).await?),
        None => None,
    };
    check_version::<Problems>(version, before.version)?;
    let resolution = words.or(before.resolution.clone());
    let known_error_at = match next {
        ProblemState::KnownError => Some(now),
        // Reopened: no longer offered as a known error until recorded again.
        ProblemState::Analysing => None,
        _ => before.known_error_at,
    };
    let resolved_at = match next {
        ProblemState::Resolved => Some(now),
        ProblemState::Closed => before.resolved_at,
        _ => None,
    };
    let closed_at = (next == ProblemState::Closed).then_some(now);
    versioned::update(&txn, id, version, |update: UpdateMany<Problems>| {
        update
            .col_expr(Column::State, Expr::value(next.as_str()))
            .col_expr(Column::OwnerId, Expr::value(facts.owner_id))
            .col_expr(Column::Resolution, Expr::value(resolution.clone()))
            .col_expr(Column::KnownErrorAt, Expr::value(known_error_at))
            .col_expr(Column::ResolvedAt, Expr::value(resolved_at))
            .col_expr(Column::ClosedAt, Expr::value(closed_at))
    })
    .await?;
    let mut summary = format!(
        "{} “{}”: {} → {} ({})",
        reference(id),
        before.title,
        from.label(),
        next.label(),
        step.action.label()
    );
    if let Some(name) = owner_name {
        summary.push_str(&format!(", owner {name}"));
    }
    audit::record(
        &txn,
        actor,
        RecordType::Problem,
        id,
        "problem_step",
        summary,
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

/// The owner of a problem must exist and work problems.
async fn check_owner<C: ConnectionTrait>(conn: &C, id: i64) -> Result<String, AppError> {
    crate::server::service::incidents::check_worker(
        conn,
        id,
        "owner_id",
        "A problem is owned by a resolver or a service level manager.",
    )
    .await
}

/// Raises the change that removes the problem's cause, as a draft its raiser completes, and
/// links it to the problem in the same transaction. Returns the change's id.
pub async fn raise_change(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<i64, AppError> {
    refuse_unless_worker(user)?;
    if !crate::model::access::may(&user.roles, crate::model::access::Permission::ChangeRaise) {
        return Err(AppError::Refused(
            "Raising the change needs the right to raise changes.".into(),
        ));
    }
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    let state = state_of(&before);
    if !state.is_open() {
        return Err(AppError::Refused(format!(
            "The problem is {}: no change is needed.",
            state.label().to_lowercase()
        )));
    }
    if let Some(change) = before.change_id {
        return Err(AppError::Refused(format!(
            "{} already removes the cause.",
            crate::model::change_request::reference(change)
        )));
    }
    let Some(root_cause) = before.root_cause.clone() else {
        return Err(AppError::Refused(
            "Record the root cause first: the change is raised to remove it.".into(),
        ));
    };
    check_version::<Problems>(version, before.version)?;
    let draft = ChangeDraft {
        title: crate::model::text::shorten(
            &format!("Remove the cause of {}: {}", reference(id), before.title),
            crate::model::change_request::TITLE_MAX,
        ),
        description: crate::model::text::shorten(
            &format!(
                "Root cause ({}):\n{root_cause}\n\nWorkaround until then:\n{}",
                reference(id),
                before.workaround.clone().unwrap_or_else(|| "None".into())
            ),
            crate::model::change_request::TEXT_MAX,
        ),
        reason: format!(
            "Problem {} “{}” keeps causing incidents; this change removes its root cause.",
            reference(id),
            before.title
        ),
        change_type: ChangeType::Normal,
        category: "Problem fix".into(),
        service_ids: vec![before.service_id],
        configuration_items: Vec::new(),
        owner_id: None,
        implementer_ids: Vec::new(),
        planned_start: None,
        planned_end: None,
        expects_outage: false,
        outage_minutes: 0,
        implementation_plan: String::new(),
        test_plan: String::new(),
        backout_plan: String::new(),
        communication_plan: String::new(),
        risk_answers: None,
        related_ids: Vec::new(),
        template_id: None,
    };
    let change = changes::create_in(&txn, user, actor, draft).await?;
    versioned::update(&txn, id, version, |update: UpdateMany<Problems>| {
        update.col_expr(Column::ChangeId, Expr::value(change.id))
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::Problem,
        id,
        "problem_change",
        format!(
            "{}: raised {} to remove the cause",
            reference(id),
            change.reference()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(change.id)
}

/// One problem with its incidents and the change that removes its cause.
pub async fn detail<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Problem, AppError> {
    use crate::server::entity::change::Entity as Changes;
    let row = row(conn, id).await?;
    let links = Links::find()
        .filter(link_entity::Column::ProblemId.eq(id))
        .order_by_asc(link_entity::Column::IncidentId)
        .all(conn)
        .await?;
    let incidents = Incidents::find()
        .filter(incident_entity::Column::Id.is_in(links.iter().map(|l| l.incident_id)))
        .order_by_asc(incident_entity::Column::Id)
        .all(conn)
        .await?;
    let mut wanted = vec![row.created_by];
    wanted.extend(row.owner_id);
    let persons = people(conn, &wanted).await?;
    let service = catalogue::names_of(conn, [row.service_id])
        .await?
        .remove(&row.service_id)
        .unwrap_or_else(|| format!("Service {}", row.service_id));
    let change = match row.change_id {
        Some(change_id) => Changes::find_by_id(change_id).one(conn).await?.map(|c| {
            (
                c.id,
                crate::model::change_request::reference(c.id),
                c.title,
                ChangeState::parse(&c.state)
                    .map(|s| s.label().to_string())
                    .unwrap_or(c.state),
            )
        }),
        None => None,
    };
    Ok(Problem {
        id: row.id,
        reference: reference(row.id),
        title: row.title.clone(),
        description: row.description.clone(),
        service: ServiceRef {
            id: row.service_id,
            name: service,
        },
        state: state_of(&row),
        owner: row.owner_id.map(|id| person(&persons, id)),
        rca_method: row.rca_method.as_deref().and_then(RcaMethod::parse),
        root_cause: row.root_cause.clone(),
        workaround: row.workaround.clone(),
        resolution: row.resolution.clone(),
        change,
        created_by: person(&persons, row.created_by),
        created_at: row.created_at,
        known_error_at: row.known_error_at,
        resolved_at: row.resolved_at,
        closed_at: row.closed_at,
        incidents: incidents
            .into_iter()
            .map(|i| LinkedIncident {
                id: i.id,
                reference: incident::reference(i.id),
                title: i.title,
                state: IncidentState::parse(&i.state).unwrap_or(IncidentState::New),
                created_at: i.created_at,
            })
            .collect(),
        version: row.version,
    })
}

/// A problem as `user` sees it: the record and the steps the rules let them take now.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    id: i64,
) -> Result<ProblemRecord, AppError> {
    let problem = detail(conn, id).await?;
    let actor = ActorFacts::from(user);
    let facts = ProblemFacts {
        state: problem.state,
        owner_id: problem.owner.as_ref().map(|p| p.id),
        has_root_cause: problem.root_cause.is_some(),
        has_workaround: problem.workaround.is_some(),
        has_resolution: false,
    };
    let configuration =
        super::record_cis::reach_for(conn, user, (NamedBy::Problem, id), problem.service.id)
            .await?;
    Ok(ProblemRecord {
        configuration,
        actions: problem::available_actions(&facts, &actor),
        may_edit: problem::may_edit_analysis(problem.state, &actor),
        problem,
    })
}

fn open_states() -> Vec<&'static str> {
    ProblemState::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(ProblemState::as_str)
        .collect()
}

fn filtered(params: &ProblemListParams) -> Select<Problems> {
    let mut query = Problems::find();
    query = match params.state_filter() {
        StateFilter::Open => query.filter(Column::State.is_in(open_states())),
        StateFilter::All => query,
        StateFilter::One(state) => query.filter(Column::State.eq(state.as_str())),
    };
    let search = params.search();
    let upper = search.to_ascii_uppercase();
    if let Some(id) = upper
        .strip_prefix("PRB-")
        .and_then(|n| n.trim().parse::<i64>().ok())
    {
        query = query.filter(Column::Id.eq(id));
    } else if !search.is_empty() {
        query = query.filter(
            Condition::any()
                .add(contains(Column::Title, &search))
                .add(contains(Column::RootCause, &search))
                .add(contains(Column::Workaround, &search)),
        );
    }
    query
}

/// One page of the problem list, newest first.
pub async fn page<C: ConnectionTrait>(
    conn: &C,
    params: &ProblemListParams,
    page_size: u64,
) -> Result<ProblemPage, AppError> {
    let total = filtered(params).count(conn).await?;
    let pages = Ord::max(total.div_ceil(page_size), 1);
    let page = Ord::min(params.page_number(), pages);
    let order = KeyOrder::<Problems> {
        keys: vec![],
        id: Column::Id,
        order: Order::Desc,
    };
    let rows = key_paging::read_page(
        filtered(params),
        &order,
        params.page_key(),
        page,
        page_size,
        |select| async move { Ok(select.all(conn).await?) },
    )
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let counts: HashMap<i64, i64> = Links::find()
        .select_only()
        .column(link_entity::Column::ProblemId)
        .column_as(link_entity::Column::Id.count(), "linked")
        .filter(link_entity::Column::ProblemId.is_in(ids))
        .group_by(link_entity::Column::ProblemId)
        .into_tuple::<(i64, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let services = catalogue::names_of(conn, rows.iter().map(|r| r.service_id)).await?;
    let owners: Vec<i64> = rows.iter().filter_map(|r| r.owner_id).collect();
    let names = people(conn, &owners).await?;
    Ok(ProblemPage {
        rows: rows
            .into_iter()
            .map(|r| ProblemRow {
                id: r.id,
                reference: reference(r.id),
                title: r.title.clone(),
                service: services.get(&r.service_id).cloned().unwrap_or_default(),
                state: state_of(&r),
                owner: r
                    .owner_id
                    .and_then(|id| names.get(&id).map(|p| p.name.clone())),
                incidents: u64::try_from(counts.get(&r.id).copied().unwrap_or(0)).unwrap_or(0),
                created_at: r.created_at,
            })
            .collect(),
        total,
        page,
        pages,
    })
}

/// The known errors whose words match what is being typed, best first. Reads only known
/// errors that contain one of the telling words, at most 50, and ranks those.
pub async fn known_errors<C: ConnectionTrait>(
    conn: &C,
    typed: &str,
) -> Result<Vec<KnownErrorMatch>, AppError> {
    let typed: String = typed.chars().take(2000).collect();
    let terms = problem::search_terms(&typed);
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let any_term = terms.iter().fold(Condition::any(), |any, term| {
        any.add(contains(Column::Title, term))
            .add(contains(Column::RootCause, term))
            .add(contains(Column::Workaround, term))
    });
    let rows = Problems::find()
        .filter(Column::State.eq(ProblemState::KnownError.as_str()))
        .filter(any_term)
        .order_by_desc(Column::Id)
        .limit(50)
        .all(conn)
        .await?;
    let services = catalogue::names_of(conn, rows.iter().map(|r| r.service_id)).await?;
    let found = rows
        .into_iter()
        .map(|r| {
            let workaround = r.workaround.clone().unwrap_or_default();
            let score = problem::match_score(
                &terms,
                &[
                    r.title.as_str(),
                    r.root_cause.as_deref().unwrap_or_default(),
                    workaround.as_str(),
                ],
            );
            KnownErrorMatch {
                id: r.id,
                reference: reference(r.id),
                title: r.title,
                service: services.get(&r.service_id).cloned().unwrap_or_default(),
                workaround,
                score,
            }
        })
        .collect();
    Ok(problem::rank_matches(&terms, found))
}

/// The problem that explains an incident, as the incident's record names it.
pub async fn of_incident<C: ConnectionTrait>(
    conn: &C,
    incident_id: i64,
) -> Result<Option<crate::model::incident::IncidentProblem>, AppError> {
    let Some(link) = Links::find()
        .filter(link_entity::Column::IncidentId.eq(incident_id))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let problem = row(conn, link.problem_id).await?;
    Ok(Some(crate::model::incident::IncidentProblem {
        id: problem.id,
        reference: reference(problem.id),
        title: problem.title.clone(),
        state: state_of(&problem),
        workaround: problem.workaround.clone(),
    }))
}

/// Applies a known error to an incident being raised (inside its transaction): links the
/// incident and puts the workaround on its timeline.
pub(crate) async fn apply_known_error<C: ConnectionTrait>(
    txn: &C,
    actor: &Actor,
    incident_id: i64,
    problem_id: i64,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let found = Problems::find_by_id(problem_id).one(txn).await?;
    let Some(problem) = found.filter(|p| state_of(p) == ProblemState::KnownError) else {
        return Err(AppError::single_field(
            "known_error",
            "That known error is no longer offered: it was resolved or reopened. Report the incident without it.",
        ));
    };
    touch(txn, &problem).await?;
    insert_link(txn, problem_id, incident_id, user_id, now).await?;
    add_event(
        txn,
        incident_id,
        now,
        Some(user_id),
        TimelineKind::Note,
        format!(
            "Known error {} applied: {}\n\nWorkaround: {}",
            reference(problem_id),
            problem.title,
            problem.workaround.unwrap_or_default()
        ),
    )
    .await?;
    audit::record(
        txn,
        actor,
        RecordType::Problem,
        problem_id,
        "problem_linked",
        format!(
            "{}: linked {} (known error applied when it was reported)",
            reference(problem_id),
            incident::reference(incident_id)
        ),
    )
    .await?;
    Ok(())
}
