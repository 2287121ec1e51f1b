//! The steps of building Conform's browser client that need a library rather than a command
//! (`scripts/build-client.sh` runs them between cargo, wasm-bindgen and wasm-opt):
//! - `split`: cut the client's WebAssembly at its lazy routes into a main module and chunks,
//!   with the loader script and the prefetch manifest Leptos reads;
//! - `seal`: give the finished files a folder named by their content hash (so browsers may keep
//!   them forever), precompress them once (brotli and gzip) and make that folder the current
//!   build.
mod seal;
mod split;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "client-pack",
    about = "Build steps of Conform's browser client"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Split a wasm module linked with `--emit-relocs` at its `#[lazy]` split points.
    Split {
        /// The module cargo built (`frontend.wasm`).
        #[arg(long)]
        input: PathBuf,
        /// Where the chunks, the loader script and the manifest go (the build's staging folder).
        #[arg(long)]
        out_dir: PathBuf,
        /// Where the main module goes, for wasm-bindgen to finish.
        #[arg(long)]
        main_out: PathBuf,
        /// The output name (`conform`): the loader imports `./<name>.js`.
        #[arg(long)]
        name: String,
    },
    /// Hash, precompress and publish a finished build folder under `<pkg>/<hash>/`.
    Seal {
        /// The finished build (wasm-bindgen's and wasm-opt's output, the stylesheet).
        #[arg(long)]
        staging: PathBuf,
        /// The site's package folder (`target/site/pkg`).
        #[arg(long)]
        pkg: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Split {
            input,
            out_dir,
            main_out,
            name,
        } => split::run(&input, &out_dir, &main_out, &name),
        Command::Seal { staging, pkg } => seal::run(&staging, &pkg),
    }
}
