//! `/competences/people/:id`: one person's competences — what their roles need, where they
//! stand, and every piece of evidence recorded for them (withdrawn included); for a quality
//! manager who is not that person, the form that records new evidence.

use super::id_param;
use crate::api::competences::{
    get_person_competences, RecordCompetenceEvidence, WithdrawCompetenceEvidence,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::succeeded::successes;
use crate::error::AppError;
use crate::model::competence::{EvidenceKind, PersonCompetences};
use crate::pages::competence::{standing_words, WithdrawForm};
use crate::pages::competences::cell_view;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PersonCompetencesPage() -> impl IntoView {
    let id = id_param();
    let record = ServerAction::<RecordCompetenceEvidence>::new();
    let withdraw = ServerAction::<WithdrawCompetenceEvidence>::new();
    let refreshes = [successes(record), successes(withdraw)];
    let person = Resource::new(
        move || (id.get(), refreshes.map(|count| count.get())),
        |(id, ..)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That person".into()))?;
            get_person_competences(id).await
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading their competences…"</p> }>
            {move || Suspend::new(async move {
                match person.await {
                    Ok(person) => view! { <PersonView person record withdraw/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PersonView(
    person: PersonCompetences,
    record: ServerAction<RecordCompetenceEvidence>,
    withdraw: ServerAction<WithdrawCompetenceEvidence>,
) -> impl IntoView {
    let title = format!("{}: competence", person.person.name);
    let roles = person
        .roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ");
    let may_record = person.may_record;
    let gaps = person
        .standing
        .iter()
        .filter(|(_, cell)| cell.gap())
        .count();
    let offered: Vec<(i64, String)> = person
        .active
        .iter()
        .map(|c| (c.id, c.name.clone()))
        .collect();
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/competences">"Competence"</a>" / "{person.person.name.clone()}</nav>
        <h1>{title}</h1>
        <p class="muted">{format!("Roles: {}", if roles.is_empty() { "none".to_string() } else { roles })}</p>
        {(gaps > 0).then(|| view! {
            <div class="banner banner-warning" role="status">
                <p>{format!("{gaps} competence{} needed but not validly held.", if gaps == 1 { "" } else { "s" })}</p>
            </div>
        })}
        <section class="panel" aria-labelledby="standing-heading">
            <h2 id="standing-heading">"What they need and hold"</h2>
            {if person.standing.is_empty() {
                view! { <p class="muted">"No active competence is needed by their roles, and they hold none."</p> }.into_any()
            } else {
                view! {
                    <table class="data-table">
                        <thead><tr><th scope="col">"Competence"</th><th scope="col">"Needed"</th><th scope="col">"Standing"</th></tr></thead>
                        <tbody>
                            {person.standing.clone().into_iter().map(|(c, cell)| view! {
                                <tr>
                                    <th scope="row"><a href=format!("/competences/{}", c.id)>{c.name}</a></th>
                                    <td>{if cell.required { "Yes" } else { "No" }}</td>
                                    {cell_view(cell)}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
        {may_record.then(|| view! { <RecordPanel user_id=person.person.id competences=offered.clone() action=record/> })}
        <section class="panel" aria-labelledby="evidence-heading">
            <h2 id="evidence-heading">"Evidence"</h2>
            {if person.evidence.is_empty() {
                view! { <p class="muted">"No evidence recorded."</p> }.into_any()
            } else {
                view! {
                    <ol class="timeline">
                        {person.evidence.clone().into_iter().map(|e| {
                            let words = standing_words(&e);
                            let current = e.withdrawn.is_none();
                            let heading = format!("{} — {}: {}", e.competence.name, e.kind.label(), e.evidence);
                            let recorded = format!("Achieved {} · {} · recorded by {} on {}", e.achieved_on, words, e.recorded_by.name, e.recorded_at.format("%Y-%m-%d"));
                            view! {
                                <li>
                                    <p><strong>{heading}</strong></p>
                                    <p class="hint">{recorded}</p>
                                    {(may_record && current).then(|| view! { <WithdrawForm evidence_id=e.id what=format!("the {} evidence", e.competence.name) action=withdraw/> })}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn RecordPanel(
    user_id: i64,
    competences: Vec<(i64, String)>,
    action: ServerAction<RecordCompetenceEvidence>,
) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let message = move |field: &'static str| {
        view! { <p class="field-error" id=format!("evidence-{field}-error") aria-live="polite">{field_error(error, field)}</p> }
    };
    view! {
        <section class="panel" aria-labelledby="record-heading">
            <h2 id="record-heading">"Record evidence"</h2>
            <p class="muted">"From what you have seen: the certificate, the training record, or your assessment of their work."</p>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="form[user_id]" value=user_id/>
                <div class="field">
                    <label for="evidence-competence">"Competence"</label>
                    <select id="evidence-competence" name="form[competence_id]" aria-describedby="evidence-competence_id-error">
                        <option value="">"Choose…"</option>
                        {competences.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                    {message("competence_id")}
                </div>
                <fieldset class="field" aria-describedby="evidence-kind-error">
                    <legend>"Kind of evidence"</legend>
                    {EvidenceKind::ALL.into_iter().map(|k| {
                        let id = format!("evidence-kind-{}", k.as_str());
                        let label_for = id.clone();
                        view! {
                            <label class="checkbox" for=label_for>
                                <input type="radio" id=id name="form[kind]" value=k.as_str()/>
                                " "{k.label()}
                            </label>
                        }
                    }).collect_view()}
                    {message("kind")}
                </fieldset>
                <div class="field">
                    <label for="evidence-text">"Evidence (course, certificate and number, or how it was assessed)"</label>
                    <textarea id="evidence-text" name="form[evidence]" rows=2 aria-describedby="evidence-evidence-error"></textarea>
                    {message("evidence")}
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="evidence-achieved">"Achieved on"</label>
                        <input id="evidence-achieved" type="date" name="form[achieved_on]" aria-describedby="evidence-achieved_on-error"/>
                        {message("achieved_on")}
                    </div>
                    <div class="field">
                        <label for="evidence-expires">"Expires on (empty: from the competence's validity)"</label>
                        <input id="evidence-expires" type="date" name="form[expires_on]" aria-describedby="evidence-expires_on-error"/>
                        {message("expires_on")}
                    </div>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || action.pending().get()>"Record the evidence"</button>
                </div>
            </ActionForm>
        </section>
    }
}
