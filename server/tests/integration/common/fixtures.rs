//! Records in the state a segregation-of-duties test starts from, shared by the service tests
//! (`segregation.rs`) and the HTTP tests (`record_refusals_http.rs`) that try the same bypass.

use super::{actor, TestDb};
use app::model::continuity_plan::{PlanAction, PlanContent, PlanVersion};
use app::model::internal_audit::{Audit, AuditAction, AuditForm, ProgrammeForm};
use app::model::sms_document::{DocAction, DocumentForm, DocumentVersion, DraftForm};
use app::model::user::CurrentUser;
use app::server::service::continuity_plans::{self, NewPlan};
use app::server::service::{internal_audits, sms_documents};
use chrono::NaiveDate;

/// A document `author` drafted and `editor` rewrote a paragraph of, sent to review by the
/// author: its id and the version in review.
pub async fn document_in_review_edited_by(
    db: &TestDb,
    author: &CurrentUser,
    editor: &CurrentUser,
    today: NaiveDate,
) -> (i64, DocumentVersion) {
    let document = DocumentForm {
        title: "Change management policy".into(),
        clauses: vec!["8.5.1".into()],
        owner_id: author.id,
        review_months: 12,
    };
    let draft = |content: &str| DraftForm {
        content: content.into(),
        link: String::new(),
        change_summary: "First issue".into(),
    };
    let id = sms_documents::create(
        db,
        author,
        &actor(author),
        document.clone(),
        draft("# Policy\n\nEvery change is assessed."),
    )
    .await
    .unwrap();
    let detail = sms_documents::detail(db.reader(), id, today).await.unwrap();
    let v1 = detail.latest().unwrap().clone();
    let edited = sms_documents::save_draft(
        db,
        editor,
        &actor(editor),
        v1.id,
        v1.version,
        detail.summary.version,
        document,
        draft("# Policy\n\nEvery change is assessed, except mine."),
    )
    .await
    .unwrap();
    assert_eq!(edited.contributor_ids, vec![editor.id]);
    let sent = sms_documents::transition_version(
        db,
        author,
        &actor(author),
        v1.id,
        edited.version,
        DocAction::SendToReview,
        today,
    )
    .await
    .unwrap();
    (id, sent)
}

/// A plan `owner` started and `contributor` wrote the scope of, sent to review by the owner:
/// the plan's id and the version in review.
pub async fn plan_in_review_written_with(
    db: &TestDb,
    owner: &CurrentUser,
    contributor: &CurrentUser,
) -> (i64, PlanVersion) {
    let (plan, draft) = continuity_plans::create(
        db,
        owner,
        &actor(owner),
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
    let saved = continuity_plans::save_draft(
        db,
        contributor,
        &actor(contributor),
        draft.id,
        draft.version,
        PlanContent {
            scope: "Payroll for all staff".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(saved.contributor_ids, vec![contributor.id]);
    let review = continuity_plans::transition_version(
        db,
        owner,
        &actor(owner),
        draft.id,
        saved.version,
        PlanAction::SendToReview,
    )
    .await
    .unwrap();
    (plan, review)
}

/// An audit of clause 8.5.1 that `quality` planned in a programme around `on`, led by `lead`
/// alone, with `auditee`'s area in scope.
pub async fn planned_audit(
    db: &TestDb,
    quality: &CurrentUser,
    lead: &CurrentUser,
    auditee: &CurrentUser,
    on: NaiveDate,
) -> Audit {
    let programme = internal_audits::create_programme(
        db,
        quality,
        &actor(quality),
        ProgrammeForm {
            title: "Audit programme".into(),
            cycle_start: (on - chrono::Days::new(30)).to_string(),
            cycle_end: (on + chrono::Days::new(300)).to_string(),
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap();
    internal_audits::plan_audit(
        db,
        &actor(quality),
        programme.id,
        AuditForm {
            title: "Change management".into(),
            clauses: vec!["8.5.1".into()],
            area: "Change management process".into(),
            planned_on: on.to_string(),
            lead_auditor_id: lead.id.to_string(),
            auditor_ids: vec![],
            auditee_ids: vec![auditee.id.to_string()],
            scope: "Changes closed in the last six months".into(),
            criteria: "ISO/IEC 20000-1:2018; change procedure".into(),
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap()
}

/// [`planned_audit`], started by its lead: the audit and its first checklist item.
pub async fn started_audit(
    db: &TestDb,
    quality: &CurrentUser,
    lead: &CurrentUser,
    auditee: &CurrentUser,
    on: NaiveDate,
) -> (Audit, i64) {
    let audit = planned_audit(db, quality, lead, auditee, on).await;
    let started = internal_audits::transition_audit(
        db,
        lead,
        &actor(lead),
        audit.id,
        audit.version,
        AuditAction::Start,
        String::new(),
        on,
    )
    .await
    .unwrap();
    let item = internal_audits::detail(db.reader(), audit.id)
        .await
        .unwrap()
        .checklist[0]
        .id;
    (started, item)
}
