//! Awareness campaigns (clause 7.3): prepared as drafts, launched (the audience becomes one
//! assignment per enabled person and the document's approved version is pinned), acknowledged
//! by each person for themselves, extended, and closed. Completion counts enabled people only.

use crate::error::{AppError, FieldErrors};
use crate::model::access::{RecordType, Role};
use crate::model::awareness::{
    acknowledgement_refused, next_status, AssignmentRow, AwarenessDue, Campaign, CampaignAction,
    CampaignChoices, CampaignDocument, CampaignDraft, CampaignForm, CampaignList, CampaignParams,
    CampaignRow, CampaignStatus, Completion, ExtendForm, Progress, RoleCompletion, Stamp,
};
use crate::model::refs::PersonRef;
use crate::model::sms_document::DocState;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::{locked, Db};
use crate::server::entity::awareness_assignment::{
    self as assignment_entity, Entity as Assignments,
};
use crate::server::entity::awareness_campaign::{self as row_entity, Column, Entity as Campaigns};
use crate::server::entity::awareness_person::{self as named_entity, Entity as Named};
use crate::server::entity::awareness_role::{self as role_entity, Entity as RoleRows};
use crate::server::entity::sms_document::{self as doc_entity, Entity as Documents};
use crate::server::entity::sms_document_version::{self as version_entity, Entity as Versions};
use crate::server::entity::user::{Column as UserColumn, Entity as Users};
use crate::server::service::audience::{audience_words, member_sql, role_pattern, Audience};
use crate::server::service::key_paging::{self, KeyOrder};
use crate::server::service::schedule::today_for;
use crate::server::service::users::{people, person};
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set, UpdateMany,
};
use std::collections::HashMap;

/// How many outstanding people a campaign's page lists (the export has everyone).
const LISTED: u64 = 500;
/// Assignments written per statement at launch.
const INSERT_BATCH: usize = 500;

const CHOSEN: Audience = Audience {
    roles: "awareness_roles",
    people: "awareness_people",
    owner: "campaign_id",
};

async fn row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<row_entity::Model, AppError> {
    Campaigns::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That campaign".into()))
}

fn status_of(row: &row_entity::Model) -> Result<CampaignStatus, AppError> {
    CampaignStatus::parse(&row.status).ok_or_else(|| {
        crate::server::failure::internal(format!("campaign {} has an unreadable status", row.id))
    })
}

/// SQL: the assignment row `a` belongs to a person with an enabled account.
const ENABLED: &str =
    "EXISTS (SELECT 1 FROM users u WHERE u.id = a.user_id AND u.disabled_at IS NULL)";

/// The approved version of each of `documents` that is not retired: id → (title, version id,
/// number).
async fn approved_versions<C: ConnectionTrait>(
    conn: &C,
    documents: &[i64],
) -> Result<HashMap<i64, (String, i64, i32)>, AppError> {
    let titles: HashMap<i64, String> = Documents::find()
        .filter(doc_entity::Column::Id.is_in(documents.to_vec()))
        .filter(doc_entity::Column::Retired.eq(false))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d.title))
        .collect();
    // The numbers only: a version's text can be long.
    let versions: Vec<(i64, i64, i32)> = Versions::find()
        .select_only()
        .columns([
            version_entity::Column::Id,
            version_entity::Column::DocumentId,
            version_entity::Column::Number,
        ])
        .filter(
            version_entity::Column::DocumentId.is_in(titles.keys().copied().collect::<Vec<_>>()),
        )
        .filter(version_entity::Column::State.eq(DocState::Approved.as_str()))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(versions
        .into_iter()
        .filter_map(|(id, document_id, number)| {
            let title = titles.get(&document_id)?.clone();
            Some((document_id, (title, id, number)))
        })
        .collect())
}

/// The documents campaigns name: the pinned version once launched, the approved one before.
async fn documents_of<C: ConnectionTrait>(
    conn: &C,
    rows: &[row_entity::Model],
) -> Result<HashMap<i64, CampaignDocument>, AppError> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.document_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let titles: HashMap<i64, String> = Documents::find()
        .filter(doc_entity::Column::Id.is_in(ids.clone()))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d.title))
        .collect();
    let approved = approved_versions(conn, &ids).await?;
    let pinned_ids: Vec<i64> = rows.iter().filter_map(|r| r.document_version_id).collect();
    let pinned: HashMap<i64, i32> = Versions::find()
        .select_only()
        .columns([version_entity::Column::Id, version_entity::Column::Number])
        .filter(version_entity::Column::Id.is_in(pinned_ids))
        .into_tuple()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .iter()
        .map(|r| {
            let version = match r.document_version_id {
                Some(pinned_id) => pinned.get(&pinned_id).copied(),
                None => approved.get(&r.document_id).map(|(_, _, number)| *number),
            };
            let document = CampaignDocument {
                id: r.document_id,
                title: titles
                    .get(&r.document_id)
                    .cloned()
                    .unwrap_or_else(|| format!("Document {}", r.document_id)),
                version,
            };
            (r.id, document)
        })
        .collect())
}

/// What the campaign form offers: documents with an approved version, and enabled people.
pub async fn choices<C: ConnectionTrait>(conn: &C) -> Result<CampaignChoices, AppError> {
    let approved: Vec<i64> = Versions::find()
        .select_only()
        .column(version_entity::Column::DocumentId)
        .filter(version_entity::Column::State.eq(DocState::Approved.as_str()))
        .into_tuple()
        .all(conn)
        .await?;
    let mut documents: Vec<CampaignDocument> = approved_versions(conn, &approved)
        .await?
        .into_iter()
        .map(|(id, (title, _, number))| CampaignDocument {
            id,
            title,
            version: Some(number),
        })
        .collect();
    documents.sort_by(|a, b| a.title.cmp(&b.title).then(a.id.cmp(&b.id)));
    Ok(CampaignChoices {
        documents,
        people: crate::server::service::users::active_people_where(conn, |_| true).await?,
    })
}

/// The named people are enabled and the document has an approved version; the document's
/// title and approved version when it does.
async fn check_references<C: ConnectionTrait>(
    conn: &C,
    draft: &CampaignDraft,
) -> Result<(String, i64, i32), AppError> {
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
    let document = approved_versions(conn, &[draft.document_id])
        .await?
        .remove(&draft.document_id);
    if document.is_none() {
        errors.add(
            "document_id",
            "Choose a document with an approved version: people acknowledge what was approved.",
        );
    }
    errors.into_result(())?;
    document.ok_or_else(|| AppError::single_field("document_id", "Choose the document."))
}

fn summary(draft: &CampaignDraft, document: &str, names: &HashMap<i64, PersonRef>) -> String {
    format!(
        "“{}”: read “{document}”, for {}, due {}, target {}%",
        draft.title,
        audience_words(&draft.roles, &draft.people, names),
        draft.due_on,
        draft.target_percent
    )
}

/// Prepares a campaign as a draft.
pub async fn create(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    form: &CampaignForm,
    now: DateTime<Utc>,
) -> Result<i64, AppError> {
    let draft = form.validate(today_for(user, now))?;
    let txn = db.begin_write().await?;
    let (document, ..) = check_references(&txn, &draft).await?;
    let id = row_entity::ActiveModel {
        title: Set(draft.title.clone()),
        message: Set(draft.message.clone()),
        document_id: Set(draft.document_id),
        document_version_id: Set(None),
        due_on: Set(draft.due_on),
        target_percent: Set(draft.target_percent as i16),
        status: Set(CampaignStatus::Draft.as_str().into()),
        created_by: Set(user.id),
        created_at: Set(now),
        launched_by: Set(None),
        launched_at: Set(None),
        closed_by: Set(None),
        closed_at: Set(None),
        closed_assigned: Set(None),
        closed_acknowledged: Set(None),
        closed_by_role: Set(None),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await?
    .id;
    CHOSEN
        .replace(&txn, id, &draft.roles, &draft.people)
        .await?;
    let names = people(&txn, &draft.people).await?;
    audit::record(
        &txn,
        actor,
        RecordType::AwarenessCampaign,
        id,
        "campaign_prepared",
        format!("Campaign {}", summary(&draft, &document, &names)),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

/// Changes a draft against the version read; once launched, its document and audience are
/// fixed (only the due date moves, later).
pub async fn update(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &CampaignForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let draft = form.validate(today_for(user, now))?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    if status_of(&before)? != CampaignStatus::Draft {
        return Err(AppError::Refused(
            "Once launched, a campaign's document and audience stay as launched: extend its due date, or close it and prepare another.".into(),
        ));
    }
    check_version::<Campaigns>(version, before.version)?;
    let (document, ..) = check_references(&txn, &draft).await?;
    let apply = |update: UpdateMany<Campaigns>| {
        update
            .col_expr(Column::Title, Expr::value(draft.title.clone()))
            .col_expr(Column::Message, Expr::value(draft.message.clone()))
            .col_expr(Column::DocumentId, Expr::value(draft.document_id))
            .col_expr(Column::DueOn, Expr::value(draft.due_on))
            .col_expr(
                Column::TargetPercent,
                Expr::value(draft.target_percent as i16),
            )
    };
    versioned::update(&txn, id, version, apply).await?;
    CHOSEN
        .replace(&txn, id, &draft.roles, &draft.people)
        .await?;
    let names = people(&txn, &draft.people).await?;
    audit::record(
        &txn,
        actor,
        RecordType::AwarenessCampaign,
        id,
        "campaign_updated",
        format!("Campaign {}", summary(&draft, &document, &names)),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Enabled people in the campaign's audience who have no assignment yet.
fn unassigned(id: i64) -> Select<Users> {
    Users::find()
        .filter(UserColumn::DisabledAt.is_null())
        .filter(Expr::cust(member_sql(&CHOSEN, &id.to_string())))
        .filter(Expr::cust(format!(
            "NOT EXISTS (SELECT 1 FROM awareness_assignments a WHERE a.campaign_id = {id} \
             AND a.user_id = users.id)"
        )))
}

/// Assigns everyone in the audience not yet assigned; how many.
async fn assign<C: ConnectionTrait>(
    txn: &C,
    id: i64,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let newcomers: Vec<i64> = unassigned(id)
        .select_only()
        .column(UserColumn::Id)
        .into_tuple()
        .all(txn)
        .await?;
    for chunk in newcomers.chunks(INSERT_BATCH) {
        Assignments::insert_many(chunk.iter().map(|user_id| assignment_entity::ActiveModel {
            campaign_id: Set(id),
            user_id: Set(*user_id),
            assigned_at: Set(now),
            acknowledged_at: Set(None),
            acknowledged_on: Set(None),
            acknowledged_due_on: Set(None),
            ..Default::default()
        }))
        .exec(txn)
        .await
        .map_err(|e| {
            if crate::server::failure::is_unique_violation(&e) {
                AppError::Refused(
                    "Someone else assigned people to this campaign just now: reload it.".into(),
                )
            } else {
                e.into()
            }
        })?;
    }
    Ok(newcomers.len())
}

fn people_words(count: usize) -> String {
    if count == 1 {
        "1 person".into()
    } else {
        format!("{count} people")
    }
}

/// Launches a draft: pins the document's approved version and assigns the audience.
pub async fn launch(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let today = today_for(user, now);
    let txn = db.begin_write().await?;
    let before = locked(&txn, Campaigns::find_by_id(id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That campaign".into()))?;
    next_status(status_of(&before)?, CampaignAction::Launch).map_err(AppError::Refused)?;
    check_version::<Campaigns>(version, before.version)?;
    if before.due_on < today {
        return Err(AppError::Refused(format!(
            "It was due {}, which has passed: set a new due date before launching.",
            before.due_on
        )));
    }
    let Some((title, version_id, number)) = approved_versions(&txn, &[before.document_id])
        .await?
        .remove(&before.document_id)
    else {
        return Err(AppError::Refused(
            "Its document has no approved version now (or was retired): choose another before launching.".into(),
        ));
    };
    versioned::update(&txn, id, version, |update: UpdateMany<Campaigns>| {
        update
            .col_expr(
                Column::Status,
                Expr::value(CampaignStatus::Running.as_str()),
            )
            .col_expr(Column::DocumentVersionId, Expr::value(version_id))
            .col_expr(Column::LaunchedBy, Expr::value(user.id))
            .col_expr(Column::LaunchedAt, Expr::value(now))
    })
    .await?;
    let assigned = assign(&txn, id, now).await?;
    if assigned == 0 {
        return Err(AppError::Refused(
            "Nobody with an enabled account is in its audience: choose roles or people who are."
                .into(),
        ));
    }
    audit::record(
        &txn,
        actor,
        RecordType::AwarenessCampaign,
        id,
        "campaign_launched",
        format!(
            "Campaign “{}” launched: {} asked to read “{title}” version {number} by {}",
            before.title,
            people_words(assigned),
            before.due_on
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Running campaigns only: `what` is refused otherwise.
fn require_running(row: &row_entity::Model, what: &str) -> Result<(), AppError> {
    match status_of(row)? {
        CampaignStatus::Running => Ok(()),
        status => Err(AppError::Refused(format!(
            "Only a running campaign {what}; this one is {}.",
            status.label().to_lowercase()
        ))),
    }
}

/// Moves a running campaign's due date later.
pub async fn extend(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    form: &ExtendForm,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    require_running(&before, "has its due date extended")?;
    check_version::<Campaigns>(version, before.version)?;
    let due_on = form.validate(before.due_on, today_for(user, now))?;
    versioned::update(&txn, id, version, |update: UpdateMany<Campaigns>| {
        update.col_expr(Column::DueOn, Expr::value(due_on))
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::AwarenessCampaign,
        id,
        "campaign_extended",
        format!(
            "Campaign “{}” now due {due_on} (was {})",
            before.title, before.due_on
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Assigns people who joined the audience since launch (a new CAB member, a new hire), against
/// the version read (the page says how many it will ask). Not after the due date: they would
/// be overdue the moment they are asked — extend it first.
pub async fn add_newcomers(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let txn = db.begin_write().await?;
    let before = locked(&txn, Campaigns::find_by_id(id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That campaign".into()))?;
    require_running(&before, "takes in newcomers")?;
    check_version::<Campaigns>(version, before.version)?;
    if before.due_on < today_for(user, now) {
        return Err(AppError::Refused(format!(
            "The campaign was due {}: extend its due date before asking more people.",
            before.due_on
        )));
    }
    versioned::update(&txn, id, version, |update: UpdateMany<Campaigns>| update).await?;
    let assigned = assign(&txn, id, now).await?;
    if assigned == 0 {
        return Err(AppError::Refused(
            "Everyone in the audience is already assigned.".into(),
        ));
    }
    audit::record(
        &txn,
        actor,
        RecordType::AwarenessCampaign,
        id,
        "campaign_newcomers_assigned",
        format!(
            "Campaign “{}”: {} who joined the audience since launch assigned",
            before.title,
            people_words(assigned)
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(assigned)
}

/// Closes a running campaign: no more acknowledgements; its completion is the record.
pub async fn close(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let before = locked(&txn, Campaigns::find_by_id(id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That campaign".into()))?;
    next_status(status_of(&before)?, CampaignAction::Close).map_err(AppError::Refused)?;
    check_version::<Campaigns>(version, before.version)?;
    // Kept as it stands now: people who leave later do not change what the campaign achieved.
    let today = today_for(user, now);
    let completion = completions(&txn, std::slice::from_ref(&before), today)
        .await?
        .remove(&id)
        .unwrap_or_default();
    let per_role = by_role(&txn, id, before.due_on, today).await?;
    let per_role = serde_json::to_string(&per_role).map_err(crate::server::failure::internal)?;
    versioned::update(&txn, id, version, |update: UpdateMany<Campaigns>| {
        update
            .col_expr(Column::Status, Expr::value(CampaignStatus::Closed.as_str()))
            .col_expr(Column::ClosedBy, Expr::value(user.id))
            .col_expr(Column::ClosedAt, Expr::value(now))
            .col_expr(
                Column::ClosedAssigned,
                Expr::value(completion.assigned as i32),
            )
            .col_expr(
                Column::ClosedAcknowledged,
                Expr::value(completion.acknowledged as i32),
            )
            .col_expr(Column::ClosedByRole, Expr::value(per_role))
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::AwarenessCampaign,
        id,
        "campaign_closed",
        format!(
            "Campaign “{}” closed at {} acknowledged (target {}%)",
            before.title,
            completion.words(),
            before.target_percent
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The caller acknowledges their own assignment, having ticked that they read the document:
/// there is no way to name anyone else.
pub async fn acknowledge(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    confirmed: bool,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if !confirmed {
        return Err(AppError::single_field(
            "read",
            "Tick the box to say you have read it.",
        ));
    }
    let today = today_for(user, now);
    let txn = db.begin_write().await?;
    // Locked: a close cannot land between the check and the acknowledgement.
    let campaign = locked(&txn, Campaigns::find_by_id(id))
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That campaign".into()))?;
    if let Some(why) = acknowledgement_refused(status_of(&campaign)?) {
        return Err(AppError::Refused(why.into()));
    }
    // Acknowledged once: the condition makes a second, concurrent acknowledgement change nothing.
    let done = Assignments::update_many()
        .col_expr(assignment_entity::Column::AcknowledgedAt, Expr::value(now))
        .col_expr(
            assignment_entity::Column::AcknowledgedOn,
            Expr::value(today),
        )
        .col_expr(
            assignment_entity::Column::AcknowledgedDueOn,
            Expr::value(campaign.due_on),
        )
        .filter(assignment_entity::Column::CampaignId.eq(id))
        .filter(assignment_entity::Column::UserId.eq(user.id))
        .filter(assignment_entity::Column::AcknowledgedAt.is_null())
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        let earlier = Assignments::find()
            .filter(assignment_entity::Column::CampaignId.eq(id))
            .filter(assignment_entity::Column::UserId.eq(user.id))
            .one(&txn)
            .await?;
        return Err(AppError::Refused(
            match earlier.and_then(|a| a.acknowledged_on) {
                Some(on) => format!("You acknowledged this campaign on {on}."),
                None => "You are not in this campaign's audience.".into(),
            },
        ));
    }
    let document = documents_of(&txn, std::slice::from_ref(&campaign))
        .await?
        .remove(&id)
        .map(|d| d.words())
        .unwrap_or_default();
    let late = today > campaign.due_on;
    audit::record(
        &txn,
        actor,
        RecordType::AwarenessCampaign,
        id,
        "campaign_acknowledged",
        format!(
            "{} acknowledged “{}”: read {document}{}",
            user.name,
            campaign.title,
            if late { " (after the due date)" } else { "" }
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Completion of each of `rows` (enabled people only), counted in one grouped query.
async fn completions<C: ConnectionTrait>(
    conn: &C,
    rows: &[row_entity::Model],
    today: NaiveDate,
) -> Result<HashMap<i64, Completion>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let counts: Vec<(i64, i64, Option<i64>)> = Assignments::find()
        .select_only()
        .column(assignment_entity::Column::CampaignId)
        .column_as(Expr::cust("COUNT(*)"), "assigned")
        .column_as(
            Expr::cust("SUM(CASE WHEN acknowledged_at IS NULL THEN 0 ELSE 1 END)"),
            "acknowledged",
        )
        .filter(assignment_entity::Column::CampaignId.is_in(ids))
        .filter(Expr::cust(
            "EXISTS (SELECT 1 FROM users u WHERE u.id = awareness_assignments.user_id AND u.disabled_at IS NULL)",
        ))
        .group_by(assignment_entity::Column::CampaignId)
        .into_tuple()
        .all(conn)
        .await?;
    let mut live: HashMap<i64, (u64, u64)> = counts
        .into_iter()
        .map(|(id, assigned, acknowledged)| {
            let acknowledged = acknowledged.unwrap_or(0).max(0) as u64;
            (id, (assigned.max(0) as u64, acknowledged))
        })
        .collect();
    Ok(rows
        .iter()
        .map(|r| {
            // A closed campaign's completion is what it was when closed.
            let (assigned, acknowledged) = match (r.closed_assigned, r.closed_acknowledged) {
                (Some(assigned), Some(acknowledged)) => {
                    (assigned.max(0) as u64, acknowledged.max(0) as u64)
                }
                _ => live.remove(&r.id).unwrap_or((0, 0)),
            };
            let mut completion = Completion {
                assigned,
                acknowledged,
                overdue: 0,
            };
            completion.overdue = overdue(&completion, r.due_on, today);
            (r.id, completion)
        })
        .collect())
}

fn filtered(params: &CampaignParams) -> Select<Campaigns> {
    match params.status() {
        Some(status) => Campaigns::find().filter(Column::Status.eq(status.as_str())),
        None => Campaigns::find(),
    }
}

/// Latest due date first: what is running now, then the history.
fn order() -> KeyOrder<Campaigns> {
    KeyOrder {
        keys: vec![Expr::col(Column::DueOn)],
        id: Column::Id,
        order: Order::Desc,
    }
}

/// One page of campaigns with their completion.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    params: &CampaignParams,
    today: NaiveDate,
    page_size: u64,
) -> Result<CampaignList, AppError> {
    let total = filtered(params).count(conn).await?;
    let pages = Ord::max(total.div_ceil(page_size), 1);
    let page = Ord::min(params.page_number(), pages);
    let rows = key_paging::read_page(
        filtered(params),
        &order(),
        params.page_key(),
        page,
        page_size,
        |select| async move { Ok(select.all(conn).await?) },
    )
    .await?;
    let documents = documents_of(conn, &rows).await?;
    let completion = completions(conn, &rows, today).await?;
    Ok(CampaignList {
        rows: rows
            .into_iter()
            .map(|r| {
                Ok(CampaignRow {
                    id: r.id,
                    status: status_of(&r)?,
                    document: documents.get(&r.id).cloned().unwrap_or(CampaignDocument {
                        id: r.document_id,
                        title: format!("Document {}", r.document_id),
                        version: None,
                    }),
                    due_on: r.due_on,
                    target_percent: r.target_percent.max(0) as u32,
                    completion: completion.get(&r.id).copied().unwrap_or_default(),
                    title: r.title,
                })
            })
            .collect::<Result<_, AppError>>()?,
        total,
        page,
        pages,
        today,
    })
}

/// Those not acknowledged once the due date has passed.
fn overdue(completion: &Completion, due_on: NaiveDate, today: NaiveDate) -> u64 {
    if due_on < today {
        completion.assigned.saturating_sub(completion.acknowledged)
    } else {
        0
    }
}

/// Completion among the enabled audience members holding each role (roles nobody holds
/// left out).
async fn by_role<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    due_on: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<RoleCompletion>, AppError> {
    let mut out = Vec::new();
    for role in Role::ALL {
        let holders = format!(
            "EXISTS (SELECT 1 FROM users u WHERE u.id = awareness_assignments.user_id \
             AND u.disabled_at IS NULL AND u.roles LIKE '{}')",
            role_pattern(role)
        );
        let (assigned, acknowledged): (i64, Option<i64>) = Assignments::find()
            .select_only()
            .column_as(Expr::cust("COUNT(*)"), "assigned")
            .column_as(
                Expr::cust("SUM(CASE WHEN acknowledged_at IS NULL THEN 0 ELSE 1 END)"),
                "acknowledged",
            )
            .filter(assignment_entity::Column::CampaignId.eq(id))
            .filter(Expr::cust(holders))
            .into_tuple()
            .one(conn)
            .await?
            .unwrap_or((0, None));
        if assigned > 0 {
            let mut completion = Completion {
                assigned: assigned as u64,
                acknowledged: acknowledged.unwrap_or(0).max(0) as u64,
                overdue: 0,
            };
            completion.overdue = overdue(&completion, due_on, today);
            out.push(RoleCompletion { role, completion });
        }
    }
    Ok(out)
}

fn stamp(
    names: &HashMap<i64, PersonRef>,
    by: Option<i64>,
    at: Option<DateTime<Utc>>,
) -> Option<Stamp> {
    Some(Stamp {
        by: person(names, by?),
        at: at?,
    })
}

/// A campaign, its completion by role and who is outstanding; `reader_id`'s own progress.
pub async fn detail<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    reader_id: i64,
    today: NaiveDate,
) -> Result<Campaign, AppError> {
    let campaign = row(conn, id).await?;
    let status = status_of(&campaign)?;
    let roles: Vec<Role> = RoleRows::find()
        .filter(role_entity::Column::CampaignId.eq(id))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|r| Role::parse(&r.role))
        .collect();
    let named: Vec<i64> = Named::find()
        .filter(named_entity::Column::CampaignId.eq(id))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| p.user_id)
        .collect();
    let outstanding_rows: Vec<(i64, String)> = Users::find()
        .select_only()
        .columns([UserColumn::Id, UserColumn::Name])
        .filter(UserColumn::DisabledAt.is_null())
        .filter(Expr::cust(format!(
            "EXISTS (SELECT 1 FROM awareness_assignments a WHERE a.campaign_id = {id} \
             AND a.user_id = users.id AND a.acknowledged_at IS NULL)"
        )))
        .order_by_asc(UserColumn::Name)
        .order_by_asc(UserColumn::Id)
        .limit(LISTED)
        .into_tuple()
        .all(conn)
        .await?;
    let mine = Assignments::find()
        .filter(assignment_entity::Column::CampaignId.eq(id))
        .filter(assignment_entity::Column::UserId.eq(reader_id))
        .one(conn)
        .await?
        .map(|a| progress_of(&a, campaign.due_on, today));
    let newcomers = if status == CampaignStatus::Running {
        unassigned(id).count(conn).await?
    } else {
        0
    };
    let mut ids: Vec<i64> = named.clone();
    ids.extend(
        [
            Some(campaign.created_by),
            campaign.launched_by,
            campaign.closed_by,
        ]
        .into_iter()
        .flatten(),
    );
    let names = people(conn, &ids).await?;
    let document = documents_of(conn, std::slice::from_ref(&campaign))
        .await?
        .remove(&id)
        .unwrap_or(CampaignDocument {
            id: campaign.document_id,
            title: format!("Document {}", campaign.document_id),
            version: None,
        });
    let completion = completions(conn, std::slice::from_ref(&campaign), today)
        .await?
        .remove(&id)
        .unwrap_or_default();
    let progress = Progress::of(None, campaign.due_on, today);
    Ok(Campaign {
        id,
        status,
        document,
        roles,
        people: named.iter().map(|p| person(&names, *p)).collect(),
        due_on: campaign.due_on,
        target_percent: campaign.target_percent.max(0) as u32,
        version: campaign.version,
        created: Stamp {
            by: person(&names, campaign.created_by),
            at: campaign.created_at,
        },
        launched: stamp(&names, campaign.launched_by, campaign.launched_at),
        closed: stamp(&names, campaign.closed_by, campaign.closed_at),
        completion,
        by_role: match &campaign.closed_by_role {
            Some(kept) => {
                let kept: Vec<RoleCompletion> =
                    serde_json::from_str(kept).map_err(crate::server::failure::internal)?;
                // Who was asked and who acknowledged are kept; overdue is read on the day,
                // as for the campaign as a whole.
                kept.into_iter()
                    .map(|r| RoleCompletion {
                        completion: Completion {
                            overdue: overdue(&r.completion, campaign.due_on, today),
                            ..r.completion
                        },
                        ..r
                    })
                    .collect()
            }
            None => by_role(conn, id, campaign.due_on, today).await?,
        },
        outstanding: outstanding_rows
            .into_iter()
            .map(|(id, name)| AssignmentRow {
                person: PersonRef { id, name },
                progress,
            })
            .collect(),
        newcomers,
        mine,
        may_manage: false,
        today,
        title: campaign.title,
        message: campaign.message,
    })
}

/// The running campaigns the reader has yet to acknowledge, soonest due first.
pub async fn due_for<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    today: NaiveDate,
) -> Result<Vec<AwarenessDue>, AppError> {
    let rows = Campaigns::find()
        .filter(Column::Status.eq(CampaignStatus::Running.as_str()))
        .filter(Expr::cust(format!(
            "EXISTS (SELECT 1 FROM awareness_assignments a WHERE a.campaign_id = awareness_campaigns.id \
             AND a.user_id = {user_id} AND a.acknowledged_at IS NULL)"
        )))
        .order_by_asc(Column::DueOn)
        .order_by_asc(Column::Id)
        .limit(LISTED)
        .all(conn)
        .await?;
    let mut documents = documents_of(conn, &rows).await?;
    Ok(rows
        .into_iter()
        .map(|r| AwarenessDue {
            campaign_id: r.id,
            document: documents.remove(&r.id).unwrap_or(CampaignDocument {
                id: r.document_id,
                title: format!("Document {}", r.document_id),
                version: None,
            }),
            due_on: r.due_on,
            overdue: r.due_on < today,
            title: r.title,
            message: r.message,
        })
        .collect())
}

/// A campaign's title and due date (the export's head).
pub async fn export_head<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<(String, NaiveDate), AppError> {
    let campaign = row(conn, id).await?;
    Ok((campaign.title, campaign.due_on))
}

/// One batch of a campaign's assignments by id (the export), leavers included: each
/// assignment's id, the person and where they stand against `due_on`.
pub async fn assignments_batch<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    due_on: NaiveDate,
    after: Option<i64>,
    limit: u64,
    today: NaiveDate,
) -> Result<Vec<(i64, crate::server::entity::user::Model, Progress)>, AppError> {
    let mut select = Assignments::find()
        .filter(assignment_entity::Column::CampaignId.eq(id))
        .order_by_asc(assignment_entity::Column::Id)
        .limit(limit);
    if let Some(after) = after {
        select = select.filter(assignment_entity::Column::Id.gt(after));
    }
    let assignments = select.all(conn).await?;
    let users: HashMap<i64, crate::server::entity::user::Model> = Users::find()
        .filter(UserColumn::Id.is_in(assignments.iter().map(|a| a.user_id).collect::<Vec<_>>()))
        .all(conn)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(assignments
        .into_iter()
        .filter_map(|a| {
            let user = users.get(&a.user_id)?.clone();
            Some((a.id, user, progress_of(&a, due_on, today)))
        })
        .collect())
}

/// Where one assignment stands: an acknowledgement against the due date in force when it was
/// made, an open one against the campaign's.
fn progress_of(a: &assignment_entity::Model, due_on: NaiveDate, today: NaiveDate) -> Progress {
    Progress::of(
        a.acknowledged_on,
        a.acknowledged_due_on.unwrap_or(due_on),
        today,
    )
}

/// SQL: the campaign row `awareness_campaigns` is below its target completion, as
/// `completions` counts it (at closing once closed); an empty audience is below any target.
fn below_target_sql() -> String {
    let campaign = "awareness_campaigns";
    let done = format!(
        "(SELECT COUNT(*) FROM awareness_assignments a WHERE a.campaign_id = {campaign}.id \
         AND a.acknowledged_at IS NOT NULL AND {ENABLED})"
    );
    let assigned = format!(
        "(SELECT COUNT(*) FROM awareness_assignments a WHERE a.campaign_id = {campaign}.id AND {ENABLED})"
    );
    format!(
        "(CASE WHEN {campaign}.closed_assigned IS NOT NULL \
         THEN ({campaign}.closed_acknowledged * 100 < {campaign}.target_percent * {campaign}.closed_assigned \
         OR {campaign}.closed_assigned = 0) \
         ELSE ({done} * 100 < {campaign}.target_percent * {assigned} OR {assigned} = 0) END)"
    )
}

/// Launched campaigns past their due date below their target (clause 7.3's thin evidence).
pub fn behind(today: NaiveDate) -> Select<Campaigns> {
    Campaigns::find()
        .filter(Column::Status.ne(CampaignStatus::Draft.as_str()))
        .filter(Column::DueOn.lt(today))
        .filter(Expr::cust(below_target_sql()))
        .order_by_desc(Column::DueOn)
}

/// What clause 7.3 shows: campaigns launched in the last year, running now, and whether the
/// last year saw one at all.
pub struct AwarenessFigures {
    pub launched_ever: u64,
    pub launched_last_year: u64,
    pub running: u64,
    pub acknowledgements_last_year: u64,
}

pub async fn figures<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<AwarenessFigures, AppError> {
    let year_ago = today
        .checked_sub_months(chrono::Months::new(12))
        .unwrap_or(today)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc();
    Ok(AwarenessFigures {
        launched_ever: Campaigns::find()
            .filter(Column::LaunchedAt.is_not_null())
            .count(conn)
            .await?,
        launched_last_year: Campaigns::find()
            .filter(Column::LaunchedAt.gte(year_ago))
            .count(conn)
            .await?,
        running: Campaigns::find()
            .filter(Column::Status.eq(CampaignStatus::Running.as_str()))
            .count(conn)
            .await?,
        acknowledgements_last_year: Assignments::find()
            .filter(assignment_entity::Column::AcknowledgedAt.gte(year_ago))
            .count(conn)
            .await?,
    })
}
