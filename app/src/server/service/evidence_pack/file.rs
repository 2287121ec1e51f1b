//! The evidence pack written to a file and hashed: what the background job of
//! `server/evidence_jobs.rs` runs, and what the benchmark times.

use super::{build, Progress};
use crate::server::db::Db;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};
use std::io::{BufWriter, Read};
use std::sync::Arc;

/// Progress reported by the builder: steps done, steps in all, what it is doing now.
pub type ReportProgress = Arc<dyn Fn(u32, u32, &'static str) + Send + Sync>;

/// What a finished build produced.
#[derive(Debug, Clone)]
pub struct Built {
    pub files: u32,
    pub bytes: u64,
    pub sha256: String,
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
