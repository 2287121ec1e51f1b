//! Evidence packs built in the background: a large installation's pack takes a while, so the
//! request that asks for one returns at once and the page follows the progress. The pack
//! itself is built by `service::evidence_pack`.
//!
//! Jobs live in memory (a restart forgets them; the pack is rebuilt from the data on demand)
//! and the archives in a private folder (mode 0700) under the data directory; only the last
//! few are kept. A build is expensive, so each person has at most one running at a time and
//! the whole installation at most [`MAX_BUILDING`].

use super::db::Db;
use super::service::evidence_pack::file::{build_file, ReportProgress};
use crate::model::evidence_pack::{PackState, PackStatus};
use chrono::NaiveDate;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// How many finished packs stay downloadable.
const KEEP: usize = 5;

/// How many packs may be built at the same time, across everyone.
pub const MAX_BUILDING: usize = 2;

#[derive(Clone)]
pub struct EvidencePacks {
    jobs: Arc<Mutex<Vec<Job>>>,
    folder: PathBuf,
    /// Tests only: each build waits for a permit before it starts (see [`Self::held`]).
    hold: Option<Arc<tokio::sync::Semaphore>>,
}

impl std::fmt::Debug for EvidencePacks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvidencePacks")
            .field("folder", &self.folder)
            .field("held", &self.hold.is_some())
            .finish()
    }
}

#[derive(Debug, Clone)]
struct Job {
    status: PackStatus,
    path: PathBuf,
    /// The user who asked for it.
    owner: i64,
}

impl EvidencePacks {
    /// A registry writing its archives into `folder`.
    pub fn new(folder: PathBuf) -> Self {
        EvidencePacks {
            jobs: Arc::default(),
            folder,
            hold: None,
        }
    }

    /// For tests of the limits: like [`Self::new`], but every build first waits for a permit
    /// from `release` (one per build), so builds stay "building" as long as the test wants.
    #[doc(hidden)]
    pub fn held(folder: PathBuf, release: Arc<tokio::sync::Semaphore>) -> Self {
        EvidencePacks {
            hold: Some(release),
            ..Self::new(folder)
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Job>> {
        // A build that panicked must not take the page down with it.
        self.jobs
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The folder the archives are written to.
    pub fn folder(&self) -> &std::path::Path {
        &self.folder
    }

    /// Starts a build, or returns the one already building for the same date. Refused while
    /// the same person has another build running, or [`MAX_BUILDING`] are running.
    pub fn start(
        &self,
        db: Db,
        as_of: NaiveDate,
        owner: i64,
        started_by: String,
    ) -> Result<PackStatus, String> {
        let as_of_text = as_of.to_string();
        let mut jobs = self.lock();
        if let Some(running) = jobs
            .iter()
            .find(|j| j.status.state == PackState::Building && j.status.as_of == as_of_text)
        {
            return Ok(running.status.clone());
        }
        let building = || {
            jobs.iter()
                .filter(|j| j.status.state == PackState::Building)
        };
        if let Some(own) = building().find(|j| j.owner == owner) {
            return Err(format!(
                "Your evidence pack as of {} is still being built; wait for it to finish \
                 before asking for another.",
                own.status.as_of
            ));
        }
        if building().count() >= MAX_BUILDING {
            return Err(format!(
                "{MAX_BUILDING} evidence packs are being built already; try again in a minute."
            ));
        }
        private_folder(&self.folder)
            .map_err(|e| format!("Could not prepare a folder for the pack: {e}"))?;
        let id = uuid::Uuid::new_v4().to_string();
        let path = self.folder.join(format!("{id}.zip"));
        let status = PackStatus {
            id: id.clone(),
            as_of: as_of_text,
            state: PackState::Building,
            done: 0,
            total: 1,
            step: "Starting".into(),
            started_by,
            files: None,
            bytes: None,
            sha256: None,
            error: None,
        };
        jobs.push(Job {
            status: status.clone(),
            path: path.clone(),
            owner,
        });
        self.forget_old(&mut jobs);
        drop(jobs);

        let progress: ReportProgress = {
            let packs = self.clone();
            let id = id.clone();
            Arc::new(move |done, total, step| {
                packs.update(&id, |s| {
                    s.done = done;
                    s.total = total;
                    s.step = step.to_string();
                })
            })
        };
        let packs = self.clone();
        let hold = self.hold.clone();
        tokio::spawn(async move {
            if let Some(release) = hold {
                if let Ok(permit) = release.acquire().await {
                    permit.forget();
                }
            }
            let result = build_file(&db, as_of, &path, progress).await;
            packs.update(&id, |s| match result {
                Ok(built) => {
                    s.state = PackState::Ready;
                    s.done = s.total;
                    s.step = "Ready".into();
                    s.files = Some(built.files);
                    s.bytes = Some(built.bytes);
                    s.sha256 = Some(built.sha256);
                }
                Err(error) => {
                    tracing::error!(%error, "evidence pack failed");
                    s.state = PackState::Failed;
                    s.error = Some(error);
                }
            });
        });
        Ok(status)
    }

    fn update(&self, id: &str, change: impl FnOnce(&mut PackStatus)) {
        if let Some(job) = self.lock().iter_mut().find(|j| j.status.id == id) {
            change(&mut job.status);
        }
    }

    /// Drops the oldest finished jobs beyond `KEEP`, with their files.
    fn forget_old(&self, jobs: &mut Vec<Job>) {
        while jobs
            .iter()
            .filter(|j| j.status.state != PackState::Building)
            .count()
            > KEEP
        {
            let Some(oldest) = jobs
                .iter()
                .position(|j| j.status.state != PackState::Building)
            else {
                break;
            };
            let job = jobs.remove(oldest);
            let _ = std::fs::remove_file(&job.path);
        }
    }

    pub fn status(&self, id: &str) -> Option<PackStatus> {
        self.lock()
            .iter()
            .find(|j| j.status.id == id)
            .map(|j| j.status.clone())
    }

    /// The most recent jobs first.
    pub fn recent(&self) -> Vec<PackStatus> {
        self.lock().iter().rev().map(|j| j.status.clone()).collect()
    }

    /// The archive of a finished job.
    pub fn file(&self, id: &str) -> Option<(PackStatus, PathBuf)> {
        self.lock()
            .iter()
            .find(|j| j.status.id == id && j.status.state == PackState::Ready)
            .map(|j| (j.status.clone(), j.path.clone()))
    }
}

/// Creates `folder` readable by this user only (0700), tightening it if it already exists.
pub fn private_folder(folder: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}
