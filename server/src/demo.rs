//! Demo data: a realistic catalogue and one user per role to explore Conform with. Idempotent.

use app::error::AppError;
use app::model::access::Role;
use app::model::service::ServiceForm;
use app::model::user::NewUser;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::{catalogue, users};

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
];

struct DemoService {
    name: &'static str,
    owner: &'static str,
    criticality: &'static str,
    status: &'static str,
    description: &'static str,
    customers: &'static str,
}

const SERVICES: &[DemoService] = &[
    DemoService {
        name: "E-mail and calendar",
        owner: "Dana Whitfield",
        criticality: "high",
        status: "live",
        description: "Mailboxes, shared calendars and distribution lists for all staff.",
        customers: "All staff",
    },
    DemoService {
        name: "Customer portal",
        owner: "Marcus Oyelaran",
        criticality: "critical",
        status: "live",
        description: "Self-service portal where customers place and track orders.",
        customers: "Retail customers\nWholesale partners",
    },
    DemoService {
        name: "Payroll",
        owner: "Ingrid Solberg",
        criticality: "critical",
        status: "live",
        description: "Monthly payroll run, payslips and year-end reporting.",
        customers: "Human resources\nFinance",
    },
    DemoService {
        name: "Service desk",
        owner: "Priya Raman",
        criticality: "high",
        status: "live",
        description: "Single point of contact for incidents and service requests, 07:00–19:00.",
        customers: "All staff",
    },
    DemoService {
        name: "ERP finance",
        owner: "Tomás Herrera",
        criticality: "critical",
        status: "live",
        description: "General ledger, accounts payable and receivable, budgeting.",
        customers: "Finance\nProcurement",
    },
    DemoService {
        name: "Identity and access",
        owner: "Yuki Tanaka",
        criticality: "critical",
        status: "live",
        description:
            "Single sign-on, multi-factor authentication and joiner-mover-leaver workflows.",
        customers: "All staff\nContractors",
    },
    DemoService {
        name: "Network and Wi-Fi",
        owner: "Olu Adebayo",
        criticality: "high",
        status: "live",
        description: "Campus LAN, Wi-Fi and site-to-site VPN for three offices.",
        customers: "All staff\nVisitors",
    },
    DemoService {
        name: "Data warehouse",
        owner: "Sofia Marchetti",
        criticality: "medium",
        status: "live",
        description: "Nightly loads from ERP and CRM; management dashboards.",
        customers: "Management\nFinance\nSales",
    },
    DemoService {
        name: "CRM",
        owner: "Marcus Oyelaran",
        criticality: "high",
        status: "live",
        description: "Accounts, opportunities and customer contact history.",
        customers: "Sales\nCustomer success",
    },
    DemoService {
        name: "Document management",
        owner: "Dana Whitfield",
        criticality: "medium",
        status: "retiring",
        description: "Legacy document store, being replaced by collaboration sites.",
        customers: "Legal\nQuality",
    },
    DemoService {
        name: "Video conferencing",
        owner: "Priya Raman",
        criticality: "medium",
        status: "live",
        description: "Meeting rooms and desktop video calls.",
        customers: "All staff",
    },
    DemoService {
        name: "Field service app",
        owner: "Olu Adebayo",
        criticality: "low",
        status: "pipeline",
        description: "Mobile app for engineers on customer sites; pilot in Q1.",
        customers: "Field engineers",
    },
];

fn form(service: &DemoService) -> ServiceForm {
    ServiceForm {
        name: service.name.into(),
        owner: service.owner.into(),
        criticality: service.criticality.into(),
        status: service.status.into(),
        description: service.description.into(),
        customers: service.customers.into(),
    }
}

/// Creates the demo users and services that are not there yet; returns how many records were created.
pub async fn seed(db: &Db) -> Result<usize, AppError> {
    let actor = Actor::system("demo-seed");
    let mut created = 0;
    for (email, name, role) in DEMO_USERS {
        if users::find_by_email(db, email).await?.is_none() {
            let user = NewUser {
                email: email.to_string(),
                name: name.to_string(),
                roles: vec![*role],
                password: DEMO_PASSWORD.into(),
            };
            users::create(db, &actor, user).await?;
            created += 1;
        }
    }
    for service in SERVICES {
        match catalogue::create(db, &actor, form(service).validate()?).await {
            Ok(_) => created += 1,
            // Already seeded on an earlier start.
            Err(AppError::Validation(errors)) if errors.get("name").is_some() => {}
            Err(err) => return Err(err),
        }
    }
    created += crate::demo_changes::seed(db).await?;
    created += crate::demo_cab::seed(db).await?;
    created += crate::demo_register::seed(db).await?;
    created += crate::demo_nonconformities::seed(db).await?;
    created += crate::demo_documents::seed(db).await?;
    // After the nonconformity and register seeds: its findings raise records in both.
    created += crate::demo_audits::seed(db).await?;
    // After the register's own seed, which only fills an empty register.
    created += crate::demo_continuity::seed(db).await?;
    // After the documents, audits and continuity plans it links to as evidence.
    created += crate::demo_gap::seed(db).await?;
    // After every other seed: its inputs are gathered from their records.
    created += crate::demo_reviews::seed(db).await?;
    Ok(created)
}

/// Everyone in the database as the services see a signed-in person (the demo seeders act as
/// the demo people, so their history is genuine).
pub(crate) async fn people(
    db: &app::server::db::Db,
) -> Result<Vec<app::model::user::CurrentUser>, AppError> {
    Ok(app::server::service::users::list(db)
        .await?
        .into_iter()
        .map(|u| app::model::user::CurrentUser {
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
    fn every_demo_service_is_valid() {
        for service in super::SERVICES {
            assert!(
                super::form(service).validate().is_ok(),
                "{} is invalid",
                service.name
            );
        }
    }

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
