//! The HTTP surface through the router (no browser): health, pages, server functions,
//! sessions, cross-site protection and security headers.

use crate::common;

use app::error::AppError;
use app::model::access::Role;
use axum::http::{header, StatusCode};
use common::web::{add_user, call, get, send, sign_in, state, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_reports_ok_then_failing_database() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let reply = send(&state, get("/healthz", None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(json["status"], "ok");
    assert_eq!(json["database"], "ok");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));

    db.db.clone().close().await.unwrap();
    let reply = send(&state, get("/healthz", None)).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    let json: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(json["database"], "failing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_need_a_session_and_send_you_to_sign_in() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let reply = send(&state, get("/services?sort=owner", None)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        reply.headers[header::LOCATION],
        "/login?next=%2Fservices%3Fsort%3Downer"
    );
    let login = send(&state, get("/login", None)).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains("Sign in to Conform"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_page_renders_services_on_the_server() {
    let db = common::demo_db().await;
    let state = state(db.db.clone());
    let cookie = sign_in(
        &state,
        "requester@conform.demo",
        conform::demo::DEMO_PASSWORD,
    )
    .await;
    let reply = send(
        &state,
        get("/services?sort=criticality&dir=desc", Some(&cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.body.contains("Customer portal"),
        "server-rendered list holds demo services"
    );
    assert!(reply.body.contains("aria-sort=\"descending\""));
    assert!(
        !reply.body.contains("New service"),
        "a requester is not offered to add services"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_pages_and_records_are_404() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    add_user(&db, "reader@example.org", vec![Role::Requester]).await;
    let cookie = sign_in(&state, "reader@example.org", PASSWORD).await;
    for uri in [
        "/no-such-page",
        "/services/999999",
        "/services/not-a-number",
        "/services/999999/edit",
    ] {
        let reply = send(&state, get(uri, Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            reply.body.contains("not found") || reply.body.contains("Not found"),
            "{uri}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_create_returns_field_errors_and_writes_nothing() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    add_user(&db, "owner@example.org", vec![Role::ServiceOwner]).await;
    let cookie = sign_in(&state, "owner@example.org", PASSWORD).await;
    let body = "form[name]=&form[owner]=Dana&form[criticality]=extreme&form[status]=live&form[description]=&form[customers]=";
    let reply = send(&state, call("/api/services/create", body, Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let error = reply.error();
    let fields = error.field_errors().expect("validation error");
    assert_eq!(fields.get("name"), Some("Name is required."));
    assert!(fields.get("criticality").is_some());
    assert!(!reply.body.to_lowercase().contains("sql"));
    let total = app::server::service::catalogue::list(&db, &Default::default())
        .await
        .unwrap()
        .total;
    assert_eq!(total, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extra_fields_in_a_request_are_rejected_or_ignored_never_applied() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    add_user(&db, "owner@example.org", vec![Role::ServiceOwner]).await;
    let cookie = sign_in(&state, "owner@example.org", PASSWORD).await;
    // Inside the form: refused outright.
    let body = "form[name]=Payroll&form[owner]=Dana&form[criticality]=low&form[status]=live&form[version]=99";
    let reply = send(&state, call("/api/services/create", body, Some(&cookie))).await;
    assert!(
        matches!(reply.error(), AppError::BadRequest(_)),
        "{}",
        reply.body
    );
    assert_eq!(
        app::server::service::catalogue::list(&db, &Default::default())
            .await
            .unwrap()
            .total,
        0
    );

    // Beside the form: ignored.
    let body = "form[name]=Payroll&form[owner]=Dana&form[criticality]=low&form[status]=live&version=99&created_by=1&role=admin";
    send(&state, call("/api/services/create", body, Some(&cookie))).await;
    let created = app::server::service::catalogue::list(&db, &Default::default())
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(
        created.version, 1,
        "version comes from the server, not the request"
    );
    let me = app::server::service::users::find_by_email(&db, "owner@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        me.roles,
        vec![Role::ServiceOwner],
        "no role was granted by the request"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn valid_plain_form_create_redirects_to_the_new_service() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    add_user(&db, "owner@example.org", vec![Role::ServiceOwner]).await;
    let cookie = sign_in(&state, "owner@example.org", PASSWORD).await;
    let body = "form[name]=Payroll&form[owner]=Ingrid+Solberg&form[criticality]=critical&form[status]=live&form[description]=Monthly&form[customers]=HR";
    let mut request = call("/api/services/create", body, Some(&cookie));
    request
        .headers_mut()
        .insert(header::ACCEPT, "text/html".parse().unwrap());
    request.headers_mut().insert(
        header::REFERER,
        "http://127.0.0.1:3000/services/new".parse().unwrap(),
    );
    let reply = send(&state, request).await;
    assert!(reply.status.is_redirection(), "{}", reply.status);
    let service = app::server::service::catalogue::list(&db, &Default::default())
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(
        reply.headers[header::LOCATION],
        format!("/services/{}", service.id).as_str()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_writes_are_refused() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    add_user(&db, "owner@example.org", vec![Role::ServiceOwner]).await;
    let cookie = sign_in(&state, "owner@example.org", PASSWORD).await;
    let body = "form[name]=Evil&form[owner]=Mallory&form[criticality]=low&form[status]=live";

    let mut foreign_origin = call("/api/services/create", body, Some(&cookie));
    foreign_origin
        .headers_mut()
        .insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert_eq!(
        send(&state, foreign_origin).await.status,
        StatusCode::FORBIDDEN
    );

    let mut no_origin = call("/api/services/create", body, Some(&cookie));
    no_origin.headers_mut().remove(header::ORIGIN);
    assert_eq!(send(&state, no_origin).await.status, StatusCode::FORBIDDEN);

    let mut cross_site = call("/api/services/create", body, Some(&cookie));
    cross_site
        .headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(send(&state, cross_site).await.status, StatusCode::FORBIDDEN);

    assert_eq!(
        app::server::service::catalogue::list(&db, &Default::default())
            .await
            .unwrap()
            .total,
        0
    );

    let mut same_origin = call("/api/services/create", body, Some(&cookie));
    same_origin.headers_mut().remove(header::ORIGIN);
    same_origin
        .headers_mut()
        .insert("sec-fetch-site", "same-origin".parse().unwrap());
    send(&state, same_origin).await;
    assert_eq!(
        app::server::service::catalogue::list(&db, &Default::default())
            .await
            .unwrap()
            .total,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers_and_a_script_nonce() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    add_user(&db, "reader@example.org", vec![Role::Requester]).await;
    let cookie = sign_in(&state, "reader@example.org", PASSWORD).await;
    let reply = send(&state, get("/services", Some(&cookie))).await;
    let csp = reply.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert!(csp.contains("'wasm-unsafe-eval'"));
    assert!(csp.contains("frame-ancestors 'none'"));
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(
        reply.body.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the nonce"
    );
    assert_eq!(reply.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(reply.headers[header::REFERRER_POLICY], "same-origin");
    assert_eq!(reply.headers[header::CACHE_CONTROL], "no-store");
    // Each response gets its own nonce.
    let again = send(&state, get("/services", Some(&cookie))).await;
    assert_ne!(
        again.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap(),
        csp
    );
}

/// The headers every answer carries, whoever gave it.
fn assert_security_headers(what: &str, headers: &axum::http::HeaderMap) {
    let csp = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap_or_else(|| panic!("{what}: no content security policy"));
    assert!(
        csp.to_str().unwrap().contains("frame-ancestors 'none'"),
        "{what}"
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{what}");
    assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY", "{what}");
    assert_eq!(headers[header::REFERRER_POLICY], "same-origin", "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_caught_panics_carry_the_security_headers_too() {
    let db = common::test_db().await;
    let mut state = state(db.db.clone());
    state.safeguards.live = app::server::live_connections::LiveConnections::with_limits(1, 1);
    add_user(&db, "admin@example.org", vec![Role::Admin]).await;
    let cookie = sign_in(&state, "admin@example.org", PASSWORD).await;

    // 413: refused before anything reads the body.
    let big = "x".repeat(3 << 20);
    let mut request = call("/api/users/disable", &big, Some(&cookie));
    request
        .headers_mut()
        .insert(header::CONTENT_LENGTH, big.len().into());
    let reply = send(&state, request).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_security_headers("413", &reply.headers);

    // 401: a stream without a session, a private server function called anonymously.
    let reply = send(&state, get("/events", None)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_security_headers("401 stream", &reply.headers);
    let reply = send(
        &state,
        call("/api/users/disable", "id=1&version=1&disabled=true", None),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_security_headers("401 call", &reply.headers);

    // 429: one live stream per session here, and one is open.
    let open = tower::ServiceExt::oneshot(
        conform::routes::router(state.clone()),
        get("/events", Some(&cookie)),
    )
    .await
    .unwrap();
    assert_eq!(open.status(), StatusCode::OK);
    assert_security_headers("event stream", open.headers());
    let reply = send(&state, get("/events", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_security_headers("429", &reply.headers);
    drop(open);

    // 500: a handler that panics, behind the same outer layers as every route.
    let panicking = conform::routes::outer_layers(
        axum::Router::new().route(
            "/boom",
            axum::routing::get(|| async {
                if true {
                    panic!("a bug on some input");
                }
                "never reached"
            }),
        ),
        &state,
    )
    .with_state(state.clone());
    let response = tower::ServiceExt::oneshot(panicking, get("/boom", None))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_security_headers("caught panic", response.headers());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_rotates_the_session_and_sign_out_kills_it() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    add_user(&db, "reader@example.org", vec![Role::Requester]).await;
    let first = sign_in(&state, "reader@example.org", PASSWORD).await;
    assert_eq!(
        send(&state, get("/services", Some(&first))).await.status,
        StatusCode::OK
    );

    // Signing in again from the same browser issues a new id and ends the old one.
    let body = format!(
        "form[email]=reader%40example.org&form[password]={}",
        app::model::service::encode_component(PASSWORD)
    );
    let reply = send(&state, call("/api/auth/sign_in", &body, Some(&first))).await;
    let second = reply.session_cookie().expect("new session");
    assert_ne!(first, second);
    assert_eq!(
        send(&state, get("/services", Some(&first))).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        send(&state, get("/services", Some(&second))).await.status,
        StatusCode::OK
    );

    let reply = send(&state, call("/api/auth/sign_out", "", Some(&second))).await;
    assert!(reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.to_str().unwrap().contains("Max-Age=0")));
    assert_eq!(
        send(&state, get("/services", Some(&second))).await.status,
        StatusCode::SEE_OTHER,
        "old cookie is dead"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_get_one_message_and_repeated_failures_are_throttled() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    add_user(&db, "reader@example.org", vec![Role::Requester]).await;
    let attempt =
        |email: &str, password: &str| format!("form[email]={email}&form[password]={password}");
    let unknown = send(
        &state,
        call(
            "/api/auth/sign_in",
            &attempt("nobody%40example.org", "whatever-password"),
            None,
        ),
    )
    .await;
    let wrong = send(
        &state,
        call(
            "/api/auth/sign_in",
            &attempt("reader%40example.org", "wrong-password"),
            None,
        ),
    )
    .await;
    assert_eq!(unknown.error(), AppError::SignInFailed);
    assert_eq!(wrong.error(), AppError::SignInFailed);
    assert_eq!(
        unknown.body, wrong.body,
        "the reply does not reveal whether the account exists"
    );

    for _ in 0..4 {
        send(
            &state,
            call(
                "/api/auth/sign_in",
                &attempt("reader%40example.org", "wrong-password"),
                None,
            ),
        )
        .await;
    }
    let correct = app::model::service::encode_component(PASSWORD);
    let locked = send(
        &state,
        call(
            "/api/auth/sign_in",
            &attempt("reader%40example.org", &correct),
            None,
        ),
    )
    .await;
    assert!(
        matches!(locked.error(), AppError::RateLimited { .. }),
        "{}",
        locked.body
    );
    assert!(locked.session_cookie().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn favicon_is_served_without_a_session() {
    let db = common::test_db().await;
    let reply = send(&state(db.db.clone()), get("/favicon.svg", None)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.starts_with("<svg"));
}
