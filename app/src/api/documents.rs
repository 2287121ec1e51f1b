//! Server functions of the controlled document register. `ComplianceRead` reads; writing
//! needs `DocumentEdit`, and the document lifecycle then decides who may move a version
//! (approval: a quality manager who did not write it).

use crate::error::AppError;
use crate::model::refs::PersonRef;
use crate::model::sms_document::{
    DocAction, DocumentDetail, DocumentFilter, DocumentSummary, DocumentVersion,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::Permission,
    crate::model::access::RecordType,
    crate::model::sms_document::{DocumentForm, DraftForm},
    crate::server::service::schedule::local_today,
    crate::server::service::sms_documents,
};

/// The register, filtered by clause and status, as of the caller's date.
#[server(endpoint = "documents/list")]
pub async fn list_documents(
    #[server(default)] filter: DocumentFilter,
) -> Result<Vec<DocumentSummary>, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    let today = local_today(&caller.user.time_zone);
    Ok(sms_documents::list(caller.db.reader(), today)
        .await?
        .into_iter()
        .filter(|d| filter.keeps(d))
        .collect())
}

/// One document with every version (the content already rendered as safe HTML).
#[server(endpoint = "documents/get")]
pub async fn get_document(id: i64) -> Result<DocumentDetail, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    let today = local_today(&caller.user.time_zone);
    sms_documents::detail(caller.db.reader(), id, today).await
}

/// The people who may own a document.
#[server(endpoint = "documents/owners")]
pub async fn document_owners() -> Result<Vec<PersonRef>, AppError> {
    let caller = require(Permission::ComplianceRead).await?;
    crate::server::service::users::active_people(caller.db.reader()).await
}

/// Registers a document with its first draft and goes to it.
#[server(endpoint = "documents/create")]
pub async fn create_document(
    title: String,
    #[server(default)] clauses: Vec<String>,
    owner_id: i64,
    review_months: i32,
    #[server(default)] content: String,
    #[server(default)] link: String,
    #[server(default)] change_summary: String,
) -> Result<(), AppError> {
    let caller = require(Permission::DocumentEdit).await?;
    let id = sms_documents::create(
        &caller.db,
        &caller.user,
        &caller.actor(),
        DocumentForm {
            title,
            clauses,
            owner_id,
            review_months,
        },
        DraftForm {
            content,
            link,
            change_summary,
        },
    )
    .await?;
    leptos_axum::redirect(&format!("/compliance/documents/{id}"));
    Ok(())
}

/// Saves a draft and the document's details, each against the version it was loaded with.
#[server(endpoint = "documents/draft/save")]
pub async fn save_document_draft(
    version_id: i64,
    version: i32,
    document_version: i32,
    title: String,
    #[server(default)] clauses: Vec<String>,
    owner_id: i64,
    review_months: i32,
    #[server(default)] content: String,
    #[server(default)] link: String,
    #[server(default)] change_summary: String,
) -> Result<DocumentVersion, AppError> {
    let caller = require(Permission::DocumentEdit).await?;
    let result = sms_documents::save_draft(
        &caller.db,
        &caller.user,
        &caller.actor(),
        version_id,
        version,
        document_version,
        DocumentForm {
            title,
            clauses,
            owner_id,
            review_months,
        },
        DraftForm {
            content,
            link,
            change_summary,
        },
    )
    .await;
    caller
        .counted_on(
            RecordType::SmsDocument,
            sms_documents::document_of_version(&caller.db, version_id),
            result,
        )
        .await
}

/// One lifecycle transition of a version (the lifecycle decides who may).
#[server(endpoint = "documents/version/transition")]
pub async fn transition_document_version(
    version_id: i64,
    version: i32,
    action: DocAction,
) -> Result<DocumentVersion, AppError> {
    let caller = require(Permission::DocumentEdit).await?;
    let today = local_today(&caller.user.time_zone);
    let result = sms_documents::transition_version(
        &caller.db,
        &caller.user,
        &caller.actor(),
        version_id,
        version,
        action,
        today,
    )
    .await;
    caller
        .counted_on(
            RecordType::SmsDocument,
            sms_documents::document_of_version(&caller.db, version_id),
            result,
        )
        .await
}

/// The next draft, starting from the approved text.
#[server(endpoint = "documents/draft/new")]
pub async fn start_document_draft(document_id: i64) -> Result<DocumentVersion, AppError> {
    let caller = require(Permission::DocumentEdit).await?;
    let result =
        sms_documents::new_draft(&caller.db, &caller.user, &caller.actor(), document_id).await;
    caller
        .counted(RecordType::SmsDocument, Some(document_id), result)
        .await
}
