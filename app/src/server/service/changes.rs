//! Change enablement: create and edit change requests, move them through their lifecycle,
//! and work out their schedule conflicts. Every write is audited in its transaction and
//! announced on the live channel after commit.
//!
//! A rule that refuses a write (who may decide, the board's authority, a former owner, a
//! standard change outside its template, open conflicts, read-only imports, a state that no
//! longer allows it) answers `AppError::Refused` in its own words; input that is not valid
//! answers field errors; a missing permission `AppError::Forbidden`, as the permission check.

use crate::error::{AppError, FieldErrors};
use crate::model::access::{Permission, RecordType, Role};
use crate::model::actor::ActorFacts;
use crate::model::audit::diff;
use crate::model::change::{self as lifecycle, ChangeAction, ChangeFacts, ChangeState, ChangeType};
use crate::model::change_request::{
    Change, ChangeCard, ChangeDraft, ChangeQuery, ConflictNote, RelatedChange, Review,
};
use crate::model::listing::{Page, DEFAULT_PAGE_SIZE};
use crate::model::refs::{PersonRef, ServiceRef};
use crate::model::risk::{assess, RiskAnswers, RiskLevel};
use crate::model::schedule::{detect, Conflict, PlannedChange, ScheduleWindow, Window, WindowKind};
use crate::model::service::Criticality;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::change::{self as change_entity, Column, Entity as Changes};
use crate::server::entity::change_implementer::{self, Entity as ChangeImplementers};
use crate::server::entity::change_link::{self, Entity as ChangeLinks};
use crate::server::entity::change_service::{self, Entity as ChangeServices};
use crate::server::entity::schedule_window::Entity as ScheduleWindows;
use crate::server::entity::service::Entity as Services;
use crate::server::entity::user::Entity as Users;
use crate::server::failure::internal;
use crate::server::search::contains_text;
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, LocalResult, NaiveDateTime, NaiveTime, TimeZone, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, UpdateMany,
};
use std::collections::HashMap;

/// Converts a local wall-clock time in `zone` to UTC; refuses times a DST change skips.
pub fn to_utc(
    field: &str,
    local: NaiveDateTime,
    zone: &str,
    errors: &mut FieldErrors,
) -> Option<DateTime<Utc>> {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        // The earlier of two (clocks going back): the first time that wall-clock time occurs.
        LocalResult::Ambiguous(first, _) => Some(first.with_timezone(&Utc)),
        LocalResult::None => {
            errors.add(
                field,
                format!(
                    "{} does not exist in {zone} (the clocks skip it).",
                    local.format("%Y-%m-%d %H:%M")
                ),
            );
            None
        }
    }
}

pub(crate) fn risk_level(row: &change_entity::Model) -> Option<RiskLevel> {
    row.risk_level.as_deref().and_then(RiskLevel::parse)
}

pub(crate) fn state_of(row: &change_entity::Model) -> ChangeState {
    ChangeState::parse(&row.state).unwrap_or(ChangeState::Draft)
}

pub(crate) fn type_of(row: &change_entity::Model) -> ChangeType {
    ChangeType::parse(&row.change_type).unwrap_or(ChangeType::Normal)
}

fn has_plans(row: &change_entity::Model) -> bool {
    [&row.implementation_plan, &row.test_plan, &row.backout_plan]
        .iter()
        .all(|p| !p.trim().is_empty())
}

/// Everyone who owned the change before its current owner.
pub(crate) fn former_owner_ids(row: &change_entity::Model) -> Vec<i64> {
    serde_json::from_str(&row.former_owner_ids).unwrap_or_default()
}

fn has_review(row: &change_entity::Model) -> bool {
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

/// Every active, scheduled change and every window: the input of conflict detection.
async fn schedule<C: ConnectionTrait>(
    conn: &C,
) -> Result<(Vec<PlannedChange>, Vec<ScheduleWindow>), AppError> {
    let active: Vec<&str> = ChangeState::ALL
        .iter()
        .filter(|s| {
            !s.is_final()
                && !matches!(
                    s,
                    ChangeState::Reviewed
                        | ChangeState::Implemented
                        | ChangeState::Failed
                        | ChangeState::BackedOut
                )
        })
        .map(|s| s.as_str())
        .collect();
    let rows: Vec<(i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>)> = Changes::find()
        .select_only()
        .column(Column::Id)
        .column(Column::PlannedStart)
        .column(Column::PlannedEnd)
        .filter(Column::State.is_in(active))
        .filter(Column::PlannedStart.is_not_null())
        .into_tuple()
        .all(conn)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|(id, _, _)| *id).collect();
    let links = links(conn, &ids).await?;
    let planned = rows
        .into_iter()
        .filter_map(|(id, start, end)| {
            let window = Window::new(start?, end?)?;
            Some(PlannedChange {
                id,
                window,
                service_ids: links.services.get(&id).cloned().unwrap_or_default(),
                implementer_ids: links.implementers.get(&id).cloned().unwrap_or_default(),
            })
        })
        .collect();
    let windows = ScheduleWindows::find()
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|w| {
            Some(ScheduleWindow {
                id: w.id,
                kind: if w.kind == "blackout" {
                    WindowKind::Blackout
                } else {
                    WindowKind::Maintenance
                },
                name: w.name,
                service_id: w.service_id,
                window: Window::new(w.starts_at, w.ends_at)?,
            })
        })
        .collect();
    Ok((planned, windows))
}

/// Conflicts of every active scheduled change.
pub async fn all_conflicts<C: ConnectionTrait>(
    conn: &C,
) -> Result<HashMap<i64, Vec<Conflict>>, AppError> {
    let (planned, windows) = schedule(conn).await?;
    Ok(detect(&planned, &windows))
}

/// Conflicts in words, naming the other change, the service, the window or the person.
pub(crate) async fn describe_conflicts<C: ConnectionTrait>(
    conn: &C,
    conflicts: Vec<Conflict>,
) -> Result<Vec<ConflictNote>, AppError> {
    if conflicts.is_empty() {
        return Ok(Vec::new());
    }
    let service_names = crate::server::service::catalogue::names(conn).await?;
    let window_names: HashMap<i64, String> = ScheduleWindows::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|w| (w.id, w.name))
        .collect();
    let user_ids: Vec<i64> = conflicts
        .iter()
        .filter_map(|c| match c {
            Conflict::ImplementerDoubleBooked { user_id, .. } => Some(*user_id),
            _ => None,
        })
        .collect();
    let user_names = people(conn, &user_ids).await?;
    let service = |id: &i64| {
        service_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("service {id}"))
    };
    Ok(conflicts
        .into_iter()
        .map(|conflict| {
            let message = match &conflict {
                Conflict::SameService {
                    other_change,
                    service_id,
                } => format!(
                    "{} changes {} at an overlapping time.",
                    crate::model::change_request::reference(*other_change),
                    service(service_id)
                ),
                Conflict::InBlackout { window_id } => format!(
                    "Falls inside the blackout window “{}”.",
                    window_names.get(window_id).cloned().unwrap_or_default()
                ),
                Conflict::OutsideMaintenance { service_id } => format!(
                    "Outside the maintenance windows of {}.",
                    service(service_id)
                ),
                Conflict::ImplementerDoubleBooked {
                    other_change,
                    user_id,
                } => format!(
                    "{} also implements {} at that time.",
                    person(&user_names, *user_id).name,
                    crate::model::change_request::reference(*other_change)
                ),
            };
            ConflictNote { conflict, message }
        })
        .collect())
}

pub(crate) async fn people<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashMap<i64, PersonRef>, AppError> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(500) {
        for user in Users::find()
            .filter(crate::server::entity::user::Column::Id.is_in(chunk.to_vec()))
            .all(conn)
            .await?
        {
            found.insert(
                user.id,
                PersonRef {
                    id: user.id,
                    name: user.name,
                },
            );
        }
    }
    Ok(found)
}

pub(crate) fn person(map: &HashMap<i64, PersonRef>, id: i64) -> PersonRef {
    map.get(&id).cloned().unwrap_or(PersonRef {
        id,
        name: format!("User {id}"),
    })
}

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
    let conflicts = all_conflicts(conn).await?.remove(&id).unwrap_or_default();
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

async fn most_critical_service<C: ConnectionTrait>(
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

/// Board cards (and list rows) for the given rows, with conflicts counted once for all.
async fn cards<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<change_entity::Model>,
) -> Result<Vec<ChangeCard>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links = links(conn, &ids).await?;
    let service_names = crate::server::service::catalogue::names(conn).await?;
    let owners: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
    let names = people(conn, &owners).await?;
    let conflicts = all_conflicts(conn).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut services: Vec<String> = links
                .services
                .get(&row.id)
                .into_iter()
                .flatten()
                .filter_map(|s| service_names.get(s).cloned())
                .collect();
            services.sort();
            ChangeCard {
                id: row.id,
                change_type: type_of(&row),
                state: state_of(&row),
                risk: risk_level(&row),
                services,
                owner: person(&names, row.owner_id),
                requester_id: row.requester_id,
                implementer_ids: links.implementers.get(&row.id).cloned().unwrap_or_default(),
                planned_start: row.planned_start,
                planned_end: row.planned_end,
                has_plans: has_plans(&row),
                has_review: has_review(&row),
                conflicts: conflicts.get(&row.id).map_or(0, |c| c.len() as u32),
                conflict_overridden: row.conflict_override.is_some(),
                former_owner_ids: former_owner_ids(&row),
                imported: row.imported,
                version: row.version,
                local_window: None,
                title: row.title,
            }
        })
        .collect())
}

/// The changes matching the list's filters, not yet ordered or paged.
async fn filtered(db: &Db, query: &ChangeQuery) -> Result<sea_orm::Select<Changes>, AppError> {
    let mut select = Changes::find();
    if !query.search.is_empty() {
        select = select.filter(
            contains_text(Column::Title, &query.search)
                .or(contains_text(Column::Description, &query.search)),
        );
    }
    if let Some(state) = query.state {
        select = select.filter(Column::State.eq(state.as_str()));
    }
    if let Some(change_type) = query.change_type {
        select = select.filter(Column::ChangeType.eq(change_type.as_str()));
    }
    if let Some(risk) = query.risk {
        select = select.filter(Column::RiskLevel.eq(risk.as_str()));
    }
    if let Some(owner) = query.owner_id {
        select = select.filter(Column::OwnerId.eq(owner));
    }
    if let Some(service) = query.service_id {
        let ids: Vec<i64> = ChangeServices::find()
            .select_only()
            .column(change_service::Column::ChangeId)
            .filter(change_service::Column::ServiceId.eq(service))
            .into_tuple()
            .all(db.reader())
            .await?;
        select = select.filter(Column::Id.is_in(ids));
    }
    if let Some(from) = query.from {
        select = select.filter(
            Column::PlannedEnd.gte(from.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()),
        );
    }
    // Inclusive of the whole last day (checked: the last day chrono knows has no next one).
    if let Some(next_day) = query.to.and_then(|to| to.succ_opt()) {
        select =
            select.filter(Column::PlannedStart.lt(next_day.and_time(NaiveTime::MIN).and_utc()));
    }
    Ok(select)
}

pub async fn list(db: &Db, query: &ChangeQuery) -> Result<Page<ChangeCard>, AppError> {
    let select = filtered(db, query).await?;
    let total = select.clone().count(db.reader()).await?;
    let page = query.page.clamp(1, crate::model::listing::MAX_PAGE);
    let rows = sorted(select, query)
        .offset(crate::model::listing::page_offset(page, DEFAULT_PAGE_SIZE))
        .limit(DEFAULT_PAGE_SIZE)
        .all(db.reader())
        .await?;
    Ok(Page {
        items: cards(db.reader(), rows).await?,
        page,
        page_size: DEFAULT_PAGE_SIZE,
        total,
    })
}

/// The list's order, with the id as tie-breaker so that paging is stable.
fn sorted(select: sea_orm::Select<Changes>, query: &ChangeQuery) -> sea_orm::Select<Changes> {
    use crate::model::change_request::ChangeSort;
    use crate::model::listing::SortDirection;
    let order = match query.direction {
        SortDirection::Ascending => sea_orm::Order::Asc,
        SortDirection::Descending => sea_orm::Order::Desc,
    };
    let column = match query.sort {
        ChangeSort::Reference => Column::Id,
        ChangeSort::Title => Column::Title,
        ChangeSort::Risk => Column::RiskScore,
        ChangeSort::Planned => Column::PlannedStart,
    };
    select
        .order_by(column, order.clone())
        .order_by(Column::Id, order)
}

/// The most rows one export writes; a list filtered down further exports completely.
pub const EXPORT_MAX_ROWS: u64 = 10_000;

/// Every change matching the list's filters (newest first, up to `EXPORT_MAX_ROWS`), and
/// whether more matched than were exported.
pub async fn export(db: &Db, query: &ChangeQuery) -> Result<(Vec<ChangeCard>, bool), AppError> {
    let select = filtered(db, query).await?;
    let mut rows = sorted(select, query)
        .limit(EXPORT_MAX_ROWS + 1)
        .all(db.reader())
        .await?;
    let truncated = rows.len() as u64 > EXPORT_MAX_ROWS;
    rows.truncate(EXPORT_MAX_ROWS as usize);
    Ok((cards(db.reader(), rows).await?, truncated))
}

/// Cards for the board: every open change, and those that ended in the last 14 days.
pub async fn board(db: &Db) -> Result<Vec<ChangeCard>, AppError> {
    let finished: Vec<&str> = ChangeState::ALL
        .iter()
        .filter(|s| s.is_final())
        .map(|s| s.as_str())
        .collect();
    let recent = Utc::now() - chrono::Duration::days(14);
    let rows = Changes::find()
        .filter(
            Column::State
                .is_not_in(finished.clone())
                .or(Column::UpdatedAt.gte(recent)),
        )
        .order_by_asc(Column::PlannedStart)
        .order_by_asc(Column::Id)
        .limit(2000)
        .all(db.reader())
        .await?;
    cards(db.reader(), rows).await
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

async fn check_references<C: ConnectionTrait>(
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

/// A standard change runs its template's plans: they are what was pre-authorised. Retired
/// templates cannot be chosen, but a change keeps the one it already had (`keep`).
async fn apply_template<C: ConnectionTrait>(
    conn: &C,
    draft: &mut ChangeDraft,
    keep: Option<i64>,
) -> Result<(), AppError> {
    if draft.change_type != ChangeType::Standard {
        draft.template_id = None;
        return Ok(());
    }
    let Some(template_id) = draft.template_id else {
        return Err(AppError::single_field(
            "template_id",
            "Choose the standard change template this change follows.",
        ));
    };
    let template = match crate::server::service::templates::get(conn, template_id).await {
        Ok(template) => template,
        Err(AppError::NotFound(_)) => {
            return Err(AppError::single_field(
                "template_id",
                "That template does not exist.",
            ))
        }
        Err(other) => return Err(other),
    };
    if !template.active && keep != Some(template_id) {
        return Err(AppError::single_field(
            "template_id",
            format!("“{}” is retired; choose an active template.", template.name),
        ));
    }
    draft.implementation_plan = template.implementation_plan;
    draft.test_plan = template.test_plan;
    draft.backout_plan = template.backout_plan;
    if draft.category.is_empty() {
        draft.category = template.category;
    }
    // Pre-authorised means pre-authorised for these services only.
    if draft.service_ids.is_empty() {
        draft.service_ids = template.service_ids;
    } else if let Some(outside) = draft
        .service_ids
        .iter()
        .find(|id| !template.service_ids.contains(id))
    {
        let name = crate::server::service::catalogue::names(conn)
            .await?
            .remove(outside)
            .unwrap_or_else(|| format!("service {outside}"));
        return Err(AppError::Refused(format!(
            "“{}” is pre-authorised only for its own services; {name} is not one of them. Raise a normal change instead.",
            template.name
        )));
    }
    if draft.service_ids.is_empty() {
        return Err(AppError::Refused(format!(
            "“{}” names no service, so it pre-authorises nothing; raise a normal change instead.",
            template.name
        )));
    }
    Ok(())
}

/// Changes linked to `id`, in either direction, oldest first.
async fn related<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Vec<RelatedChange>, AppError> {
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

async fn write_links<C: ConnectionTrait>(
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

fn schedule_of(
    draft: &ChangeDraft,
    zone: &str,
) -> Result<(Option<DateTime<Utc>>, Option<DateTime<Utc>>), AppError> {
    let mut errors = FieldErrors::new();
    let start = draft
        .planned_start
        .and_then(|t| to_utc("planned_start", t, zone, &mut errors));
    let end = draft
        .planned_end
        .and_then(|t| to_utc("planned_end", t, zone, &mut errors));
    if let (Some(s), Some(e)) = (start, end) {
        if e <= s {
            errors.add("planned_end", "The end must be after the start.");
        }
    }
    errors.into_result((start, end)).map_err(AppError::from)
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
struct Origin {
    state: ChangeState,
    requester_id: i64,
    planned: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    review: Option<Review>,
    authorised_by: Option<i64>,
    imported: bool,
}

/// Inserts a change with its services and implementers (inside the caller's transaction).
async fn insert_change<C: ConnectionTrait>(
    conn: &C,
    draft: &ChangeDraft,
    origin: Origin,
) -> Result<change_entity::Model, AppError> {
    check_references(conn, draft).await?;
    let (risk_answers, risk_score, risk_level) = risk_fields(conn, draft).await?;
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
    Ok(row)
}

pub async fn create(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    draft: ChangeDraft,
) -> Result<Change, AppError> {
    let (planned_start, planned_end) = schedule_of(&draft, &user.time_zone)?;
    let txn = db.begin_write().await?;
    let mut draft = draft;
    apply_template(&txn, &mut draft, None).await?;
    let origin = Origin {
        state: ChangeState::Draft,
        requester_id: user.id,
        planned: (planned_start, planned_end),
        review: None,
        authorised_by: None,
        imported: false,
    };
    let row = insert_change(&txn, &draft, origin).await?;
    let change = load(&txn, row.id).await?;
    audit::append(
        &txn,
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
    txn.commit().await?;
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

/// A lifecycle move inside the caller's transaction, by `user` on their own account.
pub async fn transition_in(
    txn: &sea_orm::DatabaseTransaction,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    action: ChangeAction,
    input: TransitionInput,
) -> Result<Change, AppError> {
    move_change(
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
    move_change(txn, user, authority, actor, id, version, action, input).await
}

#[allow(clippy::too_many_arguments)]
async fn move_change(
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
    let facts = ChangeFacts {
        state: before.state,
        change_type: before.change_type,
        risk: before.risk_level(),
        requester_id: before.requester.id,
        owner_id: before.owner.id,
        implementer_ids: before.implementers.iter().map(|p| p.id).collect(),
        has_plans: before.has_plans(),
        has_schedule: before.planned_start.is_some() && before.planned_end.is_some(),
        open_conflicts: before.open_conflicts(),
        has_review: before.review.is_some() || input.review.is_some(),
        former_owner_ids: before.former_owners.iter().map(|p| p.id).collect(),
        imported: before.imported,
    };
    let who = ActorFacts::from(user);
    let next = lifecycle::transition_by(&facts, action, &who, authority)?;
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

/// Migration import of change history from another tool, written as one audited record (the
/// lifecycle it went through elsewhere is not replayed). Imports never create an authorised,
/// scheduled or implemented change: history arrives finished (closed, or cancelled or
/// rejected), is marked as imported and stays read-only. Open work is raised in Conform.
pub struct Imported {
    pub draft: ChangeDraft,
    pub state: ChangeState,
    pub requester_id: i64,
    pub planned: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub review: Option<Review>,
}

pub async fn import(db: &Db, actor: &Actor, imported: Imported) -> Result<i64, AppError> {
    if !imported.state.is_final() {
        return Err(AppError::Refused(format!(
            "Imported changes arrive as history (closed, cancelled or rejected), never {}: raise open work in Conform so that it is assessed and authorised here.",
            imported.state.label().to_lowercase()
        )));
    }
    if !lifecycle::reachable(imported.draft.change_type, imported.state) {
        return Err(AppError::Refused(format!(
            "A {} change cannot be {}.",
            imported.draft.change_type.label().to_lowercase(),
            imported.state.label().to_lowercase()
        )));
    }
    let txn = db.begin_write().await?;
    let mut imported = imported;
    apply_template(&txn, &mut imported.draft, None).await?;
    let origin = Origin {
        state: imported.state,
        requester_id: imported.requester_id,
        planned: (imported.planned.map(|p| p.0), imported.planned.map(|p| p.1)),
        review: imported.review,
        // Nobody in Conform authorised it.
        authorised_by: None,
        imported: true,
    };
    let row = insert_change(&txn, &imported.draft, origin).await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "change_imported",
            RecordType::Change,
            Some(row.id.to_string()),
            format!(
                "Imported {} {} as {} history (read-only)",
                crate::model::change_request::reference(row.id),
                row.title,
                imported.state.label().to_lowercase()
            ),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row.id)
}
