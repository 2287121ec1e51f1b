//! The change request form's fields, with a live risk preview computed by the shared model.

use crate::error::AppError;
use crate::model::change::ChangeType;
use crate::model::change_request::ChangeForm;
use crate::model::refs::{PersonRef, ServiceRef};
use crate::model::risk::{assess, RiskAnswers, QUESTIONS};
use leptos::prelude::*;

pub(crate) fn field_error(
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        error.with(|e| {
            e.as_ref()
                .and_then(AppError::field_errors)
                .and_then(|f| f.get(field).map(str::to_string))
        })
    }
}

/// `field_error` for a field whose name is built at run time (a matrix cell, a table row).
pub(crate) fn field_error_named(
    error: Signal<Option<AppError>>,
    field: String,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        error.with(|e| {
            e.as_ref()
                .and_then(AppError::field_errors)
                .and_then(|f| f.get(&field).map(str::to_string))
        })
    }
}

#[component]
fn Text(
    id: &'static str,
    field: &'static str,
    label: &'static str,
    value: String,
    error: Signal<Option<AppError>>,
    #[prop(optional)] multiline: bool,
    #[prop(optional)] input_type: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let name = format!("form[{field}]");
    let error_id = format!("{id}-error");
    let control = if multiline {
        view! { <textarea id=id name=name rows=4 aria-describedby=error_id.clone()>{value}</textarea> }.into_any()
    } else {
        view! { <input id=id name=name type=input_type.unwrap_or("text") value=value aria-describedby=error_id.clone()/> }.into_any()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {control}
            {hint.map(|h| view! { <p class="field-hint">{h}</p> })}
            <p class="field-error" id=error_id aria-live="polite">{field_error(error, field)}</p>
        </div>
    }
}

#[component]
pub fn ChangeFields(
    initial: ChangeForm,
    services: Vec<ServiceRef>,
    people: Vec<PersonRef>,
    /// Active standard change templates (id, name).
    templates: Vec<(i64, String)>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let answers = RwSignal::new([
        initial.impact_breadth.clone(),
        initial.complexity.clone(),
        initial.backout_difficulty.clone(),
        initial.history.clone(),
        initial.time_pressure.clone(),
    ]);
    let preview = move || {
        let values = answers.get();
        let parsed: Vec<u8> = values.iter().filter_map(|v| v.parse().ok()).collect();
        if parsed.len() < 5 {
            return view! { <p class="muted">"Answer all five questions to see the risk level."</p> }.into_any();
        }
        let assessment = assess(
            &RiskAnswers {
                impact_breadth: parsed[0],
                complexity: parsed[1],
                backout_difficulty: parsed[2],
                history: parsed[3],
                time_pressure: parsed[4],
            },
            None,
        );
        view! {
            <p>
                "Risk before the services' criticality is counted: "
                <span class=format!("badge risk-{}", assessment.level.as_str())>{assessment.level.label()}</span>
                {format!(" (score {})", assessment.score)}
            </p>
        }
        .into_any()
    };
    view! {
        <Text id="change-title" field="title" label="Title" value=initial.title.clone() error/>
        <div class="field-row">
            <div class="field">
                <label for="change-type">"Type"</label>
                <select id="change-type" name="form[change_type]">
                    <option value="" selected=initial.change_type.is_empty()>"Choose…"</option>
                    {ChangeType::ALL.into_iter().map(|t| view! {
                        <option value=t.as_str() selected=initial.change_type == t.as_str()>{t.label()}</option>
                    }).collect_view()}
                </select>
                <p class="field-error" aria-live="polite">{field_error(error, "change_type")}</p>
            </div>
            <div class="field">
                <label for="change-template">"Standard template"</label>
                <select id="change-template" name="form[template_id]" aria-describedby="change-template-hint change-template-error">
                    <option value="">"None (normal or emergency change)"</option>
                    {templates.into_iter().map(|(id, name)| view! {
                        <option value=id.to_string() selected=initial.template_id == id.to_string()>{name}</option>
                    }).collect_view()}
                </select>
                <p class="field-hint" id="change-template-hint">"Standard changes only: the change runs the template's pre-authorised plans. "<a href="/changes/templates">"Browse templates"</a></p>
                <p class="field-error" id="change-template-error" aria-live="polite">{field_error(error, "template_id")}</p>
            </div>
            <Text id="change-category" field="category" label="Category" value=initial.category.clone() error hint="e.g. Network, Application, Database"/>
        </div>
        <Text id="change-description" field="description" label="Description" value=initial.description.clone() error multiline=true/>
        <Text id="change-reason" field="reason" label="Reason and benefit" value=initial.reason.clone() error multiline=true/>
        <fieldset class="role-choices">
            <legend>"Affected services"</legend>
            {services.into_iter().enumerate().map(|(index, service)| {
                let id = format!("change-service-{}", service.id);
                let checked = initial.service_ids.contains(&service.id.to_string());
                view! {
                    <label for=id.clone() class="checkbox">
                        <input type="checkbox" id=id.clone() name=format!("form[service_ids][{index}]") value=service.id.to_string() checked=checked/>
                        {service.name}
                    </label>
                }
            }).collect_view()}
            <p class="field-error" aria-live="polite">{field_error(error, "service_ids")}</p>
        </fieldset>
        <Text id="change-cis" field="configuration_items" label="Configuration items" value=initial.configuration_items.clone() error multiline=true hint="One per line."/>
        <Text id="change-related" field="related_changes" label="Related changes" value=initial.related_changes.clone() error hint="References such as CHG-00012, separated by commas."/>
        <div class="field-row">
            <div class="field">
                <label for="change-owner">"Change owner"</label>
                <select id="change-owner" name="form[owner_id]">
                    <option value="">"Me"</option>
                    {people.iter().map(|p| view! {
                        <option value=p.id.to_string() selected=initial.owner_id == p.id.to_string()>{p.name.clone()}</option>
                    }).collect_view()}
                </select>
                <p class="field-error" aria-live="polite">{field_error(error, "owner_id")}</p>
            </div>
        </div>
        <fieldset class="role-choices">
            <legend>"Implementers"</legend>
            {people.into_iter().enumerate().map(|(index, person)| {
                let id = format!("change-implementer-{}", person.id);
                let checked = initial.implementer_ids.contains(&person.id.to_string());
                view! {
                    <label for=id.clone() class="checkbox">
                        <input type="checkbox" id=id.clone() name=format!("form[implementer_ids][{index}]") value=person.id.to_string() checked=checked/>
                        {person.name}
                    </label>
                }
            }).collect_view()}
        </fieldset>
        <div class="field-row">
            <Text id="change-start" field="planned_start" label="Planned start (your time zone)" value=initial.planned_start.clone() error input_type="datetime-local"/>
            <Text id="change-end" field="planned_end" label="Planned end" value=initial.planned_end.clone() error input_type="datetime-local"/>
        </div>
        <div class="field-row">
            <div class="field">
                <label class="checkbox" for="change-outage">
                    <input type="checkbox" id="change-outage" name="form[expects_outage]" value="on" checked=initial.expects_outage.is_some()/>
                    "Expect an outage"
                </label>
            </div>
            <Text id="change-outage-minutes" field="outage_minutes" label="Outage (minutes)" value=initial.outage_minutes.clone() error input_type="number"/>
        </div>
        <Text id="change-implementation" field="implementation_plan" label="Implementation plan" value=initial.implementation_plan.clone() error multiline=true/>
        <Text id="change-test" field="test_plan" label="Test plan" value=initial.test_plan.clone() error multiline=true/>
        <Text id="change-backout" field="backout_plan" label="Back-out plan" value=initial.backout_plan.clone() error multiline=true/>
        <Text id="change-communication" field="communication_plan" label="Communication plan" value=initial.communication_plan.clone() error multiline=true/>
        <fieldset class="risk-questions">
            <legend>"Risk assessment"</legend>
            {QUESTIONS.into_iter().enumerate().map(|(index, (field, label, options))| {
                let id = format!("risk-{field}");
                let current = answers.get_untracked()[index].clone();
                view! {
                    <div class="field">
                        <label for=id.clone()>{label}</label>
                        <select id=id name=format!("form[{field}]") on:change=move |ev| {
                            let value = event_target_value(&ev);
                            answers.update(|a| a[index] = value);
                        }>
                            <option value="" selected=current.is_empty()>"Not answered"</option>
                            {options.into_iter().enumerate().map(|(n, text)| {
                                let value = n.to_string();
                                let selected = current == value;
                                view! { <option value=value selected=selected>{text}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                }
            }).collect_view()}
            <p class="field-error" aria-live="polite">{field_error(error, "risk")}</p>
            <div class="risk-preview" aria-live="polite">{preview}</div>
        </fieldset>
    }
}
