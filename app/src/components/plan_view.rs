//! A plan version to read (approved, superseded, in review, or a draft someone else may
//! edit): every section as it will be used, the timeline, and the reviewers' comments on each
//! section with a form to add one while the version is in review. Rendered on the server, so
//! it reads without JavaScript.

use crate::api::continuity::CommentOnPlan;
use crate::components::change_fields::field_error;
use crate::components::error_view::FormErrors;
use crate::components::plan_timeline::PlanTimeline;
use crate::model::continuity_plan::{PlanState, PlanVersion, Section};
use crate::model::plan_editing::MAX_DEPTH;
use crate::model::plan_overview::{PlanComment, PlanDetail};
use crate::model::recovery::minutes_text;
use leptos::prelude::*;

/// The class that indents a recovery step by its depth (style/main.css has one per depth: the
/// Content-Security-Policy refuses `style` attributes).
pub fn step_depth_class(depth: u8) -> String {
    format!("step-depth-{}", depth.min(MAX_DEPTH))
}

fn paragraphs(text: &str) -> AnyView {
    if text.trim().is_empty() {
        return view! { <p class="empty">"Not written yet."</p> }.into_any();
    }
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| view! { <p>{l.to_string()}</p> })
        .collect_view()
        .into_any()
}

#[component]
pub fn PlanReadOnly(
    plan: PlanDetail,
    version: PlanVersion,
    /// Whether the reader may comment (holds `ContinuityReview`).
    may_comment: bool,
    comment: ServerAction<CommentOnPlan>,
) -> impl IntoView {
    let open_for_comments = may_comment && version.state == PlanState::InReview;
    let comments: Vec<PlanComment> = plan
        .comments
        .iter()
        .filter(|c| c.version_id == version.id)
        .cloned()
        .collect();
    let comments = StoredValue::new(comments);
    let last_sent = RwSignal::new(None::<Section>);
    let name = |id: Option<i64>| {
        id.and_then(|id| plan.person_name(id).map(str::to_string))
            .unwrap_or_else(|| "no owner".into())
    };
    let content = version.content.clone();
    let steps_table = {
        let schedule = crate::model::recovery::schedule(&content.steps).ok();
        content
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let slot = schedule
                    .as_ref()
                    .and_then(|s| s.slots.iter().find(|slot| slot.key == step.key));
                let critical = schedule
                    .as_ref()
                    .is_some_and(|s| s.critical_path.contains(&step.key));
                view! {
                    <tr class:critical=critical>
                        <td>{i + 1}</td>
                        <td class=step_depth_class(step.depth)>{format!("#{} {}", step.key, step.title)}</td>
                        <td>{name(step.owner_id)}</td>
                        <td>{minutes_text(step.duration_minutes)}</td>
                        <td>{slot.map(|s| format!("+{}", minutes_text(s.start))).unwrap_or_default()}</td>
                        <td>{step.waits_for.iter().map(|k| format!("#{k}")).collect::<Vec<_>>().join(", ")}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    let section_comments = move |section: Section| {
        let here: Vec<PlanComment> = comments.with_value(|all| {
            all.iter()
                .filter(|c| c.section == section)
                .cloned()
                .collect()
        });
        view! {
            {(!here.is_empty()).then(|| view! {
                <aside class="plan-comments" aria-label=format!("Reviewers' comments on {}", section.label())>
                    <h3>"Reviewers' comments"</h3>
                    <ul>
                        {here.into_iter().map(|c| view! {
                            <li><strong>{c.author.name}</strong>{format!(" ({}): ", c.created_at.format("%Y-%m-%d %H:%M"))}{c.text}</li>
                        }).collect_view()}
                    </ul>
                </aside>
            })}
            {open_for_comments.then(|| view! { <CommentForm version_id=version.id section comment last_sent/> })}
        }
    };
    let rtos = plan.rtos();
    view! {
        <article class="plan-read">
            <section class="plan-section">
                <h2 id="section-call_tree">{Section::CallTree.label()}</h2>
                {if content.call_tree.is_empty() {
                    view! { <p class="empty">"Nobody in the call tree yet."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap"><table class="data-table">
                            <thead><tr><th scope="col">"Order"</th><th scope="col">"Role"</th><th scope="col">"Person"</th><th scope="col">"Deputy"</th><th scope="col">"Phone"</th></tr></thead>
                            <tbody>{content.call_tree.iter().enumerate().map(|(i, c)| view! {
                                <tr><td>{i + 1}</td><td>{c.role.clone()}</td><td>{c.person.clone()}</td><td>{c.deputy.clone()}</td><td>{c.phone.clone()}</td></tr>
                            }).collect_view()}</tbody>
                        </table></div>
                    }.into_any()
                }}
                {section_comments(Section::CallTree)}
            </section>
            <section class="plan-section">
                <h2 id="section-scope">{Section::Scope.label()}</h2>
                {paragraphs(&content.scope)}
                {section_comments(Section::Scope)}
            </section>
            <section class="plan-section">
                <h2 id="section-activation">{Section::Activation.label()}</h2>
                {paragraphs(&content.activation)}
                {section_comments(Section::Activation)}
            </section>
            <section class="plan-section">
                <h2 id="section-scenarios">{Section::Scenarios.label()}</h2>
                {if content.scenarios.is_empty() {
                    view! { <p class="empty">"No scenarios yet."</p> }.into_any()
                } else {
                    view! { <dl class="scenario-list">{content.scenarios.iter().map(|s| view! { <dt>{s.name.clone()}</dt><dd>{s.strategy.clone()}</dd> }).collect_view()}</dl> }.into_any()
                }}
                {section_comments(Section::Scenarios)}
            </section>
            <section class="plan-section">
                <h2 id="section-steps">{Section::Steps.label()}</h2>
                {if content.steps.is_empty() {
                    view! { <p class="empty">"No recovery steps yet."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap"><table class="data-table steps-table">
                            <thead><tr><th scope="col">"#"</th><th scope="col">"Step"</th><th scope="col">"Owner"</th><th scope="col">"Takes"</th><th scope="col">"Starts at"</th><th scope="col">"Waits for"</th></tr></thead>
                            <tbody>{steps_table}</tbody>
                        </table></div>
                    }.into_any()
                }}
                <PlanTimeline content=Signal::stored(content.clone()) rtos=Signal::stored(rtos)/>
                {section_comments(Section::Steps)}
            </section>
            <section class="plan-section">
                <h2 id="section-communications">{Section::Communications.label()}</h2>
                {if content.communications.is_empty() {
                    view! { <p class="empty">"No communications planned yet."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap"><table class="data-table">
                            <thead><tr><th scope="col">"Who"</th><th scope="col">"What"</th><th scope="col">"When"</th></tr></thead>
                            <tbody>{content.communications.iter().map(|c| view! {
                                <tr><td>{c.audience.clone()}</td><td>{c.message.clone()}</td><td>{c.when.clone()}</td></tr>
                            }).collect_view()}</tbody>
                        </table></div>
                    }.into_any()
                }}
                {section_comments(Section::Communications)}
            </section>
            <section class="plan-section">
                <h2 id="section-return_to_normal">{Section::ReturnToNormal.label()}</h2>
                {paragraphs(&content.return_to_normal)}
                {section_comments(Section::ReturnToNormal)}
            </section>
            <section class="plan-section">
                <h2 id="section-related_plans">{Section::RelatedPlans.label()}</h2>
                {paragraphs(&content.related_plans)}
                {section_comments(Section::RelatedPlans)}
            </section>
        </article>
    }
}

#[component]
fn CommentForm(
    version_id: i64,
    section: Section,
    comment: ServerAction<CommentOnPlan>,
    /// The section whose form was sent last: its errors show there only.
    last_sent: RwSignal<Option<Section>>,
) -> impl IntoView {
    let error = Signal::derive(move || {
        let mine = last_sent.get() == Some(section);
        comment.value().get().and_then(Result::err).filter(|_| mine)
    });
    let id = format!("comment-{}", section.as_str());
    view! {
        <ActionForm action=comment attr:class="form comment-form" attr:novalidate=true>
            <input type="hidden" name="version_id" value=version_id/>
            <input type="hidden" name="section" value=section.as_str()/>
            <FormErrors error/>
            <label for=id.clone()>{format!("Comment on {}", section.label().to_lowercase())}</label>
            <textarea id=id name="text" rows=2></textarea>
            <p class="field-error">{field_error(error, "text")}</p>
            <button type="submit" class="button secondary small" disabled=move || comment.pending().get()
                on:click=move |_| last_sent.set(Some(section))>"Add comment"</button>
        </ActionForm>
    }
}
