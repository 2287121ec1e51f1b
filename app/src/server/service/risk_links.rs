//! Which SMS risks a change or continuity plan addresses: the section on the change and plan
//! pages (named risks, and the live risks of its services as suggestions), naming and
//! removing a risk (those who keep risks), and the list on a risk's own record.
//!
//! Each link is its own row, so two people naming different risks never overwrite each
//! other; naming one twice is refused by the unique index as well as by the check here.
//! Every write is audited on both records, in the transaction that makes it.

use crate::error::AppError;
use crate::model::access::{Permission, RecordType};
use crate::model::risk_link::{
    AddressedBy, Addressor, LinkedRisk, RiskLinkRequest, RiskLinks, MAX_LINKS, MAX_SUGGESTIONS,
};
use crate::model::sms_risk::{reference, RiskState};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::change::Entity as Changes;
use crate::server::entity::change_service::{self as change_service, Entity as ChangeServices};
use crate::server::entity::continuity_plan::Entity as Plans;
use crate::server::entity::sms_risk::{self as risk_entity, Entity as Risks};
use crate::server::entity::sms_risk_link::{self as link_entity, Entity as Links};
use crate::server::entity::sms_risk_service::{self as risk_service, Entity as RiskServices};
use crate::server::failure::is_unique_violation;
use crate::server::service::sms_risks::{linked_risk, matrix};
use crate::server::service::users::{people, person};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

/// Why a record can no longer address a risk (rejected or cancelled changes, retired plans).
fn ended(kind: AddressedBy, state: &str, retired: bool) -> Option<String> {
    use crate::model::change::ChangeState;
    match kind {
        AddressedBy::Change => ChangeState::parse(state)
            .filter(|s| matches!(s, ChangeState::Rejected | ChangeState::Cancelled))
            .map(|s| {
                format!(
                    "The change was {}: it treats nothing now.",
                    s.label().to_lowercase()
                )
            }),
        AddressedBy::ContinuityPlan => {
            retired.then(|| "The plan is retired: it treats nothing now.".to_string())
        }
    }
}

/// The addressing record's title and the services it touches.
async fn record_of<C: ConnectionTrait>(
    conn: &C,
    kind: AddressedBy,
    id: i64,
) -> Result<(String, Vec<i64>), AppError> {
    record_checked(conn, kind, id, false).await
}

/// As [`record_of`]; with `for_link`, refused when the record has ended, and locked on
/// PostgreSQL so its links are counted one writer at a time.
async fn record_checked<C: ConnectionTrait>(
    conn: &C,
    kind: AddressedBy,
    id: i64,
    for_link: bool,
) -> Result<(String, Vec<i64>), AppError> {
    let lock = for_link && conn.get_database_backend() == DbBackend::Postgres;
    match kind {
        AddressedBy::Change => {
            let mut query = Changes::find_by_id(id);
            if lock {
                query = query.lock_exclusive();
            }
            let change = query
                .one(conn)
                .await?
                .ok_or_else(|| AppError::NotFound("That change".into()))?;
            if let Some(why) = for_link
                .then(|| ended(kind, &change.state, false))
                .flatten()
            {
                return Err(AppError::Refused(why));
            }
            let services = ChangeServices::find()
                .select_only()
                .column(change_service::Column::ServiceId)
                .filter(change_service::Column::ChangeId.eq(id))
                .into_tuple()
                .all(conn)
                .await?;
            Ok((change.title, services))
        }
        AddressedBy::ContinuityPlan => {
            let mut query = Plans::find_by_id(id);
            if lock {
                query = query.lock_exclusive();
            }
            let plan = query
                .one(conn)
                .await?
                .ok_or_else(|| AppError::NotFound("That continuity plan".into()))?;
            if let Some(why) = for_link.then(|| ended(kind, "", plan.retired)).flatten() {
                return Err(AppError::Refused(why));
            }
            let services = serde_json::from_str(&plan.service_ids).map_err(|_| {
                crate::server::failure::internal(format!("plan {id} has unreadable services"))
            })?;
            Ok((plan.title, services))
        }
    }
}

fn reader_may_see(user: &CurrentUser, kind: AddressedBy) -> bool {
    user.may(match kind {
        AddressedBy::Change => Permission::ChangeRead,
        AddressedBy::ContinuityPlan => Permission::ContinuityRead,
    })
}

fn record_type(kind: AddressedBy) -> RecordType {
    match kind {
        AddressedBy::Change => RecordType::Change,
        AddressedBy::ContinuityPlan => RecordType::ContinuityPlan,
    }
}

/// Worst residual first, then the oldest.
fn worst_first(risks: &mut [LinkedRisk]) {
    risks.sort_by(|a, b| {
        b.residual
            .score()
            .cmp(&a.residual.score())
            .then(a.id.cmp(&b.id))
    });
}

/// The risk section of a change or plan, as `user` sees it (risk readers only).
pub async fn for_record<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    kind: AddressedBy,
    id: i64,
) -> Result<RiskLinks, AppError> {
    let (_, services) = record_of(conn, kind, id).await?;
    let (matrix, _) = matrix(conn).await?;
    let linked_ids: Vec<i64> = Links::find()
        .select_only()
        .column(link_entity::Column::RiskId)
        .filter(link_entity::Column::AddressedBy.eq(kind.as_str()))
        .filter(link_entity::Column::RecordId.eq(id))
        .into_tuple()
        .all(conn)
        .await?;
    let mut linked: Vec<LinkedRisk> = Risks::find()
        .filter(risk_entity::Column::Id.is_in(linked_ids.iter().copied()))
        .all(conn)
        .await?
        .iter()
        .map(|row| linked_risk(row, &matrix))
        .collect::<Result<_, _>>()?;
    worst_first(&mut linked);
    let suggested = if services.is_empty() {
        Vec::new()
    } else {
        let of_services = RiskServices::find()
            .select_only()
            .column(risk_service::Column::RiskId)
            .distinct()
            .filter(risk_service::Column::ServiceId.is_in(services));
        Risks::find()
            .filter(
                risk_entity::Column::Id.in_subquery(sea_orm::QueryTrait::into_query(of_services)),
            )
            .filter(risk_entity::Column::Id.is_not_in(linked_ids))
            .filter(
                risk_entity::Column::State
                    .is_in([RiskState::Open.as_str(), RiskState::Accepted.as_str()]),
            )
            .order_by_desc(risk_entity::Column::ResidualScore)
            .order_by_asc(risk_entity::Column::Id)
            .limit(MAX_SUGGESTIONS)
            .all(conn)
            .await?
            .iter()
            .map(|row| linked_risk(row, &matrix))
            .collect::<Result<_, _>>()?
    };
    Ok(RiskLinks {
        linked,
        suggested,
        may_link: user.may(Permission::RiskManage),
    })
}

fn refuse_unless_keeper(user: &CurrentUser) -> Result<(), AppError> {
    if user.may(Permission::RiskManage) {
        Ok(())
    } else {
        Err(AppError::Refused(
            "Only those who keep risks name the risks a change or plan addresses.".into(),
        ))
    }
}

fn link_filter(request: &RiskLinkRequest) -> sea_orm::Select<Links> {
    Links::find()
        .filter(link_entity::Column::RiskId.eq(request.risk_id))
        .filter(link_entity::Column::AddressedBy.eq(request.addressed_by.as_str()))
        .filter(link_entity::Column::RecordId.eq(request.record_id))
}

/// The risk named, locked on PostgreSQL so a concurrent close waits for the link.
async fn risk_row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<risk_entity::Model, AppError> {
    let mut query = Risks::find_by_id(id);
    if conn.get_database_backend() == DbBackend::Postgres {
        query = query.lock_exclusive();
    }
    query.one(conn).await?.ok_or_else(|| {
        AppError::single_field(
            "risk",
            format!("There is no risk {} in the register.", reference(id)),
        )
    })
}

/// Names a live risk as addressed by a change or plan.
pub async fn link(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    request: RiskLinkRequest,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    refuse_unless_keeper(user)?;
    let kind = request.addressed_by;
    let txn = db.begin_write().await?;
    let (title, _) = record_checked(&txn, kind, request.record_id, true).await?;
    let risk = risk_row(&txn, request.risk_id).await?;
    let here = kind.reference(request.record_id);
    if risk.state == RiskState::Closed.as_str() {
        return Err(AppError::single_field(
            "risk",
            format!(
                "{} is closed: the register no longer treats it, so nothing addresses it.",
                reference(risk.id)
            ),
        ));
    }
    if link_filter(&request).one(&txn).await?.is_some() {
        return Err(AppError::single_field(
            "risk",
            format!("{here} already names {}.", reference(risk.id)),
        ));
    }
    let named = Links::find()
        .filter(link_entity::Column::AddressedBy.eq(kind.as_str()))
        .filter(link_entity::Column::RecordId.eq(request.record_id))
        .count(&txn)
        .await?;
    if named >= MAX_LINKS {
        return Err(AppError::single_field(
            "risk",
            format!("{here} names {MAX_LINKS} risks already: remove one first."),
        ));
    }
    let inserted = link_entity::ActiveModel {
        risk_id: Set(risk.id),
        addressed_by: Set(kind.as_str().into()),
        record_id: Set(request.record_id),
        linked_by: Set(user.id),
        linked_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(error) if is_unique_violation(&error) => {
            return Err(AppError::single_field(
                "risk",
                format!("{here} already names {}.", reference(risk.id)),
            ))
        }
        Err(error) => return Err(error.into()),
    }
    audit_both(
        &txn,
        actor,
        &request,
        &title,
        &risk.title,
        "risk_linked",
        "now addresses",
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes a risk from what a change or plan addresses.
pub async fn unlink(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    request: RiskLinkRequest,
) -> Result<(), AppError> {
    refuse_unless_keeper(user)?;
    let txn = db.begin_write().await?;
    let (title, _) = record_of(&txn, request.addressed_by, request.record_id).await?;
    let risk = risk_row(&txn, request.risk_id).await?;
    let Some(link) = link_filter(&request).one(&txn).await? else {
        return Err(AppError::single_field(
            "risk",
            format!(
                "{} does not name {} (someone may have removed it already).",
                request.addressed_by.reference(request.record_id),
                reference(risk.id)
            ),
        ));
    };
    Links::delete_by_id(link.id).exec(&txn).await?;
    audit_both(
        &txn,
        actor,
        &request,
        &title,
        &risk.title,
        "risk_unlinked",
        "no longer addresses",
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One line on each record's history: "CHG-00012 “…” now addresses RSK-3 “…”".
async fn audit_both<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    request: &RiskLinkRequest,
    record_title: &str,
    risk_title: &str,
    action: &'static str,
    verb: &str,
) -> Result<(), AppError> {
    let kind = request.addressed_by;
    let summary = format!(
        "{} “{record_title}” {verb} {} “{risk_title}”",
        kind.reference(request.record_id),
        reference(request.risk_id)
    );
    audit::record(
        conn,
        actor,
        record_type(kind),
        request.record_id,
        action,
        summary.clone(),
    )
    .await?;
    audit::record(
        conn,
        actor,
        RecordType::SmsRisk,
        request.risk_id,
        action,
        summary,
    )
    .await
}

/// The changes and plans that address a risk, newest link first, each kind shown only to
/// readers of that kind of record.
pub async fn addressors<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    risk_id: i64,
) -> Result<Vec<Addressor>, AppError> {
    let links = Links::find()
        .filter(link_entity::Column::RiskId.eq(risk_id))
        .order_by_desc(link_entity::Column::LinkedAt)
        .order_by_desc(link_entity::Column::Id)
        .all(conn)
        .await?;
    let shown: Vec<(AddressedBy, link_entity::Model)> = links
        .into_iter()
        .filter_map(|link| AddressedBy::parse(&link.addressed_by).map(|kind| (kind, link)))
        .filter(|(kind, _)| reader_may_see(user, *kind))
        .collect();
    let ids_of = |wanted: AddressedBy| {
        shown
            .iter()
            .filter(|(kind, _)| *kind == wanted)
            .map(|(_, link)| link.record_id)
            .collect::<Vec<_>>()
    };
    let change_titles: HashMap<i64, String> = Changes::find()
        .select_only()
        .column(crate::server::entity::change::Column::Id)
        .column(crate::server::entity::change::Column::Title)
        .filter(crate::server::entity::change::Column::Id.is_in(ids_of(AddressedBy::Change)))
        .into_tuple::<(i64, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let plan_titles: HashMap<i64, String> = Plans::find()
        .select_only()
        .column(crate::server::entity::continuity_plan::Column::Id)
        .column(crate::server::entity::continuity_plan::Column::Title)
        .filter(
            crate::server::entity::continuity_plan::Column::Id
                .is_in(ids_of(AddressedBy::ContinuityPlan)),
        )
        .into_tuple::<(i64, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let linkers: Vec<i64> = shown.iter().map(|(_, link)| link.linked_by).collect();
    let persons = people(conn, &linkers).await?;
    Ok(shown
        .into_iter()
        .map(|(kind, link)| {
            let titles = match kind {
                AddressedBy::Change => &change_titles,
                AddressedBy::ContinuityPlan => &plan_titles,
            };
            Addressor {
                kind,
                id: link.record_id,
                title: titles.get(&link.record_id).cloned().unwrap_or_default(),
                linked_by: person(&persons, link.linked_by).name,
                linked_at: link.linked_at,
            }
        })
        .collect())
}

/// What addresses each of `risk_ids`, as references ("CHG-00012", "Plan 3"), oldest link
/// first (the register's export).
pub async fn references_of<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    risk_ids: &[i64],
) -> Result<HashMap<i64, Vec<String>>, AppError> {
    let links = Links::find()
        .filter(link_entity::Column::RiskId.is_in(risk_ids.iter().copied()))
        .order_by_asc(link_entity::Column::Id)
        .all(conn)
        .await?;
    let mut found: HashMap<i64, Vec<String>> = HashMap::new();
    for link in links {
        let kind = AddressedBy::parse(&link.addressed_by).filter(|k| reader_may_see(user, *k));
        if let Some(kind) = kind {
            found
                .entry(link.risk_id)
                .or_default()
                .push(kind.reference(link.record_id));
        }
    }
    Ok(found)
}
