//! Users, sessions and the audit trail against a real database (SQLite or PostgreSQL).

use crate::common;

use app::error::AppError;
use app::model::access::{RecordType, Role};
use app::model::service::ServiceForm;
use app::model::user::{NewUser, PasswordChangeForm, SignInForm};
use app::server::audit::{self, Actor, Event};
use app::server::service::identity::{self, ClientInfo};
use app::server::service::{audit_trail, catalogue, users};
use app::server::session::{self, SessionPolicy};
use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, DbBackend};

fn actor() -> Actor {
    Actor::system("test")
}

fn new_user(email: &str, password: &str) -> NewUser {
    NewUser {
        email: email.into(),
        name: "Dana Whitfield".into(),
        roles: vec![Role::ServiceOwner],
        password: password.into(),
    }
}

fn sign_in_form(email: &str, password: &str) -> SignInForm {
    SignInForm {
        email: email.into(),
        password: password.into(),
        next: String::new(),
    }
}

fn service_form(name: &str) -> ServiceForm {
    ServiceForm {
        name: name.into(),
        owner: "Dana".into(),
        criticality: "high".into(),
        status: "live".into(),
        ..Default::default()
    }
}

async fn audit_count(db: &app::server::db::Db) -> u64 {
    audit_trail::list(
        db,
        &app::model::audit::AuditQueryParams::default().to_query(),
    )
    .await
    .unwrap()
    .total
}

#[tokio::test]
async fn every_write_leaves_exactly_one_audit_entry_with_its_changes() {
    let db = common::test_db().await;
    let created = catalogue::create(&db, &actor(), service_form("Payroll").validate().unwrap())
        .await
        .unwrap();
    let mut edit = service_form("Payroll");
    edit.owner = "Ingrid".into();
    catalogue::update(
        &db,
        &actor(),
        created.id,
        created.version,
        edit.validate().unwrap(),
    )
    .await
    .unwrap();
    // A refused write (duplicate name) leaves nothing.
    let before = audit_count(&db).await;
    assert!(
        catalogue::create(&db, &actor(), service_form("payroll").validate().unwrap())
            .await
            .is_err()
    );
    assert_eq!(audit_count(&db).await, before);

    let history = audit_trail::history(&db, "service", &created.id.to_string())
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].action, "service_updated");
    assert_eq!(history[0].actor_name, "system:test");
    let owner = history[0]
        .changes
        .iter()
        .find(|c| c.field == "owner")
        .expect("owner change");
    assert_eq!(owner.before, Some(serde_json::json!("Dana")));
    assert_eq!(owner.after, Some(serde_json::json!("Ingrid")));
    assert_eq!(
        history[0].changes.len(),
        1,
        "only the changed field is listed"
    );
    assert_eq!(history[1].action, "service_created");
}

#[tokio::test]
async fn a_rolled_back_change_leaves_no_audit_entry() {
    let db = common::test_db().await;
    let txn = db.begin_write().await.unwrap();
    audit::append(
        &txn,
        &actor(),
        Event::new("probe", RecordType::Service, None, "never committed"),
    )
    .await
    .unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(audit_count(&db).await, 0);
    assert_eq!(audit::verify(db.reader()).await.unwrap(), Ok(0));
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_entries() {
    let db = common::test_db().await;
    catalogue::create(&db, &actor(), service_form("CRM").validate().unwrap())
        .await
        .unwrap();
    let conn = db.writer();
    assert!(conn
        .execute_unprepared("UPDATE audit_log SET summary = 'nothing happened'")
        .await
        .is_err());
    assert!(conn
        .execute_unprepared("DELETE FROM audit_log")
        .await
        .is_err());
    assert_eq!(audit_count(&db).await, 1);
}

async fn drop_audit_triggers(db: &app::server::db::Db) {
    let conn = db.writer();
    match conn.get_database_backend() {
        DbBackend::Postgres => {
            conn.execute_unprepared("DROP TRIGGER audit_log_no_change ON audit_log")
                .await
                .unwrap();
        }
        _ => {
            conn.execute_unprepared("DROP TRIGGER audit_log_no_update")
                .await
                .unwrap();
            conn.execute_unprepared("DROP TRIGGER audit_log_no_delete")
                .await
                .unwrap();
        }
    }
}

async fn three_entries(db: &app::server::db::Db) {
    for name in ["One", "Two", "Three"] {
        catalogue::create(db, &actor(), service_form(name).validate().unwrap())
            .await
            .unwrap();
    }
    assert_eq!(audit::verify(db.reader()).await.unwrap(), Ok(3));
}

#[tokio::test]
async fn verify_names_an_altered_entry() {
    let db = common::test_db().await;
    three_entries(&db).await;
    // Someone with database access edits history behind Conform's back.
    drop_audit_triggers(&db).await;
    db.writer()
        .execute_unprepared("UPDATE audit_log SET actor_name = 'someone else' WHERE seq = 2")
        .await
        .unwrap();
    let broken = audit::verify(db.reader()).await.unwrap().unwrap_err();
    assert_eq!(broken.seq, 2);
    assert!(broken.reason.contains("altered"), "{}", broken.reason);
}

#[tokio::test]
async fn verify_names_a_removed_entry_in_the_middle_or_at_the_end() {
    let db = common::test_db().await;
    three_entries(&db).await;
    drop_audit_triggers(&db).await;
    db.writer()
        .execute_unprepared("DELETE FROM audit_log WHERE seq = 3")
        .await
        .unwrap();
    assert_eq!(
        audit::verify(db.reader()).await.unwrap().unwrap_err().seq,
        3
    );
    db.writer()
        .execute_unprepared("DELETE FROM audit_log WHERE seq = 2")
        .await
        .unwrap();
    let broken = audit::verify(db.reader()).await.unwrap().unwrap_err();
    assert_eq!(broken.seq, 2);
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
}

#[tokio::test]
async fn conform_audit_verify_exits_non_zero_naming_the_entry() {
    let db = common::test_db().await;
    three_entries(&db).await;
    let verify = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
            .args(["audit", "verify", "--database-url", &db.url])
            .env("RUST_LOG", "error")
            .output()
            .expect("run conform")
    };
    let intact = verify();
    assert!(
        intact.status.success(),
        "{}",
        String::from_utf8_lossy(&intact.stderr)
    );
    assert!(String::from_utf8_lossy(&intact.stdout).contains("3 entries verified"));

    drop_audit_triggers(&db).await;
    db.writer()
        .execute_unprepared("UPDATE audit_log SET summary = 'harmless' WHERE seq = 1")
        .await
        .unwrap();
    let tampered = verify();
    assert!(!tampered.status.success());
    assert!(
        String::from_utf8_lossy(&tampered.stderr).contains("audit entry 1"),
        "{}",
        String::from_utf8_lossy(&tampered.stderr)
    );
}

#[tokio::test]
async fn concurrent_writes_keep_the_chain_intact() {
    let db = common::test_db().await;
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let db = db.db.clone();
            tokio::spawn(async move {
                catalogue::create(
                    &db,
                    &actor(),
                    service_form(&format!("Parallel {i}")).validate().unwrap(),
                )
                .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(audit::verify(db.reader()).await.unwrap(), Ok(24));
}

#[tokio::test]
async fn sign_in_works_for_a_64_character_password_and_is_audited() {
    let db = common::test_db().await;
    let password = "Sixty-four characters of passphrase, spaces included, é and ß!!!";
    assert_eq!(password.chars().count(), 64);
    users::create(&db, &actor(), new_user("dana@example.org", password))
        .await
        .unwrap();
    let (user, token) = identity::sign_in(
        &db,
        SessionPolicy::default(),
        &sign_in_form("Dana@Example.org ", password),
        &ClientInfo::default(),
    )
    .await
    .unwrap();
    assert_eq!(user.email, "dana@example.org");
    assert!(session::resolve(
        db.reader(),
        db.writer(),
        &token,
        SessionPolicy::default(),
        Utc::now()
    )
    .await
    .unwrap()
    .is_some());
    let bad = identity::sign_in(
        &db,
        SessionPolicy::default(),
        &sign_in_form(
            "dana@example.org",
            &password.chars().take(63).collect::<String>(),
        ),
        &ClientInfo::default(),
    )
    .await;
    assert_eq!(bad.unwrap_err(), AppError::SignInFailed);
    let actions: Vec<String> = audit_trail::list(
        &db,
        &app::model::audit::AuditQueryParams::default().to_query(),
    )
    .await
    .unwrap()
    .items
    .into_iter()
    .map(|e| e.action)
    .collect();
    assert_eq!(actions, vec!["sign_in_failed", "sign_in", "user_created"]);
}

#[tokio::test]
async fn throttling_applies_per_account_and_per_address() {
    let db = common::test_db().await;
    users::create(
        &db,
        &actor(),
        new_user("dana@example.org", "right-password"),
    )
    .await
    .unwrap();
    let policy = SessionPolicy::default();
    let office = ClientInfo {
        ip: Some("10.1.2.3".into()),
        user_agent: None,
    };
    for _ in 0..5 {
        let result = identity::sign_in(
            &db,
            policy,
            &sign_in_form("dana@example.org", "wrong-password"),
            &office,
        )
        .await;
        assert_eq!(result.unwrap_err(), AppError::SignInFailed);
    }
    let locked = identity::sign_in(
        &db,
        policy,
        &sign_in_form("dana@example.org", "right-password"),
        &office,
    )
    .await;
    assert!(
        matches!(locked, Err(AppError::RateLimited { retry_after_seconds }) if retry_after_seconds > 0)
    );

    // Guessing across many accounts from one address is throttled too.
    let robot = ClientInfo {
        ip: Some("192.0.2.7".into()),
        user_agent: None,
    };
    for i in 0..20 {
        let _ = identity::sign_in(
            &db,
            policy,
            &sign_in_form(&format!("guess{i}@example.org"), "password1"),
            &robot,
        )
        .await;
    }
    let blocked = identity::sign_in(
        &db,
        policy,
        &sign_in_form("another@example.org", "password1"),
        &robot,
    )
    .await;
    assert!(matches!(blocked, Err(AppError::RateLimited { .. })));
}

#[tokio::test]
async fn disabling_a_user_or_changing_a_password_ends_every_session() {
    let db = common::test_db().await;
    let admin = users::create(
        &db,
        &actor(),
        NewUser {
            roles: vec![Role::Admin],
            ..new_user("admin@example.org", "admin-password")
        },
    )
    .await
    .unwrap();
    let dana = users::create(
        &db,
        &actor(),
        new_user("dana@example.org", "first-password"),
    )
    .await
    .unwrap();
    let policy = SessionPolicy::default();
    let form = sign_in_form("dana@example.org", "first-password");
    let client = ClientInfo::default();
    let (me, laptop) = identity::sign_in(&db, policy, &form, &client)
        .await
        .unwrap();
    let (_, phone) = identity::sign_in(&db, policy, &form, &client)
        .await
        .unwrap();

    users::change_own_password(
        &db,
        &me,
        None,
        &PasswordChangeForm {
            current_password: "first-password".into(),
            new_password: "second-password".into(),
            confirm_password: "second-password".into(),
        },
    )
    .await
    .unwrap();
    for token in [&laptop, &phone] {
        assert!(
            session::resolve(db.reader(), db.writer(), token, policy, Utc::now())
                .await
                .unwrap()
                .is_none()
        );
    }

    let (_, tablet) = identity::sign_in(
        &db,
        policy,
        &sign_in_form("dana@example.org", "second-password"),
        &ClientInfo::default(),
    )
    .await
    .unwrap();
    let dana = users::get(&db, dana.id).await.unwrap();
    let admin_actor = Actor::user(admin.id, admin.name.clone(), None);
    users::set_disabled(&db, &admin_actor, dana.id, dana.version, true)
        .await
        .unwrap();
    assert!(
        session::resolve(db.reader(), db.writer(), &tablet, policy, Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    let again = identity::sign_in(
        &db,
        policy,
        &sign_in_form("dana@example.org", "second-password"),
        &ClientInfo::default(),
    )
    .await;
    assert_eq!(
        again.unwrap_err(),
        AppError::SignInFailed,
        "a disabled user cannot sign in, and is not told why"
    );
}

#[tokio::test]
async fn sessions_end_after_idle_time_and_absolute_lifetime() {
    let db = common::test_db().await;
    let user = users::create(
        &db,
        &actor(),
        new_user("dana@example.org", "right-password"),
    )
    .await
    .unwrap();
    let policy = SessionPolicy {
        idle_timeout: Duration::minutes(30),
        absolute_lifetime: Duration::hours(8),
    };
    let token = session::start(db.writer(), user.id, policy, None, None)
        .await
        .unwrap();
    let now = Utc::now();
    assert!(session::resolve(
        db.reader(),
        db.writer(),
        &token,
        policy,
        now + Duration::minutes(29)
    )
    .await
    .unwrap()
    .is_some());
    // Activity at minute 29 keeps it alive past minute 30.
    assert!(session::resolve(
        db.reader(),
        db.writer(),
        &token,
        policy,
        now + Duration::minutes(50)
    )
    .await
    .unwrap()
    .is_some());
    assert!(session::resolve(
        db.reader(),
        db.writer(),
        &token,
        policy,
        now + Duration::minutes(90)
    )
    .await
    .unwrap()
    .is_none());

    let token = session::start(db.writer(), user.id, policy, None, None)
        .await
        .unwrap();
    let mut at = Utc::now();
    for _ in 0..17 {
        at += Duration::minutes(29);
        if at > Utc::now() + Duration::hours(8) {
            assert!(
                session::resolve(db.reader(), db.writer(), &token, policy, at)
                    .await
                    .unwrap()
                    .is_none()
            );
            return;
        }
        assert!(
            session::resolve(db.reader(), db.writer(), &token, policy, at)
                .await
                .unwrap()
                .is_some()
        );
    }
    panic!("the absolute lifetime never ended the session");
}

#[tokio::test]
async fn admins_cannot_lock_themselves_out() {
    let db = common::test_db().await;
    let admin = users::create(
        &db,
        &actor(),
        NewUser {
            roles: vec![Role::Admin],
            ..new_user("admin@example.org", "admin-password")
        },
    )
    .await
    .unwrap();
    let me = Actor::user(admin.id, admin.name.clone(), None);
    assert!(users::set_disabled(&db, &me, admin.id, admin.version, true)
        .await
        .is_err());
    let err = users::set_roles(&db, &me, admin.id, admin.version, vec![Role::Auditor])
        .await
        .unwrap_err();
    assert!(err.field_errors().is_some());
}

#[tokio::test]
async fn duplicate_emails_and_unknown_time_zones_are_refused() {
    let db = common::test_db().await;
    users::create(
        &db,
        &actor(),
        new_user("dana@example.org", "right-password"),
    )
    .await
    .unwrap();
    let err = users::create(
        &db,
        &actor(),
        new_user("dana@example.org", "other-password"),
    )
    .await
    .unwrap_err();
    assert!(err.field_errors().and_then(|e| e.get("email")).is_some());

    let (me, _) = identity::sign_in(
        &db,
        SessionPolicy::default(),
        &sign_in_form("dana@example.org", "right-password"),
        &ClientInfo::default(),
    )
    .await
    .unwrap();
    let err = users::set_time_zone(&db, &me, None, "Mars/Olympus_Mons")
        .await
        .unwrap_err();
    assert!(err
        .field_errors()
        .and_then(|e| e.get("time_zone"))
        .is_some());
    let updated = users::set_time_zone(&db, &me, None, "Europe/Berlin")
        .await
        .unwrap();
    assert_eq!(updated.time_zone, "Europe/Berlin");
}

#[tokio::test]
async fn cli_user_add_reads_the_password_from_stdin() {
    use std::io::Write;
    let db = common::test_db().await;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "user",
            "add",
            "--email",
            "ops@example.org",
            "--name",
            "Ops Person",
            "--role",
            "admin",
            "--role",
            "auditor",
            "--database-url",
            &db.url,
        ])
        .env("RUST_LOG", "error")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough password\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let user = users::find_by_email(&db, "ops@example.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.roles, vec![Role::Admin, Role::Auditor]);
    let signed_in = identity::sign_in(
        &db,
        SessionPolicy::default(),
        &sign_in_form("ops@example.org", "a long enough password"),
        &ClientInfo::default(),
    )
    .await;
    assert!(signed_in.is_ok());

    let list = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args(["user", "list", "--database-url", &db.url])
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("ops@example.org"));

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_conform"))
        .args([
            "user",
            "add",
            "--email",
            "x",
            "--name",
            "X",
            "--role",
            "wizard",
            "--database-url",
            &db.url,
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let message = String::from_utf8_lossy(&bad.stderr);
    assert!(message.contains("“wizard” is not a role"), "{message}");
}
