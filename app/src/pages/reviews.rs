//! `/compliance/reviews`: the management reviews (clause 9.3) — each with its state, date and
//! open actions — and, for the quality manager, the form to plan the next one.

use crate::api::reviews::{list_reviews, review_people, PlanReview};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::management_review::last_full_quarter;
use crate::model::management_review::{ReviewState, ReviewSummary};
use leptos::prelude::*;
use leptos_meta::Title;

pub fn review_state_badge(state: ReviewState) -> impl IntoView {
    view! { <span class=format!("badge review-{}", state.as_str())>{state.label()}</span> }
}

#[component]
pub fn ReviewsPage() -> impl IntoView {
    let reviews = Resource::new(|| (), |_| list_reviews());
    view! {
        <Title text="Management reviews"/>
        <h1>"Management reviews"</h1>
        <p class="muted">"Clause 9.3: top management reviews the service management system at planned intervals. Conform gathers the inputs — KPIs and their trends, audit results, nonconformities, improvements, earlier actions — and keeps the decisions, the actions until done and the published minutes."</p>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the reviews…"</p> }>
            {move || Suspend::new(async move {
                match reviews.await {
                    Ok(reviews) if reviews.is_empty() => view! {
                        <div class="empty-state">
                            <p><strong>"No management review yet."</strong></p>
                            <p>"Plan the first one below: choose its date and the period its inputs cover (usually the last quarter or half-year)."</p>
                        </div>
                    }.into_any(),
                    Ok(reviews) => view! { <ReviewTable reviews/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <IfAllowed permission=Permission::ReviewManage>
            <PlanReviewForm/>
        </IfAllowed>
    }
}

#[component]
fn ReviewTable(reviews: Vec<ReviewSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table review-table">
                <thead><tr>
                    <th scope="col">"Review"</th>
                    <th scope="col">"Date"</th>
                    <th scope="col">"Chair"</th>
                    <th scope="col">"State"</th>
                    <th scope="col">"Open actions"</th>
                </tr></thead>
                <tbody>
                    {reviews.into_iter().map(|r| view! {
                        <tr class:overdue={r.overdue_actions > 0}>
                            <td><a href=format!("/compliance/reviews/{}", r.id)>{r.title.clone()}</a></td>
                            <td>{r.planned_on.format("%-d %b %Y").to_string()}</td>
                            <td>{r.chair.clone()}</td>
                            <td>{review_state_badge(r.state)}</td>
                            <td>
                                {r.open_actions}
                                {(r.overdue_actions > 0).then(|| view! { " "<span class="badge badge-critical">{format!("{} overdue", r.overdue_actions)}</span> })}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn PlanReviewForm() -> impl IntoView {
    let plan = ServerAction::<PlanReview>::new();
    let error = Signal::derive(move || plan.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| review_people());
    let session = crate::components::session::use_session();
    view! {
        <section class="panel" aria-labelledby="plan-review-heading">
            <h2 id="plan-review-heading">"Plan a review"</h2>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let Ok((people, today)) = choices.await else {
                        return view! { <p class="muted">"The list of people could not be loaded."</p> }.into_any();
                    };
                    let me = session.user.await.ok().flatten().map(|u| u.id);
                    let period = last_full_quarter(today);
                    let (start, end) = (period.start, period.end);
                    let planned = today + chrono::Duration::days(14);
                    view! {
                        <ActionForm action=plan attr:class="form" attr:novalidate=true>
                            <FormErrors error/>
                            <div class="field">
                                <label for="review-title">"Title"</label>
                                <input id="review-title" name="form[title]" required placeholder="Management review Q4" aria-describedby="review-title-error"/>
                                <p class="field-error" id="review-title-error">{field_error(error, "title")}</p>
                            </div>
                            <div class="field-row">
                                <div class="field">
                                    <label for="review-date">"Date of the review"</label>
                                    <input id="review-date" type="date" name="form[planned_on]" value=planned.to_string() aria-describedby="review-date-error"/>
                                    <p class="field-error" id="review-date-error">{field_error(error, "planned_on")}</p>
                                </div>
                                <div class="field">
                                    <label for="review-chair">"Chair"</label>
                                    <select id="review-chair" name="form[chair_id]" aria-describedby="review-chair-error">
                                        {people.into_iter().map(|p| view! { <option value=p.id selected=Some(p.id) == me>{p.name}</option> }).collect_view()}
                                    </select>
                                    <p class="field-error" id="review-chair-error">{field_error(error, "chair_id")}</p>
                                </div>
                            </div>
                            <fieldset>
                                <legend>"Period the inputs cover"</legend>
                                <div class="field-row">
                                    <div class="field">
                                        <label for="review-from">"From"</label>
                                        <input id="review-from" type="date" name="form[period_start]" value=start.to_string() aria-describedby="review-from-error"/>
                                        <p class="field-error" id="review-from-error">{field_error(error, "period_start")}</p>
                                    </div>
                                    <div class="field">
                                        <label for="review-to">"To"</label>
                                        <input id="review-to" type="date" name="form[period_end]" value=end.to_string() aria-describedby="review-to-error"/>
                                        <p class="field-error" id="review-to-error">{field_error(error, "period_end")}</p>
                                    </div>
                                </div>
                            </fieldset>
                            <div class="form-actions">
                                <button type="submit" class="button" disabled=move || plan.pending().get()>"Plan the review"</button>
                            </div>
                        </ActionForm>
                    }.into_any()
                })}
            </Suspense>
        </section>
    }
}
