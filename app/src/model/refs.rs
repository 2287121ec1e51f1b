//! References to people and services as records name them: an id and what a page shows.

use serde::{Deserialize, Serialize};

/// Someone named on a record (owner, approver, attendee…), with what pages show of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonRef {
    pub id: i64,
    pub name: String,
}

impl PersonRef {
    pub fn initials(&self) -> String {
        self.name
            .split_whitespace()
            .filter_map(|p| p.chars().next())
            .take(2)
            .collect::<String>()
            .to_uppercase()
    }
}

/// A service of the catalogue named on a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceRef {
    pub id: i64,
    pub name: String,
}
