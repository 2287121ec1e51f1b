//! The demo gap assessments: a closed baseline near 45% and the open pre-certification check
//! near 60%, compared (improved and regressed sub-clauses), with blockers that match the rest of
//! the demo data and two gaps already in the improvement register, linked both ways.

use crate::common;

use app::model::gap::{AssessmentState, BlockerKind, Maturity};
use app::model::improvement::Source;
use app::server::service::{gap_assessments, register};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_shows_progress_from_a_baseline_to_sixty_percent() {
    let db = common::demo_db().await;

    let all = gap_assessments::list(db.reader()).await.unwrap();
    assert_eq!(all.len(), 2);
    let (current, baseline) = (&all[0], &all[1]);
    assert_eq!(current.state, AssessmentState::Open);
    assert_eq!(baseline.state, AssessmentState::Closed);
    assert!(baseline.opened_at < current.opened_at);
    assert_eq!(baseline.overall.percent(), Some(45));
    assert_eq!(current.overall.percent(), Some(60));
    assert_eq!(baseline.rated, 45);
    // 9.4 is still to be rated.
    assert_eq!(current.rated, 44);

    let results = gap_assessments::results(&db, current.id).await.unwrap();
    let comparison = results.comparison.expect("compared with the baseline");
    assert_eq!(comparison.previous.id, baseline.id);
    assert!(comparison
        .improved
        .iter()
        .any(|(clause, from, to)| clause == "8.5.1"
            && *from == Maturity::Defined
            && *to == Maturity::Conforming));
    assert_eq!(
        comparison.regressed,
        vec![("8.6.3".to_string(), Maturity::Defined, Maturity::Initial)]
    );
    // What blocks certification follows the rest of the demo: no competence records (7.2,
    // rated not addressed), an information security policy that is only a draft (8.7.3).
    assert!(results
        .blockers
        .iter()
        .any(|b| b.clause == "7.2" && b.kind == BlockerKind::NotAddressed));
    assert!(results
        .blockers
        .iter()
        .any(|b| b.clause == "8.7.3" && b.kind == BlockerKind::DocumentNotApproved));
    assert!(!results.blockers.iter().any(|b| b.clause == "4.3"));

    // Two gaps are in the register, sourced from this assessment and linked back.
    let sheet = gap_assessments::sheet(db.reader(), current.id)
        .await
        .unwrap();
    let raised: Vec<&str> = sheet
        .rows
        .iter()
        .filter(|r| r.improvement.is_some())
        .map(|r| r.clause.as_str())
        .collect();
    assert_eq!(raised, vec!["7.2", "8.5.2"]);
    let entries = register::all(&db).await.unwrap();
    let from_gaps: Vec<_> = entries
        .iter()
        .filter(|e| {
            e.source_ref
                .as_deref()
                .is_some_and(|r| r.starts_with(&format!("gap:{}/", current.id)))
        })
        .collect();
    assert_eq!(from_gaps.len(), 2);
    assert!(from_gaps.iter().all(|e| e.source == Source::GapAnalysis));
    // Evidence: copied from the baseline and added since.
    let scope = sheet.rows.iter().find(|r| r.clause == "4.3").unwrap();
    assert_eq!(scope.evidence.len(), 1);
    assert!(sheet
        .rows
        .iter()
        .find(|r| r.clause == "9.2")
        .is_some_and(|r| r
            .evidence
            .iter()
            .any(|l| l.target.starts_with("/compliance/audits/"))));

    // Each record linked as evidence is what its label says: a completed audit, a closed
    // nonconformity, an approved continuity plan.
    let target = |clause: &str| {
        let row = sheet.rows.iter().find(|r| r.clause == clause).unwrap();
        let path = &row
            .evidence
            .iter()
            .find(|l| l.target.starts_with('/'))
            .unwrap()
            .target;
        path.rsplit('/').next().unwrap().parse::<i64>().unwrap()
    };
    let audit = app::server::service::internal_audits::detail(db.reader(), target("9.2"))
        .await
        .unwrap();
    assert_eq!(
        audit.audit.state,
        app::model::internal_audit::AuditState::Completed
    );
    let nc = app::server::service::nonconformities::get(db.reader(), target("10.1"))
        .await
        .unwrap();
    assert_eq!(nc.state, app::model::nonconformity::NcState::Closed);
    let baseline_sheet = gap_assessments::sheet(db.reader(), baseline.id)
        .await
        .unwrap();
    let plan_link = baseline_sheet
        .rows
        .iter()
        .find(|r| r.clause == "8.7.2")
        .and_then(|r| r.evidence.first())
        .map(|l| l.target.clone())
        .unwrap();
    let plan_id: i64 = plan_link.rsplit('/').next().unwrap().parse().unwrap();
    let versions = app::server::entity::plan_version::Entity::find()
        .filter(app::server::entity::plan_version::Column::PlanId.eq(plan_id))
        .all(db.reader())
        .await
        .unwrap();
    assert!(versions.iter().any(|v| v.approved_by.is_some()));

    // Seeding again adds nothing.
    assert_eq!(conform::demo::gap::seed(&db).await.unwrap(), 0);
    assert_eq!(gap_assessments::list(db.reader()).await.unwrap().len(), 2);
}
