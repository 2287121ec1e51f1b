//! Server functions of the auditor's evidence pack (`EvidenceExport`): start a build in the
//! background, follow its progress, list the recent ones. The archive itself is downloaded
//! from `/compliance/evidence-pack/{id}/download`.

use crate::error::AppError;
use crate::model::evidence_pack::PackStatus;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::{require, state},
    crate::model::access::{Permission, RecordType},
    crate::model::evidence_pack::parse_as_of,
    crate::server::audit::{self, Event},
    crate::server::service::schedule::local_today,
};

/// Starts building the pack for `as_of` (empty: today); a build already running for that
/// date is returned instead of starting a second one. One build per person at a time and a
/// small limit overall (refused with a clear message). Recorded in the audit trail.
#[server(endpoint = "evidence-pack/start")]
pub async fn start_evidence_pack(#[server(default)] as_of: String) -> Result<PackStatus, AppError> {
    let caller = require(Permission::EvidenceExport).await?;
    let today = local_today(&caller.user.time_zone);
    let as_of = parse_as_of(&as_of, today).map_err(AppError::BadRequest)?;
    let status = state()?
        .evidence_packs
        .start(
            caller.db.clone(),
            as_of,
            caller.user.id,
            caller.user.name.clone(),
        )
        .map_err(AppError::BadRequest)?;
    let txn = caller.db.begin_write().await?;
    audit::append(
        &txn,
        &caller.actor(),
        Event::new(
            "evidence_pack_requested",
            RecordType::EvidencePack,
            None,
            format!(
                "{} asked for the evidence pack as of {as_of}",
                caller.user.name
            ),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(status)
}

#[server(endpoint = "evidence-pack/status")]
pub async fn evidence_pack_status(id: String) -> Result<PackStatus, AppError> {
    require(Permission::EvidenceExport).await?;
    state()?
        .evidence_packs
        .status(id.trim())
        .ok_or_else(|| AppError::NotFound("This evidence pack".into()))
}

#[server(endpoint = "evidence-pack/recent")]
pub async fn recent_evidence_packs() -> Result<Vec<PackStatus>, AppError> {
    require(Permission::EvidenceExport).await?;
    Ok(state()?.evidence_packs.recent())
}
