//! Publishing a finished client build.
//!
//! Every file of a build keeps the name the code asks for (`conform.js`, the loader, the
//! chunks); the *folder* is named by a hash of all of them. One hash covers the references
//! between the files (the loader imports the main module, the main module imports the loader),
//! which per-file hashes would have to rewrite. The server serves `/pkg/<hash>/…` as immutable
//! and reads `<pkg>/current` to know which build its pages name.
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use sha2::{Digest, Sha256};

/// The file in the package folder naming the build the server should use.
pub const CURRENT: &str = "current";
/// File kinds worth compressing (everything a build holds).
const COMPRESSED: [&str; 4] = ["wasm", "js", "css", "json"];

pub fn run(staging: &Path, pkg: &Path) -> anyhow::Result<()> {
    let files = build_files(staging)?;
    if files.is_empty() {
        bail!("{} holds no files", staging.display());
    }
    let id = build_id(&files)?;
    let mut sizes = Vec::new();
    for file in &files {
        sizes.push(precompress(file)?);
    }
    fs::create_dir_all(pkg)?;
    let published = pkg.join(&id);
    if published.exists() {
        // The same sources built again: the published copy is byte for byte this one.
        fs::remove_dir_all(staging)?;
    } else {
        fs::rename(staging, &published)
            .with_context(|| format!("moving {} to {}", staging.display(), published.display()))?;
    }
    let previous = fs::read_to_string(pkg.join(CURRENT)).ok();
    write_atomically(&pkg.join(CURRENT), id.as_bytes())?;
    prune(pkg, &id, previous.as_deref().map(str::trim))?;
    fs::write(published.join("sizes.json"), sizes_json(&sizes))?;
    print_sizes(&id, &sizes);
    Ok(())
}

/// The build's files, sorted by name (their order feeds the hash).
fn build_files(folder: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(folder).with_context(|| format!("reading {}", folder.display()))? {
        let path = entry?.path();
        let compressed = matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz"));
        if path.is_file() && !compressed {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Sixteen hex digits of SHA-256 over every file's name and content.
fn build_id(files: &[PathBuf]) -> anyhow::Result<String> {
    let mut hasher = Sha256::new();
    for file in files {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        hasher.update((name.len() as u64).to_le_bytes());
        hasher.update(name.as_bytes());
        let content = fs::read(file)?;
        hasher.update((content.len() as u64).to_le_bytes());
        hasher.update(&content);
    }
    let digest = hasher.finalize();
    Ok(digest[..8].iter().map(|b| format!("{b:02x}")).collect())
}

pub struct FileSizes {
    pub name: String,
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

/// Writes `<file>.br` and `<file>.gz` beside the file, at the highest levels: built once,
/// served to every visitor.
fn precompress(file: &Path) -> anyhow::Result<FileSizes> {
    let name = file
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let content = fs::read(file)?;
    let compress = file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|ext| COMPRESSED.contains(&ext));
    if !compress {
        let raw = content.len() as u64;
        return Ok(FileSizes {
            name,
            raw,
            gzip: raw,
            brotli: raw,
        });
    }
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&content)?;
    let gzip = gzip.finish()?;
    let mut brotli = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut brotli, 64 * 1024, 11, 22);
        writer.write_all(&content)?;
    }
    fs::write(with_suffix(file, "gz"), &gzip)?;
    fs::write(with_suffix(file, "br"), &brotli)?;
    Ok(FileSizes {
        name,
        raw: content.len() as u64,
        gzip: gzip.len() as u64,
        brotli: brotli.len() as u64,
    })
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn write_atomically(path: &Path, content: &[u8]) -> anyhow::Result<()> {
    let temporary = with_suffix(path, "tmp");
    fs::write(&temporary, content)?;
    fs::rename(&temporary, path)?;
    Ok(())
}

/// Keeps the new build and the one before it (a page opened a minute ago still loads its
/// chunks from there); older builds go.
fn prune(pkg: &Path, current: &str, previous: Option<&str>) -> anyhow::Result<()> {
    for entry in fs::read_dir(pkg)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_build = name.len() == 16 && name.bytes().all(|b| b.is_ascii_hexdigit());
        if is_build && entry.path().is_dir() && name != current && Some(name.as_str()) != previous {
            fs::remove_dir_all(entry.path())?;
        }
    }
    Ok(())
}

fn sizes_json(sizes: &[FileSizes]) -> String {
    let files: Vec<_> = sizes
        .iter()
        .map(|s| {
            serde_json::json!({ "file": s.name, "raw": s.raw, "gzip": s.gzip, "brotli": s.brotli })
        })
        .collect();
    serde_json::to_string_pretty(&files).unwrap_or_default()
}

fn print_sizes(id: &str, sizes: &[FileSizes]) {
    println!("build {id}:");
    println!(
        "  {:<48} {:>10} {:>10} {:>10}",
        "file", "bytes", "gzip", "brotli"
    );
    for s in sizes {
        println!(
            "  {:<48} {:>10} {:>10} {:>10}",
            s.name, s.raw, s.gzip, s.brotli
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(folder: &Path, files: &[(&str, &str)]) {
        fs::create_dir_all(folder).unwrap();
        for (name, content) in files {
            fs::write(folder.join(name), content).unwrap();
        }
    }

    #[test]
    fn a_build_is_published_under_its_hash_with_compressed_copies() {
        let site = tempfile::tempdir().unwrap();
        let site = site.path();
        let staging = site.join("staging");
        build(
            &staging,
            &[
                ("conform.js", "import './a.js';"),
                ("conform.wasm", "\0asm"),
            ],
        );
        let pkg = site.join("pkg");
        run(&staging, &pkg).unwrap();
        let id = fs::read_to_string(pkg.join(CURRENT)).unwrap();
        assert_eq!(id.len(), 16);
        let published = pkg.join(&id);
        assert!(published.join("conform.js.br").is_file());
        assert!(published.join("conform.wasm.gz").is_file());
        assert!(!staging.exists());
    }

    #[test]
    fn the_same_files_get_the_same_folder_and_old_builds_are_pruned() {
        let site = tempfile::tempdir().unwrap();
        let site = site.path();
        let pkg = site.join("pkg");
        let mut ids = Vec::new();
        for content in ["one", "two", "three", "one"] {
            let staging = site.join(format!("staging-{content}"));
            build(&staging, &[("conform.js", content)]);
            run(&staging, &pkg).unwrap();
            ids.push(fs::read_to_string(pkg.join(CURRENT)).unwrap());
        }
        assert_eq!(ids[0], ids[3], "same content, same build id");
        assert_ne!(ids[0], ids[1]);
        // Kept: the current build ("one" again) and the one before it ("three").
        assert!(pkg.join(&ids[3]).is_dir());
        assert!(pkg.join(&ids[2]).is_dir());
        assert!(!pkg.join(&ids[1]).exists());
    }
}
