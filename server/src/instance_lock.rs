//! One Conform process per SQLite file: `conform serve` holds an exclusive lock on
//! `<database>.lock` for as long as it runs (the operating system lets go of it when the
//! process ends, even by SIGKILL), and `conform restore` refuses while someone holds it.
//! PostgreSQL needs no lock: several processes may serve one database.

use anyhow::Context;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Held while it lives; dropping it releases the lock.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
    path: PathBuf,
}

impl InstanceLock {
    /// The lock file that belongs to the SQLite file at `database`.
    pub fn path_for(database: &Path) -> PathBuf {
        let mut name = database.as_os_str().to_os_string();
        name.push(".lock");
        PathBuf::from(name)
    }

    /// Takes the lock, or `Ok(None)` when another process holds it.
    pub fn try_acquire(database: &Path) -> anyhow::Result<Option<Self>> {
        let path = Self::path_for(database);
        if let Some(folder) = database.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder)
                .with_context(|| format!("creating the database folder {}", folder.display()))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("opening the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Self { _file: file, path })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(error)) => {
                Err(error).with_context(|| format!("locking {}", path.display()))
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}
