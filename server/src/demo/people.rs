//! The demo people: one per role, all with the same password, and the services' view of them.

use app::error::AppError;
use app::model::access::Role;
use app::model::user::{CurrentUser, NewUser};
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::users;

/// Every demo user signs in with this password (demo mode only).
pub const DEMO_PASSWORD: &str = "conform-demo";

pub const DEMO_USERS: &[(&str, &str, Role)] = &[
    ("admin@conform.demo", "Avery Admin", Role::Admin),
    (
        "change.manager@conform.demo",
        "Chris Change",
        Role::ChangeManager,
    ),
    ("cab.member@conform.demo", "Kim Board", Role::CabMember),
    (
        "service.owner@conform.demo",
        "Dana Whitfield",
        Role::ServiceOwner,
    ),
    (
        "continuity@conform.demo",
        "Rowan Resilience",
        Role::ContinuityManager,
    ),
    (
        "quality@conform.demo",
        "Quinn Quality",
        Role::QualityManager,
    ),
    ("auditor@conform.demo", "Ari Auditor", Role::Auditor),
    ("requester@conform.demo", "Robin Requester", Role::Requester),
    (
        "service.levels@conform.demo",
        "Sam Levels",
        Role::ServiceLevelManager,
    ),
    ("resolver@conform.demo", "Jordan Fixer", Role::Resolver),
];

/// Creates the demo users that are not there yet; returns how many were created.
pub async fn seed(db: &Db, actor: &Actor) -> Result<usize, AppError> {
    let mut created = 0;
    for (email, name, role) in DEMO_USERS {
        if users::find_by_email(db, email).await?.is_none() {
            let user = NewUser {
                email: email.to_string(),
                name: name.to_string(),
                roles: vec![*role],
                password: DEMO_PASSWORD.into(),
            };
            users::create(db, actor, user).await?;
            created += 1;
        }
    }
    Ok(created)
}

/// Everyone in the database as the services see a signed-in person (the demo seeders act as
/// the demo people, so their history is genuine).
pub(crate) async fn people(db: &Db) -> Result<Vec<CurrentUser>, AppError> {
    Ok(users::list(db)
        .await?
        .into_iter()
        .map(|u| CurrentUser {
            id: u.id,
            email: u.email,
            name: u.name,
            roles: u.roles,
            time_zone: u.time_zone,
        })
        .collect())
}

/// The sign-ins printed at start-up in demo mode.
pub fn demo_logins() -> String {
    let mut text = format!("Demo sign-ins (password for all: {DEMO_PASSWORD}):\n");
    for (email, _, role) in DEMO_USERS {
        text.push_str(&format!("  {:<20} {email}\n", role.label()));
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn there_is_one_demo_user_per_role() {
        for role in app::model::access::Role::ALL {
            assert_eq!(
                super::DEMO_USERS
                    .iter()
                    .filter(|(_, _, r)| *r == role)
                    .count(),
                1,
                "{role:?}"
            );
        }
    }
}
