//! The SMS risk register (clauses 6.1 and 8.7.3): risks and opportunities recorded, rated on
//! the organisation's matrix, treated, accepted (above the appetite only by a quality manager
//! who never owned the risk), reviewed on a cycle and closed with a reason. Each write runs in
//! one transaction with its audit entry and is checked against the record's version.

use crate::error::{AppError, FieldErrors};
use crate::model::access::{Permission, RecordType};
use crate::model::actor::ActorFacts;
use crate::model::risk::RiskLevel;
use crate::model::sms_risk::{
    self, reference, Cia, HeatMap, MatrixDecision, MatrixOutcome, MatrixProposal, MatrixSettings,
    Rating, ReviewForm, RiskAction, RiskDraft, RiskExportRow, RiskFacts, RiskForm, RiskKind,
    RiskListParams, RiskMatrix, RiskPage, RiskRecord, RiskReview, RiskRow, RiskState,
    RiskStateFilter, RiskStepForm, SmsRisk, Treatment,
};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::sms_risk::{self as row_entity, Column, Entity as Risks};
use crate::server::entity::sms_risk_review::{self as review_entity, Entity as Reviews};
use crate::server::entity::sms_risk_service::{self as link_entity, Entity as Links};
use crate::server::entity::sms_risk_settings::{self as settings_entity, Entity as Settings};
use crate::server::service::catalogue;
use crate::server::service::key_paging::{self, KeyOrder};
use crate::server::service::schedule::today_for;
use crate::server::service::text_search::contains;
use crate::server::service::users::{people, person};
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set, UpdateMany,
};
use std::collections::HashMap;

fn settings_row_missing() -> AppError {
    crate::server::failure::internal("the risk matrix row is missing")
}

fn decode_matrix(text: &str) -> Result<RiskMatrix, AppError> {
    if text.is_empty() {
        return Ok(RiskMatrix::default());
    }
    serde_json::from_str(text)
        .map_err(|e| crate::server::failure::internal(format!("the stored risk matrix: {e}")))
}

fn encode_matrix(matrix: &RiskMatrix) -> Result<String, AppError> {
    serde_json::to_string(matrix)
        .map_err(|e| crate::server::failure::internal(format!("the risk matrix: {e}")))
}

/// The organisation's matrix and its version.
pub async fn matrix<C: ConnectionTrait>(conn: &C) -> Result<(RiskMatrix, i32), AppError> {
    let row = Settings::find_by_id(1i64)
        .one(conn)
        .await?
        .ok_or_else(settings_row_missing)?;
    Ok((decode_matrix(&row.matrix)?, row.version))
}

/// The matrix in force and any looser one waiting for a second quality manager.
pub async fn settings<C: ConnectionTrait>(conn: &C) -> Result<MatrixSettings, AppError> {
    let row = Settings::find_by_id(1i64)
        .one(conn)
        .await?
        .ok_or_else(settings_row_missing)?;
    let proposal = match pending(&row)? {
        Some((matrix, by, at)) => Some(MatrixProposal {
            matrix,
            by: person(&people(conn, &[by]).await?, by),
            at,
        }),
        None => None,
    };
    Ok(MatrixSettings {
        matrix: decode_matrix(&row.matrix)?,
        version: row.version,
        proposal,
    })
}

/// The looser matrix waiting for a decision, its proposer and when: all three or none (a
/// partly written proposal is an error, never one that can be approved).
fn pending(
    row: &settings_entity::Model,
) -> Result<Option<(RiskMatrix, i64, DateTime<Utc>)>, AppError> {
    match (&row.proposed_matrix, row.proposed_by, row.proposed_at) {
        (Some(text), Some(by), Some(at)) => Ok(Some((decode_matrix(text)?, by, at))),
        (None, None, None) => Ok(None),
        _ => Err(crate::server::failure::internal(
            "the proposed risk matrix is partly written",
        )),
    }
}

/// The settings update with any pending proposal cleared (it was decided or overtaken).
fn without_proposal(update: UpdateMany<Settings>) -> UpdateMany<Settings> {
    update
        .col_expr(
            settings_entity::Column::ProposedMatrix,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            settings_entity::Column::ProposedBy,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(
            settings_entity::Column::ProposedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
}

fn cells_changed(before: &RiskMatrix, next: &RiskMatrix) -> usize {
    before
        .cells
        .iter()
        .flatten()
        .zip(next.cells.iter().flatten())
        .filter(|(a, b)| a != b)
        .count()
}

fn describe_change(before: &RiskMatrix, next: &RiskMatrix) -> String {
    format!(
        "{} cell(s) changed, appetite {} (was {})",
        cells_changed(before, next),
        next.appetite.label().to_lowercase(),
        before.appetite.label().to_lowercase()
    )
}

/// Sets the matrix and appetite (a quality manager). A stricter matrix is in force at once;
/// a looser one (higher appetite, or any cell lower) waits for a second quality manager, so
/// nobody alone makes their own risks acceptable. Risks keep their ratings; their levels,
/// and what needs whose acceptance from then on, follow the matrix in force.
pub async fn set_matrix(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    version: i32,
    next: RiskMatrix,
    now: DateTime<Utc>,
) -> Result<MatrixOutcome, AppError> {
    if !user.may(Permission::RiskMatrixManage) {
        return Err(AppError::Refused(
            "Only a quality manager sets the risk matrix.".into(),
        ));
    }
    next.check()
        .map_err(|problem| AppError::single_field("matrix", problem))?;
    let txn = db.begin_write().await?;
    let row = Settings::find_by_id(1i64)
        .one(&txn)
        .await?
        .ok_or_else(settings_row_missing)?;
    check_version::<Settings>(version, row.version)?;
    let before = decode_matrix(&row.matrix)?;
    if next == before {
        return Err(AppError::single_field(
            "matrix",
            "This is the matrix in force: change a cell or the appetite first.",
        ));
    }
    // A proposal this save replaces or ends is named on the record.
    let ended = match pending(&row)? {
        Some((_, by, at)) => {
            let name = person(&people(&txn, &[by]).await?, by).name;
            format!(
                " (ending the looser matrix {name} proposed on {})",
                at.format("%Y-%m-%d")
            )
        }
        None => String::new(),
    };
    let change = format!("{}{ended}", describe_change(&before, &next));
    let encoded = encode_matrix(&next)?;
    let outcome = if before.loosened_by(&next) {
        versioned::update(&txn, 1, version, |update: UpdateMany<Settings>| {
            update
                .col_expr(
                    settings_entity::Column::ProposedMatrix,
                    Expr::value(encoded),
                )
                .col_expr(settings_entity::Column::ProposedBy, Expr::value(user.id))
                .col_expr(settings_entity::Column::ProposedAt, Expr::value(now))
        })
        .await?;
        audit::record(
            &txn,
            actor,
            RecordType::SmsRisk,
            0,
            "risk_matrix_proposed",
            format!("Looser risk matrix proposed for a second quality manager: {change}"),
        )
        .await?;
        MatrixOutcome::Proposed
    } else {
        // A stricter matrix also ends any looser proposal made against the old one.
        versioned::update(&txn, 1, version, |update: UpdateMany<Settings>| {
            without_proposal(update.col_expr(settings_entity::Column::Matrix, Expr::value(encoded)))
        })
        .await?;
        audit::record(
            &txn,
            actor,
            RecordType::SmsRisk,
            0,
            "risk_matrix_set",
            format!("Risk matrix set: {change}"),
        )
        .await?;
        MatrixOutcome::Applied
    };
    txn.commit().await?;
    Ok(outcome)
}

/// A quality manager's answer to a looser matrix another proposed: approve puts it in force;
/// reject (or its proposer withdrawing it) leaves the matrix as it is.
pub async fn decide_matrix(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    version: i32,
    decision: MatrixDecision,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let row = Settings::find_by_id(1i64)
        .one(&txn)
        .await?
        .ok_or_else(settings_row_missing)?;
    let (Some(_), Some(proposed), Some(proposer)) =
        (pending(&row)?, row.proposed_matrix.clone(), row.proposed_by)
    else {
        return Err(AppError::Refused(
            "No looser matrix is waiting for a decision.".into(),
        ));
    };
    sms_risk::may_decide_matrix(proposer, decision, &ActorFacts::from(user))?;
    check_version::<Settings>(version, row.version)?;
    let before = decode_matrix(&row.matrix)?;
    let next = decode_matrix(&proposed)?;
    let proposer_name = person(&people(&txn, &[proposer]).await?, proposer).name;
    let approve = decision == MatrixDecision::Approve;
    versioned::update(&txn, 1, version, |update: UpdateMany<Settings>| {
        let update = if approve {
            update.col_expr(settings_entity::Column::Matrix, Expr::value(proposed))
        } else {
            update
        };
        without_proposal(update)
    })
    .await?;
    let (action, summary) = if approve {
        (
            "risk_matrix_set",
            format!(
                "Risk matrix set as {proposer_name} proposed, approved by a second quality manager: {}",
                describe_change(&before, &next)
            ),
        )
    } else if user.id == proposer {
        (
            "risk_matrix_withdrawn",
            "Proposed risk matrix withdrawn by its proposer".to_string(),
        )
    } else {
        (
            "risk_matrix_rejected",
            format!("Risk matrix proposed by {proposer_name} rejected"),
        )
    };
    audit::record(&txn, actor, RecordType::SmsRisk, 0, action, summary).await?;
    txn.commit().await?;
    Ok(())
}

/// The date where `user` is at `now`: a review date is "today or later" in their zone.
async fn row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<row_entity::Model, AppError> {
    Risks::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That risk".into()))
}

fn rating(likelihood: i16, impact: i16) -> Rating {
    let step = |v: i16| u8::try_from(v.clamp(1, 5)).unwrap_or(1);
    Rating {
        likelihood: step(likelihood),
        impact: step(impact),
    }
}

fn residual_of(row: &row_entity::Model) -> Rating {
    rating(row.residual_likelihood, row.residual_impact)
}

/// A risk as a change or plan lists it.
pub(crate) fn linked_risk(
    row: &row_entity::Model,
    matrix: &RiskMatrix,
) -> Result<crate::model::risk_link::LinkedRisk, AppError> {
    let facts = facts_of(row)?;
    Ok(crate::model::risk_link::LinkedRisk {
        id: row.id,
        reference: reference(row.id),
        kind: facts.kind,
        title: row.title.clone(),
        state: facts.state,
        residual: facts.residual,
        level: matrix.level(facts.residual),
    })
}

/// What the rules decide on. Stored words that do not read are an error, never a looser
/// rule (an unreadable owner history would let a former owner accept).
fn facts_of(row: &row_entity::Model) -> Result<RiskFacts, AppError> {
    let unreadable = |what: &str| {
        crate::server::failure::internal(format!("risk {} has an unreadable {what}", row.id))
    };
    Ok(RiskFacts {
        kind: RiskKind::parse(&row.kind).ok_or_else(|| unreadable("kind"))?,
        state: RiskState::parse(&row.state).ok_or_else(|| unreadable("state"))?,
        owner_id: row.owner_id,
        former_owner_ids: serde_json::from_str(&row.former_owner_ids)
            .map_err(|_| unreadable("owner history"))?,
        rater_ids: serde_json::from_str(&row.rater_ids)
            .map_err(|_| unreadable("list of raters"))?,
        residual: residual_of(row),
        escalated: row.escalated,
    })
}

/// Whether `draft` is a risk rated above the appetite (its acceptance needs independence
/// from then on).
fn escalates(draft: &RiskDraft, matrix: &RiskMatrix) -> bool {
    draft.kind == RiskKind::Risk && matrix.above_appetite(draft.residual)
}

fn security_of(row: &row_entity::Model) -> Option<Cia> {
    row.information_security.then_some(Cia {
        confidentiality: row.confidentiality,
        integrity: row.integrity,
        availability: row.availability,
    })
}

/// The owner is an enabled person who may keep risks; the services are in the catalogue.
async fn check_references<C: ConnectionTrait>(
    conn: &C,
    draft: &RiskDraft,
) -> Result<String, AppError> {
    let mut errors = FieldErrors::new();
    let owner = match crate::server::service::users::enabled_roles(conn, draft.owner_id).await? {
        Some((name, roles)) if crate::model::access::may(&roles, Permission::RiskManage) => {
            Some(name)
        }
        Some(_) => {
            errors.add(
                "owner_id",
                "Choose an owner who keeps risks (a service owner, continuity, change, service level or quality manager).",
            );
            None
        }
        None => {
            errors.add("owner_id", "Choose the owner from the list.");
            None
        }
    };
    if !draft.service_ids.is_empty() {
        use crate::server::entity::service::{Column as ServiceColumn, Entity as Services};
        let active = Services::find()
            .filter(ServiceColumn::Id.is_in(draft.service_ids.clone()))
            .filter(ServiceColumn::ArchivedAt.is_null())
            .count(conn)
            .await?;
        if active != draft.service_ids.len() as u64 {
            errors.add("service_ids", "Choose services from the catalogue.");
        }
    }
    Ok(errors.into_result(owner.unwrap_or_default())?)
}

/// The columns a form writes, shared by recording and editing (the rest stay unset).
fn draft_model(draft: &RiskDraft) -> row_entity::ActiveModel {
    let cia = draft.security.unwrap_or(Cia {
        confidentiality: false,
        integrity: false,
        availability: false,
    });
    row_entity::ActiveModel {
        kind: Set(draft.kind.as_str().into()),
        title: Set(draft.title.clone()),
        description: Set(draft.description.clone()),
        owner_id: Set(draft.owner_id),
        information_security: Set(draft.security.is_some()),
        confidentiality: Set(cia.confidentiality),
        integrity: Set(cia.integrity),
        availability: Set(cia.availability),
        inherent_likelihood: Set(i16::from(draft.inherent.likelihood)),
        inherent_impact: Set(i16::from(draft.inherent.impact)),
        inherent_score: Set(i16::from(draft.inherent.score())),
        treatment: Set(draft.treatment.as_str().into()),
        treatment_plan: Set(draft.treatment_plan.clone()),
        residual_likelihood: Set(i16::from(draft.residual.likelihood)),
        residual_impact: Set(i16::from(draft.residual.impact)),
        residual_score: Set(i16::from(draft.residual.score())),
        review_on: Set(draft.review_on),
        ..Default::default()
    }
}

async fn set_services<C: ConnectionTrait>(
    txn: &C,
    id: i64,
    service_ids: &[i64],
) -> Result<(), AppError> {
    Links::delete_many()
        .filter(link_entity::Column::RiskId.eq(id))
        .exec(txn)
        .await?;
    for service_id in service_ids {
        link_entity::ActiveModel {
            risk_id: Set(id),
            service_id: Set(*service_id),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

fn summary(draft: &RiskDraft, matrix: &RiskMatrix) -> String {
    format!(
        "inherent {} ({}), {}, residual {} ({}), review {}",
        draft.inherent.describe(),
        matrix.level(draft.inherent).label().to_lowercase(),
        draft.treatment.word().to_lowercase(),
        draft.residual.describe(),
        matrix.level(draft.residual).label().to_lowercase(),
        draft.review_on
    )
}

/// Records a risk or opportunity, open; returns its id.
pub async fn create(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    form: &RiskForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let draft = form.validate(today_for(user, now))?;
    let txn = db.begin_write().await?;
    let owner = check_references(&txn, &draft).await?;
    let (matrix, _) = matrix(&txn).await?;
    let model = row_entity::ActiveModel {
        former_owner_ids: Set("[]".into()),
        rater_ids: Set(format!("[{}]", user.id)),
        state: Set(RiskState::Open.as_str().into()),
        escalated: Set(escalates(&draft, &matrix)),
        created_by: Set(user.id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..draft_model(&draft)
    };
    let id = model.insert(&txn).await?.id;
    set_services(&txn, id, &draft.service_ids).await?;
    audit::record(
        &txn,
        actor,
        RecordType::SmsRisk,
        id,
        "risk_recorded",
        format!(
            "{} {} “{}” recorded, owner {owner}: {}",
            draft.kind.label(),
            reference(id),
            draft.title,
            summary(&draft, &matrix)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Changes an open risk (its owner or a quality manager), against the version it was read at.
/// A new owner leaves the old one among its former owners, who never accept it above the
/// appetite.
pub async fn update(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &RiskForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    let draft = form.validate_edit(today_for(user, now), before.review_on)?;
    let facts = facts_of(&before)?;
    sms_risk::check_edit(&facts, draft.owner_id, &ActorFacts::from(user))?;
    if draft.kind != facts.kind {
        return Err(AppError::single_field(
            "kind",
            "A risk stays a risk and an opportunity an opportunity: record a new one.",
        ));
    }
    check_version::<Risks>(version, before.version)?;
    let owner = check_references(&txn, &draft).await?;
    let (matrix, _) = matrix(&txn).await?;
    let mut former = facts.former_owner_ids.clone();
    if draft.owner_id != facts.owner_id && !former.contains(&facts.owner_id) {
        former.push(facts.owner_id);
    }
    let former = serde_json::to_string(&former).unwrap_or_else(|_| "[]".into());
    let mut raters = facts.rater_ids.clone();
    if !raters.contains(&user.id) {
        raters.push(user.id);
    }
    let raters = serde_json::to_string(&raters).unwrap_or_else(|_| "[]".into());
    let columns = draft_model(&draft);
    // Once above the appetite, it stays so for acceptance until reopened, however it is
    // rated now.
    let escalated = before.escalated || escalates(&draft, &matrix);
    versioned::update(&txn, id, version, |update: UpdateMany<Risks>| {
        update
            .set(columns)
            .col_expr(Column::FormerOwnerIds, Expr::value(former))
            .col_expr(Column::RaterIds, Expr::value(raters))
            .col_expr(Column::Escalated, Expr::value(escalated))
    })
    .await?;
    set_services(&txn, id, &draft.service_ids).await?;
    let handed = if draft.owner_id != facts.owner_id {
        let previous = person(&people(&txn, &[facts.owner_id]).await?, facts.owner_id).name;
        format!(", handed from {previous} to {owner}")
    } else {
        String::new()
    };
    audit::record(
        &txn,
        actor,
        RecordType::SmsRisk,
        id,
        "risk_edited",
        format!(
            "{} “{}” edited{handed}: {}",
            reference(id),
            draft.title,
            summary(&draft, &matrix)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Accepts, reopens or closes a risk, against the version it was offered at.
pub async fn take_step(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &RiskStepForm,
    now: DateTime<Utc>,
) -> Result<RiskState, AppError> {
    let (action, reason) = form.validate()?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    let facts = facts_of(&before)?;
    let (matrix, _) = matrix(&txn).await?;
    let next = sms_risk::transition(&facts, &matrix, action, &ActorFacts::from(user))?;
    check_version::<Risks>(version, before.version)?;
    let (accepted_by, accepted_at) = match action {
        RiskAction::Accept => (Some(user.id), Some(now)),
        RiskAction::Reopen => (None, None),
        RiskAction::Close => (before.accepted_by, before.accepted_at),
    };
    let closed_reason = (action == RiskAction::Close)
        .then(|| reason.clone())
        .flatten();
    let accepted_reason = match action {
        RiskAction::Accept => reason.clone(),
        RiskAction::Reopen => None,
        RiskAction::Close => before.accepted_reason.clone(),
    };
    // Reopened, it starts again from how it is rated now.
    let escalated = match action {
        RiskAction::Reopen => facts.kind == RiskKind::Risk && matrix.above_appetite(facts.residual),
        _ => before.escalated,
    };
    let independent = sms_risk::needs_independent_decision(&facts, &matrix);
    versioned::update(&txn, id, version, |update: UpdateMany<Risks>| {
        update
            .col_expr(Column::State, Expr::value(next.as_str()))
            .col_expr(Column::AcceptedBy, Expr::value(accepted_by))
            .col_expr(Column::AcceptedAt, Expr::value(accepted_at))
            .col_expr(Column::AcceptedReason, Expr::value(accepted_reason))
            .col_expr(Column::ClosedReason, Expr::value(closed_reason))
            .col_expr(Column::Escalated, Expr::value(escalated))
    })
    .await?;
    let residual = residual_of(&before);
    let mut summary = format!(
        "{} “{}”: {} → {} ({}), residual {} ({})",
        reference(id),
        before.title,
        facts.state.label(),
        next.label(),
        action.label(),
        residual.describe(),
        matrix.level(residual).label().to_lowercase()
    );
    if independent && action != RiskAction::Reopen {
        summary.push_str(", by someone who never owned it (rated above the appetite)");
    }
    if action == RiskAction::Reopen {
        if let Some(by) = before.accepted_by {
            let name = person(&people(&txn, &[by]).await?, by).name;
            summary.push_str(&format!(", voiding the acceptance by {name}"));
        }
    }
    if let Some(reason) = reason {
        summary.push_str(&format!(": {reason}"));
    }
    audit::record(&txn, actor, RecordType::SmsRisk, id, "risk_step", summary).await?;
    txn.commit().await?;
    Ok(next)
}

/// Records a review of a live risk (its owner or a quality manager) and the next review date.
pub async fn review(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &ReviewForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (note, next_review_on) = form.validate(today_for(user, now))?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    if !sms_risk::may_review(&facts_of(&before)?, &ActorFacts::from(user)) {
        return Err(AppError::Refused(
            "Only the risk's owner or a quality manager reviews a risk the register still watches."
                .into(),
        ));
    }
    check_version::<Risks>(version, before.version)?;
    versioned::update(&txn, id, version, |update: UpdateMany<Risks>| {
        update.col_expr(Column::ReviewOn, Expr::value(next_review_on))
    })
    .await?;
    review_entity::ActiveModel {
        risk_id: Set(id),
        reviewed_by: Set(user.id),
        reviewed_at: Set(now),
        note: Set(note.clone()),
        next_review_on: Set(next_review_on),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::SmsRisk,
        id,
        "risk_reviewed",
        format!(
            "{} “{}” reviewed (was due {}), next review {next_review_on}: {note}",
            reference(id),
            before.title,
            before.review_on
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn detail<C: ConnectionTrait>(conn: &C, id: i64) -> Result<SmsRisk, AppError> {
    detail_of(conn, row(conn, id).await?).await
}

async fn detail_of<C: ConnectionTrait>(
    conn: &C,
    row: row_entity::Model,
) -> Result<SmsRisk, AppError> {
    let id = row.id;
    let service_ids: Vec<i64> = Links::find()
        .select_only()
        .column(link_entity::Column::ServiceId)
        .filter(link_entity::Column::RiskId.eq(id))
        .into_tuple()
        .all(conn)
        .await?;
    let names = catalogue::names_of(conn, service_ids.iter().copied()).await?;
    let mut services: Vec<_> = service_ids
        .iter()
        .map(|id| crate::model::refs::ServiceRef {
            id: *id,
            name: names
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("Service {id}")),
        })
        .collect();
    services.sort_by(|a, b| a.name.cmp(&b.name));
    let reviews = Reviews::find()
        .filter(review_entity::Column::RiskId.eq(id))
        .order_by_desc(review_entity::Column::ReviewedAt)
        .order_by_desc(review_entity::Column::Id)
        .all(conn)
        .await?;
    let mut wanted = vec![row.owner_id, row.created_by];
    wanted.extend(row.accepted_by);
    wanted.extend(reviews.iter().map(|r| r.reviewed_by));
    let persons = people(conn, &wanted).await?;
    Ok(SmsRisk {
        id: row.id,
        reference: reference(row.id),
        kind: RiskKind::parse(&row.kind).unwrap_or(RiskKind::Risk),
        title: row.title.clone(),
        description: row.description.clone(),
        owner: person(&persons, row.owner_id),
        services,
        security: security_of(&row),
        inherent: rating(row.inherent_likelihood, row.inherent_impact),
        treatment: Treatment::parse(&row.treatment).unwrap_or(Treatment::Accept),
        treatment_plan: row.treatment_plan.clone(),
        residual: residual_of(&row),
        state: RiskState::parse(&row.state).unwrap_or(RiskState::Open),
        review_on: row.review_on,
        accepted_by: row.accepted_by.map(|id| person(&persons, id)),
        accepted_at: row.accepted_at,
        accepted_reason: row.accepted_reason.clone(),
        closed_reason: row.closed_reason.clone(),
        created_by: person(&persons, row.created_by),
        created_at: row.created_at,
        reviews: reviews
            .into_iter()
            .map(|r| RiskReview {
                by: person(&persons, r.reviewed_by),
                at: r.reviewed_at,
                note: r.note,
                next_review_on: r.next_review_on,
            })
            .collect(),
        version: row.version,
    })
}

/// A risk as `user` sees it, with the steps and edits the rules allow them now.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    id: i64,
    today: NaiveDate,
) -> Result<RiskRecord, AppError> {
    let before = row(conn, id).await?;
    let facts = facts_of(&before)?;
    let risk = detail_of(conn, before).await?;
    let (matrix, _) = matrix(conn).await?;
    let addressed_by = crate::server::service::risk_links::addressors(conn, user, id).await?;
    let actor = ActorFacts::from(user);
    let may_manage = user.may(Permission::RiskManage);
    Ok(RiskRecord {
        independent_decision: sms_risk::needs_independent_decision(&facts, &matrix),
        actions: if may_manage {
            sms_risk::available_actions(&facts, &matrix, &actor)
        } else {
            Vec::new()
        },
        may_edit: may_manage && sms_risk::check_edit(&facts, facts.owner_id, &actor).is_ok(),
        may_review: may_manage && sms_risk::may_review(&facts, &actor),
        risk,
        matrix,
        addressed_by,
        today,
    })
}

fn live_states() -> [&'static str; 2] {
    [RiskState::Open.as_str(), RiskState::Accepted.as_str()]
}

/// The residual cells `matrix` rates at `level`, as one condition.
fn residual_at(matrix: &RiskMatrix, level: RiskLevel) -> Condition {
    let mut any = Condition::any();
    for l in 1..=5u8 {
        for i in 1..=5u8 {
            let rating = Rating {
                likelihood: l,
                impact: i,
            };
            if matrix.level(rating) == level {
                any = any.add(residual_in(rating));
            }
        }
    }
    // No cell at that level: nothing matches (an empty `any` would match everything).
    any.add(Expr::val(1).eq(0))
}

fn residual_in(rating: Rating) -> Condition {
    Condition::all()
        .add(Column::ResidualLikelihood.eq(i16::from(rating.likelihood)))
        .add(Column::ResidualImpact.eq(i16::from(rating.impact)))
}

fn filtered(
    params: &RiskListParams,
    matrix: &RiskMatrix,
    me: i64,
    today: NaiveDate,
) -> Select<Risks> {
    let mut query = Risks::find();
    query = match params.state_filter() {
        RiskStateFilter::Live => query.filter(Column::State.is_in(live_states())),
        RiskStateFilter::All => query,
        RiskStateFilter::One(state) => query.filter(Column::State.eq(state.as_str())),
    };
    if let Some(level) = params.level() {
        query = query.filter(residual_at(matrix, level));
    }
    if let Some(cell) = params.cell() {
        query = query.filter(residual_in(cell));
    }
    match params.owner() {
        Some(None) => query = query.filter(Column::OwnerId.eq(me)),
        Some(Some(id)) => query = query.filter(Column::OwnerId.eq(id)),
        None => {}
    }
    let notice = today + chrono::Duration::days(sms_risk::REVIEW_NOTICE_DAYS);
    match params.review.trim() {
        "overdue" => query = query.filter(Column::ReviewOn.lt(today)),
        "due" => query = query.filter(Column::ReviewOn.lte(notice)),
        _ => {}
    }
    if matches!(params.review.trim(), "overdue" | "due") {
        query = query.filter(Column::State.is_in(live_states()));
    }
    if params.security_only() {
        query = query.filter(Column::InformationSecurity.eq(true));
    }
    let search = params.search();
    if let Some(id) = search
        .to_ascii_uppercase()
        .strip_prefix("RSK-")
        .and_then(|n| n.trim().parse::<i64>().ok())
    {
        query = query.filter(Column::Id.eq(id));
    } else if !search.is_empty() {
        query = query.filter(
            Condition::any()
                .add(contains(Column::Title, &search))
                .add(contains(Column::Description, &search))
                .add(contains(Column::TreatmentPlan, &search)),
        );
    }
    query
}

/// Counts of the live register per inherent and residual cell: two grouped reads, however
/// large the register.
async fn heat_map<C: ConnectionTrait>(conn: &C) -> Result<HeatMap, AppError> {
    let mut heat = HeatMap::default();
    for (likelihood, impact, inherent) in [
        (Column::InherentLikelihood, Column::InherentImpact, true),
        (Column::ResidualLikelihood, Column::ResidualImpact, false),
    ] {
        let cells: Vec<(i16, i16, i64)> = Risks::find()
            .select_only()
            .column(likelihood)
            .column(impact)
            .column_as(Column::Id.count(), "risks")
            .filter(Column::State.is_in(live_states()))
            .group_by(likelihood)
            .group_by(impact)
            .into_tuple()
            .all(conn)
            .await?;
        for (l, i, count) in cells {
            let cell = rating(l, i);
            let target = if inherent {
                &mut heat.inherent
            } else {
                &mut heat.residual
            };
            target[usize::from(cell.likelihood - 1)][usize::from(cell.impact - 1)] =
                u32::try_from(count).unwrap_or(u32::MAX);
        }
    }
    Ok(heat)
}

/// One page of the register, worst residual first, with the heat map of the live register.
/// One page of the register's filtered rows, worst residual first, by key.
async fn register_rows<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    params: &RiskListParams,
    matrix: &RiskMatrix,
    today: NaiveDate,
    page: u64,
    page_size: u64,
) -> Result<Vec<row_entity::Model>, AppError> {
    let order = KeyOrder::<Risks> {
        keys: vec![Expr::col((Risks, Column::ResidualScore))],
        id: Column::Id,
        order: Order::Desc,
    };
    key_paging::read_page(
        filtered(params, matrix, user.id, today),
        &order,
        params.page_key(),
        page,
        page_size,
        |select| async move { Ok(select.all(conn).await?) },
    )
    .await
}

fn register_row(
    r: &row_entity::Model,
    names: &HashMap<i64, crate::model::refs::PersonRef>,
) -> RiskRow {
    RiskRow {
        id: r.id,
        reference: reference(r.id),
        kind: RiskKind::parse(&r.kind).unwrap_or(RiskKind::Risk),
        title: r.title.clone(),
        owner: person(names, r.owner_id).name,
        security: security_of(r),
        inherent: rating(r.inherent_likelihood, r.inherent_impact),
        residual: residual_of(r),
        treatment: Treatment::parse(&r.treatment).unwrap_or(Treatment::Accept),
        state: RiskState::parse(&r.state).unwrap_or(RiskState::Open),
        review_on: r.review_on,
    }
}

/// One batch of the register as the CSV export writes it: the page's filters, `size` rows
/// after the key `params` carries, each with its services, decisions and what addresses it.
#[allow(clippy::too_many_arguments)]
pub async fn export_batch<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    params: &RiskListParams,
    matrix: &RiskMatrix,
    today: NaiveDate,
    page: u64,
    size: u64,
) -> Result<Vec<RiskExportRow>, AppError> {
    let rows = register_rows(conn, user, params, matrix, today, page, size).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links: Vec<(i64, i64)> = Links::find()
        .select_only()
        .column(link_entity::Column::RiskId)
        .column(link_entity::Column::ServiceId)
        .filter(link_entity::Column::RiskId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    let service_names = catalogue::names_of(conn, links.iter().map(|(_, s)| *s)).await?;
    let addressed = crate::server::service::risk_links::references_of(conn, user, &ids).await?;
    let mut services_of: HashMap<i64, Vec<String>> = HashMap::new();
    for (risk, service) in &links {
        if let Some(name) = service_names.get(service) {
            services_of.entry(*risk).or_default().push(name.clone());
        }
    }
    let mut wanted: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
    wanted.extend(rows.iter().filter_map(|r| r.accepted_by));
    let names = people(conn, &wanted).await?;
    let exported = rows
        .iter()
        .map(|r| {
            let mut services = services_of.remove(&r.id).unwrap_or_default();
            services.sort();
            RiskExportRow {
                row: register_row(r, &names),
                description: r.description.clone(),
                services,
                treatment_plan: r.treatment_plan.clone(),
                accepted_by: r.accepted_by.map(|id| person(&names, id).name),
                accepted_at: r.accepted_at,
                accepted_reason: r.accepted_reason.clone(),
                closed_reason: r.closed_reason.clone(),
                addressed_by: addressed.get(&r.id).cloned().unwrap_or_default(),
            }
        })
        .collect();
    Ok(exported)
}

pub async fn page<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    params: &RiskListParams,
    today: NaiveDate,
    page_size: u64,
) -> Result<RiskPage, AppError> {
    let (matrix, _) = matrix(conn).await?;
    let total = filtered(params, &matrix, user.id, today)
        .count(conn)
        .await?;
    let pages = Ord::max(total.div_ceil(page_size), 1);
    let page = Ord::min(params.page_number(), pages);
    let rows = register_rows(conn, user, params, &matrix, today, page, page_size).await?;
    let owners: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
    let names = people(conn, &owners).await?;
    let rows: Vec<RiskRow> = rows.iter().map(|r| register_row(r, &names)).collect();
    Ok(RiskPage {
        rows,
        total,
        page,
        pages,
        heat: heat_map(conn).await?,
        matrix,
        today,
    })
}

/// Live risks `user` owns whose review is overdue or due within the notice period (the
/// dashboard's reminder), soonest first, at most `limit`.
pub async fn reviews_due<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    today: NaiveDate,
    limit: u64,
) -> Result<Vec<(i64, String, NaiveDate)>, AppError> {
    let notice = today + chrono::Duration::days(sms_risk::REVIEW_NOTICE_DAYS);
    Ok(Risks::find()
        .select_only()
        .columns([Column::Id, Column::Title, Column::ReviewOn])
        .filter(Column::OwnerId.eq(user_id))
        .filter(Column::State.is_in(live_states()))
        .filter(Column::ReviewOn.lte(notice))
        .order_by_asc(Column::ReviewOn)
        .order_by_asc(Column::Id)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?)
}

/// How many live risks are past their review date, whoever owns them.
pub async fn overdue_reviews<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<u64, AppError> {
    Ok(Risks::find()
        .filter(Column::State.is_in(live_states()))
        .filter(Column::ReviewOn.lt(today))
        .count(conn)
        .await?)
}

/// The register as a management review weighs it (clause 9.3): live and accepted risks,
/// risks still open above the appetite, and reviews overdue on `today`.
pub async fn review_status<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<crate::model::management_review::RiskStatus, AppError> {
    let (matrix, _) = matrix(conn).await?;
    let live = || Risks::find().filter(Column::State.is_in(live_states()));
    let mut above = Condition::any().add(Expr::val(1).eq(0));
    for level in RiskLevel::ALL {
        if level > matrix.appetite {
            above = above.add(residual_at(&matrix, level));
        }
    }
    Ok(crate::model::management_review::RiskStatus {
        live: live().count(conn).await?,
        accepted: live()
            .filter(Column::State.eq(RiskState::Accepted.as_str()))
            .count(conn)
            .await?,
        above_appetite_open: live()
            .filter(Column::State.eq(RiskState::Open.as_str()))
            .filter(Column::Kind.eq(RiskKind::Risk.as_str()))
            .filter(above)
            .count(conn)
            .await?,
        reviews_overdue: overdue_reviews(conn, today).await?,
    })
}

/// The count of live risks per residual level, for the clause pages' evidence.
pub async fn live_by_level<C: ConnectionTrait>(
    conn: &C,
) -> Result<HashMap<RiskLevel, u32>, AppError> {
    let (matrix, _) = matrix(conn).await?;
    let heat = heat_map(conn).await?;
    let mut levels = HashMap::new();
    for l in 1..=5u8 {
        for i in 1..=5u8 {
            let count = heat.residual[usize::from(l - 1)][usize::from(i - 1)];
            if count > 0 {
                *levels
                    .entry(matrix.level(Rating {
                        likelihood: l,
                        impact: i,
                    }))
                    .or_insert(0) += count;
            }
        }
    }
    Ok(levels)
}
