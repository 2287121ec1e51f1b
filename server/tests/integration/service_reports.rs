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
        resolve_at(
            &db,
            &jo,
            id,
            ["2027-03-10T10:45:00Z", "2027-03-10T10:46:00Z", resolved],
        )
        .await;
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

/// Assigns, starts and resolves incident `id` as `jo` at the given instants.
async fn resolve_at(
    db: &app::server::db::Db,
    jo: &app::model::user::CurrentUser,
    id: i64,
    steps: [&str; 3],
) {
    for (action, when) in ["assign", "start", "resolve"].into_iter().zip(steps) {
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
                "Replaced the failed disk.".into()
            } else {
                String::new()
            },
            ..Default::default()
        };
        let version = incidents::record(db.reader(), jo, id, at(when))
            .await
            .unwrap()
            .incident
            .version;
        incidents::take_step(db, jo, &actor(jo), id, version, &step, at(when))
            .await
            .unwrap();
    }
}

/// Last month's reports reach the clause pages: 8.3.3 names the services no agreement covers
/// and agreements past review, 8.7.1 the services below their availability target, 9.4 the
/// services that missed resolution targets; the management review counts the same targets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn last_month_reaches_the_clause_pages_and_the_management_review() {
    use app::model::management_review::{Period, Ratio};
    use app::server::service::{clause_evidence, management_reviews};
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let lee = person(&db, "lee@example.org", Role::ServiceLevelManager).await;
    let jo = person(&db, "jo@example.org", Role::Resolver).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let mail = mail_under_agreement(&db, &sam, &lee).await;
    let payroll = service(&db, "Payroll").await;
    // Mail down from midnight to 17:00 on Friday 5 March 2027: 1,020 minutes of 44,640, and
    // nine office hours to resolve a P2 agreed in eight.
    let form = IncidentForm {
        title: "Mail store disk failed".into(),
        service_id: mail.to_string(),
        impact: "high".into(),
        urgency: "medium".into(),
        service_affecting: true,
        started_at: "2027-03-05T00:00".into(),
        ..Default::default()
    };
    let id = incidents::raise(
        &db,
        &robin,
        &actor(&robin),
        &form,
        at("2027-03-05T08:00:00Z"),
    )
    .await
    .unwrap();
    resolve_at(
        &db,
        &jo,
        id,
        [
            "2027-03-05T08:05:00Z",
            "2027-03-05T08:10:00Z",
            "2027-03-05T17:00:00Z",
        ],
    )
    .await;
    let april = chrono::NaiveDate::from_ymd_opt(2027, 4, 2).unwrap();
    let thin_records = |evidence: &app::model::evidence::ClauseEvidence, rule: &str| {
        evidence
            .thin
            .iter()
            .find(|t| t.rule == rule)
            .unwrap_or_else(|| panic!("no rule {rule:?} in {:?}", evidence.thin))
            .records
            .iter()
            .map(|r| (r.label.clone(), r.href.clone()))
            .collect::<Vec<_>>()
    };
    let report = format!("/service-levels/report?service={mail}&month=2027-03");

    let availability = clause_evidence::for_clause(&db, "8.7.1", april)
        .await
        .unwrap();
    assert_eq!(
        thin_records(
            &availability,
            "Availability below the agreed target in March 2027"
        ),
        vec![("Mail: 97.71 % against 99.50 %".to_string(), report.clone())]
    );
    assert!(availability.sources.iter().any(|s| s.label
        == "Services measured against an availability target for March 2027"
        && s.count == 1));

    let reporting = clause_evidence::for_clause(&db, "9.4", april)
        .await
        .unwrap();
    assert_eq!(
        thin_records(&reporting, "Resolution targets missed in March 2027"),
        vec![("Mail: 1 of 1 incidents resolved late".to_string(), report)]
    );

    let levels = clause_evidence::for_clause(&db, "8.3.3", april)
        .await
        .unwrap();
    let count = |label: &str| {
        levels
            .sources
            .iter()
            .find(|s| s.label == label)
            .unwrap_or_else(|| panic!("no {label:?} in {:?}", levels.sources))
            .count
    };
    assert_eq!(count("Agreements in force"), 1);
    assert_eq!(count("Services covered by an agreement in force"), 1);
    assert_eq!(
        thin_records(&levels, "Active services no agreement in force covers"),
        vec![("Payroll".to_string(), format!("/services/{payroll}"))]
    );
    assert!(levels
        .thin
        .iter()
        .all(|t| t.rule != "Agreements in force past their review date"));
    // In December the agreement's review (due 1 December) is late.
    let december = chrono::NaiveDate::from_ymd_opt(2027, 12, 5).unwrap();
    let later = clause_evidence::for_clause(&db, "8.3.3", december)
        .await
        .unwrap();
    let due = thin_records(&later, "Agreements in force past their review date");
    assert_eq!(due.len(), 1);
    assert!(due[0].0.contains("(review was due 2027-12-01)"), "{due:?}");

    // The management review of March counts the late resolution.
    let march = Period {
        start: chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
        end: chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap(),
    };
    let inputs = management_reviews::gather(db.reader(), None, april, march, april)
        .await
        .unwrap();
    assert_eq!(inputs.current.incidents_in_target, Ratio::new(0, 1));
    assert_eq!(inputs.current.major_incidents, 0);
    assert_eq!(inputs.previous.incidents_in_target, Ratio::new(0, 0));
}
