//! One change: what, why, when, risk, conflicts, the moves you may make, and its timeline.

use super::id_param;
use crate::api::changes::{change_history, get_change, OverrideConflicts, TransitionChange};
use crate::api::incidents::incidents_caused_by;
use crate::components::change_badges::{RiskBadge, StateBadge, TypeBadge};
use crate::components::ci_impact::ChangeCiImpact;
use crate::components::error_view::{ErrorBanner, ErrorPanel};
use crate::components::history::HistoryList;
use crate::components::risk_links::RiskLinksSection;
use crate::components::session::{use_session, IfAllowed};
use crate::error::AppError;
use crate::model::access::{Permission, Role};
use crate::model::actor::ActorFacts;
use crate::model::change::{available_actions, ChangeAction};
use crate::model::change_request::{reference, Change};
use crate::model::incident::CausedIncidents;
use crate::model::risk_link::AddressedBy;
use crate::pages::change_list::window_text;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ChangeDetailPage() -> impl IntoView {
    let id = id_param();
    let transition = ServerAction::<TransitionChange>::new();
    let override_action = ServerAction::<OverrideConflicts>::new();
    let change = Resource::new(
        move || {
            (
                id.get(),
                transition.version().get(),
                override_action.version().get(),
            )
        },
        |(id, _, _)| async move {
            match id {
                Some(id) => get_change(id).await,
                None => Err(AppError::NotFound("That change".into())),
            }
        },
    );
    let error = Signal::derive(move || {
        transition
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| override_action.value().get().and_then(Result::err))
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the change…"</p> }>
            {move || Suspend::new(async move {
                match change.await {
                    Ok(change) => view! { <ChangeView change transition override_action error/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn text_block(label: &'static str, text: &str) -> impl IntoView {
    let shown = if text.trim().is_empty() {
        "—".to_string()
    } else {
        text.to_string()
    };
    view! { <dt>{label}</dt><dd class="prose">{shown}</dd> }
}

#[component]
fn ChangeView(
    change: Change,
    transition: ServerAction<TransitionChange>,
    override_action: ServerAction<OverrideConflicts>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let session = use_session();
    let title = format!("{} {}", change.reference(), change.title);
    let facts = change.facts();
    let id = change.id;
    let version = change.version;
    let may_override = !change.conflicts.is_empty() && change.conflict_override.is_none();
    let carried_out = change.state.was_carried_out();
    // Only a change carried out can have caused incidents; readers without incident access
    // are simply not shown them.
    let caused = Resource::new(
        move || version,
        move |_| async move {
            if carried_out {
                incidents_caused_by(id).await.ok()
            } else {
                None
            }
        },
    );
    let actions = move || {
        let facts = facts.clone();
        Suspend::new(async move {
            let linked = caused.await.map(|c| c.total).unwrap_or(0);
            let user = session.user.await.ok().flatten()?;
            let is_manager = user.roles.contains(&Role::ChangeManager);
            let moves = available_actions(&facts, &ActorFacts::from(&user));
            Some(view! {
                <section class="actions" aria-labelledby="actions-heading">
                    <h2 id="actions-heading">"What you can do"</h2>
                    {if moves.is_empty() {
                        view! { <p class="muted">"Nothing for you to do on this change right now."</p> }.into_any()
                    } else {
                        moves.into_iter().map(|(action, next)| view! {
                            <ActionForm action=transition attr:class="inline-form action-form">
                                <input type="hidden" name="id" value=id/>
                                <input type="hidden" name="version" value=version/>
                                <input type="hidden" name="action" value=action.as_str()/>
                                {(action.needs_comment()).then(|| {
                                    let field_id = format!("comment-{}", action.as_str());
                                    view! {
                                        <label for=field_id.clone()>"Why?"</label>
                                        <input id=field_id name="comment" maxlength=2000 required=true/>
                                    }
                                })}
                                {(action == ChangeAction::Review).then(|| view! {
                                    <label for="review-outcome">"Outcome"</label>
                                    <input id="review-outcome" name="review_outcome" maxlength=2000/>
                                    <label for="review-incidents">"Incidents caused"</label>
                                    <input id="review-incidents" name="review_incidents" type="number" min=linked.to_string() value=linked.to_string()/>
                                    <label for="review-lessons">"Lessons"</label>
                                    <input id="review-lessons" name="review_lessons" maxlength=4000/>
                                })}
                                <button type="submit" class="button small">{format!("{} → {}", action.label(), next.label())}</button>
                            </ActionForm>
                        }).collect_view().into_any()
                    }}
                    {(is_manager && may_override).then(|| view! {
                        <ActionForm action=override_action attr:class="inline-form">
                            <input type="hidden" name="id" value=id/>
                            <input type="hidden" name="version" value=version/>
                            <label for="override-reason">"Accept the conflicts because"</label>
                            <input id="override-reason" name="reason" maxlength=2000/>
                            <button type="submit" class="button small secondary">"Override conflicts"</button>
                        </ActionForm>
                    })}
                </section>
            })
        })
    };
    let history = Resource::new(move || version, move |_| change_history(id));
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/changes">"Changes"</a>" / "{change.reference()}</nav>
        <div class="page-header">
            <h1>{title}</h1>
            <div class="page-actions">
                <TypeBadge change_type=change.change_type/>
                <StateBadge state=change.state/>
                <RiskBadge risk=change.risk_level()/>
                {change.imported.then(|| view! {
                    <span class="badge imported" title="Imported history: read-only">"Imported"</span>
                })}
                {change.is_editable().then(|| view! {
                    <IfAllowed permission=Permission::ChangeRaise>
                        <a class="button secondary" href=format!("/changes/{id}/edit")>"Edit"</a>
                    </IfAllowed>
                })}
                {change.local_window.as_ref().map(|window| view! {
                    <a class="button secondary" href=format!("/calendar?view=week&date={}", window.start.format("%Y-%m-%d"))>"On the calendar"</a>
                })}
            </div>
        </div>
        {move || error.get().map(|error| view! { <ErrorBanner error/> })}
        {change.imported.then(|| view! {
            <div class="banner banner-info imported-history" role="status">
                <p>"Imported history: this change was recorded elsewhere and arrived closed. It is read-only here; nothing can edit or move it."</p>
            </div>
        })}
        {(change.state == crate::model::change::ChangeState::Assessed).then(|| view! {
            <p class="muted reassessment-note">"Editing the risk answers, services, plans or schedule sends this change back for assessment."</p>
        })}
        {(!change.conflicts.is_empty()).then(|| view! {
            <div class="banner banner-warning" role="status">
                <p><strong>"Schedule conflicts"</strong>{change.conflict_override.clone().map(|o| format!(" (overridden: {o})"))}</p>
                <ul>{change.conflicts.iter().map(|c| view! { <li>{c.message.clone()}</li> }).collect_view()}</ul>
            </div>
        })}
        <Transition fallback=|| ()>{actions}</Transition>
        <dl class="details">
            <dt>"Planned"</dt><dd>{window_text(change.local_window.as_ref(), change.planned_start, change.planned_end)}</dd>
            <dt>"Approval path"</dt><dd>{change.approval_path().label()}</dd>
            <dt>"Requester"</dt><dd>{change.requester.name.clone()}</dd>
            <dt>"Owner"</dt><dd>{change.owner.name.clone()}</dd>
            {(!change.former_owners.is_empty()).then(|| view! {
                <dt>"Former owners"</dt>
                <dd>{change.former_owners.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", ")}<span class="muted">" (they do not decide on it)"</span></dd>
            })}
            <dt>"Implementers"</dt><dd>{change.implementers.iter().map(|p| p.name.clone()).collect::<Vec<_>>().join(", ")}</dd>
            <dt>"Services"</dt><dd>{change.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")}</dd>
            <dt>"Outage"</dt><dd>{if change.expects_outage { format!("{} minutes", change.outage_minutes) } else { "None expected".into() }}</dd>
            {text_block("Description", &change.description)}
            {text_block("Reason and benefit", &change.reason)}
            {text_block("Implementation plan", &change.implementation_plan)}
            {text_block("Test plan", &change.test_plan)}
            {text_block("Back-out plan", &change.backout_plan)}
            {text_block("Communication plan", &change.communication_plan)}
            <dt>"Risk"</dt>
            <dd>{match &change.risk {
                Some(risk) => view! {
                    <p>{format!("{} (score {})", risk.level.label(), risk.score)}</p>
                    <ul>{risk.explanation.iter().map(|line| view! { <li>{line.clone()}</li> }).collect_view()}</ul>
                }.into_any(),
                None => view! { <p>"Not assessed yet."</p> }.into_any(),
            }}</dd>
            {change.template.clone().map(|(template_id, name)| view! {
                <dt>"Standard template"</dt>
                <dd><a href=format!("/changes/templates/{template_id}")>{name}</a></dd>
            })}
            <dt>"Related changes"</dt>
            <dd>{if change.related.is_empty() {
                view! { "None" }.into_any()
            } else {
                view! {
                    <ul class="related-changes">
                        {change.related.iter().map(|r| view! {
                            <li>
                                <a href=format!("/changes/{}", r.id)>{reference(r.id)}" "{r.title.clone()}</a>
                                " "<StateBadge state=r.state/>
                                {(!r.outgoing).then(|| view! { <span class="muted">" (links here)"</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}</dd>
            {change.review.clone().map(|review| view! {
                <dt>"Post-implementation review"</dt>
                <dd>{format!("{} · {} incident(s) · {}", review.outcome, review.incidents, review.lessons)}</dd>
            })}
        </dl>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                caused.await.map(|caused| view! { <CausedIncidentsSection caused/> })
            })}
        </Transition>
        <ChangeCiImpact change_id=id version/>
        <IfAllowed permission=Permission::RiskRead>
            <RiskLinksSection addressed_by=AddressedBy::Change record_id=id/>
        </IfAllowed>
        <section class="history-section" aria-labelledby="timeline-heading">
            <h2 id="timeline-heading">"Timeline"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    history.await.map(|entries| view! { <HistoryList entries/> })
                })}
            </Transition>
        </section>
    }
}

/// The incidents linked as caused by the change, newest first.
#[component]
fn CausedIncidentsSection(caused: CausedIncidents) -> impl IntoView {
    let CausedIncidents { listed, total } = caused;
    let more = total.saturating_sub(listed.len() as u64);
    view! {
        <section class="panel" aria-labelledby="caused-heading">
            <h2 id="caused-heading">"Incidents it caused"</h2>
            {if listed.is_empty() {
                view! { <p class="muted">"No incident is linked as caused by this change. Those who work incidents link one from the incident's record."</p> }.into_any()
            } else {
                view! {
                    <p>{format!("{total} incident{} linked as caused by this change: it counts as not successful.", if total == 1 { " is" } else { "s are" })}</p>
                    <ul>
                        {listed.into_iter().map(|i| view! {
                            <li>
                                <a href=format!("/incidents/{}", i.id)>{i.reference}</a>" "{i.title}
                                <span class="muted">{format!(" · {} · {}", i.priority.label(), i.state.label())}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                    {(more > 0).then(|| view! { <p class="muted">{format!("And {more} more.")}</p> })}
                }.into_any()
            }}
        </section>
    }
}
