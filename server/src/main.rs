//! `conform`: serve the web app, migrate the database, seed demo data.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = conform::cli::Cli::parse();
    conform::telemetry::init();
    match conform::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("conform: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
