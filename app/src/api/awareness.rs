//! Server functions of the awareness campaigns (clause 7.3). Those who work in the SMS read
//! the campaigns and their completion (`AwarenessRead`); the quality manager runs them
//! (`AwarenessManage`); anyone acknowledges a campaign they are in — only for themselves.

use crate::error::AppError;
use crate::model::awareness::{
    AwarenessDue, Campaign, CampaignChoices, CampaignForm, CampaignList, CampaignParams, ExtendForm,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::{Permission, RecordType},
    crate::server::service::awareness,
    crate::server::service::schedule::local_today,
};

/// One page of campaigns with their completion.
#[server(endpoint = "awareness/list")]
pub async fn list_campaigns(params: CampaignParams) -> Result<CampaignList, AppError> {
    let caller = require(Permission::AwarenessRead).await?;
    awareness::list(
        caller.db.reader(),
        &params,
        local_today(&caller.user.time_zone),
        crate::model::listing::DEFAULT_PAGE_SIZE,
    )
    .await
}

/// One campaign: its audience, completion by role and who is outstanding.
#[server(endpoint = "awareness/get")]
pub async fn get_campaign(id: i64) -> Result<Campaign, AppError> {
    let caller = require(Permission::AwarenessRead).await?;
    let mut campaign = awareness::detail(
        caller.db.reader(),
        id,
        caller.user.id,
        local_today(&caller.user.time_zone),
    )
    .await?;
    campaign.may_manage = caller.user.may(Permission::AwarenessManage);
    Ok(campaign)
}

/// The campaigns the caller has yet to acknowledge (the dashboard).
#[server(endpoint = "awareness/due")]
pub async fn awareness_to_acknowledge() -> Result<Vec<AwarenessDue>, AppError> {
    let caller = require(Permission::AwarenessAcknowledge).await?;
    awareness::due_for(
        caller.db.reader(),
        caller.user.id,
        local_today(&caller.user.time_zone),
    )
    .await
}

/// What the campaign form offers: approved documents and people.
#[server(endpoint = "awareness/choices")]
pub async fn campaign_form_choices() -> Result<CampaignChoices, AppError> {
    let caller = require(Permission::AwarenessManage).await?;
    awareness::choices(caller.db.reader()).await
}

/// Prepares a campaign as a draft and goes to it.
#[server(endpoint = "awareness/create")]
pub async fn prepare_campaign(form: CampaignForm) -> Result<i64, AppError> {
    let caller = require(Permission::AwarenessManage).await?;
    let created = awareness::create(
        &caller.db,
        &caller.user,
        &caller.actor(),
        &form,
        chrono::Utc::now(),
    )
    .await;
    let id = caller
        .counted(RecordType::AwarenessCampaign, None, created)
        .await?;
    leptos_axum::redirect(&format!("/awareness/{id}"));
    Ok(id)
}

/// Saves a draft campaign.
#[server(endpoint = "awareness/update")]
pub async fn update_campaign(id: i64, version: i32, form: CampaignForm) -> Result<(), AppError> {
    let caller = require(Permission::AwarenessManage).await?;
    let saved = awareness::update(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
        chrono::Utc::now(),
    )
    .await;
    caller
        .counted(RecordType::AwarenessCampaign, Some(id), saved)
        .await
}

/// Launches a draft (`close` false) or closes a running campaign (`close` true).
#[server(endpoint = "awareness/status")]
pub async fn move_campaign(id: i64, version: i32, close: bool) -> Result<(), AppError> {
    let caller = require(Permission::AwarenessManage).await?;
    let now = chrono::Utc::now();
    let moved = if close {
        awareness::close(&caller.db, &caller.user, &caller.actor(), id, version, now).await
    } else {
        awareness::launch(&caller.db, &caller.user, &caller.actor(), id, version, now).await
    };
    caller
        .counted(RecordType::AwarenessCampaign, Some(id), moved)
        .await
}

/// Moves a running campaign's due date later.
#[server(endpoint = "awareness/extend")]
pub async fn extend_campaign(id: i64, version: i32, form: ExtendForm) -> Result<(), AppError> {
    let caller = require(Permission::AwarenessManage).await?;
    let extended = awareness::extend(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &form,
        chrono::Utc::now(),
    )
    .await;
    caller
        .counted(RecordType::AwarenessCampaign, Some(id), extended)
        .await
}

/// Assigns the people who joined a running campaign's audience since launch.
#[server(endpoint = "awareness/newcomers")]
pub async fn assign_newcomers(id: i64, version: i32) -> Result<usize, AppError> {
    let caller = require(Permission::AwarenessManage).await?;
    let assigned = awareness::add_newcomers(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        chrono::Utc::now(),
    )
    .await;
    caller
        .counted(RecordType::AwarenessCampaign, Some(id), assigned)
        .await
}

/// The caller acknowledges a campaign they are in: their own, never anyone else's.
#[server(endpoint = "awareness/acknowledge")]
/// `read` is the form's tick ("yes"): the person says they read the document.
pub async fn acknowledge_campaign(id: i64, read: Option<String>) -> Result<(), AppError> {
    let caller = require(Permission::AwarenessAcknowledge).await?;
    let acknowledged = awareness::acknowledge(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        read.as_deref() == Some("yes"),
        chrono::Utc::now(),
    )
    .await;
    caller
        .counted(RecordType::AwarenessCampaign, Some(id), acknowledged)
        .await
}
