//! `/problems`: the problem list (clause 8.6.3), open problems newest first, with the known
//! errors among them; and `/problems/new`, raising a problem from the incidents it explains
//! (the incident record links here with the incident filled in).

use crate::api::incidents::incident_form_choices;
use crate::api::problems::{problem_list, RaiseProblem};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::pager::Pager;
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::listing::PageKey;
use crate::model::problem::{ProblemListParams, ProblemState};
use crate::model::refs::ServiceRef;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub fn problem_state_badge(state: ProblemState) -> impl IntoView {
    view! { <span class=format!("badge problem-{}", state.as_str())>{state.label()}</span> }
}

#[component]
pub fn ProblemsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let query = query.read();
        let get = |key: &str| query.get(key).unwrap_or_default();
        ProblemListParams {
            q: get("q"),
            state: get("state"),
            page: get("page"),
            after: get("after"),
            before: get("before"),
        }
    });
    let list = Resource::new(move || params.get(), problem_list);
    let states: Vec<(String, String)> = [("open", "Open"), ("all", "Any")]
        .into_iter()
        .map(|(v, t)| (v.to_string(), t.to_string()))
        .chain(
            ProblemState::ALL
                .into_iter()
                .map(|s| (s.as_str().to_string(), s.label().to_string())),
        )
        .collect();
    view! {
        <Title text="Problems"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/incidents">"Incidents"</a>" / Problems"</nav>
        <div class="page-head">
            <h1>"Problems and known errors"</h1>
            <div class="page-actions">
                <IfAllowed permission=Permission::ProblemWork>
                    <a class="button" href="/problems/new">"Raise a problem"</a>
                </IfAllowed>
            </div>
        </div>
        <p class="muted">"Clause 8.6.3: the causes behind recurring incidents. A known error has its root cause and workaround recorded, and is offered to whoever reports a matching incident."</p>
        <form method="get" action="/problems" class="filters" role="search" aria-label="Filter the problems">
            <div class="field"><label for="problems-q">"Search"</label><input id="problems-q" name="q" placeholder="Words or PRB-3" value=move || params.with(|p| p.q.clone())/></div>
            <div class="field">
                <label for="problems-state">"Status"</label>
                <select id="problems-state" name="state">
                    {states.into_iter().map(|(value, text)| {
                        let chosen = value.clone();
                        view! { <option value=value selected=move || params.with(|p| p.state == chosen)>{text}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="form-actions"><button type="submit" class="button secondary">"Filter"</button><a href="/problems">"Clear"</a></div>
        </form>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the problems…"</p> }>
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
                        let summary = format!("{} problems · page {} of {}", page.total, page.page, page.pages);
                        if page.rows.is_empty() {
                            return view! {
                                <p class="result-summary" role="status">{summary}</p>
                                <div class="empty-state">
                                    <p><strong>"No problems match."</strong></p>
                                    <p>"When the same incident keeps coming back, raise a problem from one of its incidents and link the others."</p>
                                </div>
                            }.into_any();
                        }
                        view! {
                            <p class="result-summary" role="status">{summary}</p>
                            <div class="table-wrap">
                                <table class="data-table">
                                    <thead><tr>
                                        <th scope="col">"Ref."</th>
                                        <th scope="col">"Title"</th>
                                        <th scope="col">"Service"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">"Owner"</th>
                                        <th scope="col">"Incidents"</th>
                                    </tr></thead>
                                    <tbody>
                                        {page.rows.into_iter().map(|row| view! {
                                            <tr>
                                                <td><a href=format!("/problems/{}", row.id)>{row.reference}</a></td>
                                                <td>{row.title}</td>
                                                <td>{row.service}</td>
                                                <td>{problem_state_badge(row.state)}</td>
                                                <td>{row.owner.unwrap_or_else(|| "—".into())}</td>
                                                <td>{row.incidents}</td>
                                            </tr>
                                        }).collect_view()}
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

/// What `/problems/new?incident=7&title=…&service=3` fills in.
#[derive(Clone, Default)]
struct Prefill {
    title: String,
    incidents: String,
    service_id: Option<i64>,
}

#[component]
pub fn ProblemNewPage() -> impl IntoView {
    let query = use_query_map();
    let prefill = query.with_untracked(|query| Prefill {
        title: super::query_text(query, "title", 160),
        incidents: query
            .get("incident")
            .and_then(|id| id.parse::<i64>().ok())
            .map(crate::model::incident::reference)
            .unwrap_or_default(),
        service_id: query.get("service").and_then(|s| s.parse().ok()),
    });
    let choices = Resource::new(|| (), |_| incident_form_choices());
    view! {
        <Title text="Raise a problem"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/problems">"Problems"</a>" / Raise"</nav>
        <h1>"Raise a problem"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
            {move || {
                let prefill = prefill.clone();
                Suspend::new(async move {
                    match choices.await {
                        Ok(choices) => view! { <ProblemForm services=choices.services prefill/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn ProblemForm(services: Vec<ServiceRef>, prefill: Prefill) -> impl IntoView {
    let raise = ServerAction::<RaiseProblem>::new();
    let error = Signal::derive(move || raise.value().get().and_then(Result::err));
    let message = move |field: &'static str| {
        view! { <p class="field-error" id=format!("prb-{field}-error") aria-live="polite">{field_error(error, field)}</p> }
    };
    view! {
        <ActionForm action=raise attr:class="form" attr:novalidate=true>
            <FormErrors error/>
            <div class="field">
                <label for="prb-title">"Title"</label>
                <input id="prb-title" name="form[title]" maxlength=160 value=prefill.title aria-describedby="prb-title-error"/>
                {message("title")}
            </div>
            <div class="field">
                <label for="prb-service">"Service"</label>
                <select id="prb-service" name="form[service_id]" aria-describedby="prb-service_id-error">
                    <option value="">"Choose…"</option>
                    {services.into_iter().map(|s| view! { <option value=s.id selected=prefill.service_id == Some(s.id)>{s.name}</option> }).collect_view()}
                </select>
                {message("service_id")}
            </div>
            <div class="field">
                <label for="prb-incidents">"Incidents it explains"</label>
                <input id="prb-incidents" name="form[incidents]" value=prefill.incidents placeholder="INC-3, INC-7, INC-12" aria-describedby="prb-incidents-hint prb-incidents-error"/>
                <p class="hint" id="prb-incidents-hint">"References separated by commas; more can be linked later."</p>
                {message("incidents")}
            </div>
            <div class="field">
                <label for="prb-description">"What is seen"</label>
                <textarea id="prb-description" name="form[description]" rows=4 aria-describedby="prb-description-error"></textarea>
                {message("description")}
            </div>
            <div class="form-actions">
                <button type="submit" class="button" disabled=move || raise.pending().get()>"Raise the problem"</button>
                <a href="/problems">"Cancel"</a>
            </div>
        </ActionForm>
    }
}
