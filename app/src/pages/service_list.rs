//! The service catalogue: search, filter, sort and page through services.

use crate::api::service::list_services;
use crate::components::badges::{CriticalityBadge, StatusBadge};
use crate::components::error_view::ErrorPanel;
use crate::components::pager::Pager;
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::listing::{Page, SortDirection};
use crate::model::service::{
    ArchiveFilter, Criticality, Service, ServiceQuery, ServiceQueryParams, ServiceSort,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ServiceListPage() -> impl IntoView {
    let query_map = use_query_map();
    let params = Memo::new(move |_| {
        query_map.with(|q| ServiceQueryParams {
            q: q.get("q"),
            criticality: q.get("criticality"),
            show: q.get("show"),
            sort: q.get("sort"),
            dir: q.get("dir"),
            page: q.get("page"),
        })
    });
    let query = Memo::new(move |_| params.get().to_query());
    let services = Resource::new(move || params.get(), list_services);

    view! {
        <Title text="Services"/>
        <div class="page-header">
            <h1>"Service catalogue"</h1>
            <IfAllowed permission=Permission::ServiceCreate>
                <a class="button" href="/services/new">"New service"</a>
            </IfAllowed>
        </div>
        <SearchForm query/>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading services…"</p> }>
            {move || Suspend::new(async move {
                match services.await {
                    Ok(page) => view! { <ServiceTable page query=query.get_untracked()/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn SearchForm(query: Memo<ServiceQuery>) -> impl IntoView {
    let current = query.get_untracked();
    view! {
        <Form method="GET" action="/services" attr:class="search-bar" attr:role="search">
            <div class="field">
                <label for="service-search">"Search"</label>
                <input
                    type="search"
                    id="service-search"
                    name="q"
                    value=current.search.clone()
                    placeholder="Name, owner, description or customer"
                    maxlength=100
                />
            </div>
            <div class="field">
                <label for="service-filter-criticality">"Criticality"</label>
                <select id="service-filter-criticality" name="criticality">
                    <option value="" selected=current.criticality.is_none()>"Any"</option>
                    {Criticality::ALL
                        .into_iter()
                        .map(|c| view! { <option value=c.as_str() selected=current.criticality == Some(c)>{c.label()}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="service-filter-show">"Show"</label>
                <select id="service-filter-show" name="show">
                    {[(ArchiveFilter::Active, "Active"), (ArchiveFilter::Archived, "Archived"), (ArchiveFilter::All, "All")]
                        .into_iter()
                        .map(|(filter, label)| view! { <option value=filter.as_str() selected=current.archive == filter>{label}</option> })
                        .collect_view()}
                </select>
            </div>
            // Keep the chosen order when searching.
            <input type="hidden" name="sort" value=current.sort.as_str()/>
            <input type="hidden" name="dir" value=current.direction.as_str()/>
            <button type="submit" class="button secondary">"Search"</button>
        </Form>
    }
}

#[component]
fn ServiceTable(page: Page<Service>, query: ServiceQuery) -> impl IntoView {
    if page.items.is_empty() {
        return view! { <EmptyState query/> }.into_any();
    }
    let header = |sort: ServiceSort, label: &'static str| {
        let active = query.sort == sort;
        let direction = if active {
            query.direction.flipped()
        } else {
            SortDirection::Ascending
        };
        let href = query.href(|q| {
            q.sort = sort;
            q.direction = direction;
            q.page = 1;
        });
        let aria_sort = match (active, query.direction) {
            (false, _) => "none",
            (true, SortDirection::Ascending) => "ascending",
            (true, SortDirection::Descending) => "descending",
        };
        let arrow = match (active, query.direction) {
            (false, _) => "",
            (true, SortDirection::Ascending) => " ▲",
            (true, SortDirection::Descending) => " ▼",
        };
        view! {
            <th scope="col" aria-sort=aria_sort>
                <a href=href>{label}<span aria-hidden="true">{arrow}</span></a>
            </th>
        }
    };
    let summary = format!(
        "{} service{} · page {} of {}",
        page.total,
        if page.total == 1 { "" } else { "s" },
        page.page,
        page.page_count()
    );
    let previous = page.has_previous().then(|| query.href(|q| q.page -= 1));
    let next = page.has_next().then(|| query.href(|q| q.page += 1));
    view! {
        <p class="result-summary" role="status">{summary}</p>
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">"Services"</caption>
                <thead>
                    <tr>
                        {header(ServiceSort::Name, "Name")}
                        {header(ServiceSort::Owner, "Owner")}
                        {header(ServiceSort::Criticality, "Criticality")}
                        {header(ServiceSort::Status, "Status")}
                        <th scope="col">"Customers"</th>
                        {header(ServiceSort::Updated, "Updated")}
                    </tr>
                </thead>
                <tbody>
                    {page
                        .items
                        .into_iter()
                        .map(|service| {
                            view! {
                                <tr>
                                    <td><a href=format!("/services/{}", service.id)>{service.name}</a></td>
                                    <td>{service.owner}</td>
                                    <td><CriticalityBadge criticality=service.criticality/></td>
                                    <td><StatusBadge status=service.status archived=service.archived/></td>
                                    <td>{service.customers.join(", ")}</td>
                                    <td>
                                        <time datetime=service.updated_at.to_rfc3339()>
                                            {service.updated_at.format("%Y-%m-%d").to_string()}
                                        </time>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <Pager previous next/>
    }
    .into_any()
}

#[component]
fn EmptyState(query: ServiceQuery) -> impl IntoView {
    let filtered = !query.search.is_empty() || query.criticality.is_some();
    if filtered {
        view! {
            <div class="empty-state">
                <p><strong>"No services match this search."</strong></p>
                <p><a href="/services">"Clear the search"</a>" or try other words."</p>
            </div>
        }
        .into_any()
    } else if query.archive == ArchiveFilter::Archived {
        view! {
            <div class="empty-state">
                <p><strong>"No archived services."</strong></p>
                <p>"Services you archive are kept here and can be restored."</p>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="empty-state">
                <p><strong>"The catalogue is empty."</strong></p>
                <p>"Start with the services your customers rely on most. "<a href="/services/new">"Add the first service"</a></p>
            </div>
        }
        .into_any()
    }
}
