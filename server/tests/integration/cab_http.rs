//! CAB meetings over HTTP: presence follows the live connection, and published minutes are
//! exported as Markdown and as safe, printable HTML.

use crate::common;
use common::web::current;

use app::model::access::Role;
use app::model::cab::BoardForm;
use app::model::live::LiveEvent;
use app::model::meeting::MeetingWhen;
use app::model::user::CurrentUser;
use app::server::audit::Actor;
use app::server::service::cab;
use axum::http::{header, StatusCode};
use common::web::{add_user, get, send, sign_in, state, PASSWORD};
use std::time::Duration;

/// What an EventSource on one of Conform's pages sends in every current browser.
const SAME_ORIGIN: (&str, &str) = ("sec-fetch-site", "same-origin");

/// A GET of `uri` with the session cookie and the browser's `headers`.
fn from_page(
    uri: &str,
    cookie: &str,
    headers: &[(&str, &str)],
) -> axum::http::Request<axum::body::Body> {
    let mut request = get(uri, Some(cookie));
    for (name, value) in headers {
        request.headers_mut().insert(
            axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    request
}

/// A board with `chair` and `member`, and a meeting of it under way now.
async fn meeting_now(
    db: &app::server::db::Db,
    chair: &app::model::user::User,
    member: &app::model::user::User,
) -> i64 {
    let form = BoardForm {
        name: "Weekly CAB".into(),
        kind: "cab".into(),
        chair_id: chair.id.to_string(),
        quorum_kind: "majority".into(),
        time_zone: "UTC".into(),
        member_ids: vec![chair.id.to_string(), member.id.to_string()],
        ..Default::default()
    };
    let actor = Actor::user(chair.id, chair.name.clone(), None);
    let board = cab::boards::create(db, &actor, form.validate().unwrap())
        .await
        .unwrap();
    cab::meetings::schedule(
        db,
        &actor,
        board.id,
        MeetingWhen::Now,
        String::new(),
        chrono::Utc::now(),
    )
    .await
    .unwrap()
}

async fn is_present(
    db: &app::server::db::Db,
    viewer: &CurrentUser,
    meeting_id: i64,
    user_id: i64,
) -> bool {
    cab::meetings::load(db, viewer, meeting_id)
        .await
        .unwrap()
        .present
        .iter()
        .any(|p| p.id == user_id)
}

/// Presence is a write made by a GET: only a request known to come from Conform's own pages
/// makes it. A cross-site one is refused; one that names no site (an old browser, a script)
/// gets its stream but no presence.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_is_set_only_from_conforms_own_pages() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let chair = add_user(&db, "chair@example.org", vec![Role::ChangeManager]).await;
    let member = add_user(&db, "member@example.org", vec![Role::CabMember]).await;
    let id = meeting_now(&db, &chair, &member).await;
    let cookie = sign_in(&state, "member@example.org", PASSWORD).await;
    let router = conform::routes::router(state.clone());
    let uri = format!("/events?meeting={id}");
    let viewer = current(&chair);
    let present = || is_present(&db, &viewer, id, member.id);

    for foreign in [
        vec![("sec-fetch-site", "cross-site")],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "https://evil.example")],
        // Sec-Fetch-Site decides when a page also names this host as its origin.
        vec![
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://127.0.0.1:3000"),
        ],
    ] {
        let reply = send(&state, from_page(&uri, &cookie, &foreign)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{foreign:?}");
        assert!(
            reply.body.contains("Cross-site request refused"),
            "{}",
            reply.body
        );
        assert!(!present().await, "{foreign:?} set presence");
    }

    // Neither header: the stream opens, the member is not marked present.
    let unsaid = tower::ServiceExt::oneshot(router.clone(), from_page(&uri, &cookie, &[]))
        .await
        .unwrap();
    assert_eq!(unsaid.status(), StatusCode::OK);
    assert_eq!(unsaid.headers()[header::CONTENT_TYPE], "text/event-stream");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!present().await, "a request naming no site set presence");
    drop(unsaid);

    // Same origin, by Sec-Fetch-Site or (older browsers) by Origin: present.
    for own in [SAME_ORIGIN, ("origin", "http://127.0.0.1:3000")] {
        let open = tower::ServiceExt::oneshot(router.clone(), from_page(&uri, &cookie, &[own]))
            .await
            .unwrap();
        assert_eq!(open.status(), StatusCode::OK, "{own:?}");
        assert!(present().await, "{own:?} did not set presence");
        drop(open);
        let mut left = false;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if !present().await {
                left = true;
                break;
            }
        }
        assert!(left, "closing the stream leaves the meeting");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_follows_the_connection_and_minutes_export_when_published() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let chair = add_user(&db, "chair@example.org", vec![Role::ChangeManager]).await;
    let member = add_user(&db, "member@example.org", vec![Role::CabMember]).await;
    let form = BoardForm {
        name: "Weekly CAB".into(),
        kind: "cab".into(),
        chair_id: chair.id.to_string(),
        quorum_kind: "majority".into(),
        time_zone: "UTC".into(),
        member_ids: vec![chair.id.to_string(), member.id.to_string()],
        ..Default::default()
    };
    let actor = Actor::user(chair.id, chair.name.clone(), None);
    let board = cab::boards::create(&db, &actor, form.validate().unwrap())
        .await
        .unwrap();
    let id = cab::meetings::schedule(
        &db,
        &actor,
        board.id,
        MeetingWhen::Now,
        String::new(),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let cookie = sign_in(&state, "member@example.org", PASSWORD).await;
    let router = conform::routes::router(state.clone());

    let missing = tower::ServiceExt::oneshot(
        router.clone(),
        from_page("/events?meeting=424242", &cookie, &[SAME_ORIGIN]),
    )
    .await
    .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // Opening the meeting's live connection makes the member present, and the room hears it.
    let mut room = state.events.subscribe();
    let open = tower::ServiceExt::oneshot(
        router.clone(),
        from_page(&format!("/events?meeting={id}"), &cookie, &[SAME_ORIGIN]),
    )
    .await
    .unwrap();
    assert_eq!(open.status(), StatusCode::OK);
    let heard = tokio::time::timeout(Duration::from_secs(5), room.recv())
        .await
        .expect("arrival announced")
        .unwrap();
    // The room is sent the meeting as it now stands, the member among those present.
    let LiveEvent::MeetingUpdated {
        meeting_id,
        meeting: Some(sent),
    } = serde_json::from_str::<LiveEvent>(&heard.payload).unwrap()
    else {
        panic!("the meeting with its event: {}", heard.payload);
    };
    assert_eq!(meeting_id, id);
    let viewer = current(&chair);
    let meeting = cab::meetings::load(&db, &viewer, id).await.unwrap();
    assert!(meeting.present.iter().any(|p| p.id == member.id));
    assert_eq!(meeting.quorum.represented, 1);
    assert_eq!(
        (sent.present, sent.quorum),
        (meeting.present.clone(), meeting.quorum.clone())
    );

    // Closing it (the tab goes away) makes them leave.
    drop(open);
    let mut left = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let meeting = cab::meetings::load(&db, &viewer, id).await.unwrap();
        if !meeting.present.iter().any(|p| p.id == member.id) {
            left = true;
            break;
        }
    }
    assert!(left, "the member is still shown as present");

    // No minutes to export before they are published.
    let draft = send(
        &state,
        get(&format!("/cab/meetings/{id}/minutes.md"), Some(&cookie)),
    )
    .await;
    assert_eq!(draft.status, StatusCode::NOT_FOUND);

    let version = cab::meetings::load(&db, &viewer, id).await.unwrap().version;
    cab::meetings::start(&db, &viewer, &actor, id, version)
        .await
        .unwrap();
    cab::meetings::end(&db, &viewer, &actor, id, version + 1)
        .await
        .unwrap();
    let text = "# Minutes\n\nNothing to decide. <script>alert('x')</script>\n".to_string();
    cab::minutes::save_minutes(&db, &viewer, &actor, id, version + 2, text, true)
        .await
        .unwrap();

    let markdown = tower::ServiceExt::oneshot(
        router.clone(),
        get(&format!("/cab/meetings/{id}/minutes.md"), Some(&cookie)),
    )
    .await
    .unwrap();
    assert_eq!(markdown.status(), StatusCode::OK);
    assert!(markdown.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("minutes-weekly-cab"));
    let html = send(
        &state,
        get(&format!("/cab/meetings/{id}/minutes.html"), Some(&cookie)),
    )
    .await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("<h1>Minutes</h1>"), "{}", html.body);
    assert!(!html.body.contains("<script>"), "{}", html.body);
    assert!(html.body.contains("&lt;script&gt;"));
    // Styles come from their own URL: the content security policy refuses inline ones.
    assert!(!html.body.contains("<style>"), "{}", html.body);
    let css = send(&state, get("/print.css", Some(&cookie))).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains("@page"));
    let anonymous = send(&state, get(&format!("/cab/meetings/{id}/minutes.md"), None)).await;
    // Signed out, the browser is sent to sign in first.
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}

/// A chair action reaches every screen as the meeting itself, read once and told for each
/// stream who reads it: the chair (in Berlin) sees it as the chair on Berlin's clock, the
/// member as a member in UTC — exactly what each would have fetched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_is_sent_the_meeting_as_its_reader_sees_it() {
    use common::live_stream::EventReader;
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let chair = add_user(&db, "chair@example.org", vec![Role::ChangeManager]).await;
    let member = add_user(&db, "member@example.org", vec![Role::CabMember]).await;
    app::server::service::users::set_time_zone(&db, &current(&chair), None, "Europe/Berlin")
        .await
        .unwrap();
    let id = meeting_now(&db, &chair, &member).await;
    let uri = format!("/events?meeting={id}");
    let mut screens = vec![];
    for who in ["chair@example.org", "member@example.org"] {
        let cookie = sign_in(&state, who, PASSWORD).await;
        let mut reader = EventReader::open(&state, from_page(&uri, &cookie, &[SAME_ORIGIN])).await;
        assert_eq!(reader.next().await.name, "ready");
        screens.push(reader);
    }
    let version = cab::meetings::load(&db, &current(&chair), id)
        .await
        .unwrap()
        .version;
    let cookie = sign_in(&state, "chair@example.org", PASSWORD).await;
    let started = send(
        &state,
        common::web::call(
            "/api/cab/start",
            &format!("id={id}&version={version}"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);

    let mut berlin = current(&chair);
    berlin.time_zone = "Europe/Berlin".into();
    for (screen, viewer) in screens.iter_mut().zip([berlin, current(&member)]) {
        // Arrivals come first; the start is the event whose meeting is under way.
        let sent = loop {
            let heard = screen.next().await;
            if let Ok(LiveEvent::MeetingUpdated {
                meeting: Some(meeting),
                ..
            }) = serde_json::from_str::<LiveEvent>(&heard.data)
            {
                if meeting.version > version {
                    break meeting;
                }
            }
        };
        let mut fetched = cab::meetings::load(&db, &viewer, id).await.unwrap();
        fetched.now = sent.now;
        assert_eq!(*sent, fetched, "as {} would fetch it", viewer.email);
    }
}
