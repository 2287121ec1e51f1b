//! `/incidents/new`: report an incident. The priority is shown as impact and urgency are
//! chosen, from the organisation's matrix, with the rule that gives it; the server sets it
//! again from the same matrix, so what the form shows is never trusted. While the title and
//! description are typed, matching known errors are offered with their workarounds; applying
//! one links the new incident to it.

use crate::api::incidents::{incident_form_choices, RaiseIncident};
use crate::api::problems::matching_known_errors;
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::error::AppError;
use crate::model::incident::IncidentChoices;
use crate::model::priority_matrix::{Impact, Urgency};
use crate::model::problem::KnownErrorMatch;
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
    let known = KnownErrorWatch::new();
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
            {field("inc-title", "Title", "title", view! { <input id="inc-title" name="form[title]" maxlength=160 aria-describedby="inc-title-error" on:input=move |ev| known.title.set(event_target_value(&ev))/> }.into_any())}
            <KnownErrorSuggestions known error/>
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
            {field("inc-description", "Description", "description", view! { <textarea id="inc-description" name="form[description]" rows=5 aria-describedby="inc-description-error" on:input=move |ev| known.description.set(event_target_value(&ev))></textarea> }.into_any())}
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

/// What has been typed, and the known errors it matches (asked a moment after typing stops).
#[derive(Clone, Copy)]
struct KnownErrorWatch {
    title: RwSignal<String>,
    description: RwSignal<String>,
    /// The text last asked about: changes only once typing has paused.
    asked: RwSignal<String>,
    applied: RwSignal<Option<KnownErrorMatch>>,
}

impl KnownErrorWatch {
    fn new() -> Self {
        let watch = KnownErrorWatch {
            title: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            asked: RwSignal::new(String::new()),
            applied: RwSignal::new(None),
        };
        // Each keystroke restarts the pause; only the last one asks the server.
        let typed_count = StoredValue::new(0u64);
        Effect::new(move |_| {
            let text = format!("{} {}", watch.title.get(), watch.description.get());
            typed_count.update_value(|n| *n += 1);
            let mine = typed_count.get_value();
            set_timeout(
                move || {
                    // The form may be gone (reported, or left) before the pause ends.
                    if typed_count.try_get_value() == Some(mine) {
                        watch.asked.try_set(text);
                    }
                },
                std::time::Duration::from_millis(300),
            );
        });
        watch
    }
}

/// The known errors matching the form so far, each with its workaround and "Apply"; the one
/// applied goes with the form and links the incident when it is reported.
#[component]
fn KnownErrorSuggestions(known: KnownErrorWatch, error: Signal<Option<AppError>>) -> impl IntoView {
    let matches = Resource::new(
        move || known.asked.get(),
        |text| async move {
            if text.trim().chars().count() < 3 {
                Ok(Vec::new())
            } else {
                matching_known_errors(text).await
            }
        },
    );
    let applied_id = move || {
        known
            .applied
            .get()
            .map(|m| m.id.to_string())
            .unwrap_or_default()
    };
    view! {
        <input type="hidden" name="form[known_error]" value=applied_id/>
        <p class="field-error" aria-live="polite">{field_error(error, "known_error")}</p>
        <div class="known-errors" aria-live="polite">
            {move || known.applied.get().map(|m| view! {
                <div class="notice known-error-applied" role="status">
                    <p><strong>{format!("Known error {} applied: ", m.reference)}</strong>{m.title.clone()}</p>
                    <p class="prewrap">"Workaround: "{m.workaround.clone()}</p>
                    <button type="button" class="button link" on:click=move |_| known.applied.set(None)>"Remove"</button>
                </div>
            })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let found = matches.await.unwrap_or_default();
                    let applied = known.applied.get();
                    let offered: Vec<KnownErrorMatch> = found
                        .into_iter()
                        .filter(|m| !matches!(&applied, Some(a) if a.id == m.id))
                        .collect();
                    (!offered.is_empty() && applied.is_none()).then(|| view! {
                        <section class="panel known-error-suggestions" aria-labelledby="known-errors-heading">
                            <h2 id="known-errors-heading">"Known errors that may match"</h2>
                            <ul>
                                {offered.into_iter().map(|m| {
                                    let chosen = m.clone();
                                    view! {
                                        <li>
                                            <p><a href=format!("/problems/{}", m.id) target="_blank">{m.reference.clone()}</a>" "<strong>{m.title.clone()}</strong>" · "{m.service.clone()}</p>
                                            <p class="prewrap">"Workaround: "{m.workaround.clone()}</p>
                                            <button type="button" class="button secondary" aria-label=format!("Apply {}", m.reference) on:click=move |_| known.applied.set(Some(chosen.clone()))>"Apply"</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </section>
                    })
                })}
            </Transition>
        </div>
    }
}
