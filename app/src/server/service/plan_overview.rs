//! Reading continuity plans as the pages show them: the list with each plan's review status
//! and warnings (also the dashboard's continuity panel), and one plan with its versions,
//! comments, exercises and the changes made to its services since it was approved.

use crate::error::AppError;
use crate::model::change::{ChangeState, ChangeType};
use crate::model::continuity_plan::{PlanState, PlanVersion, Section};
use crate::model::plan_overview::{
    plan_warnings, review_status, rtos, CoveredService, MajorChange, PlanComment, PlanDetail,
    PlanSummary, VersionStub,
};
use crate::model::risk::RiskLevel;
use crate::server::entity::change::{Column as ChangeColumn, Entity as Changes};
use crate::server::entity::change_service::{Column as LinkColumn, Entity as ChangeServices};
use crate::server::entity::continuity_plan::{self as plan_entity, Entity as Plans};
use crate::server::entity::plan_comment::{Column as CommentColumn, Entity as Comments};
use crate::server::entity::plan_version::{self as version_entity, Entity as Versions};
use crate::server::entity::service::{Column as ServiceColumn, Entity as Services};
use crate::server::entity::service_bia::{Column as BiaColumn, Entity as Bias};
use crate::server::service::users::{people, person};
use crate::server::service::{continuity_exercises, continuity_plans, users};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Condition, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

pub(crate) fn service_ids(plan: &plan_entity::Model) -> Vec<i64> {
    serde_json::from_str(&plan.service_ids).unwrap_or_default()
}

/// The covered services of every plan given, with their RTOs, in one pair of queries.
async fn covered_services<C: ConnectionTrait>(
    conn: &C,
    plans: &[plan_entity::Model],
) -> Result<HashMap<i64, CoveredService>, AppError> {
    let mut ids: Vec<i64> = plans.iter().flat_map(service_ids).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rtos: HashMap<i64, u32> = Bias::find()
        .filter(BiaColumn::ServiceId.is_in(ids.clone()))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| (b.service_id, Ord::max(b.rto, 0) as u32))
        .collect();
    Ok(Services::find()
        .filter(ServiceColumn::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| {
            (
                s.id,
                CoveredService {
                    id: s.id,
                    name: s.name,
                    rto_minutes: rtos.get(&s.id).copied(),
                },
            )
        })
        .collect())
}

fn services_of(
    plan: &plan_entity::Model,
    known: &HashMap<i64, CoveredService>,
) -> Vec<CoveredService> {
    service_ids(plan)
        .iter()
        .filter_map(|id| known.get(id).cloned())
        .collect()
}

/// A major change (emergency, or high or very-high risk) implemented on some covered services.
struct Major {
    id: i64,
    title: String,
    updated_at: DateTime<Utc>,
    service_ids: Vec<i64>,
}

/// Major changes implemented on any of `services` after `since`, newest first, each with the
/// services it touched: two queries however many plans ask (each plan then keeps its own).
async fn majors_since<C: ConnectionTrait>(
    conn: &C,
    services: &[i64],
    since: DateTime<Utc>,
) -> Result<Vec<Major>, AppError> {
    if services.is_empty() {
        return Ok(Vec::new());
    }
    let done = [
        ChangeState::Implemented,
        ChangeState::Reviewed,
        ChangeState::Closed,
        ChangeState::Failed,
        ChangeState::BackedOut,
    ]
    .map(|s| s.as_str());
    let major = Condition::any()
        .add(ChangeColumn::ChangeType.eq(ChangeType::Emergency.as_str()))
        .add(
            ChangeColumn::RiskLevel.is_in([RiskLevel::High.as_str(), RiskLevel::VeryHigh.as_str()]),
        );
    let on_covered = Query::select()
        .column(LinkColumn::ChangeId)
        .from(ChangeServices)
        .and_where(LinkColumn::ServiceId.is_in(services.iter().copied()))
        .to_owned();
    let changes: Vec<(i64, String, DateTime<Utc>)> = Changes::find()
        .select_only()
        .columns([
            ChangeColumn::Id,
            ChangeColumn::Title,
            ChangeColumn::UpdatedAt,
        ])
        .filter(ChangeColumn::Id.in_subquery(on_covered))
        .filter(ChangeColumn::State.is_in(done))
        .filter(ChangeColumn::UpdatedAt.gt(since))
        .filter(major)
        .order_by_desc(ChangeColumn::UpdatedAt)
        .into_tuple()
        .all(conn)
        .await?;
    let mut touched: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in changes.chunks(500) {
        for link in ChangeServices::find()
            .filter(LinkColumn::ChangeId.is_in(chunk.iter().map(|c| c.0)))
            .filter(LinkColumn::ServiceId.is_in(services.iter().copied()))
            .all(conn)
            .await?
        {
            touched
                .entry(link.change_id)
                .or_default()
                .push(link.service_id);
        }
    }
    Ok(changes
        .into_iter()
        .map(|(id, title, updated_at)| Major {
            id,
            title,
            updated_at,
            service_ids: touched.remove(&id).unwrap_or_default(),
        })
        .collect())
}

/// The changes that make a plan's description of its services doubtful: the major changes
/// on its covered services since it was approved.
fn major_changes(
    majors: &[Major],
    services: &[CoveredService],
    since: DateTime<Utc>,
) -> Vec<MajorChange> {
    majors
        .iter()
        .filter(|m| m.updated_at > since)
        .filter_map(|m| {
            let names: Vec<&str> = services
                .iter()
                .filter(|s| m.service_ids.contains(&s.id))
                .map(|s| s.name.as_str())
                .collect();
            (!names.is_empty()).then(|| MajorChange {
                id: m.id,
                title: m.title.clone(),
                service: names.join(", "),
            })
        })
        .collect()
}

/// A version without its content, for the list.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
struct VersionHead {
    id: i64,
    plan_id: i64,
    number: i32,
    state: String,
    approved_at: Option<DateTime<Utc>>,
}

fn stub(row: &VersionHead) -> VersionStub {
    VersionStub {
        id: row.id,
        number: row.number,
        state: PlanState::parse(&row.state).unwrap_or(PlanState::Draft),
    }
}

/// Every plan, retired ones last, with what needs attention; `today` is the reader's date.
pub async fn summaries<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<Vec<PlanSummary>, AppError> {
    let plans = Plans::find()
        .order_by_asc(plan_entity::Column::Retired)
        .order_by_asc(plan_entity::Column::Title)
        .all(conn)
        .await?;
    let versions: Vec<VersionHead> = Versions::find()
        .select_only()
        .columns([
            version_entity::Column::Id,
            version_entity::Column::PlanId,
            version_entity::Column::Number,
            version_entity::Column::State,
            version_entity::Column::ApprovedAt,
        ])
        .filter(version_entity::Column::PlanId.is_in(plans.iter().map(|p| p.id)))
        .order_by_desc(version_entity::Column::Number)
        .into_model()
        .all(conn)
        .await?;
    let mut heads: HashMap<i64, Vec<&VersionHead>> = HashMap::new();
    for v in &versions {
        heads.entry(v.plan_id).or_default().push(v);
    }
    // Each plan is judged on the version in force: the approved one, else the latest.
    let in_force = |plan: i64| -> Option<(&VersionHead, Option<&VersionHead>)> {
        let mine = heads.get(&plan)?;
        let approved = mine
            .iter()
            .find(|v| v.state == PlanState::Approved.as_str())
            .copied();
        Some((approved.unwrap_or(mine[0]), approved))
    };
    let in_force_ids: Vec<i64> = plans
        .iter()
        .filter_map(|p| in_force(p.id).map(|(v, _)| v.id))
        .collect();
    let mut contents: HashMap<i64, String> = HashMap::new();
    for chunk in in_force_ids.chunks(500) {
        let rows: Vec<(i64, String)> = Versions::find()
            .select_only()
            .columns([version_entity::Column::Id, version_entity::Column::Content])
            .filter(version_entity::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        contents.extend(rows);
    }
    let covered = covered_services(conn, &plans).await?;
    let owners = people(conn, &plans.iter().map(|p| p.owner_id).collect::<Vec<_>>()).await?;
    // The major changes of every live, approved plan, read once from the earliest approval.
    let watched: Vec<(&plan_entity::Model, DateTime<Utc>)> = plans
        .iter()
        .filter(|p| !p.retired)
        .filter_map(|p| Some((p, in_force(p.id)?.1?.approved_at?)))
        .collect();
    let mut watched_services: Vec<i64> = watched.iter().flat_map(|(p, _)| service_ids(p)).collect();
    watched_services.sort_unstable();
    watched_services.dedup();
    let majors = match watched.iter().map(|(_, at)| *at).min() {
        Some(earliest) => majors_since(conn, &watched_services, earliest).await?,
        None => Vec::new(),
    };
    let mut out = Vec::with_capacity(plans.len());
    for plan in &plans {
        let Some((in_force, approved)) = in_force(plan.id) else {
            continue;
        };
        let latest = heads[&plan.id][0];
        let services = services_of(plan, &covered);
        let content = contents
            .get(&in_force.id)
            .and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default();
        let (schedule, warnings) = plan_warnings(&content, &rtos(&services));
        let approved_at = approved.and_then(|v| v.approved_at);
        let major_changes = match approved_at {
            Some(at) if !plan.retired => major_changes(&majors, &services, at),
            _ => Vec::new(),
        };
        out.push(PlanSummary {
            id: plan.id,
            title: plan.title.clone(),
            owner: person(&owners, plan.owner_id),
            services,
            site: plan.site.clone(),
            latest: stub(latest),
            approved_on: approved_at.map(|at| at.date_naive()),
            review: review_status(
                approved_at.map(|at| at.date_naive()),
                plan.review_months,
                plan.retired,
                today,
            ),
            total_minutes: schedule.map(|s| s.total_minutes),
            warnings: if plan.retired { Vec::new() } else { warnings },
            major_changes,
        });
    }
    Ok(out)
}

/// Comments on the given versions, oldest first.
async fn comments<C: ConnectionTrait>(
    conn: &C,
    versions: &[PlanVersion],
) -> Result<Vec<PlanComment>, AppError> {
    let rows = Comments::find()
        .filter(CommentColumn::PlanVersionId.is_in(versions.iter().map(|v| v.id)))
        .order_by_asc(CommentColumn::CreatedAt)
        .order_by_asc(CommentColumn::Id)
        .all(conn)
        .await?;
    let authors = people(conn, &rows.iter().map(|r| r.author_id).collect::<Vec<_>>()).await?;
    Ok(rows
        .into_iter()
        .map(|r| PlanComment {
            id: r.id,
            version_id: r.plan_version_id,
            section: Section::parse(&r.section).unwrap_or(Section::Scope),
            author: person(&authors, r.author_id),
            text: r.text,
            created_at: r.created_at,
        })
        .collect())
}

/// One plan with everything its page shows.
pub async fn detail<C: ConnectionTrait>(
    conn: &C,
    plan_id: i64,
    today: NaiveDate,
) -> Result<PlanDetail, AppError> {
    let plan = Plans::find_by_id(plan_id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That continuity plan".into()))?;
    let covered = covered_services(conn, std::slice::from_ref(&plan)).await?;
    let services = services_of(&plan, &covered);
    let versions = continuity_plans::versions(conn, plan_id).await?;
    let approved_at = versions
        .iter()
        .find(|v| v.state == PlanState::Approved)
        .and_then(|v| v.approved_at);
    let major_changes = match approved_at {
        Some(at) if !plan.retired => {
            let ids: Vec<i64> = services.iter().map(|s| s.id).collect();
            major_changes(&majors_since(conn, &ids, at).await?, &services, at)
        }
        _ => Vec::new(),
    };
    let owner = people(conn, &[plan.owner_id]).await?;
    let everyone = users::active_people(conn).await?;
    let owner_competence = crate::server::service::competence_gates::gaps(
        conn,
        crate::model::competence::GatedActivity::PlanOwner,
        plan.owner_id,
        &service_ids(&plan),
        today,
    )
    .await?;
    Ok(PlanDetail {
        owner_competence,
        id: plan.id,
        title: plan.title.clone(),
        owner: person(&owner, plan.owner_id),
        site: plan.site.clone(),
        review_months: plan.review_months,
        retired: plan.retired,
        comments: comments(conn, &versions).await?,
        exercises: continuity_exercises::list(conn, plan_id).await?,
        review: review_status(
            approved_at.map(|at| at.date_naive()),
            plan.review_months,
            plan.retired,
            today,
        ),
        services,
        versions,
        major_changes,
        people: everyone,
    })
}
