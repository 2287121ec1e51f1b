//! Internal audits (clause 9.2) against a real database: independence refused by name,
//! coverage gaps flagged, the checklist generated from the clause library, findings flowing
//! into nonconformities and the improvement register (linked both ways), completion making the
//! audit read-only, the report with its findings, and the report route's permission check.

use crate::common;

use app::error::AppError;
use app::model::access::Role;
use app::model::improvement::Source;
use app::model::internal_audit::{
    validate_checklist_entry, AuditAction, AuditForm, AuditState, ChecklistResult, FindingForm,
    FindingGrade, ProgrammeForm,
};
use app::model::nonconformity::FoundIn;
use app::model::user::CurrentUser;
use app::server::service::{internal_audits, nonconformities, register};
use axum::http::{header, StatusCode};
use chrono::NaiveDate;
use common::web::{add_user, get, send, sign_in, state, PASSWORD};

/// The clause 9.2 page: audits completed in the last 12 months, clauses left uncovered.
async fn audit_evidence(db: &app::server::db::Db, today: NaiveDate) -> (u64, Vec<String>) {
    common::clause_summary(
        db,
        "9.2",
        "Audits completed in the last 12 months",
        "Clauses the current audit programme does not cover",
        today,
    )
    .await
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

struct People {
    quality: CurrentUser,
    auditor: CurrentUser,
    change: CurrentUser,
}

async fn people(db: &app::server::db::Db) -> People {
    People {
        quality: common::person(db, "quality@example.org", Role::QualityManager).await,
        auditor: common::person(db, "auditor@example.org", Role::Auditor).await,
        change: common::person(db, "change@example.org", Role::ChangeManager).await,
    }
}

fn plan_form(lead: i64, auditees: &[i64], clauses: &[&str]) -> AuditForm {
    AuditForm {
        title: "Change management".into(),
        clauses: clauses.iter().map(|c| c.to_string()).collect(),
        area: "Change management process".into(),
        planned_on: "2026-03-10".into(),
        lead_auditor_id: lead.to_string(),
        auditor_ids: vec![],
        auditee_ids: auditees.iter().map(|a| a.to_string()).collect(),
        scope: "Changes closed in the last six months".into(),
        criteria: "ISO/IEC 20000-1:2018; change procedure".into(),
    }
}

async fn programme(db: &app::server::db::Db, by: &CurrentUser) -> i64 {
    let draft = ProgrammeForm {
        title: "Audit programme 2026".into(),
        cycle_start: "2026-01-01".into(),
        cycle_end: "2026-12-31".into(),
    }
    .validate()
    .unwrap();
    internal_audits::create_programme(db, by, &common::actor(by), draft)
        .await
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_cannot_audit_their_own_work() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let programme = programme(&db, &p.quality).await;
    let actor = common::actor(&p.quality);
    // The change manager leading an audit of their own area is refused by name.
    let draft = plan_form(p.change.id, &[p.change.id], &["8.5.1"])
        .validate()
        .unwrap();
    let err = internal_audits::plan_audit(&db, &actor, programme, draft)
        .await
        .unwrap_err();
    let message = err
        .field_errors()
        .and_then(|f| f.get("lead_auditor_id"))
        .unwrap_or_default()
        .to_string();
    assert!(message.contains(&p.change.name), "{err:?}");
    assert!(message.contains("own work"));
    // A further auditor who is an auditee is refused too.
    let mut form = plan_form(p.auditor.id, &[p.change.id], &["8.5.1"]);
    form.auditor_ids = vec![p.change.id.to_string()];
    let err = internal_audits::plan_audit(&db, &actor, programme, form.validate().unwrap())
        .await
        .unwrap_err();
    assert!(err
        .field_errors()
        .and_then(|f| f.get("auditor_ids"))
        .is_some());
    // Outside the cycle is refused; nothing was written.
    let mut late = plan_form(p.auditor.id, &[p.change.id], &["8.5.1"]);
    late.planned_on = "2027-02-01".into();
    let err = internal_audits::plan_audit(&db, &actor, programme, late.validate().unwrap())
        .await
        .unwrap_err();
    assert!(err
        .field_errors()
        .and_then(|f| f.get("planned_on"))
        .is_some());
    assert!(internal_audits::programme(db.reader(), programme)
        .await
        .unwrap()
        .audits
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planned_audit_and_its_programme_can_be_edited() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let programme_id = programme(&db, &p.quality).await;
    let actor = common::actor(&p.auditor);
    let draft = plan_form(p.auditor.id, &[p.change.id], &["8.5.1"])
        .validate()
        .unwrap();
    let audit = internal_audits::plan_audit(&db, &actor, programme_id, draft)
        .await
        .unwrap();

    // The plan changes as a whole: new scope and clause, a further auditor; the team is kept.
    let mut form = plan_form(p.auditor.id, &[p.change.id], &["8.5.1", "8.5.2"]);
    form.scope = "Changes and new services of the last year".into();
    form.auditor_ids = vec![p.quality.id.to_string()];
    let edited = internal_audits::edit_audit(
        &db,
        &actor,
        audit.id,
        audit.version,
        form.validate().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(edited.version, audit.version + 1);
    assert_eq!(edited.scope, "Changes and new services of the last year");
    assert_eq!(edited.clauses, vec!["8.5.1", "8.5.2"]);
    assert_eq!(
        edited.auditors.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![p.quality.id]
    );
    assert_eq!(
        edited.auditees.iter().map(|a| a.id).collect::<Vec<_>>(),
        vec![p.change.id]
    );

    // A stale version is refused and changes nothing.
    let mut stale = plan_form(p.auditor.id, &[p.change.id], &["8.5.1"]);
    stale.title = "Overwritten".into();
    let err = internal_audits::edit_audit(
        &db,
        &actor,
        audit.id,
        audit.version,
        stale.validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::Conflict { .. }), "{err:?}");
    // Independence holds on edit: an auditee cannot become the lead.
    let err = internal_audits::edit_audit(
        &db,
        &actor,
        audit.id,
        edited.version,
        plan_form(p.change.id, &[p.change.id], &["8.5.1"])
            .validate()
            .unwrap(),
    )
    .await
    .unwrap_err();
    assert!(
        err.field_errors()
            .and_then(|f| f.get("lead_auditor_id"))
            .is_some(),
        "{err:?}"
    );
    let unchanged = internal_audits::detail(db.reader(), audit.id)
        .await
        .unwrap()
        .audit;
    assert_eq!(unchanged, edited);

    // The programme: a cycle that would leave the audit (planned 2026-03-10) outside is refused
    // by naming it; a rename inside the cycle is kept; a stale version is refused.
    let before = internal_audits::programme(db.reader(), programme_id)
        .await
        .unwrap()
        .programme;
    let moved = ProgrammeForm {
        title: "Audit programme 2026/27".into(),
        cycle_start: "2026-04-01".into(),
        cycle_end: "2027-03-31".into(),
    };
    let err = internal_audits::update_programme(
        &db,
        &actor,
        programme_id,
        before.version,
        moved.validate().unwrap(),
    )
    .await
    .unwrap_err();
    let message = err
        .field_errors()
        .and_then(|f| f.get("cycle_start"))
        .unwrap_or_default()
        .to_string();
    assert!(message.contains(&audit.reference()), "{err:?}");
    let renamed = ProgrammeForm {
        title: "Audit programme 2026 (calendar year)".into(),
        cycle_start: "2026-01-01".into(),
        cycle_end: "2026-12-31".into(),
    };
    let after = internal_audits::update_programme(
        &db,
        &actor,
        programme_id,
        before.version,
        renamed.clone().validate().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(after.title, "Audit programme 2026 (calendar year)");
    assert_eq!(after.version, before.version + 1);
    let err = internal_audits::update_programme(
        &db,
        &actor,
        programme_id,
        before.version,
        renamed.validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::Conflict { .. }), "{err:?}");

    // Once started, the plan is read-only.
    internal_audits::transition_audit(
        &db,
        &p.auditor,
        &actor,
        audit.id,
        edited.version,
        AuditAction::Start,
        String::new(),
        day("2026-03-10"),
    )
    .await
    .unwrap();
    let err = internal_audits::edit_audit(
        &db,
        &actor,
        audit.id,
        edited.version + 1,
        plan_form(p.auditor.id, &[p.change.id], &["8.5.1"])
            .validate()
            .unwrap(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("only a planned audit"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_path_from_plan_to_report() {
    let db = common::test_db().await;
    let p = people(&db).await;
    let programme_id = programme(&db, &p.quality).await;
    let actor = common::actor(&p.auditor);
    let today = day("2026-03-10");

    let draft = plan_form(p.auditor.id, &[p.change.id], &["8.5.1", "10"])
        .validate()
        .unwrap();
    let audit = internal_audits::plan_audit(&db, &actor, programme_id, draft)
        .await
        .unwrap();
    assert_eq!(audit.state, AuditState::Planned);

    // Coverage: 8.5.1 and clause 10 planned, the rest flagged.
    let view = internal_audits::programme(db.reader(), programme_id)
        .await
        .unwrap();
    assert!(view.gaps.contains(&"4".to_string()));
    assert!(view.gaps.contains(&"8.5.2".to_string()));
    assert!(!view.gaps.contains(&"8.5.1".to_string()));
    assert!(!view.gaps.iter().any(|g| g.starts_with("10")));
    let (_, uncovered) = audit_evidence(&db, today).await;
    assert!(
        uncovered.contains(&"Clause 8.5.2".to_string()),
        "{uncovered:?}"
    );

    // A stale version is refused and writes nothing.
    let err = internal_audits::transition_audit(
        &db,
        &p.auditor,
        &actor,
        audit.id,
        99,
        AuditAction::Start,
        String::new(),
        today,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::Conflict { .. }), "{err:?}");

    // Starting generates the checklist from the library: 8.5.1, 10.1, 10.2.
    let started = internal_audits::transition_audit(
        &db,
        &p.auditor,
        &actor,
        audit.id,
        audit.version,
        AuditAction::Start,
        String::new(),
        today,
    )
    .await
    .unwrap();
    let detail = internal_audits::detail(db.reader(), audit.id)
        .await
        .unwrap();
    let clauses: Vec<&str> = detail.checklist.iter().map(|i| i.clause.as_str()).collect();
    assert_eq!(clauses, vec!["8.5.1", "10.1", "10.2"]);
    let library = app::server::service::clause_library::list(db.reader())
        .await
        .unwrap();
    let change = library.iter().find(|c| c.number == "8.5.1").unwrap();
    assert!(detail.checklist[0].prompt.contains(change.guidance.trim()));
    assert!(detail.checklist[0]
        .prompt
        .contains(&change.evidence_hints[0]));

    // Completing with items pending is refused.
    let err = internal_audits::transition_audit(
        &db,
        &p.auditor,
        &actor,
        audit.id,
        started.version,
        AuditAction::Complete,
        "All looked at in detail.".into(),
        today,
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("pending"), "{err}");

    let mut version = started.version;
    for item in &detail.checklist {
        let entry =
            validate_checklist_entry("conforming", "Looked fine", "CHG-00012, CHG-00015").unwrap();
        internal_audits::record_item(&db, &p.auditor, &actor, audit.id, version, item.id, entry)
            .await
            .unwrap();
        version += 1;
    }

    // A minor NC finding raises a nonconformity found in an audit, linked both ways.
    let nc_finding = internal_audits::record_finding(
        &db,
        &p.auditor,
        &actor,
        audit.id,
        version,
        FindingForm {
            grade: "minor_nc".into(),
            clause: "8.5.1".into(),
            statement: "Two emergency changes were not reviewed after implementation.".into(),
            evidence: "CHG-00012, CHG-00015".into(),
            owner_id: p.change.id.to_string(),
        },
        today,
    )
    .await
    .unwrap();
    version += 1;
    let nc_id = nc_finding.nonconformity_id.expect("a nonconformity");
    let nc = nonconformities::get(db.reader(), nc_id).await.unwrap();
    assert_eq!(nc.found_in, FoundIn::Audit);
    assert_eq!(nc.clause, "8.5.1");
    assert_eq!(nc.owner.id, p.change.id);
    assert!(nc.description.contains(&audit.reference()));
    // The NC's page links back to the audit.
    assert_eq!(nc.raised_in_audit, Some(audit.id));

    // An observation goes to the improvement register, sourced from the audit finding.
    let obs = internal_audits::record_finding(
        &db,
        &p.auditor,
        &actor,
        audit.id,
        version,
        FindingForm {
            grade: "observation".into(),
            clause: "10.2".into(),
            statement: "Improvement ideas are collected in two places.".into(),
            evidence: String::new(),
            owner_id: p.change.id.to_string(),
        },
        today,
    )
    .await
    .unwrap();
    version += 1;
    let entry_id = obs.improvement_id.expect("a register entry");
    assert!(obs.nonconformity_id.is_none());
    let entry = register::get(db.reader(), entry_id).await.unwrap();
    assert_eq!(entry.source, Source::AuditFinding);
    assert_eq!(
        entry.source_ref.as_deref(),
        Some(audit.reference().as_str())
    );
    // The entry's page links back to the audit.
    assert_eq!(
        app::model::register::source_link(entry.source_ref.as_deref().unwrap()),
        Some((
            audit.reference(),
            format!("/compliance/audits/{}", audit.id)
        ))
    );

    // A finding outside the scope is refused.
    let err = internal_audits::record_finding(
        &db,
        &p.auditor,
        &actor,
        audit.id,
        version,
        FindingForm {
            grade: "opportunity".into(),
            clause: "7.5".into(),
            statement: "Document templates could be simpler.".into(),
            evidence: String::new(),
            owner_id: p.change.id.to_string(),
        },
        today,
    )
    .await
    .unwrap_err();
    assert!(err.field_errors().and_then(|f| f.get("clause")).is_some());

    // No report before completion.
    assert!(internal_audits::report(db.reader(), audit.id)
        .await
        .is_err());

    let done = internal_audits::transition_audit(
        &db,
        &p.auditor,
        &actor,
        audit.id,
        version,
        AuditAction::Complete,
        "Change management conforms except for post-implementation reviews of emergency changes."
            .into(),
        today,
    )
    .await
    .unwrap();
    assert_eq!(done.state, AuditState::Completed);
    assert_eq!(done.completed_on, Some(today));

    // Completed is read-only: no more results, findings or moves.
    let item = detail.checklist[0].id;
    let entry = validate_checklist_entry("not_checked", "late", "").unwrap();
    assert!(internal_audits::record_item(
        &db,
        &p.auditor,
        &actor,
        audit.id,
        done.version,
        item,
        entry
    )
    .await
    .unwrap_err()
    .to_string()
    .contains("completed"));
    assert!(internal_audits::transition_audit(
        &db,
        &p.auditor,
        &actor,
        audit.id,
        done.version,
        AuditAction::Cancel,
        String::new(),
        today
    )
    .await
    .unwrap_err()
    .to_string()
    .contains("read-only"));

    // The report carries the findings and their follow-up.
    let report = internal_audits::report(db.reader(), audit.id)
        .await
        .unwrap();
    assert_eq!(report.count(FindingGrade::MinorNc), 1);
    assert_eq!(report.checklist[0].result, ChecklistResult::Conforming);
    let html = app::server::render::audit_report::report_html(&report);
    assert!(html.contains("Two emergency changes were not reviewed"));
    assert!(html.contains(&app::model::nonconformity::nc_reference(nc_id)));
    assert!(html.contains("CHG-00012, CHG-00015"));
    assert!(!html.contains("<style") && !html.contains("<script"));
    let md = app::server::render::audit_report::report_markdown(&report);
    assert!(md.contains("Minor nonconformity — 8.5.1 Change management"));
    assert!(md.contains("Improvement ideas are collected in two places."));

    // The completed audit counts for the clause 9.2 summary and the evidence pack.
    let reports = internal_audits::completed_reports(db.reader(), day("2026-01-01"))
        .await
        .unwrap();
    assert_eq!(reports.len(), 1);
    // And for the audit results a management review gathers: completed in its period, by grade.
    let period = app::model::management_review::Period {
        start: today - chrono::Duration::days(30),
        end: today,
    };
    let results = app::server::service::management_reviews::audit_results(db.reader(), period)
        .await
        .unwrap();
    assert_eq!(
        results,
        app::model::management_review::AuditResults {
            audits_completed: 1,
            major: 0,
            minor: 1,
            observation: 1,
            opportunity: 0,
        }
    );
    // Both ends of the period count.
    let that_day = app::model::management_review::Period {
        start: today,
        end: today,
    };
    assert_eq!(
        app::server::service::management_reviews::audit_results(db.reader(), that_day)
            .await
            .unwrap()
            .audits_completed,
        1
    );
    let before = app::model::management_review::Period {
        start: today - chrono::Duration::days(60),
        end: today - chrono::Duration::days(1),
    };
    assert_eq!(
        app::server::service::management_reviews::audit_results(db.reader(), before)
            .await
            .unwrap()
            .audits_completed,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_route_checks_permission() {
    let db = common::test_db().await;
    let quality = add_user(&db, "quality@example.org", vec![Role::QualityManager]).await;
    let change = add_user(&db, "change@example.org", vec![Role::ChangeManager]).await;
    add_user(&db, "nobody@example.org", vec![]).await;
    let user = CurrentUser {
        id: quality.id,
        email: quality.email.clone(),
        name: quality.name.clone(),
        roles: quality.roles.clone(),
        time_zone: "UTC".into(),
    };
    let actor = common::actor(&user);
    let programme_id = programme(&db, &user).await;
    let today = day("2026-03-10");
    let audit = internal_audits::plan_audit(
        &db,
        &actor,
        programme_id,
        plan_form(quality.id, &[change.id], &["9.4"])
            .validate()
            .unwrap(),
    )
    .await
    .unwrap();
    let started = internal_audits::transition_audit(
        &db,
        &user,
        &actor,
        audit.id,
        audit.version,
        AuditAction::Start,
        String::new(),
        today,
    )
    .await
    .unwrap();
    let detail = internal_audits::detail(db.reader(), audit.id)
        .await
        .unwrap();
    let mut version = started.version;
    for item in &detail.checklist {
        let entry = validate_checklist_entry("conforming", "", "Monthly reports Jan–Mar").unwrap();
        internal_audits::record_item(&db, &user, &actor, audit.id, version, item.id, entry)
            .await
            .unwrap();
        version += 1;
    }
    internal_audits::transition_audit(
        &db,
        &user,
        &actor,
        audit.id,
        version,
        AuditAction::Complete,
        "Service reporting conforms.".into(),
        today,
    )
    .await
    .unwrap();

    let state = state(db.db.clone());
    let at = format!("/compliance/audits/{}/report", audit.id);
    let cookie = sign_in(&state, "change@example.org", PASSWORD).await;
    let page = send(&state, get(&at, Some(&cookie))).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Service reporting conforms."));
    assert!(page.body.contains("href=\"/print.css\""));
    let md = send(&state, get(&format!("{at}.md"), Some(&cookie))).await;
    assert_eq!(md.status, StatusCode::OK);
    assert!(md.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/markdown"));
    let css = send(&state, get("/print.css", Some(&cookie))).await;
    assert_eq!(css.status, StatusCode::OK);

    let missing = send(
        &state,
        get("/compliance/audits/424242/report", Some(&cookie)),
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let anonymous = send(&state, get(&at, None)).await;
    assert_ne!(anonymous.status, StatusCode::OK);
    assert!(!anonymous.body.contains("Service reporting conforms."));
    let anonymous_md = send(&state, get(&format!("{at}.md"), None)).await;
    assert_ne!(anonymous_md.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_programme_flags_its_gap_and_seeds_once() {
    let db = common::demo_db().await;
    let programmes = internal_audits::overview(db.reader()).await.unwrap();
    assert_eq!(programmes.len(), 1);
    let view = &programmes[0];
    assert_eq!(view.gaps, vec!["8.5.2".to_string()]);
    let completed: Vec<_> = view
        .audits
        .iter()
        .filter(|a| a.state == AuditState::Completed)
        .collect();
    assert_eq!(completed.len(), 1);
    assert_eq!(
        view.audits
            .iter()
            .filter(|a| a.state == AuditState::Planned)
            .count(),
        1
    );
    let report = internal_audits::report(db.reader(), completed[0].id)
        .await
        .unwrap();
    assert_eq!(report.findings.len(), 3);
    assert_eq!(
        report
            .findings
            .iter()
            .filter(|f| f.nonconformity_id.is_some())
            .count(),
        1
    );
    assert_eq!(
        report
            .findings
            .iter()
            .filter(|f| f.improvement_id.is_some())
            .count(),
        2
    );
    assert!(report
        .checklist
        .iter()
        .all(|i| !i.sampled_records.is_empty()));
    let (done, uncovered) = audit_evidence(&db, chrono::Utc::now().date_naive()).await;
    assert_eq!(done, 1);
    assert_eq!(uncovered, vec!["Clause 8.5.2".to_string()]);
    assert_eq!(conform::demo::audits::seed(&db).await.unwrap(), 0);
}
