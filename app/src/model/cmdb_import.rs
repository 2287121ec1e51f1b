//! Importing configuration items and their relationships from CSV (`model::csv_import`): the
//! columns Conform's own export writes (so an export loads into another Conform as it is),
//! the names other CMDBs give them, and how a row's kind, status and relationships are read.

use crate::model::cmdb::{CiKind, CiStatus, RelationKind};
use crate::model::csv_import::ImportColumn;
use serde::{Deserialize, Serialize};

/// A column of the import file; attributes are columns of their own, by label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CiColumn {
    Reference,
    Name,
    Kind,
    Status,
    Owner,
    Services,
    Description,
    ReliesOn,
    /// One of the kinds' attributes, by key.
    Attribute(&'static str),
}

impl ImportColumn for CiColumn {
    const ALL: &'static [CiColumn] = &[
        CiColumn::Reference,
        CiColumn::Name,
        CiColumn::Kind,
        CiColumn::Status,
        CiColumn::Owner,
        CiColumn::Services,
        CiColumn::Description,
        CiColumn::ReliesOn,
        CiColumn::Attribute("vendor"),
        CiColumn::Attribute("version"),
        CiColumn::Attribute("url"),
        CiColumn::Attribute("hostname"),
        CiColumn::Attribute("operating_system"),
        CiColumn::Attribute("ip_address"),
        CiColumn::Attribute("location"),
        CiColumn::Attribute("engine"),
        CiColumn::Attribute("host"),
        CiColumn::Attribute("model"),
        CiColumn::Attribute("reference"),
        CiColumn::Attribute("contract_reference"),
        CiColumn::Attribute("service_hours"),
    ];

    fn header(self) -> &'static str {
        match self {
            CiColumn::Reference => "Reference",
            CiColumn::Name => "Name",
            CiColumn::Kind => "Kind",
            CiColumn::Status => "Status",
            CiColumn::Owner => "Owner",
            CiColumn::Services => "Services",
            CiColumn::Description => "Description",
            CiColumn::ReliesOn => "Relies on",
            CiColumn::Attribute(key) => attribute_label(key),
        }
    }

    fn help(self) -> &'static str {
        match self {
            CiColumn::Reference => "Ignored: items are matched by name (a CI- reference belongs to the Conform that exported it).",
            CiColumn::Name => "Required, 2–160 characters, unique in any case, without “;”. An item the CMDB already has under this name is left as it is.",
            CiColumn::Kind => "Required: Application, Server, Database, Network device, Document or Supplier service (other tools' classes such as “Linux Server”, “Router”, “DB instance” are understood).",
            CiColumn::Status => "Optional (Live when empty): Planned, Live or Retired (also “Installed”, “In use”, “Operational”, “On order”, “Decommissioned”).",
            CiColumn::Owner => "Optional: the owner's e-mail address or full name; someone who keeps the CMDB.",
            CiColumn::Services => "Optional: service names from the catalogue that the item serves directly, separated by “;”.",
            CiColumn::Description => "Optional.",
            CiColumn::ReliesOn => "Optional: what the item relies on, separated by “;”, each “runs on NAME”, “depends on NAME”, “connects to NAME” or just NAME (depends on). NAME is an item in this file or already in the CMDB.",
            CiColumn::Attribute(_) => "Optional: recorded when the item's kind has this attribute.",
        }
    }

    fn alias(lowercase: &str) -> Option<CiColumn> {
        Some(match lowercase {
            "ci name" | "display name" | "display_name" | "configuration item" | "ci" => {
                CiColumn::Name
            }
            "class" | "ci class" | "sys_class_name" | "type" | "ci type" | "category" => {
                CiColumn::Kind
            }
            "operational status" | "install status" | "install_status" | "state" => {
                CiColumn::Status
            }
            "owned by" | "managed by" | "owner email" | "owner e-mail" | "support group" => {
                CiColumn::Owner
            }
            "service" | "business service" | "business services" => CiColumn::Services,
            "short description" | "comments" => CiColumn::Description,
            "depends on" | "relationships" | "parents" | "runs on" => CiColumn::ReliesOn,
            "host name" | "fqdn" | "dns name" => CiColumn::Attribute("hostname"),
            "ip" | "ip address" | "ip_address" => CiColumn::Attribute("ip_address"),
            "os" | "operating system" => CiColumn::Attribute("operating_system"),
            "manufacturer" => CiColumn::Attribute("vendor"),
            "model id" | "model number" => CiColumn::Attribute("model"),
            _ => return None,
        })
    }

    fn required(self) -> bool {
        matches!(self, CiColumn::Name | CiColumn::Kind)
    }
}

/// An attribute's label by key (the first kind that has it names it).
pub fn attribute_label(key: &str) -> &'static str {
    CiKind::all_attributes()
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, label)| label)
        .unwrap_or("Attribute")
}

/// A kind as Conform writes it, or as other CMDBs name their classes.
pub fn kind_from_text(text: &str) -> Option<CiKind> {
    let text = text.trim();
    if let Some(kind) = CiKind::parse_loose(text).or_else(|| {
        CiKind::ALL
            .into_iter()
            .find(|k| k.label().eq_ignore_ascii_case(text))
    }) {
        return Some(kind);
    }
    let lower = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(&["supplier", "provider", "saas", "cloud service"]) {
        Some(CiKind::SupplierService)
    } else if has(&["database", "db ", "db_", "dbms", "sql"]) || lower == "db" {
        Some(CiKind::Database)
    } else if has(&["server", "host", "vm", "virtual machine", "computer"]) {
        Some(CiKind::Server)
    } else if has(&[
        "network",
        "switch",
        "router",
        "firewall",
        "load balancer",
        "access point",
    ]) {
        Some(CiKind::Network)
    } else if has(&["document", "runbook", "manual", "procedure"]) {
        Some(CiKind::Document)
    } else if has(&["application", "app", "software", "service", "web"]) {
        Some(CiKind::Application)
    } else {
        None
    }
}

/// A status as Conform writes it (empty: live), or as other CMDBs name theirs.
pub fn status_from_text(text: &str) -> Option<CiStatus> {
    let text = text.trim();
    if text.is_empty() {
        return Some(CiStatus::Live);
    }
    if let Some(status) = CiStatus::parse_loose(text) {
        return Some(status);
    }
    match text.to_lowercase().as_str() {
        "installed" | "in use" | "operational" | "in production" | "production" | "active" => {
            Some(CiStatus::Live)
        }
        "on order" | "in build" | "pipeline" | "in stock" | "ordered" => Some(CiStatus::Planned),
        "decommissioned" | "disposed" | "retired" | "absent" | "inactive" => {
            Some(CiStatus::Retired)
        }
        _ => None,
    }
}

/// The "Relies on" cell: each part "runs on NAME", "depends on NAME", "connects to NAME" or a
/// bare NAME (depends on).
pub fn relies_on(cell: &str) -> Vec<(RelationKind, String)> {
    cell.split(';')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            for kind in RelationKind::ALL {
                let prefix = kind.label();
                if let Some(head) = part.get(..prefix.len()) {
                    if head.eq_ignore_ascii_case(prefix) && part[prefix.len()..].starts_with(' ') {
                        return (kind, part[prefix.len()..].trim().to_string());
                    }
                }
            }
            (RelationKind::DependsOn, part.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_the_export_and_other_tools_names() {
        assert_eq!(CiColumn::from_header("\u{feff}Name"), Some(CiColumn::Name));
        assert_eq!(CiColumn::from_header("Relies on"), Some(CiColumn::ReliesOn));
        assert_eq!(
            CiColumn::from_header("Operating system"),
            Some(CiColumn::Attribute("operating_system"))
        );
        assert_eq!(
            CiColumn::from_header("sys_class_name"),
            Some(CiColumn::Kind)
        );
        assert_eq!(
            CiColumn::from_header("IP Address"),
            Some(CiColumn::Attribute("ip_address"))
        );
        assert_eq!(CiColumn::from_header("Colour"), None);
        // Every attribute of every kind has its column, once.
        for kind in CiKind::ALL {
            for (key, label) in kind.attributes() {
                assert_eq!(CiColumn::from_header(label), Some(CiColumn::Attribute(key)));
            }
        }
    }

    #[test]
    fn kinds_and_statuses_read_other_tools_words() {
        assert_eq!(kind_from_text("Network device"), Some(CiKind::Network));
        assert_eq!(
            kind_from_text("supplier_service"),
            Some(CiKind::SupplierService)
        );
        assert_eq!(kind_from_text("Linux Server"), Some(CiKind::Server));
        assert_eq!(
            kind_from_text("cmdb_ci_db_instance"),
            Some(CiKind::Database)
        );
        assert_eq!(kind_from_text("IP Router"), Some(CiKind::Network));
        assert_eq!(
            kind_from_text("Business application"),
            Some(CiKind::Application)
        );
        assert_eq!(kind_from_text("Toaster"), None);
        assert_eq!(status_from_text(""), Some(CiStatus::Live));
        assert_eq!(status_from_text("Installed"), Some(CiStatus::Live));
        assert_eq!(status_from_text("on order"), Some(CiStatus::Planned));
        assert_eq!(status_from_text("Decommissioned"), Some(CiStatus::Retired));
        assert_eq!(status_from_text("Broken"), None);
    }

    #[test]
    fn relationships_read_with_or_without_their_kind() {
        assert_eq!(
            relies_on(
                "runs on vm-host-b; Depends On payroll db ;connects to core switch; monitoring"
            ),
            vec![
                (RelationKind::RunsOn, "vm-host-b".to_string()),
                (RelationKind::DependsOn, "payroll db".to_string()),
                (RelationKind::ConnectsTo, "core switch".to_string()),
                (RelationKind::DependsOn, "monitoring".to_string()),
            ]
        );
        // A name that merely starts like a kind stays whole.
        assert_eq!(
            relies_on("runs only at night"),
            vec![(RelationKind::DependsOn, "runs only at night".to_string())]
        );
        assert!(relies_on(" ; ").is_empty());
    }
}
