//! The controlled document register against a real database: the lifecycle, approval by a
//! quality manager who did not write the version, immutable approved versions, supersede on
//! the next approval, version checks, review dates and the audit trail.

use crate::common;

use app::error::AppError;
use app::model::access::Role;
use app::model::sms_document::{DocAction, DocState, DocumentForm, DraftForm, ReviewStatus};
use app::server::service::sms_documents;
use chrono::NaiveDate;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn document(owner_id: i64, months: i32) -> DocumentForm {
    DocumentForm {
        title: "Change management policy".into(),
        clauses: vec!["8.5.1".into()],
        owner_id,
        review_months: months,
    }
}

fn draft(content: &str) -> DraftForm {
    DraftForm {
        content: content.into(),
        link: String::new(),
        change_summary: "First issue".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_is_approved_by_a_quality_manager_who_did_not_write_it() {
    let db = common::test_db().await;
    let author = common::person(&db, "chris@example.org", Role::ChangeManager).await;
    let quinn = common::person(&db, "quinn@example.org", Role::QualityManager).await;
    let other_qm = common::person(&db, "quill@example.org", Role::QualityManager).await;
    let owner = common::person(&db, "dana@example.org", Role::ServiceOwner).await;

    let id = sms_documents::create(
        &db,
        &author,
        &common::actor(&author),
        document(owner.id, 12),
        draft("# Policy\n\nEvery change is assessed."),
    )
    .await
    .unwrap();
    let today = day("2026-11-28");
    let detail = sms_documents::detail(db.reader(), id, today).await.unwrap();
    let v1 = detail.latest().unwrap().clone();
    assert_eq!(v1.state, DocState::Draft);
    assert!(v1.content_html.contains("<h1>Policy</h1>"));
    assert_eq!(detail.summary.review, ReviewStatus::NotApproved);

    // Not in review yet: nobody approves a draft.
    let early = sms_documents::transition_version(
        &db,
        &quinn,
        &common::actor(&quinn),
        v1.id,
        v1.version,
        DocAction::Approve,
        today,
    )
    .await;
    assert!(matches!(early, Err(AppError::Refused(_))));

    let in_review = sms_documents::transition_version(
        &db,
        &author,
        &common::actor(&author),
        v1.id,
        v1.version,
        DocAction::SendToReview,
        today,
    )
    .await
    .unwrap();
    assert_eq!(in_review.state, DocState::InReview);

    // The author and the owner do not approve.
    for who in [&author, &owner] {
        let refused = sms_documents::transition_version(
            &db,
            who,
            &common::actor(who),
            v1.id,
            in_review.version,
            DocAction::Approve,
            today,
        )
        .await;
        assert!(
            matches!(refused, Err(AppError::Refused(_))),
            "{}",
            who.email
        );
    }
    let approved = sms_documents::transition_version(
        &db,
        &quinn,
        &common::actor(&quinn),
        v1.id,
        in_review.version,
        DocAction::Approve,
        today,
    )
    .await
    .unwrap();
    assert_eq!(approved.state, DocState::Approved);
    assert_eq!(approved.approved_by.as_ref().unwrap().id, quinn.id);
    assert!(approved.approved_at.is_some());
    assert_eq!(approved.next_review_on, Some(day("2027-11-28")));

    // Approved text is immutable: an edit is refused and nothing changes.
    let refused = sms_documents::save_draft(
        &db,
        &quinn,
        &common::actor(&quinn),
        v1.id,
        approved.version,
        1,
        document(owner.id, 12),
        draft("Rewritten behind everyone's back"),
    )
    .await;
    assert!(matches!(refused, Err(AppError::BadRequest(_))));
    let after = sms_documents::detail(db.reader(), id, today).await.unwrap();
    assert_eq!(after.versions[0].content, v1.content);
    assert_eq!(after.versions[0].version, approved.version);

    // The next draft starts from the approved text; its author is the quality manager, so
    // another quality manager approves it, which supersedes version 1.
    let v2 = sms_documents::new_draft(&db, &quinn, &common::actor(&quinn), id)
        .await
        .unwrap();
    assert_eq!(v2.number, 2);
    assert_eq!(v2.content, v1.content);
    // One open draft at a time.
    assert!(
        sms_documents::new_draft(&db, &quinn, &common::actor(&quinn), id)
            .await
            .is_err()
    );
    let saved = sms_documents::save_draft(
        &db,
        &quinn,
        &common::actor(&quinn),
        v2.id,
        v2.version,
        after.summary.version,
        document(owner.id, 6),
        DraftForm {
            content: "# Policy\n\nEvery change is assessed and recorded.".into(),
            link: "https://intranet.example/change-policy".into(),
            change_summary: "Recording added".into(),
        },
    )
    .await
    .unwrap();
    let sent = sms_documents::transition_version(
        &db,
        &quinn,
        &common::actor(&quinn),
        v2.id,
        saved.version,
        DocAction::SendToReview,
        today,
    )
    .await
    .unwrap();
    let own = sms_documents::transition_version(
        &db,
        &quinn,
        &common::actor(&quinn),
        v2.id,
        sent.version,
        DocAction::Approve,
        today,
    )
    .await;
    assert!(matches!(own, Err(AppError::Refused(_))));
    sms_documents::transition_version(
        &db,
        &other_qm,
        &common::actor(&other_qm),
        v2.id,
        sent.version,
        DocAction::Approve,
        day("2027-01-10"),
    )
    .await
    .unwrap();
    let last = sms_documents::detail(db.reader(), id, today).await.unwrap();
    let states: Vec<DocState> = last.versions.iter().map(|v| v.state).collect();
    assert_eq!(states, vec![DocState::Approved, DocState::Superseded]);
    assert_eq!(last.summary.approved_number, Some(2));
    assert_eq!(last.summary.review_months, 6);
    assert_eq!(
        last.approved().unwrap().next_review_on,
        Some(day("2027-07-10"))
    );

    // Other helpers see the approved version by clause.
    let by_clause = sms_documents::approved_by_clause(&db).await.unwrap();
    let refs = by_clause.get("8.5.1").unwrap();
    assert_eq!(refs.len(), 1);
    assert_eq!(refs[0].version, 2);
    let pack = sms_documents::approved_documents(&db).await.unwrap();
    assert_eq!(pack.len(), 1);
    assert_eq!(
        pack[0].2.as_deref(),
        Some("https://intranet.example/change-policy")
    );

    // Every write is on the record.
    let trail = app::server::service::audit_trail::list(
        &db,
        &app::model::audit::AuditQueryParams::default().to_query(),
    )
    .await
    .unwrap();
    let document_events = trail
        .items
        .iter()
        .filter(|e| e.record_type == "sms_document")
        .count();
    assert_eq!(document_events, 7, "on {}", common::backend_name());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_draft_save_is_refused_and_nothing_is_written() {
    let db = common::test_db().await;
    let owner = common::person(&db, "dana@example.org", Role::ServiceOwner).await;
    let id = sms_documents::create(
        &db,
        &owner,
        &common::actor(&owner),
        document(owner.id, 12),
        draft("One"),
    )
    .await
    .unwrap();
    let today = day("2026-11-28");
    let loaded = sms_documents::detail(db.reader(), id, today).await.unwrap();
    let v = loaded.latest().unwrap().clone();
    sms_documents::save_draft(
        &db,
        &owner,
        &common::actor(&owner),
        v.id,
        v.version,
        loaded.summary.version,
        document(owner.id, 12),
        draft("Two"),
    )
    .await
    .unwrap();
    let stale = sms_documents::save_draft(
        &db,
        &owner,
        &common::actor(&owner),
        v.id,
        v.version,
        loaded.summary.version,
        document(owner.id, 12),
        draft("Three"),
    )
    .await;
    assert!(matches!(stale, Err(AppError::Conflict { .. })));
    let now = sms_documents::detail(db.reader(), id, today).await.unwrap();
    assert_eq!(now.versions[0].content, "Two");

    // Someone who neither wrote nor owns it, nor is a quality manager, does not edit it.
    let stranger = common::person(&db, "rowan@example.org", Role::ContinuityManager).await;
    let refused = sms_documents::save_draft(
        &db,
        &stranger,
        &common::actor(&stranger),
        v.id,
        now.versions[0].version,
        now.summary.version,
        document(owner.id, 12),
        draft("Mine"),
    )
    .await;
    assert!(matches!(refused, Err(AppError::Refused(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_documents_are_refused_field_by_field() {
    let db = common::test_db().await;
    let owner = common::person(&db, "dana@example.org", Role::ServiceOwner).await;
    let bad = sms_documents::create(
        &db,
        &owner,
        &common::actor(&owner),
        DocumentForm {
            title: "".into(),
            clauses: vec!["8.9".into()],
            owner_id: 9_999,
            review_months: 48,
        },
        DraftForm {
            content: String::new(),
            link: "ftp://files/policy".into(),
            change_summary: String::new(),
        },
    )
    .await;
    let Err(AppError::Validation(errors)) = bad else {
        panic!("expected validation errors, got {bad:?}");
    };
    for field in ["title", "clauses", "owner_id", "review_months", "link"] {
        assert!(errors.get(field).is_some(), "{field}");
    }
    assert!(sms_documents::list(db.reader(), day("2026-11-28"))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_status_shows_due_and_overdue_documents() {
    let db = common::test_db().await;
    let owner = common::person(&db, "dana@example.org", Role::ServiceOwner).await;
    let quinn = common::person(&db, "quinn@example.org", Role::QualityManager).await;
    let id = sms_documents::create(
        &db,
        &owner,
        &common::actor(&owner),
        document(owner.id, 12),
        draft("Text"),
    )
    .await
    .unwrap();
    let v = sms_documents::detail(db.reader(), id, day("2025-01-01"))
        .await
        .unwrap()
        .versions[0]
        .clone();
    let sent = sms_documents::transition_version(
        &db,
        &owner,
        &common::actor(&owner),
        v.id,
        v.version,
        DocAction::SendToReview,
        day("2025-01-01"),
    )
    .await
    .unwrap();
    sms_documents::transition_version(
        &db,
        &quinn,
        &common::actor(&quinn),
        v.id,
        sent.version,
        DocAction::Approve,
        day("2025-11-15"),
    )
    .await
    .unwrap();
    let status = |today: &str| {
        let db = &db;
        let today = day(today);
        async move { sms_documents::list(db.reader(), today).await.unwrap()[0].review }
    };
    assert!(matches!(
        status("2026-09-01").await,
        ReviewStatus::Current { .. }
    ));
    assert!(matches!(
        status("2026-10-20").await,
        ReviewStatus::DueSoon { .. }
    ));
    assert!(matches!(
        status("2026-11-28").await,
        ReviewStatus::Overdue { .. }
    ));
    // The dashboard's list, found in SQL, holds the document exactly when it needs attention.
    for today in [
        "2026-09-01",
        "2026-10-14",
        "2026-10-15",
        "2026-10-20",
        "2026-11-28",
    ] {
        let due = sms_documents::due_for_review(db.reader(), day(today))
            .await
            .unwrap();
        let expected: Vec<_> = sms_documents::list(db.reader(), day(today))
            .await
            .unwrap()
            .into_iter()
            .filter(|d| d.review.needs_attention())
            .collect();
        assert_eq!(due, expected, "{today}");
    }
    assert_eq!(
        sms_documents::due_for_review(db.reader(), day("2026-10-20"))
            .await
            .unwrap()
            .len(),
        1
    );
}
