//! Serving the browser client: the build `scripts/build-client.sh` published last, from its
//! content-hashed folder, precompressed, cached by browsers for good.
use std::path::Path;

use axum::http::{header, HeaderValue};
use axum::response::Response;
use tower_http::services::ServeDir;

/// The file naming the current build (written by `tools/client-pack seal`).
const CURRENT: &str = "current";

/// The package folder the pages name: `pkg/<build hash>` when a split build is published,
/// otherwise `pkg` (an old-style build, or none: every page still works without the client).
pub fn pkg_dir(site_root: &Path) -> String {
    std::fs::read_to_string(site_root.join("pkg").join(CURRENT))
        .ok()
        .map(|id| id.trim().to_string())
        .filter(|id| is_build_id(id))
        .map_or_else(|| "pkg".to_string(), |id| format!("pkg/{id}"))
}

/// Sixteen lower-case hex digits, as `client-pack` names builds.
fn is_build_id(name: &str) -> bool {
    name.len() == 16 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Whether a request path lies in a hashed build folder (`/pkg/<hash>/…`), whose files never
/// change under their name.
pub fn is_immutable(path: &str) -> bool {
    path.strip_prefix("/pkg/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(folder, _)| is_build_id(folder))
}

/// The client's files, answered from the `.br`/`.gz` copies the build wrote when the browser
/// accepts them: nothing is compressed per request.
pub fn service(site_root: &Path) -> ServeDir {
    ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip()
}

/// Long-lived caching for hashed builds; everything else under `/pkg` is revalidated.
pub fn cache_control(path: &str, response: &mut Response) {
    let value = if is_immutable(path) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_build_folders_are_immutable_and_nothing_else_is() {
        assert!(is_immutable("/pkg/0123456789abcdef/conform.wasm"));
        assert!(is_immutable("/pkg/0123456789abcdef/chunk_3_changes.wasm"));
        assert!(!is_immutable("/pkg/conform.wasm"));
        assert!(!is_immutable("/pkg/0123456789ABCDEF/conform.wasm"));
        assert!(!is_immutable("/pkg/0123456789abcde/conform.wasm"));
        assert!(!is_immutable("/pkg/../0123456789abcdef/x"));
        assert!(!is_immutable("/changes/0123456789abcdef/x"));
    }

    #[test]
    fn the_pages_name_the_published_build_or_fall_back_to_pkg() {
        let site = tempfile::tempdir().unwrap();
        assert_eq!(pkg_dir(site.path()), "pkg");
        std::fs::create_dir_all(site.path().join("pkg")).unwrap();
        std::fs::write(site.path().join("pkg/current"), "0123456789abcdef\n").unwrap();
        assert_eq!(pkg_dir(site.path()), "pkg/0123456789abcdef");
        std::fs::write(site.path().join("pkg/current"), "../../etc").unwrap();
        assert_eq!(pkg_dir(site.path()), "pkg");
    }
}
