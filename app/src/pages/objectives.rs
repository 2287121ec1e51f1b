//! `/compliance/objectives`: the service management objectives (clause 6.2) with owner, KPI,
//! latest value against target, verdict and flags, and the form to set one;
//! `/compliance/objectives/:id`: one objective with its trend chart, measurements, the form
//! to record a measurement and the edit form.

use super::id_param;
use crate::api::objectives::{
    get_objective, list_objectives, objective_choices, CreateObjective, RecordMeasurement,
    UpdateObjective,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::kpi_chart::KpiTrendChart;
use crate::components::session::{use_session, IfAllowed};
use crate::error::AppError;
use crate::model::access::{Permission, Role};
use crate::model::improvement::TargetVerdict;
use crate::model::objective::{Frequency, ObjectiveDetail, ObjectiveSummary};
use crate::model::refs::{PersonRef, ServiceRef};
use leptos::prelude::*;
use leptos_meta::Title;

pub fn verdict_badge(verdict: TargetVerdict) -> impl IntoView {
    let (class, label) = match verdict {
        TargetVerdict::Met => ("badge badge-low", "Met"),
        TargetVerdict::NotMet => ("badge badge-critical", "Not met"),
        TargetVerdict::NotMeasured => ("badge", "Not measured"),
    };
    view! { <span class=class>{label}</span> }
}

fn latest_text(o: &ObjectiveSummary) -> String {
    let unit = &o.kpi.unit;
    let sign = match o.kpi.direction {
        crate::model::improvement::Direction::HigherIsBetter => "≥",
        crate::model::improvement::Direction::LowerIsBetter => "≤",
    };
    match o.latest {
        Some(m) => format!(
            "{} {unit} on {} (target {sign} {} {unit})",
            m.value, m.on, o.kpi.target
        ),
        None => format!("— (target {sign} {} {unit})", o.kpi.target),
    }
}

#[component]
pub fn ObjectivesPage() -> impl IntoView {
    let list = Resource::new(|| (), |_| list_objectives());
    view! {
        <Title text="Service management objectives"/>
        <h1>"Service management objectives"</h1>
        <p class="muted">"Clause 6.2: measurable objectives, each with an owner, a KPI, a target and a measuring frequency."</p>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the objectives…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty-state"><p><strong>"No objectives yet."</strong></p><p>"The quality manager sets them below."</p></div>
                    }.into_any(),
                    Ok(list) => view! { <ObjectiveTable list/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <IfAllowed permission=Permission::ObjectiveManage>
            <NewObjective/>
        </IfAllowed>
    }
}

#[component]
fn ObjectiveTable(list: Vec<ObjectiveSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table objective-table">
                <thead><tr>
                    <th scope="col">"Objective"</th><th scope="col">"Owner"</th><th scope="col">"KPI"</th>
                    <th scope="col">"Latest vs target"</th><th scope="col">"Verdict"</th><th scope="col">"Flags"</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|o| view! {
                        <tr class:overdue=!o.flags.is_empty()>
                            <td><a href=format!("/compliance/objectives/{}", o.id)>{o.title.clone()}</a></td>
                            <td>{o.owner.name.clone()}</td>
                            <td>{format!("{} ({})", o.kpi.name, o.frequency.label().to_lowercase())}</td>
                            <td>{latest_text(&o)}</td>
                            <td>{verdict_badge(o.verdict)}</td>
                            <td>{if o.flags.is_empty() {
                                view! { <span class="muted">"—"</span> }.into_any()
                            } else {
                                view! { <ul class="plan-warnings">{o.flags.iter().map(|f| view! { <li>{f.label()}</li> }).collect_view()}</ul> }.into_any()
                            }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The objective's fields (`form[...]`), filled from `current` when editing.
fn objective_fields(
    prefix: &'static str,
    people: Vec<PersonRef>,
    services: Vec<ServiceRef>,
    current: Option<ObjectiveSummary>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let c = current.clone();
    let text = move |f: fn(&ObjectiveSummary) -> String| c.as_ref().map(f).unwrap_or_default();
    let owner = current.as_ref().map(|o| o.owner.id);
    let service = current
        .as_ref()
        .and_then(|o| o.service.as_ref().map(|s| s.id));
    let frequency = current
        .as_ref()
        .map(|o| o.frequency)
        .unwrap_or(Frequency::Monthly);
    let lower = current
        .as_ref()
        .is_some_and(|o| o.kpi.direction == crate::model::improvement::Direction::LowerIsBetter);
    let id = move |name: &str| format!("{prefix}-{name}");
    view! {
        <div class="field">
            <label for=id("title")>"Title"</label>
            <input id=id("title") name="form[title]" value=text(|o| o.title.clone())/>
            <p class="field-error">{field_error(error, "title")}</p>
        </div>
        <div class="field">
            <label for=id("description")>"Description"</label>
            <textarea id=id("description") name="form[description]" rows="3">{text(|o| o.description.clone())}</textarea>
            <p class="field-error">{field_error(error, "description")}</p>
        </div>
        <div class="field-row">
            <div class="field">
                <label for=id("owner")>"Owner"</label>
                <select id=id("owner") name="form[owner_id]">
                    {people.into_iter().map(|p| view! { <option value=p.id selected=Some(p.id) == owner>{p.name}</option> }).collect_view()}
                </select>
                <p class="field-error">{field_error(error, "owner_id")}</p>
            </div>
            <div class="field">
                <label for=id("service")>"Service (optional)"</label>
                <select id=id("service") name="form[service_id]">
                    <option value="0" selected=service.is_none()>"All services"</option>
                    {services.into_iter().map(|s| view! { <option value=s.id selected=Some(s.id) == service>{s.name}</option> }).collect_view()}
                </select>
                <p class="field-error">{field_error(error, "service_id")}</p>
            </div>
        </div>
        <div class="field-row">
            <div class="field">
                <label for=id("kpi")>"KPI"</label>
                <input id=id("kpi") name="form[kpi_name]" value=text(|o| o.kpi.name.clone()) placeholder="Change success rate"/>
                <p class="field-error">{field_error(error, "kpi_name")}</p>
            </div>
            <div class="field">
                <label for=id("unit")>"Unit"</label>
                <input id=id("unit") name="form[unit]" value=text(|o| o.kpi.unit.clone()) placeholder="%"/>
                <p class="field-error">{field_error(error, "unit")}</p>
            </div>
        </div>
        <div class="field-row">
            <div class="field">
                <label for=id("baseline")>"Baseline"</label>
                <input id=id("baseline") name="form[baseline]" inputmode="decimal" value=text(|o| o.kpi.baseline.to_string())/>
                <p class="field-error">{field_error(error, "baseline")}</p>
            </div>
            <div class="field">
                <label for=id("target")>"Target"</label>
                <input id=id("target") name="form[target]" inputmode="decimal" value=text(|o| o.kpi.target.to_string())/>
                <p class="field-error">{field_error(error, "target")}</p>
            </div>
            <div class="field">
                <label for=id("direction")>"Better is"</label>
                <select id=id("direction") name="form[direction]">
                    <option value="higher" selected=!lower>"Higher"</option>
                    <option value="lower" selected=lower>"Lower"</option>
                </select>
                <p class="field-error">{field_error(error, "direction")}</p>
            </div>
            <div class="field">
                <label for=id("frequency")>"Measured"</label>
                <select id=id("frequency") name="form[frequency]">
                    {Frequency::ALL.into_iter().map(|f| view! { <option value=f.as_str() selected=f == frequency>{f.label()}</option> }).collect_view()}
                </select>
                <p class="field-error">{field_error(error, "frequency")}</p>
            </div>
        </div>
    }
}

#[component]
fn NewObjective() -> impl IntoView {
    let create = ServerAction::<CreateObjective>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| objective_choices());
    view! {
        <section class="panel" aria-labelledby="new-objective-heading">
            <h2 id="new-objective-heading">"New objective"</h2>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let (people, services) = choices.await.unwrap_or_default();
                    view! {
                        <ActionForm action=create attr:class="form" attr:novalidate=true>
                            <FormErrors error/>
                            {objective_fields("new-objective", people, services, None, error)}
                            <div class="form-actions"><button type="submit" class="button" disabled=move || create.pending().get()>"Set the objective"</button></div>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn ObjectivePage() -> impl IntoView {
    let id = id_param();
    let measure = ServerAction::<RecordMeasurement>::new();
    let update = ServerAction::<UpdateObjective>::new();
    let reload = RwSignal::new(0u32);
    let reload_on = move |ok: bool| {
        if ok {
            reload.update(|n| *n += 1);
        }
    };
    Effect::new(move |_| reload_on(measure.value().with(|v| matches!(v, Some(Ok(_))))));
    Effect::new(move |_| reload_on(update.value().with(|v| matches!(v, Some(Ok(_))))));
    let detail = Resource::new(
        move || (id.get(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_objective(id).await,
                None => Err(AppError::NotFound("That objective".into())),
            }
        },
    );
    let choices = Resource::new(|| (), |_| objective_choices());
    let session = use_session();
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the objective…"</p> }>
            {move || Suspend::new(async move {
                let user = session.user.await.ok().flatten();
                let (people, services) = choices.await.unwrap_or_default();
                match detail.await {
                    Ok(detail) => {
                        let may_measure = user.as_ref().is_some_and(|u| u.id == detail.summary.owner.id || u.roles.contains(&Role::QualityManager));
                        let may_edit = user.as_ref().is_some_and(|u| u.may(Permission::ObjectiveManage));
                        view! { <ObjectiveBody detail people services may_measure may_edit measure update/> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ObjectiveBody(
    detail: ObjectiveDetail,
    people: Vec<PersonRef>,
    services: Vec<ServiceRef>,
    may_measure: bool,
    may_edit: bool,
    measure: ServerAction<RecordMeasurement>,
    update: ServerAction<UpdateObjective>,
) -> impl IntoView {
    let s = detail.summary.clone();
    let points = detail.points();
    let measure_error = Signal::derive(move || measure.value().get().and_then(Result::err));
    let update_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let unit = s.kpi.unit.clone();
    let value_label = format!("Value ({})", s.kpi.unit);
    let id = s.id;
    view! {
        <Title text=s.title.clone()/>
        <p class="breadcrumb"><a href="/compliance/objectives">"Objectives"</a></p>
        <h1>{s.title.clone()}</h1>
        {(!s.description.is_empty()).then(|| view! { <p>{s.description.clone()}</p> })}
        <dl class="facts">
            <dt>"Owner"</dt><dd>{s.owner.name.clone()}</dd>
            <dt>"Service"</dt><dd>{s.service.as_ref().map(|x| x.name.clone()).unwrap_or_else(|| "All services".into())}</dd>
            <dt>"KPI"</dt><dd>{format!("{} — measured {}", s.kpi.name, s.frequency.label().to_lowercase())}</dd>
            <dt>"Latest vs target"</dt><dd>{latest_text(&s)}" "{verdict_badge(s.verdict)}</dd>
            <dt>"Flags"</dt><dd>{if s.flags.is_empty() { "None".to_string() } else { s.flags.iter().map(|f| f.label()).collect::<Vec<_>>().join("; ") }}</dd>
        </dl>
        <section class="panel kpi" aria-labelledby="trend-heading">
            <h2 id="trend-heading">"Trend"</h2>
            <KpiTrendChart kpi=s.kpi.clone() measurements=points/>
        </section>
        <section class="panel" aria-labelledby="measurements-heading">
            <h2 id="measurements-heading">"Measurements"</h2>
            {if detail.measurements.is_empty() {
                view! { <p class="muted">"Not measured yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                    <table class="data-table">
                        <thead><tr><th scope="col">"Date"</th><th scope="col">"Value"</th><th scope="col">"Note"</th><th scope="col">"Recorded by"</th></tr></thead>
                        <tbody>
                            {detail.measurements.iter().rev().map(|m| view! {
                                <tr><td>{m.on.to_string()}</td><td>{format!("{} {}", m.value, unit)}</td><td>{m.note.clone()}</td><td>{m.recorded_by.name.clone()}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                }.into_any()
            }}
            {may_measure.then(|| view! {
                <ActionForm action=measure attr:class="form inline-form" attr:novalidate=true>
                    <FormErrors error=measure_error/>
                    <input type="hidden" name="id" value=id/>
                    <div class="field"><label for="measure-on">"Measured on"</label><input id="measure-on" type="date" name="form[measured_on]"/><p class="field-error">{field_error(measure_error, "measured_on")}</p></div>
                    <div class="field"><label for="measure-value">{value_label.clone()}</label><input id="measure-value" name="form[value]" inputmode="decimal"/><p class="field-error">{field_error(measure_error, "value")}</p></div>
                    <div class="field"><label for="measure-note">"Note"</label><input id="measure-note" name="form[note]"/><p class="field-error">{field_error(measure_error, "note")}</p></div>
                    <div class="form-actions"><button type="submit" class="button small">"Record the measurement"</button></div>
                </ActionForm>
            })}
        </section>
        {may_edit.then(|| view! {
            <section class="panel" aria-labelledby="edit-objective-heading">
                <h2 id="edit-objective-heading">"Edit the objective"</h2>
                <ActionForm action=update attr:class="form" attr:novalidate=true>
                    <FormErrors error=update_error/>
                    <input type="hidden" name="id" value=s.id/>
                    <input type="hidden" name="version" value=s.version/>
                    {objective_fields("edit-objective", people.clone(), services.clone(), Some(s.clone()), update_error)}
                    <div class="form-actions"><button type="submit" class="button" disabled=move || update.pending().get()>"Save the objective"</button></div>
                </ActionForm>
            </section>
        })}
    }
}
