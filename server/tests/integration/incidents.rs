//! Incidents against a real database: the priority from the organisation's matrix, the clocks
//! from the agreement in force (measured in its service hours, paused while pending), the
//! lifecycle's steps with their timeline and audit entries, and every attempt to get round a
//! rule — assigning without the right, to someone who does not work incidents, starting
//! someone else's work, closing a major incident unreviewed, a stale step.

use crate::common::{self, actor, person};

use app::error::AppError;
use app::model::access::Role;
use app::model::agreement::{AgreementAction, AgreementForm};
use app::model::incident::{
    IncidentForm, IncidentState, PendingReason, ReviewActionForm, ReviewForm, StepForm,
    TimelineKind,
};
use app::model::priority_matrix::TicketPriority;
use app::model::service::ServiceForm;
use app::model::service_hours::ServiceHoursForm;
use app::model::target_clock::{ClockPhase, ClockStatus};
use app::model::user::CurrentUser;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::{agreements, audit_trail, catalogue, incidents, service_levels};
use chrono::{DateTime, Utc};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) async fn service(db: &Db, name: &str) -> i64 {
    let form = ServiceForm {
        name: name.into(),
        owner: "Owner".into(),
        criticality: "high".into(),
        status: "live".into(),
        ..Default::default()
    };
    catalogue::create(db, &Actor::system("test"), form.validate().unwrap())
        .await
        .unwrap()
        .id
}

/// Mail, covered from 2027 by an approved agreement on London office hours (08:00–18:00,
/// Monday to Friday): P2 is answered in 30 minutes and resolved in 8 hours.
pub(crate) async fn mail_under_agreement(db: &Db, sam: &CurrentUser, lee: &CurrentUser) -> i64 {
    let mail = service(db, "Mail").await;
    let mut hours = ServiceHoursForm {
        name: "London office".into(),
        time_zone: "Europe/London".into(),
        ..Default::default()
    };
    for day in 0..5 {
        hours.days[day] = "08:00-18:00".into();
    }
    let calendar = service_levels::create_calendar(db, &actor(sam), &hours)
        .await
        .unwrap();
    let form = AgreementForm {
        title: "Mail".into(),
        customer: "All staff".into(),
        service_ids: vec![mail.to_string()],
        calendar_id: calendar.to_string(),
        starts_on: "2027-01-01".into(),
        ends_on: String::new(),
        review_on: "2027-12-01".into(),
        response: ["15", "30", "60", "240", "480"].map(String::from),
        resolution: ["240", "480", "1440", "2880", "7200"].map(String::from),
        availability: "99.5".into(),
        fulfilment: "2880".into(),
    };
    let id = agreements::create(db, sam, &actor(sam), &form)
        .await
        .unwrap();
    agreements::transition(db, sam, &actor(sam), id, 1, AgreementAction::SendToReview)
        .await
        .unwrap();
    agreements::transition(db, lee, &actor(lee), id, 2, AgreementAction::Approve)
        .await
        .unwrap();
    mail
}

fn report(service_id: i64) -> IncidentForm {
    IncidentForm {
        title: "Mail is not delivered to external addresses".into(),
        description: "Messages to customers bounce since this morning.".into(),
        service_id: service_id.to_string(),
        impact: "high".into(),
        urgency: "medium".into(),
        category: "Email".into(),
        affected: "Outbound relay".into(),
        service_affecting: true,
        ..Default::default()
    }
}

fn step(action: &str) -> StepForm {
    StepForm {
        action: action.into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incident_is_measured_against_its_agreement_from_report_to_close() {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let lee = person(&db, "lee@example.org", Role::ServiceLevelManager).await;
    let jo = person(&db, "jo@example.org", Role::Resolver).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let mail = mail_under_agreement(&db, &sam, &lee).await;

    // Monday 1 March 2027, 09:00 in London (GMT).
    let id = incidents::raise(
        &db,
        &robin,
        &actor(&robin),
        &report(mail),
        at("2027-03-01T09:00:00Z"),
    )
    .await
    .unwrap();
    let raised = incidents::detail(db.reader(), id, at("2027-03-01T09:05:00Z"))
        .await
        .unwrap();
    assert_eq!(raised.priority, TicketPriority::P2);
    assert!(raised
        .priority_rule
        .contains("Impact high × urgency medium → P2 High"));
    assert_eq!(
        raised.agreement.as_deref(),
        Some(format!("SLA-{}", 1).as_str())
    );
    let response = raised.response_clock.clone().unwrap();
    assert_eq!(response.due_at, Some(at("2027-03-01T09:30:00Z")));
    assert_eq!(response.used_seconds, 300);
    let resolution = raised.resolution_clock.clone().unwrap();
    assert_eq!(resolution.due_at, Some(at("2027-03-01T17:00:00Z")));
    assert_eq!(raised.reporter.id, robin.id);
    assert_eq!(raised.timeline[0].kind, TimelineKind::Raised);

    // Sam assigns it to Jo at 09:10: the response target is met.
    let assign = StepForm {
        assignee_id: jo.id.to_string(),
        ..step("assign")
    };
    let taken = |user, version, form, now| {
        let db = &db;
        async move { incidents::take_step(db, user, &actor(user), id, version, &form, at(now)).await }
    };
    assert_eq!(
        taken(&sam, 1, assign, "2027-03-01T09:10:00Z")
            .await
            .unwrap(),
        IncidentState::Assigned
    );
    assert_eq!(
        taken(&jo, 2, step("start"), "2027-03-01T09:20:00Z")
            .await
            .unwrap(),
        IncidentState::InProgress
    );
    // At 10:00 Jo waits for the customer: the resolution clock stops with one hour used.
    let wait = StepForm {
        note: "Asked Robin for a bounced message's headers.".into(),
        ..step("wait_customer")
    };
    assert_eq!(
        taken(&jo, 3, wait, "2027-03-01T10:00:00Z").await.unwrap(),
        IncidentState::Pending
    );
    let waiting = incidents::detail(db.reader(), id, at("2027-03-02T08:30:00Z"))
        .await
        .unwrap();
    assert_eq!(waiting.pending_reason, Some(PendingReason::Customer));
    let clock = waiting.resolution_clock.unwrap();
    assert_eq!(
        (clock.phase, clock.used_seconds, clock.due_at),
        (ClockPhase::Paused, 3600, None)
    );
    let response = waiting.response_clock.unwrap();
    assert_eq!(
        (response.phase, response.used_seconds),
        (ClockPhase::Stopped, 600)
    );

    // Robin answers on Tuesday at 09:00; seven hours are left, so it is due at 16:00.
    assert_eq!(
        taken(&robin, 4, step("resume"), "2027-03-02T09:00:00Z")
            .await
            .unwrap(),
        IncidentState::InProgress
    );
    let resumed = incidents::detail(db.reader(), id, at("2027-03-02T14:00:00Z"))
        .await
        .unwrap();
    let clock = resumed.resolution_clock.unwrap();
    assert_eq!(clock.due_at, Some(at("2027-03-02T16:00:00Z")));
    assert_eq!(clock.status, ClockStatus::Warning);

    // Resolving needs the code and the words.
    let bare = taken(&jo, 5, step("resolve"), "2027-03-02T15:00:00Z")
        .await
        .unwrap_err();
    assert!(bare
        .field_errors()
        .unwrap()
        .get("resolution_code")
        .is_some());
    let resolve = StepForm {
        resolution_code: "fixed".into(),
        resolution: "Renewed the relay's expired TLS certificate.".into(),
        ..step("resolve")
    };
    assert_eq!(
        taken(&jo, 5, resolve, "2027-03-02T15:00:00Z")
            .await
            .unwrap(),
        IncidentState::Resolved
    );
    assert_eq!(
        taken(&robin, 6, step("close"), "2027-03-03T09:00:00Z")
            .await
            .unwrap(),
        IncidentState::Closed
    );

    let closed = incidents::detail(db.reader(), id, at("2027-03-04T09:00:00Z"))
        .await
        .unwrap();
    let clock = closed.resolution_clock.unwrap();
    assert_eq!(
        (clock.phase, clock.used_seconds),
        (ClockPhase::Stopped, 7 * 3600)
    );
    assert_eq!(clock.status, ClockStatus::Warning);
    assert_eq!(closed.resolved_at, Some(at("2027-03-02T15:00:00Z")));
    assert_eq!(closed.closed_at, Some(at("2027-03-03T09:00:00Z")));
    assert_eq!(closed.assignee.unwrap().id, jo.id);
    let lines: Vec<&str> = closed.timeline.iter().map(|l| l.body.as_str()).collect();
    assert_eq!(lines.len(), 7, "{lines:?}");
    assert!(lines[1].starts_with("Assigned to "));
    assert!(lines[3].contains("Asked Robin"));
    assert!(lines[5].starts_with("Resolved — Fixed: Renewed"));

    let trail = audit_trail::list(
        &db,
        &app::model::audit::AuditQueryParams::default().to_query(),
    )
    .await
    .unwrap();
    let steps = trail
        .items
        .iter()
        .filter(|e| e.record_type == "incident")
        .count();
    assert_eq!(steps, 7, "on {}", common::backend_name());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lifecycle_cannot_be_got_round() {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let lee = person(&db, "lee@example.org", Role::ServiceLevelManager).await;
    let jo = person(&db, "jo@example.org", Role::Resolver).await;
    let max = person(&db, "max@example.org", Role::Resolver).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let ari = person(&db, "ari@example.org", Role::Auditor).await;
    let mail = mail_under_agreement(&db, &sam, &lee).await;
    let now = at("2027-03-01T09:00:00Z");

    // A requester reports only for themselves.
    let on_behalf = IncidentForm {
        reporter_id: ari.id.to_string(),
        ..report(mail)
    };
    let refused = incidents::raise(&db, &robin, &actor(&robin), &on_behalf, now)
        .await
        .unwrap_err();
    assert!(refused.field_errors().unwrap().get("reporter_id").is_some());
    // A start in the future is refused.
    let future = IncidentForm {
        started_at: "2027-03-02T09:00".into(),
        ..report(mail)
    };
    let refused = incidents::raise(&db, &robin, &actor(&robin), &future, now)
        .await
        .unwrap_err();
    assert!(refused.field_errors().unwrap().get("started_at").is_some());
    let id = incidents::raise(
        &db,
        &sam,
        &actor(&sam),
        &IncidentForm {
            reporter_id: robin.id.to_string(),
            ..report(mail)
        },
        now,
    )
    .await
    .unwrap();
    let attempt = |user, version, form| {
        let db = &db;
        async move { incidents::take_step(db, user, &actor(user), id, version, &form, now).await }
    };
    let assign_to = |person: &CurrentUser| StepForm {
        assignee_id: person.id.to_string(),
        ..step("assign")
    };

    // Nobody without the right assigns, and nobody is given work who does not work incidents.
    for user in [&robin, &ari] {
        assert!(matches!(
            attempt(user, 1, assign_to(&jo)).await,
            Err(AppError::Refused(_))
        ));
    }
    let to_requester = attempt(&sam, 1, assign_to(&robin)).await.unwrap_err();
    assert!(to_requester
        .field_errors()
        .unwrap()
        .get("assignee_id")
        .unwrap()
        .contains("resolver"));
    attempt(&sam, 1, assign_to(&jo)).await.unwrap();
    // Another resolver does not start Jo's work; a stale step is refused.
    assert!(
        matches!(attempt(&max, 2, step("start")).await, Err(AppError::Refused(m)) if m.contains("assignee"))
    );
    assert!(matches!(
        attempt(&jo, 1, step("start")).await,
        Err(AppError::Conflict { .. })
    ));
    attempt(&jo, 2, step("start")).await.unwrap();

    // Only a service level manager declares a major incident; then it closes only reviewed.
    let refused = incidents::set_major(&db, &jo, &actor(&jo), id, 3, true, now)
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Refused(_)));
    incidents::set_major(&db, &sam, &actor(&sam), id, 3, true, now)
        .await
        .unwrap();
    let resolve = StepForm {
        resolution_code: "workaround".into(),
        resolution: "Routed outbound mail through the backup relay.".into(),
        ..step("resolve")
    };
    attempt(&jo, 4, resolve).await.unwrap();
    let unreviewed = attempt(&sam, 5, step("close")).await.unwrap_err();
    assert!(matches!(unreviewed, AppError::Refused(m) if m.contains("post-incident review")));
    // An auditor neither closes nor writes notes; the reporter may add one.
    assert!(matches!(
        attempt(&ari, 5, step("reopen")).await,
        Err(AppError::Refused(_))
    ));
    assert!(matches!(
        incidents::add_note(
            &db,
            &ari,
            &actor(&ari),
            id,
            TimelineKind::Note,
            "Looks fine",
            now
        )
        .await,
        Err(AppError::Refused(_))
    ));
    incidents::add_note(
        &db,
        &robin,
        &actor(&robin),
        id,
        TimelineKind::Note,
        "It works again for me.",
        now,
    )
    .await
    .unwrap();

    // Reopening is possible within the organisation's period only.
    let late = at("2027-03-20T09:00:00Z");
    let refused = incidents::take_step(&db, &robin, &actor(&robin), id, 5, &step("reopen"), late)
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Refused(m) if m.contains("more than 10 days")));
    let state = incidents::take_step(&db, &robin, &actor(&robin), id, 5, &step("reopen"), now)
        .await
        .unwrap();
    assert_eq!(state, IncidentState::InProgress);
    let reopened = incidents::detail(db.reader(), id, now).await.unwrap();
    assert!(reopened.resolved_at.is_none());
    assert_eq!(
        reopened.resolution_clock.unwrap().phase,
        ClockPhase::Running
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incident_on_a_service_without_agreement_has_no_clocks() {
    let db = common::test_db().await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let print = service(&db, "Printing").await;
    let id = incidents::raise(
        &db,
        &robin,
        &actor(&robin),
        &report(print),
        at("2027-03-01T09:00:00Z"),
    )
    .await
    .unwrap();
    let incident = incidents::detail(db.reader(), id, at("2027-03-01T10:00:00Z"))
        .await
        .unwrap();
    assert!(incident.agreement.is_none());
    assert!(incident.response_clock.is_none() && incident.resolution_clock.is_none());
    assert!(incident.timeline[0].body.contains("no agreement"));
    let unknown = IncidentForm {
        service_id: "999".into(),
        ..report(print)
    };
    let refused = incidents::raise(
        &db,
        &robin,
        &actor(&robin),
        &unknown,
        at("2027-03-01T09:00:00Z"),
    )
    .await
    .unwrap_err();
    assert!(refused.field_errors().unwrap().get("service_id").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_filters_sorts_and_pages_in_the_database() {
    use app::model::incident_queue::QueueParams;
    use app::server::service::incident_queue;
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let lee = person(&db, "lee@example.org", Role::ServiceLevelManager).await;
    let jo = person(&db, "jo@example.org", Role::Resolver).await;
    let mail = mail_under_agreement(&db, &sam, &lee).await;
    let print = service(&db, "Printing").await;
    let start = at("2027-03-01T09:00:00Z");
    // Seven on Mail, raised a minute apart with urgency high, medium, low in turn (P1, P2, P3:
    // resolution due in 4, 8 and 24 service hours); one on Printing without targets.
    let mut ids = Vec::new();
    for n in 0..7i64 {
        let urgency = ["high", "medium", "low"][n as usize % 3];
        let form = IncidentForm {
            title: format!("Mail problem {n}"),
            urgency: urgency.into(),
            ..report(mail)
        };
        let now = start + chrono::Duration::minutes(n);
        ids.push(
            incidents::raise(&db, &sam, &actor(&sam), &form, now)
                .await
                .unwrap(),
        );
    }
    let printer = incidents::raise(&db, &sam, &actor(&sam), &report(print), start)
        .await
        .unwrap();
    let assign = StepForm {
        assignee_id: jo.id.to_string(),
        ..step("assign")
    };
    incidents::take_step(&db, &sam, &actor(&sam), ids[1], 1, &assign, start)
        .await
        .unwrap();

    let read = |params: QueueParams, now: &str| {
        let db = &db;
        let me = jo.id;
        let now = at(now);
        async move { incident_queue::page(db, &params, me, now, 3).await.unwrap() }
    };
    // Due soonest first: the P1s (due 13:00, 13:03, 13:06), then P2s; Printing, without a
    // due time, last.
    let first = read(QueueParams::default(), "2027-03-01T10:00:00Z").await;
    assert_eq!((first.total, first.pages), (8, 3));
    assert_eq!(
        first.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ids[0], ids[3], ids[6]]
    );
    let last_page = read(
        QueueParams {
            page: "3".into(),
            ..Default::default()
        },
        "2027-03-01T10:00:00Z",
    )
    .await;
    assert_eq!(last_page.rows.last().unwrap().id, printer);
    // The page after the first, by key, is the second by number.
    let keyed = read(
        QueueParams {
            page: "2".into(),
            after: ids[6].to_string(),
            ..Default::default()
        },
        "2027-03-01T10:00:00Z",
    )
    .await;
    let numbered = read(
        QueueParams {
            page: "2".into(),
            ..Default::default()
        },
        "2027-03-01T10:00:00Z",
    )
    .await;
    assert_eq!(keyed.rows, numbered.rows);

    // Filters: mine, unassigned, a priority, a reference, words, breached at 13:30.
    let mine = read(
        QueueParams {
            assignee: "me".into(),
            ..Default::default()
        },
        "2027-03-01T10:00:00Z",
    )
    .await;
    assert_eq!(
        mine.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ids[1]]
    );
    assert_eq!(mine.rows[0].assignee.as_deref(), Some(jo.name.as_str()));
    let unassigned = read(
        QueueParams {
            assignee: "none".into(),
            ..Default::default()
        },
        "2027-03-01T10:00:00Z",
    )
    .await;
    assert_eq!(unassigned.total, 7);
    let p2 = read(
        QueueParams {
            priority: "p2".into(),
            ..Default::default()
        },
        "2027-03-01T10:00:00Z",
    )
    .await;
    // Two on Mail, and Printing's (high impact, medium urgency).
    assert_eq!(p2.total, 3);
    let by_reference = read(
        QueueParams {
            q: format!("inc-{}", ids[4]),
            ..Default::default()
        },
        "2027-03-01T10:00:00Z",
    )
    .await;
    assert_eq!(
        by_reference.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ids[4]]
    );
    let by_words = read(
        QueueParams {
            q: "PROBLEM 5".into(),
            ..Default::default()
        },
        "2027-03-01T10:00:00Z",
    )
    .await;
    assert_eq!(by_words.total, 1);
    let breached = read(
        QueueParams {
            breached: "yes".into(),
            ..Default::default()
        },
        "2027-03-01T13:04:00Z",
    )
    .await;
    assert_eq!(
        breached.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ids[0], ids[3]]
    );
    assert!(breached
        .rows
        .iter()
        .all(|r| r.status == Some(ClockStatus::Breached)));
    let warned = read(QueueParams::default(), "2027-03-01T12:05:00Z").await;
    assert_eq!(warned.rows[0].status, Some(ClockStatus::Warning));
    // Newest first, and by priority.
    let newest = read(
        QueueParams {
            sort: "newest".into(),
            ..Default::default()
        },
        "2027-03-01T10:00:00Z",
    )
    .await;
    assert_eq!(newest.rows[0].id, printer);
    let pressing = read(
        QueueParams {
            sort: "priority".into(),
            ..Default::default()
        },
        "2027-03-01T10:00:00Z",
    )
    .await;
    assert!(pressing
        .rows
        .iter()
        .all(|r| r.priority == TicketPriority::P1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_major_incident_is_reviewed_before_it_closes_and_its_actions_reach_the_register() {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let lee = person(&db, "lee@example.org", Role::ServiceLevelManager).await;
    let jo = person(&db, "jo@example.org", Role::Resolver).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let mail = mail_under_agreement(&db, &sam, &lee).await;
    let now = at("2027-03-01T09:00:00Z");
    let id = incidents::raise(&db, &robin, &actor(&robin), &report(mail), now)
        .await
        .unwrap();
    incidents::set_major(&db, &sam, &actor(&sam), id, 1, true, now)
        .await
        .unwrap();
    // The communication log is for those who work incidents, on a major incident.
    assert!(matches!(
        incidents::add_note(
            &db,
            &robin,
            &actor(&robin),
            id,
            TimelineKind::Communication,
            "All fixed!",
            now
        )
        .await,
        Err(AppError::Refused(_))
    ));
    incidents::add_note(
        &db,
        &jo,
        &actor(&jo),
        id,
        TimelineKind::Communication,
        "09:20 status page: outbound mail delayed, next update 10:00.",
        now,
    )
    .await
    .unwrap();
    let assign = StepForm {
        assignee_id: jo.id.to_string(),
        ..step("assign")
    };
    incidents::take_step(&db, &sam, &actor(&sam), id, 2, &assign, now)
        .await
        .unwrap();
    let resolve = StepForm {
        resolution_code: "fixed".into(),
        resolution: "Replaced the expired relay certificate.".into(),
        ..step("resolve")
    };
    incidents::take_step(&db, &jo, &actor(&jo), id, 3, &resolve, now)
        .await
        .unwrap();

    let review = ReviewForm {
        summary: "Outbound mail bounced for two hours after the relay certificate expired.".into(),
        cause: "Certificate expiry was not monitored.".into(),
        lessons: "Expiry dates belong in monitoring, not in a spreadsheet.".into(),
        actions: vec![
            ReviewActionForm {
                text: "Alert on certificates expiring within 30 days".into(),
                owner_id: jo.id.to_string(),
                due: "2027-04-30".into(),
            },
            ReviewActionForm::default(),
        ],
    };
    // A resolver does not complete the review; nor does a reviewer with a bad action row.
    let refused = incidents::complete_review(&db, &jo, &actor(&jo), id, 4, &review, now)
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Refused(m) if m.contains("service level manager")));
    let mut bad = review.clone();
    bad.actions[1].text = "Review the relay's runbook".into();
    let refused = incidents::complete_review(&db, &sam, &actor(&sam), id, 4, &bad, now)
        .await
        .unwrap_err();
    let errors = refused.field_errors().expect("field errors").clone();
    assert!(errors.get("action_1_owner").is_some() && errors.get("action_1_due").is_some());
    // Nothing was written by the refused attempts: still unreviewed, no register entry.
    let record = incidents::record(db.reader(), &sam, id, now).await.unwrap();
    assert!(record.may_review && record.incident.review.is_none());
    assert!(matches!(
        incidents::take_step(&db, &jo, &actor(&jo), id, 4, &step("close"), now).await,
        Err(AppError::Refused(_))
    ));

    let entries = incidents::complete_review(&db, &sam, &actor(&sam), id, 4, &review, now)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    let entry = app::server::service::register::get(db.reader(), entries[0])
        .await
        .unwrap();
    assert_eq!(entry.source, app::model::improvement::Source::MajorIncident);
    assert_eq!(entry.owner.id, jo.id);
    assert_eq!(
        entry.target_date.map(|d| d.to_string()).as_deref(),
        Some("2027-04-30")
    );
    // Once is enough.
    assert!(matches!(
        incidents::complete_review(&db, &sam, &actor(&sam), id, 5, &review, now).await,
        Err(AppError::Refused(_))
    ));
    let state = incidents::take_step(&db, &jo, &actor(&jo), id, 5, &step("close"), now)
        .await
        .unwrap();
    assert_eq!(state, IncidentState::Closed);
    let record = incidents::record(db.reader(), &robin, id, now)
        .await
        .unwrap();
    let shown = record.incident.review.expect("the review is on the record");
    assert_eq!(shown.actions.len(), 1);
    assert_eq!(shown.reviewed_by.map(|p| p.id), Some(sam.id));
    let kinds: Vec<TimelineKind> = record.incident.timeline.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&TimelineKind::Communication) && kinds.contains(&TimelineKind::Review));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_exports_as_csv_with_its_filters() {
    use axum::http::StatusCode;
    use common::web::{get, send, sign_in, state};
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let mail = service(&db, "Mail").await;
    let now = at("2027-03-01T09:00:00Z");
    let mut form = report(mail);
    form.title = "=cmd|' /C calc'!A0".into();
    incidents::raise(&db, &sam, &actor(&sam), &form, now)
        .await
        .unwrap();
    form.impact = "low".into();
    form.urgency = "low".into();
    for n in 0..3 {
        form.title = format!("Printer queue stuck {n}");
        incidents::raise(&db, &sam, &actor(&sam), &form, now)
            .await
            .unwrap();
    }
    // Signed out: sent to sign in, nothing exported.
    let anonymous = send(&state, get("/incidents/export.csv", None)).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(!anonymous.body.contains("INC-"));
    let cookie = sign_in(&state, "sam@example.org", common::PERSON_PASSWORD).await;
    let all = send(
        &state,
        get("/incidents/export.csv?state=all", Some(&cookie)),
    )
    .await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let lines: Vec<&str> = all.body.lines().collect();
    assert_eq!(lines.len(), 5, "{}", all.body);
    assert!(lines.iter().any(|l| l.contains(",'=cmd|")), "{}", all.body);
    let p5 = send(
        &state,
        get("/incidents/export.csv?priority=p5&q=printer", Some(&cookie)),
    )
    .await;
    assert_eq!(p5.body.lines().count(), 4, "{}", p5.body);
    assert!(p5.body.lines().skip(1).all(|l| l.contains("P5 Planning")));
}

/// Past 1,000 matches the queue stops counting: it says "1,000+" and always offers the next
/// page while its pages are full, and a page that is not full is the last.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_counts_up_to_its_limit() {
    use app::model::incident_queue::{QueueParams, COUNT_LIMIT};
    use app::server::entity::incident;
    use sea_orm::{EntityTrait, Set};
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let mail = service(&db, "Mail").await;
    let now = at("2027-03-01T09:00:00Z");
    let rows: Vec<incident::ActiveModel> = (0..1_010)
        .map(|n: i64| incident::ActiveModel {
            title: Set(format!("Generated {n}")),
            description: Set(String::new()),
            service_id: Set(mail),
            impact: Set("medium".into()),
            urgency: Set("medium".into()),
            priority: Set("p3".into()),
            priority_rule: Set("generated".into()),
            category: Set(String::new()),
            affected: Set(String::new()),
            reporter_id: Set(sam.id),
            state: Set("new".into()),
            major: Set(false),
            service_affecting: Set(false),
            started_at: Set(now),
            response_used_seconds: Set(0),
            resolution_used_seconds: Set(0),
            queue_due_at: Set(now + chrono::Duration::minutes(n)),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(200) {
        incident::Entity::insert_many(chunk.to_vec())
            .exec(db.writer())
            .await
            .unwrap();
    }
    let first = incidents_page(&db, &QueueParams::default(), sam.id, now).await;
    assert_eq!((first.total, first.more), (COUNT_LIMIT, true));
    assert_eq!(first.total_label(), "1,000+");
    assert_eq!((first.page, first.pages), (1, 40));
    // Due soonest first, from the stored sort key.
    assert_eq!(first.rows[0].title, "Generated 0");
    // Page 41 is past the count and full: a next page is offered; 41 pages of 25 hold 1,025,
    // so page 41 holds the last 10 and is the last.
    let deep = incidents_page(
        &db,
        &QueueParams {
            page: "41".into(),
            ..Default::default()
        },
        sam.id,
        now,
    )
    .await;
    assert_eq!(deep.rows.len(), 10);
    assert_eq!((deep.page, deep.pages), (41, 41));
    let page_40 = incidents_page(
        &db,
        &QueueParams {
            page: "40".into(),
            ..Default::default()
        },
        sam.id,
        now,
    )
    .await;
    assert_eq!((page_40.page, page_40.pages), (40, 41));
    // Under the limit the count is exact.
    let few = incidents_page(
        &db,
        &QueueParams {
            q: "Generated 100".into(),
            ..Default::default()
        },
        sam.id,
        now,
    )
    .await;
    assert_eq!((few.total, few.more), (11, false));
}

async fn incidents_page(
    db: &Db,
    params: &app::model::incident_queue::QueueParams,
    me: i64,
    now: DateTime<Utc>,
) -> app::model::incident_queue::QueuePage {
    app::server::service::incident_queue::page(db, params, me, now, 25)
        .await
        .unwrap()
}
