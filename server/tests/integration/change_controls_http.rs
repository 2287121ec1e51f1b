//! The change controls over HTTP, tried the way a script or a hand-made request would: a
//! change whose approval path is the CAB (normal, medium risk or more) or the ECAB (emergency)
//! is not decided through the plain transition server function — not by a CAB member, not by
//! a change manager, not by the board's chair while its meeting runs with quorum — and no other
//! server function (edit, a standard change outside its template) brings it within reach.
//! Each attempt is answered 403 with the rule's own words (`AppError::Refused`), leaves the
//! change's state and version as they were, writes no transition, and is counted in the audit
//! trail as a refusal. Then the chair records the board's decision and the change moves.
//!
//! In the meeting itself, a chair of record whose roles no longer grant CabChair starts, moves,
//! decides and ends nothing (the permission check's 403); a member without CabVote does not
//! vote, and does not count towards the quorum.

use crate::common;
use common::web::{change_form_body as encode, current};

use app::error::AppError;
use app::model::access::Role;
use app::model::audit::AuditEntry;
use app::model::cab::BoardForm;
use app::model::change::{ChangeAction, ChangeState};
use app::model::change_request::{Change, ChangeForm};
use app::model::meeting::MeetingWhen;
use app::model::service::ServiceForm;
use app::model::standard_template::TemplateForm;
use app::model::user::CurrentUser;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::change_lists;
use app::server::service::changes::{self, TransitionInput};
use app::server::service::{audit_trail, cab, catalogue, templates};
use axum::http::StatusCode;
use chrono::Utc;
use common::actor;
use common::web::{add_user, call, send, sign_in, state, PASSWORD};

async fn service(db: &Db, name: &str) -> i64 {
    let form = ServiceForm {
        name: name.into(),
        owner: "Owner".into(),
        criticality: "low".into(),
        status: "live".into(),
        ..Default::default()
    };
    catalogue::create(db, &Actor::system("test"), form.validate().unwrap())
        .await
        .unwrap()
        .id
}

/// A change form; `risk` answers every risk question (2 puts a normal change on the CAB path).
fn form(kind: &str, service_id: i64, risk: u8) -> ChangeForm {
    let answer = risk.to_string();
    ChangeForm {
        title: "Replace the core switch".into(),
        change_type: kind.into(),
        service_ids: vec![service_id.to_string()],
        planned_start: "2027-03-02T22:00".into(),
        planned_end: "2027-03-02T23:00".into(),
        implementation_plan: "Swap the switch.".into(),
        test_plan: "Ping every rack.".into(),
        backout_plan: "Put the old one back.".into(),
        impact_breadth: answer.clone(),
        complexity: answer.clone(),
        backout_difficulty: answer.clone(),
        history: answer,
        time_pressure: "0".into(),
        ..Default::default()
    }
}

async fn load(db: &Db, id: i64) -> Change {
    changes::load(db.reader(), id).await.unwrap()
}

async fn history(db: &Db, id: i64) -> Vec<AuditEntry> {
    audit_trail::history(db, "change", &id.to_string())
        .await
        .unwrap()
}

/// Raised by `requester` and taken to awaiting authorisation (`manager` assesses a normal one).
async fn awaiting(
    db: &Db,
    requester: &CurrentUser,
    manager: &CurrentUser,
    form: ChangeForm,
) -> i64 {
    let change = changes::create(db, requester, &actor(requester), form.validate().unwrap())
        .await
        .unwrap();
    let mut steps = vec![(requester, ChangeAction::Submit)];
    if change.change_type == app::model::change::ChangeType::Normal {
        steps.push((manager, ChangeAction::Assess));
        steps.push((manager, ChangeAction::RequestAuthorisation));
    }
    for (who, action) in steps {
        let version = load(db, change.id).await.version;
        changes::transition(
            db,
            who,
            &actor(who),
            change.id,
            version,
            action,
            TransitionInput::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{action:?}: {e:?}"));
    }
    assert_eq!(
        load(db, change.id).await.state,
        ChangeState::AwaitingAuthorisation
    );
    change.id
}

/// The meeting's (version, state, current item), as `viewer` sees it.
async fn snapshot(
    db: &Db,
    viewer: &CurrentUser,
    meeting: i64,
) -> (i32, app::model::meeting::MeetingState, Option<i64>) {
    let m = cab::meetings::load(db, viewer, meeting).await.unwrap();
    (m.version, m.state, m.current_item_id)
}

/// Asserts a 403 refusal in the rule's words containing `words`.
fn refused_by_rule(reply: &common::web::Reply, words: &str) {
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    match reply.error() {
        AppError::Refused(message) => assert!(message.contains(words), "{message}"),
        other => panic!("a rule's refusal expected, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_board_path_change_is_not_decided_through_the_plain_transition() {
    let db = common::test_db().await;
    let requester = current(&add_user(&db, "req@example.org", vec![Role::Requester]).await);
    let manager = current(&add_user(&db, "mgr@example.org", vec![Role::ChangeManager]).await);
    let cab = current(&add_user(&db, "cab@example.org", vec![Role::CabMember]).await);
    let chair = current(&add_user(&db, "chair@example.org", vec![Role::CabMember]).await);
    let cookies = {
        let state = state(db.db.clone());
        let mut cookies = Vec::new();
        for who in [&cab, &manager, &chair] {
            cookies.push((who, sign_in(&state, &who.email, PASSWORD).await));
        }
        cookies
    };
    for (kind, board_kind) in [("normal", "cab"), ("emergency", "ecab")] {
        // Each kind on its own server state, so that each change's first refusals are written
        // out rather than counted against the previous kind's.
        let state = state(db.db.clone());
        let mail = service(&db, &format!("Network ({kind})")).await;
        let id = awaiting(&db, &requester, &manager, form(kind, mail, 2)).await;
        assert!(load(&db, id).await.approval_path().needs_board(), "{kind}");

        // The board's meeting is running, with quorum, on this very change.
        let board = cab::boards::create(
            &db,
            &actor(&manager),
            BoardForm {
                name: format!("{kind} board"),
                kind: board_kind.into(),
                chair_id: chair.id.to_string(),
                quorum_kind: "majority".into(),
                time_zone: "UTC".into(),
                member_ids: [&chair, &cab, &manager]
                    .iter()
                    .map(|m| m.id.to_string())
                    .collect(),
                ..Default::default()
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap();
        let meeting = cab::meetings::schedule(
            &db,
            &actor(&manager),
            board.id,
            MeetingWhen::Now,
            String::new(),
            Utc::now(),
        )
        .await
        .unwrap();
        let version = cab::meetings::load(&db, &chair, meeting)
            .await
            .unwrap()
            .version;
        cab::meetings::start(&db, &chair, &actor(&chair), meeting, version)
            .await
            .unwrap();
        let running = cab::meetings::load(&db, &chair, meeting).await.unwrap();
        let item = running
            .items
            .iter()
            .find(|i| i.change_id == id)
            .expect("on the agenda")
            .id;
        if running.current_item_id != Some(item) {
            cab::meetings::go_to(&db, &chair, &actor(&chair), meeting, running.version, item)
                .await
                .unwrap();
        }
        for present in [&chair, &cab] {
            cab::presence::join(&db, meeting, present.id).await.unwrap();
        }
        let running = cab::meetings::load(&db, &chair, meeting).await.unwrap();
        assert!(running.quorum.refusal.is_none(), "{:?}", running.quorum);

        // The plain transition, by each of them, for each decision the board takes.
        let before = load(&db, id).await;
        let mut actions = vec!["authorise", "reject"];
        if kind == "normal" {
            actions.push("defer");
        }
        for (who, cookie) in &cookies {
            for action in &actions {
                let body = format!(
                    "id={id}&version={}&action={action}&comment=Decided+by+me",
                    before.version
                );
                let reply =
                    send(&state, call("/api/changes/transition", &body, Some(cookie))).await;
                refused_by_rule(&reply, "meeting with quorum");
                let after = load(&db, id).await;
                assert_eq!(
                    after.state,
                    ChangeState::AwaitingAuthorisation,
                    "{kind} {action} by {}",
                    who.email
                );
                assert_eq!(
                    after.version, before.version,
                    "{kind} {action} by {}",
                    who.email
                );
            }
        }
        let entries = history(&db, id).await;
        assert!(
            !entries.iter().any(|e| e.action == "change_transition"
                && (e.summary.contains("→ Authorised") || e.summary.contains("→ Rejected"))),
            "{entries:?}"
        );
        // Each person's first refusal is on the change's record, in the rule's words; the rest
        // of the window is counted.
        for (who, _) in &cookies {
            assert!(
                entries.iter().any(|e| e.action == "rule_refused"
                    && e.actor_id == Some(who.id)
                    && e.summary.contains("meeting with quorum")),
                "{kind}: {} not on record: {entries:?}",
                who.email
            );
        }
        let counted = state.safeguards.refusals.flush(&db, true).await.unwrap();
        assert_eq!(counted, 3, "one count per person for the further refusals");

        // The one way: the chair records the board's decision in the meeting.
        let chair_cookie = &cookies.iter().find(|(w, _)| w.id == chair.id).unwrap().1;
        let version = cab::meetings::load(&db, &chair, meeting)
            .await
            .unwrap()
            .version;
        let body = format!(
            "id={meeting}&version={version}&item_id={item}&form[decision]=authorise&form[text]=&form[notes]=Agreed"
        );
        let reply = send(&state, call("/api/cab/decide", &body, Some(chair_cookie))).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let decided = load(&db, id).await;
        assert_eq!(decided.state, ChangeState::Authorised, "{kind}");
        let entries = history(&db, id).await;
        assert!(
            entries.iter().any(|e| e.action == "change_transition"
                && e.summary.contains("→ Authorised")
                && e.actor_id == Some(chair.id)),
            "{entries:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_other_server_function_brings_a_board_path_change_within_reach() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let requester = current(&add_user(&db, "req@example.org", vec![Role::Requester]).await);
    let manager = current(&add_user(&db, "mgr@example.org", vec![Role::ChangeManager]).await);
    add_user(&db, "cab@example.org", vec![Role::CabMember]).await;
    let as_requester = sign_in(&state, "req@example.org", PASSWORD).await;
    let as_cab = sign_in(&state, "cab@example.org", PASSWORD).await;
    let erp = service(&db, "ERP").await;
    let payroll = service(&db, "Payroll").await;
    let template = templates::create(
        &db,
        &actor(&manager),
        TemplateForm {
            name: "Monthly patching".into(),
            service_ids: vec![erp.to_string()],
            implementation_plan: "Patch one node at a time.".into(),
            test_plan: "Health checks.".into(),
            backout_plan: "Revert the snapshot.".into(),
            ..Default::default()
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap();

    // Waiting for the CAB: the requester cannot edit it down to low risk.
    let waiting = awaiting(&db, &requester, &manager, form("normal", erp, 2)).await;
    let before = load(&db, waiting).await;
    let mut lowered = before.to_form(|t| t.naive_utc());
    for answer in [
        &mut lowered.impact_breadth,
        &mut lowered.complexity,
        &mut lowered.backout_difficulty,
        &mut lowered.history,
    ] {
        *answer = "0".into();
    }
    let body = format!(
        "id={waiting}&version={}&{}",
        before.version,
        encode(&lowered)
    );
    let reply = send(
        &state,
        call("/api/changes/update", &body, Some(&as_requester)),
    )
    .await;
    refused_by_rule(&reply, "can no longer be edited");
    let after = load(&db, waiting).await;
    assert_eq!((after.state, after.version), (before.state, before.version));
    assert_eq!(after.risk_level(), before.risk_level());

    // Submitted, not yet assessed: it cannot become a pre-authorised standard change.
    let submitted = changes::create(
        &db,
        &requester,
        &actor(&requester),
        form("normal", erp, 2).validate().unwrap(),
    )
    .await
    .unwrap();
    changes::transition(
        &db,
        &requester,
        &actor(&requester),
        submitted.id,
        submitted.version,
        ChangeAction::Submit,
        TransitionInput::default(),
    )
    .await
    .unwrap();
    let before = load(&db, submitted.id).await;
    let mut standard = before.to_form(|t| t.naive_utc());
    standard.change_type = "standard".into();
    standard.template_id = template.id.to_string();
    let body = format!(
        "id={}&version={}&{}",
        submitted.id,
        before.version,
        encode(&standard)
    );
    let reply = send(
        &state,
        call("/api/changes/update", &body, Some(&as_requester)),
    )
    .await;
    refused_by_rule(&reply, "cannot become a standard change once submitted");
    let after = load(&db, submitted.id).await;
    assert_eq!(
        (after.state, after.version, after.change_type),
        (before.state, before.version, before.change_type)
    );

    // Someone who neither requested nor owns it does not edit it.
    let reply = send(
        &state,
        call(
            "/api/changes/update",
            &format!(
                "id={}&version={}&{}",
                submitted.id,
                before.version,
                encode(&before.to_form(|t| t.naive_utc()))
            ),
            Some(&as_cab),
        ),
    )
    .await;
    refused_by_rule(
        &reply,
        "Only the requester, the change owner or a change manager",
    );
    assert_eq!(load(&db, submitted.id).await.version, before.version);

    // A standard change is pre-authorised only on its template's services.
    let total = change_lists::list(&db, &Default::default())
        .await
        .unwrap()
        .total;
    let mut outside = form("standard", payroll, 0);
    outside.template_id = template.id.to_string();
    let reply = send(
        &state,
        call(
            "/api/changes/create",
            &encode(&outside),
            Some(&as_requester),
        ),
    )
    .await;
    refused_by_rule(&reply, "pre-authorised only for its own services");
    assert_eq!(
        change_lists::list(&db, &Default::default())
            .await
            .unwrap()
            .total,
        total,
        "nothing created"
    );

    // Imports (history only) are not offered over HTTP at all.
    assert!(
        !leptos::server_fn::axum::server_fn_paths()
            .any(|(path, _)| path.starts_with("/api/changes/") && path.contains("import")),
        "no change import server function"
    );

    // Every refusal above is on record, in the rule's words.
    state.safeguards.refusals.flush(&db, true).await.unwrap();
    let refusals: Vec<AuditEntry> = history(&db, waiting)
        .await
        .into_iter()
        .filter(|e| e.action == "rule_refused")
        .collect();
    assert_eq!(refusals.len(), 1, "{refusals:?}");
    assert!(refusals[0].summary.contains("can no longer be edited"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chair_of_record_without_cab_chair_runs_nothing_and_only_voters_count() {
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let requester = current(&add_user(&db, "req@example.org", vec![Role::Requester]).await);
    let manager = current(&add_user(&db, "mgr@example.org", vec![Role::ChangeManager]).await);
    let chair = add_user(&db, "chair@example.org", vec![Role::CabMember]).await;
    let member = current(&add_user(&db, "member@example.org", vec![Role::CabMember]).await);
    let auditor = current(&add_user(&db, "auditor@example.org", vec![Role::Auditor]).await);
    let as_chair = sign_in(&state, "chair@example.org", PASSWORD).await;
    let as_manager = sign_in(&state, "mgr@example.org", PASSWORD).await;
    let as_auditor = sign_in(&state, "auditor@example.org", PASSWORD).await;
    let net = service(&db, "Network").await;
    let id = awaiting(&db, &requester, &manager, form("normal", net, 2)).await;
    let board = cab::boards::create(
        &db,
        &actor(&manager),
        BoardForm {
            name: "Weekly CAB".into(),
            kind: "cab".into(),
            chair_id: chair.id.to_string(),
            quorum_kind: "at_least".into(),
            quorum_value: "2".into(),
            time_zone: "UTC".into(),
            member_ids: [chair.id, member.id, auditor.id]
                .iter()
                .map(|m| m.to_string())
                .collect(),
            ..Default::default()
        }
        .validate()
        .unwrap(),
    )
    .await
    .unwrap();
    let meeting = cab::meetings::schedule(
        &db,
        &actor(&manager),
        board.id,
        MeetingWhen::Now,
        String::new(),
        Utc::now(),
    )
    .await
    .unwrap();
    // The chair is no longer a CAB member: the board still names them, their roles do not
    // grant chairing. Their open session sees it at once.
    app::server::service::users::set_roles(
        &db,
        &Actor::system("test"),
        chair.id,
        chair.version,
        vec![Role::Requester],
    )
    .await
    .unwrap();
    let chair = current(
        &app::server::service::users::get(&db, chair.id)
            .await
            .unwrap(),
    );
    let no_chairing =
        AppError::Forbidden(app::model::access::Permission::CabChair.describe().into());

    // Start: refused, the meeting stays as it was.
    let before = snapshot(&db, &manager, meeting).await;
    let reply = send(
        &state,
        call(
            "/api/cab/start",
            &format!("id={meeting}&version={}", before.0),
            Some(&as_chair),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(reply.error(), no_chairing);
    assert_eq!(snapshot(&db, &manager, meeting).await, before);
    // A change manager stands in and starts it.
    let reply = send(
        &state,
        call(
            "/api/cab/start",
            &format!("id={meeting}&version={}", before.0),
            Some(&as_manager),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    for present in [chair.id, member.id, auditor.id] {
        cab::presence::join(&db, meeting, present).await.unwrap();
    }
    let running = cab::meetings::load(&db, &manager, meeting).await.unwrap();
    let item = running
        .items
        .iter()
        .find(|i| i.change_id == id)
        .expect("on the agenda")
        .id;
    assert_eq!(running.current_item_id, Some(item));
    // Three people in the room, two seats count: the auditor holds no CabVote.
    let reply = send(
        &state,
        call(
            "/api/cab/meeting",
            &format!("id={meeting}"),
            Some(&as_manager),
        ),
    )
    .await;
    let shown: app::model::meeting::Meeting = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(shown.present.len(), 3);
    assert_eq!(
        (shown.quorum.represented, shown.quorum.required),
        (2, 2),
        "{:?}",
        shown.quorum
    );

    // The auditor does not vote.
    let reply = send(
        &state,
        call(
            "/api/cab/vote",
            &format!("id={meeting}&item_id={item}&form[vote]=approve&form[comment]="),
            Some(&as_auditor),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(
        reply.error(),
        AppError::Forbidden(app::model::access::Permission::CabVote.describe().into())
    );
    let votes = cab::meetings::load(&db, &manager, meeting)
        .await
        .unwrap()
        .current_item()
        .unwrap()
        .votes
        .len();
    assert_eq!(votes, 0);

    // With quorum present, the chair of record still cannot go to an item, decide or end.
    let change_before = load(&db, id).await;
    let before = snapshot(&db, &manager, meeting).await;
    let attempts = [
        ("/api/cab/go_to", format!("id={meeting}&version={}&item_id={item}", before.0)),
        (
            "/api/cab/decide",
            format!(
                "id={meeting}&version={}&item_id={item}&form[decision]=authorise&form[text]=&form[notes]=",
                before.0
            ),
        ),
        ("/api/cab/end", format!("id={meeting}&version={}", before.0)),
    ];
    for (path, body) in &attempts {
        let reply = send(&state, call(path, body, Some(&as_chair))).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            reply.body
        );
        assert_eq!(reply.error(), no_chairing, "{path}");
        assert_eq!(
            snapshot(&db, &manager, meeting).await,
            before,
            "{path}: meeting untouched"
        );
        let change = load(&db, id).await;
        assert_eq!(
            (change.state, change.version),
            (change_before.state, change_before.version),
            "{path}: change untouched"
        );
    }
    assert!(!history(&db, id)
        .await
        .iter()
        .any(|e| e.summary.contains("→ Authorised")));
    // The refusals are on record (the permission check counts them).
    let refused = audit_trail::list(
        &db,
        &app::model::audit::AuditQueryParams::default().to_query(),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .filter(|e| e.action == "permission_refused" && e.actor_id == Some(chair.id))
    .count();
    assert_eq!(refused, 1, "the first of the window, the rest counted");

    // The change manager standing in records the board's decision.
    let reply = send(
        &state,
        call(
            "/api/cab/decide",
            &format!(
                "id={meeting}&version={}&item_id={item}&form[decision]=authorise&form[text]=&form[notes]=",
                before.0
            ),
            Some(&as_manager),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(load(&db, id).await.state, ChangeState::Authorised);
}
