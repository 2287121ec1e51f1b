//! The incident queue as its links and forms say it: which incidents (open ones by default,
//! or a state, a priority, an assignee, a service, breached targets only), in which order
//! (resolution due first by default), and which page. The server reads it in SQL
//! (`service::incident_queue`), a page at a time.

use crate::model::incident::IncidentState;
use crate::model::listing::PageKey;
use crate::model::priority_matrix::TicketPriority;
use crate::model::target_clock::{ClockReading, ClockStatus};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const QUEUE_PAGE_SIZE: u64 = 25;

/// The queue's query string (a link may name only some of it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueParams {
    /// Words in the title, or a reference (`INC-12`).
    pub q: String,
    /// `open` (the default), `all`, or a state's code.
    pub state: String,
    pub priority: String,
    /// `me`, `none` (unassigned) or a person's id.
    pub assignee: String,
    pub service: String,
    /// `yes`: only incidents whose resolution target is breached.
    pub breached: String,
    /// `due` (default: resolution due soonest), `priority`, `newest`.
    pub sort: String,
    pub page: String,
    pub after: String,
    pub before: String,
}

/// Whose incidents the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Anyone,
    Unassigned,
    Person(i64),
}

/// Which states the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    Open,
    All,
    Only(IncidentState),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueSort {
    Due,
    Priority,
    Newest,
}

impl QueueParams {
    pub fn states(&self) -> StateFilter {
        match self.state.trim() {
            "" | "open" => StateFilter::Open,
            "all" => StateFilter::All,
            other => IncidentState::parse_loose(other).map_or(StateFilter::Open, StateFilter::Only),
        }
    }

    pub fn priority(&self) -> Option<TicketPriority> {
        TicketPriority::parse_loose(&self.priority)
    }

    /// `me` means the person asking.
    pub fn assignee(&self, me: i64) -> AssigneeFilter {
        match self.assignee.trim() {
            "me" => AssigneeFilter::Person(me),
            "none" => AssigneeFilter::Unassigned,
            id => id
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map_or(AssigneeFilter::Anyone, AssigneeFilter::Person),
        }
    }

    pub fn service(&self) -> Option<i64> {
        self.service.trim().parse().ok().filter(|id| *id > 0)
    }

    pub fn breached_only(&self) -> bool {
        self.breached.trim() == "yes"
    }

    /// The search words, or the id a reference names.
    pub fn text(&self) -> Option<String> {
        let text = self.q.trim();
        (!text.is_empty()).then(|| text.chars().take(100).collect())
    }

    pub fn reference_id(&self) -> Option<i64> {
        let text = self.q.trim().to_ascii_uppercase();
        text.strip_prefix("INC-")
            .and_then(|n| n.parse().ok())
            .filter(|id| *id > 0)
    }

    pub fn sort(&self) -> QueueSort {
        match self.sort.trim() {
            "priority" => QueueSort::Priority,
            "newest" => QueueSort::Newest,
            _ => QueueSort::Due,
        }
    }

    pub fn page_number(&self) -> u64 {
        self.page
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    }

    pub fn page_key(&self) -> Option<PageKey> {
        PageKey::parse(Some(&self.after), Some(&self.before))
    }

    /// The view with only what the queue understood, each value as the queue writes it, and
    /// no page (what a saved filter keeps).
    pub fn canonical(&self) -> QueueParams {
        let id = |value: Option<i64>| value.map(|id| id.to_string()).unwrap_or_default();
        QueueParams {
            q: self.text().unwrap_or_default(),
            state: match self.states() {
                StateFilter::Open => String::new(),
                StateFilter::All => "all".into(),
                StateFilter::Only(state) => state.as_str().into(),
            },
            priority: self
                .priority()
                .map(|p| p.as_str().to_string())
                .unwrap_or_default(),
            // Read for nobody in particular (0): "me" stays "me", whoever opens the link.
            assignee: match self.assignee(0) {
                AssigneeFilter::Anyone => String::new(),
                AssigneeFilter::Unassigned => "none".into(),
                AssigneeFilter::Person(0) => "me".into(),
                AssigneeFilter::Person(person) => person.to_string(),
            },
            service: id(self.service()),
            breached: if self.breached_only() {
                "yes".into()
            } else {
                String::new()
            },
            sort: match self.sort() {
                QueueSort::Due => String::new(),
                QueueSort::Priority => "priority".into(),
                QueueSort::Newest => "newest".into(),
            },
            page: String::new(),
            after: String::new(),
            before: String::new(),
        }
    }

    /// The query string for this view at `page`, starting at `key`.
    pub fn href_at(&self, page: u64, key: Option<PageKey>) -> String {
        let mut pairs: Vec<(&str, String)> = [
            ("q", &self.q),
            ("state", &self.state),
            ("priority", &self.priority),
            ("assignee", &self.assignee),
            ("service", &self.service),
            ("breached", &self.breached),
            ("sort", &self.sort),
        ]
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, v.trim().to_string()))
        .collect();
        if page > 1 {
            pairs.push(("page", page.to_string()));
            pairs.extend(key.map(PageKey::query_pair));
        }
        let query: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", crate::model::service::encode_component(&v)))
            .collect();
        if query.is_empty() {
            "/incidents".into()
        } else {
            format!("/incidents?{}", query.join("&"))
        }
    }
}

/// One row of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRow {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub service: String,
    pub priority: TicketPriority,
    pub state: IncidentState,
    pub assignee: Option<String>,
    pub major: bool,
    /// While the resolution clock runs: when it warns and when it is due.
    pub warning_at: Option<DateTime<Utc>>,
    pub due_at: Option<DateTime<Utc>>,
    /// How the resolution target stands when the page was read (none without a target).
    pub status: Option<ClockStatus>,
    pub created_at: DateTime<Utc>,
}

impl QueueRow {
    /// The resolution clock as far as a row knows it (its standing when read and the instants
    /// it warns and falls due while running), enough for `ClockReading::status_at` to tick.
    pub fn resolution_reading(&self) -> Option<ClockReading> {
        self.status.map(|status| {
            crate::model::target_clock::stored_reading(status, self.warning_at, self.due_at)
        })
    }
}

/// "Not due" in the queue's order: after any due instant a clock gives.
pub fn not_due() -> DateTime<Utc> {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .unwrap_or(chrono::NaiveDate::MAX)
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
}

/// The most matches a queue page counts. Beyond it the page says "more than 1,000":
/// counting every one of a hundred thousand open incidents would cost more than the page.
pub const COUNT_LIMIT: u64 = 1_000;

/// A page of the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    /// The matches, counted up to `COUNT_LIMIT`.
    pub total: u64,
    /// More than `COUNT_LIMIT` match: `total` is the limit and `pages` reaches one page
    /// past this one while this one is full.
    pub more: bool,
    pub page: u64,
    pub pages: u64,
    pub read_at: DateTime<Utc>,
}

impl QueuePage {
    /// How many match, as people read it: `37`, or `1,000+` past the count limit.
    pub fn total_label(&self) -> String {
        let digits = self.total.to_string();
        // The leading group holds what is left over from the threes.
        let lead = match digits.len() % 3 {
            0 => 3.min(digits.len()),
            n => n,
        };
        let mut grouped = digits[..lead].to_string();
        for group in digits.as_bytes()[lead..].chunks(3) {
            grouped.push(',');
            grouped.push_str(std::str::from_utf8(group).unwrap_or_default());
        }
        if self.more {
            grouped.push('+');
        }
        grouped
    }

    /// The page count and page number for matches counted up to the limit: past it, one
    /// page after `asked` while the rows fill a page (found by key, not counted).
    pub fn paging(counted: u64, more: bool, asked: u64, page_size: u64) -> (u64, u64) {
        let counted_pages = Ord::max(counted.div_ceil(page_size.max(1)), 1);
        if more {
            (asked.max(1), Ord::max(counted_pages, asked.max(1) + 1))
        } else {
            (Ord::min(asked.max(1), counted_pages), counted_pages)
        }
    }
}

/// The board: one column per open state, each the first page of the queue in that state
/// (due soonest first) with how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentBoard {
    pub columns: Vec<(IncidentState, QueuePage)>,
    pub read_at: DateTime<Utc>,
}

/// The states the board shows as columns, in the order work flows.
pub fn board_states() -> Vec<IncidentState> {
    IncidentState::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_string_reads_and_writes_back() {
        let params = QueueParams {
            q: " INC-12 ".into(),
            state: "pending".into(),
            priority: "P1".into(),
            assignee: "me".into(),
            breached: "yes".into(),
            sort: "priority".into(),
            ..Default::default()
        };
        assert_eq!(params.states(), StateFilter::Only(IncidentState::Pending));
        assert_eq!(params.priority(), Some(TicketPriority::P1));
        assert_eq!(params.assignee(7), AssigneeFilter::Person(7));
        assert_eq!(params.reference_id(), Some(12));
        assert!(params.breached_only());
        assert_eq!(params.sort(), QueueSort::Priority);
        assert_eq!(
            params.href_at(2, Some(PageKey::After(40))),
            "/incidents?q=INC-12&state=pending&priority=P1&assignee=me&breached=yes&sort=priority&page=2&after=40"
        );
        let odd = QueueParams {
            state: "sideways".into(),
            assignee: "-3".into(),
            page: "0".into(),
            ..Default::default()
        };
        assert_eq!(odd.states(), StateFilter::Open);
        assert_eq!(odd.assignee(7), AssigneeFilter::Anyone);
        assert_eq!(odd.page_number(), 1);
        assert_eq!(QueueParams::default().href_at(1, None), "/incidents");
    }

    #[test]
    fn counts_past_the_limit_read_as_more() {
        let page = |total, more| QueuePage {
            rows: Vec::new(),
            total,
            more,
            page: 1,
            pages: 1,
            read_at: chrono::Utc::now(),
        };
        assert_eq!(page(37, false).total_label(), "37");
        assert_eq!(page(1_000, true).total_label(), "1,000+");
        assert_eq!(page(123_456, false).total_label(), "123,456");
        // Counted: the asked page is held to the last.
        assert_eq!(QueuePage::paging(60, false, 9, 25), (3, 3));
        assert_eq!(QueuePage::paging(0, false, 1, 25), (1, 1));
        // Past the limit: a next page is always offered, even deep.
        assert_eq!(QueuePage::paging(1_000, true, 1, 25), (1, 40));
        assert_eq!(QueuePage::paging(1_000, true, 57, 25), (57, 58));
    }
}
