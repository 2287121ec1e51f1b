//! Saved filters: a person keeps the filters of a list (changes, incidents, requests) under a
//! name and comes back to them with one click. What is kept is the list's own canonical query
//! string: only what the list understood, nothing else, never a page.

use crate::model::access::Permission;
use crate::model::change_request::ChangeQueryParams;
use crate::model::incident_queue::QueueParams;
use crate::model::labelled::labelled_enum;
use crate::model::service_request::RequestListParams;
use serde::{Deserialize, Serialize};

/// How many filters a person keeps per list.
pub const SAVED_FILTERS_MAX: usize = 30;

labelled_enum! {
    /// The lists whose filters can be saved.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum SavedList {
        Changes => ("changes", "Changes"),
        Incidents => ("incidents", "Incidents"),
        Requests => ("requests", "Service requests"),
    }
}

impl SavedList {
    /// Who may keep filters of the list: whoever reads it.
    pub fn permission(self) -> Permission {
        match self {
            SavedList::Changes => Permission::ChangeRead,
            SavedList::Incidents => Permission::IncidentRead,
            SavedList::Requests => Permission::RequestRead,
        }
    }

    /// The list's page.
    pub fn path(self) -> &'static str {
        match self {
            SavedList::Changes => "/changes",
            SavedList::Incidents => "/incidents",
            SavedList::Requests => "/requests",
        }
    }

    /// The filters of `query` (a query string, with or without `?`) as the list understands
    /// them; `None` when they filter nothing (a sort order alone is not a filter).
    pub fn canonical(self, query: &str) -> Option<String> {
        let query = query.trim().trim_start_matches('?');
        match self {
            SavedList::Changes => serde_urlencoded::from_str::<ChangeQueryParams>(query)
                .ok()?
                .filters_query(),
            SavedList::Incidents => serde_urlencoded::from_str::<QueueParams>(query)
                .ok()?
                .filters_query(),
            SavedList::Requests => serde_urlencoded::from_str::<RequestListParams>(query)
                .ok()?
                .filters_query(),
        }
    }
}

/// A list's query parameters that can be kept as a saved filter.
pub trait FilterQuery {
    /// The canonical query string of the filters (and sort) without the page; `None` when
    /// nothing is filtered.
    fn filters_query(&self) -> Option<String>;
}

impl FilterQuery for ChangeQueryParams {
    fn filters_query(&self) -> Option<String> {
        let query = self.to_query();
        query.is_filtered().then(|| query.to_query_string())
    }
}

/// The query string of `href` (`/incidents?state=all` → `state=all`).
fn query_of(href: &str) -> String {
    href.split_once('?')
        .map(|(_, query)| query.to_string())
        .unwrap_or_default()
}

impl FilterQuery for QueueParams {
    fn filters_query(&self) -> Option<String> {
        let clean = self.canonical();
        let filtered = QueueParams {
            sort: String::new(),
            ..clean.clone()
        } != QueueParams::default();
        filtered.then(|| query_of(&clean.href_at(1, None)))
    }
}

impl FilterQuery for RequestListParams {
    fn filters_query(&self) -> Option<String> {
        let clean = self.canonical();
        let filtered = RequestListParams {
            sort: String::new(),
            ..clean.clone()
        } != RequestListParams::default();
        filtered.then(|| query_of(&clean.href_at(1, None)))
    }
}

/// A named filter a person keeps for themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedFilter {
    pub id: i64,
    pub list: SavedList,
    pub name: String,
    /// The canonical query string (`SavedList::canonical`).
    pub query: String,
}

impl SavedFilter {
    pub fn href(&self) -> String {
        format!("{}?{}", self.list.path(), self.query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_each_list_understands_is_kept() {
        assert_eq!(
            SavedList::Changes
                .canonical("?state=draft&q=mail&page=4&risk=nonsense")
                .as_deref(),
            Some("q=mail&state=draft")
        );
        assert_eq!(
            SavedList::Incidents
                .canonical(
                    "state=Pending&priority=p1&assignee=me&breached=yes&page=3&after=7&colour=red"
                )
                .as_deref(),
            Some("state=pending&priority=p1&assignee=me&breached=yes")
        );
        assert_eq!(
            SavedList::Incidents
                .canonical("state=nonsense&priority=p9&service=-4&assignee=x&sort=priority")
                .as_deref(),
            None,
            "nothing it understood filters: a sort alone is not a filter"
        );
        assert_eq!(
            SavedList::Incidents
                .canonical("q=%20VPN%20&sort=newest")
                .as_deref(),
            Some("q=VPN&sort=newest")
        );
        assert_eq!(
            SavedList::Requests
                .canonical("mine=me&state=all&assignee=someone&breached=no")
                .as_deref(),
            Some("state=all&mine=me")
        );
        assert_eq!(SavedList::Requests.canonical("").as_deref(), None);
    }

    #[test]
    fn a_saved_filter_links_to_its_list() {
        let filter = SavedFilter {
            id: 1,
            list: SavedList::Requests,
            name: "Mine".into(),
            query: "mine=me".into(),
        };
        assert_eq!(filter.href(), "/requests?mine=me");
    }
}
