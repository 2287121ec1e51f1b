//! `conform`: serve the web app, migrate the database, seed demo data.

use clap::Parser;

fn main() -> std::process::ExitCode {
    // Before the runtime starts its threads.
    conform::memory::limit_arenas();
    let cli = conform::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("conform: could not start the runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        conform::telemetry::init();
        match conform::cli::run(cli).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("conform: {err:#}");
                std::process::ExitCode::FAILURE
            }
        }
    })
}
