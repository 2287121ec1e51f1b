//! Demo CMDB: the configuration items behind a few demo services, named as the demo changes
//! name them, related so that replacing the building B core switch reaches payroll, single
//! sign-on, the customer portal and e-mail — services that change does not name. One item has
//! no owner (the clause 8.2.6 evidence flags it) and one is retired.

use super::actor;
use app::error::AppError;
use app::model::cmdb::{CiForm, RelationshipForm};
use app::server::db::Db;
use app::server::entity::configuration_item;
use app::server::service::{catalogue, cmdb};
use chrono::{Duration, Utc};
use sea_orm::{EntityTrait, PaginatorTrait};

const FIXER: &str = "resolver@conform.demo";
const OWNER: &str = "service.owner@conform.demo";
const CHANGES: &str = "change.manager@conform.demo";

struct Item {
    name: &'static str,
    kind: &'static str,
    status: &'static str,
    /// `None`: nobody owns it yet.
    owner: Option<&'static str>,
    description: &'static str,
    services: &'static [&'static str],
    attributes: &'static [(&'static str, &'static str)],
    /// (how, the other item's name)
    relies_on: &'static [(&'static str, &'static str)],
}

const ITEMS: [Item; 14] = [
    Item {
        name: "network-and-wi-fi-prod-01",
        kind: "network",
        status: "live",
        owner: Some(FIXER),
        description: "Core switch, building A; internet edge.",
        services: &["Network and Wi-Fi"],
        attributes: &[
            ("model", "Catalyst 9500"),
            ("ip_address", "10.0.0.1"),
            ("location", "Building A, server room"),
        ],
        relies_on: &[],
    },
    Item {
        name: "network-and-wi-fi-prod-02",
        kind: "network",
        status: "live",
        owner: Some(FIXER),
        description: "Core switch, building B (due for replacement).",
        services: &["Network and Wi-Fi"],
        attributes: &[
            ("model", "Catalyst 6500"),
            ("ip_address", "10.0.0.2"),
            ("location", "Building B, comms room"),
        ],
        relies_on: &[],
    },
    Item {
        name: "network-and-wi-fi-prod-03",
        kind: "network",
        status: "live",
        owner: Some(FIXER),
        description: "Wi-Fi controller.",
        services: &["Network and Wi-Fi"],
        attributes: &[
            ("model", "WLC 9800"),
            ("location", "Building A, server room"),
        ],
        relies_on: &[("connects_to", "network-and-wi-fi-prod-01")],
    },
    Item {
        name: "network-and-wi-fi-prod-04",
        kind: "network",
        status: "live",
        owner: Some(FIXER),
        description: "Firewall pair.",
        services: &["Network and Wi-Fi"],
        attributes: &[("model", "FortiGate 600F"), ("ip_address", "10.0.0.254")],
        relies_on: &[("connects_to", "network-and-wi-fi-prod-01")],
    },
    Item {
        name: "network-and-wi-fi-prod-05",
        kind: "network",
        status: "planned",
        owner: Some(FIXER),
        description: "Replacement core switch for building B.",
        services: &["Network and Wi-Fi"],
        attributes: &[
            ("model", "Catalyst 9500"),
            ("location", "Building B, comms room"),
        ],
        relies_on: &[],
    },
    Item {
        name: "vm-host-a",
        kind: "server",
        status: "live",
        owner: Some(FIXER),
        description: "Virtualisation host in building A.",
        services: &[],
        attributes: &[
            ("hostname", "vmh-a.corp.example"),
            ("operating_system", "VMware ESXi 8"),
            ("location", "Building A, server room"),
        ],
        relies_on: &[("connects_to", "network-and-wi-fi-prod-01")],
    },
    Item {
        name: "vm-host-b",
        kind: "server",
        status: "live",
        owner: Some(FIXER),
        description: "Virtualisation host in building B.",
        services: &[],
        attributes: &[
            ("hostname", "vmh-b.corp.example"),
            ("operating_system", "VMware ESXi 8"),
            ("location", "Building B, comms room"),
        ],
        relies_on: &[("connects_to", "network-and-wi-fi-prod-02")],
    },
    Item {
        name: "vm-host-legacy",
        kind: "server",
        status: "retired",
        owner: Some(FIXER),
        description: "Old host, switched off after the migration to vm-host-b.",
        services: &[],
        attributes: &[("operating_system", "VMware ESXi 6.7")],
        relies_on: &[],
    },
    Item {
        name: "payroll-prod-02",
        kind: "database",
        status: "live",
        owner: Some(OWNER),
        description: "Payroll records.",
        services: &["Payroll"],
        attributes: &[
            ("engine", "PostgreSQL"),
            ("version", "15"),
            ("host", "vm-host-b"),
        ],
        relies_on: &[("runs_on", "vm-host-b")],
    },
    Item {
        name: "payroll-prod-01",
        kind: "application",
        status: "live",
        owner: Some(OWNER),
        description: "The payroll application.",
        services: &["Payroll"],
        attributes: &[("vendor", "Paysphere"), ("version", "2026.3")],
        relies_on: &[("runs_on", "vm-host-b"), ("depends_on", "payroll-prod-02")],
    },
    Item {
        name: "identity-and-access-prod-01",
        kind: "application",
        status: "live",
        owner: Some(CHANGES),
        description: "Single sign-on for staff and customers.",
        services: &["Identity and access"],
        attributes: &[
            ("vendor", "Keycloak"),
            ("version", "26"),
            ("url", "https://sso.corp.example"),
        ],
        relies_on: &[("runs_on", "vm-host-b")],
    },
    Item {
        name: "customer-portal-prod-01",
        kind: "application",
        status: "live",
        owner: Some(OWNER),
        description: "The customer portal's web application.",
        services: &["Customer portal"],
        attributes: &[("vendor", "In-house"), ("url", "https://portal.example")],
        relies_on: &[
            ("runs_on", "vm-host-a"),
            ("depends_on", "identity-and-access-prod-01"),
        ],
    },
    Item {
        name: "e-mail-and-calendar-prod-01",
        kind: "supplier_service",
        status: "live",
        owner: Some(CHANGES),
        description: "Hosted mailboxes, signed in through our single sign-on.",
        services: &["E-mail and calendar"],
        attributes: &[
            ("contract_reference", "CM-EA-5512"),
            ("service_hours", "24×7"),
        ],
        relies_on: &[
            ("depends_on", "identity-and-access-prod-01"),
            ("connects_to", "network-and-wi-fi-prod-04"),
        ],
    },
    Item {
        name: "Payroll runbook",
        kind: "document",
        status: "live",
        owner: None,
        description: "How to run, restart and recover payroll.",
        services: &["Payroll"],
        attributes: &[("reference", "SharePoint / IT / Runbooks / Payroll")],
        relies_on: &[],
    },
];

/// Adds the demo items to an empty CMDB; returns how many.
pub async fn seed(db: &Db) -> Result<usize, AppError> {
    if configuration_item::Entity::find()
        .count(db.reader())
        .await?
        > 0
    {
        return Ok(0);
    }
    let people = super::people::people(db).await?;
    let services = catalogue::active_refs(db.reader()).await?;
    let suppliers = cmdb::choices(db.reader()).await?.suppliers;
    let at = Utc::now() - Duration::days(90);
    let mut ids = Vec::new();
    for item in &ITEMS {
        let Some(keeper) = people
            .iter()
            .find(|p| p.email == item.owner.unwrap_or(FIXER))
        else {
            continue;
        };
        let form = CiForm {
            name: item.name.into(),
            kind: item.kind.into(),
            // Retired once nothing relies on it: recorded live first.
            status: if item.status == "retired" {
                "live"
            } else {
                item.status
            }
            .into(),
            owner_id: item
                .owner
                .map(|_| keeper.id.to_string())
                .unwrap_or_default(),
            supplier_id: if item.kind == "supplier_service" {
                suppliers
                    .iter()
                    .find(|(_, name)| name == "Cloud mail provider")
                    .map(|(id, _)| id.to_string())
                    .unwrap_or_default()
            } else {
                String::new()
            },
            description: item.description.into(),
            service_ids: item
                .services
                .iter()
                .filter_map(|name| services.iter().find(|s| s.name == *name))
                .map(|s| s.id.to_string())
                .collect(),
            attributes: item
                .attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        let id = cmdb::create(db, keeper, &actor(keeper), &form, at).await?;
        let mut version = 1;
        for (how, other) in item.relies_on {
            let relationship = RelationshipForm {
                kind: how.to_string(),
                target: other.to_string(),
            };
            cmdb::relate(db, keeper, &actor(keeper), id, version, &relationship, at).await?;
            version += 1;
        }
        if item.status == "retired" {
            let retired = CiForm {
                status: "retired".into(),
                ..form
            };
            cmdb::update(db, keeper, &actor(keeper), id, version, &retired).await?;
        }
        ids.push(id);
    }
    Ok(ids.len())
}
