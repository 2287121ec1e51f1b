//! Server functions of saved filters (`model::saved_filter`): a person's own, per list. Keeping
//! filters of a list needs only reading it.

use crate::error::AppError;
use crate::model::saved_filter::{SavedFilter, SavedList};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::guard::require, crate::server::service::saved_filters};

/// The caller's saved filters of `list`.
#[server(endpoint = "filters/list")]
pub async fn saved_filters(list: SavedList) -> Result<Vec<SavedFilter>, AppError> {
    let caller = require(list.permission()).await?;
    saved_filters::list(&caller.db, caller.user.id, list).await
}

/// Keeps the filters of `query` (the list page's query string) under a name of the caller's
/// choosing; only what the list understands is kept.
#[server(endpoint = "filters/save")]
pub async fn save_filter(
    list: SavedList,
    name: String,
    #[server(default)] query: String,
) -> Result<SavedFilter, AppError> {
    let caller = require(list.permission()).await?;
    saved_filters::save(
        &caller.db,
        &caller.actor(),
        caller.user.id,
        list,
        &name,
        &query,
    )
    .await
}

#[server(endpoint = "filters/delete")]
pub async fn delete_filter(list: SavedList, id: i64) -> Result<(), AppError> {
    let caller = require(list.permission()).await?;
    saved_filters::delete(&caller.db, &caller.actor(), caller.user.id, list, id).await
}
