//! A change as it is stored: the typed fields read from its row (state, type, risk, former
//! owners, whether its plans and review are there) and its links — services, implementers and
//! related changes — read for one change or many, checked to exist and written.

use crate::error::{AppError, FieldErrors};
use crate::model::change::{ChangeState, ChangeType};
use crate::model::change_request::{ChangeDraft, RelatedChange};
use crate::model::risk::RiskLevel;
use crate::model::service::Criticality;
use crate::server::entity::change::{self as change_entity, Column, Entity as Changes};
use crate::server::entity::change_implementer::{self, Entity as ChangeImplementers};
use crate::server::entity::change_link::{self, Entity as ChangeLinks};
use crate::server::entity::change_service::{self, Entity as ChangeServices};
use crate::server::entity::service::Entity as Services;
use crate::server::entity::user::Entity as Users;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::HashMap;

pub(crate) fn risk_level(row: &change_entity::Model) -> Option<RiskLevel> {
    risk_from(row.risk_level.as_deref())
}

pub(crate) fn state_of(row: &change_entity::Model) -> ChangeState {
    state_from(&row.state)
}

pub(crate) fn type_of(row: &change_entity::Model) -> ChangeType {
    type_from(&row.change_type)
}

/// The stored words read as types (for rows read column by column, like board cards).
pub(crate) fn risk_from(level: Option<&str>) -> Option<RiskLevel> {
    level.and_then(RiskLevel::parse)
}

pub(crate) fn state_from(state: &str) -> ChangeState {
    ChangeState::parse(state).unwrap_or(ChangeState::Draft)
}

pub(crate) fn type_from(change_type: &str) -> ChangeType {
    ChangeType::parse(change_type).unwrap_or(ChangeType::Normal)
}

/// Everyone who owned the change before its current owner.
pub(crate) fn former_owner_ids(row: &change_entity::Model) -> Vec<i64> {
    owner_ids_from(&row.former_owner_ids)
}

pub(crate) fn owner_ids_from(json: &str) -> Vec<i64> {
    serde_json::from_str(json).unwrap_or_default()
}

pub(crate) fn has_review(row: &change_entity::Model) -> bool {
    row.review_outcome
        .as_deref()
        .is_some_and(|o| !o.trim().is_empty())
}

/// Links (services, implementers) of a set of changes, in two queries.
pub(crate) struct Links {
    pub services: HashMap<i64, Vec<i64>>,
    pub implementers: HashMap<i64, Vec<i64>>,
}

pub(crate) async fn links<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> Result<Links, AppError> {
    let mut services: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut implementers: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in ids.chunks(500) {
        for row in ChangeServices::find()
            .filter(change_service::Column::ChangeId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            services
                .entry(row.change_id)
                .or_default()
                .push(row.service_id);
        }
        for row in ChangeImplementers::find()
            .filter(change_implementer::Column::ChangeId.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            implementers
                .entry(row.change_id)
                .or_default()
                .push(row.user_id);
        }
    }
    Ok(Links {
        services,
        implementers,
    })
}

pub(crate) async fn check_references<C: ConnectionTrait>(
    conn: &C,
    draft: &ChangeDraft,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    if !draft.service_ids.is_empty() {
        let found = Services::find()
            .filter(crate::server::entity::service::Column::Id.is_in(draft.service_ids.clone()))
            .count(conn)
            .await?;
        if found != draft.service_ids.len() as u64 {
            errors.add("service_ids", "One of the chosen services does not exist.");
        }
    }
    let mut users = draft.implementer_ids.clone();
    users.extend(draft.owner_id);
    for id in users {
        if Users::find_by_id(id).one(conn).await?.is_none() {
            errors.add(
                if Some(id) == draft.owner_id {
                    "owner_id"
                } else {
                    "implementer_ids"
                },
                "That person is not a Conform user.",
            );
        }
    }
    if !draft.related_ids.is_empty() {
        let found: Vec<i64> = Changes::find()
            .select_only()
            .column(Column::Id)
            .filter(Column::Id.is_in(draft.related_ids.clone()))
            .into_tuple()
            .all(conn)
            .await?;
        if let Some(missing) = draft.related_ids.iter().find(|id| !found.contains(id)) {
            errors.add(
                "related_changes",
                format!(
                    "{} does not exist.",
                    crate::model::change_request::reference(*missing)
                ),
            );
        }
    }
    errors.into_result(()).map_err(AppError::from)
}

/// Changes linked to `id`, in either direction, oldest first.
pub(crate) async fn related<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Vec<RelatedChange>, AppError> {
    let rows = ChangeLinks::find()
        .filter(
            change_link::Column::ChangeId
                .eq(id)
                .or(change_link::Column::RelatedId.eq(id)),
        )
        .all(conn)
        .await?;
    let mut outgoing: HashMap<i64, bool> = HashMap::new();
    for row in rows {
        if row.change_id == id {
            outgoing.insert(row.related_id, true);
        } else {
            outgoing.entry(row.change_id).or_insert(false);
        }
    }
    if outgoing.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Changes::find()
        .filter(Column::Id.is_in(outgoing.keys().copied().collect::<Vec<_>>()))
        .order_by_asc(Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|row| RelatedChange {
            id: row.id,
            state: state_of(&row),
            outgoing: outgoing.get(&row.id).copied().unwrap_or(false),
            title: row.title,
        })
        .collect())
}

pub(crate) async fn write_links<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    draft: &ChangeDraft,
) -> Result<(), AppError> {
    ChangeServices::delete_many()
        .filter(change_service::Column::ChangeId.eq(id))
        .exec(conn)
        .await?;
    ChangeImplementers::delete_many()
        .filter(change_implementer::Column::ChangeId.eq(id))
        .exec(conn)
        .await?;
    for service_id in &draft.service_ids {
        change_service::ActiveModel {
            change_id: Set(id),
            service_id: Set(*service_id),
        }
        .insert(conn)
        .await?;
    }
    for user_id in &draft.implementer_ids {
        change_implementer::ActiveModel {
            change_id: Set(id),
            user_id: Set(*user_id),
        }
        .insert(conn)
        .await?;
    }
    if draft.related_ids.contains(&id) {
        return Err(AppError::single_field(
            "related_changes",
            "A change cannot be related to itself.",
        ));
    }
    ChangeLinks::delete_many()
        .filter(change_link::Column::ChangeId.eq(id))
        .exec(conn)
        .await?;
    for related_id in &draft.related_ids {
        change_link::ActiveModel {
            change_id: Set(id),
            related_id: Set(*related_id),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// The highest criticality among the services (None without services): it weighs on risk.
pub(crate) async fn most_critical_service<C: ConnectionTrait>(
    conn: &C,
    service_ids: &[i64],
) -> Result<Option<Criticality>, AppError> {
    if service_ids.is_empty() {
        return Ok(None);
    }
    let ranks: Vec<i16> = Services::find()
        .select_only()
        .column(crate::server::entity::service::Column::Criticality)
        .filter(crate::server::entity::service::Column::Id.is_in(service_ids.to_vec()))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ranks.into_iter().max().and_then(Criticality::from_rank))
}
