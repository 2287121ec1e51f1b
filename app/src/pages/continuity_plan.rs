//! `/continuity/plans/:id` (`?version=N` to read an older version): one continuity plan —
//! the draft in the editor for those who may write it, any other version to read (and to
//! comment on while in review), the lifecycle transitions the reader may make, what needs attention,
//! the exercises, and links to compare versions, print and export.

use super::continuity::{plan_state_badge, review_badge};
use super::id_param;
use crate::api::continuity::{get_plan, CommentOnPlan, StartPlanDraft, TransitionPlanVersion};
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::plan_editor::PlanEditor;
use crate::components::plan_exercises::{ExerciseActions, PlanExercises};
use crate::components::plan_suppliers::PlanSuppliersSection;
use crate::components::plan_view::PlanReadOnly;
use crate::components::risk_links::RiskLinksSection;
use crate::components::session::{use_session, IfAllowed};
use crate::error::AppError;
use crate::model::access::{Permission, Role};
use crate::model::actor::ActorFacts;
use crate::model::continuity_plan::{plan_transition, PlanAction, PlanState, PlanVersion};
use crate::model::plan_overview::PlanDetail;
use crate::model::risk_link::AddressedBy;
use crate::model::user::CurrentUser;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ContinuityPlanPage() -> impl IntoView {
    let id = id_param();
    let query = use_query_map();
    let selected = Memo::new(move |_| {
        query
            .read()
            .get("version")
            .and_then(|v| v.parse::<i32>().ok())
    });
    let transitions = ServerAction::<TransitionPlanVersion>::new();
    let new_draft = ServerAction::<StartPlanDraft>::new();
    let comment = ServerAction::<CommentOnPlan>::new();
    let exercises = ExerciseActions::new();
    let reload = RwSignal::new(0u32);
    // Reload after a success only: a refusal must keep what the person typed.
    let reload_on = move |ok: bool| {
        if ok {
            reload.update(|n| *n += 1);
        }
    };
    Effect::new(move |_| reload_on(transitions.value().with(|v| matches!(v, Some(Ok(_))))));
    Effect::new(move |_| reload_on(new_draft.value().with(|v| matches!(v, Some(Ok(_))))));
    Effect::new(move |_| reload_on(comment.value().with(|v| matches!(v, Some(Ok(_))))));
    let plan = Resource::new(
        move || (id.get(), reload.get(), exercises.saved.get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => get_plan(id).await,
                None => Err(AppError::NotFound("That continuity plan".into())),
            }
        },
    );
    let session = use_session();
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the plan…"</p> }>
            {move || Suspend::new(async move {
                let user = session.user.await.ok().flatten();
                match plan.await {
                    Ok(plan) => view! { <PlanPageBody plan user selected=selected.get() transitions new_draft comment exercises/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Whether `user` may write the draft `version` of `plan` (the server checks the same).
fn may_write(user: Option<&CurrentUser>, plan: &PlanDetail, version: &PlanVersion) -> bool {
    user.is_some_and(|u| {
        u.may(Permission::ContinuityEdit)
            && (u.roles.contains(&Role::ContinuityManager)
                || u.id == plan.owner.id
                || u.id == version.author.id)
    })
}

#[component]
fn PlanPageBody(
    plan: PlanDetail,
    user: Option<CurrentUser>,
    selected: Option<i32>,
    transitions: ServerAction<TransitionPlanVersion>,
    new_draft: ServerAction<StartPlanDraft>,
    comment: ServerAction<CommentOnPlan>,
    exercises: ExerciseActions,
) -> impl IntoView {
    let Some(latest) = plan.latest().cloned() else {
        return view! { <p class="empty">"This plan has no versions."</p> }.into_any();
    };
    let shown = selected
        .and_then(|n| plan.versions.iter().find(|v| v.number == n).cloned())
        .unwrap_or_else(|| latest.clone());
    let editing = shown.id == latest.id
        && shown.state.is_editable()
        && !plan.retired
        && may_write(user.as_ref(), &plan, &shown);
    let may_comment = user
        .as_ref()
        .is_some_and(|u| u.may(Permission::ContinuityReview));
    let may_run = user.as_ref().is_some_and(|u| {
        u.may(Permission::ContinuityEdit)
            && (u.roles.contains(&Role::ContinuityManager) || u.id == plan.owner.id)
    });
    let may_read_suppliers = user
        .as_ref()
        .is_some_and(|u| u.may(Permission::SupplierRead));
    let draft_version = RwSignal::new(latest.version);
    let unsaved = RwSignal::new(false);
    let plan_id = plan.id;
    let covers = plan
        .services
        .iter()
        .map(|s| match s.rto_minutes {
            Some(rto) => format!(
                "{} (RTO {})",
                s.name,
                crate::model::recovery::minutes_text(rto)
            ),
            None => format!("{} (no impact analysis yet)", s.name),
        })
        .chain((!plan.site.is_empty()).then(|| format!("site {}", plan.site)))
        .collect::<Vec<_>>()
        .join(", ");
    let version_query = if shown.id == latest.id {
        String::new()
    } else {
        format!("?version={}", shown.number)
    };
    let version_links = plan
        .versions
        .iter()
        .map(|v| {
            let current = v.id == shown.id;
            view! {
                <li>
                    <a href=format!("/continuity/plans/{plan_id}?version={}", v.number)
                        aria-current=current.then_some("page")>{format!("Version {} ", v.number)}</a>
                    {plan_state_badge(v.state)}
                    {v.approved_by.as_ref().map(|who| format!(" approved by {}{}", who.name,
                        v.approved_at.map(|at| format!(" on {}", at.date_naive())).unwrap_or_default()))}
                </li>
            }
        })
        .collect_view();
    let draft_comments: Vec<_> = plan
        .comments
        .iter()
        .filter(|c| c.version_id == shown.id)
        .cloned()
        .collect();
    let major = plan.major_changes.clone();
    let owner_gaps = plan.owner_competence.clone();
    let review = plan.review;
    let body = if editing {
        view! {
            {(!draft_comments.is_empty()).then(|| view! {
                <aside class="banner banner-info plan-comments" aria-label="Reviewers' comments">
                    <p><strong>"Reviewers' comments on this version"</strong></p>
                    <ul>{draft_comments.into_iter().map(|c| view! {
                        <li><strong>{c.author.name}</strong>{format!(" on {}: ", c.section.label().to_lowercase())}{c.text}</li>
                    }).collect_view()}</ul>
                </aside>
            })}
            <PlanEditor draft=shown.clone() people=plan.people.clone() rtos=plan.rtos() version=draft_version unsaved/>
        }
        .into_any()
    } else {
        view! { <PlanReadOnly plan=plan.clone() version=shown.clone() may_comment comment/> }
            .into_any()
    };
    let lifecycle = (shown.id == latest.id && !plan.retired).then(|| {
        view! { <Lifecycle plan=plan.clone() latest=latest.clone() user=user.clone() transitions new_draft draft_version unsaved/> }
    });
    let compare_choices = plan
        .versions
        .iter()
        .map(|v| {
            (
                v.id,
                format!("Version {} ({})", v.number, v.state.label().to_lowercase()),
            )
        })
        .collect::<Vec<_>>();
    view! {
        <Title text=plan.title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/continuity">"Continuity"</a>" / "{plan.title.clone()}</nav>
        <h1>{plan.title.clone()}</h1>
        <p class="plan-meta">
            {format!("Owner {} · covers {} · reviewed every {} months · ", plan.owner.name, covers, plan.review_months)}
            {review_badge(review)}
        </p>
        <p class="plan-links">
            <a href=format!("/continuity/plans/{plan_id}/print{version_query}") target="_blank" rel="external">"Printable plan"</a>" · "
            <a href=format!("/continuity/plans/{plan_id}/plan.md{version_query}") download="" rel="external">"Markdown"</a>
        </p>
        {(!major.is_empty()).then(|| view! {
            <div class="banner banner-warning" role="status">
                <p><strong>"Review this plan: its services changed since it was approved."</strong></p>
                <ul>{major.into_iter().map(|c| view! {
                    <li><a href=format!("/changes/{}", c.id)>{format!("CHG-{} {}", c.id, c.title)}</a>{format!(" ({})", c.service)}</li>
                }).collect_view()}</ul>
            </div>
        })}
        {(!owner_gaps.is_empty()).then(|| {
            let refused = owner_gaps.iter().any(|g| g.gate == crate::model::competence::Gate::Block);
            view! {
                <div class="banner banner-warning" role="status">
                    <p><strong>{format!("The plan's owner, {}, does not hold what a plan owner needs: {}.", plan.owner.name, crate::model::competence::gaps_words(&owner_gaps))}</strong></p>
                    <p>{if refused { "A new version is not approved until a quality manager records their evidence or the plan has another owner." } else { "A quality manager records their evidence once they hold it." }}</p>
                </div>
            }
        })}
        {review.needs_attention().then(|| view! {
            <p class="banner banner-warning" role="status">{format!("{}: confirm it still holds and approve a new version.", review.label())}</p>
        })}
        <div class="plan-layout">
            <nav class="plan-versions" aria-label="Versions">
                <h2>"Versions"</h2>
                <ol reversed>{version_links}</ol>
                {(compare_choices.len() > 1).then(|| view! { <CompareForm plan_id choices=compare_choices.clone()/> })}
            </nav>
            <div class="plan-main">
                <p class="plan-version-line">{format!("Version {} · ", shown.number)}{plan_state_badge(shown.state)}{format!(" · written by {}", shown.author.name)}</p>
                {lifecycle}
                {body}
            </div>
        </div>
        <PlanExercises plan_id exercises=plan.exercises.clone() may_run actions=exercises/>
        // Rendered with the body (not deferred like `IfAllowed`): its data is then read in the
        // same order on the server and in the browser, which hydration relies on.
        {may_read_suppliers.then(|| view! { <PlanSuppliersSection plan_id/> })}
        <IfAllowed permission=Permission::RiskRead>
            <RiskLinksSection addressed_by=AddressedBy::ContinuityPlan record_id=plan_id/>
        </IfAllowed>
    }
    .into_any()
}

/// The transitions the reader may make on the newest version, and starting the next draft.
#[component]
fn Lifecycle(
    plan: PlanDetail,
    latest: PlanVersion,
    user: Option<CurrentUser>,
    transitions: ServerAction<TransitionPlanVersion>,
    new_draft: ServerAction<StartPlanDraft>,
    draft_version: RwSignal<i32>,
    unsaved: RwSignal<bool>,
) -> impl IntoView {
    let error = Signal::derive(move || {
        transitions
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| new_draft.value().get().and_then(|r| r.err()))
    });
    let Some(user) = user.filter(|u| u.may(Permission::ContinuityEdit)) else {
        return ().into_any();
    };
    let actions: Vec<PlanAction> = [
        PlanAction::SendToReview,
        PlanAction::ReturnToDraft,
        PlanAction::Approve,
        PlanAction::Retire,
    ]
    .into_iter()
    .filter(|a| {
        plan_transition(
            latest.state,
            *a,
            latest.author.id,
            &latest.contributor_ids,
            plan.owner.id,
            &ActorFacts::from(&user),
        )
        .is_ok()
    })
    .collect();
    let can_redraft = matches!(latest.state, PlanState::Approved | PlanState::Superseded);
    let version_id = latest.id;
    view! {
        <div class="lifecycle" role="group" aria-label="Plan lifecycle">
            <FormErrors error/>
            {actions.into_iter().map(|action| {
                let hold_back = action == PlanAction::SendToReview;
                view! {
                    <ActionForm action=transitions attr:class="inline-form">
                        <input type="hidden" name="version_id" value=version_id/>
                        <input type="hidden" name="version" value=move || draft_version.get()/>
                        <input type="hidden" name="action" value=format!("{action:?}")/>
                        <button type="submit"
                            class=if action == PlanAction::Retire { "button secondary" } else { "button" }
                            disabled=move || transitions.pending().get() || (hold_back && unsaved.get())
                            title=move || (hold_back && unsaved.get()).then_some("Wait until the draft is saved")>
                            {action.label()}
                        </button>
                    </ActionForm>
                }
            }).collect_view()}
            {can_redraft.then(|| view! {
                <ActionForm action=new_draft attr:class="inline-form">
                    <input type="hidden" name="plan_id" value=plan.id/>
                    <button type="submit" class="button" disabled=move || new_draft.pending().get()>"Start a new draft"</button>
                </ActionForm>
            })}
        </div>
    }
    .into_any()
}

/// Two versions to compare; a plain GET form, so it works before the page is interactive.
#[component]
fn CompareForm(plan_id: i64, choices: Vec<(i64, String)>) -> impl IntoView {
    let newest = choices.first().map(|(id, _)| *id);
    let previous = choices.get(1).map(|(id, _)| *id);
    view! {
        <form method="get" action=format!("/continuity/plans/{plan_id}/compare") class="form compare-form">
            <h3>"Compare versions"</h3>
            <label for="compare-old">"From"</label>
            <select id="compare-old" name="old">
                {choices.iter().map(|(id, label)| view! { <option value=*id selected=Some(*id) == previous>{label.clone()}</option> }).collect_view()}
            </select>
            <label for="compare-new">"To"</label>
            <select id="compare-new" name="new">
                {choices.iter().map(|(id, label)| view! { <option value=*id selected=Some(*id) == newest>{label.clone()}</option> }).collect_view()}
            </select>
            <button type="submit" class="button secondary small">"Compare"</button>
        </form>
    }
}
