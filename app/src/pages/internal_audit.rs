//! `/compliance/audits/:id`: one internal audit — scope, criteria, the team and the auditees,
//! the lifecycle buttons the state allows, the checklist generated from the clause library
//! (result, notes and sampled records per item), the graded findings with the nonconformity or
//! register entry each raised, and the report once the audit is completed.

use super::id_param;
use super::internal_audits::audit_state_badge;
use crate::api::audits::{
    audit_choices, get_audit, EditAudit, RecordAuditFinding, RecordChecklistItem, TransitionAudit,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::internal_audit::{
    available_actions, AuditAction, AuditDetail, AuditState, ChecklistItem, ChecklistResult,
    Finding, FindingGrade,
};
use crate::model::nonconformity::nc_reference;
use crate::model::register::improvement_reference;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn InternalAuditPage() -> impl IntoView {
    let id = id_param();
    let transitions = ServerAction::<TransitionAudit>::new();
    let record = ServerAction::<RecordChecklistItem>::new();
    let finding = ServerAction::<RecordAuditFinding>::new();
    let edit = ServerAction::<EditAudit>::new();
    let reload = RwSignal::new(0u32);
    // Reload after a success only: a refusal must keep what the person typed.
    let reload_on = move |ok: bool| {
        if ok {
            reload.update(|n| *n += 1);
        }
    };
    Effect::new(move |_| reload_on(transitions.value().with(|v| matches!(v, Some(Ok(_))))));
    Effect::new(move |_| reload_on(record.value().with(|v| matches!(v, Some(Ok(_))))));
    Effect::new(move |_| reload_on(finding.value().with(|v| matches!(v, Some(Ok(_))))));
    Effect::new(move |_| reload_on(edit.value().with(|v| matches!(v, Some(Ok(_))))));
    let detail = Resource::new(
        move || (id.get(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_audit(id).await,
                None => Err(AppError::NotFound("That internal audit".into())),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the audit…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(detail) => view! { <AuditView detail transitions record finding edit/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AuditView(
    detail: AuditDetail,
    transitions: ServerAction<TransitionAudit>,
    record: ServerAction<RecordChecklistItem>,
    finding: ServerAction<RecordAuditFinding>,
    edit: ServerAction<EditAudit>,
) -> impl IntoView {
    let AuditDetail {
        audit,
        programme,
        checklist,
        findings,
    } = detail;
    let names = |people: &[crate::model::refs::PersonRef]| {
        if people.is_empty() {
            "—".to_string()
        } else {
            people
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let heading = format!("{} {}", audit.reference(), audit.title);
    let state = audit.state;
    view! {
        <Title text=heading.clone()/>
        <p><a href="/compliance/audits">"← Internal audits"</a></p>
        <h1>{heading}</h1>
        <p>{audit_state_badge(state)}" "<span class="muted">{format!("in “{}” ({} to {})", programme.title, programme.cycle_start, programme.cycle_end)}</span></p>
        {state.has_report().then(|| view! {
            <p class="report-links">
                <a class="button" href=format!("/compliance/audits/{}/report", audit.id)>"Printable report"</a>" "
                <a class="button button-secondary" href=format!("/compliance/audits/{}/report.md", audit.id)>"Export as Markdown"</a>
            </p>
        })}
        {state.is_closed().then(|| view! { <p class="banner banner-info" role="status">{match state {
            AuditState::Completed => "This audit is completed and its report issued: it is read-only.",
            _ => "This audit was cancelled: it is read-only.",
        }}</p> })}
        <section class="panel" aria-labelledby="audit-plan-heading">
            <h2 id="audit-plan-heading">"Plan"</h2>
            <dl class="details">
                <dt>"Clauses"</dt><dd>{audit.scope_labels().join("; ")}</dd>
                <dt>"Processes or area"</dt><dd>{audit.area.clone()}</dd>
                <dt>"Planned on"</dt><dd>{audit.planned_on.to_string()}</dd>
                <dt>"Scope"</dt><dd class="prewrap">{audit.scope.clone()}</dd>
                <dt>"Criteria"</dt><dd class="prewrap">{audit.criteria.clone()}</dd>
                <dt>"Lead auditor"</dt><dd>{audit.lead_auditor.name.clone()}</dd>
                <dt>"Auditors"</dt><dd>{names(&audit.auditors)}</dd>
                <dt>"Auditees"</dt><dd>{names(&audit.auditees)}</dd>
                {audit.completed_on.map(|d| view! { <dt>"Completed on"</dt><dd>{d.to_string()}</dd> })}
                {(!audit.conclusion.is_empty()).then(|| view! { <dt>"Conclusion"</dt><dd class="prewrap">{audit.conclusion.clone()}</dd> })}
            </dl>
        </section>
        {state.is_editable().then(|| {
            let audit = audit.clone();
            view! {
                <IfAllowed permission=Permission::AuditManage>
                    <EditPlanForm audit=audit.clone() edit/>
                </IfAllowed>
            }
        })}
        <IfAllowed permission=Permission::AuditManage>
            <LifecycleButtons id=audit.id version=audit.version state transitions/>
        </IfAllowed>
        <Checklist audit_id=audit.id version=audit.version state items=checklist record/>
        <Findings findings/>
        {state.records_evidence().then(|| {
            let auditees = audit.auditees.clone();
            let clauses = audit.clauses.clone();
            view! {
                <IfAllowed permission=Permission::AuditManage>
                    <FindingForm audit_id=audit.id version=audit.version auditees=auditees.clone() clauses=clauses.clone() finding/>
                </IfAllowed>
            }
        })}
    }
}

/// Changing a planned audit's plan (the same checks as planning: scope, dates inside the
/// programme's cycle, an independent team).
#[component]
fn EditPlanForm(
    audit: crate::model::internal_audit::Audit,
    edit: ServerAction<EditAudit>,
) -> impl IntoView {
    let error = Signal::derive(move || edit.value().get().and_then(Result::err));
    let people = Resource::new(|| (), |_| audit_choices());
    view! {
        <details class="panel edit-audit">
            <summary>"Edit the plan"</summary>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || {
                    let audit = audit.clone();
                    Suspend::new(async move {
                        let (people, _) = people.await.unwrap_or_default();
                        view! {
                            <ActionForm action=edit attr:class="form" attr:novalidate=true>
                                <FormErrors error/>
                                <input type="hidden" name="id" value=audit.id/>
                                <input type="hidden" name="version" value=audit.version/>
                                <super::internal_audits::AuditPlanFields audit=Some(audit.clone()) people error/>
                                <div class="form-actions">
                                    <button type="submit" class="button" disabled=move || edit.pending().get()>"Save the plan"</button>
                                </div>
                            </ActionForm>
                        }
                    })
                }}
            </Suspense>
        </details>
    }
}

#[component]
fn LifecycleButtons(
    id: i64,
    version: i32,
    state: AuditState,
    transitions: ServerAction<TransitionAudit>,
) -> impl IntoView {
    let error = Signal::derive(move || transitions.value().get().and_then(Result::err));
    let actions = available_actions(state);
    if actions.is_empty() {
        return ().into_any();
    }
    view! {
        <section class="panel" aria-labelledby="audit-moves-heading">
            <h2 id="audit-moves-heading">"Next step"</h2>
            <FormErrors error/>
            {actions.into_iter().map(|action| {
                let complete = action == AuditAction::Complete;
                view! {
                    <ActionForm action=transitions attr:class="form inline-form">
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="version" value=version/>
                        <input type="hidden" name="action" value=action.as_str()/>
                        {complete.then(|| view! {
                            <div class="field">
                                <label for="audit-conclusion">"Conclusion (goes into the report)"</label>
                                <textarea id="audit-conclusion" name="conclusion" rows="4" aria-describedby="audit-conclusion-error"></textarea>
                                <p class="field-error" id="audit-conclusion-error">{field_error(error, "conclusion")}</p>
                            </div>
                        })}
                        <button type="submit" class=if action == AuditAction::Cancel { "button button-secondary" } else { "button" } disabled=move || transitions.pending().get()>{action.label()}</button>
                    </ActionForm>
                }
            }).collect_view()}
            {(state == AuditState::Planned).then(|| view! { <p class="muted">"Starting the audit generates its checklist from the clause library for the clauses in scope."</p> })}
        </section>
    }.into_any()
}

#[component]
fn Checklist(
    audit_id: i64,
    version: i32,
    state: AuditState,
    items: Vec<ChecklistItem>,
    record: ServerAction<RecordChecklistItem>,
) -> impl IntoView {
    let error = Signal::derive(move || record.value().get().and_then(Result::err));
    let editable = state.records_evidence();
    view! {
        <section class="panel" aria-labelledby="audit-checklist-heading">
            <h2 id="audit-checklist-heading">"Checklist"</h2>
            {if items.is_empty() {
                view! { <p class="empty-state">"The checklist is generated from the clause library when the audit starts."</p> }.into_any()
            } else {
                view! {
                    <FormErrors error/>
                    <ol class="audit-checklist">
                        {items.into_iter().map(|item| {
                            let class = format!("checklist-item result-{}", item.result.as_str());
                            let prompt = item.prompt.clone();
                            view! {
                                <li class=class>
                                    <p class="checklist-prompt prewrap">{prompt}</p>
                                    {if editable {
                                        view! { <ItemForm audit_id version item record/> }.into_any()
                                    } else {
                                        view! {
                                            <dl class="details">
                                                <dt>"Result"</dt><dd>{item.result.label()}</dd>
                                                <dt>"Sampled records"</dt><dd class="prewrap">{if item.sampled_records.is_empty() { "—".to_string() } else { item.sampled_records.clone() }}</dd>
                                                <dt>"Notes"</dt><dd class="prewrap">{if item.notes.is_empty() { "—".to_string() } else { item.notes.clone() }}</dd>
                                            </dl>
                                        }.into_any()
                                    }}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn ItemForm(
    audit_id: i64,
    version: i32,
    item: ChecklistItem,
    record: ServerAction<RecordChecklistItem>,
) -> impl IntoView {
    let key = item.id;
    let result_id = format!("item-{key}-result");
    let records_id = format!("item-{key}-records");
    let notes_id = format!("item-{key}-notes");
    view! {
        <ActionForm action=record attr:class="form checklist-form">
            <input type="hidden" name="audit_id" value=audit_id/>
            <input type="hidden" name="version" value=version/>
            <input type="hidden" name="item_id" value=key/>
            <div class="field-row">
                <div class="field">
                    <label for=result_id.clone()>{format!("Result for {}", item.clause)}</label>
                    <select id=result_id name="result">
                        {ChecklistResult::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == item.result>{r.label()}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for=records_id.clone()>"Sampled records"</label>
                    <textarea id=records_id name="sampled_records" rows="2" placeholder="CHG-00012, CHG-00015">{item.sampled_records.clone()}</textarea>
                </div>
                <div class="field">
                    <label for=notes_id.clone()>"Notes"</label>
                    <textarea id=notes_id name="notes" rows="2">{item.notes.clone()}</textarea>
                </div>
            </div>
            <button type="submit" class="button button-secondary" disabled=move || record.pending().get()>{format!("Save {}", item.clause)}</button>
        </ActionForm>
    }
}

fn finding_link(f: &Finding) -> AnyView {
    match (f.nonconformity_id, f.improvement_id) {
        (Some(nc), _) => view! { <a href=format!("/nonconformities/{nc}")>{format!("{} (nonconformity)", nc_reference(nc))}</a> }.into_any(),
        (_, Some(entry)) => view! { <a href=format!("/improvements/{entry}")>{format!("{} (improvement register)", improvement_reference(entry))}</a> }.into_any(),
        _ => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

#[component]
fn Findings(findings: Vec<Finding>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="audit-findings-heading">
            <h2 id="audit-findings-heading">"Findings"</h2>
            {if findings.is_empty() {
                view! { <p class="empty-state">"No findings recorded."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table audit-findings">
                            <thead><tr>
                                <th scope="col">"Grade"</th>
                                <th scope="col">"Clause"</th>
                                <th scope="col">"Statement"</th>
                                <th scope="col">"Evidence"</th>
                                <th scope="col">"Follow-up"</th>
                            </tr></thead>
                            <tbody>
                                {findings.into_iter().map(|f| view! {
                                    <tr>
                                        <td><span class=format!("badge finding-{}", f.grade.as_str())>{f.grade.label()}</span></td>
                                        <td>{crate::model::clauses::label(&f.clause)}</td>
                                        <td class="prewrap">{f.statement.clone()}</td>
                                        <td class="prewrap">{f.evidence.clone()}</td>
                                        <td>{finding_link(&f)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn FindingForm(
    audit_id: i64,
    version: i32,
    auditees: Vec<crate::model::refs::PersonRef>,
    clauses: Vec<String>,
    finding: ServerAction<RecordAuditFinding>,
) -> impl IntoView {
    let error = Signal::derive(move || finding.value().get().and_then(Result::err));
    // Only sub-clauses in scope are offered.
    let options: Vec<(&'static str, &'static str)> = crate::model::clauses::CLAUSES
        .iter()
        .copied()
        .filter(|(n, _)| {
            clauses
                .iter()
                .any(|s| crate::model::internal_audit::covers(s, n))
        })
        .collect();
    view! {
        <section class="panel" aria-labelledby="finding-form-heading">
            <h2 id="finding-form-heading">"Record a finding"</h2>
            <p class="muted">"A major or minor nonconformity raises a nonconformity on the corrective-action path; an observation or opportunity becomes an improvement register entry. Both link back to this audit."</p>
            <ActionForm action=finding attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="audit_id" value=audit_id/>
                <input type="hidden" name="version" value=version/>
                <div class="field-row">
                    <div class="field">
                        <label for="finding-grade">"Grade"</label>
                        <select id="finding-grade" name="grade" aria-describedby="finding-grade-error">
                            {FindingGrade::ALL.into_iter().map(|g| view! { <option value=g.as_str()>{g.label()}</option> }).collect_view()}
                        </select>
                        <p class="field-error" id="finding-grade-error">{field_error(error, "grade")}</p>
                    </div>
                    <div class="field">
                        <label for="finding-clause">"Clause"</label>
                        <select id="finding-clause" name="clause" aria-describedby="finding-clause-error">
                            {options.into_iter().map(|(n, t)| view! { <option value=n>{format!("{n} {t}")}</option> }).collect_view()}
                        </select>
                        <p class="field-error" id="finding-clause-error">{field_error(error, "clause")}</p>
                    </div>
                    <div class="field">
                        <label for="finding-owner">"Owner of the follow-up"</label>
                        <select id="finding-owner" name="owner_id" aria-describedby="finding-owner-error">
                            {auditees.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                        </select>
                        <p class="field-error" id="finding-owner-error">{field_error(error, "owner_id")}</p>
                    </div>
                </div>
                <div class="field">
                    <label for="finding-statement">"Statement"</label>
                    <textarea id="finding-statement" name="statement" rows="3" aria-describedby="finding-statement-error"></textarea>
                    <p class="field-error" id="finding-statement-error">{field_error(error, "statement")}</p>
                </div>
                <div class="field">
                    <label for="finding-evidence">"Objective evidence (required for a nonconformity)"</label>
                    <textarea id="finding-evidence" name="evidence" rows="3" aria-describedby="finding-evidence-error"></textarea>
                    <p class="field-error" id="finding-evidence-error">{field_error(error, "evidence")}</p>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || finding.pending().get()>"Record the finding"</button>
                </div>
            </ActionForm>
        </section>
    }
}
