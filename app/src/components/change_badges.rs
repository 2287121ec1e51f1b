//! Badges for change type, state and risk.

use crate::model::change::{ChangeState, ChangeType};
use crate::model::risk::RiskLevel;
use leptos::prelude::*;

#[component]
pub fn RiskBadge(risk: Option<RiskLevel>) -> impl IntoView {
    match risk {
        Some(level) => view! { <span class=format!("badge risk-{}", level.as_str())>{format!("{} risk", level.label())}</span> }.into_any(),
        None => view! { <span class="badge badge-archived">"Risk not assessed"</span> }.into_any(),
    }
}

#[component]
pub fn TypeBadge(change_type: ChangeType) -> impl IntoView {
    view! { <span class=format!("badge type-{}", change_type.as_str())>{change_type.label()}</span> }
}

#[component]
pub fn StateBadge(state: ChangeState) -> impl IntoView {
    view! { <span class=format!("badge state-{}", state.as_str())>{state.label()}</span> }
}
