//! `/cmdb/:id`: one configuration item — its attributes, owner and services, what it relies
//! on and what relies on it, the services its failure reaches (drawn and listed), its history;
//! for its owner or a change manager, the forms to relate it and edit it.

use super::id_param;
use crate::api::cmdb::{ci_form_choices, ci_history, get_ci, RelateCi, UnrelateCi, UpdateCi};
use crate::components::change_fields::field_error;
use crate::components::ci_graph::CiGraph;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::history::HistoryList;
use crate::components::succeeded::successes;
use crate::error::AppError;
use crate::model::cmdb::{
    CiRecord, CiStatus, ConfigurationItem, Graph, Impact, Naming, Reached, RelationKind,
    Relationship,
};
use crate::pages::cmdb::{status_badge, CiFields};
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Copy)]
struct Actions {
    update: ServerAction<UpdateCi>,
    relate: ServerAction<RelateCi>,
    unrelate: ServerAction<UnrelateCi>,
}

#[component]
pub fn CiPage() -> impl IntoView {
    let id = id_param();
    let actions = Actions {
        update: ServerAction::new(),
        relate: ServerAction::new(),
        unrelate: ServerAction::new(),
    };
    // Only a success refreshes the record: after a refusal the forms keep what was typed.
    let refreshes = [
        successes(actions.update),
        successes(actions.relate),
        successes(actions.unrelate),
    ];
    let record = Resource::new(
        move || (id.get(), refreshes.map(|count| count.get())),
        |(id, ..)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That configuration item".into()))?;
            get_ci(id).await
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the item…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(record) => view! { <CiView record actions/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn ci_link(reached: &crate::model::cmdb::CiRef) -> impl IntoView {
    view! { <a href=reached.href()>{format!("{} {}", reached.reference(), reached.name)}</a> }
}

#[component]
fn CiView(record: CiRecord, actions: Actions) -> impl IntoView {
    let CiRecord {
        item,
        impact,
        dependencies,
        may_change,
        naming,
    } = record;
    let title = format!("{} {}", item.reference, item.name);
    let retired = item.status == CiStatus::Retired;
    let upstream: Vec<Reached> = impact.items.clone();
    let graph = Graph::layout(&item.as_ref(), &upstream, &dependencies, &impact.services);
    let services = if item.services.is_empty() {
        view! { "—" }.into_any()
    } else {
        item.services
            .iter()
            .map(|s| view! { <a href=format!("/services/{}", s.id)>{s.name.clone()}</a>" " })
            .collect_view()
            .into_any()
    };
    let history = Resource::new(|| (), move |_| ci_history(item.id));
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/cmdb">"Configuration items"</a>" / "{item.reference.clone()}</nav>
        <div class="page-header">
            <h1>{title}</h1>
            <div class="page-actions">
                <span class="badge">{item.kind.label()}</span>
                {status_badge(item.status)}
            </div>
        </div>
        {(item.owner.is_none() && !retired).then(|| view! {
            <div class="banner banner-warning" role="status">
                <p><strong>"No owner."</strong>" Clause 8.2.6 expects someone to answer for every item in use: choose an owner below."</p>
            </div>
        })}
        <dl class="details">
            <dt>"Owner"</dt><dd>{item.owner.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "Nobody yet".into())}</dd>
            <dt>"Serves"</dt><dd>{services}</dd>
            {item.supplier.clone().map(|(id, name)| view! { <dt>"Supplier"</dt><dd><a href=format!("/suppliers/{id}")>{name}</a></dd> })}
            {(!item.description.is_empty()).then(|| view! { <dt>"Description"</dt><dd class="prewrap">{item.description.clone()}</dd> })}
            {item.attribute_rows().into_iter().map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> }).collect_view()}
            <dt>"Recorded"</dt><dd>{format!("{} by {}", item.created_at.format("%Y-%m-%d"), item.created_by.name)}</dd>
        </dl>
        <ImpactPanel impact graph name=item.name.clone()/>
        <Relationships item=item.clone() may_change action=actions.unrelate/>
        <NamedByPanel naming/>
        {(may_change && !retired).then(|| view! { <RelatePanel id=item.id version=item.version action=actions.relate/> })}
        {may_change.then(|| view! { <EditPanel item=item.clone() action=actions.update/> })}
        <section class="panel" aria-labelledby="ci-history-heading">
            <h2 id="ci-history-heading">"History"</h2>
            <Transition fallback=|| view! { <p class="loading" role="status">"Loading history…"</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(entries) => view! { <HistoryList entries/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn ImpactPanel(impact: Impact, graph: Graph, name: String) -> impl IntoView {
    let words = impact.words();
    let description = format!(
        "If {name} fails: {} The drawing shows up to three steps either way; the lists below are complete.",
        words
    );
    view! {
        <section class="panel" aria-labelledby="impact-heading">
            <h2 id="impact-heading">"If it fails"</h2>
            <p class="impact-summary" role="status">{words}</p>
            <CiGraph graph description/>
            <div class="impact-lists">
                <div>
                    <h3>"Services affected"</h3>
                    {if impact.services.is_empty() {
                        view! { <p class="muted">"None."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="impact-services">
                                {impact.services.iter().map(|s| {
                                    let how = if s.depth == 0 {
                                        " — it serves it directly".to_string()
                                    } else {
                                        format!(" — through {} ({} step{} away)", s.through.name, s.depth, if s.depth == 1 { "" } else { "s" })
                                    };
                                    view! { <li><a href=format!("/services/{}", s.service.id)>{s.service.name.clone()}</a>{how}</li> }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </div>
                <div>
                    <h3>"Items that rely on it"</h3>
                    {if impact.items.is_empty() {
                        view! { <p class="muted">"None."</p> }.into_any()
                    } else {
                        let more = impact.reached.saturating_sub(impact.items.len() as u64);
                        view! {
                            <ul>
                                {impact.items.iter().map(|r| view! {
                                    <li>{ci_link(&r.ci)}{format!(" — {} step{} away", r.depth, if r.depth == 1 { "" } else { "s" })}</li>
                                }).collect_view()}
                            </ul>
                            {(more > 0).then(|| view! { <p class="muted">{format!("and {more} more.")}</p> })}
                        }.into_any()
                    }}
                    {impact.cut_short.then(|| view! { <p class="muted">{format!("The walk stopped {} steps away; more items lie beyond.", crate::model::cmdb::MAX_DEPTH)}</p> })}
                </div>
            </div>
        </section>
    }
}

#[component]
fn Relationships(
    item: ConfigurationItem,
    may_change: bool,
    action: ServerAction<UnrelateCi>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let (id, version) = (item.id, item.version);
    let row = move |r: Relationship, outgoing: bool| {
        let words = if outgoing {
            r.kind.label()
        } else {
            r.kind.reverse_label()
        };
        let label = format!("Remove: {} {}", words, r.other.name);
        let removable = outgoing && may_change;
        view! {
            <li>
                {format!("{words} ")}{ci_link(&r.other)}
                {(r.other.status == CiStatus::Retired).then(|| view! { " "<span class="badge">"Retired"</span> })}
                {removable.then(|| view! {
                    <ActionForm action attr:class="inline-form">
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="version" value=version/>
                        <input type="hidden" name="relationship_id" value=r.id/>
                        <button type="submit" class="button secondary small" aria-label=label disabled=move || action.pending().get()>"Remove"</button>
                    </ActionForm>
                })}
            </li>
        }
    };
    let more = item
        .relied_on_by_total
        .saturating_sub(item.relied_on_by.len() as u64);
    view! {
        <section class="panel" aria-labelledby="relationships-heading">
            <h2 id="relationships-heading">"Relationships"</h2>
            <FormErrors error/>
            <div class="impact-lists">
                <div>
                    <h3>"It relies on"</h3>
                    {if item.relies_on.is_empty() {
                        view! { <p class="muted">"Nothing recorded."</p> }.into_any()
                    } else {
                        view! { <ul class="relationships">{item.relies_on.into_iter().map(|r| row(r, true)).collect_view()}</ul> }.into_any()
                    }}
                </div>
                <div>
                    <h3>"Relied on by"</h3>
                    {if item.relied_on_by.is_empty() {
                        view! { <p class="muted">"Nothing recorded."</p> }.into_any()
                    } else {
                        view! { <ul class="relationships">{item.relied_on_by.into_iter().map(|r| row(r, false)).collect_view()}</ul> }.into_any()
                    }}
                    {(more > 0).then(|| view! { <p class="muted">{format!("and {more} more.")}</p> })}
                </div>
            </div>
        </section>
    }
}

/// The incidents and problems that named the item, newest first.
#[component]
fn NamedByPanel(naming: Naming) -> impl IntoView {
    let list = |listed: Vec<(String, String)>, total: u64, none: &'static str| {
        if listed.is_empty() {
            return view! { <p class="muted">{none}</p> }.into_any();
        }
        let more = total.saturating_sub(listed.len() as u64);
        view! {
            <ul>
                {listed.into_iter().map(|(label, href)| view! { <li><a href=href>{label}</a></li> }).collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="muted">{format!("and {more} more.")}</p> })}
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="named-by-heading">
            <h2 id="named-by-heading">"Incidents and problems"</h2>
            <div class="impact-lists">
                <div>
                    <h3>{format!("Incidents ({})", naming.incidents_total)}</h3>
                    {list(naming.incidents, naming.incidents_total, "No incident names it.")}
                </div>
                <div>
                    <h3>{format!("Problems ({})", naming.problems_total)}</h3>
                    {list(naming.problems, naming.problems_total, "No problem names it.")}
                </div>
            </div>
        </section>
    }
}

#[component]
fn RelatePanel(id: i64, version: i32, action: ServerAction<RelateCi>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="relate-heading">
            <h2 id="relate-heading">"Add a relationship"</h2>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=version/>
                <div class="field-row">
                    <div class="field">
                        <label for="relate-kind">"This item"</label>
                        <select id="relate-kind" name="form[kind]" aria-describedby="relate-kind-error">
                            {RelationKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                        </select>
                        <p class="field-error" id="relate-kind-error" aria-live="polite">{field_error(error, "kind")}</p>
                    </div>
                    <div class="field">
                        <label for="relate-target">"The other item"</label>
                        <input id="relate-target" type="text" name="form[target]" placeholder="CI-12 or its exact name" aria-describedby="relate-target-error relate-target-hint"/>
                        <p class="hint" id="relate-target-hint">"When the other item fails, this one is affected."</p>
                        <p class="field-error" id="relate-target-error" aria-live="polite">{field_error(error, "target")}</p>
                    </div>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button secondary" disabled=move || action.pending().get()>"Add the relationship"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn EditPanel(item: ConfigurationItem, action: ServerAction<UpdateCi>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| ci_form_choices());
    let (id, version) = (item.id, item.version);
    let initial = item.form();
    view! {
        <section class="panel" aria-labelledby="edit-ci-heading">
            <h2 id="edit-ci-heading">"Edit the item"</h2>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
                {move || {
                    let initial = initial.clone();
                    Suspend::new(async move {
                        match choices.await {
                            Ok(choices) => view! {
                                <ActionForm action attr:class="form" attr:novalidate=true>
                                    <FormErrors error/>
                                    <input type="hidden" name="id" value=id/>
                                    <input type="hidden" name="version" value=version/>
                                    <CiFields choices initial error/>
                                    <div class="form-actions">
                                        <button type="submit" class="button" disabled=move || action.pending().get()>"Save the item"</button>
                                    </div>
                                </ActionForm>
                            }.into_any(),
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}
