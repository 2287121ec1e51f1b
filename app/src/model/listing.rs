//! Paging and sorting shared by every list page.

use crate::model::labelled::labelled_enum;
use serde::{Deserialize, Serialize};

pub const DEFAULT_PAGE_SIZE: u64 = 25;
pub const MAX_PAGE_SIZE: u64 = 200;

labelled_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
    pub enum SortDirection {
        #[default]
        Ascending => "asc",
        Descending => "desc",
    }
}

impl SortDirection {
    pub fn flipped(self) -> Self {
        match self {
            Self::Ascending => Self::Descending,
            Self::Descending => Self::Ascending,
        }
    }
}

/// One page of results plus what the UI needs to draw the pager.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u64,
    pub page_size: u64,
    pub total: u64,
}

impl<T> Page<T> {
    pub fn page_count(&self) -> u64 {
        if self.total == 0 {
            1
        } else {
            self.total.div_ceil(self.page_size.max(1))
        }
    }

    pub fn has_previous(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.page_count()
    }
}

/// The highest page number anyone asks for (further pages are empty anyway).
pub const MAX_PAGE: u64 = 1_000_000;

/// Parses a 1-based page number from a query string value; anything odd means page 1.
pub fn parse_page(value: Option<&str>) -> u64 {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|p| (1..=MAX_PAGE).contains(p))
        .unwrap_or(1)
}

/// The rows to skip for a 1-based `page` of `page_size` rows; any page number (0, or a huge
/// one sent straight to a server function) is held to 1…`MAX_PAGE`, so it never overflows.
pub fn page_offset(page: u64, page_size: u64) -> u64 {
    (page.clamp(1, MAX_PAGE) - 1).saturating_mul(page_size)
}

/// Where a keyed page starts: just after or just before a row the reader has seen, named by
/// its id. Lists that can grow long link their pages this way, so that the server finds a
/// deep page through the sort's index instead of counting past every row before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageKey {
    After(i64),
    Before(i64),
}

impl PageKey {
    /// The key of a query string's `after` or `before` value (`after` wins if both came);
    /// anything but a positive id means no key, so the page is found by its number.
    pub fn parse(after: Option<&str>, before: Option<&str>) -> Option<Self> {
        let id = |value: Option<&str>| {
            value
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|id| *id > 0)
        };
        id(after)
            .map(Self::After)
            .or_else(|| id(before).map(Self::Before))
    }

    /// The query-string pair that carries this key.
    pub fn query_pair(self) -> (&'static str, String) {
        match self {
            Self::After(id) => ("after", id.to_string()),
            Self::Before(id) => ("before", id.to_string()),
        }
    }

    /// The key of the page before one that began with `first`: none for the first page,
    /// which is found without one.
    pub fn previous(first: i64, previous_page: u64) -> Option<Self> {
        (previous_page > 1).then_some(Self::Before(first))
    }
}

/// A list's link to `page`: `path` with the filters that are set (trimmed) and, past the first
/// page, the page number and the key of the row it starts from.
pub fn list_href(
    path: &str,
    filters: &[(&'static str, &str)],
    page: u64,
    key: Option<PageKey>,
) -> String {
    let mut pairs: Vec<(&str, String)> = filters
        .iter()
        .map(|(name, value)| (*name, value.trim()))
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| (name, value.to_string()))
        .collect();
    if page > 1 {
        pairs.push(("page", page.to_string()));
        if let Some(key) = key {
            let (name, value) = key.query_pair();
            pairs.push((name, value));
        }
    }
    if pairs.is_empty() {
        path.into()
    } else {
        format!(
            "{path}?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_page_number_gives_a_bounded_offset() {
        assert_eq!(page_offset(0, 25), 0);
        assert_eq!(page_offset(1, 25), 0);
        assert_eq!(page_offset(3, 25), 50);
        assert_eq!(page_offset(u64::MAX, 25), (MAX_PAGE - 1) * 25);
        assert_eq!(parse_page(Some("18446744073709551616")), 1);
    }

    fn page(total: u64, page: u64) -> Page<()> {
        Page {
            items: vec![],
            page,
            page_size: 25,
            total,
        }
    }

    #[test]
    fn page_counts() {
        assert_eq!(page(0, 1).page_count(), 1);
        assert_eq!(page(25, 1).page_count(), 1);
        assert_eq!(page(26, 1).page_count(), 2);
        assert!(page(26, 1).has_next());
        assert!(!page(26, 2).has_next());
        assert!(page(26, 2).has_previous());
    }

    #[test]
    fn page_keys_are_positive_ids_and_after_wins() {
        assert_eq!(PageKey::parse(Some(" 42 "), None), Some(PageKey::After(42)));
        assert_eq!(PageKey::parse(None, Some("7")), Some(PageKey::Before(7)));
        assert_eq!(
            PageKey::parse(Some("9"), Some("7")),
            Some(PageKey::After(9))
        );
        for odd in ["0", "-3", "abc", "", "99999999999999999999"] {
            assert_eq!(PageKey::parse(Some(odd), Some(odd)), None, "{odd:?}");
        }
        assert_eq!(PageKey::previous(12, 1), None);
        assert_eq!(PageKey::previous(12, 2), Some(PageKey::Before(12)));
        assert_eq!(PageKey::After(5).query_pair(), ("after", "5".to_string()));
    }

    #[test]
    fn odd_page_numbers_fall_back_to_first_page() {
        assert_eq!(parse_page(None), 1);
        assert_eq!(parse_page(Some("0")), 1);
        assert_eq!(parse_page(Some("-3")), 1);
        assert_eq!(parse_page(Some("abc")), 1);
        assert_eq!(parse_page(Some("7")), 7);
    }
}
