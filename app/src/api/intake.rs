//! Server functions of monitoring intake: the sources allowed to post alerts and their rules.
//! Everyone who reads incidents may see which sources exist and where their alerts go (no
//! secret is part of that); service level managers add, change, re-key and revoke them.

use crate::error::AppError;
use crate::model::alert_intake::{IntakeSource, IssuedToken, SourceChoices, SourceForm};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::{Permission, RecordType},
    crate::server::service::alert_intake,
    chrono::Utc,
};

#[server(endpoint = "intake/sources")]
pub async fn list_intake_sources() -> Result<Vec<IntakeSource>, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    alert_intake::sources(caller.db.reader()).await
}

#[server(endpoint = "intake/source")]
pub async fn get_intake_source(id: i64) -> Result<IntakeSource, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    alert_intake::source(caller.db.reader(), id).await
}

/// Services and people for the source form (names everyone reading incidents sees anyway).
#[server(endpoint = "intake/choices")]
pub async fn intake_source_choices() -> Result<SourceChoices, AppError> {
    let caller = require(Permission::IncidentRead).await?;
    let conn = caller.db.reader();
    Ok(SourceChoices {
        services: crate::server::service::catalogue::active_refs(conn).await?,
        people: crate::server::service::users::active_people_where(conn, |_| true).await?,
    })
}

/// The token in the answer is the only time anyone sees it.
#[cfg(feature = "ssr")]
fn issued(mut token: IssuedToken) -> Result<IssuedToken, AppError> {
    token.base_url = super::guard::state()?.public_url.unwrap_or_default();
    Ok(token)
}

#[server(endpoint = "intake/sources/create")]
pub async fn create_intake_source(form: SourceForm) -> Result<IssuedToken, AppError> {
    let caller = require(Permission::AgreementManage).await?;
    let created =
        alert_intake::create(&caller.db, &caller.user, &caller.actor(), &form, Utc::now()).await;
    issued(
        caller
            .counted(RecordType::IntakeSource, None, created)
            .await?,
    )
}

#[server(endpoint = "intake/sources/update")]
pub async fn update_intake_source(id: i64, version: i32, form: SourceForm) -> Result<(), AppError> {
    let caller = require(Permission::AgreementManage).await?;
    let updated = alert_intake::update(&caller.db, &caller.actor(), id, version, &form).await;
    caller
        .counted(RecordType::IntakeSource, Some(id), updated)
        .await
}

/// A new token; the old one stops working (and a revoked source works again).
#[server(endpoint = "intake/sources/token")]
pub async fn replace_intake_token(id: i64, version: i32) -> Result<IssuedToken, AppError> {
    let caller = require(Permission::AgreementManage).await?;
    let replaced = alert_intake::replace_token(&caller.db, &caller.actor(), id, version).await;
    issued(
        caller
            .counted(RecordType::IntakeSource, Some(id), replaced)
            .await?,
    )
}

#[server(endpoint = "intake/sources/revoke")]
pub async fn revoke_intake_source(id: i64, version: i32) -> Result<(), AppError> {
    let caller = require(Permission::AgreementManage).await?;
    let revoked = alert_intake::revoke(&caller.db, &caller.actor(), id, version, Utc::now()).await;
    caller
        .counted(RecordType::IntakeSource, Some(id), revoked)
        .await
}
