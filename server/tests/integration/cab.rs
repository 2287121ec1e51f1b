//! CAB meetings against a real database (SQLite, and PostgreSQL in the test command): a
//! meeting from agenda to published minutes, quorum, conflicts of interest, delegates,
//! version checks, and board definitions.

use crate::common;

use app::error::AppError;
use app::model::access::Role;
use app::model::cab::{BoardForm, Decision, Vote};
use app::model::change::{ChangeAction, ChangeState};
use app::model::change_request::ChangeForm;
use app::model::meeting::{MeetingState, MeetingWhen};
use app::model::user::{CurrentUser, NewUser};
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::cab::agenda::AgendaEdit;
use app::server::service::changes::{self, TransitionInput};
use app::server::service::{audit_trail, cab, notifications, users};
use chrono::Utc;

async fn person(db: &Db, email: &str, name: &str, role: Role) -> CurrentUser {
    let user = users::create(
        db,
        &Actor::system("test"),
        NewUser {
            email: email.into(),
            name: name.into(),
            roles: vec![role],
            password: "long enough password".into(),
        },
    )
    .await
    .unwrap();
    CurrentUser {
        id: user.id,
        email: user.email,
        name: user.name,
        roles: user.roles,
        time_zone: "UTC".into(),
    }
}

fn actor(user: &CurrentUser) -> Actor {
    Actor::user(user.id, user.name.clone(), None)
}

struct Room {
    chair: CurrentUser,
    kim: CurrentUser,
    sam: CurrentUser,
    stand_in: CurrentUser,
    requester: CurrentUser,
    board_id: i64,
}

async fn room(db: &Db) -> Room {
    let chair = person(db, "chair@example.org", "Chris Chair", Role::ChangeManager).await;
    let kim = person(db, "kim@example.org", "Kim Member", Role::CabMember).await;
    let sam = person(db, "sam@example.org", "Sam Away", Role::CabMember).await;
    let stand_in = person(db, "deputy@example.org", "Dee Deputy", Role::CabMember).await;
    let requester = person(db, "req@example.org", "Robin Requester", Role::Requester).await;
    let form = BoardForm {
        name: "Weekly CAB".into(),
        kind: "cab".into(),
        chair_id: chair.id.to_string(),
        quorum_kind: "majority".into(),
        weekday: "tue".into(),
        meets_at: "10:00".into(),
        time_zone: "Europe/Berlin".into(),
        member_ids: [&chair, &kim, &sam, &requester]
            .iter()
            .map(|p| p.id.to_string())
            .collect(),
        delegates: [(sam.id.to_string(), stand_in.id.to_string())]
            .into_iter()
            .collect(),
        ..Default::default()
    };
    let board = cab::boards::create(db, &actor(&chair), form.validate().unwrap())
        .await
        .unwrap();
    Room {
        chair,
        kim,
        sam,
        stand_in,
        requester,
        board_id: board.id,
    }
}

/// A change raised by `requester` and sent to authorisation by `manager`.
async fn awaiting(
    db: &Db,
    requester: &CurrentUser,
    manager: &CurrentUser,
    title: &str,
    kind: &str,
) -> i64 {
    let form = ChangeForm {
        title: title.into(),
        change_type: kind.into(),
        planned_start: "2027-03-02T22:00".into(),
        planned_end: "2027-03-02T23:00".into(),
        implementation_plan: "Apply.".into(),
        test_plan: "Test.".into(),
        backout_plan: "Restore.".into(),
        impact_breadth: "2".into(),
        complexity: "2".into(),
        backout_difficulty: "1".into(),
        history: "1".into(),
        time_pressure: "0".into(),
        ..Default::default()
    };
    let change = changes::create(db, requester, &actor(requester), form.validate().unwrap())
        .await
        .unwrap();
    let mut steps = vec![(requester, ChangeAction::Submit)];
    // An emergency change goes from submitted straight to authorisation.
    if kind == "normal" {
        steps.push((manager, ChangeAction::Assess));
        steps.push((manager, ChangeAction::RequestAuthorisation));
    }
    for (who, action) in steps {
        let version = changes::load(db.reader(), change.id).await.unwrap().version;
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
    change.id
}

async fn version(db: &Db, viewer: &CurrentUser, id: i64) -> i32 {
    cab::meetings::load(db, viewer, id).await.unwrap().version
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_runs_from_agenda_to_published_minutes() {
    let db = common::test_db().await;
    let r = room(&db).await;
    let first = awaiting(
        &db,
        &r.requester,
        &r.chair,
        "Patch the mail gateway",
        "normal",
    )
    .await;
    let second = awaiting(
        &db,
        &r.requester,
        &r.chair,
        "Replace the core switch",
        "normal",
    )
    .await;
    let id = cab::meetings::schedule(
        &db,
        &actor(&r.chair),
        r.board_id,
        MeetingWhen::Now,
        String::new(),
        Utc::now(),
    )
    .await
    .unwrap();
    let meeting = cab::meetings::load(&db, &r.kim, id).await.unwrap();
    assert_eq!(meeting.state, MeetingState::Scheduled);
    assert!(
        meeting.emergency,
        "an ad hoc meeting now is an emergency sitting"
    );
    let agenda: Vec<i64> = meeting.items.iter().map(|i| i.change_id).collect();
    assert_eq!(agenda, vec![first, second]);
    assert!(!meeting.viewer_is_chair);

    // Only the chair (or a change manager) runs it.
    let refused = cab::meetings::start(&db, &r.kim, &actor(&r.kim), id, meeting.version)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, AppError::Refused(ref m) if m.contains("Only this meeting's chair")),
        "{refused:?}"
    );
    cab::meetings::start(&db, &r.chair, &actor(&r.chair), id, meeting.version)
        .await
        .unwrap();
    let meeting = cab::meetings::load(&db, &r.chair, id).await.unwrap();
    let item = meeting.current_item().unwrap().clone();
    assert_eq!(item.change_id, first);

    // Alone, the chair has no quorum; the refusal says why.
    cab::presence::join(&db, id, r.chair.id).await.unwrap();
    let chair_actor = actor(&r.chair);
    let form_decision = |version| {
        cab::voting::decide(
            &db,
            &r.chair,
            &chair_actor,
            id,
            version,
            item.id,
            Decision::Authorise,
            String::new(),
            "Backup verified the night before.".into(),
        )
    };
    let no_quorum = form_decision(version(&db, &r.chair, id).await)
        .await
        .unwrap_err();
    assert_eq!(
        no_quorum,
        AppError::Refused("No quorum: 1 of 4 members present, 3 needed (a majority).".into())
    );

    // Kim arrives, and Dee stands in for Sam, who is away: three of four seats.
    assert!(cab::presence::join(&db, id, r.kim.id).await.unwrap());
    assert!(cab::presence::join(&db, id, r.stand_in.id).await.unwrap());
    assert!(cab::presence::join(&db, id, r.requester.id).await.unwrap());
    let meeting = cab::meetings::load(&db, &r.stand_in, id).await.unwrap();
    assert_eq!(
        meeting.quorum.represented, 4,
        "the requester is a member too"
    );
    assert!(meeting.quorum.refusal.is_none());
    assert_eq!(meeting.viewer_seats(&item), Ok(vec![r.sam.id]));

    // The requester is a member but cannot vote on their own change.
    let conflict = cab::voting::vote(
        &db,
        &r.requester,
        &actor(&r.requester),
        id,
        item.id,
        Vote::Approve,
        String::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        conflict,
        AppError::Refused("You requested this change, so you cannot vote on it.".into())
    );
    cab::voting::vote(
        &db,
        &r.stand_in,
        &actor(&r.stand_in),
        id,
        item.id,
        Vote::Approve,
        String::new(),
    )
    .await
    .unwrap();
    cab::voting::vote(
        &db,
        &r.kim,
        &actor(&r.kim),
        id,
        item.id,
        Vote::Reject,
        "Too close to month end".into(),
    )
    .await
    .unwrap();
    // Changing one's mind replaces the vote.
    cab::voting::vote(
        &db,
        &r.kim,
        &actor(&r.kim),
        id,
        item.id,
        Vote::ApproveWithConditions,
        "Only after the backup".into(),
    )
    .await
    .unwrap();
    let meeting = cab::meetings::load(&db, &r.chair, id).await.unwrap();
    let votes = &meeting.current_item().unwrap().votes;
    assert_eq!(votes.len(), 2);
    assert!(votes.iter().any(|v| v.voter.id == r.stand_in.id
        && v.member.id == r.sam.id
        && v.vote == Vote::Approve));
    assert!(votes
        .iter()
        .any(|v| v.voter.id == r.kim.id && v.vote == Vote::ApproveWithConditions));

    // A stale screen changes nothing; the current one decides, and the change moves with it.
    let stale = form_decision(meeting.version - 1).await.unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }), "{stale:?}");
    let change = form_decision(meeting.version).await.unwrap();
    assert_eq!(change.state, ChangeState::Authorised);
    assert_eq!(
        changes::load(db.reader(), first).await.unwrap().state,
        ChangeState::Authorised
    );
    let timeline = audit_trail::history(&db, "change", &first.to_string())
        .await
        .unwrap();
    assert!(
        timeline[0].summary.contains("Authorised by Weekly CAB"),
        "{:?}",
        timeline[0]
    );
    let late_vote = cab::voting::vote(
        &db,
        &r.kim,
        &actor(&r.kim),
        id,
        item.id,
        Vote::Reject,
        "Changed my mind".into(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(late_vote, AppError::Refused(ref m) if m.contains("closed")),
        "{late_vote:?}"
    );

    // Next item: its requester is called in.
    let next = meeting.items[1].id;
    cab::meetings::go_to(
        &db,
        &r.chair,
        &actor(&r.chair),
        id,
        version(&db, &r.chair, id).await,
        next,
    )
    .await
    .unwrap();
    let called = notifications::recent(&db, r.requester.id).await.unwrap();
    assert!(called
        .iter()
        .any(|n| n.text.contains("Replace the core switch")
            && n.link == format!("/cab/meetings/{id}")));
    let due = Utc::now().date_naive() + chrono::Duration::days(7);
    cab::actions::add_action(
        &db,
        &r.chair,
        &actor(&r.chair),
        id,
        version(&db, &r.chair, id).await,
        Some(next),
        "Confirm the spare switch is on site".into(),
        r.kim.id,
        due,
    )
    .await
    .unwrap();
    assert_eq!(
        cab::actions::actions_for(&db, r.kim.id)
            .await
            .unwrap()
            .len(),
        1
    );

    // Minutes are written as the meeting runs …
    let running = cab::meetings::load(&db, &r.kim, id).await.unwrap();
    let draft = running.minutes_draft.unwrap();
    assert!(draft.contains("**Decision: Authorised.**"), "{draft}");
    assert!(
        draft.contains("Dee Deputy (for Sam Away): Approve"),
        "{draft}"
    );

    // … and the second item, not decided, is carried over.
    cab::meetings::end(
        &db,
        &r.chair,
        &actor(&r.chair),
        id,
        version(&db, &r.chair, id).await,
    )
    .await
    .unwrap();
    let ended = cab::meetings::load(&db, &r.chair, id).await.unwrap();
    let draft = ended.minutes_draft.clone().unwrap();
    assert!(draft.contains("Not reached; carried over"), "{draft}");
    assert!(
        draft.contains("Confirm the spare switch is on site"),
        "{draft}"
    );
    assert!(
        draft.contains("Discussion: Backup verified the night before."),
        "{draft}"
    );
    let late = cab::voting::vote(
        &db,
        &r.kim,
        &actor(&r.kim),
        id,
        next,
        Vote::Approve,
        String::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(late, AppError::Refused("The meeting has ended.".into()));

    let edited = format!("{draft}\nAOB: none.\n");
    let chair_actor = actor(&r.chair);
    let save = |version: i32, text: String, publish: bool| {
        cab::minutes::save_minutes(&db, &r.chair, &chair_actor, id, version, text, publish)
    };
    save(ended.version, format!("{draft}\nDraft note.\n"), false)
        .await
        .unwrap();
    assert!(cab::minutes::published_minutes(&db, id).await.is_err());
    // Publishing takes the text as it stands in the editor, saved in the same step.
    save(ended.version + 1, edited.clone(), true).await.unwrap();
    let (_, published) = cab::minutes::published_minutes(&db, id).await.unwrap();
    assert_eq!(published, edited.trim());
    // Published minutes do not change.
    let again = save(ended.version + 2, "x".repeat(30), false)
        .await
        .unwrap_err();
    assert_eq!(
        again,
        AppError::Refused("The minutes are published; the meeting is closed.".into())
    );

    // Leaving empties the room.
    assert!(cab::presence::leave(&db, id, r.kim.id).await.unwrap());
    let after = cab::meetings::load(&db, &r.chair, id).await.unwrap();
    assert!(!after.present.iter().any(|p| p.id == r.kim.id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agenda_follows_the_criteria_and_the_chair() {
    let db = common::test_db().await;
    let r = room(&db).await;
    let normal = awaiting(&db, &r.requester, &r.chair, "Normal change", "normal").await;
    let emergency = awaiting(&db, &r.requester, &r.chair, "Emergency fix", "emergency").await;
    let ecab = BoardForm {
        name: "Emergency CAB".into(),
        kind: "ecab".into(),
        chair_id: r.chair.id.to_string(),
        quorum_kind: "at_least".into(),
        quorum_value: "2".into(),
        time_zone: "UTC".into(),
        change_types: vec!["emergency".into()],
        member_ids: vec![r.chair.id.to_string(), r.kim.id.to_string()],
        ..Default::default()
    };
    let ecab = cab::boards::create(&db, &actor(&r.chair), ecab.validate().unwrap())
        .await
        .unwrap();
    let emergency_meeting = cab::meetings::schedule(
        &db,
        &actor(&r.chair),
        ecab.id,
        MeetingWhen::Now,
        String::new(),
        Utc::now(),
    )
    .await
    .unwrap();
    let items = cab::meetings::load(&db, &r.chair, emergency_meeting)
        .await
        .unwrap()
        .items;
    assert_eq!(
        items.iter().map(|i| i.change_id).collect::<Vec<_>>(),
        vec![emergency]
    );

    // The weekly board takes what is left (the emergency change is already on an agenda).
    let weekly = cab::meetings::schedule(
        &db,
        &actor(&r.chair),
        r.board_id,
        MeetingWhen::Next,
        String::new(),
        Utc::now(),
    )
    .await
    .unwrap();
    let meeting = cab::meetings::load(&db, &r.chair, weekly).await.unwrap();
    assert_eq!(
        meeting
            .items
            .iter()
            .map(|i| i.change_id)
            .collect::<Vec<_>>(),
        vec![normal]
    );
    assert!(
        meeting.scheduled_local.contains("Tuesday"),
        "{}",
        meeting.scheduled_local
    );

    // The chair extends, reorders and trims it, each against the current version.
    let added_twice = cab::agenda::edit_agenda(
        &db,
        &r.chair,
        &actor(&r.chair),
        weekly,
        meeting.version,
        AgendaEdit::Add(emergency),
    )
    .await;
    assert!(
        added_twice.is_ok(),
        "an item may sit on two agendas when the chair says so"
    );
    let v = version(&db, &r.chair, weekly).await;
    let moved_item = cab::meetings::load(&db, &r.chair, weekly)
        .await
        .unwrap()
        .items[1]
        .id;
    cab::agenda::edit_agenda(
        &db,
        &r.chair,
        &actor(&r.chair),
        weekly,
        v,
        AgendaEdit::Move(moved_item, true),
    )
    .await
    .unwrap();
    let stale = cab::agenda::edit_agenda(
        &db,
        &r.chair,
        &actor(&r.chair),
        weekly,
        v,
        AgendaEdit::Remove(moved_item),
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }));
    let meeting = cab::meetings::load(&db, &r.chair, weekly).await.unwrap();
    assert_eq!(
        meeting
            .items
            .iter()
            .map(|i| i.change_id)
            .collect::<Vec<_>>(),
        vec![emergency, normal]
    );
    let authorised_elsewhere = cab::agenda::edit_agenda(
        &db,
        &r.chair,
        &actor(&r.chair),
        weekly,
        meeting.version,
        AgendaEdit::Add(999_999),
    )
    .await
    .unwrap_err();
    assert!(authorised_elsewhere.field_errors().is_some());
    cab::agenda::edit_agenda(
        &db,
        &r.chair,
        &actor(&r.chair),
        weekly,
        meeting.version,
        AgendaEdit::Remove(moved_item),
    )
    .await
    .unwrap();
    let meeting = cab::meetings::load(&db, &r.chair, weekly).await.unwrap();
    assert_eq!(meeting.items.len(), 1);
    let bad_box = cab::agenda::edit_agenda(
        &db,
        &r.chair,
        &actor(&r.chair),
        weekly,
        meeting.version,
        AgendaEdit::TimeBox(meeting.items[0].id, 0),
    )
    .await
    .unwrap_err();
    assert!(bad_box.field_errors().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn board_definitions_are_checked_versioned_and_audited() {
    let db = common::test_db().await;
    let r = room(&db).await;
    let boards = cab::boards::list(&db, Utc::now()).await.unwrap();
    assert_eq!(boards.len(), 1);
    assert_eq!(boards[0].next_meetings.len(), 3);
    assert!(
        boards[0].next_meetings[0].starts_with("Tuesday"),
        "{:?}",
        boards[0].next_meetings
    );
    assert!(boards[0].next_meetings[0].contains("10:00 (Europe/Berlin)"));

    let board = boards[0].board.clone();
    let mut form = board.to_form();
    form.member_ids.push("424242".into());
    let unknown = cab::boards::update(
        &db,
        &actor(&r.chair),
        board.id,
        board.version,
        form.validate().unwrap(),
        true,
    )
    .await
    .unwrap_err();
    assert!(unknown
        .field_errors()
        .and_then(|e| e.get("member_ids"))
        .is_some());

    let mut form = board.to_form();
    form.quorum_kind = "at_least".into();
    form.quorum_value = "2".into();
    let updated = cab::boards::update(
        &db,
        &actor(&r.chair),
        board.id,
        board.version,
        form.validate().unwrap(),
        true,
    )
    .await
    .unwrap();
    assert_eq!(updated.version, board.version + 1);
    assert_eq!(updated.to_form().quorum_value, "2");
    let stale = cab::boards::update(
        &db,
        &actor(&r.chair),
        board.id,
        board.version,
        board.to_form().validate().unwrap(),
        true,
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }));
    let duplicate = cab::boards::create(&db, &actor(&r.chair), board.to_form().validate().unwrap())
        .await
        .unwrap_err();
    assert!(duplicate
        .field_errors()
        .and_then(|e| e.get("name"))
        .is_some());
    let history = audit_trail::history(&db, "cab_board", &board.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
}

/// A competence set to check CAB votes: a member without it is refused with the reason
/// (refuse), or votes with the gap on the record (warn); the vote panel is told first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_competence_gate_refuses_or_notes_a_vote() {
    use app::model::competence::{CompetenceForm, EvidenceForm, Gate};
    use app::server::entity::audit_log;
    use app::server::service::competences;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let db = common::test_db().await;
    let r = room(&db).await;
    let quinn = person(
        &db,
        "quinn@example.org",
        "Quinn Quality",
        Role::QualityManager,
    )
    .await;
    awaiting(
        &db,
        &r.requester,
        &r.chair,
        "Patch the mail gateway",
        "normal",
    )
    .await;
    let form = CompetenceForm {
        name: "Change risk assessment".into(),
        roles: vec![Role::CabMember.as_str().into()],
        cab_vote: "block".into(),
        ..Default::default()
    };
    let competence = competences::create(&db, &quinn, &actor(&quinn), &form, Utc::now())
        .await
        .unwrap();
    let id = cab::meetings::schedule(
        &db,
        &actor(&r.chair),
        r.board_id,
        MeetingWhen::Now,
        String::new(),
        Utc::now(),
    )
    .await
    .unwrap();
    cab::meetings::start(
        &db,
        &r.chair,
        &actor(&r.chair),
        id,
        version(&db, &r.chair, id).await,
    )
    .await
    .unwrap();
    for who in [&r.chair, &r.kim, &r.stand_in] {
        cab::presence::join(&db, id, who.id).await.unwrap();
    }
    let item = cab::meetings::load(&db, &r.kim, id)
        .await
        .unwrap()
        .current_item()
        .unwrap()
        .clone();
    let gaps = cab::voting::vote_gaps(&db, &r.kim, id).await.unwrap();
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0].gate, Gate::Block);
    let kim_actor = actor(&r.kim);
    let kim_votes = || {
        cab::voting::vote(
            &db,
            &r.kim,
            &kim_actor,
            id,
            item.id,
            Vote::Approve,
            String::new(),
        )
    };
    let refused = kim_votes().await.unwrap_err();
    assert!(
        matches!(&refused, AppError::Refused(m) if m.contains("You cannot vote on this change without “Change risk assessment” (not held)")),
        "{refused:?}"
    );
    // Over HTTP with her own valid session: refused with the same reason, nothing recorded.
    let state = common::web::state(db.db.clone());
    let kim_session = common::web::sign_in(&state, "kim@example.org", "long enough password").await;
    let reply = common::web::send(
        &state,
        common::web::call(
            "/api/cab/vote",
            &format!(
                "id={id}&item_id={}&form[vote]=approve&form[comment]=",
                item.id
            ),
            Some(&kim_session),
        ),
    )
    .await;
    assert_eq!(
        reply.status,
        axum::http::StatusCode::FORBIDDEN,
        "{}",
        reply.body
    );
    assert!(
        matches!(reply.error(), AppError::Refused(m) if m.contains("without “Change risk assessment”")),
        "{}",
        reply.body
    );
    assert!(cab::meetings::load(&db, &r.kim, id)
        .await
        .unwrap()
        .current_item()
        .unwrap()
        .votes
        .is_empty());

    // With her evidence recorded, Kim votes.
    competences::record_evidence(
        &db,
        &quinn,
        &actor(&quinn),
        &EvidenceForm {
            user_id: r.kim.id.to_string(),
            competence_id: competence.to_string(),
            kind: "training".into(),
            evidence: "Change risk assessment workshop".into(),
            achieved_on: (Utc::now().date_naive() - chrono::Duration::days(30)).to_string(),
            expires_on: String::new(),
        },
        Utc::now(),
    )
    .await
    .unwrap();
    assert!(cab::voting::vote_gaps(&db, &r.kim, id)
        .await
        .unwrap()
        .is_empty());
    kim_votes().await.unwrap();

    // Set to warn: Dee, standing in without it, votes, and the record says so.
    let warn = CompetenceForm {
        cab_vote: "warn".into(),
        ..form
    };
    competences::update(&db, &actor(&quinn), competence, 1, &warn)
        .await
        .unwrap();
    cab::voting::vote(
        &db,
        &r.stand_in,
        &actor(&r.stand_in),
        id,
        item.id,
        Vote::Approve,
        String::new(),
    )
    .await
    .unwrap();
    let noted: Vec<String> = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("cab_vote"))
        .order_by_asc(audit_log::Column::Seq)
        .all(db.reader())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.summary)
        .collect();
    assert_eq!(noted.len(), 2, "{noted:?}");
    assert!(!noted[0].contains("cast without"), "{noted:?}");
    assert!(
        noted[1].contains("(cast without “Change risk assessment” (not held))"),
        "{noted:?}"
    );
}
