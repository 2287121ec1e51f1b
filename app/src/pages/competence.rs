//! `/competences/:id`: one competence — what it means, who needs it, who holds it (with the
//! evidence and its expiry) and who is missing it; for the quality manager, the forms to
//! edit, retire or restore it and to withdraw evidence found wanting.

use super::id_param;
use crate::api::competences::{
    competence_form_choices, get_competence, SetCompetenceStatus, UpdateCompetence,
    WithdrawCompetenceEvidence,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::succeeded::successes;
use crate::error::AppError;
use crate::model::competence::{Competence, CompetenceStatus, Evidence, Standing};
use crate::pages::competences::CompetenceFields;
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Copy)]
struct Actions {
    update: ServerAction<UpdateCompetence>,
    status: ServerAction<SetCompetenceStatus>,
    withdraw: ServerAction<WithdrawCompetenceEvidence>,
}

#[component]
pub fn CompetencePage() -> impl IntoView {
    let id = id_param();
    let actions = Actions {
        update: ServerAction::new(),
        status: ServerAction::new(),
        withdraw: ServerAction::new(),
    };
    let refreshes = [
        successes(actions.update),
        successes(actions.status),
        successes(actions.withdraw),
    ];
    let record = Resource::new(
        move || (id.get(), refreshes.map(|count| count.get())),
        |(id, ..)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That competence".into()))?;
            get_competence(id).await
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the competence…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(competence) => view! { <CompetenceView competence actions/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// How a piece of evidence stands, in words.
pub fn standing_words(evidence: &Evidence) -> String {
    match (&evidence.withdrawn, evidence.standing, evidence.expires_on) {
        (Some(w), ..) => format!(
            "Withdrawn {} by {}: {}",
            w.at.format("%Y-%m-%d"),
            w.by.name,
            w.reason
        ),
        (None, Standing::Expired, Some(d)) => format!("Expired {d}"),
        (None, Standing::Expiring, Some(d)) => format!("Expiring {d}"),
        (None, _, Some(d)) => format!("Valid until {d}"),
        (None, _, None) => "Valid, does not expire".into(),
    }
}

/// The form that withdraws one piece of evidence, behind a disclosure. `what` names the
/// evidence for assistive technology ("Rowan Resilience's CAB chair evidence").
#[component]
pub fn WithdrawForm(
    evidence_id: i64,
    what: String,
    action: ServerAction<WithdrawCompetenceEvidence>,
) -> impl IntoView {
    // The action's input is cleared when the call returns: remember whether the last call was
    // this row's, so a refusal shows under the row it concerns only.
    let mine = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(input) = action.input().get() {
            mine.set(input.evidence_id == evidence_id);
        }
    });
    let error = Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .filter(|_| mine.get())
    });
    let field = format!("withdraw-{evidence_id}-reason");
    let described = format!("{field}-error");
    view! {
        <details class="inline-disclosure">
            <summary aria-label=format!("Withdraw {what}")>"Withdraw"</summary>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="evidence_id" value=evidence_id/>
                <div class="field">
                    <label for=field.clone()>"Why it is withdrawn"</label>
                    <textarea id=field name="form[reason]" rows=2 aria-describedby=described.clone()></textarea>
                    <p class="field-error" id=described aria-live="polite">{field_error(error, "reason")}</p>
                </div>
                <button type="submit" class="button secondary" disabled=move || action.pending().get()>"Withdraw the evidence"</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn CompetenceView(competence: Competence, actions: Actions) -> impl IntoView {
    let active = competence.status == CompetenceStatus::Active;
    let manage = competence.may_manage;
    let reader = competence.reader_id;
    let mut needed: Vec<String> = competence
        .roles
        .iter()
        .map(|r| r.label().to_string())
        .collect();
    needed.extend(competence.people.iter().map(|p| p.name.clone()));
    let validity = competence
        .validity_months
        .map_or("Does not expire".to_string(), |m| {
            format!("{m} months from when it was achieved")
        });
    let service = competence.service.clone().map_or_else(
        || view! { "Any service" }.into_any(),
        |s| view! { <a href=format!("/services/{}", s.id)>{s.name}</a> }.into_any(),
    );
    let evidence = competence.evidence.clone();
    let missing = competence.missing.clone();
    let gates = {
        use crate::model::competence::Gate;
        let checked: Vec<String> = [
            ("a CAB vote", competence.cab_vote),
            ("owning a continuity plan", competence.plan_owner),
        ]
        .into_iter()
        .filter(|(_, gate)| *gate != Gate::Off)
        .map(|(what, gate)| {
            format!(
                "{what}: {}",
                if gate == Gate::Block {
                    "refused without it"
                } else {
                    "warned without it"
                }
            )
        })
        .collect();
        if checked.is_empty() {
            "Not checked at any activity".to_string()
        } else {
            checked.join("; ")
        }
    };
    view! {
        <Title text=competence.name.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/competences">"Competence"</a>" / "{competence.name.clone()}</nav>
        <div class="page-header">
            <h1>{competence.name.clone()}</h1>
            <div class="page-actions">{(!active).then(|| view! { <span class="badge">"Retired"</span> })}</div>
        </div>
        <dl class="details">
            <dt>"What it means"</dt><dd class="prewrap">{if competence.description.is_empty() { "—".to_string() } else { competence.description.clone() }}</dd>
            <dt>"Needed by"</dt><dd>{needed.join(", ")}</dd>
            <dt>"For"</dt><dd>{service}</dd>
            <dt>"Evidence valid"</dt><dd>{validity}</dd>
            <dt>"Where a gap matters"</dt><dd>{gates}</dd>
        </dl>
        <section class="panel" aria-labelledby="missing-heading">
            <h2 id="missing-heading">"Needed but not held"</h2>
            {(competence.missing_total > competence.missing.len() as u64).then(|| view! {
                <p class="hint">{format!("The first {} of {} people; the matrix filtered to gaps lists everyone.", competence.missing.len(), competence.missing_total)}</p>
            })}
            {if missing.is_empty() {
                view! { <p class="muted">"Everyone who needs it holds valid evidence."</p> }.into_any()
            } else {
                view! {
                    <ul class="competence-gaps">
                        {missing.into_iter().map(|p| view! { <li><a href=format!("/competences/people/{}", p.id)>{p.name}</a></li> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="holders-heading">
            <h2 id="holders-heading">"Who holds it"</h2>
            {(competence.evidence_total > competence.evidence.len() as u64).then(|| view! {
                <p class="hint">{format!("The {} soonest to expire of {} pieces of current evidence.", competence.evidence.len(), competence.evidence_total)}</p>
            })}
            {if evidence.is_empty() {
                view! { <p class="muted">"Nobody's evidence is recorded yet. Record it from the person's page."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table">
                            <thead><tr>
                                <th scope="col">"Person"</th>
                                <th scope="col">"Evidence"</th>
                                <th scope="col">"Achieved"</th>
                                <th scope="col">"Standing"</th>
                                <th scope="col">"Recorded by"</th>
                                {manage.then(|| view! { <th scope="col"><span class="visually-hidden">"Withdraw"</span></th> })}
                            </tr></thead>
                            <tbody>
                                {evidence.into_iter().map(|e| {
                                    let words = standing_words(&e);
                                    let what = format!("{}'s {} evidence", e.person.name, e.competence.name);
                                    let withdraw = (manage && e.person.id != reader).then(|| view! { <td><WithdrawForm evidence_id=e.id what action=actions.withdraw/></td> });
                                    let own = (manage && e.person.id == reader).then(|| view! { <td class="hint">"Your own: someone else withdraws it"</td> });
                                    view! {
                                        <tr class:overdue=e.standing != Standing::Valid>
                                            <td><a href=format!("/competences/people/{}", e.person.id)>{e.person.name.clone()}</a></td>
                                            <td>{format!("{}: {}", e.kind.label(), e.evidence)}</td>
                                            <td><time datetime=e.achieved_on.to_string()>{e.achieved_on.to_string()}</time></td>
                                            <td>{words}</td>
                                            <td>{e.recorded_by.name.clone()}</td>
                                            {withdraw}
                                            {own}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
        {(manage && active).then(|| view! { <EditPanel competence=competence.clone() action=actions.update/> })}
        {manage.then(|| view! { <StatusPanel competence action=actions.status/> })}
    }
}

#[component]
fn EditPanel(competence: Competence, action: ServerAction<UpdateCompetence>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| competence_form_choices());
    let (id, version) = (competence.id, competence.version);
    let initial = competence.form();
    let kept = competence.service.clone();
    view! {
        <section class="panel" aria-labelledby="edit-competence-heading">
            <h2 id="edit-competence-heading">"Edit the competence"</h2>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
                {move || {
                    let initial = initial.clone();
                    let kept = kept.clone();
                    Suspend::new(async move {
                        match choices.await {
                            Ok(mut choices) => {
                                // A service archived since stays offered, so saving keeps it.
                                if let Some(kept) = kept.clone().filter(|k| !choices.services.iter().any(|s| s.id == k.id)) {
                                    choices.services.push(crate::model::refs::ServiceRef { id: kept.id, name: format!("{} (archived)", kept.name) });
                                }
                                view! {
                                <ActionForm action attr:class="form" attr:novalidate=true>
                                    <FormErrors error/>
                                    <input type="hidden" name="id" value=id/>
                                    <input type="hidden" name="version" value=version/>
                                    <CompetenceFields choices initial error/>
                                    <p class="hint">"Evidence already recorded keeps its expiry; a new validity applies to evidence recorded from now on."</p>
                                    <div class="form-actions">
                                        <button type="submit" class="button" disabled=move || action.pending().get()>"Save the competence"</button>
                                    </div>
                                </ActionForm>
                            }.into_any()
                            }
                            Err(error) => view! { <ErrorPanel error/> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

#[component]
fn StatusPanel(competence: Competence, action: ServerAction<SetCompetenceStatus>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let retiring = competence.status == CompetenceStatus::Active;
    view! {
        <section class="panel" aria-labelledby="competence-status-heading">
            <h2 id="competence-status-heading">{if retiring { "Retire the competence" } else { "Restore the competence" }}</h2>
            <p class="muted">{if retiring { "A retired competence leaves the matrix; the evidence recorded for it stays." } else { "Restored, it is a column of the matrix again." }}</p>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="id" value=competence.id/>
                <input type="hidden" name="version" value=competence.version/>
                <input type="hidden" name="retire" value=if retiring { "true" } else { "false" }/>
                <div class="form-actions">
                    <button type="submit" class="button secondary" disabled=move || action.pending().get()>{if retiring { "Retire" } else { "Restore" }}</button>
                </div>
            </ActionForm>
        </section>
    }
}
