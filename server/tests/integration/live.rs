//! The live channel: an event published by one process reaches subscribers of another
//! (through PostgreSQL LISTEN/NOTIFY), or of the same process on SQLite.

use crate::common;

use app::model::live::LiveEvent;
use app::server::events::Events;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_reaches_every_process_listening() {
    let db = common::test_db().await;
    let publisher = Events::for_database(db.writer()).await.unwrap();
    // A second `conform` process on the same database has its own channel.
    let other = if common::backend_name() == "postgres" {
        Events::for_database(db.writer()).await.unwrap()
    } else {
        publisher.clone()
    };
    let mut here = publisher.subscribe();
    let mut there = other.subscribe();
    // Give LISTEN a moment to be registered before the first NOTIFY.
    tokio::time::sleep(Duration::from_millis(200)).await;
    publisher.publish(&LiveEvent::ChangeUpdated {
        id: 7,
        version: 2,
        state: "assessed".into(),
    });
    for receiver in [&mut here, &mut there] {
        let payload = tokio::time::timeout(Duration::from_secs(5), receiver.recv())
            .await
            .expect("in time")
            .unwrap();
        let event: LiveEvent = serde_json::from_str(&payload).unwrap();
        assert_eq!(
            event,
            LiveEvent::ChangeUpdated {
                id: 7,
                version: 2,
                state: "assessed".into()
            }
        );
    }
}

#[tokio::test]
async fn the_event_stream_needs_a_session() {
    use axum::http::{header, StatusCode};
    let db = common::test_db().await;
    let state = common::web::state(db.db.clone());
    let anonymous = common::web::send(&state, common::web::get("/events", None)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    common::web::add_user(
        &db,
        "reader@example.org",
        vec![app::model::access::Role::Requester],
    )
    .await;
    let cookie = common::web::sign_in(&state, "reader@example.org", common::web::PASSWORD).await;
    let response = tower::ServiceExt::oneshot(
        conform::routes::router(state.clone()),
        common::web::get("/events", Some(&cookie)),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
}
