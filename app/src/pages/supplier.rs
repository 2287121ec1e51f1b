//! `/suppliers/:id`: one supplier — who manages it, the services it supports and those whose
//! impact analysis depends on it, its contracts with their agreed targets and renewal notice,
//! and its performance reviews; for those who keep the register, the forms to add contracts,
//! record a review, edit, and retire or restore it.

use super::id_param;
use crate::api::suppliers::{
    get_supplier, supplier_form_choices, AddSupplierContract, RemoveSupplierContract,
    ReviewSupplier, SetSupplierStatus, UpdateSupplier,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::succeeded::successes;
use crate::error::AppError;
use crate::model::recovery::minutes_text;
use crate::model::sms_risk::{review_standing, ReviewStanding};
use crate::model::supplier::{ReviewOutcome, Supplier, SupplierRecord, SupplierStatus};
use crate::pages::suppliers::{outcome_badge, SupplierFields};
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Copy)]
struct Actions {
    update: ServerAction<UpdateSupplier>,
    status: ServerAction<SetSupplierStatus>,
    add_contract: ServerAction<AddSupplierContract>,
    remove_contract: ServerAction<RemoveSupplierContract>,
    review: ServerAction<ReviewSupplier>,
}

#[component]
pub fn SupplierPage() -> impl IntoView {
    let id = id_param();
    let actions = Actions {
        update: ServerAction::new(),
        status: ServerAction::new(),
        add_contract: ServerAction::new(),
        remove_contract: ServerAction::new(),
        review: ServerAction::new(),
    };
    // Only a success refreshes the record: after a refusal the forms keep what was typed.
    let refreshes = [
        successes(actions.update),
        successes(actions.status),
        successes(actions.add_contract),
        successes(actions.remove_contract),
        successes(actions.review),
    ];
    let record = Resource::new(
        move || (id.get(), refreshes.map(|count| count.get())),
        |(id, ..)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That supplier".into()))?;
            get_supplier(id).await
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the supplier…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(record) => view! { <SupplierView record actions/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn or_dash(text: &str) -> String {
    if text.is_empty() {
        "—".into()
    } else {
        text.to_string()
    }
}

#[component]
fn SupplierView(record: SupplierRecord, actions: Actions) -> impl IntoView {
    let SupplierRecord {
        supplier,
        may_manage,
        today,
    } = record;
    let title = format!("{} {}", supplier.reference, supplier.name);
    let active = supplier.status == SupplierStatus::Active;
    let concerns = supplier.concerns(today);
    let overdue =
        active && review_standing(supplier.next_review_on, today) == ReviewStanding::Overdue;
    let services = if supplier.services.is_empty() {
        view! { "—" }.into_any()
    } else {
        supplier
            .services
            .iter()
            .map(|s| view! { <a href=format!("/services/{}", s.id)>{s.name.clone()}</a>" " })
            .collect_view()
            .into_any()
    };
    let email = supplier.contact_email.clone();
    let manage = may_manage && active;
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/suppliers">"Suppliers"</a>" / "{supplier.reference.clone()}</nav>
        <div class="page-header">
            <h1>{title}</h1>
            <div class="page-actions">
                <span class="badge">{supplier.kind.label()}</span>
                {(!active).then(|| view! { <span class="badge">"Retired"</span> })}
                {supplier.last_outcome.map(outcome_badge)}
            </div>
        </div>
        {(!concerns.is_empty()).then(|| view! {
            <div class="banner banner-warning" role="status">
                <p><strong>"What an auditor would ask about:"</strong></p>
                <ul>{concerns.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}</ul>
            </div>
        })}
        <dl class="details">
            <dt>"Provides"</dt><dd class="prewrap">{or_dash(&supplier.provides)}</dd>
            <dt>"Relationship manager"</dt><dd>{supplier.owner.name.clone()}</dd>
            <dt>"Contact"</dt>
            <dd>
                {or_dash(&supplier.contact_name)}
                {(!email.is_empty()).then(|| view! { " · "<a href=format!("mailto:{email}")>{email.clone()}</a> })}
                {(!supplier.contact_phone.is_empty()).then(|| view! { " · "<a href=format!("tel:{}", supplier.contact_phone.replace(' ', ""))>{supplier.contact_phone.clone()}</a> })}
            </dd>
            <dt>"Supports"</dt><dd>{services}</dd>
            <dt>"Reviewed"</dt><dd>{format!("every {} months", supplier.review_every_months)}</dd>
            <dt>"Next review"</dt>
            <dd class:overdue=overdue>
                <time datetime=supplier.next_review_on.to_string()>{supplier.next_review_on.to_string()}</time>
                {overdue.then_some(" — overdue")}
            </dd>
            {supplier.retired_reason.clone().map(|why| view! { <dt>"Retired because"</dt><dd class="prewrap">{why}</dd> })}
            <dt>"Added"</dt><dd>{format!("{} by {}", supplier.created_at.format("%Y-%m-%d"), supplier.created_by.name)}</dd>
        </dl>
        <Dependents supplier=supplier.clone()/>
        <Contracts supplier=supplier.clone() manage action=actions.remove_contract/>
        {manage.then(|| view! { <ContractPanel id=supplier.id version=supplier.version action=actions.add_contract/> })}
        {manage.then(|| view! { <ReviewPanel id=supplier.id version=supplier.version cycle=supplier.review_every_months action=actions.review/> })}
        <ReviewHistory supplier=supplier.clone()/>
        {manage.then(|| view! { <EditPanel supplier=supplier.clone() action=actions.update/> })}
        {may_manage.then(|| view! { <StatusPanel supplier action=actions.status/> })}
    }
}

/// The services whose business impact analysis depends on this supplier.
#[component]
fn Dependents(supplier: Supplier) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="dependents-heading">
            <h2 id="dependents-heading">"Services that depend on it"</h2>
            {if supplier.dependents.is_empty() {
                view! { <p class="muted">"No service's impact analysis names this supplier."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {supplier.dependents.into_iter().map(|d| {
                            let late = d.late();
                            let words = match (d.supplier_rto_minutes, d.service_rto_minutes) {
                                (Some(s), Some(r)) => format!(" — back within {} (the service needs {})", minutes_text(s), minutes_text(r)),
                                (Some(s), None) => format!(" — back within {}", minutes_text(s)),
                                _ => String::new(),
                            };
                            view! {
                                <li class:overdue=late>
                                    <a href=format!("/services/{}/bia", d.service.id)>{d.service.name.clone()}</a>
                                    {if late { format!("{words} (too slow)") } else { words }}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Contracts(
    supplier: Supplier,
    manage: bool,
    action: ServerAction<RemoveSupplierContract>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let (id, version) = (supplier.id, supplier.version);
    view! {
        <section class="panel" aria-labelledby="contracts-heading">
            <h2 id="contracts-heading">"Contracts and agreed targets"</h2>
            <FormErrors error/>
            {if supplier.contracts.is_empty() {
                view! { <p class="muted">"No contract recorded. An external supplier needs one in force; an internal supplier or a customer acting as one, its documented agreement."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table">
                            <thead><tr>
                                <th scope="col">"Reference"</th>
                                <th scope="col">"From"</th>
                                <th scope="col">"To"</th>
                                <th scope="col">"Renewal decision by"</th>
                                <th scope="col">"Value"</th>
                                <th scope="col">"Agreed targets"</th>
                                <th scope="col">"Standing"</th>
                                {manage.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                            </tr></thead>
                            <tbody>
                                {supplier.contracts.into_iter().map(|c| {
                                    let due = c.standing.awaits_renewal();
                                    let label = format!("Remove contract {}", c.reference);
                                    view! {
                                        <tr>
                                            <td>{c.reference.clone()}</td>
                                            <td>{c.starts_on.to_string()}</td>
                                            <td>{c.ends_on.map(|d| d.to_string()).unwrap_or_else(|| "Open-ended".into())}</td>
                                            <td>{c.notice_on().map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
                                            <td>{or_dash(&c.value)}</td>
                                            <td class="prewrap">{c.targets.clone()}</td>
                                            <td class:overdue=due>{c.standing.label()}</td>
                                            {manage.then(|| view! {
                                                <td>
                                                    <ActionForm action>
                                                        <input type="hidden" name="id" value=id/>
                                                        <input type="hidden" name="version" value=version/>
                                                        <input type="hidden" name="contract_id" value=c.id/>
                                                        <button type="submit" class="button secondary small" aria-label=label disabled=move || action.pending().get()>"Remove"</button>
                                                    </ActionForm>
                                                </td>
                                            })}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn ContractPanel(
    id: i64,
    version: i32,
    action: ServerAction<AddSupplierContract>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let message = move |field: &'static str| {
        view! { <p class="field-error" id=format!("contract-{field}-error") aria-live="polite">{field_error(error, field)}</p> }
    };
    let input = move |id: &'static str,
                      label: &'static str,
                      field: &'static str,
                      kind: &'static str| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=kind name=format!("form[{field}]") aria-describedby=format!("contract-{field}-error")/>
                {message(field)}
            </div>
        }
    };
    view! {
        <section class="panel" aria-labelledby="add-contract-heading">
            <h2 id="add-contract-heading">"Add a contract"</h2>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=version/>
                <div class="field-row">
                    {input("contract-reference", "Contract reference", "reference", "text")}
                    {input("contract-value", "Value (optional)", "value", "text")}
                </div>
                <div class="field-row">
                    {input("contract-starts", "Starts on", "starts_on", "date")}
                    {input("contract-ends", "Ends on (empty: open-ended)", "ends_on", "date")}
                    {input("contract-notice", "Renewal notice (days)", "notice_days", "number")}
                </div>
                <div class="field">
                    <label for="contract-targets">"Agreed targets"</label>
                    <textarea id="contract-targets" name="form[targets]" rows=3 placeholder="99.9% availability a month; P1 response within 30 minutes" aria-describedby="contract-targets-error"></textarea>
                    {message("targets")}
                </div>
                <div class="form-actions">
                    <button type="submit" class="button secondary" disabled=move || action.pending().get()>"Add the contract"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn ReviewPanel(
    id: i64,
    version: i32,
    cycle: u32,
    action: ServerAction<ReviewSupplier>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let message = move |field: &'static str| {
        view! { <p class="field-error" id=format!("supplier-review-{field}-error") aria-live="polite">{field_error(error, field)}</p> }
    };
    view! {
        <section class="panel" aria-labelledby="supplier-review-heading">
            <h2 id="supplier-review-heading">"Record a performance review"</h2>
            <p class="hint">{format!("Held today against the agreed targets; the next review falls {cycle} months on.")}</p>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=version/>
                <fieldset class="field" aria-describedby="supplier-review-outcome-error">
                    <legend>"Against its agreed targets"</legend>
                    {ReviewOutcome::ALL.into_iter().map(|o| {
                        let id = format!("supplier-outcome-{}", o.as_str());
                        let label_for = id.clone();
                        view! {
                            <label class="checkbox" for=label_for>
                                <input type="radio" id=id name="form[outcome]" value=o.as_str()/>
                                " "{o.label()}
                            </label>
                        }
                    }).collect_view()}
                    {message("outcome")}
                </fieldset>
                <div class="field">
                    <label for="supplier-findings">"What the review found"</label>
                    <textarea id="supplier-findings" name="form[findings]" rows=3 aria-describedby="supplier-review-findings-error"></textarea>
                    {message("findings")}
                </div>
                <div class="field">
                    <label for="supplier-actions">"Actions (required when a target was missed)"</label>
                    <textarea id="supplier-actions" name="form[actions]" rows=2 aria-describedby="supplier-review-actions-error"></textarea>
                    {message("actions")}
                </div>
                <div class="form-actions">
                    <button type="submit" class="button secondary" disabled=move || action.pending().get()>"Record the review"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn ReviewHistory(supplier: Supplier) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="supplier-reviews-heading">
            <h2 id="supplier-reviews-heading">"Performance reviews"</h2>
            {if supplier.reviews.is_empty() {
                view! { <p class="muted">"Not reviewed yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="timeline">
                        {supplier.reviews.into_iter().map(|r| view! {
                            <li>
                                <time datetime=r.reviewed_on.to_string()>{r.reviewed_on.to_string()}</time>
                                " "{outcome_badge(r.outcome)}
                                {format!(" {} — next review {}", r.by.name, r.next_review_on)}
                                <p class="prewrap">{r.findings}</p>
                                {(!r.actions.is_empty()).then(|| view! { <p class="prewrap"><strong>"Actions: "</strong>{r.actions.clone()}</p> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn EditPanel(supplier: Supplier, action: ServerAction<UpdateSupplier>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| supplier_form_choices());
    let (id, version) = (supplier.id, supplier.version);
    let initial = supplier.form();
    view! {
        <section class="panel" aria-labelledby="edit-supplier-heading">
            <h2 id="edit-supplier-heading">"Edit the supplier"</h2>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
                {move || {
                    let initial = initial.clone();
                    Suspend::new(async move {
                        match choices.await {
                            Ok(choices) => view! {
                                <ActionForm action attr:class="form" attr:novalidate=true>
                                    <FormErrors error/>
                                    <input type="hidden" name="id" value=id/>
                                    <input type="hidden" name="version" value=version/>
                                    <SupplierFields choices initial error recording=false/>
                                    <div class="form-actions">
                                        <button type="submit" class="button" disabled=move || action.pending().get()>"Save the supplier"</button>
                                    </div>
                                </ActionForm>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn StatusPanel(supplier: Supplier, action: ServerAction<SetSupplierStatus>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let retiring = supplier.status == SupplierStatus::Active;
    view! {
        <section class="panel" aria-labelledby="supplier-status-heading">
            <h2 id="supplier-status-heading">{if retiring { "Retire the supplier" } else { "Restore the supplier" }}</h2>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="id" value=supplier.id/>
                <input type="hidden" name="version" value=supplier.version/>
                <input type="hidden" name="form[status]" value=if retiring { "retired" } else { "active" }/>
                {retiring.then(|| view! {
                    <div class="field">
                        <label for="supplier-retire-reason">"Why it is retired"</label>
                        <textarea id="supplier-retire-reason" name="form[reason]" rows=2 aria-describedby="supplier-reason-error"></textarea>
                        <p class="field-error" id="supplier-reason-error" aria-live="polite">{field_error(error, "reason")}</p>
                    </div>
                })}
                <div class="form-actions">
                    <button type="submit" class="button secondary" disabled=move || action.pending().get()>{if retiring { "Retire" } else { "Restore" }}</button>
                </div>
            </ActionForm>
        </section>
    }
}
