//! `/compliance/audits`: the internal audit programme(s) (clause 9.2) — each cycle's coverage
//! of clauses 4–10 with the gaps said in words, the audits planned and done, the form to plan
//! an audit (clauses and people chosen from lists) and the form to start a programme.

use crate::api::audits::{
    audit_choices, audit_overview, CreateAuditProgramme, PlanAudit, UpdateAuditProgramme,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::clauses::CLAUSES;
use crate::model::internal_audit::{
    audit_reference, gaps_sentence, Audit, AuditState, Programme, ProgrammeView, TopCoverage,
    TOP_CLAUSES,
};
use crate::model::refs::PersonRef;
use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos_meta::Title;

pub fn audit_state_badge(state: AuditState) -> impl IntoView {
    view! { <span class=format!("badge audit-{}", state.as_str())>{state.label()}</span> }
}

#[component]
pub fn InternalAuditsPage() -> impl IntoView {
    let create_programme = ServerAction::<CreateAuditProgramme>::new();
    // Reload after a success only: a refusal must keep what the person typed.
    let reload = RwSignal::new(0u32);
    Effect::new(move |_| {
        if create_programme.value().with(|v| matches!(v, Some(Ok(_)))) {
            reload.update(|n| *n += 1);
        }
    });

    let overview = Resource::new(move || reload.get(), |_| audit_overview());
    let choices = Resource::new(|| (), |_| audit_choices());
    view! {
        <Title text="Internal audits"/>
        <h1>"Internal audits"</h1>
        <p class="muted">"Clause 9.2: an audit programme covering every clause over the cycle, audits by people independent of the area, checklists from the clause library, graded findings that flow into nonconformities and the improvement register, and a report for each completed audit."</p>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the programme…"</p> }>
            {move || Suspend::new(async move {
                let people_today = choices.await;
                // Everything that depends on data renders inside this one Suspend: a second
                // boundary beside it would number its parts by whichever resolved first on the
                // server, and hydration would then look for them in the wrong place.
                let today = people_today.as_ref().ok().map(|(_, today)| *today);
                let programmes = match overview.await {
                    Ok(programmes) if programmes.is_empty() => view! {
                        <div class="empty-state">
                            <p><strong>"No audit programme yet."</strong></p>
                            <p>"Start one below for the current cycle (usually twelve months); then plan audits so that every clause 4–10 is covered."</p>
                        </div>
                    }.into_any(),
                    Ok(programmes) => {
                        let (people, _) = people_today.clone().unwrap_or_default();
                        let summaries: Vec<Programme> = programmes.iter().map(|p| p.programme.clone()).collect();
                        view! {
                            {programmes.into_iter().map(|p| view! { <ProgrammeSection view=p reload/> }).collect_view()}
                            <IfAllowed permission=Permission::AuditManage>
                                <PlanAuditForm programmes=summaries.clone() people=people.clone()/>
                            </IfAllowed>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                };
                view! {
                    {programmes}
                    <IfAllowed permission=Permission::AuditManage>
                        <NewProgrammeForm action=create_programme today/>
                    </IfAllowed>
                }
            })}
        </Transition>
    }
}

#[component]
fn ProgrammeSection(view: ProgrammeView, reload: RwSignal<u32>) -> impl IntoView {
    let ProgrammeView {
        programme,
        audits,
        coverage,
        gaps,
    } = view;
    let heading_id = format!("programme-{}", programme.id);
    let sentence = gaps_sentence(&gaps);
    let gap_class = if gaps.is_empty() {
        "banner banner-info"
    } else {
        "banner banner-warning coverage-gaps"
    };
    view! {
        <section class="panel audit-programme" aria-labelledby=heading_id>
            <h2 id=heading_id.clone()>{programme.title.clone()}</h2>
            <p class="muted">{format!("Cycle {} to {}", programme.cycle_start, programme.cycle_end)}</p>
            <IfAllowed permission=Permission::AuditManage>
                <EditProgrammeForm programme=programme.clone() reload/>
            </IfAllowed>
            <p class=gap_class role="status">{sentence}</p>
            <CoverageGrid coverage audits=audits.clone()/>
            <h3>"Audits in this cycle"</h3>
            <AuditTable audits/>
        </section>
    }
}

/// One row per top-level clause, one cell per sub-clause with its status in words (colour
/// only repeats what the words say).
#[component]
fn CoverageGrid(coverage: Vec<TopCoverage>, audits: Vec<Audit>) -> impl IntoView {
    let reference = move |id: i64| {
        audits
            .iter()
            .find(|a| a.id == id)
            .map(|a| {
                format!(
                    "{} ({})",
                    audit_reference(a.id),
                    a.state.label().to_lowercase()
                )
            })
            .unwrap_or_else(|| audit_reference(id))
    };
    view! {
        <div class="table-wrap">
            <table class="data-table coverage-grid">
                <caption>"Coverage of clauses 4–10 in this cycle"</caption>
                <thead><tr>
                    <th scope="col">"Clause"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Sub-clauses"</th>
                </tr></thead>
                <tbody>
                    {coverage.into_iter().map(|top| {
                        let status = top.status();
                        view! {
                            <tr>
                                <th scope="row">{format!("{} {}", top.number, top.title)}</th>
                                <td><span class=format!("badge {}", status.css())>{status.label()}</span></td>
                                <td>
                                    <ul class="coverage-cells">
                                        {top.clauses.into_iter().map(|c| {
                                            let by = c.audits.iter().map(|id| reference(*id)).collect::<Vec<_>>().join(", ");
                                            let title = if by.is_empty() { c.status.label().to_string() } else { format!("{}: {by}", c.status.label()) };
                                            view! {
                                                <li class=format!("coverage-cell {}", c.status.css()) title=title.clone()>
                                                    <strong>{c.number.clone()}</strong>" "{c.title.clone()}
                                                    <span class="coverage-status">{format!(" — {title}")}</span>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn AuditTable(audits: Vec<Audit>) -> impl IntoView {
    if audits.is_empty() {
        return view! { <p class="empty-state">"No audit planned in this cycle yet: plan one below."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="data-table audit-table">
                <thead><tr>
                    <th scope="col">"Audit"</th>
                    <th scope="col">"Clauses"</th>
                    <th scope="col">"Planned"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Lead auditor"</th>
                    <th scope="col">"Auditees"</th>
                </tr></thead>
                <tbody>
                    {audits.into_iter().map(|a| {
                        let auditees = a.auditees.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", ");
                        view! {
                            <tr>
                                <td><a href=format!("/compliance/audits/{}", a.id)>{format!("{} {}", a.reference(), a.title)}</a></td>
                                <td>{a.clauses.join(", ")}</td>
                                <td>{a.planned_on.to_string()}</td>
                                <td>{audit_state_badge(a.state)}</td>
                                <td>{a.lead_auditor.name.clone()}</td>
                                <td>{auditees}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }.into_any()
}

/// Checkboxes for clauses: the seven top-level clauses, then every sub-clause.
#[component]
pub fn ClausePicker(selected: Vec<String>, error: Signal<Option<AppError>>) -> impl IntoView {
    let mut numbers: Vec<(String, String)> = TOP_CLAUSES
        .iter()
        .map(|n| (n.to_string(), crate::model::internal_audit::scope_label(n)))
        .collect();
    numbers.extend(
        CLAUSES
            .iter()
            .map(|(n, t)| (n.to_string(), format!("{n} {t}"))),
    );
    view! {
        <fieldset class="clause-picker">
            <legend>"Clauses in scope (a top-level clause covers all its sub-clauses)"</legend>
            <div class="checkbox-list">
                {numbers.into_iter().enumerate().map(|(i, (number, label))| {
                    let id = format!("audit-clause-{}", number.replace('.', "-"));
                    let checked = selected.contains(&number);
                    view! { <label class="checkbox" for=id><input type="checkbox" id=id.clone() name=format!("clauses[{i}]") value=number checked=checked/>" "{label}</label> }
                }).collect_view()}
            </div>
            <p class="field-error">{field_error(error, "clauses")}</p>
        </fieldset>
    }
}

/// Checkboxes for people (auditors or auditees).
#[component]
pub fn PeoplePicker(
    legend: &'static str,
    field: &'static str,
    people: Vec<PersonRef>,
    selected: Vec<i64>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <fieldset>
            <legend>{legend}</legend>
            <div class="checkbox-list">
                {people.into_iter().enumerate().map(|(i, p)| {
                    let id = format!("audit-{field}-{}", p.id);
                    let checked = selected.contains(&p.id);
                    view! { <label class="checkbox" for=id><input type="checkbox" id=id.clone() name=format!("{field}[{i}]") value=p.id checked=checked/>" "{p.name}</label> }
                }).collect_view()}
            </div>
            <p class="field-error">{field_error(error, field)}</p>
        </fieldset>
    }
}

/// The fields of an audit's plan: blank to plan a new audit, filled from `audit` to edit one.
#[component]
pub fn AuditPlanFields(
    audit: Option<Audit>,
    people: Vec<PersonRef>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let value = |pick: fn(&Audit) -> String| audit.as_ref().map(pick).unwrap_or_default();
    let title = value(|a| a.title.clone());
    let area = value(|a| a.area.clone());
    let planned_on = value(|a| a.planned_on.to_string());
    let scope = value(|a| a.scope.clone());
    let criteria = value(|a| a.criteria.clone());
    let clauses = audit
        .as_ref()
        .map(|a| a.clauses.clone())
        .unwrap_or_default();
    let lead = audit.as_ref().map(|a| a.lead_auditor.id);
    let ids = |pick: fn(&Audit) -> &Vec<PersonRef>| {
        audit
            .as_ref()
            .map(|a| pick(a).iter().map(|p| p.id).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let auditors = ids(|a| &a.auditors);
    let auditees = ids(|a| &a.auditees);
    view! {
        <div class="field">
            <label for="audit-planned">"Planned on"</label>
            <input id="audit-planned" name="planned_on" type="date" required value=planned_on aria-describedby="audit-planned-error"/>
            <p class="field-error" id="audit-planned-error">{field_error(error, "planned_on")}</p>
        </div>
        <div class="field">
            <label for="audit-title">"Title"</label>
            <input id="audit-title" name="title" required value=title placeholder="Change management and corrective action" aria-describedby="audit-title-error"/>
            <p class="field-error" id="audit-title-error">{field_error(error, "title")}</p>
        </div>
        <div class="field">
            <label for="audit-area">"Processes or area"</label>
            <input id="audit-area" name="area" required value=area placeholder="Change management (Service Transition team)" aria-describedby="audit-area-error"/>
            <p class="field-error" id="audit-area-error">{field_error(error, "area")}</p>
        </div>
        <ClausePicker selected=clauses error/>
        <div class="field">
            <label for="audit-scope">"Scope"</label>
            <textarea id="audit-scope" name="scope" rows="3" required placeholder="Changes closed in the last six months, all services" aria-describedby="audit-scope-error">{scope}</textarea>
            <p class="field-error" id="audit-scope-error">{field_error(error, "scope")}</p>
        </div>
        <div class="field">
            <label for="audit-criteria">"Criteria"</label>
            <textarea id="audit-criteria" name="criteria" rows="2" required placeholder="ISO/IEC 20000-1:2018 clauses in scope; the change management procedure" aria-describedby="audit-criteria-error">{criteria}</textarea>
            <p class="field-error" id="audit-criteria-error">{field_error(error, "criteria")}</p>
        </div>
        <div class="field">
            <label for="audit-lead">"Lead auditor"</label>
            <select id="audit-lead" name="lead_auditor_id" aria-describedby="audit-lead-error">
                <option value="">"Choose…"</option>
                {people.iter().map(|p| view! { <option value=p.id selected=lead == Some(p.id)>{p.name.clone()}</option> }).collect_view()}
            </select>
            <p class="field-error" id="audit-lead-error">{field_error(error, "lead_auditor_id")}</p>
        </div>
        <PeoplePicker legend="Further auditors (optional)" field="auditor_ids" people=people.clone() selected=auditors error/>
        <PeoplePicker legend="Auditees: whose work is audited, the area's owners (an auditor cannot audit their own work)" field="auditee_ids" people=people selected=auditees error/>
    }
}

#[component]
fn PlanAuditForm(programmes: Vec<Programme>, people: Vec<PersonRef>) -> impl IntoView {
    let plan = ServerAction::<PlanAudit>::new();
    let error = Signal::derive(move || plan.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="plan-audit-heading">
            <h2 id="plan-audit-heading">"Plan an audit"</h2>
            <ActionForm action=plan attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <div class="field">
                    <label for="audit-programme">"Programme"</label>
                    <select id="audit-programme" name="programme_id">
                        {programmes.into_iter().map(|p| view! { <option value=p.id>{format!("{} ({} to {})", p.title, p.cycle_start, p.cycle_end)}</option> }).collect_view()}
                    </select>
                </div>
                <AuditPlanFields audit=None people error/>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || plan.pending().get()>"Plan the audit"</button>
                </div>
            </ActionForm>
        </section>
    }
}

/// A programme's title and cycle; `prefix` keeps the ids of several forms on one page apart.
#[component]
fn ProgrammeFields(
    prefix: String,
    title: String,
    start: String,
    end: String,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    // Children are built before their parent's attributes: every id is its own string.
    let id = move |name: &str| format!("{prefix}-{name}");
    let (title_id, title_error) = (id("title"), id("title-error"));
    let (start_id, start_error) = (id("start"), id("start-error"));
    let (end_id, end_error) = (id("end"), id("end-error"));
    view! {
        <div class="field">
            <label for=title_id.clone()>"Title"</label>
            <input id=title_id name="title" required value=title placeholder="Internal audit programme 2026/27" aria-describedby=title_error.clone()/>
            <p class="field-error" id=title_error>{field_error(error, "title")}</p>
        </div>
        <div class="field-row">
            <div class="field">
                <label for=start_id.clone()>"Cycle starts"</label>
                <input id=start_id name="cycle_start" type="date" value=start aria-describedby=start_error.clone()/>
                <p class="field-error" id=start_error>{field_error(error, "cycle_start")}</p>
            </div>
            <div class="field">
                <label for=end_id.clone()>"Cycle ends"</label>
                <input id=end_id name="cycle_end" type="date" value=end aria-describedby=end_error.clone()/>
                <p class="field-error" id=end_error>{field_error(error, "cycle_end")}</p>
            </div>
        </div>
    }
}

/// Renaming a programme or moving its cycle (audits already planned must stay inside it).
/// Each programme has its own action, so one form's refusal shows on that form only.
#[component]
fn EditProgrammeForm(programme: Programme, reload: RwSignal<u32>) -> impl IntoView {
    let action = ServerAction::<UpdateAuditProgramme>::new();
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            reload.update(|n| *n += 1);
        }
    });
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <details class="edit-programme">
            <summary>"Edit the programme"</summary>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="id" value=programme.id/>
                <input type="hidden" name="version" value=programme.version/>
                <ProgrammeFields
                    prefix=format!("programme-{}", programme.id)
                    title=programme.title.clone()
                    start=programme.cycle_start.to_string()
                    end=programme.cycle_end.to_string()
                    error
                />
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || action.pending().get()>"Save the programme"</button>
                </div>
            </ActionForm>
        </details>
    }
}

#[component]
fn NewProgrammeForm(
    action: ServerAction<CreateAuditProgramme>,
    today: Option<NaiveDate>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    // A twelve-month cycle from the first of this month is the usual start.
    let (start, end) = today.map(cycle_from).unwrap_or_default();
    view! {
        <section class="panel" aria-labelledby="new-programme-heading">
            <h2 id="new-programme-heading">"Start an audit programme"</h2>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <ProgrammeFields prefix="programme".to_string() title=String::new() start end error/>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || action.pending().get()>"Start the programme"</button>
                </div>
            </ActionForm>
        </section>
    }
}

/// The first of `today`'s month and the day before the same date a year later, as form text.
fn cycle_from(today: NaiveDate) -> (String, String) {
    let start = today.with_day(1).unwrap_or(today);
    let end = NaiveDate::from_ymd_opt(start.year() + 1, start.month(), 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or(start);
    (start.to_string(), end.to_string())
}
