//! `/cmdb`: the configuration items (clauses 8.2.5, 8.2.6) by name, filtered by kind, status,
//! owner and service; `/cmdb/new`, recording an item.

use crate::api::cmdb::{ci_form_choices, ci_list, AddCi};
use crate::components::change_fields::field_error_named;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::pager::Pager;
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::cmdb::{CiChoices, CiForm, CiKind, CiListParams, CiStatus};
use crate::model::listing::PageKey;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub fn status_badge(status: CiStatus) -> impl IntoView {
    view! { <span class=format!("badge ci-status-{}", status.as_str())>{status.label()}</span> }
}

#[component]
pub fn CmdbPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let query = query.read();
        let get = |key: &str| query.get(key).unwrap_or_default();
        CiListParams {
            q: get("q"),
            kind: get("kind"),
            status: get("status"),
            owner: get("owner"),
            service: get("service"),
            page: get("page"),
            after: get("after"),
            before: get("before"),
        }
    });
    let list = Resource::new(move || params.get(), ci_list);
    let kinds: Vec<(String, String)> = std::iter::once((String::new(), "Any".to_string()))
        .chain(
            CiKind::ALL
                .into_iter()
                .map(|k| (k.as_str().to_string(), k.label().to_string())),
        )
        .collect();
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(v, t)| (v.to_string(), t.to_string()))
            .collect()
    };
    let select = move |id: &'static str,
                       label: &'static str,
                       name: &'static str,
                       options: Vec<(String, String)>,
                       current: fn(&CiListParams) -> String| {
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
        <Title text="Configuration items"/>
        <div class="page-head">
            <h1>"Configuration items"</h1>
            <div class="page-actions">
                <IfAllowed permission=Permission::ConfigurationManage>
                    <a class="button" href="/cmdb/new">"Record an item"</a>
                    <a class="button secondary" href="/cmdb/import">"Import CSV"</a>
                </IfAllowed>
            </div>
        </div>
        <p class="muted">"Clauses 8.2.5 and 8.2.6: the applications, servers, databases, network devices, documents and supplier services the services are made of, who owns each, and what relies on what — so a failure or a change shows which services it reaches."</p>
        <form method="get" action="/cmdb" class="filters" role="search" aria-label="Filter the configuration items">
            <div class="field"><label for="cmdb-q">"Search"</label><input id="cmdb-q" name="q" placeholder="Name, attribute or CI-12" value=move || params.with(|p| p.q.clone())/></div>
            {select("cmdb-kind", "Kind", "kind", kinds, |p| p.kind.clone())}
            {select("cmdb-status", "Status", "status", pairs(&[("", "In use (planned or live)"), ("live", "Live"), ("planned", "Planned"), ("retired", "Retired"), ("all", "Any")]), |p| p.status.clone())}
            {select("cmdb-owner", "Owner", "owner", pairs(&[("", "Any"), ("none", "Without an owner")]), |p| p.owner.clone())}
            <input type="hidden" name="service" value=move || params.with(|p| p.service.clone())/>
            <div class="form-actions"><button type="submit" class="button secondary">"Filter"</button><a href="/cmdb">"Clear"</a></div>
        </form>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the items…"</p> }>
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
                        let summary = format!("{} items · page {} of {} · ", page.total, page.page, page.pages);
                        let export = p.href_at(1, None).replacen("/cmdb", "/cmdb/export.csv", 1);
                        let table = if page.rows.is_empty() {
                            view! {
                                <div class="empty-state">
                                    <p><strong>"No configuration items match."</strong></p>
                                    <p>"Record what your services are made of — the application, the servers it runs on, its database, the network and the supplier services behind them — and how they rely on one another; or import a CSV export from another CMDB."</p>
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
                                            <th scope="col">"Status"</th>
                                            <th scope="col">"Owner"</th>
                                            <th scope="col">"Serves"</th>
                                        </tr></thead>
                                        <tbody>
                                            {page.rows.into_iter().map(|row| view! {
                                                <tr>
                                                    <td><a href=format!("/cmdb/{}", row.id)>{row.reference}</a></td>
                                                    <td>{row.name}</td>
                                                    <td>{row.kind.label()}</td>
                                                    <td>{status_badge(row.status)}</td>
                                                    <td>{match row.owner {
                                                        Some(owner) => view! { {owner} }.into_any(),
                                                        None => view! { <span class="overdue">"No owner"</span> }.into_any(),
                                                    }}</td>
                                                    <td>{if row.services.is_empty() { "—".to_string() } else { row.services.join(", ") }}</td>
                                                </tr>
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
pub fn CiNewPage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| ci_form_choices());
    view! {
        <Title text="Record a configuration item"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/cmdb">"Configuration items"</a>" / Record"</nav>
        <h1>"Record a configuration item"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! { <NewCiForm choices/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewCiForm(choices: CiChoices) -> impl IntoView {
    let add = ServerAction::<AddCi>::new();
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let initial = CiForm {
        kind: CiKind::Application.as_str().into(),
        status: CiStatus::Live.as_str().into(),
        ..Default::default()
    };
    view! {
        <ActionForm action=add attr:class="form" attr:novalidate=true>
            <FormErrors error/>
            <CiFields choices initial error/>
            <div class="form-actions">
                <button type="submit" class="button" disabled=move || add.pending().get()>"Record the item"</button>
                <a href="/cmdb">"Cancel"</a>
            </div>
        </ActionForm>
    }
}

/// The fields of an item (`form[...]`), for recording and editing. The attributes shown
/// follow the kind chosen; one input per attribute key (kinds share some).
#[component]
pub fn CiFields(
    choices: CiChoices,
    initial: CiForm,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = move |field: String| {
        view! { <p class="field-error" id=format!("ci-{field}-error") aria-live="polite">{field_error_named(error, field.clone())}</p> }
    };
    let kind = RwSignal::new(CiKind::parse(&initial.kind).unwrap_or(CiKind::Application));
    let chosen = initial.service_ids.clone();
    let owner = initial.owner_id.clone();
    let supplier = initial.supplier_id.clone();
    let status = initial.status.clone();
    let attributes = initial.attributes.clone();
    let attribute_inputs = CiKind::all_attributes()
        .into_iter()
        .map(|(key, label)| {
            let id = format!("ci-attribute-{key}");
            let field = format!("attributes.{key}");
            view! {
                <div class="field" hidden=move || !kind.get().attributes().iter().any(|(k, _)| *k == key)>
                    <label for=id.clone()>{label}</label>
                    <input id=id type="text" name=format!("form[attributes][{key}]") value=attributes.get(key).cloned().unwrap_or_default() aria-describedby=format!("ci-{field}-error")/>
                    {message(field)}
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for="ci-name">"Name"</label>
            <input id="ci-name" type="text" name="form[name]" value=initial.name.clone() aria-describedby="ci-name-error"/>
            {message("name".into())}
        </div>
        <div class="field-row">
            <div class="field">
                <label for="ci-kind">"Kind"</label>
                <select id="ci-kind" name="form[kind]" aria-describedby="ci-kind-error"
                    on:change=move |ev| { if let Some(k) = CiKind::parse(&event_target_value(&ev)) { kind.set(k) } }>
                    {CiKind::ALL.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=initial.kind == k.as_str()>{k.label()}</option>
                    }).collect_view()}
                </select>
                {message("kind".into())}
            </div>
            <div class="field">
                <label for="ci-status">"Status"</label>
                <select id="ci-status" name="form[status]" aria-describedby="ci-status-error">
                    {CiStatus::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=status == s.as_str()>{s.label()}</option>
                    }).collect_view()}
                </select>
                {message("status".into())}
            </div>
            <div class="field">
                <label for="ci-owner">"Owner"</label>
                <select id="ci-owner" name="form[owner_id]" aria-describedby="ci-owner_id-error">
                    <option value="">"Nobody yet"</option>
                    {choices.owners.into_iter().map(|p| {
                        let selected = owner == p.id.to_string();
                        view! { <option value=p.id selected=selected>{p.name}</option> }
                    }).collect_view()}
                </select>
                {message("owner_id".into())}
            </div>
        </div>
        <div class="field">
            <label for="ci-description">"Description"</label>
            <textarea id="ci-description" name="form[description]" rows=2 aria-describedby="ci-description-error">{initial.description.clone()}</textarea>
            {message("description".into())}
        </div>
        <fieldset class="field">
            <legend>"Attributes"</legend>
            <div class="field-row">{attribute_inputs}</div>
            {message("attributes".into())}
            <div class="field" hidden=move || kind.get() != CiKind::SupplierService>
                <label for="ci-supplier">"Supplier (from the register)"</label>
                <select id="ci-supplier" name="form[supplier_id]" aria-describedby="ci-supplier_id-error">
                    <option value="">"None"</option>
                    {choices.suppliers.into_iter().map(|(id, name)| {
                        let selected = supplier == id.to_string();
                        view! { <option value=id selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
                {message("supplier_id".into())}
            </div>
        </fieldset>
        <fieldset class="field" aria-describedby="ci-service_ids-error">
            <legend>"Services it serves directly"</legend>
            <p class="hint">"Only the services this item is part of itself; those reached through what relies on it follow from the relationships."</p>
            {choices.services.into_iter().enumerate().map(|(index, s)| {
                let id = format!("ci-service-{}", s.id);
                let label_for = id.clone();
                let checked = chosen.contains(&s.id.to_string());
                view! {
                    <label class="checkbox" for=label_for>
                        <input type="checkbox" id=id name=format!("form[service_ids][{index}]") value=s.id.to_string() checked=checked/>
                        " "{s.name}
                    </label>
                }
            }).collect_view()}
            {message("service_ids".into())}
        </fieldset>
    }
}
