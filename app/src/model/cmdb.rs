//! The CMDB (clauses 8.2.5 asset management and 8.2.6 configuration management): configuration
//! items (CIs) with their kind, owner, status and the attributes of their kind, the services
//! each directly serves, and the relationships between them.
//!
//! A relationship always reads "source *relies on* target" — it runs on it, depends on it or
//! connects to it — so when the target fails the source is affected, and so is every service
//! the source serves. Impact analysis walks relationships from a failed item to everything that
//! relies on it, directly or through others.

use crate::error::FieldErrors;
use crate::model::access::Role;
use crate::model::actor::ActorFacts;
use crate::model::labelled::labelled_enum;
use crate::model::refs::{PersonRef, ServiceRef};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    pub enum CiKind {
        Application => ("application", "Application"),
        Server => ("server", "Server"),
        Database => ("database", "Database"),
        Network => ("network", "Network device"),
        Document => ("document", "Document"),
        SupplierService => ("supplier_service", "Supplier service"),
    }
}

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum CiStatus {
        Planned => ("planned", "Planned"),
        Live => ("live", "Live"),
        Retired => ("retired", "Retired"),
    }
}

labelled_enum! {
    /// How the source relies on the target; every kind carries failure the same way.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum RelationKind {
        RunsOn => ("runs_on", "runs on"),
        DependsOn => ("depends_on", "depends on"),
        ConnectsTo => ("connects_to", "connects to"),
    }
}

impl RelationKind {
    /// The relationship read from the target's side.
    pub fn reverse_label(self) -> &'static str {
        match self {
            RelationKind::RunsOn => "hosts",
            RelationKind::DependsOn => "is needed by",
            RelationKind::ConnectsTo => "is connected from",
        }
    }
}

/// One attribute a kind of item records: its key in the stored JSON, and its label.
pub type Attribute = (&'static str, &'static str);

impl CiKind {
    /// The attributes an item of this kind records (all optional text).
    pub fn attributes(self) -> &'static [Attribute] {
        match self {
            CiKind::Application => &[
                ("vendor", "Vendor"),
                ("version", "Version"),
                ("url", "Address (URL)"),
            ],
            CiKind::Server => &[
                ("hostname", "Host name"),
                ("operating_system", "Operating system"),
                ("ip_address", "IP address"),
                ("location", "Location"),
            ],
            CiKind::Database => &[
                ("engine", "Engine"),
                ("version", "Version"),
                ("host", "Host"),
            ],
            CiKind::Network => &[
                ("model", "Model"),
                ("ip_address", "IP address"),
                ("location", "Location"),
            ],
            CiKind::Document => &[("reference", "Where it is kept"), ("version", "Version")],
            CiKind::SupplierService => &[
                ("contract_reference", "Contract reference"),
                ("service_hours", "Service hours"),
            ],
        }
    }

    /// Every attribute of every kind, once, in the kinds' order (kinds share some keys): the
    /// form's inputs, the export's columns.
    pub fn all_attributes() -> Vec<Attribute> {
        let mut all: Vec<Attribute> = Vec::new();
        for kind in CiKind::ALL {
            for attribute in kind.attributes() {
                if !all.iter().any(|(key, _)| *key == attribute.0) {
                    all.push(*attribute);
                }
            }
        }
        all
    }
}

/// An item relies on at most this many others directly (more is a modelling mistake).
pub const MAX_RELATIONSHIPS: usize = 200;
/// An item serves at most this many services directly.
pub const MAX_SERVICES: usize = 50;
/// Longest attribute value.
pub const MAX_ATTRIBUTE: usize = 200;
/// Impact analysis stops this many relationships away from the failed item.
pub const MAX_DEPTH: u32 = 30;
/// The graph on an item's page shows this many steps either way.
pub const GRAPH_DEPTH: u32 = 3;
/// …and at most this many items in a column.
pub const GRAPH_COLUMN: usize = 8;

pub fn reference(id: i64) -> String {
    format!("CI-{id}")
}

/// "CI-12" (any case) as the item's id.
pub fn parse_reference(text: &str) -> Option<i64> {
    let text = text.trim();
    match text.get(..3) {
        Some(prefix) if prefix.eq_ignore_ascii_case("CI-") => {
            text[3..].parse::<i64>().ok().filter(|id| *id > 0)
        }
        _ => None,
    }
}

/// Who changes an item and its relationships: its owner or a change manager (who controls
/// the configuration); an item without an owner, whoever keeps the CMDB, so someone can
/// take it on.
pub fn may_change(owner_id: Option<i64>, actor: &ActorFacts) -> bool {
    match owner_id {
        Some(owner) => actor.user_id == owner || actor.has(Role::ChangeManager),
        None => true,
    }
}

pub const NOT_YOURS: &str = "Only the item's owner or a change manager changes it.";

/// Why an item may not be retired while others still rely on it (names up to five).
pub fn retire_refusal(name: &str, relied_on_by: &[String], total: u64) -> Option<String> {
    if relied_on_by.is_empty() {
        return None;
    }
    let shown = relied_on_by
        .iter()
        .take(5)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let more = total.saturating_sub(relied_on_by.len().min(5) as u64);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    Some(format!(
        "{name} cannot be retired while items in use rely on it ({shown}{more}): move or remove those relationships first."
    ))
}

/// An item as typed into the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CiForm {
    pub name: String,
    pub kind: String,
    pub status: String,
    /// Empty: nobody owns it yet (the clause 8.2.6 evidence flags it).
    pub owner_id: String,
    /// The supplier register's entry (a supplier service only).
    pub supplier_id: String,
    pub description: String,
    pub service_ids: Vec<String>,
    /// Keyed by attribute; keys of other kinds than the chosen one are ignored.
    pub attributes: BTreeMap<String, String>,
}

/// A checked item, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CiDraft {
    pub name: String,
    pub kind: CiKind,
    pub status: CiStatus,
    pub owner_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub description: String,
    pub service_ids: Vec<i64>,
    /// The kind's attributes that have a value.
    pub attributes: BTreeMap<String, String>,
}

fn optional_id(errors: &mut FieldErrors, field: &str, value: &str, message: &str) -> Option<i64> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            errors.add(field, message);
            None
        }
    }
}

impl CiForm {
    pub fn validate(&self) -> Result<CiDraft, FieldErrors> {
        use crate::model::text::{bounded, line};
        let mut errors = FieldErrors::new();
        let name = line(&mut errors, "name", "Name", &self.name, 2, 160);
        if name.contains(';') {
            errors.add(
                "name",
                "A name may not contain “;”: CSV files use it to separate names.",
            );
        }
        // The unique key is the name in lower case, and some letters grow when lowered.
        if name.to_lowercase().chars().count() > 160 {
            errors.add(
                "name",
                "The name is too long in lower case (some letters grow): shorten it.",
            );
        }
        if parse_reference(&name).is_some() {
            errors.add(
                "name",
                "A name that reads as a reference (CI-12) would be mistaken for one: describe the item.",
            );
        }
        let kind = CiKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "Choose what kind of item it is.");
        }
        let status = CiStatus::parse(&self.status);
        if status.is_none() {
            errors.add("status", "Choose whether it is planned, live or retired.");
        }
        let owner_id = optional_id(
            &mut errors,
            "owner_id",
            &self.owner_id,
            "Choose the owner from the list.",
        );
        let supplier_id = optional_id(
            &mut errors,
            "supplier_id",
            &self.supplier_id,
            "Choose the supplier from the register.",
        )
        .filter(|_| kind == Some(CiKind::SupplierService));
        let description = bounded(
            &mut errors,
            "description",
            "Description",
            &self.description,
            0,
            2000,
        );
        let service_ids = crate::model::refs::chosen_ids(
            &mut errors,
            "service_ids",
            &self.service_ids,
            MAX_SERVICES,
            "Choose at most 50 services: an item serving more is part of every service — say so in its description.",
        );
        let known: Vec<&str> = CiKind::all_attributes().iter().map(|(k, _)| *k).collect();
        let mut attributes = BTreeMap::new();
        for (key, value) in &self.attributes {
            if !known.contains(&key.as_str()) {
                errors.add(
                    "attributes",
                    format!("“{key}” is not an attribute Conform records."),
                );
                continue;
            }
            let Some(kind) = kind else { continue };
            let Some((_, label)) = kind.attributes().iter().find(|(k, _)| k == key) else {
                continue;
            };
            let field = format!("attributes.{key}");
            let value = line(&mut errors, &field, label, value, 0, MAX_ATTRIBUTE);
            if !value.is_empty() {
                attributes.insert(key.clone(), value);
            }
        }
        match (kind, status) {
            (Some(kind), Some(status)) if errors.is_empty() => Ok(CiDraft {
                name,
                kind,
                status,
                owner_id,
                supplier_id,
                description,
                service_ids,
                attributes,
            }),
            _ => Err(errors),
        }
    }
}

/// A relationship as typed on the item's page: this item relies on another.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RelationshipForm {
    pub kind: String,
    /// The other item: its reference (CI-12) or its exact name.
    pub target: String,
}

/// The other item of a new relationship, as named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    Id(i64),
    Name(String),
}

impl RelationshipForm {
    pub fn validate(&self) -> Result<(RelationKind, Target), FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = RelationKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "Choose how it relies on the other item.");
        }
        let target = target_of(&mut errors, "The other item", &self.target);
        match kind {
            Some(kind) if errors.is_empty() => Ok((kind, target)),
            _ => Err(errors),
        }
    }
}

/// An item named by its reference (CI-12) or its exact name, checked under `target`.
fn target_of(errors: &mut FieldErrors, label: &str, text: &str) -> Target {
    let text = crate::model::text::line(errors, "target", label, text, 1, 160);
    match parse_reference(&text) {
        Some(id) => Target::Id(id),
        None => Target::Name(text),
    }
}

labelled_enum! {
    /// The records besides changes that name the configuration items they touch.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum NamedBy {
        Incident => ("incident", "incident"),
        Problem => ("problem", "problem"),
    }
}

/// How many items one incident or problem names at most.
pub const MAX_NAMED: usize = 50;

/// An item an incident or a problem names: its reference or exact name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CiNameForm {
    pub target: String,
}

impl CiNameForm {
    pub fn validate(&self) -> Result<Target, FieldErrors> {
        let mut errors = FieldErrors::new();
        let target = target_of(&mut errors, "The item", &self.target);
        errors.into_result(target)
    }
}

/// The incidents and problems that named an item: (label, link), newest first, and how many.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Naming {
    pub incidents: Vec<(String, String)>,
    pub incidents_total: u64,
    pub problems: Vec<(String, String)>,
    pub problems_total: u64,
}

/// Why a relationship may not be added (the pure rules; the server also checks the other
/// item exists and the pair is new).
pub fn relationship_refusal(
    source_id: i64,
    target_id: i64,
    source_status: CiStatus,
    target_status: CiStatus,
    existing: usize,
) -> Option<&'static str> {
    if source_id == target_id {
        Some("An item cannot rely on itself.")
    } else if source_status == CiStatus::Retired || target_status == CiStatus::Retired {
        Some("A retired item takes no new relationships.")
    } else if existing >= MAX_RELATIONSHIPS {
        Some("An item relies directly on at most 200 others.")
    } else {
        None
    }
}

/// An item as other records name it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CiRef {
    pub id: i64,
    pub name: String,
    pub kind: CiKind,
    pub status: CiStatus,
}

impl CiRef {
    pub fn reference(&self) -> String {
        reference(self.id)
    }

    pub fn href(&self) -> String {
        format!("/cmdb/{}", self.id)
    }
}

/// A relationship seen from one of its items: the other item and how they relate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relationship {
    pub id: i64,
    pub kind: RelationKind,
    pub other: CiRef,
}

/// An item reached by walking relationships, `depth` steps away, through `via` (the item one
/// step nearer; `None` next to the start).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reached {
    pub ci: CiRef,
    pub depth: u32,
    pub via: Option<i64>,
}

/// A service affected through an item (the nearest one that serves it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedService {
    pub service: ServiceRef,
    pub through: CiRef,
    /// 0: the failed item serves it itself.
    pub depth: u32,
}

/// If an item fails: what relies on it (directly or not) and which services that reaches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact {
    pub services: Vec<AffectedService>,
    /// Nearest first, at most `shown` of `reached`.
    pub items: Vec<Reached>,
    pub reached: u64,
    /// The walk stopped at `MAX_DEPTH` with more to go.
    pub cut_short: bool,
}

impl Impact {
    pub fn words(&self) -> String {
        let items = match self.reached {
            0 => "nothing else relies on it".to_string(),
            1 => "1 item relies on it".to_string(),
            n => format!("{n} items rely on it"),
        };
        let services = match self.services.len() {
            0 => "no service is affected".to_string(),
            1 => "1 service is affected".to_string(),
            n => format!("{n} services are affected"),
        };
        let mut words = format!("{services}; {items}.");
        words[..1].make_ascii_uppercase();
        words
    }
}

/// What a change's configuration items reach: the items its list names that the CMDB holds,
/// the names it does not, and the services a failure of those items would affect — flagged
/// when the change does not name the service itself (the CAB's blind spot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeImpact {
    /// What names the items: "change", "incident" or "problem".
    pub subject: String,
    pub items: Vec<CiRef>,
    pub unknown: Vec<String>,
    pub services: Vec<AffectedService>,
    /// Ids of the services the change names.
    pub named: Vec<i64>,
    pub reached: u64,
}

impl ChangeImpact {
    /// Services reached that the change does not name.
    pub fn beyond(&self) -> Vec<&AffectedService> {
        self.services
            .iter()
            .filter(|s| !self.named.contains(&s.service.id))
            .collect()
    }

    pub fn words(&self) -> String {
        let in_use = self
            .items
            .iter()
            .filter(|i| i.status != CiStatus::Retired)
            .count();
        if self.items.is_empty() {
            return format!(
                "None of the {}'s configuration items is in the CMDB.",
                self.subject
            );
        }
        if in_use == 0 {
            return "Its configuration items in the CMDB are all retired.".into();
        }
        let beyond = self.beyond();
        match beyond.len() {
            0 => format!(
                "Through {} item{} in the CMDB it reaches only the services it names.",
                in_use,
                if in_use == 1 { "" } else { "s" }
            ),
            n => format!(
                "It reaches {n} service{} it does not name: {}.",
                if n == 1 { "" } else { "s" },
                beyond
                    .iter()
                    .map(|s| s.service.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// The item's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigurationItem {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub kind: CiKind,
    pub status: CiStatus,
    pub owner: Option<PersonRef>,
    pub supplier: Option<(i64, String)>,
    pub description: String,
    pub attributes: BTreeMap<String, String>,
    pub services: Vec<ServiceRef>,
    pub relies_on: Vec<Relationship>,
    pub relied_on_by: Vec<Relationship>,
    /// All relationships the other way (the list above shows at most 200).
    pub relied_on_by_total: u64,
    pub created_by: PersonRef,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl ConfigurationItem {
    pub fn as_ref(&self) -> CiRef {
        CiRef {
            id: self.id,
            name: self.name.clone(),
            kind: self.kind,
            status: self.status,
        }
    }

    pub fn form(&self) -> CiForm {
        CiForm {
            name: self.name.clone(),
            kind: self.kind.as_str().into(),
            status: self.status.as_str().into(),
            owner_id: self
                .owner
                .as_ref()
                .map(|p| p.id.to_string())
                .unwrap_or_default(),
            supplier_id: self
                .supplier
                .as_ref()
                .map(|(id, _)| id.to_string())
                .unwrap_or_default(),
            description: self.description.clone(),
            service_ids: self.services.iter().map(|s| s.id.to_string()).collect(),
            attributes: self.attributes.clone(),
        }
    }

    /// The kind's attributes with their labels, recorded ones only.
    pub fn attribute_rows(&self) -> Vec<(&'static str, String)> {
        self.kind
            .attributes()
            .iter()
            .filter_map(|(key, label)| self.attributes.get(*key).map(|v| (*label, v.clone())))
            .collect()
    }
}

/// The item's page: the item, what a failure reaches, what it relies on (for the graph), and
/// what the reader may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CiRecord {
    pub item: ConfigurationItem,
    pub impact: Impact,
    /// The incidents and problems that named it.
    pub naming: Naming,
    /// What it relies on, up to `GRAPH_DEPTH` steps.
    pub dependencies: Vec<Reached>,
    pub may_change: bool,
}

/// What the item form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CiChoices {
    pub services: Vec<ServiceRef>,
    pub owners: Vec<PersonRef>,
    pub suppliers: Vec<(i64, String)>,
}

/// A row of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CiRow {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub kind: CiKind,
    pub status: CiStatus,
    pub owner: Option<String>,
    pub services: Vec<String>,
}

/// A row of the CSV export (and of a file the import reads back): the register row and the
/// rest of the item, with what it relies on as "runs on Payroll server".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CiExportRow {
    pub row: CiRow,
    pub description: String,
    pub attributes: BTreeMap<String, String>,
    pub relies_on: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CiPage {
    pub rows: Vec<CiRow>,
    pub total: u64,
    pub page: u64,
    pub pages: u64,
}

/// The register's filters, as in the query string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CiListParams {
    pub q: String,
    pub kind: String,
    /// Empty: in use (planned or live); `live`, `planned`, `retired` or `all`.
    pub status: String,
    /// `none`: items without an owner.
    pub owner: String,
    pub service: String,
    pub page: String,
    pub after: String,
    pub before: String,
}

impl CiListParams {
    /// The statuses shown.
    pub fn statuses(&self) -> Vec<CiStatus> {
        match self.status.trim() {
            "all" => CiStatus::ALL.to_vec(),
            other => match CiStatus::parse(other) {
                Some(status) => vec![status],
                None => vec![CiStatus::Planned, CiStatus::Live],
            },
        }
    }

    pub fn kind(&self) -> Option<CiKind> {
        CiKind::parse(&self.kind)
    }

    pub fn unowned(&self) -> bool {
        self.owner.trim() == "none"
    }

    pub fn service_id(&self) -> Option<i64> {
        self.service.trim().parse::<i64>().ok().filter(|id| *id > 0)
    }

    pub fn search(&self) -> String {
        self.q.trim().chars().take(100).collect()
    }

    pub fn page_number(&self) -> u64 {
        crate::model::listing::parse_page(Some(&self.page))
    }

    pub fn page_key(&self) -> Option<crate::model::listing::PageKey> {
        crate::model::listing::PageKey::parse(Some(&self.after), Some(&self.before))
    }

    pub fn href_at(&self, page: u64, key: Option<crate::model::listing::PageKey>) -> String {
        crate::model::listing::list_href(
            "/cmdb",
            &[
                ("q", &self.q),
                ("kind", &self.kind),
                ("status", &self.status),
                ("owner", &self.owner),
                ("service", &self.service),
            ],
            page,
            key,
        )
    }
}

/// A box of the graph on an item's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphNode {
    /// `None` for a service box and for the "more" box.
    pub href: Option<String>,
    pub label: String,
    pub detail: String,
    pub x: u32,
    pub y: u32,
    pub centre: bool,
    pub service: bool,
}

/// The graph on an item's page: services affected on the left, then what relies on the
/// item, the item, and what it relies on to the right — one column per step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Graph {
    pub nodes: Vec<GraphNode>,
    /// Lines between boxes, by index into `nodes`.
    pub edges: Vec<(usize, usize)>,
    pub width: u32,
    pub height: u32,
}

pub const NODE_WIDTH: u32 = 170;
pub const NODE_HEIGHT: u32 = 40;
const COLUMN_GAP: u32 = 40;
const ROW_GAP: u32 = 14;

impl Graph {
    /// Lays out `centre`, what relies on it (`upstream`), what it relies on (`downstream`)
    /// and the services affected, each column capped at `GRAPH_COLUMN` boxes (the last says
    /// how many more).
    pub fn layout(
        centre: &CiRef,
        upstream: &[Reached],
        downstream: &[Reached],
        services: &[AffectedService],
    ) -> Graph {
        // Columns left to right: services, upstream depth GRAPH_DEPTH..1, centre, downstream 1..
        let depth_of = |items: &[Reached]| {
            items
                .iter()
                .map(|r| r.depth)
                .filter(|d| *d <= GRAPH_DEPTH)
                .max()
                .unwrap_or(0)
        };
        let up = depth_of(upstream);
        let down = depth_of(downstream);
        let has_services = !services.is_empty();
        let services_column = 0;
        let first_up = u32::from(has_services);
        let centre_column = first_up + up;
        let mut nodes: Vec<GraphNode> = Vec::new();
        let mut edges = Vec::new();
        let mut index_of: BTreeMap<i64, usize> = BTreeMap::new();
        let mut rows_in: BTreeMap<u32, u32> = BTreeMap::new();
        let x_of = |column: u32| column * (NODE_WIDTH + COLUMN_GAP);
        let mut place = |nodes: &mut Vec<GraphNode>, column: u32, mut node: GraphNode| {
            let row = rows_in.entry(column).or_insert(0);
            node.x = x_of(column);
            node.y = *row * (NODE_HEIGHT + ROW_GAP);
            *row += 1;
            nodes.push(node);
            nodes.len() - 1
        };
        let box_of = |ci: &CiRef, centre: bool| GraphNode {
            href: Some(ci.href()),
            label: crate::model::text::shorten(&ci.name, 24),
            detail: format!("{} · {}", ci.reference(), ci.kind.label()),
            x: 0,
            y: 0,
            centre,
            service: false,
        };
        let centre_index = place(&mut nodes, centre_column, box_of(centre, true));
        index_of.insert(centre.id, centre_index);
        for (items, upward) in [(upstream, true), (downstream, false)] {
            for depth in 1..=GRAPH_DEPTH {
                let column = if upward {
                    centre_column.saturating_sub(depth)
                } else {
                    centre_column + depth
                };
                let at: Vec<&Reached> = items.iter().filter(|r| r.depth == depth).collect();
                for reached in at.iter().take(GRAPH_COLUMN) {
                    let index = place(&mut nodes, column, box_of(&reached.ci, false));
                    index_of.insert(reached.ci.id, index);
                    let nearer = reached.via.unwrap_or(centre.id);
                    if let Some(&from) = index_of.get(&nearer) {
                        edges.push((from, index));
                    }
                }
                if at.len() > GRAPH_COLUMN {
                    place(
                        &mut nodes,
                        column,
                        GraphNode {
                            href: None,
                            label: format!("and {} more", at.len() - GRAPH_COLUMN),
                            detail: "listed below".into(),
                            x: 0,
                            y: 0,
                            centre: false,
                            service: false,
                        },
                    );
                }
            }
        }
        for (shown, affected) in services.iter().enumerate() {
            if shown == GRAPH_COLUMN {
                place(
                    &mut nodes,
                    services_column,
                    GraphNode {
                        href: None,
                        label: format!("and {} more", services.len() - GRAPH_COLUMN),
                        detail: "services listed below".into(),
                        x: 0,
                        y: 0,
                        centre: false,
                        service: true,
                    },
                );
                break;
            }
            let index = place(
                &mut nodes,
                services_column,
                GraphNode {
                    href: Some(format!("/services/{}", affected.service.id)),
                    label: crate::model::text::shorten(&affected.service.name, 24),
                    detail: "Service affected".into(),
                    x: 0,
                    y: 0,
                    centre: false,
                    service: true,
                },
            );
            if let Some(&through) = index_of.get(&affected.through.id) {
                edges.push((through, index));
            }
        }
        let columns = centre_column + down + 1;
        let tallest = nodes.iter().map(|n| n.y).max().unwrap_or(0);
        Graph {
            nodes,
            edges,
            width: x_of(columns) - COLUMN_GAP,
            height: tallest + NODE_HEIGHT,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn form() -> CiForm {
        CiForm {
            name: "Payroll database".into(),
            kind: "database".into(),
            status: "live".into(),
            owner_id: "4".into(),
            supplier_id: String::new(),
            description: "The payroll system's records".into(),
            service_ids: vec!["2".into()],
            attributes: [
                ("engine".to_string(), "PostgreSQL".to_string()),
                ("version".to_string(), " 15 ".to_string()),
                ("hostname".to_string(), "left over from server".to_string()),
            ]
            .into_iter()
            .collect(),
        }
    }

    fn ci(id: i64) -> CiRef {
        CiRef {
            id,
            name: format!("Item {id}"),
            kind: CiKind::Server,
            status: CiStatus::Live,
        }
    }

    #[test]
    fn a_form_keeps_the_attributes_of_its_kind_only() {
        let draft = form().validate().unwrap();
        assert_eq!(draft.kind, CiKind::Database);
        assert_eq!(draft.owner_id, Some(4));
        assert_eq!(draft.attributes.get("version").unwrap(), "15");
        assert!(!draft.attributes.contains_key("hostname"));
        assert_eq!(draft.service_ids, vec![2]);
    }

    #[test]
    fn a_form_says_what_is_wrong_field_by_field() {
        let mut bad = form();
        bad.name = "CI-7".into();
        bad.kind = "mainframe".into();
        bad.status = String::new();
        bad.owner_id = "someone".into();
        bad.attributes.insert("colour".into(), "blue".into());
        let errors = bad.validate().unwrap_err();
        for field in ["name", "kind", "status", "owner_id", "attributes"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let mut long = form();
        long.attributes
            .insert("engine".into(), "x".repeat(MAX_ATTRIBUTE + 1));
        assert!(long
            .validate()
            .unwrap_err()
            .get("attributes.engine")
            .is_some());
        let mut broken = form();
        broken.attributes.insert("engine".into(), "a\nb".into());
        assert!(broken.validate().is_err());
        // 100 × "İ" is 100 characters, but 200 once lowered for the unique key.
        let mut growing = form();
        growing.name = "İ".repeat(100);
        assert!(growing.validate().unwrap_err().get("name").is_some());
    }

    #[test]
    fn only_a_supplier_service_names_a_supplier() {
        let mut with_supplier = form();
        with_supplier.supplier_id = "3".into();
        assert_eq!(with_supplier.validate().unwrap().supplier_id, None);
        with_supplier.kind = "supplier_service".into();
        assert_eq!(with_supplier.validate().unwrap().supplier_id, Some(3));
        with_supplier.supplier_id = "-3".into();
        assert!(with_supplier
            .validate()
            .unwrap_err()
            .get("supplier_id")
            .is_some());
    }

    #[test]
    fn an_owner_or_a_change_manager_changes_an_owned_item() {
        let owner = ActorFacts::person(4, vec![Role::ServiceOwner]);
        let other = ActorFacts::person(5, vec![Role::Resolver]);
        let manager = ActorFacts::person(6, vec![Role::ChangeManager]);
        assert!(may_change(Some(4), &owner));
        assert!(!may_change(Some(4), &other));
        assert!(may_change(Some(4), &manager));
        assert!(may_change(None, &other));
    }

    #[test]
    fn references_read_both_ways() {
        assert_eq!(parse_reference(&reference(42)), Some(42));
        assert_eq!(parse_reference(" ci-7 "), Some(7));
        assert_eq!(parse_reference("CI-0"), None);
        assert_eq!(parse_reference("Payroll"), None);
        assert_eq!(parse_reference("CI-"), None);
    }

    #[test]
    fn a_relationship_names_its_target_by_reference_or_name() {
        let by_ref = RelationshipForm {
            kind: "runs_on".into(),
            target: "CI-9".into(),
        };
        assert_eq!(
            by_ref.validate().unwrap(),
            (RelationKind::RunsOn, Target::Id(9))
        );
        let by_name = RelationshipForm {
            kind: "depends_on".into(),
            target: " Core switch ".into(),
        };
        assert_eq!(
            by_name.validate().unwrap().1,
            Target::Name("Core switch".into())
        );
        let bad = RelationshipForm::default().validate().unwrap_err();
        assert!(bad.get("kind").is_some() && bad.get("target").is_some());
    }

    #[test]
    fn relationship_rules() {
        use CiStatus::*;
        assert!(relationship_refusal(1, 1, Live, Live, 0).is_some());
        assert!(relationship_refusal(1, 2, Retired, Live, 0).is_some());
        assert!(relationship_refusal(1, 2, Live, Retired, 0).is_some());
        assert!(relationship_refusal(1, 2, Live, Live, MAX_RELATIONSHIPS).is_some());
        assert!(relationship_refusal(1, 2, Planned, Live, 3).is_none());
    }

    #[test]
    fn retiring_is_refused_while_items_rely_on_it() {
        assert_eq!(retire_refusal("Core switch", &[], 0), None);
        let names: Vec<String> = (1..=7).map(|i| format!("App {i}")).collect();
        let words = retire_refusal("Core switch", &names, 9).unwrap();
        assert!(
            words.contains("App 5") && !words.contains("App 6"),
            "{words}"
        );
        assert!(words.contains("and 4 more"), "{words}");
    }

    #[test]
    fn impact_says_what_it_reached() {
        let mut impact = Impact {
            services: vec![],
            items: vec![],
            reached: 0,
            cut_short: false,
        };
        assert_eq!(
            impact.words(),
            "No service is affected; nothing else relies on it."
        );
        impact.reached = 1;
        assert_eq!(
            impact.words(),
            "No service is affected; 1 item relies on it."
        );
        impact.reached = 3;
        impact.services.push(AffectedService {
            service: ServiceRef {
                id: 1,
                name: "Payroll".into(),
            },
            through: ci(2),
            depth: 1,
        });
        assert_eq!(impact.words(), "1 service is affected; 3 items rely on it.");
    }

    #[test]
    fn the_graph_puts_services_left_and_dependencies_right() {
        let up = vec![
            Reached {
                ci: ci(2),
                depth: 1,
                via: None,
            },
            Reached {
                ci: ci(3),
                depth: 2,
                via: Some(2),
            },
        ];
        let down = vec![Reached {
            ci: ci(9),
            depth: 1,
            via: None,
        }];
        let services = vec![AffectedService {
            service: ServiceRef {
                id: 5,
                name: "Payroll".into(),
            },
            through: ci(3),
            depth: 2,
        }];
        let graph = Graph::layout(&ci(1), &up, &down, &services);
        let x = |label: &str| graph.nodes.iter().find(|n| n.label == label).unwrap().x;
        assert!(x("Payroll") < x("Item 3"));
        assert!(x("Item 3") < x("Item 2"));
        assert!(x("Item 2") < x("Item 1"));
        assert!(x("Item 1") < x("Item 9"));
        assert_eq!(graph.edges.len(), 4);
        assert!(graph.nodes.iter().all(|n| n.x + NODE_WIDTH <= graph.width));
    }

    proptest! {
        /// However many items each step reaches, every box lies inside the drawing, no two
        /// boxes overlap, no column holds more than its cap plus the "more" box, and every
        /// line joins two boxes.
        #[test]
        fn the_graph_stays_inside_its_frame(counts in proptest::collection::vec(0usize..20, 1..4), services in 0usize..15) {
            let mut up = Vec::new();
            let mut next = 10;
            for (step, count) in counts.iter().enumerate() {
                for _ in 0..*count {
                    up.push(Reached { ci: ci(next), depth: step as u32 + 1, via: None });
                    next += 1;
                }
            }
            let affected: Vec<AffectedService> = (0..services).map(|i| AffectedService {
                service: ServiceRef { id: i as i64 + 1, name: format!("S{i}") },
                through: ci(1),
                depth: 0,
            }).collect();
            let graph = Graph::layout(&ci(1), &up, &up, &affected);
            for node in &graph.nodes {
                prop_assert!(node.x + NODE_WIDTH <= graph.width);
                prop_assert!(node.y + NODE_HEIGHT <= graph.height);
            }
            for (i, a) in graph.nodes.iter().enumerate() {
                for b in graph.nodes.iter().skip(i + 1) {
                    prop_assert!(!(a.x == b.x && a.y == b.y));
                }
                let in_column = graph.nodes.iter().filter(|n| n.x == a.x).count();
                prop_assert!(in_column <= GRAPH_COLUMN + 1);
            }
            for (from, to) in &graph.edges {
                prop_assert!(*from < graph.nodes.len() && *to < graph.nodes.len());
            }
        }
    }
}
