//! At least one active admin always remains: demoting or disabling the last one is refused,
//! also when two requests remove the last two admins at the same moment (SQLite and PostgreSQL).

use crate::common;

use app::error::AppError;
use app::model::access::Role;
use app::model::user::User;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::users;
use common::test_db;

async fn add(db: &Db, email: &str, roles: Vec<Role>) -> User {
    users::create(
        db,
        &Actor::system("test"),
        app::model::user::NewUser {
            email: email.into(),
            name: format!("Person {email}"),
            roles,
            password: "long enough password".into(),
        },
    )
    .await
    .expect("create")
}

async fn active_admins(db: &Db) -> usize {
    users::list(db)
        .await
        .unwrap()
        .iter()
        .filter(|u| !u.disabled && u.roles.contains(&Role::Admin))
        .count()
}

#[derive(Clone, Copy, Debug)]
enum Removal {
    Demote,
    Disable,
}

async fn remove(db: Db, who: User, how: Removal) -> Result<User, AppError> {
    // Another admin's session or the command line: not the person themselves.
    let actor = Actor::system("cli");
    match how {
        Removal::Demote => {
            users::set_roles(&db, &actor, who.id, who.version, vec![Role::Auditor]).await
        }
        Removal::Disable => users::set_disabled(&db, &actor, who.id, who.version, true).await,
    }
}

fn assert_last_admin_refusal(error: &AppError) {
    let text = match error.field_errors() {
        Some(fields) => fields.0.values().cloned().collect::<Vec<_>>().join(" "),
        None => error.to_string(),
    };
    assert!(
        text.contains("At least one active admin must remain"),
        "{text}"
    );
}

#[tokio::test]
async fn the_last_admin_can_be_neither_demoted_nor_disabled() {
    let db = test_db().await;
    let admin = add(&db, "admin@example.org", vec![Role::Admin]).await;
    let other = add(&db, "other@example.org", vec![Role::ChangeManager]).await;
    for how in [Removal::Demote, Removal::Disable] {
        let error = remove(db.db.clone(), admin.clone(), how)
            .await
            .expect_err("the last admin stays");
        assert_last_admin_refusal(&error);
    }
    let still = users::get(&db, admin.id).await.unwrap();
    assert_eq!(still.version, admin.version, "nothing was written");
    assert_eq!(active_admins(&db).await, 1);
    // Everyone else is unaffected.
    remove(db.db.clone(), other, Removal::Disable)
        .await
        .expect("a non-admin can be disabled");
    // With a second admin, the first may go.
    add(&db, "second@example.org", vec![Role::Admin]).await;
    remove(db.db.clone(), admin, Removal::Demote)
        .await
        .expect("another admin remains");
    assert_eq!(active_admins(&db).await, 1);
}

#[tokio::test]
async fn a_disabled_admin_does_not_count() {
    let db = test_db().await;
    let first = add(&db, "first@example.org", vec![Role::Admin]).await;
    let second = add(&db, "second@example.org", vec![Role::Admin]).await;
    remove(db.db.clone(), second, Removal::Disable)
        .await
        .expect("one admin remains");
    let error = remove(db.db.clone(), first, Removal::Demote)
        .await
        .expect_err("the disabled admin is no admin");
    assert_last_admin_refusal(&error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_concurrent_removals_of_the_last_two_admins_leave_one() {
    for (round, (a, b)) in [
        (Removal::Demote, Removal::Demote),
        (Removal::Disable, Removal::Disable),
        (Removal::Demote, Removal::Disable),
        (Removal::Demote, Removal::Demote),
        (Removal::Disable, Removal::Demote),
    ]
    .into_iter()
    .enumerate()
    {
        let db = test_db().await;
        let first = add(&db, "first@example.org", vec![Role::Admin, Role::Auditor]).await;
        let second = add(&db, "second@example.org", vec![Role::Admin]).await;
        add(&db, "reader@example.org", vec![Role::Requester]).await;
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let run = |who: User, how: Removal| {
            let db = db.db.clone();
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                remove(db, who, how).await
            })
        };
        let one = run(first, a);
        let two = run(second, b);
        let results = [one.await.unwrap(), two.await.unwrap()];
        let succeeded = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(
            succeeded,
            1,
            "round {round} ({a:?}, {b:?}) on {}: {results:?}",
            common::backend_name()
        );
        let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert_last_admin_refusal(refused);
        assert_eq!(active_admins(&db).await, 1, "round {round}");
    }
}
