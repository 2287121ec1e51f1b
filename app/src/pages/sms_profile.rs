//! `/compliance/profile`: the SMS profile — context (4.1), interested parties (4.2), scope
//! (4.3), policy (5.2) and the SMS roles (5.1, 5.3). Everyone reads the version in force; a
//! quality manager writes the next version section by section and sends it to review; another
//! quality manager or the top management in force approves it.

use super::documents::{doc_review_badge, doc_state_badge};
use crate::api::sms_profile::{
    sms_profile_view, AddProfileExclusion, AddProfileIssue, AddProfileParty, DiscardSmsProfile,
    MoveSmsProfile, NameProfileRole, RemoveProfileEntry, SaveProfilePolicy, SaveProfileScope,
    StartSmsProfile,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::succeeded::successes;
use crate::model::sms_document::DocState;
use crate::model::sms_profile::{
    processes, IssueKind, ProfileChoices, ProfileContent, ProfileList, ProfileVersion, ProfileView,
    SmsRole,
};
use leptos::prelude::*;
use leptos_meta::Title;
use std::collections::BTreeMap;

/// Every form of the page: each success (or conflict) reads the profile again.
#[derive(Clone, Copy)]
struct Actions {
    start: ServerAction<StartSmsProfile>,
    discard: ServerAction<DiscardSmsProfile>,
    act: ServerAction<MoveSmsProfile>,
    scope: ServerAction<SaveProfileScope>,
    party: ServerAction<AddProfileParty>,
    issue: ServerAction<AddProfileIssue>,
    exclusion: ServerAction<AddProfileExclusion>,
    policy: ServerAction<SaveProfilePolicy>,
    role: ServerAction<NameProfileRole>,
    remove: ServerAction<RemoveProfileEntry>,
}

#[component]
pub fn SmsProfilePage() -> impl IntoView {
    let actions = Actions {
        start: ServerAction::new(),
        discard: ServerAction::new(),
        act: ServerAction::new(),
        scope: ServerAction::new(),
        party: ServerAction::new(),
        issue: ServerAction::new(),
        exclusion: ServerAction::new(),
        policy: ServerAction::new(),
        role: ServerAction::new(),
        remove: ServerAction::new(),
    };
    let refreshes = [
        successes(actions.start),
        successes(actions.discard),
        successes(actions.act),
        successes(actions.scope),
        successes(actions.party),
        successes(actions.issue),
        successes(actions.exclusion),
        successes(actions.policy),
        successes(actions.role),
        successes(actions.remove),
    ];
    let profile = Resource::new(
        move || refreshes.map(|count| count.get()),
        |_| sms_profile_view(),
    );
    view! {
        <Title text="SMS profile"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/compliance">"Compliance"</a>" / SMS profile"</nav>
        <div class="page-header">
            <h1>"SMS profile"</h1>
        </div>
        <p class="muted">"The organisation's context, interested parties, the scope of the SMS, the service management policy and who holds the SMS roles (clauses 4.1–4.4, 5.1–5.3 and 6.3)."</p>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the profile…"</p> }>
            {move || Suspend::new(async move {
                match profile.await {
                    Ok(view) => view! { <ProfileBody view actions/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Names the view refers to, and the draft being edited (its id and version) if any.
#[derive(Clone)]
struct Shown {
    people: BTreeMap<i64, String>,
    services: BTreeMap<i64, String>,
    editing: Option<(i64, i32, ProfileChoices)>,
}

impl Shown {
    fn person(&self, id: Option<i64>) -> String {
        id.map(|id| {
            self.people
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("User {id}"))
        })
        .unwrap_or_else(|| "Nobody named".into())
    }
}

#[component]
fn ProfileBody(view: ProfileView, actions: Actions) -> impl IntoView {
    let ProfileView {
        in_force,
        open,
        history,
        people,
        services,
        review,
        may_start,
        may_write,
        actions: allowed,
        choices,
    } = view;
    let start_error = Signal::derive(move || actions.start.value().get().and_then(Result::err));
    let status = match &in_force {
        Some(v) => view! {
            <p class="profile-status">
                {format!(
                    "Version {} in force, approved {} by {}. ",
                    v.number,
                    v.approved_at.map(|at| at.format("%Y-%m-%d").to_string()).unwrap_or_default(),
                    v.approved_by.as_ref().map(|p| p.name.clone()).unwrap_or_default()
                )}
                {doc_review_badge(review)}
            </p>
            <p><a href="/compliance/profile/export.csv" download="">"Export the version in force as CSV"</a></p>
        }
        .into_any(),
        None => view! {
            <div class="empty-state">
                <p><strong>"No approved SMS profile yet."</strong></p>
                <p>"An auditor starts here: what the organisation is, who has a stake in its services, what the SMS covers and leaves out, the policy, and who answers for each process. Until a version is approved, clauses 4.1–5.3 and 6.3 show no evidence from Conform."</p>
            </div>
        }
        .into_any(),
    };
    let editing_draft = open
        .as_ref()
        .filter(|v| v.state == DocState::Draft && may_write)
        .and_then(|v| choices.clone().map(|c| (v.id, v.version, c)));
    let shown = Shown {
        people,
        services,
        editing: editing_draft,
    };
    // Writers and approvers work on the open version; everyone else reads the one in force.
    let works_on_open = open.is_some() && (may_write || !allowed.is_empty());
    let has_in_force = in_force.is_some();
    let main = if works_on_open {
        open.clone()
    } else {
        in_force
    };
    view! {
        {status}
        <FormErrors error=start_error/>
        {may_start.then(move || view! {
            <ActionForm action=actions.start attr:class="inline-form">
                <button type="submit" class="button" disabled=move || actions.start.pending().get()>
                    {if has_in_force { "Start a revision" } else { "Start the SMS profile" }}
                </button>
            </ActionForm>
        })}
        {works_on_open.then(|| open.clone()).flatten().map(|v| view! { <OpenVersion version=v allowed=allowed.clone() may_write actions/> })}
        {main.map(|v| view! { <Sections content=v.content.clone() shown=shown.clone() actions/> })}
        {(works_on_open && has_in_force).then(|| view! {
            <p class="muted">"The version in force stays as it is until this one is approved."</p>
        })}
        <VersionHistory history/>
    }
}

#[component]
fn OpenVersion(
    version: ProfileVersion,
    allowed: Vec<crate::model::sms_document::DocAction>,
    may_write: bool,
    actions: Actions,
) -> impl IntoView {
    let act_error = Signal::derive(move || actions.act.value().get().and_then(Result::err));
    let discard_error = Signal::derive(move || actions.discard.value().get().and_then(Result::err));
    let missing = version.content.missing_for_review();
    let writers = std::iter::once(version.author.name.clone())
        .chain(version.contributors.iter().map(|p| p.name.clone()))
        .collect::<Vec<_>>()
        .join(", ");
    let (id, number, state) = (version.id, version.version, version.state);
    view! {
        <section class="panel profile-open" aria-labelledby="open-version-heading">
            <h2 id="open-version-heading">{format!("Version {} ", version.number)}{doc_state_badge(state)}</h2>
            <p>{format!("Written by {writers}; last saved {}.", version.updated_at.format("%Y-%m-%d %H:%M"))}</p>
            {(state == DocState::Draft && !missing.is_empty()).then(|| view! {
                <p class="banner banner-warning" role="status">{format!("Before it goes to review, add {}.", missing.join(", "))}</p>
            })}
            {(state == DocState::InReview).then(|| view! {
                <p class="hint">"A quality manager or the top management named in the version in force approves it — never someone who wrote part of it."</p>
            })}
            <FormErrors error=act_error/>
            <FormErrors error=discard_error/>
            <div class="page-actions">
                {allowed.into_iter().map(|action| view! {
                    <ActionForm action=actions.act attr:class="inline-form">
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="version" value=number/>
                        <input type="hidden" name="action" value=format!("{action:?}")/>
                        <button type="submit" class="button" disabled=move || actions.act.pending().get()>{action.label()}</button>
                    </ActionForm>
                }).collect_view()}
                {(may_write && state == DocState::Draft).then(|| view! {
                    <ActionForm action=actions.discard attr:class="inline-form">
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="version" value=number/>
                        <button type="submit" class="button secondary" disabled=move || actions.discard.pending().get()>"Discard this draft"</button>
                    </ActionForm>
                })}
            </div>
        </section>
    }
}

/// The hidden fields every draft form posts.
fn draft_fields(id: i64, version: i32) -> impl IntoView {
    view! {
        <input type="hidden" name="id" value=id/>
        <input type="hidden" name="version" value=version/>
    }
}

/// A "Remove" button for one listed entry.
fn remove_button(
    action: ServerAction<RemoveProfileEntry>,
    (id, version): (i64, i32),
    list: ProfileList,
    index: usize,
    what: String,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="inline-form">
            {draft_fields(id, version)}
            <input type="hidden" name="list" value=format!("{list:?}")/>
            <input type="hidden" name="index" value=index/>
            <button type="submit" class="button secondary small" aria-label=format!("Remove {what}") disabled=move || action.pending().get()>"Remove"</button>
        </ActionForm>
    }
}

#[component]
fn Sections(content: ProfileContent, shown: Shown, actions: Actions) -> impl IntoView {
    let draft = shown
        .editing
        .as_ref()
        .map(|(id, version, _)| (*id, *version));
    view! {
        <ContextSection content=content.clone() draft actions/>
        <PartiesSection content=content.clone() draft actions/>
        <ScopeSection content=content.clone() shown=shown.clone() actions/>
        <PolicySection content=content.clone() draft actions/>
        <RolesSection content shown actions/>
    }
}

#[component]
fn ContextSection(
    content: ProfileContent,
    draft: Option<(i64, i32)>,
    actions: Actions,
) -> impl IntoView {
    let error = Signal::derive(move || actions.issue.value().get().and_then(Result::err));
    let remove_error = Signal::derive(move || actions.remove.value().get().and_then(Result::err));
    let list = move |kind: IssueKind| {
        let entries: Vec<(usize, String)> = content
            .issues
            .iter()
            .enumerate()
            .filter(|(_, i)| i.kind == kind)
            .map(|(index, i)| (index, i.text.clone()))
            .collect();
        if entries.is_empty() {
            return view! { <p class="muted">"None recorded."</p> }.into_any();
        }
        view! {
            <ul class="profile-list">
                {entries.into_iter().map(|(index, text)| view! {
                    <li>
                        <span class="prewrap">{text.clone()}</span>
                        {draft.map(|d| remove_button(actions.remove, d, ProfileList::Issues, index, format!("issue: {}", crate::model::text::shorten(&text, 40))))}
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="context-heading">
            <h2 id="context-heading">"Context (4.1)"</h2>
            {draft.is_some().then(|| view! { <FormErrors error=remove_error/> })}
            <div class="impact-lists">
                <div><h3>"Internal issues"</h3>{list(IssueKind::Internal)}</div>
                <div><h3>"External issues"</h3>{list(IssueKind::External)}</div>
            </div>
            {draft.map(|(id, version)| view! {
                <ActionForm action=actions.issue attr:class="form" attr:novalidate=true>
                    <FormErrors error/>
                    {draft_fields(id, version)}
                    <div class="field-row">
                        <div class="field">
                            <label for="issue-kind">"Kind"</label>
                            <select id="issue-kind" name="form[kind]" aria-describedby="issue-kind-error">
                                {IssueKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.label()}</option> }).collect_view()}
                            </select>
                            <p class="field-error" id="issue-kind-error" aria-live="polite">{field_error(error, "kind")}</p>
                        </div>
                        <div class="field field-wide">
                            <label for="issue-text">"Issue"</label>
                            <textarea id="issue-text" name="form[text]" rows="2" aria-describedby="issue-text-error issue-text-hint"></textarea>
                            <p class="hint" id="issue-text-hint">"What bears on the SMS achieving its outcomes, e.g. “Ageing data centre hardware” or “New data protection law”."</p>
                            <p class="field-error" id="issue-text-error" aria-live="polite">{field_error(error, "text")}</p>
                        </div>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="button secondary" disabled=move || actions.issue.pending().get()>"Add the issue"</button>
                    </div>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn PartiesSection(
    content: ProfileContent,
    draft: Option<(i64, i32)>,
    actions: Actions,
) -> impl IntoView {
    let error = Signal::derive(move || actions.party.value().get().and_then(Result::err));
    let rows = if content.parties.is_empty() {
        view! { <p class="muted">"No interested parties recorded."</p> }.into_any()
    } else {
        view! {
            <table class="table">
                <thead><tr><th scope="col">"Party"</th><th scope="col">"Their requirements"</th>{draft.is_some().then(|| view! { <th scope="col"><span class="visually-hidden">"Remove"</span></th> })}</tr></thead>
                <tbody>
                    {content.parties.iter().enumerate().map(|(index, p)| view! {
                        <tr>
                            <th scope="row">{p.name.clone()}</th>
                            <td class="prewrap">{p.requirements.clone()}</td>
                            {draft.map(|d| view! { <td>{remove_button(actions.remove, d, ProfileList::Parties, index, format!("interested party {}", p.name))}</td> })}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="parties-heading">
            <h2 id="parties-heading">"Interested parties (4.2)"</h2>
            {rows}
            {draft.map(|(id, version)| view! {
                <ActionForm action=actions.party attr:class="form" attr:novalidate=true>
                    <FormErrors error/>
                    {draft_fields(id, version)}
                    <div class="field-row">
                        <div class="field">
                            <label for="party-name">"Party"</label>
                            <input id="party-name" type="text" name="form[name]" aria-describedby="party-name-error"/>
                            <p class="field-error" id="party-name-error" aria-live="polite">{field_error(error, "name")}</p>
                        </div>
                        <div class="field field-wide">
                            <label for="party-requirements">"Their requirements"</label>
                            <textarea id="party-requirements" name="form[requirements]" rows="2" aria-describedby="party-requirements-error"></textarea>
                            <p class="field-error" id="party-requirements-error" aria-live="polite">{field_error(error, "requirements")}</p>
                        </div>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="button secondary" disabled=move || actions.party.pending().get()>"Add the party"</button>
                    </div>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn ScopeSection(content: ProfileContent, shown: Shown, actions: Actions) -> impl IntoView {
    let error = Signal::derive(move || actions.scope.value().get().and_then(Result::err));
    let exclusion_error =
        Signal::derive(move || actions.exclusion.value().get().and_then(Result::err));
    let draft = shown
        .editing
        .as_ref()
        .map(|(id, version, _)| (*id, *version));
    let services = if content.service_ids.is_empty() {
        view! { "None named" }.into_any()
    } else {
        content
            .service_ids
            .iter()
            .map(|id| {
                let name = shown
                    .services
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| format!("Service {id}"));
                view! { <a href=format!("/services/{id}")>{name}</a>" " }
            })
            .collect_view()
            .into_any()
    };
    let or_none = |list: &[String]| {
        if list.is_empty() {
            "None named".to_string()
        } else {
            list.join(", ")
        }
    };
    let exclusions = if content.exclusions.is_empty() {
        view! { <p class="muted">"Nothing excluded."</p> }.into_any()
    } else {
        view! {
            <ul class="profile-list">
                {content.exclusions.iter().enumerate().map(|(index, e)| view! {
                    <li>
                        <span>{format!("{} — {}", e.what, e.reason)}</span>
                        {draft.map(|d| remove_button(actions.remove, d, ProfileList::Exclusions, index, format!("the exclusion of {}", e.what)))}
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let scope_text = content.scope.clone();
    let locations_text = content.locations.join("\n");
    let units_text = content.units.join("\n");
    let form = shown.editing.clone().map(|(id, version, choices)| {
        let chosen = content.service_ids.clone();
        view! {
            <ActionForm action=actions.scope attr:class="form" attr:novalidate=true>
                <h3>"Edit the scope"</h3>
                <FormErrors error/>
                {draft_fields(id, version)}
                <div class="field">
                    <label for="scope-statement">"Scope statement"</label>
                    <textarea id="scope-statement" name="form[scope]" rows="4" aria-describedby="scope-statement-error">{scope_text}</textarea>
                    <p class="field-error" id="scope-statement-error" aria-live="polite">{field_error(error, "scope")}</p>
                </div>
                <fieldset class="field" aria-describedby="scope-services-error">
                    <legend>"Services in scope"</legend>
                    <div class="checkbox-list">
                        {choices.services.into_iter().enumerate().map(|(index, s)| {
                            let id = format!("scope-service-{}", s.id);
                            view! {
                                <label class="checkbox" for=id.clone()>
                                    <input type="checkbox" id=id.clone() name=format!("form[service_ids][{index}]") value=s.id.to_string() checked=chosen.contains(&s.id)/>
                                    {format!(" {}", s.name)}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                    <p class="field-error" id="scope-services-error" aria-live="polite">{field_error(error, "service_ids")}</p>
                </fieldset>
                <div class="field-row">
                    <div class="field">
                        <label for="scope-locations">"Locations (one per line)"</label>
                        <textarea id="scope-locations" name="form[locations]" rows="3" aria-describedby="scope-locations-error">{locations_text}</textarea>
                        <p class="field-error" id="scope-locations-error" aria-live="polite">{field_error(error, "locations")}</p>
                    </div>
                    <div class="field">
                        <label for="scope-units">"Organisational units (one per line)"</label>
                        <textarea id="scope-units" name="form[units]" rows="3" aria-describedby="scope-units-error">{units_text}</textarea>
                        <p class="field-error" id="scope-units-error" aria-live="polite">{field_error(error, "units")}</p>
                    </div>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button secondary" disabled=move || actions.scope.pending().get()>"Save the scope"</button>
                </div>
            </ActionForm>
            <ActionForm action=actions.exclusion attr:class="form" attr:novalidate=true>
                <h3>"Exclude something from the scope"</h3>
                <FormErrors error=exclusion_error/>
                {draft_fields(id, version)}
                <div class="field-row">
                    <div class="field">
                        <label for="exclusion-what">"What is excluded"</label>
                        <input id="exclusion-what" type="text" name="form[what]" aria-describedby="exclusion-what-error exclusion-what-hint"/>
                        <p class="hint" id="exclusion-what-hint">"A service's exact name counts it as excluded."</p>
                        <p class="field-error" id="exclusion-what-error" aria-live="polite">{field_error(exclusion_error, "what")}</p>
                    </div>
                    <div class="field field-wide">
                        <label for="exclusion-reason">"Why"</label>
                        <textarea id="exclusion-reason" name="form[reason]" rows="2" aria-describedby="exclusion-reason-error"></textarea>
                        <p class="field-error" id="exclusion-reason-error" aria-live="polite">{field_error(exclusion_error, "reason")}</p>
                    </div>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button secondary" disabled=move || actions.exclusion.pending().get()>"Add the exclusion"</button>
                </div>
            </ActionForm>
        }
    });
    view! {
        <section class="panel" aria-labelledby="scope-heading">
            <h2 id="scope-heading">"Scope of the SMS (4.3)"</h2>
            <p class="prewrap">{if content.scope.is_empty() { "No scope statement yet.".to_string() } else { content.scope.clone() }}</p>
            <dl class="details">
                <dt>"Services in scope"</dt><dd>{services}</dd>
                <dt>"Locations"</dt><dd>{or_none(&content.locations)}</dd>
                <dt>"Organisational units"</dt><dd>{or_none(&content.units)}</dd>
            </dl>
            <h3>"Exclusions"</h3>
            {exclusions}
            {form}
        </section>
    }
}

#[component]
fn PolicySection(
    content: ProfileContent,
    draft: Option<(i64, i32)>,
    actions: Actions,
) -> impl IntoView {
    let error = Signal::derive(move || actions.policy.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="policy-heading">
            <h2 id="policy-heading">"Service management policy (5.2)"</h2>
            {if content.policy.is_empty() {
                view! { <p class="muted">"No policy yet."</p> }.into_any()
            } else {
                view! { <p class="prewrap policy-text">{content.policy.clone()}</p> }.into_any()
            }}
            {draft.map(|(id, version)| view! {
                <ActionForm action=actions.policy attr:class="form" attr:novalidate=true>
                    <FormErrors error/>
                    {draft_fields(id, version)}
                    <div class="field">
                        <label for="policy-text">"Policy"</label>
                        <textarea id="policy-text" name="form[policy]" rows="8" aria-describedby="policy-text-error policy-text-hint">{content.policy.clone()}</textarea>
                        <p class="hint" id="policy-text-hint">"Clause 5.2: appropriate to the organisation's purpose, a framework for the objectives, a commitment to meet requirements and to improve the SMS continually."</p>
                        <p class="field-error" id="policy-text-error" aria-live="polite">{field_error(error, "policy")}</p>
                    </div>
                    <div class="form-actions">
                        <button type="submit" class="button secondary" disabled=move || actions.policy.pending().get()>"Save the policy"</button>
                    </div>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn RolesSection(content: ProfileContent, shown: Shown, actions: Actions) -> impl IntoView {
    let error = Signal::derive(move || actions.role.value().get().and_then(Result::err));
    let holder = |id: Option<i64>| -> AnyView {
        match id {
            Some(_) => view! { <span>{shown.person(id)}</span> }.into_any(),
            None => view! { <span class="muted">"Nobody named"</span> }.into_any(),
        }
    };
    let unowned = content.unowned_processes().len();
    let rows = processes()
        .map(|(clause, title)| {
            view! {
                <tr>
                    <th scope="row">{format!("{clause} {title}")}</th>
                    <td>{holder(content.owner_of(clause))}</td>
                </tr>
            }
        })
        .collect_view();
    let form = shown.editing.clone().map(|(id, version, choices)| {
        view! {
            <ActionForm action=actions.role attr:class="form" attr:novalidate=true>
                <h3>"Name a role holder"</h3>
                <FormErrors error/>
                {draft_fields(id, version)}
                <div class="field-row">
                    <div class="field">
                        <label for="role-role">"Role"</label>
                        <select id="role-role" name="form[role]" aria-describedby="role-role-error">
                            <option value="">"Choose a role"</option>
                            {SmsRole::all().into_iter().map(|r| view! { <option value=r.value()>{r.label()}</option> }).collect_view()}
                        </select>
                        <p class="field-error" id="role-role-error" aria-live="polite">{field_error(error, "role")}</p>
                    </div>
                    <div class="field">
                        <label for="role-holder">"Holder"</label>
                        <select id="role-holder" name="form[holder_id]" aria-describedby="role-holder-error">
                            <option value="">"— Nobody —"</option>
                            {choices.people.into_iter().map(|p| view! { <option value=p.id.to_string()>{p.name}</option> }).collect_view()}
                        </select>
                        <p class="field-error" id="role-holder-error" aria-live="polite">{field_error(error, "holder_id")}</p>
                    </div>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button secondary" disabled=move || actions.role.pending().get()>"Save the holder"</button>
                </div>
            </ActionForm>
        }
    });
    view! {
        <section class="panel" aria-labelledby="roles-heading">
            <h2 id="roles-heading">"SMS roles (5.1, 5.3)"</h2>
            <dl class="details">
                <dt>"Top management"</dt><dd>{holder(content.top_management_id)}</dd>
                <dt>"SMS owner"</dt><dd>{holder(content.sms_owner_id)}</dd>
            </dl>
            <h3>"Process owners"</h3>
            <p class="muted">{if unowned == 0 { "Every process has an owner.".to_string() } else { format!("{unowned} processes have no owner yet.") }}</p>
            <table class="table">
                <thead><tr><th scope="col">"Process"</th><th scope="col">"Owner"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {form}
        </section>
    }
}

#[component]
fn VersionHistory(history: Vec<crate::model::sms_profile::VersionLine>) -> impl IntoView {
    (!history.is_empty()).then(|| {
        view! {
            <section class="panel" aria-labelledby="profile-history-heading">
                <h2 id="profile-history-heading">"Versions"</h2>
                <table class="table">
                    <thead><tr><th scope="col">"Version"</th><th scope="col">"State"</th><th scope="col">"Written by"</th><th scope="col">"Approved"</th></tr></thead>
                    <tbody>
                        {history.into_iter().map(|line| view! {
                            <tr>
                                <td>{line.number}</td>
                                <td>{doc_state_badge(line.state)}</td>
                                <td>{line.author}</td>
                                <td>{match (line.approved_by, line.approved_at) {
                                    (Some(by), Some(at)) => format!("{} by {by}", at.format("%Y-%m-%d")),
                                    _ => "—".to_string(),
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        }
    })
}
