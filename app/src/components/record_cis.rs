//! The configuration items an incident or a problem names, the services a failure of those
//! items reaches (marked where the record does not name the service), and — for those who
//! work the record while it is open — the forms to name an item or take it off.
//!
//! The reach arrives with the record (one request): a panel with its own resource inside the
//! record's suspense did not hydrate reliably.

use crate::api::cmdb::{NameCi, UnnameCi};
use crate::components::change_fields::field_error;
use crate::components::ci_impact::ImpactSummary;
use crate::components::error_view::FormErrors;
use crate::model::cmdb::{ChangeImpact, CiStatus, NamedBy};
use leptos::prelude::*;

/// The page's actions: it reads its record again after either succeeds (the record's
/// version moves with every naming).
#[derive(Clone, Copy)]
pub struct NamingActions {
    pub name: ServerAction<NameCi>,
    pub unname: ServerAction<UnnameCi>,
}

impl NamingActions {
    pub fn new() -> Self {
        Self {
            name: ServerAction::new(),
            unname: ServerAction::new(),
        }
    }
}

impl Default for NamingActions {
    fn default() -> Self {
        Self::new()
    }
}

/// Which record the panel belongs to, at the version the page read.
#[derive(Clone, Copy)]
pub struct NamingRecord {
    pub on: NamedBy,
    pub id: i64,
    pub version: i32,
}

#[component]
pub fn RecordCiPanel(
    record: NamingRecord,
    impact: ChangeImpact,
    may_name: bool,
    actions: NamingActions,
) -> impl IntoView {
    let NamingRecord { on, id, version } = record;
    let name_error = Signal::derive(move || actions.name.value().get().and_then(Result::err));
    let unname_error = Signal::derive(move || actions.unname.value().get().and_then(Result::err));
    let heading = format!("{}-ci-heading", on.as_str());
    let target_id = format!("{}-ci-target", on.as_str());
    let error_id = format!("{target_id}-error");
    let described_by = error_id.clone();
    let label_for = target_id.clone();
    let hidden = move || {
        view! {
            <input type="hidden" name="on" value=format!("{on:?}")/>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="version" value=version/>
        }
    };
    let listed = if impact.items.is_empty() {
        view! { <p class="muted">{format!("The {} names no configuration item yet.", on.label())}</p> }
            .into_any()
    } else {
        let items = impact.items.clone();
        view! {
            <ul class="relationships">
                {items.into_iter().map(|ci| {
                    let label = format!("{} {}", ci.reference(), ci.name);
                    view! {
                        <li>
                            <a href=ci.href()>{label.clone()}</a>
                            {(ci.status == CiStatus::Retired).then(|| view! { " "<span class="badge">"Retired"</span> })}
                            {may_name.then(|| view! {
                                <ActionForm action=actions.unname attr:class="inline-form">
                                    {hidden()}
                                    <input type="hidden" name="ci_id" value=ci.id/>
                                    <button type="submit" class="button secondary small" aria-label=format!("Take {label} off") disabled=move || actions.unname.pending().get()>"Remove"</button>
                                </ActionForm>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ImpactSummary impact without_items=true/>
        }
        .into_any()
    };
    let labelled_by = heading.clone();
    view! {
        <section class="panel" aria-labelledby=labelled_by>
            <h2 id=heading>"Configuration items"</h2>
            {may_name.then(|| view! { <FormErrors error=unname_error/> })}
            {listed}
            {may_name.then(|| view! {
                <ActionForm action=actions.name attr:class="form" attr:novalidate=true>
                    <FormErrors error=name_error/>
                    {hidden()}
                    <div class="field">
                        <label for=label_for.clone()>"Configuration item"</label>
                        <input id=target_id.clone() type="text" name="form[target]" placeholder="CI-12 or its exact name" aria-describedby=described_by.clone()/>
                        <p class="field-error" id=error_id.clone() aria-live="polite">{field_error(name_error, "target")}</p>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="button secondary" disabled=move || actions.name.pending().get()>"Name the item"</button>
                    </div>
                </ActionForm>
            })}
        </section>
    }
}
