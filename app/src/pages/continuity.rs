//! `/continuity`: every continuity plan with where it stands — state, review cycle, how long
//! its recovery takes against the RTOs it must meet, and what needs attention — and the form
//! to start a new plan.

use crate::api::continuity::{list_plans, plan_choices, CreatePlan};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::continuity_plan::PlanState;
use crate::model::plan_overview::{PlanSummary, ReviewStatus};
use crate::model::recovery::minutes_text;
use leptos::prelude::*;
use leptos_meta::Title;

pub fn plan_state_badge(state: PlanState) -> impl IntoView {
    view! { <span class=format!("badge plan-{}", state.as_str())>{state.label()}</span> }
}

pub fn review_badge(review: ReviewStatus) -> impl IntoView {
    let class = match review {
        ReviewStatus::Overdue { .. } => "badge badge-critical",
        ReviewStatus::DueSoon { .. } => "badge badge-medium",
        ReviewStatus::Current { .. } => "badge badge-low",
        ReviewStatus::NotApproved | ReviewStatus::Retired => "badge",
    };
    view! { <span class=class>{review.label()}</span> }
}

fn shortest_rto(plan: &PlanSummary) -> Option<u32> {
    plan.services.iter().filter_map(|s| s.rto_minutes).min()
}

#[component]
pub fn ContinuityPage() -> impl IntoView {
    let plans = Resource::new(|| (), |_| list_plans());
    view! {
        <Title text="Service continuity"/>
        <h1>"Service continuity"</h1>
        <p class="muted">"Clause 8.7.2: plans that meet the services' recovery objectives, reviewed on their cycle and after major changes, tested by exercises. Impact analyses are kept on each service's page."</p>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the plans…"</p> }>
            {move || Suspend::new(async move {
                match plans.await {
                    Ok(plans) if plans.is_empty() => view! {
                        <div class="empty-state">
                            <p><strong>"No continuity plans yet."</strong></p>
                            <p>"Start one below for your most critical service; its impact analysis (on the service's page) sets the RTO the plan must meet."</p>
                        </div>
                    }.into_any(),
                    Ok(plans) => view! { <PlanTable plans/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <IfAllowed permission=Permission::ContinuityEdit>
            <NewPlanForm/>
        </IfAllowed>
    }
}

#[component]
fn PlanTable(plans: Vec<PlanSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table plan-table">
                <thead><tr>
                    <th scope="col">"Plan"</th>
                    <th scope="col">"Covers"</th>
                    <th scope="col">"Owner"</th>
                    <th scope="col">"Latest version"</th>
                    <th scope="col">"Review"</th>
                    <th scope="col">"Recovery vs RTO"</th>
                    <th scope="col">"Needs attention"</th>
                </tr></thead>
                <tbody>
                    {plans.into_iter().map(|plan| {
                        let covers = plan.services.iter().map(|s| s.name.clone())
                            .chain((!plan.site.is_empty()).then(|| format!("Site: {}", plan.site)))
                            .collect::<Vec<_>>().join(", ");
                        let recovery = match (plan.total_minutes, shortest_rto(&plan)) {
                            (Some(total), Some(rto)) => format!("{} / RTO {}", minutes_text(total), minutes_text(rto)),
                            (Some(total), None) => format!("{} (no RTO set)", minutes_text(total)),
                            (None, _) => "Steps wait in a circle".into(),
                        };
                        let attention: Vec<String> = plan.warnings.iter().cloned()
                            .chain(plan.major_changes.iter().map(|c| format!("Major change since approval: CHG-{} {}", c.id, c.title)))
                            .collect();
                        view! {
                            <tr class:overdue=matches!(plan.review, ReviewStatus::Overdue { .. })>
                                <td><a href=format!("/continuity/plans/{}", plan.id)>{plan.title.clone()}</a></td>
                                <td>{covers}</td>
                                <td>{plan.owner.name.clone()}</td>
                                <td>{format!("v{} ", plan.latest.number)}{plan_state_badge(plan.latest.state)}</td>
                                <td>{review_badge(plan.review)}</td>
                                <td>{recovery}</td>
                                <td>
                                    {if attention.is_empty() {
                                        view! { <span class="muted">"—"</span> }.into_any()
                                    } else {
                                        view! { <ul class="plan-warnings">{attention.into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul> }.into_any()
                                    }}
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
fn NewPlanForm() -> impl IntoView {
    let create = ServerAction::<CreatePlan>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| plan_choices());
    let session = crate::components::session::use_session();
    view! {
        <section class="panel" aria-labelledby="new-plan-heading">
            <h2 id="new-plan-heading">"Start a plan"</h2>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let (services, people) = choices.await.unwrap_or_default();
                    // The person starting the plan usually owns it.
                    let me = session.user.await.ok().flatten().map(|u| u.id);
                    view! {
                        <ActionForm action=create attr:class="form" attr:novalidate=true>
                            <FormErrors error/>
                            <div class="field">
                                <label for="plan-title">"Title"</label>
                                <input id="plan-title" name="title" required placeholder="Payroll continuity plan" aria-describedby="plan-title-error"/>
                                <p class="field-error" id="plan-title-error">{field_error(error, "title")}</p>
                            </div>
                            <div class="field-row">
                                <div class="field">
                                    <label for="plan-owner">"Owner"</label>
                                    <select id="plan-owner" name="owner_id" aria-describedby="plan-owner-error">
                                        {people.into_iter().map(|p| view! { <option value=p.id selected=Some(p.id) == me>{p.name}</option> }).collect_view()}
                                    </select>
                                    <p class="field-error" id="plan-owner-error">{field_error(error, "owner_id")}</p>
                                </div>
                                <div class="field">
                                    <label for="plan-review">"Review every"</label>
                                    <select id="plan-review" name="review_months">
                                        {[3, 6, 12, 24].into_iter().map(|m| view! { <option value=m selected=m == 12>{format!("{m} months")}</option> }).collect_view()}
                                    </select>
                                </div>
                                <div class="field">
                                    <label for="plan-site">"Site (optional)"</label>
                                    <input id="plan-site" name="site" placeholder="Head office" aria-describedby="plan-site-error"/>
                                    <p class="field-error" id="plan-site-error">{field_error(error, "site")}</p>
                                </div>
                            </div>
                            <fieldset>
                                <legend>"Services it covers"</legend>
                                <div class="checkbox-list">
                                    {services.into_iter().enumerate().map(|(i, s)| {
                                        let id = format!("plan-service-{}", s.id);
                                        view! { <label class="checkbox" for=id><input type="checkbox" id=id.clone() name=format!("service_ids[{i}]") value=s.id/>" "{s.name}</label> }
                                    }).collect_view()}
                                </div>
                                <p class="field-error">{field_error(error, "service_ids")}</p>
                            </fieldset>
                            <div class="form-actions">
                                <button type="submit" class="button" disabled=move || create.pending().get()>"Start the plan"</button>
                            </div>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}
