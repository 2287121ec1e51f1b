//! Abuse resistance, over HTTP and through the services (SQLite and PostgreSQL): sign-in
//! throttling under parallel attempts, trusted proxies, refusals counted without growing
//! the audit trail at will, oversized and anonymous requests, live-connection limits.

use crate::common;

use app::error::AppError;
use app::model::access::{Permission, Role};
use app::model::user::SignInForm;
use app::server::audit::Actor;
use app::server::client_address::TrustedProxies;
use app::server::entity::audit_log::{Column as AuditColumn, Entity as AuditLog};
use app::server::live_connections::LiveConnections;
use app::server::service::identity::{self, ClientInfo};
use app::server::session::SessionPolicy;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::web::{self, add_user, call, get, send, sign_in, PASSWORD};
use http_body_util::BodyExt;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::net::SocketAddr;
use std::time::Duration;
use tower::ServiceExt;

fn form(email: &str, password: &str) -> SignInForm {
    SignInForm {
        email: email.into(),
        password: password.into(),
        next: "/".into(),
    }
}

fn from(ip: &str) -> ClientInfo {
    ClientInfo {
        ip: Some(ip.into()),
        user_agent: None,
    }
}

async fn audit_count(db: &app::server::db::Db, action: &str) -> u64 {
    AuditLog::find()
        .filter(AuditColumn::Action.eq(action))
        .count(db.reader())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_wrong_passwords_never_check_more_than_the_limit() {
    let db = common::test_db().await;
    add_user(&db, "admin@example.org", vec![Role::Admin]).await;
    let checked_before = app::server::password::checked_count();
    let attempts: Vec<_> = (0..30)
        .map(|i| {
            let db = db.db.clone();
            tokio::spawn(async move {
                identity::sign_in(
                    &db,
                    SessionPolicy::default(),
                    &form("admin@example.org", &format!("guess number {i}")),
                    &from("203.0.113.9"),
                )
                .await
            })
        })
        .collect();
    let (mut failed, mut throttled) = (0, 0);
    for attempt in attempts {
        match attempt.await.unwrap() {
            Err(AppError::SignInFailed) => failed += 1,
            Err(AppError::RateLimited { .. }) => throttled += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    let checked = app::server::password::checked_count() - checked_before;
    let limit = app::model::throttle::PAIR_RULE.max_failures as u64;
    assert!(
        checked <= limit,
        "{checked} passwords checked, limit {limit}"
    );
    assert_eq!(
        failed as u64, checked,
        "every check that failed is a failure"
    );
    assert_eq!(failed + throttled, 30);
    assert_eq!(audit_count(&db, "sign_in_failed").await, failed as u64);
    assert!(failed >= 1, "the limit is reached, not skipped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_signs_in_from_their_address_while_an_attacker_is_locked_out() {
    let db = common::test_db().await;
    add_user(&db, "admin@example.org", vec![Role::Admin]).await;
    let policy = SessionPolicy::default();
    for _ in 0..5 {
        let refused = identity::sign_in(
            &db,
            policy,
            &form("admin@example.org", "wrong"),
            &from("203.0.113.9"),
        )
        .await;
        assert_eq!(refused.unwrap_err(), AppError::SignInFailed);
    }
    // The attacker's address is locked for this account, even with the right password.
    let locked = identity::sign_in(
        &db,
        policy,
        &form("admin@example.org", PASSWORD),
        &from("203.0.113.9"),
    )
    .await;
    assert!(
        matches!(locked, Err(AppError::RateLimited { retry_after_seconds }) if retry_after_seconds > 60),
        "{locked:?}"
    );
    // The owner, elsewhere, is not.
    let (user, _) = identity::sign_in(
        &db,
        policy,
        &form("admin@example.org", PASSWORD),
        &from("198.51.100.20"),
    )
    .await
    .expect("the owner signs in");
    assert_eq!(user.email, "admin@example.org");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_wide_limit_spares_an_address_the_owner_signed_in_from() {
    let db = common::test_db().await;
    add_user(&db, "admin@example.org", vec![Role::Admin]).await;
    let policy = SessionPolicy::default();
    identity::sign_in(
        &db,
        policy,
        &form("admin@example.org", PASSWORD),
        &from("198.51.100.20"),
    )
    .await
    .expect("the owner's usual address");
    // A guesser with many addresses, four guesses each (under the pair limit).
    let limit = app::model::throttle::ACCOUNT_RULE.max_failures;
    let mut guesses = 0;
    'outer: for host in 1..=60 {
        for _ in 0..4 {
            let ip = format!("203.0.113.{host}");
            match identity::sign_in(&db, policy, &form("admin@example.org", "wrong"), &from(&ip))
                .await
            {
                Err(AppError::SignInFailed) => guesses += 1,
                Err(AppError::RateLimited { .. }) => break 'outer,
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(guesses, limit, "the account-wide limit stops the guesser");
    let new_place = identity::sign_in(
        &db,
        policy,
        &form("admin@example.org", PASSWORD),
        &from("192.0.2.1"),
    )
    .await;
    assert!(
        matches!(new_place, Err(AppError::RateLimited { .. })),
        "{new_place:?}"
    );
    identity::sign_in(
        &db,
        policy,
        &form("admin@example.org", PASSWORD),
        &from("198.51.100.20"),
    )
    .await
    .expect("the owner's known address still signs in");
}

fn from_peer(mut request: Request<Body>, peer: &str) -> Request<Body> {
    let addr: SocketAddr = format!("{peer}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    request
}

fn sign_in_call(email: &str, password: &str) -> Request<Body> {
    let body = format!(
        "form[email]={}&form[password]={}&form[next]=/",
        app::model::service::encode_component(email),
        app::model::service::encode_component(password)
    );
    call("/api/auth/sign_in", &body, None)
}

async fn last_failed_sign_in_ip(db: &app::server::db::Db) -> Option<String> {
    AuditLog::find()
        .filter(AuditColumn::Action.eq("sign_in_failed"))
        .order_by_desc(AuditColumn::Seq)
        .one(db.reader())
        .await
        .unwrap()
        .unwrap()
        .client_ip
}

#[tokio::test]
async fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
    let db = common::test_db().await;
    let mut state = web::state(db.db.clone());
    state.safeguards.proxies = TrustedProxies::parse("10.0.0.0/8").unwrap();
    add_user(&db, "admin@example.org", vec![Role::Admin]).await;

    let mut request = from_peer(sign_in_call("admin@example.org", "wrong"), "10.1.2.3");
    request
        .headers_mut()
        .insert("x-forwarded-for", "6.6.6.6, 203.0.113.9".parse().unwrap());
    assert_eq!(send(&state, request).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        last_failed_sign_in_ip(&db).await.as_deref(),
        Some("203.0.113.9")
    );

    // The same header from a client that is not a proxy is ignored.
    let mut request = from_peer(sign_in_call("admin@example.org", "wrong"), "198.51.100.7");
    request
        .headers_mut()
        .insert("x-forwarded-for", "203.0.113.9".parse().unwrap());
    assert_eq!(send(&state, request).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        last_failed_sign_in_ip(&db).await.as_deref(),
        Some("198.51.100.7")
    );

    // So a client cannot escape its own lockout by naming another address.
    for _ in 0..4 {
        let request = from_peer(sign_in_call("admin@example.org", "wrong"), "198.51.100.7");
        send(&state, request).await;
    }
    let mut request = from_peer(sign_in_call("admin@example.org", PASSWORD), "198.51.100.7");
    request
        .headers_mut()
        .insert("x-forwarded-for", "192.0.2.55".parse().unwrap());
    let reply = send(&state, request).await;
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn a_sign_in_flood_gets_429_with_a_message() {
    let reply = AppError::RateLimited {
        retry_after_seconds: 1,
    };
    assert_eq!(reply.status_code(), 429);
    assert_eq!(
        reply.to_string(),
        "Too many sign-in attempts, try again in a moment."
    );
}

#[tokio::test]
async fn a_thousand_refusals_write_a_bounded_number_of_audit_entries() {
    let db = common::test_db().await;
    let state = web::state(db.db.clone());
    add_user(&db, "req@example.org", vec![Role::Requester]).await;
    let cookie = sign_in(&state, "req@example.org", PASSWORD).await;
    let before = AuditLog::find().count(db.reader()).await.unwrap();
    // A requester may not export evidence packs; ask a thousand times.
    for _ in 0..1000 {
        let reply = send(
            &state,
            get("/compliance/evidence-pack/x/download", Some(&cookie)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
    }
    let written = AuditLog::find().count(db.reader()).await.unwrap() - before;
    assert_eq!(
        written, 1,
        "only the first refusal of the window is written at once"
    );
    assert_eq!(state.safeguards.refusals.flush(&db, true).await.unwrap(), 1);
    let summary = AuditLog::find()
        .filter(AuditColumn::Action.eq("permission_refused_repeatedly"))
        .one(db.reader())
        .await
        .unwrap()
        .expect("the count is reported");
    assert!(
        summary.summary.contains("refused 999 more time(s)"),
        "{}",
        summary.summary
    );
    assert!(summary
        .summary
        .contains(Permission::EvidenceExport.describe()));
    assert!(app::server::audit::verify(db.reader())
        .await
        .unwrap()
        .is_ok());

    // Anonymous callers with many addresses are bounded too.
    let refusals = app::server::refusals::Refusals::default();
    let before = AuditLog::find().count(db.reader()).await.unwrap();
    for i in 0..(app::server::refusals::MAX_CALLERS + 500) {
        let actor = Actor::anonymous(
            "anonymous",
            Some(format!("10.{}.{}.{}", i / 65536, (i / 256) % 256, i % 256)),
        );
        refusals.record(&db, &actor, None).await.unwrap();
    }
    refusals.flush(&db, true).await.unwrap();
    let written = AuditLog::find().count(db.reader()).await.unwrap() - before;
    assert_eq!(
        written as usize,
        app::server::refusals::MAX_CALLERS + 2,
        "one per caller, then one for many callers and its count"
    );
}

#[tokio::test]
async fn plain_handlers_refuse_like_server_functions() {
    let db = common::test_db().await;
    let state = web::state(db.db.clone());
    add_user(&db, "req@example.org", vec![Role::Requester]).await;
    let cookie = sign_in(&state, "req@example.org", PASSWORD).await;
    let expected = AppError::Forbidden(Permission::EvidenceExport.describe().into());
    let download = send(
        &state,
        get("/compliance/evidence-pack/x/download", Some(&cookie)),
    )
    .await;
    assert_eq!(download.status, StatusCode::FORBIDDEN);
    assert_eq!(download.body, expected.to_string());
    // The server function behind the same permission refuses in the same words, and both
    // doors count into the same tally (one entry for the window).
    let start = send(&state, call("/api/evidence-pack/start", "", Some(&cookie))).await;
    assert_eq!(start.status, StatusCode::FORBIDDEN);
    assert_eq!(start.error(), expected);
    assert_eq!(audit_count(&db, "permission_refused").await, 1);
    state.safeguards.refusals.flush(&db, true).await.unwrap();
    let summary = AuditLog::find()
        .filter(AuditColumn::Action.eq("permission_refused_repeatedly"))
        .one(db.reader())
        .await
        .unwrap()
        .unwrap();
    assert!(
        summary.summary.contains("refused 1 more time(s)"),
        "{}",
        summary.summary
    );
}

fn big_call(uri: &str, size: usize, cookie: Option<&str>) -> Request<Body> {
    let mut request = call(uri, "", cookie);
    *request.body_mut() = Body::from(vec![b'x'; size]);
    request
        .headers_mut()
        .insert(header::CONTENT_LENGTH, size.to_string().parse().unwrap());
    request
}

#[tokio::test]
async fn oversized_bodies_get_413_with_a_message() {
    let db = common::test_db().await;
    let state = web::state(db.db.clone());
    add_user(&db, "admin@example.org", vec![Role::Admin]).await;
    let cookie = sign_in(&state, "admin@example.org", PASSWORD).await;
    for size in [3 << 20, 12 << 20] {
        for (uri, who) in [
            ("/api/users/disable", Some(cookie.as_str())),
            ("/api/auth/sign_in", None),
        ] {
            let reply = send(&state, big_call(uri, size, who)).await;
            assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{uri} {size}");
            assert!(
                reply.error().to_string().contains("at most 2 MiB"),
                "{}",
                reply.body
            );
        }
    }
    // Sent in chunks, without a declared length.
    let chunks =
        tokio_stream::iter((0..48).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 64 * 1024])));
    let mut request = call("/api/users/disable", "", Some(&cookie));
    *request.body_mut() = Body::from_stream(chunks);
    request
        .headers_mut()
        .insert(header::TRANSFER_ENCODING, "chunked".parse().unwrap());
    let reply = send(&state, request).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn oversized_bodies_over_tcp_read_413_not_a_reset() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let db = common::test_db().await;
    let state = web::state(db.db.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = conform::routes::router(state).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let size = 12 << 20;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/auth/sign_in HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {size}\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The client writes the whole body without waiting (no `Expect: 100-continue`).
    let (mut read, mut write) = stream.into_split();
    let writer = tokio::spawn(async move {
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..(size / chunk.len()) {
            if write.write_all(&chunk).await.is_err() {
                break;
            }
        }
        write
    });
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), read.read_to_end(&mut response))
        .await
        .expect("answered in time")
        .expect("no connection reset");
    drop(writer.await);
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("at most 2 MiB"), "{text}");
}

#[tokio::test]
async fn anonymous_calls_of_private_server_functions_get_401_before_the_body_is_read() {
    let db = common::test_db().await;
    let state = web::state(db.db.clone());
    for body in [
        "garbage=%%%&&&".to_string(),
        "{\"not\": json".to_string(),
        "x".repeat(1 << 20),
    ] {
        let reply = send(&state, call("/api/users/disable", &body, None)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{}",
            &reply.body[..reply.body.len().min(80)]
        );
        assert_eq!(reply.error(), AppError::Unauthenticated);
    }
    // Public ones still answer.
    let reply = send(&state, call("/api/auth/current_user", "", None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    // And the refusals are counted like any other (one entry for the window).
    assert_eq!(audit_count(&db, "permission_refused").await, 1);
}

/// Opens `/events` and returns the response (its body is the open stream).
async fn open_events(
    state: &app::server::state::AppState,
    uri: &str,
    cookie: &str,
    extra: &[(&str, &str)],
) -> axum::response::Response {
    let mut request = get(uri, Some(cookie));
    for (name, value) in extra {
        request.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    conform::routes::router(state.clone())
        .oneshot(request)
        .await
        .unwrap()
}

async fn ends_soon(response: axum::response::Response) -> bool {
    tokio::time::timeout(Duration::from_secs(5), response.into_body().collect())
        .await
        .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_connections_are_capped_per_session_and_per_process() {
    let db = common::test_db().await;
    let mut state = web::state(db.db.clone());
    state.safeguards.live = LiveConnections::with_limits(2, 3);
    add_user(&db, "a@example.org", vec![Role::Requester]).await;
    add_user(&db, "b@example.org", vec![Role::Requester]).await;
    let a = sign_in(&state, "a@example.org", PASSWORD).await;
    let b = sign_in(&state, "b@example.org", PASSWORD).await;
    let b2 = sign_in(&state, "b@example.org", PASSWORD).await;
    let first = open_events(&state, "/events", &a, &[]).await;
    let second = open_events(&state, "/events", &a, &[]).await;
    assert_eq!(
        (first.status(), second.status()),
        (StatusCode::OK, StatusCode::OK)
    );
    let third = open_events(&state, "/events", &a, &[]).await;
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    let text = String::from_utf8(
        third
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(text.contains("Too many live connections"), "{text}");
    let other = open_events(&state, "/events", &b, &[]).await;
    assert_eq!(other.status(), StatusCode::OK);
    let full = open_events(&state, "/events", &b2, &[]).await;
    assert_eq!(full.status(), StatusCode::TOO_MANY_REQUESTS);
    // Closing a stream frees its place.
    drop(first);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(state.safeguards.live.count(), 2);
    let again = open_events(&state, "/events", &b2, &[]).await;
    assert_eq!(again.status(), StatusCode::OK);

    // Shutdown tells every stream to close.
    state.safeguards.live.close_all();
    assert!(ends_soon(second).await, "streams end at shutdown");
    assert!(ends_soon(other).await);
    assert!(ends_soon(again).await);
}

async fn meeting(db: &app::server::db::Db, chair: &app::model::user::User) -> i64 {
    use app::model::cab::BoardForm;
    use app::server::service::cab;
    let actor = Actor::user(chair.id, chair.name.clone(), None);
    let member = add_user(
        db,
        &format!("member{}@example.org", chair.id),
        vec![Role::CabMember],
    )
    .await;
    let form = BoardForm {
        name: "Weekly CAB".into(),
        kind: "cab".into(),
        chair_id: chair.id.to_string(),
        quorum_kind: "majority".into(),
        weekday: "tue".into(),
        meets_at: "10:00".into(),
        time_zone: "Europe/Berlin".into(),
        member_ids: vec![chair.id.to_string(), member.id.to_string()],
        ..Default::default()
    };
    let board = cab::boards::create(db, &actor, form.validate().unwrap())
        .await
        .unwrap();
    cab::meetings::schedule(
        db,
        &actor,
        board.id,
        app::model::meeting::MeetingWhen::Now,
        String::new(),
        chrono::Utc::now(),
    )
    .await
    .unwrap()
}

async fn connections(db: &app::server::db::Db, meeting_id: i64, user_id: i64) -> i32 {
    use app::server::entity::cab_attendance::{Column, Entity};
    Entity::find()
        .filter(Column::MeetingId.eq(meeting_id))
        .filter(Column::UserId.eq(user_id))
        .one(db.reader())
        .await
        .unwrap()
        .map_or(0, |row| row.connections)
}

async fn eventually_absent(db: &app::server::db::Db, meeting_id: i64, user_id: i64) -> bool {
    for _ in 0..50 {
        if connections(db, meeting_id, user_id).await == 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_or_being_disabled_ends_streams_and_presence_at_once() {
    let db = common::test_db().await;
    let state = web::state(db.db.clone());
    let admin = add_user(&db, "admin@example.org", vec![Role::Admin]).await;
    let chair = add_user(&db, "chair@example.org", vec![Role::ChangeManager]).await;
    let id = meeting(&db, &chair).await;
    let uri = format!("/events?meeting={id}");

    let cookie = sign_in(&state, "chair@example.org", PASSWORD).await;
    let stream = open_events(&state, &uri, &cookie, &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(connections(&db, id, chair.id).await, 1);
    let reply = send(&state, call("/api/auth/sign_out", "", Some(&cookie))).await;
    assert!(
        reply.status.is_success() || reply.status.is_redirection(),
        "{}",
        reply.status
    );
    assert!(ends_soon(stream).await, "sign-out ends the stream");
    assert!(
        eventually_absent(&db, id, chair.id).await,
        "and the presence"
    );

    let cookie = sign_in(&state, "chair@example.org", PASSWORD).await;
    let stream = open_events(&state, &uri, &cookie, &[("sec-fetch-site", "same-origin")]).await;
    assert_eq!(connections(&db, id, chair.id).await, 1);
    let admin_cookie = sign_in(&state, "admin@example.org", PASSWORD).await;
    let _ = admin;
    let reply = send(
        &state,
        call(
            "/api/users/disable",
            &format!("id={}&version={}&disabled=true", chair.id, chair.version),
            Some(&admin_cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(ends_soon(stream).await, "disabling ends the stream");
    assert!(
        eventually_absent(&db, id, chair.id).await,
        "and the presence"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_site_request_cannot_mark_anyone_present() {
    let db = common::test_db().await;
    let state = web::state(db.db.clone());
    let chair = add_user(&db, "chair@example.org", vec![Role::ChangeManager]).await;
    let id = meeting(&db, &chair).await;
    let cookie = sign_in(&state, "chair@example.org", PASSWORD).await;
    let uri = format!("/events?meeting={id}");
    for headers in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "https://evil.example")],
    ] {
        let response = open_events(&state, &uri, &cookie, &headers).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(connections(&db, id, chair.id).await, 0);
    }
    // Without a meeting, the stream itself is harmless.
    let response = open_events(
        &state,
        "/events",
        &cookie,
        &[("sec-fetch-site", "cross-site")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
}
