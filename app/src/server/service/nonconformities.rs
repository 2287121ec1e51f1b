//! Nonconformities and corrective actions (clause 10.1): raising a finding (observations and
//! opportunities go straight to the improvement register), each step of the path recorded
//! with its content, versioned and audited; the pure rules in `model::nonconformity` decide.

use crate::error::{AppError, FieldErrors};
use crate::model::access::{Permission, RecordType, Role};
use crate::model::actor::ActorFacts;
use crate::model::controls::Controls;
use crate::model::improvement::Source;
use crate::model::listing::{page_offset, Page, DEFAULT_PAGE_SIZE, MAX_PAGE};
use crate::model::nonconformity::{
    nc_reference, transition as path, waiting_period, CorrectiveAction, FoundIn, Grade, NcAction,
    NcDraft, NcFacts, NcState, Nonconformity, RootCauseMethod,
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
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, UpdateMany,
};
use std::collections::HashMap;

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
    let audits: HashMap<i64, i64> = {
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
    let mut actions_of: HashMap<i64, Vec<CorrectiveAction>> = HashMap::new();
    for a in actions {
        actions_of
            .entry(a.nonconformity_id)
            .or_default()
            .push(CorrectiveAction {
                id: a.id,
                owner: person(&names, a.owner_id),
                text: a.text,
                due: a.due_on,
                done: a.done_at.is_some(),
                improvement_id: a.improvement_id,
                version: a.version,
            });
    }
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
            actions: actions_of.remove(&r.id).unwrap_or_default(),
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

/// One page of nonconformities, open ones first, newest first.
pub async fn page(db: &Db, page: u64) -> Result<Page<Nonconformity>, AppError> {
    let reader = db.reader();
    let total = Ncs::find().count(reader).await?;
    let rows = Ncs::find()
        .order_by_asc(Expr::col(Column::State).eq(NcState::Closed.as_str()))
        .order_by_desc(Column::Id)
        .offset(page_offset(page, DEFAULT_PAGE_SIZE))
        .limit(DEFAULT_PAGE_SIZE)
        .all(reader)
        .await?;
    Ok(Page {
        items: view(reader, rows).await?,
        page: page.clamp(1, MAX_PAGE),
        page_size: DEFAULT_PAGE_SIZE,
        total,
    })
}

/// How many nonconformities there are (the demo seeds only an empty table).
pub async fn count<C: ConnectionTrait>(conn: &C) -> Result<u64, AppError> {
    Ok(Ncs::find().count(conn).await?)
}

/// Open nonconformities whose next step is past due on `today`: how many there are, and at
/// most `shown` of `owner`'s own and `shown` of the oldest (the dashboard keeps the most
/// pressing of those), so a long backlog is counted in SQL, never loaded.
pub async fn overdue(
    db: &Db,
    today: NaiveDate,
    owner: i64,
    shown: u64,
) -> Result<(Vec<Nonconformity>, u64), AppError> {
    let reader = db.reader();
    let late = || {
        Ncs::find()
            .filter(Column::State.ne(NcState::Closed.as_str()))
            .filter(Column::StepDue.lt(today))
    };
    let total = late().count(reader).await?;
    let oldest_first = |select: sea_orm::Select<Ncs>| {
        select
            .order_by_asc(Column::StepDue)
            .order_by_asc(Column::Id)
            .limit(shown)
    };
    let mut rows = oldest_first(late().filter(Column::OwnerId.eq(owner)))
        .all(reader)
        .await?;
    for row in oldest_first(late()).all(reader).await? {
        if !rows.iter().any(|r| r.id == row.id) {
            rows.push(row);
        }
    }
    Ok((view(reader, rows).await?, total))
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

/// Records `step` if the rules allow it for `user` now: one transaction that checks the
/// version, applies the step, writes its audit entry and answers the nonconformity after.
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
    let rec = Recording {
        txn: &txn,
        user,
        actor,
        id,
        version,
        before: &before,
        today,
        controls,
    };
    let summary = apply(&rec, &step).await?;
    audit_step(&txn, actor, id, summary).await?;
    let after = get(&txn, id).await?;
    txn.commit().await?;
    Ok(after)
}

/// What each step works with: the open transaction, who records it, and the nonconformity
/// as it was when the step began (at the version the caller saw).
struct Recording<'a> {
    txn: &'a DatabaseTransaction,
    user: &'a CurrentUser,
    actor: &'a Actor,
    id: i64,
    version: i32,
    before: &'a Nonconformity,
    today: NaiveDate,
    controls: &'a Controls,
}

impl Recording<'_> {
    /// The facts the path's rules decide on.
    fn facts(&self) -> NcFacts {
        self.before.facts(self.today)
    }

    /// Who records the step, as the path's rules see them.
    fn me(&self) -> ActorFacts {
        ActorFacts::from(self.user)
    }

    /// When the step after this one is due.
    fn next_step_due(&self) -> Option<NaiveDate> {
        Some(self.today + Duration::days(STEP_DAYS))
    }

    fn is_quality_manager(&self) -> bool {
        self.user.roles.contains(&Role::QualityManager)
    }

    /// The corrective action `action_id` of this nonconformity.
    fn action(&self, action_id: i64) -> Result<&CorrectiveAction, AppError> {
        self.before
            .actions
            .iter()
            .find(|a| a.id == action_id)
            .ok_or_else(|| AppError::NotFound("That corrective action".into()))
    }

    /// Writes the nonconformity's row while it is still at the caller's version, bumping it.
    async fn update(
        &self,
        apply: impl FnOnce(UpdateMany<Ncs>) -> UpdateMany<Ncs>,
    ) -> Result<(), AppError> {
        versioned::update(self.txn, self.id, self.version, apply).await
    }

    /// Bumps the nonconformity's version only: a change to one of its actions guards on it.
    async fn bump_version(&self) -> Result<(), AppError> {
        self.update(|u| u).await
    }

    /// Writes one of the nonconformity's actions, guarded by the nonconformity's version
    /// (the caller bumps it).
    async fn update_action(
        &self,
        action_id: i64,
        apply: impl FnOnce(UpdateMany<Actions>) -> UpdateMany<Actions>,
    ) -> Result<(), AppError> {
        versioned::update_unchecked(self.txn, |u: UpdateMany<Actions>| {
            apply(u).filter(action_entity::Column::Id.eq(action_id))
        })
        .await?;
        Ok(())
    }
}

/// Applies `step` and answers the audit entry's summary.
async fn apply(rec: &Recording<'_>, step: &Step) -> Result<String, AppError> {
    match step {
        Step::Contain { correction } => contain(rec, correction).await,
        Step::AnalyseRootCause {
            root_cause,
            method,
            similar_notes,
        } => analyse_root_cause(rec, root_cause, *method, similar_notes).await,
        Step::AddAction {
            text,
            owner_id,
            due,
        } => add_action(rec, text, *owner_id, *due).await,
        Step::PlanActions => plan_actions(rec).await,
        Step::CompleteAction { action_id } => complete_action(rec, *action_id).await,
        Step::ActionToRegister { action_id } => action_to_register(rec, *action_id).await,
        Step::CompleteActions { wait_days } => complete_actions(rec, *wait_days).await,
        Step::Verify { effective } => verify(rec, *effective).await,
        Step::Close => close(rec).await,
    }
}

/// The immediate correction that contains the nonconformity.
async fn contain(rec: &Recording<'_>, correction: &str) -> Result<String, AppError> {
    let mut errors = FieldErrors::new();
    let correction =
        crate::model::text::bounded(&mut errors, "correction", "Correction", correction, 5, 4000);
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let mut facts = rec.facts();
    facts.has_correction = true;
    let next = path(&facts, NcAction::Contain, &rec.me())?;
    let due = rec.next_step_due();
    rec.update(|u| {
        u.col_expr(Column::Correction, Expr::value(correction))
            .col_expr(Column::State, Expr::value(next.as_str()))
            .col_expr(Column::StepDue, Expr::value(due))
    })
    .await?;
    Ok(format!("{}: contained", rec.before.reference()))
}

/// The root cause, how it was found, and whether similar nonconformities exist.
async fn analyse_root_cause(
    rec: &Recording<'_>,
    root_cause: &str,
    method: RootCauseMethod,
    similar_notes: &str,
) -> Result<String, AppError> {
    let mut errors = FieldErrors::new();
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
    let mut facts = rec.facts();
    facts.has_root_cause = true;
    facts.similar_checked = true;
    let next = path(&facts, NcAction::AnalyseRootCause, &rec.me())?;
    let method = method_code(method);
    let due = rec.next_step_due();
    rec.update(|u| {
        u.col_expr(Column::RootCause, Expr::value(root_cause))
            .col_expr(Column::RootCauseMethod, Expr::value(method))
            .col_expr(Column::SimilarChecked, Expr::value(true))
            .col_expr(Column::SimilarNotes, Expr::value(similar))
            .col_expr(Column::State, Expr::value(next.as_str()))
            .col_expr(Column::StepDue, Expr::value(due))
    })
    .await?;
    Ok(format!("{}: root cause analysed", rec.before.reference()))
}

/// Adds one corrective action while the actions are being planned.
async fn add_action(
    rec: &Recording<'_>,
    text: &str,
    owner_id: i64,
    due: NaiveDate,
) -> Result<String, AppError> {
    may_plan_actions(rec)?;
    let text = valid_action(rec, text, owner_id, due).await?;
    action_entity::ActiveModel {
        nonconformity_id: Set(rec.id),
        text: Set(text.clone()),
        owner_id: Set(owner_id),
        due_on: Set(due),
        done_at: Set(None),
        improvement_id: Set(None),
        version: Set(1),
        ..Default::default()
    }
    .insert(rec.txn)
    .await?;
    rec.bump_version().await?;
    Ok(format!(
        "{}: corrective action planned: {text}",
        rec.before.reference()
    ))
}

/// Actions are added once the root cause is known, by the owner or a quality manager.
fn may_plan_actions(rec: &Recording<'_>) -> Result<(), AppError> {
    if !matches!(
        rec.before.state,
        NcState::RootCauseAnalysed | NcState::ActionsPlanned
    ) {
        return Err(AppError::BadRequest(
            "Corrective actions are planned once the root cause is known.".into(),
        ));
    }
    if !(rec.user.id == rec.before.owner.id || rec.is_quality_manager()) {
        return Err(AppError::Refused(
            "Only the owner or a quality manager plans corrective actions.".into(),
        ));
    }
    Ok(())
}

/// A new action's text (trimmed), once its text, due date and owner are all valid.
async fn valid_action(
    rec: &Recording<'_>,
    text: &str,
    owner_id: i64,
    due: NaiveDate,
) -> Result<String, AppError> {
    let mut errors = FieldErrors::new();
    let text = crate::model::text::bounded(&mut errors, "action_text", "Action", text, 5, 2000);
    if due < rec.today {
        errors.add("action_due", "The due date cannot be in the past.");
    }
    if people(rec.txn, &[owner_id]).await?.is_empty() {
        errors.add("action_owner", "Choose the action's owner from the list.");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    Ok(text)
}

/// Closes planning: the step is due when the last action is.
async fn plan_actions(rec: &Recording<'_>) -> Result<String, AppError> {
    let next = path(&rec.facts(), NcAction::PlanActions, &rec.me())?;
    let last_due = rec.before.actions.iter().map(|a| a.due).max();
    rec.update(|u| {
        u.col_expr(Column::State, Expr::value(next.as_str()))
            .col_expr(Column::StepDue, Expr::value(last_due))
    })
    .await?;
    Ok(format!(
        "{}: corrective actions planned",
        rec.before.reference()
    ))
}

/// Marks one corrective action done.
async fn complete_action(rec: &Recording<'_>, action_id: i64) -> Result<String, AppError> {
    let action = rec.action(action_id)?;
    if action.done {
        return Err(AppError::BadRequest("That action is done already.".into()));
    }
    if !may_handle_action(rec, action) {
        return Err(AppError::Refused("Only the action's owner, the nonconformity's owner or a quality manager marks it done.".into()));
    }
    rec.update_action(action_id, |u| {
        u.col_expr(action_entity::Column::DoneAt, Expr::value(Utc::now()))
    })
    .await?;
    rec.bump_version().await?;
    Ok(format!(
        "{}: action done: {}",
        rec.before.reference(),
        action.text
    ))
}

/// The action's owner, the nonconformity's owner or a quality manager.
fn may_handle_action(rec: &Recording<'_>, action: &CorrectiveAction) -> bool {
    rec.user.id == action.owner.id || rec.user.id == rec.before.owner.id || rec.is_quality_manager()
}

/// Puts one corrective action in the improvement register; both keep the link.
async fn action_to_register(rec: &Recording<'_>, action_id: i64) -> Result<String, AppError> {
    let action = rec.action(action_id)?;
    if let Some(entry) = action.improvement_id {
        return Err(AppError::BadRequest(format!(
            "That action is in the register already as {}.",
            crate::model::register::improvement_reference(entry)
        )));
    }
    if !rec.user.may(Permission::ImprovementRaise) {
        return Err(AppError::Forbidden(
            Permission::ImprovementRaise.describe().into(),
        ));
    }
    if !may_handle_action(rec, action) {
        return Err(AppError::Refused("Only the action's owner, the nonconformity's owner or a quality manager puts it in the register.".into()));
    }
    let entry =
        register::insert_entry(rec.txn, rec.actor, action_entry(rec.before, action)).await?;
    rec.update_action(action_id, |u| {
        u.col_expr(
            action_entity::Column::ImprovementId,
            Expr::value(Some(entry.id)),
        )
    })
    .await?;
    rec.bump_version().await?;
    Ok(format!(
        "{}: action “{}” put in the improvement register as {}",
        rec.before.reference(),
        action.text,
        entry.reference()
    ))
}

/// All actions are done: the effectiveness is judged once the waiting period has passed.
async fn complete_actions(rec: &Recording<'_>, wait_days: Option<i64>) -> Result<String, AppError> {
    let next = path(&rec.facts(), NcAction::CompleteActions, &rec.me())?;
    let wait = waiting_period_of(rec, wait_days).await?;
    let from = rec.today + Duration::days(wait);
    rec.update(|u| {
        u.col_expr(Column::State, Expr::value(next.as_str()))
            .col_expr(Column::VerifyFrom, Expr::value(Some(from)))
            .col_expr(
                Column::StepDue,
                Expr::value(Some(from + Duration::days(STEP_DAYS))),
            )
    })
    .await?;
    Ok(format!(
        "{}: actions done; effectiveness judged from {from}",
        rec.before.reference()
    ))
}

/// The waiting period in days: `wait_days` if given and allowed, else the one set when the
/// nonconformity was raised.
async fn waiting_period_of(rec: &Recording<'_>, wait_days: Option<i64>) -> Result<i64, AppError> {
    let stored = Ncs::find_by_id(rec.id)
        .one(rec.txn)
        .await?
        .map(|row| i64::from(row.wait_days));
    waiting_period(wait_days, stored, rec.controls, rec.is_quality_manager())
        .map_err(|message| AppError::single_field("wait_days", message))
}

/// Judges the actions' effectiveness; ineffective ones send it back to root-cause analysis.
async fn verify(rec: &Recording<'_>, effective: bool) -> Result<String, AppError> {
    let action = if effective {
        NcAction::VerifyEffective
    } else {
        NcAction::VerifyIneffective
    };
    let next = path(&rec.facts(), action, &rec.me())?;
    let due = rec.next_step_due();
    let verified_by = rec.user.id;
    rec.update(|u| {
        let u = u
            .col_expr(Column::State, Expr::value(next.as_str()))
            .col_expr(Column::StepDue, Expr::value(due));
        if effective {
            u.col_expr(Column::VerifiedBy, Expr::value(verified_by))
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
    Ok(if effective {
        format!(
            "{}: the corrective actions were effective",
            rec.before.reference()
        )
    } else {
        format!(
            "{}: not effective; back to root-cause analysis",
            rec.before.reference()
        )
    })
}

async fn close(rec: &Recording<'_>) -> Result<String, AppError> {
    let next = path(&rec.facts(), NcAction::Close, &rec.me())?;
    rec.update(|u| {
        u.col_expr(Column::State, Expr::value(next.as_str()))
            .col_expr(Column::StepDue, Expr::value(Option::<NaiveDate>::None))
    })
    .await?;
    Ok(format!("{}: closed", rec.before.reference()))
}

/// The step's audit entry.
async fn audit_step(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: i64,
    summary: String,
) -> Result<(), AppError> {
    audit::record(
        txn,
        actor,
        RecordType::Nonconformity,
        id,
        "nonconformity_step",
        summary,
    )
    .await
}
