//! The improvement register: `/improvements` (filterable, sortable table with a summary),
//! `/improvements/new`, and `/improvements/:id` (the entry, its lifecycle moves, KPIs with
//! their trend against baseline and target, and its history).

use super::id_param;
use crate::api::changes::change_choices;
use crate::api::improvements::{
    get_improvement, improvement_history, list_improvements, AddKpi, AddMeasurement,
    CreateImprovement, MoveImprovement, UpdateImprovement,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::history::HistoryList;
use crate::components::session::{use_session, IfAllowed};
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::change::ActorFacts;
use crate::model::change_request::ChangeFormChoices;
use crate::model::improvement::{
    may_reassign, transition, ClosureCode, Effort, ImprovementAction, ImprovementState, Priority,
    Source, TargetVerdict,
};
use crate::model::register::{Improvement, KpiRecord, RegisterParams};
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
                        let pager = (page.pages > 1).then(|| {
                            let p = params.get_untracked();
                            view! {
                                <nav class="pager" aria-label="Pages">
                                    {(page.page > 1).then(|| view! { <a href=p.href(page.page - 1)>"Previous"</a> })}
                                    <span>{format!(" Page {} of {} ", page.page, page.pages)}</span>
                                    {(page.page < page.pages).then(|| view! { <a href=p.href(page.page + 1)>"Next"</a> })}
                                </nav>
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

#[component]
fn ImprovementFields(choices: ChangeFormChoices, error: Signal<Option<AppError>>) -> impl IntoView {
    let message = move |field: &'static str| {
        view! { <p class="field-error" id=format!("imp-{field}-error") aria-live="polite">{field_error(error, field)}</p> }
    };
    let described = |field: &str| format!("imp-{field}-error");
    let people = choices.people.clone();
    view! {
        <div class="field">
            <label for="imp-title">"Title"</label>
            <input id="imp-title" name="form[title]" maxlength=160 aria-describedby=described("title")/>
            {message("title")}
        </div>
        <div class="field">
            <label for="imp-description">"Description"</label>
            <textarea id="imp-description" name="form[description]" rows=3 aria-describedby=described("description")></textarea>
            {message("description")}
        </div>
        <div class="field-row">
            <div class="field">
                <label for="imp-source">"Source"</label>
                <select id="imp-source" name="form[source]" aria-describedby=described("source")>
                    <option value="">"Choose…"</option>
                    {Source::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                </select>
                {message("source")}
            </div>
            <div class="field">
                <label for="imp-source-ref">"Source record (optional, e.g. change:12)"</label>
                <input id="imp-source-ref" name="form[source_ref]" aria-describedby=described("source_ref")/>
                {message("source_ref")}
            </div>
        </div>
        <div class="field">
            <label for="imp-clauses">"SMS clauses (e.g. 8.5.1, 10.2)"</label>
            <input id="imp-clauses" name="form[clauses]" aria-describedby=described("clauses")/>
            {message("clauses")}
        </div>
        <fieldset class="role-choices">
            <legend>"Affected services"</legend>
            {choices.services.iter().enumerate().map(|(index, s)| {
                let id = format!("imp-service-{}", s.id);
                let label_for = id.clone();
                view! { <label for=label_for class="checkbox"><input type="checkbox" id=id name=format!("form[service_ids][{index}]") value=s.id/>" "{s.name.clone()}</label> }
            }).collect_view()}
        </fieldset>
        <div class="field">
            <label for="imp-benefit">"Expected benefit"</label>
            <textarea id="imp-benefit" name="form[expected_benefit]" rows=2 aria-describedby=described("expected_benefit")></textarea>
            {message("expected_benefit")}
        </div>
        <p class="hint">{Priority::RULE}</p>
        <div class="field-row">
            <div class="field">
                <label for="imp-score">"Benefit score (1–5)"</label>
                <select id="imp-score" name="form[benefit_score]" aria-describedby=described("benefit_score")>
                    <option value="">"Not yet"</option>
                    {(1..=5).map(|n| view! { <option value=n>{n}</option> }).collect_view()}
                </select>
                {message("benefit_score")}
            </div>
            <div class="field">
                <label for="imp-effort">"Effort"</label>
                <select id="imp-effort" name="form[effort]" aria-describedby=described("effort")>
                    <option value="">"Not yet"</option>
                    {Effort::ALL.into_iter().map(|e| view! { <option value=e.as_str()>{e.as_str()}</option> }).collect_view()}
                </select>
                {message("effort")}
            </div>
            <div class="field">
                <label for="imp-target">"Target date"</label>
                <input id="imp-target" type="date" name="form[target_date]" aria-describedby=described("target_date")/>
                {message("target_date")}
            </div>
        </div>
        <div class="field-row">
            <div class="field">
                <label for="imp-owner">"Owner"</label>
                <select id="imp-owner" name="form[owner_id]" aria-describedby=described("owner_id")>
                    <option value="">"Choose…"</option>
                    {people.iter().map(|p| view! { <option value=p.id>{p.name.clone()}</option> }).collect_view()}
                </select>
                {message("owner_id")}
            </div>
            <div class="field">
                <label for="imp-approver">"Approver (optional)"</label>
                <select id="imp-approver" name="form[approver_id]" aria-describedby=described("approver_id")>
                    <option value="">"A quality manager"</option>
                    {people.iter().map(|p| view! { <option value=p.id>{p.name.clone()}</option> }).collect_view()}
                </select>
                {message("approver_id")}
            </div>
        </div>
    }
}

#[component]
pub fn ImprovementNewPage() -> impl IntoView {
    let create = ServerAction::<CreateImprovement>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| change_choices());
    view! {
        <Title text="New improvement"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/improvements">"Improvement register"</a>" / New"</nav>
        <h1>"New improvement"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! {
                        <ActionForm action=create attr:class="form" attr:novalidate=true>
                            <FormErrors error/>
                            <ImprovementFields choices error/>
                            <div class="form-actions">
                                <button type="submit" class="button" disabled=move || create.pending().get()>"Add to the register"</button>
                                <a class="button secondary" href="/improvements">"Cancel"</a>
                            </div>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ImprovementDetailPage() -> impl IntoView {
    let id = id_param();
    let moved = ServerAction::<MoveImprovement>::new();
    let kpi = ServerAction::<AddKpi>::new();
    let measure = ServerAction::<AddMeasurement>::new();
    let reassigned = ServerAction::<UpdateImprovement>::new();
    let entry = Resource::new(
        move || {
            (
                id.get(),
                moved.version().get(),
                kpi.version().get(),
                measure.version().get(),
                reassigned.version().get(),
            )
        },
        |(id, ..)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That improvement".into()))?;
            get_improvement(id).await
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the improvement…"</p> }>
            {move || Suspend::new(async move {
                match entry.await {
                    Ok(entry) => view! { <ImprovementView entry moved kpi measure reassigned/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ImprovementView(
    entry: Improvement,
    moved: ServerAction<MoveImprovement>,
    kpi: ServerAction<AddKpi>,
    measure: ServerAction<AddMeasurement>,
    reassigned: ServerAction<UpdateImprovement>,
) -> impl IntoView {
    let session = use_session();
    let responsibility = StoredValue::new(entry.clone());
    let (id, version) = (entry.id, entry.version);
    let move_error = Signal::derive(move || moved.value().get().and_then(Result::err));
    let kpi_error = Signal::derive(move || kpi.value().get().and_then(Result::err));
    let measure_error = Signal::derive(move || measure.value().get().and_then(Result::err));
    let facts = entry.facts();
    let facts = StoredValue::new(facts);
    let history = Resource::new(move || version, move |_| improvement_history(id));
    let title = format!("{} {}", entry.reference(), entry.title);
    let kpis = entry.kpis.clone();
    let open = entry.state.is_measurable();
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/improvements">"Improvement register"</a>" / "{entry.reference()}</nav>
        <div class="page-header">
            <h1>{title}</h1>
            <div class="page-actions">{state_badge(entry.state)}" "{priority_badge(entry.priority())}</div>
        </div>
        <dl class="details">
            <dt>"Source"</dt>
            <dd>
                {entry.source.label()}
                {entry.source_ref.clone().map(|r| match crate::model::register::source_link(&r) {
                    Some((label, href)) => view! { " — "<a href=href>{label}</a> }.into_any(),
                    None => view! { {format!(" ({r})")} }.into_any(),
                })}
            </dd>
            <dt>"Clauses"</dt><dd>{if entry.clauses.is_empty() { "None named".to_string() } else { entry.clauses.iter().map(|c| crate::model::clauses::label(c)).collect::<Vec<_>>().join(", ") }}</dd>
            <dt>"Owner"</dt><dd>{entry.owner.name.clone()}</dd>
            <dt>"Approver"</dt><dd>{entry.approver.as_ref().map(|a| a.name.clone()).unwrap_or_else(|| "A quality manager".into())}</dd>
            <dt>"Target date"</dt><dd>{entry.target_date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "Not set".into())}</dd>
            <dt>"Benefit and effort"</dt>
            <dd>
                {match (entry.benefit_score, entry.effort) {
                    (Some(score), Some(effort)) => format!("Benefit {score} of 5, effort {}", effort.as_str()),
                    _ => "Not evaluated yet".into(),
                }}
                <span class="hint">" "{Priority::RULE}</span>
            </dd>
            <dt>"Expected benefit"</dt><dd class="prewrap">{entry.expected_benefit.clone()}</dd>
            <dt>"Description"</dt><dd class="prewrap">{entry.description.clone()}</dd>
            <dt>"Outcome"</dt><dd class="prewrap">{if entry.outcome.is_empty() { "Not recorded yet".to_string() } else { entry.outcome.clone() }}</dd>
            {entry.verifier.clone().map(|v| view! { <dt>"Verified by"</dt><dd>{v.name}</dd> })}
            {entry.closure_code.map(|c| view! { <dt>"Closed as"</dt><dd>{c.label()}</dd> })}
        </dl>

        <IfAllowed permission=Permission::ImprovementRaise>
            <Transition fallback=|| ()>
                {move || Suspend::new({
                    let facts = facts.get_value();
                    async move {
                        let user = session.user.await.ok().flatten()?;
                        let actor = ActorFacts { user_id: user.id, roles: user.roles.clone() };
                        let possible: Vec<ImprovementAction> = ImprovementAction::ALL
                            .into_iter()
                            .filter(|a| {
                                // Offer outcome-dependent moves too: the outcome is typed below.
                                let mut f = facts.clone();
                                if matches!(a, ImprovementAction::Verify) { f.has_outcome = true; }
                                transition(&f, *a, &actor).is_ok()
                            })
                            .collect();
                        (!possible.is_empty()).then(|| view! {
                            <section class="panel" aria-labelledby="moves-heading">
                                <h2 id="moves-heading">"Move it on"</h2>
                                <ActionForm action=moved attr:class="form" attr:novalidate=true>
                                    <FormErrors error=move_error/>
                                    <input type="hidden" name="id" value=id/>
                                    <input type="hidden" name="version" value=version/>
                                    {possible.contains(&ImprovementAction::Verify).then(|| view! {
                                        <div class="field">
                                            <label for="imp-outcome">"Measured outcome"</label>
                                            <textarea id="imp-outcome" name="outcome" rows=2 aria-describedby="imp-outcome-error"></textarea>
                                            <p class="field-error" id="imp-outcome-error" aria-live="polite">{field_error(move_error, "outcome")}</p>
                                        </div>
                                    })}
                                    {possible.contains(&ImprovementAction::Close).then(|| view! {
                                        <div class="field">
                                            <label for="imp-closure">"Closure code"</label>
                                            <select id="imp-closure" name="closure_code" aria-describedby="imp-closure-error">
                                                <option value="">"Choose…"</option>
                                                {ClosureCode::ALL.map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                                            </select>
                                            <p class="field-error" id="imp-closure-error" aria-live="polite">{field_error(move_error, "closure_code")}</p>
                                        </div>
                                    })}
                                    <div class="form-actions">
                                        {possible.iter().map(|a| {
                                            view! { <button type="submit" name="action" value=a.as_str() class="button">{a.label()}</button> }
                                        }).collect_view()}
                                    </div>
                                </ActionForm>
                            </section>
                        })
                    }
                })}
            </Transition>
        </IfAllowed>

        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let user = session.user.await.ok().flatten()?;
                let entry = responsibility.get_value();
                let actor = ActorFacts { user_id: user.id, roles: user.roles.clone() };
                may_reassign(&entry.facts(), &actor)
                    .then(|| view! { <ResponsibilityPanel entry action=reassigned/> })
            })}
        </Transition>

        <section aria-labelledby="kpis-heading">
            <h2 id="kpis-heading">"Measures"</h2>
            {if kpis.is_empty() {
                view! { <p class="muted">"No KPI yet. Name one to measure the outcome against a baseline and a target."</p> }.into_any()
            } else {
                kpis.into_iter().map(|k| view! { <KpiPanel record=k id version measure measure_error open/> }).collect_view().into_any()
            }}
            {open.then(|| view! {
                <IfAllowed permission=Permission::ImprovementRaise>
                    <details class="panel">
                        <summary>"Add a KPI"</summary>
                        <ActionForm action=kpi attr:class="form" attr:novalidate=true>
                            <FormErrors error=kpi_error/>
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="version" value=version/>
                            <div class="field-row">
                                <div class="field"><label for="kpi-name">"KPI"</label><input id="kpi-name" name="form[name]" aria-describedby="kpi-name-error"/><p class="field-error" id="kpi-name-error">{field_error(kpi_error, "kpi_name")}</p></div>
                                <div class="field"><label for="kpi-unit">"Unit"</label><input id="kpi-unit" name="form[unit]"/></div>
                            </div>
                            <div class="field-row">
                                <div class="field"><label for="kpi-baseline">"Baseline"</label><input id="kpi-baseline" name="form[baseline]" inputmode="decimal" aria-describedby="kpi-baseline-error"/><p class="field-error" id="kpi-baseline-error">{field_error(kpi_error, "kpi_baseline")}</p></div>
                                <div class="field"><label for="kpi-target">"Target"</label><input id="kpi-target" name="form[target]" inputmode="decimal" aria-describedby="kpi-target-error"/><p class="field-error" id="kpi-target-error">{field_error(kpi_error, "kpi_target")}</p></div>
                                <div class="field">
                                    <label for="kpi-direction">"Better is"</label>
                                    <select id="kpi-direction" name="form[direction]"><option value="higher">"Higher"</option><option value="lower">"Lower"</option></select>
                                </div>
                            </div>
                            <div class="form-actions"><button type="submit" class="button secondary">"Add KPI"</button></div>
                        </ActionForm>
                    </details>
                </IfAllowed>
            })}
        </section>

        <section aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading history…"</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(entries) => view! { <HistoryList entries/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn KpiPanel(
    record: KpiRecord,
    id: i64,
    version: i32,
    measure: ServerAction<AddMeasurement>,
    measure_error: Signal<Option<AppError>>,
    open: bool,
) -> impl IntoView {
    let verdict = record.verdict();
    let unit = record.kpi.unit.clone();
    let latest = record.measurements.iter().max_by_key(|m| m.on).copied();
    let heading_id = format!("kpi-{}-heading", record.id);
    let value_label = StoredValue::new(format!("Value ({unit})"));
    let kpi_id = record.id;
    view! {
        <section class="panel kpi" aria-labelledby=heading_id>
            <h3 id=heading_id.clone()>{record.kpi.name.clone()}</h3>
            <p class=format!("kpi-verdict verdict-{}", match verdict { TargetVerdict::Met => "met", TargetVerdict::NotMet => "not-met", TargetVerdict::NotMeasured => "none" })>
                {match verdict {
                    TargetVerdict::Met => "Target met".to_string(),
                    TargetVerdict::NotMet => "Target not met yet".to_string(),
                    TargetVerdict::NotMeasured => "Not measured yet".to_string(),
                }}
                {format!(" — baseline {} {unit}, target {} {unit}", record.kpi.baseline, record.kpi.target)}
                {latest.map(|m| format!(", latest {} {unit}", m.value))}
            </p>
            <crate::components::kpi_chart::KpiTrendChart kpi=record.kpi.clone() measurements=record.measurements.clone()/>
            {open.then(|| view! {
                <IfAllowed permission=Permission::ImprovementRaise>
                    <ActionForm action=measure attr:class="form inline-form" attr:novalidate=true>
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="version" value=version/>
                        <input type="hidden" name="kpi_id" value=kpi_id/>
                        <div class="field"><label for=format!("kpi-{kpi_id}-on")>"Measured on"</label><input id=format!("kpi-{kpi_id}-on") type="date" name="form[on]"/></div>
                        <div class="field"><label for=format!("kpi-{kpi_id}-value")>{value_label.get_value()}</label><input id=format!("kpi-{kpi_id}-value") name="form[value]" inputmode="decimal"/></div>
                        <div class="form-actions"><button type="submit" class="button small">"Add measurement"</button></div>
                        <p class="field-error" aria-live="polite">{field_error(measure_error, "measurement_value")}" "{field_error(measure_error, "measurement_on")}</p>
                    </ActionForm>
                </IfAllowed>
            })}
        </section>
    }
}

/// Hands the entry to a new owner or names another approver (the owner before the decision,
/// a quality manager at any time while it is open); the rest of the entry goes along as it is.
#[component]
fn ResponsibilityPanel(
    entry: Improvement,
    action: ServerAction<UpdateImprovement>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| change_choices());
    let (owner_id, approver_id) = (entry.owner.id, entry.approver.as_ref().map(|a| a.id));
    let (id, version) = (entry.id, entry.version);
    let hidden = [
        ("form[title]", entry.title.clone()),
        ("form[description]", entry.description.clone()),
        ("form[source]", entry.source.as_str().to_string()),
        (
            "form[source_ref]",
            entry.source_ref.clone().unwrap_or_default(),
        ),
        ("form[clauses]", entry.clauses.join(", ")),
        ("form[expected_benefit]", entry.expected_benefit.clone()),
        (
            "form[benefit_score]",
            entry
                .benefit_score
                .map(|s| s.to_string())
                .unwrap_or_default(),
        ),
        (
            "form[effort]",
            entry
                .effort
                .map(|e| e.as_str().to_string())
                .unwrap_or_default(),
        ),
        (
            "form[target_date]",
            entry.target_date.map(|d| d.to_string()).unwrap_or_default(),
        ),
    ];
    let services = entry.service_ids.clone();
    view! {
        <details class="panel responsibility">
            <summary>"Hand over or change the approver"</summary>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading people…"</p> }>
                {move || {
                    let hidden = hidden.clone();
                    let services = services.clone();
                    Suspend::new(async move {
                        let people = match choices.await {
                            Ok(choices) => choices.people,
                            Err(error) => return view! { <ErrorPanel error/> }.into_any(),
                        };
                        view! {
                            <ActionForm action attr:class="form" attr:novalidate=true>
                                <FormErrors error/>
                                <input type="hidden" name="id" value=id/>
                                <input type="hidden" name="version" value=version/>
                                {hidden.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
                                {services.into_iter().enumerate().map(|(index, id)| view! { <input type="hidden" name=format!("form[service_ids][{index}]") value=id/> }).collect_view()}
                                <div class="field-row">
                                    <div class="field">
                                        <label for="resp-owner">"Owner"</label>
                                        <select id="resp-owner" name="form[owner_id]" aria-describedby="resp-owner-error">
                                            {people.iter().map(|p| view! { <option value=p.id selected=p.id == owner_id>{p.name.clone()}</option> }).collect_view()}
                                        </select>
                                        <p class="field-error" id="resp-owner-error" aria-live="polite">{field_error(error, "owner_id")}</p>
                                    </div>
                                    <div class="field">
                                        <label for="resp-approver">"Approver"</label>
                                        <select id="resp-approver" name="form[approver_id]" aria-describedby="resp-approver-error">
                                            <option value="" selected=approver_id.is_none()>"A quality manager"</option>
                                            {people.iter().map(|p| view! { <option value=p.id selected=Some(p.id) == approver_id>{p.name.clone()}</option> }).collect_view()}
                                        </select>
                                        <p class="field-error" id="resp-approver-error" aria-live="polite">{field_error(error, "approver_id")}</p>
                                    </div>
                                </div>
                                <p class="hint">"Whoever has owned an improvement never approves or verifies it, and nobody decides as an approver they named themselves."</p>
                                <div class="form-actions">
                                    <button type="submit" class="button secondary" disabled=move || action.pending().get()>"Save who is responsible"</button>
                                </div>
                            </ActionForm>
                        }.into_any()
                    })
                }}
            </Suspense>
        </details>
    }
}
