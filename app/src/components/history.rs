//! A record's history: its audit entries with the before/after of each changed field.

use crate::model::audit::{AuditEntry, FieldChange};
use leptos::prelude::*;

fn show_value(value: &Option<serde_json::Value>) -> String {
    match value {
        None => "—".to_string(),
        Some(serde_json::Value::String(text)) if text.is_empty() => "(empty)".to_string(),
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(serde_json::Value::Array(items)) if items.is_empty() => "(none)".to_string(),
        Some(serde_json::Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| item.to_string())
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => other.to_string(),
    }
}

#[component]
pub fn ChangeList(changes: Vec<FieldChange>) -> impl IntoView {
    if changes.is_empty() {
        return ().into_any();
    }
    view! {
        <ul class="change-list">
            {changes
                .into_iter()
                .map(|change| {
                    view! {
                        <li>
                            <span class="change-field">{change.field.replace('_', " ")}</span>": "
                            <del>{show_value(&change.before)}</del>
                            " → "
                            <ins>{show_value(&change.after)}</ins>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
pub fn HistoryList(entries: Vec<AuditEntry>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="muted">"No recorded history yet."</p> }.into_any();
    }
    view! {
        <ol class="history">
            {entries
                .into_iter()
                .map(|entry| {
                    view! {
                        <li>
                            <p class="history-head">
                                <time datetime=entry.occurred_at.to_rfc3339()>
                                    {entry.occurred_at.format("%Y-%m-%d %H:%M UTC").to_string()}
                                </time>
                                " · "<strong>{entry.actor_name}</strong>" · "{entry.summary}
                            </p>
                            <ChangeList changes=entry.changes/>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}
