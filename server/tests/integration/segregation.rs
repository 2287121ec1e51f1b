//! Segregation of duties that no path gets around, tried as an attacker with a valid account
//! would: through another server function, a field edit, a hand-over or a second request.
//! Improvements (owner never decides or verifies, also after a hand-over; owner and approver
//! change only by someone entitled), KPIs, internal audits (only the independent team
//! records), documents and plans (nobody who wrote part of a version approves it) and the
//! nonconformity waiting period. Each refusal leaves the record as it was.

use crate::common;

use app::error::AppError;
use app::model::access::Role;
use app::model::continuity_plan::{PlanAction, PlanState};
use app::model::improvement::{ImprovementAction, ImprovementState};
use app::model::internal_audit::{validate_checklist_entry, AuditAction, FindingForm};
use app::model::register::{ImprovementForm, KpiForm, MeasurementForm};
use app::model::sms_document::{DocAction, DocState};
use app::model::user::CurrentUser;
use app::server::service::continuity_plans;
use app::server::service::register::{self, TransitionInput};
use app::server::service::{audit_trail, internal_audits, sms_documents};
use chrono::NaiveDate;
use common::{actor, fixtures, person};

fn entry_form(owner: i64, approver: Option<i64>) -> ImprovementForm {
    ImprovementForm {
        title: "Cut repeat incidents on the portal".into(),
        source: "incident_trend".into(),
        clauses: "10.2".into(),
        benefit_score: "4".into(),
        effort: "M".into(),
        owner_id: owner.to_string(),
        approver_id: approver.map(|a| a.to_string()).unwrap_or_default(),
        target_date: "2027-03-31".into(),
        ..Default::default()
    }
}

async fn move_entry(
    db: &app::server::db::Db,
    who: &CurrentUser,
    id: i64,
    action: ImprovementAction,
) -> Result<app::model::register::Improvement, AppError> {
    let version = register::get(db.reader(), id).await.unwrap().version;
    let input = TransitionInput {
        outcome: if action == ImprovementAction::Verify {
            "Repeat incidents down from 40 to 22 a month.".into()
        } else {
            String::new()
        },
        closure_code: None,
    };
    register::transition(db, who, &actor(who), id, version, action, input).await
}

async fn edit_entry(
    db: &app::server::db::Db,
    who: &CurrentUser,
    id: i64,
    owner: i64,
    approver: Option<i64>,
) -> Result<app::model::register::Improvement, AppError> {
    let version = register::get(db.reader(), id).await.unwrap().version;
    let draft = entry_form(owner, approver).validate().unwrap();
    register::update(db, who, &actor(who), id, version, draft).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_but_the_owner_or_a_quality_manager_rewrites_owner_or_approver() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let approver = person(&db, "approver@example.org", Role::ChangeManager).await;
    let mallory = person(&db, "mallory@example.org", Role::Requester).await;
    let entry = register::create(
        &db,
        &actor(&owner),
        entry_form(owner.id, Some(approver.id)).validate().unwrap(),
    )
    .await
    .unwrap();

    // Someone who may raise improvements, but neither owns this one nor runs the register,
    // tries to make themselves owner, then approver: both refused, nothing written.
    for (new_owner, new_approver) in [
        (mallory.id, Some(approver.id)),
        (owner.id, Some(mallory.id)),
    ] {
        let refused = edit_entry(&db, &mallory, entry.id, new_owner, new_approver)
            .await
            .unwrap_err();
        assert!(
            matches!(refused, AppError::Refused(ref m) if m.contains("Only the owner or a quality manager")),
            "{refused:?}"
        );
    }
    let unchanged = register::get(db.reader(), entry.id).await.unwrap();
    assert_eq!(unchanged.version, entry.version);
    assert_eq!(unchanged.owner.id, owner.id);
    assert_eq!(unchanged.approver.as_ref().map(|a| a.id), Some(approver.id));

    // The owner cannot name themselves approver either: the form says so, and the service
    // refuses a draft built around the form.
    assert!(entry_form(owner.id, Some(owner.id)).validate().is_err());
    let mut draft = entry_form(owner.id, None).validate().unwrap();
    draft.approver_id = Some(owner.id);
    let own = register::update(&db, &owner, &actor(&owner), entry.id, entry.version, draft)
        .await
        .unwrap_err();
    assert!(
        own.to_string().contains("cannot be its approver"),
        "{own:?}"
    );
    assert_eq!(
        register::get(db.reader(), entry.id).await.unwrap().version,
        entry.version
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_over_does_not_let_the_former_owner_decide_or_verify() {
    let db = common::test_db().await;
    // Quinn is a quality manager who owns an improvement: the role does not let them decide it.
    let quinn = person(&db, "quinn@example.org", Role::QualityManager).await;
    let dana = person(&db, "dana@example.org", Role::ServiceOwner).await;
    let other_qm = person(&db, "quill@example.org", Role::QualityManager).await;
    let entry = register::create(
        &db,
        &actor(&quinn),
        entry_form(quinn.id, None).validate().unwrap(),
    )
    .await
    .unwrap();
    move_entry(&db, &quinn, entry.id, ImprovementAction::Evaluate)
        .await
        .unwrap();
    let refused = move_entry(&db, &quinn, entry.id, ImprovementAction::Approve)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("cannot decide"), "{refused}");

    // Quinn hands it to Dana before the decision, then tries again as a quality manager.
    let handed = edit_entry(&db, &quinn, entry.id, dana.id, None)
        .await
        .unwrap();
    assert_eq!(handed.owner.id, dana.id);
    assert_eq!(handed.former_owner_ids, vec![quinn.id]);
    let refused = move_entry(&db, &quinn, entry.id, ImprovementAction::Approve)
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("before a hand-over"),
        "{refused}"
    );
    // Nor can Quinn come back as the named approver.
    let refused = edit_entry(&db, &dana, entry.id, dana.id, Some(quinn.id))
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("has owned"), "{refused}");
    assert_eq!(
        register::get(db.reader(), entry.id).await.unwrap().state,
        ImprovementState::Evaluated
    );

    // Another quality manager decides; Dana works it; Quinn still cannot verify.
    move_entry(&db, &other_qm, entry.id, ImprovementAction::Approve)
        .await
        .unwrap();
    move_entry(&db, &dana, entry.id, ImprovementAction::Start)
        .await
        .unwrap();
    move_entry(&db, &dana, entry.id, ImprovementAction::Implement)
        .await
        .unwrap();
    let refused = move_entry(&db, &quinn, entry.id, ImprovementAction::Verify)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("has not owned"), "{refused}");
    let verified = move_entry(&db, &other_qm, entry.id, ImprovementAction::Verify)
        .await
        .unwrap();
    assert_eq!(verified.verifier.map(|v| v.id), Some(other_qm.id));

    // The hand-over is in the audit trail with the old and new owner.
    let history = audit_trail::history(&db, "improvement", &entry.id.to_string())
        .await
        .unwrap();
    let update = history
        .iter()
        .find(|h| h.action == "improvement_updated")
        .expect("the hand-over is audited");
    let changes = serde_json::to_string(&update.changes).unwrap();
    assert!(
        changes.contains(&quinn.name) && changes.contains(&dana.name),
        "{changes}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approver_named_by_themselves_does_not_decide_and_reassignment_stops_at_the_decision() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let raiser = person(&db, "raiser@example.org", Role::Requester).await;
    let approver = person(&db, "approver@example.org", Role::ChangeManager).await;
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    // The raiser names Dana the owner and themselves the approver.
    let entry = register::create(
        &db,
        &actor(&raiser),
        entry_form(owner.id, Some(raiser.id)).validate().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(entry.approver_named_by, Some(raiser.id));
    move_entry(&db, &owner, entry.id, ImprovementAction::Evaluate)
        .await
        .unwrap();
    let refused = move_entry(&db, &raiser, entry.id, ImprovementAction::Approve)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("named yourself"), "{refused}");

    // The owner names someone else before the decision; that approver decides.
    let renamed = edit_entry(&db, &owner, entry.id, owner.id, Some(approver.id))
        .await
        .unwrap();
    assert_eq!(renamed.approver_named_by, Some(owner.id));
    move_entry(&db, &approver, entry.id, ImprovementAction::Approve)
        .await
        .unwrap();

    // After the decision the owner can no longer swap owner or approver; a quality manager can.
    for (new_owner, new_approver) in [(raiser.id, Some(approver.id)), (owner.id, Some(raiser.id))] {
        let refused = edit_entry(&db, &owner, entry.id, new_owner, new_approver)
            .await
            .unwrap_err();
        assert!(
            refused.to_string().contains("only a quality manager"),
            "{refused}"
        );
    }
    let reassigned = edit_entry(&db, &quality, entry.id, raiser.id, Some(approver.id))
        .await
        .unwrap();
    assert_eq!(reassigned.owner.id, raiser.id);
    assert_eq!(reassigned.former_owner_ids, vec![owner.id]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kpis_are_kept_by_owner_or_quality_manager_and_frozen_once_verified() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let approver = person(&db, "approver@example.org", Role::ChangeManager).await;
    let mallory = person(&db, "mallory@example.org", Role::Requester).await;
    let entry = register::create(
        &db,
        &actor(&owner),
        entry_form(owner.id, Some(approver.id)).validate().unwrap(),
    )
    .await
    .unwrap();
    let kpi = || {
        KpiForm {
            name: "Repeat incidents".into(),
            unit: "per month".into(),
            baseline: "40".into(),
            target: "25".into(),
            direction: "lower".into(),
        }
        .validate()
        .unwrap()
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let value = |v: &str| {
        MeasurementForm {
            on: "2026-11-20".into(),
            value: v.into(),
        }
        .validate(today)
        .unwrap()
    };
    let refused = register::add_kpi(
        &db,
        &mallory,
        &actor(&mallory),
        entry.id,
        entry.version,
        kpi(),
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, AppError::Refused(_)), "{refused:?}");
    let e = register::add_kpi(&db, &owner, &actor(&owner), entry.id, entry.version, kpi())
        .await
        .unwrap();
    let kpi_id = e.kpis[0].id;
    // Someone else's figure would decide whether the target is met: refused.
    let refused = register::add_measurement(
        &db,
        &mallory,
        &actor(&mallory),
        entry.id,
        e.version,
        kpi_id,
        value("1"),
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, AppError::Refused(_)), "{refused:?}");
    register::add_measurement(
        &db,
        &owner,
        &actor(&owner),
        entry.id,
        e.version,
        kpi_id,
        value("22"),
    )
    .await
    .unwrap();
    for (who, action) in [
        (&owner, ImprovementAction::Evaluate),
        (&approver, ImprovementAction::Approve),
        (&owner, ImprovementAction::Start),
        (&owner, ImprovementAction::Implement),
        (&approver, ImprovementAction::Verify),
    ] {
        move_entry(&db, who, entry.id, action).await.unwrap();
    }
    // Verified: the figures the verdict was judged on stay as they were, also for the owner.
    let e = register::get(db.reader(), entry.id).await.unwrap();
    let refused = register::add_measurement(
        &db,
        &owner,
        &actor(&owner),
        entry.id,
        e.version,
        kpi_id,
        value("30"),
    )
    .await
    .unwrap_err();
    assert!(refused.to_string().contains("verified"), "{refused}");
    let refused = register::add_kpi(&db, &owner, &actor(&owner), entry.id, e.version, kpi())
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Refused(_)), "{refused:?}");
    let after = register::get(db.reader(), entry.id).await.unwrap();
    assert_eq!(after.version, e.version);
    assert_eq!(after.kpis.len(), 1);
    assert_eq!(after.kpis[0].measurements.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_improvement_edit_over_http_by_someone_else_is_refused() {
    use common::web::{add_user, call, send, sign_in, state, PASSWORD};
    let db = common::test_db().await;
    let owner = add_user(&db, "owner@example.org", vec![Role::ServiceOwner]).await;
    add_user(&db, "mallory@example.org", vec![Role::Requester]).await;
    let owner_user = CurrentUser {
        id: owner.id,
        email: owner.email.clone(),
        name: owner.name.clone(),
        roles: owner.roles.clone(),
        time_zone: "UTC".into(),
    };
    let entry = register::create(
        &db,
        &actor(&owner_user),
        entry_form(owner.id, None).validate().unwrap(),
    )
    .await
    .unwrap();
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "mallory@example.org", PASSWORD).await;
    let mallory = app::server::service::users::find_by_email(&db, "mallory@example.org")
        .await
        .unwrap()
        .unwrap();
    let body = format!(
        "id={}&version={}&form[title]=Mine+now+entirely&form[source]=staff_suggestion&form[owner_id]={}",
        entry.id, entry.version, mallory.id
    );
    let reply = send(
        &state,
        call("/api/improvements/update", &body, Some(&cookie)),
    )
    .await;
    assert_eq!(
        reply.status,
        axum::http::StatusCode::FORBIDDEN,
        "{}",
        reply.body
    );
    assert!(matches!(reply.error(), AppError::Refused(_)));
    let unchanged = register::get(db.reader(), entry.id).await.unwrap();
    assert_eq!(unchanged.owner.id, owner.id);
    assert_eq!(unchanged.version, entry.version);
}

// ---------------------------------------------------------------------------------------
// Internal audits: only the independent team records results, findings and completion.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_audits_team_records_results_findings_and_completion() {
    let db = common::test_db().await;
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    let lead = person(&db, "lead@example.org", Role::Auditor).await;
    let other_auditor = person(&db, "other.auditor@example.org", Role::Auditor).await;
    let auditee = person(&db, "change@example.org", Role::ChangeManager).await;
    let today = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    let audit = fixtures::planned_audit(&db, &quality, &lead, &auditee, today).await;
    // The quality manager who planned it, another auditor and the auditee cannot start it.
    for who in [&quality, &other_auditor, &auditee] {
        let refused = internal_audits::transition_audit(
            &db,
            who,
            &actor(who),
            audit.id,
            audit.version,
            AuditAction::Start,
            String::new(),
            today,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(refused, AppError::Refused(_)),
            "{}: {refused:?}",
            who.email
        );
    }
    let started = internal_audits::transition_audit(
        &db,
        &lead,
        &actor(&lead),
        audit.id,
        audit.version,
        AuditAction::Start,
        String::new(),
        today,
    )
    .await
    .unwrap();
    let detail = internal_audits::detail(db.reader(), audit.id)
        .await
        .unwrap();
    let item = detail.checklist[0].id;
    let entry = || validate_checklist_entry("conforming", "Looked fine", "CHG-00012").unwrap();
    for who in [&quality, &other_auditor, &auditee] {
        let refused = internal_audits::record_item(
            &db,
            who,
            &actor(who),
            audit.id,
            started.version,
            item,
            entry(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(refused, AppError::Refused(_)),
            "{}: {refused:?}",
            who.email
        );
        // The auditee cannot record a finding about their own area either.
        let refused = internal_audits::record_finding(
            &db,
            who,
            &actor(who),
            audit.id,
            started.version,
            FindingForm {
                grade: "observation".into(),
                clause: "8.5.1".into(),
                statement: "Everything is fine here, nothing to see.".into(),
                evidence: String::new(),
                owner_id: auditee.id.to_string(),
            },
            today,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(refused, AppError::Refused(_)),
            "{}: {refused:?}",
            who.email
        );
    }
    let unchanged = internal_audits::detail(db.reader(), audit.id)
        .await
        .unwrap();
    assert_eq!(unchanged.audit.version, started.version);
    assert!(unchanged.findings.is_empty());
    // The quality manager may still call the audit off; the team records the result.
    internal_audits::record_item(
        &db,
        &lead,
        &actor(&lead),
        audit.id,
        started.version,
        item,
        entry(),
    )
    .await
    .unwrap();
    let cancelled = internal_audits::transition_audit(
        &db,
        &quality,
        &actor(&quality),
        audit.id,
        started.version + 1,
        AuditAction::Cancel,
        String::new(),
        today,
    )
    .await
    .unwrap();
    assert_eq!(cancelled.state.label(), "Cancelled");
}

// ---------------------------------------------------------------------------------------
// Documents and plans: nobody who wrote any part of the version approves it.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quality_manager_who_edited_the_draft_does_not_approve_it() {
    let db = common::test_db().await;
    let author = person(&db, "chris@example.org", Role::ChangeManager).await;
    let editor_qm = person(&db, "quinn@example.org", Role::QualityManager).await;
    let other_qm = person(&db, "quill@example.org", Role::QualityManager).await;
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    // The quality manager rewrites a paragraph of Chris's draft; Chris sends it to review.
    let (_, sent) = fixtures::document_in_review_edited_by(&db, &author, &editor_qm, today).await;
    let refused = sms_documents::transition_version(
        &db,
        &editor_qm,
        &actor(&editor_qm),
        sent.id,
        sent.version,
        DocAction::Approve,
        today,
    )
    .await
    .unwrap_err();
    assert!(
        refused.to_string().contains("part of this version"),
        "{refused}"
    );
    let approved = sms_documents::transition_version(
        &db,
        &other_qm,
        &actor(&other_qm),
        sent.id,
        sent.version,
        DocAction::Approve,
        today,
    )
    .await
    .unwrap();
    assert_eq!(approved.state, DocState::Approved);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_continuity_manager_who_edited_the_draft_does_not_approve_it() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let rowan = person(&db, "rowan@example.org", Role::ContinuityManager).await;
    let sam = person(&db, "sam@example.org", Role::ContinuityManager).await;
    // Rowan, a continuity manager, writes the scope into the owner's draft.
    let (_, review) = fixtures::plan_in_review_written_with(&db, &owner, &rowan).await;
    let refused = continuity_plans::transition_version(
        &db,
        &rowan,
        &actor(&rowan),
        review.id,
        review.version,
        PlanAction::Approve,
    )
    .await
    .unwrap_err();
    assert!(
        refused.to_string().contains("no part of this version"),
        "{refused}"
    );
    let approved = continuity_plans::transition_version(
        &db,
        &sam,
        &actor(&sam),
        review.id,
        review.version,
        PlanAction::Approve,
    )
    .await
    .unwrap();
    assert_eq!(approved.state, PlanState::Approved);
}

// ---------------------------------------------------------------------------------------
// Management-system writes check the write permission: an auditor reads objectives but does
// not record their measurements; nonconformity steps need the finding permission.
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_roles_cannot_record_measurements_or_nonconformity_steps_over_http() {
    use common::web::{add_user, call, send, sign_in, state, PASSWORD};
    let db = common::test_db().await;
    add_user(&db, "auditor@example.org", vec![Role::Auditor]).await;
    add_user(&db, "admin@example.org", vec![Role::Admin]).await;
    let state = state(db.db.clone());
    for (email, uri, body) in [
        (
            "auditor@example.org",
            "/api/objectives/measure",
            "id=1&form[measured_on]=2026-01-01&form[value]=1",
        ),
        (
            "auditor@example.org",
            "/api/reviews/action/done",
            "id=1&version=1",
        ),
        (
            "admin@example.org",
            "/api/nonconformities/step",
            "id=1&version=1&step=close",
        ),
    ] {
        let cookie = sign_in(&state, email, PASSWORD).await;
        let reply = send(&state, call(uri, body, Some(&cookie))).await;
        assert_eq!(
            reply.status,
            axum::http::StatusCode::FORBIDDEN,
            "{uri}: {}",
            reply.body
        );
        assert!(matches!(reply.error(), AppError::Forbidden(_)), "{uri}");
    }
}
