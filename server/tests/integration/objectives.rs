//! Service management objectives against a real database: who sets and measures them, the
//! verdict on the latest value, the "never measured", "measurement overdue" and "not met"
//! flags, version checks and the audit trail.

use crate::common;

use app::error::AppError;
use app::model::access::Role;
use app::model::improvement::TargetVerdict;
use app::model::objective::{MeasurementForm, ObjectiveFlag, ObjectiveForm};
use app::server::service::objectives;
use chrono::NaiveDate;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn form(owner_id: i64) -> ObjectiveForm {
    ObjectiveForm {
        title: "Changes succeed first time".into(),
        description: "Failed changes hurt customers.".into(),
        owner_id,
        service_id: None,
        kpi_name: "Change success rate".into(),
        unit: "%".into(),
        baseline: "88".into(),
        target: "95".into(),
        direction: "higher".into(),
        frequency: "monthly".into(),
    }
}

fn measurement(on: &str, value: &str) -> MeasurementForm {
    MeasurementForm {
        measured_on: on.into(),
        value: value.into(),
        note: String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objectives_are_flagged_until_measured_and_judged_on_the_latest_value() {
    let db = common::test_db().await;
    let quinn = common::person(&db, "quinn@example.org", Role::QualityManager).await;
    let chris = common::person(&db, "chris@example.org", Role::ChangeManager).await;
    let kim = common::person(&db, "kim@example.org", Role::CabMember).await;
    let today = day("2026-11-28");

    let id = objectives::create(&db, &common::actor(&quinn), form(chris.id))
        .await
        .unwrap();
    let fresh = objectives::summaries(&db, today).await.unwrap();
    assert_eq!(fresh.len(), 1);
    assert_eq!(fresh[0].flags, vec![ObjectiveFlag::NeverMeasured]);
    assert_eq!(fresh[0].verdict, TargetVerdict::NotMeasured);
    assert!(fresh[0].needs_measurement());

    // The owner measures; someone else (not a quality manager) may not.
    objectives::record_measurement(
        &db,
        &chris,
        &common::actor(&chris),
        id,
        measurement("2026-09-30", "96"),
        today,
    )
    .await
    .unwrap();
    let refused = objectives::record_measurement(
        &db,
        &kim,
        &common::actor(&kim),
        id,
        measurement("2026-10-31", "97"),
        today,
    )
    .await;
    assert!(matches!(refused, Err(AppError::Refused(_))));
    // A future date or a word is refused.
    let bad = objectives::record_measurement(
        &db,
        &chris,
        &common::actor(&chris),
        id,
        measurement("2026-12-31", "lots"),
        today,
    )
    .await;
    let Err(AppError::Validation(errors)) = bad else {
        panic!("{bad:?}")
    };
    assert!(errors.get("measured_on").is_some() && errors.get("value").is_some());

    // Met, but the monthly figure for October is overdue.
    let s = &objectives::summaries(&db, today).await.unwrap()[0];
    assert_eq!(s.verdict, TargetVerdict::Met);
    assert_eq!(
        s.flags,
        vec![ObjectiveFlag::MeasurementOverdue {
            due: day("2026-11-09")
        }]
    );

    // The quality manager records a later figure below the target.
    objectives::record_measurement(
        &db,
        &quinn,
        &common::actor(&quinn),
        id,
        measurement("2026-11-27", "91,5"),
        today,
    )
    .await
    .unwrap();
    let detail = objectives::detail(&db, id, today).await.unwrap();
    assert_eq!(detail.measurements.len(), 2);
    assert_eq!(detail.summary.latest.unwrap().value, 91.5);
    assert_eq!(detail.summary.verdict, TargetVerdict::NotMet);
    assert_eq!(detail.summary.flags, vec![ObjectiveFlag::NotMet]);
    assert_eq!(detail.measurements[1].recorded_by.id, quinn.id);

    let trail = app::server::service::audit_trail::list(
        &db,
        &app::model::audit::AuditQueryParams::default().to_query(),
    )
    .await
    .unwrap();
    let events = trail
        .items
        .iter()
        .filter(|e| e.record_type == "objective")
        .count();
    assert_eq!(events, 3, "on {}", common::backend_name());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_objective_is_edited_against_its_version_and_validated() {
    let db = common::test_db().await;
    let quinn = common::person(&db, "quinn@example.org", Role::QualityManager).await;
    let today = day("2026-11-28");
    let id = objectives::create(&db, &common::actor(&quinn), form(quinn.id))
        .await
        .unwrap();
    let lower = ObjectiveForm {
        title: "Fewer emergency changes".into(),
        kpi_name: "Emergency change ratio".into(),
        baseline: "18".into(),
        target: "10".into(),
        direction: "lower".into(),
        frequency: "quarterly".into(),
        ..form(quinn.id)
    };
    objectives::update(&db, &common::actor(&quinn), id, 1, lower.clone())
        .await
        .unwrap();
    let stale = objectives::update(&db, &common::actor(&quinn), id, 1, form(quinn.id)).await;
    assert!(matches!(stale, Err(AppError::Conflict { .. })));
    let now = objectives::detail(&db, id, today).await.unwrap().summary;
    assert_eq!(now.title, "Fewer emergency changes");
    assert_eq!(now.kpi.target, 10.0);

    // A target that is no improvement, an unknown owner.
    let bad = objectives::update(
        &db,
        &common::actor(&quinn),
        id,
        now.version,
        ObjectiveForm {
            target: "20".into(),
            owner_id: 9_999,
            ..lower
        },
    )
    .await;
    let Err(AppError::Validation(errors)) = bad else {
        panic!("{bad:?}")
    };
    assert!(errors.get("target").is_some());
    let bad_owner = objectives::create(&db, &common::actor(&quinn), form(9_999)).await;
    let Err(AppError::Validation(errors)) = bad_owner else {
        panic!("{bad_owner:?}")
    };
    assert!(errors.get("owner_id").is_some());
}

/// The register reads one latest measurement per objective; what it shows equals the
/// summary worked out from every measurement (dates out of order, two on one day).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_judges_each_objective_on_its_latest_measurement_alone() {
    let db = common::test_db().await;
    let quinn = common::person(&db, "quinn@example.org", Role::QualityManager).await;
    let today = day("2026-11-28");
    let mut ids = Vec::new();
    for n in 0..4 {
        let title = format!("Objective {n} of the register");
        let id = objectives::create(
            &db,
            &common::actor(&quinn),
            ObjectiveForm {
                title,
                ..form(quinn.id)
            },
        )
        .await
        .unwrap();
        ids.push(id);
    }
    // Objective 0 is never measured; the others get readings in scrambled date order, and
    // objective 2 two readings on its latest day (the later one recorded counts).
    let readings: [(usize, &str, &str); 8] = [
        (1, "2026-10-31", "97"),
        (1, "2026-08-31", "90"),
        (1, "2026-09-30", "80"),
        (2, "2026-11-27", "99"),
        (2, "2026-11-27", "85"),
        (2, "2026-07-31", "96"),
        (3, "2026-05-31", "70"),
        (3, "2026-06-30", "96"),
    ];
    for (objective, on, value) in readings {
        objectives::record_measurement(
            &db,
            &quinn,
            &common::actor(&quinn),
            ids[objective],
            measurement(on, value),
            today,
        )
        .await
        .unwrap();
    }
    let register = objectives::summaries(&db, today).await.unwrap();
    assert_eq!(register.len(), 4);
    for id in &ids {
        let shown = register.iter().find(|s| s.id == *id).unwrap();
        let from_all = objectives::detail(&db, *id, today).await.unwrap().summary;
        assert_eq!(*shown, from_all);
    }
    let latest = |n: usize| {
        register
            .iter()
            .find(|s| s.id == ids[n])
            .unwrap()
            .latest
            .map(|m| m.value)
    };
    assert_eq!(
        (latest(0), latest(1), latest(2), latest(3)),
        (None, Some(97.0), Some(85.0), Some(96.0))
    );
}
