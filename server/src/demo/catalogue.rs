//! The demo service catalogue.

use app::error::AppError;
use app::model::service::ServiceForm;
use app::server::audit::Actor;
use app::server::db::Db;
use app::server::service::catalogue;

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

/// Creates the demo services that are not there yet; returns how many were created.
pub async fn seed(db: &Db, actor: &Actor) -> Result<usize, AppError> {
    let mut created = 0;
    for service in SERVICES {
        match catalogue::create(db, actor, form(service).validate()?).await {
            Ok(_) => created += 1,
            // Already seeded on an earlier start.
            Err(AppError::Validation(errors)) if errors.get("name").is_some() => {}
            Err(err) => return Err(err),
        }
    }
    Ok(created)
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
}
