//! The change list: filter by state, type, risk and text.

use crate::api::changes::{change_choices, list_changes};
use crate::components::change_badges::{RiskBadge, StateBadge, TypeBadge};
use crate::components::error_view::ErrorPanel;
use crate::components::pager::Pager;
use crate::components::saved_filters::SavedFilters;
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::change::{ChangeState, ChangeType};
use crate::model::change_request::{reference, ChangeQuery, ChangeQueryParams, ChangeSort};
use crate::model::listing::{PageKey, SortDirection};
use crate::model::risk::RiskLevel;
use crate::model::saved_filter::{FilterQuery, SavedList};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

/// The planned window in the reader's zone when the server gave it, else in UTC.
pub fn window_text(
    local: Option<&crate::model::change_request::LocalWindow>,
    start: Option<chrono::DateTime<chrono::Utc>>,
    end: Option<chrono::DateTime<chrono::Utc>>,
) -> String {
    if let Some(local) = local {
        return local.text();
    }
    match (start, end) {
        (Some(s), Some(e)) => format!("{} – {} UTC", s.format("%Y-%m-%d %H:%M"), e.format("%H:%M")),
        _ => "Not scheduled".to_string(),
    }
}

/// A sortable column header: a link that sorts by it (or flips the order), with `aria-sort`.
fn header(query: &ChangeQuery, sort: ChangeSort, label: &'static str) -> impl IntoView {
    let active = query.sort == sort;
    let direction = if active {
        query.direction.flipped()
    } else {
        sort.natural_direction()
    };
    let href = query.href(|q| {
        q.sort = sort;
        q.direction = direction;
        q.page = 1;
    });
    let (aria_sort, arrow) = match (active, query.direction) {
        (false, _) => ("none", ""),
        (true, SortDirection::Ascending) => ("ascending", " ▲"),
        (true, SortDirection::Descending) => ("descending", " ▼"),
    };
    view! {
        <th scope="col" aria-sort=aria_sort>
            <a href=href>{label}<span aria-hidden="true">{arrow}</span></a>
        </th>
    }
}

#[component]
pub fn ChangeListPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        query.with(|q| ChangeQueryParams {
            q: q.get("q"),
            state: q.get("state"),
            change_type: q.get("change_type"),
            risk: q.get("risk"),
            service: q.get("service"),
            owner: q.get("owner"),
            from: q.get("from"),
            to: q.get("to"),
            sort: q.get("sort"),
            dir: q.get("dir"),
            page: q.get("page"),
            after: q.get("after"),
            before: q.get("before"),
        })
    });
    let changes = Resource::new(move || params.get(), list_changes);
    let choices = Resource::new(|| (), |_| change_choices());
    let export_href = move || {
        format!(
            "/changes/export.csv?{}",
            params.get().to_query().to_query_string()
        )
    };
    let current = params.get_untracked().to_query();
    view! {
        <Title text="Changes"/>
        <div class="page-header">
            <h1>"Changes"</h1>
            <div class="page-actions">
                <a class="button secondary" href="/changes/board">"Board"</a>
                <a class="button secondary" href="/calendar">"Calendar"</a>
                <a class="button secondary" href="/changes/templates">"Standard templates"</a>
                <a class="button secondary" href=export_href rel="external" download="conform-changes.csv">"Export CSV"</a>
                <IfAllowed permission=Permission::ChangeRaise>
                    <a class="button" href="/changes/new">"New change"</a>
                </IfAllowed>
            </div>
        </div>
        <Form method="GET" action="/changes" attr:class="search-bar" attr:role="search">
            <div class="field">
                <label for="change-search">"Search"</label>
                <input type="search" id="change-search" name="q" value=current.search.clone() maxlength=100/>
            </div>
            <div class="field">
                <label for="change-filter-state">"State"</label>
                <select id="change-filter-state" name="state">
                    <option value="">"Any"</option>
                    {ChangeState::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=current.state == Some(s)>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="change-filter-type">"Type"</label>
                <select id="change-filter-type" name="change_type">
                    <option value="">"Any"</option>
                    {ChangeType::ALL.into_iter().map(|t| view! { <option value=t.as_str() selected=current.change_type == Some(t)>{t.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="change-filter-risk">"Risk"</label>
                <select id="change-filter-risk" name="risk">
                    <option value="">"Any"</option>
                    {RiskLevel::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=current.risk == Some(r)>{r.label()}</option> }).collect_view()}
                </select>
            </div>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let crate::model::change_request::ChangeFormChoices { services, people, .. } = choices.await.unwrap_or_default();
                    let current = params.get_untracked().to_query();
                    view! {
                        <div class="field">
                            <label for="change-filter-service">"Service"</label>
                            <select id="change-filter-service" name="service">
                                <option value="">"Any"</option>
                                {services.into_iter().map(|s| view! { <option value=s.id.to_string() selected=current.service_id == Some(s.id)>{s.name}</option> }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="change-filter-owner">"Owner"</label>
                            <select id="change-filter-owner" name="owner">
                                <option value="">"Anyone"</option>
                                {people.into_iter().map(|p| view! { <option value=p.id.to_string() selected=current.owner_id == Some(p.id)>{p.name}</option> }).collect_view()}
                            </select>
                        </div>
                    }
                })}
            </Suspense>
            <div class="field">
                <label for="change-filter-from">"Planned from"</label>
                <input type="date" id="change-filter-from" name="from" value=current.from.map(|d| d.to_string())/>
            </div>
            <div class="field">
                <label for="change-filter-to">"Planned to"</label>
                <input type="date" id="change-filter-to" name="to" value=current.to.map(|d| d.to_string())/>
            </div>
            <input type="hidden" name="sort" value=current.to_params().sort.unwrap_or_default()/>
            <input type="hidden" name="dir" value=current.to_params().dir.unwrap_or_default()/>
            <button type="submit" class="button secondary">"Filter"</button>
        </Form>
        <SavedFilters list=SavedList::Changes query=Signal::derive(move || params.with(FilterQuery::filters_query))/>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading changes…"</p> }>
            {move || Suspend::new(async move {
                match changes.await {
                    Ok(page) if page.items.is_empty() => view! {
                        <div class="empty-state"><p><strong>"No changes match."</strong></p><p><a href="/changes">"Clear the filters"</a></p></div>
                    }.into_any(),
                    Ok(page) => {
                        let query = params.get_untracked().to_query();
                        let (first, last) = (page.items.first().map(|c| c.id), page.items.last().map(|c| c.id));
                        let previous = page.has_previous().then(|| query.href(|q| { q.page = page.page - 1; q.key = first.and_then(|id| PageKey::previous(id, page.page - 1)); }));
                        let next = page.has_next().then(|| query.href(|q| { q.page = page.page + 1; q.key = last.map(PageKey::After); }));
                        view! {
                        <p class="result-summary" role="status">{format!("{} changes · page {} of {}", page.total, page.page, page.page_count())}</p>
                        <div class="table-wrap">
                            <table class="data-table">
                                <caption class="visually-hidden">"Changes"</caption>
                                <thead><tr>
                                    {header(&query, ChangeSort::Reference, "Change")}<th scope="col">"Type"</th><th scope="col">"State"</th>
                                    {header(&query, ChangeSort::Risk, "Risk")}<th scope="col">"Services"</th><th scope="col">"Owner"</th>{header(&query, ChangeSort::Planned, "Planned")}
                                </tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|card| view! {
                                        <tr>
                                            <td>
                                                <a href=format!("/changes/{}", card.id)>{reference(card.id)}" "{card.title.clone()}</a>
                                                {(card.conflicts > 0 && !card.conflict_overridden).then(|| view! { <span class="conflict-flag" title="Schedule conflict">" ⚠"</span> })}
                                            </td>
                                            <td><TypeBadge change_type=card.change_type/></td>
                                            <td><StateBadge state=card.state/></td>
                                            <td><RiskBadge risk=card.risk/></td>
                                            <td>{card.services.join(", ")}</td>
                                            <td>{card.owner.name.clone()}</td>
                                            <td>{window_text(card.local_window.as_ref(), card.planned_start, card.planned_end)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pager previous next/>
                    }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
