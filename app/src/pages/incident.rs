//! `/incidents/:id`: one incident — its clocks ticking against the agreement, the steps the
//! reader may take now (asked of the lifecycle on the server), and the timeline. Live: a step
//! taken by someone else shows here at once.

use super::id_param;
use crate::api::incidents::{
    get_incident, incident_form_choices, IncidentCause, IncidentMajor, IncidentNote,
    IncidentReview, IncidentStep,
};
use crate::components::change_fields::{field_error, field_error_named};
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::live::refresh_on_live_events_where;
use crate::components::record_cis::{NamingActions, NamingRecord, RecordCiPanel};
use crate::components::session::IfAllowed;
use crate::components::succeeded::successes;
use crate::components::target_clocks::{ticking_now, ClockLine};
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::cmdb::NamedBy;
use crate::model::incident::{IncidentAction, IncidentRecord, ResolutionCode, MAX_REVIEW_ACTIONS};
use crate::model::live::LiveEvent;
use crate::model::refs::PersonRef;
use crate::pages::incidents::{incident_state_badge, ticket_priority_badge};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn IncidentPage() -> impl IntoView {
    let id = id_param();
    let step = ServerAction::<IncidentStep>::new();
    let note = ServerAction::<IncidentNote>::new();
    let major = ServerAction::<IncidentMajor>::new();
    let review = ServerAction::<IncidentReview>::new();
    let cause = ServerAction::<IncidentCause>::new();
    let naming = NamingActions::new();
    // Only a success refreshes the record: after a refusal the forms keep what was typed.
    let refreshes = [
        successes(step),
        successes(note),
        successes(major),
        successes(review),
        successes(cause),
        successes(naming.name),
        successes(naming.unname),
    ];
    let record = Resource::new(
        move || (id.get(), refreshes.map(|count| count.get())),
        |(id, ..)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That incident".into()))?;
            get_incident(id).await
        },
    );
    refresh_on_live_events_where(
        move |event| matches!(event, LiveEvent::IncidentUpdated { id: changed, .. } if Some(*changed) == id.get_untracked()),
        move || record.refetch(),
    );
    let choices = Resource::new(|| (), |_| incident_form_choices());
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the incident…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(record) => {
                        let (workers, people) = choices
                            .await
                            .map(|c| (c.workers, c.reporters))
                            .unwrap_or_default();
                        view! { <IncidentView record workers people step note major review cause naming/> }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn IncidentView(
    record: IncidentRecord,
    workers: Vec<PersonRef>,
    /// Everyone who may own a review action (offered to those who work incidents).
    people: Vec<PersonRef>,
    step: ServerAction<IncidentStep>,
    note: ServerAction<IncidentNote>,
    major: ServerAction<IncidentMajor>,
    review: ServerAction<IncidentReview>,
    cause: ServerAction<IncidentCause>,
    naming: NamingActions,
) -> impl IntoView {
    let IncidentRecord {
        incident,
        actions,
        may_note,
        may_declare_major,
        may_review,
        may_communicate,
        problem,
        caused_by,
        may_link_cause,
        configuration,
    } = record;
    let now = ticking_now(incident.read_at);
    let step_error = Signal::derive(move || step.value().get().and_then(Result::err));
    let note_error = Signal::derive(move || note.value().get().and_then(Result::err));
    let major_error = Signal::derive(move || major.value().get().and_then(Result::err));
    let (id, version) = (incident.id, incident.version);
    let hidden = move || view! { <input type="hidden" name="id" value=id/><input type="hidden" name="version" value=version/> };
    let title = format!("{} {}", incident.reference, incident.title);
    let review_section = match (incident.review.clone(), may_review) {
        (Some(done), _) => Some(view! {
            <section class="panel" aria-labelledby="review-heading">
                <h2 id="review-heading">"Post-incident review"</h2>
                <p class="muted">{format!(
                    "Completed {}{}.",
                    done.completed_at.format("%Y-%m-%d"),
                    done.reviewed_by.map(|p| format!(" by {}", p.name)).unwrap_or_default()
                )}</p>
                <dl class="details">
                    <dt>"What happened"</dt><dd class="prewrap">{done.summary}</dd>
                    <dt>"Cause"</dt><dd class="prewrap">{done.cause}</dd>
                    <dt>"Lessons"</dt><dd class="prewrap">{done.lessons}</dd>
                    <dt>"Actions"</dt>
                    <dd>
                        {if done.actions.is_empty() {
                            view! { "None" }.into_any()
                        } else {
                            view! {
                                <ul>{done.actions.into_iter().map(|(entry, reference, title)| view! {
                                    <li><a href=format!("/improvements/{entry}")>{reference}</a>" "{title}</li>
                                }).collect_view()}</ul>
                            }.into_any()
                        }}
                    </dd>
                </dl>
            </section>
        }.into_any()),
        (None, true) => Some(view! { <ReviewPanel id version review people/> }.into_any()),
        (None, false) if incident.major => Some(view! {
            <section class="panel" aria-labelledby="review-heading">
                <h2 id="review-heading">"Post-incident review"</h2>
                <p class="muted">"Not completed yet: a service level manager completes it once the incident is resolved, and the incident closes only after it."</p>
            </section>
        }.into_any()),
        (None, false) => None,
    };
    let has = |action: IncidentAction| actions.contains(&action);
    let assign = has(IncidentAction::Assign).then(|| view! {
        <ActionForm action=step attr:class="form inline-form" attr:novalidate=true>
            {hidden()}
            <input type="hidden" name="form[action]" value="assign"/>
            <div class="field">
                <label for="inc-assignee">"Assign to"</label>
                <select id="inc-assignee" name="form[assignee_id]" aria-describedby="inc-assignee-error">
                    <option value="">"Choose…"</option>
                    {workers.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                </select>
                <p class="field-error" id="inc-assignee-error" aria-live="polite">{field_error(step_error, "assignee_id")}</p>
            </div>
            <button type="submit" class="button">"Assign"</button>
        </ActionForm>
    });
    let resolve = has(IncidentAction::Resolve).then(|| view! {
        <ActionForm action=step attr:class="form" attr:novalidate=true>
            {hidden()}
            <input type="hidden" name="form[action]" value="resolve"/>
            <div class="field">
                <label for="inc-resolution-code">"Resolution"</label>
                <select id="inc-resolution-code" name="form[resolution_code]" aria-describedby="inc-resolution-code-error">
                    <option value="">"Choose…"</option>
                    {ResolutionCode::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                </select>
                <p class="field-error" id="inc-resolution-code-error" aria-live="polite">{field_error(step_error, "resolution_code")}</p>
            </div>
            <div class="field">
                <label for="inc-resolution">"What was done"</label>
                <textarea id="inc-resolution" name="form[resolution]" rows=3 aria-describedby="inc-resolution-error"></textarea>
                <p class="field-error" id="inc-resolution-error" aria-live="polite">{field_error(step_error, "resolution")}</p>
            </div>
            <button type="submit" class="button">"Resolve"</button>
        </ActionForm>
    });
    let simple: Vec<IncidentAction> = actions
        .iter()
        .copied()
        .filter(|a| !matches!(a, IncidentAction::Assign | IncidentAction::Resolve))
        .collect();
    let other_steps = (!simple.is_empty()).then(|| view! {
        <ActionForm action=step attr:class="form" attr:novalidate=true>
            {hidden()}
            <div class="field">
                <label for="inc-step-note">"Note for the timeline (optional)"</label>
                <textarea id="inc-step-note" name="form[note]" rows=2 aria-describedby="inc-step-note-error"></textarea>
                <p class="field-error" id="inc-step-note-error" aria-live="polite">{field_error(step_error, "note")}</p>
            </div>
            <div class="form-actions">
                {simple.into_iter().map(|a| view! { <button type="submit" name="form[action]" value=a.as_str() class="button secondary">{a.label()}</button> }).collect_view()}
            </div>
        </ActionForm>
    });
    let no_steps = actions.is_empty();
    let clocks = match (incident.response_clock.clone(), incident.resolution_clock.clone()) {
        (None, None) => view! {
            <p class="muted">{format!("No approved agreement covered {} when this was raised: no targets run.", incident.service.name)}</p>
        }.into_any(),
        (response, resolution) => view! {
            {response.map(|reading| view! { <ClockLine label="Response" reading now/> })}
            {resolution.map(|reading| view! { <ClockLine label="Resolution" reading now/> })}
            {incident.agreement.clone().map(|a| view! { <p class="muted">{format!("Measured against {a}.")}</p> })}
        }.into_any(),
    };
    let is_major = incident.major;
    let improvement_link = StoredValue::new(learn_from(&incident));
    let problem_link = StoredValue::new(problem_from(&incident));
    let has_problem = problem.is_some();
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/incidents">"Incidents"</a>" / "{incident.reference.clone()}</nav>
        <div class="page-header">
            <h1>{title}</h1>
            <div class="page-actions">
                {incident_state_badge(incident.state)}
                " "{ticket_priority_badge(incident.priority)}
                {is_major.then(|| view! { " "<span class="badge major">"Major incident"</span> })}
            </div>
        </div>
        <section class="panel clocks" aria-labelledby="clocks-heading">
            <h2 id="clocks-heading">"Targets"</h2>
            {clocks}
        </section>
        <dl class="details">
            <dt>"Service"</dt><dd><a href=format!("/services/{}", incident.service.id)>{incident.service.name.clone()}</a>{incident.service_affecting.then_some(" · service down or degraded")}</dd>
            <dt>"Priority"</dt><dd>{incident.priority_rule.clone()}</dd>
            <dt>"Category"</dt><dd>{if incident.category.is_empty() { "—".to_string() } else { incident.category.clone() }}</dd>
            <dt>"Affected"</dt><dd>{if incident.affected.is_empty() { "—".to_string() } else { incident.affected.clone() }}</dd>
            <dt>"Reported by"</dt><dd>{incident.reporter.name.clone()}</dd>
            <dt>"Assignee"</dt><dd>{incident.assignee.clone().map(|p| p.name).unwrap_or_else(|| "Nobody yet".into())}</dd>
            <dt>"Started"</dt><dd><time datetime=incident.started_at.to_rfc3339()>{incident.started_at.format("%Y-%m-%d %H:%M UTC").to_string()}</time></dd>
            {incident.pending_reason.map(|r| view! { <dt>"Waiting"</dt><dd>{r.label()}</dd> })}
            {incident.imported_ref.clone().map(|external| view! { <dt>"Imported"</dt><dd>{format!("From another tool, where it was {external}")}</dd> })}
            <dt>"Description"</dt><dd class="prewrap">{incident.description.clone()}</dd>
            {incident.resolution_code.map(|code| view! {
                <dt>"Resolution"</dt><dd class="prewrap">{code.label()}": "{incident.resolution.clone().unwrap_or_default()}</dd>
            })}
            {caused_by.clone().map(|c| view! {
                <dt>"Caused by"</dt>
                <dd><a href=format!("/changes/{}", c.id)>{c.reference}</a>" "{c.title}" · "{c.state.label()}</dd>
            })}
            {problem.map(|p| view! {
                <dt>"Problem"</dt>
                <dd>
                    <a href=format!("/problems/{}", p.id)>{p.reference}</a>" "{p.title}" · "{p.state.label()}
                    {p.workaround.map(|w| view! { <p class="prewrap">"Workaround: "{w}</p> })}
                </dd>
            })}
        </dl>
        <section class="panel" aria-labelledby="steps-heading">
            <h2 id="steps-heading">"Next step"</h2>
            <FormErrors error=step_error/>
            {no_steps.then(|| view! { <p class="muted">"There is no step for you to take on this incident now."</p> })}
            {assign}
            {other_steps}
            {resolve}
            {may_declare_major.then(|| view! {
                <ActionForm action=major attr:class="inline">
                    {hidden()}
                    <input type="hidden" name="major" value=(!is_major).to_string()/>
                    <FormErrors error=major_error/>
                    <button type="submit" class="button secondary">{if is_major { "Stand down the major incident" } else { "Declare a major incident" }}</button>
                </ActionForm>
            })}
        </section>
        {may_link_cause.then(|| view! { <CausePanel id version cause linked=caused_by.map(|c| c.reference)/> })}
        {configuration.map(|impact| view! {
            <RecordCiPanel record=NamingRecord { on: NamedBy::Incident, id, version } impact may_name=may_link_cause actions=naming/>
        })}
        {review_section}
        <IfAllowed permission=Permission::ImprovementRaise>
            <p class="muted">
                <a href=improvement_link.get_value()>"Raise an improvement from this incident"</a>
                " — for a breached target or an incident that keeps coming back; it goes to the improvement register linked to this record."
            </p>
        </IfAllowed>
        {(!has_problem).then(|| view! {
            <IfAllowed permission=Permission::ProblemWork>
                <p class="muted">
                    <a href=problem_link.get_value()>"Raise a problem from this incident"</a>
                    " — when it keeps coming back and its cause is not known; link the other incidents on the problem."
                </p>
            </IfAllowed>
        })}
        <section aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">"Timeline"</h2>
            <ol class="incident-timeline">
                {incident.timeline.into_iter().map(|entry| view! {
                    <li class=format!("timeline-{}", entry.kind.as_str())>
                        <p class="timeline-meta">
                            <time datetime=entry.at.to_rfc3339()>{entry.at.format("%Y-%m-%d %H:%M UTC").to_string()}</time>
                            " · "{entry.author.map(|p| p.name).unwrap_or_else(|| "Conform".into())}
                            " · "{entry.kind.label()}
                        </p>
                        <p class="prewrap">{entry.body}</p>
                    </li>
                }).collect_view()}
            </ol>
            {may_note.then(|| view! {
                <ActionForm action=note attr:class="form" attr:novalidate=true>
                    <input type="hidden" name="id" value=id/>
                    <FormErrors error=note_error/>
                    {may_communicate.then(|| view! {
                        <fieldset class="field">
                            <legend>"Kind"</legend>
                            <label class="checkbox" for="inc-kind-note"><input type="radio" id="inc-kind-note" name="kind" value="note" checked=true/>" A work note"</label>
                            <label class="checkbox" for="inc-kind-communication"><input type="radio" id="inc-kind-communication" name="kind" value="communication"/>" A communication to users and stakeholders"</label>
                        </fieldset>
                    })}
                    <div class="field">
                        <label for="inc-note">"Work note"</label>
                        <textarea id="inc-note" name="note" rows=3 aria-describedby="inc-note-error"></textarea>
                        <p class="field-error" id="inc-note-error" aria-live="polite">{field_error(note_error, "note")}</p>
                    </div>
                    <button type="submit" class="button secondary" disabled=move || note.pending().get()>"Add note"</button>
                </ActionForm>
            })}
        </section>
    }
}

/// Names the change that caused the incident, or removes a link made in error.
#[component]
fn CausePanel(
    id: i64,
    version: i32,
    cause: ServerAction<IncidentCause>,
    /// The change named now (`CHG-00012`).
    linked: Option<String>,
) -> impl IntoView {
    let error = Signal::derive(move || cause.value().get().and_then(Result::err));
    let hidden = move || view! { <input type="hidden" name="id" value=id/><input type="hidden" name="version" value=version/> };
    let current = linked.clone().unwrap_or_default();
    view! {
        <section class="panel" aria-labelledby="cause-heading">
            <h2 id="cause-heading">"Caused by a change?"</h2>
            <p class="muted">"A change named here counts as not successful in the change figures, and its review counts this incident."</p>
            <FormErrors error/>
            <ActionForm action=cause attr:class="form inline-form" attr:novalidate=true>
                {hidden()}
                <div class="field">
                    <label for="inc-cause">"Change that caused it"</label>
                    <input id="inc-cause" name="form[change]" placeholder="CHG-00012" value=current aria-describedby="inc-cause-error"/>
                    <p class="field-error" id="inc-cause-error" aria-live="polite">{field_error(error, "change")}</p>
                </div>
                <button type="submit" class="button secondary" disabled=move || cause.pending().get()>"Link the change"</button>
            </ActionForm>
            {linked.map(|reference| view! {
                <ActionForm action=cause attr:class="inline">
                    {hidden()}
                    <input type="hidden" name="form[change]" value=""/>
                    <button type="submit" class="button secondary">{format!("Not caused by {reference}")}</button>
                </ActionForm>
            })}
        </section>
    }
}

/// The post-incident review form: what happened, why, what was learned, and up to
/// `MAX_REVIEW_ACTIONS` actions for the improvement register.
#[component]
fn ReviewPanel(
    id: i64,
    version: i32,
    review: ServerAction<IncidentReview>,
    people: Vec<PersonRef>,
) -> impl IntoView {
    let error = Signal::derive(move || review.value().get().and_then(Result::err));
    let area = move |id: &'static str, label: &'static str, field: &'static str| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <textarea id=id name=format!("form[{field}]") rows=3 aria-describedby=format!("{id}-error")></textarea>
                <p class="field-error" id=format!("{id}-error") aria-live="polite">{field_error(error, field)}</p>
            </div>
        }
    };
    view! {
        <section class="panel" aria-labelledby="review-heading">
            <h2 id="review-heading">"Post-incident review"</h2>
            <p class="hint">"Completed once the incident is resolved; the incident closes only after it. Each action becomes an entry in the improvement register."</p>
            <ActionForm action=review attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=version/>
                {area("review-summary", "What happened", "summary")}
                {area("review-cause", "Cause", "cause")}
                {area("review-lessons", "What was learned", "lessons")}
                {(0..MAX_REVIEW_ACTIONS).map(|row| {
                            let people = people.clone();
                            view! {
                                <fieldset class="field review-action">
                                    <legend>{format!("Action {}", row + 1)}</legend>
                                    <div class="field-row">
                                        <div class="field">
                                            <label for=format!("review-action-{row}")>"Action"</label>
                                            <input id=format!("review-action-{row}") name=format!("form[actions][{row}][text]")/>
                                            <p class="field-error" aria-live="polite">{field_error_named(error, format!("action_{row}"))}</p>
                                        </div>
                                        <div class="field">
                                            <label for=format!("review-owner-{row}")>"Owner"</label>
                                            <select id=format!("review-owner-{row}") name=format!("form[actions][{row}][owner_id]")>
                                                <option value="">"Choose…"</option>
                                                {people.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                                            </select>
                                            <p class="field-error" aria-live="polite">{field_error_named(error, format!("action_{row}_owner"))}</p>
                                        </div>
                                        <div class="field">
                                            <label for=format!("review-due-{row}")>"Due"</label>
                                            <input type="date" id=format!("review-due-{row}") name=format!("form[actions][{row}][due]")/>
                                            <p class="field-error" aria-live="polite">{field_error_named(error, format!("action_{row}_due"))}</p>
                                        </div>
                                    </div>
                                </fieldset>
                            }
                        }).collect_view()}
                <div class="form-actions"><button type="submit" class="button" disabled=move || review.pending().get()>"Complete the review"</button></div>
            </ActionForm>
        </section>
    }
}

/// The new-improvement form, filled in from this incident: its title, source and service.
fn learn_from(incident: &crate::model::incident::Incident) -> String {
    let breached = [&incident.response_clock, &incident.resolution_clock]
        .into_iter()
        .flatten()
        .any(|clock| clock.status == crate::model::target_clock::ClockStatus::Breached);
    let title = crate::model::text::shorten(
        &format!(
            "{} {}: {}",
            if breached {
                "Breached target on"
            } else {
                "Learn from"
            },
            incident.reference,
            incident.title
        ),
        160,
    );
    let query = serde_urlencoded::to_string([
        ("title", title),
        (
            "source",
            crate::model::improvement::Source::IncidentTrend
                .as_str()
                .to_string(),
        ),
        ("source_ref", format!("incident:{}", incident.id)),
        ("service", incident.service.id.to_string()),
    ])
    .unwrap_or_default();
    format!("/improvements/new?{query}")
}

/// The new-problem form, filled in from this incident: its title, service and reference.
fn problem_from(incident: &crate::model::incident::Incident) -> String {
    let query = serde_urlencoded::to_string([
        ("title", incident.title.clone()),
        ("incident", incident.id.to_string()),
        ("service", incident.service.id.to_string()),
    ])
    .unwrap_or_default();
    format!("/problems/new?{query}")
}
