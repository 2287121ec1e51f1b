//! `/service-levels`: the agreements in force and being written, the service hours they are
//! measured on, and the priority matrix; `/service-levels/settings`: the matrix and the
//! reopen period, set by a service level manager.

use crate::api::service_levels::{
    get_service_level_settings, list_agreements, list_calendars, UpdateServiceLevelSettings,
};
use crate::components::change_fields::{field_error, field_error_named};
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::agreement::AgreementState;
use crate::model::priority_matrix::{cell_field, Impact, PriorityMatrix, TicketPriority, Urgency};
use leptos::prelude::*;
use leptos_meta::Title;

pub fn agreement_state_badge(state: AgreementState) -> impl IntoView {
    view! { <span class=format!("badge agreement-{}", state.as_str())>{state.label()}</span> }
}

/// The matrix as a table: impact down, urgency across.
fn matrix_table(matrix: PriorityMatrix) -> impl IntoView {
    view! {
        <div class="table-wrap">
        <table class="data-table compact priority-matrix">
            <caption>"Priority from impact × urgency"</caption>
            <thead><tr><th scope="col">"Impact \\ urgency"</th>{Urgency::ALL.into_iter().map(|u| view! { <th scope="col">{u.word()}</th> }).collect_view()}</tr></thead>
            <tbody>
                {Impact::ALL.into_iter().map(|i| view! {
                    <tr>
                        <th scope="row">{i.word()}</th>
                        {Urgency::ALL.into_iter().map(|u| view! { <td>{matrix.priority(i, u).label()}</td> }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
}

#[component]
pub fn ServiceLevelsPage() -> impl IntoView {
    let agreements = Resource::new(|| (), |_| list_agreements());
    let calendars = Resource::new(|| (), |_| list_calendars());
    let settings = Resource::new(|| (), |_| get_service_level_settings());
    let sources = Resource::new(|| (), |_| crate::api::intake::list_intake_sources());
    view! {
        <Title text="Service levels"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/incidents">"Incidents"</a>" / Service levels"</nav>
        <div class="page-head">
            <h1>"Service levels"</h1>
            <div class="page-actions">
                <a class="button secondary" href="/service-levels/report">"Monthly service report"</a>
                <a class="button secondary" href="/requests">"Service requests"</a>
                <IfAllowed permission=Permission::AgreementManage>
                    <a class="button" href="/service-levels/agreements/new">"New agreement"</a>
                </IfAllowed>
            </div>
        </div>
        <p class="muted">"Clause 8.3.3: what is agreed with each customer — response and resolution times per priority, availability and request fulfilment — measured on the service hours below. A service level manager writes an agreement; someone who wrote no part of it approves it."</p>
        <h2>"Agreements"</h2>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading agreements…"</p> }>
            {move || Suspend::new(async move {
                match agreements.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty-state"><p><strong>"No agreements yet."</strong></p><p>"Without an approved agreement, incidents run no target clocks. A service level manager drafts the first one."</p></div>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table class="data-table">
                                <thead><tr><th scope="col">"Ref."</th><th scope="col">"Title"</th><th scope="col">"Customer"</th><th scope="col">"Services"</th><th scope="col">"Period"</th><th scope="col">"Review"</th><th scope="col">"Status"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|a| view! {
                                        <tr>
                                            <td><a href=format!("/service-levels/agreements/{}", a.id)>{a.reference.clone()}</a></td>
                                            <td>{a.terms.title.clone()}{(a.revision > 1).then(|| format!(" (revision {})", a.revision))}</td>
                                            <td>{a.terms.customer.clone()}</td>
                                            <td>{a.services.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ")}</td>
                                            <td>{format!("{} – {}", a.terms.starts_on, a.terms.ends_on.map(|d| d.to_string()).unwrap_or_else(|| "open".into()))}</td>
                                            <td>{a.terms.review_on.to_string()}</td>
                                            <td>{agreement_state_badge(a.state)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <div class="overview-grid">
            <section aria-labelledby="hours-heading">
                <h2 id="hours-heading">"Service hours"</h2>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match calendars.await {
                            Ok(list) if list.is_empty() => view! { <p class="muted">"No service hours yet."</p> }.into_any(),
                            Ok(list) => view! {
                                <ul>
                                    {list.into_iter().map(|c| view! {
                                        <li><a href=format!("/service-levels/calendars/{}", c.id)>{c.hours.name.clone()}</a>{format!(" — {}, {} hours a week", c.hours.time_zone, c.hours.weekly_minutes() / 60)}</li>
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })}
                </Transition>
                <p><a href="/service-levels/calendars">"All service hours"</a></p>
                <h2 id="intake-heading">"Monitoring"</h2>
                <p class="muted">"Alerts from Prometheus Alertmanager open incidents, routed to a service and priority by rules."</p>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match sources.await {
                            Ok(list) if list.is_empty() => view! { <p class="muted">"No monitoring sources yet."</p> }.into_any(),
                            Ok(list) => view! {
                                <ul>
                                    {list.into_iter().map(|s| view! {
                                        <li><a href=format!("/service-levels/intake/{}", s.id)>{s.name.clone()}</a>{format!(" — {} alert(s){}", s.alerts_linked, if s.revoked_at.is_some() { ", revoked" } else { "" })}</li>
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })}
                </Transition>
                <p><a href="/service-levels/intake">"Monitoring sources"</a></p>
            </section>
            <section aria-labelledby="matrix-heading">
                <h2 id="matrix-heading">"Priority matrix"</h2>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match settings.await {
                            Ok(settings) => view! {
                                {matrix_table(settings.matrix)}
                                <p class="muted">{format!("A resolved incident may be reopened for {} days.", settings.reopen_days)}</p>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })}
                </Transition>
                <IfAllowed permission=Permission::AgreementManage>
                    <p><a href="/service-levels/settings">"Change the matrix"</a></p>
                </IfAllowed>
            </section>
        </div>
    }
}

#[component]
pub fn ServiceLevelSettingsPage() -> impl IntoView {
    let save = ServerAction::<UpdateServiceLevelSettings>::new();
    let settings = Resource::new(
        move || save.version().get(),
        |_| get_service_level_settings(),
    );
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(())));
    view! {
        <Title text="Priority matrix"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/service-levels">"Service levels"</a>" / Priority matrix"</nav>
        <h1>"Priority matrix"</h1>
        <p class="muted">"New incidents take their priority from this matrix; each records the rule that gave it. More impact or more urgency never gives a lower priority."</p>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! {
                        <ActionForm action=save attr:class="form" attr:novalidate=true>
                            <FormErrors error/>
                            {move || saved().then(|| view! { <p class="banner banner-success" role="status">"Saved."</p> })}
                            <input type="hidden" name="version" value=settings.version/>
                            <div class="table-wrap">
                            <table class="data-table compact priority-matrix">
                                <caption>"Priority for each impact (rows) and urgency (columns)"</caption>
                                <thead><tr><th scope="col">"Impact \\ urgency"</th>{Urgency::ALL.into_iter().map(|u| view! { <th scope="col">{u.word()}</th> }).collect_view()}</tr></thead>
                                <tbody>
                                    {Impact::ALL.into_iter().map(|i| view! {
                                        <tr>
                                            <th scope="row">{i.word()}</th>
                                            {Urgency::ALL.into_iter().map(|u| {
                                                let field = cell_field(i, u);
                                                let id = format!("matrix-{field}");
                                                let current = settings.matrix.priority(i, u);
                                                let label = format!("Impact {} and urgency {}", i.word().to_lowercase(), u.word().to_lowercase());
                                                view! {
                                                    <td>
                                                        <select id=id name=format!("cells[{field}]") aria-label=label>
                                                            {TicketPriority::ALL.into_iter().map(|p| view! { <option value=p.as_str() selected=p == current>{p.label()}</option> }).collect_view()}
                                                        </select>
                                                        <p class="field-error" aria-live="polite">{field_error_named(error, field.clone())}</p>
                                                    </td>
                                                }
                                            }).collect_view()}
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            </div>
                            <div class="field">
                                <label for="reopen-days">"Days a resolved incident may be reopened"</label>
                                <input id="reopen-days" name="reopen_days" inputmode="numeric" value=settings.reopen_days.to_string() aria-describedby="reopen-days-error"/>
                                <p class="field-error" id="reopen-days-error" aria-live="polite">{field_error(error, "reopen_days")}</p>
                            </div>
                            <div class="form-actions"><button type="submit" class="button" disabled=move || save.pending().get()>"Save"</button></div>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
