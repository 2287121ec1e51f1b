//! Server functions of service continuity: business impact analyses. Reading needs
//! `ServiceRead`; saving a service's BIA needs `ServiceUpdate` (the service owner sets the
//! objectives).

use crate::error::AppError;
use crate::model::bia::{Bia, BiaForm};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::guard::require, crate::model::access::Permission, crate::server::service::bia};

#[server(endpoint = "continuity/bia")]
pub async fn get_bia(service_id: i64) -> Result<Bia, AppError> {
    let caller = require(Permission::ServiceRead).await?;
    bia::get(caller.db.reader(), service_id).await
}

/// Saves the whole analysis; `version` is the one the form was loaded with (0 the first time).
#[server(endpoint = "continuity/bia/save")]
pub async fn save_bia(service_id: i64, version: i32, form: BiaForm) -> Result<Bia, AppError> {
    let caller = require(Permission::ServiceUpdate).await?;
    let draft = form.validate()?;
    bia::save(
        &caller.db,
        &caller.actor(),
        caller.user.id,
        service_id,
        version,
        draft,
    )
    .await
}
