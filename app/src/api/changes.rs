//! Server functions of change enablement. A write refused by a rule of the change (who may
//! decide, the board's authority, a standard change outside its template …) is counted in the
//! audit trail (`Caller::counted`) and answered 403 in the rule's own words.

use crate::error::AppError;
use crate::model::change_request::{
    Change, ChangeCard, ChangeForm, ChangeFormChoices, ChangeQueryParams,
};
use crate::model::listing::Page;
use crate::model::live::BoardSnapshot;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::require,
    crate::model::access::{Permission, RecordType},
    crate::model::refs::ServiceRef,
    crate::server::service::{change_lists, changes},
};

#[server(endpoint = "changes/list")]
pub async fn list_changes(
    #[server(default)] params: ChangeQueryParams,
) -> Result<Page<ChangeCard>, AppError> {
    let caller = require(Permission::ChangeRead).await?;
    let mut page = change_lists::list(&caller.db, &params.to_query()).await?;
    localise_cards(&mut page.items, &caller.user.time_zone);
    Ok(page)
}

/// Planned windows in the reader's own time zone.
#[cfg(feature = "ssr")]
fn localise_cards(cards: &mut [ChangeCard], time_zone: &str) {
    for card in cards {
        card.local_window = crate::server::service::schedule::local_window(
            card.planned_start,
            card.planned_end,
            time_zone,
        );
    }
}

#[server(endpoint = "changes/board")]
pub async fn change_board() -> Result<BoardSnapshot, AppError> {
    let caller = require(Permission::ChangeRead).await?;
    // Read before the cards: whatever happens after this point reaches the page's stream.
    let events_after = super::guard::state()?.events.position().to_string();
    let mut cards = change_lists::board(&caller.db).await?;
    localise_cards(&mut cards, &caller.user.time_zone);
    Ok(BoardSnapshot {
        cards,
        events_after,
    })
}

#[server(endpoint = "changes/get")]
pub async fn get_change(id: i64) -> Result<Change, AppError> {
    let caller = require(Permission::ChangeRead).await?;
    let mut change = changes::load(caller.db.reader(), id).await?;
    change.local_window = crate::server::service::schedule::local_window(
        change.planned_start,
        change.planned_end,
        &caller.user.time_zone,
    );
    Ok(change)
}

#[server(endpoint = "changes/history")]
pub async fn change_history(id: i64) -> Result<Vec<crate::model::audit::AuditEntry>, AppError> {
    let caller = require(Permission::ChangeRead).await?;
    crate::server::service::audit_trail::history(&caller.db, "change", &id.to_string()).await
}

/// A change with its edit form filled in, times in the caller's time zone.
#[server(endpoint = "changes/edit_form")]
pub async fn change_edit_form(id: i64) -> Result<(Change, ChangeForm), AppError> {
    use crate::server::service::schedule::{local, zone};
    let caller = require(Permission::ChangeRaise).await?;
    let change = changes::load(caller.db.reader(), id).await?;
    let tz = zone(&caller.user.time_zone);
    let form = change.to_form(|t| local(t, tz));
    Ok((change, form))
}

/// Every service, as choices for forms.
#[cfg(feature = "ssr")]
pub(crate) async fn service_refs(db: &crate::server::db::Db) -> Result<Vec<ServiceRef>, AppError> {
    crate::server::service::catalogue::active_refs(db.reader()).await
}

/// What the change form offers to choose from: services, people and active templates.
#[server(endpoint = "changes/choices")]
pub async fn change_choices() -> Result<ChangeFormChoices, AppError> {
    let caller = require(Permission::ChangeRead).await?;
    let services = service_refs(&caller.db).await?;
    let templates = crate::server::service::templates::active_names(caller.db.reader()).await?;
    let people = crate::server::service::users::active_people(caller.db.reader()).await?;
    Ok(ChangeFormChoices {
        services,
        people,
        templates,
    })
}

#[server(endpoint = "changes/create")]
pub async fn create_change(form: ChangeForm) -> Result<Change, AppError> {
    let caller = require(Permission::ChangeRaise).await?;
    let draft = form.validate()?;
    let created = changes::create(&caller.db, &caller.user, &caller.actor(), draft).await;
    let change = caller.counted(RecordType::Change, None, created).await?;
    super::guard::announce_change(&change).await;
    leptos_axum::redirect(&format!("/changes/{}", change.id));
    Ok(change)
}

#[server(endpoint = "changes/update")]
pub async fn update_change(id: i64, version: i32, form: ChangeForm) -> Result<Change, AppError> {
    let caller = require(Permission::ChangeRaise).await?;
    let draft = form.validate()?;
    let before = crate::server::service::conflict_counts::window_of(caller.db.reader(), id).await?;
    let updated = changes::update(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        draft,
    )
    .await;
    let change = caller
        .counted(RecordType::Change, Some(id), updated)
        .await?;
    super::guard::announce_edited_change(&change, before).await;
    leptos_axum::redirect(&format!("/changes/{}", change.id));
    Ok(change)
}

/// Moves a change through its lifecycle; the state machine decides who may do what.
#[server(endpoint = "changes/transition")]
pub async fn transition_change(
    id: i64,
    version: i32,
    action: String,
    #[server(default)] comment: String,
    #[server(default)] review_outcome: Option<String>,
    #[server(default)] review_incidents: Option<String>,
    #[server(default)] review_lessons: Option<String>,
) -> Result<Change, AppError> {
    use crate::model::change::ChangeAction;
    use crate::model::change_request::Review;
    let caller = require(Permission::ChangeTransition).await?;
    let action = ChangeAction::parse(action.trim())
        .ok_or_else(|| AppError::BadRequest(format!("“{action}” is not a change action.")))?;
    let review = match review_outcome {
        Some(outcome) => Some(Review {
            outcome,
            incidents: review_incidents
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<i32>().map_err(|_| {
                        AppError::single_field(
                            "review_incidents",
                            "Enter a whole number of incidents.",
                        )
                    })
                })
                .transpose()?
                .unwrap_or(0),
            lessons: review_lessons.unwrap_or_default(),
        }),
        None => None,
    };
    let input = changes::TransitionInput { comment, review };
    let moved = changes::transition(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        action,
        input,
    )
    .await;
    let change = caller.counted(RecordType::Change, Some(id), moved).await?;
    super::guard::announce_change(&change).await;
    Ok(change)
}

#[server(endpoint = "changes/override_conflicts")]
pub async fn override_conflicts(id: i64, version: i32, reason: String) -> Result<Change, AppError> {
    let caller = require(Permission::ScheduleManage).await?;
    let change = changes::override_conflicts(
        &caller.db,
        &caller.user,
        &caller.actor(),
        id,
        version,
        &reason,
    )
    .await?;
    super::guard::announce_change(&change).await;
    Ok(change)
}
