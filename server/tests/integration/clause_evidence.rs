//! Live evidence per clause against a real database: records seeded straight into the tables
//! (walking each workflow would take dozens of steps, and some of these states — closed without
//! a review — only arrive by import), then the thin-evidence lists must name exactly them.

use crate::common;

use common::person;

use app::error::AppError;
use app::model::access::Role;
use app::model::clauses::CLAUSES;
use app::model::evidence::{ChangeGap, ClauseEvidence, NcGap, PlanGap};
use app::server::entity::{
    change, continuity_exercise, continuity_plan, nonconformity, plan_version, sms_document,
    sms_document_version,
};
use app::server::service::clause_evidence;
use chrono::{NaiveDate, TimeZone, Utc};
use sea_orm::{ActiveModelTrait, Set};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn today() -> NaiveDate {
    day(2026, 11, 28)
}

struct ChangeSeed {
    title: &'static str,
    kind: &'static str,
    state: &'static str,
    authorised: bool,
    risk: bool,
    backout: bool,
    review: bool,
}

async fn seed_change(db: &app::server::db::Db, user: i64, seed: ChangeSeed) -> i64 {
    let at = Utc.with_ymd_and_hms(2026, 9, 1, 10, 0, 0).unwrap();
    change::ActiveModel {
        title: Set(seed.title.into()),
        description: Set("Seeded".into()),
        reason: Set("Seeded".into()),
        change_type: Set(seed.kind.into()),
        category: Set("minor".into()),
        state: Set(seed.state.into()),
        requester_id: Set(user),
        owner_id: Set(user),
        planned_start: Set(Some(at)),
        planned_end: Set(Some(at)),
        expects_outage: Set(false),
        outage_minutes: Set(0),
        implementation_plan: Set("Do it".into()),
        test_plan: Set("Test it".into()),
        backout_plan: Set(if seed.backout { "Undo it" } else { "  " }.into()),
        communication_plan: Set(String::new()),
        configuration_items: Set("[]".into()),
        risk_answers: Set(None),
        risk_score: Set(seed.risk.then_some(3)),
        risk_level: Set(seed.risk.then(|| "low".to_string())),
        conflict_override: Set(None),
        review_outcome: Set(seed.review.then(|| "Went as planned".to_string())),
        review_incidents: Set(seed.review.then_some(0)),
        review_lessons: Set(None),
        authorised_by: Set(seed.authorised.then_some(user)),
        template_id: Set(None),
        version: Set(1),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db.writer())
    .await
    .expect("change")
    .id
}

async fn seed_plan(
    db: &app::server::db::Db,
    user: i64,
    title: &str,
    approved: Option<NaiveDate>,
    exercised: Option<NaiveDate>,
) -> i64 {
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap();
    let plan = continuity_plan::ActiveModel {
        title: Set(title.into()),
        owner_id: Set(user),
        service_ids: Set("[]".into()),
        site: Set(String::new()),
        review_months: Set(12),
        retired: Set(false),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db.writer())
    .await
    .expect("plan");
    plan_version::ActiveModel {
        plan_id: Set(plan.id),
        number: Set(1),
        state: Set(if approved.is_some() {
            "approved"
        } else {
            "draft"
        }
        .into()),
        content: Set("{}".into()),
        author_id: Set(user),
        approved_by: Set(approved.map(|_| user)),
        approved_at: Set(approved.map(|d| Utc.from_utc_datetime(&d.and_hms_opt(9, 0, 0).unwrap()))),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db.writer())
    .await
    .expect("plan version");
    if let Some(on) = exercised {
        continuity_exercise::ActiveModel {
            plan_id: Set(plan.id),
            kind: Set("tabletop".into()),
            planned_on: Set(on),
            participants: Set("[]".into()),
            objectives: Set("Walk through".into()),
            result: Set(Some("passed".into())),
            actual_minutes: Set(Some(60)),
            findings: Set("[]".into()),
            recorded_by: Set(Some(user)),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db.writer())
        .await
        .expect("exercise");
    }
    plan.id
}

async fn seed_nc(
    db: &app::server::db::Db,
    user: i64,
    description: &str,
    state: &str,
    verified: bool,
    step_due: Option<NaiveDate>,
) -> i64 {
    let now = Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).unwrap();
    nonconformity::ActiveModel {
        grade: Set("minor".into()),
        clause: Set("8.5.1".into()),
        description: Set(description.into()),
        evidence: Set("Seeded".into()),
        found_in: Set("audit".into()),
        raised_by: Set(user),
        owner_id: Set(user),
        state: Set(state.into()),
        correction: Set(String::new()),
        root_cause: Set(String::new()),
        root_cause_method: Set(None),
        similar_checked: Set(false),
        similar_notes: Set(String::new()),
        verify_from: Set(None),
        wait_days: Set(30),
        verification_failures: Set(0),
        verified_by: Set(verified.then_some(user)),
        step_due: Set(step_due),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db.writer())
    .await
    .expect("nonconformity")
    .id
}

async fn seed_document(db: &app::server::db::Db, user: i64, title: &str, clauses: &str) -> i64 {
    let now = Utc.with_ymd_and_hms(2026, 10, 1, 9, 0, 0).unwrap();
    let document = sms_document::ActiveModel {
        title: Set(title.into()),
        clauses: Set(clauses.into()),
        owner_id: Set(user),
        review_months: Set(12),
        retired: Set(false),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db.writer())
    .await
    .expect("document");
    sms_document_version::ActiveModel {
        document_id: Set(document.id),
        number: Set(1),
        state: Set("approved".into()),
        content: Set("# Policy".into()),
        link: Set(None),
        change_summary: Set("First".into()),
        author_id: Set(user),
        approved_by: Set(Some(user)),
        approved_at: Set(Some(now)),
        next_review_on: Set(Some(day(2027, 10, 1))),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db.writer())
    .await
    .expect("document version");
    document.id
}

fn rule<'a>(evidence: &'a ClauseEvidence, rule: &str) -> Vec<&'a str> {
    evidence
        .thin
        .iter()
        .find(|t| t.rule == rule)
        .map(|t| t.records.iter().map(|r| r.href.as_str()).collect())
        .unwrap_or_default()
}

fn count(evidence: &ClauseEvidence, label: &str) -> u64 {
    evidence
        .sources
        .iter()
        .find(|s| s.label == label)
        .map(|s| s.count)
        .unwrap_or_else(|| panic!("no source {label}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_database_holds_nothing_and_unknown_clauses_are_not_found() {
    let db = common::test_db().await;
    assert!(clause_evidence::clauses_with_live_records(&db)
        .await
        .unwrap()
        .is_empty());
    let all = clause_evidence::overview(&db, today()).await.unwrap();
    let numbers: Vec<&str> = all.iter().map(|e| e.number.as_str()).collect();
    let expected: Vec<&str> = CLAUSES.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers, expected);
    assert!(all.iter().all(|e| e.live_count() == 0));
    // Only two things are thin in an empty database: there is no approved SMS profile (each
    // of its clauses says so) and no audit programme at all.
    let thin: Vec<&str> = all
        .iter()
        .filter(|e| !e.thin.is_empty())
        .map(|e| e.number.as_str())
        .collect();
    assert_eq!(
        thin,
        vec!["4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.3", "9.2"]
    );
    assert!(matches!(
        clause_evidence::for_clause(&db, "8.5.9", today()).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thin_evidence_names_exactly_the_offending_records() {
    let db = common::test_db().await;
    let user = person(&db, "manager@example.org", Role::ChangeManager)
        .await
        .id;

    let fine = ChangeSeed {
        title: "Patch the mail relay",
        kind: "normal",
        state: "closed",
        authorised: true,
        risk: true,
        backout: true,
        review: true,
    };
    seed_change(&db, user, fine).await;
    let unreviewed = seed_change(
        &db,
        user,
        ChangeSeed {
            title: "Move the DNS servers",
            kind: "normal",
            state: "closed",
            authorised: true,
            risk: true,
            backout: true,
            review: false,
        },
    )
    .await;
    let emergency = seed_change(
        &db,
        user,
        ChangeSeed {
            title: "Hotfix the payment gateway",
            kind: "emergency",
            state: "implemented",
            authorised: true,
            risk: true,
            backout: true,
            review: false,
        },
    )
    .await;
    let careless = seed_change(
        &db,
        user,
        ChangeSeed {
            title: "Upgrade the database",
            kind: "normal",
            state: "scheduled",
            authorised: false,
            risk: false,
            backout: false,
            review: false,
        },
    )
    .await;
    // A draft is no evidence either way.
    seed_change(
        &db,
        user,
        ChangeSeed {
            title: "Idea",
            kind: "normal",
            state: "draft",
            authorised: false,
            risk: false,
            backout: false,
            review: false,
        },
    )
    .await;

    let never = seed_plan(&db, user, "Data centre loss", Some(day(2026, 6, 1)), None).await;
    seed_plan(
        &db,
        user,
        "Mail outage",
        Some(day(2026, 6, 1)),
        Some(day(2026, 9, 1)),
    )
    .await;
    seed_plan(&db, user, "Draft plan", None, None).await;

    let unchecked = seed_nc(&db, user, "Backups not tested", "closed", false, None).await;
    seed_nc(&db, user, "Change without PIR", "closed", true, None).await;
    let late = seed_nc(
        &db,
        user,
        "Supplier review missed",
        "actions_planned",
        false,
        Some(day(2026, 11, 27)),
    )
    .await;
    let policy = seed_document(&db, user, "Change management policy", r#"["8.5.1"]"#).await;

    // 8.5.1
    let changes = clause_evidence::for_clause(&db, "8.5.1", today())
        .await
        .unwrap();
    let href = |id: i64| format!("/changes/{id}");
    assert_eq!(
        rule(&changes, ChangeGap::ClosedWithoutReview.rule()),
        vec![href(unreviewed)]
    );
    assert_eq!(
        rule(&changes, ChangeGap::EmergencyNotReviewed.rule()),
        vec![href(emergency)]
    );
    for gap in [
        ChangeGap::NoRiskAssessment,
        ChangeGap::NoAuthoriser,
        ChangeGap::NoBackoutPlan,
    ] {
        assert_eq!(rule(&changes, gap.rule()), vec![href(careless)], "{gap:?}");
    }
    assert_eq!(changes.thin.len(), 5);
    assert_eq!(changes.thin_count(), 5);
    assert_eq!(count(&changes, "Changes submitted"), 4);
    assert_eq!(count(&changes, "Post-implementation reviews"), 1);
    assert_eq!(count(&changes, "Changes with a back-out plan"), 3);
    assert_eq!(count(&changes, "Published CAB minutes"), 0);
    assert_eq!(changes.documents.len(), 1);
    assert_eq!(
        changes.documents[0].href,
        format!("/compliance/documents/{policy}")
    );
    assert!(changes.thin[0].records[0]
        .label
        .contains("Move the DNS servers"));

    // 8.7.2
    let continuity = clause_evidence::for_clause(&db, "8.7.2", today())
        .await
        .unwrap();
    assert_eq!(
        rule(&continuity, PlanGap::NeverExercised.rule()),
        vec![format!("/continuity/plans/{never}")]
    );
    assert_eq!(continuity.thin.len(), 1);
    assert_eq!(count(&continuity, "Approved continuity plans"), 2);
    assert_eq!(count(&continuity, "Exercises with a recorded result"), 1);

    // 10.1
    let ncs = clause_evidence::for_clause(&db, "10.1", today())
        .await
        .unwrap();
    assert_eq!(
        rule(&ncs, NcGap::ClosedWithoutEffectivenessCheck.rule()),
        vec![format!("/nonconformities/{unchecked}")]
    );
    assert_eq!(
        rule(&ncs, NcGap::StepOverdue.rule()),
        vec![format!("/nonconformities/{late}")]
    );
    assert_eq!(count(&ncs, "Nonconformities raised"), 3);
    assert_eq!(
        count(&ncs, "Closed after a verified effectiveness check"),
        1
    );

    // No audit programme: nothing held for 9.2, and every clause 4–10 is uncovered.
    let audits = clause_evidence::for_clause(&db, "9.2", today())
        .await
        .unwrap();
    assert!(audits.holds_nothing());
    assert_eq!(audits.thin.len(), 1);
    assert_eq!(
        audits.thin[0].rule,
        "Clauses the current audit programme does not cover"
    );
    assert_eq!(audits.thin[0].total, 7);
    let reviews = clause_evidence::for_clause(&db, "9.3", today())
        .await
        .unwrap();
    assert!(reviews.holds_nothing());
    assert!(reviews.thin.is_empty());

    // The overview agrees with the clause pages and keeps library order.
    let all = clause_evidence::overview(&db, today()).await.unwrap();
    let find = |n: &str| all.iter().find(|e| e.number == n).unwrap().clone();
    assert_eq!(find("8.5.1"), changes);
    assert_eq!(find("8.7.2"), continuity);
    assert_eq!(find("10.1"), ncs);
    assert_eq!(count(&find("7.5"), "Approved SMS documents"), 1);
    assert!(find("4.1").holds_nothing());

    let live: Vec<String> = clause_evidence::clauses_with_live_records(&db)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(
        live,
        ["10.1", "7.5", "8.5.1", "8.5.2", "8.5.3", "8.7.1", "8.7.2"].map(String::from)
    );
}

/// The demo shows thin evidence where a real SMS would have it: changes awaiting their
/// review, the ERP plan overdue for review, an overdue nonconformity step.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_has_thin_evidence_to_show() {
    let db = common::demo_db().await;
    let today = Utc::now().date_naive();
    let all = clause_evidence::overview(&db, today).await.unwrap();
    let thin = |n: &str| all.iter().find(|e| e.number == n).unwrap().thin_count();
    // 9.2: the demo programme leaves 8.5.2 uncovered; 9.3: a review action is overdue.
    for number in ["8.3.3", "8.5.1", "8.7.2", "10.1", "9.2", "9.3", "8.2.6"] {
        assert!(
            thin(number) > 0,
            "{number} shows no thin evidence in the demo"
        );
    }
    let audits = all.iter().find(|e| e.number == "9.2").unwrap();
    assert!(
        audits.thin[0]
            .records
            .iter()
            .any(|r| r.label == "Clause 8.5.2"),
        "{audits:?}"
    );
    assert!(audits.live_count() > 0);
    assert!(all.iter().find(|e| e.number == "9.3").unwrap().live_count() > 0);
    // 8.2.5, 8.2.6: the CMDB's items count, and the runbook nobody owns is named.
    let configuration = all.iter().find(|e| e.number == "8.2.6").unwrap();
    assert!(configuration.live_count() > 0);
    assert!(
        configuration.thin[0]
            .records
            .iter()
            .any(|r| r.label.ends_with("Payroll runbook")),
        "{configuration:?}"
    );
    // Service levels: the demo agreement is in force, and last month was reported.
    for number in ["8.3.3", "8.7.1", "9.4"] {
        assert!(
            all.iter()
                .find(|e| e.number == number)
                .unwrap()
                .live_count()
                > 0,
            "{number} shows no live records in the demo"
        );
    }
}
