//! What a change's configuration items reach through the CMDB: on the change's page and on
//! its CAB agenda item, so the board sees the services a change touches without naming them.
//! Readers without the CMDB see nothing here.

use crate::api::cmdb::change_ci_impact;
use crate::model::cmdb::ChangeImpact;
use leptos::prelude::*;

#[component]
pub fn ChangeCiImpact(change_id: i64, #[prop(optional)] version: i32) -> impl IntoView {
    let impact = Resource::new(
        move || (change_id, version),
        |(id, _)| async move { change_ci_impact(id).await.ok() },
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                impact
                    .await
                    .filter(|i| !i.items.is_empty() || !i.unknown.is_empty())
                    .map(|impact| view! { <ImpactSummary impact/> })
            })}
        </Transition>
    }
}

/// The reach itself, for a page that loaded it with its own data (the CAB meeting).
/// `without_items`: the page lists the items itself (an incident's, with their forms).
#[component]
pub fn ImpactSummary(impact: ChangeImpact, #[prop(optional)] without_items: bool) -> impl IntoView {
    let words = impact.words();
    let beyond = !impact.beyond().is_empty();
    let named = impact.named.clone();
    let subject = impact.subject.clone();
    view! {
        <section class=if beyond { "panel ci-impact beyond" } else { "panel ci-impact" } aria-label="Reached through configuration items">
            <h3>"Reached through configuration items"</h3>
            <p class:overdue=beyond>{words}</p>
            {(!without_items).then(|| view! {
                <ul class="ci-impact-items">
                    {impact.items.iter().map(|ci| view! {
                        <li><a href=ci.href()>{format!("{} {}", ci.reference(), ci.name)}</a>{format!(" ({})", ci.status.label().to_lowercase())}</li>
                    }).collect_view()}
                    {impact.unknown.iter().map(|name| view! {
                        <li>{name.clone()}<span class="muted">" — not in the CMDB"</span></li>
                    }).collect_view()}
                </ul>
            })}
            {(!impact.services.is_empty()).then(|| view! {
                <p><strong>"Services a failure would affect: "</strong></p>
                <ul class="ci-impact-services">
                    {impact.services.iter().map(|s| {
                        let unnamed = !named.contains(&s.service.id);
                        let how = if s.depth == 0 {
                            format!(" — {} serves it", s.through.name)
                        } else {
                            format!(" — through {}", s.through.name)
                        };
                        view! {
                            <li class:overdue=unnamed>
                                <a href=format!("/services/{}", s.service.id)>{s.service.name.clone()}</a>
                                {if unnamed { format!("{how} (not named on the {subject})") } else { how }}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
