//! Service continuity against a real database: a business impact analysis saved by the
//! service owner, the RTO ≤ MTPD rule, dependencies slower than the service, version checks
//! and the audit trail.

mod common;

use app::error::AppError;
use app::model::bia::{BiaForm, Objectives};
use app::model::service::ServiceForm;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::{audit_trail, bia, catalogue};

async fn service(db: &Db, name: &str) -> i64 {
    let form = ServiceForm {
        name: name.into(),
        owner: "Owner".into(),
        criticality: "high".into(),
        status: "live".into(),
        ..Default::default()
    };
    catalogue::create(db, &Actor::system("test"), form.validate().unwrap())
        .await
        .unwrap()
        .id
}

fn form(rto: &str, depends_on: &[i64]) -> BiaForm {
    BiaForm {
        impacts: (0..25).map(|i| ((i % 5) as u8).to_string()).collect(),
        mtpd: "1 d".into(),
        rto: rto.into(),
        rpo: "30 min".into(),
        depends_on: depends_on.iter().map(|d| d.to_string()).collect(),
        suppliers: "Hosting partner; 2 d".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bia_is_saved_versioned_and_flags_slower_dependencies() {
    let db = common::test_db().await;
    let payroll = service(&db, "Payroll").await;
    let network = service(&db, "Network").await;
    let actor = Actor::system("test");

    let empty = bia::get(db.reader(), payroll).await.unwrap();
    assert_eq!(empty.version, 0);
    assert!(empty.objectives.is_none());

    // The network's own BIA: back within 2 days.
    let slow = BiaForm {
        mtpd: "3 d".into(),
        rto: "2 d".into(),
        ..form("2 d", &[])
    };
    bia::save(&db, &actor, 1, network, 0, slow.validate().unwrap())
        .await
        .unwrap();

    let saved = bia::save(
        &db,
        &actor,
        1,
        payroll,
        0,
        form("4 h", &[network]).validate().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(saved.version, 1);
    assert_eq!(
        saved.objectives,
        Some(Objectives {
            mtpd: 1440,
            rto: 240,
            rpo: 30
        })
    );
    assert_eq!(saved.depends_on[0].2, Some(2880));
    assert_eq!(
        saved.late_dependencies(),
        vec!["Network".to_string(), "Hosting partner".to_string()]
    );

    // A save against an old version is refused and changes nothing.
    let stale = bia::save(
        &db,
        &actor,
        1,
        payroll,
        0,
        form("2 h", &[]).validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }), "{stale:?}");
    let after = bia::get(db.reader(), payroll).await.unwrap();
    assert_eq!(after.objectives.unwrap().rto, 240);

    // A service cannot depend on itself; unknown services are refused.
    let own = bia::save(
        &db,
        &actor,
        1,
        payroll,
        1,
        form("4 h", &[payroll]).validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(own
        .field_errors()
        .and_then(|f| f.get("depends_on"))
        .is_some());

    // RTO beyond MTPD never reaches the database.
    assert!(form("2 d", &[]).validate().is_err());

    let history = audit_trail::history(&db, "service", &payroll.to_string())
        .await
        .unwrap();
    assert!(history
        .iter()
        .any(|e| e.summary.contains("impact analysis")));
}
