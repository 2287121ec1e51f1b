//! The CMDB (clauses 8.2.5, 8.2.6): items are recorded with the attributes of their kind and
//! related ("runs on", "depends on", "connects to") by reference or name; a failure reaches
//! the services of everything that relies on the item, through chains and cycles, never
//! through retired items; an item is changed only by its owner or a change manager, against
//! its version, never retired while items in use rely on it; its history keeps every field's
//! before and after; the register pages and exports by key.

use crate::common::{self, actor, person, PERSON_PASSWORD};
use crate::incidents::service;

use app::error::AppError;
use app::model::access::Role;
use app::model::cmdb::{CiForm, CiListParams, RelationshipForm};
use app::model::user::CurrentUser;
use app::server::db::Db;
use app::server::entity::audit_log;
use app::server::service::cmdb;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use common::web::{call, get, send, sign_in, state};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2027-02-01T10:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn form(name: &str, kind: &str, owner: Option<&CurrentUser>, services: &[i64]) -> CiForm {
    CiForm {
        name: name.into(),
        kind: kind.into(),
        status: "live".into(),
        owner_id: owner.map(|o| o.id.to_string()).unwrap_or_default(),
        service_ids: services.iter().map(i64::to_string).collect(),
        ..Default::default()
    }
}

async fn add(db: &Db, by: &CurrentUser, form: CiForm) -> i64 {
    cmdb::create(db, by, &actor(by), &form, now())
        .await
        .unwrap()
}

async fn version(db: &Db, user: &CurrentUser, id: i64) -> i32 {
    cmdb::record(db.reader(), user, id)
        .await
        .unwrap()
        .item
        .version
}

async fn relate(
    db: &Db,
    by: &CurrentUser,
    id: i64,
    kind: &str,
    target: &str,
) -> Result<(), AppError> {
    let version = version(db, by, id).await;
    cmdb::relate(
        db,
        by,
        &actor(by),
        id,
        version,
        &RelationshipForm {
            kind: kind.into(),
            target: target.into(),
        },
        now(),
    )
    .await
}

async fn page(db: &Db, params: CiListParams) -> app::model::cmdb::CiPage {
    cmdb::page(db.reader(), &params, 25).await.unwrap()
}

fn field(error: &AppError, name: &str) -> String {
    error
        .field_errors()
        .and_then(|f| f.get(name))
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_reaches_the_services_of_everything_that_relies_on_the_item() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let fixer = person(&db, "fixer@example.org", Role::Resolver).await;
    let manager = person(&db, "changes@example.org", Role::ChangeManager).await;
    let payroll = service(&db, "Payroll").await;
    let portal = service(&db, "Portal").await;

    let mut app_form = form("Payroll app", "application", Some(&owner), &[payroll]);
    app_form.attributes = [
        ("vendor".to_string(), "Paysphere".to_string()),
        ("hostname".to_string(), "not an application's".to_string()),
    ]
    .into_iter()
    .collect();
    let payroll_app = add(&db, &owner, app_form).await;
    let portal_app = add(
        &db,
        &owner,
        form("Portal app", "application", Some(&owner), &[portal]),
    )
    .await;
    let server = add(
        &db,
        &fixer,
        form("App server 1", "server", Some(&fixer), &[]),
    )
    .await;
    let switch = add(&db, &fixer, form("Core switch", "network", None, &[])).await;

    // Names are unique in any case.
    let taken = cmdb::create(
        &db,
        &owner,
        &actor(&owner),
        &form("payroll APP", "application", None, &[]),
        now(),
    )
    .await
    .unwrap_err();
    assert!(field(&taken, "name").contains("already"), "{taken:?}");

    // Related by name (any case) or by reference.
    relate(&db, &owner, payroll_app, "runs_on", "app server 1")
        .await
        .unwrap();
    relate(&db, &owner, portal_app, "depends_on", "PAYROLL APP")
        .await
        .unwrap();
    relate(
        &db,
        &fixer,
        server,
        "connects_to",
        &app::model::cmdb::reference(switch),
    )
    .await
    .unwrap();

    // What relating refuses: itself, twice, an unknown item; nothing is written.
    let itself = relate(&db, &fixer, server, "runs_on", "App server 1")
        .await
        .unwrap_err();
    assert!(field(&itself, "target").contains("itself"), "{itself:?}");
    let twice = relate(&db, &owner, payroll_app, "runs_on", "App server 1")
        .await
        .unwrap_err();
    assert!(field(&twice, "target").contains("already"), "{twice:?}");
    let unknown = relate(&db, &owner, payroll_app, "runs_on", "Mainframe")
        .await
        .unwrap_err();
    assert!(field(&unknown, "target").contains("No item"), "{unknown:?}");

    // The switch fails: three items, two services, each through its nearest item.
    let impact = cmdb::impact_of(db.reader(), &[switch]).await.unwrap();
    assert_eq!(impact.reached, 3);
    let reached: Vec<(&str, u32)> = impact
        .items
        .iter()
        .map(|r| (r.ci.name.as_str(), r.depth))
        .collect();
    assert_eq!(
        reached,
        vec![("App server 1", 1), ("Payroll app", 2), ("Portal app", 3)]
    );
    let services: Vec<(&str, &str, u32)> = impact
        .services
        .iter()
        .map(|s| (s.service.name.as_str(), s.through.name.as_str(), s.depth))
        .collect();
    assert_eq!(
        services,
        vec![("Payroll", "Payroll app", 2), ("Portal", "Portal app", 3)]
    );

    // A cycle ends the walk rather than looping.
    let monitor = add(
        &db,
        &fixer,
        form("Monitoring", "application", Some(&fixer), &[]),
    )
    .await;
    relate(&db, &fixer, monitor, "depends_on", "Payroll app")
        .await
        .unwrap();
    relate(&db, &owner, payroll_app, "depends_on", "Monitoring")
        .await
        .unwrap();
    let cyclic = cmdb::impact_of(db.reader(), &[switch]).await.unwrap();
    assert_eq!(cyclic.reached, 4);
    assert!(!cyclic.cut_short);

    // The server's page: what it relies on (for the graph) and what relies on it.
    let record = cmdb::record(db.reader(), &fixer, server).await.unwrap();
    assert_eq!(record.dependencies.len(), 1);
    assert_eq!(record.dependencies[0].ci.name, "Core switch");
    assert_eq!(record.item.relied_on_by.len(), 1);
    assert_eq!(record.item.relied_on_by[0].other.name, "Payroll app");
    assert!(record.may_change);
    // The attributes of the item's kind only.
    let app_record = cmdb::record(db.reader(), &owner, payroll_app)
        .await
        .unwrap();
    assert_eq!(
        app_record.item.attribute_rows(),
        vec![("Vendor", "Paysphere".to_string())]
    );

    // Only the owner or a change manager changes an owned item; an unowned one, anyone who
    // keeps the CMDB.
    assert!(
        !cmdb::record(db.reader(), &fixer, payroll_app)
            .await
            .unwrap()
            .may_change
    );
    let v = version(&db, &owner, payroll_app).await;
    let refused = cmdb::update(
        &db,
        &fixer,
        &actor(&fixer),
        payroll_app,
        v,
        &form("Payroll app", "application", Some(&fixer), &[payroll]),
    )
    .await
    .unwrap_err();
    assert!(matches!(refused, AppError::Refused(_)), "{refused:?}");
    let refused = relate(&db, &fixer, payroll_app, "runs_on", "Core switch")
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Refused(_)), "{refused:?}");
    cmdb::update(
        &db,
        &manager,
        &actor(&manager),
        payroll_app,
        v,
        &form(
            "Payroll application",
            "application",
            Some(&owner),
            &[payroll],
        ),
    )
    .await
    .unwrap();
    // The version read is spent.
    let stale = cmdb::update(
        &db,
        &owner,
        &actor(&owner),
        payroll_app,
        v,
        &form("Payroll app", "application", Some(&owner), &[payroll]),
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }), "{stale:?}");
    // The history names the fields before and after.
    let updated = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("ci_updated"))
        .filter(audit_log::Column::RecordId.eq(payroll_app.to_string()))
        .one(db.reader())
        .await
        .unwrap()
        .unwrap();
    assert!(
        updated.changes.contains("Payroll application"),
        "{}",
        updated.changes
    );
    assert!(updated.changes.contains("vendor"), "{}", updated.changes);

    // Not retired while items in use rely on it; once they are gone, it is.
    let mut retire = form("Core switch", "network", None, &[]);
    retire.status = "retired".into();
    let v = version(&db, &fixer, switch).await;
    let refused = cmdb::update(&db, &fixer, &actor(&fixer), switch, v, &retire)
        .await
        .unwrap_err();
    match refused {
        AppError::Refused(words) => assert!(words.contains("App server 1"), "{words}"),
        other => panic!("{other:?}"),
    }
    let mut retire_portal = form("Portal app", "application", Some(&owner), &[portal]);
    retire_portal.status = "retired".into();
    let v = version(&db, &owner, portal_app).await;
    cmdb::update(&db, &owner, &actor(&owner), portal_app, v, &retire_portal)
        .await
        .unwrap();
    // A retired item carries no failure and takes no new relationships.
    let without = cmdb::impact_of(db.reader(), &[switch]).await.unwrap();
    assert!(without.services.iter().all(|s| s.service.name != "Portal"));
    let retired = relate(&db, &fixer, monitor, "depends_on", "Portal app")
        .await
        .unwrap_err();
    assert!(field(&retired, "target").contains("retired"), "{retired:?}");

    // Removing a relationship is the relying item's keeper's call, from that item, against
    // its version: not from the other end, and not by someone else.
    let edge = record.item.relied_on_by[0].id;
    let v = version(&db, &fixer, server).await;
    let refused = cmdb::unrelate(&db, &fixer, &actor(&fixer), server, v, edge)
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::NotFound(_)), "{refused:?}");
    let v = version(&db, &owner, payroll_app).await;
    let refused = cmdb::unrelate(&db, &fixer, &actor(&fixer), payroll_app, v, edge)
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Refused(_)), "{refused:?}");
    let v = version(&db, &owner, payroll_app).await;
    cmdb::unrelate(&db, &owner, &actor(&owner), payroll_app, v, edge)
        .await
        .unwrap();
    let after = cmdb::impact_of(db.reader(), &[switch]).await.unwrap();
    assert_eq!(after.reached, 1);
    assert!(after.services.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_register_filters_pages_and_exports_and_refuses_outsiders() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let fixer = person(&db, "fixer@example.org", Role::Resolver).await;
    person(&db, "robin@example.org", Role::Requester).await;
    let payroll = service(&db, "Payroll").await;
    let mut ids = Vec::new();
    for i in 0..30 {
        let owned = (i % 3 != 0).then_some(&owner);
        let kind = if i % 2 == 0 { "server" } else { "database" };
        let services: &[i64] = if i < 5 { &[payroll] } else { &[] };
        ids.push(
            add(
                &db,
                &owner,
                form(&format!("Host {i:02}"), kind, owned, services),
            )
            .await,
        );
    }
    let all = page(&db, CiListParams::default()).await;
    assert_eq!((all.total, all.pages, all.rows.len()), (30, 2, 25));
    assert_eq!(all.rows[0].name, "Host 00");
    let unowned = page(
        &db,
        CiListParams {
            owner: "none".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(unowned.total, 10);
    assert!(unowned.rows.iter().all(|r| r.owner.is_none()));
    let servers = page(
        &db,
        CiListParams {
            kind: "server".into(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(servers.total, 15);
    let serving = page(
        &db,
        CiListParams {
            service: payroll.to_string(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(serving.total, 5);
    assert!(serving.rows.iter().all(|r| r.services == vec!["Payroll"]));
    let by_reference = page(
        &db,
        CiListParams {
            q: app::model::cmdb::reference(ids[7]),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(by_reference.rows[0].name, "Host 07");
    // The second page by key continues where the first ended.
    let second = page(
        &db,
        CiListParams {
            page: "2".into(),
            after: all.rows[24].id.to_string(),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(second.rows[0].name, "Host 25");
    assert_eq!(cmdb::counts(db.reader()).await.unwrap(), (30, 20));

    let state = state(db.db.clone());
    let cookie = sign_in(&state, "fixer@example.org", PERSON_PASSWORD).await;
    let csv = send(&state, get("/cmdb/export.csv", Some(&cookie))).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body.lines().count(), 31, "{}", csv.body);
    assert!(csv.body.contains("Host 29"), "{}", csv.body);
    let robin = sign_in(&state, "robin@example.org", PERSON_PASSWORD).await;
    let none = send(&state, get("/cmdb/export.csv", Some(&robin))).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    let none = send(
        &state,
        call("/api/cmdb/list", "params[status]=all", Some(&robin)),
    )
    .await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);

    // A resolver with a valid session cannot change someone else's item by any route.
    let owned = ids[1];
    let target = ids[0];
    for (endpoint, body) in [
        ("/api/cmdb/update", format!("id={owned}&version=1&form[name]=Renamed&form[kind]=server&form[status]=live&form[owner_id]={}", fixer.id)),
        ("/api/cmdb/relate", format!("id={owned}&version=1&form[kind]=runs_on&form[target]=CI-{target}")),
    ] {
        let reply = send(&state, call(endpoint, &body, Some(&cookie))).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{endpoint}: {}", reply.body);
    }
    let unchanged = cmdb::record(db.reader(), &owner, owned).await.unwrap();
    assert_eq!(unchanged.item.version, 1);
    assert_eq!(unchanged.item.name, "Host 01");
    assert!(unchanged.item.relies_on.is_empty());
    // Its record holds its recording and the two refused attempts, nothing written.
    let entries = audit_log::Entity::find()
        .filter(audit_log::Column::RecordType.eq("configuration_item"))
        .filter(audit_log::Column::RecordId.eq(owned.to_string()))
        .order_by_asc(audit_log::Column::Seq)
        .all(db.reader())
        .await
        .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions[0], "ci_added");
    assert!(
        actions[1..].iter().all(|a| !a.starts_with("ci_")),
        "{actions:?}"
    );
}

/// Another tool's export: its column names and classes are understood; every row and every
/// relationship is checked (against the file and the CMDB) before anything is written; a
/// file with any error imports nothing; a clean one creates every item and relationship in
/// one go, and what a failure reaches follows at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_checks_every_row_and_relationship_and_is_all_or_nothing() {
    use app::server::service::cmdb_import;
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    person(&db, "robin@example.org", Role::Requester).await;
    let payroll = service(&db, "Payroll").await;
    let switch = add(
        &db,
        &owner,
        form("Core switch", "network", Some(&owner), &[]),
    )
    .await;

    let broken = "\u{feff}Display name,Class,Install status,Owned by,Business service,IP Address,Depends on\n\
        payroll-app,Business application,Installed,owner@example.org,Payroll,,runs on payroll-host\n\
        payroll-host,Linux Server,Installed,robin@example.org,,10.0.0.5,connects to Core switch\n\
        payroll-db,Toaster,Installed,,,,\n\
        payroll-app,Business application,,,,,\n\
        old-host,Linux Server,Decommissioned,,,,runs on nowhere\n\
        Core switch,Network device,,,,,\n";
    let plan = cmdb_import::plan(db.reader(), broken).await.unwrap();
    let fates: Vec<String> = plan
        .preview
        .rows
        .iter()
        .map(|r| format!("{:?}", r.fate))
        .collect();
    assert!(fates[0].starts_with("Create"), "{fates:?}");
    assert!(fates[1].contains("does not keep the CMDB"), "{fates:?}");
    assert!(fates[2].contains("Toaster"), "{fates:?}");
    assert!(fates[3].contains("more than once"), "{fates:?}");
    assert!(
        fates[4].contains("“nowhere” is neither in the file nor in the CMDB"),
        "{fates:?}"
    );
    assert!(fates[5].starts_with("Present"), "{fates:?}");
    assert!(!plan.preview.can_import());
    let refused = cmdb_import::import(&db, &owner, &actor(&owner), broken, now())
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::BadRequest(_)), "{refused:?}");
    assert_eq!(
        cmdb::page(
            db.reader(),
            &CiListParams {
                status: "all".into(),
                ..Default::default()
            },
            25
        )
        .await
        .unwrap()
        .total,
        1
    );

    let clean = "Name,Kind,Status,Owner,Services,Relies on,IP address\n\
        payroll-app,Application,Live,owner@example.org,Payroll,runs on payroll-host; payroll-db\n\
        payroll-db,Database,Live,,,runs on payroll-host\n\
        payroll-host,Server,Live,Person owner@example.org,,connects to core SWITCH,10.0.0.5\n";
    let created = cmdb_import::import(&db, &owner, &actor(&owner), clean, now())
        .await
        .unwrap();
    assert_eq!(created.len(), 3);
    // The switch fails: the host, then the database and the application, and payroll.
    let impact = cmdb::impact_of(db.reader(), &[switch]).await.unwrap();
    assert_eq!(impact.reached, 3);
    assert_eq!(impact.services.len(), 1);
    assert_eq!(impact.services[0].service.id, payroll);
    assert_eq!(impact.services[0].through.name, "payroll-app");
    let host = cmdb::find_by_names(db.reader(), &["payroll-host".to_string()])
        .await
        .unwrap();
    let host = cmdb::record(db.reader(), &owner, host[0].id).await.unwrap();
    assert_eq!(
        host.item.attribute_rows(),
        vec![("IP address", "10.0.0.5".to_string())]
    );
    assert_eq!(host.item.relied_on_by.len(), 2);
    // Imported again: every row is already there, so there is nothing to create.
    let again = cmdb_import::plan(db.reader(), clean).await.unwrap();
    assert_eq!(again.preview.present(), 3);
    assert!(!again.preview.can_import());
}

/// The demo: replacing the building B core switch, a change that names only the network,
/// reaches payroll, single sign-on, the portal and e-mail through the CMDB.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_core_switch_change_reaches_services_it_does_not_name() {
    use app::server::entity::change;
    let db = common::demo_db().await;
    let switch_change = change::Entity::find()
        .filter(change::Column::Title.eq("Replace core switch in building B (1)"))
        .one(db.reader())
        .await
        .unwrap()
        .unwrap();
    let impact = cmdb::change_impact(db.reader(), switch_change.id)
        .await
        .unwrap();
    assert_eq!(impact.items.len(), 1, "{impact:?}");
    let beyond: Vec<&str> = impact
        .beyond()
        .iter()
        .map(|s| s.service.name.as_str())
        .collect();
    for service in [
        "Payroll",
        "Identity and access",
        "Customer portal",
        "E-mail and calendar",
    ] {
        assert!(beyond.contains(&service), "{service}: {beyond:?}");
    }
    assert!(
        impact
            .words()
            .starts_with("It reaches 4 services it does not name"),
        "{}",
        impact.words()
    );
}

/// An export of exactly one full batch ends (a keyed read past the end reads nothing more).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_of_a_whole_batch_ends() {
    use app::server::entity::configuration_item;
    use sea_orm::Set;
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let rows: Vec<configuration_item::ActiveModel> = (0..1000)
        .map(|i| configuration_item::ActiveModel {
            name: Set(format!("host-{i:04}")),
            name_key: Set(format!("host-{i:04}")),
            kind: Set("server".into()),
            status: Set("live".into()),
            owner_id: Set(Some(owner.id)),
            supplier_id: Set(None),
            description: Set(String::new()),
            attributes: Set("{}".into()),
            created_by: Set(owner.id),
            created_at: Set(now()),
            updated_at: Set(now()),
            version: Set(1),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(200) {
        configuration_item::Entity::insert_many(chunk.to_vec())
            .exec(db.writer())
            .await
            .unwrap();
    }
    let state = state(db.db.clone());
    let cookie = sign_in(&state, "owner@example.org", PERSON_PASSWORD).await;
    let csv = send(&state, get("/cmdb/export.csv", Some(&cookie))).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body.lines().count(), 1001);
}

/// An incident and a problem name the items they touch: by those who work them, against
/// their version, while open; a retired or unknown item is refused on the field; the record
/// then shows the services its items reach (beyond its own service), and the item's page the
/// records that named it. A requester cannot name anything, not even over HTTP.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incidents_and_problems_name_the_items_they_touch() {
    use app::model::cmdb::{CiNameForm, NamedBy};
    use app::model::incident::IncidentForm;
    use app::model::problem::ProblemForm;
    use app::server::service::{incidents, problems, record_cis};
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let fixer = person(&db, "fixer@example.org", Role::Resolver).await;
    let robin = person(&db, "robin@example.org", Role::Requester).await;
    let mail = service(&db, "Mail").await;
    let payroll = service(&db, "Payroll").await;
    let host = add(&db, &owner, form("vm-host-07", "server", Some(&owner), &[])).await;
    let relay = add(
        &db,
        &owner,
        form("mail-relay", "application", Some(&owner), &[mail]),
    )
    .await;
    let pay = add(
        &db,
        &owner,
        form("payroll-app", "application", Some(&owner), &[payroll]),
    )
    .await;
    relate(&db, &owner, relay, "runs_on", "vm-host-07")
        .await
        .unwrap();
    relate(&db, &owner, pay, "runs_on", "vm-host-07")
        .await
        .unwrap();
    let old = add(
        &db,
        &owner,
        form("old-relay", "application", Some(&owner), &[]),
    )
    .await;
    let version = version(&db, &owner, old).await;
    let mut retire = form("old-relay", "application", Some(&owner), &[]);
    retire.status = "retired".into();
    cmdb::update(&db, &owner, &actor(&owner), old, version, &retire)
        .await
        .unwrap();

    let incident = incidents::raise(
        &db,
        &robin,
        &actor(&robin),
        &IncidentForm {
            title: "Mail is not delivered".into(),
            description: "Bounces since nine.".into(),
            service_id: mail.to_string(),
            impact: "high".into(),
            urgency: "medium".into(),
            category: "Email".into(),
            affected: "Relay".into(),
            service_affecting: true,
            ..Default::default()
        },
        now(),
    )
    .await
    .unwrap();
    let read_version = incidents::detail(db.reader(), incident, now())
        .await
        .unwrap()
        .version;
    let name = |target: &str| CiNameForm {
        target: target.into(),
    };
    // The reporter does not work incidents: refused.
    let refused = record_cis::name_item(
        &db,
        &robin,
        &actor(&robin),
        NamedBy::Incident,
        incident,
        read_version,
        &name("vm-host-07"),
        now(),
    )
    .await;
    assert!(matches!(refused, Err(AppError::Refused(_))), "{refused:?}");
    // Unknown and retired items are refused on the field.
    for (target, words) in [
        ("no-such-thing", "No item in the CMDB"),
        ("OLD-RELAY", "is retired"),
    ] {
        let refused = record_cis::name_item(
            &db,
            &fixer,
            &actor(&fixer),
            NamedBy::Incident,
            incident,
            read_version,
            &name(target),
            now(),
        )
        .await;
        match refused {
            Err(AppError::Validation(errors)) => {
                assert!(errors.get("target").unwrap().contains(words), "{errors:?}")
            }
            other => panic!("{other:?}"),
        }
    }
    record_cis::name_item(
        &db,
        &fixer,
        &actor(&fixer),
        NamedBy::Incident,
        incident,
        read_version,
        &name(&format!("CI-{host}")),
        now(),
    )
    .await
    .unwrap();
    // The version moved on: the same version again is a conflict.
    let stale = record_cis::name_item(
        &db,
        &fixer,
        &actor(&fixer),
        NamedBy::Incident,
        incident,
        read_version,
        &name("mail-relay"),
        now(),
    )
    .await;
    assert!(matches!(stale, Err(AppError::Conflict { .. })), "{stale:?}");
    let reach = record_cis::reach(db.reader(), NamedBy::Incident, incident)
        .await
        .unwrap();
    assert_eq!(
        reach.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![host]
    );
    let reached: Vec<&str> = reach
        .services
        .iter()
        .map(|s| s.service.name.as_str())
        .collect();
    assert_eq!(reached, vec!["Mail", "Payroll"]);
    assert_eq!(
        reach.beyond().len(),
        1,
        "payroll is beyond the incident's own service"
    );
    assert_eq!(
        reach.words(),
        "It reaches 1 service it does not name: Payroll."
    );
    // The record carries its reach to readers of the CMDB, and none to the requester.
    let seen = incidents::record(db.reader(), &fixer, incident, now())
        .await
        .unwrap();
    assert_eq!(seen.configuration.as_ref(), Some(&reach));
    let reported = incidents::record(db.reader(), &robin, incident, now())
        .await
        .unwrap();
    assert_eq!(
        reported.configuration, None,
        "requesters do not read the CMDB"
    );

    // A problem names the relay; the host's page lists the incident, the relay's the problem.
    let problem = problems::create(
        &db,
        &fixer,
        &actor(&fixer),
        &ProblemForm {
            title: "Relay certificate expiry".into(),
            description: "Mail stops when the certificate expires.".into(),
            service_id: mail.to_string(),
            incidents: format!("INC-{incident}"),
        },
        now(),
    )
    .await
    .unwrap();
    let problem_version = problems::detail(db.reader(), problem)
        .await
        .unwrap()
        .version;
    record_cis::name_item(
        &db,
        &fixer,
        &actor(&fixer),
        NamedBy::Problem,
        problem,
        problem_version,
        &name("Mail-Relay"),
        now(),
    )
    .await
    .unwrap();
    let twice = record_cis::name_item(
        &db,
        &fixer,
        &actor(&fixer),
        NamedBy::Problem,
        problem,
        problem_version + 1,
        &name("mail-relay"),
        now(),
    )
    .await;
    assert!(matches!(twice, Err(AppError::Validation(_))), "{twice:?}");
    let named = problems::record(db.reader(), &fixer, problem)
        .await
        .unwrap()
        .configuration
        .expect("a resolver reads the CMDB");
    assert_eq!(
        named.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![relay]
    );
    assert_eq!(named.subject, "problem");
    let on_host = record_cis::naming(db.reader(), host).await.unwrap();
    assert_eq!(on_host.incidents_total, 1);
    assert_eq!(on_host.incidents[0].1, format!("/incidents/{incident}"));
    assert_eq!(on_host.problems_total, 0);
    assert_eq!(
        record_cis::naming(db.reader(), relay)
            .await
            .unwrap()
            .problems_total,
        1
    );

    // Over HTTP a requester names nothing, and a resolver takes the host off again.
    let state = state(db.db.clone());
    let current = incidents::detail(db.reader(), incident, now())
        .await
        .unwrap()
        .version;
    let requester = sign_in(&state, "robin@example.org", PERSON_PASSWORD).await;
    let reply = send(
        &state,
        call(
            "/api/cmdb/name",
            &format!("on=Incident&id={incident}&version={current}&form[target]=mail-relay"),
            Some(&requester),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    let resolver = sign_in(&state, "fixer@example.org", PERSON_PASSWORD).await;
    let reply = send(
        &state,
        call(
            "/api/cmdb/unname",
            &format!("on=Incident&id={incident}&version={current}&ci_id={host}"),
            Some(&resolver),
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reach = record_cis::reach(db.reader(), NamedBy::Incident, incident)
        .await
        .unwrap();
    assert!(reach.items.is_empty());
}
