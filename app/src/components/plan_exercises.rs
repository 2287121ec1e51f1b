//! A plan's exercises (clause 8.7.2: plans are tested): plan one with its kind, date,
//! participants and objectives; record how it went — result, the recovery time it took
//! against the RTO, findings — and put a finding in the improvement register in one click.

use crate::api::continuity::{ExerciseFindingToRegister, PlanExercise, RecordExercise};
use crate::components::change_fields::field_error;
use crate::components::error_view::FormErrors;
use crate::model::continuity_plan::{Exercise, ExerciseKind, ExerciseResult};
use crate::model::recovery::minutes_text;
use leptos::prelude::*;

/// The actions of the exercises section; `saved` counts their successes, so the page
/// reloads the plan after each one (and not after a refusal, which keeps what was typed).
#[derive(Clone, Copy)]
pub struct ExerciseActions {
    pub plan: ServerAction<PlanExercise>,
    pub record: ServerAction<RecordExercise>,
    pub finding: ServerAction<ExerciseFindingToRegister>,
    pub saved: RwSignal<u32>,
}

impl ExerciseActions {
    pub fn new() -> Self {
        let actions = ExerciseActions {
            plan: ServerAction::new(),
            record: ServerAction::new(),
            finding: ServerAction::new(),
            saved: RwSignal::new(0),
        };
        let count = move |ok: bool| {
            if ok {
                actions.saved.update(|n| *n += 1);
            }
        };
        Effect::new(move |_| count(actions.plan.value().with(|v| matches!(v, Some(Ok(_))))));
        Effect::new(move |_| count(actions.record.value().with(|v| matches!(v, Some(Ok(_))))));
        Effect::new(move |_| count(actions.finding.value().with(|v| matches!(v, Some(Ok(_))))));
        actions
    }
}

impl Default for ExerciseActions {
    fn default() -> Self {
        Self::new()
    }
}

fn result_badge(result: Option<ExerciseResult>) -> impl IntoView {
    let (class, label) = match result {
        None => ("badge", "Planned"),
        Some(ExerciseResult::Passed) => ("badge badge-low", "Passed"),
        Some(ExerciseResult::Partly) => ("badge badge-medium", "Partly passed"),
        Some(ExerciseResult::Failed) => ("badge badge-critical", "Failed"),
    };
    view! { <span class=class>{label}</span> }
}

#[component]
pub fn PlanExercises(
    plan_id: i64,
    exercises: Vec<Exercise>,
    may_run: bool,
    actions: ExerciseActions,
) -> impl IntoView {
    let finding_error = Signal::derive(move || actions.finding.value().get().and_then(Result::err));
    view! {
        <section class="plan-section" aria-labelledby="exercises-heading">
            <h2 id="exercises-heading">"Exercises"</h2>
            <FormErrors error=finding_error/>
            {exercises.is_empty().then(|| view! {
                <p class="empty">"Never exercised. An untested plan is a hope, not a plan: plan a walkthrough or a tabletop first."</p>
            })}
            <ul class="exercise-list">
                {exercises.into_iter().map(|exercise| view! { <ExerciseItem exercise may_run actions/> }).collect_view()}
            </ul>
            {may_run.then(|| view! { <PlanExerciseForm plan_id action=actions.plan/> })}
        </section>
    }
}

#[component]
fn ExerciseItem(exercise: Exercise, may_run: bool, actions: ExerciseActions) -> impl IntoView {
    let timing = match (exercise.actual_minutes, exercise.rto_minutes) {
        (Some(actual), Some(rto)) => Some(format!(
            "Recovered in {} against an RTO of {} — {}.",
            minutes_text(actual),
            minutes_text(rto),
            if actual <= rto { "met" } else { "missed" }
        )),
        (Some(actual), None) => Some(format!("Recovered in {}.", minutes_text(actual))),
        _ => None,
    };
    let id = exercise.id;
    let version = exercise.version;
    let recorded = exercise.result.is_some();
    view! {
        <li class="exercise" data-exercise=id>
            <h3>{format!("{} on {}", exercise.kind.label(), exercise.planned_on)}" "{result_badge(exercise.result)}</h3>
            <p><strong>"Participants: "</strong>{exercise.participants.clone()}</p>
            <p><strong>"Objectives: "</strong>{exercise.objectives.clone()}</p>
            {timing.map(|t| view! { <p>{t}</p> })}
            {(!exercise.findings.is_empty()).then(|| view! {
                <h4>"Findings"</h4>
                <ul class="findings">
                    {exercise.findings.into_iter().enumerate().map(|(index, finding)| view! {
                        <li>
                            {finding.text.clone()}" "
                            {match finding.improvement_id {
                                Some(imp) => view! { <a href=format!("/improvements/{imp}")>{format!("IMP-{imp}")}</a> }.into_any(),
                                None if may_run => view! {
                                    <ActionForm action=actions.finding attr:class="inline-form">
                                        <input type="hidden" name="exercise_id" value=id/>
                                        <input type="hidden" name="version" value=version/>
                                        <input type="hidden" name="index" value=index/>
                                        <button type="submit" class="button secondary small">"Put in the register"</button>
                                    </ActionForm>
                                }.into_any(),
                                None => ().into_any(),
                            }}
                        </li>
                    }).collect_view()}
                </ul>
            })}
            {(may_run && !recorded).then(|| view! { <RecordForm id version action=actions.record/> })}
        </li>
    }
}

#[component]
fn RecordForm(id: i64, version: i32, action: ServerAction<RecordExercise>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let field = move |name: &str| format!("exercise-{id}-{name}");
    view! {
        <ActionForm action attr:class="form record-form" attr:novalidate=true>
            <FormErrors error/>
            <input type="hidden" name="exercise_id" value=id/>
            <input type="hidden" name="version" value=version/>
            <div class="field-row">
                <div class="field">
                    <label for=field("result")>"Result"</label>
                    <select id=field("result") name="result">
                        <option value="">"Choose…"</option>
                        {ExerciseResult::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                    </select>
                    <p class="field-error">{field_error(error, "result")}</p>
                </div>
                <div class="field">
                    <label for=field("actual")>"Recovery took"</label>
                    <input id=field("actual") name="actual" placeholder="3 h 30 min"/>
                    <p class="field-error">{field_error(error, "actual")}</p>
                </div>
            </div>
            <div class="field">
                <label for=field("findings")>"Findings (one per line)"</label>
                <textarea id=field("findings") name="findings" rows=3></textarea>
                <p class="field-error">{field_error(error, "findings")}</p>
            </div>
            <button type="submit" class="button small" disabled=move || action.pending().get()>"Record the result"</button>
        </ActionForm>
    }
}

#[component]
fn PlanExerciseForm(plan_id: i64, action: ServerAction<PlanExercise>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <details class="panel">
            <summary>"Plan an exercise"</summary>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="plan_id" value=plan_id/>
                <div class="field-row">
                    <div class="field">
                        <label for="exercise-kind">"Kind"</label>
                        <select id="exercise-kind" name="kind">
                            {ExerciseKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                        </select>
                        <p class="field-error">{field_error(error, "kind")}</p>
                    </div>
                    <div class="field">
                        <label for="exercise-date">"Date"</label>
                        <input id="exercise-date" type="date" name="planned_on"/>
                        <p class="field-error">{field_error(error, "planned_on")}</p>
                    </div>
                </div>
                <div class="field">
                    <label for="exercise-participants">"Participants"</label>
                    <input id="exercise-participants" name="participants" placeholder="Service owner, IT operations, supplier contact"/>
                    <p class="field-error">{field_error(error, "participants")}</p>
                </div>
                <div class="field">
                    <label for="exercise-objectives">"Objectives"</label>
                    <textarea id="exercise-objectives" name="objectives" rows=2 placeholder="Restore payroll from backup within its RTO"></textarea>
                    <p class="field-error">{field_error(error, "objectives")}</p>
                </div>
                <button type="submit" class="button small" disabled=move || action.pending().get()>"Plan the exercise"</button>
            </ActionForm>
        </details>
    }
}
