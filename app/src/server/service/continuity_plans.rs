//! Continuity plans and their versions: a draft is written (saved against its version, so
//! two editors never overwrite each other silently), reviewed, approved by a continuity
//! manager (then immutable; the previously approved version becomes superseded), and the
//! next draft starts from the approved content. Every write is audited.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::actor::ActorFacts;
use crate::model::competence::{owner_gate_refusal, GatedActivity};
use crate::model::continuity_plan::{
    check_content, compare, plan_transition, PlanAction, PlanContent, PlanState, PlanVersion,
    Section, SectionDiff,
};
use crate::model::plan_overview::PlanComment;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::continuity_plan::{self as plan_entity, Entity as Plans};
use crate::server::entity::plan_comment as comment_entity;
use crate::server::entity::plan_version::{self as version_entity, Entity as Versions};
use crate::server::service::competence_gates;
use crate::server::service::schedule::today_for;
use crate::server::service::users::people;
use crate::server::versioned::{self, check_version};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Set, UpdateMany,
};

/// What a new plan starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlan {
    pub title: String,
    pub owner_id: i64,
    pub service_ids: Vec<i64>,
    pub site: String,
    pub review_months: i32,
}

async fn plan_row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<plan_entity::Model, AppError> {
    Plans::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That continuity plan".into()))
}

async fn version_view<C: ConnectionTrait>(
    conn: &C,
    row: version_entity::Model,
) -> Result<PlanVersion, AppError> {
    let mut wanted = vec![row.author_id];
    wanted.extend(row.approved_by);
    let mut names = people(conn, &wanted).await?;
    let author = names
        .remove(&row.author_id)
        .ok_or_else(|| AppError::NotFound("The version's author".into()))?;
    Ok(PlanVersion {
        id: row.id,
        plan_id: row.plan_id,
        number: row.number,
        state: PlanState::parse(&row.state).unwrap_or(PlanState::Draft),
        content: serde_json::from_str(&row.content).unwrap_or_default(),
        author,
        contributor_ids: crate::server::contributors::parse(&row.contributor_ids),
        approved_by: row.approved_by.and_then(|id| names.remove(&id)),
        approved_at: row.approved_at,
        version: row.version,
    })
}

/// Every version of a plan, newest first.
pub async fn versions<C: ConnectionTrait>(
    conn: &C,
    plan_id: i64,
) -> Result<Vec<PlanVersion>, AppError> {
    plan_row(conn, plan_id).await?;
    let rows = Versions::find()
        .filter(version_entity::Column::PlanId.eq(plan_id))
        .order_by_desc(version_entity::Column::Number)
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(version_view(conn, row).await?);
    }
    Ok(out)
}

async fn version_row<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<version_entity::Model, AppError> {
    Versions::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That plan version".into()))
}

/// The plan a version belongs to (refusals are counted on the plan).
pub async fn plan_of_version(db: &Db, version_id: i64) -> Option<i64> {
    version_row(db.reader(), version_id)
        .await
        .ok()
        .map(|row| row.plan_id)
}

/// A new draft version `number` of a plan, written by `author_id`.
async fn insert_draft(
    txn: &DatabaseTransaction,
    plan_id: i64,
    number: i32,
    content: String,
    author_id: i64,
) -> Result<version_entity::Model, AppError> {
    let now = Utc::now();
    Ok(version_entity::ActiveModel {
        plan_id: Set(plan_id),
        number: Set(number),
        state: Set(PlanState::Draft.as_str().into()),
        content: Set(content),
        author_id: Set(author_id),
        approved_by: Set(None),
        approved_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// Creates a plan with its first, empty draft written by `user`.
pub async fn create(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    plan: NewPlan,
) -> Result<(i64, PlanVersion), AppError> {
    let mut errors = FieldErrors::new();
    let title = crate::model::text::bounded(&mut errors, "title", "Title", &plan.title, 5, 160);
    if !(1..=36).contains(&plan.review_months) {
        errors.add("review_months", "Review the plan every 1 to 36 months.");
    }
    let txn = db.begin_write().await?;
    if people(&txn, &[plan.owner_id]).await?.is_empty() {
        errors.add("owner_id", "Choose the plan's owner from the list.");
    }
    let mut service_ids = plan.service_ids.clone();
    service_ids.sort_unstable();
    service_ids.dedup();
    if service_ids.is_empty() && plan.site.trim().is_empty() {
        errors.add(
            "service_ids",
            "Say what the plan covers: one or more services, or a site.",
        );
    } else if service_ids.len() > 50 {
        errors.add("service_ids", "A plan covers at most 50 services.");
    } else if !service_ids.is_empty() {
        let known = crate::server::entity::service::Entity::find()
            .filter(crate::server::entity::service::Column::Id.is_in(service_ids.clone()))
            .count(&txn)
            .await?;
        if known != service_ids.len() as u64 {
            errors.add("service_ids", "Choose the services from the catalogue.");
        }
    }
    if plan.site.chars().count() > 160 {
        errors.add("site", "Keep the site under 160 characters.");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let now = Utc::now();
    let row = plan_entity::ActiveModel {
        title: Set(title.clone()),
        owner_id: Set(plan.owner_id),
        service_ids: Set(serde_json::to_string(&service_ids).unwrap_or_else(|_| "[]".into())),
        site: Set(plan.site.trim().to_string()),
        review_months: Set(plan.review_months),
        retired: Set(false),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let empty = serde_json::to_string(&PlanContent::default()).unwrap_or_default();
    let draft = insert_draft(&txn, row.id, 1, empty, user.id).await?;
    audit::record(
        &txn,
        actor,
        RecordType::ContinuityPlan,
        row.id,
        "plan_created",
        format!("Continuity plan “{title}” started"),
    )
    .await?;
    let view = version_view(&txn, draft).await?;
    txn.commit().await?;
    Ok((row.id, view))
}

/// Saves a draft's content against the version it was loaded with.
pub async fn save_draft(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    version_id: i64,
    version: i32,
    content: PlanContent,
) -> Result<PlanVersion, AppError> {
    check_content(&content)?;
    let txn = db.begin_write().await?;
    let row = version_row(&txn, version_id).await?;
    let plan = plan_row(&txn, row.plan_id).await?;
    let state = PlanState::parse(&row.state).unwrap_or(PlanState::Draft);
    if !state.is_editable() {
        return Err(AppError::BadRequest(format!(
            "Version {} is {}; only a draft can change. Start a new draft from it.",
            row.number,
            state.label().to_lowercase()
        )));
    }
    crate::model::continuity_plan::may_write_draft(
        row.author_id,
        plan.owner_id,
        &ActorFacts::from(user),
    )?;
    let contributors =
        crate::server::contributors::with(&row.contributor_ids, row.author_id, user.id);
    versioned::update(&txn, version_id, version, |update: UpdateMany<Versions>| {
        update
            .col_expr(
                version_entity::Column::Content,
                Expr::value(serde_json::to_string(&content).unwrap_or_default()),
            )
            .col_expr(
                version_entity::Column::ContributorIds,
                Expr::value(contributors),
            )
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::ContinuityPlan,
        plan.id,
        "plan_draft_saved",
        format!("“{}” draft version {} saved", plan.title, row.number),
    )
    .await?;
    let after = version_view(&txn, version_row(&txn, version_id).await?).await?;
    txn.commit().await?;
    Ok(after)
}

/// A lifecycle transition of a version, as `plan_transition` allows it for `user`.
pub async fn transition_version(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    version_id: i64,
    version: i32,
    action: PlanAction,
) -> Result<PlanVersion, AppError> {
    let txn = db.begin_write().await?;
    let row = version_row(&txn, version_id).await?;
    check_version::<Versions>(version, row.version)?;
    let plan = plan_row(&txn, row.plan_id).await?;
    let state = PlanState::parse(&row.state).unwrap_or(PlanState::Draft);
    let next = plan_transition(
        state,
        action,
        row.author_id,
        &crate::server::contributors::parse(&row.contributor_ids),
        plan.owner_id,
        &ActorFacts::from(user),
    )?;
    let now = Utc::now();
    if next == PlanState::Approved {
        // A plan owned by someone without a competence set to refuse is not approved.
        let lacking = competence_gates::gaps(
            &txn,
            GatedActivity::PlanOwner,
            plan.owner_id,
            &crate::server::service::plan_overview::service_ids(&plan),
            today_for(user, now),
        )
        .await?;
        if let Some(reason) = owner_gate_refusal(&lacking) {
            return Err(AppError::Refused(reason));
        }
    }
    if next == PlanState::Approved {
        // The approved version before this one is superseded, never deleted.
        Versions::update_many()
            .col_expr(
                version_entity::Column::State,
                Expr::value(PlanState::Superseded.as_str()),
            )
            .filter(version_entity::Column::PlanId.eq(plan.id))
            .filter(version_entity::Column::State.eq(PlanState::Approved.as_str()))
            .exec(&txn)
            .await?;
    }
    versioned::update(&txn, version_id, version, |update: UpdateMany<Versions>| {
        let update = update.col_expr(version_entity::Column::State, Expr::value(next.as_str()));
        if next == PlanState::Approved {
            update
                .col_expr(version_entity::Column::ApprovedBy, Expr::value(user.id))
                .col_expr(version_entity::Column::ApprovedAt, Expr::value(now))
        } else {
            update
        }
    })
    .await?;
    if next == PlanState::Retired {
        versioned::update_unchecked(&txn, |update: UpdateMany<Plans>| {
            update
                .col_expr(plan_entity::Column::Retired, Expr::value(true))
                .filter(plan_entity::Column::Id.eq(plan.id))
        })
        .await?;
    }
    audit::record(
        &txn,
        actor,
        RecordType::ContinuityPlan,
        plan.id,
        "plan_version_moved",
        format!(
            "“{}” version {}: {} → {}",
            plan.title,
            row.number,
            state.label(),
            next.label()
        ),
    )
    .await?;
    let after = version_view(&txn, version_row(&txn, version_id).await?).await?;
    txn.commit().await?;
    Ok(after)
}

/// Starts the next draft from the newest version (refused while a draft or review is open).
pub async fn new_draft(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    plan_id: i64,
) -> Result<PlanVersion, AppError> {
    let txn = db.begin_write().await?;
    let plan = plan_row(&txn, plan_id).await?;
    let latest = Versions::find()
        .filter(version_entity::Column::PlanId.eq(plan_id))
        .order_by_desc(version_entity::Column::Number)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("A version of that plan".into()))?;
    let state = PlanState::parse(&latest.state).unwrap_or(PlanState::Draft);
    if matches!(state, PlanState::Draft | PlanState::InReview) {
        return Err(AppError::BadRequest(format!(
            "Version {} is still {}; work on it instead of starting another.",
            latest.number,
            state.label().to_lowercase()
        )));
    }
    if state == PlanState::Retired {
        return Err(AppError::BadRequest("The plan is retired.".into()));
    }
    let row = insert_draft(
        &txn,
        plan_id,
        latest.number + 1,
        latest.content.clone(),
        user.id,
    )
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::ContinuityPlan,
        plan_id,
        "plan_draft_started",
        format!(
            "“{}” version {} started from version {}",
            plan.title, row.number, latest.number
        ),
    )
    .await?;
    let view = version_view(&txn, row).await?;
    txn.commit().await?;
    Ok(view)
}

/// What changed between two versions of the same plan, section by section.
pub async fn compare_versions<C: ConnectionTrait>(
    conn: &C,
    old_id: i64,
    new_id: i64,
) -> Result<Vec<SectionDiff>, AppError> {
    let (old, new) = (
        version_row(conn, old_id).await?,
        version_row(conn, new_id).await?,
    );
    if old.plan_id != new.plan_id {
        return Err(AppError::BadRequest(
            "Only versions of the same plan can be compared.".into(),
        ));
    }
    let read = |row: &version_entity::Model| -> PlanContent {
        serde_json::from_str(&row.content).unwrap_or_default()
    };
    Ok(compare(&read(&old), &read(&new)))
}

/// A reviewer's comment on one section of a version in review.
pub async fn comment(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    version_id: i64,
    section: Section,
    text: &str,
) -> Result<PlanComment, AppError> {
    let mut errors = FieldErrors::new();
    let text = crate::model::text::bounded(&mut errors, "text", "Comment", text, 2, 4_000);
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let txn = db.begin_write().await?;
    let row = version_row(&txn, version_id).await?;
    let plan = plan_row(&txn, row.plan_id).await?;
    if row.state != PlanState::InReview.as_str() {
        return Err(AppError::BadRequest(format!(
            "Version {} is not in review; comments are made while it is.",
            row.number
        )));
    }
    let now = Utc::now();
    let saved = comment_entity::ActiveModel {
        plan_version_id: Set(version_id),
        section: Set(section.as_str().into()),
        author_id: Set(user.id),
        text: Set(text.clone()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::ContinuityPlan,
        plan.id,
        "plan_commented",
        format!(
            "“{}” version {}, {}: comment by {}",
            plan.title,
            row.number,
            section.label(),
            user.name
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(PlanComment {
        id: saved.id,
        version_id,
        section,
        author: crate::model::refs::PersonRef {
            id: user.id,
            name: user.name.clone(),
        },
        text,
        created_at: now,
    })
}
