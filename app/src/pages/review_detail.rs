//! `/compliance/reviews/:id`: one management review — the inputs Conform gathered (live while
//! planned or held, frozen once published) with their trends, who attended, the hand-entered
//! context changes and customer feedback, decisions, actions tracked until done, and the
//! minutes. Publishing asks for confirmation; a published review is read-only, except that an
//! action's owner (or the quality manager) still marks it done.

use super::id_param;
use super::reviews::review_state_badge;
use crate::api::reviews::{
    get_review, my_review_actions, review_people, AddReviewAction, AddReviewDecision,
    CompleteReviewAction, SaveReview, TransitionReview,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::use_session;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::management_review::{
    kpi_rows, may_complete_action, ReviewAction, ReviewInputs, ReviewRecord, ReviewState,
    ReviewTransition,
};
use crate::model::refs::PersonRef;
use crate::model::user::CurrentUser;
use leptos::prelude::*;
use leptos_meta::Title;

/// The writes of the page, shared by its parts; the review reloads after each success.
#[derive(Clone, Copy)]
struct Writes {
    save: ServerAction<SaveReview>,
    decision: ServerAction<AddReviewDecision>,
    action: ServerAction<AddReviewAction>,
    done: ServerAction<CompleteReviewAction>,
    transitions: ServerAction<TransitionReview>,
}

#[component]
pub fn ReviewDetailPage() -> impl IntoView {
    let id = id_param();
    let writes = Writes {
        save: ServerAction::new(),
        decision: ServerAction::new(),
        action: ServerAction::new(),
        done: ServerAction::new(),
        transitions: ServerAction::new(),
    };
    let reload = RwSignal::new(0u32);
    // Reload after a success only: a refusal must keep what the person typed.
    let bump = move |ok: bool| {
        if ok {
            reload.update(|n| *n += 1);
        }
    };
    Effect::new(move |_| bump(writes.save.value().with(|v| matches!(v, Some(Ok(_))))));
    Effect::new(move |_| bump(writes.decision.value().with(|v| matches!(v, Some(Ok(_))))));
    Effect::new(move |_| bump(writes.action.value().with(|v| matches!(v, Some(Ok(_))))));
    Effect::new(move |_| bump(writes.done.value().with(|v| matches!(v, Some(Ok(_))))));
    Effect::new(move |_| {
        bump(
            writes
                .transitions
                .value()
                .with(|v| matches!(v, Some(Ok(_)))),
        )
    });
    let review = Resource::new(
        move || (id.get(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_review(id).await,
                None => Err(AppError::NotFound("That management review".into())),
            }
        },
    );
    let people = Resource::new(|| (), |_| review_people());
    let session = use_session();
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the review…"</p> }>
            {move || Suspend::new(async move {
                let user = session.user.await.ok().flatten();
                let people = people.await.map(|(p, _)| p).unwrap_or_default();
                match review.await {
                    Ok(review) => view! { <ReviewBody review user people writes/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ReviewBody(
    review: ReviewRecord,
    user: Option<CurrentUser>,
    people: Vec<PersonRef>,
    writes: Writes,
) -> impl IntoView {
    let manager = user
        .as_ref()
        .is_some_and(|u| u.may(Permission::ReviewManage));
    let editing = manager && review.state.is_editable();
    let id = review.id;
    let version = review.version;
    let banner = match (&review.published_at, &review.published_by) {
        (Some(at), Some(by)) => Some(format!(
            "Published by {} on {}. These minutes and their inputs no longer change; actions are tracked until done.",
            by.name,
            at.format("%-d %B %Y")
        )),
        _ => None,
    };
    view! {
        <Title text=review.title.clone()/>
        <p><a href="/compliance/reviews">"← Management reviews"</a></p>
        <h1>{review.title.clone()}" "{review_state_badge(review.state)}</h1>
        <p class="muted">
            {format!("{} · chaired by {} · inputs cover {}", review.planned_on.format("%-d %B %Y"), review.chair.name, review.period.label())}
            " · "<a href=format!("/compliance/reviews/{id}/minutes")>"Printable minutes"</a>
            " · "<a href=format!("/compliance/reviews/{id}/minutes.md")>"Markdown"</a>
        </p>
        {banner.map(|text| view! { <p class="banner banner-info review-published" role="status">{text}</p> })}
        {manager.then(|| view! { <Lifecycle id version state=review.state writes/> })}
        <Inputs inputs=review.inputs.clone() frozen=review.inputs_frozen/>
        {if editing {
            view! { <DetailsEditor review=review.clone() people=people.clone() writes/> }.into_any()
        } else {
            view! { <DetailsRead review=review.clone()/> }.into_any()
        }}
        <Decisions review=review.clone() editing writes/>
        <Actions review user people editing writes/>
    }
}

/// "Mark as held" while planned; "Publish minutes" (with a confirmation) once held.
#[component]
fn Lifecycle(id: i64, version: i32, state: ReviewState, writes: Writes) -> impl IntoView {
    let transitions = writes.transitions;
    let error = Signal::derive(move || transitions.value().get().and_then(Result::err));
    let form = move |step: ReviewTransition, class: &'static str| {
        view! {
            <ActionForm action=transitions attr:class="inline">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=version/>
                <input type="hidden" name="step" value=format!("{step:?}")/>
                <button type="submit" class=class disabled=move || transitions.pending().get()>{step.label()}</button>
            </ActionForm>
        }
    };
    view! {
        <section class="review-lifecycle" aria-label="Review lifecycle">
            <FormErrors error/>
            {match state {
                ReviewState::Planned => form(ReviewTransition::Hold, "button").into_any(),
                ReviewState::Held => view! {
                    <details class="confirm">
                        <summary class="button">"Publish minutes…"</summary>
                        <p class="banner banner-warning">"Publishing is final: the minutes, attendees, decisions and the inputs as they stand now are frozen and can no longer be edited. Actions stay trackable."</p>
                        {form(ReviewTransition::Publish, "button danger")}
                    </details>
                }.into_any(),
                ReviewState::Published => ().into_any(),
            }}
        </section>
    }
}

#[component]
fn Inputs(inputs: ReviewInputs, frozen: bool) -> impl IntoView {
    let note = if frozen {
        format!(
            "Frozen when the minutes were published (gathered {}).",
            inputs.gathered_on
        )
    } else {
        format!(
            "Gathered live from Conform on {}; frozen when the minutes are published.",
            inputs.gathered_on
        )
    };
    let c = inputs.current;
    let a = inputs.previous_actions;
    let o = inputs.objectives;
    let nc_total = inputs.nonconformities_open_total();
    view! {
        <section class="panel review-inputs" aria-labelledby="inputs-heading">
            <h2 id="inputs-heading">"Inputs"</h2>
            <p class="muted">{note}</p>
            <div class="table-wrap">
                <table class="data-table">
                    <caption>{format!("KPIs for {} against the previous period ({})", inputs.period.label(), inputs.period.previous().label())}</caption>
                    <thead><tr>
                        <th scope="col">"Measure"</th>
                        <th scope="col">"This period"</th>
                        <th scope="col">"Previous period"</th>
                        <th scope="col">"Trend"</th>
                    </tr></thead>
                    <tbody>
                        {kpi_rows(&inputs).into_iter().map(|row| view! {
                            <tr>
                                <th scope="row">{row.label}</th>
                                <td>{row.current}</td>
                                <td>{row.previous}</td>
                                <td class=format!("trend trend-{}", row.trend.as_str())>{row.trend.label()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="table-wrap">
                <table class="data-table">
                    <caption>"Where things stand"</caption>
                    <tbody>
                        <tr><th scope="row">"Actions from previous reviews"</th><td>{format!("{} open ({} overdue), {} done", a.open, a.overdue, a.done)}</td></tr>
                        <tr><th scope="row">"Improvement register"</th><td>{format!("{} open, {} past their target date", inputs.improvements_open, inputs.improvements_overdue)}</td></tr>
                        <tr><th scope="row">"Nonconformities open"</th><td>
                            {format!("{nc_total} ({} overdue)", inputs.nonconformities_overdue)}
                            {(!inputs.nonconformities_open.is_empty()).then(|| view! {
                                <ul class="compact">{inputs.nonconformities_open.iter().map(|(s, n)| view! { <li>{format!("{}: {n}", s.label())}</li> }).collect_view()}</ul>
                            })}
                        </td></tr>
                        <tr><th scope="row">"SMS risks and opportunities"</th><td>{inputs.risks.summary()}</td></tr>
                        <tr><th scope="row">"Continuity exercises in the period"</th><td>{format!("{} passed, {} partly, {} failed", c.exercises_passed, c.exercises_partly, c.exercises_failed)}</td></tr>
                        <tr><th scope="row">"Internal audit results in the period"</th><td>{format!("{} audits: {} major, {} minor, {} observations, {} opportunities", c.audit.audits_completed, c.audit.major, c.audit.minor, c.audit.observation, c.audit.opportunity)}</td></tr>
                        <tr><th scope="row">"Objectives at the end of the period"</th><td>{format!("{} met, {} not met, {} not measured", o.met, o.not_met, o.not_measured)}</td></tr>
                    </tbody>
                </table>
            </div>
        </section>
    }
}

fn text_or_none(text: &str) -> String {
    if text.trim().is_empty() {
        "None recorded.".into()
    } else {
        text.trim().to_string()
    }
}

#[component]
fn DetailsRead(review: ReviewRecord) -> impl IntoView {
    let attendees = review
        .attendees
        .iter()
        .map(|p| p.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <section class="panel" aria-labelledby="details-heading">
            <h2 id="details-heading">"Attendees and hand-entered inputs"</h2>
            <dl class="review-details">
                <dt>"Attendees"</dt><dd>{if attendees.is_empty() { "None recorded.".to_string() } else { attendees }}</dd>
                <dt>"Guests"</dt><dd>{text_or_none(&review.guests)}</dd>
                <dt>"Changes in context"</dt><dd class="prewrap">{text_or_none(&review.context_changes)}</dd>
                <dt>"Customer feedback"</dt><dd class="prewrap">{text_or_none(&review.customer_feedback)}</dd>
            </dl>
            <h3>"Minutes"</h3>
            <div class="prewrap review-minutes">{if review.minutes.trim().is_empty() { "Not written yet.".to_string() } else { review.minutes.clone() }}</div>
        </section>
    }
}

#[component]
fn DetailsEditor(review: ReviewRecord, people: Vec<PersonRef>, writes: Writes) -> impl IntoView {
    let save = writes.save;
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || save.value().with(|v| matches!(v, Some(Ok(_))));
    let attending: Vec<i64> = review.attendees.iter().map(|p| p.id).collect();
    view! {
        <section class="panel" aria-labelledby="details-heading">
            <h2 id="details-heading">"Attendees, hand-entered inputs and minutes"</h2>
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="id" value=review.id/>
                <input type="hidden" name="version" value=review.version/>
                <fieldset>
                    <legend>"Attendees"</legend>
                    <div class="checkbox-list">
                        {people.into_iter().enumerate().map(|(i, p)| {
                            let id = format!("attendee-{}", p.id);
                            view! { <label class="checkbox" for=id.clone()><input type="checkbox" id=id.clone() name=format!("form[attendees][{i}]") value=p.id checked=attending.contains(&p.id)/>" "{p.name}</label> }
                        }).collect_view()}
                    </div>
                    <p class="field-error">{field_error(error, "attendees")}</p>
                </fieldset>
                <div class="field">
                    <label for="review-guests">"Guests (not Conform users)"</label>
                    <input id="review-guests" name="form[guests]" value=review.guests.clone() aria-describedby="review-guests-error"/>
                    <p class="field-error" id="review-guests-error">{field_error(error, "guests")}</p>
                </div>
                <div class="field">
                    <label for="review-context">"Changes in external and internal issues (context)"</label>
                    <textarea id="review-context" name="form[context_changes]" rows="4" aria-describedby="review-context-error">{review.context_changes.clone()}</textarea>
                    <p class="field-error" id="review-context-error">{field_error(error, "context_changes")}</p>
                </div>
                <div class="field">
                    <label for="review-feedback">"Customer feedback and satisfaction"</label>
                    <textarea id="review-feedback" name="form[customer_feedback]" rows="4" aria-describedby="review-feedback-error">{review.customer_feedback.clone()}</textarea>
                    <p class="field-error" id="review-feedback-error">{field_error(error, "customer_feedback")}</p>
                </div>
                <div class="field">
                    <label for="review-minutes">"Minutes (Markdown)"</label>
                    <textarea id="review-minutes" name="form[minutes]" rows="12" aria-describedby="review-minutes-error">{review.minutes.clone()}</textarea>
                    <p class="field-error" id="review-minutes-error">{field_error(error, "minutes")}</p>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || save.pending().get()>"Save"</button>
                    {move || saved().then(|| view! { <span class="muted" role="status">"Saved."</span> })}
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn Decisions(review: ReviewRecord, editing: bool, writes: Writes) -> impl IntoView {
    let add = writes.decision;
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="decisions-heading">
            <h2 id="decisions-heading">"Decisions"</h2>
            {if review.decisions.is_empty() {
                view! { <p class="muted">"No decision recorded yet."</p> }.into_any()
            } else {
                view! { <ol class="review-decisions">{review.decisions.iter().map(|d| view! { <li class="prewrap">{d.text.clone()}</li> }).collect_view()}</ol> }.into_any()
            }}
            {editing.then(|| view! {
                <ActionForm action=add attr:class="form" attr:novalidate=true>
                    <FormErrors error/>
                    <input type="hidden" name="id" value=review.id/>
                    <input type="hidden" name="version" value=review.version/>
                    <div class="field">
                        <label for="decision-text">"New decision"</label>
                        <textarea id="decision-text" name="text" rows="2" aria-describedby="decision-text-error"></textarea>
                        <p class="field-error" id="decision-text-error">{field_error(error, "text")}</p>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="button secondary" disabled=move || add.pending().get()>"Add decision"</button>
                    </div>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn Actions(
    review: ReviewRecord,
    user: Option<CurrentUser>,
    people: Vec<PersonRef>,
    editing: bool,
    writes: Writes,
) -> impl IntoView {
    let add = writes.action;
    let done = writes.done;
    let error = Signal::derive(move || add.value().get().and_then(Result::err));
    let done_error = Signal::derive(move || done.value().get().and_then(Result::err));
    let today = review.inputs.gathered_on;
    view! {
        <section class="panel" aria-labelledby="actions-heading">
            <h2 id="actions-heading">"Actions"</h2>
            <FormErrors error=done_error/>
            {if review.actions.is_empty() {
                view! { <p class="muted">"No action agreed yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table review-actions">
                            <thead><tr>
                                <th scope="col">"Action"</th>
                                <th scope="col">"Owner"</th>
                                <th scope="col">"Due"</th>
                                <th scope="col">"Status"</th>
                            </tr></thead>
                            <tbody>
                                {review.actions.iter().map(|a| {
                                    let may_done = a.is_open() && user.as_ref().is_some_and(|u| may_complete_action(u, a.owner.id));
                                    view! { <ActionRow action=a.clone() may_done overdue=a.is_overdue(today) done/> }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {editing.then(|| view! {
                <ActionForm action=add attr:class="form" attr:novalidate=true>
                    <FormErrors error/>
                    <input type="hidden" name="id" value=review.id/>
                    <input type="hidden" name="version" value=review.version/>
                    <div class="field">
                        <label for="action-text">"New action"</label>
                        <input id="action-text" name="text" aria-describedby="action-text-error"/>
                        <p class="field-error" id="action-text-error">{field_error(error, "text")}</p>
                    </div>
                    <div class="field-row">
                        <div class="field">
                            <label for="action-owner">"Owner"</label>
                            <select id="action-owner" name="owner_id" aria-describedby="action-owner-error">
                                <option value="">"Choose…"</option>
                                {people.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                            </select>
                            <p class="field-error" id="action-owner-error">{field_error(error, "owner_id")}</p>
                        </div>
                        <div class="field">
                            <label for="action-due">"Due on"</label>
                            <input id="action-due" type="date" name="due_on" aria-describedby="action-due-error"/>
                            <p class="field-error" id="action-due-error">{field_error(error, "due_on")}</p>
                        </div>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="button secondary" disabled=move || add.pending().get()>"Add action"</button>
                    </div>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn ActionRow(
    action: ReviewAction,
    may_done: bool,
    overdue: bool,
    done: ServerAction<CompleteReviewAction>,
) -> impl IntoView {
    let status = match action.done_at {
        Some(at) if action.done_note.trim().is_empty() => format!("Done {}", at.format("%Y-%m-%d")),
        Some(at) => format!("Done {} — {}", at.format("%Y-%m-%d"), action.done_note),
        None if overdue => "Overdue".into(),
        None => "Open".into(),
    };
    view! {
        <tr class:overdue=overdue>
            <td class="prewrap">{action.text.clone()}</td>
            <td>{action.owner.name.clone()}</td>
            <td>{action.due_on.to_string()}</td>
            <td>
                {status}
                {may_done.then(|| view! {
                    <ActionForm action=done attr:class="inline">
                        <input type="hidden" name="id" value=action.id/>
                        <input type="hidden" name="version" value=action.version/>
                        <label class="visually-hidden" for=format!("done-note-{}", action.id)>{format!("Note on: {}", action.text)}</label>
                        <input id=format!("done-note-{}", action.id) name="note" placeholder="Note (optional)"/>
                        <button type="submit" class="button small secondary" aria-label=format!("Mark done: {}", action.text)>"Mark done"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

/// The dashboard panel: the signed-in person's open management review actions.
#[component]
pub fn MyReviewActions() -> impl IntoView {
    let done = ServerAction::<CompleteReviewAction>::new();
    let actions = Resource::new(move || done.version().get(), |_| my_review_actions());
    let error = Signal::derive(move || done.value().get().and_then(Result::err));
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(actions) = actions.await else { return ().into_any() };
                if actions.is_empty() {
                    return ().into_any();
                }
                view! {
                    <section class="panel" aria-labelledby="review-actions-heading">
                        <h2 id="review-actions-heading">"Your management review actions"</h2>
                        <FormErrors error/>
                        <ul class="dashboard-list review-action-list">
                            {actions.into_iter().map(|mine| {
                                let a = mine.action;
                                view! {
                                    <li class:overdue=mine.overdue>
                                        {a.text.clone()}" — due "{a.due_on.to_string()}" · "
                                        <a href=format!("/compliance/reviews/{}", a.review_id)>{mine.review_title.clone()}</a>
                                        {mine.overdue.then(|| view! { " "<span class="badge badge-critical">"Overdue"</span> })}
                                        " "
                                        <ActionForm action=done attr:class="inline">
                                            <input type="hidden" name="id" value=a.id/>
                                            <input type="hidden" name="version" value=a.version/>
                                            <button type="submit" class="button small secondary" aria-label=format!("Mark done: {}", a.text)>"Done"</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}
