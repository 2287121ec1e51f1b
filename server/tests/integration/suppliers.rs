//! The supplier register (clause 8.3.4): a supplier is added with its relationship manager
//! and services, contracted and reviewed on its cycle, found by review and renewal filters
//! and exported; names are unique in any case; stale versions write nothing; a business
//! impact analysis depends on register entries (never on free text), a supplier it depends
//! on is not retired, and a retired one is not changed; the migration turns the free-text
//! suppliers analyses held into register entries keeping their text.

use crate::common::{self, actor, person, PERSON_PASSWORD};
use crate::incidents::service;

use app::error::AppError;
use app::model::access::Role;
use app::model::bia::BiaForm;
use app::model::supplier::{
    ContractForm, ReviewOutcome, SupplierForm, SupplierListParams, SupplierReviewForm,
    SupplierStatusForm,
};
use app::model::user::CurrentUser;
use app::server::entity::audit_log;
use app::server::service::{bia, suppliers};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::web::{call, get, send, sign_in, state};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2027-02-01T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn today() -> NaiveDate {
    now().date_naive()
}

fn form(name: &str, manager: &CurrentUser, services: &[i64]) -> SupplierForm {
    SupplierForm {
        name: name.into(),
        kind: "external".into(),
        provides: "Hosting for the portal".into(),
        owner_id: manager.id.to_string(),
        contact_name: "Service desk".into(),
        contact_email: "desk@northwind.example".into(),
        contact_phone: "+44 20 7946 0100".into(),
        service_ids: services.iter().map(i64::to_string).collect(),
        review_every_months: "6".into(),
        first_review_on: (today() + Duration::days(10)).to_string(),
    }
}

fn contract(reference: &str, ends_on: NaiveDate, notice_days: u32) -> ContractForm {
    ContractForm {
        reference: reference.into(),
        starts_on: (today() - Duration::days(300)).to_string(),
        ends_on: ends_on.to_string(),
        notice_days: notice_days.to_string(),
        value: "GBP 96,000 a year".into(),
        targets: "99.9% availability; P1 response within 30 minutes.".into(),
    }
}

fn params(review: &str, renewal: &str) -> SupplierListParams {
    SupplierListParams {
        review: review.into(),
        renewal: renewal.into(),
        ..Default::default()
    }
}

/// An impact analysis (RTO 4 h) naming `suppliers`, one per line.
fn bia_form(suppliers: &str) -> BiaForm {
    BiaForm {
        impacts: (0..25).map(|i| ((i % 5) as u8).to_string()).collect(),
        mtpd: "1 d".into(),
        rto: "4 h".into(),
        rpo: "30 min".into(),
        depends_on: Vec::new(),
        suppliers: suppliers.into(),
    }
}

async fn audit_count(db: &app::server::db::Db, action: &str) -> u64 {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .count(db.reader())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supplier_is_added_contracted_reviewed_and_found() {
    let db = common::test_db().await;
    let levels = person(&db, "levels@example.org", Role::ServiceLevelManager).await;
    let requester = person(&db, "robin@example.org", Role::Requester).await;
    let portal = service(&db, "Portal").await;

    // A requester does not manage suppliers and cannot be named their manager.
    let refused = suppliers::create(
        &db,
        &levels,
        &actor(&levels),
        &form("Northwind Hosting", &requester, &[portal]),
        now(),
    )
    .await
    .unwrap_err();
    assert!(refused
        .field_errors()
        .and_then(|f| f.get("owner_id"))
        .is_some());

    let id = suppliers::create(
        &db,
        &levels,
        &actor(&levels),
        &form("Northwind Hosting", &levels, &[portal]),
        now(),
    )
    .await
    .unwrap();
    // The name is unique whatever its case, and the refusal is on the name field.
    let twice = suppliers::create(
        &db,
        &levels,
        &actor(&levels),
        &form("NORTHWIND hosting", &levels, &[]),
        now(),
    )
    .await
    .unwrap_err();
    assert_eq!(
        twice.field_errors().and_then(|f| f.get("name")),
        Some("The register already has a supplier called “NORTHWIND hosting”.")
    );

    // Never reviewed, no contract: both are what an auditor would ask about.
    let fresh = suppliers::detail(db.reader(), id, today()).await.unwrap();
    assert_eq!(fresh.services[0].name, "Portal");
    let concerns = fresh.concerns(today() + Duration::days(11));
    assert!(
        concerns.contains(&"Never reviewed.".to_string()),
        "{concerns:?}"
    );
    assert!(concerns.iter().any(|c| c.starts_with("Review overdue")));
    assert!(concerns.contains(&"No contract in force.".to_string()));

    // A contract ending in 60 days with 90 days' notice: its renewal decision is due.
    suppliers::add_contract(
        &db,
        &levels,
        &actor(&levels),
        id,
        1,
        &contract("NWH-1", today() + Duration::days(60), 90),
        now(),
    )
    .await
    .unwrap();
    let stale = suppliers::add_contract(
        &db,
        &levels,
        &actor(&levels),
        id,
        1,
        &contract("NWH-2", today() + Duration::days(600), 30),
        now(),
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }), "{stale:?}");
    let found = suppliers::page(db.reader(), &params("", "due"), today(), 25)
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(
        found.rows[0].next_contract_end,
        Some(today() + Duration::days(60))
    );
    assert_eq!(
        suppliers::page(db.reader(), &params("never", ""), today(), 25)
            .await
            .unwrap()
            .total,
        1
    );

    // A review that finds targets missed says what will be done; refused, it changes nothing.
    let missed = SupplierReviewForm {
        outcome: "partly".into(),
        findings: "Two P1 calls answered after an hour.".into(),
        actions: String::new(),
    };
    let refused = suppliers::review(&db, &levels, &actor(&levels), id, 2, &missed, now())
        .await
        .unwrap_err();
    assert!(refused
        .field_errors()
        .and_then(|f| f.get("actions"))
        .is_some());
    let next = suppliers::review(
        &db,
        &levels,
        &actor(&levels),
        id,
        2,
        &SupplierReviewForm {
            actions: "Service credits claimed; escalation path agreed.".into(),
            ..missed
        },
        now(),
    )
    .await
    .unwrap();
    // The next review is one cycle (six months) on.
    assert_eq!(next, NaiveDate::from_ymd_opt(2027, 8, 1).unwrap());
    let reviewed = suppliers::detail(db.reader(), id, today()).await.unwrap();
    assert_eq!(reviewed.version, 3);
    assert_eq!(reviewed.next_review_on, next);
    assert_eq!(reviewed.last_outcome, Some(ReviewOutcome::PartlyMeets));
    assert_eq!(reviewed.reviews.len(), 1);
    assert_eq!(reviewed.reviews[0].by.id, levels.id);
    assert_eq!(
        suppliers::page(db.reader(), &params("never", ""), today(), 25)
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(audit_count(&db, "supplier_added").await, 1);
    assert_eq!(audit_count(&db, "supplier_contract_added").await, 1);
    assert_eq!(audit_count(&db, "supplier_reviewed").await, 1);

    // The export: a supplier reader gets the register, formula-safe; a requester nothing.
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "levels@example.org", PERSON_PASSWORD).await;
    let csv = send(&state, get("/suppliers/export.csv", Some(&cookie))).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.contains("Northwind Hosting"), "{}", csv.body);
    assert!(csv.body.contains("NWH-1"), "{}", csv.body);
    assert!(
        csv.body.contains("Partly meets its targets"),
        "{}",
        csv.body
    );
    let robin = sign_in(&state, "robin@example.org", PERSON_PASSWORD).await;
    let none = send(&state, get("/suppliers/export.csv", Some(&robin))).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_impact_analysis_depends_on_register_suppliers_which_are_not_retired_under_it() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let payroll = service(&db, "Payroll").await;
    let bureau = suppliers::create(
        &db,
        &owner,
        &actor(&owner),
        &form("Paysphere payroll bureau", &owner, &[payroll]),
        now(),
    )
    .await
    .unwrap();

    // Free text the register does not hold is refused, naming it; nothing is saved.
    let refused = bia::save(
        &db,
        &actor(&owner),
        owner.id,
        payroll,
        0,
        bia_form("Print shop; 2 d").validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(
        refused
            .field_errors()
            .and_then(|f| f.get("suppliers"))
            .is_some_and(|m| m.contains("Print shop")),
        "{refused:?}"
    );
    assert_eq!(bia::get(db.reader(), payroll).await.unwrap().version, 0);

    // In any case the register's entry is found, and shown in the register's spelling.
    let saved = bia::save(
        &db,
        &actor(&owner),
        owner.id,
        payroll,
        0,
        bia_form("PAYSPHERE payroll bureau; 8 h")
            .validate()
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(saved.suppliers[0].name, "Paysphere payroll bureau");
    assert_eq!(saved.suppliers[0].supplier_id, Some(bureau));
    let detail = suppliers::detail(db.reader(), bureau, today())
        .await
        .unwrap();
    assert_eq!(detail.dependents.len(), 1);
    assert_eq!(detail.dependents[0].service.name, "Payroll");
    // It promises 8 h where payroll needs 4 h: too slow, and said so.
    assert!(detail.dependents[0].late());
    assert!(detail
        .concerns(today())
        .iter()
        .any(|c| c.contains("Recovers later than Payroll")));

    // Retiring a supplier an analysis depends on is refused, naming the service.
    let retire = SupplierStatusForm {
        status: "retired".into(),
        reason: "Contract ended; payroll moves in-house.".into(),
    };
    let refused = suppliers::set_status(&db, &owner, &actor(&owner), bureau, 1, &retire)
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, AppError::Refused(w) if w.contains("Payroll")),
        "{refused:?}"
    );
    // Once the analysis names no supplier, it retires; then it is not changed until restored.
    bia::save(
        &db,
        &actor(&owner),
        owner.id,
        payroll,
        1,
        bia_form("").validate().unwrap(),
    )
    .await
    .unwrap();
    suppliers::set_status(&db, &owner, &actor(&owner), bureau, 1, &retire)
        .await
        .unwrap();
    let review = SupplierReviewForm {
        outcome: "meets".into(),
        findings: "All runs on time this year.".into(),
        actions: String::new(),
    };
    let refused = suppliers::review(&db, &owner, &actor(&owner), bureau, 2, &review, now())
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Refused(_)), "{refused:?}");
    // A retired supplier is not found by an analysis either.
    let retired = bia::save(
        &db,
        &actor(&owner),
        owner.id,
        payroll,
        2,
        bia_form("Paysphere payroll bureau").validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(retired
        .field_errors()
        .and_then(|f| f.get("suppliers"))
        .is_some());
    let restore = SupplierStatusForm {
        status: "active".into(),
        reason: String::new(),
    };
    suppliers::set_status(&db, &owner, &actor(&owner), bureau, 2, &restore)
        .await
        .unwrap();
    assert_eq!(audit_count(&db, "supplier_retired").await, 1);
    assert_eq!(audit_count(&db, "supplier_restored").await, 1);
}

/// Over HTTP, someone without `SupplierManage` changes nothing, even with a valid id and
/// version; a resolver reads the register (they wait on suppliers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_keepers_change_the_register_over_http() {
    let db = common::test_db().await;
    let levels = person(&db, "levels@example.org", Role::ServiceLevelManager).await;
    person(&db, "fixer@example.org", Role::Resolver).await;
    let id = suppliers::create(
        &db,
        &levels,
        &actor(&levels),
        &form("Metro fibre carrier", &levels, &[]),
        now(),
    )
    .await
    .unwrap();
    let state = state(db.db.clone());
    let fixer = sign_in(&state, "fixer@example.org", PERSON_PASSWORD).await;
    let read = send(
        &state,
        call("/api/suppliers/get", &format!("id={id}"), Some(&fixer)),
    )
    .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    for (endpoint, body) in [
        ("/api/suppliers/review", format!("id={id}&version=1&form[outcome]=meets&form[findings]=Fine+all+year+round")),
        ("/api/suppliers/status", format!("id={id}&version=1&form[status]=retired&form[reason]=No+longer+needed+here")),
        ("/api/suppliers/update", format!("id={id}&version=1&form[name]=Renamed+carrier&form[kind]=external&form[owner_id]={}&form[review_every_months]=6", levels.id)),
    ] {
        let reply = send(&state, call(endpoint, &body, Some(&fixer))).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{endpoint}: {}", reply.body);
    }
    let unchanged = suppliers::detail(db.reader(), id, today()).await.unwrap();
    assert_eq!(unchanged.version, 1);
    assert_eq!(unchanged.name, "Metro fibre carrier");
    assert!(unchanged.reviews.is_empty());
}

/// An analysis saved before the register named its suppliers in free text: the migration
/// makes each distinct name (in any case) one register entry, due for review, and the
/// analysis keeps its text with the entry's id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_migration_moves_free_text_suppliers_into_the_register() {
    use migrations::{Migrator, MigratorTrait};
    use sea_orm::{ActiveModelTrait, Set};
    let db = common::test_db().await;
    let admin = person(&db, "admin@example.org", Role::Admin).await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let payroll = service(&db, "Payroll").await;
    let portal = service(&db, "Portal").await;
    // Back to before the register (and every migration that came after it); two analyses
    // as they were stored then.
    let since_register = Migrator::migrations()
        .iter()
        .rev()
        .take_while(|m| m.name() != "m20261207_000514_suppliers")
        .count() as u32
        + 1;
    Migrator::down(db.writer(), Some(since_register))
        .await
        .expect("down");
    for (service_id, suppliers) in [
        (payroll, r#"[{"name":"Hosting partner","rto_minutes":120}]"#),
        (
            portal,
            r#"[{"name":"hosting PARTNER","rto_minutes":null},{"name":"Print shop","rto_minutes":2880}]"#,
        ),
    ] {
        app::server::entity::service_bia::ActiveModel {
            service_id: Set(service_id),
            impacts: Set("[]".into()),
            mtpd: Set(1440),
            rto: Set(240),
            rpo: Set(30),
            depends_on: Set("[]".into()),
            suppliers: Set(suppliers.into()),
            version: Set(1),
            // An admin saved them: admins keep no suppliers, so a keeper manages the entries.
            updated_by: Set(admin.id),
            updated_at: Set(now()),
        }
        .insert(db.writer())
        .await
        .unwrap();
    }
    Migrator::up(db.writer(), None).await.expect("up");

    let register = suppliers::page(db.reader(), &SupplierListParams::default(), today(), 25)
        .await
        .unwrap();
    let mut names: Vec<&str> = register.rows.iter().map(|r| r.name.as_str()).collect();
    names.sort();
    assert_eq!(names, vec!["Hosting partner", "Print shop"]);
    // The stored text is kept; the analysis shows the register's spelling.
    let stored = app::server::entity::service_bia::Entity::find_by_id(portal)
        .one(db.reader())
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.suppliers.contains(r#""name":"hosting PARTNER""#),
        "{}",
        stored.suppliers
    );
    let portal_bia = bia::get(db.reader(), portal).await.unwrap();
    assert_eq!(portal_bia.suppliers[0].name, "Hosting partner");
    let hosting = register
        .rows
        .iter()
        .find(|r| r.name == "Hosting partner")
        .unwrap();
    assert_eq!(portal_bia.suppliers[0].supplier_id, Some(hosting.id));
    let detail = suppliers::detail(db.reader(), hosting.id, today())
        .await
        .unwrap();
    assert_eq!(detail.dependents.len(), 2);
    assert_eq!(detail.owner.id, owner.id);
    assert!(detail.reviews.is_empty());
    // Due for a first review within the month.
    let first = detail.next_review_on - Utc::now().date_naive();
    assert_eq!(first.num_days(), 30);
}

/// Edits: against the version read, names unique in any case, only the relationship
/// manager or a register keeper, links to archived services kept; a contract of another
/// supplier is not removed through this one; a follow-on contract decides the renewal; the
/// clause 8.3.4 evidence names what is thin; a renamed supplier is found by its analysis.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_contracts_renewals_and_evidence_follow_the_rules() {
    use app::server::service::{catalogue, clause_evidence};
    let db = common::test_db().await;
    let dana = person(&db, "dana@example.org", Role::ServiceOwner).await;
    let other = person(&db, "other@example.org", Role::ServiceOwner).await;
    let quality = person(&db, "quality@example.org", Role::QualityManager).await;
    let payroll = service(&db, "Payroll").await;
    let legacy = service(&db, "Legacy intranet").await;
    let bureau = suppliers::create(
        &db,
        &dana,
        &actor(&dana),
        &form("Paysphere", &dana, &[payroll, legacy]),
        now(),
    )
    .await
    .unwrap();
    let carrier = suppliers::create(
        &db,
        &quality,
        &actor(&quality),
        &form("Metro fibre", &quality, &[]),
        now(),
    )
    .await
    .unwrap();

    // Another service owner does not change Dana's supplier, by any path.
    let rename = SupplierForm {
        name: "Paysphere Payroll".into(),
        ..form("Paysphere", &dana, &[payroll])
    };
    let refused = suppliers::update(&db, &other, &actor(&other), bureau, 1, &rename)
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Refused(_)), "{refused:?}");
    let review = SupplierReviewForm {
        outcome: "meets".into(),
        findings: "Every run on time this quarter.".into(),
        actions: String::new(),
    };
    assert!(matches!(
        suppliers::review(&db, &other, &actor(&other), bureau, 1, &review, now()).await,
        Err(AppError::Refused(_))
    ));
    assert!(matches!(
        suppliers::add_contract(
            &db,
            &other,
            &actor(&other),
            bureau,
            1,
            &contract("X-1", today() + Duration::days(400), 30),
            now()
        )
        .await,
        Err(AppError::Refused(_))
    ));

    // The legacy service is archived: the form no longer offers it, and an edit keeps it.
    let legacy_version = catalogue::get(&db, legacy).await.unwrap().version;
    catalogue::set_archived(&db, &actor(&dana), legacy, legacy_version, true)
        .await
        .unwrap();
    suppliers::update(&db, &dana, &actor(&dana), bureau, 1, &rename)
        .await
        .unwrap();
    let renamed = suppliers::detail(db.reader(), bureau, today())
        .await
        .unwrap();
    assert_eq!(renamed.name, "Paysphere Payroll");
    assert_eq!(renamed.services.len(), 2, "{:?}", renamed.services);
    // Stale, and a clash with another supplier's name in another case: refused, unchanged.
    let stale = suppliers::update(&db, &dana, &actor(&dana), bureau, 1, &rename)
        .await
        .unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }), "{stale:?}");
    let clash = SupplierForm {
        name: "METRO FIBRE".into(),
        ..rename.clone()
    };
    let clash = suppliers::update(&db, &quality, &actor(&quality), bureau, 2, &clash)
        .await
        .unwrap_err();
    assert!(
        clash.field_errors().and_then(|f| f.get("name")).is_some(),
        "{clash:?}"
    );
    assert_eq!(
        suppliers::detail(db.reader(), bureau, today())
            .await
            .unwrap()
            .version,
        2
    );

    // A contract in its renewal window, then its follow-on: the renewal is decided.
    suppliers::add_contract(
        &db,
        &dana,
        &actor(&dana),
        bureau,
        2,
        &contract("PS-1", today() + Duration::days(40), 60),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(
        suppliers::page(db.reader(), &params("", "due"), today(), 25)
            .await
            .unwrap()
            .total,
        1
    );
    let evidence = clause_evidence::for_clause(&db, "8.3.4", today())
        .await
        .unwrap();
    let thin = |rule: &str| {
        evidence
            .thin
            .iter()
            .find(|t| t.rule == rule)
            .map(|t| {
                t.records
                    .iter()
                    .map(|r| r.label.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        thin("Contracts whose renewal decision is due"),
        vec![format!("SUP-{bureau} Paysphere Payroll")]
    );
    assert_eq!(thin("Suppliers never reviewed").len(), 2);
    assert_eq!(
        thin("External suppliers without a contract in force"),
        vec![format!("SUP-{carrier} Metro fibre")]
    );
    assert_eq!(evidence.sources[0].count, 2);
    let follow_on = ContractForm {
        starts_on: (today() + Duration::days(41)).to_string(),
        ..contract("PS-2", today() + Duration::days(800), 60)
    };
    suppliers::add_contract(&db, &dana, &actor(&dana), bureau, 3, &follow_on, now())
        .await
        .unwrap();
    assert_eq!(
        suppliers::page(db.reader(), &params("", "due"), today(), 25)
            .await
            .unwrap()
            .total,
        0
    );
    let contracts = suppliers::detail(db.reader(), bureau, today())
        .await
        .unwrap()
        .contracts;
    assert!(contracts
        .iter()
        .any(|c| c.reference == "PS-1"
            && c.standing == app::model::supplier::ContractStanding::Renewed));

    // A contract of another supplier is not removed through this one.
    let theirs = {
        suppliers::add_contract(
            &db,
            &quality,
            &actor(&quality),
            carrier,
            1,
            &contract("MF-1", today() + Duration::days(500), 30),
            now(),
        )
        .await
        .unwrap();
        suppliers::detail(db.reader(), carrier, today())
            .await
            .unwrap()
            .contracts[0]
            .id
    };
    let wrong = suppliers::remove_contract(&db, &dana, &actor(&dana), bureau, 4, theirs)
        .await
        .unwrap_err();
    assert!(matches!(wrong, AppError::NotFound(_)), "{wrong:?}");
    assert_eq!(
        suppliers::detail(db.reader(), carrier, today())
            .await
            .unwrap()
            .contracts
            .len(),
        1
    );
    assert_eq!(audit_count(&db, "supplier_contract_removed").await, 0);
    // Nor does a service owner who does not manage the carrier remove its contract or retire it.
    assert!(matches!(
        suppliers::remove_contract(&db, &other, &actor(&other), carrier, 2, theirs).await,
        Err(AppError::Refused(_))
    ));
    let retire = SupplierStatusForm {
        status: "retired".into(),
        reason: "We no longer use this carrier.".into(),
    };
    assert!(matches!(
        suppliers::set_status(&db, &other, &actor(&other), carrier, 2, &retire).await,
        Err(AppError::Refused(_))
    ));
    let carrier_now = suppliers::detail(db.reader(), carrier, today())
        .await
        .unwrap();
    assert_eq!(carrier_now.contracts.len(), 1);
    assert_eq!(
        carrier_now.status,
        app::model::supplier::SupplierStatus::Active
    );
    assert_eq!(carrier_now.version, 2);

    // The analysis names it by its old name once; after the rename it shows the new name
    // and saves again unchanged.
    bia::save(
        &db,
        &actor(&dana),
        dana.id,
        payroll,
        0,
        bia_form("paysphere payroll; 2 h").validate().unwrap(),
    )
    .await
    .unwrap();
    let newer = SupplierForm {
        name: "Paysphere Bureau".into(),
        ..rename
    };
    suppliers::update(&db, &dana, &actor(&dana), bureau, 4, &newer)
        .await
        .unwrap();
    let shown = bia::get(db.reader(), payroll).await.unwrap();
    assert_eq!(shown.suppliers[0].name, "Paysphere Bureau");
    bia::save(
        &db,
        &actor(&dana),
        dana.id,
        payroll,
        1,
        bia_form(&format!("{}; 2 h", shown.suppliers[0].name))
            .validate()
            .unwrap(),
    )
    .await
    .unwrap();
}

/// A shorter review cycle applies at once, from the last review; a longer one only from the
/// next review, so editing the cycle never pushes a due review away. A plan's readers see the
/// suppliers its services depend on, with whom to call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shorter_cycle_applies_at_once_and_plans_list_their_suppliers() {
    let db = common::test_db().await;
    let levels = person(&db, "levels@example.org", Role::ServiceLevelManager).await;
    let payroll = service(&db, "Payroll").await;
    let yearly = SupplierForm {
        review_every_months: "12".into(),
        ..form("Paysphere", &levels, &[payroll])
    };
    let id = suppliers::create(&db, &levels, &actor(&levels), &yearly, now())
        .await
        .unwrap();
    let met = SupplierReviewForm {
        outcome: "meets".into(),
        findings: "Every run on time.".into(),
        actions: String::new(),
    };
    let reviewed_on = today();
    suppliers::review(&db, &levels, &actor(&levels), id, 1, &met, now())
        .await
        .unwrap();
    let quarterly = SupplierForm {
        review_every_months: "3".into(),
        ..yearly.clone()
    };
    suppliers::update(&db, &levels, &actor(&levels), id, 2, &quarterly)
        .await
        .unwrap();
    let shortened = suppliers::detail(db.reader(), id, today()).await.unwrap();
    assert_eq!(
        shortened.next_review_on,
        app::model::supplier::next_review(reviewed_on, 3)
    );
    let biennial = SupplierForm {
        review_every_months: "24".into(),
        ..yearly
    };
    suppliers::update(&db, &levels, &actor(&levels), id, 3, &biennial)
        .await
        .unwrap();
    assert_eq!(
        suppliers::detail(db.reader(), id, today())
            .await
            .unwrap()
            .next_review_on,
        shortened.next_review_on,
        "a longer cycle waits for the next review"
    );

    bia::save(
        &db,
        &actor(&levels),
        levels.id,
        payroll,
        0,
        bia_form("Paysphere; 8 h").validate().unwrap(),
    )
    .await
    .unwrap();
    let listed = suppliers::of_services(db.reader(), &[payroll])
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].contact_email, "desk@northwind.example");
    assert!(listed[0].late(), "8 h against the 4 h payroll needs");
    assert!(suppliers::of_services(db.reader(), &[])
        .await
        .unwrap()
        .is_empty());
}
