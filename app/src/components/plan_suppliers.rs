//! The "Suppliers it depends on" section of a continuity plan: the register suppliers its
//! services' impact analyses name, with whom to call and how fast each promises to recover
//! against what the services need. Readers of the register only: the plan page renders it only for them.

use crate::api::suppliers::plan_suppliers;
use crate::components::error_view::ErrorBanner;
use crate::model::recovery::minutes_text;
use crate::model::supplier::{PlanSupplier, SupplierStatus};
use crate::pages::suppliers::outcome_badge;
use leptos::prelude::*;

#[component]
pub fn PlanSuppliersSection(plan_id: i64) -> impl IntoView {
    let suppliers = Resource::new(|| (), move |_| plan_suppliers(plan_id));
    view! {
        <section class="panel" aria-labelledby="plan-suppliers-heading">
            <h2 id="plan-suppliers-heading">"Suppliers it depends on"</h2>
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading the suppliers…"</p> }>
                {move || Suspend::new(async move {
                    match suppliers.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="muted">"No impact analysis of this plan's services names a supplier from the register."</p>
                        }.into_any(),
                        Ok(list) => view! { <SupplierTable list/> }.into_any(),
                        Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SupplierTable(list: Vec<PlanSupplier>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <thead><tr>
                    <th scope="col">"Supplier"</th>
                    <th scope="col">"Contact"</th>
                    <th scope="col">"Recovers within (the service needs)"</th>
                    <th scope="col">"Last review"</th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|s| {
                        let late = s.late();
                        let email = s.contact_email.clone();
                        let phone = s.contact_phone.clone();
                        view! {
                            <tr>
                                <td>
                                    <a href=format!("/suppliers/{}", s.id)>{format!("{} {}", s.reference, s.name)}</a>
                                    {(s.status == SupplierStatus::Retired).then(|| view! { " "<span class="badge">"Retired"</span> })}
                                </td>
                                <td>
                                    {if s.contact_name.is_empty() { "—".to_string() } else { s.contact_name.clone() }}
                                    {(!phone.is_empty()).then(|| view! { <br/><a href=format!("tel:{}", phone.replace(' ', ""))>{phone.clone()}</a> })}
                                    {(!email.is_empty()).then(|| view! { <br/><a href=format!("mailto:{email}")>{email.clone()}</a> })}
                                </td>
                                <td class:overdue=late>
                                    {s.services.into_iter().map(|d| {
                                        let words = match (d.supplier_rto_minutes, d.service_rto_minutes) {
                                            (Some(promise), Some(need)) => format!("{}: {} ({})", d.service.name, minutes_text(promise), minutes_text(need)),
                                            (Some(promise), None) => format!("{}: {}", d.service.name, minutes_text(promise)),
                                            (None, _) => format!("{}: not stated", d.service.name),
                                        };
                                        // One text node: two adjacent ones merge in the browser's
                                        // parse and the client would not find them to hydrate.
                                        let words = if d.late() { format!("{words} — too slow") } else { words };
                                        view! { <span>{words}</span><br/> }
                                    }).collect_view()}
                                </td>
                                <td>{match s.last_outcome {
                                    Some(outcome) => outcome_badge(outcome).into_any(),
                                    None => view! { <span class="muted">"Never"</span> }.into_any(),
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
