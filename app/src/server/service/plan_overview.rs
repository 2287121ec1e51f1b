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
use sea_orm::sea_query::Condition;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

fn service_ids(plan: &plan_entity::Model) -> Vec<i64> {
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

/// Changes that make a plan's description of its services doubtful: emergency changes and
/// high or very-high risk changes, implemented on a covered service after `since`.
async fn major_changes<C: ConnectionTrait>(
    conn: &C,
    services: &[CoveredService],
    since: DateTime<Utc>,
) -> Result<Vec<MajorChange>, AppError> {
    if services.is_empty() {
        return Ok(Vec::new());
    }
    let links = ChangeServices::find()
        .filter(LinkColumn::ServiceId.is_in(services.iter().map(|s| s.id)))
        .all(conn)
        .await?;
    if links.is_empty() {
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
    let changes = Changes::find()
        .filter(ChangeColumn::Id.is_in(links.iter().map(|l| l.change_id)))
        .filter(ChangeColumn::State.is_in(done))
        .filter(ChangeColumn::UpdatedAt.gt(since))
        .filter(major)
        .order_by_desc(ChangeColumn::UpdatedAt)
        .all(conn)
        .await?;
    Ok(changes
        .into_iter()
        .map(|c| {
            let service = links
                .iter()
                .filter(|l| l.change_id == c.id)
                .filter_map(|l| services.iter().find(|s| s.id == l.service_id))
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
                .join(", ");
            MajorChange {
                id: c.id,
                title: c.title,
                service,
            }
        })
        .collect())
}

fn stub(row: &version_entity::Model) -> VersionStub {
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
    let versions = Versions::find()
        .filter(version_entity::Column::PlanId.is_in(plans.iter().map(|p| p.id)))
        .order_by_desc(version_entity::Column::Number)
        .all(conn)
        .await?;
    let covered = covered_services(conn, &plans).await?;
    let owners = people(conn, &plans.iter().map(|p| p.owner_id).collect::<Vec<_>>()).await?;
    let mut out = Vec::with_capacity(plans.len());
    for plan in &plans {
        let mine: Vec<&version_entity::Model> =
            versions.iter().filter(|v| v.plan_id == plan.id).collect();
        let Some(latest) = mine.first() else { continue };
        let approved = mine
            .iter()
            .find(|v| v.state == PlanState::Approved.as_str());
        let in_force = approved.unwrap_or(latest);
        let services = services_of(plan, &covered);
        let content = serde_json::from_str(&in_force.content).unwrap_or_default();
        let (schedule, warnings) = plan_warnings(&content, &rtos(&services));
        let approved_at = approved.and_then(|v| v.approved_at);
        let major_changes = match approved_at {
            Some(at) if !plan.retired => major_changes(conn, &services, at).await?,
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
        Some(at) if !plan.retired => major_changes(conn, &services, at).await?,
        _ => Vec::new(),
    };
    let owner = people(conn, &[plan.owner_id]).await?;
    let everyone = users::active_people(conn).await?;
    Ok(PlanDetail {
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
