//! `conform backup FILE` and `conform restore FILE` for the SQLite database.
//!
//! A backup is `VACUUM INTO`: one read transaction, so the copy is consistent while Conform
//! keeps serving (WAL lets writers go on). A restore runs with the server stopped: the copy
//! is first checked in a staging file beside the database (SQLite's integrity check, that it
//! is a Conform database, that the migrations apply, that the audit hash chain verifies),
//! then flushed to disk and renamed over the database in one step. The database it replaces
//! stays beside it as `<file>.before-restore-<UTC time>`.
//!
//! PostgreSQL has its own tools (`pg_dump`, `pg_restore`); both commands say so and stop.

use crate::config::DatabaseArgs;
use crate::database;
use crate::instance_lock::InstanceLock;
use anyhow::{bail, Context};
use app::server::db::Db;
use sea_orm::sqlx::sqlite::SqliteConnectOptions;
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};
use std::path::{Path, PathBuf};

const POSTGRES_BACKUP: &str =
    "This database is PostgreSQL: back it up with PostgreSQL's own tools, \
     e.g. `pg_dump --format=custom --file=conform.dump \"$DATABASE_URL\"`. \
     `conform backup` copies SQLite databases only.";
const POSTGRES_RESTORE: &str = "This database is PostgreSQL: restore it with \
     `pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" conform.dump`, \
     then run `conform audit verify`. `conform restore` restores SQLite databases only.";

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub file: PathBuf,
    pub bytes: u64,
    pub audit_entries: u64,
}

/// What a restore put in place.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub database: PathBuf,
    /// Where the database that was replaced now lives (none when there was none).
    pub previous: Option<PathBuf>,
    pub audit_entries: u64,
}

/// The file behind a `sqlite:` URL; `None` for PostgreSQL. An in-memory database is refused.
pub fn sqlite_file(args: &DatabaseArgs) -> anyhow::Result<Option<PathBuf>> {
    let url = args.database_url.as_str();
    let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Ok(None);
    };
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        bail!("an in-memory database cannot be backed up or restored");
    }
    Ok(Some(PathBuf::from(path)))
}

/// Writes a consistent copy of the running database to `target`, which must not exist yet.
pub async fn backup(args: &DatabaseArgs, target: &Path) -> anyhow::Result<BackupReport> {
    let Some(source) = sqlite_file(args)? else {
        bail!(POSTGRES_BACKUP);
    };
    if target.exists() {
        bail!(
            "{} already exists; a backup never overwrites a file. Choose a new name.",
            target.display()
        );
    }
    if !source.is_file() {
        bail!("there is no database at {}", source.display());
    }
    if let Some(directory) = parent(target) {
        if !directory.is_dir() {
            bail!("the folder {} does not exist", directory.display());
        }
    }
    let live = connect_plain(&source, true).await?;
    // One read transaction: a consistent snapshot even while the server writes.
    let target_text = target
        .to_str()
        .context("the backup file name must be valid UTF-8")?;
    let copied = live
        .execute_unprepared(&format!("VACUUM INTO {}", sql_text(target_text)))
        .await;
    live.close().await.ok();
    copied.with_context(|| format!("copying the database to {}", target.display()))?;
    sync_file_and_folder(target)?;

    // Read the copy back: it must be whole and its audit trail intact.
    let copy = connect_plain(target, true).await?;
    let checked = check_integrity(&copy).await;
    let verified = verify_audit(&copy).await;
    copy.close().await.ok();
    checked?;
    let audit_entries = verified?;
    let bytes = std::fs::metadata(target)?.len();
    Ok(BackupReport {
        file: target.to_path_buf(),
        bytes,
        audit_entries,
    })
}

/// Replaces the database with the copy at `source` after checking it. The server must be
/// stopped (its lock is taken for the duration).
pub async fn restore(args: &DatabaseArgs, source: &Path) -> anyhow::Result<RestoreReport> {
    let Some(database) = sqlite_file(args)? else {
        bail!(POSTGRES_RESTORE);
    };
    if !source.is_file() {
        bail!("there is no backup at {}", source.display());
    }
    if database.exists() && std::fs::canonicalize(&database)? == std::fs::canonicalize(source)? {
        bail!("the backup is the database itself; name a backup file");
    }
    if let Some(directory) = parent(&database) {
        std::fs::create_dir_all(directory)
            .with_context(|| format!("creating {}", directory.display()))?;
    }
    let Some(_lock) = InstanceLock::try_acquire(&database)? else {
        bail!(
            "Conform is running on {} (it holds {}). Stop the server, then restore.",
            database.display(),
            InstanceLock::path_for(&database).display()
        );
    };

    // Staged beside the database, so the final rename stays on one file system.
    let staging = with_suffix(&database, &format!(".restore-{}", std::process::id()));
    remove_with_sidecars(&staging);
    std::fs::copy(source, &staging)
        .with_context(|| format!("copying {} to {}", source.display(), staging.display()))?;
    let audit_entries = match check_candidate(&staging).await {
        Ok(entries) => entries,
        Err(error) => {
            remove_with_sidecars(&staging);
            return Err(error.context(format!(
                "{} was not restored; the database is unchanged",
                source.display()
            )));
        }
    };
    remove_sidecars(&staging);
    sync_file_and_folder(&staging)?;

    let previous = if database.exists() {
        Some(set_aside(&database).await?)
    } else {
        None
    };
    std::fs::rename(&staging, &database)
        .with_context(|| format!("moving the checked copy to {}", database.display()))?;
    // Whatever was left of the old database's log must never be replayed onto the new one.
    remove_sidecars(&database);
    sync_file_and_folder(&database)?;
    Ok(RestoreReport {
        database,
        previous,
        audit_entries,
    })
}

/// Checks a candidate database in place and brings its schema up to date.
async fn check_candidate(path: &Path) -> anyhow::Result<u64> {
    let plain = connect_plain(path, false)
        .await
        .map_err(|e| anyhow::anyhow!("the copy is not a readable SQLite database ({e:#})"))?;
    let integrity = check_integrity(&plain).await;
    let conform = is_conform_database(&plain).await;
    plain.close().await.ok();
    integrity?;
    if !conform? {
        bail!("the copy is not a Conform database (it has no migration history)");
    }
    let url = format!("sqlite://{}", path.display());
    let db = Db::connect(&url)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    let checked = async {
        database::migrate(&db)
            .await
            .context("the migrations do not apply to the copy")?;
        let entries = verify_audit(db.reader()).await?;
        // Fold the log into the file, so the file alone is the whole database.
        db.writer()
            .execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .context("checkpointing the copy")?;
        anyhow::Ok(entries)
    }
    .await;
    db.close().await.ok();
    checked
}

/// Keeps the database being replaced as `<file>.before-restore-<time>` (with its log, if it
/// still has one) and returns that name.
async fn set_aside(database: &Path) -> anyhow::Result<PathBuf> {
    // Best effort: fold the old log into the old file first (fails harmlessly if damaged).
    if let Ok(old) = connect_plain(database, false).await {
        old.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .ok();
        old.close().await.ok();
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    let kept = with_suffix(database, &format!(".before-restore-{stamp}"));
    if kept.exists() {
        bail!("{} already exists; try again in a second", kept.display());
    }
    // A hard link keeps the database in place until the new one is renamed over it.
    if std::fs::hard_link(database, &kept).is_err() {
        std::fs::copy(database, &kept)
            .with_context(|| format!("keeping the old database as {}", kept.display()))?;
    }
    let wal = with_suffix(database, "-wal");
    if wal.exists() && std::fs::metadata(&wal)?.len() > 0 {
        std::fs::copy(&wal, with_suffix(&kept, "-wal"))
            .with_context(|| format!("keeping {}", wal.display()))?;
    }
    sync_file_and_folder(&kept)?;
    Ok(kept)
}

/// `PRAGMA integrity_check` must answer exactly `ok`.
async fn check_integrity(conn: &DatabaseConnection) -> anyhow::Result<()> {
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "PRAGMA integrity_check",
        ))
        .await
        .context("the integrity check could not read the copy")?;
    let problems: Vec<String> = rows
        .iter()
        .filter_map(|row| row.try_get_by_index::<String>(0).ok())
        .filter(|line| line != "ok")
        .collect();
    if rows.is_empty() || !problems.is_empty() {
        bail!(
            "the copy is damaged (SQLite integrity check: {})",
            problems.into_iter().take(5).collect::<Vec<_>>().join("; ")
        );
    }
    Ok(())
}

async fn is_conform_database(conn: &DatabaseConnection) -> anyhow::Result<bool> {
    let rows = conn
        .query_all_raw(sea_orm::Statement::from_string(
            conn.get_database_backend(),
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name IN ('seaql_migrations', 'audit_log', 'audit_head')",
        ))
        .await
        .context("reading the copy's tables")?;
    Ok(rows.len() == 3)
}

async fn verify_audit<C: ConnectionTrait>(conn: &C) -> anyhow::Result<u64> {
    match app::server::audit::verify(conn)
        .await
        .context("reading the audit trail")?
    {
        Ok(entries) => Ok(entries),
        Err(chain_break) => bail!("the copy's audit trail is broken at {chain_break}"),
    }
}

/// One connection with no journal-mode change: reading a copy must not rewrite it.
async fn connect_plain(path: &Path, read_only: bool) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(format!("sqlite://{}", path.display()));
    options
        .max_connections(1)
        .min_connections(1)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |opts: SqliteConnectOptions| {
            opts.create_if_missing(false)
                .read_only(read_only)
                .busy_timeout(std::time::Duration::from_secs(10))
        });
    let conn = Database::connect(options)
        .await
        .with_context(|| format!("opening {}", path.display()))?;
    // Opening is lazy about the header: touch the schema so a non-database fails here.
    conn.execute_unprepared("SELECT count(*) FROM sqlite_master")
        .await
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(conn)
}

fn sql_text(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

fn parent(path: &Path) -> Option<&Path> {
    path.parent().filter(|p| !p.as_os_str().is_empty())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_sidecars(path: &Path) {
    for sidecar in ["-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(with_suffix(path, sidecar));
    }
}

fn remove_with_sidecars(path: &Path) {
    let _ = std::fs::remove_file(path);
    remove_sidecars(path);
}

/// Flushes the file and the folder entry that names it.
fn sync_file_and_folder(path: &Path) -> anyhow::Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("flushing {}", path.display()))?;
    let folder = parent(path).unwrap_or(Path::new("."));
    std::fs::File::open(folder)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("flushing {}", folder.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_comes_from_the_url() {
        let args = |url: &str| DatabaseArgs {
            database_url: url.into(),
        };
        assert_eq!(
            sqlite_file(&args("sqlite://data/conform.db?mode=rwc")).unwrap(),
            Some(PathBuf::from("data/conform.db"))
        );
        assert_eq!(
            sqlite_file(&args("sqlite:/var/lib/conform.db")).unwrap(),
            Some(PathBuf::from("/var/lib/conform.db"))
        );
        assert_eq!(sqlite_file(&args("postgres://u@h/c")).unwrap(), None);
        assert!(sqlite_file(&args("sqlite::memory:")).is_err());
    }

    #[test]
    fn quotes_in_file_names_are_escaped() {
        assert_eq!(sql_text("it's.db"), "'it''s.db'");
    }
}
