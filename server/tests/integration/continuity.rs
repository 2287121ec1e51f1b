//! Service continuity against a real database: a business impact analysis saved by the
//! service owner, the RTO ≤ MTPD rule, dependencies slower than the service, version checks
//! and the audit trail.

use crate::common;

use app::error::AppError;
use app::model::bia::{BiaForm, Objectives};
use app::model::service::ServiceForm;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::{audit_trail, bia, catalogue};

async fn service(db: &Db, name: &str) -> i64 {
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

fn form(rto: &str, depends_on: &[i64]) -> BiaForm {
    BiaForm {
        impacts: (0..25).map(|i| ((i % 5) as u8).to_string()).collect(),
        mtpd: "1 d".into(),
        rto: rto.into(),
        rpo: "30 min".into(),
        depends_on: depends_on.iter().map(|d| d.to_string()).collect(),
        suppliers: "Hosting partner; 2 d".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bia_is_saved_versioned_and_flags_slower_dependencies() {
    let db = common::test_db().await;
    let payroll = service(&db, "Payroll").await;
    let network = service(&db, "Network").await;
    let actor = Actor::system("test");
    // The analysis names its suppliers from the register.
    let keeper = common::person(
        &db,
        "keeper@example.org",
        app::model::access::Role::ServiceOwner,
    )
    .await;
    let hosting = app::model::supplier::SupplierForm {
        name: "Hosting partner".into(),
        kind: "external".into(),
        owner_id: keeper.id.to_string(),
        review_every_months: "12".into(),
        first_review_on: chrono::Utc::now().date_naive().to_string(),
        ..Default::default()
    };
    app::server::service::suppliers::create(
        &db,
        &keeper,
        &common::actor(&keeper),
        &hosting,
        chrono::Utc::now(),
    )
    .await
    .unwrap();

    let empty = bia::get(db.reader(), payroll).await.unwrap();
    assert_eq!(empty.version, 0);
    assert!(empty.objectives.is_none());

    // The network's own BIA: back within 2 days.
    let slow = BiaForm {
        mtpd: "3 d".into(),
        rto: "2 d".into(),
        ..form("2 d", &[])
    };
    bia::save(&db, &actor, 1, network, 0, slow.validate().unwrap())
        .await
        .unwrap();

    let saved = bia::save(
        &db,
        &actor,
        1,
        payroll,
        0,
        form("4 h", &[network]).validate().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(saved.version, 1);
    assert_eq!(
        saved.objectives,
        Some(Objectives {
            mtpd: 1440,
            rto: 240,
            rpo: 30
        })
    );
    assert_eq!(saved.depends_on[0].2, Some(2880));
    assert_eq!(
        saved.late_dependencies(),
        vec!["Network".to_string(), "Hosting partner".to_string()]
    );

    // A save against an old version is refused and changes nothing.
    let stale = bia::save(
        &db,
        &actor,
        1,
        payroll,
        0,
        form("2 h", &[]).validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }), "{stale:?}");
    let after = bia::get(db.reader(), payroll).await.unwrap();
    assert_eq!(after.objectives.unwrap().rto, 240);

    // A service cannot depend on itself; unknown services are refused.
    let own = bia::save(
        &db,
        &actor,
        1,
        payroll,
        1,
        form("4 h", &[payroll]).validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(own
        .field_errors()
        .and_then(|f| f.get("depends_on"))
        .is_some());

    // RTO beyond MTPD never reaches the database.
    assert!(form("2 d", &[]).validate().is_err());

    let history = audit_trail::history(&db, "service", &payroll.to_string())
        .await
        .unwrap();
    assert!(history
        .iter()
        .any(|e| e.summary.contains("impact analysis")));
}

mod plans {
    use super::common;
    use super::common::{actor, person};
    use app::error::AppError;
    use app::model::access::Role;
    use app::model::continuity_plan::{PlanAction, PlanContent, PlanState, Section};
    use app::model::recovery::RecoveryStep;

    use app::server::service::audit_trail;
    use app::server::service::continuity_plans::{self, NewPlan};

    fn step(key: u32, title: &str, minutes: u32, waits_for: &[u32]) -> RecoveryStep {
        RecoveryStep {
            key,
            title: title.into(),
            owner_id: Some(1),
            duration_minutes: minutes,
            waits_for: waits_for.to_vec(),
            depth: 0,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_plan_is_drafted_reviewed_approved_immutably_and_redrafted() {
        let db = common::test_db().await;
        let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
        let rowan = person(&db, "rowan@example.org", Role::ContinuityManager).await;
        let other = person(&db, "other@example.org", Role::Requester).await;
        let (plan_id, draft) = continuity_plans::create(
            &db,
            &owner,
            &actor(&owner),
            NewPlan {
                title: "Payroll continuity plan".into(),
                owner_id: owner.id,
                service_ids: vec![],
                site: "Head office".into(),
                review_months: 12,
            },
        )
        .await
        .unwrap();
        assert_eq!((draft.number, draft.state), (1, PlanState::Draft));

        // Two editors load version 1 of the draft; the second save is refused, not merged.
        let mut content = PlanContent {
            scope: "Payroll for all staff".into(),
            steps: vec![
                step(1, "Declare the incident", 15, &[]),
                step(2, "Fail over the database", 120, &[1]),
            ],
            ..Default::default()
        };
        let saved = continuity_plans::save_draft(
            &db,
            &owner,
            &actor(&owner),
            draft.id,
            draft.version,
            content.clone(),
        )
        .await
        .unwrap();
        let lost = continuity_plans::save_draft(
            &db,
            &rowan,
            &actor(&rowan),
            draft.id,
            draft.version,
            PlanContent::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(lost, AppError::Conflict { .. }), "{lost:?}");
        // A cycle is refused with the steps named; someone unrelated cannot edit.
        let mut looped = content.clone();
        looped.steps[0].waits_for = vec![2];
        let cycle = continuity_plans::save_draft(
            &db,
            &owner,
            &actor(&owner),
            draft.id,
            saved.version,
            looped,
        )
        .await
        .unwrap_err();
        assert!(cycle
            .field_errors()
            .and_then(|f| f.get("steps"))
            .is_some_and(|m| m.contains("“Declare the incident”")));
        let stranger = continuity_plans::save_draft(
            &db,
            &other,
            &actor(&other),
            draft.id,
            saved.version,
            content.clone(),
        )
        .await
        .unwrap_err();
        assert!(matches!(stranger, AppError::Refused(_)));

        // Review, then approval by the continuity manager (who did not write it).
        let review = continuity_plans::transition_version(
            &db,
            &owner,
            &actor(&owner),
            draft.id,
            saved.version,
            PlanAction::SendToReview,
        )
        .await
        .unwrap();
        let refused = continuity_plans::transition_version(
            &db,
            &owner,
            &actor(&owner),
            draft.id,
            review.version,
            PlanAction::Approve,
        )
        .await
        .unwrap_err();
        assert!(matches!(refused, AppError::Refused(ref m) if m.contains("continuity manager")));
        let approved = continuity_plans::transition_version(
            &db,
            &rowan,
            &actor(&rowan),
            draft.id,
            review.version,
            PlanAction::Approve,
        )
        .await
        .unwrap();
        assert_eq!(approved.state, PlanState::Approved);
        assert_eq!(approved.approved_by.as_ref().map(|p| p.id), Some(rowan.id));

        // The approved version is immutable on the server.
        let immutable = continuity_plans::save_draft(
            &db,
            &rowan,
            &actor(&rowan),
            draft.id,
            approved.version,
            PlanContent::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(immutable, AppError::BadRequest(ref m) if m.contains("only a draft")));

        // The next draft starts from it; approving that supersedes version 1.
        let second = continuity_plans::new_draft(&db, &rowan, &actor(&rowan), plan_id)
            .await
            .unwrap();
        assert_eq!(second.number, 2);
        assert_eq!(second.content, content);
        assert!(
            continuity_plans::new_draft(&db, &rowan, &actor(&rowan), plan_id)
                .await
                .is_err()
        );
        content.steps.push(step(3, "Tell the staff", 10, &[2]));
        let second = continuity_plans::save_draft(
            &db,
            &rowan,
            &actor(&rowan),
            second.id,
            second.version,
            content.clone(),
        )
        .await
        .unwrap();
        let second = continuity_plans::transition_version(
            &db,
            &rowan,
            &actor(&rowan),
            second.id,
            second.version,
            PlanAction::SendToReview,
        )
        .await
        .unwrap();
        // Rowan wrote version 2: another continuity manager approves it.
        let sam = person(&db, "sam@example.org", Role::ContinuityManager).await;
        continuity_plans::transition_version(
            &db,
            &sam,
            &actor(&sam),
            second.id,
            second.version,
            PlanAction::Approve,
        )
        .await
        .unwrap();
        let all = continuity_plans::versions(db.reader(), plan_id)
            .await
            .unwrap();
        let states: Vec<(i32, PlanState)> = all.iter().map(|v| (v.number, v.state)).collect();
        assert_eq!(
            states,
            vec![(2, PlanState::Approved), (1, PlanState::Superseded)]
        );
        assert_eq!(all[1].content.steps.len(), 2, "version 1 kept as approved");

        let diff = continuity_plans::compare_versions(db.reader(), all[1].id, all[0].id)
            .await
            .unwrap();
        let changed: Vec<Section> = diff
            .iter()
            .filter(|d| d.changed())
            .map(|d| d.section)
            .collect();
        assert_eq!(changed, vec![Section::Steps]);

        let history = audit_trail::history(&db, "continuity_plan", &plan_id.to_string())
            .await
            .unwrap();
        assert!(history.len() >= 7, "{}", history.len());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_exercise_is_planned_recorded_against_the_rto_and_its_finding_registered() {
        use app::model::bia::BiaForm;
        use app::model::continuity_plan::{check_outcome, ExerciseKind, ExerciseResult};
        use app::server::service::continuity_exercises::{self, PlannedExercise};
        use app::server::service::{bia, register};

        let db = common::test_db().await;
        let rowan = person(&db, "rowan@example.org", Role::ContinuityManager).await;
        let quality = person(&db, "quality@example.org", Role::QualityManager).await;
        let stranger = person(&db, "stranger@example.org", Role::Requester).await;
        let payroll = super::service(&db, "Payroll").await;
        let bia_form = BiaForm {
            impacts: (0..25).map(|_| "1".to_string()).collect(),
            mtpd: "1 d".into(),
            rto: "4 h".into(),
            rpo: "1 h".into(),
            ..Default::default()
        };
        bia::save(
            &db,
            &actor(&rowan),
            rowan.id,
            payroll,
            0,
            bia_form.validate().unwrap(),
        )
        .await
        .unwrap();
        let (plan_id, _) = continuity_plans::create(
            &db,
            &rowan,
            &actor(&rowan),
            NewPlan {
                title: "Payroll continuity plan".into(),
                owner_id: rowan.id,
                service_ids: vec![payroll],
                site: String::new(),
                review_months: 12,
            },
        )
        .await
        .unwrap();
        let planned = PlannedExercise {
            kind: ExerciseKind::Tabletop,
            planned_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 10).unwrap(),
            participants: "Payroll team, IT operations".into(),
            objectives: "Walk the failover with the people who would do it.".into(),
        };
        let refused =
            continuity_exercises::plan(&db, &stranger, &actor(&stranger), plan_id, planned.clone())
                .await
                .unwrap_err();
        assert!(matches!(refused, AppError::BadRequest(_)));
        let exercise = continuity_exercises::plan(&db, &rowan, &actor(&rowan), plan_id, planned)
            .await
            .unwrap();
        assert_eq!(exercise.rto_minutes, Some(240));
        assert_eq!(exercise.met_rto(), None);

        let outcome = check_outcome(
            "partly",
            "6 h",
            "The database restore took twice as long as planned\nThe call tree had a wrong number",
        )
        .unwrap();
        let recorded = continuity_exercises::record_outcome(
            &db,
            &rowan,
            &actor(&rowan),
            exercise.id,
            exercise.version,
            outcome.clone(),
        )
        .await
        .unwrap();
        assert_eq!(recorded.result, Some(ExerciseResult::Partly));
        assert_eq!(recorded.met_rto(), Some(false), "6 h is past the 4 h RTO");
        let stale = continuity_exercises::record_outcome(
            &db,
            &rowan,
            &actor(&rowan),
            exercise.id,
            exercise.version,
            outcome,
        )
        .await
        .unwrap_err();
        assert!(matches!(stale, AppError::Conflict { .. }));

        // A finding becomes a register entry in one step, linked both ways.
        let (after, entry) = continuity_exercises::finding_to_register(
            &db,
            &quality,
            &actor(&quality),
            exercise.id,
            recorded.version,
            0,
        )
        .await
        .unwrap();
        assert_eq!(after.findings[0].improvement_id, Some(entry.id));
        assert_eq!(entry.source_ref, Some(format!("exercise:{}", exercise.id)));
        assert_eq!(entry.service_ids, vec![payroll]);
        assert!(register::get(db.reader(), entry.id).await.is_ok());
        let twice = continuity_exercises::finding_to_register(
            &db,
            &quality,
            &actor(&quality),
            exercise.id,
            after.version,
            0,
        )
        .await
        .unwrap_err();
        assert!(matches!(twice, AppError::BadRequest(ref m) if m.contains("already")));
        let listed = continuity_exercises::list(db.reader(), plan_id)
            .await
            .unwrap();
        assert_eq!(listed.len(), 1);
    }

    /// The plan list and the plan page: review cycle, RTO and owner warnings, comments only
    /// while in review, and the flag raised by a major change to a covered service.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_overview_shows_review_status_warnings_comments_and_major_changes() {
        use app::model::bia::BiaForm;
        use app::model::change_request::ChangeForm;
        use app::model::plan_overview::ReviewStatus;
        use app::server::entity::change::{Column as ChangeColumn, Entity as Changes};
        use app::server::service::{bia, changes, plan_overview};
        use sea_orm::sea_query::Expr;
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

        let db = common::test_db().await;
        let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
        let sam = person(&db, "sam@example.org", Role::ContinuityManager).await;
        let requester = person(&db, "requester@example.org", Role::Requester).await;
        let payroll = super::service(&db, "Payroll").await;
        let objectives = BiaForm {
            impacts: (0..25).map(|_| "1".to_string()).collect(),
            mtpd: "1 d".into(),
            rto: "4 h".into(),
            rpo: "1 h".into(),
            ..Default::default()
        };
        bia::save(
            &db,
            &actor(&owner),
            owner.id,
            payroll,
            0,
            objectives.validate().unwrap(),
        )
        .await
        .unwrap();
        let (plan_id, draft) = continuity_plans::create(
            &db,
            &owner,
            &actor(&owner),
            NewPlan {
                title: "Payroll continuity plan".into(),
                owner_id: owner.id,
                service_ids: vec![payroll],
                site: String::new(),
                review_months: 12,
            },
        )
        .await
        .unwrap();
        let mut unowned = step(2, "Restore the database", 120, &[1]);
        unowned.owner_id = None;
        let content = PlanContent {
            steps: vec![step(1, "Rebuild the servers", 180, &[]), unowned],
            ..Default::default()
        };
        let draft = continuity_plans::save_draft(
            &db,
            &owner,
            &actor(&owner),
            draft.id,
            draft.version,
            content,
        )
        .await
        .unwrap();
        let today = chrono::Utc::now().date_naive();
        let listed = plan_overview::summaries(db.reader(), today).await.unwrap();
        let plan = listed.iter().find(|p| p.id == plan_id).unwrap();
        assert_eq!(plan.review, ReviewStatus::NotApproved);
        assert_eq!(plan.total_minutes, Some(300));
        assert_eq!(plan.services[0].rto_minutes, Some(240));
        assert!(
            plan.warnings
                .iter()
                .any(|w| w.contains("Payroll must be back within 4 h")),
            "{:?}",
            plan.warnings
        );
        assert!(plan
            .warnings
            .iter()
            .any(|w| w.contains("“Restore the database” has no owner")));
        assert!(plan.needs_attention());

        // Comments belong to the review: refused on a draft, and empty ones are refused.
        let early = continuity_plans::comment(
            &db,
            &sam,
            &actor(&sam),
            draft.id,
            Section::Steps,
            "Too slow",
        )
        .await
        .unwrap_err();
        assert!(matches!(early, AppError::BadRequest(_)));
        let review = continuity_plans::transition_version(
            &db,
            &owner,
            &actor(&owner),
            draft.id,
            draft.version,
            PlanAction::SendToReview,
        )
        .await
        .unwrap();
        let empty =
            continuity_plans::comment(&db, &sam, &actor(&sam), draft.id, Section::Steps, " ")
                .await
                .unwrap_err();
        assert!(empty
            .field_errors()
            .is_some_and(|f| f.get("text").is_some()));
        continuity_plans::comment(
            &db,
            &sam,
            &actor(&sam),
            draft.id,
            Section::Steps,
            "The restore cannot meet the RTO.",
        )
        .await
        .unwrap();
        continuity_plans::transition_version(
            &db,
            &sam,
            &actor(&sam),
            review.id,
            review.version,
            PlanAction::Approve,
        )
        .await
        .unwrap();

        let detail = plan_overview::detail(db.reader(), plan_id, today)
            .await
            .unwrap();
        assert_eq!(detail.comments.len(), 1);
        assert_eq!(detail.comments[0].section, Section::Steps);
        assert_eq!(detail.comments[0].author.id, sam.id);
        assert!(matches!(detail.review, ReviewStatus::Current { .. }));
        assert!(detail.major_changes.is_empty());
        // A year and a month on, the plan is overdue for review.
        let later = today.checked_add_months(chrono::Months::new(13)).unwrap();
        let listed = plan_overview::summaries(db.reader(), later).await.unwrap();
        assert!(matches!(
            listed.iter().find(|p| p.id == plan_id).unwrap().review,
            ReviewStatus::Overdue { .. }
        ));

        // An emergency change implemented on payroll after the approval flags the plan.
        let form = ChangeForm {
            title: "Emergency database patch".into(),
            change_type: "emergency".into(),
            service_ids: vec![payroll.to_string()],
            planned_start: "2027-03-02T22:00".into(),
            planned_end: "2027-03-02T23:00".into(),
            implementation_plan: "Apply.".into(),
            test_plan: "Test.".into(),
            backout_plan: "Restore.".into(),
            impact_breadth: "2".into(),
            complexity: "2".into(),
            backout_difficulty: "1".into(),
            history: "1".into(),
            time_pressure: "0".into(),
            ..Default::default()
        };
        let change = changes::create(
            &db,
            &requester,
            &actor(&requester),
            form.validate().unwrap(),
        )
        .await
        .unwrap();
        // Walking a change to implemented is the change tests' business; here only the
        // outcome matters, so the state is set directly.
        Changes::update_many()
            .col_expr(ChangeColumn::State, Expr::value("implemented"))
            .col_expr(
                ChangeColumn::UpdatedAt,
                Expr::value(chrono::Utc::now() + chrono::Duration::seconds(5)),
            )
            .filter(ChangeColumn::Id.eq(change.id))
            .exec(db.writer())
            .await
            .unwrap();
        let detail = plan_overview::detail(db.reader(), plan_id, today)
            .await
            .unwrap();
        assert_eq!(detail.major_changes.len(), 1, "{:?}", detail.major_changes);
        assert_eq!(detail.major_changes[0].service, "Payroll");
        let listed = plan_overview::summaries(db.reader(), today).await.unwrap();
        assert!(listed
            .iter()
            .find(|p| p.id == plan_id)
            .unwrap()
            .needs_attention());
    }
}
