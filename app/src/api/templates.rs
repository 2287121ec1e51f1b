//! Server functions of the standard change catalogue.

use crate::error::AppError;
use crate::model::refs::ServiceRef;
use crate::model::standard_template::{StandardTemplate, TemplateForm};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {super::guard::require, crate::model::access::Permission, crate::server::service::templates};

/// Every template (active first), with the services a template can name.
#[server(endpoint = "changes/templates")]
pub async fn list_templates() -> Result<(Vec<StandardTemplate>, Vec<ServiceRef>), AppError> {
    let caller = require(Permission::ChangeRead).await?;
    let templates = templates::list(&caller.db).await?;
    let services = super::changes::service_refs(&caller.db).await?;
    Ok((templates, services))
}

#[server(endpoint = "changes/create_template")]
pub async fn create_template(form: TemplateForm) -> Result<StandardTemplate, AppError> {
    let caller = require(Permission::TemplateManage).await?;
    let draft = form.validate()?;
    templates::create(&caller.db, &caller.actor(), draft).await
}

/// Saves a template; `active` is the checkbox ("true" when ticked, absent when not).
#[server(endpoint = "changes/update_template")]
pub async fn update_template(
    id: i64,
    version: i32,
    form: TemplateForm,
    #[server(default)] active: Option<String>,
) -> Result<StandardTemplate, AppError> {
    let caller = require(Permission::TemplateManage).await?;
    let draft = form.validate()?;
    let active = match active.as_deref() {
        None | Some("") => false,
        Some("true" | "on") => true,
        Some(other) => {
            return Err(AppError::BadRequest(format!(
                "“{other}” is not a yes/no value for active."
            )))
        }
    };
    let template =
        templates::update(&caller.db, &caller.actor(), id, version, draft, active).await?;
    leptos_axum::redirect(&format!("/changes/templates/{}", template.id));
    Ok(template)
}
