//! `conform backup` and `conform restore`: an online copy taken while writes go on, a good
//! copy restored, and the copies a restore must refuse (damaged, tampered audit trail, a
//! running server), on SQLite. On PostgreSQL both commands refuse and name pg_dump/pg_restore.

use crate::common;

use app::model::service::{ServiceDraft, ServiceForm};
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::catalogue;
use common::{backend_name, test_db};
use conform::backup;
use conform::config::DatabaseArgs;
use conform::instance_lock::InstanceLock;
use sea_orm::{ConnectionTrait, Database, Statement};
use std::path::{Path, PathBuf};

fn draft(name: &str) -> ServiceDraft {
    ServiceForm {
        name: name.into(),
        owner: "Dana Whitfield".into(),
        criticality: "medium".into(),
        status: "live".into(),
        description: String::new(),
        customers: String::new(),
    }
    .validate()
    .expect("valid draft")
}

fn args(url: &str) -> DatabaseArgs {
    DatabaseArgs {
        database_url: url.to_string(),
    }
}

fn database_file(url: &str) -> PathBuf {
    backup::sqlite_file(&args(url))
        .unwrap()
        .expect("a SQLite file")
}

async fn add_services(db: &Db, names: &[&str]) {
    for name in names {
        catalogue::create(db, &Actor::system("test"), draft(name))
            .await
            .expect("create a service");
    }
}

/// One number from a database file opened on its own.
async fn count(path: &Path, sql: &str) -> i64 {
    let conn = Database::connect(format!("sqlite://{}", path.display()))
        .await
        .expect("open");
    let row = conn
        .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .expect("query")
        .expect("a row");
    let value = row.try_get_by_index::<i64>(0).expect("a number");
    conn.close().await.ok();
    value
}

async fn service_names(path: &Path) -> Vec<String> {
    let conn = Database::connect(format!("sqlite://{}", path.display()))
        .await
        .expect("open");
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT name FROM services ORDER BY name",
        ))
        .await
        .expect("query");
    conn.close().await.ok();
    rows.iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// A backup of a database holding `names`, taken with the test database closed.
async fn backup_with(names: &[&str]) -> (common::TestDb, PathBuf, tempfile::TempDir) {
    let test = test_db().await;
    add_services(&test, names).await;
    let folder = tempfile::tempdir().unwrap();
    let copy = folder.path().join("copy.db");
    backup::backup(&args(&test.url), &copy)
        .await
        .expect("backup");
    (test, copy, folder)
}

#[tokio::test]
async fn postgres_is_pointed_at_pg_dump_and_pg_restore() {
    if backend_name() != "postgres" {
        let error = backup::backup(&args("postgres://u:p@localhost/c"), Path::new("x.db"))
            .await
            .unwrap_err();
        assert!(format!("{error:#}").contains("pg_dump"), "{error:#}");
        return;
    }
    let test = test_db().await;
    let folder = tempfile::tempdir().unwrap();
    let error = backup::backup(&args(&test.url), &folder.path().join("c.db"))
        .await
        .unwrap_err();
    assert!(format!("{error:#}").contains("pg_dump"), "{error:#}");
    let error = backup::restore(&args(&test.url), &folder.path().join("c.db"))
        .await
        .unwrap_err();
    let message = format!("{error:#}");
    assert!(
        message.contains("pg_restore") && message.contains("conform audit verify"),
        "{message}"
    );
}

#[tokio::test]
async fn a_backup_taken_while_writes_go_on_is_consistent() {
    if backend_name() == "postgres" {
        return;
    }
    let test = test_db().await;
    add_services(&test, &["Before"]).await;
    // The writer keeps going until every copy is taken, however fast or slow the machine.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let db = test.db.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                catalogue::create(
                    &db,
                    &Actor::system("test"),
                    draft(&format!("Service {i:05}")),
                )
                .await
                .expect("create while the backup runs");
                i += 1;
            }
            i
        })
    };
    let folder = tempfile::tempdir().unwrap();
    // A few copies while the writer is busy; each must be a whole database.
    let mut sizes = Vec::new();
    for n in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(40)).await;
        let copy = folder.path().join(format!("copy-{n}.db"));
        let report = backup::backup(&args(&test.url), &copy)
            .await
            .expect("online backup");
        assert!(report.audit_entries > 0);
        let services = count(&copy, "SELECT count(*) FROM services").await;
        let created = count(
            &copy,
            "SELECT count(*) FROM audit_log WHERE action = 'service_created'",
        )
        .await;
        // A snapshot: every service in the copy has its audit entry, and no more.
        assert_eq!(services, created, "copy {n}");
        sizes.push(services);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(sizes[0] >= 1);
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "{sizes:?}");
    assert!(
        *sizes.last().unwrap() <= written + 1,
        "a copy holds no more than was written: {sizes:?}, {written}"
    );
}

#[tokio::test]
async fn a_backup_never_overwrites_a_file() {
    if backend_name() == "postgres" {
        return;
    }
    let test = test_db().await;
    let folder = tempfile::tempdir().unwrap();
    let existing = folder.path().join("keep.db");
    std::fs::write(&existing, b"precious").unwrap();
    let error = backup::backup(&args(&test.url), &existing)
        .await
        .unwrap_err();
    assert!(format!("{error:#}").contains("already exists"), "{error:#}");
    assert_eq!(std::fs::read(&existing).unwrap(), b"precious");
}

#[tokio::test]
async fn a_good_copy_is_restored_and_the_old_database_kept() {
    if backend_name() == "postgres" {
        return;
    }
    let (test, copy, _folder) = backup_with(&["Payroll", "E-mail"]).await;
    add_services(&test, &["After the backup"]).await;
    let url = test.url.clone();
    let database = database_file(&url);
    test.db.clone().close().await.ok();

    let report = backup::restore(&args(&url), &copy).await.expect("restore");
    assert_eq!(service_names(&database).await, ["E-mail", "Payroll"]);
    let previous = report.previous.expect("the old database is kept");
    assert!(previous
        .to_string_lossy()
        .contains("conform.db.before-restore-"));
    assert_eq!(
        service_names(&previous).await,
        ["After the backup", "E-mail", "Payroll"]
    );
    // The restored database is the one the server opens: migrated, audit trail intact.
    let db = Db::connect(&url).await.unwrap();
    assert!(app::server::audit::verify(db.reader())
        .await
        .unwrap()
        .is_ok());
    // The copy itself is untouched.
    assert_eq!(service_names(&copy).await, ["E-mail", "Payroll"]);
}

#[tokio::test]
async fn a_damaged_copy_is_refused_and_the_database_left_alone() {
    if backend_name() == "postgres" {
        return;
    }
    let (test, copy, _folder) = backup_with(&["Payroll"]).await;
    let url = test.url.clone();
    let database = database_file(&url);
    test.db.clone().close().await.ok();
    let before = std::fs::read(&database).unwrap();

    // Flip the b-tree page headers of every page after the first.
    let mut bytes = std::fs::read(&copy).unwrap();
    let page_size = u16::from_be_bytes([bytes[16], bytes[17]]) as usize;
    let mut page = page_size;
    while page + 12 < bytes.len() {
        for byte in &mut bytes[page..page + 12] {
            *byte ^= 0xA5;
        }
        page += page_size;
    }
    std::fs::write(&copy, &bytes).unwrap();

    let error = backup::restore(&args(&url), &copy).await.unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("was not restored"), "{message}");
    assert_eq!(std::fs::read(&database).unwrap(), before);
    assert_eq!(service_names(&database).await, ["Payroll"]);
    assert_no_leftovers(&database);

    // Nor is a file that is not a database at all.
    std::fs::write(&copy, vec![0x42u8; 8192]).unwrap();
    let error = backup::restore(&args(&url), &copy).await.unwrap_err();
    assert!(
        format!("{error:#}").contains("was not restored"),
        "{error:#}"
    );
    assert_eq!(std::fs::read(&database).unwrap(), before);
}

#[tokio::test]
async fn a_copy_with_a_tampered_audit_trail_is_refused() {
    if backend_name() == "postgres" {
        return;
    }
    let (test, copy, _folder) = backup_with(&["Payroll", "E-mail"]).await;
    let url = test.url.clone();
    let database = database_file(&url);
    test.db.clone().close().await.ok();

    let conn = Database::connect(format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    // As someone with the file would: drop the append-only triggers, then rewrite an entry.
    let triggers = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'",
        ))
        .await
        .unwrap();
    for trigger in triggers {
        let name: String = trigger.try_get_by_index(0).unwrap();
        conn.execute_unprepared(&format!("DROP TRIGGER \"{name}\""))
            .await
            .unwrap();
    }
    conn.execute_unprepared(
        "UPDATE audit_log SET summary = 'Nothing to see here' \
         WHERE seq = (SELECT min(seq) FROM audit_log WHERE action = 'service_created')",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();

    let error = backup::restore(&args(&url), &copy).await.unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("audit trail is broken"), "{message}");
    assert!(message.contains("was not restored"), "{message}");
    assert_eq!(service_names(&database).await, ["E-mail", "Payroll"]);
    assert_no_leftovers(&database);
}

#[tokio::test]
async fn a_restore_is_refused_while_the_server_runs() {
    if backend_name() == "postgres" {
        return;
    }
    let (test, copy, _folder) = backup_with(&["Payroll"]).await;
    let url = test.url.clone();
    let database = database_file(&url);
    // What `conform serve` holds while it runs.
    let serving = InstanceLock::try_acquire(&database).unwrap().expect("lock");
    let error = backup::restore(&args(&url), &copy).await.unwrap_err();
    let message = format!("{error:#}");
    assert!(message.contains("Stop the server"), "{message}");
    // And a second server on the same file is refused the same way.
    assert!(InstanceLock::try_acquire(&database).unwrap().is_none());
    drop(serving);
    test.db.clone().close().await.ok();
    backup::restore(&args(&url), &copy)
        .await
        .expect("restores once stopped");
}

/// No staging file is left beside the database after a refused restore.
fn assert_no_leftovers(database: &Path) {
    let folder = database.parent().unwrap();
    let leftovers: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".restore-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
