//! The monthly service report against a real database: a month of one service's incidents
//! (by priority, within target or late), its availability from the outages of
//! service-affecting incidents (overlaps counted once) against the agreement, requests
//! fulfilled in time, and twelve months of trend — reading that service's records only.

use crate::common::{self, actor, person};
use crate::incidents::{mail_under_agreement, service};

use app::model::access::Role;
use app::model::incident::{IncidentForm, StepForm};
use app::model::service_report::{csv_rows, ReportMonth};
use app::server::service::{incidents, service_reports};
use chrono::{DateTime, Utc};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_of_a_service_against_its_agreement() {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let lee = person(&db, "lee@example.org", Role::ServiceLevelManager).await;
    let jo = person(&db, "jo@example.org", Role::Resolver).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    // Mail: 99.5 % availability agreed from 2027.
    let mail = mail_under_agreement(&db, &sam, &lee).await;
    let other = service(&db, "Payroll").await;

    // Two reports of one outage on 10 March (10:00–11:00 and 10:30–11:30): 90 minutes down.
    for (started, resolved) in [
        ("2027-03-10T10:00", "2027-03-10T11:00:00Z"),
        ("2027-03-10T10:30", "2027-03-10T11:30:00Z"),
    ] {
        let form = IncidentForm {
            title: "Mail is down".into(),
            service_id: mail.to_string(),
            impact: "high".into(),
            urgency: "high".into(),
            service_affecting: true,
            started_at: started.into(),
            ..Default::default()
        };
        let id = incidents::raise(
            &db,
            &robin,
            &actor(&robin),
            &form,
            at("2027-03-10T10:40:00Z"),
        )
        .await
        .unwrap();
        for (action, when) in [
            ("assign", "2027-03-10T10:45:00Z"),
            ("start", "2027-03-10T10:46:00Z"),
            ("resolve", resolved),
        ] {
            let step = StepForm {
                action: action.into(),
                assignee_id: if action == "assign" {
                    jo.id.to_string()
                } else {
                    String::new()
                },
                resolution_code: if action == "resolve" {
                    "fixed".into()
                } else {
                    String::new()
                },
                resolution: if action == "resolve" {
                    "Restarted the relay.".into()
                } else {
                    String::new()
                },
                ..Default::default()
            };
            let version = incidents::record(db.reader(), &jo, id, at(when))
                .await
                .unwrap()
                .incident
                .version;
            incidents::take_step(&db, &jo, &actor(&jo), id, version, &step, at(when))
                .await
                .unwrap();
        }
    }
    // Another service's incident is not Mail's.
    let payroll = IncidentForm {
        title: "Payslips late".into(),
        service_id: other.to_string(),
        impact: "low".into(),
        urgency: "low".into(),
        service_affecting: true,
        ..Default::default()
    };
    incidents::raise(
        &db,
        &robin,
        &actor(&robin),
        &payroll,
        at("2027-03-11T09:00:00Z"),
    )
    .await
    .unwrap();

    let march = ReportMonth::parse("2027-03").unwrap();
    let report = service_reports::report(db.reader(), mail, march, at("2027-04-02T00:00:00Z"))
        .await
        .unwrap();
    assert_eq!(report.trend.len(), 12);
    assert_eq!(report.trend[0].month.code(), "2026-04");
    let figures = report.figures().unwrap();
    assert_eq!(figures.incidents(), 2);
    assert_eq!(
        figures.by_priority[0].1 + figures.by_priority[1].1,
        2,
        "high × high is P1 or P2"
    );
    assert_eq!(
        figures.outage_minutes, 90,
        "overlapping reports of one outage count once"
    );
    // 44,640 minutes in March, 90 down: 99.79 % against 99.50 % agreed.
    assert_eq!(figures.availability, 9979);
    assert_eq!(figures.availability_target, Some(9950));
    assert_eq!(figures.availability_met(), Some(true));
    assert!(report
        .agreement
        .as_deref()
        .is_some_and(|a| a.starts_with("SLA-")));
    // Before the agreement began, no target applies.
    assert_eq!(report.trend[0].availability_target, None);
    assert_eq!(report.trend[0].availability, 10_000);

    let rows = csv_rows(&report);
    assert_eq!(rows.len(), 12);
    assert_eq!(rows[11][1], "2027-03");
    assert_eq!(rows[11][11], "99.79");
}
