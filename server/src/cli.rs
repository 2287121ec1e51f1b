//! The command line: `conform [serve]`, `conform migrate`, `conform seed-demo`, users, the
//! audit trail, `conform backup` and `conform restore`.

use crate::admin::UserCommand;
use crate::config::{DatabaseArgs, ServeArgs};
use crate::{database, demo, routes};
use anyhow::Context;
use app::server::state::AppState;
use clap::{Parser, Subcommand};
use leptos::config::LeptosOptions;

#[derive(Debug, Parser)]
#[command(
    name = "conform",
    version,
    about = "Service management for ISO/IEC 20000-1"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application (the default).
    Serve(ServeArgs),
    /// Bring the database schema up to date and exit.
    Migrate(DatabaseArgs),
    /// Load the demo data (idempotent) and exit.
    SeedDemo(DatabaseArgs),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write a consistent copy of the SQLite database to FILE while Conform serves.
    Backup {
        /// The copy to write; it must not exist yet.
        file: std::path::PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Replace the SQLite database with the copy in FILE, after checking it (server stopped).
    Restore {
        /// A copy written by `conform backup`.
        file: std::path::PathBuf,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain; exit 0 when intact, 1 naming the first altered or removed entry.
    Verify {
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = match cli.command {
        Some(command) => command,
        // `conform` alone serves, with settings from the environment.
        None => Command::Serve(ServeArgs::parse_from_env()),
    };
    match command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(args) => {
            let db = database::open(&args).await?;
            database::migrate(&db).await?;
            tracing::info!(database = %database::redact(&args.database_url), "database is up to date");
            Ok(())
        }
        Command::SeedDemo(args) => {
            let db = database::open(&args).await?;
            database::migrate(&db).await?;
            let created = demo::seed(&db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("Demo data loaded ({created} records created).");
            print!("{}", demo::demo_logins());
            Ok(())
        }
        Command::User(command) => crate::admin::user(command).await,
        Command::Audit(AuditCommand::Verify { database }) => {
            crate::admin::verify_audit(&database).await
        }
        Command::Backup { file, database } => {
            let report = crate::backup::backup(&database, &file).await?;
            println!(
                "Backup written to {} ({} bytes; audit trail of {} entries verified).",
                report.file.display(),
                report.bytes,
                report.audit_entries
            );
            Ok(())
        }
        Command::Restore { file, database } => {
            let report = crate::backup::restore(&database, &file).await?;
            println!(
                "Restored {} from {} (checked: integrity, migrations, audit trail of {} entries).",
                report.database.display(),
                file.display(),
                report.audit_entries
            );
            if let Some(previous) = report.previous {
                println!(
                    "The database it replaced is kept as {}.",
                    previous.display()
                );
            }
            Ok(())
        }
    }
}

impl ServeArgs {
    fn parse_from_env() -> Self {
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            serve: ServeArgs,
        }
        Wrapper::parse_from(["conform"]).serve
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    // One server per SQLite file; `conform restore` checks for it too.
    let _instance = match crate::backup::sqlite_file(&args.database).unwrap_or(None) {
        Some(file) => Some(
            crate::instance_lock::InstanceLock::try_acquire(&file)?.ok_or_else(|| {
                anyhow::anyhow!(
                    "another Conform is already serving {} (it holds {})",
                    file.display(),
                    crate::instance_lock::InstanceLock::path_for(&file).display()
                )
            })?,
        ),
        None => None,
    };
    let db = database::open(&args.database).await?;
    database::migrate(&db).await?;
    if args.demo {
        let created = demo::seed(&db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        if created > 0 {
            tracing::info!(created, "demo data loaded");
            db.refresh_statistics().await?;
        }
    }
    let statistics = database::keep_statistics_fresh(db.clone());
    let leptos_options = leptos_options(&args)?;
    // Password hashing's memory is taken now, once: a flood of sign-ins then adds only its
    // queued requests, never another 19 MiB per check.
    app::server::password::reserve_working_areas();
    let state = AppState {
        leptos_options,
        db: db.clone(),
        auth: args.auth_settings(),
        events: app::server::events::Events::for_database(db.writer())
            .await
            .context("listening for live events")?,
        evidence_packs: crate::evidence_pack::registry_in(&args.data_dir())?,
        public_url: args.public_url.clone(),
        controls: args.controls.controls(),
        safeguards: args.safeguards.safeguards(),
    };
    let safeguards = state.safeguards.clone();
    let events = state.events.clone();
    let refusal_flusher = safeguards.refusals.spawn_flusher(db.clone());
    let listener = listen(args.addr).with_context(|| format!("binding {}", args.addr))?;
    let url = format!("http://{}", listener.local_addr()?);
    tracing::info!(%url, database = %database::redact(&args.database.database_url), startup_ms = started.elapsed().as_millis() as u64, "Conform is listening");
    println!("Conform is running at {url}");
    if args.demo {
        print!("{}", demo::demo_logins());
    }
    let app = routes::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let live = safeguards.live.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // Open live streams end now; the server then finishes the requests in flight.
            live.close_all();
        })
        .await
        .context("serving HTTP")?;
    tracing::info!("shutting down");
    refusal_flusher.abort();
    statistics.abort();
    if let Err(err) = safeguards.refusals.flush(&db, true).await {
        tracing::warn!(?err, "could not write the last refusal counts");
    }
    // The listener's connection goes back first: closing the pool waits for every connection.
    events.stop_listening();
    if tokio::time::timeout(std::time::Duration::from_secs(5), db.close())
        .await
        .is_err()
    {
        tracing::warn!("the database connections did not close within 5 s; exiting anyway");
    }
    Ok(())
}

fn leptos_options(args: &ServeArgs) -> anyhow::Result<LeptosOptions> {
    Ok(LeptosOptions::builder()
        .output_name("conform")
        .site_root(args.site_root.to_string_lossy().to_string())
        // The build published last, from its hashed folder (read once: a rebuild takes effect
        // at the next start, and pages already open keep loading their own build's chunks).
        .site_pkg_dir(crate::client_files::pkg_dir(&args.site_root))
        .site_addr(args.addr)
        .build())
}

/// How many connections may wait to be accepted. Tokio's default of 128 overflows when a
/// burst (a CAB opening the board at once, or a sign-in flood) arrives together, and every
/// dropped connection — health checks included — waits a full second to retry.
const LISTEN_BACKLOG: u32 = 1024;

fn listen(addr: std::net::SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
