//! Monitoring intake against a real database and over HTTP: an alert in Alertmanager's
//! format opens one incident however often it is delivered, its resolution is noted, a
//! closed incident's alert opens a new one, rules route alerts, and a token that is unknown,
//! replaced or revoked — or a delivery that cannot be taken whole — changes nothing.

use crate::common::web::{send, state};
use crate::common::{self, actor, person};
use crate::incidents::service;

use app::error::AppError;
use app::model::access::Role;
use app::model::alert_intake::{IntakeOutcome, RuleForm, SourceForm};
use app::model::incident::{IncidentState, StepForm, TimelineKind};
use app::model::priority_matrix::TicketPriority;
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::entity::incident::Entity as Incidents;
use app::server::service::{alert_intake, audit_trail, incidents};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{DateTime, Utc};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{json, Value};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// One alert as Alertmanager 0.27 puts it in a webhook delivery.
fn alert(fingerprint: &str, status: &str, labels: Value) -> Value {
    json!({
        "status": status,
        "labels": labels,
        "annotations": {"summary": format!("Probe failed ({fingerprint})"), "description": "The blackbox probe failed for 5 minutes."},
        "startsAt": "2027-03-01T08:55:00.000Z",
        "endsAt": if status == "resolved" { "2027-03-01T09:40:00Z" } else { "0001-01-01T00:00:00Z" },
        "generatorURL": "http://prometheus:9090/graph?g0.expr=probe_success%3D%3D0",
        "fingerprint": fingerprint
    })
}

fn delivery(alerts: Vec<Value>) -> Vec<u8> {
    let status = if alerts.iter().any(|a| a["status"] == "firing") {
        "firing"
    } else {
        "resolved"
    };
    serde_json::to_vec(&json!({
        "version": "4",
        "groupKey": "{}:{alertname=\"ProbeFailed\"}",
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "conform",
        "groupLabels": {"alertname": "ProbeFailed"},
        "commonLabels": {"alertname": "ProbeFailed"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": alerts
    }))
    .unwrap()
}

fn portal_labels() -> Value {
    json!({"alertname": "ProbeFailed", "instance": "portal-1:443", "service": "portal", "severity": "critical"})
}

struct Setup {
    db: common::TestDb,
    sam: CurrentUser,
    portal: i64,
    mail: i64,
    token: String,
    source_id: i64,
}

/// A source whose alerts go to Mail at medium/medium, except that `service=portal` goes to
/// the portal and `severity=critical` is high/high.
async fn setup() -> Setup {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let mail = service(&db, "Mail").await;
    let portal = service(&db, "Customer portal").await;
    let form = SourceForm {
        name: "Prometheus production".into(),
        reporter_id: sam.id.to_string(),
        service_id: mail.to_string(),
        impact: "medium".into(),
        urgency: "medium".into(),
        rules: vec![
            RuleForm {
                label: "service".into(),
                value: "portal".into(),
                service_id: portal.to_string(),
                ..Default::default()
            },
            RuleForm {
                label: "severity".into(),
                value: "critical".into(),
                impact: "high".into(),
                urgency: "high".into(),
                ..Default::default()
            },
        ],
    };
    let issued = alert_intake::create(&db, &sam, &actor(&sam), &form, at("2027-03-01T08:00:00Z"))
        .await
        .unwrap();
    Setup {
        db,
        sam,
        portal,
        mail,
        token: issued.token,
        source_id: issued.source_id,
    }
}

async fn incident_count(db: &Db) -> u64 {
    Incidents::find().count(db.reader()).await.unwrap()
}

async fn receive(setup: &Setup, alerts: Vec<Value>, now: &str) -> Result<IntakeOutcome, AppError> {
    alert_intake::receive(&setup.db, &setup.token, &delivery(alerts), at(now))
        .await
        .map(|d| d.outcome)
}

fn step(action: &str) -> StepForm {
    StepForm {
        action: action.into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_opens_one_incident_however_often_it_comes_and_its_resolution_is_noted() {
    let setup = setup().await;
    let db = &setup.db;
    let firing = || vec![alert("a1b2c3d4e5f60718", "firing", portal_labels())];

    let first = receive(&setup, firing(), "2027-03-01T09:00:00Z")
        .await
        .unwrap();
    assert_eq!(first.opened, vec!["INC-1".to_string()]);
    let opened = incidents::detail(db.reader(), 1, at("2027-03-01T09:00:00Z"))
        .await
        .unwrap();
    assert_eq!(opened.title, "Probe failed (a1b2c3d4e5f60718)");
    assert_eq!(opened.service.id, setup.portal, "rule 1 names the portal");
    assert_eq!(opened.priority, TicketPriority::P1, "rule 2: high × high");
    assert_eq!(opened.reporter.id, setup.sam.id);
    assert_eq!(opened.affected, "portal-1:443");
    assert_eq!(opened.started_at, at("2027-03-01T08:55:00Z"));
    assert!(opened.description.contains("severity=critical"));
    assert!(opened.timeline[0]
        .body
        .contains("from the alert a1b2c3d4e5f60718 of Prometheus production (service by rule 1)"));
    assert_eq!(opened.timeline[0].author, None);

    // Alertmanager repeats the group every repeat_interval, and retries: nothing new.
    for minute in ["05", "10"] {
        let again = receive(&setup, firing(), &format!("2027-03-01T09:{minute}:00Z"))
            .await
            .unwrap();
        assert_eq!((again.opened.len(), again.unchanged), (0, 1));
    }
    assert_eq!(incident_count(db).await, 1);

    let resolved = vec![alert("a1b2c3d4e5f60718", "resolved", portal_labels())];
    let noted = receive(&setup, resolved.clone(), "2027-03-01T09:41:00Z")
        .await
        .unwrap();
    assert_eq!(noted.noted, 1);
    let repeated = receive(&setup, resolved, "2027-03-01T09:46:00Z")
        .await
        .unwrap();
    assert_eq!((repeated.noted, repeated.unchanged), (0, 1), "noted once");
    let after = incidents::detail(db.reader(), 1, at("2027-03-01T09:50:00Z"))
        .await
        .unwrap();
    assert_eq!(
        after.state,
        IncidentState::New,
        "a person resolves it, not the alert"
    );
    let alert_lines: Vec<&str> = after
        .timeline
        .iter()
        .filter(|l| l.kind == TimelineKind::Alert)
        .map(|l| l.body.as_str())
        .collect();
    assert_eq!(
        alert_lines,
        vec!["The alert resolved at 2027-03-01 09:40 UTC. Resolve the incident once the service is confirmed working."]
    );
    assert_eq!(
        after.version, 2,
        "the note moves the version, so open pages refresh"
    );

    // It fires again before anyone closed the incident: noted on the same incident.
    let refired = receive(&setup, firing(), "2027-03-01T10:00:00Z")
        .await
        .unwrap();
    assert_eq!((refired.opened.len(), refired.noted), (0, 1));
    assert_eq!(incident_count(db).await, 1);

    // Once the incident is closed, the same alert firing is a new incident.
    let sam = &setup.sam;
    let assign = StepForm {
        assignee_id: sam.id.to_string(),
        ..step("assign")
    };
    let resolve = StepForm {
        resolution_code: "fixed".into(),
        resolution: "Restarted the portal's web tier.".into(),
        ..step("resolve")
    };
    for (version, form, now) in [
        (3, assign, "2027-03-01T10:05:00Z"),
        (4, step("start"), "2027-03-01T10:06:00Z"),
        (5, resolve, "2027-03-01T10:30:00Z"),
        (6, step("close"), "2027-03-01T10:40:00Z"),
    ] {
        incidents::take_step(db, sam, &actor(sam), 1, version, &form, at(now))
            .await
            .unwrap();
    }
    let again = receive(&setup, firing(), "2027-03-02T09:00:00Z")
        .await
        .unwrap();
    assert_eq!(again.opened, vec!["INC-2".to_string()]);
    let second = incidents::detail(db.reader(), 2, at("2027-03-02T09:00:00Z"))
        .await
        .unwrap();
    assert!(second.timeline[0]
        .body
        .contains("the same alert opened INC-1 before"));
    let then = receive(&setup, firing(), "2027-03-02T09:05:00Z")
        .await
        .unwrap();
    assert_eq!(then.unchanged, 1, "the link now points at INC-2");

    let trail = audit_trail::list(
        db,
        &app::model::audit::AuditQueryParams::default().to_query(),
    )
    .await
    .unwrap();
    let by_source = trail
        .items
        .iter()
        .filter(|e| e.actor_name == "system:alert source Prometheus production")
        .count();
    assert_eq!(
        by_source,
        4,
        "two openings, two notes, on {}",
        common::backend_name()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_and_defaults_route_each_alert_of_a_delivery() {
    let setup = setup().await;
    let outcome = receive(
        &setup,
        vec![
            alert(
                "f1",
                "firing",
                json!({"alertname": "DiskFull", "severity": "warning"}),
            ),
            alert(
                "f2",
                "firing",
                json!({"alertname": "QueueStuck", "severity": "critical"}),
            ),
            alert("f3", "resolved", json!({"alertname": "Gone"})),
        ],
        "2027-03-01T09:00:00Z",
    )
    .await
    .unwrap();
    assert_eq!(
        outcome.opened,
        vec!["INC-1".to_string(), "INC-2".to_string()]
    );
    assert_eq!(
        outcome.ignored, 1,
        "a resolved alert never seen firing opens nothing"
    );
    let read = |id| incidents::detail(setup.db.reader(), id, at("2027-03-01T09:00:00Z"));
    let (warning, critical) = (read(1).await.unwrap(), read(2).await.unwrap());
    assert_eq!(
        (warning.service.id, warning.priority),
        (setup.mail, TicketPriority::P3),
        "no rule: the source's service and medium × medium"
    );
    assert_eq!(
        (critical.service.id, critical.priority),
        (setup.mail, TicketPriority::P1)
    );
    assert!(warning.timeline[0]
        .body
        .contains("the source's default service"));

    // A rule naming a service archived since: the alert goes to the source's default.
    let sam = &setup.sam;
    app::server::service::catalogue::set_archived(&setup.db, &actor(sam), setup.portal, 1, true)
        .await
        .unwrap();
    let outcome = receive(
        &setup,
        vec![alert("f4", "firing", portal_labels())],
        "2027-03-01T09:10:00Z",
    )
    .await
    .unwrap();
    assert_eq!(outcome.opened, vec!["INC-3".to_string()]);
    let rerouted = read(3).await.unwrap();
    assert_eq!(rerouted.service.id, setup.mail);
    assert!(rerouted.timeline[0]
        .body
        .contains("the source's default service"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_replaced_or_revoked_token_and_a_bad_delivery_change_nothing() {
    let setup = setup().await;
    let db = &setup.db;
    let firing = delivery(vec![alert("aa", "firing", portal_labels())]);
    let now = at("2027-03-01T09:00:00Z");

    for token in ["", "not-a-token", &"x".repeat(5000)] {
        let refused = alert_intake::receive(db, token, &firing, now)
            .await
            .unwrap_err();
        assert_eq!(refused, AppError::Unauthenticated, "{token:.10}");
    }

    // A delivery with one good and one bad alert is refused whole.
    let mut mixed: Value = serde_json::from_slice(&delivery(vec![
        alert("good", "firing", portal_labels()),
        alert("bad fingerprint!", "firing", portal_labels()),
    ]))
    .unwrap();
    let refused =
        alert_intake::receive(db, &setup.token, &serde_json::to_vec(&mixed).unwrap(), now)
            .await
            .unwrap_err();
    assert!(
        matches!(&refused, AppError::BadRequest(m) if m.starts_with("alerts[1]: the fingerprint")),
        "{refused:?}"
    );
    mixed["version"] = json!("3");
    let refused =
        alert_intake::receive(db, &setup.token, &serde_json::to_vec(&mixed).unwrap(), now)
            .await
            .unwrap_err();
    assert!(matches!(&refused, AppError::BadRequest(m) if m.contains("version 4")));
    let refused = alert_intake::receive(db, &setup.token, b"{\"alerts\": [", now)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, AppError::BadRequest(m) if m.starts_with("The body is not Alertmanager's webhook payload")),
        "{refused:?}"
    );
    assert_eq!(incident_count(db).await, 0);

    // A new token stops the old one; revoking stops the new one; a stale version is refused.
    let sam = &setup.sam;
    let replaced = alert_intake::replace_token(db, &actor(sam), setup.source_id, 1)
        .await
        .unwrap();
    assert_eq!(
        alert_intake::receive(db, &setup.token, &firing, now)
            .await
            .unwrap_err(),
        AppError::Unauthenticated
    );
    let stale = alert_intake::revoke(db, &actor(sam), setup.source_id, 1, now)
        .await
        .unwrap_err();
    assert!(matches!(
        stale,
        AppError::Conflict {
            current_version: 2,
            ..
        }
    ));
    alert_intake::revoke(db, &actor(sam), setup.source_id, 2, now)
        .await
        .unwrap();
    assert_eq!(
        alert_intake::receive(db, &replaced.token, &firing, now)
            .await
            .unwrap_err(),
        AppError::Unauthenticated
    );
    assert_eq!(incident_count(db).await, 0);
    let source = alert_intake::source(db.reader(), setup.source_id)
        .await
        .unwrap();
    assert!(source.revoked_at.is_some());

    // A replaced token brings the source back.
    let back = alert_intake::replace_token(db, &actor(sam), setup.source_id, 3)
        .await
        .unwrap();
    alert_intake::receive(db, &back.token, &firing, now)
        .await
        .unwrap();
    assert_eq!(incident_count(db).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_names_people_and_services_that_exist() {
    let setup = setup().await;
    let db = &setup.db;
    let sam = &setup.sam;
    let form = SourceForm {
        name: "Prometheus production".into(),
        reporter_id: "999".into(),
        service_id: "999".into(),
        impact: "low".into(),
        urgency: "low".into(),
        rules: vec![RuleForm {
            label: "team".into(),
            value: "ops".into(),
            service_id: "998".into(),
            ..Default::default()
        }],
    };
    let refused = alert_intake::create(db, sam, &actor(sam), &form, at("2027-03-01T09:00:00Z"))
        .await
        .unwrap_err();
    let errors = refused.field_errors().unwrap();
    for field in ["name", "reporter_id", "service_id", "rule_0_service"] {
        assert!(errors.get(field).is_some(), "{field}: {errors:?}");
    }
    assert_eq!(alert_intake::sources(db.reader()).await.unwrap().len(), 1);
}

fn post(body: Vec<u8>, authorization: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/intake/alertmanager")
        .header(header::HOST, "conform.example.org")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::USER_AGENT, "Alertmanager/0.27.0");
    if let Some(value) = authorization {
        request = request.header(header::AUTHORIZATION, value);
    }
    request.body(Body::from(body)).unwrap()
}

/// As Alertmanager calls it: another origin, no session, a bearer token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_answers_alertmanager_over_http() {
    let setup = setup().await;
    let app = state(setup.db.db.clone());
    let firing = delivery(vec![alert("c0ffee", "firing", portal_labels())]);

    let reply = send(
        &app,
        post(firing.clone(), Some(&format!("Bearer {}", setup.token))),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let outcome: IntakeOutcome = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(outcome.opened, vec!["INC-1".to_string()]);
    // The scheme is case-insensitive (RFC 9110).
    let reply = send(
        &app,
        post(firing.clone(), Some(&format!("bearer {}", setup.token))),
    )
    .await;
    let outcome: IntakeOutcome = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(outcome.unchanged, 1);

    for authorization in [
        None,
        Some("Bearer wrong"),
        Some(&*format!("Basic {}", setup.token)),
    ] {
        let reply = send(&app, post(firing.clone(), authorization)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{authorization:?}");
        assert_eq!(
            reply.headers.get(header::WWW_AUTHENTICATE).unwrap(),
            "Bearer realm=\"conform-intake\""
        );
        assert!(reply.body.contains("unknown or revoked"));
    }
    let reply = send(
        &app,
        post(
            b"not json".to_vec(),
            Some(&format!("Bearer {}", setup.token)),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.body.contains("not Alertmanager's webhook payload"),
        "{}",
        reply.body
    );
    assert_eq!(incident_count(&setup.db).await, 1);

    // The session-cookie endpoints stay closed to another origin.
    let reply = send(
        &app,
        Request::post("/api/intake/sources/create")
            .header(header::HOST, "conform.example.org")
            .header(header::ORIGIN, "http://evil.example")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("form[name]=x"))
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

/// A source delivering faster than its quota is held back with 429 and `Retry-After`; the
/// held-back delivery changes nothing, and another source is not held back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_over_its_delivery_rate_waits_alone() {
    let setup = setup().await;
    let mut app = state(setup.db.db.clone());
    app.safeguards.intake = app::server::intake_limits::IntakeLimits::per_minute(2);
    let bearer = format!("Bearer {}", setup.token);
    for fingerprint in ["f1", "f2"] {
        let body = delivery(vec![alert(fingerprint, "firing", portal_labels())]);
        let reply = send(&app, post(body, Some(&bearer))).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let third = delivery(vec![alert("f3", "firing", portal_labels())]);
    let reply = send(&app, post(third.clone(), Some(&bearer))).await;
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.body
    );
    let wait: i64 = reply
        .headers
        .get(header::RETRY_AFTER)
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    assert!(
        reply.body.contains("more than 2 deliveries in a minute"),
        "{}",
        reply.body
    );
    assert_eq!(
        incident_count(&setup.db).await,
        2,
        "the held-back alert opened nothing"
    );

    // Another source has its own quota.
    let form = SourceForm {
        name: "Prometheus staging".into(),
        reporter_id: setup.sam.id.to_string(),
        service_id: setup.mail.to_string(),
        impact: "low".into(),
        urgency: "low".into(),
        rules: Vec::new(),
    };
    let other = alert_intake::create(
        &setup.db,
        &setup.sam,
        &actor(&setup.sam),
        &form,
        at("2027-03-01T08:00:00Z"),
    )
    .await
    .unwrap();
    let reply = send(&app, post(third, Some(&format!("Bearer {}", other.token)))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}
