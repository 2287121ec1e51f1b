//! Management reviews (clause 9.3): planning, gathering the inputs from Conform's own records,
//! recording attendees, decisions and actions, and publishing immutable minutes.
//!
//! The inputs are gathered live while a review is planned or held; when its minutes are
//! published they are frozen as JSON on the review, so the published record never changes when
//! the data behind it does. Actions stay trackable after publishing. Every write is audited.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::change::{ChangeState, ChangeType};
use crate::model::continuity_plan::ExerciseResult;
use crate::model::improvement::ImprovementState;
use crate::model::management_review::{
    check_action, check_decision, may_complete_action, review_transition, ActionStatus,
    AuditResults, DetailsForm, MyReviewAction, ObjectiveStatus, Period, PeriodFigures, Ratio,
    ReviewAction, ReviewDecision, ReviewFacts, ReviewInputs, ReviewPlan, ReviewRecord, ReviewState,
    ReviewSummary, ReviewTransition,
};
use crate::model::nonconformity::NcState;
use crate::model::refs::PersonRef;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::management_review::{self as review_entity, Entity as Reviews};
use crate::server::entity::review_action::{self as action_entity, Entity as Actions};
use crate::server::entity::review_decision::{self as decision_entity, Entity as Decisions};
use crate::server::entity::{
    audit_log, change, continuity_exercise, improvement, nonconformity, objective,
    objective_measurement,
};
use crate::server::service::users::people;
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, UpdateMany,
};
use std::collections::{HashMap, HashSet};

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// The period as instants: from its first day's midnight (UTC) to the midnight after its last.
fn instants(period: Period) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        start_of(period.start),
        start_of(period.end + Duration::days(1)),
    )
}

// ---------------------------------------------------------------------------------------------
// Gathering the inputs

/// Internal audits completed in `period` and their findings by grade.
pub async fn audit_results<C: ConnectionTrait>(
    conn: &C,
    period: Period,
) -> Result<AuditResults, AppError> {
    crate::server::service::internal_audits::results_in(conn, period.start, period.end).await
}

/// Changes that went through Failed or Backed out before being reviewed: the audit trail keeps
/// the transition even when the change's state moved on.
async fn changes_that_failed<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashSet<i64>, AppError> {
    let mut failed = HashSet::new();
    if ids.is_empty() {
        return Ok(failed);
    }
    let wanted: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
    for chunk in wanted.chunks(500) {
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::RecordType.eq(RecordType::Change.as_str()))
            .filter(audit_log::Column::Action.eq("change_transition"))
            .filter(audit_log::Column::RecordId.is_in(chunk.to_vec()))
            .filter(
                audit_log::Column::Summary
                    .contains(format!("→ {}", ChangeState::Failed.label()))
                    .or(audit_log::Column::Summary
                        .contains(format!("→ {}", ChangeState::BackedOut.label()))),
            )
            .all(conn)
            .await?;
        for row in rows {
            if let Some(id) = row.record_id.and_then(|id| id.parse().ok()) {
                failed.insert(id);
            }
        }
    }
    Ok(failed)
}

/// Figures for one period.
async fn period_figures<C: ConnectionTrait>(
    conn: &C,
    period: Period,
) -> Result<PeriodFigures, AppError> {
    let (from, to) = instants(period);
    // Change success: of the changes implemented in the period (by their planned end), those
    // that did not fail, get backed out or cause incidents.
    let done_states: Vec<&str> = [
        ChangeState::Implemented,
        ChangeState::Failed,
        ChangeState::BackedOut,
        ChangeState::Reviewed,
        ChangeState::Closed,
    ]
    .iter()
    .map(|s| s.as_str())
    .collect();
    let implemented: Vec<(i64, String)> = change::Entity::find()
        .select_only()
        .column(change::Column::Id)
        .column(change::Column::State)
        .filter(change::Column::State.is_in(done_states))
        .filter(change::Column::PlannedEnd.gte(from))
        .filter(change::Column::PlannedEnd.lt(to))
        .into_tuple()
        .all(conn)
        .await?;
    let ids: Vec<i64> = implemented.iter().map(|(id, _)| *id).collect();
    let failed_before = changes_that_failed(conn, &ids).await?;
    // A change that caused incidents did not succeed either, whatever its state says.
    let caused_incidents =
        crate::server::service::incident_causes::changes_that_caused(conn, &ids).await?;
    let failed = implemented
        .iter()
        .filter(|(id, state)| {
            state == ChangeState::Failed.as_str()
                || state == ChangeState::BackedOut.as_str()
                || failed_before.contains(id)
                || caused_incidents.contains(id)
        })
        .count() as u64;
    let implemented_count = implemented.len() as u64;
    let change_success = Ratio::new(implemented_count - failed, implemented_count);
    // Emergency ratio: of the changes raised (beyond draft) in the period.
    let raised = change::Entity::find()
        .filter(change::Column::CreatedAt.gte(from))
        .filter(change::Column::CreatedAt.lt(to))
        .filter(change::Column::State.ne(ChangeState::Draft.as_str()));
    let raised_total = raised.clone().count(conn).await?;
    let emergency = raised
        .filter(change::Column::ChangeType.eq(ChangeType::Emergency.as_str()))
        .count(conn)
        .await?;
    let exercise_count = |result: ExerciseResult| {
        continuity_exercise::Entity::find()
            .filter(continuity_exercise::Column::Result.eq(result.as_str()))
            .filter(continuity_exercise::Column::PlannedOn.gte(period.start))
            .filter(continuity_exercise::Column::PlannedOn.lte(period.end))
            .count(conn)
    };
    let improvements_opened = improvement::Entity::find()
        .filter(improvement::Column::CreatedAt.gte(from))
        .filter(improvement::Column::CreatedAt.lt(to))
        .count(conn)
        .await?;
    let improvements_closed = improvement::Entity::find()
        .filter(improvement::Column::ClosedAt.gte(from))
        .filter(improvement::Column::ClosedAt.lt(to))
        .count(conn)
        .await?;
    let nonconformities_raised = nonconformity::Entity::find()
        .filter(nonconformity::Column::CreatedAt.gte(from))
        .filter(nonconformity::Column::CreatedAt.lt(to))
        .count(conn)
        .await?;
    // A closed nonconformity has passed its effectiveness check; its last write is the close.
    let nonconformities_closed_verified = nonconformity::Entity::find()
        .filter(nonconformity::Column::State.eq(NcState::Closed.as_str()))
        .filter(nonconformity::Column::VerifiedBy.is_not_null())
        .filter(nonconformity::Column::UpdatedAt.gte(from))
        .filter(nonconformity::Column::UpdatedAt.lt(to))
        .count(conn)
        .await?;
    let (incidents_in_target, requests_in_target, major_incidents) =
        service_level_figures(conn, from, to).await?;
    Ok(PeriodFigures {
        incidents_in_target,
        requests_in_target,
        major_incidents,
        change_success,
        emergency_changes: Ratio::new(emergency, raised_total),
        exercises_passed: exercise_count(ExerciseResult::Passed).await?,
        exercises_partly: exercise_count(ExerciseResult::Partly).await?,
        exercises_failed: exercise_count(ExerciseResult::Failed).await?,
        improvements_opened,
        improvements_closed,
        nonconformities_raised,
        nonconformities_closed_verified,
        audit: audit_results(conn, period).await?,
    })
}

/// Service levels in `[from, to)`: incidents resolved and requests fulfilled within their
/// targets (of those that had one), and major incidents reported. COUNT queries only.
async fn service_level_figures<C: ConnectionTrait>(
    conn: &C,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(Ratio, Ratio, u64), AppError> {
    use crate::server::entity::incident::{Column as I, Entity as Incidents};
    use crate::server::entity::service_request::{Column as R, Entity as Requests};
    use sea_orm::sea_query::ExprTrait;
    let resolved = Incidents::find()
        .filter(I::ResolvedAt.gte(from))
        .filter(I::ResolvedAt.lt(to))
        .filter(I::ResolutionTargetMinutes.is_not_null());
    let incidents_in_time = resolved
        .clone()
        .filter(
            Expr::col(I::ResolutionUsedSeconds).lte(Expr::col(I::ResolutionTargetMinutes).mul(60)),
        )
        .count(conn)
        .await?;
    let incidents = resolved.count(conn).await?;
    let fulfilled = Requests::find()
        .filter(R::FulfilledAt.gte(from))
        .filter(R::FulfilledAt.lt(to))
        .filter(R::TargetMinutes.is_not_null());
    let requests_in_time = fulfilled
        .clone()
        .filter(Expr::col(R::UsedSeconds).lte(Expr::col(R::TargetMinutes).mul(60)))
        .count(conn)
        .await?;
    let requests = fulfilled.count(conn).await?;
    let majors = Incidents::find()
        .filter(I::Major.eq(true))
        .filter(I::CreatedAt.gte(from))
        .filter(I::CreatedAt.lt(to))
        .count(conn)
        .await?;
    Ok((
        Ratio::new(incidents_in_time, incidents),
        Ratio::new(requests_in_time, requests),
        majors,
    ))
}

/// Actions of the reviews before the one on `planned_on` (all reviews when there is none).
async fn previous_actions<C: ConnectionTrait>(
    conn: &C,
    review_id: Option<i64>,
    planned_on: NaiveDate,
    today: NaiveDate,
) -> Result<ActionStatus, AppError> {
    let mut earlier = Reviews::find().filter(review_entity::Column::PlannedOn.lte(planned_on));
    if let Some(id) = review_id {
        earlier = earlier.filter(review_entity::Column::Id.ne(id));
    }
    let ids: Vec<i64> = earlier
        .select_only()
        .column(review_entity::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let mut status = ActionStatus::default();
    if ids.is_empty() {
        return Ok(status);
    }
    for row in Actions::find()
        .filter(action_entity::Column::ReviewId.is_in(ids))
        .all(conn)
        .await?
    {
        if row.done_at.is_some() {
            status.done += 1;
        } else {
            status.open += 1;
            if row.due_on < today {
                status.overdue += 1;
            }
        }
    }
    Ok(status)
}

/// Objectives by their latest measurement up to the end of the period.
async fn objective_status<C: ConnectionTrait>(
    conn: &C,
    period: Period,
) -> Result<ObjectiveStatus, AppError> {
    let mut status = ObjectiveStatus::default();
    let objectives = objective::Entity::find()
        .filter(objective::Column::Retired.eq(false))
        .all(conn)
        .await?;
    for goal in objectives {
        let latest = objective_measurement::Entity::find()
            .filter(objective_measurement::Column::ObjectiveId.eq(goal.id))
            .filter(objective_measurement::Column::MeasuredOn.lte(period.end))
            .order_by_desc(objective_measurement::Column::MeasuredOn)
            .order_by_desc(objective_measurement::Column::Id)
            .one(conn)
            .await?;
        match latest {
            None => status.not_measured += 1,
            Some(m) => {
                let met = if goal.direction == "lower" {
                    m.value <= goal.target
                } else {
                    m.value >= goal.target
                };
                if met {
                    status.met += 1;
                } else {
                    status.not_met += 1;
                }
            }
        }
    }
    Ok(status)
}

/// Gathers every input for a review of `period` held on `planned_on`, as of `today`.
pub async fn gather<C: ConnectionTrait>(
    conn: &C,
    review_id: Option<i64>,
    planned_on: NaiveDate,
    period: Period,
    today: NaiveDate,
) -> Result<ReviewInputs, AppError> {
    let mut inputs = ReviewInputs::empty(period, today);
    inputs.current = period_figures(conn, period).await?;
    inputs.previous = period_figures(conn, period.previous()).await?;
    inputs.previous_actions = previous_actions(conn, review_id, planned_on, today).await?;
    let closed_states = [
        ImprovementState::Rejected.as_str(),
        ImprovementState::Closed.as_str(),
    ];
    let open =
        improvement::Entity::find().filter(improvement::Column::State.is_not_in(closed_states));
    inputs.risks = crate::server::service::sms_risks::review_status(conn, today).await?;
    inputs.improvements_open = open.clone().count(conn).await?;
    inputs.improvements_overdue = open
        .filter(improvement::Column::TargetDate.lt(today))
        .count(conn)
        .await?;
    let open_ncs: Vec<(String, Option<NaiveDate>)> = nonconformity::Entity::find()
        .select_only()
        .column(nonconformity::Column::State)
        .column(nonconformity::Column::StepDue)
        .filter(nonconformity::Column::State.ne(NcState::Closed.as_str()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut by_state: HashMap<NcState, u64> = HashMap::new();
    for (state, due) in &open_ncs {
        if let Some(state) = NcState::parse(state) {
            *by_state.entry(state).or_default() += 1;
        }
        if due.is_some_and(|d| d < today) {
            inputs.nonconformities_overdue += 1;
        }
    }
    inputs.nonconformities_open = NcState::ALL
        .into_iter()
        .filter_map(|s| by_state.get(&s).map(|n| (s, *n)))
        .collect();
    inputs.objectives = objective_status(conn, period).await?;
    Ok(inputs)
}

// ---------------------------------------------------------------------------------------------
// Reading

async fn review_row<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<review_entity::Model, AppError> {
    Reviews::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That management review".into()))
}

fn state_of(row: &review_entity::Model) -> ReviewState {
    ReviewState::parse(&row.state).unwrap_or(ReviewState::Planned)
}

fn attendee_ids(row: &review_entity::Model) -> Vec<i64> {
    serde_json::from_str(&row.attendees).unwrap_or_default()
}

fn period_of(row: &review_entity::Model) -> Period {
    Period {
        start: row.period_start,
        end: row.period_end,
    }
}

fn action_view(row: action_entity::Model, names: &HashMap<i64, PersonRef>) -> ReviewAction {
    ReviewAction {
        id: row.id,
        review_id: row.review_id,
        owner: names.get(&row.owner_id).cloned().unwrap_or(PersonRef {
            id: row.owner_id,
            name: format!("User {}", row.owner_id),
        }),
        text: row.text,
        due_on: row.due_on,
        done_at: row.done_at,
        done_note: row.done_note,
        version: row.version,
    }
}

/// One review whole, its inputs live (planned, held) or frozen (published), as of `today`.
pub async fn get<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    today: NaiveDate,
) -> Result<ReviewRecord, AppError> {
    let row = review_row(conn, id).await?;
    let state = state_of(&row);
    let frozen = match (state, &row.inputs_snapshot) {
        (ReviewState::Published, Some(json)) => serde_json::from_str::<ReviewInputs>(json).ok(),
        _ => None,
    };
    let inputs_frozen = frozen.is_some();
    let inputs = match frozen {
        Some(inputs) => inputs,
        None => gather(conn, Some(row.id), row.planned_on, period_of(&row), today).await?,
    };
    let decisions = Decisions::find()
        .filter(decision_entity::Column::ReviewId.eq(id))
        .order_by_asc(decision_entity::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|d| ReviewDecision {
            id: d.id,
            text: d.text,
            created_at: d.created_at,
        })
        .collect();
    let action_rows = Actions::find()
        .filter(action_entity::Column::ReviewId.eq(id))
        .order_by_asc(action_entity::Column::DueOn)
        .order_by_asc(action_entity::Column::Id)
        .all(conn)
        .await?;
    let attendees = attendee_ids(&row);
    let mut wanted: Vec<i64> = attendees.clone();
    wanted.push(row.chair_id);
    wanted.extend(row.published_by);
    wanted.extend(action_rows.iter().map(|a| a.owner_id));
    let names = people(conn, &wanted).await?;
    let person = |id: i64| {
        names.get(&id).cloned().unwrap_or(PersonRef {
            id,
            name: format!("User {id}"),
        })
    };
    let mut attendee_refs: Vec<PersonRef> = attendees.iter().map(|id| person(*id)).collect();
    attendee_refs.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ReviewRecord {
        id: row.id,
        title: row.title.clone(),
        planned_on: row.planned_on,
        period: period_of(&row),
        state,
        chair: person(row.chair_id),
        attendees: attendee_refs,
        guests: row.guests.clone(),
        context_changes: row.context_changes.clone(),
        customer_feedback: row.customer_feedback.clone(),
        inputs,
        inputs_frozen,
        minutes: row.minutes.clone(),
        published_at: row.published_at,
        published_by: row.published_by.map(person),
        version: row.version,
        decisions,
        actions: action_rows
            .into_iter()
            .map(|a| action_view(a, &names))
            .collect(),
    })
}

/// Every review, the most recent date first, with its open and overdue actions.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<Vec<ReviewSummary>, AppError> {
    let rows = Reviews::find()
        .order_by_desc(review_entity::Column::PlannedOn)
        .order_by_desc(review_entity::Column::Id)
        .all(conn)
        .await?;
    let open: Vec<(i64, NaiveDate)> = Actions::find()
        .select_only()
        .column(action_entity::Column::ReviewId)
        .column(action_entity::Column::DueOn)
        .filter(action_entity::Column::DoneAt.is_null())
        .into_tuple()
        .all(conn)
        .await?;
    let chairs: Vec<i64> = rows.iter().map(|r| r.chair_id).collect();
    let names = people(conn, &chairs).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mine = open.iter().filter(|(review, _)| *review == row.id);
            let open_actions = mine.clone().count() as u64;
            let overdue_actions = mine.filter(|(_, due)| *due < today).count() as u64;
            ReviewSummary {
                id: row.id,
                title: row.title.clone(),
                planned_on: row.planned_on,
                state: state_of(&row),
                chair: names
                    .get(&row.chair_id)
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                open_actions,
                overdue_actions,
            }
        })
        .collect())
}

/// Every published review whole (for the evidence pack), the most recent first.
pub async fn published<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<Vec<ReviewRecord>, AppError> {
    let ids: Vec<i64> = Reviews::find()
        .select_only()
        .column(review_entity::Column::Id)
        .filter(review_entity::Column::State.eq(ReviewState::Published.as_str()))
        .order_by_desc(review_entity::Column::PlannedOn)
        .into_tuple()
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(get(conn, id, today).await?);
    }
    Ok(out)
}

/// The open actions `user_id` owns, soonest due first.
pub async fn my_open_actions<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    today: NaiveDate,
) -> Result<Vec<MyReviewAction>, AppError> {
    let rows = Actions::find()
        .filter(action_entity::Column::OwnerId.eq(user_id))
        .filter(action_entity::Column::DoneAt.is_null())
        .order_by_asc(action_entity::Column::DueOn)
        .all(conn)
        .await?;
    let review_ids: Vec<i64> = rows.iter().map(|r| r.review_id).collect();
    let titles: HashMap<i64, String> = Reviews::find()
        .filter(review_entity::Column::Id.is_in(review_ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.id, r.title))
        .collect();
    let names = people(conn, &[user_id]).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let review_title = titles.get(&row.review_id).cloned().unwrap_or_default();
            let action = action_view(row, &names);
            MyReviewAction {
                overdue: action.is_overdue(today),
                action,
                review_title,
            }
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Writing

fn published_refusal() -> AppError {
    AppError::BadRequest(
        "The minutes of this review are published; a published review does not change.".into(),
    )
}

/// The review, checked editable and at `version`, inside the write's transaction.
async fn editable(
    txn: &DatabaseTransaction,
    id: i64,
    version: i32,
) -> Result<review_entity::Model, AppError> {
    let row = review_row(txn, id).await?;
    if !state_of(&row).is_editable() {
        return Err(published_refusal());
    }
    check_version::<Reviews>(version, row.version)?;
    Ok(row)
}

/// Plans a review; returns its id.
pub async fn plan(db: &Db, actor: &Actor, plan: ReviewPlan) -> Result<i64, AppError> {
    let txn = db.begin_write().await?;
    if people(&txn, &[plan.chair_id]).await?.is_empty() {
        return Err(AppError::single_field(
            "chair_id",
            "Choose who chairs the review from the list.",
        ));
    }
    let now = Utc::now();
    let row = review_entity::ActiveModel {
        title: Set(plan.title.clone()),
        planned_on: Set(plan.planned_on),
        period_start: Set(plan.period.start),
        period_end: Set(plan.period.end),
        state: Set(ReviewState::Planned.as_str().into()),
        chair_id: Set(plan.chair_id),
        attendees: Set("[]".into()),
        guests: Set(String::new()),
        context_changes: Set(String::new()),
        customer_feedback: Set(String::new()),
        inputs_snapshot: Set(None),
        minutes: Set(String::new()),
        published_at: Set(None),
        published_by: Set(None),
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
        RecordType::ManagementReview,
        row.id,
        "review_planned",
        format!(
            "Management review “{}” planned for {} (inputs {})",
            plan.title,
            plan.planned_on,
            plan.period.label()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row.id)
}

/// Saves attendees, guests, context changes, customer feedback and minutes.
pub async fn save_details(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    details: DetailsForm,
) -> Result<(), AppError> {
    let details = details.validate()?;
    let txn = db.begin_write().await?;
    let row = editable(&txn, id, version).await?;
    if !details.attendees.is_empty()
        && people(&txn, &details.attendees).await?.len() != details.attendees.len()
    {
        return Err(AppError::single_field(
            "attendees",
            "Choose the attendees from the list of people.",
        ));
    }
    let attendees = serde_json::to_string(&details.attendees).unwrap_or_else(|_| "[]".into());
    versioned::update(&txn, id, version, |update: UpdateMany<Reviews>| {
        update
            .col_expr(review_entity::Column::Attendees, Expr::value(attendees))
            .col_expr(review_entity::Column::Guests, Expr::value(details.guests))
            .col_expr(
                review_entity::Column::ContextChanges,
                Expr::value(details.context_changes),
            )
            .col_expr(
                review_entity::Column::CustomerFeedback,
                Expr::value(details.customer_feedback),
            )
            .col_expr(review_entity::Column::Minutes, Expr::value(details.minutes))
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::ManagementReview,
        id,
        "review_saved",
        format!(
            "Management review “{}”: details and minutes saved",
            row.title
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Records a decision (until the minutes are published).
pub async fn add_decision(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    text: &str,
) -> Result<(), AppError> {
    let text = check_decision(text)?;
    let txn = db.begin_write().await?;
    let row = editable(&txn, id, version).await?;
    versioned::update(&txn, id, version, |u: UpdateMany<Reviews>| u).await?;
    decision_entity::ActiveModel {
        review_id: Set(id),
        text: Set(text.clone()),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::ManagementReview,
        id,
        "review_decision_added",
        format!("Management review “{}”: decision “{text}”", row.title),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Agrees an action with an owner and a due date (until the minutes are published).
pub async fn add_action(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    text: &str,
    owner_id: &str,
    due_on: &str,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let row = editable(&txn, id, version).await?;
    let (text, owner_id, due_on) = check_action(text, owner_id, due_on, row.planned_on)?;
    // Only someone who can sign in can see and complete the action.
    let Some(owner) = crate::server::service::users::active_people(&txn)
        .await?
        .into_iter()
        .find(|p| p.id == owner_id)
    else {
        return Err(AppError::single_field(
            "owner_id",
            "Choose the action's owner from the list.",
        ));
    };
    versioned::update(&txn, id, version, |u: UpdateMany<Reviews>| u).await?;
    action_entity::ActiveModel {
        review_id: Set(id),
        text: Set(text.clone()),
        owner_id: Set(owner_id),
        due_on: Set(due_on),
        done_at: Set(None),
        done_note: Set(String::new()),
        version: Set(1),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::ManagementReview,
        id,
        "review_action_added",
        format!(
            "Management review “{}”: action “{text}” for {} by {due_on}",
            row.title, owner.name
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Marks an action done — its owner or a review manager, also after publishing.
pub async fn complete_action(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    action_id: i64,
    version: i32,
    note: &str,
) -> Result<ReviewAction, AppError> {
    let mut errors = FieldErrors::new();
    let note = crate::model::text::bounded(&mut errors, "note", "Note", note, 0, 2_000);
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let txn = db.begin_write().await?;
    let row = Actions::find_by_id(action_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That review action".into()))?;
    if !may_complete_action(user, row.owner_id) {
        return Err(AppError::Refused(
            "Only the action's owner or a quality manager marks it done.".into(),
        ));
    }
    if row.done_at.is_some() {
        return Err(AppError::BadRequest("The action is already done.".into()));
    }
    versioned::update(&txn, action_id, version, |update: UpdateMany<Actions>| {
        update
            .col_expr(action_entity::Column::DoneAt, Expr::value(Utc::now()))
            .col_expr(action_entity::Column::DoneNote, Expr::value(note))
    })
    .await?;
    let review = review_row(&txn, row.review_id).await?;
    audit::record(
        &txn,
        actor,
        RecordType::ManagementReview,
        review.id,
        "review_action_done",
        format!(
            "Management review “{}”: action “{}” done",
            review.title, row.text
        ),
    )
    .await?;
    let after = Actions::find_by_id(action_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That review action".into()))?;
    let names = people(&txn, &[after.owner_id]).await?;
    txn.commit().await?;
    Ok(action_view(after, &names))
}

/// Holds the review or publishes its minutes; publishing freezes the inputs for good.
pub async fn transition_review(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    step: ReviewTransition,
    today: NaiveDate,
) -> Result<ReviewState, AppError> {
    let txn = db.begin_write().await?;
    let row = review_row(&txn, id).await?;
    check_version::<Reviews>(version, row.version)?;
    let state = state_of(&row);
    let next = review_transition(
        state,
        step,
        ReviewFacts {
            attendees: attendee_ids(&row).len(),
            has_minutes: !row.minutes.trim().is_empty(),
        },
    )
    .map_err(AppError::BadRequest)?;
    let inputs = gather(&txn, Some(id), row.planned_on, period_of(&row), today).await?;
    let snapshot = serde_json::to_string(&inputs)
        .map_err(|_| crate::server::failure::internal("review inputs could not be frozen"))?;
    let now = Utc::now();
    versioned::update(&txn, id, version, |update: UpdateMany<Reviews>| {
        let update = update
            .col_expr(review_entity::Column::State, Expr::value(next.as_str()))
            .col_expr(review_entity::Column::InputsSnapshot, Expr::value(snapshot));
        if next == ReviewState::Published {
            update
                .col_expr(review_entity::Column::PublishedAt, Expr::value(now))
                .col_expr(review_entity::Column::PublishedBy, Expr::value(user.id))
        } else {
            update
        }
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::ManagementReview,
        id,
        if next == ReviewState::Published {
            "review_published"
        } else {
            "review_held"
        },
        format!(
            "Management review “{}”: {} → {}",
            row.title,
            state.label(),
            next.label()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}
