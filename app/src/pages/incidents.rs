//! `/incidents`: the incident queue (clause 8.6.1). Open incidents with the resolution due
//! soonest first; filters and sort in the query string, so a view is a link. Live: a step
//! taken anywhere refreshes the queue, and the resolution clocks tick in the browser.

use crate::api::incidents::{incident_form_choices, incident_queue};
use crate::components::error_view::ErrorPanel;
use crate::components::live::refresh_on_live_events_where;
use crate::components::pager::Pager;
use crate::components::saved_filters::SavedFilters;
use crate::components::session::IfAllowed;
use crate::components::target_clocks::{status_badge, ticking_now};
use crate::model::access::Permission;
use crate::model::incident::IncidentState;
use crate::model::incident_queue::{QueueParams, QueueRow};
use crate::model::listing::PageKey;
use crate::model::live::LiveEvent;
use crate::model::priority_matrix::TicketPriority;
use crate::model::saved_filter::{FilterQuery, SavedList};
use crate::model::target_clock::ClockStatus;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The queue's filters from a query string.
pub fn queue_params(query: &leptos_router::params::ParamsMap) -> QueueParams {
    let get = |key: &str| query.get(key).unwrap_or_default();
    QueueParams {
        q: get("q"),
        state: get("state"),
        priority: get("priority"),
        assignee: get("assignee"),
        service: get("service"),
        breached: get("breached"),
        sort: get("sort"),
        page: get("page"),
        after: get("after"),
        before: get("before"),
    }
}

pub fn incident_state_badge(state: IncidentState) -> impl IntoView {
    view! { <span class=format!("badge incident-{}", state.as_str())>{state.label()}</span> }
}

pub fn ticket_priority_badge(priority: TicketPriority) -> impl IntoView {
    view! { <span class=format!("badge ticket-{}", priority.as_str())>{priority.label()}</span> }
}

#[component]
pub fn IncidentsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| queue_params(&query.read()));
    let queue = Resource::new(move || params.get(), incident_queue);
    let choices = Resource::new(|| (), |_| incident_form_choices());
    refresh_on_live_events_where(
        |event| matches!(event, LiveEvent::IncidentUpdated { .. }),
        move || queue.refetch(),
    );
    let select = move |id: &'static str,
                       label: &'static str,
                       name: &'static str,
                       options: Vec<(String, String)>,
                       current: fn(&QueueParams) -> &String| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id name=name>
                    {options.into_iter().map(|(value, text)| {
                        let chosen = value.clone();
                        view! { <option value=value selected=move || params.with(|p| *current(p) == chosen)>{text}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    };
    let states = std::iter::once(("open".to_string(), "Open".to_string()))
        .chain(std::iter::once(("all".to_string(), "Any".to_string())))
        .chain(
            IncidentState::ALL
                .into_iter()
                .map(|s| (s.as_str().to_string(), s.label().to_string())),
        )
        .collect();
    let priorities = std::iter::once((String::new(), "Any".to_string()))
        .chain(
            TicketPriority::ALL
                .into_iter()
                .map(|p| (p.as_str().to_string(), p.label().to_string())),
        )
        .collect();
    let sorts = vec![
        ("due".to_string(), "Resolution due".to_string()),
        ("priority".to_string(), "Priority".to_string()),
        ("newest".to_string(), "Newest".to_string()),
    ];
    view! {
        <Title text="Incidents"/>
        <div class="page-head">
            <h1>"Incidents"</h1>
            <div class="page-actions">
                <a class="button secondary" href=move || params.with(|p| p.href_at(1, None).replacen("/incidents", "/incidents/board", 1))>"Board"</a>
                <a class="button secondary" href="/problems">"Problems"</a>
                <a class="button secondary" href="/service-levels">"Service levels"</a>
                <IfAllowed permission=Permission::IncidentImport>
                    <a class="button secondary" href="/incidents/import">"Import CSV"</a>
                </IfAllowed>
                <IfAllowed permission=Permission::IncidentRaise>
                    <a class="button" href="/incidents/new">"Report an incident"</a>
                </IfAllowed>
            </div>
        </div>
        <p class="muted">"Clause 8.6.1: every incident, measured against the agreement for its service. Resolution due soonest first."</p>
        <form method="get" action="/incidents" class="filters" role="search" aria-label="Filter the queue">
            <div class="field"><label for="queue-q">"Search"</label><input id="queue-q" name="q" placeholder="Words or INC-12" value=move || params.with(|p| p.q.clone())/></div>
            {select("queue-state", "Status", "state", states, |p| &p.state)}
            {select("queue-priority", "Priority", "priority", priorities, |p| &p.priority)}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let choices = choices.await.ok()?;
                    let assignees = [("", "Anyone"), ("me", "Me"), ("none", "Unassigned")]
                        .into_iter()
                        .map(|(v, t)| (v.to_string(), t.to_string()))
                        .chain(choices.workers.into_iter().map(|p| (p.id.to_string(), p.name)))
                        .collect();
                    let services = std::iter::once((String::new(), "Any".to_string()))
                        .chain(choices.services.into_iter().map(|s| (s.id.to_string(), s.name)))
                        .collect();
                    Some(view! {
                        {select("queue-assignee", "Assignee", "assignee", assignees, |p| &p.assignee)}
                        {select("queue-service", "Service", "service", services, |p| &p.service)}
                    })
                })}
            </Transition>
            {select("queue-sort", "Sort by", "sort", sorts, |p| &p.sort)}
            <div class="field">
                <label class="checkbox" for="queue-breached"><input type="checkbox" id="queue-breached" name="breached" value="yes" checked=move || params.with(|p| p.breached == "yes")/>" Breached only"</label>
            </div>
            <div class="form-actions"><button type="submit" class="button secondary">"Filter"</button><a href="/incidents">"Clear"</a></div>
        </form>
        <SavedFilters list=SavedList::Incidents query=Signal::derive(move || params.with(FilterQuery::filters_query))/>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the queue…"</p> }>
            {move || Suspend::new(async move {
                match queue.await {
                    Ok(page) => {
                        let now = ticking_now(page.read_at);
                        let p = params.get_untracked();
                        let (first, last) = (page.rows.first().map(|r| r.id), page.rows.last().map(|r| r.id));
                        let pager = (page.pages > 1).then(|| view! {
                            <Pager
                                previous=(page.page > 1).then(|| p.href_at(page.page - 1, first.and_then(|id| PageKey::previous(id, page.page - 1))))
                                next=(page.page < page.pages).then(|| p.href_at(page.page + 1, last.map(PageKey::After)))
                            />
                        });
                        let summary = if page.more {
                            format!("More than {} incidents · page {} · ", page.total_label().trim_end_matches('+'), page.page)
                        } else {
                            format!("{} incidents · page {} of {} · ", page.total_label(), page.page, page.pages)
                        };
                        let export = p.href_at(1, None).replacen("/incidents", "/incidents/export.csv", 1);
                        if page.rows.is_empty() {
                            return view! {
                                <p class="result-summary" role="status">{summary.trim_end_matches(" · ").to_string()}</p>
                                <div class="empty-state"><p><strong>"No incidents match."</strong></p><p>"Clear the filters to see every open incident, or report one."</p></div>
                            }.into_any();
                        }
                        view! {
                            <p class="result-summary" role="status">{summary}<a href=export download="">"Export CSV"</a></p>
                            <div class="table-wrap">
                                <table class="data-table incident-queue">
                                    <thead><tr>
                                        <th scope="col">"Ref."</th>
                                        <th scope="col">"Title"</th>
                                        <th scope="col">"Service"</th>
                                        <th scope="col">"Priority"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">"Assignee"</th>
                                        <th scope="col">"Resolution target"</th>
                                    </tr></thead>
                                    <tbody>
                                        {page.rows.into_iter().map(|row| view! { <QueueLine row now/> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
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
fn QueueLine(row: QueueRow, now: ReadSignal<chrono::DateTime<chrono::Utc>>) -> impl IntoView {
    let reading = row.resolution_reading();
    let status = {
        let reading = reading.clone();
        Memo::new(move |_| reading.as_ref().map(|r| r.status_at(now.get())))
    };
    let due = row.due_at;
    let words = move || crate::model::target_clock::due_words(due, now.get());
    view! {
        <tr class:breached=move || status.get() == Some(ClockStatus::Breached)>
            <td><a href=format!("/incidents/{}", row.id)>{row.reference.clone()}</a></td>
            <td>
                {row.title.clone()}
                {row.major.then(|| view! { " "<span class="badge major">"Major"</span> })}
            </td>
            <td>{row.service.clone()}</td>
            <td>{ticket_priority_badge(row.priority)}</td>
            <td>{incident_state_badge(row.state)}</td>
            <td>{row.assignee.clone().unwrap_or_else(|| "—".into())}</td>
            <td>
                {move || match status.get() {
                    Some(status) => view! { {status_badge(status)}" "<span class="muted">{words}</span> }.into_any(),
                    None => view! { <span class="muted">"No target"</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}
