//! Values at their extremes, sent straight to the server as an attacker with a valid account
//! would: huge page numbers, far-future years, out-of-range numbers. Each gets an answer (a
//! page or a clear 400), never a panic or a dropped connection.

use crate::common;

use app::model::access::Role;
use axum::http::StatusCode;
use common::web::{add_user, call, get, send, sign_in, state, PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn huge_page_numbers_answer_an_empty_page() {
    let db = common::test_db().await;
    add_user(
        &db,
        "admin@example.org",
        vec![Role::Admin, Role::ChangeManager],
    )
    .await;
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "admin@example.org", PASSWORD).await;
    for (uri, body) in [
        (
            "/api/services/list",
            "params[q]=&params[page]=18446744073709551615",
        ),
        (
            "/api/changes/list",
            "params[q]=&params[page]=18446744073709551615",
        ),
        (
            "/api/improvements/list",
            "params[q]=&params[page]=99999999999999999999",
        ),
    ] {
        let reply = send(&state, call(uri, body, Some(&cookie))).await;
        assert!(
            reply.status == StatusCode::OK || reply.status == StatusCode::BAD_REQUEST,
            "{uri}: {} {}",
            reply.status,
            reply.body
        );
    }
    for uri in [
        "/services?page=18446744073709551616",
        "/audit?page=18446744073709551615",
        "/changes?page=-1",
    ] {
        let reply = send(&state, get(uri, Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn far_future_years_and_out_of_range_numbers_get_a_clear_400() {
    let db = common::test_db().await;
    add_user(&db, "cm@example.org", vec![Role::ChangeManager]).await;
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "cm@example.org", PASSWORD).await;
    for (uri, body) in [
        (
            "/api/calendar/save_window",
            "form[kind]=blackout&form[name]=Far+away&form[starts]=262142-01-01T00:00&form[ends]=262142-01-02T00:00",
        ),
        (
            "/api/changes/transition",
            "id=1&version=99999999999&action=submit",
        ),
        ("/api/services/get", "id=-9223372036854775809"),
    ] {
        let reply = send(&state, call(uri, body, Some(&cookie))).await;
        assert!(
            reply.status.is_client_error(),
            "{uri}: {} {}",
            reply.status,
            reply.body
        );
        assert!(!reply.body.is_empty(), "{uri}: an answer, with its reason");
    }
}
