//! The audit trail as the UI sees it: who did what to which record, and what changed.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One changed field: its value before and after (absent = did not exist).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<String>,
    pub summary: String,
    pub changes: Vec<FieldChange>,
}

/// The fields that differ between two JSON objects (records before and after a write).
/// Keys are compared at the top level; `version` and timestamps are bookkeeping, not changes.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    const IGNORED: [&str; 3] = ["version", "updated_at", "created_at"];
    let empty = serde_json::Map::new();
    let before_map = before.and_then(Value::as_object).unwrap_or(&empty);
    let after_map = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut fields: Vec<&String> = before_map.keys().chain(after_map.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|field| !IGNORED.contains(&field.as_str()))
        .filter_map(|field| {
            let old = before_map.get(field);
            let new = after_map.get(field);
            (old != new).then(|| FieldChange {
                field: field.clone(),
                before: old.cloned(),
                after: new.cloned(),
            })
        })
        .collect()
}

/// The audit page's filters, as they come from the query string.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQueryParams {
    pub user: Option<String>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<String>,
    /// The sequence number of the last entry of the page before (see `PageKey`).
    pub after: Option<String>,
    /// The sequence number of the first entry of the page after.
    pub before: Option<String>,
}

/// Validated audit filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor_id: Option<i64>,
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub page: u64,
    /// Where the page starts, when a pager link said so.
    pub key: Option<crate::model::listing::PageKey>,
}

impl AuditQueryParams {
    pub fn to_query(&self) -> AuditQuery {
        let clean = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.len() <= 64)
                .map(str::to_string)
        };
        // A link, not a form: a date that cannot be read (or is out of range) filters nothing.
        let date =
            |v: &Option<String>| v.as_deref().and_then(|d| crate::model::typed::date(d).ok());
        AuditQuery {
            actor_id: clean(&self.user).and_then(|u| u.parse().ok()),
            record_type: clean(&self.record_type),
            record_id: clean(&self.record_id),
            from: date(&self.from),
            to: date(&self.to),
            page: crate::model::listing::parse_page(self.page.as_deref()),
            key: crate::model::listing::PageKey::parse(
                self.after.as_deref(),
                self.before.as_deref(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_lists_changed_added_and_removed_fields_only() {
        let before = json!({"name": "Payroll", "owner": "Dana", "version": 1, "gone": true});
        let after = json!({"name": "Payroll", "owner": "Ingrid", "version": 2, "new": 5});
        let changes = diff(Some(&before), Some(&after));
        let fields: Vec<_> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, vec!["gone", "new", "owner"]);
        assert_eq!(changes[2].before, Some(json!("Dana")));
        assert_eq!(changes[2].after, Some(json!("Ingrid")));
        assert_eq!(changes[1].before, None);
    }

    #[test]
    fn creation_shows_every_field_as_new() {
        let after = json!({"name": "CRM", "owner": "Marcus"});
        let changes = diff(None, Some(&after));
        assert_eq!(changes.len(), 2);
        assert!(changes.iter().all(|c| c.before.is_none()));
    }

    #[test]
    fn filters_ignore_nonsense() {
        let params = AuditQueryParams {
            user: Some("abc".into()),
            from: Some("2026-02-30".into()),
            to: Some("2026-11-27".into()),
            record_type: Some("  ".into()),
            ..Default::default()
        };
        let query = params.to_query();
        assert_eq!(query.actor_id, None);
        assert_eq!(query.from, None);
        assert_eq!(query.to, NaiveDate::from_ymd_opt(2026, 11, 27));
        assert_eq!(query.record_type, None);
    }
}
