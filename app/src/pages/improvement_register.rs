//! `/improvements`: the improvement register as a filterable, sortable table with a summary;
//! its filters and badges are shared with the Kanban (`improvement_board.rs`).

use crate::api::changes::change_choices;
use crate::api::improvements::list_improvements;
use crate::components::error_view::ErrorPanel;
use crate::components::pager::Pager;
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::improvement::{ImprovementState, Priority, Source};
use crate::model::listing::PageKey;
use crate::model::register::RegisterParams;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The register's filters from a query string (the table and the Kanban share them).
pub fn register_params(query: &leptos_router::params::ParamsMap) -> RegisterParams {
    let get = |key: &str| query.get(key).unwrap_or_default();
    RegisterParams {
        q: get("q"),
        state: get("state"),
        source: get("source"),
        priority: get("priority"),
        owner: get("owner"),
        service: get("service"),
        clause: get("clause"),
        overdue: get("overdue"),
        sort: get("sort"),
        dir: get("dir"),
        page: get("page"),
        after: get("after"),
        before: get("before"),
    }
}

pub fn state_badge(state: ImprovementState) -> impl IntoView {
    view! { <span class=format!("badge improvement-{}", state.as_str())>{state.label()}</span> }
}

pub fn priority_badge(priority: Option<Priority>) -> impl IntoView {
    match priority {
        Some(p) => view! { <span class=format!("badge priority-{}", p.label().to_lowercase())>{p.label()}</span> }.into_any(),
        None => view! { <span class="muted">"Not evaluated"</span> }.into_any(),
    }
}

#[component]
pub fn ImprovementsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| register_params(&query.read()));
    let register = Resource::new(move || params.get(), list_improvements);
    let filter_choices = Resource::new(|| (), |_| change_choices());
    view! {
        <Title text="Improvement register"/>
        <div class="page-head">
            <h1>"Improvement register"</h1>
            <div class="page-actions">
                <a class="button secondary" href=move || params.with(|p| p.href(1).replacen("/improvements", "/improvements/board", 1))>"Kanban"</a>
                <IfAllowed permission=Permission::ImprovementRaise>
                    <a class="button secondary" href="/improvements/import">"Import CSV"</a>
                    <a class="button" href="/improvements/new">"New improvement"</a>
                </IfAllowed>
            </div>
        </div>
        <p class="muted">"Clause 10.2: every opportunity to improve the services and the SMS, from its source to its measured outcome. Nonconformities and corrective actions (clause 10.1): "<a href="/nonconformities">"Nonconformities"</a>"."</p>
        <form method="get" action="/improvements" class="filters" role="search" aria-label="Filter the register">
            <div class="field"><label for="reg-q">"Search"</label><input id="reg-q" name="q" value=move || params.with(|p| p.q.clone())/></div>
            <div class="field">
                <label for="reg-state">"Status"</label>
                <select id="reg-state" name="state">
                    <option value="">"Any"</option>
                    {ImprovementState::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=move || params.with(|p| p.state == s.as_str())>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="reg-source">"Source"</label>
                <select id="reg-source" name="source">
                    <option value="">"Any"</option>
                    {Source::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=move || params.with(|p| p.source == s.as_str())>{s.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="reg-priority">"Priority"</label>
                <select id="reg-priority" name="priority">
                    <option value="">"Any"</option>
                    {Priority::ALL.into_iter().rev().map(|p| view! { <option value=p.as_str() selected=move || params.with(|q| q.priority == p.as_str())>{p.label()}</option> }).collect_view()}
                </select>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let choices = filter_choices.await.ok()?;
                    Some(view! {
                        <div class="field">
                            <label for="reg-owner">"Owner"</label>
                            <select id="reg-owner" name="owner">
                                <option value="">"Anyone"</option>
                                {choices.people.into_iter().map(|p| {
                                    let value = p.id.to_string();
                                    let chosen = value.clone();
                                    view! { <option value=value selected=move || params.with(|q| q.owner == chosen)>{p.name}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="reg-service">"Service"</label>
                            <select id="reg-service" name="service">
                                <option value="">"Any"</option>
                                {choices.services.into_iter().map(|s| {
                                    let value = s.id.to_string();
                                    let chosen = value.clone();
                                    view! { <option value=value selected=move || params.with(|q| q.service == chosen)>{s.name}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                    })
                })}
            </Transition>
            <div class="field"><label for="reg-clause">"Clause"</label><input id="reg-clause" name="clause" placeholder="10.2" value=move || params.with(|p| p.clause.clone())/></div>
            <div class="field">
                <label class="checkbox" for="reg-overdue"><input type="checkbox" id="reg-overdue" name="overdue" value="yes" checked=move || params.with(|p| p.overdue == "yes")/>" Overdue only"</label>
            </div>
            <div class="form-actions"><button type="submit" class="button secondary">"Filter"</button><a href="/improvements">"Clear"</a></div>
        </form>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the register…"</p> }>
            {move || Suspend::new(async move {
                match register.await {
                    Ok(page) => {
                        let current = params.get_untracked();
                        let sort_link = move |key: &'static str, label: &'static str| {
                            let mut next = current.clone();
                            let active = next.sort == key || (key == "reference" && next.sort.is_empty());
                            next.dir = if active && next.dir != "desc" { "desc".into() } else { "asc".into() };
                            next.sort = key.into();
                            let aria = if active { if current.dir == "desc" { "descending" } else { "ascending" } } else { "none" };
                            view! { <th scope="col" aria-sort=aria><a href=next.href(1)>{label}</a></th> }
                        };
                        let summary = page.summary.by_state.iter().filter(|(_, n)| *n > 0).map(|(s, n)| format!("{}: {n}", s.label())).collect::<Vec<_>>().join(" · ");
                        let (first, last) = (page.items.first().map(|e| e.id), page.items.last().map(|e| e.id));
                        let pager = (page.pages > 1).then(|| {
                            let p = params.get_untracked();
                            view! {
                                <p class="result-summary">{format!("Page {} of {}", page.page, page.pages)}</p>
                                <Pager
                                    previous=(page.page > 1).then(|| p.href_at(page.page - 1, first.and_then(|id| PageKey::previous(id, page.page as u64 - 1))))
                                    next=(page.page < page.pages).then(|| p.href_at(page.page + 1, last.map(PageKey::After)))
                                />
                            }
                        });
                        view! {
                            <p class="register-summary" role="status">
                                {format!("{} shown. ", page.total)}{summary}
                                " · "<a href=params.get_untracked().href(1).replacen("/improvements", "/improvements/export.csv", 1) download="">"Export CSV"</a>
                                {(page.summary.overdue > 0).then(|| view! { " · "<a href="/improvements?overdue=yes">{format!("{} overdue", page.summary.overdue)}</a> })}
                            </p>
                            <details class="panel register-overview">
                                <summary>"Register summary"</summary>
                                <div class="overview-grid">
                                    <table class="data-table compact">
                                        <caption>"By source"</caption>
                                        <tbody>
                                            {page.summary.by_source.iter().filter(|(_, n)| *n > 0).map(|(s, n)| view! { <tr><th scope="row">{s.label()}</th><td>{*n}</td></tr> }).collect_view()}
                                        </tbody>
                                    </table>
                                    <table class="data-table compact">
                                        <caption>"Closed per month"</caption>
                                        <tbody>
                                            {page.summary.closed_per_month.iter().map(|(m, n)| view! { <tr><th scope="row">{m.clone()}</th><td>{*n}</td></tr> }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            </details>
                            {if page.items.is_empty() {
                                view! { <div class="empty-state"><p><strong>"No improvements match."</strong></p><p>"Clear the filters, or add the first improvement."</p></div> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                        <table class="data-table register">
                                            <thead><tr>
                                                {sort_link("reference", "Ref.")}
                                                {sort_link("title", "Title")}
                                                <th scope="col">"Source"</th>
                                                {sort_link("priority", "Priority")}
                                                <th scope="col">"Owner"</th>
                                                {sort_link("target", "Target date")}
                                                {sort_link("state", "Status")}
                                            </tr></thead>
                                            <tbody>
                                                {page.items.into_iter().map(|e| view! {
                                                    <tr>
                                                        <td><a href=format!("/improvements/{}", e.id)>{e.reference()}</a></td>
                                                        <td>{e.title.clone()}</td>
                                                        <td>{e.source.label()}</td>
                                                        <td>{priority_badge(e.priority())}</td>
                                                        <td>{e.owner.name.clone()}</td>
                                                        <td>{e.target_date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()}</td>
                                                        <td>{state_badge(e.state)}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    {pager}
                                }.into_any()
                            }}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}
