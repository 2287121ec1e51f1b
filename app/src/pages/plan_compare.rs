//! `/continuity/plans/:id/compare?old=ID&new=ID`: what changed between two versions of a
//! plan, section by section; unchanged sections say so in one line.

use super::id_param;
use crate::api::continuity::{compare_plan_versions, get_plan};
use crate::components::error_view::ErrorPanel;
use crate::error::AppError;
use crate::model::continuity_plan::DiffLine;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PlanComparePage() -> impl IntoView {
    let id = id_param();
    let query = use_query_map();
    let pick = move |name: &'static str| {
        Memo::new(move |_| query.read().get(name).and_then(|v| v.parse::<i64>().ok()))
    };
    let (old, new) = (pick("old"), pick("new"));
    let data = Resource::new(
        move || (id.get(), old.get(), new.get()),
        |(id, old, new)| async move {
            let (Some(id), Some(old), Some(new)) = (id, old, new) else {
                return Err(AppError::BadRequest(
                    "Choose the two versions to compare.".into(),
                ));
            };
            let plan = get_plan(id).await?;
            if !plan.versions.iter().any(|v| v.id == old)
                || !plan.versions.iter().any(|v| v.id == new)
            {
                return Err(AppError::NotFound("That version of the plan".into()));
            }
            let diff = compare_plan_versions(old, new).await?;
            Ok((plan, old, new, diff))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Comparing…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((plan, old, new, diff)) => {
                        let label = |id: i64| plan.versions.iter().find(|v| v.id == id)
                            .map(|v| format!("version {} ({})", v.number, v.state.label().to_lowercase()))
                            .unwrap_or_default();
                        let title = format!("{}: {} → {}", plan.title, label(old), label(new));
                        let changed = diff.iter().filter(|d| d.changed()).count();
                        view! {
                            <Title text=title.clone()/>
                            <nav class="breadcrumbs" aria-label="Breadcrumb">
                                <a href="/continuity">"Continuity"</a>" / "<a href=format!("/continuity/plans/{}", plan.id)>{plan.title.clone()}</a>" / Compare"
                            </nav>
                            <h1>{format!("Changes from {} to {}", label(old), label(new))}</h1>
                            <p class="muted">{format!("{changed} of {} sections changed. Lines starting with − were removed, + were added.", diff.len())}</p>
                            {diff.into_iter().map(|section| {
                                let changed = section.changed();
                                view! {
                                    <section class="plan-section diff-section" class:unchanged=!changed>
                                        <h2>{section.section.label()}</h2>
                                        {if changed {
                                            view! {
                                                <pre class="diff">{section.lines.into_iter().map(|line| match line {
                                                    DiffLine::Same(t) => view! { <span class="diff-same">{format!("  {t}\n")}</span> }.into_any(),
                                                    DiffLine::Removed(t) => view! { <del class="diff-removed">{format!("− {t}\n")}</del> }.into_any(),
                                                    DiffLine::Added(t) => view! { <ins class="diff-added">{format!("+ {t}\n")}</ins> }.into_any(),
                                                }).collect_view()}</pre>
                                            }.into_any()
                                        } else {
                                            view! { <p class="muted">"Unchanged."</p> }.into_any()
                                        }}
                                    </section>
                                }
                            }).collect_view()}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
