//! A continuity plan taken into an outage: exported as Markdown and as a printable page with
//! the call tree first and the steps as boxes to tick, the approved version by default.

use crate::common;
use common::web::current;

use app::model::access::Role;
use app::model::bia::BiaForm;
use app::model::continuity_plan::{Contact, PlanAction, PlanContent};
use app::model::recovery::RecoveryStep;
use app::model::service::ServiceForm;
use app::server::audit::Actor;
use app::server::service::continuity_plans::{self, NewPlan};
use app::server::service::{bia, catalogue};
use axum::http::{header, StatusCode};
use common::web::{add_user, get, send, sign_in, state, PASSWORD};

fn step(
    key: u32,
    title: &str,
    minutes: u32,
    waits_for: &[u32],
    owner: Option<i64>,
) -> RecoveryStep {
    RecoveryStep {
        key,
        title: title.into(),
        owner_id: owner,
        duration_minutes: minutes,
        waits_for: waits_for.to_vec(),
        depth: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_prints_call_tree_first_and_exports_as_markdown() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let owner = add_user(&db, "owner@example.org", vec![Role::ServiceOwner]).await;
    let rowan = add_user(&db, "rowan@example.org", vec![Role::ContinuityManager]).await;
    add_user(&db, "nobody@example.org", vec![]).await;
    let (owner_now, rowan_now) = (current(&owner), current(&rowan));
    let (owner_actor, rowan_actor) = (
        Actor::user(owner.id, owner.name.clone(), None),
        Actor::user(rowan.id, rowan.name.clone(), None),
    );

    // Payroll must be back within an hour.
    let payroll = catalogue::create(
        &db,
        &Actor::system("test"),
        ServiceForm {
            name: "Payroll".into(),
            owner: "Owner".into(),
            criticality: "high".into(),
            status: "live".into(),
            ..Default::default()
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap()
    .id;
    let objectives = BiaForm {
        impacts: (0..25).map(|i| ((i % 5) as u8).to_string()).collect(),
        mtpd: "1 d".into(),
        rto: "1 h".into(),
        rpo: "30 min".into(),
        depends_on: vec![],
        suppliers: String::new(),
    };
    bia::save(
        &db,
        &Actor::system("test"),
        owner.id,
        payroll,
        0,
        objectives.validate().unwrap(),
    )
    .await
    .unwrap();

    let (plan_id, draft) = continuity_plans::create(
        &db,
        &owner_now,
        &owner_actor,
        NewPlan {
            title: "Payroll continuity plan".into(),
            owner_id: owner.id,
            service_ids: vec![payroll],
            site: "Head office".into(),
            review_months: 12,
        },
    )
    .await
    .unwrap();
    let content = PlanContent {
        activation: "Payroll down for 30 min; the duty manager invokes.".into(),
        call_tree: vec![Contact {
            role: "Incident lead".into(),
            person: "Alex | nights".into(),
            deputy: "Sam Lee".into(),
            phone: "+44 20 7946 0000".into(),
        }],
        steps: vec![
            step(1, "Declare the incident", 15, &[], Some(owner.id)),
            step(2, "Fail over the database", 120, &[1], None),
        ],
        ..Default::default()
    };
    let saved = continuity_plans::save_draft(
        &db,
        &owner_now,
        &owner_actor,
        draft.id,
        draft.version,
        content.clone(),
    )
    .await
    .unwrap();
    let review = continuity_plans::transition_version(
        &db,
        &owner_now,
        &owner_actor,
        draft.id,
        saved.version,
        PlanAction::SendToReview,
    )
    .await
    .unwrap();
    continuity_plans::transition_version(
        &db,
        &rowan_now,
        &rowan_actor,
        draft.id,
        review.version,
        PlanAction::Approve,
    )
    .await
    .unwrap();
    // Version 2 is a draft that adds a step: the approved version stays the default.
    let second = continuity_plans::new_draft(&db, &rowan_now, &rowan_actor, plan_id)
        .await
        .unwrap();
    let mut changed = content.clone();
    changed
        .steps
        .push(step(3, "Tell the staff", 10, &[1], Some(rowan.id)));
    continuity_plans::save_draft(
        &db,
        &rowan_now,
        &rowan_actor,
        second.id,
        second.version,
        changed,
    )
    .await
    .unwrap();

    let cookie = sign_in(&state, "owner@example.org", PASSWORD).await;
    let at = |suffix: &str| format!("/continuity/plans/{plan_id}/{suffix}");

    let md = send(&state, get(&at("plan.md"), Some(&cookie))).await;
    assert_eq!(md.status, StatusCode::OK, "{}", md.body);
    assert!(md.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/markdown"));
    assert_eq!(
        md.headers[header::CONTENT_DISPOSITION].to_str().unwrap(),
        "attachment; filename=\"payroll-continuity-plan-v1.md\""
    );
    assert!(
        md.body.starts_with("# Payroll continuity plan\n"),
        "{}",
        md.body
    );
    assert!(md
        .body
        .contains("**Version 1 — approved** by User rowan@example.org on "));
    assert!(md.body.contains("Payroll (RTO 1 h)"), "{}", md.body);
    assert!(md.body.contains("- [ ] **1. Declare the incident**"));
    assert!(md.body.contains("- [ ] **2. Fail over the database**"));
    assert!(
        !md.body.contains("Tell the staff"),
        "the draft is not the default"
    );
    assert!(md.body.contains("**no owner**"));
    assert!(md.body.contains("**the plan does not meet it**"));

    let print = send(&state, get(&at("print"), Some(&cookie))).await;
    assert_eq!(print.status, StatusCode::OK, "{}", print.body);
    assert!(print.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let page = &print.body;
    assert!(!page.contains("<nav"), "no app chrome: {page}");
    assert!(!page.contains("<script"), "readable without JavaScript");
    assert!(page.contains("type=\"checkbox\""), "{page}");
    // The warnings are a list of their own, not boxes to tick.
    assert!(
        page.contains("has no owner.</li>\n</ul>\n<p>Tick each box"),
        "{page}"
    );
    let call_tree = page.find("<h2>Call tree</h2>").expect("call tree");
    let steps = page.find("<h2>Recovery steps</h2>").expect("steps");
    assert!(call_tree < steps);
    // The pipe in the person's name stays inside its cell: the row has five cells.
    let row_start = page.find("<td>1</td>").expect("call tree row");
    let row = &page[row_start..row_start + page[row_start..].find("</tr>").unwrap()];
    assert_eq!(row.matches("<td>").count(), 5, "{row}");
    assert!(row.contains("Alex | nights"), "{row}");
    assert!(page.contains("Printed ") && page.contains("check the version"));
    assert!(!page.contains("DRAFT — NOT APPROVED"));
    // Styles come from a file: the Content-Security-Policy refuses inline ones.
    assert!(!page.contains("<style"));
    assert!(page.contains("href=\"/print.css\""));
    let css = send(&state, get("/print.css", Some(&cookie))).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    assert!(css.body.contains("@page{size:A4"));

    // Any version on request; a wrong one is explained, never a crash.
    let draft = send(&state, get(&at("print?version=2"), Some(&cookie))).await;
    assert_eq!(draft.status, StatusCode::OK);
    assert!(draft.body.contains("DRAFT — NOT APPROVED"));
    assert!(draft.body.contains("Tell the staff"));
    let unknown = send(&state, get(&at("plan.md?version=9"), Some(&cookie))).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown
        .body
        .contains("Version 9 of this plan was not found."));
    let bad = send(&state, get(&at("print?version=two"), Some(&cookie))).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("not a version number"), "{}", bad.body);
    let missing = send(&state, get("/continuity/plans/424242/print", Some(&cookie))).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    // Someone without a role may not read plans; signed out, the browser signs in first.
    let nobody = sign_in(&state, "nobody@example.org", PASSWORD).await;
    let refused = send(&state, get(&at("plan.md"), Some(&nobody))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("read continuity plans"));
    let refused = send(&state, get(&at("print"), Some(&nobody))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let anonymous = send(&state, get(&at("print"), None)).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));
}
