//! `/service-levels/agreements/new` and `/service-levels/agreements/:id`: a service level
//! agreement — its terms, its targets per priority, and its lifecycle (draft, review,
//! approval by someone who wrote no part of it, revision). A draft is edited in place; an
//! approved text only through a revision.

use super::id_param;
use crate::api::service_levels::{
    agreement_form_choices, get_agreement, AgreementTransition, CreateAgreement, ReviseAgreement,
    UpdateAgreement,
};
use crate::components::change_fields::{field_error, field_error_named};
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::error::AppError;
use crate::model::agreement::{AgreementChoices, AgreementForm, AgreementRecord};
use crate::model::priority_matrix::TicketPriority;
use crate::model::target_clock::span;
use crate::pages::service_levels::agreement_state_badge;
use leptos::prelude::*;
use leptos_meta::Title;

/// The agreement's fields, named `form[…]` as `AgreementForm` reads them.
#[component]
fn AgreementFields(
    initial: AgreementForm,
    choices: AgreementChoices,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let text = |id: &'static str,
                label: &'static str,
                field: &'static str,
                value: String,
                kind: &'static str| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=kind name=format!("form[{field}]") value=value aria-describedby=format!("{id}-error")/>
                <p class="field-error" id=format!("{id}-error") aria-live="polite">{field_error(error, field)}</p>
            </div>
        }
    };
    let chosen = initial.service_ids.clone();
    let calendar = initial.calendar_id.clone();
    view! {
        {text("sla-title", "Title", "title", initial.title.clone(), "text")}
        {text("sla-customer", "Customer", "customer", initial.customer.clone(), "text")}
        <fieldset class="field">
            <legend>"Services covered"</legend>
            {choices.services.into_iter().enumerate().map(|(index, s)| {
                let id = format!("sla-service-{}", s.id);
                let label_for = id.clone();
                let checked = chosen.contains(&s.id.to_string());
                view! {
                    <label class="checkbox" for=label_for>
                        <input type="checkbox" id=id name=format!("form[service_ids][{index}]") value=s.id.to_string() checked=checked/>
                        " "{s.name}
                    </label>
                }
            }).collect_view()}
            <p class="field-error" aria-live="polite">{field_error(error, "service_ids")}</p>
        </fieldset>
        <div class="field">
            <label for="sla-calendar">"Service hours"</label>
            <select id="sla-calendar" name="form[calendar_id]" aria-describedby="sla-calendar-error">
                <option value="">"Choose…"</option>
                {choices.calendars.into_iter().map(|(id, name)| {
                    let selected = calendar == id.to_string();
                    view! { <option value=id selected=selected>{name}</option> }
                }).collect_view()}
            </select>
            <p class="field-error" id="sla-calendar-error" aria-live="polite">{field_error(error, "calendar_id")}</p>
        </div>
        <div class="field-row">
            {text("sla-starts", "Starts on", "starts_on", initial.starts_on.clone(), "date")}
            {text("sla-ends", "Ends on (empty: open-ended)", "ends_on", initial.ends_on.clone(), "date")}
            {text("sla-review", "Review on", "review_on", initial.review_on.clone(), "date")}
        </div>
        <div class="table-wrap">
        <table class="data-table compact targets-form">
            <caption>"Targets in minutes of service time"</caption>
            <thead><tr><th scope="col">"Priority"</th><th scope="col">"Respond within"</th><th scope="col">"Resolve within"</th></tr></thead>
            <tbody>
                {TicketPriority::ALL.into_iter().enumerate().map(|(index, p)| {
                    let response_field = format!("response_{index}");
                    let resolution_field = format!("resolution_{index}");
                    let response_error = field_error_named(error, response_field.clone());
                    let resolution_error = field_error_named(error, resolution_field.clone());
                    view! {
                        <tr>
                            <th scope="row">{p.label()}</th>
                            <td>
                                <input id=format!("sla-{response_field}") name=format!("form[response][{index}]") inputmode="numeric" value=initial.response[index].clone() aria-label=format!("{}: minutes to respond", p.label())/>
                                <p class="field-error" aria-live="polite">{response_error}</p>
                            </td>
                            <td>
                                <input id=format!("sla-{resolution_field}") name=format!("form[resolution][{index}]") inputmode="numeric" value=initial.resolution[index].clone() aria-label=format!("{}: minutes to resolve", p.label())/>
                                <p class="field-error" aria-live="polite">{resolution_error}</p>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
        <div class="field-row">
            {text("sla-availability", "Monthly availability (%)", "availability", initial.availability.clone(), "text")}
            {text("sla-fulfilment", "Requests fulfilled within (minutes)", "fulfilment", initial.fulfilment.clone(), "text")}
        </div>
    }
}

#[component]
pub fn AgreementNewPage() -> impl IntoView {
    let create = ServerAction::<CreateAgreement>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| agreement_form_choices());
    let initial = AgreementForm {
        response: ["15", "30", "60", "240", "480"].map(String::from),
        resolution: ["240", "480", "1440", "2880", "4800"].map(String::from),
        availability: "99.5".into(),
        fulfilment: "2400".into(),
        ..Default::default()
    };
    view! {
        <Title text="New agreement"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/service-levels">"Service levels"</a>" / New agreement"</nav>
        <h1>"New service level agreement"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
            {move || {
                let initial = initial.clone();
                Suspend::new(async move {
                    match choices.await {
                        Ok(choices) if choices.calendars.is_empty() => view! {
                            <div class="empty-state"><p><strong>"No service hours yet."</strong></p><p>"Targets are measured on service hours: "<a href="/service-levels/calendars">"add them first"</a>"."</p></div>
                        }.into_any(),
                        Ok(choices) => view! {
                            <ActionForm action=create attr:class="form" attr:novalidate=true>
                                <FormErrors error/>
                                <AgreementFields initial choices error/>
                                <div class="form-actions"><button type="submit" class="button" disabled=move || create.pending().get()>"Save draft"</button><a href="/service-levels">"Cancel"</a></div>
                            </ActionForm>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn AgreementPage() -> impl IntoView {
    let id = id_param();
    let update = ServerAction::<UpdateAgreement>::new();
    let transition = ServerAction::<AgreementTransition>::new();
    let revise = ServerAction::<ReviseAgreement>::new();
    let record = Resource::new(
        move || (id.get(), update.version().get(), transition.version().get()),
        |(id, ..)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That agreement".into()))?;
            get_agreement(id).await
        },
    );
    let choices = Resource::new(|| (), |_| agreement_form_choices());
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the agreement…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(record) => {
                        let choices = choices.await.ok();
                        view! { <AgreementView record choices update transition revise/> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AgreementView(
    record: AgreementRecord,
    choices: Option<AgreementChoices>,
    update: ServerAction<UpdateAgreement>,
    transition: ServerAction<AgreementTransition>,
    revise: ServerAction<ReviseAgreement>,
) -> impl IntoView {
    let AgreementRecord {
        agreement,
        actions,
        may_edit,
        may_revise,
    } = record;
    let update_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let transition_error = Signal::derive(move || transition.value().get().and_then(Result::err));
    let revise_error = Signal::derive(move || revise.value().get().and_then(Result::err));
    let saved = move || matches!(update.value().get(), Some(Ok(())));
    let (id, version) = (agreement.id, agreement.version);
    let title = format!("{} {}", agreement.reference, agreement.terms.title);
    let terms = agreement.terms.clone();
    let edit = match (may_edit, choices) {
        (true, Some(choices)) => Some(view! {
            <section class="panel" aria-labelledby="edit-heading">
                <h2 id="edit-heading">"Edit the draft"</h2>
                <ActionForm action=update attr:class="form" attr:novalidate=true>
                    <FormErrors error=update_error/>
                    {move || saved().then(|| view! { <p class="banner banner-success" role="status">"Saved."</p> })}
                    <input type="hidden" name="id" value=id/>
                    <input type="hidden" name="version" value=version/>
                    <AgreementFields initial=AgreementForm::of(&terms) choices error=update_error/>
                    <div class="form-actions"><button type="submit" class="button" disabled=move || update.pending().get()>"Save draft"</button></div>
                </ActionForm>
            </section>
        }),
        _ => None,
    };
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/service-levels">"Service levels"</a>" / "{agreement.reference.clone()}</nav>
        <div class="page-header"><h1>{title}</h1><div class="page-actions">{agreement_state_badge(agreement.state)}</div></div>
        <dl class="details">
            <dt>"Customer"</dt><dd>{agreement.terms.customer.clone()}</dd>
            <dt>"Services"</dt><dd>{agreement.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")}</dd>
            <dt>"Service hours"</dt><dd><a href=format!("/service-levels/calendars/{}", agreement.terms.calendar_id)>{agreement.calendar_name.clone()}</a></dd>
            <dt>"Period"</dt><dd>{format!("{} – {}", agreement.terms.starts_on, agreement.terms.ends_on.map(|d| d.to_string()).unwrap_or_else(|| "open-ended".into()))}</dd>
            <dt>"Review"</dt><dd>{agreement.terms.review_on.to_string()}</dd>
            <dt>"Availability"</dt><dd>{format!("{} % a month", agreement.terms.availability_percent)}</dd>
            <dt>"Requests"</dt><dd>{format!("fulfilled within {}", span(i64::from(agreement.terms.fulfilment_minutes) * 60))}</dd>
            <dt>"Revision"</dt><dd>{agreement.revision}{agreement.revises_id.map(|r| view! { " · revises "<a href=format!("/service-levels/agreements/{r}")>{format!("SLA-{r}")}</a> })}</dd>
            <dt>"Written by"</dt><dd>{agreement.author.name.clone()}{(!agreement.contributor_ids.is_empty()).then(|| format!(" and {} other(s)", agreement.contributor_ids.len()))}</dd>
            <dt>"Approved"</dt><dd>{match (&agreement.approved_by, agreement.approved_at) {
                (Some(by), Some(at)) => format!("by {} on {}", by.name, at.format("%Y-%m-%d")),
                _ => "Not yet".into(),
            }}</dd>
        </dl>
        <table class="data-table compact">
            <caption>"Targets (service time)"</caption>
            <thead><tr><th scope="col">"Priority"</th><th scope="col">"Respond within"</th><th scope="col">"Resolve within"</th></tr></thead>
            <tbody>
                {agreement.terms.targets.iter().map(|t| view! {
                    <tr><th scope="row">{t.priority.label()}</th><td>{span(i64::from(t.response_minutes) * 60)}</td><td>{span(i64::from(t.resolution_minutes) * 60)}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        {(!actions.is_empty() || may_revise).then(|| view! {
            <section class="panel" aria-labelledby="lifecycle-heading">
                <h2 id="lifecycle-heading">"Lifecycle"</h2>
                <p class="hint">"A service level manager or a quality manager who wrote no part of the agreement approves it."</p>
                <FormErrors error=transition_error/>
                <FormErrors error=revise_error/>
                {(!actions.is_empty()).then(|| view! {
                    <ActionForm action=transition attr:class="form-actions">
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="version" value=version/>
                        {actions.into_iter().map(|a| view! { <button type="submit" name="action" value=a.as_str() class="button">{a.label()}</button> }).collect_view()}
                    </ActionForm>
                })}
                {may_revise.then(|| view! {
                    <ActionForm action=revise attr:class="inline">
                        <input type="hidden" name="id" value=id/>
                        <button type="submit" class="button secondary">"Start a revision"</button>
                    </ActionForm>
                })}
            </section>
        })}
        {edit}
    }
}
