//! The service catalogue (ISO/IEC 20000-1 clause 8.2.4): the IT services the organisation
//! delivers, who owns them, how critical they are and which customers they serve.

use crate::error::FieldErrors;
use crate::model::labelled::labelled_enum;
use crate::model::listing::{parse_page, SortDirection, DEFAULT_PAGE_SIZE};
use crate::model::text::bounded;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const NAME_MAX: usize = 80;
pub const OWNER_MAX: usize = 80;
pub const DESCRIPTION_MAX: usize = 2000;
pub const CUSTOMER_MAX: usize = 80;
pub const CUSTOMERS_MAX: usize = 50;
pub const SEARCH_MAX: usize = 100;

labelled_enum! {
    /// How badly the business suffers when the service is down: a fixed four-step scale.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    pub enum Criticality {
        Low => ("low", "Low"),
        Medium => ("medium", "Medium"),
        High => ("high", "High"),
        Critical => ("critical", "Critical"),
    }
}

impl Criticality {
    /// Position on the scale, 1 (low) to 4 (critical); stored so sorting follows the scale.
    pub fn rank(self) -> i16 {
        match self {
            Self::Low => 1,
            Self::Medium => 2,
            Self::High => 3,
            Self::Critical => 4,
        }
    }

    pub fn from_rank(rank: i16) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.rank() == rank)
    }
}

labelled_enum! {
    /// Where the service stands in the service portfolio.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    pub enum ServiceStatus {
        Pipeline => ("pipeline", "Pipeline"),
        Live => ("live", "Live"),
        Retiring => ("retiring", "Retiring"),
        Retired => ("retired", "Retired"),
    }
}

/// A service as the UI sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub id: i64,
    pub name: String,
    pub owner: String,
    pub criticality: Criticality,
    pub status: ServiceStatus,
    pub description: String,
    pub customers: Vec<String>,
    pub archived: bool,
    /// Optimistic-concurrency token: an update must name the version it started from.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Service {
    /// The form pre-filled with this service, for the edit page.
    pub fn to_form(&self) -> ServiceForm {
        ServiceForm {
            name: self.name.clone(),
            owner: self.owner.clone(),
            criticality: self.criticality.as_str().to_string(),
            status: self.status.as_str().to_string(),
            description: self.description.clone(),
            customers: self.customers.join("\n"),
        }
    }
}

/// What a person typed into the service form, as posted (every field a string).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceForm {
    pub name: String,
    pub owner: String,
    pub criticality: String,
    pub status: String,
    #[serde(default)]
    pub description: String,
    /// One customer per line (commas also separate).
    #[serde(default)]
    pub customers: String,
}

/// A validated service form, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceDraft {
    pub name: String,
    pub owner: String,
    pub criticality: Criticality,
    pub status: ServiceStatus,
    pub description: String,
    pub customers: Vec<String>,
}

impl ServiceDraft {
    /// Key used to keep names unique regardless of case and inner spacing.
    pub fn name_key(&self) -> String {
        name_key(&self.name)
    }
}

pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl ServiceForm {
    /// Validates every field; the same rules run in the browser and on the server.
    pub fn validate(&self) -> Result<ServiceDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = crate::model::text::line(&mut errors, "name", "Name", &self.name, 2, NAME_MAX);
        let owner = bounded(&mut errors, "owner", "Owner", &self.owner, 2, OWNER_MAX);
        let description = bounded(
            &mut errors,
            "description",
            "Description",
            &self.description,
            0,
            DESCRIPTION_MAX,
        );
        let criticality = Criticality::parse(&self.criticality);
        if criticality.is_none() {
            errors.add(
                "criticality",
                "Choose a criticality: low, medium, high or critical.",
            );
        }
        let status = ServiceStatus::parse(&self.status);
        if status.is_none() {
            errors.add(
                "status",
                "Choose a status: pipeline, live, retiring or retired.",
            );
        }
        let customers = parse_customers(&self.customers, &mut errors);
        match (criticality, status) {
            (Some(criticality), Some(status)) => errors.into_result(ServiceDraft {
                name: name.split_whitespace().collect::<Vec<_>>().join(" "),
                owner,
                criticality,
                status,
                description,
                customers,
            }),
            _ => Err(errors),
        }
    }
}

/// Splits the customers field on new lines and commas, dropping blanks and duplicates.
fn parse_customers(raw: &str, errors: &mut FieldErrors) -> Vec<String> {
    let mut customers: Vec<String> = Vec::new();
    for entry in raw
        .split(['\n', ','])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        if entry.chars().count() > CUSTOMER_MAX {
            errors.add(
                "customers",
                format!("Each customer name must be at most {CUSTOMER_MAX} characters."),
            );
        } else if entry.chars().any(char::is_control) {
            errors.add(
                "customers",
                "Customer names cannot contain control characters.",
            );
        } else if !customers.iter().any(|c| c.eq_ignore_ascii_case(entry)) {
            customers.push(entry.to_string());
        }
    }
    if customers.len() > CUSTOMERS_MAX {
        errors.add(
            "customers",
            format!("List at most {CUSTOMERS_MAX} customers."),
        );
    }
    customers
}

labelled_enum! {
    /// Columns the catalogue can be sorted by.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
    pub enum ServiceSort {
        #[default]
        Name => "name",
        Owner => "owner",
        Criticality => "criticality",
        Status => "status",
        Updated => "updated",
    }
}

labelled_enum! {
    /// Which services the list shows by archive state.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
    pub enum ArchiveFilter {
        #[default]
        Active => "active",
        Archived => "archived",
        All => "all",
    }
}

/// A validated catalogue query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceQuery {
    pub search: String,
    pub criticality: Option<Criticality>,
    pub archive: ArchiveFilter,
    pub sort: ServiceSort,
    pub direction: SortDirection,
    pub page: u64,
    pub page_size: u64,
}

impl Default for ServiceQuery {
    fn default() -> Self {
        Self {
            search: String::new(),
            criticality: None,
            archive: ArchiveFilter::Active,
            sort: ServiceSort::Name,
            direction: SortDirection::Ascending,
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

/// The list page's query string, every value as it came in.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceQueryParams {
    pub q: Option<String>,
    pub criticality: Option<String>,
    pub show: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<String>,
}

impl ServiceQueryParams {
    /// Lenient for navigation (an unknown sort falls back to the default), strict on length.
    pub fn to_query(&self) -> ServiceQuery {
        let defaults = ServiceQuery::default();
        let search: String = self
            .q
            .as_deref()
            .unwrap_or_default()
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .take(SEARCH_MAX)
            .collect();
        ServiceQuery {
            search,
            criticality: self.criticality.as_deref().and_then(Criticality::parse),
            archive: self
                .show
                .as_deref()
                .and_then(ArchiveFilter::parse)
                .unwrap_or(defaults.archive),
            sort: self
                .sort
                .as_deref()
                .and_then(ServiceSort::parse)
                .unwrap_or(defaults.sort),
            direction: self
                .dir
                .as_deref()
                .and_then(SortDirection::parse)
                .unwrap_or(defaults.direction),
            page: parse_page(self.page.as_deref()),
            page_size: defaults.page_size,
        }
    }
}

impl ServiceQuery {
    /// The query string that reproduces this query, with `changes` applied.
    pub fn href(&self, changes: impl FnOnce(&mut ServiceQuery)) -> String {
        let mut query = self.clone();
        changes(&mut query);
        let mut parts = Vec::new();
        if !query.search.is_empty() {
            parts.push(format!("q={}", encode_component(&query.search)));
        }
        if let Some(criticality) = query.criticality {
            parts.push(format!("criticality={}", criticality.as_str()));
        }
        if query.archive != ArchiveFilter::Active {
            parts.push(format!("show={}", query.archive.as_str()));
        }
        if query.sort != ServiceSort::Name {
            parts.push(format!("sort={}", query.sort.as_str()));
        }
        if query.direction != SortDirection::Ascending {
            parts.push(format!("dir={}", query.direction.as_str()));
        }
        if query.page > 1 {
            parts.push(format!("page={}", query.page));
        }
        if parts.is_empty() {
            "/services".to_string()
        } else {
            format!("/services?{}", parts.join("&"))
        }
    }
}

/// Percent-encodes a query string component (RFC 3986 unreserved characters pass through).
pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn valid_form() -> ServiceForm {
        ServiceForm {
            name: "  E-mail   and calendar ".into(),
            owner: "Dana Whitfield".into(),
            criticality: "high".into(),
            status: "live".into(),
            description: "Exchange Online for all staff.".into(),
            customers: "Finance\nSales, finance\n\n  HR ".into(),
        }
    }

    #[test]
    fn valid_form_becomes_a_clean_draft() {
        let draft = valid_form().validate().unwrap();
        assert_eq!(draft.name, "E-mail and calendar");
        assert_eq!(draft.criticality, Criticality::High);
        assert_eq!(draft.status, ServiceStatus::Live);
        assert_eq!(draft.customers, vec!["Finance", "Sales", "HR"]);
        assert_eq!(draft.name_key(), "e-mail and calendar");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let form = ServiceForm {
            name: "".into(),
            owner: " ".into(),
            criticality: "extreme".into(),
            status: "".into(),
            description: "x".repeat(DESCRIPTION_MAX + 1),
            customers: "y".repeat(CUSTOMER_MAX + 1),
        };
        let errors = form.validate().unwrap_err();
        for field in [
            "name",
            "owner",
            "criticality",
            "status",
            "description",
            "customers",
        ] {
            assert!(errors.get(field).is_some(), "missing error for {field}");
        }
        assert_eq!(errors.get("name"), Some("Name is required."));
    }

    #[test]
    fn too_many_customers_is_refused() {
        let mut form = valid_form();
        form.customers = (0..=CUSTOMERS_MAX)
            .map(|i| format!("Customer {i}\n"))
            .collect();
        let errors = form.validate().unwrap_err();
        assert_eq!(
            errors.get("customers"),
            Some(format!("List at most {CUSTOMERS_MAX} customers.").as_str())
        );
    }

    #[test]
    fn unknown_fields_in_a_posted_form_are_rejected() {
        let json = r#"{"name":"A","owner":"B","criticality":"low","status":"live","version":9}"#;
        assert!(serde_json::from_str::<ServiceForm>(json).is_err());
    }

    #[test]
    fn query_params_fall_back_to_defaults() {
        let params = ServiceQueryParams {
            q: Some("  mail\u{7} ".into()),
            sort: Some("DROP TABLE".into()),
            dir: Some("desc".into()),
            page: Some("x".into()),
            ..Default::default()
        };
        let query = params.to_query();
        assert_eq!(query.search, "mail");
        assert_eq!(query.sort, ServiceSort::Name);
        assert_eq!(query.direction, SortDirection::Descending);
        assert_eq!(query.page, 1);
    }

    #[test]
    fn href_round_trips_non_default_values() {
        let query = ServiceQuery {
            search: "a&b c".into(),
            sort: ServiceSort::Criticality,
            direction: SortDirection::Descending,
            page: 3,
            ..Default::default()
        };
        assert_eq!(
            query.href(|_| {}),
            "/services?q=a%26b%20c&sort=criticality&dir=desc&page=3"
        );
        assert_eq!(ServiceQuery::default().href(|_| {}), "/services");
    }

    proptest! {
        #[test]
        fn validation_never_panics_and_accepted_names_fit(name in ".{0,120}", owner in ".{0,100}") {
            let form = ServiceForm { name, owner, ..valid_form() };
            if let Ok(draft) = form.validate() {
                let length = draft.name.chars().count();
                prop_assert!((2..=NAME_MAX).contains(&length));
                prop_assert_eq!(draft.name.trim(), draft.name.as_str());
            }
        }

        #[test]
        fn name_key_ignores_case_and_spacing(name in "[a-zA-Z]{1,10}( [a-zA-Z]{1,10}){0,3}") {
            let shouted = name.to_uppercase().replace(' ', "   ");
            prop_assert_eq!(name_key(&name), name_key(&shouted));
        }
    }
}
