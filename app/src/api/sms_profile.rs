//! Server functions of the SMS profile (clauses 4.1–4.4, 5.1–5.3, 6.3). Everyone reads it
//! (`ProfileRead`); quality managers write its draft (`ProfileEdit`); the lifecycle is open to
//! all (`ProfileApprove`) because the rule — a quality manager or the top management in force,
//! who wrote none of the version — decides who moves it.

use crate::error::AppError;
use crate::model::audit::AuditEntry;
use crate::model::sms_document::DocAction;
use crate::model::sms_profile::{
    ExclusionForm, IssueForm, PartyForm, PolicyForm, ProfileList, ProfileView, RoleForm, ScopeForm,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::{Permission, RecordType},
    crate::model::sms_profile::ProfileEdit,
    crate::server::service::sms_profile,
};

/// The version in force, the one being worked on, and what the reader may do.
#[server(endpoint = "profile/get")]
pub async fn sms_profile_view() -> Result<ProfileView, AppError> {
    let caller = require(Permission::ProfileRead).await?;
    let today = crate::server::service::schedule::local_today(&caller.user.time_zone);
    sms_profile::view(caller.db.reader(), &caller.user, today).await
}

/// Changes recorded on one version.
#[server(endpoint = "profile/history")]
pub async fn sms_profile_history(id: i64) -> Result<Vec<AuditEntry>, AppError> {
    let caller = require(Permission::ProfileRead).await?;
    crate::server::service::audit_trail::history(
        &caller.db,
        RecordType::SmsProfile.as_str(),
        &id.to_string(),
    )
    .await
}

/// Starts the next version from the one in force.
#[server(endpoint = "profile/start")]
pub async fn start_sms_profile() -> Result<i64, AppError> {
    let caller = require(Permission::ProfileEdit).await?;
    let started = sms_profile::start(&caller.db, &caller.user, &caller.actor()).await;
    caller.counted(RecordType::SmsProfile, None, started).await
}

#[cfg(feature = "ssr")]
async fn edit(id: i64, version: i32, change: ProfileEdit) -> Result<(), AppError> {
    let caller = require(Permission::ProfileEdit).await?;
    let edited = sms_profile::edit(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &change,
    )
    .await;
    caller
        .counted(RecordType::SmsProfile, Some(id), edited)
        .await
}

#[server(endpoint = "profile/scope")]
pub async fn save_profile_scope(id: i64, version: i32, form: ScopeForm) -> Result<(), AppError> {
    edit(id, version, ProfileEdit::Scope(form)).await
}

#[server(endpoint = "profile/party")]
pub async fn add_profile_party(id: i64, version: i32, form: PartyForm) -> Result<(), AppError> {
    edit(id, version, ProfileEdit::AddParty(form)).await
}

#[server(endpoint = "profile/issue")]
pub async fn add_profile_issue(id: i64, version: i32, form: IssueForm) -> Result<(), AppError> {
    edit(id, version, ProfileEdit::AddIssue(form)).await
}

#[server(endpoint = "profile/exclusion")]
pub async fn add_profile_exclusion(
    id: i64,
    version: i32,
    form: ExclusionForm,
) -> Result<(), AppError> {
    edit(id, version, ProfileEdit::AddExclusion(form)).await
}

#[server(endpoint = "profile/policy")]
pub async fn save_profile_policy(id: i64, version: i32, form: PolicyForm) -> Result<(), AppError> {
    edit(id, version, ProfileEdit::Policy(form)).await
}

#[server(endpoint = "profile/role")]
pub async fn name_profile_role(id: i64, version: i32, form: RoleForm) -> Result<(), AppError> {
    edit(id, version, ProfileEdit::Role(form)).await
}

#[server(endpoint = "profile/remove")]
pub async fn remove_profile_entry(
    id: i64,
    version: i32,
    list: ProfileList,
    index: usize,
) -> Result<(), AppError> {
    edit(id, version, ProfileEdit::Remove { list, index }).await
}

/// Throws the draft away.
#[server(endpoint = "profile/discard")]
pub async fn discard_sms_profile(id: i64, version: i32) -> Result<(), AppError> {
    let caller = require(Permission::ProfileEdit).await?;
    let discarded =
        sms_profile::discard(&caller.db, &caller.user, &caller.actor(), id, version).await;
    caller
        .counted(RecordType::SmsProfile, Some(id), discarded)
        .await
}

/// Sends to review, returns to draft or approves, as the rule allows the caller.
#[server(endpoint = "profile/act")]
pub async fn move_sms_profile(id: i64, version: i32, action: DocAction) -> Result<(), AppError> {
    let caller = require(Permission::ProfileApprove).await?;
    let today = crate::server::service::schedule::local_today(&caller.user.time_zone);
    let moved = sms_profile::act(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        action,
        today,
    )
    .await
    .map(|_| ());
    caller
        .counted(RecordType::SmsProfile, Some(id), moved)
        .await
}
