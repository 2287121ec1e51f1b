//! The evidence pack as a background job and a download: the builder handed to the app's
//! job registry, and `GET /compliance/evidence-pack/{id}/download`.

use super::{build, Progress};
use app::error::AppError;
use app::model::access::Permission;
use app::server::auth::RequestAuth;
use app::server::db::Db;
use app::server::evidence_jobs::{Builder, Built, EvidencePacks, ReportProgress};
use app::server::state::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::io::{BufWriter, Read};
use std::path::PathBuf;
use std::sync::Arc;
use tokio_util::io::ReaderStream;

/// A registry writing under the system's temporary folder (tests, tools).
pub fn registry() -> EvidencePacks {
    let folder =
        std::env::temp_dir().join(format!("conform-evidence-packs-{}", std::process::id()));
    EvidencePacks::new(builder(), folder)
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
    Ok(EvidencePacks::new(builder(), folder))
}

pub fn builder() -> Builder {
    Arc::new(
        |db: Db, as_of: NaiveDate, path: PathBuf, report: ReportProgress| {
            Box::pin(async move { build_file(&db, as_of, &path, report).await })
        },
    )
}

/// Builds the pack into `path` and hashes the finished archive.
pub async fn build_file(
    db: &Db,
    as_of: NaiveDate,
    path: &std::path::Path,
    report: ReportProgress,
) -> Result<Built, String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options
        .open(path)
        .map_err(|e| format!("Could not create the pack: {e}"))?;
    let progress = move |p: Progress| report(p.done, p.total, p.step);
    let (writer, summary) = build(db, as_of, BufWriter::new(file), &progress)
        .await
        .map_err(|e| e.to_string())?;
    writer
        .into_inner()
        .map_err(|e| format!("Could not write the pack: {e}"))?
        .sync_all()
        .map_err(|e| format!("Could not write the pack: {e}"))?;
    let (bytes, sha256) =
        hash_file(path).map_err(|e| format!("Could not read the pack back: {e}"))?;
    Ok(Built {
        // The manifest itself is one more file.
        files: summary.files.len() as u32 + 1,
        bytes,
        sha256,
    })
}

fn hash_file(path: &std::path::Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
        total += read as u64;
    }
    Ok((total, hex::encode(hasher.finalize())))
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
