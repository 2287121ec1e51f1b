//! Competence records (clause 7.2): the competences the SMS needs, who needs each, and the
//! evidence people hold. Who needs a competence is decided in SQL from the roles stored on
//! each user, so the matrix pages people and filters gaps without reading everyone.

use crate::error::{AppError, FieldErrors};
use crate::model::access::{RecordType, Role};
use crate::model::competence::{
    best, required_of, Cell, Competence, CompetenceChoices, CompetenceColumn, CompetenceDraft,
    CompetenceForm, CompetenceReminder, CompetenceStatus, Evidence, EvidenceForm, EvidenceKind,
    Gate, MatrixPage, MatrixParams, MatrixRow, PersonCompetences, Standing, WithdrawForm,
    Withdrawal, MAX_ACTIVE, NOT_YOUR_OWN,
};
use crate::model::refs::{PersonRef, ServiceRef};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::{locked, Db};
use crate::server::entity::competence::{self as row_entity, Column, Entity as Competences};
use crate::server::entity::competence_evidence::{self as evidence_entity, Entity as EvidenceRows};
use crate::server::entity::competence_person::{self as named_entity, Entity as Named};
use crate::server::entity::competence_role::{self as role_entity, Entity as RoleRows};
use crate::server::entity::user::{Column as UserColumn, Entity as Users};
use crate::server::failure::is_unique_violation;
use crate::server::service::audience::{audience_words, role_pattern, Audience};
use crate::server::service::catalogue;
use crate::server::service::key_paging::{self, KeyOrder};
use crate::server::service::text_search::contains;
use crate::server::service::users::{people, person};
use crate::server::session::roles_from_json;
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set, UpdateMany,
};
use std::collections::HashMap;

/// How many holders and missing people a competence's page lists (the matrix has the rest).
const LISTED: u64 = 500;

async fn row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<row_entity::Model, AppError> {
    Competences::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That competence".into()))
}

fn status_of(row: &row_entity::Model) -> Result<CompetenceStatus, AppError> {
    CompetenceStatus::parse(&row.status).ok_or_else(|| {
        crate::server::failure::internal(format!("competence {} has an unreadable status", row.id))
    })
}

fn column_of(row: &row_entity::Model, services: &HashMap<i64, String>) -> CompetenceColumn {
    CompetenceColumn {
        id: row.id,
        name: row.name.clone(),
        service: row.service_id.map(|id| ServiceRef {
            id,
            name: services
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("Service {id}")),
        }),
    }
}

async fn columns_of<C: ConnectionTrait>(
    conn: &C,
    rows: &[row_entity::Model],
) -> Result<Vec<CompetenceColumn>, AppError> {
    let services = catalogue::names_of(conn, rows.iter().filter_map(|r| r.service_id)).await?;
    Ok(rows.iter().map(|r| column_of(r, &services)).collect())
}

/// The active competences, by name: the matrix's columns.
async fn active<C: ConnectionTrait>(conn: &C) -> Result<Vec<row_entity::Model>, AppError> {
    Ok(Competences::find()
        .filter(Column::Status.eq(CompetenceStatus::Active.as_str()))
        .order_by_asc(Column::Name)
        .limit(MAX_ACTIVE)
        .all(conn)
        .await?)
}

/// What the competence forms offer.
pub async fn choices<C: ConnectionTrait>(conn: &C) -> Result<CompetenceChoices, AppError> {
    Ok(CompetenceChoices {
        people: crate::server::service::users::active_people_where(conn, |_| true).await?,
        services: catalogue::active_refs(conn).await?,
    })
}

/// The named people are enabled users and the service is active in the catalogue (or is the
/// one the competence already names, archived since).
async fn check_references<C: ConnectionTrait>(
    conn: &C,
    draft: &CompetenceDraft,
    kept_service: Option<i64>,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    if !draft.people.is_empty() {
        let enabled = Users::find()
            .filter(UserColumn::Id.is_in(draft.people.clone()))
            .filter(UserColumn::DisabledAt.is_null())
            .count(conn)
            .await?;
        if enabled != draft.people.len() as u64 {
            errors.add("people", "Choose people from the list.");
        }
    }
    if let Some(service_id) = draft.service_id.filter(|id| Some(*id) != kept_service) {
        use crate::server::entity::service::{Column as ServiceColumn, Entity as Services};
        let active = Services::find_by_id(service_id)
            .filter(ServiceColumn::ArchivedAt.is_null())
            .count(conn)
            .await?;
        if active == 0 {
            errors.add("service_id", "Choose the service from the catalogue.");
        }
    }
    Ok(errors.into_result(())?)
}

fn name_taken(error: sea_orm::DbErr, name: &str) -> AppError {
    if is_unique_violation(&error) {
        AppError::single_field(
            "name",
            format!("There is already a competence called “{name}”."),
        )
    } else {
        error.into()
    }
}

/// A new or restored competence is one more matrix column: at most `MAX_ACTIVE`. The active
/// rows are locked while counted, so two concurrent additions cannot both pass.
async fn check_room<C: ConnectionTrait>(conn: &C) -> Result<(), AppError> {
    let active: Vec<i64> = locked(
        conn,
        Competences::find().filter(Column::Status.eq(CompetenceStatus::Active.as_str())),
    )
    .select_only()
    .column(Column::Id)
    .into_tuple()
    .all(conn)
    .await?;
    if active.len() as u64 >= MAX_ACTIVE {
        return Err(AppError::Refused(format!(
            "There are already {MAX_ACTIVE} active competences, as many as the matrix shows: retire one first."
        )));
    }
    Ok(())
}

fn validity_words(months: Option<u32>) -> String {
    months.map_or("never expires".into(), |m| format!("valid {m} months"))
}

/// "; a CAB vote without it: refuse; a plan owner without it: warn" (nothing when unchecked).
fn gate_words(draft: &CompetenceDraft) -> String {
    [
        ("a CAB vote without it", draft.cab_vote),
        ("a plan owner without it", draft.plan_owner),
    ]
    .into_iter()
    .filter(|(_, gate)| *gate != Gate::Off)
    .map(|(what, gate)| format!("; {what}: {}", gate.label().to_lowercase()))
    .collect()
}

/// Defines a competence, active.
pub async fn create(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    form: &CompetenceForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let draft = form.validate()?;
    let txn = db.begin_write().await?;
    check_references(&txn, &draft, None).await?;
    check_room(&txn).await?;
    let id = row_entity::ActiveModel {
        name: Set(draft.name.clone()),
        name_key: Set(draft.name.to_lowercase()),
        description: Set(draft.description.clone()),
        service_id: Set(draft.service_id),
        validity_months: Set(draft.validity_months.map(|m| m as i16)),
        cab_vote_gate: Set(draft.cab_vote.as_str().into()),
        plan_owner_gate: Set(draft.plan_owner.as_str().into()),
        status: Set(CompetenceStatus::Active.as_str().into()),
        created_by: Set(user.id),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| name_taken(e, &draft.name))?
    .id;
    NEEDED_BY
        .replace(&txn, id, &draft.roles, &draft.people)
        .await?;
    let names = people(&txn, &draft.people).await?;
    audit::record(
        &txn,
        actor,
        RecordType::Competence,
        id,
        "competence_defined",
        format!(
            "Competence “{}” defined, needed by {}, evidence {}{}",
            draft.name,
            audience_words(&draft.roles, &draft.people, &names),
            validity_words(draft.validity_months),
            gate_words(&draft)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Changes an active competence against the version read. Evidence already recorded keeps
/// its expiry; a new validity applies to evidence recorded from now on.
pub async fn update(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &CompetenceForm,
) -> Result<(), AppError> {
    let draft = form.validate()?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    if status_of(&before)? == CompetenceStatus::Retired {
        return Err(AppError::Refused(format!(
            "“{}” is retired: restore it to change it.",
            before.name
        )));
    }
    check_version::<Competences>(version, before.version)?;
    check_references(&txn, &draft, before.service_id).await?;
    let name = draft.name.clone();
    let apply = |update: UpdateMany<Competences>| {
        update
            .col_expr(Column::Name, Expr::value(draft.name.clone()))
            .col_expr(Column::NameKey, Expr::value(draft.name.to_lowercase()))
            .col_expr(Column::Description, Expr::value(draft.description.clone()))
            .col_expr(Column::ServiceId, Expr::value(draft.service_id))
            .col_expr(
                Column::ValidityMonths,
                Expr::value(draft.validity_months.map(|m| m as i16)),
            )
            .col_expr(Column::CabVoteGate, Expr::value(draft.cab_vote.as_str()))
            .col_expr(
                Column::PlanOwnerGate,
                Expr::value(draft.plan_owner.as_str()),
            )
    };
    versioned::update_or(&txn, id, version, apply, |e| name_taken(e, &name)).await?;
    NEEDED_BY
        .replace(&txn, id, &draft.roles, &draft.people)
        .await?;
    let names = people(&txn, &draft.people).await?;
    let renamed = if before.name == draft.name {
        String::new()
    } else {
        format!(" (was “{}”)", before.name)
    };
    audit::record(
        &txn,
        actor,
        RecordType::Competence,
        id,
        "competence_updated",
        format!(
            "Competence “{}”{renamed}: needed by {}, evidence {}{}",
            draft.name,
            audience_words(&draft.roles, &draft.people, &names),
            validity_words(draft.validity_months),
            gate_words(&draft)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Retires a competence (it leaves the matrix; its evidence stays) or restores it.
pub async fn set_status(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    status: CompetenceStatus,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    if status_of(&before)? == status {
        return Err(AppError::Refused(format!(
            "“{}” is already {}.",
            before.name,
            status.label().to_lowercase()
        )));
    }
    check_version::<Competences>(version, before.version)?;
    if status == CompetenceStatus::Active {
        check_room(&txn).await?;
    }
    versioned::update(&txn, id, version, |update: UpdateMany<Competences>| {
        update.col_expr(Column::Status, Expr::value(status.as_str()))
    })
    .await?;
    let action = match status {
        CompetenceStatus::Active => "competence_restored",
        CompetenceStatus::Retired => "competence_retired",
    };
    audit::record(
        &txn,
        actor,
        RecordType::Competence,
        id,
        action,
        format!(
            "Competence “{}” {}",
            before.name,
            status.label().to_lowercase()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Records a person's evidence for an active competence: never the recorder's own.
pub async fn record_evidence(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    form: &EvidenceForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    // Self-attestation is refused before anything else is looked at.
    if form.user_id.trim().parse::<i64>() == Ok(user.id) {
        return Err(AppError::Refused(NOT_YOUR_OWN.into()));
    }
    let today = crate::server::service::schedule::today_for(user, now);
    // The competence's validity decides the default expiry: read it before checking the form.
    let competence_id = form.competence_id.trim().parse::<i64>().unwrap_or(0);
    let txn = db.begin_write().await?;
    // Locked: a retirement or a disabled account cannot land between the checks and the insert.
    let competence = locked(&txn, Competences::find_by_id(competence_id))
        .one(&txn)
        .await?;
    let validity = competence
        .as_ref()
        .and_then(|c| c.validity_months)
        .map(|m| m as u32);
    let draft = form.validate(today, validity)?;
    let Some(competence) = competence else {
        return Err(AppError::single_field(
            "competence_id",
            "Choose the competence from the list.",
        ));
    };
    if status_of(&competence)? == CompetenceStatus::Retired {
        return Err(AppError::Refused(format!(
            "“{}” is retired: no new evidence is recorded for it.",
            competence.name
        )));
    }
    let holder = locked(&txn, Users::find_by_id(draft.user_id))
        .filter(UserColumn::DisabledAt.is_null())
        .one(&txn)
        .await?
        .map(|u| u.name);
    let Some(holder) = holder else {
        return Err(AppError::single_field(
            "user_id",
            "Choose an enabled person from the list.",
        ));
    };
    let id = evidence_entity::ActiveModel {
        competence_id: Set(competence.id),
        user_id: Set(draft.user_id),
        kind: Set(draft.kind.as_str().into()),
        evidence: Set(draft.evidence.clone()),
        achieved_on: Set(draft.achieved_on),
        expires_on: Set(draft.expires_on),
        recorded_by: Set(user.id),
        recorded_at: Set(now),
        withdrawn_at: Set(None),
        withdrawn_by: Set(None),
        withdrawal_reason: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?
    .id;
    audit::record(
        &txn,
        actor,
        RecordType::Competence,
        competence.id,
        "competence_evidence_recorded",
        format!(
            "{holder}'s evidence for “{}” recorded: {} “{}”, achieved {}, {}",
            competence.name,
            draft.kind.label().to_lowercase(),
            draft.evidence,
            draft.achieved_on,
            draft
                .expires_on
                .map_or("never expires".into(), |d| format!("valid until {d}"))
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Withdraws evidence found wanting (a revoked certificate, a mistaken entry): it stays on
/// record with who withdrew it and why, and stops counting. Never the withdrawer's own.
pub async fn withdraw_evidence(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    evidence_id: i64,
    form: &WithdrawForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let found = EvidenceRows::find_by_id(evidence_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That evidence".into()))?;
    // Self-attestation is refused before the reason is even read.
    if found.user_id == user.id {
        return Err(AppError::Refused(NOT_YOUR_OWN.into()));
    }
    let reason = form.validate()?;
    // Withdrawn once: the condition makes a second, concurrent withdrawal change nothing.
    let done = EvidenceRows::update_many()
        .col_expr(evidence_entity::Column::WithdrawnAt, Expr::value(now))
        .col_expr(evidence_entity::Column::WithdrawnBy, Expr::value(user.id))
        .col_expr(
            evidence_entity::Column::WithdrawalReason,
            Expr::value(reason.clone()),
        )
        .filter(evidence_entity::Column::Id.eq(evidence_id))
        .filter(evidence_entity::Column::WithdrawnAt.is_null())
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::Refused(
            "That evidence was already withdrawn.".into(),
        ));
    }
    let competence = row(&txn, found.competence_id).await?;
    let names = people(&txn, &[found.user_id]).await?;
    audit::record(
        &txn,
        actor,
        RecordType::Competence,
        competence.id,
        "competence_evidence_withdrawn",
        format!(
            "{}'s evidence for “{}” (“{}”) withdrawn: {reason}",
            person(&names, found.user_id).name,
            competence.name,
            found.evidence
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// SQL: the user row `users` needs the competence whose id is the expression `competence`
/// (through a role stored in `users.roles`, a JSON array of codes, or by name).
fn needs_sql(competence: &str) -> String {
    crate::server::service::audience::member_sql(&NEEDED_BY, competence)
}

const NEEDED_BY: Audience = Audience {
    roles: "competence_roles",
    people: "competence_people",
    owner: "competence_id",
};

/// SQL: the user row `users` holds evidence for the competence valid on `today`.
fn holds_sql(competence: &str, today: NaiveDate) -> String {
    format!(
        "EXISTS (SELECT 1 FROM competence_evidence e WHERE e.competence_id = {competence} \
         AND e.user_id = users.id AND e.withdrawn_at IS NULL \
         AND (e.expires_on IS NULL OR e.expires_on >= '{}'))",
        today.format("%Y-%m-%d")
    )
}

/// People with a gap: an active competence they need without valid evidence.
fn has_gap(today: NaiveDate) -> SimpleExpr {
    Expr::cust(format!(
        "EXISTS (SELECT 1 FROM competences c WHERE c.status = 'active' AND {} AND NOT {})",
        needs_sql("c.id"),
        holds_sql("c.id", today)
    ))
}

/// Enabled people who need competence `id` and hold no valid evidence for it.
fn missing_for(id: i64, today: NaiveDate) -> Select<Users> {
    let competence = id.to_string();
    Users::find()
        .filter(UserColumn::DisabledAt.is_null())
        .filter(Expr::cust(needs_sql(&competence)))
        .filter(Expr::cust(format!("NOT {}", holds_sql(&competence, today))))
}

fn filtered(params: &MatrixParams, today: NaiveDate) -> Select<Users> {
    let mut select = Users::find().filter(UserColumn::DisabledAt.is_null());
    let search = params.search();
    if !search.is_empty() {
        select = select.filter(contains(UserColumn::Name, &search));
    }
    if let Some(role) = params.role() {
        select = select.filter(UserColumn::Roles.like(role_pattern(role)));
    }
    if params.gaps_only() {
        select = select.filter(has_gap(today));
    }
    select
}

fn order() -> KeyOrder<Users> {
    KeyOrder {
        keys: vec![Expr::col(UserColumn::Name)],
        id: UserColumn::Id,
        order: Order::Asc,
    }
}

/// Who needs each of `competences`: their roles and named people.
async fn needs_of<C: ConnectionTrait>(
    conn: &C,
    competences: &[i64],
) -> Result<(HashMap<i64, Vec<Role>>, HashMap<i64, Vec<i64>>), AppError> {
    let mut roles: HashMap<i64, Vec<Role>> = HashMap::new();
    for r in RoleRows::find()
        .filter(role_entity::Column::CompetenceId.is_in(competences.to_vec()))
        .all(conn)
        .await?
    {
        if let Some(role) = Role::parse(&r.role) {
            roles.entry(r.competence_id).or_default().push(role);
        }
    }
    // In the order roles are always listed, whatever order they were chosen in.
    for list in roles.values_mut() {
        list.sort_by_key(|r| Role::ALL.iter().position(|a| a == r));
    }
    let mut named: HashMap<i64, Vec<i64>> = HashMap::new();
    for p in Named::find()
        .filter(named_entity::Column::CompetenceId.is_in(competences.to_vec()))
        .all(conn)
        .await?
    {
        named.entry(p.competence_id).or_default().push(p.user_id);
    }
    Ok((roles, named))
}

/// The current (not withdrawn) evidence expiries of `users` for `competences`.
async fn expiries_of<C: ConnectionTrait>(
    conn: &C,
    users: &[i64],
    competences: &[i64],
) -> Result<HashMap<(i64, i64), Vec<Option<NaiveDate>>>, AppError> {
    let rows: Vec<(i64, i64, Option<NaiveDate>)> = EvidenceRows::find()
        .select_only()
        .columns([
            evidence_entity::Column::UserId,
            evidence_entity::Column::CompetenceId,
            evidence_entity::Column::ExpiresOn,
        ])
        .filter(evidence_entity::Column::UserId.is_in(users.to_vec()))
        .filter(evidence_entity::Column::CompetenceId.is_in(competences.to_vec()))
        .filter(evidence_entity::Column::WithdrawnAt.is_null())
        .into_tuple()
        .all(conn)
        .await?;
    let mut out: HashMap<(i64, i64), Vec<Option<NaiveDate>>> = HashMap::new();
    for (user_id, competence_id, expires_on) in rows {
        out.entry((user_id, competence_id))
            .or_default()
            .push(expires_on);
    }
    Ok(out)
}

/// The cells of `users` (id and roles) against `columns`, on `today`.
async fn cells_of<C: ConnectionTrait>(
    conn: &C,
    users: &[(i64, Vec<Role>)],
    columns: &[CompetenceColumn],
    today: NaiveDate,
) -> Result<Vec<Vec<Cell>>, AppError> {
    let column_ids: Vec<i64> = columns.iter().map(|c| c.id).collect();
    let user_ids: Vec<i64> = users.iter().map(|(id, _)| *id).collect();
    let (roles, named) = needs_of(conn, &column_ids).await?;
    let expiries = expiries_of(conn, &user_ids, &column_ids).await?;
    Ok(users
        .iter()
        .map(|(user_id, user_roles)| {
            columns
                .iter()
                .map(|c| Cell {
                    required: required_of(
                        roles.get(&c.id).map_or(&[][..], Vec::as_slice),
                        named.get(&c.id).map_or(&[][..], Vec::as_slice),
                        *user_id,
                        user_roles,
                    ),
                    expires: best(
                        expiries.get(&(*user_id, c.id)).cloned().unwrap_or_default(),
                        today,
                    ),
                })
                .collect()
        })
        .collect())
}

/// The matrix's columns: every active competence, by name.
pub async fn matrix_columns<C: ConnectionTrait>(
    conn: &C,
) -> Result<Vec<CompetenceColumn>, AppError> {
    columns_of(conn, &active(conn).await?).await
}

/// Page `page` (of `size` people, by name, from the params' key) of the matrix's rows
/// against `columns`.
pub async fn matrix_rows<C: ConnectionTrait>(
    conn: &C,
    params: &MatrixParams,
    columns: &[CompetenceColumn],
    today: NaiveDate,
    (page, size): (u64, u64),
) -> Result<Vec<MatrixRow>, AppError> {
    let rows = key_paging::read_page(
        filtered(params, today),
        &order(),
        params.page_key(),
        page,
        size,
        |select| async move { Ok(select.all(conn).await?) },
    )
    .await?;
    let users: Vec<(i64, Vec<Role>)> = rows
        .iter()
        .map(|u| (u.id, roles_from_json(&u.roles)))
        .collect();
    let cells = cells_of(conn, &users, columns, today).await?;
    Ok(rows
        .into_iter()
        .zip(users)
        .zip(cells)
        .map(|((u, (_, roles)), cells)| MatrixRow {
            person: PersonRef {
                id: u.id,
                name: u.name,
            },
            roles,
            cells,
        })
        .collect())
}

/// One page of the matrix: people by name against every active competence.
pub async fn matrix<C: ConnectionTrait>(
    conn: &C,
    params: &MatrixParams,
    today: NaiveDate,
    page_size: u64,
) -> Result<MatrixPage, AppError> {
    let total = filtered(params, today).count(conn).await?;
    let pages = Ord::max(total.div_ceil(page_size), 1);
    let page = Ord::min(params.page_number(), pages);
    let columns = matrix_columns(conn).await?;
    let rows = matrix_rows(conn, params, &columns, today, (page, page_size)).await?;
    let retired_rows = Competences::find()
        .filter(Column::Status.eq(CompetenceStatus::Retired.as_str()))
        .order_by_asc(Column::Name)
        .limit(LISTED)
        .all(conn)
        .await?;
    let retired = columns_of(conn, &retired_rows).await?;
    Ok(MatrixPage {
        rows,
        columns,
        retired,
        total,
        page,
        pages,
        today,
    })
}

fn evidence_of(
    e: evidence_entity::Model,
    competences: &HashMap<i64, CompetenceColumn>,
    names: &HashMap<i64, PersonRef>,
    today: NaiveDate,
) -> Evidence {
    Evidence {
        id: e.id,
        person: person(names, e.user_id),
        competence: competences
            .get(&e.competence_id)
            .cloned()
            .unwrap_or_else(|| CompetenceColumn {
                id: e.competence_id,
                name: format!("Competence {}", e.competence_id),
                service: None,
            }),
        kind: EvidenceKind::parse(&e.kind).unwrap_or(EvidenceKind::Assessed),
        standing: Standing::of(e.expires_on, today),
        evidence: e.evidence,
        achieved_on: e.achieved_on,
        expires_on: e.expires_on,
        recorded_by: person(names, e.recorded_by),
        recorded_at: e.recorded_at,
        withdrawn: e.withdrawn_at.map(|at| Withdrawal {
            by: person(names, e.withdrawn_by.unwrap_or_default()),
            at,
            reason: e.withdrawal_reason.unwrap_or_default(),
        }),
    }
}

async fn names_for<C: ConnectionTrait>(
    conn: &C,
    rows: &[evidence_entity::Model],
    more: &[i64],
) -> Result<HashMap<i64, PersonRef>, AppError> {
    let mut ids: Vec<i64> = rows
        .iter()
        .flat_map(|e| [Some(e.user_id), Some(e.recorded_by), e.withdrawn_by])
        .flatten()
        .chain(more.iter().copied())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    people(conn, &ids).await
}

/// A competence with who needs it, its current evidence and who is missing it.
pub async fn detail<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    today: NaiveDate,
) -> Result<Competence, AppError> {
    let competence = row(conn, id).await?;
    let column = columns_of(conn, std::slice::from_ref(&competence))
        .await?
        .remove(0);
    let (roles, named) = needs_of(conn, &[id]).await?;
    let named = named.get(&id).cloned().unwrap_or_default();
    let current = EvidenceRows::find()
        .filter(evidence_entity::Column::CompetenceId.eq(id))
        .filter(evidence_entity::Column::WithdrawnAt.is_null());
    let evidence_total = current.clone().count(conn).await?;
    let missing_total = missing_for(id, today).count(conn).await?;
    let evidence = current
        .order_by_asc(Expr::cust("COALESCE(expires_on, '9999-12-31')"))
        .order_by_asc(evidence_entity::Column::Id)
        .limit(LISTED)
        .all(conn)
        .await?;
    let missing: Vec<PersonRef> = missing_for(id, today)
        .order_by_asc(UserColumn::Name)
        .limit(LISTED)
        .all(conn)
        .await?
        .into_iter()
        .map(|u| PersonRef {
            id: u.id,
            name: u.name,
        })
        .collect();
    let names = names_for(conn, &evidence, &named).await?;
    let columns = HashMap::from([(id, column.clone())]);
    Ok(Competence {
        id,
        status: status_of(&competence)?,
        name: competence.name,
        description: competence.description,
        roles: roles.get(&id).cloned().unwrap_or_default(),
        people: named.iter().map(|p| person(&names, *p)).collect(),
        service: column.service,
        validity_months: competence.validity_months.map(|m| m as u32),
        cab_vote: Gate::parse(&competence.cab_vote_gate).unwrap_or(Gate::Off),
        plan_owner: Gate::parse(&competence.plan_owner_gate).unwrap_or(Gate::Off),
        version: competence.version,
        evidence: evidence
            .into_iter()
            .map(|e| evidence_of(e, &columns, &names, today))
            .collect(),
        missing,
        evidence_total,
        missing_total,
        today,
        may_manage: false,
        reader_id: 0,
    })
}

/// A person's standing against every active competence they need or hold, and their
/// evidence history.
pub async fn of_person<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    today: NaiveDate,
) -> Result<PersonCompetences, AppError> {
    let user = Users::find_by_id(user_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That person".into()))?;
    let roles = roles_from_json(&user.roles);
    let (columns, cells) = standing_of(conn, user.id, &roles, today).await?;
    let evidence = EvidenceRows::find()
        .filter(evidence_entity::Column::UserId.eq(user_id))
        .order_by_desc(evidence_entity::Column::AchievedOn)
        .order_by_desc(evidence_entity::Column::Id)
        .limit(LISTED)
        .all(conn)
        .await?;
    // Evidence for retired competences is history too: name them.
    let mut competence_ids: Vec<i64> = evidence.iter().map(|e| e.competence_id).collect();
    competence_ids.sort_unstable();
    competence_ids.dedup();
    let held_rows = Competences::find()
        .filter(Column::Id.is_in(competence_ids))
        .all(conn)
        .await?;
    let named_competences: HashMap<i64, CompetenceColumn> = columns_of(conn, &held_rows)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let names = names_for(conn, &evidence, &[]).await?;
    Ok(PersonCompetences {
        person: PersonRef {
            id: user.id,
            name: user.name,
        },
        roles,
        active: columns.clone(),
        standing: needed_or_held(columns, cells),
        evidence: evidence
            .into_iter()
            .map(|e| evidence_of(e, &named_competences, &names, today))
            .collect(),
        today,
        may_record: false,
    })
}

/// Every active competence and a person's cell for each.
async fn standing_of<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    roles: &[Role],
    today: NaiveDate,
) -> Result<(Vec<CompetenceColumn>, Vec<Cell>), AppError> {
    let columns = columns_of(conn, &active(conn).await?).await?;
    let cells = cells_of(conn, &[(user_id, roles.to_vec())], &columns, today)
        .await?
        .remove(0);
    Ok((columns, cells))
}

/// The competences a person needs or holds evidence for, with their cells.
fn needed_or_held(
    columns: Vec<CompetenceColumn>,
    cells: Vec<Cell>,
) -> Vec<(CompetenceColumn, Cell)> {
    columns
        .into_iter()
        .zip(cells)
        .filter(|(_, cell)| cell.required || cell.expires.is_some())
        .collect()
}

/// The reader's own competences that need attention: gaps and evidence expiring soon (the
/// cells alone: no evidence history is read).
pub async fn reminders_for<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    today: NaiveDate,
) -> Result<Vec<CompetenceReminder>, AppError> {
    let (columns, cells) = standing_of(conn, user.id, &user.roles, today).await?;
    Ok(needed_or_held(columns, cells)
        .into_iter()
        .filter(|(_, cell)| {
            cell.gap()
                || cell
                    .expires
                    .is_some_and(|h| h.standing == Standing::Expiring)
        })
        .map(|(competence, cell)| CompetenceReminder { competence, cell })
        .collect())
}

/// Enabled people with a gap on `today` (clause 7.2's thin evidence).
pub fn people_with_gaps(today: NaiveDate) -> Select<Users> {
    Users::find()
        .filter(UserColumn::DisabledAt.is_null())
        .filter(has_gap(today))
        .order_by_asc(UserColumn::Name)
}

/// Active competences nobody holds valid evidence for on `today`.
pub fn unheld(today: NaiveDate) -> Select<Competences> {
    Competences::find()
        .filter(Column::Status.eq(CompetenceStatus::Active.as_str()))
        .filter(Expr::cust(format!(
            "NOT EXISTS (SELECT 1 FROM competence_evidence e WHERE e.competence_id = competences.id \
             AND e.withdrawn_at IS NULL AND (e.expires_on IS NULL OR e.expires_on >= '{}') \
             AND {ENABLED_HOLDER})",
            today.format("%Y-%m-%d")
        )))
        .order_by_asc(Column::Name)
}

/// SQL: the holder of evidence row `e` still has an enabled account (a person who left holds
/// nothing for the SMS).
const ENABLED_HOLDER: &str =
    "EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id AND u.disabled_at IS NULL)";

/// Evidence not withdrawn, valid on `today`, held by an enabled person for an active
/// competence.
fn current_evidence(today: NaiveDate) -> Select<EvidenceRows> {
    EvidenceRows::find()
        .filter(Expr::cust(format!(
            "EXISTS (SELECT 1 FROM users u WHERE u.id = competence_evidence.user_id AND u.disabled_at IS NULL) \
             AND EXISTS (SELECT 1 FROM competences c WHERE c.id = competence_evidence.competence_id AND c.status = '{}')",
            CompetenceStatus::Active.as_str()
        )))
        .filter(evidence_entity::Column::WithdrawnAt.is_null())
        .filter(
            sea_orm::Condition::any()
                .add(evidence_entity::Column::ExpiresOn.is_null())
                .add(evidence_entity::Column::ExpiresOn.gte(today)),
        )
}

/// What clause 7.2 shows: active competences, current evidence, and per competence how
/// many who need it lack it, and those nobody holds.
pub struct CompetenceFigures {
    pub active: u64,
    pub evidence_current: u64,
    pub gaps: Vec<(String, u64)>,
    pub unheld: Vec<String>,
}

pub async fn figures<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<CompetenceFigures, AppError> {
    let rows = active(conn).await?;
    let mut gaps = Vec::new();
    for c in &rows {
        let missing = missing_for(c.id, today).count(conn).await?;
        if missing > 0 {
            gaps.push((c.name.clone(), missing));
        }
    }
    let unheld = unheld(today)
        .limit(MAX_ACTIVE)
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    Ok(CompetenceFigures {
        active: rows.len() as u64,
        evidence_current: current_evidence(today).count(conn).await?,
        gaps,
        unheld,
    })
}
