//! A fresh, migrated database per test: SQLite by default, PostgreSQL when
//! `CONFORM_TEST_POSTGRES_URL` points at a server (the test command sets it).
#![allow(dead_code)]

use app::server::db::Db;
use migrations::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database};

pub struct TestDb {
    pub db: Db,
    pub url: String,
    // Keeps the SQLite file alive for the test's duration.
    _dir: Option<tempfile::TempDir>,
}

impl std::ops::Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

pub async fn test_db() -> TestDb {
    let (url, dir) = match std::env::var("CONFORM_TEST_POSTGRES_URL") {
        Ok(base) => (fresh_postgres_database(&base).await, None),
        Err(_) => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/conform.db", dir.path().display());
            (url, Some(dir))
        }
    };
    let db = Db::connect(&url).await.expect("connect");
    Migrator::up(db.writer(), None).await.expect("migrate");
    TestDb { db, url, _dir: dir }
}

pub fn backend_name() -> &'static str {
    if std::env::var("CONFORM_TEST_POSTGRES_URL").is_ok() {
        "postgres"
    } else {
        "sqlite"
    }
}

async fn fresh_postgres_database(base: &str) -> String {
    let name = format!("conform_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(base)
        .await
        .expect("connect to PostgreSQL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    admin.close().await.ok();
    let (prefix, _) = base.rsplit_once('/').expect("database URL has a path");
    format!("{prefix}/{name}")
}
