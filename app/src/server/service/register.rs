//! The improvement register: entries with their KPIs and measured values, the lifecycle
//! moves (the pure rules in `model::improvement` decide; this writes, versioned and audited).

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::actor::ActorFacts;
use crate::model::audit::diff;
use crate::model::improvement::Priority;
use crate::model::improvement::{
    check_edit, check_measuring, transition as lifecycle, ClosureCode, Direction, Effort,
    ImprovementAction, ImprovementState, Kpi, Measurement, Source,
};
use crate::model::register::{
    closed_per_month, improvement_reference, BoardColumn, Improvement, ImprovementDraft, KpiRecord,
    RegisterParams, RegisterSummary,
};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::improvement::{self as entry, Column, Entity as Improvements};
use crate::server::entity::improvement_kpi::{self as kpi_entity, Entity as Kpis};
use crate::server::entity::kpi_measurement::{self as measurement_entity, Entity as Measurements};
use crate::server::search::{contains_fragment, contains_text};
use crate::server::service::key_paging::{self, KeyOrder};
use crate::server::service::users::{people, person};
use crate::server::versioned::{self, check_version};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{CaseStatement, Condition, Expr, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, Order,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, Set, UpdateMany,
};
use std::collections::HashMap;

/// Full entries for `rows`, with names, KPIs and measurements loaded in a few queries.
async fn entries<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<entry::Model>,
) -> Result<Vec<Improvement>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut kpis: HashMap<i64, Vec<KpiRecord>> = HashMap::new();
    let mut kpi_rows = Vec::new();
    for chunk in ids.chunks(500) {
        kpi_rows.extend(
            Kpis::find()
                .filter(kpi_entity::Column::ImprovementId.is_in(chunk.to_vec()))
                .order_by_asc(kpi_entity::Column::Id)
                .all(conn)
                .await?,
        );
    }
    let kpi_ids: Vec<i64> = kpi_rows.iter().map(|k| k.id).collect();
    let mut values: HashMap<i64, Vec<Measurement>> = HashMap::new();
    for chunk in kpi_ids.chunks(500) {
        for m in Measurements::find()
            .filter(measurement_entity::Column::KpiId.is_in(chunk.to_vec()))
            .order_by_asc(measurement_entity::Column::MeasuredOn)
            .order_by_asc(measurement_entity::Column::Id)
            .all(conn)
            .await?
        {
            values.entry(m.kpi_id).or_default().push(Measurement {
                on: m.measured_on,
                value: m.value,
            });
        }
    }
    for k in kpi_rows {
        kpis.entry(k.improvement_id).or_default().push(KpiRecord {
            id: k.id,
            measurements: values.remove(&k.id).unwrap_or_default(),
            kpi: Kpi {
                name: k.name,
                unit: k.unit,
                baseline: k.baseline,
                target: k.target,
                direction: Direction::parse(&k.direction).unwrap_or(Direction::HigherIsBetter),
            },
        });
    }
    let person_ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [Some(r.owner_id), r.approver_id, r.verifier_id])
        .flatten()
        .collect();
    let names = people(conn, &person_ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| Improvement {
            id: r.id,
            kpis: kpis.remove(&r.id).unwrap_or_default(),
            source: Source::parse_loose(&r.source).unwrap_or(Source::StaffSuggestion),
            service_ids: serde_json::from_str(&r.service_ids).unwrap_or_default(),
            clauses: serde_json::from_str(&r.clauses).unwrap_or_default(),
            benefit_score: r.benefit_score.and_then(|s| u8::try_from(s).ok()),
            effort: r.effort.as_deref().and_then(Effort::parse_loose),
            owner: person(&names, r.owner_id),
            approver: r.approver_id.map(|id| person(&names, id)),
            verifier: r.verifier_id.map(|id| person(&names, id)),
            state: ImprovementState::parse_loose(&r.state).unwrap_or(ImprovementState::Identified),
            closure_code: r.closure_code.as_deref().and_then(ClosureCode::parse),
            closed_at: r.closed_at,
            title: r.title,
            description: r.description,
            source_ref: r.source_ref,
            expected_benefit: r.expected_benefit,
            target_date: r.target_date,
            outcome: r.outcome,
            former_owner_ids: serde_json::from_str(&r.former_owner_ids).unwrap_or_default(),
            approver_named_by: r.approver_named_by,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

pub async fn get<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Improvement, AppError> {
    let row = Improvements::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound(crate::model::register::improvement_reference(id)))?;
    Ok(entries(conn, vec![row]).await?.remove(0))
}

/// Every entry, newest first (the page filters, sorts and pages them).
pub async fn all(db: &Db) -> Result<Vec<Improvement>, AppError> {
    let rows = Improvements::find()
        .order_by_desc(Column::Id)
        .all(db.reader())
        .await?;
    entries(db.reader(), rows).await
}

/// How many entries the register holds.
pub async fn count(db: &Db) -> Result<u64, AppError> {
    Ok(Improvements::find().count(db.reader()).await?)
}

/// The (benefit score, effort) pairs the priority rule maps to `priority`, so SQL filters and
/// sorts by the rule itself rather than by a copy of it.
fn priority_pairs(priority: Priority) -> Condition {
    let mut any = Condition::any();
    for score in 1..=5u8 {
        for effort in Effort::ALL {
            if Priority::of(score, effort) == priority {
                any = any.add(
                    Condition::all()
                        .add(Column::BenefitScore.eq(i32::from(score)))
                        .add(Column::Effort.eq(effort.as_str())),
                );
            }
        }
    }
    any
}

/// Open states, for "overdue".
fn open_states() -> Vec<&'static str> {
    ImprovementState::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect()
}

/// The table's filters in SQL: the same answers as `RegisterParams::apply`.
fn filtered(params: &RegisterParams, today: NaiveDate) -> Select<Improvements> {
    let mut query = Improvements::find();
    let text = params.q.trim().to_lowercase();
    if !text.is_empty() {
        let mut any = Condition::any()
            .add(contains_text(Column::Title, &text))
            .add(contains_text(Column::Description, &text));
        // "IMP-00012" finds that entry.
        if let Some(id) = text
            .strip_prefix("imp-")
            .and_then(|digits| digits.parse::<i64>().ok())
            .filter(|id| improvement_reference(*id).to_lowercase() == text)
        {
            any = any.add(Column::Id.eq(id));
        }
        query = query.filter(any);
    }
    if let Some(state) = ImprovementState::parse_loose(&params.state) {
        query = query.filter(Column::State.eq(state.as_str()));
    }
    if let Some(source) = Source::parse_loose(&params.source) {
        query = query.filter(Column::Source.eq(source.as_str()));
    }
    if let Ok(owner) = params.owner.trim().parse::<i64>() {
        query = query.filter(Column::OwnerId.eq(owner));
    }
    if let Ok(service) = params.service.trim().parse::<i64>() {
        // The list is serde_json text ("[3,12]"): the id between its delimiters.
        query = query.filter(
            Condition::any()
                .add(contains_fragment(
                    Column::ServiceIds,
                    &format!("[{service}]"),
                ))
                .add(contains_fragment(
                    Column::ServiceIds,
                    &format!("[{service},"),
                ))
                .add(contains_fragment(
                    Column::ServiceIds,
                    &format!(",{service},"),
                ))
                .add(contains_fragment(
                    Column::ServiceIds,
                    &format!(",{service}]"),
                )),
        );
    }
    let clause = params.clause.trim();
    if !clause.is_empty() {
        query = query.filter(contains_fragment(Column::Clauses, &format!("\"{clause}\"")));
    }
    if let Some(priority) = Priority::parse_loose(&params.priority) {
        query = query.filter(priority_pairs(priority));
    }
    if params.overdue == "yes" {
        query = query
            .filter(Column::State.is_in(open_states()))
            .filter(Column::TargetDate.lt(today));
    }
    query
}

/// The sort the table asked for; ties (and the default) by reference.
fn register_order(params: &RegisterParams) -> KeyOrder<Improvements> {
    let order = if params.dir == "desc" {
        Order::Desc
    } else {
        Order::Asc
    };
    let ranked = |case: CaseStatement| Expr::Case(Box::new(case));
    let keys = match params.sort.as_str() {
        "title" => vec![Func::lower(Expr::col((Improvements, Column::Title))).into()],
        "priority" => vec![ranked(
            Priority::ALL
                .into_iter()
                .enumerate()
                .fold(CaseStatement::new(), |case, (rank, priority)| {
                    case.case(priority_pairs(priority), rank as i32 + 1)
                })
                .finally(0),
        )],
        // Entries without a target date come first going up, as `Option` orders.
        "target" => vec![Func::coalesce([
            Expr::col((Improvements, Column::TargetDate)),
            Expr::val(key_paging::no_date()),
        ])
        .into()],
        "state" => vec![ranked(
            ImprovementState::ALL
                .into_iter()
                .enumerate()
                .fold(CaseStatement::new(), |case, (rank, state)| {
                    case.case(Column::State.eq(state.as_str()), rank as i32)
                })
                .finally(-1),
        )],
        _ => vec![],
    };
    KeyOrder {
        keys,
        id: Column::Id,
        order,
    }
}

/// One page of the filtered, sorted register and how many entries match in all.
pub async fn query(
    db: &Db,
    params: &RegisterParams,
    today: NaiveDate,
    page_size: u64,
) -> Result<(Vec<Improvement>, u64, u64), AppError> {
    let conn = db.reader();
    let total = filtered(params, today).count(conn).await?;
    let pages = Ord::max(total.div_ceil(page_size), 1);
    let page = Ord::min(params.page_number() as u64, pages);
    let rows = key_paging::read_page(
        filtered(params, today),
        &register_order(params),
        params.page_key(),
        page,
        page_size,
        |select| async move { Ok(select.all(conn).await?) },
    )
    .await?;
    Ok((entries(conn, rows).await?, total, page))
}

/// The Kanban: per status, the first `per_column` matching entries (sorted as asked) and how
/// many match in all, so a huge register still draws quickly and says what it left out.
pub async fn board(
    db: &Db,
    params: &RegisterParams,
    today: NaiveDate,
    per_column: u64,
) -> Result<Vec<BoardColumn>, AppError> {
    let conn = db.reader();
    let mut columns = Vec::new();
    for state in ImprovementState::ALL {
        let in_column = RegisterParams {
            state: state.as_str().into(),
            ..params.clone()
        };
        let total = filtered(&in_column, today).count(conn).await?;
        let rows = key_paging::ordered(filtered(&in_column, today), &register_order(params))
            .limit(per_column)
            .all(conn)
            .await?;
        columns.push(BoardColumn {
            state,
            entries: entries(conn, rows).await?,
            total: total as usize,
        });
    }
    Ok(columns)
}

/// Every entry matching the filters, sorted (the export).
pub async fn matching(
    db: &Db,
    params: &RegisterParams,
    today: NaiveDate,
) -> Result<Vec<Improvement>, AppError> {
    let rows = key_paging::ordered(filtered(params, today), &register_order(params))
        .all(db.reader())
        .await?;
    entries(db.reader(), rows).await
}

/// How many entries have each value of `column`.
async fn counted_by<C: ConnectionTrait>(
    conn: &C,
    column: Column,
) -> Result<HashMap<String, usize>, AppError> {
    let counts: Vec<(String, i64)> = Improvements::find()
        .select_only()
        .column(column)
        .column_as(Column::Id.count(), "n")
        .group_by(column)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(counts
        .into_iter()
        .map(|(value, n)| (value, n as usize))
        .collect())
}

/// What the register summary shows, counted by the database.
pub async fn summary(db: &Db, today: NaiveDate) -> Result<RegisterSummary, AppError> {
    let conn = db.reader();
    let by_state = counted_by(conn, Column::State).await?;
    let by_state = ImprovementState::ALL
        .into_iter()
        .map(|s| (s, by_state.get(s.as_str()).copied().unwrap_or(0)))
        .collect();
    let by_source = counted_by(conn, Column::Source).await?;
    let by_source = Source::ALL
        .into_iter()
        .map(|s| (s, by_source.get(s.as_str()).copied().unwrap_or(0)))
        .collect();
    let overdue = Improvements::find()
        .filter(Column::State.is_in(open_states()))
        .filter(Column::TargetDate.lt(today))
        .count(conn)
        .await? as usize;
    let since = today
        .checked_sub_months(chrono::Months::new(6))
        .unwrap_or(today)
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let closed: Vec<chrono::DateTime<Utc>> = Improvements::find()
        .select_only()
        .column(Column::ClosedAt)
        .filter(Column::ClosedAt.gte(since))
        .into_tuple::<Option<chrono::DateTime<Utc>>>()
        .all(conn)
        .await?
        .into_iter()
        .flatten()
        .collect();
    Ok(RegisterSummary {
        by_state,
        by_source,
        closed_per_month: closed_per_month(&closed, today),
        overdue,
    })
}

fn audit_view(entry: &Improvement) -> serde_json::Value {
    serde_json::json!({
        "title": entry.title,
        "source": entry.source.label(),
        "source_ref": entry.source_ref,
        "clauses": entry.clauses,
        "service_ids": entry.service_ids,
        "benefit_score": entry.benefit_score,
        "effort": entry.effort.map(|e| e.as_str()),
        "owner": entry.owner.name,
        "approver": entry.approver.as_ref().map(|a| a.name.clone()),
        "target_date": entry.target_date,
        "state": entry.state.label(),
        "outcome": entry.outcome,
        "closure_code": entry.closure_code.map(|c| c.label()),
    })
}

/// Owner and approver must be active people, and the services must be in the catalogue.
async fn check_references<C: ConnectionTrait>(
    conn: &C,
    draft: &ImprovementDraft,
) -> Result<(), AppError> {
    let mut wanted = vec![draft.owner_id];
    wanted.extend(draft.approver_id);
    let found = people(conn, &wanted).await?;
    let mut errors = FieldErrors::new();
    if !found.contains_key(&draft.owner_id) {
        errors.add("owner_id", "Choose the owner from the list.");
    }
    if let Some(approver) = draft.approver_id {
        if !found.contains_key(&approver) {
            errors.add("approver_id", "Choose the approver from the list.");
        }
    }
    if !draft.service_ids.is_empty() {
        use crate::server::entity::service::{Column as ServiceColumn, Entity as Services};
        let known = Services::find()
            .filter(ServiceColumn::Id.is_in(draft.service_ids.clone()))
            .count(conn)
            .await?;
        if known != draft.service_ids.len() as u64 {
            errors.add("service_ids", "Choose the services from the catalogue.");
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.into())
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

pub async fn create(
    db: &Db,
    actor: &Actor,
    draft: ImprovementDraft,
) -> Result<Improvement, AppError> {
    let txn = db.begin_write().await?;
    let created = insert_entry(&txn, actor, draft).await?;
    txn.commit().await?;
    Ok(created)
}

/// Adds an entry (as Identified) with its audit entry, inside the caller's transaction.
pub(crate) async fn insert_entry(
    txn: &DatabaseTransaction,
    actor: &Actor,
    draft: ImprovementDraft,
) -> Result<Improvement, AppError> {
    check_references(txn, &draft).await?;
    let now = Utc::now();
    let row = entry::ActiveModel {
        title: Set(draft.title),
        description: Set(draft.description),
        source: Set(draft.source.as_str().into()),
        source_ref: Set(draft.source_ref),
        service_ids: Set(json(&draft.service_ids)),
        clauses: Set(json(&draft.clauses)),
        expected_benefit: Set(draft.expected_benefit),
        benefit_score: Set(draft.benefit_score.map(i16::from)),
        effort: Set(draft.effort.map(|e| e.as_str().to_string())),
        owner_id: Set(draft.owner_id),
        approver_id: Set(draft.approver_id),
        target_date: Set(draft.target_date),
        state: Set(ImprovementState::Identified.as_str().into()),
        outcome: Set(String::new()),
        verifier_id: Set(None),
        closure_code: Set(None),
        closed_at: Set(None),
        former_owner_ids: Set("[]".into()),
        approver_named_by: Set(draft.approver_id.and(actor.id)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let created = get(txn, row.id).await?;
    audit::append(
        txn,
        actor,
        Event::new(
            "improvement_created",
            RecordType::Improvement,
            Some(created.id.to_string()),
            format!(
                "{} “{}” added to the register",
                created.reference(),
                created.title
            ),
        )
        .with_changes(diff(None, Some(&audit_view(&created)))),
    )
    .await?;
    Ok(created)
}

/// Edits an open entry if `version` is current and `user` may (see `check_edit`: owner and
/// approver change hands only as the rules allow, and a hand-over is remembered).
pub async fn update(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    draft: ImprovementDraft,
) -> Result<Improvement, AppError> {
    let txn = db.begin_write().await?;
    let before = get(&txn, id).await?;
    check_version::<Improvements>(version, before.version)?;
    let facts = before.facts();
    check_edit(
        &facts,
        draft.owner_id,
        draft.approver_id,
        &ActorFacts::from(user),
    )?;
    check_references(&txn, &draft).await?;
    let mut former_owners = facts.former_owner_ids.clone();
    if draft.owner_id != facts.owner_id && !former_owners.contains(&facts.owner_id) {
        former_owners.push(facts.owner_id);
    }
    let approver_named_by = if draft.approver_id == facts.approver_id {
        facts.approver_named_by
    } else {
        draft.approver_id.map(|_| user.id)
    };
    versioned::update(&txn, id, version, |update: UpdateMany<Improvements>| {
        update
            .col_expr(Column::Title, Expr::value(draft.title))
            .col_expr(Column::Description, Expr::value(draft.description))
            .col_expr(Column::Source, Expr::value(draft.source.as_str()))
            .col_expr(Column::SourceRef, Expr::value(draft.source_ref))
            .col_expr(Column::ServiceIds, Expr::value(json(&draft.service_ids)))
            .col_expr(Column::Clauses, Expr::value(json(&draft.clauses)))
            .col_expr(Column::ExpectedBenefit, Expr::value(draft.expected_benefit))
            .col_expr(
                Column::BenefitScore,
                Expr::value(draft.benefit_score.map(i16::from)),
            )
            .col_expr(
                Column::Effort,
                Expr::value(draft.effort.map(|e| e.as_str())),
            )
            .col_expr(Column::OwnerId, Expr::value(draft.owner_id))
            .col_expr(Column::ApproverId, Expr::value(draft.approver_id))
            .col_expr(Column::FormerOwnerIds, Expr::value(json(&former_owners)))
            .col_expr(Column::ApproverNamedBy, Expr::value(approver_named_by))
            .col_expr(Column::TargetDate, Expr::value(draft.target_date))
    })
    .await?;
    let after = get(&txn, id).await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "improvement_updated",
            RecordType::Improvement,
            Some(id.to_string()),
            format!("{} updated", after.reference()),
        )
        .with_changes(diff(Some(&audit_view(&before)), Some(&audit_view(&after)))),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// What a transition may carry besides the action: the outcome (written when verifying) and the closure code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransitionInput {
    pub outcome: String,
    pub closure_code: Option<ClosureCode>,
}

/// A lifecycle transition, decided by `model::improvement::transition`.
pub async fn transition(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    action: ImprovementAction,
    input: TransitionInput,
) -> Result<Improvement, AppError> {
    let mut errors = FieldErrors::new();
    let outcome =
        crate::model::text::bounded(&mut errors, "outcome", "Outcome", &input.outcome, 0, 4000);
    if action == ImprovementAction::Close && input.closure_code.is_none() {
        errors.add("closure_code", "Choose how the improvement ended.");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let txn = db.begin_write().await?;
    let before = get(&txn, id).await?;
    check_version::<Improvements>(version, before.version)?;
    let outcome = if outcome.is_empty() {
        before.outcome.clone()
    } else {
        outcome
    };
    let mut facts = before.facts();
    // An outcome typed with this transition counts.
    facts.has_outcome |= !outcome.trim().is_empty();
    let next = lifecycle(&facts, action, &ActorFacts::from(user))?;
    let now = Utc::now();
    versioned::update(&txn, id, version, |update: UpdateMany<Improvements>| {
        let mut update = update
            .col_expr(Column::State, Expr::value(next.as_str()))
            .col_expr(Column::Outcome, Expr::value(outcome));
        if action == ImprovementAction::Verify {
            update = update.col_expr(Column::VerifierId, Expr::value(user.id));
        }
        if let (ImprovementAction::Close, Some(code)) = (action, input.closure_code) {
            update = update
                .col_expr(Column::ClosureCode, Expr::value(code.as_str()))
                .col_expr(Column::ClosedAt, Expr::value(now));
        }
        update
    })
    .await?;
    let after = get(&txn, id).await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "improvement_transition",
            RecordType::Improvement,
            Some(id.to_string()),
            format!(
                "{}: {} → {}",
                after.reference(),
                before.state.label(),
                next.label()
            ),
        )
        .with_changes(diff(Some(&audit_view(&before)), Some(&audit_view(&after)))),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Adds a KPI to an entry whose outcome is still open (owner or quality manager).
pub async fn add_kpi(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    kpi: Kpi,
) -> Result<Improvement, AppError> {
    let txn = db.begin_write().await?;
    let before = get(&txn, id).await?;
    check_version::<Improvements>(version, before.version)?;
    check_measuring(&before.facts(), &ActorFacts::from(user))?;
    if before.kpis.len() >= 10 {
        return Err(AppError::single_field(
            "kpi_name",
            "An improvement has at most 10 KPIs.",
        ));
    }
    kpi_entity::ActiveModel {
        improvement_id: Set(id),
        name: Set(kpi.name.clone()),
        unit: Set(kpi.unit.clone()),
        baseline: Set(kpi.baseline),
        target: Set(kpi.target),
        direction: Set(kpi.direction.as_str().into()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    versioned::update(&txn, id, version, |u: UpdateMany<Improvements>| u).await?;
    audit::record(
        &txn,
        actor,
        RecordType::Improvement,
        id,
        "improvement_kpi_added",
        format!(
            "{}: KPI “{}” from {} to {} {}",
            before.reference(),
            kpi.name,
            kpi.baseline,
            kpi.target,
            kpi.unit
        ),
    )
    .await?;
    let after = get(&txn, id).await?;
    txn.commit().await?;
    Ok(after)
}

/// Records a measured value of one of the entry's KPIs (owner or quality manager, while the
/// outcome is open).
pub async fn add_measurement(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    kpi_id: i64,
    measurement: Measurement,
) -> Result<Improvement, AppError> {
    let txn = db.begin_write().await?;
    let before = get(&txn, id).await?;
    check_version::<Improvements>(version, before.version)?;
    check_measuring(&before.facts(), &ActorFacts::from(user))?;
    let Some(kpi) = before.kpis.iter().find(|k| k.id == kpi_id) else {
        return Err(AppError::NotFound("That KPI".into()));
    };
    measurement_entity::ActiveModel {
        kpi_id: Set(kpi_id),
        measured_on: Set(measurement.on),
        value: Set(measurement.value),
        recorded_by: Set(user.id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    versioned::update(&txn, id, version, |u: UpdateMany<Improvements>| u).await?;
    audit::record(
        &txn,
        actor,
        RecordType::Improvement,
        id,
        "improvement_measured",
        format!(
            "{}: {} = {} {} on {}",
            before.reference(),
            kpi.kpi.name,
            measurement.value,
            kpi.kpi.unit,
            measurement.on
        ),
    )
    .await?;
    let after = get(&txn, id).await?;
    txn.commit().await?;
    Ok(after)
}

/// Open entries past their target date.
pub fn overdue(entries: &[Improvement], today: NaiveDate) -> Vec<&Improvement> {
    entries.iter().filter(|e| e.is_overdue(today)).collect()
}
