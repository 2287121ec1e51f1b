//! Service level agreements (clause 8.3.3): drafted and revised by service level managers,
//! approved by someone who wrote no part of them, and read by the incident clocks for the
//! targets in force. The rules are `model::agreement`'s; this module stores them, one
//! transaction per step with its audit entry, checked against the version it was read at.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::actor::ActorFacts;
use crate::model::agreement::{
    self, Agreement, AgreementAction, AgreementFacts, AgreementForm, AgreementRecord,
    AgreementState, AgreementTerms, PriorityTarget,
};
use crate::model::refs::{PersonRef, ServiceRef};
use crate::model::service_hours::ServiceHours;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::contributors;
use crate::server::db::Db;
use crate::server::entity::service_agreement::{self as row_entity, Entity as Agreements};
use crate::server::entity::service_agreement_service::{self as link, Entity as Links};
use crate::server::service::catalogue;
use crate::server::service::service_levels;
use crate::server::service::users::{people, person};
use crate::server::versioned::{self, check_version};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, UpdateMany,
};

/// The reference people use: `SLA-7`.
pub fn reference(id: i64) -> String {
    format!("SLA-{id}")
}

async fn row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<row_entity::Model, AppError> {
    Agreements::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That agreement".into()))
}

async fn service_ids<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<i64>, AppError> {
    Ok(Links::find()
        .select_only()
        .column(link::Column::ServiceId)
        .filter(link::Column::AgreementId.eq(id))
        .order_by_asc(link::Column::ServiceId)
        .into_tuple()
        .all(conn)
        .await?)
}

fn terms_of(row: &row_entity::Model, service_ids: Vec<i64>) -> AgreementTerms {
    AgreementTerms {
        title: row.title.clone(),
        customer: row.customer.clone(),
        service_ids,
        calendar_id: row.calendar_id,
        starts_on: row.starts_on,
        ends_on: row.ends_on,
        review_on: row.review_on,
        targets: serde_json::from_str::<Vec<PriorityTarget>>(&row.targets).unwrap_or_default(),
        availability_percent: row.availability_percent,
        fulfilment_minutes: u32::try_from(row.fulfilment_minutes).unwrap_or(0),
    }
}

fn facts_of(row: &row_entity::Model) -> AgreementFacts {
    AgreementFacts {
        state: AgreementState::parse(&row.state).unwrap_or(AgreementState::Draft),
        author_id: row.author_id,
        contributor_ids: contributors::parse(&row.contributor_ids),
    }
}

/// What one agreement's page needs besides its row, read for a whole list at once.
struct Related {
    service_ids: std::collections::HashMap<i64, Vec<i64>>,
    service_names: std::collections::HashMap<i64, String>,
    persons: std::collections::HashMap<i64, PersonRef>,
    calendar_names: std::collections::HashMap<i64, String>,
}

async fn related<C: ConnectionTrait>(
    conn: &C,
    rows: &[row_entity::Model],
) -> Result<Related, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links: Vec<(i64, i64)> = Links::find()
        .select_only()
        .column(link::Column::AgreementId)
        .column(link::Column::ServiceId)
        .filter(link::Column::AgreementId.is_in(ids))
        .order_by_asc(link::Column::ServiceId)
        .into_tuple()
        .all(conn)
        .await?;
    let mut service_ids: std::collections::HashMap<i64, Vec<i64>> = Default::default();
    for (agreement, service) in &links {
        service_ids.entry(*agreement).or_default().push(*service);
    }
    let service_names = catalogue::names_of(conn, links.iter().map(|(_, s)| *s)).await?;
    let mut wanted: Vec<i64> = rows.iter().map(|r| r.author_id).collect();
    wanted.extend(rows.iter().filter_map(|r| r.approved_by));
    let persons = people(conn, &wanted).await?;
    let calendar_names =
        service_levels::calendar_names(conn, rows.iter().map(|r| r.calendar_id)).await?;
    Ok(Related {
        service_ids,
        service_names,
        persons,
        calendar_names,
    })
}

fn assemble(row: &row_entity::Model, related: &Related) -> Agreement {
    let ids = related
        .service_ids
        .get(&row.id)
        .cloned()
        .unwrap_or_default();
    let facts = facts_of(row);
    Agreement {
        id: row.id,
        reference: reference(row.id),
        state: facts.state,
        services: ids
            .iter()
            .map(|id| ServiceRef {
                id: *id,
                name: related
                    .service_names
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| format!("Service {id}")),
            })
            .collect(),
        terms: terms_of(row, ids),
        calendar_name: related
            .calendar_names
            .get(&row.calendar_id)
            .cloned()
            .unwrap_or_default(),
        revision: row.revision,
        revises_id: row.revises_id,
        author: person(&related.persons, row.author_id),
        contributor_ids: facts.contributor_ids,
        approved_by: row.approved_by.map(|id| person(&related.persons, id)),
        approved_at: row.approved_at,
        version: row.version,
    }
}

/// One agreement as its page shows it.
pub async fn detail<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Agreement, AppError> {
    let row = row(conn, id).await?;
    let related = related(conn, std::slice::from_ref(&row)).await?;
    Ok(assemble(&row, &related))
}

/// The agreements that are not retired, approved first, then by title; at most `limit`, read
/// in five queries whatever the number.
pub async fn current<C: ConnectionTrait>(conn: &C, limit: u64) -> Result<Vec<Agreement>, AppError> {
    let rows = Agreements::find()
        .filter(row_entity::Column::State.ne(AgreementState::Retired.as_str()))
        .order_by_asc(row_entity::Column::Title)
        .order_by_asc(row_entity::Column::Id)
        .limit(limit)
        .all(conn)
        .await?;
    let related = related(conn, &rows).await?;
    let mut list: Vec<Agreement> = rows.iter().map(|row| assemble(row, &related)).collect();
    list.sort_by_key(|a| a.state != AgreementState::Approved);
    Ok(list)
}

/// The form checked, with services and a calendar that exist.
async fn check<C: ConnectionTrait>(
    conn: &C,
    form: &AgreementForm,
) -> Result<AgreementTerms, AppError> {
    let terms = form.validate()?;
    let mut errors = FieldErrors::new();
    let found = catalogue::names_of(conn, terms.service_ids.iter().copied()).await?;
    if found.len() != terms.service_ids.len() {
        errors.add("service_ids", "Choose the services from the catalogue.");
    }
    if service_levels::calendar(conn, terms.calendar_id)
        .await
        .is_err()
    {
        errors.add("calendar_id", "Choose service hours from the list.");
    }
    errors.into_result(terms).map_err(AppError::from)
}

async fn write_links<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    service_ids: &[i64],
) -> Result<(), AppError> {
    Links::delete_many()
        .filter(link::Column::AgreementId.eq(id))
        .exec(conn)
        .await?;
    for service_id in service_ids {
        link::ActiveModel {
            agreement_id: Set(id),
            service_id: Set(*service_id),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

fn targets_json(terms: &AgreementTerms) -> String {
    serde_json::to_string(&terms.targets).unwrap_or_else(|_| "[]".into())
}

/// Drafts a new agreement (a service level manager); returns its id.
pub async fn create(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    form: &AgreementForm,
) -> Result<i64, AppError> {
    if !agreement::may_write(&ActorFacts::from(user)) {
        return Err(AppError::Refused(
            "Only a service level manager writes agreements.".into(),
        ));
    }
    let txn = db.begin_write().await?;
    let terms = check(&txn, form).await?;
    let id = insert_draft(&txn, user.id, &terms, 1, None).await?;
    audit::record(
        &txn,
        actor,
        RecordType::ServiceAgreement,
        id,
        "agreement_created",
        format!("{} “{}” drafted", reference(id), terms.title),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

async fn insert_draft<C: ConnectionTrait>(
    conn: &C,
    author_id: i64,
    terms: &AgreementTerms,
    revision: i32,
    revises_id: Option<i64>,
) -> Result<i64, AppError> {
    let now = Utc::now();
    let row = row_entity::ActiveModel {
        title: Set(terms.title.clone()),
        customer: Set(terms.customer.clone()),
        calendar_id: Set(terms.calendar_id),
        starts_on: Set(terms.starts_on),
        ends_on: Set(terms.ends_on),
        review_on: Set(terms.review_on),
        targets: Set(targets_json(terms)),
        availability_percent: Set(terms.availability_percent),
        fulfilment_minutes: Set(terms.fulfilment_minutes as i32),
        state: Set(AgreementState::Draft.as_str().into()),
        revision: Set(revision),
        revises_id: Set(revises_id),
        author_id: Set(author_id),
        contributor_ids: Set("[]".into()),
        approved_by: Set(None),
        approved_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    write_links(conn, row.id, &terms.service_ids).await?;
    Ok(row.id)
}

/// Saves a draft's terms, against the version it was read at; whoever saves it is kept as a
/// contributor, who then cannot approve it.
pub async fn update(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &AgreementForm,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    agreement::check_edit(&facts_of(&before), &ActorFacts::from(user))?;
    check_version::<Agreements>(version, before.version)?;
    let terms = check(&txn, form).await?;
    let before_terms = terms_of(&before, service_ids(&txn, id).await?);
    let contributors = contributors::with(&before.contributor_ids, before.author_id, user.id);
    versioned::update(&txn, id, version, |update: UpdateMany<Agreements>| {
        use row_entity::Column;
        update
            .col_expr(Column::Title, Expr::value(terms.title.clone()))
            .col_expr(Column::Customer, Expr::value(terms.customer.clone()))
            .col_expr(Column::CalendarId, Expr::value(terms.calendar_id))
            .col_expr(Column::StartsOn, Expr::value(terms.starts_on))
            .col_expr(Column::EndsOn, Expr::value(terms.ends_on))
            .col_expr(Column::ReviewOn, Expr::value(terms.review_on))
            .col_expr(Column::Targets, Expr::value(targets_json(&terms)))
            .col_expr(
                Column::AvailabilityPercent,
                Expr::value(terms.availability_percent),
            )
            .col_expr(
                Column::FulfilmentMinutes,
                Expr::value(terms.fulfilment_minutes as i32),
            )
            .col_expr(Column::ContributorIds, Expr::value(contributors))
    })
    .await?;
    write_links(&txn, id, &terms.service_ids).await?;
    let as_json = |t: &AgreementTerms| serde_json::to_value(AgreementForm::of(t)).ok();
    audit::append(
        &txn,
        actor,
        audit::Event::new(
            "agreement_updated",
            RecordType::ServiceAgreement,
            Some(id.to_string()),
            format!("{} “{}” changed", reference(id), terms.title),
        )
        .with_changes(crate::model::audit::diff(
            as_json(&before_terms).as_ref(),
            as_json(&terms).as_ref(),
        )),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Takes one lifecycle step. Approving a revision retires the agreement it revises, in the
/// same transaction, so exactly one text is in force.
pub async fn transition(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    action: AgreementAction,
) -> Result<AgreementState, AppError> {
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    let next = agreement::transition(&facts_of(&before), action, &ActorFacts::from(user))?;
    check_version::<Agreements>(version, before.version)?;
    let now = Utc::now();
    versioned::update(&txn, id, version, |update: UpdateMany<Agreements>| {
        use row_entity::Column;
        let update = update.col_expr(Column::State, Expr::value(next.as_str()));
        if action == AgreementAction::Approve {
            update
                .col_expr(Column::ApprovedBy, Expr::value(user.id))
                .col_expr(Column::ApprovedAt, Expr::value(now))
        } else {
            update
        }
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::ServiceAgreement,
        id,
        "agreement_transition",
        format!(
            "{} “{}”: {} → {}",
            reference(id),
            before.title,
            facts_of(&before).state.label(),
            next.label()
        ),
    )
    .await?;
    if action == AgreementAction::Approve {
        if let Some(revised) = before.revises_id {
            retire_revised(&txn, actor, revised, id).await?;
        }
    }
    txn.commit().await?;
    Ok(next)
}

async fn retire_revised<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    revised: i64,
    by: i64,
) -> Result<(), AppError> {
    let old = row(conn, revised).await?;
    if old.state != AgreementState::Approved.as_str() {
        return Ok(());
    }
    versioned::update(
        conn,
        revised,
        old.version,
        |update: UpdateMany<Agreements>| {
            update.col_expr(
                row_entity::Column::State,
                Expr::value(AgreementState::Retired.as_str()),
            )
        },
    )
    .await?;
    audit::record(
        conn,
        actor,
        RecordType::ServiceAgreement,
        revised,
        "agreement_transition",
        format!(
            "{} retired: replaced by {}",
            reference(revised),
            reference(by)
        ),
    )
    .await
}

/// Starts a revision of an approved agreement: a new draft with the same terms, which retires
/// the old text when it is approved. One revision at a time.
pub async fn revise(db: &Db, user: &CurrentUser, actor: &Actor, id: i64) -> Result<i64, AppError> {
    if !agreement::may_write(&ActorFacts::from(user)) {
        return Err(AppError::Refused(
            "Only a service level manager revises agreements.".into(),
        ));
    }
    let txn = db.begin_write().await?;
    let source = row(&txn, id).await?;
    if source.state != AgreementState::Approved.as_str() {
        return Err(AppError::Refused(
            "Only an approved agreement is revised; edit the draft instead.".into(),
        ));
    }
    let open = Agreements::find()
        .filter(row_entity::Column::RevisesId.eq(id))
        .filter(row_entity::Column::State.is_in([
            AgreementState::Draft.as_str(),
            AgreementState::InReview.as_str(),
        ]))
        .one(&txn)
        .await?;
    if let Some(open) = open {
        return Err(AppError::Refused(format!(
            "{} is already being revised as {}.",
            reference(id),
            reference(open.id)
        )));
    }
    let terms = terms_of(&source, service_ids(&txn, id).await?);
    let new_id = insert_draft(&txn, user.id, &terms, source.revision + 1, Some(id)).await?;
    audit::record(
        &txn,
        actor,
        RecordType::ServiceAgreement,
        new_id,
        "agreement_created",
        format!(
            "{} drafted: revision {} of {} “{}”",
            reference(new_id),
            source.revision + 1,
            reference(id),
            terms.title
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(new_id)
}

/// What a record of `service_id` raised on `on` is measured against: the approved agreement
/// that covers the service that day (the latest approved when several do), its terms and its
/// service hours.
pub async fn in_force<C: ConnectionTrait>(
    conn: &C,
    service_id: i64,
    on: NaiveDate,
) -> Result<Option<(i64, AgreementTerms, ServiceHours)>, AppError> {
    let candidates = Agreements::find()
        .filter(row_entity::Column::State.eq(AgreementState::Approved.as_str()))
        .filter(row_entity::Column::StartsOn.lte(on))
        .filter(
            sea_orm::Condition::any()
                .add(row_entity::Column::EndsOn.is_null())
                .add(row_entity::Column::EndsOn.gte(on)),
        )
        .filter(
            row_entity::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(link::Column::AgreementId)
                    .from(Links)
                    .and_where(Expr::col(link::Column::ServiceId).eq(service_id))
                    .to_owned(),
            ),
        )
        .order_by_desc(row_entity::Column::ApprovedAt)
        .order_by_desc(row_entity::Column::Id)
        .one(conn)
        .await?;
    let Some(found) = candidates else {
        return Ok(None);
    };
    let calendar = service_levels::calendar(conn, found.calendar_id).await?;
    let ids = service_ids(conn, found.id).await?;
    Ok(Some((found.id, terms_of(&found, ids), calendar.hours)))
}

/// The agreement in force on `on` for every service one covers, the way `in_force` picks it
/// for one service (the latest approved wins), read in two queries whatever the number of
/// services. Also the agreements themselves, for those that list them.
pub async fn in_force_by_service<C: ConnectionTrait>(
    conn: &C,
    on: NaiveDate,
) -> Result<std::collections::HashMap<i64, (i64, AgreementTerms)>, AppError> {
    let agreements = Agreements::find()
        .filter(row_entity::Column::State.eq(AgreementState::Approved.as_str()))
        .filter(row_entity::Column::StartsOn.lte(on))
        .filter(
            sea_orm::Condition::any()
                .add(row_entity::Column::EndsOn.is_null())
                .add(row_entity::Column::EndsOn.gte(on)),
        )
        .order_by_desc(row_entity::Column::ApprovedAt)
        .order_by_desc(row_entity::Column::Id)
        .all(conn)
        .await?;
    let ids: Vec<i64> = agreements.iter().map(|a| a.id).collect();
    let mut covered: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
    if !ids.is_empty() {
        let links: Vec<(i64, i64)> = Links::find()
            .select_only()
            .columns([link::Column::AgreementId, link::Column::ServiceId])
            .filter(link::Column::AgreementId.is_in(ids))
            .order_by_asc(link::Column::ServiceId)
            .into_tuple()
            .all(conn)
            .await?;
        for (agreement, service) in links {
            covered.entry(agreement).or_default().push(service);
        }
    }
    let mut by_service = std::collections::HashMap::new();
    for row in &agreements {
        let services = covered.remove(&row.id).unwrap_or_default();
        for service in &services {
            by_service
                .entry(*service)
                .or_insert_with(|| (row.id, terms_of(row, services.clone())));
        }
    }
    Ok(by_service)
}

/// An agreement as `user` sees it: the text, and what the rules let them do with it now.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    id: i64,
) -> Result<AgreementRecord, AppError> {
    let agreement = detail(conn, id).await?;
    // The rules' facts are all on the agreement as read: no second read of its row.
    let facts = AgreementFacts {
        state: agreement.state,
        author_id: agreement.author.id,
        contributor_ids: agreement.contributor_ids.clone(),
    };
    let actor = ActorFacts::from(user);
    Ok(AgreementRecord {
        actions: agreement::available_actions(&facts, &actor),
        may_edit: agreement::check_edit(&facts, &actor).is_ok(),
        may_revise: agreement::may_write(&actor) && facts.state == AgreementState::Approved,
        agreement,
    })
}
