//! Importing incidents from another tool: history arrives in its state, measured against the
//! agreement in force when each incident was opened, and counts in that month's service
//! report; open work arrives with its clock running; the same file imported again creates
//! nothing; a file with any bad row writes nothing and says what is wrong with each.

use crate::common::{self, actor, person};
use crate::incidents::{mail_under_agreement, service};

use app::error::AppError;
use app::model::access::Role;
use app::model::csv_import::RowFate;
use app::model::incident::{IncidentState, ResolutionCode};
use app::model::service_report::ReportMonth;
use app::model::target_clock::ClockStatus;
use app::server::entity::audit_log;
use app::server::service::{incident_import, incidents, service_reports};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// ServiceNow's column names; times in the importer's zone (UTC here, as London in March).
const HISTORY: &str = "\u{feff}Number,Short description,Business service,Impact,Urgency,Caller,Assigned to,State,Opened,Responded,Resolved,Close code,Close notes,Priority\n\
INC0010001,Mail stuck in the outbound queue,Mail,1 - High,2 - Medium,robin@example.org,jo@example.org,Closed,2027-03-01 09:00,2027-03-01 09:10,2027-03-01 12:00,Solved (Permanently),Restarted the relay and flushed the queue.,2\n\
INC0010002,Calendar invitations arrive late,Mail,High,Medium,robin@example.org,jo@example.org,Resolved,2027-03-02 09:00,,2027-03-03 17:00,Workaround applied,Invitations resent by hand until the fix.,2\n\
INC0010003,Shared mailbox cannot be opened,mail,High,Medium,Person robin@example.org,jo@example.org,Work in progress,2027-03-04 10:00,,,,,2\n\
INC0009001,Webmail slow,Mail,Low,Low,robin@example.org,,New,2026-12-20 08:00,,,,,4\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_from_another_tool_is_measured_and_reported_as_it_happened() {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let lee = person(&db, "lee@example.org", Role::ServiceLevelManager).await;
    person(&db, "jo@example.org", Role::Resolver).await;
    person(&db, "robin@example.org", Role::Requester).await;
    // Mail: an agreement from 2027 on London office hours (P2: respond in 30 min, resolve in 8 h).
    let mail = mail_under_agreement(&db, &sam, &lee).await;
    let now = at("2027-03-05T12:00:00Z");

    let plan = incident_import::plan(db.reader(), &sam, HISTORY, now)
        .await
        .unwrap();
    assert_eq!(plan.preview.file_errors, Vec::<String>::new());
    assert_eq!(plan.preview.ignored_columns, vec!["Priority".to_string()]);
    assert_eq!(
        plan.preview.shown,
        ["Reference", "Title", "Service", "Status", "Opened"]
    );
    assert!(
        plan.preview.rows.iter().all(|r| r.fate == RowFate::Create),
        "{:?}",
        plan.preview.rows
    );
    assert_eq!(plan.preview.rows[0].line, 2);
    assert_eq!(plan.preview.rows[0].cells[0], "INC0010001");

    let ids = incident_import::import(&db, &sam, &actor(&sam), HISTORY, now)
        .await
        .unwrap();
    assert_eq!(ids.len(), 4);

    // Closed within target: 3 of the 8 hours used, answered in 10 minutes.
    let closed = incidents::detail(db.reader(), ids[0], now).await.unwrap();
    assert_eq!(closed.state, IncidentState::Closed);
    assert_eq!(closed.imported_ref.as_deref(), Some("INC0010001"));
    assert_eq!(closed.created_at, at("2027-03-01T09:00:00Z"));
    assert_eq!(closed.resolved_at, Some(at("2027-03-01T12:00:00Z")));
    assert_eq!(closed.resolution_code, Some(ResolutionCode::Fixed));
    assert!(closed.agreement.is_some());
    let resolution = closed.resolution_clock.clone().unwrap();
    assert_eq!(resolution.used_seconds, 3 * 3600);
    assert_eq!(resolution.status, ClockStatus::OnTrack);
    assert_eq!(closed.response_clock.clone().unwrap().used_seconds, 600);
    assert_eq!(
        closed.assignee.as_ref().map(|a| a.name.as_str()),
        Some("Person jo@example.org")
    );
    assert!(closed.timeline[0].body.contains("where it was INC0010001"));
    assert!(closed
        .timeline
        .iter()
        .any(|e| e.body.starts_with("Resolved in the other tool (Fixed)")));

    // Resolved late on service hours: Tuesday 09:00–18:00 and Wednesday 08:00–17:00 are 18 h.
    // Without a response time the response clock ran to the resolution.
    let late = incidents::detail(db.reader(), ids[1], now).await.unwrap();
    let resolution = late.resolution_clock.clone().unwrap();
    assert_eq!(resolution.used_seconds, 18 * 3600);
    assert_eq!(resolution.status, ClockStatus::Breached);
    assert_eq!(
        late.response_clock.clone().unwrap().status,
        ClockStatus::Breached
    );
    assert!(late.timeline[0].body.contains("no response time"));

    // Open work: its clock runs from Thursday 10:00, read at Friday 12:00 (8 + 4 hours).
    let open = incidents::detail(db.reader(), ids[2], now).await.unwrap();
    assert_eq!(open.state, IncidentState::InProgress);
    let running = open.resolution_clock.clone().unwrap();
    assert_eq!(running.used_seconds, 12 * 3600);
    assert_eq!(running.status, ClockStatus::Breached);

    // Opened before the agreement began: no targets.
    let before = incidents::detail(db.reader(), ids[3], now).await.unwrap();
    assert_eq!(before.state, IncidentState::New);
    assert_eq!(before.agreement, None);
    assert_eq!(before.resolution_clock, None);

    // March's report counts the imported incidents in March, one resolved in time, one late.
    let march = ReportMonth::parse("2027-03").unwrap();
    let report = service_reports::report(db.reader(), mail, march, at("2027-04-02T00:00:00Z"))
        .await
        .unwrap();
    let figures = report.figures().unwrap();
    assert_eq!(figures.incidents(), 3);
    assert_eq!((figures.resolved_in_time, figures.resolved_late), (1, 1));

    // One audit entry per incident, in the transaction that wrote it.
    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("incident_imported"))
        .count(db.reader())
        .await
        .unwrap();
    assert_eq!(audited, 4);

    // The same file again: every row is already here, and importing it is refused.
    let again = incident_import::plan(db.reader(), &sam, HISTORY, now)
        .await
        .unwrap();
    assert_eq!(again.preview.to_create(), 0);
    assert_eq!(
        again.preview.rows[0].fate,
        RowFate::Present(app::model::incident::reference(ids[0]))
    );
    let refused = incident_import::import(&db, &sam, &actor(&sam), HISTORY, now)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, AppError::BadRequest(m) if m.contains("4 already in Conform")),
        "{refused:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_with_any_bad_row_writes_nothing_and_names_every_problem() {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    person(&db, "robin@example.org", Role::Requester).await;
    service(&db, "Mail").await;
    let now = at("2027-03-05T12:00:00Z");
    let csv = "Reference,Title,Service,Impact,Urgency,Reporter,Status,Opened,Resolved,Resolution code,Resolution\n\
        A-1,Mail is slow for everyone,Mail,High,High,robin@example.org,,2027-03-01 09:00,,,\n\
        A-2,Payroll is down,Payroll,Severe,High,nobody@example.org,,2027-03-01 09:00,,,\n\
        A-3,Mail bounces,Mail,Low,Low,robin@example.org,On hold,2027-03-01 09:00,,,\n\
        A-4,Mail lost,Mail,Low,Low,robin@example.org,Resolved,2027-03-02 09:00,2027-03-01 09:00,Fixed,Restored from the backup.\n\
        A-1,Mail is slow again,Mail,Low,Low,robin@example.org,,2027-03-01 10:00,,,\n\
        A-6,Mail from the future,Mail,Low,Low,robin@example.org,,2027-04-01 09:00,,,\n";
    let plan = incident_import::plan(db.reader(), &sam, csv, now)
        .await
        .unwrap();
    let fates: Vec<&RowFate> = plan.preview.rows.iter().map(|r| &r.fate).collect();
    assert_eq!(fates[0], &RowFate::Create);
    let problems = |i: usize| match fates[i] {
        RowFate::Invalid(problems) => problems.join(" | "),
        other => panic!("row {i}: {other:?}"),
    };
    assert!(
        problems(1).contains("Service: “Payroll” is not in the service catalogue."),
        "{}",
        problems(1)
    );
    assert!(problems(1).contains("Reporter: nobody active in Conform has the e-mail address or name “nobody@example.org”."), "{}", problems(1));
    assert!(
        problems(1).contains("Impact: write High, Medium or Low, not “Severe”."),
        "{}",
        problems(1)
    );
    assert!(
        problems(2).contains("Pending is not imported"),
        "{}",
        problems(2)
    );
    assert!(
        problems(3).contains("Resolved: the resolution is before the incident was opened."),
        "{}",
        problems(3)
    );
    assert_eq!(problems(4), "Reference: A-1 is on line 2 already.");
    assert!(problems(5).contains("is in the future"), "{}", problems(5));
    assert!(plan.preview.summary().contains("5 with errors"));

    let refused = incident_import::import(&db, &sam, &actor(&sam), csv, now)
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::BadRequest(_)), "{refused:?}");
    let stored = app::server::entity::incident::Entity::find()
        .count(db.reader())
        .await
        .unwrap();
    assert_eq!(stored, 0, "all or nothing");

    // A file without the columns every row needs is refused as a whole.
    let plan = incident_import::plan(db.reader(), &sam, "Title,Service\nMail down,Mail\n", now)
        .await
        .unwrap();
    assert!(plan
        .preview
        .file_errors
        .contains(&"The file has no “Reference” column, which every row needs.".to_string()));
    assert!(plan.preview.rows.is_empty());
}
