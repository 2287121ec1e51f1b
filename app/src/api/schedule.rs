//! Server functions of the change calendar and its blackout/maintenance windows.

use crate::error::AppError;
use crate::model::calendar::{Calendar, CalendarParams, WindowRecord};
use crate::model::refs::ServiceRef;
use crate::model::schedule::WindowForm;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::{announce_schedule, require},
    crate::model::access::Permission,
    crate::server::service::schedule,
};

/// The calendar page: `view` is month, week or day around `date` (YYYY-MM-DD), in the
/// caller's time zone.
#[server(endpoint = "calendar/view")]
pub async fn change_calendar(
    #[server(default)] params: CalendarParams,
) -> Result<Calendar, AppError> {
    let caller = require(Permission::ChangeRead).await?;
    let today = schedule::local(chrono::Utc::now(), schedule::zone(&caller.user.time_zone)).date();
    let (view, anchor) = params.resolve(today);
    schedule::calendar(&caller.db, &caller.user.time_zone, view, anchor).await
}

/// Current and coming windows, with the services a window can be limited to.
#[server(endpoint = "calendar/windows")]
pub async fn schedule_windows() -> Result<(Vec<WindowRecord>, Vec<ServiceRef>), AppError> {
    let caller = require(Permission::ChangeRead).await?;
    let windows = schedule::list_windows(&caller.db, &caller.user.time_zone).await?;
    let services = super::changes::service_refs(&caller.db).await?;
    Ok((windows, services))
}

/// One window with the services it can be limited to (for its edit page).
#[server(endpoint = "calendar/window")]
pub async fn load_window(id: i64) -> Result<(WindowRecord, Vec<ServiceRef>), AppError> {
    let caller = require(Permission::ChangeRead).await?;
    let record = schedule::get_window(&caller.db, &caller.user.time_zone, id).await?;
    let services = super::changes::service_refs(&caller.db).await?;
    Ok((record, services))
}

/// Adds a window (no `id`) or changes one (with the `version` the editor saw).
#[server(endpoint = "calendar/save_window")]
pub async fn save_window(
    #[server(default)] id: Option<i64>,
    #[server(default)] version: Option<i32>,
    form: WindowForm,
) -> Result<i64, AppError> {
    let caller = require(Permission::ScheduleManage).await?;
    let draft = form.validate()?;
    let existing = match (id, version) {
        (None, _) => None,
        (Some(id), Some(version)) => Some((id, version)),
        (Some(_), None) => {
            return Err(AppError::BadRequest(
                "Changing a window needs the version you edited.".into(),
            ))
        }
    };
    let saved = schedule::save_window(
        &caller.db,
        &caller.actor(),
        &caller.user.time_zone,
        existing,
        draft,
    )
    .await?;
    announce_schedule(saved.id, &saved.recounted).await;
    leptos_axum::redirect("/calendar/windows");
    Ok(saved.id)
}

#[server(endpoint = "calendar/delete_window")]
pub async fn delete_window(id: i64, version: i32) -> Result<(), AppError> {
    let caller = require(Permission::ScheduleManage).await?;
    let recounted = schedule::delete_window(&caller.db, &caller.actor(), id, version).await?;
    announce_schedule(id, &recounted).await;
    leptos_axum::redirect("/calendar/windows");
    Ok(())
}

/// The caller's calendar subscription, if they have one (its secret is never shown again).
#[server(endpoint = "calendar/feed_status")]
pub async fn calendar_feed_status() -> Result<Option<crate::model::calendar::FeedStatus>, AppError>
{
    let caller = require(Permission::ChangeRead).await?;
    crate::server::service::feeds::status(&caller.db, caller.user.id).await
}

/// A new feed link for the caller (any earlier link stops working): absolute from
/// `CONFORM_PUBLIC_URL` when configured, otherwise its path (the page adds its own origin).
#[server(endpoint = "calendar/create_feed")]
pub async fn create_calendar_feed() -> Result<String, AppError> {
    let caller = require(Permission::ChangeRead).await?;
    let token =
        crate::server::service::feeds::create(&caller.db, &caller.actor(), caller.user.id).await?;
    let base = super::guard::state()?.public_url.unwrap_or_default();
    Ok(format!("{base}/calendar/feed/{token}.ics"))
}

#[server(endpoint = "calendar/revoke_feed")]
pub async fn revoke_calendar_feed() -> Result<bool, AppError> {
    let caller = require(Permission::ChangeRead).await?;
    crate::server::service::feeds::revoke(&caller.db, &caller.actor(), caller.user.id).await
}
