//! Demo suppliers: the suppliers the demo services' impact analyses depend on, plus the
//! internal facilities team, added by their relationship managers at past dates and walked
//! through the real rules — one contract whose renewal decision is due, one supplier never
//! reviewed and overdue, one without a contract, reviews that met, partly met and missed
//! their targets.

use super::actor;
use app::error::AppError;
use app::model::supplier::{ContractForm, SupplierForm, SupplierReviewForm};
use app::server::db::Db;
use app::server::entity::supplier;
use app::server::service::{catalogue, suppliers};
use chrono::{Duration, Utc};
use sea_orm::{EntityTrait, PaginatorTrait};

struct Contract {
    reference: &'static str,
    /// Began this many days ago and runs this many days in all.
    started_days_ago: i64,
    length_days: i64,
    notice_days: u32,
    value: &'static str,
    targets: &'static str,
}

struct Review {
    days_ago: i64,
    outcome: &'static str,
    findings: &'static str,
    actions: &'static str,
}

struct Case {
    name: &'static str,
    kind: &'static str,
    provides: &'static str,
    manager: &'static str,
    contact: (&'static str, &'static str, &'static str),
    services: &'static [&'static str],
    cycle_months: u32,
    added_days_ago: i64,
    contract: Option<Contract>,
    reviews: &'static [Review],
}

const LEVELS: &str = "service.levels@conform.demo";
const OWNER: &str = "service.owner@conform.demo";

const CASES: [Case; 10] = [
    Case {
        name: "Northwind Hosting",
        kind: "external",
        provides: "Data-centre hosting and managed servers for the customer portal.",
        manager: OWNER,
        contact: ("Northwind service desk", "desk@northwind.example", "+44 20 7946 0100"),
        services: &["Customer portal"],
        cycle_months: 6,
        added_days_ago: 400,
        contract: Some(Contract {
            reference: "NWH-2024-07",
            started_days_ago: 670,
            length_days: 730,
            notice_days: 90,
            value: "GBP 96,000 a year",
            targets: "99.9% availability a month; P1 response within 30 minutes; monthly capacity report.",
        }),
        reviews: &[Review {
            days_ago: 150,
            outcome: "partly",
            findings: "Availability 99.93%, but two P1 calls were answered after 45 and 70 minutes.",
            actions: "Service credits claimed; P1 escalation path agreed; monthly call until two clean months.",
        }],
    },
    Case {
        name: "PayFast payment gateway",
        kind: "external",
        provides: "Card payments for the customer portal.",
        manager: LEVELS,
        contact: ("PayFast merchant support", "merchants@payfast.example", "+44 20 7946 0200"),
        services: &["Customer portal"],
        cycle_months: 12,
        added_days_ago: 500,
        contract: Some(Contract {
            reference: "PF-MSA-118",
            started_days_ago: 480,
            length_days: 1095,
            notice_days: 120,
            value: "1.4% of card turnover",
            targets: "99.95% authorisation availability; settlement next working day; PCI DSS attestation yearly.",
        }),
        reviews: &[Review {
            days_ago: 100,
            outcome: "meets",
            findings: "All targets met; PCI attestation received in March.",
            actions: "",
        }],
    },
    Case {
        name: "Cloud identity provider",
        kind: "external",
        provides: "Single sign-on and multi-factor authentication.",
        manager: LEVELS,
        contact: ("Identity support", "support@identity.example", "+1 415 555 0130"),
        services: &["Identity and access"],
        cycle_months: 12,
        added_days_ago: 90,
        contract: Some(Contract {
            reference: "IDP-ENT-2026",
            started_days_ago: 90,
            length_days: 1095,
            notice_days: 90,
            value: "USD 38,000 a year",
            targets: "99.99% sign-in availability; security incidents notified within 24 hours.",
        }),
        reviews: &[],
    },
    Case {
        name: "Metro fibre carrier",
        kind: "external",
        provides: "Primary internet and inter-site fibre.",
        manager: LEVELS,
        contact: ("Carrier NOC", "noc@metrofibre.example", "+44 20 7946 0300"),
        services: &["Network and Wi-Fi"],
        cycle_months: 6,
        added_days_ago: 300,
        contract: Some(Contract {
            reference: "MF-2025-33",
            started_days_ago: 300,
            length_days: 1095,
            notice_days: 180,
            value: "GBP 24,000 a year",
            targets: "Fault fixed within 4 hours; 99.95% circuit availability.",
        }),
        reviews: &[Review {
            days_ago: 60,
            outcome: "meets",
            findings: "One fault in the period, fixed in 2 h 10 min.",
            actions: "",
        }],
    },
    Case {
        name: "Paysphere payroll bureau",
        kind: "external",
        provides: "Payroll processing and payslips.",
        manager: OWNER,
        contact: ("Client services", "clients@paysphere.example", "+44 161 496 0400"),
        services: &["Payroll"],
        cycle_months: 12,
        added_days_ago: 700,
        contract: Some(Contract {
            reference: "PS-2023-009",
            started_days_ago: 700,
            length_days: 1460,
            notice_days: 180,
            value: "GBP 52,000 a year",
            targets: "Payroll run on the agreed day every month; errors corrected within 2 working days.",
        }),
        reviews: &[Review {
            days_ago: 200,
            outcome: "meets",
            findings: "Twelve runs on time; one correction made the next day.",
            actions: "",
        }],
    },
    Case {
        name: "ERP vendor support",
        kind: "external",
        provides: "Third-line support and patches for the ERP system.",
        manager: OWNER,
        contact: ("ERP support", "support@erpvendor.example", ""),
        services: &["ERP finance"],
        cycle_months: 12,
        added_days_ago: 60,
        contract: None,
        reviews: &[],
    },
    Case {
        name: "Cloud mail provider",
        kind: "external",
        provides: "Hosted mailboxes and calendars.",
        manager: LEVELS,
        contact: ("Admin support", "admins@cloudmail.example", "+1 206 555 0150"),
        services: &["E-mail and calendar"],
        cycle_months: 12,
        added_days_ago: 380,
        contract: Some(Contract {
            reference: "CM-EA-5512",
            started_days_ago: 380,
            length_days: 1095,
            notice_days: 60,
            value: "USD 41,000 a year",
            targets: "99.9% mailbox availability a month (financially backed).",
        }),
        reviews: &[Review {
            days_ago: 20,
            outcome: "meets",
            findings: "Availability 99.98% over the year.",
            actions: "",
        }],
    },
    Case {
        name: "Mail filtering service",
        kind: "external",
        provides: "Inbound spam and malware filtering.",
        manager: LEVELS,
        contact: ("Filtering support", "help@mailfilter.example", ""),
        services: &["E-mail and calendar"],
        cycle_months: 12,
        added_days_ago: 250,
        contract: Some(Contract {
            reference: "MFS-2025-2",
            started_days_ago: 250,
            length_days: 365,
            notice_days: 30,
            value: "",
            targets: "Mail delayed no more than 5 minutes; 99% of malware caught.",
        }),
        reviews: &[],
    },
    Case {
        name: "Telephony provider",
        kind: "external",
        provides: "Service desk telephone lines and call routing.",
        manager: LEVELS,
        contact: ("Telephony support", "support@telephony.example", "+44 20 7946 0500"),
        services: &["Service desk"],
        cycle_months: 6,
        added_days_ago: 360,
        contract: Some(Contract {
            reference: "TEL-778",
            started_days_ago: 360,
            length_days: 1095,
            notice_days: 90,
            value: "GBP 9,600 a year",
            targets: "Line faults fixed within 8 hours; 99.9% availability.",
        }),
        reviews: &[Review {
            days_ago: 40,
            outcome: "fails",
            findings: "Two outages of more than a day in the period; availability 99.1%.",
            actions: "Formal notice of breach sent; exit plan to a second provider drafted for the CAB.",
        }],
    },
    Case {
        name: "Facilities team",
        kind: "internal",
        provides: "Power, cooling and access to the on-site server room.",
        manager: OWNER,
        contact: ("Facilities help desk", "facilities@conform.demo", "+44 20 7946 0999"),
        services: &[],
        cycle_months: 12,
        added_days_ago: 200,
        contract: Some(Contract {
            reference: "OLA-FAC-1",
            started_days_ago: 200,
            length_days: 730,
            notice_days: 0,
            value: "",
            targets: "Cooling fault attended within 1 hour, around the clock; generator tested monthly.",
        }),
        reviews: &[Review {
            days_ago: 10,
            outcome: "meets",
            findings: "Generator tests recorded monthly; one cooling alarm attended in 25 minutes.",
            actions: "",
        }],
    },
];

/// Adds the demo suppliers to an empty register (before the continuity seed, whose impact
/// analyses name them); returns how many.
pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if supplier::Entity::find().count(db.reader()).await? > 0 {
        return Ok(0);
    }
    let people = super::people::people(db).await?;
    let services = catalogue::active_refs(db.reader()).await?;
    let now = Utc::now();
    let mut created = 0;
    for case in &CASES {
        let Some(manager) = people.iter().find(|p| p.email == case.manager) else {
            continue;
        };
        let added = now - Duration::days(case.added_days_ago);
        let form = SupplierForm {
            name: case.name.into(),
            kind: case.kind.into(),
            provides: case.provides.into(),
            owner_id: manager.id.to_string(),
            contact_name: case.contact.0.into(),
            contact_email: case.contact.1.into(),
            contact_phone: case.contact.2.into(),
            service_ids: case
                .services
                .iter()
                .filter_map(|name| services.iter().find(|s| s.name == *name))
                .map(|s| s.id.to_string())
                .collect(),
            review_every_months: case.cycle_months.to_string(),
            first_review_on: (added + Duration::days(30)).date_naive().to_string(),
        };
        let actor = actor(manager);
        let id = suppliers::create(db, manager, &actor, &form, added).await?;
        let mut version = 1;
        if let Some(contract) = &case.contract {
            let starts = (now - Duration::days(contract.started_days_ago)).date_naive();
            let form = ContractForm {
                reference: contract.reference.into(),
                starts_on: starts.to_string(),
                ends_on: (starts + Duration::days(contract.length_days)).to_string(),
                notice_days: contract.notice_days.to_string(),
                value: contract.value.into(),
                targets: contract.targets.into(),
            };
            suppliers::add_contract(db, manager, &actor, id, version, &form, added).await?;
            version += 1;
        }
        for review in case.reviews {
            let form = SupplierReviewForm {
                outcome: review.outcome.into(),
                findings: review.findings.into(),
                actions: review.actions.into(),
            };
            let at = now - Duration::days(review.days_ago);
            suppliers::review(db, manager, &actor, id, version, &form, at).await?;
            version += 1;
        }
        created += 1;
    }
    Ok(created)
}
