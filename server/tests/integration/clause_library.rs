//! The clause library against a real database (SQLite, or PostgreSQL when
//! `CONFORM_TEST_POSTGRES_URL` is set): syncing stores every clause, is idempotent, replaces
//! an older library, never downgrades a newer one, and reads back in clause order.

use crate::common;

use app::model::clause_library::{self, ClauseLibrary};
use app::model::clauses::CLAUSES;
use app::server::entity::clause_library::{ActiveModel, Column, Entity as Clauses};
use app::server::service::clause_library::{self as service, SyncOutcome};
use common::test_db;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

fn bundled() -> ClauseLibrary {
    clause_library::bundled().expect("the bundled library parses")
}

#[tokio::test]
async fn sync_stores_every_clause_with_its_guidance() {
    let db = test_db().await;
    // The test database starts synced, as the server does; start this one empty.
    app::server::entity::clause_library::Entity::delete_many()
        .exec(db.writer())
        .await
        .expect("empty the library");
    let library = bundled();
    assert_eq!(
        service::sync(&db).await.expect("sync"),
        SyncOutcome::Loaded {
            version: library.version,
            clauses: CLAUSES.len()
        }
    );
    let stored = service::list(db.reader()).await.expect("list");
    assert_eq!(stored, library.clauses, "{}", common::backend_name());
    for (entry, (number, title)) in stored.iter().zip(CLAUSES) {
        assert_eq!(entry.number, *number);
        assert_eq!(entry.title, *title);
        assert!(!entry.guidance.is_empty());
        assert!(!entry.evidence_hints.is_empty());
    }
}

#[tokio::test]
async fn syncing_twice_changes_nothing() {
    let db = test_db().await;
    service::sync(&db).await.expect("first sync");
    let before = Clauses::find()
        .order_by_asc(Column::Number)
        .all(db.reader())
        .await
        .expect("rows");
    assert_eq!(
        service::sync(&db).await.expect("second sync"),
        SyncOutcome::AlreadyCurrent
    );
    let after = Clauses::find()
        .order_by_asc(Column::Number)
        .all(db.reader())
        .await
        .expect("rows");
    assert_eq!(before, after);
}

#[tokio::test]
async fn an_older_stored_library_is_replaced() {
    let db = test_db().await;
    service::sync(&db).await.expect("sync");
    let current = bundled();
    // Pretend an older build wrote the library: older version, other guidance, a clause
    // the current library no longer has, and one clause missing.
    Clauses::update_many()
        .col_expr(Column::LibraryVersion, Expr::value(current.version - 1))
        .col_expr(Column::Guidance, Expr::value("Old guidance."))
        .exec(db.writer())
        .await
        .expect("age the rows");
    Clauses::delete_by_id("9.4".to_string())
        .exec(db.writer())
        .await
        .expect("drop a clause");
    ActiveModel {
        number: Set("4.9".into()),
        title: Set("Withdrawn".into()),
        guidance: Set("Gone.".into()),
        documented: Set("[]".into()),
        evidence_hints: Set("[]".into()),
        library_version: Set(current.version - 1),
    }
    .insert(db.writer())
    .await
    .expect("a withdrawn clause");

    assert!(matches!(
        service::sync(&db).await.expect("sync"),
        SyncOutcome::Loaded { .. }
    ));
    let stored = service::list(db.reader()).await.expect("list");
    assert_eq!(stored, current.clauses);
    let versions = Clauses::find()
        .filter(Column::LibraryVersion.ne(current.version))
        .all(db.reader())
        .await
        .expect("rows");
    assert!(versions.is_empty(), "every row is at the current version");
}

#[tokio::test]
async fn a_newer_stored_library_is_not_downgraded() {
    let db = test_db().await;
    let mut newer = bundled();
    newer.version += 1;
    newer.clauses[0].guidance = "Guidance from a newer build.".into();
    service::sync_library(&db, &newer)
        .await
        .expect("newer sync");

    assert_eq!(
        service::sync(&db).await.expect("sync"),
        SyncOutcome::AlreadyCurrent
    );
    let stored = service::list(db.reader()).await.expect("list");
    assert_eq!(stored[0].guidance, "Guidance from a newer build.");
}

#[tokio::test]
async fn list_is_in_numeric_clause_order() {
    let db = test_db().await;
    service::sync(&db).await.expect("sync");
    let numbers: Vec<String> = service::list(db.reader())
        .await
        .expect("list")
        .into_iter()
        .map(|c| c.number)
        .collect();
    let expected: Vec<&str> = CLAUSES.iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers, expected);
    // Text order would differ: "10.1" sorts before "4.1" as a string.
    let position = |n: &str| numbers.iter().position(|x| x == n).expect(n);
    assert!(position("4.1") < position("10.1"));
    assert!(position("8.1") < position("8.2.1"));
    assert!(position("8.7.3") < position("9.1"));
    assert!(position("9.4") < position("10.1"));
}
