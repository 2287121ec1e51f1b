//! The evidence pack's side in the server binary: the job registry set up at start-up (its
//! folder under the data directory) and `GET /compliance/evidence-pack/{id}/download`. The
//! pack itself is built by `app::server::service::evidence_pack`.

use app::error::AppError;
use app::model::access::Permission;
use app::server::auth::RequestAuth;
use app::server::evidence_jobs::EvidencePacks;
use app::server::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use tokio_util::io::ReaderStream;

/// A registry writing under the system's temporary folder (tests, tools).
pub fn registry() -> EvidencePacks {
    let folder =
        std::env::temp_dir().join(format!("conform-evidence-packs-{}", std::process::id()));
    EvidencePacks::new(folder)
}

/// The registry the server starts with: packs are written to `<data dir>/evidence-packs`,
/// a folder only Conform's user may enter (0700). Archives a previous run left behind are
/// removed once a day old (jobs live in memory, so nobody can download them any more).
pub fn registry_in(data_dir: &std::path::Path) -> anyhow::Result<EvidencePacks> {
    use anyhow::Context;
    let folder = data_dir.join("evidence-packs");
    app::server::evidence_jobs::private_folder(&folder)
        .with_context(|| format!("preparing the evidence-pack folder {}", folder.display()))?;
    let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(24 * 3600);
    for entry in std::fs::read_dir(&folder)?.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified < day_ago);
        if old && entry.path().extension().is_some_and(|e| e == "zip") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok(EvidencePacks::new(folder))
}

fn refuse(error: AppError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}

pub async fn download(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(id): Path<String>,
) -> Response {
    if let Err(refused) = crate::access::require(&state, &auth, Permission::EvidenceExport).await {
        return refused;
    }
    let Some((status, path)) = state.evidence_packs.file(id.trim()) else {
        return refuse(AppError::NotFound(
            "This evidence pack (it may have expired; build a new one)".into(),
        ));
    };
    let file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        Err(_) => {
            return refuse(AppError::NotFound(
                "This evidence pack (it may have expired; build a new one)".into(),
            ))
        }
    };
    // Streamed in chunks: a large pack is never read into memory whole.
    let body = Body::from_stream(ReaderStream::new(file));
    (
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", status.file_name()),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        body,
    )
        .into_response()
}
