//! `/nonconformities` (the list and the form to raise a finding) and `/nonconformities/:id`
//! (the clause 10.1 path: the step due now, with its form, and everything recorded so far).

use super::id_param;
use crate::api::changes::change_choices;
use crate::api::nonconformities::{
    get_nonconformity, list_nonconformities, NonconformityStep, RaiseNonconformity,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::pager::Pager;
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::listing::parse_page;
use crate::model::nonconformity::{FoundIn, Grade, NcState, Nonconformity, RootCauseMethod};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn nc_state_badge(state: NcState) -> impl IntoView {
    view! { <span class=format!("badge nc-{}", state.as_str())>{state.label()}</span> }
}

#[component]
pub fn NonconformitiesPage() -> impl IntoView {
    let raise = ServerAction::<RaiseNonconformity>::new();
    let error = Signal::derive(move || raise.value().get().and_then(Result::err));
    let query = use_query_map();
    let page = Memo::new(move |_| query.with(|q| parse_page(q.get("page").as_deref())));
    let list = Resource::new(move || page.get(), |page| list_nonconformities(Some(page)));
    let choices = Resource::new(|| (), |_| change_choices());
    view! {
        <Title text="Nonconformities"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/improvements">"Improvement"</a>" / Nonconformities"</nav>
        <h1>"Nonconformities"</h1>
        <p class="muted">"Clause 10.1: contain, find the root cause, act on it, check the action worked — then close."</p>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading nonconformities…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok((page, _)) if page.total == 0 => view! {
                        <div class="empty-state"><p><strong>"No nonconformities."</strong></p><p>"Raise one below when a requirement is not met."</p></div>
                    }.into_any(),
                    Ok((page, today)) => {
                        let href = |to: u64| format!("/nonconformities?page={to}");
                        let previous = page.has_previous().then(|| href(page.page - 1));
                        let next = page.has_next().then(|| href(page.page + 1));
                        view! {
                        <p class="result-summary" role="status">{format!("{} nonconformities, open ones first · page {} of {}", page.total, page.page, page.page_count())}</p>
                        <div class="table-wrap">
                            <table class="data-table">
                                <thead><tr><th scope="col">"Ref."</th><th scope="col">"Grade"</th><th scope="col">"Clause"</th><th scope="col">"Description"</th><th scope="col">"Owner"</th><th scope="col">"Step"</th><th scope="col">"Due"</th></tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|nc| {
                                        let overdue = nc.is_overdue(today);
                                        view! {
                                            <tr class:overdue=overdue>
                                                <td><a href=format!("/nonconformities/{}", nc.id)>{nc.reference()}</a></td>
                                                <td>{nc.grade.label()}</td>
                                                <td>{crate::model::clauses::label(&nc.clause)}</td>
                                                <td>{crate::model::text::shorten(&nc.description, 90)}</td>
                                                <td>{nc.owner.name.clone()}</td>
                                                <td>{nc_state_badge(nc.state)}</td>
                                                <td>{nc.step_due.map(|d| d.to_string()).unwrap_or_default()}{overdue.then_some(" (overdue)")}</td>
                                            </tr>
                                        }
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
        <IfAllowed permission=Permission::FindingRaise>
            <section class="panel" aria-labelledby="raise-heading">
                <h2 id="raise-heading">"Raise a finding"</h2>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        let people = choices.await.map(|c| c.people).unwrap_or_default();
                        view! {
                            <ActionForm action=raise attr:class="form" attr:novalidate=true>
                                <FormErrors error/>
                                <div class="field-row">
                                    <div class="field">
                                        <label for="nc-grade">"Grade"</label>
                                        <select id="nc-grade" name="form[grade]" aria-describedby="nc-grade-error">
                                            <option value="">"Choose…"</option>
                                            {Grade::ALL.into_iter().map(|g| view! { <option value=g.as_str()>{g.label()}</option> }).collect_view()}
                                        </select>
                                        <p class="field-error" id="nc-grade-error">{field_error(error, "grade")}</p>
                                    </div>
                                    <div class="field">
                                        <label for="nc-clause">"Requirement not met (clause)"</label>
                                        <input id="nc-clause" name="form[clause]" placeholder="8.5.1" aria-describedby="nc-clause-error"/>
                                        <p class="field-error" id="nc-clause-error">{field_error(error, "clause")}</p>
                                    </div>
                                    <div class="field">
                                        <label for="nc-found">"Found in"</label>
                                        <select id="nc-found" name="form[found_in]" aria-describedby="nc-found-error">
                                            <option value="">"Choose…"</option>
                                            {FoundIn::ALL.into_iter().map(|f| view! { <option value=f.as_str()>{f.label()}</option> }).collect_view()}
                                        </select>
                                        <p class="field-error" id="nc-found-error">{field_error(error, "found_in")}</p>
                                    </div>
                                </div>
                                <div class="field">
                                    <label for="nc-description">"Description"</label>
                                    <textarea id="nc-description" name="form[description]" rows=3 aria-describedby="nc-description-error"></textarea>
                                    <p class="field-error" id="nc-description-error">{field_error(error, "description")}</p>
                                </div>
                                <div class="field">
                                    <label for="nc-evidence">"Evidence"</label>
                                    <textarea id="nc-evidence" name="form[evidence]" rows=2></textarea>
                                </div>
                                <div class="field-row">
                                    <div class="field">
                                        <label for="nc-owner">"Owner"</label>
                                        <select id="nc-owner" name="form[owner_id]" aria-describedby="nc-owner-error">
                                            <option value="">"Choose…"</option>
                                            {people.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                                        </select>
                                        <p class="field-error" id="nc-owner-error">{field_error(error, "owner_id")}</p>
                                    </div>
                                    <div class="field">
                                        <label for="nc-wait">"Days to wait before judging effectiveness"</label>
                                        <input id="nc-wait" name="form[wait_days]" inputmode="numeric" placeholder="The organisation's minimum" aria-describedby="nc-wait-hint nc-wait-error"/>
                                        <p class="hint" id="nc-wait-hint">"Empty: the organisation's minimum (30 days unless configured). Nobody can set less."</p>
                                        <p class="field-error" id="nc-wait-error">{field_error(error, "wait_days")}</p>
                                    </div>
                                </div>
                                <p class="hint">"Observations and opportunities for improvement go straight to the improvement register."</p>
                                <div class="form-actions"><button type="submit" class="button" disabled=move || raise.pending().get()>"Raise"</button></div>
                            </ActionForm>
                        }
                    })}
                </Suspense>
            </section>
        </IfAllowed>
    }
}

#[component]
pub fn NonconformityPage() -> impl IntoView {
    let id = id_param();
    let step = ServerAction::<NonconformityStep>::new();
    let nc = Resource::new(
        move || (id.get(), step.version().get()),
        |(id, _)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That nonconformity".into()))?;
            get_nonconformity(id).await
        },
    );
    let choices = Resource::new(|| (), |_| change_choices());
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the nonconformity…"</p> }>
            {move || Suspend::new(async move {
                match nc.await {
                    Ok(nc) => {
                        let people = choices.await.map(|c| c.people).unwrap_or_default();
                        view! { <NonconformityView nc step people/> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NonconformityView(
    nc: Nonconformity,
    step: ServerAction<NonconformityStep>,
    people: Vec<crate::model::refs::PersonRef>,
) -> impl IntoView {
    let error = Signal::derive(move || step.value().get().and_then(Result::err));
    let (id, version, state) = (nc.id, nc.version, nc.state);
    let title = format!("{} {}", nc.reference(), nc.grade.label());
    let hidden = move || view! { <input type="hidden" name="id" value=id/><input type="hidden" name="version" value=version/> };
    let form = match state {
        NcState::Raised => view! {
            <ActionForm action=step attr:class="form" attr:novalidate=true>
                {hidden()}
                <div class="field"><label for="nc-correction">"Immediate correction"</label><textarea id="nc-correction" name="text" rows=2 aria-describedby="nc-correction-error"></textarea><p class="field-error" id="nc-correction-error">{field_error(error, "correction")}</p></div>
                <button type="submit" name="step" value="contain" class="button">"Record the correction"</button>
            </ActionForm>
        }.into_any(),
        NcState::Contained => view! {
            <ActionForm action=step attr:class="form" attr:novalidate=true>
                {hidden()}
                <div class="field"><label for="nc-root">"Root cause"</label><textarea id="nc-root" name="text" rows=3 aria-describedby="nc-root-error"></textarea><p class="field-error" id="nc-root-error">{field_error(error, "root_cause")}</p></div>
                <div class="field">
                    <label for="nc-method">"Method"</label>
                    <select id="nc-method" name="method" aria-describedby="nc-method-error">
                        <option value="">"Choose…"</option>
                        <option value="five_whys">"5 whys"</option>
                        <option value="cause_categories">"Cause categories"</option>
                    </select>
                    <p class="field-error" id="nc-method-error">{field_error(error, "method")}</p>
                </div>
                <div class="field"><label for="nc-similar">"Similar nonconformities elsewhere (what was checked)"</label><textarea id="nc-similar" name="similar" rows=2 aria-describedby="nc-similar-error"></textarea><p class="field-error" id="nc-similar-error">{field_error(error, "similar_notes")}</p></div>
                <button type="submit" name="step" value="root_cause" class="button">"Record the root cause"</button>
            </ActionForm>
        }.into_any(),
        NcState::RootCauseAnalysed | NcState::ActionsPlanned => view! {
            <ActionForm action=step attr:class="form" attr:novalidate=true>
                {hidden()}
                <div class="field"><label for="nc-action">"Corrective action"</label><input id="nc-action" name="text" aria-describedby="nc-action-error"/><p class="field-error" id="nc-action-error">{field_error(error, "action_text")}</p></div>
                <div class="field-row">
                    <div class="field">
                        <label for="nc-action-owner">"Action owner"</label>
                        <select id="nc-action-owner" name="owner_id" aria-describedby="nc-action-owner-error">
                            <option value="">"Choose…"</option>
                            {people.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                        </select>
                        <p class="field-error" id="nc-action-owner-error">{field_error(error, "action_owner")}</p>
                    </div>
                    <div class="field"><label for="nc-action-due">"Due"</label><input id="nc-action-due" type="date" name="due" aria-describedby="nc-action-due-error"/><p class="field-error" id="nc-action-due-error">{field_error(error, "action_due")}</p></div>
                </div>
                <div class="form-actions">
                    <button type="submit" name="step" value="add_action" class="button secondary">"Add action"</button>
                    {(state == NcState::RootCauseAnalysed).then(|| view! { <button type="submit" name="step" value="plan" class="button">"Actions planned"</button> })}
                    {(state == NcState::ActionsPlanned).then(|| view! { <button type="submit" name="step" value="actions_done" class="button">"All actions done"</button> })}
                </div>
            </ActionForm>
        }.into_any(),
        NcState::ActionsDone => view! {
            <ActionForm action=step attr:class="form">
                {hidden()}
                <p>{format!("Effectiveness is judged from {}.", nc.verify_from.map(|d| d.to_string()).unwrap_or_default())}</p>
                <div class="form-actions">
                    <button type="submit" name="step" value="effective" class="button">"Effective"</button>
                    <button type="submit" name="step" value="not_effective" class="button secondary">"Not effective"</button>
                </div>
            </ActionForm>
        }.into_any(),
        NcState::EffectivenessVerified => view! {
            <ActionForm action=step attr:class="form">
                {hidden()}
                <button type="submit" name="step" value="close" class="button">"Close"</button>
            </ActionForm>
        }.into_any(),
        NcState::Closed => ().into_any(),
    };
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/nonconformities">"Nonconformities"</a>" / "{nc.reference()}</nav>
        <div class="page-header"><h1>{title}</h1><div class="page-actions">{nc_state_badge(state)}</div></div>
        <dl class="details">
            <dt>"Requirement"</dt><dd>{crate::model::clauses::label(&nc.clause)}</dd>
            <dt>"Found in"</dt>
            <dd>
                {nc.found_in.label()}", raised by "{nc.raised_by.name.clone()}
                {nc.raised_in_audit.map(|audit| view! {
                    " · "<a href=format!("/compliance/audits/{audit}")>{format!("internal audit {}", crate::model::internal_audit::audit_reference(audit))}</a>
                })}
            </dd>
            <dt>"Owner"</dt><dd>{nc.owner.name.clone()}</dd>
            <dt>"Description"</dt><dd class="prewrap">{nc.description.clone()}</dd>
            <dt>"Evidence"</dt><dd class="prewrap">{nc.evidence.clone()}</dd>
            <dt>"Correction"</dt><dd class="prewrap">{nc.correction.clone()}</dd>
            <dt>"Root cause"</dt>
            <dd class="prewrap">
                {nc.root_cause.clone()}
                {nc.root_cause_method.map(|m| match m { RootCauseMethod::FiveWhys => " (5 whys)", RootCauseMethod::CauseCategories => " (cause categories)" })}
            </dd>
            <dt>"Similar elsewhere"</dt><dd class="prewrap">{nc.similar_notes.clone()}</dd>
            <dt>"Verification"</dt>
            <dd>
                {nc.verified_by.clone().map(|p| format!("Effective, verified by {}. ", p.name))}
                {(nc.verification_failures > 0).then(|| format!("Found ineffective {} time(s) before.", nc.verification_failures))}
            </dd>
            <dt>"Step due"</dt><dd>{nc.step_due.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</dd>
        </dl>
        <h2>"Corrective actions"</h2>
        {if nc.actions.is_empty() {
            view! { <p class="muted">"None planned yet."</p> }.into_any()
        } else {
            view! {
                <ul class="corrective-actions">
                    {nc.actions.iter().map(|a| {
                        let action_id = a.id;
                        view! {
                            <li>
                                {a.text.clone()}" — "{a.owner.name.clone()}", due "{a.due.to_string()}
                                {a.improvement_id.map(|entry| view! {
                                    " · in the register as "
                                    <a href=format!("/improvements/{entry}")>{crate::model::register::improvement_reference(entry)}</a>
                                })}
                                {(a.improvement_id.is_none() && state != NcState::Closed).then(|| view! {
                                    " "
                                    <ActionForm action=step attr:class="inline">
                                        <input type="hidden" name="id" value=id/>
                                        <input type="hidden" name="version" value=version/>
                                        <input type="hidden" name="action_id" value=action_id/>
                                        <button type="submit" name="step" value="to_register" class="button small secondary">"Put in the register"</button>
                                    </ActionForm>
                                })}
                                {if a.done {
                                    view! { " "<span class="badge">"Done"</span> }.into_any()
                                } else if matches!(state, NcState::ActionsPlanned) {
                                    view! {
                                        " "
                                        <ActionForm action=step attr:class="inline">
                                            <input type="hidden" name="id" value=id/>
                                            <input type="hidden" name="version" value=version/>
                                            <input type="hidden" name="action_id" value=action_id/>
                                            <button type="submit" name="step" value="action_done" class="button small secondary">"Mark done"</button>
                                        </ActionForm>
                                    }.into_any()
                                } else {
                                    ().into_any()
                                }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {(state != NcState::Closed).then(|| view! {
            <section class="panel" aria-labelledby="step-heading">
                <h2 id="step-heading">"Next step"</h2>
                <p class="hint">"The owner works the nonconformity; someone other than the owner (a quality manager or an auditor) judges effectiveness; a quality manager closes it."</p>
                <FormErrors error/>
                {form}
            </section>
        })}
    }
}
