//! The HTTP surface end to end through the router (no browser): health, pages, server functions.

mod common;

use app::server::state::AppState;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use tower::ServiceExt;

fn state(db: app::server::db::Db) -> AppState {
    AppState {
        leptos_options: LeptosOptions::builder()
            .output_name("conform")
            .site_root("target/site")
            .build(),
        db,
    }
}

async fn send(state: &AppState, request: Request<Body>) -> (StatusCode, String) {
    let response = conform::routes::router(state.clone())
        .oneshot(request)
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

fn post_form(uri: &str, body: &str) -> Request<Body> {
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn healthz_reports_ok_then_failing_database() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let (status, body) = send(&state, get("/healthz")).await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["status"], "ok");
    assert_eq!(json["database"], "ok");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));

    db.db.clone().close().await.unwrap();
    let (status, body) = send(&state, get("/healthz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["database"], "failing");
}

#[tokio::test]
async fn catalogue_page_renders_services_on_the_server() {
    let db = common::test_db().await;
    conform::demo::seed(&db).await.unwrap();
    let (status, html) = send(
        &state(db.db.clone()),
        get("/services?sort=criticality&dir=desc"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Customer portal"),
        "server-rendered list holds demo services"
    );
    assert!(html.contains("aria-sort=\"descending\""));
}

#[tokio::test]
async fn unknown_pages_and_records_are_404() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    for uri in [
        "/no-such-page",
        "/services/999999",
        "/services/not-a-number",
        "/services/999999/edit",
    ] {
        let (status, html) = send(&state, get(uri)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            html.contains("not found") || html.contains("Not found"),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn invalid_create_returns_field_errors_and_writes_nothing() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let body = "form[name]=&form[owner]=Dana&form[criticality]=extreme&form[status]=live&form[description]=&form[customers]=";
    let (status, text) = send(&state, post_form("/api/services/create", body)).await;
    assert!(
        status.is_server_error() || status.is_client_error(),
        "{status}"
    );
    let error: app::error::AppError = serde_json::from_str(&text).expect("typed AppError body");
    let fields = error.field_errors().expect("validation error");
    assert_eq!(fields.get("name"), Some("Name is required."));
    assert!(fields.get("criticality").is_some());
    assert!(!text.to_lowercase().contains("sql"));
    let total = app::server::service::catalogue::list(&db, &Default::default())
        .await
        .unwrap()
        .total;
    assert_eq!(total, 0);
}

#[tokio::test]
async fn extra_fields_in_a_form_body_are_rejected() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let body = "form[name]=Payroll&form[owner]=Dana&form[criticality]=low&form[status]=live&form[version]=99";
    let (status, text) = send(&state, post_form("/api/services/create", body)).await;
    assert!(!status.is_success(), "{status}: {text}");
    let total = app::server::service::catalogue::list(&db, &Default::default())
        .await
        .unwrap()
        .total;
    assert_eq!(total, 0);
}

#[tokio::test]
async fn valid_create_redirects_to_the_new_service() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let body = "form[name]=Payroll&form[owner]=Ingrid+Solberg&form[criticality]=critical&form[status]=live&form[description]=Monthly&form[customers]=HR";
    let request = Request::post("/api/services/create")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "text/html")
        .header(header::REFERER, "http://127.0.0.1:3000/services/new")
        .body(Body::from(body))
        .unwrap();
    let response = conform::routes::router(state.clone())
        .oneshot(request)
        .await
        .unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let location = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let service = app::server::service::catalogue::list(&db, &Default::default())
        .await
        .unwrap()
        .items
        .remove(0);
    assert_eq!(location, format!("/services/{}", service.id));
}

#[tokio::test]
async fn favicon_is_served() {
    let db = common::test_db().await;
    let (status, body) = send(&state(db.db.clone()), get("/favicon.svg")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with("<svg"));
}
