//! Server functions of the audit trail page.

use crate::error::AppError;
use crate::model::audit::{AuditEntry, AuditQueryParams};
use crate::model::listing::Page;
use crate::model::user::User;
use leptos::prelude::*;

#[server(endpoint = "audit/list")]
pub async fn list_audit(
    #[server(default)] params: AuditQueryParams,
) -> Result<Page<AuditEntry>, AppError> {
    use crate::model::access::Permission;
    let caller = super::guard::require(Permission::AuditRead).await?;
    crate::server::service::audit_trail::list(&caller.db, &params.to_query()).await
}

/// The people who can appear as actors, for the audit page's user filter.
#[server(endpoint = "audit/actors")]
pub async fn list_audit_actors() -> Result<Vec<User>, AppError> {
    use crate::model::access::Permission;
    let caller = super::guard::require(Permission::AuditRead).await?;
    crate::server::service::users::list(&caller.db).await
}
