//! The SMS profile (clauses 4.1–4.4, 5.1–5.3, 6.3): a quality manager writes a draft section
//! by section against its version; it goes to review only with a scope, a policy and top
//! management; nobody who wrote part of it approves it — not over HTTP either — and after the
//! first version only a quality manager or the top management in force does; the approved
//! version is the clauses' evidence.

use crate::common::{self, actor, person, PERSON_PASSWORD};
use crate::incidents::service;

use app::error::AppError;
use app::model::access::Role;
use app::model::sms_document::{DocAction, DocState};
use app::model::sms_profile::{
    IssueForm, PartyForm, PolicyForm, ProfileEdit, ProfileList, RoleForm, ScopeForm,
};
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::entity::audit_log;
use app::server::service::{clause_evidence, sms_profile};
use axum::http::StatusCode;
use chrono::NaiveDate;
use common::web::{call, send, sign_in, state};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 2, 1).unwrap()
}

async fn open(db: &Db, user: &CurrentUser) -> (i64, i32) {
    let view = sms_profile::view(db.reader(), user, today()).await.unwrap();
    let open = view.open.expect("an open version");
    (open.id, open.version)
}

async fn edit(db: &Db, by: &CurrentUser, change: ProfileEdit) -> Result<(), AppError> {
    let (id, version) = open(db, by).await;
    sms_profile::edit(db, by, &actor(by), id, version, &change).await
}

async fn act(db: &Db, by: &CurrentUser, action: DocAction) -> Result<DocState, AppError> {
    let (id, version) = open(db, by).await;
    sms_profile::act(db, by, &actor(by), id, version, action, today()).await
}

fn role(role: &str, holder: &CurrentUser) -> ProfileEdit {
    ProfileEdit::Role(RoleForm {
        role: role.into(),
        holder_id: Some(holder.id),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_is_written_reviewed_and_approved_by_someone_who_did_not_write_it() {
    let db = common::test_db().await;
    let quinn = person(&db, "quinn@example.org", Role::QualityManager).await;
    let petra = person(&db, "petra@example.org", Role::QualityManager).await;
    let avery = person(&db, "avery@example.org", Role::Admin).await;
    let chris = person(&db, "chris@example.org", Role::ChangeManager).await;
    let payroll = service(&db, "Payroll").await;
    let printing = service(&db, "Printing").await;

    // Nothing approved: every profile clause says so.
    let evidence = clause_evidence::for_clause(&db, "4.3", today())
        .await
        .unwrap();
    assert_eq!(evidence.thin[0].rule, "No approved SMS profile");
    // The dashboard reminds of it until one is approved.
    let none = sms_profile::review(db.reader(), today()).await.unwrap();
    assert!(none.needs_attention() && none.number.is_none());

    // Only a quality manager writes it.
    let refused = sms_profile::start(&db, &chris, &actor(&chris)).await;
    assert!(matches!(refused, Err(AppError::Refused(_))), "{refused:?}");
    sms_profile::start(&db, &quinn, &actor(&quinn))
        .await
        .unwrap();
    let twice = sms_profile::start(&db, &petra, &actor(&petra)).await;
    assert!(matches!(twice, Err(AppError::BadRequest(_))), "{twice:?}");

    // Incomplete: not ready for review.
    let early = act(&db, &quinn, DocAction::SendToReview).await;
    assert!(
        matches!(&early, Err(AppError::Refused(why)) if why.contains("the scope statement")),
        "{early:?}"
    );
    edit(
        &db,
        &quinn,
        ProfileEdit::Scope(ScopeForm {
            scope: "The IT services for staff".into(),
            service_ids: vec![payroll],
            locations: "Leeds".into(),
            units: String::new(),
        }),
    )
    .await
    .unwrap();
    // A service id that is not in the catalogue changes nothing.
    let unknown = edit(
        &db,
        &quinn,
        ProfileEdit::Scope(ScopeForm {
            scope: "The IT services for staff".into(),
            service_ids: vec![payroll, 9999],
            ..Default::default()
        }),
    )
    .await;
    assert!(
        matches!(&unknown, Err(AppError::Validation(e)) if e.get("service_ids").is_some()),
        "{unknown:?}"
    );
    edit(
        &db,
        &quinn,
        ProfileEdit::Policy(PolicyForm {
            policy: "We deliver as agreed and improve continually.".into(),
        }),
    )
    .await
    .unwrap();
    edit(
        &db,
        &quinn,
        ProfileEdit::AddIssue(IssueForm {
            kind: "external".into(),
            text: "New data protection law".into(),
        }),
    )
    .await
    .unwrap();
    edit(
        &db,
        &quinn,
        ProfileEdit::AddParty(PartyForm {
            name: "Staff".into(),
            requirements: "E-mail that works".into(),
        }),
    )
    .await
    .unwrap();
    edit(&db, &quinn, role("top_management", &avery))
        .await
        .unwrap();
    edit(&db, &quinn, role("8.5.1", &chris)).await.unwrap();
    // Someone who can no longer sign in is named to no role — not even one already holding
    // another role in the draft.
    let gone = person(&db, "gone@example.org", Role::ChangeManager).await;
    edit(&db, &quinn, role("8.5.2", &gone)).await.unwrap();
    let version = app::server::service::users::get(&db, gone.id)
        .await
        .unwrap()
        .version;
    app::server::service::users::set_disabled(&db, &actor(&avery), gone.id, version, true)
        .await
        .unwrap();
    let refused = edit(&db, &quinn, role("sms_owner", &gone)).await;
    assert!(
        matches!(&refused, Err(AppError::Validation(e)) if e.get("holder_id").is_some()),
        "{refused:?}"
    );
    edit(
        &db,
        &quinn,
        ProfileEdit::Role(RoleForm {
            role: "8.5.2".into(),
            holder_id: None,
        }),
    )
    .await
    .unwrap();
    // Petra helps: now she wrote part of it too.
    edit(&db, &petra, role("sms_owner", &quinn)).await.unwrap();

    // A stale version is refused and changes nothing.
    let (id, version) = open(&db, &quinn).await;
    let stale = sms_profile::edit(
        &db,
        &quinn,
        &actor(&quinn),
        id,
        version - 1,
        &ProfileEdit::Remove {
            list: ProfileList::Parties,
            index: 0,
        },
    )
    .await;
    assert!(matches!(stale, Err(AppError::Conflict { .. })), "{stale:?}");

    assert_eq!(
        act(&db, &quinn, DocAction::SendToReview).await.unwrap(),
        DocState::InReview
    );
    // In review, the text is fixed.
    let fixed = edit(&db, &quinn, role("8.6.1", &chris)).await;
    assert!(matches!(fixed, Err(AppError::BadRequest(_))), "{fixed:?}");
    // Neither writer approves; a change manager does not either.
    for who in [&quinn, &petra, &chris] {
        let refused = act(&db, who, DocAction::Approve).await;
        assert!(matches!(refused, Err(AppError::Refused(_))), "{refused:?}");
    }
    // The first version is approved by the top management it names.
    assert_eq!(
        act(&db, &avery, DocAction::Approve).await.unwrap(),
        DocState::Approved
    );
    let view = sms_profile::view(db.reader(), &quinn, today())
        .await
        .unwrap();
    let in_force = view.in_force.expect("approved");
    assert_eq!(in_force.number, 1);
    assert_eq!(in_force.approved_by.unwrap().id, avery.id);
    assert_eq!(in_force.next_review_on, NaiveDate::from_ymd_opt(2028, 2, 1));
    assert!(view.open.is_none());
    // The dashboard's reminder: quiet until a month before the review, overdue after it.
    let reminder = |on: NaiveDate| sms_profile::review(db.reader(), on);
    assert!(!reminder(today()).await.unwrap().needs_attention());
    let month_before = NaiveDate::from_ymd_opt(2028, 1, 2).unwrap();
    let due = reminder(month_before).await.unwrap();
    assert!(due.needs_attention());
    assert_eq!(due.label(), "Version 1 · Review due 2028-02-01");
    let late = reminder(NaiveDate::from_ymd_opt(2028, 2, 2).unwrap())
        .await
        .unwrap();
    assert!(late.review.is_overdue());

    // Its evidence: Printing is neither scoped nor excluded; most processes have no owner.
    let scope = clause_evidence::for_clause(&db, "4.3", today())
        .await
        .unwrap();
    let rules: Vec<&str> = scope.thin.iter().map(|t| t.rule.as_str()).collect();
    assert_eq!(rules, vec!["Services neither in scope nor excluded"]);
    assert_eq!(
        scope.thin[0].records[0].href,
        format!("/services/{printing}")
    );
    let leadership = clause_evidence::for_clause(&db, "5.1", today())
        .await
        .unwrap();
    assert!(leadership.thin.is_empty(), "{:?}", leadership.thin);
    assert!(leadership.sources[0]
        .label
        .starts_with("Approved SMS profile, version 1"));
    let context = clause_evidence::for_clause(&db, "4.1", today())
        .await
        .unwrap();
    let rules: Vec<&str> = context.thin.iter().map(|t| t.rule.as_str()).collect();
    assert_eq!(rules, vec!["No internal issues recorded"]);
    let live = clause_evidence::clauses_with_live_records(&db)
        .await
        .unwrap();
    assert!(live.contains("4.1") && live.contains("6.3"));

    // Version 2 starts from version 1. Quinn names Chris top management in the draft: only
    // the top management in force (Avery) or a quality manager who wrote none of it approves.
    sms_profile::start(&db, &quinn, &actor(&quinn))
        .await
        .unwrap();
    let view = sms_profile::view(db.reader(), &quinn, today())
        .await
        .unwrap();
    let draft = view.open.unwrap();
    assert_eq!(draft.number, 2);
    assert_eq!(draft.content.parties, in_force.content.parties);
    edit(&db, &quinn, role("top_management", &chris))
        .await
        .unwrap();
    act(&db, &quinn, DocAction::SendToReview).await.unwrap();
    let crony = act(&db, &chris, DocAction::Approve).await;
    assert!(matches!(crony, Err(AppError::Refused(_))), "{crony:?}");
    assert_eq!(
        act(&db, &petra, DocAction::Approve).await.unwrap(),
        DocState::Approved
    );
    let view = sms_profile::view(db.reader(), &quinn, today())
        .await
        .unwrap();
    assert_eq!(view.in_force.unwrap().number, 2);
    let states: Vec<DocState> = view.history.iter().map(|l| l.state).collect();
    assert_eq!(states, vec![DocState::Approved, DocState::Superseded]);
}

/// Someone with a valid session tries every way round the rules over HTTP: the writer
/// approving their own draft, a change manager writing it, a named holder approving. Each is
/// refused, nothing changes, and the refusals are in the audit log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_gets_round_the_approval_over_http() {
    let db = common::test_db().await;
    let quinn = person(&db, "quinn@example.org", Role::QualityManager).await;
    let avery = person(&db, "avery@example.org", Role::Admin).await;
    let chris = person(&db, "chris@example.org", Role::ChangeManager).await;
    sms_profile::start(&db, &quinn, &actor(&quinn))
        .await
        .unwrap();
    edit(
        &db,
        &quinn,
        ProfileEdit::Scope(ScopeForm {
            scope: "Everything".into(),
            ..Default::default()
        }),
    )
    .await
    .unwrap();
    edit(
        &db,
        &quinn,
        ProfileEdit::Policy(PolicyForm {
            policy: "We serve.".into(),
        }),
    )
    .await
    .unwrap();
    edit(&db, &quinn, role("top_management", &avery))
        .await
        .unwrap();
    act(&db, &quinn, DocAction::SendToReview).await.unwrap();
    let (id, version) = open(&db, &quinn).await;

    let state = state(db.db.clone());
    let writer = sign_in(&state, "quinn@example.org", PERSON_PASSWORD).await;
    let approve = format!("id={id}&version={version}&action=Approve");
    let reply = send(&state, call("/api/profile/act", &approve, Some(&writer))).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    // A change manager may not write it nor move it.
    let outsider = sign_in(&state, "chris@example.org", PERSON_PASSWORD).await;
    for (endpoint, body) in [
        (
            "/api/profile/party",
            format!("id={id}&version={version}&form[name]=Me&form[requirements]=Everything"),
        ),
        (
            "/api/profile/role",
            format!(
                "id={id}&version={version}&form[role]=top_management&form[holder_id]={}",
                chris.id
            ),
        ),
        ("/api/profile/act", approve.clone()),
        (
            "/api/profile/act",
            format!("id={id}&version={version}&action=ReturnToDraft"),
        ),
    ] {
        let reply = send(&state, call(endpoint, &body, Some(&outsider))).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{endpoint}: {}",
            reply.body
        );
    }
    let view = sms_profile::view(db.reader(), &quinn, today())
        .await
        .unwrap();
    let still = view.open.unwrap();
    assert_eq!((still.state, still.version), (DocState::InReview, version));
    assert!(view.in_force.is_none());
    let refusals = audit_log::Entity::find()
        .filter(audit_log::Column::RecordType.eq("sms_profile"))
        .filter(audit_log::Column::RecordId.eq(id.to_string()))
        .filter(audit_log::Column::Action.eq("rule_refused"))
        .count(db.reader())
        .await
        .unwrap();
    // One entry per person and window: the writer's, and the change manager's first.
    assert_eq!(refusals, 2);

    // Nothing approved yet: the export says so rather than handing out the draft.
    let export = "/compliance/profile/export.csv";
    let none = send(&state, common::web::get(export, Some(&outsider))).await;
    assert_eq!(none.status, StatusCode::NOT_FOUND, "{}", none.body);
    // Top management named by the version (none in force yet) approves over HTTP.
    let top = sign_in(&state, "avery@example.org", PERSON_PASSWORD).await;
    let reply = send(&state, call("/api/profile/act", &approve, Some(&top))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let approved = sms_profile::view(db.reader(), &quinn, today())
        .await
        .unwrap();
    assert_eq!(approved.in_force.unwrap().approved_by.unwrap().id, avery.id);
    // Everyone reads the version in force, exported line by line with its clauses.
    let csv = send(&state, common::web::get(export, Some(&outsider))).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let text = csv.body.trim_start_matches('\u{feff}');
    assert!(
        text.starts_with("Clause,Section,Entry,Detail\n,Version,1,approved "),
        "{text}"
    );
    assert!(text.contains("4.3,Scope statement,Everything,"), "{text}");
    assert!(text.contains("5.1,Role,Top management,"), "{text}");
    let anonymous = send(&state, common::web::get(export, None)).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_profile_is_approved_and_shows_what_an_auditor_would_question() {
    let db = common::demo_db().await;
    let evidence = clause_evidence::overview(&db, today()).await.unwrap();
    let of = |number: &str| evidence.iter().find(|e| e.number == number).unwrap();
    assert!(of("5.2").thin.is_empty(), "{:?}", of("5.2").thin);
    assert!(of("4.2").thin.is_empty(), "{:?}", of("4.2").thin);
    let scope = of("4.3");
    assert_eq!(scope.thin[0].rule, "Services neither in scope nor excluded");
    assert_eq!(scope.thin[0].records[0].label, "Field service app");
    assert_eq!(of("6.3").thin[0].rule, "Processes without an owner");
}
