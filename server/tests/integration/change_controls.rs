//! Segregation of duties on changes and CAB meetings, tried the way someone would get around
//! them: every bypass is refused with a clear message and writes nothing (the record's version
//! and its audit trail stay as they were). SQLite, and PostgreSQL in the test command.

use crate::common;

use app::error::AppError;
use app::model::access::{Permission, Role};
use app::model::cab::{BoardForm, Decision, Vote};
use app::model::change::{ChangeAction, ChangeState, ChangeType};
use app::model::change_request::{Change, ChangeDraft, ChangeForm, Review};
use app::model::meeting::{MeetingState, MeetingWhen};
use app::model::schedule::{WindowDraft, WindowKind};
use app::model::service::ServiceForm;
use app::model::standard_template::TemplateForm;
use app::model::user::CurrentUser;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::change_import::{self, Imported};
use app::server::service::change_lists;
use app::server::service::changes::{self, TransitionInput};
use app::server::service::{audit_trail, cab, catalogue, templates};
use chrono::{TimeZone, Utc};
use common::{actor, person};

/// A named edit of a change form.
type FormTweak = Box<dyn Fn(&mut ChangeForm)>;

struct People {
    requester: CurrentUser,
    manager: CurrentUser,
    other_manager: CurrentUser,
    cab: CurrentUser,
    other_cab: CurrentUser,
    owner: CurrentUser,
}

async fn people(db: &Db) -> People {
    People {
        requester: person(db, "req@example.org", Role::Requester).await,
        manager: person(db, "mgr@example.org", Role::ChangeManager).await,
        other_manager: person(db, "mgr2@example.org", Role::ChangeManager).await,
        cab: person(db, "cab@example.org", Role::CabMember).await,
        other_cab: person(db, "cab2@example.org", Role::CabMember).await,
        owner: person(db, "owner@example.org", Role::ServiceOwner).await,
    }
}

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

/// A change form; `risk` is the answer to every risk question (0 is low, 2 is medium or more).
fn form(kind: &str, service_id: i64, risk: u8) -> ChangeForm {
    let answer = risk.to_string();
    ChangeForm {
        title: "Upgrade the mail gateway".into(),
        change_type: kind.into(),
        service_ids: vec![service_id.to_string()],
        planned_start: "2027-03-02T22:00".into(),
        planned_end: "2027-03-02T23:00".into(),
        implementation_plan: "Apply the update.".into(),
        test_plan: "Send test mail.".into(),
        backout_plan: "Restore the snapshot.".into(),
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

async fn trail(db: &Db, id: i64) -> usize {
    audit_trail::history(db, "change", &id.to_string())
        .await
        .unwrap()
        .len()
}

async fn step(
    db: &Db,
    who: &CurrentUser,
    id: i64,
    action: ChangeAction,
) -> Result<Change, AppError> {
    let version = load(db, id).await.version;
    let input = TransitionInput {
        comment: if action.needs_comment() {
            "Because.".into()
        } else {
            String::new()
        },
        review: None,
    };
    changes::transition(db, who, &actor(who), id, version, action, input).await
}

/// Raised by the requester (owned by `owner` when given) and taken to awaiting authorisation.
async fn awaiting(db: &Db, p: &People, form: ChangeForm, owner: Option<&CurrentUser>) -> i64 {
    let mut draft = form.validate().unwrap();
    draft.owner_id = owner.map(|o| o.id);
    let change = changes::create(db, &p.requester, &actor(&p.requester), draft)
        .await
        .unwrap();
    step(db, &p.requester, change.id, ChangeAction::Submit)
        .await
        .unwrap();
    if change.change_type == ChangeType::Normal {
        for action in [ChangeAction::Assess, ChangeAction::RequestAuthorisation] {
            step(db, &p.manager, change.id, action).await.unwrap();
        }
    }
    assert_eq!(
        load(db, change.id).await.state,
        ChangeState::AwaitingAuthorisation
    );
    change.id
}

/// Asserts that `refused` is a rule's refusal (`AppError::Refused`, 403) whose words contain
/// `words`, and that the change is exactly as it was (`before`) with an audit trail of
/// `entries`.
async fn refused_and_untouched(
    db: &Db,
    refused: Result<Change, AppError>,
    words: &str,
    before: &Change,
    entries: usize,
) {
    let error = refused.expect_err("the bypass must be refused");
    let AppError::Refused(message) = &error else {
        panic!("a rule's refusal (AppError::Refused) expected, got {error:?}");
    };
    assert_eq!(error.status_code(), 403);
    assert!(message.contains(words), "{message}");
    let after = load(db, before.id).await;
    assert_eq!(after.version, before.version, "nothing written");
    assert_eq!(after.state, before.state);
    assert_eq!(trail(db, before.id).await, entries, "no audit entry");
}

/// A weekly CAB chaired by the change manager, with the two CAB members; quorum: a majority.
async fn board(db: &Db, p: &People, kind: &str) -> i64 {
    let form = BoardForm {
        name: format!("{kind} board"),
        kind: kind.into(),
        chair_id: p.manager.id.to_string(),
        quorum_kind: "majority".into(),
        weekday: "tue".into(),
        meets_at: "10:00".into(),
        time_zone: "UTC".into(),
        member_ids: [&p.manager, &p.cab, &p.other_cab]
            .iter()
            .map(|m| m.id.to_string())
            .collect(),
        ..Default::default()
    };
    cab::boards::create(db, &actor(&p.manager), form.validate().unwrap())
        .await
        .unwrap()
        .id
}

/// A meeting of `board_id` now, started, on the item of `change_id`.
async fn meeting_on(db: &Db, p: &People, board_id: i64, change_id: i64) -> (i64, i64) {
    let chair = &p.manager;
    let id = cab::meetings::schedule(
        db,
        &actor(chair),
        board_id,
        MeetingWhen::Now,
        String::new(),
        Utc::now(),
    )
    .await
    .unwrap();
    (id, start_on(db, p, id, change_id).await)
}

/// The chair starts meeting `id` and moves to the item of `change_id`.
async fn start_on(db: &Db, p: &People, id: i64, change_id: i64) -> i64 {
    let chair = &p.manager;
    let meeting = cab::meetings::load(db, chair, id).await.unwrap();
    cab::meetings::start(db, chair, &actor(chair), id, meeting.version)
        .await
        .unwrap();
    let meeting = cab::meetings::load(db, chair, id).await.unwrap();
    let item = meeting
        .items
        .iter()
        .find(|i| i.change_id == change_id)
        .expect("on the agenda")
        .id;
    cab::meetings::go_to(db, chair, &actor(chair), id, meeting.version, item)
        .await
        .unwrap();
    item
}

async fn decide(db: &Db, who: &CurrentUser, meeting: i64, item: i64) -> Result<Change, AppError> {
    let version = cab::meetings::load(db, who, meeting).await.unwrap().version;
    cab::voting::decide(
        db,
        who,
        &actor(who),
        meeting,
        version,
        item,
        Decision::Authorise,
        String::new(),
        String::new(),
    )
    .await
}

#[tokio::test]
async fn cab_path_changes_are_authorised_only_by_a_board_decision_with_quorum() {
    let db = common::test_db().await;
    let p = people(&db).await;
    for (kind, board_kind) in [("normal", "cab"), ("emergency", "ecab")] {
        let mail = service(&db, &format!("E-mail ({kind})")).await;
        let id = awaiting(&db, &p, form(kind, mail, 2), None).await;
        let before = load(&db, id).await;
        assert!(before.approval_path().needs_board(), "{kind}");
        let entries = trail(&db, id).await;
        // The plain transition: neither a CAB member nor a change manager, nor both at once.
        for who in [&p.cab, &p.manager, &p.other_manager] {
            let refused = step(&db, who, id, ChangeAction::Authorise).await;
            refused_and_untouched(&db, refused, "meeting with quorum", &before, entries).await;
        }
        // In the meeting, without quorum: refused, nothing written.
        let board_id = board(&db, &p, board_kind).await;
        let (meeting, item) = meeting_on(&db, &p, board_id, id).await;
        cab::presence::join(&db, meeting, p.manager.id)
            .await
            .unwrap();
        let no_quorum = decide(&db, &p.manager, meeting, item).await;
        refused_and_untouched(&db, no_quorum, "No quorum", &before, entries).await;
        // With quorum, the chair records the board's decision and the change moves.
        cab::presence::join(&db, meeting, p.cab.id).await.unwrap();
        let authorised = decide(&db, &p.manager, meeting, item).await.unwrap();
        assert_eq!(authorised.state, ChangeState::Authorised, "{kind}");
    }
}

#[tokio::test]
async fn a_board_turned_into_an_ecab_does_not_decide_the_cabs_changes() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let mail = service(&db, "E-mail").await;
    let id = awaiting(&db, &p, form("normal", mail, 2), None).await;
    let board_id = board(&db, &p, "cab").await;
    let (meeting, item) = meeting_on(&db, &p, board_id, id).await;
    // Mid-meeting the board becomes an emergency CAB with a quorum of one.
    let current = cab::boards::get(db.reader(), board_id).await.unwrap().board;
    let mut ecab = current.to_form();
    ecab.kind = "ecab".into();
    ecab.quorum_kind = "at_least".into();
    ecab.quorum_value = "1".into();
    cab::boards::update(
        &db,
        &actor(&p.manager),
        board_id,
        current.version,
        ecab.validate().unwrap(),
        true,
    )
    .await
    .unwrap();
    cab::presence::join(&db, meeting, p.manager.id)
        .await
        .unwrap();
    let before = load(&db, id).await;
    let entries = trail(&db, id).await;
    let refused = decide(&db, &p.manager, meeting, item).await;
    refused_and_untouched(&db, refused, "emergency changes only", &before, entries).await;
    // Its next meeting does not put the change on the agenda, nor does its chair.
    let version = cab::meetings::load(&db, &p.manager, meeting)
        .await
        .unwrap()
        .version;
    cab::meetings::end(&db, &p.manager, &actor(&p.manager), meeting, version)
        .await
        .unwrap();
    let next = cab::meetings::schedule(
        &db,
        &actor(&p.manager),
        board_id,
        MeetingWhen::Now,
        String::new(),
        Utc::now(),
    )
    .await
    .unwrap();
    let agenda = cab::meetings::load(&db, &p.manager, next).await.unwrap();
    assert!(agenda.items.is_empty(), "{:?}", agenda.items);
    let refused = cab::agenda::edit_agenda(
        &db,
        &p.manager,
        &actor(&p.manager),
        next,
        agenda.version,
        cab::agenda::AgendaEdit::Add(id),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(refused, AppError::Refused(ref m) if m.contains("emergency changes only")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_change_manager_alone_authorises_only_low_risk_normal_changes() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let mail = service(&db, "E-mail").await;
    let low = awaiting(&db, &p, form("normal", mail, 0), None).await;
    // A CAB member is not a change manager.
    let before = load(&db, low).await;
    let entries = trail(&db, low).await;
    let refused = step(&db, &p.cab, low, ChangeAction::Authorise).await;
    refused_and_untouched(
        &db,
        refused,
        "decided by the Change manager",
        &before,
        entries,
    )
    .await;
    assert_eq!(
        step(&db, &p.manager, low, ChangeAction::Authorise)
            .await
            .unwrap()
            .state,
        ChangeState::Authorised
    );
}

#[tokio::test]
async fn cab_meeting_writes_check_the_chair_and_the_seat() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let mail = service(&db, "E-mail").await;
    let id = awaiting(&db, &p, form("normal", mail, 2), None).await;
    let board_id = board(&db, &p, "cab").await;
    let meeting = cab::meetings::schedule(
        &db,
        &actor(&p.manager),
        board_id,
        MeetingWhen::Now,
        String::new(),
        Utc::now(),
    )
    .await
    .unwrap();
    // A CAB member who does not chair this board cannot run it.
    let version = cab::meetings::load(&db, &p.cab, meeting)
        .await
        .unwrap()
        .version;
    let refused = cab::meetings::start(&db, &p.cab, &actor(&p.cab), meeting, version)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, AppError::Refused(ref m) if m.contains("Only this meeting's chair")),
        "{refused:?}"
    );
    let after = cab::meetings::load(&db, &p.manager, meeting).await.unwrap();
    assert_eq!(after.version, version, "nothing written");
    let item = start_on(&db, &p, meeting, id).await;
    // A CAB member who does not sit on the board does not vote, present or not.
    let outsider = person(&db, "cab3@example.org", Role::CabMember).await;
    cab::presence::join(&db, meeting, outsider.id)
        .await
        .unwrap();
    let refused = cab::voting::vote(
        &db,
        &outsider,
        &actor(&outsider),
        meeting,
        item,
        Vote::Approve,
        String::new(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(refused, AppError::Refused(ref m) if m.contains("Only board members")),
        "{refused:?}"
    );
    let votes = cab::meetings::load(&db, &p.manager, meeting)
        .await
        .unwrap()
        .current_item()
        .unwrap()
        .votes
        .len();
    assert_eq!(votes, 0, "no vote recorded");
    // Nor does a member record the board's decision.
    cab::presence::join(&db, meeting, p.manager.id)
        .await
        .unwrap();
    cab::presence::join(&db, meeting, p.cab.id).await.unwrap();
    let before = load(&db, id).await;
    let entries = trail(&db, id).await;
    let refused = decide(&db, &p.other_cab, meeting, item).await;
    refused_and_untouched(&db, refused, "Only this meeting's chair", &before, entries).await;
}

/// The meeting as the change manager sees it: (version, state, current item).
async fn meeting_now(db: &Db, p: &People, id: i64) -> (i32, MeetingState, Option<i64>) {
    let m = cab::meetings::load(db, &p.manager, id).await.unwrap();
    (m.version, m.state, m.current_item_id)
}

#[tokio::test]
async fn a_chair_of_record_without_the_chair_permission_runs_nothing() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let mail = service(&db, "E-mail").await;
    let id = awaiting(&db, &p, form("normal", mail, 2), None).await;
    // The board names a requester as its chair: being named is not holding CabChair.
    let chair = person(&db, "chair@example.org", Role::Requester).await;
    assert!(!chair.may(Permission::CabChair));
    let board_form = BoardForm {
        name: "Board with a chair who may not chair".into(),
        kind: "cab".into(),
        chair_id: chair.id.to_string(),
        quorum_kind: "majority".into(),
        time_zone: "UTC".into(),
        member_ids: [&chair, &p.cab, &p.other_cab]
            .iter()
            .map(|m| m.id.to_string())
            .collect(),
        ..Default::default()
    };
    let board_id = cab::boards::create(&db, &actor(&p.manager), board_form.validate().unwrap())
        .await
        .unwrap()
        .id;
    let meeting = cab::meetings::schedule(
        &db,
        &actor(&p.manager),
        board_id,
        MeetingWhen::Now,
        String::new(),
        Utc::now(),
    )
    .await
    .unwrap();
    let shown = cab::meetings::load(&db, &chair, meeting).await.unwrap();
    assert!(!shown.viewer_is_chair, "no chair's controls for them");
    let missing_permission = |error: AppError| {
        assert_eq!(
            error,
            AppError::Forbidden(Permission::CabChair.describe().into()),
            "the permission check's refusal"
        );
    };
    // Start: refused, the meeting stays scheduled.
    let before = meeting_now(&db, &p, meeting).await;
    let refused = cab::meetings::start(&db, &chair, &actor(&chair), meeting, before.0)
        .await
        .unwrap_err();
    missing_permission(refused);
    assert_eq!(meeting_now(&db, &p, meeting).await, before);
    assert_eq!(before.1, MeetingState::Scheduled);
    // A change manager stands in and runs it up to the item; with quorum present, the chair
    // of record still cannot go to an item, record the decision or end the meeting.
    cab::meetings::start(&db, &p.manager, &actor(&p.manager), meeting, before.0)
        .await
        .unwrap();
    for present in [&chair, &p.cab, &p.other_cab] {
        cab::presence::join(&db, meeting, present.id).await.unwrap();
    }
    let running = cab::meetings::load(&db, &p.manager, meeting).await.unwrap();
    assert!(running.quorum.refusal.is_none(), "{:?}", running.quorum);
    let item = running
        .items
        .iter()
        .find(|i| i.change_id == id)
        .expect("on the agenda")
        .id;
    let before = meeting_now(&db, &p, meeting).await;
    let refused = cab::meetings::go_to(&db, &chair, &actor(&chair), meeting, before.0, item)
        .await
        .unwrap_err();
    missing_permission(refused);
    assert_eq!(meeting_now(&db, &p, meeting).await, before);
    cab::meetings::go_to(&db, &p.manager, &actor(&p.manager), meeting, before.0, item)
        .await
        .unwrap();
    let change_before = load(&db, id).await;
    let entries = trail(&db, id).await;
    let before = meeting_now(&db, &p, meeting).await;
    let refused = decide(&db, &chair, meeting, item).await;
    missing_permission(refused.unwrap_err());
    let change_after = load(&db, id).await;
    assert_eq!(change_after.state, ChangeState::AwaitingAuthorisation);
    assert_eq!(change_after.version, change_before.version);
    assert_eq!(trail(&db, id).await, entries, "no audit entry");
    assert_eq!(meeting_now(&db, &p, meeting).await, before);
    let refused = cab::meetings::end(&db, &chair, &actor(&chair), meeting, before.0)
        .await
        .unwrap_err();
    missing_permission(refused);
    assert_eq!(meeting_now(&db, &p, meeting).await, before);
    assert_eq!(before.1, MeetingState::InProgress);
}

#[tokio::test]
async fn only_people_who_may_vote_vote_or_make_the_quorum() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let mail = service(&db, "E-mail").await;
    let id = awaiting(&db, &p, form("normal", mail, 2), None).await;
    // An auditor sits on the board and stands in for the second CAB member; auditors hold
    // no CabVote, so neither their own seat nor the one they stand in for counts.
    let auditor = person(&db, "auditor@example.org", Role::Auditor).await;
    assert!(!auditor.may(Permission::CabVote));
    let board_form = BoardForm {
        name: "Board with an auditor".into(),
        kind: "cab".into(),
        chair_id: p.manager.id.to_string(),
        quorum_kind: "at_least".into(),
        quorum_value: "2".into(),
        time_zone: "UTC".into(),
        member_ids: [&p.manager, &p.cab, &p.other_cab, &auditor]
            .iter()
            .map(|m| m.id.to_string())
            .collect(),
        delegates: [(p.other_cab.id.to_string(), auditor.id.to_string())]
            .into_iter()
            .collect(),
        ..Default::default()
    };
    let board_id = cab::boards::create(&db, &actor(&p.manager), board_form.validate().unwrap())
        .await
        .unwrap()
        .id;
    let (meeting, item) = meeting_on(&db, &p, board_id, id).await;
    for present in [&p.manager, &auditor] {
        cab::presence::join(&db, meeting, present.id).await.unwrap();
    }
    let quorum = cab::meetings::load(&db, &p.manager, meeting)
        .await
        .unwrap()
        .quorum;
    assert_eq!((quorum.members, quorum.represented), (4, 1), "{quorum:?}");
    // The auditor's vote is refused (for their seat and the absent member's alike).
    let refused = cab::voting::vote(
        &db,
        &auditor,
        &actor(&auditor),
        meeting,
        item,
        Vote::Approve,
        String::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        refused,
        AppError::Forbidden(Permission::CabVote.describe().into())
    );
    let current = cab::meetings::load(&db, &p.manager, meeting).await.unwrap();
    assert!(current.current_item().unwrap().votes.is_empty());
    // Present in body, they make no quorum: the decision is refused, nothing written.
    let before = load(&db, id).await;
    let entries = trail(&db, id).await;
    let refused = decide(&db, &p.manager, meeting, item).await;
    refused_and_untouched(
        &db,
        refused,
        "No quorum: 1 of 4 members present, 2 needed",
        &before,
        entries,
    )
    .await;
    // A CAB member who may vote arrives: quorum, and the chair records the decision.
    cab::presence::join(&db, meeting, p.cab.id).await.unwrap();
    cab::voting::vote(
        &db,
        &p.cab,
        &actor(&p.cab),
        meeting,
        item,
        Vote::Approve,
        String::new(),
    )
    .await
    .unwrap();
    let authorised = decide(&db, &p.manager, meeting, item).await.unwrap();
    assert_eq!(authorised.state, ChangeState::Authorised);
}

#[tokio::test]
async fn a_former_owner_never_decides_the_change() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let mail = service(&db, "E-mail").await;
    // The change manager owns a low-risk change, then hands it to the service owner.
    let mut draft = form("normal", mail, 0).validate().unwrap();
    draft.owner_id = Some(p.manager.id);
    let change = changes::create(&db, &p.requester, &actor(&p.requester), draft)
        .await
        .unwrap();
    let mut handed: ChangeDraft = change.to_form(|t| t.naive_utc()).validate().unwrap();
    handed.owner_id = Some(p.owner.id);
    let handed = changes::update(
        &db,
        &p.manager,
        &actor(&p.manager),
        change.id,
        change.version,
        handed,
    )
    .await
    .unwrap();
    assert_eq!(handed.owner.id, p.owner.id);
    assert_eq!(
        handed
            .former_owners
            .iter()
            .map(|o| o.id)
            .collect::<Vec<_>>(),
        vec![p.manager.id]
    );
    step(&db, &p.requester, change.id, ChangeAction::Submit)
        .await
        .unwrap();
    for action in [ChangeAction::Assess, ChangeAction::RequestAuthorisation] {
        step(&db, &p.other_manager, change.id, action)
            .await
            .unwrap();
    }
    let before = load(&db, change.id).await;
    let entries = trail(&db, change.id).await;
    for action in [ChangeAction::Authorise, ChangeAction::Reject] {
        let refused = step(&db, &p.manager, change.id, action).await;
        refused_and_untouched(
            &db,
            refused,
            "You owned this change before",
            &before,
            entries,
        )
        .await;
    }
    assert_eq!(
        step(&db, &p.other_manager, change.id, ChangeAction::Authorise)
            .await
            .unwrap()
            .state,
        ChangeState::Authorised
    );
}

#[tokio::test]
async fn editing_what_the_assessment_relied_on_sends_the_change_back() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let mail = service(&db, "E-mail").await;
    let web = service(&db, "Web").await;
    let change = changes::create(
        &db,
        &p.requester,
        &actor(&p.requester),
        form("normal", mail, 0).validate().unwrap(),
    )
    .await
    .unwrap();
    step(&db, &p.requester, change.id, ChangeAction::Submit)
        .await
        .unwrap();
    step(&db, &p.manager, change.id, ChangeAction::Assess)
        .await
        .unwrap();
    let edit = |change: &Change, tweak: &dyn Fn(&mut ChangeForm)| {
        let mut form = change.to_form(|t| t.naive_utc());
        tweak(&mut form);
        form.validate().unwrap()
    };
    // The title is not what the assessment relied on: it stays assessed.
    let assessed = load(&db, change.id).await;
    let retitled = changes::update(
        &db,
        &p.requester,
        &actor(&p.requester),
        change.id,
        assessed.version,
        edit(&assessed, &|f| {
            f.title = "Upgrade the mail gateway now".into()
        }),
    )
    .await
    .unwrap();
    assert_eq!(retitled.state, ChangeState::Assessed);
    // Each of risk answers, services, plans and schedule sends it back to be assessed again.
    let tweaks: [(&str, FormTweak); 4] = [
        ("risk", Box::new(|f| f.impact_breadth = "3".into())),
        (
            "services",
            Box::new(move |f| f.service_ids.push(web.to_string())),
        ),
        ("plans", Box::new(|f| f.backout_plan = "Nothing.".into())),
        (
            "schedule",
            Box::new(|f| f.planned_end = "2027-03-03T03:00".into()),
        ),
    ];
    for (what, tweak) in tweaks {
        let current = load(&db, change.id).await;
        if current.state != ChangeState::Assessed {
            step(&db, &p.manager, change.id, ChangeAction::Assess)
                .await
                .unwrap();
        }
        let current = load(&db, change.id).await;
        let entries = trail(&db, change.id).await;
        let edited = changes::update(
            &db,
            &p.requester,
            &actor(&p.requester),
            change.id,
            current.version,
            edit(&current, tweak.as_ref()),
        )
        .await
        .unwrap();
        assert_eq!(edited.state, ChangeState::Submitted, "{what}");
        let history = audit_trail::history(&db, "change", &change.id.to_string())
            .await
            .unwrap();
        assert_eq!(history.len(), entries + 1, "{what}: one audit entry");
        assert!(
            history[0]
                .summary
                .contains("goes back from Assessed to Submitted"),
            "{what}: {}",
            history[0].summary
        );
    }
    // Its type is fixed once submitted: refused, nothing written.
    let before = load(&db, change.id).await;
    let entries = trail(&db, change.id).await;
    let refused = changes::update(
        &db,
        &p.requester,
        &actor(&p.requester),
        change.id,
        before.version,
        edit(&before, &|f| f.change_type = "emergency".into()),
    )
    .await;
    refused_and_untouched(&db, refused, "once submitted", &before, entries).await;
}

#[tokio::test]
async fn a_standard_change_stays_inside_its_template_and_its_schedule_is_checked() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let erp = service(&db, "ERP").await;
    let payroll = service(&db, "Payroll").await;
    let template = templates::create(
        &db,
        &actor(&p.manager),
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
    let standard = |service_id: i64| {
        let mut f = form("standard", service_id, 0);
        f.template_id = template.id.to_string();
        f.validate().unwrap()
    };
    // Another service than the template's: refused, no change written.
    let total = change_lists::list(&db, &Default::default())
        .await
        .unwrap()
        .total;
    let refused = changes::create(&db, &p.requester, &actor(&p.requester), standard(payroll))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, AppError::Refused(ref m) if m.contains("pre-authorised only for its own services")),
        "{refused:?}"
    );
    assert_eq!(
        change_lists::list(&db, &Default::default())
            .await
            .unwrap()
            .total,
        total
    );
    // Inside a blackout: submitting (which authorises a standard change) is refused.
    let change = changes::create(&db, &p.requester, &actor(&p.requester), standard(erp))
        .await
        .unwrap();
    let start = Utc.with_ymd_and_hms(2027, 3, 2, 0, 0, 0).unwrap();
    app::server::service::schedule::save_window(
        &db,
        &actor(&p.manager),
        "UTC",
        None,
        WindowDraft {
            kind: WindowKind::Blackout,
            name: "Freeze".into(),
            service_id: None,
            starts: start.naive_utc(),
            ends: (start + chrono::Duration::days(2)).naive_utc(),
        },
    )
    .await
    .unwrap();
    let before = load(&db, change.id).await;
    let entries = trail(&db, change.id).await;
    let refused = step(&db, &p.requester, change.id, ChangeAction::Submit).await;
    refused_and_untouched(&db, refused, "schedule conflict", &before, entries).await;
    // Once a change manager accepts the conflict, with a reason, it is authorised.
    changes::override_conflicts(
        &db,
        &p.manager,
        &actor(&p.manager),
        change.id,
        before.version,
        "Security patch agreed with the finance team.",
    )
    .await
    .unwrap();
    assert_eq!(
        step(&db, &p.requester, change.id, ChangeAction::Submit)
            .await
            .unwrap()
            .state,
        ChangeState::Authorised
    );
}

fn imported(state: ChangeState, requester_id: i64, service_id: i64) -> Imported {
    let start = Utc.with_ymd_and_hms(2026, 1, 5, 20, 0, 0).unwrap();
    Imported {
        draft: form("normal", service_id, 1).validate().unwrap(),
        state,
        requester_id,
        planned: Some((start, start + chrono::Duration::hours(1))),
        review: matches!(state, ChangeState::Reviewed | ChangeState::Closed).then(|| Review {
            outcome: "Successful".into(),
            incidents: 0,
            lessons: String::new(),
        }),
    }
}

#[tokio::test]
async fn imports_bring_only_finished_read_only_history() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let mail = service(&db, "E-mail").await;
    let system = Actor::system("import");
    for state in ChangeState::ALL.into_iter().filter(|s| !s.is_final()) {
        let refused = change_import::import(&db, &system, imported(state, p.requester.id, mail))
            .await
            .unwrap_err();
        assert!(
            matches!(refused, AppError::Refused(ref m) if m.contains("never")),
            "{state:?}: {refused:?}"
        );
    }
    assert_eq!(
        change_lists::list(&db, &Default::default())
            .await
            .unwrap()
            .total,
        0,
        "nothing written"
    );
    let id = change_import::import(
        &db,
        &system,
        imported(ChangeState::Closed, p.requester.id, mail),
    )
    .await
    .unwrap();
    let history = load(&db, id).await;
    assert!(history.imported);
    assert_eq!(history.state, ChangeState::Closed);
    assert!(!history.is_editable());
    let entries = trail(&db, id).await;
    // Not moved by anyone…
    for (who, action) in [
        (&p.manager, ChangeAction::Close),
        (&p.manager, ChangeAction::Cancel),
        (&p.requester, ChangeAction::Cancel),
    ] {
        let refused = step(&db, who, id, action).await;
        refused_and_untouched(&db, refused, "imported history", &history, entries).await;
    }
    // …nor edited.
    let refused = changes::update(
        &db,
        &p.manager,
        &actor(&p.manager),
        id,
        history.version,
        history.to_form(|t| t.naive_utc()).validate().unwrap(),
    )
    .await;
    refused_and_untouched(&db, refused, "imported history", &history, entries).await;
}
