//! Rules of records other than changes, tried over HTTP the way a hand-made request would:
//! an owner approving their own improvement, someone else measuring it, a stranger planning
//! a nonconformity's corrective actions, a quality or continuity manager approving a document
//! or plan version they helped write, an auditor outside an audit's team recording its
//! results, findings or completion. Each is answered 403 in the rule's own words
//! (`AppError::Refused`), changes nothing, and is counted in the audit trail as
//! `rule_refused` on that record — the same way as a refusal of a change or a CAB decision.

use crate::common;

use app::error::AppError;
use app::model::access::Role;
use app::model::audit::AuditEntry;
use app::model::improvement::{ImprovementAction, ImprovementState};
use app::model::nonconformity::NcForm;
use app::model::register::ImprovementForm;
use app::server::db::Db;
use app::server::service::audit_trail;
use app::server::service::nonconformities::{self, Raised};
use app::server::service::register::{self, TransitionInput};
use app::server::state::AppState;
use axum::http::StatusCode;
use common::web::{add_user, call, send, sign_in, state, PASSWORD};
use common::{actor, fixtures, person, PERSON_PASSWORD};

async fn history(db: &Db, record_type: &str, id: i64) -> Vec<AuditEntry> {
    audit_trail::history(db, record_type, &id.to_string())
        .await
        .unwrap()
}

fn refused_on_record(entries: &[AuditEntry], user_id: i64, words: &str) -> bool {
    entries.iter().any(|e| {
        e.action == "rule_refused" && e.actor_id == Some(user_id) && e.summary.contains(words)
    })
}

/// Sends `body` to `uri` as the holder of `cookie` and expects a refusal by a rule of the
/// record: 403 with `AppError::Refused`. Answers the rule's words.
async fn refused_over_http(state: &AppState, uri: &str, body: &str, cookie: &str) -> String {
    let reply = send(state, call(uri, body, Some(cookie))).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri}: {}", reply.body);
    match reply.error() {
        AppError::Refused(words) => words,
        other => panic!("{uri}: not a rule refusal: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn improvement_rules_refuse_over_http_and_are_counted() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let other = person(&db, "other@example.org", Role::ServiceOwner).await;
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    let form = ImprovementForm {
        title: "Cut repeat incidents on the portal".into(),
        source: "incident_trend".into(),
        benefit_score: "4".into(),
        effort: "M".into(),
        owner_id: owner.id.to_string(),
        ..Default::default()
    };
    let entry = register::create(&db, &actor(&quality), form.validate().unwrap())
        .await
        .unwrap();
    let entry = register::transition(
        &db,
        &owner,
        &actor(&owner),
        entry.id,
        entry.version,
        ImprovementAction::Evaluate,
        TransitionInput::default(),
    )
    .await
    .unwrap();
    let owner_cookie = sign_in(&state, "owner@example.org", PERSON_PASSWORD).await;
    let other_cookie = sign_in(&state, "other@example.org", PERSON_PASSWORD).await;

    // The owner approves their own entry: refused in the rule's words.
    let owner_words = refused_over_http(
        &state,
        "/api/improvements/transition",
        &format!("id={}&version={}&action=approve", entry.id, entry.version),
        &owner_cookie,
    )
    .await;

    // Someone who neither owns it nor manages quality adds a KPI: refused.
    let words = refused_over_http(
        &state,
        "/api/improvements/add_kpi",
        &format!(
                "id={}&version={}&form[name]=Repeats&form[unit]=incidents&form[baseline]=40&form[target]=25&form[direction]=lower",
                entry.id, entry.version
            ),
        &other_cookie,
    )
    .await;
    assert!(
        words.contains("Only the owner or a quality manager"),
        "{words}"
    );

    // Nothing changed; both refusals are on the entry's record.
    let after = register::get(db.reader(), entry.id).await.unwrap();
    assert_eq!(after.state, ImprovementState::Evaluated);
    assert_eq!(after.version, entry.version);
    assert!(after.kpis.is_empty());
    state.safeguards.refusals.flush(&db, true).await.unwrap();
    let entries = history(&db, "improvement", entry.id).await;
    assert!(
        refused_on_record(&entries, owner.id, &owner_words),
        "{entries:?}"
    );
    assert!(
        refused_on_record(&entries, other.id, "Only the owner or a quality manager"),
        "{entries:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_cannot_work_a_nonconformity_over_http() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let auditor = person(&db, "auditor@example.org", Role::Auditor).await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let stranger = add_user(&db, "stranger@example.org", vec![Role::ServiceOwner]).await;
    let form = NcForm {
        grade: "minor".into(),
        clause: "8.5.1".into(),
        description: "Two emergency changes were never reviewed afterwards.".into(),
        evidence: "CHG-00012, CHG-00019".into(),
        found_in: "audit".into(),
        owner_id: owner.id.to_string(),
        wait_days: "30".into(),
    };
    let controls = app::model::controls::Controls {
        nc_min_wait_days: 30,
    };
    let Raised::Nonconformity(id) = nonconformities::raise(
        &db,
        &auditor,
        &actor(&auditor),
        form.validate().unwrap(),
        chrono::Utc::now().date_naive(),
        &controls,
    )
    .await
    .unwrap() else {
        panic!("a minor finding is a nonconformity");
    };
    let before = nonconformities::get(db.reader(), id).await.unwrap();
    let cookie = sign_in(&state, "stranger@example.org", PASSWORD).await;
    let words = refused_over_http(
        &state,
        "/api/nonconformities/step",
        &format!(
            "id={id}&version={}&step=contain&text=Reviewed+both+changes+now",
            before.version
        ),
        &cookie,
    )
    .await;
    assert_eq!(
        words,
        "Only the owner or a quality manager works on the nonconformity."
    );
    let after = nonconformities::get(db.reader(), id).await.unwrap();
    assert_eq!(after.version, before.version);
    assert_eq!(after.state, before.state);
    state.safeguards.refusals.flush(&db, true).await.unwrap();
    let entries = history(&db, "nonconformity", id).await;
    assert!(
        refused_on_record(&entries, stranger.id, "works on the nonconformity"),
        "{entries:?}"
    );
}

/// A quality manager who rewrote part of a draft calls the lifecycle route to approve it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contributor_cannot_approve_a_document_over_http() {
    use app::model::sms_document::DocState;
    use app::server::service::sms_documents;
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let author = person(&db, "chris@example.org", Role::ChangeManager).await;
    let editor = person(&db, "quinn@example.org", Role::QualityManager).await;
    let today = chrono::Utc::now().date_naive();
    let (id, sent) = fixtures::document_in_review_edited_by(&db, &author, &editor, today).await;
    let cookie = sign_in(&state, "quinn@example.org", PERSON_PASSWORD).await;
    let words = refused_over_http(
        &state,
        "/api/documents/version/transition",
        &format!(
            "version_id={}&version={}&action=Approve",
            sent.id, sent.version
        ),
        &cookie,
    )
    .await;
    assert!(words.contains("part of this version"), "{words}");
    let after = sms_documents::detail(db.reader(), id, today).await.unwrap();
    let version = after.latest().unwrap();
    assert_eq!(version.state, DocState::InReview);
    assert_eq!(version.version, sent.version);
    assert!(version.approved_by.is_none());
    state.safeguards.refusals.flush(&db, true).await.unwrap();
    let entries = history(&db, "sms_document", id).await;
    assert!(
        refused_on_record(&entries, editor.id, &words),
        "{entries:?}"
    );
}

/// A continuity manager who wrote the scope of the owner's draft calls the route to approve it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contributor_cannot_approve_a_continuity_plan_over_http() {
    use app::model::continuity_plan::PlanState;
    use app::server::service::continuity_plans;
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let rowan = person(&db, "rowan@example.org", Role::ContinuityManager).await;
    let (plan, review) = fixtures::plan_in_review_written_with(&db, &owner, &rowan).await;
    let cookie = sign_in(&state, "rowan@example.org", PERSON_PASSWORD).await;
    let words = refused_over_http(
        &state,
        "/api/continuity/version/transition",
        &format!(
            "version_id={}&version={}&action=Approve",
            review.id, review.version
        ),
        &cookie,
    )
    .await;
    assert!(words.contains("no part of this version"), "{words}");
    let versions = continuity_plans::versions(db.reader(), plan).await.unwrap();
    let version = versions.iter().find(|v| v.id == review.id).unwrap();
    assert_eq!(version.state, PlanState::InReview);
    assert_eq!(version.version, review.version);
    state.safeguards.refusals.flush(&db, true).await.unwrap();
    let entries = history(&db, "continuity_plan", plan).await;
    assert!(refused_on_record(&entries, rowan.id, &words), "{entries:?}");
}

/// An auditor who is not on the audit's team records a result, a finding and the completion
/// through the routes the audit page uses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_audit_team_records_an_audit_over_http() {
    use app::server::service::internal_audits;
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    let lead = person(&db, "lead@example.org", Role::Auditor).await;
    let outsider = person(&db, "other.auditor@example.org", Role::Auditor).await;
    let auditee = person(&db, "change@example.org", Role::ChangeManager).await;
    let today = chrono::Utc::now().date_naive();
    let (started, item) = fixtures::started_audit(&db, &quality, &lead, &auditee, today).await;
    let audit = &started;
    let cookie = sign_in(&state, "other.auditor@example.org", PERSON_PASSWORD).await;
    let v = started.version;
    let attempts = [
        (
            "/api/audits/checklist/record",
            format!("audit_id={}&version={v}&item_id={item}&result=conforming&notes=Fine&sampled_records=CHG-00012", audit.id),
        ),
        (
            "/api/audits/finding/record",
            format!("audit_id={}&version={v}&grade=observation&clause=8.5.1&statement=Everything+is+fine+here+nothing+to+see", audit.id),
        ),
        (
            "/api/audits/transition",
            format!("id={}&version={v}&action=complete&conclusion=All+good", audit.id),
        ),
    ];
    for (uri, body) in &attempts {
        refused_over_http(&state, uri, body, &cookie).await;
    }
    let after = internal_audits::detail(db.reader(), audit.id)
        .await
        .unwrap();
    assert_eq!(after.audit.version, started.version);
    assert_eq!(after.audit.state, started.state);
    assert!(after.findings.is_empty());
    assert!(after
        .checklist
        .iter()
        .all(|i| i.result == app::model::internal_audit::ChecklistResult::Pending));
    state.safeguards.refusals.flush(&db, true).await.unwrap();
    // The first refusal is on the audit's record in the rule's words; the other two are
    // counted in one entry when the window closes (flushed here), as for any caller.
    let on_record = history(&db, "internal_audit", audit.id)
        .await
        .into_iter()
        .filter(|e| e.action == "rule_refused" && e.actor_id == Some(outsider.id))
        .count();
    assert_eq!(on_record, 1);
    let trail = audit_trail::list(
        &db,
        &app::model::audit::AuditQueryParams::default().to_query(),
    )
    .await
    .unwrap();
    assert!(
        trail
            .items
            .iter()
            .any(|e| e.action == "rule_refused_repeatedly"
                && e.actor_id == Some(outsider.id)
                && e.summary.contains("refused 2 more time(s)")),
        "{:?}",
        trail.items
    );
}
