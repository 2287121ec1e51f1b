//! The SMS profile: its numbered versions, the open draft's section edits, the lifecycle
//! (`model::sms_profile::transition`) and the facts its clauses' evidence is judged on.
//!
//! Every write reads the version row in its transaction, compares the version the writer saw
//! and records what it did in the audit log in the same transaction. A revision is numbered
//! after the latest version and the number is unique, so two revisions cannot start at once.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::actor::ActorFacts;
use crate::model::dashboard::ProfileReview;
use crate::model::refs::PersonRef;
use crate::model::sms_document::{DocAction, DocState, ReviewStatus};
use crate::model::sms_profile::{
    apply, available_actions, may_write, review_due, transition, ProfileChoices, ProfileContent,
    ProfileEdit, ProfileFacts, ProfileVersion, ProfileView, VersionFacts, VersionLine,
};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::contributors;
use crate::server::db::Db;
use crate::server::entity::sms_profile_version::{Column, Entity as Versions, Model as Row};
use crate::server::failure::{internal, is_unique_violation};
use crate::server::service::catalogue;
use crate::server::service::users::{active_people, people, person};
use crate::server::versioned::{self, check_version};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, UpdateMany,
};
use std::collections::BTreeMap;

fn state_of(row: &Row) -> DocState {
    DocState::parse(&row.state).unwrap_or(DocState::Draft)
}

fn content_of(row: &Row) -> Result<ProfileContent, AppError> {
    serde_json::from_str(&row.content).map_err(internal)
}

fn content_json(content: &ProfileContent) -> Result<String, AppError> {
    serde_json::to_string(content).map_err(internal)
}

async fn row<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Row, AppError> {
    Versions::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That version of the SMS profile".into()))
}

/// The approved version in force.
async fn in_force<C: ConnectionTrait>(conn: &C) -> Result<Option<Row>, AppError> {
    Ok(Versions::find()
        .filter(Column::State.eq(DocState::Approved.as_str()))
        .order_by_desc(Column::Number)
        .one(conn)
        .await?)
}

/// Where the yearly review of the version in force stands on `today` (the dashboard's
/// reminder): reads its number and dates only, not its content.
pub async fn review<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<ProfileReview, AppError> {
    let found: Option<(i32, Option<NaiveDate>)> = Versions::find()
        .select_only()
        .columns([Column::Number, Column::NextReviewOn])
        .filter(Column::State.eq(DocState::Approved.as_str()))
        .order_by_desc(Column::Number)
        .into_tuple()
        .one(conn)
        .await?;
    Ok(match found {
        None => ProfileReview {
            number: None,
            review: ReviewStatus::NotApproved,
        },
        // Approval always stamps the next review, as the profile page reads it.
        Some((number, next_review_on)) => ProfileReview {
            number: Some(number),
            review: ReviewStatus::of(next_review_on, today),
        },
    })
}

/// The version being worked on (draft or in review).
async fn open<C: ConnectionTrait>(conn: &C) -> Result<Option<Row>, AppError> {
    Ok(Versions::find()
        .filter(Column::State.is_in([DocState::Draft.as_str(), DocState::InReview.as_str()]))
        .order_by_desc(Column::Number)
        .one(conn)
        .await?)
}

fn version_view(
    row: &Row,
    names: &std::collections::HashMap<i64, PersonRef>,
) -> Result<ProfileVersion, AppError> {
    Ok(ProfileVersion {
        id: row.id,
        number: row.number,
        state: state_of(row),
        content: content_of(row)?,
        author: person(names, row.author_id),
        contributors: contributors::parse(&row.contributors)
            .into_iter()
            .map(|id| person(names, id))
            .collect(),
        approved_by: row.approved_by.map(|id| person(names, id)),
        approved_at: row.approved_at,
        next_review_on: row.next_review_on,
        updated_at: row.updated_at,
        version: row.version,
    })
}

fn facts_of(row: &Row, content: &ProfileContent, in_force: Option<&Row>) -> VersionFacts {
    let top_management_in_force = in_force
        .and_then(|r| content_of(r).ok())
        .and_then(|c| c.top_management_id);
    VersionFacts {
        state: state_of(row),
        author_id: row.author_id,
        contributor_ids: contributors::parse(&row.contributors),
        top_management_in_force,
        top_management_named: content.top_management_id,
        missing: content.missing_for_review(),
    }
}

/// A version's number, state, author, approver and approval time, for the history.
type HistoryRow = (i32, String, i64, Option<i64>, Option<DateTime<Utc>>);

/// The profile as the page shows it to `user`.
pub async fn view<C: ConnectionTrait>(
    conn: &C,
    user: &CurrentUser,
    today: NaiveDate,
) -> Result<ProfileView, AppError> {
    let in_force_row = in_force(conn).await?;
    let open_row = open(conn).await?;
    let history_rows: Vec<HistoryRow> = Versions::find()
        .select_only()
        .columns([
            Column::Number,
            Column::State,
            Column::AuthorId,
            Column::ApprovedBy,
            Column::ApprovedAt,
        ])
        .order_by_desc(Column::Number)
        .limit(50)
        .into_tuple()
        .all(conn)
        .await?;
    let mut wanted: Vec<i64> = Vec::new();
    for row in in_force_row.iter().chain(open_row.iter()) {
        wanted.push(row.author_id);
        wanted.extend(row.approved_by);
        wanted.extend(contributors::parse(&row.contributors));
        wanted.extend(content_of(row)?.holder_ids());
    }
    for (_, _, author, approver, _) in &history_rows {
        wanted.push(*author);
        wanted.extend(*approver);
    }
    wanted.sort_unstable();
    wanted.dedup();
    let names = people(conn, &wanted).await?;
    let in_force_view = in_force_row
        .as_ref()
        .map(|r| version_view(r, &names))
        .transpose()?;
    let open_view = open_row
        .as_ref()
        .map(|r| version_view(r, &names))
        .transpose()?;
    let service_ids = in_force_view
        .iter()
        .chain(open_view.iter())
        .flat_map(|v| v.content.service_ids.iter().copied());
    let services: BTreeMap<i64, String> = catalogue::names_of(conn, service_ids)
        .await?
        .into_iter()
        .collect();
    let actor = ActorFacts::from(user);
    let actions = match (&open_row, &open_view) {
        (Some(row), Some(view)) => {
            available_actions(&facts_of(row, &view.content, in_force_row.as_ref()), &actor)
        }
        _ => Vec::new(),
    };
    let editing = may_write(&actor)
        && open_row
            .as_ref()
            .is_some_and(|r| state_of(r) == DocState::Draft);
    let choices = if editing {
        Some(choices(conn).await?)
    } else {
        None
    };
    Ok(ProfileView {
        choices,
        review: ReviewStatus::of(in_force_view.as_ref().and_then(|v| v.next_review_on), today),
        may_start: may_write(&actor) && open_row.is_none(),
        may_write: may_write(&actor),
        actions,
        history: history_rows
            .into_iter()
            .map(
                |(number, state, author, approver, approved_at)| VersionLine {
                    number,
                    state: DocState::parse(&state).unwrap_or(DocState::Draft),
                    author: person(&names, author).name,
                    approved_by: approver.map(|id| person(&names, id).name),
                    approved_at,
                },
            )
            .collect(),
        people: names.into_iter().map(|(id, p)| (id, p.name)).collect(),
        services,
        in_force: in_force_view,
        open: open_view,
    })
}

/// Who and what the draft's forms offer: enabled people and the services in use.
async fn choices<C: ConnectionTrait>(conn: &C) -> Result<ProfileChoices, AppError> {
    Ok(ProfileChoices {
        people: active_people(conn).await?,
        services: catalogue::active_refs(conn).await?,
    })
}

fn refuse_writer(user: &CurrentUser) -> Result<(), AppError> {
    if may_write(&ActorFacts::from(user)) {
        Ok(())
    } else {
        Err(AppError::Refused(
            "Only a quality manager writes the SMS profile.".into(),
        ))
    }
}

/// Starts the next version from the one in force (or an empty first one). Refused while a
/// version is open; answers the new version's id.
pub async fn start(db: &Db, user: &CurrentUser, actor: &Actor) -> Result<i64, AppError> {
    refuse_writer(user)?;
    let txn = db.begin_write().await?;
    // The latest number first, then the open check: on PostgreSQL each statement sees what
    // was committed before it, so a revision started meanwhile is either seen open here or
    // takes the same number and makes this insert fail — never a second open version.
    let latest: Option<i32> = Versions::find()
        .select_only()
        .column(Column::Number)
        .order_by_desc(Column::Number)
        .into_tuple()
        .one(&txn)
        .await?;
    if let Some(open) = open(&txn).await? {
        return Err(AppError::BadRequest(format!(
            "Version {} is still {}; work on it instead of starting another.",
            open.number,
            state_of(&open).label().to_lowercase()
        )));
    }
    let from = in_force(&txn).await?;
    let content = match &from {
        Some(row) => content_of(row)?,
        None => ProfileContent::default(),
    };
    let number = latest.unwrap_or(0) + 1;
    let now = Utc::now();
    let inserted = crate::server::entity::sms_profile_version::ActiveModel {
        number: Set(number),
        state: Set(DocState::Draft.as_str().into()),
        content: Set(content_json(&content)?),
        author_id: Set(user.id),
        contributors: Set("[]".into()),
        approved_by: Set(None),
        approved_at: Set(None),
        next_review_on: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            AppError::Conflict {
                message: "Someone started a revision of the SMS profile at the same moment; work on theirs.".into(),
                current_version: 0,
            }
        } else {
            e.into()
        }
    })?;
    let summary = match &from {
        Some(row) => format!(
            "SMS profile version {number} started from version {}",
            row.number
        ),
        None => "SMS profile version 1 started".to_string(),
    };
    audit::record(
        &txn,
        actor,
        RecordType::SmsProfile,
        inserted.id,
        "profile_draft_started",
        summary,
    )
    .await?;
    txn.commit().await?;
    Ok(inserted.id)
}

/// Applies one section edit to the draft `id` read at `version`.
pub async fn edit(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    change: &ProfileEdit,
) -> Result<(), AppError> {
    refuse_writer(user)?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    let state = state_of(&before);
    if !state.is_editable() {
        return Err(AppError::BadRequest(format!(
            "Version {} is {}; only a draft changes.",
            before.number,
            state.label().to_lowercase()
        )));
    }
    check_version::<Versions>(version, before.version)?;
    let content = content_of(&before)?;
    let mut edited = apply(&content, change).map_err(AppError::Validation)?;
    if matches!(change, ProfileEdit::Scope(_)) {
        keep_archived(&txn, &content, &mut edited.content).await?;
    }
    check_references(&txn, &content, &edited.content).await?;
    let written = content_json(&edited.content)?;
    let contributors = contributors::with(&before.contributors, before.author_id, user.id);
    versioned::update(&txn, id, version, |update: UpdateMany<Versions>| {
        update
            .col_expr(Column::Content, Expr::value(written))
            .col_expr(Column::Contributors, Expr::value(contributors))
            .filter(Column::State.eq(DocState::Draft.as_str()))
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::SmsProfile,
        id,
        "profile_draft_edited",
        format!("SMS profile version {}: {}", before.number, edited.summary),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A person newly named to a role must be able to sign in and a service newly scoped must be
/// in use; what the draft already said stays (a holder disabled since, a service archived
/// since, is flagged by the evidence rather than lost). One query each.
async fn check_references<C: ConnectionTrait>(
    conn: &C,
    before: &ProfileContent,
    after: &ProfileContent,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::new();
    let held = before.holders_by_role();
    let mut named: Vec<i64> = after
        .holders_by_role()
        .into_iter()
        .filter(|(role, id)| held.get(role) != Some(id))
        .map(|(_, id)| id)
        .collect();
    named.sort_unstable();
    named.dedup();
    if !named.is_empty() {
        use crate::server::entity::user::{Column as UserColumn, Entity as Users};
        let enabled: Vec<i64> = Users::find()
            .select_only()
            .column(UserColumn::Id)
            .filter(UserColumn::Id.is_in(named.clone()))
            .filter(UserColumn::DisabledAt.is_null())
            .into_tuple()
            .all(conn)
            .await?;
        if named.iter().any(|id| !enabled.contains(id)) {
            errors.add(
                "holder_id",
                "Choose someone from the list: that person cannot sign in.",
            );
        }
    }
    let scoped: Vec<i64> = after
        .service_ids
        .iter()
        .filter(|id| !before.service_ids.contains(id))
        .copied()
        .collect();
    if !scoped.is_empty() {
        let in_use = services_among(conn, &scoped, false).await?;
        if scoped.iter().any(|id| !in_use.contains(id)) {
            errors.add(
                "service_ids",
                "Choose services from the list: one of them is not in the catalogue.",
            );
        }
    }
    errors.into_result(()).map_err(AppError::Validation)
}

/// Which of `ids` are services archived (`archived`) or in use (not `archived`): one query.
async fn services_among<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
    archived: bool,
) -> Result<Vec<i64>, AppError> {
    use crate::server::entity::service::{Column as ServiceColumn, Entity as Services};
    let archived_at = if archived {
        ServiceColumn::ArchivedAt.is_not_null()
    } else {
        ServiceColumn::ArchivedAt.is_null()
    };
    Ok(Services::find()
        .select_only()
        .column(ServiceColumn::Id)
        .filter(ServiceColumn::Id.is_in(ids.to_vec()))
        .filter(archived_at)
        .into_tuple()
        .all(conn)
        .await?)
}

/// The scope form offers only services in use: those the draft scoped that were archived
/// since stay in scope unless the form is the place they were taken out of.
async fn keep_archived<C: ConnectionTrait>(
    conn: &C,
    before: &ProfileContent,
    after: &mut ProfileContent,
) -> Result<(), AppError> {
    let dropped: Vec<i64> = before
        .service_ids
        .iter()
        .filter(|id| !after.service_ids.contains(id))
        .copied()
        .collect();
    if dropped.is_empty() {
        return Ok(());
    }
    let archived = services_among(conn, &dropped, true).await?;
    after.service_ids.extend(archived);
    after.service_ids.sort_unstable();
    Ok(())
}

/// Throws the open draft away (never a version in review or approved).
pub async fn discard(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<(), AppError> {
    refuse_writer(user)?;
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    if state_of(&before) != DocState::Draft {
        return Err(AppError::BadRequest(format!(
            "Version {} is {}; only a draft is discarded.",
            before.number,
            state_of(&before).label().to_lowercase()
        )));
    }
    versioned::delete::<Versions, _>(&txn, id, version).await?;
    audit::record(
        &txn,
        actor,
        RecordType::SmsProfile,
        id,
        "profile_draft_discarded",
        format!("SMS profile version {} discarded", before.number),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A lifecycle move of version `id` read at `version`. Approval stamps the approver, the time
/// and the next review and supersedes the version in force, in the same transaction.
pub async fn act(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    action: DocAction,
    today: NaiveDate,
) -> Result<DocState, AppError> {
    let txn = db.begin_write().await?;
    let before = row(&txn, id).await?;
    check_version::<Versions>(version, before.version)?;
    let current = in_force(&txn).await?;
    let content = content_of(&before)?;
    let facts = facts_of(&before, &content, current.as_ref());
    let next = transition(&facts, action, &ActorFacts::from(user))?;
    let now = Utc::now();
    if next == DocState::Approved {
        versioned::update_unchecked(&txn, |update: UpdateMany<Versions>| {
            update
                .col_expr(Column::State, Expr::value(DocState::Superseded.as_str()))
                .filter(Column::State.eq(DocState::Approved.as_str()))
        })
        .await?;
    }
    let from = facts.state;
    versioned::update(&txn, id, version, |update: UpdateMany<Versions>| {
        let update = update
            .col_expr(Column::State, Expr::value(next.as_str()))
            .filter(Column::State.eq(from.as_str()));
        if next == DocState::Approved {
            update
                .col_expr(Column::ApprovedBy, Expr::value(user.id))
                .col_expr(Column::ApprovedAt, Expr::value(now))
                .col_expr(Column::NextReviewOn, Expr::value(review_due(today)))
        } else {
            update
        }
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::SmsProfile,
        id,
        "profile_version_moved",
        format!(
            "SMS profile version {}: {} → {}",
            before.number,
            from.label(),
            next.label()
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(next)
}

/// What the evidence of clauses 4.1–6.3 is judged on: the version in force, the people it
/// names who can no longer sign in, and the services in use that it neither scopes nor
/// excludes by name.
pub async fn facts<C: ConnectionTrait>(conn: &C) -> Result<ProfileFacts, AppError> {
    let Some(row) = in_force(conn).await? else {
        return Ok(ProfileFacts::default());
    };
    let content = content_of(&row)?;
    let disabled_holders: Vec<(i64, String)> = {
        use crate::server::entity::user::{Column as UserColumn, Entity as Users};
        Users::find()
            .select_only()
            .columns([UserColumn::Id, UserColumn::Name])
            .filter(UserColumn::Id.is_in(content.holder_ids()))
            .filter(UserColumn::DisabledAt.is_not_null())
            .into_tuple()
            .all(conn)
            .await?
    };
    let excluded: Vec<String> = content
        .exclusions
        .iter()
        .map(|e| e.what.to_lowercase())
        .collect();
    let unscoped_services = catalogue::active_refs(conn)
        .await?
        .into_iter()
        .filter(|s| {
            !content.service_ids.contains(&s.id) && !excluded.contains(&s.name.to_lowercase())
        })
        .map(|s| (s.id, s.name))
        .collect();
    let approved_on = row
        .approved_at
        .map(|at| at.date_naive())
        .unwrap_or_else(|| row.updated_at.date_naive());
    Ok(ProfileFacts {
        in_force: Some((row.number, approved_on, content)),
        next_review_on: row.next_review_on,
        disabled_holders,
        unscoped_services,
    })
}

/// Whether an approved profile exists (the gap assessment counts its clauses as evidenced).
pub async fn is_approved<C: ConnectionTrait>(conn: &C) -> Result<bool, AppError> {
    // One id read, not the version's content.
    let approved: Option<i64> = Versions::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::State.eq(DocState::Approved.as_str()))
        .into_tuple()
        .one(conn)
        .await?;
    Ok(approved.is_some())
}
