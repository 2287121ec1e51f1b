//! `/problems/:id`: one problem — its analysis (method, root cause, workaround), the steps the
//! reader may take now (asked of the lifecycle on the server), the incidents it explains and
//! the change that removes its cause.

use super::id_param;
use crate::api::incidents::incident_form_choices;
use crate::api::problems::{
    get_problem, LinkProblemIncidents, ProblemStep, RaiseProblemChange, SaveProblemAnalysis,
    UnlinkProblemIncident,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::record_cis::{NamingActions, NamingRecord, RecordCiPanel};
use crate::components::succeeded::successes;
use crate::error::AppError;
use crate::model::cmdb::NamedBy;
use crate::model::problem::{Problem, ProblemAction, ProblemRecord, RcaMethod};
use crate::model::refs::PersonRef;
use crate::pages::incidents::incident_state_badge;
use crate::pages::problems::problem_state_badge;
use leptos::prelude::*;
use leptos_meta::Title;

/// The forms of the record, whose results refresh it.
#[derive(Clone, Copy)]
struct Actions {
    analysis: ServerAction<SaveProblemAnalysis>,
    step: ServerAction<ProblemStep>,
    link: ServerAction<LinkProblemIncidents>,
    unlink: ServerAction<UnlinkProblemIncident>,
    change: ServerAction<RaiseProblemChange>,
    naming: NamingActions,
}

#[component]
pub fn ProblemPage() -> impl IntoView {
    let id = id_param();
    let actions = Actions {
        analysis: ServerAction::new(),
        step: ServerAction::new(),
        link: ServerAction::new(),
        unlink: ServerAction::new(),
        change: ServerAction::new(),
        naming: NamingActions::new(),
    };
    // Only a success refreshes the record: after a refusal the forms keep what was typed.
    let refreshes = [
        successes(actions.analysis),
        successes(actions.step),
        successes(actions.link),
        successes(actions.unlink),
        successes(actions.naming.name),
        successes(actions.naming.unname),
    ];
    let record = Resource::new(
        move || (id.get(), refreshes.map(|count| count.get())),
        |(id, ..)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That problem".into()))?;
            get_problem(id).await
        },
    );
    let choices = Resource::new(|| (), |_| incident_form_choices());
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the problem…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(record) => {
                        let workers = choices.await.map(|c| c.workers).unwrap_or_default();
                        view! { <ProblemView record workers actions/> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProblemView(record: ProblemRecord, workers: Vec<PersonRef>, actions: Actions) -> impl IntoView {
    let ProblemRecord {
        problem,
        actions: steps,
        may_edit,
        configuration,
    } = record;
    let title = format!("{} {}", problem.reference, problem.title);
    let (id, version) = (problem.id, problem.version);
    let known_error = problem.state == crate::model::problem::ProblemState::KnownError;
    let analysing = problem.state == crate::model::problem::ProblemState::Analysing;
    let hint = (may_edit && analysing && (problem.root_cause.is_none() || problem.workaround.is_none()))
        .then_some("Record the root cause and a workaround in the analysis to make this a known error; it is then offered to whoever reports a matching incident.");
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/problems">"Problems"</a>" / "{problem.reference.clone()}</nav>
        <div class="page-header">
            <h1>{title}</h1>
            <div class="page-actions">{problem_state_badge(problem.state)}</div>
        </div>
        {known_error.then(|| view! {
            <p class="notice" role="note">"Offered as a known error: whoever reports an incident with matching words sees this workaround and can apply it."</p>
        })}
        <dl class="details">
            <dt>"Service"</dt><dd><a href=format!("/services/{}", problem.service.id)>{problem.service.name.clone()}</a></dd>
            <dt>"Owner"</dt><dd>{problem.owner.clone().map(|p| p.name).unwrap_or_else(|| "Nobody yet".into())}</dd>
            <dt>"Raised"</dt><dd>{format!("{} by {}", problem.created_at.format("%Y-%m-%d"), problem.created_by.name)}</dd>
            {problem.known_error_at.map(|at| view! { <dt>"Known error since"</dt><dd>{at.format("%Y-%m-%d").to_string()}</dd> })}
            <dt>"What is seen"</dt><dd class="prewrap">{if problem.description.is_empty() { "—".to_string() } else { problem.description.clone() }}</dd>
            {problem.resolution.clone().map(|words| view! { <dt>"Resolution"</dt><dd class="prewrap">{words}</dd> })}
        </dl>
        <AnalysisPanel problem=problem.clone() may_edit action=actions.analysis/>
        <StepPanel id version steps workers hint action=actions.step/>
        <ChangePanel problem=problem.clone() may_edit action=actions.change/>
        <IncidentsPanel problem may_edit link=actions.link unlink=actions.unlink/>
        {configuration.map(|impact| view! {
            <RecordCiPanel record=NamingRecord { on: NamedBy::Problem, id, version } impact may_name=may_edit actions=actions.naming/>
        })}
    }
}

#[component]
fn AnalysisPanel(
    problem: Problem,
    may_edit: bool,
    action: ServerAction<SaveProblemAnalysis>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let shown =
        |text: Option<String>, missing: &'static str| text.unwrap_or_else(|| missing.to_string());
    if !may_edit {
        return view! {
            <section class="panel" aria-labelledby="analysis-heading">
                <h2 id="analysis-heading">"Root cause analysis"</h2>
                <dl class="details">
                    <dt>"Method"</dt><dd>{problem.rca_method.map(|m| m.label()).unwrap_or("—")}</dd>
                    <dt>"Root cause"</dt><dd class="prewrap">{shown(problem.root_cause, "Not known yet")}</dd>
                    <dt>"Workaround"</dt><dd class="prewrap">{shown(problem.workaround, "None yet")}</dd>
                </dl>
            </section>
        }.into_any();
    }
    let method = problem.rca_method;
    view! {
        <section class="panel" aria-labelledby="analysis-heading">
            <h2 id="analysis-heading">"Root cause analysis"</h2>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="id" value=problem.id/>
                <input type="hidden" name="version" value=problem.version/>
                <div class="field">
                    <label for="prb-method">"Method"</label>
                    <select id="prb-method" name="form[rca_method]" aria-describedby="prb-method-error">
                        <option value="">"Not named"</option>
                        {RcaMethod::ALL.into_iter().map(|m| view! { <option value=m.as_str() selected=method == Some(m)>{m.label()}</option> }).collect_view()}
                    </select>
                    <p class="field-error" id="prb-method-error" aria-live="polite">{field_error(error, "rca_method")}</p>
                </div>
                <div class="field">
                    <label for="prb-root-cause">"Root cause"</label>
                    <textarea id="prb-root-cause" name="form[root_cause]" rows=4 aria-describedby="prb-root-cause-error">{problem.root_cause.unwrap_or_default()}</textarea>
                    <p class="field-error" id="prb-root-cause-error" aria-live="polite">{field_error(error, "root_cause")}</p>
                </div>
                <div class="field">
                    <label for="prb-workaround">"Workaround"</label>
                    <textarea id="prb-workaround" name="form[workaround]" rows=3 aria-describedby="prb-workaround-hint prb-workaround-error">{problem.workaround.unwrap_or_default()}</textarea>
                    <p class="hint" id="prb-workaround-hint">"What restores the service until the cause is removed; the known error offers it to the next incident."</p>
                    <p class="field-error" id="prb-workaround-error" aria-live="polite">{field_error(error, "workaround")}</p>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button secondary" disabled=move || action.pending().get()>"Save the analysis"</button>
                    {move || (action.value().get().is_some_and(|r| r.is_ok())).then(|| view! { <span role="status" class="muted">"Saved."</span> })}
                </div>
            </ActionForm>
        </section>
    }.into_any()
}

#[component]
fn StepPanel(
    id: i64,
    version: i32,
    steps: Vec<ProblemAction>,
    workers: Vec<PersonRef>,
    /// What the reader has still to do before the next step is offered.
    hint: Option<&'static str>,
    action: ServerAction<ProblemStep>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let hidden = move || view! { <input type="hidden" name="id" value=id/><input type="hidden" name="version" value=version/> };
    let analyse = steps.contains(&ProblemAction::Analyse).then(|| view! {
        <ActionForm action attr:class="form inline-form" attr:novalidate=true>
            {hidden()}
            <input type="hidden" name="form[action]" value="analyse"/>
            <div class="field">
                <label for="prb-owner">"Owner"</label>
                <select id="prb-owner" name="form[owner_id]" aria-describedby="prb-owner-error">
                    <option value="">"Choose…"</option>
                    {workers.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                </select>
                <p class="field-error" id="prb-owner-error" aria-live="polite">{field_error(error, "owner_id")}</p>
            </div>
            <button type="submit" class="button">"Start the analysis"</button>
        </ActionForm>
    });
    let others: Vec<ProblemAction> = steps
        .iter()
        .copied()
        .filter(|a| *a != ProblemAction::Analyse)
        .collect();
    let needs_words = others
        .iter()
        .any(|a| matches!(a, ProblemAction::Resolve | ProblemAction::Close));
    let other_steps = (!others.is_empty()).then(|| view! {
        <ActionForm action attr:class="form" attr:novalidate=true>
            {hidden()}
            {needs_words.then(|| view! {
                <div class="field">
                    <label for="prb-resolution">"What removed the cause (resolving), or why it closes"</label>
                    <textarea id="prb-resolution" name="form[resolution]" rows=2 aria-describedby="prb-resolution-error"></textarea>
                    <p class="field-error" id="prb-resolution-error" aria-live="polite">{field_error(error, "resolution")}</p>
                </div>
            })}
            <div class="form-actions">
                {others.into_iter().map(|a| view! { <button type="submit" name="form[action]" value=a.as_str() class="button secondary">{a.label()}</button> }).collect_view()}
            </div>
        </ActionForm>
    });
    let none = steps.is_empty();
    view! {
        <section class="panel" aria-labelledby="steps-heading">
            <h2 id="steps-heading">"Next step"</h2>
            <FormErrors error/>
            {none.then(|| view! { <p class="muted">"There is no step for you to take on this problem now."</p> })}
            {hint.map(|hint| view! { <p class="hint">{hint}</p> })}
            {analyse}
            {other_steps}
        </section>
    }
}

#[component]
fn ChangePanel(
    problem: Problem,
    may_edit: bool,
    action: ServerAction<RaiseProblemChange>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let body = match (problem.change.clone(), may_edit, problem.root_cause.is_some()) {
        (Some((change, reference, title, state)), _, _) => view! {
            <p><a href=format!("/changes/{change}")>{reference}</a>" "{title}" · "{state}</p>
        }.into_any(),
        (None, true, true) => view! {
            <ActionForm action attr:class="inline">
                <input type="hidden" name="id" value=problem.id/>
                <input type="hidden" name="version" value=problem.version/>
                <FormErrors error/>
                <button type="submit" class="button secondary" disabled=move || action.pending().get()>"Raise the change that removes the cause"</button>
                <p class="hint">"A draft change with the root cause, the workaround and the service filled in; complete it and send it for assessment."</p>
            </ActionForm>
        }.into_any(),
        (None, true, false) => view! { <p class="muted">"Record the root cause first; then raise the change that removes it."</p> }.into_any(),
        (None, false, _) => view! { <p class="muted">"No change is linked."</p> }.into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="change-heading">
            <h2 id="change-heading">"Change that removes the cause"</h2>
            {body}
        </section>
    }
}

#[component]
fn IncidentsPanel(
    problem: Problem,
    may_edit: bool,
    link: ServerAction<LinkProblemIncidents>,
    unlink: ServerAction<UnlinkProblemIncident>,
) -> impl IntoView {
    let link_error = Signal::derive(move || link.value().get().and_then(Result::err));
    let unlink_error = Signal::derive(move || unlink.value().get().and_then(Result::err));
    let id = problem.id;
    let count = problem.incidents.len();
    view! {
        <section class="panel" aria-labelledby="incidents-heading">
            <h2 id="incidents-heading">{format!("Incidents it explains ({count})")}</h2>
            <FormErrors error=unlink_error/>
            {if problem.incidents.is_empty() {
                view! { <p class="muted">"No incident is linked yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="linked-incidents">
                        {problem.incidents.into_iter().map(|incident| view! {
                            <li>
                                <a href=format!("/incidents/{}", incident.id)>{incident.reference.clone()}</a>
                                " "{incident.title.clone()}" "{incident_state_badge(incident.state)}
                                " "<span class="muted">{incident.created_at.format("%Y-%m-%d").to_string()}</span>
                                {may_edit.then(|| view! {
                                    <ActionForm action=unlink attr:class="inline">
                                        <input type="hidden" name="id" value=id/>
                                        <input type="hidden" name="incident_id" value=incident.id/>
                                        <button type="submit" class="button link" aria-label=format!("Unlink {}", incident.reference)>"Unlink"</button>
                                    </ActionForm>
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {may_edit.then(|| view! {
                <ActionForm action=link attr:class="form inline-form" attr:novalidate=true>
                    <input type="hidden" name="id" value=id/>
                    <div class="field">
                        <label for="prb-link">"Link incidents"</label>
                        <input id="prb-link" name="incidents" placeholder="INC-3, INC-7" aria-describedby="prb-link-error"/>
                        <p class="field-error" id="prb-link-error" aria-live="polite">{field_error(link_error, "incidents")}</p>
                    </div>
                    <button type="submit" class="button secondary" disabled=move || link.pending().get()>"Link"</button>
                </ActionForm>
            })}
        </section>
    }
}
