//! A deterministic zip with a SHA-256 for every file: the same files written in the same
//! order give the same bytes (fixed timestamps and permissions, no extra fields), so a pack
//! rebuilt from the same data can be compared byte for byte. The manifest is the last file,
//! in `sha256sum` format, so an auditor can check the unpacked pack with `sha256sum -c`.

use chrono::{Datelike, NaiveDate};
use sha2::{Digest, Sha256};
use std::io::{self, Seek, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

pub const MANIFEST_NAME: &str = "MANIFEST.sha256";

/// One file of the pack as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

pub struct PackArchive<W: Write + Seek> {
    zip: ZipWriter<W>,
    options: SimpleFileOptions,
    manifest: Vec<ManifestEntry>,
}

impl<W: Write + Seek> PackArchive<W> {
    /// Every entry carries `stamp` (the pack's as-of date) as its modification time.
    pub fn new(writer: W, stamp: NaiveDate) -> Self {
        let time = DateTime::from_date_and_time(
            u16::try_from(stamp.year().clamp(1980, 2107)).unwrap_or(1980),
            stamp.month() as u8,
            stamp.day() as u8,
            0,
            0,
            0,
        )
        .unwrap_or_default();
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(6))
            .last_modified_time(time)
            .unix_permissions(0o644);
        PackArchive {
            zip: ZipWriter::new(writer),
            options,
            manifest: Vec::new(),
        }
    }

    /// Adds a file whose content is already in memory.
    pub fn add(&mut self, path: &str, content: &[u8]) -> io::Result<()> {
        self.add_with(path, |out| out.write_all(content))
    }

    /// Adds a file written piece by piece (large record lists never sit in memory whole).
    pub fn add_with(
        &mut self,
        path: &str,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        check_path(path)?;
        if self.manifest.iter().any(|entry| entry.path == path) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{path} is already in the pack"),
            ));
        }
        self.zip
            .start_file(path, self.options)
            .map_err(io::Error::other)?;
        let mut hashing = HashingWriter {
            inner: &mut self.zip,
            hasher: Sha256::new(),
            bytes: 0,
        };
        write(&mut hashing)?;
        let HashingWriter { hasher, bytes, .. } = hashing;
        self.manifest.push(ManifestEntry {
            path: path.to_string(),
            sha256: hex::encode(hasher.finalize()),
            bytes,
        });
        Ok(())
    }

    /// Writes the manifest and closes the archive.
    pub fn finish(mut self) -> io::Result<(W, Vec<ManifestEntry>)> {
        let manifest = manifest_text(&self.manifest);
        self.zip
            .start_file(MANIFEST_NAME, self.options)
            .map_err(io::Error::other)?;
        self.zip.write_all(manifest.as_bytes())?;
        let writer = self.zip.finish().map_err(io::Error::other)?;
        Ok((writer, self.manifest))
    }
}

/// `sha256sum` format: the hash, two spaces, the path.
pub fn manifest_text(entries: &[ManifestEntry]) -> String {
    entries
        .iter()
        .map(|entry| format!("{}  {}\n", entry.sha256, entry.path))
        .collect()
}

/// Relative, forward-slash paths of plain ASCII only: nothing may unpack outside the folder.
fn check_path(path: &str) -> io::Result<()> {
    let fine = !path.is_empty()
        && !path.starts_with('/')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'));
    if fine {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{path:?} is not a safe path inside the pack"),
        ))
    }
}

struct HashingWriter<'a, W: Write> {
    inner: &'a mut W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        self.hasher.update(&buf[..written]);
        self.bytes += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};
    use zip::ZipArchive;

    fn pack(files: &[(&str, &str)]) -> Vec<u8> {
        let mut archive = PackArchive::new(Cursor::new(Vec::new()), "2026-11-28".parse().unwrap());
        for (path, content) in files {
            archive.add(path, content.as_bytes()).unwrap();
        }
        archive.finish().unwrap().0.into_inner()
    }

    #[test]
    fn the_same_files_give_the_same_bytes() {
        let files = [
            ("index.html", "<h1>Pack</h1>"),
            ("records/a.csv", "a,b\n1,2\n"),
        ];
        assert_eq!(pack(&files), pack(&files));
        assert_ne!(pack(&files), pack(&[("index.html", "<h1>Pack!</h1>")]));
    }

    #[test]
    fn the_manifest_hashes_every_file_and_verifies() {
        let bytes = pack(&[("index.html", "hello"), ("clauses/4.1.html", "four")]);
        let mut zip = ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut manifest = String::new();
        zip.by_name(MANIFEST_NAME)
            .unwrap()
            .read_to_string(&mut manifest)
            .unwrap();
        let lines: Vec<&str> = manifest.lines().collect();
        assert_eq!(lines.len(), 2);
        for line in lines {
            let (hash, path) = line.split_once("  ").unwrap();
            let mut content = Vec::new();
            zip.by_name(path)
                .unwrap()
                .read_to_end(&mut content)
                .unwrap();
            assert_eq!(hash, hex::encode(Sha256::digest(&content)), "{path}");
        }
        // sha256("hello")
        assert!(manifest.starts_with(
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824  index.html"
        ));
    }

    #[test]
    fn unsafe_or_repeated_paths_are_refused() {
        let mut archive = PackArchive::new(Cursor::new(Vec::new()), "2026-11-28".parse().unwrap());
        for bad in [
            "../etc/passwd",
            "/abs",
            "a//b",
            "",
            "a/./b",
            "spaces here.html",
        ] {
            assert!(archive.add(bad, b"x").is_err(), "{bad}");
        }
        archive.add("a.html", b"x").unwrap();
        assert!(archive.add("a.html", b"y").is_err());
    }
}
