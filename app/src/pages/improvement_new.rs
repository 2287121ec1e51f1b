//! `/improvements/new`: raise an improvement.

use crate::api::changes::change_choices;
use crate::api::improvements::CreateImprovement;
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::error::AppError;
use crate::model::change_request::ChangeFormChoices;
use crate::model::improvement::{Effort, Priority, Source};
use leptos::prelude::*;
use leptos_meta::Title;

/// What a link from another record fills in (`?title=…&source=incident_trend&source_ref=
/// incident:12&service=3`): the person still reads, completes and submits the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Prefill {
    title: String,
    source: Option<Source>,
    source_ref: String,
    service_id: Option<i64>,
}

impl Prefill {
    fn from_query(query: &leptos_router::params::ParamsMap) -> Self {
        let text = |key: &str, max: usize| super::query_text(query, key, max);
        Prefill {
            title: text("title", 160),
            source: query.get("source").and_then(|s| Source::parse(&s)),
            source_ref: text("source_ref", 60),
            service_id: query.get("service").and_then(|s| s.parse().ok()),
        }
    }
}

#[component]
fn ImprovementFields(
    choices: ChangeFormChoices,
    error: Signal<Option<AppError>>,
    prefill: Prefill,
) -> impl IntoView {
    let message = move |field: &'static str| {
        view! { <p class="field-error" id=format!("imp-{field}-error") aria-live="polite">{field_error(error, field)}</p> }
    };
    let described = |field: &str| format!("imp-{field}-error");
    let people = choices.people.clone();
    view! {
        <div class="field">
            <label for="imp-title">"Title"</label>
            <input id="imp-title" name="form[title]" maxlength=160 value=prefill.title.clone() aria-describedby=described("title")/>
            {message("title")}
        </div>
        <div class="field">
            <label for="imp-description">"Description"</label>
            <textarea id="imp-description" name="form[description]" rows=3 aria-describedby=described("description")></textarea>
            {message("description")}
        </div>
        <div class="field-row">
            <div class="field">
                <label for="imp-source">"Source"</label>
                <select id="imp-source" name="form[source]" aria-describedby=described("source")>
                    <option value="">"Choose…"</option>
                    {Source::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=prefill.source == Some(s)>{s.label()}</option> }).collect_view()}
                </select>
                {message("source")}
            </div>
            <div class="field">
                <label for="imp-source-ref">"Source record (optional, e.g. change:12)"</label>
                <input id="imp-source-ref" name="form[source_ref]" value=prefill.source_ref.clone() aria-describedby=described("source_ref")/>
                {message("source_ref")}
            </div>
        </div>
        <div class="field">
            <label for="imp-clauses">"SMS clauses (e.g. 8.5.1, 10.2)"</label>
            <input id="imp-clauses" name="form[clauses]" aria-describedby=described("clauses")/>
            {message("clauses")}
        </div>
        <fieldset class="role-choices">
            <legend>"Affected services"</legend>
            {choices.services.iter().enumerate().map(|(index, s)| {
                let id = format!("imp-service-{}", s.id);
                let label_for = id.clone();
                let checked = prefill.service_id == Some(s.id);
                view! { <label for=label_for class="checkbox"><input type="checkbox" id=id name=format!("form[service_ids][{index}]") value=s.id checked=checked/>" "{s.name.clone()}</label> }
            }).collect_view()}
        </fieldset>
        <div class="field">
            <label for="imp-benefit">"Expected benefit"</label>
            <textarea id="imp-benefit" name="form[expected_benefit]" rows=2 aria-describedby=described("expected_benefit")></textarea>
            {message("expected_benefit")}
        </div>
        <p class="hint">{Priority::RULE}</p>
        <div class="field-row">
            <div class="field">
                <label for="imp-score">"Benefit score (1–5)"</label>
                <select id="imp-score" name="form[benefit_score]" aria-describedby=described("benefit_score")>
                    <option value="">"Not yet"</option>
                    {(1..=5).map(|n| view! { <option value=n>{n}</option> }).collect_view()}
                </select>
                {message("benefit_score")}
            </div>
            <div class="field">
                <label for="imp-effort">"Effort"</label>
                <select id="imp-effort" name="form[effort]" aria-describedby=described("effort")>
                    <option value="">"Not yet"</option>
                    {Effort::ALL.into_iter().map(|e| view! { <option value=e.as_str()>{e.as_str()}</option> }).collect_view()}
                </select>
                {message("effort")}
            </div>
            <div class="field">
                <label for="imp-target">"Target date"</label>
                <input id="imp-target" type="date" name="form[target_date]" aria-describedby=described("target_date")/>
                {message("target_date")}
            </div>
        </div>
        <div class="field-row">
            <div class="field">
                <label for="imp-owner">"Owner"</label>
                <select id="imp-owner" name="form[owner_id]" aria-describedby=described("owner_id")>
                    <option value="">"Choose…"</option>
                    {people.iter().map(|p| view! { <option value=p.id>{p.name.clone()}</option> }).collect_view()}
                </select>
                {message("owner_id")}
            </div>
            <div class="field">
                <label for="imp-approver">"Approver (optional)"</label>
                <select id="imp-approver" name="form[approver_id]" aria-describedby=described("approver_id")>
                    <option value="">"A quality manager"</option>
                    {people.iter().map(|p| view! { <option value=p.id>{p.name.clone()}</option> }).collect_view()}
                </select>
                {message("approver_id")}
            </div>
        </div>
    }
}

#[component]
pub fn ImprovementNewPage() -> impl IntoView {
    let create = ServerAction::<CreateImprovement>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| change_choices());
    let query = leptos_router::hooks::use_query_map();
    let prefill = Memo::new(move |_| Prefill::from_query(&query.read()));
    view! {
        <Title text="New improvement"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/improvements">"Improvement register"</a>" / New"</nav>
        <h1>"New improvement"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! {
                        <ActionForm action=create attr:class="form" attr:novalidate=true>
                            <FormErrors error/>
                            <ImprovementFields choices error prefill=prefill.get_untracked()/>
                            <div class="form-actions">
                                <button type="submit" class="button" disabled=move || create.pending().get()>"Add to the register"</button>
                                <a class="button secondary" href="/improvements">"Cancel"</a>
                            </div>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
