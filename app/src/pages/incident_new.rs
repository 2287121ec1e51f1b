//! `/incidents/new`: report an incident. The priority is shown as impact and urgency are
//! chosen, from the organisation's matrix, with the rule that gives it; the server sets it
//! again from the same matrix, so what the form shows is never trusted.

use crate::api::incidents::{incident_form_choices, RaiseIncident};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::model::incident::IncidentChoices;
use crate::model::priority_matrix::{Impact, Urgency};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn IncidentNewPage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| incident_form_choices());
    view! {
        <Title text="Report an incident"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/incidents">"Incidents"</a>" / Report"</nav>
        <h1>"Report an incident"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! { <IncidentForm choices/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn IncidentForm(choices: IncidentChoices) -> impl IntoView {
    let raise = ServerAction::<RaiseIncident>::new();
    let error = Signal::derive(move || raise.value().get().and_then(Result::err));
    let impact = RwSignal::new(None::<Impact>);
    let urgency = RwSignal::new(None::<Urgency>);
    let matrix = choices.matrix;
    let priority = move || match (impact.get(), urgency.get()) {
        (Some(i), Some(u)) => format!("{} — {}", matrix.priority(i, u).label(), matrix.rule(i, u)),
        _ => "Choose the impact and the urgency.".into(),
    };
    let on_behalf = !choices.reporters.is_empty();
    let field = move |id: &'static str, label: &'static str, key: &'static str, input: AnyView| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                {input}
                <p class="field-error" id=format!("{id}-error") aria-live="polite">{field_error(error, key)}</p>
            </div>
        }
        .into_any()
    };
    view! {
        <ActionForm action=raise attr:class="form" attr:novalidate=true>
            <FormErrors error/>
            {field("inc-title", "Title", "title", view! { <input id="inc-title" name="form[title]" maxlength=160 aria-describedby="inc-title-error"/> }.into_any())}
            <div class="field-row">
                {field("inc-service", "Service", "service_id", view! {
                    <select id="inc-service" name="form[service_id]" aria-describedby="inc-service-error">
                        <option value="">"Choose…"</option>
                        {choices.services.into_iter().map(|s| view! { <option value=s.id>{s.name}</option> }).collect_view()}
                    </select>
                }.into_any())}
                {field("inc-category", "Category", "category", view! { <input id="inc-category" name="form[category]" placeholder="Network, access, hardware…" aria-describedby="inc-category-error"/> }.into_any())}
            </div>
            <div class="field-row">
                {field("inc-impact", "Impact", "impact", view! {
                    <select id="inc-impact" name="form[impact]" aria-describedby="inc-impact-error" on:change=move |ev| impact.set(Impact::parse(&event_target_value(&ev)))>
                        <option value="">"Choose…"</option>
                        {Impact::ALL.into_iter().map(|i| view! { <option value=i.as_str()>{i.label()}</option> }).collect_view()}
                    </select>
                }.into_any())}
                {field("inc-urgency", "Urgency", "urgency", view! {
                    <select id="inc-urgency" name="form[urgency]" aria-describedby="inc-urgency-error" on:change=move |ev| urgency.set(Urgency::parse(&event_target_value(&ev)))>
                        <option value="">"Choose…"</option>
                        {Urgency::ALL.into_iter().map(|u| view! { <option value=u.as_str()>{u.label()}</option> }).collect_view()}
                    </select>
                }.into_any())}
            </div>
            <p class="hint" role="status" id="inc-priority">"Priority: "{priority}</p>
            {field("inc-affected", "What is affected", "affected", view! { <input id="inc-affected" name="form[affected]" placeholder="A server, an application, a site" aria-describedby="inc-affected-error"/> }.into_any())}
            {field("inc-description", "Description", "description", view! { <textarea id="inc-description" name="form[description]" rows=5 aria-describedby="inc-description-error"></textarea> }.into_any())}
            <div class="field-row">
                {field("inc-started", "Started at (if before now)", "started_at", view! { <input id="inc-started" type="datetime-local" name="form[started_at]" aria-describedby="inc-started-error"/> }.into_any())}
                {on_behalf.then(|| field("inc-reporter", "Reported by", "reporter_id", view! {
                    <select id="inc-reporter" name="form[reporter_id]" aria-describedby="inc-reporter-error">
                        <option value="">"Me"</option>
                        {choices.reporters.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                    </select>
                }.into_any()))}
            </div>
            <div class="field">
                <label class="checkbox" for="inc-affecting"><input type="checkbox" id="inc-affecting" name="form[service_affecting]" value="true"/>" The service is down or degraded (counts against availability)"</label>
            </div>
            <div class="form-actions">
                <button type="submit" class="button" disabled=move || raise.pending().get()>"Report"</button>
                <a href="/incidents">"Cancel"</a>
            </div>
        </ActionForm>
    }
}
