//! The browser client as the server hands it out: from the published build's hashed folder,
//! as the precompressed copy the browser accepts, cached for good; the pages name that build.

use crate::common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::web::{send, state};
use leptos::config::LeptosOptions;

const BUILD: &str = "0123456789abcdef";

fn site() -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    let build = site.path().join("pkg").join(BUILD);
    std::fs::create_dir_all(&build).unwrap();
    for (name, content) in [
        ("conform.wasm", "raw"),
        ("conform.wasm.br", "brotli"),
        ("conform.wasm.gz", "gzip"),
    ] {
        std::fs::write(build.join(name), content).unwrap();
    }
    std::fs::write(site.path().join("pkg/current"), BUILD).unwrap();
    site
}

fn fetch(path: &str, accept_encoding: Option<&str>) -> Request<Body> {
    let mut request = Request::get(path).header(header::HOST, "127.0.0.1:3000");
    if let Some(encoding) = accept_encoding {
        request = request.header(header::ACCEPT_ENCODING, encoding);
    }
    request.body(Body::empty()).unwrap()
}

#[tokio::test]
async fn the_client_is_served_precompressed_and_cached_for_good() {
    let site = site();
    let db = common::test_db().await;
    let mut state = state(db.db.clone());
    state.leptos_options = LeptosOptions::builder()
        .output_name("conform")
        .site_root(site.path().to_string_lossy().to_string())
        .site_pkg_dir(conform::client_files::pkg_dir(site.path()))
        .build();
    let wasm = format!("/pkg/{BUILD}/conform.wasm");

    for (accepts, body, encoding) in [
        (Some("br, gzip"), "brotli", Some("br")),
        (Some("gzip"), "gzip", Some("gzip")),
        (None, "raw", None),
    ] {
        let reply = send(&state, fetch(&wasm, accepts)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.body, body, "accepting {accepts:?}");
        assert_eq!(
            reply
                .headers
                .get(header::CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap()),
            encoding
        );
        assert_eq!(
            reply.headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable"
        );
    }

    // Outside a hashed folder nothing is immutable.
    let reply = send(&state, fetch("/pkg/current", None)).await;
    assert_eq!(reply.headers[header::CACHE_CONTROL], "no-cache");

    // The sign-in page names the published build's scripts and stylesheet.
    let page = send(&state, fetch("/login", None)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(&format!("/pkg/{BUILD}/conform.js")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("/pkg/{BUILD}/conform.css")),
        "{}",
        page.body
    );
}
