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

    /// The address people reach Conform at, e.g. `https://conform.example.org`. Links that
    /// leave the browser (calendar feeds) are built from it; `https://` also makes cookies
    /// `Secure` with the `__Host-` prefix and sends `Strict-Transport-Security`.
    #[arg(long, env = "CONFORM_PUBLIC_URL", value_parser = parse_public_url)]
    pub public_url: Option<String>,

    /// Folder for Conform's working files (evidence packs, in a private `evidence-packs/`).
    /// Default: the SQLite database's folder; `data` with PostgreSQL.
    #[arg(long, env = "CONFORM_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(flatten)]
    pub database: DatabaseArgs,

    #[command(flatten)]
    pub sessions: SessionArgs,

    #[command(flatten)]
    pub controls: ControlsArgs,

    #[command(flatten)]
    pub safeguards: SafeguardArgs,
}

/// Abuse resistance: which peers may say who the client is, and live-connection limits.
#[derive(Debug, Clone, Args)]
pub struct SafeguardArgs {
    /// Reverse proxies whose `X-Forwarded-For` is believed (comma-separated IPs or CIDR
    /// blocks, e.g. `127.0.0.1,10.0.0.0/8`). Empty: the socket's peer is the client, and the
    /// header is ignored. Sign-in throttling and the audit trail use this address.
    #[arg(long, env = "CONFORM_TRUSTED_PROXIES", default_value = "", value_parser = parse_trusted_proxies)]
    pub trusted_proxies: app::server::client_address::TrustedProxies,

    /// Live-update connections (`/events`) one process keeps open at most.
    #[arg(long, env = "CONFORM_MAX_LIVE_CONNECTIONS", default_value_t = app::server::live_connections::PER_PROCESS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub max_live_connections: usize,

    /// Deliveries one monitoring source may post to `/intake/alertmanager` in a minute before
    /// it is answered 429 (counted per process: behind a balancer, give each its share).
    #[arg(long, env = "CONFORM_INTAKE_DELIVERIES_PER_MINUTE", default_value_t = app::server::intake_limits::DELIVERIES_PER_MINUTE, value_parser = clap::builder::RangedU64ValueParser::<u32>::new().range(1..=100_000))]
    pub intake_deliveries_per_minute: u32,
}

impl SafeguardArgs {
    pub fn safeguards(&self) -> app::server::safeguards::Safeguards {
        app::server::safeguards::Safeguards {
            proxies: self.trusted_proxies.clone(),
            live: app::server::live_connections::LiveConnections::with_limits(
                app::server::live_connections::PER_SESSION,
                self.max_live_connections,
            ),
            intake: app::server::intake_limits::IntakeLimits::per_minute(
                self.intake_deliveries_per_minute,
            ),
            ..Default::default()
        }
    }
}

fn parse_trusted_proxies(
    value: &str,
) -> Result<app::server::client_address::TrustedProxies, String> {
    app::server::client_address::TrustedProxies::parse(value)
}

impl ServeArgs {
    /// Parses the serve flags alone (and their environment variables), as `conform` without a
    /// subcommand and the tests do.
    pub fn try_from_flags<I, T>(flags: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        #[derive(clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            serve: ServeArgs,
        }
        <Wrapper as clap::Parser>::try_parse_from(flags).map(|w| w.serve)
    }

    /// Where working files go: `--data-dir`, else beside the SQLite file, else `data`.
    pub fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .or_else(|| self.database.sqlite_directory())
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or_else(|| {
                if self.database.database_url.starts_with("sqlite:") {
                    PathBuf::from(".")
                } else {
                    PathBuf::from("data")
                }
            })
    }

    /// Served over HTTPS: `CONFORM_PUBLIC_URL` starts with `https://`.
    pub fn served_over_https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://"))
    }

    /// Session settings; cookies are `Secure` when served over HTTPS or when
    /// `CONFORM_SECURE_COOKIES=true` says so (a proxy terminating TLS without a public URL).
    pub fn auth_settings(&self) -> app::server::auth::AuthSettings {
        let mut settings = self.sessions.auth_settings();
        settings.secure_cookies |= self.served_over_https();
        settings
    }
}

#[derive(Debug, Clone, Args)]
pub struct ControlsArgs {
    /// The organisation's minimum days between a nonconformity's actions being done and the
    /// check of their effectiveness; nobody can set a shorter wait on a nonconformity.
    #[arg(long, env = "CONFORM_NC_MIN_WAIT_DAYS", default_value_t = 30, value_parser = clap::value_parser!(i64).range(1..=app::model::controls::Controls::MAX_WAIT_DAYS))]
    pub nc_min_wait_days: i64,
}

impl ControlsArgs {
    pub fn controls(&self) -> app::model::controls::Controls {
        app::model::controls::Controls {
            nc_min_wait_days: self.nc_min_wait_days,
        }
    }
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

/// An absolute `http(s)://host[:port][/path]` URL, kept without a trailing slash.
fn parse_public_url(value: &str) -> Result<String, String> {
    const EXPECTED: &str = "expected an absolute http:// or https:// URL such as \
         https://conform.example.org (no query or fragment)";
    let value = value.trim();
    let uri: axum::http::Uri = value.parse().map_err(|e| format!("{EXPECTED}: {e}"))?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http") | Some("https"));
    let host_ok = uri.host().is_some_and(|h| !h.is_empty());
    let userinfo = uri.authority().is_some_and(|a| a.as_str().contains('@'));
    if !scheme_ok || !host_ok || userinfo || uri.query().is_some() || value.contains('#') {
        return Err(EXPECTED.to_string());
    }
    Ok(value.trim_end_matches('/').to_string())
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
    fn the_public_url_is_an_absolute_http_url() {
        assert_eq!(
            parse_public_url("https://conform.example.org/").unwrap(),
            "https://conform.example.org"
        );
        assert_eq!(
            parse_public_url("http://10.0.0.5:3000/conform").unwrap(),
            "http://10.0.0.5:3000/conform"
        );
        for bad in [
            "conform.example.org",
            "/conform",
            "ftp://conform.example.org",
            "https://",
            "https://user:pw@conform.example.org",
            "https://conform.example.org/?a=b",
            "https://conform.example.org/#top",
            "https://conform example.org",
        ] {
            let error = parse_public_url(bad).unwrap_err();
            assert!(
                error.contains("absolute http:// or https:// URL"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn https_makes_cookies_secure() {
        let args = ServeArgs::try_from_flags(["conform", "--public-url", "https://c.example.org"])
            .unwrap();
        assert!(args.served_over_https());
        assert!(args.auth_settings().secure_cookies);
        let args =
            ServeArgs::try_from_flags(["conform", "--public-url", "http://c.example.org"]).unwrap();
        assert!(!args.served_over_https());
        let args = ServeArgs::try_from_flags(["conform", "--secure-cookies"]).unwrap();
        assert!(args.auth_settings().secure_cookies && !args.served_over_https());
    }

    #[test]
    fn the_intake_rate_is_set_per_source_and_minute_within_bounds() {
        let default = ServeArgs::try_from_flags(["conform"]).unwrap();
        assert_eq!(
            default
                .safeguards
                .safeguards()
                .intake
                .deliveries_per_minute(),
            app::server::intake_limits::DELIVERIES_PER_MINUTE
        );
        let set =
            ServeArgs::try_from_flags(["conform", "--intake-deliveries-per-minute", "30"]).unwrap();
        assert_eq!(
            set.safeguards.safeguards().intake.deliveries_per_minute(),
            30
        );
        for bad in ["0", "-5", "100001", "many"] {
            let flag = format!("--intake-deliveries-per-minute={bad}");
            let error = ServeArgs::try_from_flags(["conform", flag.as_str()])
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("--intake-deliveries-per-minute"),
                "{bad}: {error}"
            );
        }
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
