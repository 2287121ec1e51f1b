//! The live channel: an event published by one process reaches subscribers of another
//! (through PostgreSQL LISTEN/NOTIFY), or of the same process on SQLite.

use crate::common;

use app::model::live::LiveEvent;
use app::server::events::Events;
use common::live_stream::EventReader;
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
        cards: vec![],
    });
    for receiver in [&mut here, &mut there] {
        let heard = tokio::time::timeout(Duration::from_secs(5), receiver.recv())
            .await
            .expect("in time")
            .unwrap();
        let event: LiveEvent = serde_json::from_str(&heard.payload).unwrap();
        assert_eq!(
            event,
            LiveEvent::ChangeUpdated {
                id: 7,
                version: 2,
                state: "assessed".into(),
                cards: vec![],
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

/// A server on `db` and the cookie of an auditor signed in to it.
async fn signed_in_reader(db: &common::TestDb) -> (app::server::state::AppState, String) {
    let state = common::web::state(db.db.clone());
    common::web::add_user(
        db,
        "reader@example.org",
        vec![app::model::access::Role::Auditor],
    )
    .await;
    let cookie = common::web::sign_in(&state, "reader@example.org", common::web::PASSWORD).await;
    (state, cookie)
}

/// `GET /events`, saying the last event seen when there was one (as a reconnecting browser).
fn stream_request(cookie: &str, last_seen: Option<&str>) -> axum::http::Request<axum::body::Body> {
    let mut request = common::web::get("/events", Some(cookie));
    if let Some(seen) = last_seen {
        request
            .headers_mut()
            .insert("last-event-id", seen.parse().unwrap());
    }
    request
}

fn meeting(meeting_id: i64) -> LiveEvent {
    LiveEvent::MeetingUpdated {
        meeting_id,
        meeting: None,
    }
}

#[tokio::test]
async fn a_stream_that_reconnects_is_sent_what_it_missed_or_told_to_resync() {
    let db = common::test_db().await;
    let (state, cookie) = signed_in_reader(&db).await;

    // A new stream starts with `ready`, so that even a quiet one has a place to resume from.
    let mut first = EventReader::open(&state, stream_request(&cookie, None)).await;
    let ready = first.next().await;
    assert_eq!(ready.name, "ready");
    state.events.publish(&meeting(1));
    let one = first.next().await;
    assert_eq!(
        (
            one.name.as_str(),
            serde_json::from_str::<LiveEvent>(&one.data).unwrap()
        ),
        ("change", meeting(1))
    );
    drop(first); // the laptop goes offline…

    for id in 2..=4 {
        state.events.publish(&meeting(id));
    }
    // …and comes back, saying the last event it saw: it is sent the three it missed, in order,
    // then what happens next.
    let mut back = EventReader::open(&state, stream_request(&cookie, Some(&one.id))).await;
    let mut ids = vec![one.id.clone()];
    for id in 2..=4 {
        let heard = back.next().await;
        assert_eq!(
            serde_json::from_str::<LiveEvent>(&heard.data).unwrap(),
            meeting(id)
        );
        ids.push(heard.id);
    }
    state.events.publish(&meeting(5));
    let next = back.next().await;
    assert_eq!(
        serde_json::from_str::<LiveEvent>(&next.data).unwrap(),
        meeting(5)
    );
    ids.push(next.id);
    let mut distinct = ids.clone();
    distinct.dedup();
    assert_eq!(distinct.len(), 5, "every event has its own id: {ids:?}");

    // A position this process never gave (another process, a restart): fetch everything.
    for foreign in ["1-1", "garbage"] {
        let mut elsewhere = EventReader::open(&state, stream_request(&cookie, Some(foreign))).await;
        let heard = elsewhere.next().await;
        let expected = if foreign == "garbage" {
            "ready"
        } else {
            "resync"
        };
        assert_eq!(heard.name, expected, "after {foreign:?}");
    }
}

#[tokio::test]
async fn a_moved_change_brings_the_cards_that_changed_shown_in_each_readers_zone() {
    use app::model::access::Role;
    use app::model::change::ChangeAction;
    use app::model::change_request::ChangeForm;
    use app::server::service::{change_lists, changes, users};

    let db = common::test_db().await;
    let state = common::web::state(db.db.clone());
    let manager =
        common::web::add_user(&db, "manager@example.org", vec![Role::ChangeManager]).await;
    let manager = common::web::current(&manager);
    let reader = common::web::add_user(&db, "reader@example.org", vec![Role::Auditor]).await;
    let reader = common::web::current(&reader);
    users::set_time_zone(&db, &reader, None, "Europe/Berlin")
        .await
        .unwrap();
    // Signed in with no role: no change details for them.
    common::web::add_user(&db, "nobody@example.org", vec![]).await;

    let service = app::server::service::catalogue::create(
        &db,
        &app::server::audit::Actor::system("test"),
        app::model::service::ServiceForm {
            name: "Mail".into(),
            owner: "Owner".into(),
            criticality: "low".into(),
            status: "live".into(),
            ..Default::default()
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap()
    .id;
    let change_at = |start: &str, end: &str| ChangeForm {
        title: format!("Mail work {start}"),
        change_type: "normal".into(),
        service_ids: vec![service.to_string()],
        planned_start: start.into(),
        planned_end: end.into(),
        implementation_plan: "Apply.".into(),
        test_plan: "Test.".into(),
        backout_plan: "Restore.".into(),
        impact_breadth: "0".into(),
        complexity: "0".into(),
        backout_difficulty: "0".into(),
        history: "0".into(),
        time_pressure: "0".into(),
        ..Default::default()
    };
    let mut ids = vec![];
    for (start, end) in [
        ("2027-03-02T22:00", "2027-03-02T23:00"),
        ("2027-03-02T22:30", "2027-03-02T23:30"), // overlaps the first on the same service
        ("2027-04-10T08:00", "2027-04-10T09:00"), // far away
    ] {
        let draft = change_at(start, end).validate().unwrap();
        let created = changes::create(&db, &manager, &common::actor(&manager), draft)
            .await
            .unwrap();
        ids.push(created.id);
    }
    let (moved, neighbour, far) = (ids[0], ids[1], ids[2]);
    for id in [neighbour, far] {
        let version = changes::load(db.reader(), id).await.unwrap().version;
        changes::transition(
            &db,
            &manager,
            &common::actor(&manager),
            id,
            version,
            ChangeAction::Submit,
            Default::default(),
        )
        .await
        .unwrap();
    }

    let reader_cookie =
        common::web::sign_in(&state, "reader@example.org", common::web::PASSWORD).await;
    let nobody_cookie =
        common::web::sign_in(&state, "nobody@example.org", common::web::PASSWORD).await;
    let manager_cookie =
        common::web::sign_in(&state, "manager@example.org", common::web::PASSWORD).await;
    let mut watching = EventReader::open(&state, stream_request(&reader_cookie, None)).await;
    let mut outsider = EventReader::open(&state, stream_request(&nobody_cookie, None)).await;
    assert_eq!(watching.next().await.name, "ready");
    assert_eq!(outsider.next().await.name, "ready");

    let version = changes::load(db.reader(), moved).await.unwrap().version;
    let reply = common::web::send(
        &state,
        common::web::call(
            "/api/changes/transition",
            &format!("id={moved}&version={version}&action=submit&comment="),
            Some(&manager_cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, axum::http::StatusCode::OK, "{}", reply.body);

    let heard = watching.next().await;
    let LiveEvent::ChangeUpdated { id, cards, .. } = serde_json::from_str(&heard.data).unwrap()
    else {
        panic!("a change event, got {}", heard.data);
    };
    assert_eq!(id, moved);
    // Exactly what the board now shows for the moved change and its overlapping neighbour,
    // the moved one first, in the reader's time zone; the far change is not sent.
    let board = change_lists::board(&db).await.unwrap();
    let expected: Vec<_> = [moved, neighbour]
        .iter()
        .map(|id| {
            let mut card = board.iter().find(|c| c.id == *id).unwrap().clone();
            card.local_window = app::server::service::schedule::local_window(
                card.planned_start,
                card.planned_end,
                "Europe/Berlin",
            );
            card
        })
        .collect();
    assert_eq!(cards, expected);
    assert!(
        cards.iter().all(|c| c.conflicts > 0),
        "the two overlap on one service: {cards:?}"
    );
    assert_eq!(
        cards[0].local_window.as_ref().unwrap().zone,
        "Europe/Berlin"
    );

    // The reader without the right to see changes is not sent the cards; the stream goes on.
    state.events.publish(&meeting(9));
    let next = outsider.next().await;
    assert_eq!(
        serde_json::from_str::<LiveEvent>(&next.data).unwrap(),
        meeting(9),
        "the card event skipped"
    );

    // A blackout over the two: the window's event brings their cards, each one conflict
    // more, in the reader's zone; the far change, whose count did not move, is not sent.
    let saved = common::web::send(
        &state,
        common::web::call(
            "/api/calendar/save_window",
            "form[kind]=blackout&form[name]=Freeze&form[starts]=2027-03-02T21:00&form[ends]=2027-03-03T01:00",
            Some(&manager_cookie),
        ),
    )
    .await;
    assert!(
        saved.status.is_success() || saved.status.is_redirection(),
        "{}",
        saved.body
    );
    assert_eq!(
        serde_json::from_str::<LiveEvent>(&watching.next().await.data).unwrap(),
        meeting(9)
    );
    let heard = watching.next().await;
    let LiveEvent::ScheduleChanged {
        cards: Some(recounted),
        ..
    } = serde_json::from_str(&heard.data).unwrap()
    else {
        panic!("a window event with cards, got {}", heard.data);
    };
    let ids: Vec<i64> = recounted.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![moved, neighbour]);
    for (card, before) in recounted.iter().zip(&cards) {
        assert_eq!(card.conflicts, before.conflicts + 1, "{card:?}");
        assert_eq!(card.local_window.as_ref().unwrap().zone, "Europe/Berlin");
    }

    // The moved change is edited away from its neighbour: the event brings the neighbour it
    // left, one conflict fewer, so that boards need not fetch themselves.
    let before = changes::load(db.reader(), moved).await.unwrap();
    let away = change_at("2027-05-20T22:00", "2027-05-20T23:00");
    let edited = common::web::send(
        &state,
        common::web::call(
            "/api/changes/update",
            &format!(
                "id={moved}&version={}&{}",
                before.version,
                common::web::change_form_body(&away)
            ),
            Some(&manager_cookie),
        ),
    )
    .await;
    assert!(
        edited.status.is_success() || edited.status.is_redirection(),
        "{}",
        edited.body
    );
    let heard = watching.next().await;
    let LiveEvent::ChangeUpdated {
        id,
        cards: moved_away,
        ..
    } = serde_json::from_str(&heard.data).unwrap()
    else {
        panic!("a change event, got {}", heard.data);
    };
    assert_eq!(id, moved);
    let ids: Vec<i64> = moved_away.iter().map(|c| c.id).collect();
    assert_eq!(
        ids,
        vec![moved, neighbour],
        "the neighbour it left comes along"
    );
    assert_eq!(moved_away[0].conflicts, 0, "nothing near it now");
    assert_eq!(moved_away[1].conflicts, recounted[1].conflicts - 1);
}

#[tokio::test]
async fn a_board_hears_what_was_said_between_its_read_and_its_stream_opening() {
    use app::model::live::BoardSnapshot;
    let db = common::test_db().await;
    let (state, cookie) = signed_in_reader(&db).await;
    let read = common::web::send(
        &state,
        common::web::call("/api/changes/board", "", Some(&cookie)),
    )
    .await;
    assert_eq!(read.status, axum::http::StatusCode::OK, "{}", read.body);
    let snapshot: BoardSnapshot = serde_json::from_str(&read.body).unwrap();

    // Said after the read, before the page's stream opens (hydration takes a moment).
    state.events.publish(&meeting(3));
    let after = |position: &str| {
        common::web::get(
            &format!(
                "/events?after={}",
                app::model::service::encode_component(position)
            ),
            Some(&cookie),
        )
    };
    let mut stream = EventReader::open(&state, after(&snapshot.events_after)).await;
    let first = stream.next().await;
    assert_eq!(first.name, "change");
    assert_eq!(
        serde_json::from_str::<LiveEvent>(&first.data).unwrap(),
        meeting(3)
    );

    // A page read by another process starts now (no resync loop behind a load balancer).
    let mut elsewhere = EventReader::open(&state, after("1-0")).await;
    assert_eq!(elsewhere.next().await.name, "ready");
}

/// A request raised or moved through the API tells open queues and records, by id and
/// version only (who may read it is decided when they fetch).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_raised_or_moved_reaches_open_queues() {
    use app::model::access::Role;
    use app::server::service::{catalogue, service_requests};
    let db = common::test_db().await;
    let (state, reader_cookie) = signed_in_reader(&db).await;
    let sam = common::web::add_user(&db, "sam@example.org", vec![Role::ServiceLevelManager]).await;
    let sam = common::web::current(&sam);
    common::web::add_user(&db, "robin@example.org", vec![Role::Requester]).await;
    let robin_cookie =
        common::web::sign_in(&state, "robin@example.org", common::web::PASSWORD).await;
    let mail = catalogue::create(
        &db,
        &app::server::audit::Actor::system("test"),
        app::model::service::ServiceForm {
            name: "Mail".into(),
            owner: "Owner".into(),
            criticality: "low".into(),
            status: "live".into(),
            ..Default::default()
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap()
    .id;
    let kind = service_requests::create_type(
        &db,
        &sam,
        &common::actor(&sam),
        &crate::service_requests::mailbox_type(mail, false, "240"),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let mut watching = EventReader::open(&state, stream_request(&reader_cookie, None)).await;
    assert_eq!(watching.next().await.name, "ready");

    let raise = format!(
        "form[type_id]={kind}&form[summary]=Send+as+sales&form[answers][0]=sales%40example.org&form[answers][1]=Read&form[answers][2]="
    );
    let reply = common::web::send(
        &state,
        common::web::call("/api/requests/raise", &raise, Some(&robin_cookie)),
    )
    .await;
    assert!(
        reply.status.is_success() || reply.status.is_redirection(),
        "{} {}",
        reply.status,
        reply.body
    );
    let heard: LiveEvent = serde_json::from_str(&watching.next().await.data).unwrap();
    let LiveEvent::RequestUpdated { id, version: 1 } = heard else {
        panic!("a new request, got {heard:?}");
    };

    let reply = common::web::send(
        &state,
        common::web::call(
            "/api/requests/step",
            &format!("id={id}&version=1&form[action]=cancel&form[note]=No+longer+needed"),
            Some(&robin_cookie),
        ),
    )
    .await;
    assert!(reply.status.is_success(), "{} {}", reply.status, reply.body);
    let heard: LiveEvent = serde_json::from_str(&watching.next().await.data).unwrap();
    assert_eq!(heard, LiveEvent::RequestUpdated { id, version: 2 });
}
