//! The auditor's evidence pack: built from the demo data, every clause 4–10 has its page and
//! a line in the index, the manifest's hashes verify, the same data gives the same bytes, and
//! over HTTP it builds in the background and downloads only for those allowed.

use crate::common;

use app::model::access::Role;
use app::model::clauses::CLAUSES;
use app::model::evidence_pack::{PackState, PackStatus};
use app::server::service::evidence_pack::{archive::MANIFEST_NAME, build, Progress};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::NaiveDate;
use common::web::{add_user, call, send, sign_in, state, PASSWORD};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use std::io::{Cursor, Read};
use std::sync::Mutex;
use tower::ServiceExt;
use zip::ZipArchive;

fn as_of() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

async fn pack(db: &app::server::db::Db, date: NaiveDate) -> (Vec<u8>, Vec<Progress>) {
    let seen = Mutex::new(Vec::new());
    let record = |p: Progress| seen.lock().unwrap().push(p);
    let (cursor, _) = build(db, date, Cursor::new(Vec::new()), &record)
        .await
        .unwrap();
    (cursor.into_inner(), seen.into_inner().unwrap())
}

fn read(zip: &mut ZipArchive<Cursor<Vec<u8>>>, path: &str) -> String {
    let mut text = String::new();
    zip.by_name(path)
        .unwrap_or_else(|_| panic!("{path} missing from the pack"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pack_indexes_every_clause_and_its_manifest_verifies() {
    let db = common::demo_db().await;
    let (bytes, progress) = pack(&db, as_of()).await;

    // Progress climbs step by step to done.
    assert!(progress.len() >= 5, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0].done <= w[1].done));
    let last = progress.last().unwrap();
    assert_eq!(last.done, last.total);

    let mut zip = ZipArchive::new(Cursor::new(bytes)).unwrap();
    let index = read(&mut zip, "index.html");
    for (number, title) in CLAUSES {
        let page = format!("clauses/{number}.html");
        assert!(
            index.contains(&format!("href=\"{page}\"")),
            "index lacks {number}"
        );
        let html = read(&mut zip, &page);
        assert!(
            html.contains(title) || html.contains(&title.replace('\'', "&#39;")),
            "{page}"
        );
        assert!(html.contains("What an auditor samples"), "{page}");
    }

    // Every file but the manifest is listed with a hash that matches its content.
    let manifest = read(&mut zip, MANIFEST_NAME);
    let listed: Vec<(String, String)> = manifest
        .lines()
        .map(|line| {
            let (hash, path) = line.split_once("  ").expect("sha256sum format");
            (hash.to_string(), path.to_string())
        })
        .collect();
    assert_eq!(listed.len(), zip.len() - 1);
    for (hash, path) in &listed {
        let mut content = Vec::new();
        zip.by_name(path)
            .unwrap()
            .read_to_end(&mut content)
            .unwrap();
        assert_eq!(hash, &hex::encode(Sha256::digest(&content)), "{path}");
    }

    // The sampled records are there, as HTML and as CSV.
    let changes = read(&mut zip, "records/changes.csv");
    assert!(changes.starts_with("\u{feff}Reference,Title"), "{changes}");
    assert!(
        changes.lines().count() > 1,
        "the demo has authorised changes"
    );
    let ncs = read(&mut zip, "records/nonconformities.html");
    assert!(ncs.contains("Effectiveness check"));
    let change_clause = read(&mut zip, "clauses/8.5.1.html");
    assert!(
        change_clause.contains("records/changes.html"),
        "{change_clause}"
    );
    let continuity = read(&mut zip, "clauses/8.7.2.html");
    assert!(
        continuity.contains("Payroll continuity plan"),
        "{continuity}"
    );
    // The SMS profile in force is the evidence of clauses 4 and 5.
    let profile = read(&mut zip, "sms-profile.html");
    assert!(profile.contains("SMS profile (version 1)"), "{profile}");
    assert!(profile.contains("Regulator"), "{profile}");
    assert!(profile.contains("Owner of 8.5.1 Change management</th><td>Chris Change"));
    let policy = read(&mut zip, "clauses/5.2.html");
    assert!(policy.contains("sms-profile.html"), "{policy}");
    assert!(!index.contains("<script"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_data_gives_the_same_pack() {
    let db = common::demo_db().await;
    let date = as_of();
    let (first, _) = pack(&db, date).await;
    let (second, _) = pack(&db, date).await;
    assert!(first == second, "two builds from the same data differ");
    // Another as-of date is another sampling window: a different pack.
    let earlier = date - chrono::Days::new(400);
    let (older, _) = pack(&db, earlier).await;
    assert!(older != first);
}

async fn download(
    state: &app::server::state::AppState,
    href: &str,
    cookie: Option<&str>,
) -> (StatusCode, Vec<u8>) {
    let mut request = Request::get(href).header(header::HOST, "127.0.0.1:3000");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = conform::routes::router(state.clone())
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body.to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pack_builds_in_the_background_and_downloads_for_those_allowed() {
    let db = common::test_db().await;
    let state = state(db.clone());
    add_user(&db, "quality@example.org", vec![Role::QualityManager]).await;
    add_user(&db, "requester@example.org", vec![Role::Requester]).await;
    let quality = sign_in(&state, "quality@example.org", PASSWORD).await;
    let requester = sign_in(&state, "requester@example.org", PASSWORD).await;

    let refused = send(
        &state,
        call("/api/evidence-pack/start", "as_of=", Some(&requester)),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let future = send(
        &state,
        call(
            "/api/evidence-pack/start",
            "as_of=2999-01-01",
            Some(&quality),
        ),
    )
    .await;
    assert!(future.body.contains("future"), "{}", future.body);

    let started = send(
        &state,
        call("/api/evidence-pack/start", "as_of=", Some(&quality)),
    )
    .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let mut status: PackStatus = serde_json::from_str(&started.body).unwrap();
    for _ in 0..200 {
        if status.state != PackState::Building {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let reply = send(
            &state,
            call(
                "/api/evidence-pack/status",
                &format!("id={}", status.id),
                Some(&quality),
            ),
        )
        .await;
        status = serde_json::from_str(&reply.body).unwrap();
    }
    assert_eq!(status.state, PackState::Ready, "{status:?}");

    let (code, _) = download(&state, &status.download_href(), None).await;
    assert_ne!(code, StatusCode::OK);
    let (code, _) = download(&state, &status.download_href(), Some(&requester)).await;
    assert_eq!(code, StatusCode::FORBIDDEN);
    let (code, bytes) = download(&state, &status.download_href(), Some(&quality)).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(Some(hex::encode(Sha256::digest(&bytes))), status.sha256);
    let zip = ZipArchive::new(Cursor::new(bytes)).unwrap();
    assert_eq!(Some(zip.len() as u32), status.files);
    let (code, _) = download(
        &state,
        "/compliance/evidence-pack/not-a-job/download",
        Some(&quality),
    )
    .await;
    assert_eq!(code, StatusCode::NOT_FOUND);
}

async fn wait_until_ready(
    packs: &app::server::evidence_jobs::EvidencePacks,
    id: &str,
) -> PackStatus {
    for _ in 0..400 {
        let status = packs.status(id).unwrap();
        if status.state != PackState::Building {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the pack {id} never finished");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn packs_are_built_in_a_private_folder_under_the_data_directory() {
    use std::os::unix::fs::PermissionsExt;
    let db = common::test_db().await;
    let data = tempfile::tempdir().unwrap();
    // Even a folder someone left open is closed again.
    std::fs::create_dir(data.path().join("evidence-packs")).unwrap();
    std::fs::set_permissions(
        data.path().join("evidence-packs"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let packs = conform::evidence_pack::registry_in(data.path()).unwrap();
    assert_eq!(packs.folder(), data.path().join("evidence-packs"));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(packs.folder()), 0o700);

    let started = packs
        .start(db.db.clone(), as_of(), 1, "Quality".into())
        .unwrap();
    let done = wait_until_ready(&packs, &started.id).await;
    assert_eq!(done.state, PackState::Ready, "{done:?}");
    let (_, path) = packs.file(&started.id).unwrap();
    assert_eq!(path.parent().unwrap(), packs.folder());
    assert_eq!(mode(&path), 0o600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_build_per_person_and_two_at_once() {
    use app::server::evidence_jobs::{EvidencePacks, MAX_BUILDING};
    assert_eq!(MAX_BUILDING, 2);
    let db = common::test_db().await;
    let data = tempfile::tempdir().unwrap();
    let release = std::sync::Arc::new(tokio::sync::Semaphore::new(0));
    let packs = EvidencePacks::held(data.path().join("packs"), release.clone());
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();

    let first = packs
        .start(db.db.clone(), day(1), 1, "Quinn".into())
        .unwrap();
    // The same date again (by anyone) is the running build, not a second one.
    let again = packs
        .start(db.db.clone(), day(1), 2, "Robin".into())
        .unwrap();
    assert_eq!(again.id, first.id);
    // Another date by the same person waits for their first.
    let refused = packs
        .start(db.db.clone(), day(2), 1, "Quinn".into())
        .unwrap_err();
    assert!(refused.contains("still being built"), "{refused}");
    // A second person may build; a third finds the installation busy.
    let second = packs
        .start(db.db.clone(), day(2), 2, "Robin".into())
        .unwrap();
    let busy = packs
        .start(db.db.clone(), day(3), 3, "Sam".into())
        .unwrap_err();
    assert!(
        busy.contains("2 evidence packs are being built already"),
        "{busy}"
    );

    release.add_permits(2);
    wait_until_ready(&packs, &first.id).await;
    wait_until_ready(&packs, &second.id).await;
    release.add_permits(2);
    let later = packs.start(db.db.clone(), day(3), 3, "Sam".into()).unwrap();
    assert_eq!(
        wait_until_ready(&packs, &later.id).await.state,
        PackState::Ready
    );
    packs
        .start(db.db.clone(), day(2), 1, "Quinn".into())
        .expect("once their build is done, a person may ask again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_request_of_the_same_person_is_refused_over_http() {
    let db = common::test_db().await;
    let data = tempfile::tempdir().unwrap();
    let release = std::sync::Arc::new(tokio::sync::Semaphore::new(0));
    let mut state = state(db.clone());
    state.evidence_packs =
        app::server::evidence_jobs::EvidencePacks::held(data.path().join("packs"), release.clone());
    add_user(&db, "quality@example.org", vec![Role::QualityManager]).await;
    let quality = sign_in(&state, "quality@example.org", PASSWORD).await;
    let start = |as_of: &str| call("/api/evidence-pack/start", as_of, Some(&quality));
    let first = send(&state, start("as_of=2026-01-01")).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let second = send(&state, start("as_of=2026-01-02")).await;
    assert_eq!(second.status, StatusCode::BAD_REQUEST, "{}", second.body);
    assert!(
        second.error().to_string().contains("still being built"),
        "{}",
        second.body
    );
    release.add_permits(1);
}
