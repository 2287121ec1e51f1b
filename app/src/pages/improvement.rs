//! `/improvements/:id`: one entry of the register — its lifecycle transitions, KPIs with their trend
//! against baseline and target, who owns and approves it, and its history.

use super::id_param;
use super::improvement_register::{priority_badge, state_badge};
use crate::api::changes::change_choices;
use crate::api::improvements::{
    get_improvement, improvement_history, AddKpi, AddMeasurement, TransitionImprovement,
    UpdateImprovement,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::history::HistoryList;
use crate::components::session::{use_session, IfAllowed};
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::actor::ActorFacts;
use crate::model::improvement::{
    may_reassign, transition, ClosureCode, ImprovementAction, Priority, TargetVerdict,
};
use crate::model::register::{Improvement, KpiRecord};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ImprovementDetailPage() -> impl IntoView {
    let id = id_param();
    let transitions = ServerAction::<TransitionImprovement>::new();
    let kpi = ServerAction::<AddKpi>::new();
    let measure = ServerAction::<AddMeasurement>::new();
    let reassigned = ServerAction::<UpdateImprovement>::new();
    let entry = Resource::new(
        move || {
            (
                id.get(),
                transitions.version().get(),
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
                    Ok(entry) => view! { <ImprovementView entry transitions kpi measure reassigned/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ImprovementView(
    entry: Improvement,
    transitions: ServerAction<TransitionImprovement>,
    kpi: ServerAction<AddKpi>,
    measure: ServerAction<AddMeasurement>,
    reassigned: ServerAction<UpdateImprovement>,
) -> impl IntoView {
    let session = use_session();
    let responsibility = StoredValue::new(entry.clone());
    let (id, version) = (entry.id, entry.version);
    let transition_error = Signal::derive(move || transitions.value().get().and_then(Result::err));
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
                                // Offer outcome-dependent transitions too: the outcome is typed below.
                                let mut f = facts.clone();
                                if matches!(a, ImprovementAction::Verify) { f.has_outcome = true; }
                                transition(&f, *a, &actor).is_ok()
                            })
                            .collect();
                        (!possible.is_empty()).then(|| view! {
                            <section class="panel" aria-labelledby="moves-heading">
                                <h2 id="moves-heading">"Move it on"</h2>
                                <ActionForm action=transitions attr:class="form" attr:novalidate=true>
                                    <FormErrors error=transition_error/>
                                    <input type="hidden" name="id" value=id/>
                                    <input type="hidden" name="version" value=version/>
                                    {possible.contains(&ImprovementAction::Verify).then(|| view! {
                                        <div class="field">
                                            <label for="imp-outcome">"Measured outcome"</label>
                                            <textarea id="imp-outcome" name="outcome" rows=2 aria-describedby="imp-outcome-error"></textarea>
                                            <p class="field-error" id="imp-outcome-error" aria-live="polite">{field_error(transition_error, "outcome")}</p>
                                        </div>
                                    })}
                                    {possible.contains(&ImprovementAction::Close).then(|| view! {
                                        <div class="field">
                                            <label for="imp-closure">"Closure code"</label>
                                            <select id="imp-closure" name="closure_code" aria-describedby="imp-closure-error">
                                                <option value="">"Choose…"</option>
                                                {ClosureCode::ALL.map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                                            </select>
                                            <p class="field-error" id="imp-closure-error" aria-live="polite">{field_error(transition_error, "closure_code")}</p>
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
    // The people are fetched when the panel is first opened, by the browser: most visits never
    // open it, and a resource created in this part of the page (rendered after the signed-in
    // person is known) could not be matched up again when the page hydrated.
    let people = RwSignal::new(None::<Result<Vec<crate::model::refs::PersonRef>, AppError>>);
    // Fetched once; after a failure (shown in the panel), opening it again tries again.
    let load_people = move |_| {
        if !matches!(people.get_untracked(), Some(Ok(_))) {
            people.set(None);
            leptos::task::spawn_local(async move {
                people.set(Some(change_choices().await.map(|choices| choices.people)));
            });
        }
    };
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
        <details class="panel responsibility" on:toggle=load_people>
            <summary>"Hand over or change the approver"</summary>
            {move || {
                let people = match people.get() {
                    None => return view! { <p class="loading" role="status">"Loading people…"</p> }.into_any(),
                    Some(Err(error)) => return view! { <ErrorPanel error/> }.into_any(),
                    Some(Ok(people)) => people,
                };
                let hidden = hidden.clone();
                let services = services.clone();
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
            }}
        </details>
    }
}
