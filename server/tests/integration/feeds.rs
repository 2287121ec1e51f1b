//! The calendar feed, the CSV export and saved filters through the router, as a calendar app,
//! a spreadsheet user and a change manager would use them.

use crate::common;

use app::model::access::Role;
use app::model::change_request::ChangeForm;
use app::server::audit::Actor;
use app::server::service::{changes, users};
use axum::http::{header, StatusCode};
use common::web::{add_user, call, get, send, sign_in, state, PASSWORD};

async fn add_change(db: &app::server::db::Db, owner: i64, title: &str, start: &str) -> i64 {
    let user = app::model::user::CurrentUser {
        id: owner,
        email: "x@example.org".into(),
        name: "Owner".into(),
        roles: vec![Role::ChangeManager],
        time_zone: "UTC".into(),
    };
    let form = ChangeForm {
        title: title.into(),
        change_type: "normal".into(),
        planned_start: start.into(),
        planned_end: start.replace("T20:00", "T22:00"),
        ..Default::default()
    };
    changes::create(db, &user, &Actor::system("test"), form.validate().unwrap())
        .await
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calendar_app_subscribes_with_the_secret_link_until_it_is_revoked() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let me = add_user(&db, "cab@example.org", vec![Role::CabMember]).await;
    let soon = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%dT20:00")
        .to_string();
    add_change(&db, me.id, "Rotate the VPN certificates", &soon).await;
    let cookie = sign_in(&state, "cab@example.org", PASSWORD).await;

    let reply = send(&state, call("/api/calendar/create_feed", "", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let path: String = serde_json::from_str(&reply.body).unwrap();
    assert!(path.starts_with("/calendar/feed/") && path.ends_with(".ics"));

    // No cookie: the calendar app has only the link.
    let feed = send(&state, get(&path, None)).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    assert!(feed.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let calendar: icalendar::Calendar = feed.body.parse().expect("a real iCalendar");
    let summaries: Vec<String> = calendar
        .components
        .iter()
        .filter_map(|c| match c {
            icalendar::CalendarComponent::Event(e) => {
                icalendar::Component::get_summary(e).map(str::to_string)
            }
            _ => None,
        })
        .collect();
    assert!(
        summaries
            .iter()
            .any(|s| s.contains("Rotate the VPN certificates")),
        "{summaries:?}"
    );
    let status = send(&state, call("/api/calendar/feed_status", "", Some(&cookie))).await;
    assert!(
        status.body.contains("last_used_at\":\""),
        "use recorded: {}",
        status.body
    );

    // A new link replaces the old one.
    let replaced = send(&state, call("/api/calendar/create_feed", "", Some(&cookie))).await;
    let new_path: String = serde_json::from_str(&replaced.body).unwrap();
    assert_eq!(
        send(&state, get(&path, None)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(&state, get(&new_path, None)).await.status,
        StatusCode::OK
    );

    // A disabled person's link stops working; so does a revoked one.
    let version = users::get(&db, me.id).await.unwrap().version;
    users::set_disabled(&db, &Actor::system("test"), me.id, version, true)
        .await
        .unwrap();
    assert_eq!(
        send(&state, get(&new_path, None)).await.status,
        StatusCode::NOT_FOUND
    );
    let version = users::get(&db, me.id).await.unwrap().version;
    users::set_disabled(&db, &Actor::system("test"), me.id, version, false)
        .await
        .unwrap();
    assert_eq!(
        send(&state, get(&new_path, None)).await.status,
        StatusCode::OK
    );
    let cookie = sign_in(&state, "cab@example.org", PASSWORD).await;
    let revoked = send(&state, call("/api/calendar/revoke_feed", "", Some(&cookie))).await;
    assert_eq!(revoked.body, "true");
    assert_eq!(
        send(&state, get(&new_path, None)).await.status,
        StatusCode::NOT_FOUND
    );

    // Guessing is pointless and harmless.
    for probe in [
        "/calendar/feed/nothing.ics",
        "/calendar/feed/.ics",
        "/calendar/feed/abc",
    ] {
        assert_eq!(
            send(&state, get(probe, None)).await.status,
            StatusCode::NOT_FOUND,
            "{probe}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_change_list_exports_to_csv_with_its_filters() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let me = add_user(&db, "mgr@example.org", vec![Role::ChangeManager]).await;
    add_change(
        &db,
        me.id,
        "=HYPERLINK(\"http://evil.example\")",
        "2026-12-01T20:00",
    )
    .await;
    add_change(&db, me.id, "Replace the core switch", "2026-12-02T20:00").await;

    let anonymous = send(&state, get("/changes/export.csv", None)).await;
    assert_ne!(anonymous.status, StatusCode::OK);
    assert!(!anonymous.body.contains("core switch"));

    let cookie = sign_in(&state, "mgr@example.org", PASSWORD).await;
    let all = send(&state, get("/changes/export.csv", Some(&cookie))).await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("conform-changes.csv"));
    let rows: Vec<csv::StringRecord> =
        csv::Reader::from_reader(all.body.trim_start_matches('\u{feff}').as_bytes())
            .records()
            .map(Result::unwrap)
            .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][1], "Replace the core switch", "newest first");
    assert_eq!(&rows[1][1], "'=HYPERLINK(\"http://evil.example\")");

    let filtered = send(
        &state,
        get(
            "/changes/export.csv?q=switch&state=draft&risk=bogus",
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(filtered.body.lines().count(), 2, "{}", filtered.body);
    assert!(filtered.body.contains("core switch"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saved_filters_are_personal_named_and_validated() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    add_user(&db, "a@example.org", vec![Role::Requester]).await;
    add_user(&db, "b@example.org", vec![Role::Requester]).await;
    let a = sign_in(&state, "a@example.org", PASSWORD).await;
    let b = sign_in(&state, "b@example.org", PASSWORD).await;

    let saved = send(
        &state,
        call("/api/filters/save", "list=changes&name=My+drafts&query=state%3Ddraft%26q%3Dmail%26page%3D4%26risk%3Dnonsense", Some(&a)),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let filter: app::model::saved_filter::SavedFilter = serde_json::from_str(&saved.body).unwrap();
    assert_eq!(
        filter.query, "q=mail&state=draft",
        "only what the list understands"
    );
    assert_eq!(filter.href(), "/changes?q=mail&state=draft");

    let twice = send(
        &state,
        call(
            "/api/filters/save",
            "list=changes&name=my+DRAFTS&query=state%3Ddraft",
            Some(&a),
        ),
    )
    .await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST);
    assert!(twice.body.contains("already have a filter"));
    let empty = send(
        &state,
        call(
            "/api/filters/save",
            "list=changes&name=Nothing&query=sort%3Dtitle",
            Some(&a),
        ),
    )
    .await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert!(empty.body.contains("at least one filter"));

    // Each queue keeps its own: the same name on the incident queue is another filter.
    let incidents = send(
        &state,
        call(
            "/api/filters/save",
            "list=incidents&name=My+drafts&query=state%3DPending%26assignee%3Dme%26page%3D2",
            Some(&a),
        ),
    )
    .await;
    assert_eq!(incidents.status, StatusCode::OK, "{}", incidents.body);
    let kept: app::model::saved_filter::SavedFilter =
        serde_json::from_str(&incidents.body).unwrap();
    assert_eq!(kept.href(), "/incidents?state=pending&assignee=me");
    let listed = send(
        &state,
        call("/api/filters/list", "list=incidents", Some(&a)),
    )
    .await;
    assert!(
        listed.body.contains("state=pending&assignee=me") && !listed.body.contains("q=mail"),
        "{}",
        listed.body
    );
    // A filter is deleted from its own list only.
    let elsewhere = send(
        &state,
        call(
            "/api/filters/delete",
            &format!("list=requests&id={}", kept.id),
            Some(&a),
        ),
    )
    .await;
    assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);

    let theirs = send(&state, call("/api/filters/list", "list=changes", Some(&b))).await;
    assert_eq!(theirs.body, "[]", "filters are personal");
    let steal = send(
        &state,
        call(
            "/api/filters/delete",
            &format!("list=changes&id={}", filter.id),
            Some(&b),
        ),
    )
    .await;
    assert_eq!(steal.status, StatusCode::NOT_FOUND);
    let mine = send(
        &state,
        call(
            "/api/filters/delete",
            &format!("list=changes&id={}", filter.id),
            Some(&a),
        ),
    )
    .await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(
        send(&state, call("/api/filters/list", "list=changes", Some(&a)))
            .await
            .body,
        "[]"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planned_windows_are_shown_in_each_readers_time_zone() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let me = add_user(&db, "berlin@example.org", vec![Role::ChangeManager]).await;
    add_user(&db, "tokyo@example.org", vec![Role::Auditor]).await;
    // Entered in UTC by `add_change`: 20:00–22:00 UTC on 1 December.
    let id = add_change(&db, me.id, "Move the mail relay", "2026-12-01T20:00").await;
    for (email, zone, expected) in [
        (
            "berlin@example.org",
            "Europe%2FBerlin",
            "2026-12-01 21:00 – 23:00 Europe/Berlin",
        ),
        (
            "tokyo@example.org",
            "Asia%2FTokyo",
            "2026-12-02 05:00 – 07:00 Asia/Tokyo",
        ),
    ] {
        let cookie = sign_in(&state, email, PASSWORD).await;
        let set = send(
            &state,
            call(
                "/api/account/time_zone",
                &format!("time_zone={zone}"),
                Some(&cookie),
            ),
        )
        .await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.body);
        let reply = send(
            &state,
            call("/api/changes/get", &format!("id={id}"), Some(&cookie)),
        )
        .await;
        let change: app::model::change_request::Change = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(change.local_window.unwrap().text(), expected);
        let reply = send(&state, call("/api/changes/list", "", Some(&cookie))).await;
        let page: app::model::listing::Page<app::model::change_request::ChangeCard> =
            serde_json::from_str(&reply.body).unwrap();
        assert_eq!(
            page.items[0].local_window.as_ref().unwrap().text(),
            expected
        );
    }
}

/// Every audit entry so far (each write appends one).
async fn writes(db: &app::server::db::Db) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    app::server::entity::audit_log::Entity::find()
        .count(db.reader())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn titles_that_reach_the_calendar_feed_are_one_line() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let me = add_user(
        &db,
        "mgr@example.org",
        vec![Role::ChangeManager, Role::ServiceOwner, Role::Admin],
    )
    .await;
    let cookie = sign_in(&state, "mgr@example.org", PASSWORD).await;

    // At input: a bare CR is refused like an LF, with the reason under the field.
    for (uri, body, field, label) in [
        (
            "/api/changes/create",
            "form[title]=Patch+the+gateway%0DATTENDEE:mailto:x@evil.example&form[change_type]=normal",
            "title",
            "Title",
        ),
        (
            "/api/changes/create",
            "form[title]=Patch+the+gateway%0ASUMMARY:Free+lunch&form[change_type]=normal",
            "title",
            "Title",
        ),
        (
            "/api/calendar/save_window",
            "form[kind]=blackout&form[name]=Freeze%0DX-INJECTED:1&form[starts]=2030-01-01T00:00&form[ends]=2030-01-02T00:00",
            "name",
            "Name",
        ),
        (
            "/api/services/create",
            "form[name]=Mail%0D%0AX-INJECTED:1&form[owner]=Ops&form[criticality]=high&form[status]=live",
            "name",
            "Name",
        ),
    ] {
        let before = writes(&db).await;
        let reply = send(&state, call(uri, body, Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}: {}", reply.body);
        assert_eq!(
            reply.error().field_errors().and_then(|e| e.get(field)),
            Some(format!("{label} is one line: remove the line break.").as_str()),
            "{uri}: {}",
            reply.body
        );
        assert_eq!(writes(&db).await, before, "{uri}: nothing written");
    }

    // In the feed: text stored before the rule (or by any other way in) is still neutralised.
    let soon = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%dT20:00")
        .to_string();
    let id = add_change(&db, me.id, "Patch the gateway", &soon).await;
    // Straight to the table, past the form's check.
    use sea_orm::{ActiveModelTrait, Set};
    app::server::entity::change::ActiveModel {
        id: Set(id),
        title: Set("Patch\rATTENDEE:mailto:x@evil.example".into()),
        ..Default::default()
    }
    .update(db.writer())
    .await
    .unwrap();
    let reply = send(&state, call("/api/calendar/create_feed", "", Some(&cookie))).await;
    let path: String = serde_json::from_str(&reply.body).unwrap();
    let feed = send(&state, get(&path, None)).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        !feed.body.replace("\r\n", "").contains(['\r', '\n']),
        "no bare CR or LF inside a line"
    );
    assert!(
        !feed.body.lines().any(|l| l.starts_with("ATTENDEE")),
        "{}",
        feed.body
    );
    let calendar: icalendar::Calendar = feed.body.parse().expect("a real iCalendar");
    let summary = calendar
        .components
        .iter()
        .find_map(|c| match c {
            icalendar::CalendarComponent::Event(e) => icalendar::Component::get_summary(e),
            _ => None,
        })
        .unwrap()
        .to_string();
    assert!(
        summary.ends_with("Patch ATTENDEE:mailto:x@evil.example"),
        "{summary}"
    );
}
