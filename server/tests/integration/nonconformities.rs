//! Nonconformities against a real database: the clause 10.1 path walked by the owner, an
//! auditor and the quality manager, including an ineffective verification; observations go to
//! the improvement register.

use crate::common;

use common::{actor, person};

use app::error::AppError;
use app::model::access::Role;
use app::model::nonconformity::{NcForm, NcState, RootCauseMethod};
use app::model::user::CurrentUser;
use app::server::service::nonconformities::{self, Raised, Step};
use app::server::service::{audit_trail, register};
use chrono::{Duration, NaiveDate};

const CONTROLS: app::model::controls::Controls = app::model::controls::Controls {
    nc_min_wait_days: 30,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nonconformity_is_corrected_verified_by_someone_else_and_closed() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    let auditor = person(&db, "auditor@example.org", Role::Auditor).await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let form = NcForm {
        grade: "minor".into(),
        clause: "8.5.1".into(),
        description: "Two emergency changes were never reviewed afterwards.".into(),
        evidence: "CHG-00012, CHG-00019".into(),
        found_in: "audit".into(),
        owner_id: owner.id.to_string(),
        wait_days: "30".into(),
    };
    let Raised::Nonconformity(id) = nonconformities::raise(
        &db,
        &auditor,
        &actor(&auditor),
        form.validate().unwrap(),
        today,
        &CONTROLS,
    )
    .await
    .unwrap() else {
        panic!("a minor finding is a nonconformity");
    };
    let step = |who: &CurrentUser, version: i32, step: Step, on: NaiveDate| {
        let who = who.clone();
        let db = db.db.clone();
        async move {
            nonconformities::record(&db, &who, &actor(&who), id, version, step, on, &CONTROLS).await
        }
    };
    let nc = nonconformities::get(db.reader(), id).await.unwrap();
    assert_eq!(nc.state, NcState::Raised);
    assert!(!nc.is_overdue(today) && nc.is_overdue(today + Duration::days(15)));

    let empty = step(
        &owner,
        nc.version,
        Step::Contain {
            correction: " ".into(),
        },
        today,
    )
    .await
    .unwrap_err();
    assert!(empty.field_errors().is_some());
    let nc = step(
        &owner,
        nc.version,
        Step::Contain {
            correction: "Both changes reviewed now.".into(),
        },
        today,
    )
    .await
    .unwrap();
    let nc = step(
        &owner,
        nc.version,
        Step::AnalyseRootCause {
            root_cause: "The emergency path has no review task.".into(),
            method: RootCauseMethod::FiveWhys,
            similar_notes: "Checked standard changes: not affected.".into(),
        },
        today,
    )
    .await
    .unwrap();
    assert_eq!(nc.state, NcState::RootCauseAnalysed);
    let nothing_planned = step(&owner, nc.version, Step::PlanActions, today)
        .await
        .unwrap_err();
    assert!(matches!(nothing_planned, AppError::Refused(ref m) if m.contains("at least one")));
    let nc = step(
        &owner,
        nc.version,
        Step::AddAction {
            text: "Add a review task to the emergency path".into(),
            owner_id: owner.id,
            due: today + Duration::days(10),
        },
        today,
    )
    .await
    .unwrap();
    let nc = step(&owner, nc.version, Step::PlanActions, today)
        .await
        .unwrap();
    assert_eq!(nc.state, NcState::ActionsPlanned);
    let open = step(
        &owner,
        nc.version,
        Step::CompleteActions { wait_days: None },
        today,
    )
    .await
    .unwrap_err();
    assert!(matches!(open, AppError::Refused(ref m) if m.contains("still open")));
    let action_id = nc.actions[0].id;

    // The action goes to the improvement register; each side links to the other.
    let nc = step(
        &owner,
        nc.version,
        Step::ActionToRegister { action_id },
        today,
    )
    .await
    .unwrap();
    let entry_id = nc.actions[0].improvement_id.expect("linked to its entry");
    let entry = register::get(db.reader(), entry_id).await.unwrap();
    assert_eq!(entry.source_ref, Some(format!("nonconformity:{id}")));
    assert_eq!(entry.owner.id, owner.id);
    assert_eq!(entry.target_date, Some(today + Duration::days(10)));
    assert_eq!(entry.clauses, vec!["8.5.1".to_string()]);
    let twice = step(
        &owner,
        nc.version,
        Step::ActionToRegister { action_id },
        today,
    )
    .await
    .unwrap_err();
    assert!(matches!(twice, AppError::BadRequest(ref m) if m.contains("already")));
    let nc = step(
        &owner,
        nc.version,
        Step::CompleteAction { action_id },
        today,
    )
    .await
    .unwrap();
    let nc = step(
        &owner,
        nc.version,
        Step::CompleteActions { wait_days: None },
        today,
    )
    .await
    .unwrap();
    assert_eq!(nc.state, NcState::ActionsDone);
    assert_eq!(nc.verify_from, Some(today + Duration::days(30)));

    // Not before the waiting period, never by the owner.
    let early = step(
        &auditor,
        nc.version,
        Step::Verify { effective: true },
        today,
    )
    .await
    .unwrap_err();
    assert!(matches!(early, AppError::Refused(ref m) if m.contains("judged from")));
    let later = today + Duration::days(31);
    let own = step(&owner, nc.version, Step::Verify { effective: true }, later)
        .await
        .unwrap_err();
    assert!(matches!(own, AppError::Refused(ref m) if m.contains("other than the owner")));

    // The first check finds it ineffective: back to root cause.
    let nc = step(
        &auditor,
        nc.version,
        Step::Verify { effective: false },
        later,
    )
    .await
    .unwrap();
    assert_eq!(nc.state, NcState::Contained);
    assert_eq!(nc.verification_failures, 1);
    assert!(nc.root_cause.is_empty());
    let nc = step(
        &owner,
        nc.version,
        Step::AnalyseRootCause {
            root_cause: "Reviews were added but nobody is assigned to them.".into(),
            method: RootCauseMethod::CauseCategories,
            similar_notes: "Same gap in the major incident review.".into(),
        },
        later,
    )
    .await
    .unwrap();
    let nc = step(
        &owner,
        nc.version,
        Step::AddAction {
            text: "Assign reviews to the change manager automatically".into(),
            owner_id: owner.id,
            due: later + Duration::days(5),
        },
        later,
    )
    .await
    .unwrap();
    let nc = step(&owner, nc.version, Step::PlanActions, later)
        .await
        .unwrap();
    let second = nc.actions.iter().find(|a| !a.done).unwrap().id;
    let nc = step(
        &owner,
        nc.version,
        Step::CompleteAction { action_id: second },
        later,
    )
    .await
    .unwrap();
    // The owner cannot hurry the check of their own work: not to zero, not below the
    // organisation's minimum, not below what the nonconformity asks for.
    for days in [0, 29] {
        let hurried = step(
            &owner,
            nc.version,
            Step::CompleteActions {
                wait_days: Some(days),
            },
            later,
        )
        .await
        .unwrap_err();
        let AppError::Validation(errors) = hurried else {
            panic!("a wait of {days} days is refused as a field error, not {hurried:?}");
        };
        assert!(errors.get("wait_days").unwrap().contains("minimum"));
    }
    let unchanged = nonconformities::get(db.reader(), id).await.unwrap();
    assert_eq!(unchanged.version, nc.version);
    assert_eq!(unchanged.state, NcState::ActionsPlanned);
    let nc = step(
        &owner,
        nc.version,
        Step::CompleteActions { wait_days: None },
        later,
    )
    .await
    .unwrap();
    let judged = later + Duration::days(30);
    let too_early = step(
        &quality,
        nc.version,
        Step::Verify { effective: true },
        judged - Duration::days(1),
    )
    .await
    .unwrap_err();
    assert!(too_early.to_string().contains("judged from"), "{too_early}");
    let later = judged;
    let stale = step(
        &quality,
        nc.version - 1,
        Step::Verify { effective: true },
        later,
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }));
    let nc = step(
        &quality,
        nc.version,
        Step::Verify { effective: true },
        later,
    )
    .await
    .unwrap();
    assert_eq!(nc.verified_by.as_ref().map(|p| p.id), Some(quality.id));
    let auditor_closes = step(&auditor, nc.version, Step::Close, later)
        .await
        .unwrap_err();
    assert!(matches!(auditor_closes, AppError::Refused(_)));
    let nc = step(&quality, nc.version, Step::Close, later)
        .await
        .unwrap();
    assert_eq!(nc.state, NcState::Closed);
    assert!(!nc.is_overdue(later + Duration::days(100)));
    let history = audit_trail::history(&db, "nonconformity", &id.to_string())
        .await
        .unwrap();
    assert!(history.len() >= 15, "{}", history.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_observation_goes_straight_to_the_register() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let auditor = person(&db, "auditor@example.org", Role::Auditor).await;
    let form = NcForm {
        grade: "observation".into(),
        clause: "7.5".into(),
        description: "Document owners are not always named on the intranet pages.".into(),
        found_in: "audit".into(),
        owner_id: owner.id.to_string(),
        ..Default::default()
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let raised = nonconformities::raise(
        &db,
        &auditor,
        &actor(&auditor),
        form.validate().unwrap(),
        today,
        &CONTROLS,
    )
    .await
    .unwrap();
    let Raised::Improvement(entry_id) = raised else {
        panic!("an observation is not a nonconformity");
    };
    let entry = register::get(db.reader(), entry_id).await.unwrap();
    assert_eq!(entry.clauses, vec!["7.5"]);
    assert_eq!(entry.source, app::model::improvement::Source::AuditFinding);
    assert_eq!(nonconformities::count(db.reader()).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_findings_sit_at_different_steps() {
    let db = common::demo_db().await;
    let today = chrono::Utc::now().date_naive();
    // Six seeded nonconformities, and the minor one found by the demo internal audit.
    let all = nonconformities::page(&db, 1).await.unwrap();
    assert_eq!(all.total, 7);
    let all = all.items;
    assert_eq!(all.len(), 7);
    // Open ones first, then newest first.
    let closed_from = all.iter().position(|n| n.state == NcState::Closed).unwrap();
    assert!(all[closed_from..]
        .iter()
        .all(|n| n.state == NcState::Closed));
    assert!(all[..closed_from].windows(2).all(|w| w[0].id > w[1].id));
    let ncs: Vec<_> = all
        .into_iter()
        .filter(|n| !n.description.contains("Internal audit IA-"))
        .collect();
    assert_eq!(ncs.len(), 6);
    let states: std::collections::BTreeSet<_> = ncs.iter().map(|n| n.state).collect();
    assert!(states.len() >= 5, "{states:?}");
    assert_eq!(ncs.iter().filter(|n| n.is_overdue(today)).count(), 1);
    assert_eq!(
        ncs.iter().filter(|n| n.verification_failures == 1).count(),
        1
    );
    let closed = ncs.iter().find(|n| n.state == NcState::Closed).unwrap();
    assert!(closed
        .verified_by
        .as_ref()
        .is_some_and(|v| v.id != closed.owner.id));
    // Seeding again adds nothing.
    assert_eq!(conform::demo::nonconformities::seed(&db).await.unwrap(), 0);
    // The 40 seeded entries, one finding of the demo continuity simulation, and the demo
    // internal audit's observation and opportunity for improvement, the two gaps of the
    // demo gap assessment, and the two actions of the demo major incident's review.
    assert_eq!(register::all(&db).await.unwrap().len(), 47);
}

/// The list and the dashboard read a page and a few overdue records, never the whole table:
/// what they answer equals what sorting and filtering every nonconformity gives.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_the_overdue_few_match_the_whole_table() {
    use app::server::entity::nonconformity::{Column, Entity as Ncs};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let db = common::test_db().await;
    let me = person(&db, "me@example.org", Role::ServiceOwner).await;
    let other = person(&db, "other@example.org", Role::ServiceOwner).await;
    let auditor = person(&db, "auditor@example.org", Role::Auditor).await;
    let start = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    let mut ids = Vec::new();
    for i in 0..40_i64 {
        // Raised on scattered days, so due dates are not in id order.
        let raised_on = start + Duration::days((i * 7) % 40);
        let owner = if i % 5 == 0 { &me } else { &other };
        let form = NcForm {
            grade: "minor".into(),
            clause: "8.5.1".into(),
            description: format!("Finding number {i} about emergency changes."),
            found_in: "self_identified".into(),
            owner_id: owner.id.to_string(),
            ..Default::default()
        };
        let Raised::Nonconformity(id) = nonconformities::raise(
            &db,
            &auditor,
            &actor(&auditor),
            form.validate().unwrap(),
            raised_on,
            &CONTROLS,
        )
        .await
        .unwrap() else {
            panic!("a minor finding is a nonconformity");
        };
        ids.push(id);
    }
    // Every fourth one is closed (a closed record's old due date is not overdue).
    Ncs::update_many()
        .col_expr(Column::State, Expr::value(NcState::Closed.as_str()))
        .filter(Column::Id.is_in(ids.iter().copied().step_by(4)))
        .exec(db.writer())
        .await
        .unwrap();
    let mut all = Vec::new();
    for id in &ids {
        all.push(nonconformities::get(db.reader(), *id).await.unwrap());
    }

    let first = nonconformities::page(&db, 1).await.unwrap();
    let second = nonconformities::page(&db, 2).await.unwrap();
    assert_eq!(
        (first.total, first.items.len(), second.items.len()),
        (40, 25, 15)
    );
    let mut expected = all.clone();
    expected.sort_by_key(|nc| (nc.state == NcState::Closed, std::cmp::Reverse(nc.id)));
    let paged: Vec<i64> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|n| n.id)
        .collect();
    assert_eq!(paged, expected.iter().map(|n| n.id).collect::<Vec<_>>());
    assert!(nonconformities::page(&db, 3)
        .await
        .unwrap()
        .items
        .is_empty());

    let today = start + Duration::days(40);
    let late: Vec<_> = all.iter().filter(|nc| nc.is_overdue(today)).collect();
    assert!(late.len() > 16 && late.iter().filter(|nc| nc.owner.id == me.id).count() > 2);
    let (few, total) = nonconformities::overdue(&db, today, me.id, 8)
        .await
        .unwrap();
    assert_eq!(total as usize, late.len());
    assert!(few.iter().all(|nc| nc.is_overdue(today)));
    // The caller's own, oldest first, and the oldest of everyone's are among the few.
    let mut by_due = late.clone();
    by_due.sort_by_key(|nc| (nc.step_due, nc.id));
    let mine: Vec<i64> = by_due
        .iter()
        .filter(|nc| nc.owner.id == me.id)
        .take(8)
        .map(|nc| nc.id)
        .collect();
    let oldest: Vec<i64> = by_due.iter().take(8).map(|nc| nc.id).collect();
    for id in mine.iter().chain(&oldest) {
        assert!(few.iter().any(|nc| nc.id == *id), "{id} missing");
    }
    assert_eq!(
        few.len(),
        mine.iter()
            .chain(&oldest)
            .collect::<std::collections::BTreeSet<_>>()
            .len()
    );
}
