//! The request catalogue (clause 8.6.2): `/requests/catalogue` lists what each service offers;
//! `/requests/new?type=N` asks a type's questions; `/requests/types/new` and
//! `/requests/types/:id` are where a service level manager keeps the types.

use super::id_param;
use crate::api::incidents::incident_form_choices;
use crate::api::requests::{
    get_request_type, read_request_catalogue, CreateRequestType, RaiseRequest, UpdateRequestType,
};
use crate::components::change_fields::{field_error, field_error_named};
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::error::AppError;
use crate::model::incident::IncidentChoices;
use crate::model::service_request::{
    FieldForm, FieldKind, RequestField, RequestType, RequestTypeForm, MAX_FIELDS,
};
use crate::model::target_clock::span;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn target_words(minutes: Option<u32>) -> String {
    match minutes {
        Some(minutes) => format!(
            "fulfilled within {} of service time",
            span(i64::from(minutes) * 60)
        ),
        None => "fulfilled within the agreement's target".into(),
    }
}

#[component]
pub fn RequestCataloguePage() -> impl IntoView {
    let catalogue = Resource::new(|| (), |_| read_request_catalogue());
    view! {
        <Title text="Request catalogue"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/requests">"Requests"</a>" / Catalogue"</nav>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the catalogue…"</p> }>
            {move || Suspend::new(async move {
                match catalogue.await {
                    Ok(catalogue) => {
                        let manage = catalogue.may_manage.then(|| view! { <a class="button secondary" href="/requests/types/new">"Add a request type"</a> });
                        let mut services: Vec<(String, Vec<RequestType>)> = Vec::new();
                        for t in catalogue.types {
                            match services.last_mut() {
                                Some((name, types)) if *name == t.service.name => types.push(t),
                                _ => services.push((t.service.name.clone(), vec![t])),
                            }
                        }
                        let may_manage = catalogue.may_manage;
                        view! {
                            <div class="page-head">
                                <h1>"Request catalogue"</h1>
                                <div class="page-actions">{manage}</div>
                            </div>
                            <p class="muted">"What each service offers. Choose a request to say what you need; requests that need approval wait for an approver before the service desk starts."</p>
                            {if services.is_empty() {
                                view! { <div class="empty-state"><p><strong>"The catalogue is empty."</strong></p><p>"A service level manager adds the requests each service offers."</p></div> }.into_any()
                            } else {
                                services.into_iter().map(|(service, types)| view! {
                                    <section class="panel" aria-label=service.clone()>
                                        <h2>{service.clone()}</h2>
                                        <ul class="request-types">
                                            {types.into_iter().map(|t| view! {
                                                <li>
                                                    {if t.active {
                                                        view! { <a href=format!("/requests/new?type={}", t.id)><strong>{t.name.clone()}</strong></a> }.into_any()
                                                    } else {
                                                        view! { <strong>{t.name.clone()}</strong>" "<span class="badge">"Not offered"</span> }.into_any()
                                                    }}
                                                    {(!t.description.is_empty()).then(|| view! { <p>{t.description.clone()}</p> })}
                                                    <p class="muted">
                                                        {if t.approval_required { "Needs approval · " } else { "No approval needed · " }}
                                                        {target_words(t.fulfilment_minutes)}
                                                    </p>
                                                    {may_manage.then(|| view! { <a href=format!("/requests/types/{}", t.id) aria-label=format!("Edit {}", t.name)>"Edit"</a> })}
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    </section>
                                }).collect_view().into_any()
                            }}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn RequestNewPage() -> impl IntoView {
    let query = use_query_map();
    let type_id =
        Memo::new(move |_| query.with(|q| q.get("type").and_then(|t| t.parse::<i64>().ok())));
    let request_type = Resource::new(
        move || type_id.get(),
        |id| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That request type".into()))?;
            get_request_type(id).await
        },
    );
    let choices = Resource::new(|| (), |_| incident_form_choices());
    view! {
        <Title text="Request something"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/requests">"Requests"</a>" / "<a href="/requests/catalogue">"Catalogue"</a>" / New"</nav>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
            {move || Suspend::new(async move {
                match (request_type.await, choices.await) {
                    (Ok(request_type), Ok(choices)) => view! { <RequestForm request_type choices/> }.into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One question of a request type, as an input of its kind.
fn answer_input(
    index: usize,
    field: RequestField,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("answer-{index}");
    let key = format!("answer_{index}");
    let name = format!("form[answers][{index}]");
    let described = format!("{id}-error");
    let label = if field.required {
        format!("{} (required)", field.label)
    } else {
        field.label.clone()
    };
    let input = match field.kind {
        FieldKind::Text => view! { <input id=id.clone() name=name maxlength=200 required=field.required aria-describedby=described.clone()/> }.into_any(),
        FieldKind::LongText => view! { <textarea id=id.clone() name=name rows=4 required=field.required aria-describedby=described.clone()></textarea> }.into_any(),
        FieldKind::Date => view! { <input id=id.clone() name=name type="date" required=field.required aria-describedby=described.clone()/> }.into_any(),
        FieldKind::Choice => view! {
            <select id=id.clone() name=name required=field.required aria-describedby=described.clone()>
                <option value="">"Choose…"</option>
                {field.options.into_iter().map(|o| view! { <option value=o.clone()>{o.clone()}</option> }).collect_view()}
            </select>
        }.into_any(),
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {input}
            <p class="field-error" id=described aria-live="polite">{field_error_named(error, key)}</p>
        </div>
    }
}

#[component]
fn RequestForm(request_type: RequestType, choices: IncidentChoices) -> impl IntoView {
    let raise = ServerAction::<RaiseRequest>::new();
    let error = Signal::derive(move || raise.value().get().and_then(Result::err));
    let title = format!("Request: {}", request_type.name);
    let on_behalf = (!choices.reporters.is_empty()).then(|| view! {
        <div class="field">
            <label for="req-requester">"Requested by"</label>
            <select id="req-requester" name="form[requester_id]" aria-describedby="req-requester-hint req-requester-error">
                <option value="">"Me"</option>
                {choices.reporters.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
            </select>
            <p class="hint" id="req-requester-hint">"The service desk may raise a request for the person who asked."</p>
            <p class="field-error" id="req-requester-error" aria-live="polite">{field_error(error, "requester_id")}</p>
        </div>
    });
    view! {
        <Title text=title.clone()/>
        <h1>{title}</h1>
        <p class="muted">
            {request_type.service.name.clone()}" · "
            {if request_type.approval_required { "Needs approval before the service desk starts · " } else { "" }}
            {target_words(request_type.fulfilment_minutes)}
        </p>
        {(!request_type.description.is_empty()).then(|| view! { <p>{request_type.description.clone()}</p> })}
        <ActionForm action=raise attr:class="form" attr:novalidate=true>
            <FormErrors error/>
            <input type="hidden" name="form[type_id]" value=request_type.id/>
            <input type="hidden" name="form[type_version]" value=request_type.version/>
            <div class="field">
                <label for="req-summary">"Summary"</label>
                <input id="req-summary" name="form[summary]" maxlength=160 required=true aria-describedby="req-summary-hint req-summary-error"/>
                <p class="hint" id="req-summary-hint">"One line the service desk sees in its queue, e.g. “Laptop for Ana Ruiz, starting 4 January”."</p>
                <p class="field-error" id="req-summary-error" aria-live="polite">{field_error(error, "summary")}</p>
            </div>
            {request_type.fields.into_iter().enumerate().map(|(i, field)| answer_input(i, field, error)).collect_view()}
            {on_behalf}
            <p class="field-error" aria-live="polite">{field_error(error, "type_id")}</p>
            <div class="form-actions">
                <button type="submit" class="button" disabled=move || raise.pending().get()>"Send the request"</button>
                {move || raise.pending().get().then(|| view! { <span role="status" class="muted">"Sending…"</span> })}
                <a href="/requests/catalogue">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn RequestTypeNewPage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| incident_form_choices());
    let action = ServerAction::<CreateRequestType>::new();
    view! {
        <Title text="Add a request type"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/requests/catalogue">"Catalogue"</a>" / New request type"</nav>
        <h1>"Add a request type"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => {
                        let mut initial = RequestTypeForm { active: "yes".into(), ..Default::default() };
                        initial.fields.resize(MAX_FIELDS, FieldForm::default());
                        let error = Signal::derive(move || action.value().get().and_then(Result::err));
                        view! {
                            <ActionForm action attr:class="form" attr:novalidate=true>
                                <FormErrors error/>
                                <TypeFields initial services=choices.services error/>
                                <div class="form-actions">
                                    <button type="submit" class="button" disabled=move || action.pending().get()>"Add to the catalogue"</button>
                                    <a href="/requests/catalogue">"Cancel"</a>
                                </div>
                            </ActionForm>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn RequestTypeEditPage() -> impl IntoView {
    let id = id_param();
    let action = ServerAction::<UpdateRequestType>::new();
    let found = Resource::new(
        move || id.get(),
        |id| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That request type".into()))?;
            get_request_type(id).await
        },
    );
    let choices = Resource::new(|| (), |_| incident_form_choices());
    view! {
        <Title text="Edit a request type"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/requests/catalogue">"Catalogue"</a>" / Edit request type"</nav>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the request type…"</p> }>
            {move || Suspend::new(async move {
                match (found.await, choices.await) {
                    (Ok(request_type), Ok(choices)) => {
                        let error = Signal::derive(move || action.value().get().and_then(Result::err));
                        view! {
                            <h1>{format!("Edit “{}”", request_type.name)}</h1>
                            <p class="muted">"Requests already raised keep the questions they were asked and the target they started with."</p>
                            <ActionForm action attr:class="form" attr:novalidate=true>
                                <FormErrors error/>
                                <input type="hidden" name="id" value=request_type.id/>
                                <input type="hidden" name="version" value=request_type.version/>
                                <TypeFields initial=request_type.form() services=choices.services error/>
                                <div class="form-actions">
                                    <button type="submit" class="button" disabled=move || action.pending().get()>"Save the request type"</button>
                                    <a href="/requests/catalogue">"Cancel"</a>
                                </div>
                            </ActionForm>
                        }.into_any()
                    }
                    (Err(error), _) | (_, Err(error)) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The request type's inputs, shared by the new and edit forms.
#[component]
fn TypeFields(
    initial: RequestTypeForm,
    services: Vec<crate::model::refs::ServiceRef>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let chosen_service = initial.service_id.clone();
    view! {
        <div class="field">
            <label for="rt-name">"Name"</label>
            <input id="rt-name" name="form[name]" maxlength=120 value=initial.name.clone() aria-describedby="rt-name-error"/>
            <p class="field-error" id="rt-name-error" aria-live="polite">{field_error(error, "name")}</p>
        </div>
        <div class="field">
            <label for="rt-service">"Service"</label>
            <select id="rt-service" name="form[service_id]" aria-describedby="rt-service-error">
                <option value="">"Choose…"</option>
                {services.into_iter().map(|s| view! { <option value=s.id selected=chosen_service == s.id.to_string()>{s.name}</option> }).collect_view()}
            </select>
            <p class="field-error" id="rt-service-error" aria-live="polite">{field_error(error, "service_id")}</p>
        </div>
        <div class="field">
            <label for="rt-description">"Description"</label>
            <textarea id="rt-description" name="form[description]" rows=3 aria-describedby="rt-description-error">{initial.description.clone()}</textarea>
            <p class="field-error" id="rt-description-error" aria-live="polite">{field_error(error, "description")}</p>
        </div>
        <div class="field">
            <label class="checkbox" for="rt-approval"><input type="checkbox" id="rt-approval" name="form[approval]" value="yes" checked=initial.approval == "yes"/>" Someone approves each request before it is worked"</label>
            <p class="hint">"A service owner or a service level manager approves — never the person who asked or raised it."</p>
        </div>
        <div class="field">
            <label for="rt-target">"Fulfilment target (minutes of service time)"</label>
            <input id="rt-target" name="form[fulfilment_minutes]" inputmode="numeric" value=initial.fulfilment_minutes.clone() aria-describedby="rt-target-hint rt-target-error"/>
            <p class="hint" id="rt-target-hint">"Leave empty to use the fulfilment target of the agreement for the service."</p>
            <p class="field-error" id="rt-target-error" aria-live="polite">{field_error(error, "fulfilment_minutes")}</p>
        </div>
        <div class="field">
            <label class="checkbox" for="rt-active"><input type="checkbox" id="rt-active" name="form[active]" value="yes" checked=initial.active == "yes"/>" Offered in the catalogue"</label>
        </div>
        <fieldset class="field request-type-fields">
            <legend>"What the request asks"</legend>
            <p class="hint">"Up to eight fields. Choices are separated by |. Leave a row empty to drop it."</p>
            <p class="field-error" aria-live="polite">{field_error(error, "fields")}</p>
            {initial.fields.into_iter().enumerate().map(|(row, field)| {
                let number = row + 1;
                let key = format!("field_{row}");
                let kind = field.kind.clone();
                view! {
                    <div class="field-row" role="group" aria-label=format!("Field {number}")>
                        <div class="field">
                            <label for=format!("rt-field-{row}-label")>{format!("Field {number}: label")}</label>
                            <input id=format!("rt-field-{row}-label") name=format!("form[fields][{row}][label]") value=field.label.clone() maxlength=80/>
                        </div>
                        <div class="field">
                            <label for=format!("rt-field-{row}-kind")>{format!("Field {number}: kind")}</label>
                            <select id=format!("rt-field-{row}-kind") name=format!("form[fields][{row}][kind]")>
                                {FieldKind::ALL.into_iter().map(|k| view! { <option value=k.as_str() selected=kind == k.as_str()>{k.label()}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for=format!("rt-field-{row}-options")>{format!("Field {number}: choices")}</label>
                            <input id=format!("rt-field-{row}-options") name=format!("form[fields][{row}][options]") value=field.options.clone() placeholder="Standard | Developer"/>
                        </div>
                        <div class="field">
                            <label class="checkbox" for=format!("rt-field-{row}-required")><input type="checkbox" id=format!("rt-field-{row}-required") name=format!("form[fields][{row}][required]") value="yes" checked=field.required == "yes"/>{format!(" Field {number} is required")}</label>
                        </div>
                        <p class="field-error" aria-live="polite">{field_error_named(error, key)}</p>
                    </div>
                }
            }).collect_view()}
        </fieldset>
    }
}
