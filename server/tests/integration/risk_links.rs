//! Changes and continuity plans name the SMS risks they address (clause 6.1): the live risks
//! of their services are suggested, naming is audited on both records and refused for closed
//! risks, twice, and for anyone who does not keep risks (by the services and over HTTP, each
//! refusal writing nothing). Every acceptance says why, and the register's CSV export carries
//! the reason and what addresses each risk.

use crate::common::{self, actor, person, PERSON_PASSWORD};
use crate::incidents::service;

use app::error::AppError;
use app::model::access::Role;
use app::model::change_request::ChangeForm;
use app::model::risk_link::{AddressedBy, RiskLinkRequest};
use app::model::sms_risk::{RiskForm, RiskStepForm};
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::entity::{audit_log, sms_risk_link};
use app::server::service::continuity_plans::{self, NewPlan};
use app::server::service::{changes, risk_links, sms_risks};
use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::web::{call, get, send, sign_in, state};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn risk_form(owner: &CurrentUser, title: &str, services: &[i64], residual: (u8, u8)) -> RiskForm {
    RiskForm {
        kind: "risk".into(),
        title: title.into(),
        owner_id: owner.id.to_string(),
        service_ids: services.iter().map(i64::to_string).collect(),
        inherent_likelihood: "4".into(),
        inherent_impact: "4".into(),
        treatment: "reduce".into(),
        treatment_plan: "Fail over to the second site.".into(),
        residual_likelihood: residual.0.to_string(),
        residual_impact: residual.1.to_string(),
        review_on: (Utc::now().date_naive() + Duration::days(60)).to_string(),
        ..Default::default()
    }
}

async fn risk(
    db: &Db,
    owner: &CurrentUser,
    title: &str,
    services: &[i64],
    residual: (u8, u8),
) -> i64 {
    sms_risks::create(
        db,
        owner,
        &actor(owner),
        &risk_form(owner, title, services, residual),
        Utc::now(),
    )
    .await
    .unwrap()
}

async fn change(db: &Db, requester: &CurrentUser, service_id: i64) -> i64 {
    let form = ChangeForm {
        title: "Move the portal to the second site".into(),
        change_type: "normal".into(),
        service_ids: vec![service_id.to_string()],
        implementation_plan: "Replicate, then switch DNS.".into(),
        test_plan: "Fail over in the test window.".into(),
        backout_plan: "Switch DNS back.".into(),
        impact_breadth: "1".into(),
        complexity: "1".into(),
        backout_difficulty: "1".into(),
        history: "1".into(),
        time_pressure: "0".into(),
        ..Default::default()
    };
    changes::create(db, requester, &actor(requester), form.validate().unwrap())
        .await
        .unwrap()
        .id
}

fn request(addressed_by: AddressedBy, record_id: i64, risk_id: i64) -> RiskLinkRequest {
    RiskLinkRequest {
        addressed_by,
        record_id,
        risk_id,
    }
}

async fn link_count(db: &Db) -> u64 {
    sms_risk_link::Entity::find()
        .count(db.reader())
        .await
        .unwrap()
}

async fn audit_entries(db: &Db, action: &str) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .all(db.reader())
        .await
        .unwrap()
}

fn field_message(error: AppError, field: &str) -> String {
    match error {
        AppError::Validation(errors) => errors.get(field).unwrap_or_default().to_string(),
        other => panic!("expected a message on {field}, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_and_plans_name_the_risks_they_address() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let rowan = person(&db, "rowan@example.org", Role::ContinuityManager).await;
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    let portal = service(&db, "Portal").await;
    let mail = service(&db, "Mail").await;
    let site = risk(
        &db,
        &owner,
        "One data centre hosts the portal",
        &[portal],
        (3, 3),
    )
    .await;
    let worse = risk(
        &db,
        &owner,
        "Portal certificate expires unnoticed",
        &[portal, mail],
        (4, 4),
    )
    .await;
    let elsewhere = risk(&db, &owner, "Mail relay unpatched", &[mail], (2, 2)).await;
    let change_id = change(&db, &owner, portal).await;
    let (plan_id, _) = continuity_plans::create(
        &db,
        &rowan,
        &actor(&rowan),
        NewPlan {
            title: "Portal continuity plan".into(),
            owner_id: rowan.id,
            service_ids: vec![portal],
            site: String::new(),
            review_months: 12,
        },
    )
    .await
    .unwrap();

    // The change's section suggests the live risks of its services, worst first.
    let section = risk_links::for_record(db.reader(), &owner, AddressedBy::Change, change_id)
        .await
        .unwrap();
    assert!(section.linked.is_empty());
    assert_eq!(
        section.suggested.iter().map(|r| r.id).collect::<Vec<_>>(),
        [worse, site]
    );
    assert!(section.may_link);

    risk_links::link(
        &db,
        &owner,
        &actor(&owner),
        request(AddressedBy::Change, change_id, site),
        Utc::now(),
    )
    .await
    .unwrap();
    // A risk of another service may be named too (by its reference).
    risk_links::link(
        &db,
        &owner,
        &actor(&owner),
        request(AddressedBy::Change, change_id, elsewhere),
        Utc::now(),
    )
    .await
    .unwrap();
    risk_links::link(
        &db,
        &rowan,
        &actor(&rowan),
        request(AddressedBy::ContinuityPlan, plan_id, site),
        Utc::now(),
    )
    .await
    .unwrap();
    let section = risk_links::for_record(db.reader(), &owner, AddressedBy::Change, change_id)
        .await
        .unwrap();
    assert_eq!(
        section.linked.iter().map(|r| r.id).collect::<Vec<_>>(),
        [site, elsewhere],
        "worst residual first"
    );
    assert_eq!(
        section.suggested.iter().map(|r| r.id).collect::<Vec<_>>(),
        [worse]
    );

    // Each link is on both records' histories.
    let linked = audit_entries(&db, "risk_linked").await;
    assert_eq!(linked.len(), 6);
    assert!(linked.iter().any(|e| e.record_type == "change"
        && e.record_id.as_deref() == Some(change_id.to_string().as_str())
        && e.summary.contains(&format!("now addresses RSK-{site}"))));
    assert!(linked
        .iter()
        .any(|e| e.record_type == "sms_risk" && e.summary.contains("Portal continuity plan")));

    // The risk's record lists what addresses it, newest first.
    let record = sms_risks::record(db.reader(), &quality, site, Utc::now().date_naive())
        .await
        .unwrap();
    assert_eq!(
        record
            .addressed_by
            .iter()
            .map(|a| (a.kind, a.id))
            .collect::<Vec<_>>(),
        [
            (AddressedBy::ContinuityPlan, plan_id),
            (AddressedBy::Change, change_id)
        ]
    );
    assert_eq!(
        record.addressed_by[1].title,
        "Move the portal to the second site"
    );
    assert_eq!(record.addressed_by[0].linked_by, rowan.name);

    // Twice is refused; so are a closed risk, an unknown risk and an unknown record.
    let before = link_count(&db).await;
    let twice = risk_links::link(
        &db,
        &owner,
        &actor(&owner),
        request(AddressedBy::Change, change_id, site),
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert!(field_message(twice, "risk").contains("already names"));
    sms_risks::take_step(
        &db,
        &quality,
        &actor(&quality),
        worse,
        1,
        &RiskStepForm {
            action: "close".into(),
            reason: "The certificate now renews itself.".into(),
        },
        Utc::now(),
    )
    .await
    .unwrap();
    let closed = risk_links::link(
        &db,
        &owner,
        &actor(&owner),
        request(AddressedBy::Change, change_id, worse),
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert!(field_message(closed, "risk").contains("closed"));
    let unknown = risk_links::link(
        &db,
        &owner,
        &actor(&owner),
        request(AddressedBy::Change, change_id, 9_999),
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert!(field_message(unknown, "risk").contains("RSK-9999"));
    assert!(matches!(
        risk_links::link(
            &db,
            &owner,
            &actor(&owner),
            request(AddressedBy::ContinuityPlan, 9_999, site),
            Utc::now()
        )
        .await,
        Err(AppError::NotFound(_))
    ));
    assert_eq!(link_count(&db).await, before);
    // A closed risk is no longer suggested either.
    let section = risk_links::for_record(db.reader(), &owner, AddressedBy::Change, change_id)
        .await
        .unwrap();
    assert!(section.suggested.is_empty());

    // Removing one leaves the others, and says so on both records.
    risk_links::unlink(
        &db,
        &owner,
        &actor(&owner),
        request(AddressedBy::Change, change_id, elsewhere),
    )
    .await
    .unwrap();
    let again = risk_links::unlink(
        &db,
        &owner,
        &actor(&owner),
        request(AddressedBy::Change, change_id, elsewhere),
    )
    .await
    .unwrap_err();
    assert!(field_message(again, "risk").contains("does not name"));
    assert_eq!(link_count(&db).await, before - 1);
    assert_eq!(audit_entries(&db, "risk_unlinked").await.len(), 2);
    let plan_section =
        risk_links::for_record(db.reader(), &rowan, AddressedBy::ContinuityPlan, plan_id)
            .await
            .unwrap();
    assert_eq!(
        plan_section.linked.iter().map(|r| r.id).collect::<Vec<_>>(),
        [site]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_those_who_keep_risks_name_them_and_only_readers_see_them() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let auditor = person(&db, "auditor@example.org", Role::Auditor).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let portal = service(&db, "Portal").await;
    let site = risk(
        &db,
        &owner,
        "One data centre hosts the portal",
        &[portal],
        (3, 3),
    )
    .await;
    let change_id = change(&db, &owner, portal).await;

    // By the service: an auditor reads the register but keeps no risks.
    let section = risk_links::for_record(db.reader(), &auditor, AddressedBy::Change, change_id)
        .await
        .unwrap();
    assert!(!section.may_link);
    assert!(matches!(
        risk_links::link(
            &db,
            &auditor,
            &actor(&auditor),
            request(AddressedBy::Change, change_id, site),
            Utc::now()
        )
        .await,
        Err(AppError::Refused(_))
    ));

    // Over HTTP: the auditor and the requester are refused naming; the requester may not
    // even read which risks a change addresses.
    let state = state(db.db.clone());
    let body =
        format!("form[addressed_by]=change&form[record_id]={change_id}&form[risk]=RSK-{site}");
    for email in ["auditor@example.org", "robin@example.org"] {
        let cookie = sign_in(&state, email, PERSON_PASSWORD).await;
        let reply = send(&state, call("/api/risks/link", &body, Some(&cookie))).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{email}: {}",
            reply.body
        );
    }
    let robin_cookie = sign_in(&state, &robin.email, PERSON_PASSWORD).await;
    let reply = send(
        &state,
        call(
            "/api/risks/addressed",
            &format!("addressed_by=change&record_id={change_id}"),
            Some(&robin_cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(!reply.body.contains("data centre"));
    assert_eq!(link_count(&db).await, 0);

    // The owner names it over HTTP; a bad reference is named field by field.
    let cookie = sign_in(&state, "owner@example.org", PERSON_PASSWORD).await;
    let bad = send(
        &state,
        call(
            "/api/risks/link",
            &format!("form[addressed_by]=incident&form[record_id]={change_id}&form[risk]=soon"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("RSK-12"), "{}", bad.body);
    let reply = send(&state, call("/api/risks/link", &body, Some(&cookie))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(link_count(&db).await, 1);
    // The auditor cannot remove it either.
    let auditor_cookie = sign_in(&state, "auditor@example.org", PERSON_PASSWORD).await;
    let reply = send(
        &state,
        call("/api/risks/unlink", &body, Some(&auditor_cookie)),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(link_count(&db).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acceptance_says_why_and_the_export_carries_it() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    person(&db, "robin@example.org", Role::Requester).await;
    person(&db, "auditor@example.org", Role::Auditor).await;
    let portal = service(&db, "Portal").await;
    let low = risk(&db, &owner, "=cmd|' /C calc'!A0 leaks", &[portal], (1, 2)).await;
    let other = risk(&db, &owner, "Mail relay unpatched", &[], (2, 2)).await;
    let change_id = change(&db, &owner, portal).await;
    risk_links::link(
        &db,
        &owner,
        &actor(&owner),
        request(AddressedBy::Change, change_id, low),
        Utc::now(),
    )
    .await
    .unwrap();

    // Within the appetite the owner accepts it, but not without saying why.
    let accept = |reason: &str| RiskStepForm {
        action: "accept".into(),
        reason: reason.into(),
    };
    let silent = sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        low,
        1,
        &accept("ok"),
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert!(field_message(silent, "reason").contains("acceptable"));
    assert_eq!(
        sms_risks::detail(db.reader(), low).await.unwrap().version,
        1
    );
    sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        low,
        1,
        &accept("Two-factor sign-in already limits the harm."),
        Utc::now(),
    )
    .await
    .unwrap();
    let accepted = sms_risks::detail(db.reader(), low).await.unwrap();
    assert_eq!(
        accepted.accepted_reason.as_deref(),
        Some("Two-factor sign-in already limits the harm.")
    );
    assert!(audit_entries(&db, "risk_step").await.iter().any(|e| e
        .summary
        .contains("Two-factor sign-in already limits the harm.")));

    // Over HTTP, an acceptance without a reason is refused and changes nothing.
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "owner@example.org", PERSON_PASSWORD).await;
    let reply = send(
        &state,
        call(
            "/api/risks/step",
            &format!("id={other}&version=1&form[action]=accept"),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(
        sms_risks::detail(db.reader(), other).await.unwrap().version,
        1
    );

    // Reopening voids the reason with the acceptance.
    sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        other,
        1,
        &accept("Patched within the month; nothing reaches it."),
        Utc::now(),
    )
    .await
    .unwrap();
    sms_risks::take_step(
        &db,
        &owner,
        &actor(&owner),
        other,
        2,
        &RiskStepForm {
            action: "reopen".into(),
            reason: String::new(),
        },
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(
        sms_risks::detail(db.reader(), other)
            .await
            .unwrap()
            .accepted_reason,
        None
    );

    // The export: readers of the register only, the page's filters, formulas defused.
    let anonymous = send(&state, get("/risks/export.csv", None)).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    let robin = sign_in(&state, "robin@example.org", PERSON_PASSWORD).await;
    let refused = send(&state, get("/risks/export.csv", Some(&robin))).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("leaks"));
    let auditor = sign_in(&state, "auditor@example.org", PERSON_PASSWORD).await;
    let all = send(&state, get("/risks/export.csv?state=all", Some(&auditor))).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let text = all.body.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "{text}");
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let accepted_row = rows
        .iter()
        .find(|r| r[column("Reference")] == format!("RSK-{low}"))
        .unwrap();
    assert_eq!(&accepted_row[column("Title")], "'=cmd|' /C calc'!A0 leaks");
    assert_eq!(
        &accepted_row[column("Accepted because")],
        "Two-factor sign-in already limits the harm."
    );
    assert_eq!(
        accepted_row[column("Addressed by")],
        app::model::change_request::reference(change_id)
    );
    assert_eq!(&accepted_row[column("Services")], "Portal");
    let accepted_only = send(
        &state,
        get("/risks/export.csv?state=accepted", Some(&auditor)),
    )
    .await;
    assert_eq!(
        accepted_only
            .body
            .trim_start_matches('\u{feff}')
            .lines()
            .count(),
        2
    );
}
