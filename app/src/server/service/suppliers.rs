//! The supplier register (clause 8.3.4): suppliers, the services they support, their
//! contracts and performance reviews, and the services whose business impact analysis
//! depends on them. Every write checks the supplier's version, runs in one transaction with
//! its audit entry and bumps the version, so two keepers never overwrite each other.

use crate::error::{AppError, FieldErrors};
use crate::model::access::{Permission, RecordType};
use crate::model::actor::ActorFacts;
use crate::model::refs::ServiceRef;
use crate::model::supplier::{
    next_review, reference, Contract, ContractForm, ContractStanding, Dependent, ReviewOutcome,
    Supplier, SupplierChoices, SupplierDraft, SupplierExportRow, SupplierForm, SupplierKind,
    SupplierListParams, SupplierPage, SupplierRecord, SupplierReview, SupplierReviewForm,
    SupplierRow, SupplierStatus, SupplierStatusForm, MAX_CONTRACTS,
};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::supplier::{self as row_entity, Column, Entity as Suppliers};
use crate::server::entity::supplier_contract::{self as contract_entity, Entity as Contracts};
use crate::server::entity::supplier_dependency::{
    self as dependency_entity, Entity as Dependencies,
};
use crate::server::entity::supplier_review::{self as review_entity, Entity as Reviews};
use crate::server::entity::supplier_service::{self as link_entity, Entity as Links};
use crate::server::failure::is_unique_violation;
use crate::server::service::catalogue;
use crate::server::service::key_paging::{self, KeyOrder};
use crate::server::service::schedule::today_for;
use crate::server::service::text_search::contains;
use crate::server::service::users::{people, person};
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Set, UpdateMany,
};
use std::collections::HashMap;

async fn row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<row_entity::Model, AppError> {
    Suppliers::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That supplier".into()))
}

fn unreadable(id: i64, what: &str) -> AppError {
    crate::server::failure::internal(format!("supplier {id} has an unreadable {what}"))
}

fn status_of(row: &row_entity::Model) -> Result<SupplierStatus, AppError> {
    SupplierStatus::parse(&row.status).ok_or_else(|| unreadable(row.id, "status"))
}

/// `user` may change the supplier (its relationship manager or a keeper of the whole
/// register); told in the rule's words otherwise.
fn check_may_change(row: &row_entity::Model, user: &CurrentUser) -> Result<(), AppError> {
    if crate::model::supplier::may_change(row.owner_id, &ActorFacts::from(user)) {
        Ok(())
    } else {
        Err(AppError::Refused(crate::model::supplier::NOT_YOURS.into()))
    }
}

/// Only an active supplier is changed, by someone who may; a retired one is restored first.
fn check_active(row: &row_entity::Model, user: &CurrentUser) -> Result<(), AppError> {
    check_may_change(row, user)?;
    match status_of(row)? {
        SupplierStatus::Active => Ok(()),
        SupplierStatus::Retired => Err(AppError::Refused(format!(
            "{} is retired: restore it to change it.",
            row.name
        ))),
    }
}

/// The choices the supplier form offers.
pub async fn choices<C: ConnectionTrait>(conn: &C) -> Result<SupplierChoices, AppError> {
    Ok(SupplierChoices {
        services: catalogue::active_refs(conn).await?,
        owners: crate::server::service::users::active_people_where(conn, |roles| {
            crate::model::access::may(roles, Permission::SupplierManage)
        })
        .await?,
    })
}

/// The owner is an enabled person who keeps suppliers; the services are in the catalogue.
async fn check_references<C: ConnectionTrait>(
    conn: &C,
    draft: &SupplierDraft,
) -> Result<String, AppError> {
    let mut errors = FieldErrors::new();
    let owner = match crate::server::service::users::enabled_roles(conn, draft.owner_id).await? {
        Some((name, roles)) if crate::model::access::may(&roles, Permission::SupplierManage) => {
            name
        }
        Some(_) => {
            errors.add(
                "owner_id",
                "Choose someone who keeps suppliers (a service owner, service level or quality manager).",
            );
            String::new()
        }
        None => {
            errors.add(
                "owner_id",
                "Choose who manages the relationship from the list.",
            );
            String::new()
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
    Ok(errors.into_result(owner)?)
}

/// The name is taken (in any case): said on the name field.
fn name_taken(error: sea_orm::DbErr, name: &str) -> AppError {
    if is_unique_violation(&error) {
        AppError::single_field(
            "name",
            format!("The register already has a supplier called “{name}”."),
        )
    } else {
        error.into()
    }
}

async fn set_services<C: ConnectionTrait>(
    txn: &C,
    id: i64,
    service_ids: &[i64],
) -> Result<(), AppError> {
    Links::delete_many()
        .filter(link_entity::Column::SupplierId.eq(id))
        .exec(txn)
        .await?;
    for service_id in service_ids {
        link_entity::ActiveModel {
            supplier_id: Set(id),
            service_id: Set(*service_id),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// Adds a supplier, active, due for its first review on the day the form gives.
pub async fn create(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    form: &SupplierForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let draft = form.validate(today_for(user, now))?;
    let first_review = draft
        .first_review_on
        .ok_or_else(|| AppError::single_field("first_review_on", "Give the first review."))?;
    let txn = db.begin_write().await?;
    let owner = check_references(&txn, &draft).await?;
    let id = row_entity::ActiveModel {
        name: Set(draft.name.clone()),
        name_key: Set(draft.name.to_lowercase()),
        kind: Set(draft.kind.as_str().into()),
        status: Set(SupplierStatus::Active.as_str().into()),
        provides: Set(draft.provides.clone()),
        owner_id: Set(draft.owner_id),
        contact_name: Set(draft.contact_name.clone()),
        contact_email: Set(draft.contact_email.clone()),
        contact_phone: Set(draft.contact_phone.clone()),
        review_every_months: Set(draft.review_every_months as i16),
        next_review_on: Set(first_review),
        last_reviewed_on: Set(None),
        last_outcome: Set(None),
        retired_reason: Set(None),
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
    set_services(&txn, id, &draft.service_ids).await?;
    audit::record(
        &txn,
        actor,
        RecordType::Supplier,
        id,
        "supplier_added",
        format!(
            "{} {} “{}” added, relationship managed by {owner}, reviewed every {} months, first review {first_review}",
            draft.kind.label(),
            reference(id),
            draft.name,
            draft.review_every_months
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Changes an active supplier's details against the version read. The review date stays
/// where the last review put it (a shorter cycle applies from the next review).
pub async fn update(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &SupplierForm,
) -> Result<(), AppError> {
    let draft = form.validate_edit()?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    check_active(&before, user)?;
    check_version::<Suppliers>(version, before.version)?;
    let owner = check_references(&txn, &draft).await?;
    let mut changed = Vec::new();
    if before.name != draft.name {
        changed.push(format!("name “{}” → “{}”", before.name, draft.name));
    }
    if before.owner_id != draft.owner_id {
        changed.push(format!("relationship manager now {owner}"));
    }
    // A shorter cycle applies at once (counted from the last review, or from when the supplier
    // was added); a longer one from the next review, so an edit never pushes a review away.
    let mut next_review_on = before.next_review_on;
    if i32::from(before.review_every_months) != draft.review_every_months as i32 {
        let since = before
            .last_reviewed_on
            .unwrap_or_else(|| before.created_at.date_naive());
        let sooner = next_review(since, draft.review_every_months);
        if sooner < next_review_on {
            next_review_on = sooner;
        }
        changed.push(format!(
            "review cycle {} → {} months, next review {next_review_on}",
            before.review_every_months, draft.review_every_months
        ));
    }
    if before.kind != draft.kind.as_str() {
        changed.push(format!("kind now {}", draft.kind.label().to_lowercase()));
    }
    let name = draft.name.clone();
    let apply = |update: UpdateMany<Suppliers>| {
        update
            .col_expr(Column::Name, Expr::value(draft.name.clone()))
            .col_expr(Column::NameKey, Expr::value(draft.name.to_lowercase()))
            .col_expr(Column::Kind, Expr::value(draft.kind.as_str()))
            .col_expr(Column::Provides, Expr::value(draft.provides.clone()))
            .col_expr(Column::OwnerId, Expr::value(draft.owner_id))
            .col_expr(Column::ContactName, Expr::value(draft.contact_name.clone()))
            .col_expr(
                Column::ContactEmail,
                Expr::value(draft.contact_email.clone()),
            )
            .col_expr(
                Column::ContactPhone,
                Expr::value(draft.contact_phone.clone()),
            )
            .col_expr(
                Column::ReviewEveryMonths,
                Expr::value(draft.review_every_months as i16),
            )
            .col_expr(Column::NextReviewOn, Expr::value(next_review_on))
    };
    versioned::update_or(&txn, id, version, apply, |e| name_taken(e, &name)).await?;
    // The form offers active services only: links to archived ones stay as they were.
    let linked = service_ids_of(&txn, id).await?;
    let archived = archived_among(&txn, &linked).await?;
    let mut service_ids = draft.service_ids.clone();
    for kept in archived {
        if !service_ids.contains(&kept) {
            service_ids.push(kept);
        }
    }
    let added: Vec<i64> = service_ids
        .iter()
        .filter(|s| !linked.contains(s))
        .copied()
        .collect();
    let removed: Vec<i64> = linked
        .iter()
        .filter(|s| !service_ids.contains(s))
        .copied()
        .collect();
    let names = catalogue::names_of(&txn, added.iter().chain(&removed).copied()).await?;
    let listed = |ids: &[i64]| {
        ids.iter()
            .filter_map(|s| names.get(s).cloned())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !added.is_empty() {
        changed.push(format!("now supports {}", listed(&added)));
    }
    if !removed.is_empty() {
        changed.push(format!("no longer supports {}", listed(&removed)));
    }
    set_services(&txn, id, &service_ids).await?;
    if changed.is_empty() {
        changed.push("description or contacts".into());
    }
    audit::record(
        &txn,
        actor,
        RecordType::Supplier,
        id,
        "supplier_updated",
        format!("{} “{}”: {}", reference(id), draft.name, changed.join("; ")),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn service_ids_of<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<i64>, AppError> {
    Ok(Links::find()
        .select_only()
        .column(link_entity::Column::ServiceId)
        .filter(link_entity::Column::SupplierId.eq(id))
        .into_tuple()
        .all(conn)
        .await?)
}

/// Those of `ids` that are archived.
async fn archived_among<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Vec<i64>, AppError> {
    use crate::server::entity::service::{Column as ServiceColumn, Entity as Services};
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Services::find()
        .select_only()
        .column(ServiceColumn::Id)
        .filter(ServiceColumn::Id.is_in(ids.iter().copied()))
        .filter(ServiceColumn::ArchivedAt.is_not_null())
        .into_tuple()
        .all(conn)
        .await?)
}

/// Names of the services whose BIA depends on supplier `id`.
async fn dependent_names<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<String>, AppError> {
    let services: Vec<i64> = Dependencies::find()
        .select_only()
        .column(dependency_entity::Column::ServiceId)
        .filter(dependency_entity::Column::SupplierId.eq(id))
        .into_tuple()
        .all(conn)
        .await?;
    let names = catalogue::names_of(conn, services.iter().copied()).await?;
    let mut names: Vec<String> = names.into_values().collect();
    names.sort();
    Ok(names)
}

/// Retires a supplier (with a reason) or restores it. A supplier a service's business
/// impact analysis still depends on is not retired: the analysis would name a supplier
/// nobody reviews any more.
pub async fn set_status(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &SupplierStatusForm,
) -> Result<(), AppError> {
    let (status, reason) = form.validate()?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    check_may_change(&before, user)?;
    if status_of(&before)? == status {
        return Err(AppError::Refused(format!(
            "{} is already {}.",
            before.name,
            status.label().to_lowercase()
        )));
    }
    check_version::<Suppliers>(version, before.version)?;
    let retired_reason = (status == SupplierStatus::Retired).then(|| reason.clone());
    // The row is written (and so locked on PostgreSQL) before its dependents are counted: an
    // impact analysis saved meanwhile locks it too (`find_by_names`), so one waits for the
    // other and the count cannot miss a new dependency.
    versioned::update(&txn, id, version, |update: UpdateMany<Suppliers>| {
        update
            .col_expr(Column::Status, Expr::value(status.as_str()))
            .col_expr(Column::RetiredReason, Expr::value(retired_reason))
    })
    .await?;
    if status == SupplierStatus::Retired {
        let dependents = dependent_names(&txn, id).await?;
        if !dependents.is_empty() {
            return Err(AppError::Refused(format!(
                "The business impact analysis of {} depends on {}: name another supplier there first.",
                dependents.join(", "),
                before.name
            )));
        }
    }
    let (action, summary) = match status {
        SupplierStatus::Retired => (
            "supplier_retired",
            format!("{} “{}” retired: {reason}", reference(id), before.name),
        ),
        SupplierStatus::Active => (
            "supplier_restored",
            format!("{} “{}” restored", reference(id), before.name),
        ),
    };
    audit::record(&txn, actor, RecordType::Supplier, id, action, summary).await?;
    txn.commit().await?;
    Ok(())
}

/// Bumps the supplier's version for a change to its contracts, against the version read
/// (the supplier row stands for the whole record).
async fn touch<C: ConnectionTrait>(txn: &C, id: i64, version: i32) -> Result<(), AppError> {
    versioned::update(txn, id, version, |update: UpdateMany<Suppliers>| update).await
}

/// Adds a contract to an active supplier.
pub async fn add_contract(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &ContractForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let draft = form.validate()?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    check_active(&before, user)?;
    check_version::<Suppliers>(version, before.version)?;
    let today = today_for(user, now);
    let held = Contracts::find()
        .filter(contract_entity::Column::SupplierId.eq(id))
        .filter(
            Condition::any()
                .add(contract_entity::Column::EndsOn.is_null())
                .add(contract_entity::Column::EndsOn.gte(today)),
        )
        .count(&txn)
        .await?;
    if held >= MAX_CONTRACTS as u64 {
        return Err(AppError::Refused(format!(
            "{} already holds {MAX_CONTRACTS} contracts that have not ended.",
            before.name
        )));
    }
    touch(&txn, id, version).await?;
    // The contracts this one follows on from: their renewal is decided.
    let renews: Vec<String> = Contracts::find()
        .select_only()
        .column(contract_entity::Column::Reference)
        .filter(renewed_by(id, &draft))
        .into_tuple()
        .all(&txn)
        .await?;
    if !renews.is_empty() {
        Contracts::update_many()
            .col_expr(contract_entity::Column::Superseded, Expr::value(true))
            .filter(renewed_by(id, &draft))
            .exec(&txn)
            .await?;
    }
    contract_entity::ActiveModel {
        supplier_id: Set(id),
        superseded: Set(false),
        reference: Set(draft.reference.clone()),
        starts_on: Set(draft.starts_on),
        ends_on: Set(draft.ends_on),
        notice_days: Set(draft.notice_days as i32),
        notice_on: Set(draft.notice_on()),
        value: Set(draft.value.clone()),
        targets: Set(draft.targets.clone()),
        created_by: Set(user.id),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::Supplier,
        id,
        "supplier_contract_added",
        format!(
            "{} “{}”: contract {} from {} to {}{}",
            reference(id),
            before.name,
            draft.reference,
            draft.starts_on,
            draft
                .ends_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| "no end date".into()),
            draft
                .notice_on()
                .map(|n| format!(", notice by {n}"))
                .unwrap_or_default()
        ) + &if renews.is_empty() {
            String::new()
        } else {
            format!("; renews {}", renews.join(", "))
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The supplier's contracts a new one follows on from: not yet renewed, ending on or after the
/// day before the new one starts, and before it ends (or it is open-ended).
fn renewed_by(id: i64, next: &crate::model::supplier::ContractDraft) -> Condition {
    let mut condition = Condition::all()
        .add(contract_entity::Column::SupplierId.eq(id))
        .add(contract_entity::Column::Superseded.eq(false))
        .add(contract_entity::Column::EndsOn.gte(next.starts_on - chrono::Duration::days(1)));
    if let Some(end) = next.ends_on {
        condition = condition.add(contract_entity::Column::EndsOn.lt(end));
    }
    condition
}

/// Removes a contract recorded in error or long ended; the audit keeps what it said.
pub async fn remove_contract(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    contract_id: i64,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    check_active(&before, user)?;
    check_version::<Suppliers>(version, before.version)?;
    let contract = Contracts::find_by_id(contract_id)
        .filter(contract_entity::Column::SupplierId.eq(id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That contract".into()))?;
    touch(&txn, id, version).await?;
    Contracts::delete_by_id(contract_id).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        RecordType::Supplier,
        id,
        "supplier_contract_removed",
        format!(
            "{} “{}”: contract {} ({} to {}) removed; its targets were: {}",
            reference(id),
            before.name,
            contract.reference,
            contract.starts_on,
            contract
                .ends_on
                .map(|d| d.to_string())
                .unwrap_or_else(|| "no end date".into()),
            crate::model::text::shorten(&contract.targets, 200)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Records today's performance review of an active supplier; the next falls one cycle on.
pub async fn review(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &SupplierReviewForm,
    now: DateTime<Utc>,
) -> Result<NaiveDate, AppError> {
    let draft = form.validate()?;
    let today = today_for(user, now);
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    check_active(&before, user)?;
    check_version::<Suppliers>(version, before.version)?;
    let cycle = u32::try_from(before.review_every_months)
        .ok()
        .filter(|m| crate::model::supplier::REVIEW_CYCLES.contains(m))
        .ok_or_else(|| unreadable(id, "review cycle"))?;
    let next = next_review(today, cycle);
    versioned::update(&txn, id, version, |update: UpdateMany<Suppliers>| {
        update
            .col_expr(Column::NextReviewOn, Expr::value(next))
            .col_expr(Column::LastReviewedOn, Expr::value(Some(today)))
            .col_expr(
                Column::LastOutcome,
                Expr::value(Some(draft.outcome.as_str())),
            )
    })
    .await?;
    review_entity::ActiveModel {
        supplier_id: Set(id),
        reviewed_on: Set(today),
        reviewed_by: Set(user.id),
        outcome: Set(draft.outcome.as_str().into()),
        findings: Set(draft.findings.clone()),
        actions: Set(draft.actions.clone()),
        next_review_on: Set(next),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::Supplier,
        id,
        "supplier_reviewed",
        format!(
            "{} “{}” reviewed (was due {}): {}; next review {next}. Found: {}{}",
            reference(id),
            before.name,
            before.next_review_on,
            draft.outcome.label().to_lowercase(),
            draft.findings,
            if draft.actions.is_empty() {
                String::new()
            } else {
                format!(" Actions: {}", draft.actions)
            }
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

fn contract_of(c: &contract_entity::Model, today: NaiveDate) -> Contract {
    let notice_days = u32::try_from(c.notice_days).unwrap_or(0);
    Contract {
        id: c.id,
        reference: c.reference.clone(),
        starts_on: c.starts_on,
        ends_on: c.ends_on,
        notice_days,
        value: c.value.clone(),
        targets: c.targets.clone(),
        standing: ContractStanding::of(c.starts_on, c.ends_on, notice_days, c.superseded, today),
    }
}

/// The services whose BIA names supplier `id`, with both recovery times.
async fn dependents<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<Dependent>, AppError> {
    use crate::server::entity::service_bia::{Column as BiaColumn, Entity as Bias};
    let rows = Dependencies::find()
        .filter(dependency_entity::Column::SupplierId.eq(id))
        .all(conn)
        .await?;
    let services: Vec<i64> = rows.iter().map(|r| r.service_id).collect();
    let names = catalogue::names_of(conn, services.iter().copied()).await?;
    let rtos: HashMap<i64, i32> = Bias::find()
        .select_only()
        .column(BiaColumn::ServiceId)
        .column(BiaColumn::Rto)
        .filter(BiaColumn::ServiceId.is_in(services))
        .into_tuple::<(i64, i32)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut out: Vec<Dependent> = rows
        .into_iter()
        .map(|r| Dependent {
            service: ServiceRef {
                id: r.service_id,
                name: names
                    .get(&r.service_id)
                    .cloned()
                    .unwrap_or_else(|| format!("Service {}", r.service_id)),
            },
            supplier_rto_minutes: r.rto_minutes.and_then(|m| u32::try_from(m).ok()),
            service_rto_minutes: rtos.get(&r.service_id).and_then(|m| u32::try_from(*m).ok()),
        })
        .collect();
    out.sort_by(|a, b| a.service.name.cmp(&b.service.name));
    Ok(out)
}

pub async fn detail<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    today: NaiveDate,
) -> Result<Supplier, AppError> {
    let row = row(conn, id).await?;
    let service_ids = service_ids_of(conn, id).await?;
    let names = catalogue::names_of(conn, service_ids.iter().copied()).await?;
    let mut services: Vec<ServiceRef> = service_ids
        .iter()
        .map(|sid| ServiceRef {
            id: *sid,
            name: names
                .get(sid)
                .cloned()
                .unwrap_or_else(|| format!("Service {sid}")),
        })
        .collect();
    services.sort_by(|a, b| a.name.cmp(&b.name));
    let contracts = Contracts::find()
        .filter(contract_entity::Column::SupplierId.eq(id))
        .order_by_desc(contract_entity::Column::StartsOn)
        .order_by_desc(contract_entity::Column::Id)
        .all(conn)
        .await?;
    let reviews = Reviews::find()
        .filter(review_entity::Column::SupplierId.eq(id))
        .order_by_desc(review_entity::Column::ReviewedOn)
        .order_by_desc(review_entity::Column::Id)
        .all(conn)
        .await?;
    let mut wanted = vec![row.owner_id, row.created_by];
    wanted.extend(reviews.iter().map(|r| r.reviewed_by));
    let persons = people(conn, &wanted).await?;
    Ok(Supplier {
        id,
        reference: reference(id),
        name: row.name.clone(),
        kind: SupplierKind::parse(&row.kind).ok_or_else(|| unreadable(id, "kind"))?,
        status: status_of(&row)?,
        provides: row.provides.clone(),
        owner: person(&persons, row.owner_id),
        contact_name: row.contact_name.clone(),
        contact_email: row.contact_email.clone(),
        contact_phone: row.contact_phone.clone(),
        services,
        review_every_months: u32::try_from(row.review_every_months).unwrap_or(12),
        next_review_on: row.next_review_on,
        last_outcome: row.last_outcome.as_deref().and_then(ReviewOutcome::parse),
        retired_reason: row.retired_reason.clone(),
        contracts: contracts.iter().map(|c| contract_of(c, today)).collect(),
        reviews: reviews
            .into_iter()
            .map(|r| -> Result<SupplierReview, AppError> {
                Ok(SupplierReview {
                    id: r.id,
                    reviewed_on: r.reviewed_on,
                    by: person(&persons, r.reviewed_by),
                    outcome: ReviewOutcome::parse(&r.outcome)
                        .ok_or_else(|| unreadable(id, "review outcome"))?,
                    findings: r.findings,
                    actions: r.actions,
                    next_review_on: r.next_review_on,
                })
            })
            .collect::<Result<_, _>>()?,
        dependents: dependents(conn, id).await?,
        created_by: person(&persons, row.created_by),
        created_at: row.created_at,
        version: row.version,
    })
}

/// A supplier as `user` sees it.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    id: i64,
    today: NaiveDate,
) -> Result<SupplierRecord, AppError> {
    let supplier = detail(conn, id, today).await?;
    Ok(SupplierRecord {
        may_manage: user.may(Permission::SupplierManage)
            && crate::model::supplier::may_change(supplier.owner.id, &ActorFacts::from(user)),
        supplier,
        today,
    })
}

/// Contracts in force whose renewal decision is due on `today`, as a subquery of supplier ids.
fn renewal_due_ids(today: NaiveDate) -> sea_orm::sea_query::SelectStatement {
    let flagged_from = today + chrono::Duration::days(crate::model::supplier::RENEWAL_LEAD_DAYS);
    Contracts::find()
        .select_only()
        .column(contract_entity::Column::SupplierId)
        .filter(contract_entity::Column::Superseded.eq(false))
        .filter(contract_entity::Column::NoticeOn.lte(flagged_from))
        .filter(contract_entity::Column::EndsOn.gte(today))
        .filter(contract_entity::Column::StartsOn.lte(today))
        .into_query()
}

fn reviewed_ids() -> sea_orm::sea_query::SelectStatement {
    Reviews::find()
        .select_only()
        .column(review_entity::Column::SupplierId)
        .into_query()
}

fn filtered(params: &SupplierListParams, today: NaiveDate) -> Select<Suppliers> {
    let mut query = Suppliers::find();
    if let Some(status) = params.status() {
        query = query.filter(Column::Status.eq(status.as_str()));
    }
    if let Some(kind) = params.kind() {
        query = query.filter(Column::Kind.eq(kind.as_str()));
    }
    let notice = today + chrono::Duration::days(crate::model::sms_risk::REVIEW_NOTICE_DAYS);
    match params.review.trim() {
        "overdue" => query = query.filter(Column::NextReviewOn.lt(today)),
        "due" => query = query.filter(Column::NextReviewOn.lte(notice)),
        "never" => query = query.filter(Column::Id.not_in_subquery(reviewed_ids())),
        _ => {}
    }
    if params.renewal.trim() == "due" {
        query = query.filter(Column::Id.in_subquery(renewal_due_ids(today)));
    }
    let search = params.search();
    if let Some(id) = search
        .to_ascii_uppercase()
        .strip_prefix("SUP-")
        .and_then(|n| n.trim().parse::<i64>().ok())
    {
        query = query.filter(Column::Id.eq(id));
    } else if !search.is_empty() {
        query = query.filter(
            Condition::any()
                .add(contains(Column::Name, &search))
                .add(contains(Column::Provides, &search))
                .add(contains(Column::ContactName, &search)),
        );
    }
    query
}

/// One page of the register's filtered rows, review soonest first, by key.
async fn register_rows<C: ConnectionTrait>(
    conn: &C,
    params: &SupplierListParams,
    today: NaiveDate,
    page: u64,
    page_size: u64,
) -> Result<Vec<row_entity::Model>, AppError> {
    let order = KeyOrder::<Suppliers> {
        keys: vec![Expr::col((Suppliers, Column::NextReviewOn))],
        id: Column::Id,
        order: Order::Asc,
    };
    key_paging::read_page(
        filtered(params, today),
        &order,
        params.page_key(),
        page,
        page_size,
        |select| async move { Ok(select.all(conn).await?) },
    )
    .await
}

/// The nearest end of a contract not yet ended, for each of `ids`: one grouped read.
async fn next_contract_ends<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    today: NaiveDate,
) -> Result<HashMap<i64, NaiveDate>, AppError> {
    let ends: Vec<(i64, Option<NaiveDate>)> = Contracts::find()
        .select_only()
        .column(contract_entity::Column::SupplierId)
        .column_as(contract_entity::Column::EndsOn.min(), "ends")
        .filter(contract_entity::Column::SupplierId.is_in(ids.iter().copied()))
        .filter(contract_entity::Column::EndsOn.gte(today))
        .filter(contract_entity::Column::StartsOn.lte(today))
        .group_by(contract_entity::Column::SupplierId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ends
        .into_iter()
        .filter_map(|(id, end)| Some((id, end?)))
        .collect())
}

fn register_row(
    r: &row_entity::Model,
    names: &HashMap<i64, crate::model::refs::PersonRef>,
    ends: &HashMap<i64, NaiveDate>,
) -> SupplierRow {
    SupplierRow {
        id: r.id,
        reference: reference(r.id),
        name: r.name.clone(),
        kind: SupplierKind::parse(&r.kind).unwrap_or(SupplierKind::External),
        status: SupplierStatus::parse(&r.status).unwrap_or(SupplierStatus::Active),
        owner: person(names, r.owner_id).name,
        next_review_on: r.next_review_on,
        last_outcome: r.last_outcome.as_deref().and_then(ReviewOutcome::parse),
        last_reviewed_on: r.last_reviewed_on,
        next_contract_end: ends.get(&r.id).copied(),
    }
}

pub async fn page<C: ConnectionTrait>(
    conn: &C,
    params: &SupplierListParams,
    today: NaiveDate,
    page_size: u64,
) -> Result<SupplierPage, AppError> {
    let total = filtered(params, today).count(conn).await?;
    let pages = Ord::max(total.div_ceil(page_size), 1);
    let page = Ord::min(params.page_number(), pages);
    let rows = register_rows(conn, params, today, page, page_size).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let ends = next_contract_ends(conn, &ids, today).await?;
    let owners: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
    let names = people(conn, &owners).await?;
    Ok(SupplierPage {
        rows: rows
            .iter()
            .map(|r| register_row(r, &names, &ends))
            .collect(),
        total,
        page,
        pages,
        today,
    })
}

/// One batch of the register as the CSV export writes it: the page's filters, `size` rows
/// after the key `params` carries, each with its services and contracts.
pub async fn export_batch<C: ConnectionTrait>(
    conn: &C,
    params: &SupplierListParams,
    today: NaiveDate,
    page: u64,
    size: u64,
) -> Result<Vec<SupplierExportRow>, AppError> {
    let rows = register_rows(conn, params, today, page, size).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let ends = next_contract_ends(conn, &ids, today).await?;
    let links: Vec<(i64, i64)> = Links::find()
        .select_only()
        .column(link_entity::Column::SupplierId)
        .column(link_entity::Column::ServiceId)
        .filter(link_entity::Column::SupplierId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    let service_names = catalogue::names_of(conn, links.iter().map(|(_, s)| *s)).await?;
    let mut services_of: HashMap<i64, Vec<String>> = HashMap::new();
    for (supplier, service) in &links {
        if let Some(name) = service_names.get(service) {
            services_of.entry(*supplier).or_default().push(name.clone());
        }
    }
    let mut contracts_of: HashMap<i64, Vec<String>> = HashMap::new();
    for c in Contracts::find()
        .filter(contract_entity::Column::SupplierId.is_in(ids.iter().copied()))
        .order_by_asc(contract_entity::Column::StartsOn)
        .all(conn)
        .await?
    {
        let contract = contract_of(&c, today);
        contracts_of.entry(c.supplier_id).or_default().push(format!(
            "{} {}–{} ({})",
            contract.reference,
            contract.starts_on,
            contract.ends_on.map(|d| d.to_string()).unwrap_or_default(),
            contract.standing.label().to_lowercase()
        ));
    }
    let owners: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
    let names = people(conn, &owners).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let mut services = services_of.remove(&r.id).unwrap_or_default();
            services.sort();
            SupplierExportRow {
                row: register_row(r, &names, &ends),
                provides: r.provides.clone(),
                contact_name: r.contact_name.clone(),
                contact_email: r.contact_email.clone(),
                contact_phone: r.contact_phone.clone(),
                services,
                contracts: contracts_of.remove(&r.id).unwrap_or_default(),
                review_every_months: u32::try_from(r.review_every_months).unwrap_or(12),
            }
        })
        .collect())
}

// ---- business impact analyses ----------------------------------------------------------

/// The active register entries named (in any case) by `names`: lower-cased name → (id, name).
/// On PostgreSQL the rows are locked: an analysis that depends on a supplier and its
/// retirement (`set_status`) wait for each other.
pub async fn find_by_names<C: ConnectionTrait>(
    conn: &C,
    names: &[String],
) -> Result<HashMap<String, (i64, String)>, AppError> {
    let keys: Vec<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query = Suppliers::find();
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    let found: Vec<(i64, String, String)> = query
        .select_only()
        .columns([Column::Id, Column::Name, Column::NameKey])
        .filter(Column::NameKey.is_in(keys))
        .filter(Column::Status.eq(SupplierStatus::Active.as_str()))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(found
        .into_iter()
        .map(|(id, name, key)| (key, (id, name)))
        .collect())
}

/// The register's current names of `ids` (an analysis shows a renamed supplier by its new name).
pub async fn names_of<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashMap<i64, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(Suppliers::find()
        .select_only()
        .columns([Column::Id, Column::Name])
        .filter(Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<(i64, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect())
}

/// Replaces the suppliers `service_id`'s analysis depends on (in the analysis's transaction).
pub async fn set_dependencies<C: ConnectionTrait>(
    txn: &C,
    service_id: i64,
    suppliers: &[(i64, Option<u32>)],
) -> Result<(), AppError> {
    Dependencies::delete_many()
        .filter(dependency_entity::Column::ServiceId.eq(service_id))
        .exec(txn)
        .await?;
    let mut seen = Vec::new();
    for (supplier_id, rto) in suppliers {
        if seen.contains(supplier_id) {
            continue;
        }
        seen.push(*supplier_id);
        dependency_entity::ActiveModel {
            service_id: Set(service_id),
            supplier_id: Set(*supplier_id),
            rto_minutes: Set(rto.and_then(|m| i32::try_from(m).ok())),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// The suppliers a continuity plan's services depend on (`of_services` for its services).
pub async fn of_plan<C: ConnectionTrait>(
    conn: &C,
    plan_id: i64,
) -> Result<Vec<crate::model::supplier::PlanSupplier>, AppError> {
    use crate::server::entity::continuity_plan::Entity as Plans;
    let plan = Plans::find_by_id(plan_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That continuity plan".into()))?;
    let services: Vec<i64> = serde_json::from_str(&plan.service_ids).map_err(|_| {
        crate::server::failure::internal(format!("plan {plan_id} has unreadable services"))
    })?;
    of_services(conn, &services).await
}

/// The suppliers `service_ids` depend on through their impact analyses, by name, each with
/// the services it serves among them (one read per table, whatever the plan's size).
pub async fn of_services<C: ConnectionTrait>(
    conn: &C,
    service_ids: &[i64],
) -> Result<Vec<crate::model::supplier::PlanSupplier>, AppError> {
    use crate::server::entity::service_bia::{Column as BiaColumn, Entity as Bias};
    if service_ids.is_empty() {
        return Ok(Vec::new());
    }
    let links = Dependencies::find()
        .filter(dependency_entity::Column::ServiceId.is_in(service_ids.iter().copied()))
        .all(conn)
        .await?;
    let supplier_ids: Vec<i64> = links.iter().map(|l| l.supplier_id).collect();
    let rows = Suppliers::find()
        .filter(Column::Id.is_in(supplier_ids))
        .order_by_asc(Column::Name)
        .all(conn)
        .await?;
    let names = catalogue::names_of(conn, service_ids.iter().copied()).await?;
    let rtos: HashMap<i64, i32> = Bias::find()
        .select_only()
        .column(BiaColumn::ServiceId)
        .column(BiaColumn::Rto)
        .filter(BiaColumn::ServiceId.is_in(service_ids.iter().copied()))
        .into_tuple::<(i64, i32)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|row| {
            let mut services: Vec<Dependent> = links
                .iter()
                .filter(|l| l.supplier_id == row.id)
                .map(|l| Dependent {
                    service: ServiceRef {
                        id: l.service_id,
                        name: names
                            .get(&l.service_id)
                            .cloned()
                            .unwrap_or_else(|| format!("Service {}", l.service_id)),
                    },
                    supplier_rto_minutes: l.rto_minutes.and_then(|m| u32::try_from(m).ok()),
                    service_rto_minutes: rtos
                        .get(&l.service_id)
                        .and_then(|m| u32::try_from(*m).ok()),
                })
                .collect();
            services.sort_by(|a, b| a.service.name.cmp(&b.service.name));
            Ok(crate::model::supplier::PlanSupplier {
                id: row.id,
                reference: reference(row.id),
                status: status_of(&row)?,
                last_outcome: row.last_outcome.as_deref().and_then(ReviewOutcome::parse),
                name: row.name,
                contact_name: row.contact_name,
                contact_email: row.contact_email,
                contact_phone: row.contact_phone,
                services,
            })
        })
        .collect()
}

// ---- reminders and evidence --------------------------------------------------------------

fn active() -> Select<Suppliers> {
    Suppliers::find().filter(Column::Status.eq(SupplierStatus::Active.as_str()))
}

/// Active suppliers whose review is due within the notice period or overdue.
pub fn reviews_due(today: NaiveDate) -> Select<Suppliers> {
    let notice = today + chrono::Duration::days(crate::model::sms_risk::REVIEW_NOTICE_DAYS);
    active()
        .filter(Column::NextReviewOn.lte(notice))
        .order_by_asc(Column::NextReviewOn)
        .order_by_asc(Column::Id)
}

/// The suppliers `user_id` manages due for review, soonest first, at most `limit`.
pub async fn reviews_due_for<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    today: NaiveDate,
    limit: u64,
) -> Result<Vec<(i64, String, NaiveDate)>, AppError> {
    Ok(reviews_due(today)
        .filter(Column::OwnerId.eq(user_id))
        .select_only()
        .columns([Column::Id, Column::Name, Column::NextReviewOn])
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?)
}

/// How many active suppliers are past their review date.
pub async fn overdue_count<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<u64, AppError> {
    Ok(reviews_overdue(today).count(conn).await?)
}

/// Active suppliers whose review is past.
pub fn reviews_overdue(today: NaiveDate) -> Select<Suppliers> {
    active()
        .filter(Column::NextReviewOn.lt(today))
        .order_by_asc(Column::NextReviewOn)
        .order_by_asc(Column::Id)
}

/// Active suppliers never reviewed.
pub fn never_reviewed() -> Select<Suppliers> {
    active()
        .filter(Column::Id.not_in_subquery(reviewed_ids()))
        .order_by_asc(Column::Id)
}

/// Active suppliers with a contract whose renewal decision is due.
pub fn renewal_due(today: NaiveDate) -> Select<Suppliers> {
    active()
        .filter(Column::Id.in_subquery(renewal_due_ids(today)))
        .order_by_asc(Column::Id)
}

/// Active external suppliers with no contract in force on `today`.
pub fn external_without_contract(today: NaiveDate) -> Select<Suppliers> {
    let in_force = Contracts::find()
        .select_only()
        .column(contract_entity::Column::SupplierId)
        .filter(contract_entity::Column::StartsOn.lte(today))
        .filter(
            Condition::any()
                .add(contract_entity::Column::EndsOn.is_null())
                .add(contract_entity::Column::EndsOn.gte(today)),
        )
        .into_query();
    active()
        .filter(Column::Kind.eq(SupplierKind::External.as_str()))
        .filter(Column::Id.not_in_subquery(in_force))
        .order_by_asc(Column::Id)
}

/// How many active suppliers there are, and how many have been reviewed at least once.
pub async fn counts<C: ConnectionTrait>(conn: &C) -> Result<(u64, u64), AppError> {
    let all = active().count(conn).await?;
    let reviewed = active()
        .filter(Column::Id.in_subquery(reviewed_ids()))
        .count(conn)
        .await?;
    Ok((all, reviewed))
}

/// The label an evidence list gives a supplier.
pub fn label(row: &row_entity::Model) -> String {
    format!("{} {}", reference(row.id), row.name)
}
