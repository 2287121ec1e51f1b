//! The controlled document register: documents and their versions. A draft is saved against
//! its version (and the document's), sent to review, approved by a quality manager who did
//! not write it — which supersedes the version approved before, in the same transaction — and
//! never written again; the next draft starts from the approved text. Every write is audited.

use crate::error::{AppError, FieldErrors};
use crate::model::access::RecordType;
use crate::model::actor::ActorFacts;
use crate::model::refs::PersonRef;
use crate::model::sms_document::{
    may_write, next_review_on, transition, DocAction, DocState, DocumentDetail, DocumentForm,
    DocumentRef, DocumentSummary, DocumentVersion, DraftForm, ReviewStatus, DUE_WITHIN_DAYS,
};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor};
use crate::server::db::Db;
use crate::server::entity::sms_document::{self as doc_entity, Entity as Documents};
use crate::server::entity::sms_document_version::{self as version_entity, Entity as Versions};
use crate::server::service::users::{people, person};
use crate::server::versioned::{self, check_version};
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, UpdateMany,
};
use std::collections::{BTreeMap, HashMap};

fn clauses_of(row: &doc_entity::Model) -> Vec<String> {
    serde_json::from_str(&row.clauses).unwrap_or_default()
}

fn state_of(row: &version_entity::Model) -> DocState {
    DocState::parse(&row.state).unwrap_or(DocState::Draft)
}

async fn document_row<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<doc_entity::Model, AppError> {
    Documents::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That SMS document".into()))
}

async fn version_row<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<version_entity::Model, AppError> {
    Versions::find_by_id(id)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::NotFound("That document version".into()))
}

/// The document a version belongs to (refusals are counted on the document).
pub async fn document_of_version(db: &Db, version_id: i64) -> Option<i64> {
    version_row(db.reader(), version_id)
        .await
        .ok()
        .map(|row| row.document_id)
}

/// What a document's summary needs of each version: never its text.
#[derive(Debug, Clone, sea_orm::FromQueryResult)]
struct VersionFacts {
    document_id: i64,
    number: i32,
    state: String,
    approved_at: Option<chrono::DateTime<Utc>>,
    next_review_on: Option<NaiveDate>,
}

impl From<&version_entity::Model> for VersionFacts {
    fn from(row: &version_entity::Model) -> Self {
        VersionFacts {
            document_id: row.document_id,
            number: row.number,
            state: row.state.clone(),
            approved_at: row.approved_at,
            next_review_on: row.next_review_on,
        }
    }
}

impl VersionFacts {
    fn state(&self) -> DocState {
        DocState::parse(&self.state).unwrap_or(DocState::Draft)
    }
}

fn summary(
    row: &doc_entity::Model,
    versions: &[VersionFacts],
    names: &HashMap<i64, PersonRef>,
    today: NaiveDate,
) -> DocumentSummary {
    let approved = versions.iter().find(|v| v.state() == DocState::Approved);
    let latest = versions.iter().max_by_key(|v| v.number);
    DocumentSummary {
        id: row.id,
        title: row.title.clone(),
        clauses: clauses_of(row),
        owner: person(names, row.owner_id),
        review_months: row.review_months,
        approved_number: approved.map(|v| v.number),
        approved_at: approved.and_then(|v| v.approved_at),
        latest_number: latest.map(|v| v.number).unwrap_or(0),
        latest_state: latest.map(VersionFacts::state).unwrap_or(DocState::Draft),
        review: ReviewStatus::of(approved.and_then(|v| v.next_review_on), today),
        version: row.version,
    }
}

fn version_view(row: version_entity::Model, names: &HashMap<i64, PersonRef>) -> DocumentVersion {
    DocumentVersion {
        id: row.id,
        number: row.number,
        state: state_of(&row),
        content_html: crate::server::markdown::to_safe_html(&row.content),
        content: row.content,
        link: row.link,
        change_summary: row.change_summary,
        author: person(names, row.author_id),
        contributor_ids: crate::server::contributors::parse(&row.contributor_ids),
        approved_by: row.approved_by.map(|id| person(names, id)),
        approved_at: row.approved_at,
        next_review_on: row.next_review_on,
        version: row.version,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// Every document that is not retired, in the order of the first clause it answers.
pub async fn list<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<Vec<DocumentSummary>, AppError> {
    summaries(conn, None, today).await
}

/// The documents whose approved version is due for review within `DUE_WITHIN_DAYS` or
/// overdue (the dashboard's list), found in SQL rather than by summarising every document.
pub async fn due_for_review<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<Vec<DocumentSummary>, AppError> {
    let due_by = today + chrono::Duration::days(DUE_WITHIN_DAYS);
    let ids: Vec<i64> = Versions::find()
        .select_only()
        .column(version_entity::Column::DocumentId)
        .filter(version_entity::Column::State.eq(DocState::Approved.as_str()))
        .filter(version_entity::Column::NextReviewOn.lte(due_by))
        .into_tuple()
        .all(conn)
        .await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut due = summaries(conn, Some(ids), today).await?;
    due.retain(|d| d.review.needs_attention());
    Ok(due)
}

/// Summaries of the documents that are not retired (of `only` those, when given), with the
/// facts of their versions read without their text.
async fn summaries<C: ConnectionTrait>(
    conn: &C,
    only: Option<Vec<i64>>,
    today: NaiveDate,
) -> Result<Vec<DocumentSummary>, AppError> {
    let mut docs = Documents::find().filter(doc_entity::Column::Retired.eq(false));
    if let Some(ids) = only {
        docs = docs.filter(doc_entity::Column::Id.is_in(ids));
    }
    let docs = docs
        .order_by_asc(doc_entity::Column::Title)
        .all(conn)
        .await?;
    let versions = Versions::find()
        .select_only()
        .columns([
            version_entity::Column::DocumentId,
            version_entity::Column::Number,
            version_entity::Column::State,
            version_entity::Column::ApprovedAt,
            version_entity::Column::NextReviewOn,
        ])
        .filter(version_entity::Column::DocumentId.is_in(docs.iter().map(|d| d.id)))
        .into_model::<VersionFacts>()
        .all(conn)
        .await?;
    let mut by_doc: HashMap<i64, Vec<VersionFacts>> = HashMap::new();
    for v in versions {
        by_doc.entry(v.document_id).or_default().push(v);
    }
    let owners: Vec<i64> = docs.iter().map(|d| d.owner_id).collect();
    let names = people(conn, &owners).await?;
    let position = |clause: Option<&String>| {
        clause
            .and_then(|c| {
                crate::model::clauses::CLAUSES
                    .iter()
                    .position(|(n, _)| n == c)
            })
            .unwrap_or(usize::MAX)
    };
    let mut out: Vec<DocumentSummary> = docs
        .iter()
        .map(|d| {
            let versions = by_doc.get(&d.id).map(Vec::as_slice).unwrap_or(&[]);
            summary(d, versions, &names, today)
        })
        .collect();
    out.sort_by(|a, b| {
        position(a.clauses.first())
            .cmp(&position(b.clauses.first()))
            .then_with(|| a.title.cmp(&b.title))
    });
    Ok(out)
}

/// One document with all its versions, newest first.
pub async fn detail<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    today: NaiveDate,
) -> Result<DocumentDetail, AppError> {
    let doc = document_row(conn, id).await?;
    let rows = Versions::find()
        .filter(version_entity::Column::DocumentId.eq(id))
        .order_by_desc(version_entity::Column::Number)
        .all(conn)
        .await?;
    let mut wanted = vec![doc.owner_id];
    for row in &rows {
        wanted.push(row.author_id);
        wanted.extend(row.approved_by);
    }
    let names = people(conn, &wanted).await?;
    let facts: Vec<VersionFacts> = rows.iter().map(VersionFacts::from).collect();
    let summary = summary(&doc, &facts, &names, today);
    Ok(DocumentDetail {
        summary,
        versions: rows.into_iter().map(|r| version_view(r, &names)).collect(),
    })
}

/// Checks both forms, and that the owner is someone Conform knows.
async fn check_forms<C: ConnectionTrait>(
    conn: &C,
    document: &DocumentForm,
    draft: &DraftForm,
) -> Result<(DocumentForm, DraftForm), AppError> {
    let mut errors = FieldErrors::new();
    let document = document.check(&mut errors);
    let draft = draft.check(&mut errors);
    if document.owner_id > 0 && people(conn, &[document.owner_id]).await?.is_empty() {
        errors.add("owner_id", "Choose the document's owner from the list.");
    }
    if errors.is_empty() {
        Ok((document, draft))
    } else {
        Err(errors.into())
    }
}

async fn insert_draft(
    txn: &DatabaseTransaction,
    document_id: i64,
    number: i32,
    draft: &DraftForm,
    author_id: i64,
) -> Result<version_entity::Model, AppError> {
    let now = Utc::now();
    Ok(version_entity::ActiveModel {
        document_id: Set(document_id),
        number: Set(number),
        state: Set(DocState::Draft.as_str().into()),
        content: Set(draft.content.clone()),
        link: Set((!draft.link.is_empty()).then(|| draft.link.clone())),
        change_summary: Set(draft.change_summary.clone()),
        author_id: Set(author_id),
        approved_by: Set(None),
        approved_at: Set(None),
        next_review_on: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(txn)
    .await?)
}

/// Registers a document with its first draft, written by `user`; returns its id.
pub async fn create(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    document: DocumentForm,
    draft: DraftForm,
) -> Result<i64, AppError> {
    let txn = db.begin_write().await?;
    let (document, draft) = check_forms(&txn, &document, &draft).await?;
    let now = Utc::now();
    let row = doc_entity::ActiveModel {
        title: Set(document.title.clone()),
        clauses: Set(serde_json::to_string(&document.clauses).unwrap_or_else(|_| "[]".into())),
        owner_id: Set(document.owner_id),
        review_months: Set(document.review_months),
        retired: Set(false),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    insert_draft(&txn, row.id, 1, &draft, user.id).await?;
    audit::record(
        &txn,
        actor,
        RecordType::SmsDocument,
        row.id,
        "document_created",
        format!(
            "SMS document “{}” registered for {}",
            document.title,
            document.clauses.join(", ")
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(row.id)
}

/// Saves a draft: the document's title, clauses, owner and review cycle (against
/// `document_version`) and the draft's text, link and change summary (against `version`).
/// Refused for any version that is not a draft — approved text is never rewritten.
#[allow(clippy::too_many_arguments)]
pub async fn save_draft(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    version_id: i64,
    version: i32,
    document_version: i32,
    document: DocumentForm,
    draft: DraftForm,
) -> Result<DocumentVersion, AppError> {
    let txn = db.begin_write().await?;
    let row = version_row(&txn, version_id).await?;
    let doc = document_row(&txn, row.document_id).await?;
    let state = state_of(&row);
    if !state.is_editable() {
        return Err(AppError::BadRequest(format!(
            "Version {} is {}; only a draft can change. Start a new draft from the approved version.",
            row.number,
            state.label().to_lowercase()
        )));
    }
    if !may_write(row.author_id, doc.owner_id, &ActorFacts::from(user)) {
        return Err(AppError::Refused(
            "Only the draft's author, the document's owner or a quality manager edits it.".into(),
        ));
    }
    check_version::<Versions>(version, row.version)?;
    check_version::<Documents>(document_version, doc.version)?;
    let (document, draft) = check_forms(&txn, &document, &draft).await?;
    let contributors =
        crate::server::contributors::with(&row.contributor_ids, row.author_id, user.id);
    // Approved text is never rewritten, whatever a concurrent move did.
    versioned::update(&txn, version_id, version, |update: UpdateMany<Versions>| {
        update
            .col_expr(
                version_entity::Column::Content,
                Expr::value(draft.content.clone()),
            )
            .col_expr(
                version_entity::Column::Link,
                Expr::value((!draft.link.is_empty()).then(|| draft.link.clone())),
            )
            .col_expr(
                version_entity::Column::ChangeSummary,
                Expr::value(draft.change_summary.clone()),
            )
            .col_expr(
                version_entity::Column::ContributorIds,
                Expr::value(contributors),
            )
            .filter(version_entity::Column::State.eq(DocState::Draft.as_str()))
    })
    .await?;
    let clauses = serde_json::to_string(&document.clauses).unwrap_or_else(|_| "[]".into());
    versioned::update(
        &txn,
        doc.id,
        document_version,
        |update: UpdateMany<Documents>| {
            update
                .col_expr(
                    doc_entity::Column::Title,
                    Expr::value(document.title.clone()),
                )
                .col_expr(doc_entity::Column::Clauses, Expr::value(clauses))
                .col_expr(doc_entity::Column::OwnerId, Expr::value(document.owner_id))
                .col_expr(
                    doc_entity::Column::ReviewMonths,
                    Expr::value(document.review_months),
                )
        },
    )
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::SmsDocument,
        doc.id,
        "document_draft_saved",
        format!("“{}” draft version {} saved", document.title, row.number),
    )
    .await?;
    let after = version_row(&txn, version_id).await?;
    let names = people(&txn, &[after.author_id]).await?;
    txn.commit().await?;
    Ok(version_view(after, &names))
}

/// A lifecycle transition of a version as `transition` allows it for `user`. Approval stamps the
/// approver, the time and the next review (`today` + the review cycle) and supersedes the
/// version approved before, all in one transaction.
pub async fn transition_version(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    version_id: i64,
    version: i32,
    action: DocAction,
    today: NaiveDate,
) -> Result<DocumentVersion, AppError> {
    let txn = db.begin_write().await?;
    let row = version_row(&txn, version_id).await?;
    check_version::<Versions>(version, row.version)?;
    let doc = document_row(&txn, row.document_id).await?;
    if doc.retired {
        return Err(AppError::BadRequest("The document is retired.".into()));
    }
    let state = state_of(&row);
    let next = transition(
        state,
        action,
        row.author_id,
        &crate::server::contributors::parse(&row.contributor_ids),
        doc.owner_id,
        &ActorFacts::from(user),
    )?;
    let now = Utc::now();
    if next == DocState::Approved {
        // The version approved before is superseded, in the same transaction.
        versioned::update_unchecked(&txn, |update: UpdateMany<Versions>| {
            update
                .col_expr(
                    version_entity::Column::State,
                    Expr::value(DocState::Superseded.as_str()),
                )
                .filter(version_entity::Column::DocumentId.eq(doc.id))
                .filter(version_entity::Column::State.eq(DocState::Approved.as_str()))
        })
        .await?;
    }
    versioned::update(&txn, version_id, version, |update: UpdateMany<Versions>| {
        let update = update.col_expr(version_entity::Column::State, Expr::value(next.as_str()));
        if next == DocState::Approved {
            update
                .col_expr(version_entity::Column::ApprovedBy, Expr::value(user.id))
                .col_expr(version_entity::Column::ApprovedAt, Expr::value(now))
                .col_expr(
                    version_entity::Column::NextReviewOn,
                    Expr::value(next_review_on(today, doc.review_months)),
                )
        } else {
            update
        }
    })
    .await?;
    audit::record(
        &txn,
        actor,
        RecordType::SmsDocument,
        doc.id,
        "document_version_moved",
        format!(
            "“{}” version {}: {} → {}",
            doc.title,
            row.number,
            state.label(),
            next.label()
        ),
    )
    .await?;
    let after = version_row(&txn, version_id).await?;
    let mut wanted = vec![after.author_id];
    wanted.extend(after.approved_by);
    let names = people(&txn, &wanted).await?;
    txn.commit().await?;
    Ok(version_view(after, &names))
}

/// Starts the next draft from the approved text (refused while a draft or review is open).
pub async fn new_draft(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    document_id: i64,
) -> Result<DocumentVersion, AppError> {
    let txn = db.begin_write().await?;
    let doc = document_row(&txn, document_id).await?;
    if doc.retired {
        return Err(AppError::BadRequest("The document is retired.".into()));
    }
    let rows = Versions::find()
        .filter(version_entity::Column::DocumentId.eq(document_id))
        .order_by_desc(version_entity::Column::Number)
        .all(&txn)
        .await?;
    if let Some(open) = rows.iter().find(|r| state_of(r).is_open()) {
        return Err(AppError::BadRequest(format!(
            "Version {} is still {}; work on it instead of starting another.",
            open.number,
            state_of(open).label().to_lowercase()
        )));
    }
    let approved = rows
        .iter()
        .find(|r| state_of(r) == DocState::Approved)
        .or(rows.first())
        .ok_or_else(|| AppError::NotFound("A version of that document".into()))?;
    let number = rows.iter().map(|r| r.number).max().unwrap_or(0) + 1;
    let draft = DraftForm {
        content: approved.content.clone(),
        link: approved.link.clone().unwrap_or_default(),
        change_summary: String::new(),
    };
    let row = insert_draft(&txn, document_id, number, &draft, user.id).await?;
    audit::record(
        &txn,
        actor,
        RecordType::SmsDocument,
        document_id,
        "document_draft_started",
        format!(
            "“{}” version {} started from version {}",
            doc.title, number, approved.number
        ),
    )
    .await?;
    let names = people(&txn, &[user.id]).await?;
    txn.commit().await?;
    Ok(version_view(row, &names))
}

/// The approved version of every document that is not retired, with its text and link.
pub async fn approved_documents(
    db: &Db,
) -> Result<Vec<(DocumentRef, String, Option<String>)>, AppError> {
    let today = Utc::now().date_naive();
    Ok(approved(db.reader(), today)
        .await?
        .into_iter()
        .map(|(doc, _, version)| (doc, version.content, version.link))
        .collect())
}

/// Clause number → the approved, non-retired documents answering it, by title.
pub async fn approved_by_clause(db: &Db) -> Result<BTreeMap<String, Vec<DocumentRef>>, AppError> {
    let today = Utc::now().date_naive();
    let mut out: BTreeMap<String, Vec<DocumentRef>> = BTreeMap::new();
    for (doc, clauses, _) in approved(db.reader(), today).await? {
        for clause in clauses {
            out.entry(clause).or_default().push(doc.clone());
        }
    }
    Ok(out)
}

async fn approved<C: ConnectionTrait>(
    conn: &C,
    today: NaiveDate,
) -> Result<Vec<(DocumentRef, Vec<String>, version_entity::Model)>, AppError> {
    let docs: HashMap<i64, doc_entity::Model> = Documents::find()
        .filter(doc_entity::Column::Retired.eq(false))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let versions = Versions::find()
        .filter(version_entity::Column::State.eq(DocState::Approved.as_str()))
        .all(conn)
        .await?;
    let mut out = Vec::new();
    for v in versions {
        let Some(doc) = docs.get(&v.document_id) else {
            continue;
        };
        let (Some(approved_at), Some(next)) = (v.approved_at, v.next_review_on) else {
            continue;
        };
        out.push((
            DocumentRef {
                id: doc.id,
                title: doc.title.clone(),
                version: v.number,
                approved_at,
                next_review_on: next,
                overdue: ReviewStatus::of(Some(next), today).is_overdue(),
            },
            clauses_of(doc),
            v,
        ));
    }
    out.sort_by(|a, b| a.0.title.cmp(&b.0.title).then(a.0.id.cmp(&b.0.id)));
    Ok(out)
}
