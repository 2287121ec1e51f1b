//! `/requests`: the request queue (clause 8.6.2). The service desk, approvers and those who
//! check the SMS see every request; everyone else sees their own. Open requests with the
//! fulfilment due soonest first; filters in the query string, so a view is a link; the
//! fulfilment clocks tick in the browser.

use crate::api::incidents::incident_form_choices;
use crate::api::requests::request_queue;
use crate::components::error_view::ErrorPanel;
use crate::components::live::refresh_on_live_events_where;
use crate::components::pager::Pager;
use crate::components::saved_filters::SavedFilters;
use crate::components::session::IfAllowed;
use crate::components::target_clocks::{status_badge, ticking_now};
use crate::model::access::Permission;
use crate::model::listing::PageKey;
use crate::model::live::LiveEvent;
use crate::model::saved_filter::{FilterQuery, SavedList};
use crate::model::service_request::{RequestListParams, RequestRow, RequestState};
use crate::model::target_clock::ClockStatus;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub fn request_state_badge(state: RequestState) -> impl IntoView {
    view! { <span class=format!("badge request-{}", state.as_str())>{state.label()}</span> }
}

fn list_params(query: &leptos_router::params::ParamsMap) -> RequestListParams {
    let get = |key: &str| query.get(key).unwrap_or_default();
    RequestListParams {
        q: get("q"),
        state: get("state"),
        mine: get("mine"),
        assignee: get("assignee"),
        service: get("service"),
        breached: get("breached"),
        sort: get("sort"),
        page: get("page"),
        after: get("after"),
        before: get("before"),
    }
}

#[component]
pub fn RequestsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| list_params(&query.read()));
    let queue = Resource::new(move || params.get(), request_queue);
    refresh_on_live_events_where(
        |event| matches!(event, LiveEvent::RequestUpdated { .. }),
        move || queue.refetch(),
    );
    let choices = Resource::new(|| (), |_| incident_form_choices());
    let select = move |id: &'static str,
                       label: &'static str,
                       name: &'static str,
                       options: Vec<(String, String)>,
                       current: fn(&RequestListParams) -> &String| {
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
    let pairs = |items: &[(&str, &str)]| -> Vec<(String, String)> {
        items
            .iter()
            .map(|(v, t)| (v.to_string(), t.to_string()))
            .collect()
    };
    let states: Vec<(String, String)> = pairs(&[("open", "Open"), ("all", "Any")])
        .into_iter()
        .chain(
            RequestState::ALL
                .into_iter()
                .map(|s| (s.as_str().to_string(), s.label().to_string())),
        )
        .collect();
    let whose = pairs(&[("", "Everyone's"), ("me", "Mine")]);
    let assignees = pairs(&[("", "Anyone"), ("me", "Me"), ("none", "Unassigned")]);
    let sorts = pairs(&[("due", "Fulfilment due"), ("newest", "Newest")]);
    view! {
        <Title text="Service requests"/>
        <div class="page-head">
            <h1>"Service requests"</h1>
            <div class="page-actions">
                <IfAllowed permission=Permission::RequestRaise>
                    <a class="button" href="/requests/catalogue">"Request something"</a>
                </IfAllowed>
            </div>
        </div>
        <p class="muted">"Clause 8.6.2: requests from the catalogue, approved where their type needs it and fulfilled against the agreed target. Fulfilment due soonest first."</p>
        <form method="get" action="/requests" class="filters" role="search" aria-label="Filter the requests">
            <div class="field"><label for="requests-q">"Search"</label><input id="requests-q" name="q" placeholder="Words or REQ-12" value=move || params.with(|p| p.q.clone())/></div>
            {select("requests-state", "Status", "state", states, |p| &p.state)}
            {select("requests-mine", "Whose", "mine", whose, |p| &p.mine)}
            {select("requests-assignee", "Assignee", "assignee", assignees, |p| &p.assignee)}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let choices = choices.await.ok()?;
                    let services = std::iter::once((String::new(), "Any".to_string()))
                        .chain(choices.services.into_iter().map(|s| (s.id.to_string(), s.name)))
                        .collect();
                    Some(select("requests-service", "Service", "service", services, |p| &p.service))
                })}
            </Transition>
            {select("requests-sort", "Sort by", "sort", sorts, |p| &p.sort)}
            <div class="field">
                <label class="checkbox" for="requests-breached"><input type="checkbox" id="requests-breached" name="breached" value="yes" checked=move || params.with(|p| p.breached == "yes")/>" Past target only"</label>
            </div>
            <div class="form-actions"><button type="submit" class="button secondary">"Filter"</button><a href="/requests">"Clear"</a></div>
        </form>
        <SavedFilters list=SavedList::Requests query=Signal::derive(move || params.with(FilterQuery::filters_query))/>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the requests…"</p> }>
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
                        let whose = if page.everyone { "" } else { "your " };
                        let summary = if page.more {
                            format!("More than {} {whose}requests · page {}", page.total, page.page)
                        } else {
                            format!("{} {whose}requests · page {} of {}", page.total, page.page, page.pages)
                        };
                        if page.rows.is_empty() {
                            return view! {
                                <p class="result-summary" role="status">{summary}</p>
                                <div class="empty-state">
                                    <p><strong>"No requests match."</strong></p>
                                    <p>"Clear the filters to see every open request, or ask for something from the "<a href="/requests/catalogue">"request catalogue"</a>"."</p>
                                </div>
                            }.into_any();
                        }
                        let export = p.href_at(1, None).replacen("/requests", "/requests/export.csv", 1);
                        view! {
                            <p class="result-summary" role="status">{summary}" · "<a href=export download="">"Export CSV"</a></p>
                            <div class="table-wrap">
                                <table class="data-table request-queue">
                                    <thead><tr>
                                        <th scope="col">"Ref."</th>
                                        <th scope="col">"Summary"</th>
                                        <th scope="col">"Request"</th>
                                        <th scope="col">"Requester"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">"Assignee"</th>
                                        <th scope="col">"Fulfilment target"</th>
                                    </tr></thead>
                                    <tbody>
                                        {page.rows.into_iter().map(|row| view! { <RequestLine row now/> }).collect_view()}
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
fn RequestLine(row: RequestRow, now: ReadSignal<chrono::DateTime<chrono::Utc>>) -> impl IntoView {
    let reading = row.fulfilment_reading();
    let status = Memo::new(move |_| reading.as_ref().map(|r| r.status_at(now.get())));
    let due = row.due_at;
    let words = move || crate::model::target_clock::due_words(due, now.get());
    let waiting = matches!(
        row.state,
        RequestState::AwaitingApproval | RequestState::Pending
    );
    view! {
        <tr class:breached=move || status.get() == Some(ClockStatus::Breached)>
            <td><a href=format!("/requests/{}", row.id)>{row.reference.clone()}</a></td>
            <td>{row.summary.clone()}</td>
            <td>{row.type_name.clone()}<br/><span class="muted">{row.service.clone()}</span></td>
            <td>{row.requester.clone()}</td>
            <td>{request_state_badge(row.state)}</td>
            <td>{row.assignee.clone().unwrap_or_else(|| "—".into())}</td>
            <td>
                {move || match status.get() {
                    Some(status) => view! {
                        {status_badge(status)}" "
                        <span class="muted">{move || if waiting { "Clock paused".to_string() } else { words() }}</span>
                    }.into_any(),
                    None => view! { <span class="muted">"No target"</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}
