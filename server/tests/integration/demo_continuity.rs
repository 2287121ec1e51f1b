//! The demo's service continuity: impact analyses with a late dependency, three plans at
//! different points of their lifecycle, two exercises — all loaded through the services.

use crate::common;

use app::model::continuity_plan::{ExerciseKind, ExerciseResult, PlanState, Section};
use app::model::plan_overview::{PlanSummary, ReviewStatus};
use app::model::service::Criticality;
use app::server::service::{audit_trail, bia, catalogue, continuity_exercises, plan_overview};

fn plan<'a>(plans: &'a [PlanSummary], title: &str) -> &'a PlanSummary {
    plans
        .iter()
        .find(|p| p.title == title)
        .unwrap_or_else(|| panic!("no plan “{title}”"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_continuity_plans_sit_at_different_points() {
    let db = common::demo_db().await;
    let today = chrono::Utc::now().date_naive();
    let plans = plan_overview::summaries(db.reader(), today).await.unwrap();
    assert_eq!(plans.len(), 3);

    // Payroll: version 2 approved by someone other than its author; version 1 superseded.
    let payroll = plan(&plans, "Payroll continuity plan");
    let detail = plan_overview::detail(db.reader(), payroll.id, today)
        .await
        .unwrap();
    let states: Vec<(i32, PlanState)> = detail
        .versions
        .iter()
        .map(|v| (v.number, v.state))
        .collect();
    assert_eq!(
        states,
        vec![(2, PlanState::Approved), (1, PlanState::Superseded)]
    );
    for version in &detail.versions {
        let approver = version.approved_by.as_ref().expect("approved");
        assert_ne!(approver.id, version.author.id, "version {}", version.number);
    }
    let diff = app::server::service::continuity_plans::compare_versions(
        db.reader(),
        detail.versions[1].id,
        detail.versions[0].id,
    )
    .await
    .unwrap();
    let changed: Vec<Section> = diff
        .iter()
        .filter(|d| d.changed())
        .map(|d| d.section)
        .collect();
    assert_eq!(changed, vec![Section::CallTree, Section::Steps]);
    assert!(matches!(payroll.review, ReviewStatus::Current { .. }));
    assert!(payroll.warnings.is_empty(), "{:?}", payroll.warnings);

    // Customer portal: in review, two reviewers on two sections.
    let portal = plan(&plans, "Customer portal continuity plan");
    assert_eq!(portal.latest.state, PlanState::InReview);
    let detail = plan_overview::detail(db.reader(), portal.id, today)
        .await
        .unwrap();
    assert_eq!(detail.comments.len(), 2);
    assert_ne!(detail.comments[0].author.id, detail.comments[1].author.id);
    assert_ne!(detail.comments[0].section, detail.comments[1].section);

    // ERP finance: its yearly review has lapsed and its recovery misses ERP's RTO.
    let erp = plan(&plans, "ERP finance continuity plan");
    assert!(matches!(erp.review, ReviewStatus::Overdue { .. }));
    assert!(
        erp.warnings
            .iter()
            .any(|w| w.contains("ERP finance must be back within 8 h")),
        "{:?}",
        erp.warnings
    );
    assert_eq!(
        plans
            .iter()
            .filter(|p| matches!(p.review, ReviewStatus::Overdue { .. }))
            .count(),
        1
    );
    // Every step has an owner: the only warnings are about time.
    assert!(plans
        .iter()
        .flat_map(|p| &p.warnings)
        .all(|w| !w.contains("has no owner")));

    // Two exercises: a tabletop within the RTO, a simulation partly passed with findings.
    let mut exercises = Vec::new();
    for p in &plans {
        exercises.extend(continuity_exercises::list(db.reader(), p.id).await.unwrap());
    }
    assert_eq!(exercises.len(), 2);
    let tabletop = exercises
        .iter()
        .find(|e| e.kind == ExerciseKind::Tabletop)
        .unwrap();
    assert_eq!(tabletop.result, Some(ExerciseResult::Passed));
    assert_eq!(tabletop.met_rto(), Some(true));
    let simulation = exercises
        .iter()
        .find(|e| e.kind == ExerciseKind::Simulation)
        .unwrap();
    assert_eq!(simulation.result, Some(ExerciseResult::Partly));
    assert_eq!(simulation.findings.len(), 2);
    assert_eq!(
        simulation
            .findings
            .iter()
            .filter(|f| f.improvement_id.is_some())
            .count(),
        1
    );

    // Seeding again adds nothing.
    assert_eq!(conform::demo::continuity::seed(&db).await.unwrap(), 0);
    assert_eq!(
        plan_overview::summaries(db.reader(), today)
            .await
            .unwrap()
            .len(),
        3
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_impact_analyses_flag_a_late_dependency_and_raise_a_service() {
    let db = common::demo_db().await;
    let names = catalogue::names(db.reader()).await.unwrap();
    let id = |wanted: &str| {
        *names
            .iter()
            .find(|(_, name)| name.as_str() == wanted)
            .unwrap()
            .0
    };

    let portal = bia::get(db.reader(), id("Customer portal")).await.unwrap();
    let objectives = portal.objectives.unwrap();
    assert!(objectives.rto <= objectives.mtpd);
    assert_eq!(portal.late_dependencies(), vec!["ERP finance".to_string()]);

    // The data warehouse's analysis implies more than the catalogue's Medium.
    let warehouse = catalogue::get(&db, id("Data warehouse")).await.unwrap();
    assert_eq!(warehouse.criticality, Criticality::High);
    let history = audit_trail::history(&db, "service", &warehouse.id.to_string())
        .await
        .unwrap();
    assert!(history
        .iter()
        .any(|e| e.action == "service_criticality_raised"));
    // A less critical analysis leaves the catalogue's Critical alone.
    let payroll = catalogue::get(&db, id("Payroll")).await.unwrap();
    assert_eq!(payroll.criticality, Criticality::Critical);
    // The list's first service keeps an empty analysis for the browser test to fill in.
    assert_eq!(bia::get(db.reader(), id("CRM")).await.unwrap().version, 0);
}
