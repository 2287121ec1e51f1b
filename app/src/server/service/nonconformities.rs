//! Nonconformities and corrective actions (clause 10.1): raising a finding (observations and
//! opportunities go straight to the improvement register), each step of the path recorded
//! with its content, versioned and audited; the pure rules in `model::nonconformity` decide.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::actor::ActorFacts;
use crate::model::controls::Controls;
use crate::model::improvement::Source;
use crate::model::nonconformity::{
    nc_reference, transition as path, waiting_period, CorrectiveAction, FoundIn, Grade, NcAction,
    NcDraft, NcState, Nonconformity, RootCauseMethod,
};
use crate::model::register::ImprovementDraft;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::corrective_action::{self as action_entity, Entity as Actions};
use crate::server::entity::nonconformity::{self as nc_entity, Column, Entity as Ncs};
use crate::server::service::register;
use crate::server::service::users::{people, person};
use crate::server::versioned::{self, check_version};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Set, UpdateMany,
};

/// How long each step may take before it shows as overdue.
const STEP_DAYS: i64 = 14;

fn method_of(value: &str) -> Option<RootCauseMethod> {
    match value {
        "five_whys" => Some(RootCauseMethod::FiveWhys),
        "cause_categories" => Some(RootCauseMethod::CauseCategories),
        _ => None,
    }
}

pub fn method_code(method: RootCauseMethod) -> &'static str {
    match method {
        RootCauseMethod::FiveWhys => "five_whys",
        RootCauseMethod::CauseCategories => "cause_categories",
    }
}

async fn view<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<nc_entity::Model>,
) -> Result<Vec<Nonconformity>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let audits: std::collections::HashMap<i64, i64> = {
        use crate::server::entity::audit_finding::{Column, Entity as Findings};
        Findings::find()
            .filter(Column::NonconformityId.is_in(ids.clone()))
            .all(conn)
            .await?
            .into_iter()
            .filter_map(|f| f.nonconformity_id.map(|nc| (nc, f.audit_id)))
            .collect()
    };
    let actions = Actions::find()
        .filter(action_entity::Column::NonconformityId.is_in(ids))
        .order_by_asc(action_entity::Column::Id)
        .all(conn)
        .await?;
    let mut person_ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [Some(r.raised_by), Some(r.owner_id), r.verified_by])
        .flatten()
        .collect();
    person_ids.extend(actions.iter().map(|a| a.owner_id));
    let names = people(conn, &person_ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Nonconformity {
            id: r.id,
            grade: Grade::parse(&r.grade).unwrap_or(Grade::Minor),
            found_in: FoundIn::ALL
                .into_iter()
                .find(|f| f.as_str() == r.found_in)
                .unwrap_or(FoundIn::SelfIdentified),
            raised_by: person(&names, r.raised_by),
            owner: person(&names, r.owner_id),
            state: NcState::parse(&r.state).unwrap_or(NcState::Raised),
            root_cause_method: r.root_cause_method.as_deref().and_then(method_of),
            verified_by: r.verified_by.map(|id| person(&names, id)),
            actions: actions
                .iter()
                .filter(|a| a.nonconformity_id == r.id)
                .map(|a| CorrectiveAction {
                    id: a.id,
                    text: a.text.clone(),
                    owner: person(&names, a.owner_id),
                    due: a.due_on,
                    done: a.done_at.is_some(),
                    improvement_id: a.improvement_id,
                    version: a.version,
                })
                .collect(),
            clause: r.clause,
            description: r.description,
            evidence: r.evidence,
            correction: r.correction,
            root_cause: r.root_cause,
            similar_checked: r.similar_checked,
            similar_notes: r.similar_notes,
            verify_from: r.verify_from,
            verification_failures: r.verification_failures,
            step_due: r.step_due,
            raised_in_audit: audits.get(&r.id).copied(),
            version: r.version,
        })
        .collect())
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Nonconformity, AppError> {
    let row = Ncs::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound(nc_reference(id)))?;
    Ok(view(conn, vec![row]).await?.remove(0))
}

/// Every nonconformity, open ones first, newest first.
pub async fn list(db: &Db) -> Result<Vec<Nonconformity>, AppError> {
    let rows = Ncs::find()
        .order_by_desc(Column::Id)
        .all(db.reader())
        .await?;
    let mut all = view(db.reader(), rows).await?;
    all.sort_by_key(|nc| (nc.state == NcState::Closed, std::cmp::Reverse(nc.id)));
    Ok(all)
}

/// What raising a finding created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Raised {
    Nonconformity(i64),
    /// Observations and opportunities for improvement go to the register.
    Improvement(i64),
}

pub async fn raise(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    mut draft: NcDraft,
    today: NaiveDate,
    controls: &Controls,
) -> Result<Raised, AppError> {
    // Whoever raises it sets the wait, never below the organisation's minimum.
    draft.wait_days = Some(
        waiting_period(draft.wait_days, None, controls, true)
            .map_err(|message| AppError::single_field("wait_days", message))?,
    );
    if people(db.reader(), &[draft.owner_id]).await?.is_empty() {
        return Err(AppError::single_field(
            "owner_id",
            "Choose the owner from the list.",
        ));
    }
    if !draft.grade.is_nonconformity() {
        let entry = register::create(
            db,
            actor,
            ImprovementDraft {
                title: crate::model::text::shorten(&draft.description, 150),
                description: format!("{}\n\nEvidence: {}", draft.description, draft.evidence),
                source: if draft.found_in == FoundIn::Audit {
                    Source::AuditFinding
                } else {
                    Source::StaffSuggestion
                },
                source_ref: None,
                service_ids: Vec::new(),
                clauses: vec![draft.clause.clone()],
                expected_benefit: String::new(),
                benefit_score: None,
                effort: None,
                owner_id: draft.owner_id,
                approver_id: None,
                target_date: None,
            },
        )
        .await?;
        return Ok(Raised::Improvement(entry.id));
    }
    let txn = db.begin_write().await?;
    let id = insert_raised(&txn, user.id, actor, draft, today).await?;
    txn.commit().await?;
    Ok(Raised::Nonconformity(id))
}

/// Adds a raised nonconformity with its audit entry inside the caller's transaction (an
/// internal audit's finding raises one in the same transaction that records the finding).
pub(crate) async fn insert_raised(
    txn: &DatabaseTransaction,
    raised_by: i64,
    actor: &Actor,
    draft: NcDraft,
    today: NaiveDate,
) -> Result<i64, AppError> {
    let now = Utc::now();
    let row = nc_entity::ActiveModel {
        grade: Set(draft.grade.as_str().into()),
        clause: Set(draft.clause.clone()),
        description: Set(draft.description),
        evidence: Set(draft.evidence),
        found_in: Set(draft.found_in.as_str().into()),
        raised_by: Set(raised_by),
        owner_id: Set(draft.owner_id),
        state: Set(NcState::Raised.as_str().into()),
        correction: Set(String::new()),
        root_cause: Set(String::new()),
        root_cause_method: Set(None),
        similar_checked: Set(false),
        similar_notes: Set(String::new()),
        // The waiting period is kept as days until the actions are done (see `complete`).
        verify_from: Set(None),
        wait_days: Set(draft
            .wait_days
            .unwrap_or(Controls::default().nc_min_wait_days) as i32),
        verification_failures: Set(0),
        verified_by: Set(None),
        step_due: Set(Some(today + Duration::days(STEP_DAYS))),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    audit::record(
        txn,
        actor,
        RecordType::Nonconformity,
        row.id,
        "nonconformity_raised",
        format!(
            "{} raised: {} against {}",
            nc_reference(row.id),
            draft.grade.label(),
            crate::model::clauses::label(&draft.clause)
        ),
    )
    .await?;
    Ok(row.id)
}

/// One step on the clause 10.1 path, with what it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Contain {
        correction: String,
    },
    AnalyseRootCause {
        root_cause: String,
        method: RootCauseMethod,
        similar_notes: String,
    },
    AddAction {
        text: String,
        owner_id: i64,
        due: NaiveDate,
    },
    PlanActions,
    CompleteAction {
        action_id: i64,
    },
    CompleteActions {
        /// Overrides the waiting period set when the nonconformity was raised.
        wait_days: Option<i64>,
    },
    /// A corrective action becomes an entry of the improvement register; both keep the link.
    ActionToRegister {
        action_id: i64,
    },
    Verify {
        effective: bool,
    },
    Close,
}

/// The register entry a corrective action becomes: sourced from its nonconformity, owned
/// by the action's owner, due when the action is.
fn action_entry(nc: &Nonconformity, action: &CorrectiveAction) -> ImprovementDraft {
    let mut title: String = action.text.chars().take(160).collect();
    if title.chars().count() < 5 {
        title = format!("{}: {title}", nc.reference());
    }
    ImprovementDraft {
        title,
        description: format!(
            "Corrective action of {} ({}): {}",
            nc.reference(),
            crate::model::clauses::label(&nc.clause),
            action.text
        ),
        source: Source::Nonconformity,
        source_ref: Some(format!("nonconformity:{}", nc.id)),
        service_ids: Vec::new(),
        clauses: vec![nc.clause.clone()],
        expected_benefit: "The nonconformity does not recur.".into(),
        benefit_score: None,
        effort: None,
        owner_id: action.owner.id,
        approver_id: None,
        target_date: Some(action.due),
    }
}

/// Records `step` if the rules allow it for `user` now.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    step: Step,
    today: NaiveDate,
    controls: &Controls,
) -> Result<Nonconformity, AppError> {
    let txn = db.begin_write().await?;
    let before = get(&txn, id).await?;
    check_version::<Ncs>(version, before.version)?;
    let me = ActorFacts::from(user);
    let mut facts = before.facts(today);
    let due = Some(today + Duration::days(STEP_DAYS));
    let mut errors = FieldErrors::new();
    let summary = match &step {
        Step::Contain { correction } => {
            let correction = crate::model::text::bounded(
                &mut errors,
                "correction",
                "Correction",
                correction,
                5,
                4000,
            );
            if !errors.is_empty() {
                return Err(errors.into());
            }
            facts.has_correction = true;
            let next = path(&facts, NcAction::Contain, &me)?;
            versioned::update(&txn, id, version, |u: UpdateMany<Ncs>| {
                u.col_expr(Column::Correction, Expr::value(correction))
                    .col_expr(Column::State, Expr::value(next.as_str()))
                    .col_expr(Column::StepDue, Expr::value(due))
            })
            .await?;
            format!("{}: contained", before.reference())
        }
        Step::AnalyseRootCause {
            root_cause,
            method,
            similar_notes,
        } => {
            let root_cause = crate::model::text::bounded(
                &mut errors,
                "root_cause",
                "Root cause",
                root_cause,
                10,
                8000,
            );
            let similar = crate::model::text::bounded(
                &mut errors,
                "similar_notes",
                "Similar nonconformities",
                similar_notes,
                3,
                4000,
            );
            if !errors.is_empty() {
                return Err(errors.into());
            }
            facts.has_root_cause = true;
            facts.similar_checked = true;
            let next = path(&facts, NcAction::AnalyseRootCause, &me)?;
            let method = method_code(*method);
            versioned::update(&txn, id, version, |u: UpdateMany<Ncs>| {
                u.col_expr(Column::RootCause, Expr::value(root_cause))
                    .col_expr(Column::RootCauseMethod, Expr::value(method))
                    .col_expr(Column::SimilarChecked, Expr::value(true))
                    .col_expr(Column::SimilarNotes, Expr::value(similar))
                    .col_expr(Column::State, Expr::value(next.as_str()))
                    .col_expr(Column::StepDue, Expr::value(due))
            })
            .await?;
            format!("{}: root cause analysed", before.reference())
        }
        Step::AddAction {
            text,
            owner_id,
            due: action_due,
        } => {
            if !matches!(
                before.state,
                NcState::RootCauseAnalysed | NcState::ActionsPlanned
            ) {
                return Err(AppError::BadRequest(
                    "Corrective actions are planned once the root cause is known.".into(),
                ));
            }
            if !(user.id == before.owner.id
                || user
                    .roles
                    .contains(&crate::model::access::Role::QualityManager))
            {
                return Err(AppError::Refused(
                    "Only the owner or a quality manager plans corrective actions.".into(),
                ));
            }
            let text =
                crate::model::text::bounded(&mut errors, "action_text", "Action", text, 5, 2000);
            if *action_due < today {
                errors.add("action_due", "The due date cannot be in the past.");
            }
            if people(&txn, &[*owner_id]).await?.is_empty() {
                errors.add("action_owner", "Choose the action's owner from the list.");
            }
            if !errors.is_empty() {
                return Err(errors.into());
            }
            action_entity::ActiveModel {
                nonconformity_id: Set(id),
                text: Set(text.clone()),
                owner_id: Set(*owner_id),
                due_on: Set(*action_due),
                done_at: Set(None),
                improvement_id: Set(None),
                version: Set(1),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            versioned::update(&txn, id, version, |u: UpdateMany<Ncs>| u).await?;
            format!("{}: corrective action planned: {text}", before.reference())
        }
        Step::PlanActions => {
            let next = path(&facts, NcAction::PlanActions, &me)?;
            let last_due = before.actions.iter().map(|a| a.due).max();
            versioned::update(&txn, id, version, |u: UpdateMany<Ncs>| {
                u.col_expr(Column::State, Expr::value(next.as_str()))
                    .col_expr(Column::StepDue, Expr::value(last_due))
            })
            .await?;
            format!("{}: corrective actions planned", before.reference())
        }
        Step::CompleteAction { action_id } => {
            let Some(action) = before.actions.iter().find(|a| a.id == *action_id) else {
                return Err(AppError::NotFound("That corrective action".into()));
            };
            if action.done {
                return Err(AppError::BadRequest("That action is done already.".into()));
            }
            if !(user.id == action.owner.id
                || user.id == before.owner.id
                || user
                    .roles
                    .contains(&crate::model::access::Role::QualityManager))
            {
                return Err(AppError::Refused("Only the action's owner, the nonconformity's owner or a quality manager marks it done.".into()));
            }
            // Guarded by the nonconformity's version, bumped below.
            versioned::update_unchecked(&txn, |u: UpdateMany<Actions>| {
                u.col_expr(action_entity::Column::DoneAt, Expr::value(Utc::now()))
                    .filter(action_entity::Column::Id.eq(*action_id))
            })
            .await?;
            versioned::update(&txn, id, version, |u: UpdateMany<Ncs>| u).await?;
            format!("{}: action done: {}", before.reference(), action.text)
        }
        Step::ActionToRegister { action_id } => {
            let Some(action) = before.actions.iter().find(|a| a.id == *action_id) else {
                return Err(AppError::NotFound("That corrective action".into()));
            };
            if let Some(entry) = action.improvement_id {
                return Err(AppError::BadRequest(format!(
                    "That action is in the register already as {}.",
                    crate::model::register::improvement_reference(entry)
                )));
            }
            if !user.may(crate::model::access::Permission::ImprovementRaise) {
                return Err(AppError::Forbidden(
                    crate::model::access::Permission::ImprovementRaise
                        .describe()
                        .into(),
                ));
            }
            if !(user.id == action.owner.id
                || user.id == before.owner.id
                || user
                    .roles
                    .contains(&crate::model::access::Role::QualityManager))
            {
                return Err(AppError::Refused("Only the action's owner, the nonconformity's owner or a quality manager puts it in the register.".into()));
            }
            let entry = crate::server::service::register::insert_entry(
                &txn,
                actor,
                action_entry(&before, action),
            )
            .await?;
            // Guarded by the nonconformity's version, bumped below.
            versioned::update_unchecked(&txn, |u: UpdateMany<Actions>| {
                u.col_expr(
                    action_entity::Column::ImprovementId,
                    Expr::value(Some(entry.id)),
                )
                .filter(action_entity::Column::Id.eq(*action_id))
            })
            .await?;
            versioned::update(&txn, id, version, |u: UpdateMany<Ncs>| u).await?;
            format!(
                "{}: action “{}” put in the improvement register as {}",
                before.reference(),
                action.text,
                entry.reference()
            )
        }
        Step::CompleteActions { wait_days } => {
            let next = path(&facts, NcAction::CompleteActions, &me)?;
            let stored = Ncs::find_by_id(id)
                .one(&txn)
                .await?
                .map(|row| i64::from(row.wait_days));
            let wait = waiting_period(
                *wait_days,
                stored,
                controls,
                user.roles
                    .contains(&crate::model::access::Role::QualityManager),
            )
            .map_err(|message| AppError::single_field("wait_days", message))?;
            let from = today + Duration::days(wait);
            versioned::update(&txn, id, version, |u: UpdateMany<Ncs>| {
                u.col_expr(Column::State, Expr::value(next.as_str()))
                    .col_expr(Column::VerifyFrom, Expr::value(Some(from)))
                    .col_expr(
                        Column::StepDue,
                        Expr::value(Some(from + Duration::days(STEP_DAYS))),
                    )
            })
            .await?;
            format!(
                "{}: actions done; effectiveness judged from {from}",
                before.reference()
            )
        }
        Step::Verify { effective } => {
            let action = if *effective {
                NcAction::VerifyEffective
            } else {
                NcAction::VerifyIneffective
            };
            let next = path(&facts, action, &me)?;
            versioned::update(&txn, id, version, |u: UpdateMany<Ncs>| {
                let u = u
                    .col_expr(Column::State, Expr::value(next.as_str()))
                    .col_expr(Column::StepDue, Expr::value(due));
                if *effective {
                    u.col_expr(Column::VerifiedBy, Expr::value(user.id))
                } else {
                    // Back to root cause: the analysis is done again, the old one stays in the history.
                    u.col_expr(
                        Column::VerificationFailures,
                        Expr::col(Column::VerificationFailures).add(1),
                    )
                    .col_expr(Column::RootCause, Expr::value(String::new()))
                    .col_expr(Column::RootCauseMethod, Expr::value(Option::<String>::None))
                    .col_expr(Column::SimilarChecked, Expr::value(false))
                }
            })
            .await?;
            if *effective {
                format!(
                    "{}: the corrective actions were effective",
                    before.reference()
                )
            } else {
                format!(
                    "{}: not effective; back to root-cause analysis",
                    before.reference()
                )
            }
        }
        Step::Close => {
            let next = path(&facts, NcAction::Close, &me)?;
            versioned::update(&txn, id, version, |u: UpdateMany<Ncs>| {
                u.col_expr(Column::State, Expr::value(next.as_str()))
                    .col_expr(Column::StepDue, Expr::value(Option::<NaiveDate>::None))
            })
            .await?;
            format!("{}: closed", before.reference())
        }
    };
    audit::record(
        &txn,
        actor,
        RecordType::Nonconformity,
        id,
        "nonconformity_step",
        summary,
    )
    .await?;
    let after = get(&txn, id).await?;
    txn.commit().await?;
    Ok(after)
}
