//! Rules of records other than changes, tried over HTTP the way a hand-made request would:
//! an owner approving their own improvement, someone else measuring it, a stranger planning
//! a nonconformity's corrective actions, someone who is not the objective's owner recording
//! its values. Each is answered 403 in the rule's own words (`AppError::Refused`), changes
//! nothing, and is counted in the audit trail as `rule_refused` on that record — the same
//! way as a refusal of a change or a CAB decision.

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
use app::server::service::register::{self, MoveInput};
use axum::http::StatusCode;
use common::web::{add_user, call, send, sign_in, state, PASSWORD};
use common::{actor, person, PERSON_PASSWORD};

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
        MoveInput::default(),
    )
    .await
    .unwrap();
    let owner_cookie = sign_in(&state, "owner@example.org", PERSON_PASSWORD).await;
    let other_cookie = sign_in(&state, "other@example.org", PERSON_PASSWORD).await;

    // The owner approves their own entry: refused in the rule's words.
    let reply = send(
        &state,
        call(
            "/api/improvements/transition",
            &format!("id={}&version={}&action=approve", entry.id, entry.version),
            Some(&owner_cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    let AppError::Refused(owner_words) = reply.error() else {
        panic!("not a rule refusal: {}", reply.body);
    };

    // Someone who neither owns it nor manages quality adds a KPI: refused.
    let reply = send(
        &state,
        call(
            "/api/improvements/add_kpi",
            &format!(
                "id={}&version={}&form[name]=Repeats&form[unit]=incidents&form[baseline]=40&form[target]=25&form[direction]=lower",
                entry.id, entry.version
            ),
            Some(&other_cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(
        reply.body.contains("Only the owner or a quality manager"),
        "{}",
        reply.body
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
    let reply = send(
        &state,
        call(
            "/api/nonconformities/step",
            &format!(
                "id={id}&version={}&step=contain&text=Reviewed+both+changes+now",
                before.version
            ),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(
        reply.error(),
        AppError::Refused("Only the owner or a quality manager works on the nonconformity.".into())
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
