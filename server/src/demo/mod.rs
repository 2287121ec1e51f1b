//! Demo data: one person per role and a realistic organisation's records in every module,
//! created through the same services as the pages (so their history is genuine). Idempotent:
//! each module's seed creates only what is not there yet. One file per module.

pub mod audits;
pub mod awareness;
pub mod cab;
pub mod catalogue;
pub mod changes;
pub mod cmdb;
pub mod competences;
pub mod continuity;
pub mod documents;
pub mod gap;
pub mod incidents;
pub mod nonconformities;
pub mod people;
pub mod register;
pub mod requests;
pub mod reviews;
pub mod risks;
pub mod sms_profile;
pub mod suppliers;

use app::error::AppError;
use app::server::audit::Actor;
use app::server::db::Db;

pub use people::{demo_logins, DEMO_PASSWORD, DEMO_USERS};

/// Creates the demo records that are not there yet; returns how many records were created.
pub async fn seed(db: &Db) -> Result<usize, AppError> {
    let actor = Actor::system("demo-seed");
    let mut created = people::seed(db, &actor).await?;
    created += catalogue::seed(db, &actor).await?;
    created += changes::seed(db).await?;
    created += cab::seed(db).await?;
    created += register::seed(db).await?;
    created += nonconformities::seed(db).await?;
    created += documents::seed(db).await?;
    // After the nonconformity and register seeds: its findings raise records in both.
    created += audits::seed(db).await?;
    // After the catalogue: suppliers support its services.
    created += suppliers::seed(db).await?;
    created += competences::seed(db).await?;
    // After the catalogue and the suppliers: items serve services, one is a supplier's.
    created += cmdb::seed(db).await?;
    // After the register's own seed, which only fills an empty register, and the suppliers
    // its impact analyses name.
    created += continuity::seed(db).await?;
    // After the documents, audits and continuity plans it links to as evidence.
    created += gap::seed(db).await?;
    // After the catalogue (its agreements cover two services) and the register seed (the
    // major incident's review adds entries, and the register seed fills only an empty one).
    created += incidents::seed(db).await?;
    // After the agreements: requests are measured against them.
    created += requests::seed(db).await?;
    // After the catalogue: risks name its services.
    created += risks::seed(db).await?;
    // After the documents (campaigns ask people to read them) and every seed that adds people.
    created += awareness::seed(db).await?;
    // After the catalogue (its scope names the services) and the people it names.
    created += sms_profile::seed(db).await?;
    // After every other seed: its inputs are gathered from their records.
    created += reviews::seed(db).await?;
    Ok(created)
}

/// A demo person acting through the services, as a signed-in user would.
fn actor(user: &app::model::user::CurrentUser) -> Actor {
    Actor::user(user.id, user.name.clone(), None)
}
