//! Configuration from flags and environment variables.

use clap::Args;
use std::net::SocketAddr;
use std::path::PathBuf;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/conform.db";

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// SQLite (`sqlite://path/file.db`) or PostgreSQL (`postgres://user:pass@host/db`) URL.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, value_parser = parse_database_url)]
    pub database_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CONFORM_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,

    /// Directory holding the built client (`pkg/`); cargo-leptos writes it to target/site.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,

    /// Load the demo data into an empty database and print the demo sign-ins.
    #[arg(long, env = "CONFORM_DEMO", default_value_t = false)]
    pub demo: bool,

    #[command(flatten)]
    pub database: DatabaseArgs,
}

fn parse_database_url(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value.starts_with("sqlite:")
        || value.starts_with("postgres://")
        || value.starts_with("postgresql://")
    {
        Ok(value.to_string())
    } else {
        Err("expected a sqlite:… or postgres://… URL".to_string())
    }
}

impl DatabaseArgs {
    /// For SQLite files, the directory the file lives in (created on first run).
    pub fn sqlite_directory(&self) -> Option<PathBuf> {
        let path = self
            .database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))?;
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() || path == ":memory:" {
            return None;
        }
        PathBuf::from(path).parent().map(PathBuf::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sqlite_and_postgres_urls_are_accepted() {
        assert!(parse_database_url("sqlite://data/c.db").is_ok());
        assert!(parse_database_url("postgres://u:p@localhost/c").is_ok());
        assert!(parse_database_url("mysql://localhost/c").is_err());
        assert!(parse_database_url("data/c.db").is_err());
    }

    #[test]
    fn sqlite_directory_is_the_files_parent() {
        let args = DatabaseArgs {
            database_url: "sqlite://data/conform.db?mode=rwc".into(),
        };
        assert_eq!(args.sqlite_directory(), Some(PathBuf::from("data")));
        let args = DatabaseArgs {
            database_url: "sqlite::memory:".into(),
        };
        assert_eq!(args.sqlite_directory(), None);
    }
}
