//! `/competences`: the competence matrix (clause 7.2) — people against the competences the
//! SMS needs, gaps and expiries in words and colour, printable; `/competences/new`, defining
//! a competence.

use crate::api::competences::{competence_form_choices, competence_matrix, DefineCompetence};
use crate::components::audience::AudienceFields;
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::pager::Pager;
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::{Permission, Role};
use crate::model::competence::{Cell, CompetenceChoices, CompetenceForm, Gate, MatrixParams};
use crate::model::listing::PageKey;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A matrix cell: the words, so print and screen readers carry what the colour shows.
pub fn cell_view(cell: Cell) -> impl IntoView {
    view! { <td class=format!("competence-cell {}", cell.class())>{cell.label()}</td> }
}

#[component]
pub fn CompetencesPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let query = query.read();
        let get = |key: &str| query.get(key).unwrap_or_default();
        MatrixParams {
            q: get("q"),
            role: get("role"),
            gaps: get("gaps"),
            page: get("page"),
            after: get("after"),
            before: get("before"),
        }
    });
    let matrix = Resource::new(move || params.get(), competence_matrix);
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    view! {
        <Title text="Competence"/>
        <div class="page-head">
            <h1>"Competence"</h1>
            <div class="page-actions">
                <button type="button" class="button secondary" on:click=print>"Print the matrix"</button>
                <IfAllowed permission=Permission::CompetenceManage>
                    <a class="button" href="/competences/new">"Define a competence"</a>
                </IfAllowed>
            </div>
        </div>
        <p class="muted">"Clause 7.2: the competences the SMS needs, who needs each, and the evidence each person holds — training, certificates, assessed experience — with gaps and expiries."</p>
        <form method="get" action="/competences" class="filters no-print" role="search" aria-label="Filter the matrix">
            <div class="field"><label for="competences-q">"Person"</label><input id="competences-q" name="q" placeholder="Name" value=move || params.with(|p| p.q.clone())/></div>
            <div class="field">
                <label for="competences-role">"Role"</label>
                <select id="competences-role" name="role">
                    <option value="" selected=move || params.with(|p| p.role.is_empty())>"Any"</option>
                    {Role::ALL.into_iter().map(|role| view! {
                        <option value=role.as_str() selected=move || params.with(|p| p.role == role.as_str())>{role.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label class="checkbox" for="competences-gaps">
                    <input type="checkbox" id="competences-gaps" name="gaps" value="yes" checked=move || params.with(MatrixParams::gaps_only)/>
                    " Only people with gaps"
                </label>
            </div>
            <div class="form-actions"><button type="submit" class="button secondary">"Filter"</button><a href="/competences">"Clear"</a></div>
        </form>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the matrix…"</p> }>
            {move || Suspend::new(async move {
                match matrix.await {
                    Ok(page) => {
                        let p = params.get_untracked();
                        let (first, last) = (page.rows.first().map(|r| r.person.id), page.rows.last().map(|r| r.person.id));
                        let pager = (page.pages > 1).then(|| view! {
                            <Pager
                                previous=(page.page > 1).then(|| p.href_at(page.page - 1, first.and_then(|id| PageKey::previous(id, page.page - 1))))
                                next=(page.page < page.pages).then(|| p.href_at(page.page + 1, last.map(PageKey::After)))
                            />
                        });
                        let summary = format!("{} people · page {} of {} · {} competences · on {} · ", page.total, page.page, page.pages, page.columns.len(), page.today);
                        let export = p.href_at(1, None).replacen("/competences", "/competences/matrix.csv", 1);
                        let retired = (!page.retired.is_empty()).then(|| view! {
                            <p class="muted">"Retired competences: "
                                {page.retired.iter().map(|c| view! { <a href=format!("/competences/{}", c.id)>{c.name.clone()}</a>" " }).collect_view()}
                            </p>
                        });
                        let table = if page.columns.is_empty() {
                            view! {
                                <div class="empty-state">
                                    <p><strong>"No competences defined yet."</strong></p>
                                    <p>"Define what the SMS needs people to know and be able to do — chairing a CAB, running a continuity test, auditing — and which roles or people need it. The matrix then shows who holds it and who does not."</p>
                                </div>
                            }.into_any()
                        } else if page.rows.is_empty() {
                            view! { <div class="empty-state"><p><strong>"Nobody matches."</strong></p><p>"Clear the filters to see everyone."</p></div> }.into_any()
                        } else {
                            let columns = page.columns.clone();
                            view! {
                                <div class="table-wrap competence-matrix">
                                    <table class="data-table">
                                        <caption class="visually-hidden">"People against competences: held, expiring, or a gap"</caption>
                                        <thead><tr>
                                            <th scope="col">"Person"</th>
                                            {columns.into_iter().map(|c| {
                                                let name = match &c.service {
                                                    Some(s) => format!("{} ({})", c.name, s.name),
                                                    None => c.name.clone(),
                                                };
                                                view! { <th scope="col"><a href=format!("/competences/{}", c.id)>{name}</a></th> }
                                            }).collect_view()}
                                        </tr></thead>
                                        <tbody>
                                            {page.rows.into_iter().map(|row| {
                                                let gaps = row.gaps();
                                                let roles = row.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ");
                                                let gap_words = (gaps > 0).then(|| format!("{gaps} gap{}", if gaps == 1 { "" } else { "s" }));
                                                let who = [Some(roles).filter(|r| !r.is_empty()), gap_words].into_iter().flatten().collect::<Vec<_>>().join(" · ");
                                                view! {
                                                    <tr>
                                                        <th scope="row">
                                                            <a href=format!("/competences/people/{}", row.person.id)>{row.person.name.clone()}</a>
                                                            <span class="hint">{who}</span>
                                                        </th>
                                                        {row.cells.into_iter().map(cell_view).collect_view()}
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
                            {retired}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn CompetenceNewPage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| competence_form_choices());
    let define = ServerAction::<DefineCompetence>::new();
    let error = Signal::derive(move || define.value().get().and_then(Result::err));
    view! {
        <Title text="Define a competence"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/competences">"Competence"</a>" / Define"</nav>
        <h1>"Define a competence"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! {
                        <ActionForm action=define attr:class="form" attr:novalidate=true>
                            <FormErrors error/>
                            <CompetenceFields choices initial=CompetenceForm::default() error/>
                            <div class="form-actions">
                                <button type="submit" class="button" disabled=move || define.pending().get()>"Define the competence"</button>
                                <a href="/competences">"Cancel"</a>
                            </div>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The fields of a competence (`form[...]`), for defining and editing.
#[component]
pub fn CompetenceFields(
    choices: CompetenceChoices,
    initial: CompetenceForm,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = move |field: &'static str| {
        view! { <p class="field-error" id=format!("competence-{field}-error") aria-live="polite">{field_error(error, field)}</p> }
    };
    let service = initial.service_id.clone();
    let gate_choice = move |id: &'static str,
                            name: &'static str,
                            label: &'static str,
                            refuse: &'static str,
                            chosen: String| {
        let chosen = if chosen.is_empty() {
            Gate::Off.as_str().to_string()
        } else {
            chosen
        };
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id name=format!("form[{name}]") aria-describedby=format!("competence-{name}-error")>
                    {Gate::ALL.into_iter().map(|gate| {
                        let words = match gate { Gate::Off => "Not checked", Gate::Warn => "Warn them, and note it on the record", Gate::Block => refuse };
                        view! { <option value=gate.as_str() selected=chosen == gate.as_str()>{words}</option> }
                    }).collect_view()}
                </select>
                {message(name)}
            </div>
        }
    };
    view! {
        <div class="field">
            <label for="competence-name">"Name"</label>
            <input id="competence-name" name="form[name]" value=initial.name.clone() aria-describedby="competence-name-error"/>
            {message("name")}
        </div>
        <div class="field">
            <label for="competence-description">"What it means"</label>
            <textarea id="competence-description" name="form[description]" rows=3 aria-describedby="competence-description-error">{initial.description.clone()}</textarea>
            {message("description")}
        </div>
        <AudienceFields
            prefix="competence"
            roles_legend="Needed by everyone in these roles"
            people_label="And by these people (e.g. the continuity manager for one service)"
            people=choices.people
            chosen_roles=initial.roles.clone()
            chosen_people=initial.people.clone()
            error
        />
        <div class="field-row">
            <div class="field">
                <label for="competence-service">"For the service"</label>
                <select id="competence-service" name="form[service_id]" aria-describedby="competence-service_id-error">
                    <option value="">"Any service"</option>
                    {choices.services.into_iter().map(|s| {
                        let selected = service == s.id.to_string();
                        view! { <option value=s.id selected=selected>{s.name}</option> }
                    }).collect_view()}
                </select>
                {message("service_id")}
            </div>
            <div class="field">
                <label for="competence-validity">"Evidence valid for (months; empty: never expires)"</label>
                <input id="competence-validity" type="number" min=1 max=120 name="form[validity_months]" value=initial.validity_months.clone() aria-describedby="competence-validity_months-error"/>
                {message("validity_months")}
            </div>
        </div>
        <fieldset class="field">
            <legend>"Where a gap matters (for the service above, if it names one)"</legend>
            <div class="field-row">
                {gate_choice("competence-cab-vote", "cab_vote", "When someone without it votes in a CAB meeting", "Refuse the vote", initial.cab_vote.clone())}
                {gate_choice("competence-plan-owner", "plan_owner", "When someone without it owns a continuity plan", "Refuse to approve the plan", initial.plan_owner.clone())}
            </div>
        </fieldset>
    }
}
