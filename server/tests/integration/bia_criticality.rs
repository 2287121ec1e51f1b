//! A business impact analysis feeds back to the service catalogue: an MTPD that makes the
//! service more critical than the catalogue says raises its criticality (audited, versioned),
//! never lowers it, and a change on the service is then assessed as riskier.

use crate::common;

use app::error::AppError;
use app::model::access::Role;
use app::model::bia::BiaForm;
use app::model::change_request::ChangeForm;
use app::model::risk::RiskLevel;
use app::model::service::{Criticality, ServiceForm};
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::{audit_trail, bia, catalogue, changes};
use common::{actor, person};

async fn service(db: &Db, name: &str, criticality: &str) -> i64 {
    let form = ServiceForm {
        name: name.into(),
        owner: "Owner".into(),
        criticality: criticality.into(),
        status: "live".into(),
        ..Default::default()
    };
    catalogue::create(db, &Actor::system("test"), form.validate().unwrap())
        .await
        .unwrap()
        .id
}

fn analysis(mtpd: &str, rto: &str) -> BiaForm {
    BiaForm {
        impacts: (0..25).map(|i| ((i % 5) as u8).to_string()).collect(),
        mtpd: mtpd.into(),
        rto: rto.into(),
        rpo: "15 min".into(),
        ..Default::default()
    }
}

/// A routine change on `service_id`: answers worth 12 points (medium) before the service's
/// own criticality is added.
fn change_on(service_id: i64) -> ChangeForm {
    ChangeForm {
        title: "Patch the payroll database".into(),
        change_type: "normal".into(),
        service_ids: vec![service_id.to_string()],
        implementation_plan: "Apply the patch.".into(),
        test_plan: "Run a test payroll.".into(),
        backout_plan: "Restore the snapshot.".into(),
        impact_breadth: "1".into(),
        complexity: "1".into(),
        backout_difficulty: "1".into(),
        history: "1".into(),
        time_pressure: "0".into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_mtpd_of_four_hours_raises_the_catalogue_and_the_change_risk() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let requester = person(&db, "requester@example.org", Role::Requester).await;
    let payroll = service(&db, "Payroll", "low").await;

    let before = changes::create(
        &db,
        &requester,
        &actor(&requester),
        change_on(payroll).validate().unwrap(),
    )
    .await
    .unwrap();
    let risk_before = before.risk.clone().unwrap();
    assert_eq!(risk_before.level, RiskLevel::Medium);
    let listed = catalogue::get(&db, payroll).await.unwrap();
    assert_eq!(listed.criticality, Criticality::Low);

    bia::save(
        &db,
        &actor(&owner),
        owner.id,
        payroll,
        0,
        analysis("4 h", "2 h").validate().unwrap(),
    )
    .await
    .unwrap();

    let raised = catalogue::get(&db, payroll).await.unwrap();
    assert_eq!(raised.criticality, Criticality::Critical);
    assert_eq!(
        raised.version,
        listed.version + 1,
        "the raise bumps the version"
    );

    // A catalogue edit begun before the raise would silently undo it: it is refused.
    let stale = catalogue::update(
        &db,
        &Actor::system("test"),
        payroll,
        listed.version,
        listed.to_form().validate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, AppError::Conflict { .. }), "{stale:?}");

    // Audited on the service: from what, to what and why, by whom.
    let history = audit_trail::history(&db, "service", &payroll.to_string())
        .await
        .unwrap();
    let entry = history
        .iter()
        .find(|e| e.action == "service_criticality_raised")
        .expect("the raise is audited");
    assert_eq!(
        entry.summary,
        "Criticality of Payroll raised from Low to Critical by its impact analysis: MTPD 4 h"
    );
    assert_eq!(entry.actor_id, Some(owner.id));
    let change = entry
        .changes
        .iter()
        .find(|c| c.field == "criticality")
        .unwrap();
    assert_eq!(
        (change.before.clone(), change.after.clone()),
        (Some("Low".into()), Some("Critical".into()))
    );

    // Change risk weighs the raised criticality: the same answers now assess higher.
    let after = changes::create(
        &db,
        &requester,
        &actor(&requester),
        change_on(payroll).validate().unwrap(),
    )
    .await
    .unwrap();
    let risk_after = after.risk.clone().unwrap();
    assert_eq!(risk_after.score, risk_before.score + 6);
    assert_eq!(risk_after.level, RiskLevel::High);
    assert!(risk_after
        .explanation
        .iter()
        .any(|line| line.contains("Most critical affected service: Critical")));
    // The change raised before the analysis is read against today's catalogue as well.
    let reread = changes::load(db.reader(), before.id).await.unwrap();
    assert_eq!(reread.risk.unwrap().level, RiskLevel::High);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_less_critical_analysis_leaves_the_catalogue_alone() {
    let db = common::test_db().await;
    let owner = person(&db, "owner@example.org", Role::ServiceOwner).await;
    let portal = service(&db, "Customer portal", "critical").await;
    let wiki = service(&db, "Team wiki", "medium").await;
    let listed_portal = catalogue::get(&db, portal).await.unwrap();
    let listed_wiki = catalogue::get(&db, wiki).await.unwrap();

    // Tolerable for a week: implies Low, but the catalogue says Critical and keeps it.
    let saved = bia::save(
        &db,
        &actor(&owner),
        owner.id,
        portal,
        0,
        analysis("1 w", "3 d").validate().unwrap(),
    )
    .await
    .unwrap();
    // Exactly what the catalogue says already (3 days → Medium): nothing to raise either.
    bia::save(
        &db,
        &actor(&owner),
        owner.id,
        wiki,
        0,
        analysis("3 d", "1 d").validate().unwrap(),
    )
    .await
    .unwrap();

    assert_eq!(catalogue::get(&db, portal).await.unwrap(), listed_portal);
    assert_eq!(catalogue::get(&db, wiki).await.unwrap(), listed_wiki);
    for id in [portal, wiki] {
        let history = audit_trail::history(&db, "service", &id.to_string())
            .await
            .unwrap();
        assert!(
            history
                .iter()
                .all(|e| e.action != "service_criticality_raised"),
            "{history:?}"
        );
    }

    // A later, shorter MTPD on the portal still cannot lower or change a Critical entry,
    // while the wiki's (1 day → High) raises it one step.
    bia::save(
        &db,
        &actor(&owner),
        owner.id,
        portal,
        saved.version,
        analysis("1 h", "30 min").validate().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        catalogue::get(&db, portal).await.unwrap().criticality,
        Criticality::Critical
    );
    bia::save(
        &db,
        &actor(&owner),
        owner.id,
        wiki,
        1,
        analysis("1 d", "4 h").validate().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(
        catalogue::get(&db, wiki).await.unwrap().criticality,
        Criticality::High
    );
}
