//! `/compliance/gap/:id`: the assessment sheet, grouped by clause 4–10. Each sub-clause row
//! saves on its own (rating, N/A justification, notes, owner) with a visible saved/error
//! state, keeps its evidence links, and turns a gap into an improvement action.

use crate::api::gap::{
    get_sheet, AddEvidence, CloseAssessment, RaiseImprovement, RemoveEvidence, SaveRating,
};
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::model::access::{Permission, Role};
use crate::model::clause_library::ClauseEntry;
use crate::model::gap::{
    clause_title, top_clause, AssessmentSheet, AssessmentState, EvidenceKind, Maturity, Rating,
    RatingRow, NOT_APPLICABLE,
};
use crate::model::refs::PersonRef;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn GapAssessmentPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let sheet = Resource::new(id, get_sheet);
    view! {
        <Title text="Gap assessment"/>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the sheet…"</p> }>
            {move || Suspend::new(async move {
                match sheet.await {
                    Ok(sheet) => view! { <Sheet sheet/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// A clause heading and its rows: the entry, the rating row, whether it is rated.
type ClauseGroup = (String, Vec<(ClauseEntry, RatingRow, RwSignal<bool>)>);

#[component]
fn Sheet(sheet: AssessmentSheet) -> impl IntoView {
    let session = crate::components::session::use_session();
    let AssessmentSheet {
        assessment,
        clauses,
        rows,
        people,
    } = sheet;
    let open = assessment.state == AssessmentState::Open;
    let total = rows.len();
    // Which rows are rated, updated as rows save, for the progress line.
    let rated: Vec<RwSignal<bool>> = rows
        .iter()
        .map(|r| RwSignal::new(r.rating.is_some()))
        .collect();
    let rated_count = {
        let rated = rated.clone();
        move || rated.iter().filter(|r| r.get()).count()
    };
    let people = StoredValue::new(people);
    let close = ServerAction::<CloseAssessment>::new();
    let close_error = Signal::derive(move || close.value().get().and_then(Result::err));
    let closed_now = move || close.value().get().is_some_and(|r| r.is_ok());
    let groups: Vec<ClauseGroup> = {
        let mut groups: Vec<ClauseGroup> = Vec::new();
        for (row, flag) in rows.into_iter().zip(rated) {
            let entry = clauses
                .iter()
                .find(|c| c.number == row.clause)
                .cloned()
                .unwrap_or(ClauseEntry {
                    number: row.clause.clone(),
                    title: crate::model::clauses::title(&row.clause)
                        .unwrap_or("")
                        .to_string(),
                    guidance: String::new(),
                    documented: Vec::new(),
                    evidence_hints: Vec::new(),
                });
            let top = top_clause(&row.clause).to_string();
            if groups.last().is_none_or(|(t, _)| *t != top) {
                groups.push((top.clone(), Vec::new()));
            }
            if let Some((_, list)) = groups.last_mut() {
                list.push((entry, row, flag));
            }
        }
        groups
    };
    let id = assessment.id;
    let version = assessment.version;
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/compliance/gap">"Gap analysis"</a>" / "{assessment.title.clone()}</nav>
        <div class="page-header">
            <h1>{assessment.title.clone()}</h1>
            <div class="page-actions">
                <span class=format!("badge gap-{}", assessment.state.as_str())>{move || if closed_now() { "Closed" } else { assessment.state.label() }}</span>
                " "<a href=format!("/compliance/gap/{id}/results")>"Results"</a>
            </div>
        </div>
        <p class="gap-progress" role="status">{move || format!("{} of {total} rated", rated_count())}</p>
        {(!open).then(|| view! { <p class="banner">"This assessment is closed: its ratings are read-only."</p> })}
        {groups.into_iter().map(|(top, list)| view! {
            <section class="gap-clause" aria-labelledby=format!("gap-clause-{top}")>
                <h2 id=format!("gap-clause-{top}")>{format!("{top} {}", clause_title(&top))}</h2>
                {list.into_iter().map(|(entry, row, flag)| view! { <Row entry row flag open people/> }).collect_view()}
            </section>
        }).collect_view()}
        {open.then(|| view! {
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let is_qm = session.user.await.ok().flatten().is_some_and(|u| u.roles.contains(&Role::QualityManager));
                    is_qm.then(|| view! {
                        <section class="panel" aria-labelledby="close-gap-heading">
                            <h2 id="close-gap-heading">"Close the assessment"</h2>
                            <p>"Closing freezes every rating; the next assessment can start from them."</p>
                            <ActionForm action=close>
                                <FormErrors error=close_error/>
                                <input type="hidden" name="id" value=id/>
                                <input type="hidden" name="version" value=version/>
                                <button type="submit" class="button">"Close the assessment"</button>
                            </ActionForm>
                            {move || closed_now().then(|| view! { <p role="status">"Closed. Reload to see the read-only sheet."</p> })}
                        </section>
                    })
                })}
            </Transition>
        })}
    }
}

fn rating_value(rating: &Option<Rating>) -> String {
    rating
        .as_ref()
        .map(|r| r.code().to_string())
        .unwrap_or_default()
}

#[component]
fn Row(
    entry: ClauseEntry,
    row: RatingRow,
    flag: RwSignal<bool>,
    open: bool,
    people: StoredValue<Vec<PersonRef>>,
) -> impl IntoView {
    let session = crate::components::session::use_session();
    let current = RwSignal::new(row);
    let save = ServerAction::<SaveRating>::new();
    let add = ServerAction::<AddEvidence>::new();
    let remove = ServerAction::<RemoveEvidence>::new();
    let raise = ServerAction::<RaiseImprovement>::new();
    // Every successful write returns the fresh row.
    for value in [save.value(), add.value(), remove.value(), raise.value()] {
        Effect::new(move |_| {
            if let Some(Ok(row)) = value.get() {
                flag.set(row.rating.is_some());
                current.set(row);
            }
        });
    }
    let save_error = Signal::derive(move || save.value().get().and_then(Result::err));
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    let other_error = Signal::derive(move || {
        remove
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| raise.value().get().and_then(Result::err))
    });
    let choice = RwSignal::new(current.with_untracked(|r| rating_value(&r.rating)));
    let number = entry.number.clone();
    let key = number.replace('.', "-");
    let rid = current.with_untracked(|r| r.id);
    let version = move || current.with(|r| r.version);
    let initial = current.get_untracked();
    let justification = match &initial.rating {
        Some(Rating::NotApplicable { justification }) => justification.clone(),
        _ => String::new(),
    };
    let owner = initial.owner.as_ref().map(|o| o.id);
    let may_edit = Resource::new(
        || (),
        move |_| async move {
            session
                .user
                .await
                .ok()
                .flatten()
                .is_some_and(|u| u.may(Permission::GapAssess))
        },
    );
    let status = move || {
        if save.pending().get() {
            Some(("gap-saving", "Saving…".to_string()))
        } else {
            match save.value().get() {
                Some(Ok(_)) => Some(("gap-saved", "Saved".to_string())),
                Some(Err(e)) => Some(("gap-error", format!("Not saved: {e}"))),
                None => None,
            }
        }
    };
    // Children are built before their parent's attributes: every id is its own string.
    let article_id = format!("clause-{number}");
    let heading_id = format!("gap-row-{key}");
    let heading_ref = heading_id.clone();
    let ev_key = key.clone();
    let save_label = format!("Save {number}");
    let documented = entry.documented.clone();
    let hints = entry.evidence_hints.clone();
    view! {
        <article class="gap-row" id=article_id aria-labelledby=heading_ref>
            <h3 id=heading_id>{number.clone()}" "{entry.title.clone()}</h3>
            <details class="gap-guidance">
                <summary>"Guidance"</summary>
                <p>{entry.guidance.clone()}</p>
                {(!documented.is_empty()).then(|| view! {
                    <p><strong>"Documented information: "</strong>{documented.iter().map(|d| format!("{} ({})", d.name, d.kind.as_str())).collect::<Vec<_>>().join("; ")}</p>
                })}
                {(!hints.is_empty()).then(|| view! {
                    <ul>{hints.into_iter().map(|h| view! { <li>{h}</li> }).collect_view()}</ul>
                })}
            </details>
            <ActionForm action=save attr:class="form gap-rating-form">
                <input type="hidden" name="rating_id" value=rid/>
                <input type="hidden" name="version" value=version/>
                <div class="field-row">
                    <div class="field">
                        <label for=format!("gap-rating-{key}")>"Rating"</label>
                        <select id=format!("gap-rating-{key}") name="rating" disabled=!open
                            on:change=move |ev| choice.set(event_target_value(&ev))>
                            <option value="" selected=choice.get_untracked().is_empty()>"Not rated yet"</option>
                            {Maturity::ALL.into_iter().map(|m| view! {
                                <option value=m.as_str() selected=choice.get_untracked() == m.as_str()>{m.label()}</option>
                            }).collect_view()}
                            <option value=NOT_APPLICABLE selected=choice.get_untracked() == NOT_APPLICABLE>"Not applicable"</option>
                        </select>
                    </div>
                    <div class="field">
                        <label for=format!("gap-owner-{key}")>"Owner"</label>
                        <select id=format!("gap-owner-{key}") name="owner_id" disabled=!open>
                            <option value="" selected=owner.is_none()>"Nobody yet"</option>
                            {people.get_value().into_iter().map(|p| view! { <option value=p.id selected=Some(p.id) == owner>{p.name}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="field" class:hidden=move || choice.get() != NOT_APPLICABLE>
                    <label for=format!("gap-just-{key}")>"Why it does not apply"</label>
                    <textarea id=format!("gap-just-{key}") name="justification" rows="2" disabled=!open>{justification}</textarea>
                    <p class="field-error">{crate::components::change_fields::field_error(save_error, "justification")}</p>
                </div>
                <div class="field">
                    <label for=format!("gap-notes-{key}")>"Notes"</label>
                    <textarea id=format!("gap-notes-{key}") name="notes" rows="2" disabled=!open>{initial.notes.clone()}</textarea>
                </div>
                {open.then(|| view! { <button type="submit" class="button">{save_label}</button> })}
                <span class="gap-status" role="status">{move || status().map(|(class, text)| view! { <span class=class>{text}</span> })}</span>
            </ActionForm>
            <div class="gap-evidence">
                <h4>"Evidence"</h4>
                <FormErrors error=other_error/>
                {move || {
                    let links = current.with(|r| r.evidence.clone());
                    if links.is_empty() {
                        view! { <p class="muted">"No evidence linked yet."</p> }.into_any()
                    } else {
                        view! { <ul>{links.into_iter().map(|l| {
                            let href = l.href();
                            let external = l.kind == EvidenceKind::Url;
                            view! { <li>
                                <a href=href rel=external.then_some("noopener noreferrer")>{l.label.clone()}</a>
                                {format!(" ({})", l.kind.as_str())}
                                {open.then(|| view! {
                                    <ActionForm action=remove attr:class="inline-form">
                                        <input type="hidden" name="evidence_id" value=l.id/>
                                        <button type="submit" class="button small" aria-label=format!("Remove evidence {}", l.label)>"Remove"</button>
                                    </ActionForm>
                                })}
                            </li> }
                        }).collect_view()}</ul> }.into_any()
                    }
                }}
                {open.then(|| view! {
                    <ActionForm action=add attr:class="form gap-evidence-form">
                        <FormErrors error=add_error/>
                        <input type="hidden" name="rating_id" value=rid/>
                        <div class="field-row">
                            <div class="field">
                                <label for=format!("gap-ev-kind-{ev_key}")>"Kind"</label>
                                <select id=format!("gap-ev-kind-{ev_key}") name="kind">
                                    {EvidenceKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label for=format!("gap-ev-target-{ev_key}")>"Target"</label>
                                <input id=format!("gap-ev-target-{ev_key}") name="target" placeholder="/changes/12, 4 or https://…"/>
                                <p class="field-error">{crate::components::change_fields::field_error(add_error, "target")}</p>
                            </div>
                            <div class="field">
                                <label for=format!("gap-ev-label-{ev_key}")>"Label"</label>
                                <input id=format!("gap-ev-label-{ev_key}") name="label"/>
                                <p class="field-error">{crate::components::change_fields::field_error(add_error, "label")}</p>
                            </div>
                        </div>
                        <button type="submit" class="button small">"Add evidence"</button>
                    </ActionForm>
                })}
            </div>
            <div class="gap-action">
                {move || {
                    let (linked, gap, id, version) = current.with(|r| (r.improvement.clone(), r.is_gap(), r.id, r.version));
                    match linked {
                        Some(entry) => view! {
                            <p>"Improvement action: "<a href=format!("/improvements/{}", entry.id)>{entry.reference}" "{entry.title}</a>{format!(" ({})", entry.state)}</p>
                        }.into_any(),
                        None if gap && open => view! {
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    may_edit.await.then(|| view! {
                                        <ActionForm action=raise attr:class="inline-form">
                                            <input type="hidden" name="rating_id" value=id/>
                                            <input type="hidden" name="version" value=version/>
                                            <button type="submit" class="button small">"Create improvement action"</button>
                                        </ActionForm>
                                    })
                                })}
                            </Transition>
                        }.into_any(),
                        None => ().into_any(),
                    }
                }}
            </div>
        </article>
    }
}
