//! Small coloured labels for enumerations.

use crate::model::service::{Criticality, ServiceStatus};
use leptos::prelude::*;

#[component]
pub fn CriticalityBadge(criticality: Criticality) -> impl IntoView {
    view! {
        <span class=format!("badge badge-{}", criticality.as_str())>{criticality.label()}</span>
    }
}

#[component]
pub fn StatusBadge(status: ServiceStatus, archived: bool) -> impl IntoView {
    view! {
        <span class=format!("badge badge-status-{}", status.as_str())>{status.label()}</span>
        {archived.then(|| view! { " " <span class="badge badge-archived">"Archived"</span> })}
    }
}
