//! Gap assessment campaigns on SQLite (and PostgreSQL when CONFORM_TEST_POSTGRES_URL is set).

use crate::common;

use app::error::AppError;
use app::model::access::Role;
use app::model::gap::{BlockerKind, Maturity, Rating};
use app::server::entity::{sms_document, sms_document_version};
use app::server::service::gap_assessments::{self as gap, RowInput};
use chrono::Utc;
use common::{actor, person, test_db};
use sea_orm::{ActiveModelTrait, Set};

fn rate(code: &str) -> RowInput {
    RowInput {
        rating: code.into(),
        ..Default::default()
    }
}

async fn row_id(db: &app::server::db::Db, assessment: i64, clause: &str) -> (i64, i32) {
    let sheet = gap::sheet(db.reader(), assessment).await.unwrap();
    let row = sheet.rows.iter().find(|r| r.clause == clause).unwrap();
    (row.id, row.version)
}

#[tokio::test]
async fn only_the_quality_manager_opens_and_only_one_at_a_time() {
    let db = test_db().await;
    let qm = person(&db, "qm@example.org", Role::QualityManager).await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let refused = gap::open(&db, &owner, &actor(&owner), "Spring check", false).await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))));
    let first = gap::open(&db, &qm, &actor(&qm), "Spring check", false)
        .await
        .unwrap();
    assert_eq!(first.rated, 0);
    let sheet = gap::sheet(db.reader(), first.id).await.unwrap();
    assert_eq!(sheet.rows.len(), app::model::clauses::CLAUSES.len());
    let second = gap::open(&db, &qm, &actor(&qm), "Another", false).await;
    assert!(matches!(second, Err(AppError::BadRequest(_))));
    assert!(matches!(
        gap::open(&db, &qm, &actor(&qm), "x", false).await,
        Err(AppError::Validation(_))
    ));
}

#[tokio::test]
async fn rating_checks_version_justification_and_closing_freezes() {
    let db = test_db().await;
    let qm = person(&db, "qm@example.org", Role::QualityManager).await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let requester = person(&db, "req@example.org", Role::Requester).await;
    let a = gap::open(&db, &qm, &actor(&qm), "Spring check", false)
        .await
        .unwrap();
    let (id, version) = row_id(&db, a.id, "8.5.1").await;
    assert!(matches!(
        gap::save_rating(
            &db,
            &requester,
            &actor(&requester),
            id,
            version,
            rate("initial")
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    let saved = gap::save_rating(
        &db,
        &owner,
        &actor(&owner),
        id,
        version,
        RowInput {
            rating: "defined".into(),
            notes: "RFCs exist, PIR missing".into(),
            owner_id: Some(owner.id),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(saved.rating, Some(Rating::Rated(Maturity::Defined)));
    assert_eq!(saved.owner.as_ref().map(|o| o.id), Some(owner.id));
    // The old version is stale: nothing written.
    let stale =
        gap::save_rating(&db, &owner, &actor(&owner), id, version, rate("conforming")).await;
    assert!(matches!(stale, Err(AppError::Conflict { .. })));
    // N/A without a reason is refused on the justification field.
    let na = gap::save_rating(
        &db,
        &owner,
        &actor(&owner),
        id,
        saved.version,
        RowInput {
            rating: "not_applicable".into(),
            justification: "n/a".into(),
            ..Default::default()
        },
    )
    .await;
    match na {
        Err(AppError::Validation(errors)) => assert!(errors.get("justification").is_some()),
        other => panic!("expected a validation error, got {other:?}"),
    }
    // Closing: quality manager only, then read-only.
    assert!(matches!(
        gap::close(&db, &owner, &actor(&owner), a.id, a.version).await,
        Err(AppError::Forbidden(_))
    ));
    let closed = gap::close(&db, &qm, &actor(&qm), a.id, a.version)
        .await
        .unwrap();
    assert_eq!(closed.state, app::model::gap::AssessmentState::Closed);
    assert!(matches!(
        gap::save_rating(
            &db,
            &owner,
            &actor(&owner),
            id,
            saved.version,
            rate("conforming")
        )
        .await,
        Err(AppError::BadRequest(_))
    ));
    assert!(gap::add_evidence(
        &db,
        &owner,
        &actor(&owner),
        id,
        "record",
        "/changes/1",
        "RFC 1"
    )
    .await
    .is_err());
}

#[tokio::test]
async fn evidence_links_are_validated_and_removable() {
    let db = test_db().await;
    let qm = person(&db, "qm@example.org", Role::QualityManager).await;
    let a = gap::open(&db, &qm, &actor(&qm), "Spring check", false)
        .await
        .unwrap();
    let (id, _) = row_id(&db, a.id, "9.3").await;
    let bad = gap::add_evidence(&db, &qm, &actor(&qm), id, "record", "/admin/users", "Users").await;
    assert!(matches!(bad, Err(AppError::Validation(_))));
    let bad = gap::add_evidence(&db, &qm, &actor(&qm), id, "url", "ftp://x.org", "File").await;
    assert!(matches!(bad, Err(AppError::Validation(_))));
    let row = gap::add_evidence(
        &db,
        &qm,
        &actor(&qm),
        id,
        "url",
        "https://wiki.example.org/mr",
        "Review minutes",
    )
    .await
    .unwrap();
    assert_eq!(row.evidence.len(), 1);
    let results = gap::results(&db, a.id).await.unwrap();
    assert!(!results
        .blockers
        .iter()
        .any(|b| b.clause == "9.3" && b.kind == BlockerKind::RecordsMissing));
    let row = gap::remove_evidence(&db, &qm, &actor(&qm), row.evidence[0].id)
        .await
        .unwrap();
    assert!(row.evidence.is_empty());
    let results = gap::results(&db, a.id).await.unwrap();
    assert!(results
        .blockers
        .iter()
        .any(|b| b.clause == "9.3" && b.kind == BlockerKind::RecordsMissing));
}

#[tokio::test]
async fn a_gap_becomes_an_improvement_linked_both_ways() {
    let db = test_db().await;
    let qm = person(&db, "qm@example.org", Role::QualityManager).await;
    let a = gap::open(&db, &qm, &actor(&qm), "Spring check", false)
        .await
        .unwrap();
    let (id, version) = row_id(&db, a.id, "7.2").await;
    // Unrated: nothing to act on yet.
    assert!(gap::raise_improvement(&db, &qm, &actor(&qm), id, version)
        .await
        .is_err());
    let row = gap::save_rating(&db, &qm, &actor(&qm), id, version, rate("initial"))
        .await
        .unwrap();
    let row = gap::raise_improvement(&db, &qm, &actor(&qm), id, row.version)
        .await
        .unwrap();
    let linked = row.improvement.clone().expect("linked entry");
    let entry = app::server::service::register::get(db.reader(), linked.id)
        .await
        .unwrap();
    assert_eq!(entry.source, app::model::improvement::Source::GapAnalysis);
    let source_ref = entry.source_ref.clone().unwrap();
    assert_eq!(source_ref, format!("gap:{}/7.2", a.id));
    let (_, href) = app::model::register::source_link(&source_ref).unwrap();
    assert_eq!(href, format!("/compliance/gap/{}#clause-7.2", a.id));
    // Only once.
    assert!(
        gap::raise_improvement(&db, &qm, &actor(&qm), id, row.version)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn readiness_blockers_and_comparison_from_seeded_ratings() {
    let db = test_db().await;
    let qm = person(&db, "qm@example.org", Role::QualityManager).await;
    let first = gap::open(&db, &qm, &actor(&qm), "Winter check", false)
        .await
        .unwrap();
    for (clause, code) in [
        ("4.1", "initial"),
        ("4.2", "defined"),
        ("4.3", "conforming"),
        ("4.4", "not_addressed"),
    ] {
        let (id, version) = row_id(&db, first.id, clause).await;
        gap::save_rating(&db, &qm, &actor(&qm), id, version, rate(code))
            .await
            .unwrap();
    }
    let first = gap::close(&db, &qm, &actor(&qm), first.id, first.version)
        .await
        .unwrap();
    // Clause 4: 1 + 2 + 3 + 0 of 12 = 50%.
    let results = gap::results(&db, first.id).await.unwrap();
    assert_eq!(results.per_clause[0].2.percent(), Some(50));
    assert_eq!(results.overall.points, 6);
    assert_eq!(
        results.overall.possible,
        3 * app::model::clauses::CLAUSES.len() as u32
    );
    assert!(results.comparison.is_none());
    assert!(results
        .blockers
        .iter()
        .any(|b| b.clause == "4.4" && b.kind == BlockerKind::NotAddressed));

    // A new campaign starting from the previous ratings, then moves both ways.
    let second = gap::open(&db, &qm, &actor(&qm), "Spring check", true)
        .await
        .unwrap();
    assert_eq!(second.rated, 4);
    let (id, version) = row_id(&db, second.id, "4.1").await;
    gap::save_rating(&db, &qm, &actor(&qm), id, version, rate("conforming"))
        .await
        .unwrap();
    let (id, version) = row_id(&db, second.id, "4.2").await;
    gap::save_rating(&db, &qm, &actor(&qm), id, version, rate("initial"))
        .await
        .unwrap();

    // Documents: 4.3 approved, 5.2 only a draft, 6.3 nothing.
    let now = Utc::now();
    for (clause, state) in [("4.3", "approved"), ("5.2", "draft")] {
        let doc = sms_document::ActiveModel {
            title: Set(format!("Document for {clause}")),
            clauses: Set(format!("[\"{clause}\"]")),
            owner_id: Set(qm.id),
            review_months: Set(12),
            retired: Set(false),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db.writer())
        .await
        .unwrap();
        sms_document_version::ActiveModel {
            document_id: Set(doc.id),
            number: Set(1),
            state: Set(state.into()),
            content: Set("Text".into()),
            link: Set(None),
            change_summary: Set("First".into()),
            author_id: Set(qm.id),
            approved_by: Set(None),
            approved_at: Set(None),
            next_review_on: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db.writer())
        .await
        .unwrap();
    }
    let results = gap::results(&db, second.id).await.unwrap();
    let has = |clause: &str, kind: BlockerKind| {
        results
            .blockers
            .iter()
            .any(|b| b.clause == clause && b.kind == kind)
    };
    assert!(
        !has("4.3", BlockerKind::DocumentMissing) && !has("4.3", BlockerKind::DocumentNotApproved)
    );
    assert!(has("5.2", BlockerKind::DocumentNotApproved));
    assert!(has("6.3", BlockerKind::DocumentMissing));
    let cmp = results.comparison.expect("compared with the closed one");
    assert_eq!(cmp.previous.id, first.id);
    assert_eq!(
        cmp.improved,
        vec![("4.1".to_string(), Maturity::Initial, Maturity::Conforming)]
    );
    assert_eq!(
        cmp.regressed,
        vec![("4.2".to_string(), Maturity::Defined, Maturity::Initial)]
    );
    assert_eq!(cmp.unchanged, vec!["4.3".to_string(), "4.4".to_string()]);
    let latest = gap::latest_results(&db).await.unwrap().unwrap();
    assert_eq!(latest.assessment.id, second.id);
}
