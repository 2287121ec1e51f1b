//! `/risks/:id`: one SMS risk — its rating before and after treatment on the organisation's
//! matrix, its treatment, acceptance and reviews; the steps the reader may take now (asked of
//! the rules on the server); and, for its owner or a quality manager, the form to change it
//! while it is open and to record a review.

use super::id_param;
use crate::api::risks::{get_risk, risk_form_choices, ReviewRisk, RiskStep, UpdateRisk};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::succeeded::successes;
use crate::error::AppError;
use crate::model::risk_link::Addressor;
use crate::model::sms_risk::{
    review_standing, ReviewStanding, RiskAction, RiskKind, RiskRecord, RiskState, SmsRisk,
};
use crate::pages::risks::{level_badge, risk_state_badge, RiskFields};
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Copy)]
struct Actions {
    update: ServerAction<UpdateRisk>,
    step: ServerAction<RiskStep>,
    review: ServerAction<ReviewRisk>,
}

#[component]
pub fn RiskPage() -> impl IntoView {
    let id = id_param();
    let actions = Actions {
        update: ServerAction::new(),
        step: ServerAction::new(),
        review: ServerAction::new(),
    };
    // Only a success refreshes the record: after a refusal the forms keep what was typed.
    let refreshes = [
        successes(actions.update),
        successes(actions.step),
        successes(actions.review),
    ];
    let record = Resource::new(
        move || (id.get(), refreshes.map(|count| count.get())),
        |(id, ..)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That risk".into()))?;
            get_risk(id).await
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the risk…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(record) => view! { <RiskView record actions/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "Raise an improvement for this treatment": the improvement form, filled in from the risk.
fn improvement_link(risk: &SmsRisk) -> String {
    let title: String = format!("Treat {}: {}", risk.reference, risk.title)
        .chars()
        .take(160)
        .collect();
    format!(
        "/improvements/new?{}",
        serde_urlencoded::to_string([
            ("title", title.as_str()),
            ("source", "risk_treatment"),
            ("source_ref", &format!("risk:{}", risk.id)),
        ])
        .unwrap_or_default()
    )
}

#[component]
fn RiskView(record: RiskRecord, actions: Actions) -> impl IntoView {
    let RiskRecord {
        risk,
        matrix,
        independent_decision,
        actions: steps,
        may_edit,
        may_review,
        addressed_by,
        today,
    } = record;
    let title = format!("{} {}", risk.reference, risk.title);
    let above = matrix.above_appetite(risk.residual);
    let notice = if above {
        format!(
            "The residual level is {}, above the appetite ({}): a quality manager who has never owned, recorded or rated this risk accepts it.",
            matrix.level(risk.residual).label().to_lowercase(),
            matrix.appetite.label().to_lowercase()
        )
    } else {
        "This risk was rated above the appetite since it was recorded or reopened: a quality manager who has never owned, recorded or rated it accepts it.".to_string()
    };
    let standing =
        (risk.state != RiskState::Closed).then(|| review_standing(risk.review_on, today));
    let review_words = match standing {
        Some(ReviewStanding::Overdue) => " — overdue",
        Some(ReviewStanding::DueSoon) => " — due soon",
        _ => "",
    };
    let services = if risk.services.is_empty() {
        view! { "The SMS as a whole" }.into_any()
    } else {
        risk.services
            .iter()
            .map(|s| view! { <a href=format!("/services/{}", s.id)>{s.name.clone()}</a>" " })
            .collect_view()
            .into_any()
    };
    let improvement = improvement_link(&risk);
    let treats = risk.state != RiskState::Closed;
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/risks">"SMS risks"</a>" / "{risk.reference.clone()}</nav>
        <div class="page-header">
            <h1>{title}</h1>
            <div class="page-actions">
                {risk_state_badge(risk.state)}
                {(risk.kind == RiskKind::Opportunity).then(|| view! { <span class="badge">"Opportunity"</span> })}
            </div>
        </div>
        {(independent_decision && risk.state == RiskState::Open).then(|| view! {
            <p class="notice" role="note">{notice}</p>
        })}
        <dl class="details">
            <dt>"Owner"</dt><dd>{risk.owner.name.clone()}</dd>
            <dt>"Concerns"</dt><dd>{services}</dd>
            {risk.security.map(|cia| view! { <dt>"Information security"</dt><dd>{format!("Threatens {}", cia.letters())}</dd> })}
            <dt>"Before treatment"</dt><dd>{level_badge(&matrix, risk.inherent)}" "{risk.inherent.describe()}</dd>
            <dt>"Treatment"</dt><dd>{risk.treatment.label()}</dd>
            <dt>"Treatment plan"</dt><dd class="prewrap">{if risk.treatment_plan.is_empty() { "—".to_string() } else { risk.treatment_plan.clone() }}</dd>
            <dt>"After treatment"</dt><dd>{level_badge(&matrix, risk.residual)}" "{risk.residual.describe()}</dd>
            <dt>"Next review"</dt><dd class:overdue=standing == Some(ReviewStanding::Overdue)><time datetime=risk.review_on.to_string()>{risk.review_on.to_string()}</time>{review_words}</dd>
            {risk.accepted_by.clone().map(|p| view! {
                <dt>"Accepted"</dt><dd>{format!("by {} on {}", p.name, risk.accepted_at.map(|at| at.format("%Y-%m-%d").to_string()).unwrap_or_default())}</dd>
            })}
            {risk.accepted_reason.clone().map(|why| view! { <dt>"Accepted because"</dt><dd class="prewrap">{why}</dd> })}
            {risk.closed_reason.clone().map(|why| view! { <dt>"Closed because"</dt><dd class="prewrap">{why}</dd> })}
            <dt>"Recorded"</dt><dd>{format!("{} by {}", risk.created_at.format("%Y-%m-%d"), risk.created_by.name)}</dd>
            <dt>"Description"</dt><dd class="prewrap">{if risk.description.is_empty() { "—".to_string() } else { risk.description.clone() }}</dd>
        </dl>
        {treats.then(|| view! {
            <p><a href=improvement>"Raise an improvement for this treatment"</a></p>
        })}
        <AddressedBy addressors=addressed_by/>
        <StepPanel id=risk.id version=risk.version steps action=actions.step/>
        {may_review.then(|| view! { <ReviewPanel id=risk.id version=risk.version action=actions.review/> })}
        <ReviewHistory risk=risk.clone()/>
        {may_edit.then(|| view! { <EditPanel risk action=actions.update/> })}
    }
}

#[component]
fn StepPanel(
    id: i64,
    version: i32,
    steps: Vec<RiskAction>,
    action: ServerAction<RiskStep>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    if steps.is_empty() {
        return view! {
            <section class="panel" aria-labelledby="steps-heading">
                <h2 id="steps-heading">"Next step"</h2>
                <FormErrors error/>
                <p class="muted">"There is no step for you to take on this risk now."</p>
            </section>
        }
        .into_any();
    }
    let closes = steps.contains(&RiskAction::Close);
    let accepts = steps.contains(&RiskAction::Accept);
    let reason_label = match (accepts, closes) {
        (true, true) => {
            "Why (accepting: why it is acceptable as it stands; closing: why it no longer applies)"
        }
        (true, false) => "Why it is acceptable as it stands (accepting)",
        _ => "Why it no longer applies (closing)",
    };
    view! {
        <section class="panel" aria-labelledby="steps-heading">
            <h2 id="steps-heading">"Next step"</h2>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=version/>
                {(accepts || closes).then(|| view! {
                    <div class="field">
                        <label for="risk-reason">{reason_label}</label>
                        <textarea id="risk-reason" name="form[reason]" rows=2 aria-describedby="risk-reason-error"></textarea>
                        <p class="field-error" id="risk-reason-error" aria-live="polite">{field_error(error, "reason")}</p>
                    </div>
                })}
                <div class="form-actions">
                    {steps.into_iter().map(|a| view! { <button type="submit" name="form[action]" value=a.as_str() class="button secondary" disabled=move || action.pending().get()>{a.label()}</button> }).collect_view()}
                </div>
            </ActionForm>
        </section>
    }.into_any()
}

/// The changes and continuity plans that name this risk as one they address.
#[component]
fn AddressedBy(addressors: Vec<Addressor>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="addressed-heading">
            <h2 id="addressed-heading">"Addressed by"</h2>
            {if addressors.is_empty() {
                view! { <p class="muted">"No change or continuity plan names this risk yet. Name it from the change or plan that treats it."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {addressors.into_iter().map(|a| view! {
                            <li>
                                <a href=a.kind.href(a.id)>{format!("{} {}", a.kind.reference(a.id), a.title)}</a>
                                <span class="muted">{format!(" — {}, named by {} on {}", a.kind.label(), a.linked_by, a.linked_at.format("%Y-%m-%d"))}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn ReviewPanel(id: i64, version: i32, action: ServerAction<ReviewRisk>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="review-heading">
            <h2 id="review-heading">"Record a review"</h2>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=version/>
                <div class="field">
                    <label for="risk-review-note">"What the review found"</label>
                    <textarea id="risk-review-note" name="form[note]" rows=3 aria-describedby="risk-review_note-error"></textarea>
                    <p class="field-error" id="risk-review_note-error" aria-live="polite">{field_error(error, "review_note")}</p>
                </div>
                <div class="field">
                    <label for="risk-next-review">"Next review"</label>
                    <input id="risk-next-review" type="date" name="form[next_review_on]" aria-describedby="risk-next_review_on-error"/>
                    <p class="field-error" id="risk-next_review_on-error" aria-live="polite">{field_error(error, "next_review_on")}</p>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button secondary" disabled=move || action.pending().get()>"Record the review"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn ReviewHistory(risk: SmsRisk) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="reviews-heading">
            <h2 id="reviews-heading">"Reviews"</h2>
            {if risk.reviews.is_empty() {
                view! { <p class="muted">"Not reviewed yet."</p> }.into_any()
            } else {
                view! {
                    <ol class="timeline">
                        {risk.reviews.into_iter().map(|r| view! {
                            <li>
                                <time datetime=r.at.to_rfc3339()>{r.at.format("%Y-%m-%d").to_string()}</time>
                                {format!(" {} — next review {}", r.by.name, r.next_review_on)}
                                <p class="prewrap">{r.note}</p>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn EditPanel(risk: SmsRisk, action: ServerAction<UpdateRisk>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| risk_form_choices());
    let (id, version) = (risk.id, risk.version);
    let initial = risk.form();
    view! {
        <section class="panel" aria-labelledby="edit-heading">
            <h2 id="edit-heading">"Rate and treat"</h2>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
                {move || {
                    let initial = initial.clone();
                    Suspend::new(async move {
                        match choices.await {
                            Ok(choices) => view! {
                                <ActionForm action attr:class="form" attr:novalidate=true>
                                    <FormErrors error/>
                                    <input type="hidden" name="id" value=id/>
                                    <input type="hidden" name="version" value=version/>
                                    <RiskFields choices initial error kind_fixed=true/>
                                    <div class="form-actions">
                                        <button type="submit" class="button" disabled=move || action.pending().get()>"Save the risk"</button>
                                    </div>
                                </ActionForm>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}
