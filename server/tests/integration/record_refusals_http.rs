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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agreement_and_incident_rules_refuse_over_http_and_are_counted() {
    use app::model::agreement::{AgreementAction, AgreementState};
    use app::server::service::{agreements, incidents};
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let lee = person(&db, "lee@example.org", Role::ServiceLevelManager).await;
    let jo = person(&db, "jo@example.org", Role::Resolver).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let mail = crate::incidents::mail_under_agreement(&db, &sam, &lee).await;
    let sam_cookie = sign_in(&state, "sam@example.org", PERSON_PASSWORD).await;
    let lee_cookie = sign_in(&state, "lee@example.org", PERSON_PASSWORD).await;
    let jo_cookie = sign_in(&state, "jo@example.org", PERSON_PASSWORD).await;
    let robin_cookie = sign_in(&state, "robin@example.org", PERSON_PASSWORD).await;

    // Sam revises the approved agreement; Lee edits the draft, so both wrote part of it.
    let approved = agreements::current(db.reader(), 10).await.unwrap()[0].id;
    let uri = "/api/service_levels/agreements/revise";
    let reply = send(
        &state,
        call(uri, &format!("id={approved}"), Some(&sam_cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let draft: i64 = serde_json::from_str(&reply.body).unwrap();
    let edit = format!(
        "id={draft}&version=1&form[title]=Mail+and+calendar&form[customer]=All+staff\
         &form[service_ids][0]={mail}&form[calendar_id]=1&form[starts_on]=2027-01-01\
         &form[review_on]=2027-12-01&form[response][0]=15&form[response][1]=30\
         &form[response][2]=60&form[response][3]=240&form[response][4]=480\
         &form[resolution][0]=240&form[resolution][1]=480&form[resolution][2]=1440\
         &form[resolution][3]=2880&form[resolution][4]=7200&form[availability]=99.9\
         &form[fulfilment]=2880"
    );
    let reply = send(
        &state,
        call(
            "/api/service_levels/agreements/update",
            &edit,
            Some(&lee_cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    agreements::transition(
        &db,
        &sam,
        &actor(&sam),
        draft,
        2,
        AgreementAction::SendToReview,
    )
    .await
    .unwrap();
    // Neither its author nor its contributor approves it, nor edits it in review.
    for cookie in [&sam_cookie, &lee_cookie] {
        let words = refused_over_http(
            &state,
            "/api/service_levels/agreements/transition",
            &format!("id={draft}&version=3&action=approve"),
            cookie,
        )
        .await;
        assert!(words.contains("wrote part"), "{words}");
    }
    let words = refused_over_http(
        &state,
        "/api/service_levels/agreements/update",
        &edit.replace("version=1", "version=3"),
        &lee_cookie,
    )
    .await;
    assert!(words.contains("revise it"), "{words}");
    let text = agreements::detail(db.reader(), draft).await.unwrap();
    assert_eq!(text.state, AgreementState::InReview);
    assert_eq!(text.terms.availability_percent, 99.9);
    let entries = history(&db, "service_agreement", draft).await;
    assert!(refused_on_record(&entries, sam.id, "wrote part"));
    assert!(refused_on_record(&entries, lee.id, "wrote part"));

    // An incident reported over HTTP; its steps are refused to those the lifecycle does not name.
    let report = format!(
        "form[title]=Mail+bounces&form[service_id]={mail}&form[impact]=high&form[urgency]=high"
    );
    let reply = send(
        &state,
        call("/api/incidents/raise", &report, Some(&robin_cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let id: i64 = serde_json::from_str(&reply.body).unwrap();
    let assign_self = format!(
        "id={id}&version=1&form[action]=assign&form[assignee_id]={}",
        robin.id
    );
    let words = refused_over_http(&state, "/api/incidents/step", &assign_self, &robin_cookie).await;
    assert!(words.contains("Only resolvers"), "{words}");
    // Assigned to Sam: Jo, a resolver but not the assignee, does not start it.
    let assign = app::model::incident::StepForm {
        action: "assign".into(),
        assignee_id: sam.id.to_string(),
        ..Default::default()
    };
    incidents::take_step(&db, &sam, &actor(&sam), id, 1, &assign, chrono::Utc::now())
        .await
        .unwrap();
    let words = refused_over_http(
        &state,
        "/api/incidents/step",
        &format!("id={id}&version=2&form[action]=start"),
        &jo_cookie,
    )
    .await;
    assert!(words.contains("assignee"), "{words}");
    let words = refused_over_http(
        &state,
        "/api/incidents/major",
        &format!("id={id}&version=2&major=true"),
        &jo_cookie,
    )
    .await;
    assert!(words.contains("service level manager"), "{words}");
    let words = refused_over_http(
        &state,
        "/api/incidents/note",
        &format!("id={id}&note=Fixed+it&kind=communication"),
        &jo_cookie,
    )
    .await;
    assert!(words.contains("major incident"), "{words}");
    let record = incidents::detail(db.reader(), id, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(record.version, 2);
    assert!(!record.major);
    assert_eq!(record.assignee.map(|p| p.id), Some(sam.id));
    let entries = history(&db, "incident", id).await;
    assert!(refused_on_record(&entries, robin.id, "Only resolvers"));
    assert!(refused_on_record(&entries, jo.id, "assignee"));
}
