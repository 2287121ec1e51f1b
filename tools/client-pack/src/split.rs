//! Splitting the client at its lazy routes.
use std::path::Path;

use anyhow::{anyhow, Context};

/// The loader's file name as Leptos's hydration scripts and `#[lazy]` imports spell it.
pub const LOADER: &str = "./__wasm_split.______________________.js";
/// The prefetch manifest Leptos reads on the server to preload a route's chunks.
pub const MANIFEST: &str = "__wasm_split_manifest.json";

pub fn run(input: &Path, out_dir: &Path, main_out: &Path, name: &str) -> anyhow::Result<()> {
    let wasm = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let main_module = format!("./{name}.js");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&wasm);
        options.output_dir = out_dir;
        options.main_out_path = main_out;
        options.main_module = &main_module;
        options.link_name = LOADER;
        options
    })
    .map_err(|error| anyhow!("splitting {}: {error:#}", input.display()))?;
    let manifest = serde_json::to_string_pretty(&split.prefetch_map)?;
    std::fs::write(out_dir.join(MANIFEST), manifest)?;
    println!(
        "split {} into a main module and {} chunks ({} lazy entry points)",
        input.display(),
        split.split_modules.len(),
        split.prefetch_map.len()
    );
    Ok(())
}
