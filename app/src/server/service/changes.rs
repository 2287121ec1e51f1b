//! Change enablement: create and edit change requests, move them through their lifecycle, and
//! read one in full. Every write is audited in its transaction and announced on the live
//! channel after commit. What a change is stored as (its links) is `change_records`; the list,
//! the board and the export are `change_lists`; schedule conflicts are worked out in
//! `change_conflicts`; imported history arrives through `change_import`.
//!
//! A rule that refuses a write (who may decide, the board's authority, a former owner, a
//! standard change outside its template, open conflicts, read-only imports, a state that no
//! longer allows it) answers `AppError::Refused` in its own words; input that is not valid
//! answers field errors; a missing permission `AppError::Forbidden`, as the permission check.

use crate::error::{AppError, FieldErrors};
use crate::model::access::{Permission, RecordType, Role};
use crate::model::actor::ActorFacts;
use crate::model::audit::diff;
use crate::model::change::{self as lifecycle, ChangeAction, ChangeFacts, ChangeState};
use crate::model::change_request::{Change, ChangeDraft, Review};
use crate::model::refs::ServiceRef;
use crate::model::risk::{assess, RiskAnswers};
use crate::model::schedule::Window;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::change::{self as change_entity, Column, Entity as Changes};
use crate::server::entity::service::Entity as Services;
use crate::server::failure::internal;
use crate::server::service::change_conflicts::{
    conflicts_of, describe_conflicts, scheduled_states,
};
use crate::server::service::change_records::{
    check_references, former_owner_ids, has_review, links, most_critical_service, related,
    state_of, type_of, write_links,
};
use crate::server::service::conflict_counts;
use crate::server::service::schedule::schedule_of;
use crate::server::service::templates::apply_template;
use crate::server::service::users::{people, person};
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    UpdateMany,
};

async fn find_row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<change_entity::Model, AppError> {
    Changes::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound(crate::model::change_request::reference(id)))
}

/// The full change, with names, risk and live conflicts.
pub async fn load<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Change, AppError> {
    let row = find_row(conn, id).await?;
    let links = links(conn, &[id]).await?;
    let service_ids = links.services.get(&id).cloned().unwrap_or_default();
    let implementer_ids = links.implementers.get(&id).cloned().unwrap_or_default();
    let services: Vec<ServiceRef> = if service_ids.is_empty() {
        Vec::new()
    } else {
        Services::find()
            .filter(crate::server::entity::service::Column::Id.is_in(service_ids.clone()))
            .order_by_asc(crate::server::entity::service::Column::NameKey)
            .all(conn)
            .await?
            .into_iter()
            .map(|s| ServiceRef {
                id: s.id,
                name: s.name,
            })
            .collect()
    };
    let former_owner_ids = former_owner_ids(&row);
    let mut ids = implementer_ids.clone();
    ids.extend([row.requester_id, row.owner_id]);
    ids.extend(former_owner_ids.iter().copied());
    let names = people(conn, &ids).await?;
    let conflicts = conflicts_of(conn, &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    let conflicts = describe_conflicts(conn, conflicts).await?;
    let risk_answers: Option<RiskAnswers> = row
        .risk_answers
        .as_deref()
        .and_then(|a| serde_json::from_str(a).ok());
    let most_critical = most_critical_service(conn, &service_ids).await?;
    Ok(Change {
        id: row.id,
        title: row.title.clone(),
        description: row.description.clone(),
        reason: row.reason.clone(),
        change_type: type_of(&row),
        category: row.category.clone(),
        state: state_of(&row),
        requester: person(&names, row.requester_id),
        owner: person(&names, row.owner_id),
        implementers: implementer_ids.iter().map(|i| person(&names, *i)).collect(),
        services,
        configuration_items: serde_json::from_str(&row.configuration_items).unwrap_or_default(),
        planned_start: row.planned_start,
        planned_end: row.planned_end,
        expects_outage: row.expects_outage,
        outage_minutes: row.outage_minutes,
        implementation_plan: row.implementation_plan.clone(),
        test_plan: row.test_plan.clone(),
        backout_plan: row.backout_plan.clone(),
        communication_plan: row.communication_plan.clone(),
        risk: risk_answers.map(|answers| assess(&answers, most_critical)),
        risk_answers,
        conflicts,
        conflict_override: row.conflict_override.clone(),
        review: has_review(&row).then(|| Review {
            outcome: row.review_outcome.clone().unwrap_or_default(),
            incidents: row.review_incidents.unwrap_or(0),
            lessons: row.review_lessons.clone().unwrap_or_default(),
        }),
        related: related(conn, id).await?,
        local_window: None,
        template: match row.template_id {
            Some(template_id) => Some((
                template_id,
                crate::server::service::templates::get(conn, template_id)
                    .await
                    .map(|t| t.name)
                    .unwrap_or_else(|_| format!("template {template_id}")),
            )),
            None => None,
        },
        former_owners: former_owner_ids
            .iter()
            .map(|i| person(&names, *i))
            .collect(),
        imported: row.imported,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The fields an auditor sees change.
fn audit_view(change: &Change) -> serde_json::Value {
    serde_json::json!({
        "title": change.title,
        "type": change.change_type.label(),
        "state": change.state.label(),
        "owner": change.owner.name,
        "services": change.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        "implementers": change.implementers.iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
        "planned_start": change.planned_start.map(|t| t.to_rfc3339()),
        "planned_end": change.planned_end.map(|t| t.to_rfc3339()),
        "risk": change.risk_level().map(|r| r.label()),
        "implementation_plan": change.implementation_plan,
        "test_plan": change.test_plan,
        "backout_plan": change.backout_plan,
        "conflict_override": change.conflict_override,
        "template": change.template.as_ref().map(|(_, name)| name.clone()),
        "related": change
            .related
            .iter()
            .filter(|r| r.outgoing)
            .map(|r| crate::model::change_request::reference(r.id))
            .collect::<Vec<_>>(),
    })
}

async fn risk_fields<C: ConnectionTrait>(
    conn: &C,
    draft: &ChangeDraft,
) -> Result<(Option<String>, Option<i32>, Option<String>), AppError> {
    match draft.risk_answers {
        None => Ok((None, None, None)),
        Some(answers) => {
            let assessment = assess(
                &answers,
                most_critical_service(conn, &draft.service_ids).await?,
            );
            Ok((
                Some(serde_json::to_string(&answers).map_err(internal)?),
                Some(assessment.score as i32),
                Some(assessment.level.as_str().to_string()),
            ))
        }
    }
}

/// Where a new change row starts: its state, who asked, its window and any review already done.
pub(crate) struct Origin {
    pub(crate) state: ChangeState,
    pub(crate) requester_id: i64,
    pub(crate) planned: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    pub(crate) review: Option<Review>,
    pub(crate) authorised_by: Option<i64>,
    pub(crate) imported: bool,
}

/// Inserts a change with its services and implementers (inside the caller's transaction).
pub(crate) async fn insert_change<C: ConnectionTrait>(
    conn: &C,
    draft: &ChangeDraft,
    origin: Origin,
) -> Result<change_entity::Model, AppError> {
    check_references(conn, draft).await?;
    let (risk_answers, risk_score, risk_level) = risk_fields(conn, draft).await?;
    conflict_counts::hold(conn).await?;
    let now = Utc::now();
    let row = change_entity::ActiveModel {
        title: Set(draft.title.clone()),
        description: Set(draft.description.clone()),
        reason: Set(draft.reason.clone()),
        change_type: Set(draft.change_type.as_str().into()),
        category: Set(draft.category.clone()),
        state: Set(origin.state.as_str().into()),
        requester_id: Set(origin.requester_id),
        owner_id: Set(draft.owner_id.unwrap_or(origin.requester_id)),
        planned_start: Set(origin.planned.0),
        planned_end: Set(origin.planned.1),
        expects_outage: Set(draft.expects_outage),
        outage_minutes: Set(draft.outage_minutes),
        implementation_plan: Set(draft.implementation_plan.clone()),
        test_plan: Set(draft.test_plan.clone()),
        backout_plan: Set(draft.backout_plan.clone()),
        communication_plan: Set(draft.communication_plan.clone()),
        configuration_items: Set(
            serde_json::to_string(&draft.configuration_items).map_err(internal)?
        ),
        risk_answers: Set(risk_answers),
        risk_score: Set(risk_score),
        risk_level: Set(risk_level),
        conflict_override: Set(None),
        review_outcome: Set(origin.review.as_ref().map(|r| r.outcome.clone())),
        review_incidents: Set(origin.review.as_ref().map(|r| r.incidents)),
        review_lessons: Set(origin.review.as_ref().map(|r| r.lessons.clone())),
        authorised_by: Set(origin.authorised_by),
        template_id: Set(draft.template_id),
        former_owner_ids: Set("[]".into()),
        imported: Set(origin.imported),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    write_links(conn, row.id, draft).await?;
    conflict_counts::change_written(conn, row.id, None).await?;
    Ok(row)
}

pub async fn create(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    draft: ChangeDraft,
) -> Result<Change, AppError> {
    let txn = db.begin_write().await?;
    let change = create_in(&txn, user, actor, draft).await?;
    txn.commit().await?;
    Ok(change)
}

/// Raises a change inside the caller's transaction (a problem raises the change that removes
/// its cause in the same transaction as it links it).
pub(crate) async fn create_in<C: ConnectionTrait>(
    txn: &C,
    user: &CurrentUser,
    actor: &Actor,
    draft: ChangeDraft,
) -> Result<Change, AppError> {
    let (planned_start, planned_end) = schedule_of(&draft, &user.time_zone)?;
    let mut draft = draft;
    apply_template(txn, &mut draft, None).await?;
    let origin = Origin {
        state: ChangeState::Draft,
        requester_id: user.id,
        planned: (planned_start, planned_end),
        review: None,
        authorised_by: None,
        imported: false,
    };
    let row = insert_change(txn, &draft, origin).await?;
    let change = load(txn, row.id).await?;
    audit::append(
        txn,
        actor,
        Event::new(
            "change_created",
            RecordType::Change,
            Some(change.id.to_string()),
            format!("Raised {} {}", change.reference(), change.title),
        )
        .with_changes(diff(None, Some(&audit_view(&change)))),
    )
    .await?;
    Ok(change)
}

pub async fn update(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    draft: ChangeDraft,
) -> Result<Change, AppError> {
    let (planned_start, planned_end) = schedule_of(&draft, &user.time_zone)?;
    let txn = db.begin_write().await?;
    conflict_counts::hold(&txn).await?;
    let before = load(&txn, id).await?;
    let may_edit = user.id == before.requester.id
        || user.id == before.owner.id
        || user.roles.contains(&Role::ChangeManager);
    if !may_edit {
        return Err(AppError::Refused(
            "Only the requester, the change owner or a change manager can edit this change.".into(),
        ));
    }
    if before.imported {
        return Err(AppError::Refused(
            "This change is imported history: it is read-only and cannot be edited.".into(),
        ));
    }
    if !before.is_editable() {
        return Err(AppError::Refused(format!(
            "A change that is {} can no longer be edited.",
            before.state.label().to_lowercase()
        )));
    }
    lifecycle::may_change_type(before.state, before.change_type, draft.change_type)?;
    let mut draft = draft;
    apply_template(
        &txn,
        &mut draft,
        before.template.as_ref().map(|(id, _)| *id),
    )
    .await?;
    check_references(&txn, &draft).await?;
    let (risk_answers, risk_score, risk_level) = risk_fields(&txn, &draft).await?;
    // What the assessment relied on: changing it sends an assessed change back.
    let relied_on_changed = assessment_inputs_changed(&before, &draft, planned_start, planned_end);
    let state = lifecycle::state_after_edit(before.state, relied_on_changed);
    // A hand-over keeps the former owner on record: they never decide on the change.
    let owner_id = draft.owner_id.unwrap_or(before.owner.id);
    let mut former: Vec<i64> = before.former_owners.iter().map(|p| p.id).collect();
    if owner_id != before.owner.id && !former.contains(&before.owner.id) {
        former.push(before.owner.id);
    }
    let former = serde_json::to_string(&former).map_err(internal)?;
    let configuration_items =
        serde_json::to_string(&draft.configuration_items).map_err(internal)?;
    versioned::update(&txn, id, version, |update: UpdateMany<Changes>| {
        update
            .col_expr(Column::State, Expr::value(state.as_str()))
            .col_expr(Column::FormerOwnerIds, Expr::value(former))
            .col_expr(Column::TemplateId, Expr::value(draft.template_id))
            .col_expr(Column::Title, Expr::value(draft.title.clone()))
            .col_expr(Column::Description, Expr::value(draft.description.clone()))
            .col_expr(Column::Reason, Expr::value(draft.reason.clone()))
            .col_expr(Column::ChangeType, Expr::value(draft.change_type.as_str()))
            .col_expr(Column::Category, Expr::value(draft.category.clone()))
            .col_expr(Column::OwnerId, Expr::value(owner_id))
            .col_expr(Column::PlannedStart, Expr::value(planned_start))
            .col_expr(Column::PlannedEnd, Expr::value(planned_end))
            .col_expr(Column::ExpectsOutage, Expr::value(draft.expects_outage))
            .col_expr(Column::OutageMinutes, Expr::value(draft.outage_minutes))
            .col_expr(
                Column::ImplementationPlan,
                Expr::value(draft.implementation_plan.clone()),
            )
            .col_expr(Column::TestPlan, Expr::value(draft.test_plan.clone()))
            .col_expr(Column::BackoutPlan, Expr::value(draft.backout_plan.clone()))
            .col_expr(
                Column::CommunicationPlan,
                Expr::value(draft.communication_plan.clone()),
            )
            .col_expr(Column::ConfigurationItems, Expr::value(configuration_items))
            .col_expr(Column::RiskAnswers, Expr::value(risk_answers))
            .col_expr(Column::RiskScore, Expr::value(risk_score))
            .col_expr(Column::RiskLevel, Expr::value(risk_level))
    })
    .await?;
    write_links(&txn, id, &draft).await?;
    let window_before = Window::planned(before.planned_start, before.planned_end);
    conflict_counts::change_written(&txn, id, window_before).await?;
    let after = load(&txn, id).await?;
    let summary = if state != before.state {
        format!(
            "Edited {}: its risk answers, services, plans or schedule changed, so it goes back from {} to {} for assessment",
            after.reference(),
            before.state.label(),
            state.label()
        )
    } else {
        format!("Edited {}", after.reference())
    };
    audit::append(
        &txn,
        actor,
        Event::new(
            "change_updated",
            RecordType::Change,
            Some(id.to_string()),
            summary,
        )
        .with_changes(diff(Some(&audit_view(&before)), Some(&audit_view(&after)))),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Whether an edit touches what an assessment relied on: the risk answers, the services (they
/// weigh in the risk), the implementation, test and back-out plans, or the planned window.
fn assessment_inputs_changed(
    before: &Change,
    draft: &ChangeDraft,
    planned_start: Option<DateTime<Utc>>,
    planned_end: Option<DateTime<Utc>>,
) -> bool {
    let mut services_before: Vec<i64> = before.services.iter().map(|s| s.id).collect();
    let mut services_after = draft.service_ids.clone();
    services_before.sort_unstable();
    services_before.dedup();
    services_after.sort_unstable();
    services_after.dedup();
    before.risk_answers != draft.risk_answers
        || services_before != services_after
        || before.implementation_plan != draft.implementation_plan
        || before.test_plan != draft.test_plan
        || before.backout_plan != draft.backout_plan
        || before.planned_start != planned_start
        || before.planned_end != planned_end
}

/// What a transition may carry besides the action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransitionInput {
    pub comment: String,
    pub review: Option<Review>,
}

pub async fn transition(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    action: ChangeAction,
    input: TransitionInput,
) -> Result<Change, AppError> {
    let txn = db.begin_write().await?;
    let after = transition_in(&txn, user, actor, id, version, action, input).await?;
    txn.commit().await?;
    Ok(after)
}

/// A lifecycle transition inside the caller's transaction, by `user` on their own account.
pub async fn transition_in(
    txn: &sea_orm::DatabaseTransaction,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    action: ChangeAction,
    input: TransitionInput,
) -> Result<Change, AppError> {
    transition_with_authority(
        txn,
        user,
        lifecycle::Authority::Own,
        actor,
        id,
        version,
        action,
        input,
    )
    .await
}

/// A board's decision recorded by its chair, inside the meeting's transaction (it commits
/// together with the meeting's record of the decision). Only the CAB meeting service calls
/// this, after checking that `user` chairs the meeting and that the quorum is present: it is
/// the one way a change on the CAB or ECAB path is authorised.
pub(crate) async fn decide_as_board(
    txn: &sea_orm::DatabaseTransaction,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    action: ChangeAction,
    input: TransitionInput,
) -> Result<Change, AppError> {
    let authority = lifecycle::Authority::BoardDecision;
    transition_with_authority(txn, user, authority, actor, id, version, action, input).await
}

#[allow(clippy::too_many_arguments)]
async fn transition_with_authority(
    txn: &sea_orm::DatabaseTransaction,
    user: &CurrentUser,
    authority: lifecycle::Authority,
    actor: &Actor,
    id: i64,
    version: i32,
    action: ChangeAction,
    input: TransitionInput,
) -> Result<Change, AppError> {
    let mut errors = FieldErrors::new();
    let comment =
        crate::model::text::bounded(&mut errors, "comment", "Comment", &input.comment, 0, 2000);
    if action.needs_comment() && comment.is_empty() {
        errors.add(
            "comment",
            format!("Say why (“{}” needs a comment).", action.label()),
        );
    }
    if let Some(review) = &input.review {
        crate::model::text::bounded(
            &mut errors,
            "review_outcome",
            "Outcome",
            &review.outcome,
            2,
            2000,
        );
        crate::model::text::bounded(
            &mut errors,
            "review_lessons",
            "Lessons",
            &review.lessons,
            0,
            4000,
        );
        if !(0..=10_000).contains(&review.incidents) {
            errors.add(
                "review_incidents",
                "Enter the number of incidents the change caused (0 or more).",
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let before = load(txn, id).await?;
    check_version::<Changes>(version, before.version)?;
    if let Some(review) = &input.review {
        // The incidents linked as caused by this change are facts the review cannot undercount.
        let linked = super::incident_causes::count_caused(txn, id).await?;
        if (review.incidents as u64) < linked {
            return Err(AppError::single_field(
                "review_incidents",
                format!(
                    "{linked} incident{} linked as caused by this change: the review counts at least {}.",
                    if linked == 1 { " is" } else { "s are" },
                    if linked == 1 { "it" } else { "them" }
                ),
            ));
        }
    }
    // The record's facts, except that the review is the one stored or the one this action brings.
    let facts = ChangeFacts {
        has_review: before.review.is_some() || input.review.is_some(),
        ..before.facts()
    };
    let who = ActorFacts::from(user);
    let next = lifecycle::transition_by(&facts, action, &who, authority)?;
    conflict_counts::hold(txn).await?;
    versioned::update(txn, id, version, |update: UpdateMany<Changes>| {
        let mut update = update.col_expr(Column::State, Expr::value(next.as_str()));
        if next == ChangeState::Authorised {
            update = update.col_expr(Column::AuthorisedBy, Expr::value(user.id));
        }
        if let (ChangeAction::Review, Some(review)) = (action, &input.review) {
            update = update
                .col_expr(Column::ReviewOutcome, Expr::value(review.outcome.trim()))
                .col_expr(Column::ReviewIncidents, Expr::value(review.incidents))
                .col_expr(Column::ReviewLessons, Expr::value(review.lessons.trim()));
        }
        update
    })
    .await?;
    let scheduled = scheduled_states();
    if scheduled.contains(&before.state.as_str()) != scheduled.contains(&next.as_str()) {
        // Entering or leaving the schedule: its neighbours' conflicts move with it.
        conflict_counts::change_written(txn, id, None).await?;
    }
    let after = load(txn, id).await?;
    let summary = if comment.is_empty() {
        format!(
            "{}: {} → {}",
            after.reference(),
            before.state.label(),
            next.label()
        )
    } else {
        format!(
            "{}: {} → {} — {comment}",
            after.reference(),
            before.state.label(),
            next.label()
        )
    };
    audit::append(
        txn,
        actor,
        Event::new(
            "change_transition",
            RecordType::Change,
            Some(id.to_string()),
            summary,
        )
        .with_changes(diff(Some(&audit_view(&before)), Some(&audit_view(&after)))),
    )
    .await?;
    Ok(after)
}

/// A change manager accepts the schedule conflicts, with a reason on the record.
pub async fn override_conflicts(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    reason: &str,
) -> Result<Change, AppError> {
    if !user.may(Permission::ScheduleManage) {
        return Err(AppError::Forbidden(
            Permission::ScheduleManage.describe().into(),
        ));
    }
    let mut errors = FieldErrors::new();
    let reason = crate::model::text::bounded(&mut errors, "reason", "Reason", reason, 10, 2000);
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let txn = db.begin_write().await?;
    let before = load(&txn, id).await?;
    versioned::update(&txn, id, version, |update: UpdateMany<Changes>| {
        update.col_expr(
            Column::ConflictOverride,
            Expr::value(format!("{} — {}", user.name, reason)),
        )
    })
    .await?;
    let after = load(&txn, id).await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "change_conflicts_overridden",
            RecordType::Change,
            Some(id.to_string()),
            format!("{}: conflicts overridden — {reason}", after.reference()),
        )
        .with_changes(diff(Some(&audit_view(&before)), Some(&audit_view(&after)))),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
