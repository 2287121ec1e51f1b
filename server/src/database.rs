//! Opening the database and bringing its schema up to date.

use crate::config::DatabaseArgs;
use anyhow::Context;
use app::server::db::Db;
use migrations::{Migrator, MigratorTrait};

pub async fn open(args: &DatabaseArgs) -> anyhow::Result<Db> {
    if let Some(directory) = args.sqlite_directory() {
        if !directory.as_os_str().is_empty() {
            std::fs::create_dir_all(&directory).with_context(|| {
                format!("creating the database directory {}", directory.display())
            })?;
        }
    }
    Db::connect(&args.database_url)
        .await
        .with_context(|| format!("connecting to {}", redact(&args.database_url)))
}

pub async fn migrate(db: &Db) -> anyhow::Result<()> {
    Migrator::up(db.writer(), None)
        .await
        .context("running migrations")?;
    // Reference data shipped with the binary: refreshed whenever this build's copy is newer.
    app::server::service::clause_library::sync(db)
        .await
        .context("loading the clause library")?;
    // Derived data worked out afresh, whatever wrote the database before this build.
    let corrected = app::server::service::conflict_counts::reconcile_all(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("counting schedule conflicts")?;
    if corrected > 0 {
        tracing::info!(corrected, "stored conflict counts corrected");
    }
    db.refresh_statistics()
        .await
        .context("refreshing the query planner's statistics")?;
    Ok(())
}

/// Refreshes the planner's statistics every hour while serving, as SQLite advises for
/// long-lived connections: imports and busy days change which index answers a page fastest.
pub fn keep_statistics_fresh(db: Db) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
        // The first tick is immediate; migrating has just refreshed them.
        hourly.tick().await;
        loop {
            hourly.tick().await;
            if let Err(error) = db.refresh_statistics().await {
                tracing::warn!(%error, "refreshing the query planner's statistics failed");
            }
        }
    })
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            super::redact("postgres://me:secret@db/conform"),
            "postgres://me:***@db/conform"
        );
        assert_eq!(
            super::redact("sqlite://data/conform.db"),
            "sqlite://data/conform.db"
        );
    }
}
