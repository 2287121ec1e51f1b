//! `/requests/:id`: one service request — what was asked (the type's questions and the
//! answers), its approval, the fulfilment clock ticking against its target, the timeline, and
//! the steps the reader may take now (asked of the lifecycle on the server).

use super::id_param;
use crate::api::requests::{get_request, RequestStep};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::live::refresh_on_live_events_where;
use crate::components::succeeded::successes;
use crate::components::target_clocks::{ticking_now, ClockLine};
use crate::error::AppError;
use crate::model::live::LiveEvent;
use crate::model::refs::PersonRef;
use crate::model::service_request::{RequestAction, RequestRecord, RequestState};
use crate::pages::requests::request_state_badge;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn RequestPage() -> impl IntoView {
    let id = id_param();
    let step = ServerAction::<RequestStep>::new();
    // Only a success refreshes the record: after a refusal the form keeps what was typed.
    let stepped = successes(step);
    let record = Resource::new(
        move || (id.get(), stepped.get()),
        |(id, _)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That request".into()))?;
            get_request(id).await
        },
    );
    refresh_on_live_events_where(
        move |event| matches!(event, LiveEvent::RequestUpdated { id: changed, .. } if Some(*changed) == id.get_untracked()),
        move || record.refetch(),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the request…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(record) => view! { <RequestView record step/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RequestView(record: RequestRecord, step: ServerAction<RequestStep>) -> impl IntoView {
    let RequestRecord {
        request,
        actions,
        workers,
    } = record;
    let title = format!("{} {}", request.reference, request.summary);
    let now = ticking_now(request.read_at);
    let approval = match (&request.approver, request.state) {
        (Some(approver), RequestState::Rejected) => format!(
            "Rejected by {} on {}",
            approver.name,
            request
                .decided_at
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        ),
        (Some(approver), _) => format!(
            "Approved by {} on {}",
            approver.name,
            request
                .decided_at
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        ),
        (None, RequestState::AwaitingApproval) => {
            "Waiting for a service owner or service level manager".into()
        }
        (None, _) if request.approval_required => "Not decided".into(),
        (None, _) => "Not needed".into(),
    };
    let paused = matches!(
        request.state,
        RequestState::AwaitingApproval | RequestState::Pending
    );
    let clock = match request.clock.clone() {
        Some(reading) => view! {
            <ClockLine label="Fulfilment" reading now/>
            <p class="muted">
                {request.target_source.clone()}
                {paused.then_some(" · The clock waits while the request waits for approval or for the requester.")}
            </p>
        }.into_any(),
        None => view! { <p class="muted">{request.target_source.clone()}</p> }.into_any(),
    };
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/requests">"Requests"</a>" / "{request.reference.clone()}</nav>
        <div class="page-header">
            <h1>{title}</h1>
            <div class="page-actions">{request_state_badge(request.state)}</div>
        </div>
        <section class="panel" aria-labelledby="clock-heading">
            <h2 id="clock-heading">"Fulfilment target"</h2>
            {clock}
        </section>
        <dl class="details">
            <dt>"Request"</dt><dd>{request.type_name.clone()}" · "<a href=format!("/services/{}", request.service.id)>{request.service.name.clone()}</a></dd>
            <dt>"Requester"</dt><dd>{request.requester.name.clone()}{(request.raised_by.id != request.requester.id).then(|| format!(" (raised by {})", request.raised_by.name))}</dd>
            <dt>"Approval"</dt><dd>{approval}</dd>
            <dt>"Assignee"</dt><dd>{request.assignee.clone().map(|p| p.name).unwrap_or_else(|| "Nobody yet".into())}</dd>
            <dt>"Raised"</dt><dd>{request.created_at.format("%Y-%m-%d %H:%M UTC").to_string()}</dd>
            {request.fulfilled_at.map(|at| view! { <dt>"Fulfilled"</dt><dd>{at.format("%Y-%m-%d %H:%M UTC").to_string()}</dd> })}
        </dl>
        <section class="panel" aria-labelledby="answers-heading">
            <h2 id="answers-heading">"What was asked"</h2>
            {if request.answers.is_empty() {
                view! { <p class="muted">"The request type asks no questions."</p> }.into_any()
            } else {
                view! {
                    <dl class="details">
                        {request.answers.clone().into_iter().map(|a| view! {
                            <dt>{a.label}</dt><dd class="prewrap">{if a.value.is_empty() { "—".to_string() } else { a.value }}</dd>
                        }).collect_view()}
                    </dl>
                }.into_any()
            }}
        </section>
        <StepPanel id=request.id version=request.version steps=actions workers step/>
        <section class="panel" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">"Timeline"</h2>
            <ol class="timeline">
                {request.timeline.into_iter().map(|e| view! {
                    <li>
                        <span class="muted">{e.at.format("%Y-%m-%d %H:%M").to_string()}{e.author.map(|a| format!(" · {a}"))}</span>
                        <p class="prewrap">{e.body}</p>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// The words a step's note asks for.
fn note_label(steps: &[RequestAction]) -> &'static str {
    if steps.contains(&RequestAction::Approve) {
        "Note (why it is rejected, when rejecting)"
    } else if steps.contains(&RequestAction::Fulfil) {
        "Note (what was done, or what the requester is asked for)"
    } else if steps.contains(&RequestAction::Reopen) {
        "Note (what is still missing, when reopening)"
    } else {
        "Note"
    }
}

#[component]
fn StepPanel(
    id: i64,
    version: i32,
    steps: Vec<RequestAction>,
    workers: Vec<PersonRef>,
    step: ServerAction<RequestStep>,
) -> impl IntoView {
    let error = Signal::derive(move || step.value().get().and_then(Result::err));
    let hidden = move || view! { <input type="hidden" name="id" value=id/><input type="hidden" name="version" value=version/> };
    let assign = steps.contains(&RequestAction::Take).then(|| view! {
        <ActionForm action=step attr:class="form inline-form" attr:novalidate=true>
            {hidden()}
            <input type="hidden" name="form[action]" value="take"/>
            <div class="field">
                <label for="req-assignee">"Assignee"</label>
                <select id="req-assignee" name="form[assignee_id]" aria-describedby="req-assignee-error">
                    <option value="">"Choose…"</option>
                    {workers.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                </select>
                <p class="field-error" id="req-assignee-error" aria-live="polite">{field_error(error, "assignee_id")}</p>
            </div>
            <button type="submit" class="button">"Assign"</button>
        </ActionForm>
    });
    let others: Vec<RequestAction> = steps
        .iter()
        .copied()
        .filter(|a| *a != RequestAction::Take)
        .collect();
    let label = note_label(&others);
    let other_steps = (!others.is_empty()).then(|| view! {
        <ActionForm action=step attr:class="form" attr:novalidate=true>
            {hidden()}
            <div class="field">
                <label for="req-note">{label}</label>
                <textarea id="req-note" name="form[note]" rows=2 aria-describedby="req-note-error"></textarea>
                <p class="field-error" id="req-note-error" aria-live="polite">{field_error(error, "note")}</p>
            </div>
            <div class="form-actions">
                {others.into_iter().map(|a| {
                    let class = if matches!(a, RequestAction::Approve | RequestAction::Fulfil) { "button" } else { "button secondary" };
                    view! { <button type="submit" name="form[action]" value=a.as_str() class=class disabled=move || step.pending().get()>{a.label()}</button> }
                }).collect_view()}
                {move || step.pending().get().then(|| view! { <span role="status" class="muted">"Saving…"</span> })}
            </div>
        </ActionForm>
    });
    let none = steps.is_empty();
    view! {
        <section class="panel" aria-labelledby="steps-heading">
            <h2 id="steps-heading">"Next step"</h2>
            <FormErrors error/>
            {none.then(|| view! { <p class="muted">"There is no step for you to take on this request now."</p> })}
            {assign}
            {other_steps}
        </section>
    }
}
