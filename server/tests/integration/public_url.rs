//! Served over HTTPS (`CONFORM_PUBLIC_URL=https://…`): HSTS on every response, `Secure`
//! `__Host-` session cookies, and calendar links from the configured URL — never from a
//! client's `X-Forwarded-Proto` or `X-Forwarded-Host`.

use crate::common;

use app::model::access::Role;
use axum::http::{header, StatusCode};
use common::web::{add_user, call, get, send, sign_in, state, state_with_flags, PASSWORD};

const HTTPS: &[&str] = &["--public-url", "https://conform.example.org/"];

fn hsts(reply: &common::web::Reply) -> Option<String> {
    reply
        .headers
        .get(header::STRICT_TRANSPORT_SECURITY)
        .map(|v| v.to_str().unwrap().to_string())
}

fn set_cookies(reply: &common::web::Reply) -> Vec<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn hsts_is_sent_only_when_served_over_https() {
    let db = common::test_db().await;
    let https = state_with_flags(db.db.clone(), HTTPS);
    for path in ["/healthz", "/login", "/services"] {
        let reply = send(&https, get(path, None)).await;
        assert_eq!(
            hsts(&reply).as_deref(),
            Some("max-age=31536000; includeSubDomains"),
            "{path}"
        );
    }
    let plain = state(db.db.clone());
    assert_eq!(hsts(&send(&plain, get("/healthz", None)).await), None);
    let http = state_with_flags(
        db.db.clone(),
        &["--public-url", "http://conform.internal:3000"],
    );
    assert_eq!(hsts(&send(&http, get("/healthz", None)).await), None);
}

#[tokio::test]
async fn session_cookies_are_secure_and_host_prefixed_over_https() {
    let db = common::test_db().await;
    add_user(&db, "reader@example.org", vec![Role::Requester]).await;
    let https = state_with_flags(db.db.clone(), HTTPS);
    let body = format!("form[email]=reader%40example.org&form[password]={PASSWORD}&form[next]=/");
    let reply = send(&https, call("/api/auth/sign_in", &body, None)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let cookies = set_cookies(&reply);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-conform_session="))
        .unwrap_or_else(|| panic!("{cookies:?}"));
    for attribute in ["; Secure", "; HttpOnly", "; Path=/", "; SameSite=Lax"] {
        assert!(session.contains(attribute), "{attribute} in {session}");
    }
    assert!(!session.contains("Domain="), "{session}");
    // The prefixed cookie is the one the server reads back; the plain name is ignored.
    let pair = session.split(';').next().unwrap().to_string();
    let me = send(&https, get("/services", Some(&pair))).await;
    assert_eq!(me.status, StatusCode::OK);
    let token = pair.split_once('=').unwrap().1;
    let unprefixed = format!("conform_session={token}");
    let refused = send(&https, get("/services", Some(&unprefixed))).await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);

    // Over plain HTTP (no public URL): no `Secure`, no prefix.
    let plain = state(db.db.clone());
    let reply = send(&plain, call("/api/auth/sign_in", &body, None)).await;
    let cookies = set_cookies(&reply);
    let session = cookies
        .iter()
        .find(|c| c.starts_with("conform_session="))
        .unwrap_or_else(|| panic!("{cookies:?}"));
    assert!(!session.contains("Secure"), "{session}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_links_come_from_the_public_url_not_forwarded_headers() {
    let db = common::test_db().await;
    let me = add_user(&db, "cab@example.org", vec![Role::ChangeManager]).await;
    let user = app::model::user::CurrentUser {
        id: me.id,
        email: me.email.clone(),
        name: me.name.clone(),
        roles: me.roles.clone(),
        time_zone: "UTC".into(),
    };
    let soon = (chrono::Utc::now() + chrono::Duration::days(3))
        .format("%Y-%m-%dT20:00")
        .to_string();
    let form = app::model::change_request::ChangeForm {
        title: "Rotate the VPN certificates".into(),
        change_type: "normal".into(),
        planned_start: soon.clone(),
        planned_end: soon.replace("T20:00", "T22:00"),
        ..Default::default()
    };
    let change = app::server::service::changes::create(
        &db,
        &user,
        &app::server::audit::Actor::system("test"),
        form.validate().unwrap(),
    )
    .await
    .unwrap();

    let https = state_with_flags(db.db.clone(), HTTPS);
    let cookie = sign_in(&https, "cab@example.org", PASSWORD).await;
    let reply = send(&https, call("/api/calendar/create_feed", "", Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let link: String = serde_json::from_str(&reply.body).unwrap();
    assert!(
        link.starts_with("https://conform.example.org/calendar/feed/") && link.ends_with(".ics"),
        "{link}"
    );
    let path = link.trim_start_matches("https://conform.example.org");

    // A proxy (or anyone) claiming another scheme and host changes nothing.
    let forged = || {
        let mut request = get(path, None);
        let headers = request.headers_mut();
        headers.insert(header::HOST, "evil.example".parse().unwrap());
        headers.insert("x-forwarded-proto", "http".parse().unwrap());
        headers.insert("x-forwarded-host", "evil.example".parse().unwrap());
        request
    };
    let feed = send(&https, forged()).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    let expected = format!("URL:https://conform.example.org/changes/{}", change.id);
    assert!(feed.body.contains(&expected), "{}", feed.body);
    assert!(!feed.body.contains("evil.example"), "{}", feed.body);

    // Without a public URL the link is a path, and X-Forwarded-Proto still does not count.
    let plain = state(db.db.clone());
    let cookie = sign_in(&plain, "cab@example.org", PASSWORD).await;
    let reply = send(&plain, call("/api/calendar/create_feed", "", Some(&cookie))).await;
    let path: String = serde_json::from_str(&reply.body).unwrap();
    assert!(path.starts_with("/calendar/feed/"), "{path}");
    let mut request = get(&path, None);
    request
        .headers_mut()
        .insert("x-forwarded-proto", "https".parse().unwrap());
    let feed = send(&plain, request).await;
    assert!(
        feed.body
            .contains(&format!("URL:http://127.0.0.1:3000/changes/{}", change.id)),
        "{}",
        feed.body
    );
}
