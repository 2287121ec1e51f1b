//! Service requests against a real database: a request raised from the catalogue waits for
//! someone else's approval with its clock paused, is fulfilled against the agreement's target
//! in its service hours (paused while the requester is asked), and closed — and every attempt
//! to get round a rule: approving one's own request or one raised for someone else, working a
//! request before it is approved, reading or moving another person's request, a stale step,
//! answers the type does not accept, a type changed while the form was open.

use crate::common::{self, actor, person};
use crate::incidents::{mail_under_agreement, service};

use app::error::AppError;
use app::model::access::Role;
use app::model::service_request::{
    FieldForm, RequestForm, RequestListParams, RequestState, RequestStepForm, RequestTypeForm,
};
use app::model::target_clock::{ClockPhase, ClockStatus};
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::service::{audit_trail, clause_evidence, service_requests};
use chrono::{DateTime, Utc};

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) fn mailbox_type(service_id: i64, approval: bool, minutes: &str) -> RequestTypeForm {
    RequestTypeForm {
        service_id: service_id.to_string(),
        name: "Access to a shared mailbox".into(),
        description: "Read or send-as access to a team mailbox.".into(),
        approval: if approval {
            "yes".into()
        } else {
            String::new()
        },
        fulfilment_minutes: minutes.into(),
        active: "yes".into(),
        fields: vec![
            FieldForm {
                label: "Mailbox".into(),
                kind: "text".into(),
                required: "yes".into(),
                options: String::new(),
            },
            FieldForm {
                label: "Access".into(),
                kind: "choice".into(),
                required: "yes".into(),
                options: "Read | Send as".into(),
            },
            FieldForm {
                label: "Needed from".into(),
                kind: "date".into(),
                required: String::new(),
                options: String::new(),
            },
        ],
    }
}

fn ask(type_id: i64, summary: &str) -> RequestForm {
    RequestForm {
        type_id: type_id.to_string(),
        type_version: String::new(),
        summary: summary.into(),
        requester_id: String::new(),
        answers: vec!["sales@example.org".into(), "Send as".into(), String::new()],
    }
}

fn step(action: &str, note: &str) -> RequestStepForm {
    RequestStepForm {
        action: action.into(),
        assignee_id: String::new(),
        note: note.into(),
    }
}

async fn version(db: &Db, user: &CurrentUser, id: i64) -> i32 {
    service_requests::detail(db.reader(), user, id, Utc::now())
        .await
        .unwrap()
        .version
}

async fn take(
    db: &Db,
    user: &CurrentUser,
    id: i64,
    form: RequestStepForm,
    now: DateTime<Utc>,
) -> Result<RequestState, AppError> {
    let v = version(db, user, id).await;
    service_requests::take_step(db, user, &actor(user), id, v, &form, now).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_is_approved_by_someone_else_and_fulfilled_on_the_agreements_clock() {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let lee = person(&db, "lee@example.org", Role::ServiceLevelManager).await;
    let jo = person(&db, "jo@example.org", Role::Resolver).await;
    let olive = person(&db, "olive@example.org", Role::ServiceOwner).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    // Mail: London office hours (08:00–18:00 weekdays), fulfilment target 2,880 minutes.
    let mail = mail_under_agreement(&db, &sam, &lee).await;
    let kind = service_requests::create_type(
        &db,
        &sam,
        &actor(&sam),
        &mailbox_type(mail, true, ""),
        at("2027-02-01T09:00:00Z"),
    )
    .await
    .unwrap();

    // Monday 1 March 2027, 09:00 in London (GMT).
    let id = service_requests::raise(
        &db,
        &robin,
        &actor(&robin),
        &ask(kind, "Send as the sales mailbox"),
        at("2027-03-01T09:00:00Z"),
    )
    .await
    .unwrap();
    let waiting = service_requests::detail(db.reader(), &robin, id, at("2027-03-01T09:30:00Z"))
        .await
        .unwrap();
    assert_eq!(waiting.state, RequestState::AwaitingApproval);
    assert_eq!(waiting.answers[1].value, "Send as");
    let clock = waiting
        .clock
        .expect("the agreement sets a fulfilment target");
    assert_eq!(clock.target_minutes, 2880);
    assert_eq!(
        clock.phase,
        ClockPhase::Paused,
        "waiting for approval is not counted"
    );
    assert_eq!(clock.used_seconds, 0);

    // Nobody works it before it is approved; the requester does not approve it.
    let mut assign = step("take", "");
    assign.assignee_id = jo.id.to_string();
    assert!(matches!(
        take(&db, &jo, id, assign.clone(), at("2027-03-01T09:40:00Z")).await,
        Err(AppError::Refused(_))
    ));
    for who in [&robin, &jo] {
        assert!(matches!(
            take(
                &db,
                who,
                id,
                step("approve", ""),
                at("2027-03-01T09:45:00Z")
            )
            .await,
            Err(AppError::Refused(_))
        ));
    }

    // The service owner approves at 10:00: 48 hours of office time run out at Friday's close,
    // so the target is passed only when the office opens on Monday.
    take(
        &db,
        &olive,
        id,
        step("approve", ""),
        at("2027-03-01T10:00:00Z"),
    )
    .await
    .unwrap();
    let approved = service_requests::detail(db.reader(), &robin, id, at("2027-03-01T10:00:00Z"))
        .await
        .unwrap();
    assert_eq!(approved.state, RequestState::Open);
    assert_eq!(approved.approver.as_ref().map(|p| p.id), Some(olive.id));
    let clock = approved.clock.unwrap();
    assert_eq!(clock.phase, ClockPhase::Running);
    assert_eq!(clock.due_at, Some(at("2027-03-08T08:00:00Z")));

    take(&db, &jo, id, assign, at("2027-03-01T11:00:00Z"))
        .await
        .unwrap();
    // Tuesday 09:00: 8 h on Monday and 1 h on Tuesday used; the requester is asked.
    take(
        &db,
        &jo,
        id,
        step("pend", "Which team should the mailbox show as sender?"),
        at("2027-03-02T09:00:00Z"),
    )
    .await
    .unwrap();
    let pending = service_requests::detail(db.reader(), &robin, id, at("2027-03-03T12:00:00Z"))
        .await
        .unwrap();
    let clock = pending.clock.unwrap();
    assert_eq!(clock.phase, ClockPhase::Paused);
    assert_eq!(
        clock.used_seconds,
        9 * 3600,
        "the wait for the requester is not counted"
    );
    // The requester answers on Thursday 08:00; fulfilled at 10:00 — 11 hours used of 48.
    take(
        &db,
        &robin,
        id,
        step("resume", "Sales team, please."),
        at("2027-03-04T08:00:00Z"),
    )
    .await
    .unwrap();
    assert!(matches!(
        take(&db, &jo, id, step("fulfil", ""), at("2027-03-04T10:00:00Z")).await,
        Err(AppError::Validation(_))
    ));
    take(
        &db,
        &jo,
        id,
        step("fulfil", "Send-as granted on sales@example.org."),
        at("2027-03-04T10:00:00Z"),
    )
    .await
    .unwrap();
    let fulfilled = service_requests::detail(db.reader(), &robin, id, at("2027-03-09T10:00:00Z"))
        .await
        .unwrap();
    assert_eq!(fulfilled.state, RequestState::Fulfilled);
    let clock = fulfilled.clock.unwrap();
    assert_eq!(clock.phase, ClockPhase::Stopped);
    assert_eq!(clock.used_seconds, 11 * 3600);
    assert_eq!(clock.status, ClockStatus::OnTrack);
    take(
        &db,
        &robin,
        id,
        step("close", ""),
        at("2027-03-04T12:00:00Z"),
    )
    .await
    .unwrap();

    let closed = service_requests::detail(db.reader(), &robin, id, at("2027-03-04T12:00:00Z"))
        .await
        .unwrap();
    assert_eq!(closed.state, RequestState::Closed);
    assert!(closed.closed_at.is_some());
    let lines: Vec<&str> = closed.timeline.iter().map(|e| e.body.as_str()).collect();
    assert!(lines[0].contains("SLA-"), "{lines:?}");
    assert!(lines
        .iter()
        .any(|l| l.contains("Awaiting approval → Open by")));
    assert!(lines.iter().any(|l| l.contains("Send-as granted")));
    let trail = audit_trail::history(&db, "service_request", &id.to_string())
        .await
        .unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert!(actions.contains(&"request_raised"));
    assert!(actions.contains(&"request_decided"));
    assert_eq!(actions.iter().filter(|a| **a == "request_step").count(), 5);

    // Clause 8.6.2 draws its live evidence from these records; a request raised five weeks
    // earlier still waiting for approval is listed as stuck, one past its target as late.
    let stuck = service_requests::raise(
        &db,
        &robin,
        &actor(&robin),
        &ask(kind, "Read the archive mailbox"),
        at("2027-02-01T09:00:00Z"),
    )
    .await
    .unwrap();
    let evidence =
        clause_evidence::for_clause(&db, "8.6.2", at("2027-03-09T00:00:00Z").date_naive())
            .await
            .unwrap();
    let count = |label: &str| {
        evidence
            .sources
            .iter()
            .find(|s| s.label == label)
            .map(|s| s.count)
    };
    assert_eq!(count("Service requests recorded"), Some(2));
    assert_eq!(count("Fulfilled within their fulfilment target"), Some(1));
    assert_eq!(
        count("Approved by someone other than the requester"),
        Some(1)
    );
    assert_eq!(count("Request types in the catalogue"), Some(1));
    let waiting = evidence
        .thin
        .iter()
        .find(|t| t.rule.starts_with("Requests waiting"))
        .expect("the stuck request is listed");
    assert_eq!(waiting.records[0].href, format!("/requests/{stuck}"));
    let live = clause_evidence::clauses_with_live_records(&db)
        .await
        .unwrap();
    assert!(live.contains("8.6.2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_gets_round_approval_or_into_someone_elses_request() {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let olive = person(&db, "olive@example.org", Role::ServiceOwner).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let kim = person(&db, "kim@example.org", Role::Requester).await;
    let jo = person(&db, "jo@example.org", Role::Resolver).await;
    let mail = service(&db, "Mail").await;
    let now = at("2027-03-01T09:00:00Z");
    let kind = service_requests::create_type(
        &db,
        &sam,
        &actor(&sam),
        &mailbox_type(mail, true, "480"),
        now,
    )
    .await
    .unwrap();

    // The service desk raises it for Robin: neither Robin nor the desk approves it.
    let mut for_robin = ask(kind, "Send as the sales mailbox");
    for_robin.requester_id = robin.id.to_string();
    let id = service_requests::raise(&db, &sam, &actor(&sam), &for_robin, now)
        .await
        .unwrap();
    for who in [&sam, &robin] {
        assert!(matches!(
            take(&db, who, id, step("approve", ""), now).await,
            Err(AppError::Refused(_))
        ));
    }
    // A service owner approves her own request no more than anyone else.
    let own = service_requests::raise(
        &db,
        &olive,
        &actor(&olive),
        &ask(kind, "My own access"),
        now,
    )
    .await
    .unwrap();
    assert!(matches!(
        take(&db, &olive, own, step("approve", ""), now).await,
        Err(AppError::Refused(_))
    ));
    assert!(
        matches!(
            take(&db, &olive, own, step("reject", ""), now).await,
            Err(AppError::Validation(_))
        ),
        "a rejection says why"
    );

    // Editing the type to drop approval does not free a request already waiting for it.
    let current = service_requests::request_type(db.reader(), kind)
        .await
        .unwrap();
    let mut no_approval = current.form();
    no_approval.approval = String::new();
    service_requests::update_type(&db, &actor(&sam), kind, current.version, &no_approval)
        .await
        .unwrap();
    let mut to_jo = step("take", "");
    to_jo.assignee_id = jo.id.to_string();
    assert!(matches!(
        take(&db, &jo, own, to_jo, now).await,
        Err(AppError::Refused(_))
    ));
    let waiting = service_requests::detail(db.reader(), &olive, own, now)
        .await
        .unwrap();
    assert_eq!(waiting.state, RequestState::AwaitingApproval);
    assert!(waiting.approval_required);
    // Put approval back for the rest of the test.
    let current = service_requests::request_type(db.reader(), kind)
        .await
        .unwrap();
    let mut with_approval = current.form();
    with_approval.approval = "yes".into();
    service_requests::update_type(&db, &actor(&sam), kind, current.version, &with_approval)
        .await
        .unwrap();

    // Only the desk raises for someone else.
    let mut for_kim = ask(kind, "For Kim");
    for_kim.requester_id = kim.id.to_string();
    let refused = service_requests::raise(&db, &robin, &actor(&robin), &for_kim, now).await;
    assert!(matches!(&refused, Err(AppError::Validation(f)) if f.0.contains_key("requester_id")));

    // Kim neither reads nor moves Robin's request; the desk reads every one.
    assert!(matches!(
        service_requests::detail(db.reader(), &kim, id, now).await,
        Err(AppError::NotFound(_))
    ));
    let v = version(&db, &sam, id).await;
    assert!(matches!(
        service_requests::take_step(
            &db,
            &kim,
            &actor(&kim),
            id,
            v,
            &step("cancel", "Not needed any more"),
            now
        )
        .await,
        Err(AppError::NotFound(_))
    ));
    let kims = service_requests::page(&db, &kim, &RequestListParams::default(), now, 25)
        .await
        .unwrap();
    assert!(!kims.everyone);
    assert!(kims.rows.is_empty());
    let robins = service_requests::page(&db, &robin, &RequestListParams::default(), now, 25)
        .await
        .unwrap();
    assert_eq!(
        robins.rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![id]
    );
    let desk = service_requests::page(&db, &jo, &RequestListParams::default(), now, 25)
        .await
        .unwrap();
    assert!(desk.everyone);
    assert_eq!(desk.total, 2);

    // A stale step changes nothing; assigning to someone who is not on the desk is refused.
    take(&db, &olive, id, step("approve", ""), now)
        .await
        .unwrap();
    let stale = service_requests::take_step(
        &db,
        &jo,
        &actor(&jo),
        id,
        v,
        &step("cancel", "Duplicate request"),
        now,
    )
    .await;
    assert!(matches!(stale, Err(AppError::Conflict { .. })));
    let mut to_kim = step("take", "");
    to_kim.assignee_id = kim.id.to_string();
    let refused = take(&db, &jo, id, to_kim, now).await;
    assert!(matches!(&refused, Err(AppError::Validation(f)) if f.0.contains_key("assignee_id")));
    let record = service_requests::detail(db.reader(), &jo, id, now)
        .await
        .unwrap();
    assert_eq!(record.state, RequestState::Open);
    assert!(record.assignee.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalogue_checks_answers_and_the_type_they_were_asked_from() {
    let db = common::test_db().await;
    let sam = person(&db, "sam@example.org", Role::ServiceLevelManager).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let mail = service(&db, "Mail").await;
    let now = at("2027-03-01T09:00:00Z");
    // No agreement covers Mail: the type's own target runs round the clock.
    let kind = service_requests::create_type(
        &db,
        &sam,
        &actor(&sam),
        &mailbox_type(mail, false, "120"),
        now,
    )
    .await
    .unwrap();

    let mut bad = ask(kind, "Send as");
    bad.answers = vec![String::new(), "Owner".into(), "next week".into()];
    let refused = service_requests::raise(&db, &robin, &actor(&robin), &bad, now).await;
    let Err(AppError::Validation(errors)) = refused else {
        panic!("expected field errors, got {refused:?}");
    };
    for key in ["answer_0", "answer_1", "answer_2"] {
        assert!(errors.0.contains_key(key), "{key}: {errors:?}");
    }
    let mut extra = ask(kind, "Send as");
    extra.answers.push("smuggled".into());
    assert!(
        service_requests::raise(&db, &robin, &actor(&robin), &extra, now)
            .await
            .is_err()
    );
    let mine = service_requests::page(&db, &robin, &RequestListParams::default(), now, 25)
        .await
        .unwrap();
    assert_eq!(mine.total, 0, "refused requests write nothing");

    // Without approval the clock starts at once, on 24×7 time.
    let id = service_requests::raise(&db, &robin, &actor(&robin), &ask(kind, "Send as"), now)
        .await
        .unwrap();
    let record = service_requests::detail(db.reader(), &robin, id, now)
        .await
        .unwrap();
    assert_eq!(record.state, RequestState::Open);
    assert_eq!(
        record.clock.as_ref().unwrap().due_at,
        Some(at("2027-03-01T11:00:00Z"))
    );
    let breached = RequestListParams {
        breached: "yes".into(),
        ..Default::default()
    };
    let late = service_requests::page(&db, &robin, &breached, at("2027-03-01T11:30:00Z"), 25)
        .await
        .unwrap();
    assert_eq!(late.rows.len(), 1);
    assert_eq!(late.rows[0].status, Some(ClockStatus::Breached));

    // The type changes while a form is open: that form raises nothing.
    let current = service_requests::request_type(db.reader(), kind)
        .await
        .unwrap();
    let mut edited = current.form();
    edited.approval = "yes".into();
    service_requests::update_type(&db, &actor(&sam), kind, current.version, &edited)
        .await
        .unwrap();
    let mut stale = ask(kind, "Read the sales mailbox");
    stale.type_version = current.version.to_string();
    assert!(matches!(
        service_requests::raise(&db, &robin, &actor(&robin), &stale, now).await,
        Err(AppError::Conflict { .. })
    ));
    // Taken out of the catalogue, it is not offered to requesters and raises nothing.
    let current = service_requests::request_type(db.reader(), kind)
        .await
        .unwrap();
    let mut withdrawn = current.form();
    withdrawn.active = String::new();
    service_requests::update_type(&db, &actor(&sam), kind, current.version, &withdrawn)
        .await
        .unwrap();
    let offered = service_requests::catalogue(db.reader(), &robin)
        .await
        .unwrap();
    assert!(offered.types.is_empty());
    assert_eq!(
        service_requests::catalogue(db.reader(), &sam)
            .await
            .unwrap()
            .types
            .len(),
        1,
        "the catalogue keeper still sees it"
    );
    let refused =
        service_requests::raise(&db, &robin, &actor(&robin), &ask(kind, "Again"), now).await;
    assert!(matches!(&refused, Err(AppError::Validation(f)) if f.0.contains_key("type_id")));
}

/// The queue's CSV holds exactly what the reader's queue shows: a requester their own
/// requests, the desk everyone's; nobody signed out gets anything.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_export_shows_each_reader_their_own_queue() {
    use crate::common::web::{add_user, current, get, send, sign_in, state, PASSWORD};
    let db = common::test_db().await;
    let state = state(db.db.clone());
    let sam = current(&add_user(&db, "sam@example.org", vec![Role::ServiceLevelManager]).await);
    let robin = current(&add_user(&db, "robin@example.org", vec![Role::Requester]).await);
    let casey = current(&add_user(&db, "casey@example.org", vec![Role::Requester]).await);
    add_user(&db, "jo@example.org", vec![Role::Resolver]).await;
    let mail = crate::incidents::service(&db, "Mail").await;
    let kind = service_requests::create_type(
        &db,
        &sam,
        &actor(&sam),
        &mailbox_type(mail, false, "240"),
        Utc::now(),
    )
    .await
    .unwrap();
    for (who, summary) in [
        (&robin, "Robin wants =sales"),
        (&casey, "Casey wants support"),
    ] {
        service_requests::raise(&db, who, &actor(who), &ask(kind, summary), Utc::now())
            .await
            .unwrap();
    }
    let export = |cookie: Option<String>| {
        let state = state.clone();
        async move {
            send(
                &state,
                get("/requests/export.csv?state=all", cookie.as_deref()),
            )
            .await
        }
    };
    let anonymous = export(None).await;
    assert!(!anonymous.status.is_success(), "{}", anonymous.status);

    let robins = export(Some(sign_in(&state, "robin@example.org", PASSWORD).await)).await;
    assert!(robins.status.is_success(), "{}", robins.body);
    assert!(robins.body.contains("Reference,Summary,Type,Service"));
    // Formula-safe, and Robin's alone.
    assert!(
        robins.body.contains(",Robin wants =sales,"),
        "{}",
        robins.body
    );
    assert!(
        !robins.body.contains("Casey wants support"),
        "{}",
        robins.body
    );
    assert_eq!(robins.body.trim().lines().count(), 2);

    let desk = export(Some(sign_in(&state, "jo@example.org", PASSWORD).await)).await;
    assert!(desk.body.contains("Robin wants =sales"));
    assert!(desk.body.contains("Casey wants support"));
    assert_eq!(desk.body.trim().lines().count(), 3);
}
