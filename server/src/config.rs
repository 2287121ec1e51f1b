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

    #[command(flatten)]
    pub sessions: SessionArgs,
}

#[derive(Debug, Clone, Args)]
pub struct SessionArgs {
    /// Minutes without activity after which a session ends.
    #[arg(long, env = "CONFORM_SESSION_IDLE_MINUTES", default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=1440))]
    pub session_idle_minutes: u32,

    /// Hours after sign-in after which a session ends, active or not.
    #[arg(long, env = "CONFORM_SESSION_MAX_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u32).range(1..=720))]
    pub session_max_hours: u32,

    /// Conform is served over HTTPS: cookies get `Secure` and the `__Host-` prefix.
    #[arg(long, env = "CONFORM_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,
}

impl SessionArgs {
    pub fn auth_settings(&self) -> app::server::auth::AuthSettings {
        app::server::auth::AuthSettings {
            session: app::server::session::SessionPolicy {
                idle_timeout: chrono::Duration::minutes(self.session_idle_minutes.into()),
                absolute_lifetime: chrono::Duration::hours(self.session_max_hours.into()),
            },
            secure_cookies: self.secure_cookies,
        }
    }
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
