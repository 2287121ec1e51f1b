use crate::api::dashboard::get_dashboard;
use crate::components::badges::CriticalityBadge;
use crate::components::error_view::ErrorPanel;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let summary = Resource::new(|| (), |_| get_dashboard());
    view! {
        <Title text="Dashboard"/>
        <h1>"Dashboard"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the dashboard…"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(summary) => {
                        let total = summary.active_services();
                        view! {
                            <section class="cards" aria-label="Service catalogue">
                                <a class="card" href="/services">
                                    <span class="card-figure">{total}</span>
                                    <span class="card-label">"active services"</span>
                                </a>
                                {summary
                                    .services_by_criticality
                                    .into_iter()
                                    .rev()
                                    .map(|(criticality, count)| {
                                        view! {
                                            <a class="card" href=format!("/services?criticality={}", criticality.as_str())>
                                                <span class="card-figure">{count}</span>
                                                <span class="card-label">
                                                    <CriticalityBadge criticality/>
                                                </span>
                                            </a>
                                        }
                                    })
                                    .collect_view()}
                            </section>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
