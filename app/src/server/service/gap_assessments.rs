//! Gap assessment campaigns: the quality manager opens one (at most one open at a time,
//! optionally starting from the previous assessment's ratings), assessors rate each
//! sub-clause with notes, an owner and evidence links, a gap can become an improvement
//! action in the register (linked both ways), and the quality manager closes it — closed
//! assessments are read-only. Results: readiness, heat map, blockers and the comparison with
//! the previous closed assessment. Every write is audited in its transaction.

use crate::error::{AppError, FieldErrors};
use crate::model::access::{Permission, RecordType, Role};
use crate::model::audit::diff;
use crate::model::clause_library::ClauseEntry;
use crate::model::clauses::CLAUSES;
use crate::model::gap::{
    self, check_evidence, parse_rating, AssessmentSheet, AssessmentState, AssessmentSummary,
    DocumentStatus, EvidenceKind, EvidenceLink, GapResults, LinkedImprovement, OpeningChoices,
    Rating, RatingRow,
};
use crate::model::improvement::Source;
use crate::model::register::ImprovementDraft;
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::gap_assessment::{self as assessment_entity, Entity as Assessments};
use crate::server::entity::gap_evidence::{self as evidence_entity, Entity as Evidence};
use crate::server::entity::gap_rating::{self as rating_entity, Entity as Ratings};
use crate::server::service::users::{people, person};
use crate::server::versioned::{self, check_version};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, UpdateMany,
};
use std::collections::{BTreeMap, BTreeSet};

/// What a row's save carries (the sheet posts every field of the row at once).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowInput {
    /// A maturity code, `not_applicable`, or empty for "not rated yet".
    pub rating: String,
    pub justification: String,
    pub notes: String,
    pub owner_id: Option<i64>,
}

fn may_assess(user: &CurrentUser) -> Result<(), AppError> {
    if user.may(Permission::GapAssess) {
        Ok(())
    } else {
        Err(AppError::Forbidden("rate a gap assessment".into()))
    }
}

/// Opening and closing a campaign is the quality manager's.
fn is_quality_manager(user: &CurrentUser, what: &str) -> Result<(), AppError> {
    if user.roles.contains(&Role::QualityManager) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "{what} (only a quality manager may)"
        )))
    }
}

fn closed_error() -> AppError {
    AppError::BadRequest("This assessment is closed: its ratings are read-only.".into())
}

async fn assessment_row<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<assessment_entity::Model, AppError> {
    Assessments::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That gap assessment".into()))
}

async fn rating_row<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<rating_entity::Model, AppError> {
    Ratings::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That sub-clause rating".into()))
}

fn stored_rating(row: &rating_entity::Model) -> Option<Rating> {
    row.rating
        .as_deref()
        .and_then(|code| Rating::from_code(code, &row.justification))
}

fn rating_map(rows: &[rating_entity::Model]) -> BTreeMap<String, Rating> {
    rows.iter()
        .filter_map(|r| stored_rating(r).map(|rating| (r.clause.clone(), rating)))
        .collect()
}

async fn rows_of<C: ConnectionTrait>(
    conn: &C,
    assessment_id: i64,
) -> Result<Vec<rating_entity::Model>, AppError> {
    Ok(Ratings::find()
        .filter(rating_entity::Column::AssessmentId.eq(assessment_id))
        .all(conn)
        .await?)
}

async fn summaries<C: ConnectionTrait>(
    conn: &C,
    assessments: Vec<assessment_entity::Model>,
) -> Result<Vec<AssessmentSummary>, AppError> {
    let ids: Vec<i64> = assessments.iter().map(|a| a.opened_by).collect();
    let names = people(conn, &ids).await?;
    let mut out = Vec::with_capacity(assessments.len());
    for row in assessments {
        let rows = rows_of(conn, row.id).await?;
        let ratings = rating_map(&rows);
        let (_, overall) = gap::readiness(&ratings);
        out.push(AssessmentSummary {
            id: row.id,
            title: row.title,
            state: AssessmentState::parse(&row.state).unwrap_or(AssessmentState::Closed),
            opened_by: person(&names, row.opened_by),
            opened_at: row.opened_at,
            closed_at: row.closed_at,
            version: row.version,
            rated: ratings.len(),
            overall,
        });
    }
    Ok(out)
}

async fn summary<C: ConnectionTrait>(
    conn: &C,
    row: assessment_entity::Model,
) -> Result<AssessmentSummary, AppError> {
    summaries(conn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound("That gap assessment".into()))
}

/// Every assessment, newest first.
pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<AssessmentSummary>, AppError> {
    let rows = Assessments::find()
        .order_by_desc(assessment_entity::Column::OpenedAt)
        .order_by_desc(assessment_entity::Column::Id)
        .all(conn)
        .await?;
    summaries(conn, rows).await
}

/// The open assessment (if any) and the newest one whose ratings could be copied.
pub async fn opening_choices<C: ConnectionTrait>(conn: &C) -> Result<OpeningChoices, AppError> {
    let all = list(conn).await?;
    Ok(OpeningChoices {
        open: all
            .iter()
            .find(|a| a.state == AssessmentState::Open)
            .cloned(),
        previous: all.into_iter().next(),
    })
}

/// Opens a campaign with a row per sub-clause; with `copy_previous`, the newest assessment's
/// ratings, justifications, notes, owners and evidence links are the starting point.
pub async fn open(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    title: &str,
    copy_previous: bool,
) -> Result<AssessmentSummary, AppError> {
    is_quality_manager(user, "open a gap assessment")?;
    let title = title.trim();
    let count = title.chars().count();
    if !(3..=160).contains(&count) {
        return Err(AppError::single_field(
            "title",
            "Name the assessment in 3 to 160 characters, for example “Readiness check, spring 2027”.",
        ));
    }
    let txn = db.begin_write().await?;
    let existing = Assessments::find()
        .order_by_desc(assessment_entity::Column::OpenedAt)
        .order_by_desc(assessment_entity::Column::Id)
        .all(&txn)
        .await?;
    if let Some(open) = existing
        .iter()
        .find(|a| a.state == AssessmentState::Open.as_str())
    {
        return Err(AppError::BadRequest(format!(
            "“{}” is still open: close it before opening another assessment.",
            open.title
        )));
    }
    let now = Utc::now();
    let created = assessment_entity::ActiveModel {
        title: Set(title.to_string()),
        state: Set(AssessmentState::Open.as_str().into()),
        opened_by: Set(user.id),
        opened_at: Set(now),
        closed_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let previous = match (copy_previous, existing.first()) {
        (true, Some(prev)) => rows_of(&txn, prev.id).await?,
        _ => Vec::new(),
    };
    let copied_from = copy_previous
        .then(|| existing.first().map(|p| p.title.clone()))
        .flatten();
    for (number, _) in CLAUSES {
        let from = previous.iter().find(|r| r.clause == *number);
        let row = rating_entity::ActiveModel {
            assessment_id: Set(created.id),
            clause: Set(number.to_string()),
            rating: Set(from.and_then(|r| r.rating.clone())),
            justification: Set(from.map(|r| r.justification.clone()).unwrap_or_default()),
            notes: Set(from.map(|r| r.notes.clone()).unwrap_or_default()),
            owner_id: Set(from.and_then(|r| r.owner_id)),
            improvement_id: Set(None),
            version: Set(1),
            updated_by: Set(from.map(|_| user.id)),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if let Some(from) = from {
            for link in Evidence::find()
                .filter(evidence_entity::Column::RatingId.eq(from.id))
                .all(&txn)
                .await?
            {
                evidence_entity::ActiveModel {
                    rating_id: Set(row.id),
                    kind: Set(link.kind),
                    target: Set(link.target),
                    label: Set(link.label),
                    created_by: Set(user.id),
                    created_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
    }
    let summary_text = match &copied_from {
        Some(prev) => format!("Gap assessment “{title}” opened, starting from “{prev}”"),
        None => format!("Gap assessment “{title}” opened"),
    };
    audit::append(
        &txn,
        actor,
        Event::new(
            "gap_assessment_opened",
            RecordType::GapAssessment,
            Some(created.id.to_string()),
            summary_text,
        )
        .with_changes(diff(
            None,
            Some(
                &serde_json::json!({ "title": title, "state": "Open", "copied_from": copied_from }),
            ),
        )),
    )
    .await?;
    let out = summary(&txn, created).await?;
    txn.commit().await?;
    Ok(out)
}

/// Closes the campaign; its ratings are read-only from then on.
pub async fn close(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
) -> Result<AssessmentSummary, AppError> {
    is_quality_manager(user, "close a gap assessment")?;
    let txn = db.begin_write().await?;
    let before = assessment_row(&txn, id).await?;
    if before.state != AssessmentState::Open.as_str() {
        return Err(AppError::BadRequest(
            "This assessment is closed already.".into(),
        ));
    }
    versioned::update(&txn, id, version, |update: UpdateMany<Assessments>| {
        update
            .col_expr(
                assessment_entity::Column::State,
                Expr::value(AssessmentState::Closed.as_str()),
            )
            .col_expr(
                assessment_entity::Column::ClosedAt,
                Expr::value(Some(Utc::now())),
            )
    })
    .await?;
    let after = assessment_row(&txn, id).await?;
    let out = summary(&txn, after).await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "gap_assessment_closed",
            RecordType::GapAssessment,
            Some(id.to_string()),
            format!(
                "Gap assessment “{}” closed at {}% readiness",
                out.title,
                out.overall.percent().unwrap_or(0)
            ),
        )
        .with_changes(diff(
            Some(&serde_json::json!({ "state": "Open" })),
            Some(&serde_json::json!({ "state": "Closed" })),
        )),
    )
    .await?;
    txn.commit().await?;
    Ok(out)
}

async fn evidence_of<C: ConnectionTrait>(
    conn: &C,
    rating_ids: &[i64],
) -> Result<BTreeMap<i64, Vec<EvidenceLink>>, AppError> {
    let rows = Evidence::find()
        .filter(evidence_entity::Column::RatingId.is_in(rating_ids.to_vec()))
        .order_by_asc(evidence_entity::Column::Id)
        .all(conn)
        .await?;
    let creators: Vec<i64> = rows.iter().map(|r| r.created_by).collect();
    let names = people(conn, &creators).await?;
    let mut out: BTreeMap<i64, Vec<EvidenceLink>> = BTreeMap::new();
    for row in rows {
        let Some(kind) = EvidenceKind::parse(&row.kind) else {
            continue;
        };
        out.entry(row.rating_id).or_default().push(EvidenceLink {
            id: row.id,
            kind,
            target: row.target,
            label: row.label,
            created_by: person(&names, row.created_by),
            created_at: row.created_at,
        });
    }
    Ok(out)
}

async fn row_views<C: ConnectionTrait>(
    conn: &C,
    rows: Vec<rating_entity::Model>,
) -> Result<Vec<RatingRow>, AppError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut evidence = evidence_of(conn, &ids).await?;
    let wanted: Vec<i64> = rows
        .iter()
        .flat_map(|r| r.owner_id.into_iter().chain(r.updated_by))
        .collect();
    let names = people(conn, &wanted).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let improvement = match row.improvement_id {
            Some(id) => crate::server::service::register::get(conn, id)
                .await
                .ok()
                .map(|entry| LinkedImprovement {
                    id: entry.id,
                    reference: entry.reference(),
                    title: entry.title.clone(),
                    state: entry.state.label().to_string(),
                }),
            None => None,
        };
        out.push(RatingRow {
            rating: stored_rating(&row),
            evidence: evidence.remove(&row.id).unwrap_or_default(),
            owner: row.owner_id.map(|id| person(&names, id)),
            updated_by: row.updated_by.map(|id| person(&names, id)),
            improvement,
            id: row.id,
            clause: row.clause,
            notes: row.notes,
            version: row.version,
            updated_at: row.updated_at,
        });
    }
    out.sort_by_key(|r| crate::model::clause_library::sort_key(&r.clause));
    Ok(out)
}

async fn row_view<C: ConnectionTrait>(conn: &C, id: i64) -> Result<RatingRow, AppError> {
    let row = rating_row(conn, id).await?;
    row_views(conn, vec![row])
        .await?
        .pop()
        .ok_or_else(|| AppError::NotFound("That sub-clause rating".into()))
}

/// The library to rate against: the stored one, or the bundled one before the first sync.
async fn library<C: ConnectionTrait>(conn: &C) -> Result<Vec<ClauseEntry>, AppError> {
    let stored = crate::server::service::clause_library::list(conn).await?;
    if !stored.is_empty() {
        return Ok(stored);
    }
    crate::model::clause_library::bundled()
        .map(|l| l.clauses)
        .map_err(crate::server::failure::internal)
}

/// The whole sheet of one assessment.
pub async fn sheet<C: ConnectionTrait>(conn: &C, id: i64) -> Result<AssessmentSheet, AppError> {
    let row = assessment_row(conn, id).await?;
    let rows = rows_of(conn, id).await?;
    Ok(AssessmentSheet {
        assessment: summary(conn, row).await?,
        clauses: library(conn).await?,
        rows: row_views(conn, rows).await?,
        people: crate::server::service::users::active_people(conn).await?,
    })
}

/// The rating row and its (open) assessment, for a write.
async fn writable(
    txn: &DatabaseTransaction,
    rating_id: i64,
) -> Result<(rating_entity::Model, assessment_entity::Model), AppError> {
    let row = rating_row(txn, rating_id).await?;
    let assessment = assessment_row(txn, row.assessment_id).await?;
    if assessment.state != AssessmentState::Open.as_str() {
        return Err(closed_error());
    }
    Ok((row, assessment))
}

fn audit_row(row: &rating_entity::Model, owner: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "rating": stored_rating(row).map(|r| r.label()),
        "justification": row.justification,
        "notes": row.notes,
        "owner": owner,
    })
}

/// Saves a row (rating, N/A justification, notes, owner) against the version it was loaded with.
pub async fn save_rating(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    rating_id: i64,
    version: i32,
    input: RowInput,
) -> Result<RatingRow, AppError> {
    may_assess(user)?;
    let mut errors = FieldErrors::new();
    let rating = match parse_rating(&input.rating, &input.justification) {
        Ok(rating) => rating,
        Err(message) => {
            let field = if input.rating.trim() == gap::NOT_APPLICABLE {
                "justification"
            } else {
                "rating"
            };
            errors.add(field, message);
            None
        }
    };
    let notes = input.notes.trim().to_string();
    if notes.chars().count() > 4000 {
        errors.add("notes", "Keep the notes under 4000 characters.");
    }
    let txn = db.begin_write().await?;
    let (before, assessment) = writable(&txn, rating_id).await?;
    check_version::<Ratings>(version, before.version)?;
    let mut wanted: Vec<i64> = input.owner_id.into_iter().collect();
    wanted.extend(before.owner_id);
    let names = people(&txn, &wanted).await?;
    if let Some(owner) = input.owner_id {
        let active = crate::server::service::users::active_people(&txn).await?;
        if !active.iter().any(|p| p.id == owner) {
            errors.add("owner_id", "Choose the owner from the list.");
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let justification = match &rating {
        Some(Rating::NotApplicable { justification }) => justification.clone(),
        _ => String::new(),
    };
    versioned::update(&txn, rating_id, version, |update: UpdateMany<Ratings>| {
        update
            .col_expr(
                rating_entity::Column::Rating,
                Expr::value(rating.as_ref().map(|r| r.code().to_string())),
            )
            .col_expr(
                rating_entity::Column::Justification,
                Expr::value(justification),
            )
            .col_expr(rating_entity::Column::Notes, Expr::value(notes))
            .col_expr(rating_entity::Column::OwnerId, Expr::value(input.owner_id))
            .col_expr(rating_entity::Column::UpdatedBy, Expr::value(Some(user.id)))
    })
    .await?;
    let after = rating_row(&txn, rating_id).await?;
    let name = |id: Option<i64>| id.map(|id| person(&names, id).name);
    audit::append(
        &txn,
        actor,
        Event::new(
            "gap_rating_saved",
            RecordType::GapAssessment,
            Some(assessment.id.to_string()),
            format!(
                "{} rated {} in “{}”",
                crate::model::clauses::label(&after.clause),
                stored_rating(&after).map_or("Not rated", |r| r.label()),
                assessment.title
            ),
        )
        .with_changes(diff(
            Some(&audit_row(&before, name(before.owner_id).as_deref())),
            Some(&audit_row(&after, name(after.owner_id).as_deref())),
        )),
    )
    .await?;
    let out = row_view(&txn, rating_id).await?;
    txn.commit().await?;
    Ok(out)
}

/// Adds an evidence link to a row (links are a list: adding one does not touch the rating).
pub async fn add_evidence(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    rating_id: i64,
    kind: &str,
    target: &str,
    label: &str,
) -> Result<RatingRow, AppError> {
    may_assess(user)?;
    let draft = check_evidence(kind, target, label)?;
    let txn = db.begin_write().await?;
    let (row, assessment) = writable(&txn, rating_id).await?;
    let created = evidence_entity::ActiveModel {
        rating_id: Set(rating_id),
        kind: Set(draft.kind.as_str().into()),
        target: Set(draft.target.clone()),
        label: Set(draft.label.clone()),
        created_by: Set(user.id),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "gap_evidence_added",
            RecordType::GapAssessment,
            Some(assessment.id.to_string()),
            format!(
                "Evidence “{}” linked to {} in “{}”",
                created.label, row.clause, assessment.title
            ),
        )
        .with_changes(diff(
            None,
            Some(&serde_json::json!({ "kind": created.kind, "target": created.target, "label": created.label })),
        )),
    )
    .await?;
    let out = row_view(&txn, rating_id).await?;
    txn.commit().await?;
    Ok(out)
}

/// Removes an evidence link.
pub async fn remove_evidence(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    evidence_id: i64,
) -> Result<RatingRow, AppError> {
    may_assess(user)?;
    let txn = db.begin_write().await?;
    let link = Evidence::find_by_id(evidence_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That evidence link".into()))?;
    let (row, assessment) = writable(&txn, link.rating_id).await?;
    Evidence::delete_by_id(evidence_id).exec(&txn).await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "gap_evidence_removed",
            RecordType::GapAssessment,
            Some(assessment.id.to_string()),
            format!(
                "Evidence “{}” unlinked from {} in “{}”",
                link.label, row.clause, assessment.title
            ),
        )
        .with_changes(diff(
            Some(&serde_json::json!({ "kind": link.kind, "target": link.target, "label": link.label })),
            None,
        )),
    )
    .await?;
    let out = row_view(&txn, row.id).await?;
    txn.commit().await?;
    Ok(out)
}

/// Turns a gap into an improvement action: a register entry sourced from this assessment and
/// sub-clause (`gap:<assessment>/<clause>`, which the entry's page links back to), owned by the
/// row's owner (or the caller), and stored on the row.
pub async fn raise_improvement(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    rating_id: i64,
    version: i32,
) -> Result<RatingRow, AppError> {
    may_assess(user)?;
    let txn = db.begin_write().await?;
    let (row, assessment) = writable(&txn, rating_id).await?;
    check_version::<Ratings>(version, row.version)?;
    if let Some(entry) = row.improvement_id {
        return Err(AppError::BadRequest(format!(
            "This gap is in the register already as {}.",
            crate::model::register::improvement_reference(entry)
        )));
    }
    let maturity = match stored_rating(&row) {
        Some(Rating::Rated(m)) if m.is_gap() => m,
        Some(Rating::Rated(_)) => {
            return Err(AppError::BadRequest(
                "This sub-clause is rated conforming: there is no gap to act on.".into(),
            ))
        }
        _ => {
            return Err(AppError::BadRequest(
                "Rate the sub-clause first: only a rated gap becomes an improvement action.".into(),
            ))
        }
    };
    let label = crate::model::clauses::label(&row.clause);
    let mut description = format!(
        "Found by the gap assessment “{}”: {label} is rated {}.",
        assessment.title,
        maturity.label().to_lowercase()
    );
    if !row.notes.trim().is_empty() {
        description.push_str("\n\n");
        description.push_str(row.notes.trim());
    }
    let entry = crate::server::service::register::insert_entry(
        &txn,
        actor,
        ImprovementDraft {
            title: format!("Close the gap in {label}")
                .chars()
                .take(160)
                .collect(),
            description,
            source: Source::GapAnalysis,
            source_ref: Some(format!("gap:{}/{}", assessment.id, row.clause)),
            service_ids: Vec::new(),
            clauses: vec![row.clause.clone()],
            expected_benefit: format!("{label} conforms to ISO/IEC 20000-1."),
            benefit_score: None,
            effort: None,
            owner_id: row.owner_id.unwrap_or(user.id),
            approver_id: None,
            target_date: None,
        },
    )
    .await?;
    versioned::update(&txn, rating_id, version, |update: UpdateMany<Ratings>| {
        update
            .col_expr(
                rating_entity::Column::ImprovementId,
                Expr::value(Some(entry.id)),
            )
            .col_expr(rating_entity::Column::UpdatedBy, Expr::value(Some(user.id)))
    })
    .await?;
    audit::append(
        &txn,
        actor,
        Event::new(
            "gap_improvement_raised",
            RecordType::GapAssessment,
            Some(assessment.id.to_string()),
            format!(
                "Gap in {} turned into {} in “{}”",
                row.clause,
                entry.reference(),
                assessment.title
            ),
        )
        .with_changes(diff(
            Some(&serde_json::json!({ "improvement": null })),
            Some(&serde_json::json!({ "improvement": entry.reference() })),
        )),
    )
    .await?;
    let out = row_view(&txn, rating_id).await?;
    txn.commit().await?;
    Ok(out)
}

/// What the document register holds per sub-clause: approved, or only unapproved versions.
/// Retired documents do not count.
pub async fn document_status<C: ConnectionTrait>(
    conn: &C,
) -> Result<BTreeMap<String, DocumentStatus>, AppError> {
    use crate::server::entity::sms_document::{self as doc, Entity as Documents};
    use crate::server::entity::sms_document_version::{self as ver, Entity as Versions};
    let documents = Documents::find()
        .filter(doc::Column::Retired.eq(false))
        .all(conn)
        .await?;
    // Only the ids: version rows carry the whole document text.
    let approved: BTreeSet<i64> = Versions::find()
        .select_only()
        .column(ver::Column::DocumentId)
        .filter(ver::Column::State.eq(crate::model::sms_document::DocState::Approved.as_str()))
        .into_tuple::<i64>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut out = BTreeMap::new();
    for document in documents {
        let clauses: Vec<String> = serde_json::from_str(&document.clauses).unwrap_or_default();
        let status = if approved.contains(&document.id) {
            DocumentStatus::Approved
        } else {
            DocumentStatus::OnlyUnapproved
        };
        for clause in clauses {
            let entry = out.entry(clause).or_insert(status);
            if status == DocumentStatus::Approved {
                *entry = DocumentStatus::Approved;
            }
        }
    }
    Ok(out)
}

/// The newest closed assessment opened before `current`.
async fn previous_closed<C: ConnectionTrait>(
    conn: &C,
    current: &assessment_entity::Model,
) -> Result<Option<assessment_entity::Model>, AppError> {
    Ok(Assessments::find()
        .filter(assessment_entity::Column::State.eq(AssessmentState::Closed.as_str()))
        .filter(assessment_entity::Column::Id.ne(current.id))
        .filter(assessment_entity::Column::OpenedAt.lte(current.opened_at))
        .order_by_desc(assessment_entity::Column::OpenedAt)
        .order_by_desc(assessment_entity::Column::Id)
        .one(conn)
        .await?)
}

/// Readiness per clause and overall, the heat map, the blockers and the comparison with the
/// previous closed assessment.
pub async fn results(db: &Db, id: i64) -> Result<GapResults, AppError> {
    let conn = db.reader();
    let row = assessment_row(conn, id).await?;
    let rows = rows_of(conn, id).await?;
    let ratings = rating_map(&rows);
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let evidence = evidence_of(conn, &ids).await?;
    let record_evidence: BTreeSet<String> = rows
        .iter()
        .filter(|r| {
            evidence
                .get(&r.id)
                .is_some_and(|links| links.iter().any(|l| l.kind.is_record_evidence()))
        })
        .map(|r| r.clause.clone())
        .collect();
    let live = crate::server::service::clause_evidence::clauses_with_live_records(db).await?;
    let documents = document_status(conn).await?;
    let blockers = gap::blockers(
        &library(conn).await?,
        &ratings,
        &documents,
        &live,
        &record_evidence,
    );
    let comparison = match previous_closed(conn, &row).await? {
        Some(prev) => {
            let before = rating_map(&rows_of(conn, prev.id).await?);
            Some(gap::comparison(
                summary(conn, prev).await?,
                &before,
                &ratings,
            ))
        }
        None => None,
    };
    Ok(gap::results(
        summary(conn, row).await?,
        &ratings,
        blockers,
        comparison,
    ))
}

/// The results of the newest assessment (open or closed; its `state` says which), for the
/// auditor's evidence pack; `None` before the first assessment.
pub async fn latest_results(db: &Db) -> Result<Option<GapResults>, AppError> {
    let newest = Assessments::find()
        .order_by_desc(assessment_entity::Column::OpenedAt)
        .order_by_desc(assessment_entity::Column::Id)
        .one(db.reader())
        .await?;
    match newest {
        Some(row) => Ok(Some(results(db, row.id).await?)),
        None => Ok(None),
    }
}
