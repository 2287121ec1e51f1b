//! Follow-up actions agreed in a meeting: the chair records them (on an item or for the meeting
//! as a whole), their owners see their open ones and mark them done.

use super::{begin_chair, bump, record_event};
use crate::error::AppError;
use crate::model::meeting::{CabAction, MeetingAction};
use crate::model::user::CurrentUser;
use crate::server::audit::Actor;
use crate::server::db::Db;
use crate::server::entity::cab_action::{self as action_entity, Entity as Actions};
use crate::server::entity::cab_agenda_item::{self as item_entity, Entity as Items};
use crate::server::entity::cab_meeting::{self as meeting_entity, Entity as Meetings};
use crate::server::service::notifications;
use crate::server::service::users::{people, person};
use crate::server::versioned;
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use std::collections::HashMap;

/// The chair records a follow-up action (on an item, or for the meeting as a whole).
#[allow(clippy::too_many_arguments)]
pub async fn add_action(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    id: i64,
    version: i32,
    item_id: Option<i64>,
    text: String,
    owner_id: i64,
    due: NaiveDate,
) -> Result<(), AppError> {
    let (txn, row, _) = begin_chair(db, user, id, MeetingAction::AddAction).await?;
    let change_id = match item_id {
        None => None,
        Some(item_id) => Some(
            Items::find_by_id(item_id)
                .filter(item_entity::Column::MeetingId.eq(id))
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::NotFound("That agenda item".into()))?
                .change_id,
        ),
    };
    let owner = people(&txn, &[owner_id]).await?;
    let Some(owner) = owner.get(&owner_id).cloned() else {
        return Err(AppError::single_field(
            "action_owner",
            "Choose someone from the list.",
        ));
    };
    action_entity::ActiveModel {
        meeting_id: Set(id),
        item_id: Set(item_id),
        change_id: Set(change_id),
        text: Set(text.clone()),
        owner_id: Set(owner_id),
        due_on: Set(due),
        done_at: Set(None),
        version: Set(1),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    notifications::notify(
        &txn,
        owner_id,
        format!("Action from {}: {text} (due {due})", row.title),
        "/".to_string(),
    )
    .await?;
    bump(&txn, &row, version, |u| u).await?;
    record_event(
        &txn,
        actor,
        id,
        "cab_action_added",
        format!("Action for {}: {text}, due {due}", owner.name),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Open actions owned by `user_id`, soonest due first.
pub async fn actions_for(db: &Db, user_id: i64) -> Result<Vec<CabAction>, AppError> {
    let rows = Actions::find()
        .filter(action_entity::Column::OwnerId.eq(user_id))
        .filter(action_entity::Column::DoneAt.is_null())
        .order_by_asc(action_entity::Column::DueOn)
        .all(db.reader())
        .await?;
    let titles: HashMap<i64, String> = Meetings::find()
        .filter(
            meeting_entity::Column::Id.is_in(rows.iter().map(|a| a.meeting_id).collect::<Vec<_>>()),
        )
        .all(db.reader())
        .await?
        .into_iter()
        .map(|m| (m.id, m.title))
        .collect();
    let names = people(db.reader(), &[user_id]).await?;
    Ok(rows
        .into_iter()
        .map(|a| CabAction {
            id: a.id,
            meeting_id: a.meeting_id,
            meeting_title: titles.get(&a.meeting_id).cloned().unwrap_or_default(),
            change_id: a.change_id,
            text: a.text,
            owner: person(&names, a.owner_id),
            due: a.due_on,
            done: false,
            version: a.version,
        })
        .collect())
}

/// The owner marks their action done.
pub async fn complete_action(
    db: &Db,
    user: &CurrentUser,
    actor: &Actor,
    action_id: i64,
    version: i32,
) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    let action = Actions::find_by_id(action_id)
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::NotFound("That action".into()))?;
    if action.owner_id != user.id {
        return Err(AppError::Refused(
            "Only the action's owner marks it done.".into(),
        ));
    }
    if action.done_at.is_some() {
        return Err(AppError::Refused("That action is done already.".into()));
    }
    versioned::update(
        &txn,
        action_id,
        version,
        |update: sea_orm::UpdateMany<Actions>| {
            update.col_expr(action_entity::Column::DoneAt, Expr::value(Utc::now()))
        },
    )
    .await?;
    record_event(
        &txn,
        actor,
        action.meeting_id,
        "cab_action_done",
        format!("Action done: {}", action.text),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
