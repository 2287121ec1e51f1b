//! Problems and known errors against a real database: a problem raised from incidents becomes
//! a known error only with its root cause and workaround, is offered while the next incident
//! is typed, links that incident when applied, and raises the change that removes its cause
//! in one step — and every attempt to get round a rule: working problems without the role,
//! an incident explained twice, a stale analysis, a known error without its workaround.

use crate::common::{self, actor, person};
use crate::incidents::service;

use app::error::AppError;
use app::model::access::Role;
use app::model::incident::{IncidentForm, IncidentState};
use app::model::problem::{
    AnalysisForm, ProblemForm, ProblemListParams, ProblemState, ProblemStepForm,
};
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::service::{audit_trail, changes, clause_evidence, incidents, problems};
use chrono::{DateTime, Duration, Utc};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

async fn mail_incident(
    db: &Db,
    who: &CurrentUser,
    service_id: i64,
    title: &str,
    now: DateTime<Utc>,
) -> i64 {
    let form = IncidentForm {
        title: title.into(),
        description: "Outbound messages wait in the queue for hours.".into(),
        service_id: service_id.to_string(),
        impact: "medium".into(),
        urgency: "medium".into(),
        ..Default::default()
    };
    incidents::raise(db, who, &actor(who), &form, now)
        .await
        .unwrap()
}

fn step(action: &str) -> ProblemStepForm {
    ProblemStepForm {
        action: action.into(),
        ..Default::default()
    }
}

fn analysis(cause: &str, workaround: &str) -> AnalysisForm {
    AnalysisForm {
        rca_method: "five_whys".into(),
        root_cause: cause.into(),
        workaround: workaround.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_problem_from_three_incidents_becomes_a_known_error_offered_on_the_next() {
    let db = common::test_db().await;
    let jo = person(&db, "jo@example.org", Role::Resolver).await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let mail = service(&db, "Mail").await;
    let now = at("2027-03-01T09:00:00Z");
    let mut found_from = Vec::new();
    for n in 0..3 {
        found_from.push(
            mail_incident(
                &db,
                &robin,
                mail,
                &format!("Mail queue stuck again ({n})"),
                now + Duration::hours(n),
            )
            .await,
        );
    }

    let form = ProblemForm {
        title: "Mail queue backs up when the relay certificate expires".into(),
        description: "Three incidents in a week, each cleared by restarting the relay.".into(),
        service_id: mail.to_string(),
        incidents: format!("INC-{}, {}", found_from[0], found_from[1]),
    };
    let id = problems::create(&db, &jo, &actor(&jo), &form, now)
        .await
        .unwrap();
    let linked = problems::link_incidents(
        &db,
        &jo,
        &actor(&jo),
        id,
        &format!("inc {}", found_from[2]),
        now,
    )
    .await
    .unwrap();
    assert_eq!(linked, vec![found_from[2]]);
    let problem = problems::detail(db.reader(), id).await.unwrap();
    assert_eq!(problem.state, ProblemState::New);
    assert_eq!(
        problem.incidents.iter().map(|i| i.id).collect::<Vec<_>>(),
        found_from
    );
    // Each incident says on its timeline which problem explains it.
    let first = incidents::record(db.reader(), &robin, found_from[0], now)
        .await
        .unwrap();
    assert_eq!(first.problem.as_ref().map(|p| p.id), Some(id));
    assert!(first
        .incident
        .timeline
        .iter()
        .any(|e| e.body == format!("Linked to problem PRB-{id}")));

    // Analysed by Jo: not a known error until the cause and workaround are written.
    let analyse = ProblemStepForm {
        owner_id: jo.id.to_string(),
        ..step("analyse")
    };
    problems::take_step(&db, &jo, &actor(&jo), id, 2, &analyse, now)
        .await
        .unwrap();
    let early = problems::take_step(&db, &jo, &actor(&jo), id, 3, &step("known_error"), now).await;
    assert!(matches!(early, Err(AppError::Refused(_))), "{early:?}");
    problems::save_analysis(
        &db,
        &jo,
        &actor(&jo),
        id,
        3,
        &analysis(
            "The relay's TLS certificate is renewed by hand and expires unnoticed.",
            "Renew the relay certificate with certbot and restart the relay; the queue drains in minutes.",
        ),
    )
    .await
    .unwrap();
    problems::take_step(&db, &jo, &actor(&jo), id, 4, &step("known_error"), now)
        .await
        .unwrap();
    let known = problems::detail(db.reader(), id).await.unwrap();
    assert_eq!(known.state, ProblemState::KnownError);
    assert_eq!(known.known_error_at, Some(now));

    // The next report's words find it; unrelated words do not.
    let offered = problems::known_errors(db.reader(), "Mail queue is stuck, relay certificate?")
        .await
        .unwrap();
    assert_eq!(offered.first().map(|m| m.id), Some(id));
    assert!(offered[0].workaround.contains("certbot"));
    assert!(
        problems::known_errors(db.reader(), "Printer on floor 3 jams")
            .await
            .unwrap()
            .is_empty()
    );
    // Case does not matter, on either database.
    assert_eq!(
        problems::known_errors(db.reader(), "RELAY CERTIFICATE")
            .await
            .unwrap()
            .len(),
        1
    );

    // Applying it while reporting links the new incident and puts the workaround on it.
    let next = IncidentForm {
        title: "Mail queue growing".into(),
        service_id: mail.to_string(),
        impact: "medium".into(),
        urgency: "high".into(),
        known_error: id.to_string(),
        ..Default::default()
    };
    let fourth = incidents::raise(&db, &robin, &actor(&robin), &next, now)
        .await
        .unwrap();
    let record = incidents::record(db.reader(), &robin, fourth, now)
        .await
        .unwrap();
    assert_eq!(
        record.problem.as_ref().map(|p| p.state),
        Some(ProblemState::KnownError)
    );
    assert!(record.incident.timeline.iter().any(|e| e
        .body
        .contains(&format!("Known error PRB-{id} applied"))
        && e.body.contains("certbot")));
    assert_eq!(
        problems::detail(db.reader(), id)
            .await
            .unwrap()
            .incidents
            .len(),
        4
    );

    // The change that removes the cause, raised and linked in one step.
    let change = problems::raise_change(&db, &sam, &actor(&sam), id, 6)
        .await
        .unwrap();
    let raised = changes::load(db.reader(), change).await.unwrap();
    assert!(raised
        .title
        .starts_with(&format!("Remove the cause of PRB-{id}")));
    assert!(raised.description.contains("renewed by hand"));
    let with_change = problems::detail(db.reader(), id).await.unwrap();
    assert_eq!(with_change.change.as_ref().map(|c| c.0), Some(change));
    let twice = problems::raise_change(&db, &sam, &actor(&sam), id, 7).await;
    assert!(matches!(twice, Err(AppError::Refused(_))), "{twice:?}");

    // Resolved: no longer offered.
    let resolve = ProblemStepForm {
        resolution: "Certificate renewal automated and monitored (the change above).".into(),
        ..step("resolve")
    };
    problems::take_step(&db, &jo, &actor(&jo), id, 7, &resolve, now)
        .await
        .unwrap();
    assert!(problems::known_errors(db.reader(), "relay certificate")
        .await
        .unwrap()
        .is_empty());
    // A form that still carries the old suggestion is told, and reports nothing.
    let stale = incidents::raise(&db, &robin, &actor(&robin), &next, now).await;
    match stale {
        Err(AppError::Validation(errors)) => assert!(errors.get("known_error").is_some()),
        other => panic!("expected a field error, got {other:?}"),
    }

    let trail = audit_trail::history(&db, "problem", &id.to_string())
        .await
        .unwrap();
    for action in [
        "problem_raised",
        "problem_linked",
        "problem_step",
        "problem_analysis",
        "problem_change",
    ] {
        assert!(trail.iter().any(|e| e.action == action), "{action} audited");
    }

    // The clause pages draw their live evidence from these records.
    let today = now.date_naive();
    let count = |evidence: &app::model::evidence::ClauseEvidence, label: &str| {
        evidence
            .sources
            .iter()
            .find(|s| s.label == label)
            .map(|s| s.count)
    };
    let problem_clause = clause_evidence::for_clause(&db, "8.6.3", today)
        .await
        .unwrap();
    assert_eq!(count(&problem_clause, "Problems recorded"), Some(1));
    assert_eq!(count(&problem_clause, "Problems resolved"), Some(1));
    assert!(problem_clause.thin.is_empty());
    let incident_clause = clause_evidence::for_clause(&db, "8.6.1", today)
        .await
        .unwrap();
    assert_eq!(count(&incident_clause, "Incidents recorded"), Some(4));
    let live = clause_evidence::clauses_with_live_records(&db)
        .await
        .unwrap();
    assert!(live.contains("8.6.1") && live.contains("8.6.3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn problem_rules_cannot_be_got_round() {
    let db = common::test_db().await;
    let jo = person(&db, "jo@example.org", Role::Resolver).await;
    let ash = person(&db, "ash@example.org", Role::Resolver).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let quinn = person(&db, "quinn@example.org", Role::QualityManager).await;
    let mail = service(&db, "Mail").await;
    let now = at("2027-03-01T09:00:00Z");
    let incident = mail_incident(&db, &robin, mail, "Mail queue stuck", now).await;
    let form = ProblemForm {
        title: "Mail queue backs up".into(),
        service_id: mail.to_string(),
        incidents: format!("INC-{incident}"),
        ..Default::default()
    };

    // Someone who does not work incidents raises no problem, even past the page.
    for outsider in [&robin, &quinn] {
        let refused = problems::create(&db, outsider, &actor(outsider), &form, now).await;
        assert!(matches!(refused, Err(AppError::Refused(_))), "{refused:?}");
    }
    // Unknown incidents and services are named.
    let unknown = ProblemForm {
        incidents: "INC-999".into(),
        service_id: "999".into(),
        ..form.clone()
    };
    match problems::create(&db, &jo, &actor(&jo), &unknown, now).await {
        Err(AppError::Validation(errors)) => {
            assert_eq!(errors.get("incidents"), Some("There is no INC-999."));
            assert!(errors.get("service_id").is_some());
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    let id = problems::create(&db, &jo, &actor(&jo), &form, now)
        .await
        .unwrap();
    // Raised, not yet analysed: the clause page lists it as thin evidence.
    let evidence = clause_evidence::for_clause(&db, "8.6.3", now.date_naive())
        .await
        .unwrap();
    assert_eq!(
        evidence
            .thin
            .iter()
            .map(|t| (t.rule.as_str(), t.total))
            .collect::<Vec<_>>(),
        vec![("Problems nobody is analysing yet", 1)]
    );
    // One problem per incident.
    match problems::create(&db, &ash, &actor(&ash), &form, now).await {
        Err(AppError::Validation(errors)) => assert!(errors
            .get("incidents")
            .is_some_and(|m| m.contains(&format!("already explained by PRB-{id}")))),
        other => panic!("expected a field error, got {other:?}"),
    }

    // The owner must work problems; a requester named as owner is refused.
    let bad_owner = ProblemStepForm {
        owner_id: robin.id.to_string(),
        ..step("analyse")
    };
    match problems::take_step(&db, &jo, &actor(&jo), id, 1, &bad_owner, now).await {
        Err(AppError::Validation(errors)) => assert!(errors.get("owner_id").is_some()),
        other => panic!("expected a field error, got {other:?}"),
    }
    let analyse = ProblemStepForm {
        owner_id: jo.id.to_string(),
        ..step("analyse")
    };
    problems::take_step(&db, &jo, &actor(&jo), id, 1, &analyse, now)
        .await
        .unwrap();

    // Another resolver does not take the problem over: not by naming themselves on "analyse",
    // and not by sending an owner with another step (only "analyse" names one).
    let take_over = ProblemStepForm {
        owner_id: ash.id.to_string(),
        ..step("analyse")
    };
    let taken = problems::take_step(&db, &ash, &actor(&ash), id, 2, &take_over, now).await;
    assert!(matches!(taken, Err(AppError::Refused(_))), "{taken:?}");
    let smuggled = ProblemStepForm {
        owner_id: ash.id.to_string(),
        resolution: "Closing it as mine to close.".into(),
        ..step("close")
    };
    let smuggled = problems::take_step(&db, &ash, &actor(&ash), id, 2, &smuggled, now).await;
    assert!(
        matches!(smuggled, Err(AppError::Refused(_))),
        "{smuggled:?}"
    );
    assert_eq!(
        problems::detail(db.reader(), id)
            .await
            .unwrap()
            .owner
            .map(|p| p.id),
        Some(jo.id)
    );

    // A stale analysis is refused and changes nothing.
    let full = analysis("Relay certificate expires.", "Restart the relay.");
    let stale = problems::save_analysis(&db, &jo, &actor(&jo), id, 1, &full).await;
    assert!(matches!(stale, Err(AppError::Conflict { .. })), "{stale:?}");
    assert_eq!(
        problems::detail(db.reader(), id).await.unwrap().root_cause,
        None
    );
    // Only those who work problems write the analysis.
    let outsider = problems::save_analysis(&db, &robin, &actor(&robin), id, 2, &full).await;
    assert!(
        matches!(outsider, Err(AppError::Refused(_))),
        "{outsider:?}"
    );
    problems::save_analysis(&db, &jo, &actor(&jo), id, 2, &full)
        .await
        .unwrap();

    // Someone else than the owner does not record the known error.
    let not_owner =
        problems::take_step(&db, &ash, &actor(&ash), id, 3, &step("known_error"), now).await;
    assert!(
        matches!(not_owner, Err(AppError::Refused(_))),
        "{not_owner:?}"
    );
    problems::take_step(&db, &jo, &actor(&jo), id, 3, &step("known_error"), now)
        .await
        .unwrap();
    // A known error keeps its workaround: emptying it is refused.
    let emptied = problems::save_analysis(
        &db,
        &jo,
        &actor(&jo),
        id,
        4,
        &analysis("Relay certificate expires.", ""),
    )
    .await;
    match emptied {
        Err(AppError::Validation(errors)) => assert!(errors.get("workaround").is_some()),
        other => panic!("expected a field error, got {other:?}"),
    }
    // A known error is resolved, not closed from under its incidents.
    let close = ProblemStepForm {
        resolution: "Not needed any more".into(),
        ..step("close")
    };
    let closed = problems::take_step(&db, &jo, &actor(&jo), id, 4, &close, now).await;
    assert!(matches!(closed, Err(AppError::Refused(_))), "{closed:?}");
    // Resolving needs the words of what removed the cause.
    match problems::take_step(&db, &jo, &actor(&jo), id, 4, &step("resolve"), now).await {
        Err(AppError::Validation(errors)) => assert!(errors.get("resolution").is_some()),
        other => panic!("expected a field error, got {other:?}"),
    }
    assert_eq!(
        problems::detail(db.reader(), id).await.unwrap().state,
        ProblemState::KnownError
    );
    // Closed problems take no more links.
    let resolve = ProblemStepForm {
        resolution: "Certificate renewal automated.".into(),
        ..step("resolve")
    };
    problems::take_step(&db, &jo, &actor(&jo), id, 4, &resolve, now)
        .await
        .unwrap();
    problems::take_step(&db, &jo, &actor(&jo), id, 5, &step("close"), now)
        .await
        .unwrap();
    let other = mail_incident(&db, &robin, mail, "Another queue", now).await;
    let late = problems::link_incidents(&db, &jo, &actor(&jo), id, &other.to_string(), now).await;
    assert!(matches!(late, Err(AppError::Refused(_))), "{late:?}");
    let unlinked = problems::unlink_incident(&db, &jo, &actor(&jo), id, incident, now).await;
    assert!(
        matches!(unlinked, Err(AppError::Refused(_))),
        "{unlinked:?}"
    );
    assert_eq!(
        incidents::record(db.reader(), &robin, incident, now)
            .await
            .unwrap()
            .incident
            .state,
        IncidentState::New
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_pages_filters_and_counts_in_the_database() {
    let db = common::test_db().await;
    let jo = person(&db, "jo@example.org", Role::Resolver).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let mail = service(&db, "Mail").await;
    let now = at("2027-03-01T09:00:00Z");
    let incident = mail_incident(&db, &robin, mail, "Mail queue stuck", now).await;
    let mut ids = Vec::new();
    for n in 0..30 {
        let form = ProblemForm {
            title: if n == 7 {
                "VPN drops every hour".into()
            } else {
                format!("Problem {n}")
            },
            service_id: mail.to_string(),
            incidents: if n == 0 {
                format!("INC-{incident}")
            } else {
                String::new()
            },
            ..Default::default()
        };
        ids.push(
            problems::create(&db, &jo, &actor(&jo), &form, now)
                .await
                .unwrap(),
        );
    }
    let first = problems::page(db.reader(), &ProblemListParams::default(), 25)
        .await
        .unwrap();
    assert_eq!((first.total, first.pages, first.rows.len()), (30, 2, 25));
    assert_eq!(first.rows[0].id, ids[29], "newest first");
    let second = problems::page(
        db.reader(),
        &ProblemListParams {
            page: "2".into(),
            after: first.rows[24].id.to_string(),
            ..Default::default()
        },
        25,
    )
    .await
    .unwrap();
    assert_eq!(second.rows.len(), 5);
    assert_eq!(
        second.rows.last().map(|r| (r.id, r.incidents)),
        Some((ids[0], 1))
    );
    let vpn = problems::page(
        db.reader(),
        &ProblemListParams {
            q: "vpn".into(),
            ..Default::default()
        },
        25,
    )
    .await
    .unwrap();
    assert_eq!(
        vpn.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ids[7]]
    );
    let by_reference = problems::page(
        db.reader(),
        &ProblemListParams {
            q: format!("prb-{}", ids[3]),
            ..Default::default()
        },
        25,
    )
    .await
    .unwrap();
    assert_eq!(by_reference.total, 1);
    let known = problems::page(
        db.reader(),
        &ProblemListParams {
            state: "known_error".into(),
            ..Default::default()
        },
        25,
    )
    .await
    .unwrap();
    assert_eq!(known.total, 0);
    // Odd query strings read as the defaults, never an error.
    let odd = problems::page(
        db.reader(),
        &ProblemListParams {
            state: "nonsense".into(),
            page: "-4".into(),
            after: "x".into(),
            ..Default::default()
        },
        25,
    )
    .await
    .unwrap();
    assert_eq!(odd.page, 1);
}
