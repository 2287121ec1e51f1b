//! `/suppliers`: the supplier register (clause 8.3.4) — who supplies what, review soonest
//! first, with reviews and renewal decisions due; `/suppliers/new`, adding a supplier.

use crate::api::suppliers::{supplier_form_choices, supplier_list, AddSupplier};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::pager::Pager;
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::listing::PageKey;
use crate::model::sms_risk::{review_standing, ReviewStanding};
use crate::model::supplier::{
    ReviewOutcome, SupplierChoices, SupplierForm, SupplierKind, SupplierListParams, SupplierStatus,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub fn outcome_badge(outcome: ReviewOutcome) -> impl IntoView {
    view! { <span class=format!("badge supplier-outcome-{}", outcome.as_str())>{outcome.label()}</span> }
}

#[component]
pub fn SuppliersPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let query = query.read();
        let get = |key: &str| query.get(key).unwrap_or_default();
        SupplierListParams {
            q: get("q"),
            status: get("status"),
            kind: get("kind"),
            review: get("review"),
            renewal: get("renewal"),
            page: get("page"),
            after: get("after"),
            before: get("before"),
        }
    });
    let list = Resource::new(move || params.get(), supplier_list);
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(v, t)| (v.to_string(), t.to_string()))
            .collect()
    };
    let kinds: Vec<(String, String)> = std::iter::once((String::new(), "Any".to_string()))
        .chain(
            SupplierKind::ALL
                .into_iter()
                .map(|k| (k.as_str().to_string(), k.label().to_string())),
        )
        .collect();
    let select = move |id: &'static str,
                       label: &'static str,
                       name: &'static str,
                       options: Vec<(String, String)>,
                       current: fn(&SupplierListParams) -> String| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id name=name>
                    {options.into_iter().map(|(value, text)| {
                        let chosen = value.clone();
                        view! { <option value=value selected=move || params.with(|p| current(p) == chosen)>{text}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    view! {
        <Title text="Suppliers"/>
        <div class="page-head">
            <h1>"Suppliers"</h1>
            <div class="page-actions">
                <IfAllowed permission=Permission::SupplierManage>
                    <a class="button" href="/suppliers/new">"Add a supplier"</a>
                </IfAllowed>
            </div>
        </div>
        <p class="muted">"Clause 8.3.4: the external suppliers, internal suppliers and customers acting as suppliers the services depend on — their contracts and agreed targets, and how they performed at each review."</p>
        <form method="get" action="/suppliers" class="filters" role="search" aria-label="Filter the register">
            <div class="field"><label for="suppliers-q">"Search"</label><input id="suppliers-q" name="q" placeholder="Name, contact or SUP-3" value=move || params.with(|p| p.q.clone())/></div>
            {select("suppliers-status", "Status", "status", pairs(&[("", "Active"), ("retired", "Retired"), ("all", "Any")]), |p| p.status.clone())}
            {select("suppliers-kind", "Kind", "kind", kinds, |p| p.kind.clone())}
            {select("suppliers-review", "Review", "review", pairs(&[("", "Any"), ("due", "Due within 14 days or overdue"), ("overdue", "Overdue"), ("never", "Never reviewed")]), |p| p.review.clone())}
            {select("suppliers-renewal", "Contracts", "renewal", pairs(&[("", "Any"), ("due", "Renewal decision due")]), |p| p.renewal.clone())}
            <div class="form-actions"><button type="submit" class="button secondary">"Filter"</button><a href="/suppliers">"Clear"</a></div>
        </form>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the register…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(page) => {
                        let p = params.get_untracked();
                        let (first, last) = (page.rows.first().map(|r| r.id), page.rows.last().map(|r| r.id));
                        let pager = (page.pages > 1).then(|| view! {
                            <Pager
                                previous=(page.page > 1).then(|| p.href_at(page.page - 1, first.and_then(|id| PageKey::previous(id, page.page - 1))))
                                next=(page.page < page.pages).then(|| p.href_at(page.page + 1, last.map(PageKey::After)))
                            />
                        });
                        let summary = format!("{} suppliers · page {} of {} · ", page.total, page.page, page.pages);
                        let export = p.href_at(1, None).replacen("/suppliers", "/suppliers/export.csv", 1);
                        let today = page.today;
                        let table = if page.rows.is_empty() {
                            view! {
                                <div class="empty-state">
                                    <p><strong>"No suppliers match."</strong></p>
                                    <p>"Add the suppliers your services depend on — hosting, networks, software vendors, internal teams — with the relationship manager, the contract and its agreed targets, and when their performance is next reviewed."</p>
                                </div>
                            }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap">
                                    <table class="data-table">
                                        <thead><tr>
                                            <th scope="col">"Ref."</th>
                                            <th scope="col">"Name"</th>
                                            <th scope="col">"Kind"</th>
                                            <th scope="col">"Relationship manager"</th>
                                            <th scope="col">"Last review"</th>
                                            <th scope="col">"Next review"</th>
                                            <th scope="col">"Next contract end"</th>
                                        </tr></thead>
                                        <tbody>
                                            {page.rows.into_iter().map(|row| {
                                                let overdue = row.status == SupplierStatus::Active && review_standing(row.next_review_on, today) == ReviewStanding::Overdue;
                                                view! {
                                                    <tr>
                                                        <td><a href=format!("/suppliers/{}", row.id)>{row.reference}</a></td>
                                                        <td>
                                                            {row.name}
                                                            {(row.status == SupplierStatus::Retired).then(|| view! { " "<span class="badge">"Retired"</span> })}
                                                        </td>
                                                        <td>{row.kind.label()}</td>
                                                        <td>{row.owner}</td>
                                                        <td>{match (row.last_reviewed_on, row.last_outcome) {
                                                            (Some(on), Some(outcome)) => view! { <time datetime=on.to_string()>{on.to_string()}</time>" "{outcome_badge(outcome)} }.into_any(),
                                                            _ => view! { <span class="muted">"Never"</span> }.into_any(),
                                                        }}</td>
                                                        <td class:overdue=overdue>
                                                            <time datetime=row.next_review_on.to_string()>{row.next_review_on.to_string()}</time>
                                                            {overdue.then_some(" (overdue)")}
                                                        </td>
                                                        <td>{row.next_contract_end.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        };
                        view! {
                            <p class="result-summary" role="status">{summary}<a href=export download="">"Export CSV"</a></p>
                            {table}
                            {pager}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn SupplierNewPage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| supplier_form_choices());
    view! {
        <Title text="Add a supplier"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/suppliers">"Suppliers"</a>" / Add"</nav>
        <h1>"Add a supplier"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! { <NewSupplierForm choices/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewSupplierForm(choices: SupplierChoices) -> impl IntoView {
    let add = ServerAction::<AddSupplier>::new();
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let initial = SupplierForm {
        kind: SupplierKind::External.as_str().into(),
        review_every_months: "12".into(),
        ..Default::default()
    };
    view! {
        <ActionForm action=add attr:class="form" attr:novalidate=true>
            <FormErrors error/>
            <SupplierFields choices initial error recording=true/>
            <div class="form-actions">
                <button type="submit" class="button" disabled=move || add.pending().get()>"Add the supplier"</button>
                <a href="/suppliers">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

/// The fields of a supplier (`form[...]`), for adding and editing. Only adding sets the
/// first review; afterwards each review sets the next.
#[component]
pub fn SupplierFields(
    choices: SupplierChoices,
    initial: SupplierForm,
    error: Signal<Option<AppError>>,
    recording: bool,
) -> impl IntoView {
    let message = move |field: &'static str| {
        view! { <p class="field-error" id=format!("supplier-{field}-error") aria-live="polite">{field_error(error, field)}</p> }
    };
    let text = move |id: &'static str,
                     label: &'static str,
                     field: &'static str,
                     value: String,
                     kind: &'static str| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=kind name=format!("form[{field}]") value=value aria-describedby=format!("supplier-{field}-error")/>
                {message(field)}
            </div>
        }
    };
    let chosen = initial.service_ids.clone();
    let kind = initial.kind.clone();
    let owner = initial.owner_id.clone();
    view! {
        {text("supplier-name", "Name", "name", initial.name.clone(), "text")}
        <fieldset class="field" aria-describedby="supplier-kind-error">
            <legend>"Kind"</legend>
            {SupplierKind::ALL.into_iter().map(|k| {
                let id = format!("supplier-kind-{}", k.as_str());
                let label_for = id.clone();
                view! {
                    <label class="checkbox" for=label_for>
                        <input type="radio" id=id name="form[kind]" value=k.as_str() checked=kind == k.as_str()/>
                        " "{k.label()}
                    </label>
                }
            }).collect_view()}
            {message("kind")}
        </fieldset>
        <div class="field">
            <label for="supplier-provides">"What it provides"</label>
            <textarea id="supplier-provides" name="form[provides]" rows=2 aria-describedby="supplier-provides-error">{initial.provides.clone()}</textarea>
            {message("provides")}
        </div>
        <div class="field">
            <label for="supplier-owner">"Relationship manager"</label>
            <select id="supplier-owner" name="form[owner_id]" aria-describedby="supplier-owner_id-error">
                <option value="">"Choose…"</option>
                {choices.owners.into_iter().map(|p| {
                    let selected = owner == p.id.to_string();
                    view! { <option value=p.id selected=selected>{p.name}</option> }
                }).collect_view()}
            </select>
            {message("owner_id")}
        </div>
        <div class="field-row">
            {text("supplier-contact", "Contact name", "contact_name", initial.contact_name.clone(), "text")}
            {text("supplier-email", "Contact e-mail", "contact_email", initial.contact_email.clone(), "email")}
            {text("supplier-phone", "Contact telephone", "contact_phone", initial.contact_phone.clone(), "tel")}
        </div>
        <fieldset class="field" aria-describedby="supplier-service_ids-error">
            <legend>"Services it supports"</legend>
            {choices.services.into_iter().enumerate().map(|(index, s)| {
                let id = format!("supplier-service-{}", s.id);
                let label_for = id.clone();
                let checked = chosen.contains(&s.id.to_string());
                view! {
                    <label class="checkbox" for=label_for>
                        <input type="checkbox" id=id name=format!("form[service_ids][{index}]") value=s.id.to_string() checked=checked/>
                        " "{s.name}
                    </label>
                }
            }).collect_view()}
            {message("service_ids")}
        </fieldset>
        <div class="field-row">
            {text("supplier-cycle", "Review every (months)", "review_every_months", initial.review_every_months.clone(), "number")}
            {if recording {
                text("supplier-first-review", "First review", "first_review_on", initial.first_review_on.clone(), "date").into_any()
            } else {
                view! { <p class="hint">{format!("Next review: {} (recording a review moves it).", initial.first_review_on)}</p> }.into_any()
            }}
        </div>
    }
}
