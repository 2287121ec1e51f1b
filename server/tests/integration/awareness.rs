//! Awareness campaigns (clause 7.3): a draft is prepared and launched (the audience becomes
//! one assignment per enabled person, the document's approved version pinned), each person
//! acknowledges their own — never anyone else's, on any path — completion is counted per
//! role without leavers, newcomers are taken in, the due date only moves later, and a closed
//! campaign takes no more acknowledgements.

use crate::common::{self, actor, person, PERSON_PASSWORD};

use app::error::AppError;
use app::model::access::Role;
use app::model::awareness::{CampaignForm, CampaignParams, CampaignStatus, ExtendForm, Progress};
use app::model::sms_document::{DocAction, DocumentForm, DraftForm};
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::entity::{audit_log, awareness_assignment};
use app::server::service::{awareness, sms_documents};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::web::{call, send, sign_in, state};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2027-03-01T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn today() -> NaiveDate {
    now().date_naive()
}

/// A policy written by one quality manager and approved by another; its id.
async fn approved_policy(db: &Db, writer: &CurrentUser, approver: &CurrentUser) -> i64 {
    let id = sms_documents::create(
        db,
        writer,
        &actor(writer),
        DocumentForm {
            title: "Service management policy".into(),
            clauses: vec!["5.2".into()],
            owner_id: writer.id,
            review_months: 12,
        },
        DraftForm {
            content: "# Policy\n\nWe run services people can plan around.".into(),
            link: String::new(),
            change_summary: "First issue".into(),
        },
    )
    .await
    .unwrap();
    let detail = sms_documents::detail(db.reader(), id, today())
        .await
        .unwrap();
    let v1 = detail.latest().unwrap().clone();
    let sent = sms_documents::transition_version(
        db,
        writer,
        &actor(writer),
        v1.id,
        v1.version,
        DocAction::SendToReview,
        today(),
    )
    .await
    .unwrap();
    sms_documents::transition_version(
        db,
        approver,
        &actor(approver),
        v1.id,
        sent.version,
        DocAction::Approve,
        today(),
    )
    .await
    .unwrap();
    id
}

fn campaign(
    document: i64,
    roles: &[Role],
    people: &[&CurrentUser],
    due: NaiveDate,
) -> CampaignForm {
    CampaignForm {
        title: "Service management policy 2027".into(),
        message: "Read the policy and acknowledge what it means for your work.".into(),
        document_id: document.to_string(),
        roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
        people: people.iter().map(|p| p.id.to_string()).collect(),
        due_on: due.to_string(),
        target_percent: "90".into(),
    }
}

async fn audit_count(db: &Db, action: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .count(db.reader())
        .await
        .unwrap()
}

async fn acknowledged(db: &Db, campaign: i64) -> Vec<i64> {
    let mut ids: Vec<i64> = awareness_assignment::Entity::find()
        .filter(awareness_assignment::Column::CampaignId.eq(campaign))
        .filter(awareness_assignment::Column::AcknowledgedAt.is_not_null())
        .all(db.reader())
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.user_id)
        .collect();
    ids.sort_unstable();
    ids
}

async fn disable(db: &Db, by: &CurrentUser, who: &CurrentUser) {
    let user = app::server::service::users::get(db, who.id).await.unwrap();
    app::server::service::users::set_disabled(db, &actor(by), who.id, user.version, true)
        .await
        .unwrap();
}

/// Draft → launched → acknowledged by some, late by one → closed: completion per role,
/// leavers not counted, newcomers taken in, the due date extended, the record kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_runs_from_draft_to_closed() {
    let db = common::test_db().await;
    let quinn = person(&db, "quinn@example.org", Role::QualityManager).await;
    let quill = person(&db, "quill@example.org", Role::QualityManager).await;
    let kim = person(&db, "kim@example.org", Role::CabMember).await;
    let casey = person(&db, "casey@example.org", Role::CabMember).await;
    let lee = person(&db, "lee@example.org", Role::CabMember).await;
    let robin = person(&db, "robin@example.org", Role::Resolver).await;
    let policy = approved_policy(&db, &quinn, &quill).await;
    let due = today() + Duration::days(14);

    let id = awareness::create(
        &db,
        &quinn,
        &actor(&quinn),
        &campaign(policy, &[Role::CabMember], &[&robin], due),
        now(),
    )
    .await
    .unwrap();
    // A draft asks nobody anything yet.
    assert!(awareness::due_for(db.reader(), kim.id, today())
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        awareness::acknowledge(&db, &kim, &actor(&kim), id, true, now()).await,
        Err(AppError::Refused(_))
    ));
    // Edits are checked against the version read.
    let retitled = CampaignForm {
        title: "Policy 2027: read and acknowledge".into(),
        ..campaign(policy, &[Role::CabMember], &[&robin], due)
    };
    assert!(matches!(
        awareness::update(&db, &quinn, &actor(&quinn), id, 7, &retitled, now()).await,
        Err(AppError::Conflict { .. })
    ));
    awareness::update(&db, &quinn, &actor(&quinn), id, 1, &retitled, now())
        .await
        .unwrap();
    awareness::launch(&db, &quinn, &actor(&quinn), id, 2, now())
        .await
        .unwrap();
    // Launched: document and audience stay as launched; a second launch is refused.
    assert!(matches!(
        awareness::update(&db, &quinn, &actor(&quinn), id, 3, &retitled, now()).await,
        Err(AppError::Refused(_))
    ));
    assert!(matches!(
        awareness::launch(&db, &quinn, &actor(&quinn), id, 3, now()).await,
        Err(AppError::Refused(_))
    ));

    let launched = awareness::detail(db.reader(), id, quinn.id, today())
        .await
        .unwrap();
    assert_eq!(launched.status, CampaignStatus::Running);
    assert_eq!(launched.title, "Policy 2027: read and acknowledge");
    assert_eq!(
        launched.document.version,
        Some(1),
        "the approved version is pinned"
    );
    assert_eq!(
        launched.completion.assigned, 4,
        "three CAB members and Robin by name"
    );
    assert_eq!(launched.mine, None, "Quinn is not in the audience");
    let roles: Vec<(Role, u64)> = launched
        .by_role
        .iter()
        .map(|r| (r.role, r.completion.assigned))
        .collect();
    assert_eq!(roles, vec![(Role::CabMember, 3), (Role::Resolver, 1)]);
    assert_eq!(launched.outstanding.len(), 4);

    // Kim ticks that she read it, once.
    let unticked = awareness::acknowledge(&db, &kim, &actor(&kim), id, false, now()).await;
    assert_eq!(
        unticked
            .unwrap_err()
            .field_errors()
            .and_then(|e| e.get("read")),
        Some("Tick the box to say you have read it.")
    );
    let due_for_kim = awareness::due_for(db.reader(), kim.id, today())
        .await
        .unwrap();
    assert_eq!(due_for_kim.len(), 1);
    assert_eq!(due_for_kim[0].document.version, Some(1));
    awareness::acknowledge(&db, &kim, &actor(&kim), id, true, now())
        .await
        .unwrap();
    let again = awareness::acknowledge(&db, &kim, &actor(&kim), id, true, now()).await;
    assert!(
        matches!(&again, Err(AppError::Refused(m)) if m.contains("You acknowledged this campaign on 2027-03-01")),
        "{again:?}"
    );
    assert!(awareness::due_for(db.reader(), kim.id, today())
        .await
        .unwrap()
        .is_empty());
    // Quinn is not in the audience: nothing to acknowledge.
    assert!(matches!(
        awareness::acknowledge(&db, &quinn, &actor(&quinn), id, true, now()).await,
        Err(AppError::Refused(m)) if m.contains("not in this campaign's audience")
    ));
    assert_eq!(acknowledged(&db, id).await, vec![kim.id]);

    // Lee leaves: neither done nor outstanding. Nia joins the CAB after launch.
    disable(&db, &quinn, &lee).await;
    let nia = person(&db, "nia@example.org", Role::CabMember).await;
    let later = awareness::detail(db.reader(), id, kim.id, today())
        .await
        .unwrap();
    assert_eq!(later.completion.assigned, 3);
    assert_eq!(later.completion.acknowledged, 1);
    assert_eq!(later.newcomers, 1);
    assert!(matches!(
        later.mine,
        Some(Progress::Acknowledged { late: false, .. })
    ));
    // Against the version read: a stale page takes in nobody.
    assert!(matches!(
        awareness::add_newcomers(&db, &quinn, &actor(&quinn), id, 2, now()).await,
        Err(AppError::Conflict { .. })
    ));
    assert_eq!(
        awareness::add_newcomers(&db, &quinn, &actor(&quinn), id, 3, now())
            .await
            .unwrap(),
        1
    );
    assert!(matches!(
        awareness::add_newcomers(&db, &quinn, &actor(&quinn), id, 4, now()).await,
        Err(AppError::Refused(_))
    ));
    assert_eq!(
        awareness::due_for(db.reader(), nia.id, today())
            .await
            .unwrap()
            .len(),
        1
    );

    // The due date moves only later.
    let earlier = ExtendForm {
        due_on: (due - Duration::days(1)).to_string(),
    };
    assert!(
        awareness::extend(&db, &quinn, &actor(&quinn), id, 4, &earlier, now())
            .await
            .unwrap_err()
            .field_errors()
            .is_some_and(|e| e.get("due_on").is_some())
    );
    let extended_to = due + Duration::days(7);
    let extend = ExtendForm {
        due_on: extended_to.to_string(),
    };
    awareness::extend(&db, &quinn, &actor(&quinn), id, 4, &extend, now())
        .await
        .unwrap();

    // After the due date: the outstanding are overdue, the campaign is behind its target,
    // and Casey's acknowledgement is late.
    let after_due = extended_to + Duration::days(1);
    let overdue = awareness::detail(db.reader(), id, quinn.id, after_due)
        .await
        .unwrap();
    assert_eq!(overdue.completion.overdue, 3, "Casey, Robin and Nia");
    assert!(overdue
        .outstanding
        .iter()
        .all(|r| r.progress == Progress::Overdue));
    let behind = awareness::behind(after_due).all(db.reader()).await.unwrap();
    assert_eq!(behind.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id]);
    assert!(awareness::behind(today())
        .all(db.reader())
        .await
        .unwrap()
        .is_empty());
    let late = after_due.and_hms_opt(9, 0, 0).unwrap().and_utc();
    awareness::acknowledge(&db, &casey, &actor(&casey), id, true, late)
        .await
        .unwrap();
    let exported =
        awareness::assignments_batch(db.reader(), id, extended_to, None, 1000, after_due)
            .await
            .unwrap();
    assert_eq!(exported.len(), 5, "leavers stay in the export");
    let casey_row = exported.iter().find(|(_, u, _)| u.id == casey.id).unwrap();
    assert!(matches!(
        casey_row.2,
        Progress::Acknowledged { late: true, .. }
    ));
    // Keyed batches: the second starts after the first's last assignment.
    let first = awareness::assignments_batch(db.reader(), id, extended_to, None, 2, after_due)
        .await
        .unwrap();
    let rest = awareness::assignments_batch(
        db.reader(),
        id,
        extended_to,
        Some(first[1].0),
        1000,
        after_due,
    )
    .await
    .unwrap();
    assert_eq!(first.len() + rest.len(), 5);

    // Newcomers past the due date would be overdue at once: refused until it is extended.
    person(&db, "ola@example.org", Role::CabMember).await;
    let too_late = awareness::add_newcomers(&db, &quinn, &actor(&quinn), id, 5, late).await;
    assert!(
        matches!(&too_late, Err(AppError::Refused(m)) if m.contains("extend its due date")),
        "{too_late:?}"
    );
    // Extended again, Casey's acknowledgement stays late: judged by the date then in force.
    let final_due = after_due + Duration::days(7);
    let extend_again = ExtendForm {
        due_on: final_due.to_string(),
    };
    awareness::extend(&db, &quinn, &actor(&quinn), id, 5, &extend_again, late)
        .await
        .unwrap();
    let exported = awareness::assignments_batch(db.reader(), id, final_due, None, 1000, after_due)
        .await
        .unwrap();
    let casey_row = exported.iter().find(|(_, u, _)| u.id == casey.id).unwrap();
    assert!(matches!(
        casey_row.2,
        Progress::Acknowledged { late: true, .. }
    ));
    let kim_row = exported.iter().find(|(_, u, _)| u.id == kim.id).unwrap();
    assert!(matches!(
        kim_row.2,
        Progress::Acknowledged { late: false, .. }
    ));

    // Closed: the record stays; nobody acknowledges any more.
    awareness::close(&db, &quinn, &actor(&quinn), id, 6, late)
        .await
        .unwrap();
    assert!(matches!(
        awareness::acknowledge(&db, &robin, &actor(&robin), id, true, late).await,
        Err(AppError::Refused(m)) if m.contains("closed")
    ));
    assert!(matches!(
        awareness::close(&db, &quinn, &actor(&quinn), id, 7, late).await,
        Err(AppError::Refused(_))
    ));
    let closed = awareness::detail(db.reader(), id, quinn.id, after_due)
        .await
        .unwrap();
    assert_eq!(closed.status, CampaignStatus::Closed);
    assert_eq!(closed.completion.acknowledged, 2);
    assert_eq!(closed.completion.assigned, 4);
    assert!(closed.closed.as_ref().is_some_and(|s| s.by.id == quinn.id));
    // What it achieved stays as closed: Robin leaving later does not lift it to its target.
    disable(&db, &quinn, &robin).await;
    let after_close = final_due + Duration::days(1);
    let kept = awareness::detail(db.reader(), id, quinn.id, after_close)
        .await
        .unwrap();
    assert_eq!(kept.completion.assigned, 4);
    assert_eq!(kept.completion.acknowledged, 2);
    // …nor does it change the figures per role: Robin still counts as the resolver asked
    // (overdue is read on the day: the extended due date has passed since).
    let asked = |c: &app::model::awareness::Campaign| {
        c.by_role
            .iter()
            .map(|r| (r.role, r.completion.assigned, r.completion.acknowledged))
            .collect::<Vec<_>>()
    };
    assert_eq!(asked(&kept), asked(&closed));
    assert!(kept
        .by_role
        .iter()
        .all(|r| r.completion.overdue == r.completion.assigned - r.completion.acknowledged));
    assert!(kept
        .by_role
        .iter()
        .any(|r| r.role == Role::Resolver && r.completion.assigned == 1));
    let behind_closed = awareness::behind(after_close)
        .all(db.reader())
        .await
        .unwrap();
    assert_eq!(
        behind_closed.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![id]
    );
    assert!(awareness::due_for(db.reader(), robin.id, after_due)
        .await
        .unwrap()
        .is_empty());

    let running = awareness::list(
        db.reader(),
        &CampaignParams {
            status: "running".into(),
            ..Default::default()
        },
        after_due,
        25,
    )
    .await
    .unwrap();
    assert_eq!(running.total, 0);
    let all = awareness::list(db.reader(), &CampaignParams::default(), after_close, 25)
        .await
        .unwrap();
    assert_eq!(all.rows.len(), 1);
    assert!(all.rows[0].behind(after_close));
    assert_eq!(all.rows[0].completion.words(), "2 of 4 (50%)");
    // Clause 7.3 counts it and names it below target.
    let evidence = app::server::service::clause_evidence::for_clause(&db, "7.3", after_close)
        .await
        .unwrap();
    let thin = evidence
        .thin
        .iter()
        .find(|t| t.rule == "Campaigns past their due date below their target completion")
        .expect("the campaign is named");
    assert_eq!(thin.total, 1);
    assert_eq!(thin.records[0].href, format!("/awareness/{id}"));

    for (action, count) in [
        ("campaign_prepared", 1),
        ("campaign_updated", 1),
        ("campaign_launched", 1),
        ("campaign_acknowledged", 2),
        ("campaign_newcomers_assigned", 1),
        ("campaign_extended", 2),
        ("campaign_closed", 1),
    ] {
        assert_eq!(audit_count(&db, action).await, count, "{action}");
    }
}

/// A launch that could ask nobody, or ask about an unapproved document or a past date, is
/// refused and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_launch_that_cannot_ask_anyone_changes_nothing() {
    let db = common::test_db().await;
    let quinn = person(&db, "quinn@example.org", Role::QualityManager).await;
    let quill = person(&db, "quill@example.org", Role::QualityManager).await;
    let lee = person(&db, "lee@example.org", Role::Resolver).await;
    let policy = approved_policy(&db, &quinn, &quill).await;
    // A draft document is not something to acknowledge.
    let unapproved = sms_documents::create(
        &db,
        &quinn,
        &actor(&quinn),
        DocumentForm {
            title: "Draft procedure".into(),
            clauses: vec!["8.5.1".into()],
            owner_id: quinn.id,
            review_months: 12,
        },
        DraftForm {
            content: "Work in progress".into(),
            link: String::new(),
            change_summary: "Start".into(),
        },
    )
    .await
    .unwrap();
    let due = today() + Duration::days(5);
    let refused = awareness::create(
        &db,
        &quinn,
        &actor(&quinn),
        &campaign(unapproved, &[], &[&lee], due),
        now(),
    )
    .await
    .unwrap_err();
    assert!(refused
        .field_errors()
        .is_some_and(|e| e.get("document_id").is_some()));

    // Only Lee, who then leaves: nobody with an account is left to ask.
    let id = awareness::create(
        &db,
        &quinn,
        &actor(&quinn),
        &campaign(policy, &[], &[&lee], due),
        now(),
    )
    .await
    .unwrap();
    disable(&db, &quinn, &lee).await;
    let nobody = awareness::launch(&db, &quinn, &actor(&quinn), id, 1, now()).await;
    assert!(
        matches!(&nobody, Err(AppError::Refused(m)) if m.contains("Nobody")),
        "{nobody:?}"
    );
    // Past its due date: refused too.
    let past = (due + Duration::days(1))
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .and_utc();
    assert!(matches!(
        awareness::launch(&db, &quinn, &actor(&quinn), id, 1, past).await,
        Err(AppError::Refused(m)) if m.contains("has passed")
    ));
    let still = awareness::detail(db.reader(), id, quinn.id, today())
        .await
        .unwrap();
    assert_eq!(still.status, CampaignStatus::Draft);
    assert_eq!(still.version, 1);
    assert_eq!(still.completion.assigned, 0);
    assert_eq!(audit_count(&db, "campaign_launched").await, 0);
}

/// Over HTTP: an acknowledgement is always the caller's own — naming someone else in the
/// body changes nothing, a quality manager outside the audience is refused — and a requester
/// in the audience acknowledges without reading anyone's completion.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_acknowledges_for_someone_else() {
    let db = common::test_db().await;
    let quinn = person(&db, "quinn@example.org", Role::QualityManager).await;
    let quill = person(&db, "quill@example.org", Role::QualityManager).await;
    let kim = person(&db, "kim@example.org", Role::CabMember).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let policy = approved_policy(&db, &quinn, &quill).await;
    let due = Utc::now().date_naive() + Duration::days(10);
    let id = awareness::create(
        &db,
        &quinn,
        &actor(&quinn),
        &campaign(policy, &[Role::CabMember], &[&robin], due),
        Utc::now(),
    )
    .await
    .unwrap();
    awareness::launch(&db, &quinn, &actor(&quinn), id, 1, Utc::now())
        .await
        .unwrap();

    let state = state(db.db.clone());
    let quinn_cookie = sign_in(&state, "quinn@example.org", PERSON_PASSWORD).await;
    for body in [
        format!("id={id}&read=yes&user_id={}", kim.id),
        format!("id={id}&read=yes&user={}", kim.id),
    ] {
        let reply = send(
            &state,
            call("/api/awareness/acknowledge", &body, Some(&quinn_cookie)),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
        assert!(
            reply.body.contains("not in this campaign's audience"),
            "{}",
            reply.body
        );
    }
    assert!(acknowledged(&db, id).await.is_empty(), "Kim's is untouched");

    // The requester acknowledges their own, but reads no campaign.
    let robin_cookie = sign_in(&state, "robin@example.org", PERSON_PASSWORD).await;
    let own = send(
        &state,
        call(
            "/api/awareness/acknowledge",
            &format!("id={id}&read=yes&user_id={}", kim.id),
            Some(&robin_cookie),
        ),
    )
    .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(acknowledged(&db, id).await, vec![robin.id]);
    let read = send(
        &state,
        call(
            "/api/awareness/get",
            &format!("id={id}"),
            Some(&robin_cookie),
        ),
    )
    .await;
    assert_eq!(read.status, StatusCode::FORBIDDEN, "{}", read.body);
    let due_list = send(&state, call("/api/awareness/due", "", Some(&robin_cookie))).await;
    assert_eq!(due_list.status, StatusCode::OK, "{}", due_list.body);
    assert!(
        !due_list.body.contains("Service management policy 2027"),
        "{}",
        due_list.body
    );

    // Kim without the tick: refused with the field named, nothing written.
    let kim_cookie = sign_in(&state, "kim@example.org", PERSON_PASSWORD).await;
    let unticked = send(
        &state,
        call(
            "/api/awareness/acknowledge",
            &format!("id={id}"),
            Some(&kim_cookie),
        ),
    )
    .await;
    assert_eq!(
        unticked.status,
        StatusCode::BAD_REQUEST,
        "{}",
        unticked.body
    );
    assert!(unticked.body.contains("Tick the box"), "{}", unticked.body);
    assert_eq!(acknowledged(&db, id).await, vec![robin.id]);
    // A CAB member cannot launch, extend or close.
    let close = send(
        &state,
        call(
            "/api/awareness/status",
            &format!("id={id}&version=2&close=true"),
            Some(&kim_cookie),
        ),
    )
    .await;
    assert_eq!(close.status, StatusCode::FORBIDDEN, "{}", close.body);
    let export = send(
        &state,
        common::web::get(&format!("/awareness/{id}/export.csv"), Some(&kim_cookie)),
    )
    .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    assert!(export.body.contains("robin@example.org"), "{}", export.body);
    assert!(export.body.contains("Acknowledged"), "{}", export.body);
}
