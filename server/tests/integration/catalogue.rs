//! The service catalogue's business rules against a real database (SQLite or PostgreSQL).

use crate::common;

use app::error::AppError;
use app::model::listing::SortDirection;
use app::model::service::{
    ArchiveFilter, Criticality, ServiceDraft, ServiceForm, ServiceQuery, ServiceSort, ServiceStatus,
};
use app::server::audit::Actor;
use app::server::service::catalogue;
use common::test_db;
use migrations::{Migrator, MigratorTrait};

fn actor() -> Actor {
    Actor::system("test")
}

fn draft(name: &str, criticality: &str) -> ServiceDraft {
    ServiceForm {
        name: name.into(),
        owner: "Dana Whitfield".into(),
        criticality: criticality.into(),
        status: "live".into(),
        description: format!("{name} for everyone"),
        customers: "Finance\nSales".into(),
    }
    .validate()
    .expect("valid draft")
}

#[tokio::test]
async fn created_service_reads_back_with_version_one() {
    let db = test_db().await;
    let created = catalogue::create(&db, &actor(), draft("E-mail", "high"))
        .await
        .unwrap();
    let read = catalogue::get(&db, created.id).await.unwrap();
    assert_eq!(read, created);
    assert_eq!(read.version, 1);
    assert_eq!(read.criticality, Criticality::High);
    assert_eq!(read.status, ServiceStatus::Live);
    assert_eq!(read.customers, vec!["Finance", "Sales"]);
    assert!(!read.archived);
}

#[tokio::test]
async fn duplicate_names_are_refused_whatever_the_case() {
    let db = test_db().await;
    catalogue::create(&db, &actor(), draft("Customer portal", "high"))
        .await
        .unwrap();
    let err = catalogue::create(&db, &actor(), draft("CUSTOMER   portal", "low"))
        .await
        .unwrap_err();
    let errors = err.field_errors().expect("a field error");
    assert_eq!(
        errors.get("name"),
        Some("A service named “CUSTOMER portal” already exists.")
    );
    let all = catalogue::list(
        &db,
        &ServiceQuery {
            archive: ArchiveFilter::All,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(all.total, 1, "nothing was written");
}

#[tokio::test]
async fn renaming_onto_another_services_name_is_refused() {
    let db = test_db().await;
    catalogue::create(&db, &actor(), draft("Payroll", "high"))
        .await
        .unwrap();
    let crm = catalogue::create(&db, &actor(), draft("CRM", "medium"))
        .await
        .unwrap();
    let err = catalogue::update(
        &db,
        &actor(),
        crm.id,
        crm.version,
        draft("payroll", "medium"),
    )
    .await
    .unwrap_err();
    assert!(err.field_errors().and_then(|e| e.get("name")).is_some());
    // Keeping its own name is of course fine.
    let kept = catalogue::update(&db, &actor(), crm.id, crm.version, draft("CRM", "high"))
        .await
        .unwrap();
    assert_eq!(kept.criticality, Criticality::High);
}

#[tokio::test]
async fn stale_update_is_refused_and_overwrites_nothing() {
    let db = test_db().await;
    let original = catalogue::create(&db, &actor(), draft("Payroll", "high"))
        .await
        .unwrap();

    let first = catalogue::update(
        &db,
        &actor(),
        original.id,
        original.version,
        draft("Payroll", "critical"),
    )
    .await
    .unwrap();
    assert_eq!(first.version, 2);

    // A second editor still holds version 1.
    let err = catalogue::update(
        &db,
        &actor(),
        original.id,
        original.version,
        draft("Payroll run", "low"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            AppError::Conflict {
                current_version: 2,
                ..
            }
        ),
        "{err:?}"
    );

    let stored = catalogue::get(&db, original.id).await.unwrap();
    assert_eq!(stored.name, "Payroll");
    assert_eq!(stored.criticality, Criticality::Critical);
    assert_eq!(stored.version, 2);
}

#[tokio::test]
async fn archive_and_restore_move_the_service_between_lists() {
    let db = test_db().await;
    let service = catalogue::create(&db, &actor(), draft("Fax gateway", "low"))
        .await
        .unwrap();
    let archived = catalogue::set_archived(&db, &actor(), service.id, service.version, true)
        .await
        .unwrap();
    assert!(archived.archived);
    assert_eq!(archived.version, service.version + 1);

    let active = catalogue::list(&db, &ServiceQuery::default())
        .await
        .unwrap();
    assert_eq!(active.total, 0);
    let in_archive = catalogue::list(
        &db,
        &ServiceQuery {
            archive: ArchiveFilter::Archived,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(in_archive.items[0].id, service.id);

    // Archiving twice, or with the old version, is refused.
    assert!(matches!(
        catalogue::set_archived(&db, &actor(), service.id, archived.version, true).await,
        Err(AppError::BadRequest(_))
    ));
    assert!(matches!(
        catalogue::set_archived(&db, &actor(), service.id, service.version, false).await,
        Err(AppError::Conflict { .. })
    ));

    let restored = catalogue::set_archived(&db, &actor(), service.id, archived.version, false)
        .await
        .unwrap();
    assert!(!restored.archived);
    assert_eq!(
        catalogue::list(&db, &ServiceQuery::default())
            .await
            .unwrap()
            .total,
        1
    );
}

#[tokio::test]
async fn missing_services_are_not_found() {
    let db = test_db().await;
    assert_eq!(
        catalogue::get(&db, 4242).await.unwrap_err(),
        AppError::NotFound("Service 4242".into())
    );
    assert!(matches!(
        catalogue::update(&db, &actor(), 4242, 1, draft("Ghost", "low")).await,
        Err(AppError::NotFound(_))
    ));
}

#[tokio::test]
async fn search_is_case_insensitive_and_treats_wildcards_literally() {
    let db = test_db().await;
    catalogue::create(&db, &actor(), draft("Network and Wi-Fi", "high"))
        .await
        .unwrap();
    catalogue::create(&db, &actor(), draft("100% uptime monitor", "low"))
        .await
        .unwrap();
    catalogue::create(&db, &actor(), draft("Payroll", "critical"))
        .await
        .unwrap();

    let search = |text: &str| ServiceQuery {
        search: text.into(),
        ..Default::default()
    };
    let wifi = catalogue::list(&db, &search("WI-FI")).await.unwrap();
    assert_eq!(
        wifi.items
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Network and Wi-Fi"]
    );

    let percent = catalogue::list(&db, &search("%")).await.unwrap();
    assert_eq!(percent.total, 1, "% matches only the literal percent sign");
    let underscore = catalogue::list(&db, &search("_")).await.unwrap();
    assert_eq!(underscore.total, 0);
    // Customers are searched too.
    assert_eq!(
        catalogue::list(&db, &search("finance"))
            .await
            .unwrap()
            .total,
        3
    );
}

#[tokio::test]
async fn sorting_follows_the_criticality_scale_and_pages_are_stable() {
    let db = test_db().await;
    for (name, criticality) in [
        ("A", "low"),
        ("B", "critical"),
        ("C", "medium"),
        ("D", "high"),
        ("E", "critical"),
    ] {
        catalogue::create(
            &db,
            &actor(),
            draft(&format!("Service {name}"), criticality),
        )
        .await
        .unwrap();
    }
    let query = ServiceQuery {
        sort: ServiceSort::Criticality,
        direction: SortDirection::Descending,
        page_size: 2,
        ..Default::default()
    };
    let mut names = Vec::new();
    for page in 1..=3 {
        let result = catalogue::list(
            &db,
            &ServiceQuery {
                page,
                ..query.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(result.total, 5);
        assert_eq!(result.page_count(), 3);
        names.extend(result.items.into_iter().map(|s| s.name));
    }
    assert_eq!(
        names,
        vec![
            "Service B",
            "Service E",
            "Service D",
            "Service C",
            "Service A"
        ]
    );

    let only_critical = catalogue::list(
        &db,
        &ServiceQuery {
            criticality: Some(Criticality::Critical),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(only_critical.total, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_all_succeed() {
    let db = test_db().await;
    let tasks: Vec<_> = (0..40)
        .map(|i| {
            let db = db.db.clone();
            tokio::spawn(async move {
                catalogue::create(&db, &actor(), draft(&format!("Concurrent {i}"), "medium")).await
            })
        })
        .collect();
    for task in tasks {
        task.await
            .unwrap()
            .expect("no write fails under concurrency");
    }
    // And concurrent edits of one record: exactly one wins per version.
    let target = catalogue::list(&db, &ServiceQuery::default())
        .await
        .unwrap()
        .items[0]
        .clone();
    let edits: Vec<_> = (0..10)
        .map(|i| {
            let db = db.db.clone();
            let name = target.name.clone();
            tokio::spawn(async move {
                catalogue::update(
                    &db,
                    &actor(),
                    target.id,
                    target.version,
                    draft(&name, ["low", "high"][i % 2]),
                )
                .await
            })
        })
        .collect();
    let mut wins = 0;
    for edit in edits {
        match edit.await.unwrap() {
            Ok(_) => wins += 1,
            Err(AppError::Conflict { .. }) => {}
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(
        catalogue::list(&db, &ServiceQuery::default())
            .await
            .unwrap()
            .total,
        40
    );
}

#[tokio::test]
async fn migrations_roll_back_and_reapply() {
    let db = test_db().await;
    Migrator::down(db.writer(), None).await.expect("down");
    Migrator::up(db.writer(), None).await.expect("up again");
    catalogue::create(&db, &actor(), draft("After re-migration", "low"))
        .await
        .unwrap();
    eprintln!("backend: {}", common::backend_name());
}
