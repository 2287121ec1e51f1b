//! Competence records (clause 7.2): competences are defined for roles and named people, the
//! matrix shows who holds each and who has a gap (never held, expired, withdrawn), pages and
//! filters people in SQL, and nobody records or withdraws their own evidence — on any path.
//! Definitions are unique in any case, versioned, and retired ones take no new evidence.

use crate::common::{self, actor, person, PERSON_PASSWORD};
use crate::incidents::service;

use app::error::AppError;
use app::model::access::Role;
use app::model::competence::{
    CompetenceForm, CompetenceStatus, EvidenceForm, MatrixParams, Standing, WithdrawForm,
    MAX_ACTIVE, NOT_YOUR_OWN,
};
use app::model::user::CurrentUser;
use app::server::entity::audit_log;
use app::server::service::competences;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::web::{call, send, sign_in, state};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2027-02-01T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn today() -> NaiveDate {
    now().date_naive()
}

fn definition(name: &str, roles: &[Role], people: &[&CurrentUser], months: &str) -> CompetenceForm {
    CompetenceForm {
        name: name.into(),
        description: "What the SMS needs of whoever does this.".into(),
        roles: roles.iter().map(|r| r.as_str().to_string()).collect(),
        people: people.iter().map(|p| p.id.to_string()).collect(),
        service_id: String::new(),
        validity_months: months.into(),
        cab_vote: String::new(),
        plan_owner: String::new(),
    }
}

fn evidence(holder: &CurrentUser, competence: i64, achieved: NaiveDate) -> EvidenceForm {
    EvidenceForm {
        user_id: holder.id.to_string(),
        competence_id: competence.to_string(),
        kind: "certificate".into(),
        evidence: "Change advisory board chair course, certificate 2291".into(),
        achieved_on: achieved.to_string(),
        expires_on: String::new(),
    }
}

async fn audit_count(db: &app::server::db::Db, action: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .count(db.reader())
        .await
        .unwrap()
}

fn gaps_only() -> MatrixParams {
    MatrixParams {
        gaps: "yes".into(),
        ..Default::default()
    }
}

/// The matrix: role and named needs, valid, expiring and expired evidence, gaps filtered in
/// SQL, a person's page, the reader's reminders and the figures clause 7.2 shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_matrix_shows_who_holds_what_and_who_has_a_gap() {
    let db = common::test_db().await;
    let quinn = person(&db, "quinn@example.org", Role::QualityManager).await;
    let casey = person(&db, "casey@example.org", Role::ChangeManager).await;
    let chris = person(&db, "chris@example.org", Role::ChangeManager).await;
    let rowan = person(&db, "rowan@example.org", Role::ContinuityManager).await;
    let robin = person(&db, "robin@example.org", Role::Resolver).await;
    let payroll = service(&db, "Payroll").await;
    let chair = competences::create(
        &db,
        &quinn,
        &actor(&quinn),
        &definition("CAB chair", &[Role::ChangeManager], &[], "24"),
        now(),
    )
    .await
    .unwrap();
    let continuity = competences::create(
        &db,
        &quinn,
        &actor(&quinn),
        &CompetenceForm {
            service_id: payroll.to_string(),
            ..definition("Payroll continuity", &[], &[&rowan], "")
        },
        now(),
    )
    .await
    .unwrap();
    // Casey: certified a year ago (valid another year). Chris: certified 23 months and a
    // half ago (expiring). Rowan: nothing yet.
    competences::record_evidence(
        &db,
        &quinn,
        &actor(&quinn),
        &evidence(&casey, chair, today() - Duration::days(365)),
        now(),
    )
    .await
    .unwrap();
    let chris_evidence = competences::record_evidence(
        &db,
        &quinn,
        &actor(&quinn),
        &evidence(&chris, chair, today() - Duration::days(715)),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(audit_count(&db, "competence_evidence_recorded").await, 2);

    let page = competences::matrix(db.reader(), &MatrixParams::default(), today(), 25)
        .await
        .unwrap();
    let names: Vec<&str> = page.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["CAB chair", "Payroll continuity"]);
    assert_eq!(
        page.columns[1].service.as_ref().map(|s| s.id),
        Some(payroll)
    );
    assert_eq!(page.total, 5);
    let row = |who: &CurrentUser| {
        page.rows
            .iter()
            .find(|r| r.person.id == who.id)
            .unwrap_or_else(|| panic!("{} is on the matrix", who.name))
            .clone()
    };
    let casey_row = row(&casey);
    assert!(casey_row.cells[0].required && !casey_row.cells[0].gap());
    assert_eq!(
        casey_row.cells[0].expires.unwrap().standing,
        Standing::Valid
    );
    let chris_row = row(&chris);
    assert_eq!(
        chris_row.cells[0].expires.unwrap().standing,
        Standing::Expiring
    );
    let rowan_row = row(&rowan);
    assert!(rowan_row.cells[1].gap());
    assert!(!rowan_row.cells[0].required);
    assert_eq!(row(&robin).gaps(), 0);

    // Gaps only: Rowan (never held). The role filter narrows to change managers.
    let gaps = competences::matrix(db.reader(), &gaps_only(), today(), 25)
        .await
        .unwrap();
    let with_gaps: Vec<i64> = gaps.rows.iter().map(|r| r.person.id).collect();
    assert_eq!(with_gaps, [rowan.id]);
    let managers = competences::matrix(
        db.reader(),
        &MatrixParams {
            role: "change_manager".into(),
            ..Default::default()
        },
        today(),
        25,
    )
    .await
    .unwrap();
    assert_eq!(managers.total, 2);

    // Withdrawn evidence stops counting: Chris now has a gap; withdrawing twice is refused.
    let withdraw = WithdrawForm {
        reason: "The certificate number does not exist at the issuer.".into(),
    };
    competences::withdraw_evidence(
        &db,
        &quinn,
        &actor(&quinn),
        chris_evidence,
        &withdraw,
        now(),
    )
    .await
    .unwrap();
    assert!(matches!(
        competences::withdraw_evidence(
            &db,
            &quinn,
            &actor(&quinn),
            chris_evidence,
            &withdraw,
            now()
        )
        .await,
        Err(AppError::Refused(_))
    ));
    // A year and a day on, Casey's evidence has expired too.
    let later = today() + Duration::days(366);
    let gaps = competences::matrix(db.reader(), &gaps_only(), later, 25)
        .await
        .unwrap();
    let mut with_gaps: Vec<i64> = gaps.rows.iter().map(|r| r.person.id).collect();
    with_gaps.sort_unstable();
    let mut expected = vec![casey.id, chris.id, rowan.id];
    expected.sort_unstable();
    assert_eq!(with_gaps, expected);

    let detail = competences::detail(db.reader(), chair, today())
        .await
        .unwrap();
    assert_eq!(detail.roles, [Role::ChangeManager]);
    assert_eq!(
        detail.evidence.len(),
        1,
        "the withdrawn evidence is not current"
    );
    assert_eq!(
        detail.missing.iter().map(|p| p.id).collect::<Vec<_>>(),
        [chris.id]
    );

    let chris_page = competences::of_person(db.reader(), chris.id, today())
        .await
        .unwrap();
    assert_eq!(chris_page.evidence.len(), 1);
    assert!(chris_page.evidence[0].withdrawn.is_some());
    assert!(chris_page.standing[0].1.gap());

    let reminders = competences::reminders_for(db.reader(), &rowan, today())
        .await
        .unwrap();
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0].competence.id, continuity);

    let figures = competences::figures(db.reader(), today()).await.unwrap();
    assert_eq!(figures.active, 2);
    assert_eq!(figures.evidence_current, 1);
    // A person who left holds nothing for the SMS: disabling Casey leaves the chair unheld.
    let leaver = app::server::service::users::get(&db, casey.id)
        .await
        .unwrap();
    app::server::service::users::set_disabled(&db, &actor(&quinn), casey.id, leaver.version, true)
        .await
        .unwrap();
    let without_casey = competences::figures(db.reader(), today()).await.unwrap();
    assert_eq!(without_casey.evidence_current, 0);
    assert_eq!(without_casey.unheld, ["CAB chair", "Payroll continuity"]);
    assert_eq!(
        figures.gaps,
        [
            ("CAB chair".to_string(), 1),
            ("Payroll continuity".to_string(), 1)
        ]
    );
    assert_eq!(figures.unheld, ["Payroll continuity"]);

    // The export: the matrix's filters, one column per competence, each cell in words; for
    // readers of the matrix only.
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "quinn@example.org", PERSON_PASSWORD).await;
    let csv = send(
        &state,
        common::web::get("/competences/matrix.csv?gaps=yes", Some(&cookie)),
    )
    .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let text = csv.body.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "Person",
            "Roles",
            "Gaps",
            "CAB chair",
            "Payroll continuity (Payroll)"
        ]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let mut listed: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    listed.sort_unstable();
    let mut expected = vec![chris.name.as_str(), rowan.name.as_str()];
    expected.sort_unstable();
    assert_eq!(listed, expected, "only people with a gap: {text}");
    let rowan_line = rows.iter().find(|r| r[0] == rowan.name).unwrap();
    assert_eq!(
        rowan_line[1..],
        ["Continuity manager", "1", "", "Gap: not held"]
    );
    let robin_cookie = sign_in(&state, "robin@example.org", PERSON_PASSWORD).await;
    let everyone = send(
        &state,
        common::web::get("/competences/matrix.csv", Some(&robin_cookie)),
    )
    .await;
    assert_eq!(everyone.status, StatusCode::OK);
    assert_eq!(
        everyone.body.trim_start_matches('\u{feff}').lines().count(),
        5,
        "the header and the four people still enabled: {}",
        everyone.body
    );
    let anonymous = send(&state, common::web::get("/competences/matrix.csv", None)).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    person(&db, "reese@example.org", Role::Requester).await;
    let requester = sign_in(&state, "reese@example.org", PERSON_PASSWORD).await;
    let refused = send(
        &state,
        common::web::get("/competences/matrix.csv", Some(&requester)),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// Evidence is valid through its last day and not a day more: the matrix, the competence's
/// missing list and the clause figures agree at the boundary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_is_valid_through_its_expiry_day() {
    let db = common::test_db().await;
    let quinn = person(&db, "quinn@example.org", Role::QualityManager).await;
    let robin = person(&db, "robin@example.org", Role::Resolver).await;
    let desk = competences::create(
        &db,
        &quinn,
        &actor(&quinn),
        &definition("Service desk tooling", &[Role::Resolver], &[], "12"),
        now(),
    )
    .await
    .unwrap();
    competences::record_evidence(
        &db,
        &quinn,
        &actor(&quinn),
        &EvidenceForm {
            expires_on: today().to_string(),
            ..evidence(&robin, desk, today() - Duration::days(30))
        },
        now(),
    )
    .await
    .unwrap();
    for (day, valid) in [(today(), true), (today() + Duration::days(1), false)] {
        let page = competences::matrix(db.reader(), &gaps_only(), day, 25)
            .await
            .unwrap();
        assert_eq!(page.rows.is_empty(), valid, "gap on {day}");
        let detail = competences::detail(db.reader(), desk, day).await.unwrap();
        assert_eq!(detail.missing.is_empty(), valid, "missing on {day}");
        let figures = competences::figures(db.reader(), day).await.unwrap();
        assert_eq!(
            figures.evidence_current,
            u64::from(valid),
            "current on {day}"
        );
        let cell = competences::of_person(db.reader(), robin.id, day)
            .await
            .unwrap()
            .standing[0]
            .1;
        assert_eq!(cell.gap(), !valid, "cell on {day}");
    }
}

/// Self-attestation is refused on every path: recording one's own evidence, withdrawing
/// one's own (recorded by someone else), in the service and over HTTP; nothing is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_records_or_withdraws_their_own_evidence() {
    let db = common::test_db().await;
    let quinn = person(&db, "quinn@example.org", Role::QualityManager).await;
    let quentin = person(&db, "quentin@example.org", Role::QualityManager).await;
    let chair = competences::create(
        &db,
        &quinn,
        &actor(&quinn),
        &definition("Internal auditor", &[Role::QualityManager], &[], "36"),
        now(),
    )
    .await
    .unwrap();
    let own = competences::record_evidence(
        &db,
        &quinn,
        &actor(&quinn),
        &evidence(&quinn, chair, today() - Duration::days(30)),
        now(),
    )
    .await;
    assert_eq!(own, Err(AppError::Refused(NOT_YOUR_OWN.into())));
    // Quentin records Quinn's; Quinn cannot withdraw it (nor erase a doubt about herself).
    let recorded = competences::record_evidence(
        &db,
        &quentin,
        &actor(&quentin),
        &evidence(&quinn, chair, today() - Duration::days(30)),
        now(),
    )
    .await
    .unwrap();
    let withdraw = WithdrawForm {
        reason: "Recorded against the wrong person entirely.".into(),
    };
    assert!(matches!(
        competences::withdraw_evidence(&db, &quinn, &actor(&quinn), recorded, &withdraw, now())
            .await,
        Err(AppError::Refused(_))
    ));

    let state = state(db.db.clone());
    let cookie = sign_in(&state, "quinn@example.org", PERSON_PASSWORD).await;
    let by_http = send(
        &state,
        call(
            "/api/competences/record",
            &format!(
                "form[user_id]={}&form[competence_id]={chair}&form[kind]=assessed&form[evidence]=I+assessed+myself+thoroughly&form[achieved_on]={}",
                quinn.id,
                Utc::now().date_naive() - Duration::days(1)
            ),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(by_http.status, StatusCode::FORBIDDEN, "{}", by_http.body);
    assert!(by_http.body.contains("Nobody records"), "{}", by_http.body);
    let withdraw_by_http = send(
        &state,
        call(
            "/api/competences/withdraw",
            &format!("evidence_id={recorded}&form[reason]=Not+needed+any+more+at+all"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(
        withdraw_by_http.status,
        StatusCode::FORBIDDEN,
        "{}",
        withdraw_by_http.body
    );
    assert!(
        withdraw_by_http.body.contains("Nobody records"),
        "{}",
        withdraw_by_http.body
    );

    let mine = competences::of_person(db.reader(), quinn.id, today())
        .await
        .unwrap();
    assert_eq!(mine.evidence.len(), 1, "only Quentin's record exists");
    assert!(mine.evidence[0].withdrawn.is_none());
    assert_eq!(mine.evidence[0].recorded_by.id, quentin.id);
    assert_eq!(audit_count(&db, "competence_evidence_recorded").await, 1);
    assert_eq!(audit_count(&db, "competence_evidence_withdrawn").await, 0);
}

/// Names are unique in any case; a stale version writes nothing; a retired competence is
/// neither edited nor given evidence; the matrix holds at most `MAX_ACTIVE` columns; readers
/// without `CompetenceManage` change nothing over HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definitions_are_unique_versioned_bounded_and_guarded() {
    let db = common::test_db().await;
    let quinn = person(&db, "quinn@example.org", Role::QualityManager).await;
    let robin = person(&db, "robin@example.org", Role::Resolver).await;
    let id = competences::create(
        &db,
        &quinn,
        &actor(&quinn),
        &definition(
            "Major incident manager",
            &[Role::ServiceLevelManager],
            &[],
            "12",
        ),
        now(),
    )
    .await
    .unwrap();
    let again = competences::create(
        &db,
        &quinn,
        &actor(&quinn),
        &definition("MAJOR incident MANAGER", &[Role::Resolver], &[], ""),
        now(),
    )
    .await;
    assert!(matches!(again, Err(AppError::Validation(e)) if e.get("name").is_some()));
    competences::update(
        &db,
        &actor(&quinn),
        id,
        1,
        &definition(
            "Major incident manager",
            &[Role::ServiceLevelManager, Role::Resolver],
            &[],
            "12",
        ),
    )
    .await
    .unwrap();
    let stale = competences::update(
        &db,
        &actor(&quinn),
        id,
        1,
        &definition("Renamed on a stale form", &[Role::Resolver], &[], "12"),
    )
    .await;
    assert!(matches!(stale, Err(AppError::Conflict { .. })), "{stale:?}");
    let current = competences::detail(db.reader(), id, today()).await.unwrap();
    assert_eq!(current.name, "Major incident manager");
    assert_eq!(current.roles, [Role::ServiceLevelManager, Role::Resolver]);

    // Over HTTP a resolver reads the matrix but defines, records and retires nothing.
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "robin@example.org", PERSON_PASSWORD).await;
    let read = send(
        &state,
        call("/api/competences/matrix", "params[q]=", Some(&cookie)),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    for (endpoint, body) in [
        ("/api/competences/status", format!("id={id}&version=2&retire=true")),
        ("/api/competences/create", "form[name]=Self+made&form[roles][]=resolver".to_string()),
        (
            "/api/competences/record",
            format!(
                "form[user_id]={}&form[competence_id]={id}&form[kind]=training&form[evidence]=Course+on+incidents&form[achieved_on]={}",
                quinn.id,
                today()
            ),
        ),
    ] {
        let reply = send(&state, call(endpoint, &body, Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{endpoint}: {}", reply.body);
    }
    assert_eq!(
        competences::detail(db.reader(), id, today())
            .await
            .unwrap()
            .status,
        CompetenceStatus::Active
    );

    competences::set_status(&db, &actor(&quinn), id, 2, CompetenceStatus::Retired)
        .await
        .unwrap();
    let retired_edit = competences::update(
        &db,
        &actor(&quinn),
        id,
        3,
        &definition("Major incident manager", &[Role::Resolver], &[], "12"),
    )
    .await;
    assert!(matches!(retired_edit, Err(AppError::Refused(_))));
    let retired_evidence = competences::record_evidence(
        &db,
        &quinn,
        &actor(&quinn),
        &evidence(&robin, id, today()),
        now(),
    )
    .await;
    assert!(matches!(retired_evidence, Err(AppError::Refused(_))));
    let page = competences::matrix(db.reader(), &MatrixParams::default(), today(), 25)
        .await
        .unwrap();
    assert!(page.columns.is_empty());
    assert_eq!(page.retired.len(), 1);

    // Fill the matrix to its limit: one more is refused, and so is restoring the retired one.
    for n in 0..MAX_ACTIVE {
        competences::create(
            &db,
            &quinn,
            &actor(&quinn),
            &definition(&format!("Competence {n:02}"), &[Role::Resolver], &[], ""),
            now(),
        )
        .await
        .unwrap();
    }
    let one_more = competences::create(
        &db,
        &quinn,
        &actor(&quinn),
        &definition("One too many", &[Role::Resolver], &[], ""),
        now(),
    )
    .await;
    assert!(matches!(one_more, Err(AppError::Refused(_))));
    let restore =
        competences::set_status(&db, &actor(&quinn), id, 3, CompetenceStatus::Active).await;
    assert!(matches!(restore, Err(AppError::Refused(_))));
}

/// A competence set to check plan owners: the plan's page names the owner's gap (warn), and
/// approval is refused while it lasts (block) — never silently — until the evidence is recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_owner_without_a_checked_competence_is_flagged_and_blocks_approval() {
    use app::model::competence::Gate;
    use app::model::continuity_plan::{PlanAction, PlanState};
    use app::server::service::{continuity_plans, plan_overview};
    let db = common::test_db().await;
    let quinn = person(&db, "quinn@example.org", Role::QualityManager).await;
    let dana = person(&db, "dana@example.org", Role::ServiceOwner).await;
    let rowan = person(&db, "rowan@example.org", Role::ContinuityManager).await;
    // Rowan wrote part of it; Sage, another continuity manager, approves.
    let sage = person(&db, "sage@example.org", Role::ContinuityManager).await;
    let (plan, review) = common::fixtures::plan_in_review_written_with(&db, &dana, &rowan).await;
    let today = Utc::now().date_naive();
    let unchecked = plan_overview::detail(db.reader(), plan, today)
        .await
        .unwrap();
    assert!(unchecked.owner_competence.is_empty());

    let ownership = CompetenceForm {
        plan_owner: "warn".into(),
        ..definition("Continuity plan ownership", &[], &[&dana], "")
    };
    let id = competences::create(&db, &quinn, &actor(&quinn), &ownership, Utc::now())
        .await
        .unwrap();
    let flagged = plan_overview::detail(db.reader(), plan, today)
        .await
        .unwrap();
    assert_eq!(flagged.owner_competence.len(), 1);
    assert_eq!(flagged.owner_competence[0].gate, Gate::Warn);
    assert_eq!(
        flagged.owner_competence[0].words(),
        "“Continuity plan ownership” (not held)"
    );

    // Set to refuse: the continuity manager's approval is refused with the reason.
    let refusing = CompetenceForm {
        plan_owner: "block".into(),
        ..ownership.clone()
    };
    competences::update(&db, &actor(&quinn), id, 1, &refusing)
        .await
        .unwrap();
    let refused = continuity_plans::transition_version(
        &db,
        &sage,
        &actor(&sage),
        review.id,
        review.version,
        PlanAction::Approve,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, AppError::Refused(m) if m.contains("plan's owner does not hold “Continuity plan ownership”")),
        "{refused:?}"
    );

    // Once Dana's evidence is recorded, the plan is approved and the flag is gone.
    competences::record_evidence(
        &db,
        &quinn,
        &actor(&quinn),
        &evidence(&dana, id, today - Duration::days(3)),
        Utc::now(),
    )
    .await
    .unwrap();
    let approved = continuity_plans::transition_version(
        &db,
        &sage,
        &actor(&sage),
        review.id,
        review.version,
        PlanAction::Approve,
    )
    .await
    .unwrap();
    assert_eq!(approved.state, PlanState::Approved);
    let clear = plan_overview::detail(db.reader(), plan, today)
        .await
        .unwrap();
    assert!(clear.owner_competence.is_empty());
}
