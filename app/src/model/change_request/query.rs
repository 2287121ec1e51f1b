//! The change list's filters: as the query string brings them, as understood, and back into
//! links (sorting, paging, saved filters, the CSV export).

use crate::model::change::{ChangeState, ChangeType};
use crate::model::labelled::labelled_enum;
use crate::model::listing::{PageKey, SortDirection};
use crate::model::risk::RiskLevel;
use serde::{Deserialize, Serialize};

/// Filters of the change list, as they come from the query string.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeQueryParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub risk: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// The id of the last change of the page before (see `PageKey`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// The id of the first change of the page after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

labelled_enum! {
    /// The change list's sortable columns.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
    pub enum ChangeSort {
        /// By reference: newest first by default.
        #[default]
        Reference => "reference",
        Title => "title",
        Risk => "risk",
        Planned => "planned",
    }
}

impl ChangeSort {
    /// The direction a first click sorts in: newest and riskiest first, titles and dates
    /// from the start.
    pub fn natural_direction(self) -> SortDirection {
        match self {
            Self::Reference | Self::Risk => SortDirection::Descending,
            Self::Title | Self::Planned => SortDirection::Ascending,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeQuery {
    pub search: String,
    pub state: Option<ChangeState>,
    pub change_type: Option<ChangeType>,
    pub risk: Option<RiskLevel>,
    pub service_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub sort: ChangeSort,
    pub direction: SortDirection,
    pub page: u64,
    /// Where the page starts, when a pager link said so.
    pub key: Option<PageKey>,
}

impl ChangeQueryParams {
    pub fn to_query(&self) -> ChangeQuery {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        // A link, not a form: a date that cannot be read (or is out of range) filters nothing.
        let date = |v: &Option<String>| text(v).and_then(|d| crate::model::typed::date(&d).ok());
        ChangeQuery {
            search: text(&self.q)
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect(),
            state: text(&self.state).and_then(|s| ChangeState::parse(&s)),
            change_type: text(&self.change_type).and_then(|s| ChangeType::parse(&s)),
            risk: text(&self.risk).and_then(|s| RiskLevel::parse(&s)),
            service_id: text(&self.service).and_then(|s| s.parse().ok()),
            owner_id: text(&self.owner).and_then(|s| s.parse().ok()),
            from: date(&self.from),
            to: date(&self.to),
            sort: text(&self.sort)
                .and_then(|s| ChangeSort::parse(&s))
                .unwrap_or_default(),
            direction: text(&self.dir)
                .and_then(|d| SortDirection::parse(&d))
                .or_else(|| {
                    text(&self.sort)
                        .and_then(|s| ChangeSort::parse(&s))
                        .map(ChangeSort::natural_direction)
                })
                .unwrap_or(SortDirection::Descending),
            page: crate::model::listing::parse_page(self.page.as_deref()),
            key: PageKey::parse(self.after.as_deref(), self.before.as_deref()),
        }
    }
}

impl ChangeQuery {
    /// The filters (not the page) as canonical query parameters: what was understood, nothing
    /// else. Saved filters and the CSV link are built from this.
    pub fn to_params(&self) -> ChangeQueryParams {
        let some = |v: String| (!v.is_empty()).then_some(v);
        ChangeQueryParams {
            q: some(self.search.clone()),
            state: self.state.map(|s| s.as_str().to_string()),
            change_type: self.change_type.map(|t| t.as_str().to_string()),
            risk: self.risk.map(|r| r.as_str().to_string()),
            service: self.service_id.map(|id| id.to_string()),
            owner: self.owner_id.map(|id| id.to_string()),
            from: self.from.map(|d| d.format("%Y-%m-%d").to_string()),
            to: self.to.map(|d| d.format("%Y-%m-%d").to_string()),
            sort: (self.sort != ChangeSort::default()).then(|| self.sort.as_str().to_string()),
            dir: (self.direction != self.sort.natural_direction())
                .then(|| self.direction.as_str().to_string()),
            page: None,
            after: None,
            before: None,
        }
    }

    /// The list's URL with `change` applied (sorting, paging) and every filter kept.
    pub fn href(&self, change: impl FnOnce(&mut ChangeQuery)) -> String {
        let mut next = self.clone();
        change(&mut next);
        let mut params = next.to_params();
        if next.page > 1 {
            params.page = Some(next.page.to_string());
            match next.key {
                Some(PageKey::After(id)) => params.after = Some(id.to_string()),
                Some(PageKey::Before(id)) => params.before = Some(id.to_string()),
                None => {}
            }
        }
        match serde_urlencoded::to_string(params) {
            Ok(query) if !query.is_empty() => format!("/changes?{query}"),
            _ => "/changes".to_string(),
        }
    }

    /// `state=scheduled&q=mail%20gateway`: the filters as a URL query string.
    pub fn to_query_string(&self) -> String {
        serde_urlencoded::to_string(self.to_params()).unwrap_or_default()
    }

    /// Whether any filter (not merely a sort order) is set.
    pub fn is_filtered(&self) -> bool {
        ChangeQueryParams {
            sort: None,
            dir: None,
            ..self.to_params()
        } != ChangeQueryParams::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_keep_only_what_was_understood() {
        let params = ChangeQueryParams {
            q: Some("  mail & gateway ".into()),
            state: Some("scheduled".into()),
            risk: Some("enormous".into()),
            service: Some("7".into()),
            from: Some("2026-12-01".into()),
            to: Some("not a date".into()),
            page: Some("3".into()),
            ..Default::default()
        };
        let query = params.to_query();
        assert_eq!(
            query.to_query_string(),
            "q=mail+%26+gateway&state=scheduled&service=7&from=2026-12-01"
        );
        let back: ChangeQueryParams = serde_urlencoded::from_str(&query.to_query_string()).unwrap();
        assert_eq!(back.to_query(), ChangeQuery { page: 1, ..query });
        assert!(!ChangeQuery::default().is_filtered());
    }

    #[test]
    fn sorting_defaults_to_newest_first_and_keeps_filters_in_links() {
        let query = ChangeQueryParams::default().to_query();
        assert_eq!(
            (query.sort, query.direction),
            (ChangeSort::Reference, SortDirection::Descending)
        );
        let planned = ChangeQueryParams {
            state: Some("scheduled".into()),
            sort: Some("planned".into()),
            ..Default::default()
        }
        .to_query();
        assert_eq!(
            planned.direction,
            SortDirection::Ascending,
            "dates read from the start"
        );
        assert_eq!(
            planned.href(|q| q.page = 2),
            "/changes?state=scheduled&sort=planned&page=2"
        );
        assert_eq!(
            planned.href(|q| q.direction = SortDirection::Descending),
            "/changes?state=scheduled&sort=planned&dir=desc"
        );
        let bogus = ChangeQueryParams {
            sort: Some("colour".into()),
            dir: Some("sideways".into()),
            ..Default::default()
        }
        .to_query();
        assert_eq!(bogus.sort, ChangeSort::Reference);
        assert_eq!(bogus.href(|_| {}), "/changes");
    }

    #[test]
    fn pager_links_carry_their_key_and_a_key_reads_back() {
        let query = ChangeQueryParams {
            state: Some("scheduled".into()),
            ..Default::default()
        }
        .to_query();
        let next = query.href(|q| {
            q.page = 3;
            q.key = Some(PageKey::After(41));
        });
        assert_eq!(next, "/changes?state=scheduled&page=3&after=41");
        let first = query.href(|q| {
            q.page = 1;
            q.key = Some(PageKey::Before(12));
        });
        assert_eq!(first, "/changes?state=scheduled", "page 1 needs no key");
        let back: ChangeQueryParams =
            serde_urlencoded::from_str("state=scheduled&page=2&before=12").unwrap();
        assert_eq!(back.to_query().key, Some(PageKey::Before(12)));
        // Saved filters and the export never keep a position.
        let keyed = ChangeQuery {
            key: Some(PageKey::After(9)),
            page: 4,
            ..query.clone()
        };
        assert_eq!(keyed.to_query_string(), "state=scheduled");
    }
}
