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

/// Checks chosen role codes: each a known role, repeats dropped.
pub fn chosen_roles(
    errors: &mut crate::error::FieldErrors,
    field: &str,
    codes: &[String],
) -> Vec<crate::model::access::Role> {
    let mut roles = Vec::new();
    for code in codes {
        match crate::model::access::Role::parse(code.trim()) {
            Some(role) if !roles.contains(&role) => roles.push(role),
            Some(_) => {}
            None => errors.add(field, "Choose roles from the list."),
        }
    }
    roles
}

/// Checks chosen ids: each a positive number, repeats dropped, at most `max`.
pub fn chosen_ids(
    errors: &mut crate::error::FieldErrors,
    field: &str,
    values: &[String],
    max: usize,
    too_many: &str,
) -> Vec<i64> {
    let mut ids = Vec::new();
    for value in values {
        match value.trim().parse::<i64>() {
            Ok(id) if id > 0 => {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            _ => errors.add(field, "Choose from the list."),
        }
    }
    if ids.len() > max {
        errors.add(field, too_many);
    }
    ids
}
