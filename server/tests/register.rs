//! The improvement register against a real database: an entry from identified to closed
//! with the right people, KPIs and measured values, version checks and the audit trail.

mod common;

use app::error::AppError;
use app::model::access::Role;
use app::model::improvement::{ClosureCode, ImprovementAction, ImprovementState, TargetVerdict};
use app::model::register::{ImprovementForm, KpiForm, MeasurementForm};
use app::model::user::{CurrentUser, NewUser};
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::register::{self, MoveInput};
use app::server::service::{audit_trail, users};
use chrono::NaiveDate;

async fn person(db: &Db, email: &str, role: Role) -> CurrentUser {
    let user = users::create(
        db,
        &Actor::system("test"),
        NewUser {
            email: email.into(),
            name: format!("Person {email}"),
            roles: vec![role],
            password: "long enough password".into(),
        },
    )
    .await
    .unwrap();
    CurrentUser {
        id: user.id,
        email: user.email,
        name: user.name,
        roles: user.roles,
        time_zone: "UTC".into(),
    }
}

fn actor(user: &CurrentUser) -> Actor {
    Actor::user(user.id, user.name.clone(), None)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_improvement_goes_from_identified_to_closed_with_a_measured_outcome() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    let approver = person(&db, "approver@example.org", Role::ChangeManager).await;
    let form = ImprovementForm {
        title: "Cut repeat incidents on the portal".into(),
        source: "incident_trend".into(),
        clauses: "8.6.1, 10.2".into(),
        benefit_score: "4".into(),
        effort: "M".into(),
        owner_id: owner.id.to_string(),
        approver_id: approver.id.to_string(),
        target_date: "2027-03-31".into(),
        ..Default::default()
    };
    let entry = register::create(&db, &actor(&owner), form.validate().unwrap())
        .await
        .unwrap();
    assert_eq!(entry.state, ImprovementState::Identified);
    assert_eq!(entry.reference(), format!("IMP-{:05}", entry.id));

    let step = |who: &CurrentUser, action, version, input: MoveInput| {
        let who = who.clone();
        let db = db.db.clone();
        async move {
            register::transition(&db, &who, &actor(&who), entry.id, version, action, input).await
        }
    };
    let e = step(&owner, ImprovementAction::Evaluate, 1, MoveInput::default())
        .await
        .unwrap();
    // The owner cannot approve; the named approver can.
    let refused = step(
        &owner,
        ImprovementAction::Approve,
        e.version,
        MoveInput::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, AppError::BadRequest(_)), "{refused:?}");
    let e = step(
        &approver,
        ImprovementAction::Approve,
        e.version,
        MoveInput::default(),
    )
    .await
    .unwrap();
    let e = step(
        &owner,
        ImprovementAction::Start,
        e.version,
        MoveInput::default(),
    )
    .await
    .unwrap();
    let e = step(
        &owner,
        ImprovementAction::Implement,
        e.version,
        MoveInput::default(),
    )
    .await
    .unwrap();

    // Without a measured outcome nobody verifies it.
    let unmeasured = step(
        &quality,
        ImprovementAction::Verify,
        e.version,
        MoveInput::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        unmeasured,
        AppError::BadRequest("Record the measured outcome before verifying it.".into())
    );
    let kpi = KpiForm {
        name: "Repeat incidents".into(),
        unit: "per month".into(),
        baseline: "40".into(),
        target: "25".into(),
        direction: "lower".into(),
    };
    let e = register::add_kpi(
        &db,
        &actor(&owner),
        entry.id,
        e.version,
        kpi.validate().unwrap(),
    )
    .await
    .unwrap();
    let kpi_id = e.kpis[0].id;
    assert_eq!(e.kpis[0].verdict(), TargetVerdict::NotMeasured);
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let value = |on: &str, value: &str| {
        MeasurementForm {
            on: on.into(),
            value: value.into(),
        }
        .validate(today)
        .unwrap()
    };
    let e = register::add_measurement(
        &db,
        &owner,
        &actor(&owner),
        entry.id,
        e.version,
        kpi_id,
        value("2026-10-31", "33"),
    )
    .await
    .unwrap();
    assert_eq!(e.kpis[0].verdict(), TargetVerdict::NotMet);
    // A stale screen adds nothing.
    let stale = register::add_measurement(
        &db,
        &owner,
        &actor(&owner),
        entry.id,
        e.version - 1,
        kpi_id,
        value("2026-11-20", "22"),
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }));
    let e = register::add_measurement(
        &db,
        &owner,
        &actor(&owner),
        entry.id,
        e.version,
        kpi_id,
        value("2026-11-20", "22"),
    )
    .await
    .unwrap();
    assert_eq!(e.kpis[0].verdict(), TargetVerdict::Met);
    assert_eq!(e.kpis[0].measurements.len(), 2);

    let owner_verifies = step(
        &owner,
        ImprovementAction::Verify,
        e.version,
        MoveInput::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(owner_verifies, AppError::BadRequest(ref m) if m.contains("other than the owner"))
    );
    let e = step(
        &quality,
        ImprovementAction::Verify,
        e.version,
        MoveInput {
            outcome: "Repeat incidents down from 40 to 22 a month.".into(),
            closure_code: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(e.verifier.as_ref().map(|v| v.id), Some(quality.id));
    let no_code = step(
        &quality,
        ImprovementAction::Close,
        e.version,
        MoveInput::default(),
    )
    .await
    .unwrap_err();
    assert!(no_code
        .field_errors()
        .and_then(|f| f.get("closure_code"))
        .is_some());
    let e = step(
        &quality,
        ImprovementAction::Close,
        e.version,
        MoveInput {
            outcome: String::new(),
            closure_code: Some(ClosureCode::Achieved),
        },
    )
    .await
    .unwrap();
    assert_eq!(e.state, ImprovementState::Closed);
    assert_eq!(e.closure_code, Some(ClosureCode::Achieved));
    assert_eq!(e.outcome, "Repeat incidents down from 40 to 22 a month.");

    // A closed entry is kept as it was.
    let edit = register::update(
        &db,
        &actor(&owner),
        entry.id,
        e.version,
        form.validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(edit, AppError::BadRequest(_)));
    let history = audit_trail::history(&db, "improvement", &entry.id.to_string())
        .await
        .unwrap();
    assert_eq!(
        history.len(),
        10,
        "{:#?}",
        history.iter().map(|h| &h.summary).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_filters_and_sorts_and_refuses_unknown_people() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    for (title, score, effort, source) in [
        ("Automate the patch report", "5", "S", "staff_suggestion"),
        ("Shorten the CAB agenda", "2", "XL", "change_review"),
        (
            "Exercise the payroll failover",
            "4",
            "L",
            "continuity_exercise",
        ),
    ] {
        let form = ImprovementForm {
            title: title.into(),
            source: source.into(),
            benefit_score: score.into(),
            effort: effort.into(),
            owner_id: owner.id.to_string(),
            target_date: "2026-01-31".into(),
            ..Default::default()
        };
        register::create(&db, &actor(&owner), form.validate().unwrap())
            .await
            .unwrap();
    }
    let all = register::all(&db).await.unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let by_priority = app::model::register::RegisterParams {
        sort: "priority".into(),
        dir: "desc".into(),
        ..Default::default()
    }
    .apply(&all, today);
    assert_eq!(by_priority[0].title, "Automate the patch report");
    assert_eq!(by_priority[2].title, "Shorten the CAB agenda");
    let exercises = app::model::register::RegisterParams {
        source: "continuity_exercise".into(),
        ..Default::default()
    }
    .apply(&all, today);
    assert_eq!(exercises.len(), 1);
    assert_eq!(register::overdue(&all, today).len(), 3);

    let unknown = ImprovementForm {
        title: "Nobody owns this".into(),
        source: "staff_suggestion".into(),
        owner_id: "424242".into(),
        ..Default::default()
    };
    let refused = register::create(&db, &actor(&owner), unknown.validate().unwrap())
        .await
        .unwrap_err();
    assert!(refused
        .field_errors()
        .and_then(|f| f.get("owner_id"))
        .is_some());
}
