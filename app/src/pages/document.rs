//! `/compliance/documents/:id` (`?version=N` for an older version): one SMS document — the
//! version shown rendered as safe Markdown, its link, the version history with approvers and
//! dates, the draft form for who may write it, and the lifecycle transitions the reader may make.

use super::documents::{clause_checkboxes, doc_review_badge, doc_state_badge};
use super::id_param;
use crate::api::documents::{
    document_owners, get_document, SaveDocumentDraft, StartDocumentDraft, TransitionDocumentVersion,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::use_session;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::actor::ActorFacts;
use crate::model::sms_document::{
    may_write, transition, DocAction, DocState, DocumentDetail, DocumentVersion,
};
use crate::model::user::CurrentUser;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DocumentPage() -> impl IntoView {
    let id = id_param();
    let query = use_query_map();
    let selected = Memo::new(move |_| {
        query
            .read()
            .get("version")
            .and_then(|v| v.parse::<i32>().ok())
    });
    let transitions = ServerAction::<TransitionDocumentVersion>::new();
    let new_draft = ServerAction::<StartDocumentDraft>::new();
    let save = ServerAction::<SaveDocumentDraft>::new();
    let reload = RwSignal::new(0u32);
    // Reload after a success only: a refusal keeps what the person typed.
    let reload_on = move |ok: bool| {
        if ok {
            reload.update(|n| *n += 1);
        }
    };
    Effect::new(move |_| reload_on(transitions.value().with(|v| matches!(v, Some(Ok(_))))));
    Effect::new(move |_| reload_on(new_draft.value().with(|v| matches!(v, Some(Ok(_))))));
    Effect::new(move |_| reload_on(save.value().with(|v| matches!(v, Some(Ok(_))))));
    let doc = Resource::new(
        move || (id.get(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_document(id).await,
                None => Err(AppError::NotFound("That SMS document".into())),
            }
        },
    );
    let owners = Resource::new(|| (), |_| document_owners());
    let session = use_session();
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the document…"</p> }>
            {move || Suspend::new(async move {
                let user = session.user.await.ok().flatten();
                let people = owners.await.unwrap_or_default();
                match doc.await {
                    Ok(doc) => view! { <DocumentBody doc user people selected=selected.get() transitions new_draft save/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DocumentBody(
    doc: DocumentDetail,
    user: Option<CurrentUser>,
    people: Vec<crate::model::refs::PersonRef>,
    selected: Option<i32>,
    transitions: ServerAction<TransitionDocumentVersion>,
    new_draft: ServerAction<StartDocumentDraft>,
    save: ServerAction<SaveDocumentDraft>,
) -> impl IntoView {
    let s = doc.summary.clone();
    let Some(latest) = doc.latest().cloned() else {
        return view! { <p class="empty">"This document has no versions."</p> }.into_any();
    };
    // By default the version in force; the latest when none is approved yet.
    let shown = selected
        .and_then(|n| doc.versions.iter().find(|v| v.number == n).cloned())
        .or_else(|| doc.approved().cloned())
        .unwrap_or_else(|| latest.clone());
    let editor = user.as_ref().filter(|u| u.may(Permission::DocumentEdit));
    let editing = shown.id == latest.id
        && latest.state.is_editable()
        && editor.is_some_and(|u| may_write(latest.author.id, s.owner.id, &ActorFacts::from(u)));
    let allowed: Vec<DocAction> = editor
        .map(|u| {
            DocAction::ALL
                .into_iter()
                .filter(|a| {
                    transition(
                        latest.state,
                        *a,
                        latest.author.id,
                        &latest.contributor_ids,
                        s.owner.id,
                        &ActorFacts::from(u),
                    )
                    .is_ok()
                })
                .collect()
        })
        .unwrap_or_default();
    let may_start = editor.is_some() && !latest.state.is_open();
    let transition_error = Signal::derive(move || transitions.value().get().and_then(Result::err));
    let draft_error = Signal::derive(move || new_draft.value().get().and_then(Result::err));
    let clauses = s
        .clauses
        .iter()
        .map(|c| crate::model::clauses::label(c))
        .collect::<Vec<_>>()
        .join("; ");
    view! {
        <Title text=s.title.clone()/>
        <p class="breadcrumb"><a href="/compliance/documents">"SMS documents"</a></p>
        <h1>{s.title.clone()}</h1>
        <dl class="facts">
            <dt>"Clauses"</dt><dd>{clauses}</dd>
            <dt>"Owner"</dt><dd>{s.owner.name.clone()}</dd>
            <dt>"Review cycle"</dt><dd>{format!("{} months", s.review_months)}</dd>
            <dt>"Review"</dt><dd>{doc_review_badge(s.review)}</dd>
        </dl>
        <section class="panel" aria-labelledby="lifecycle-heading">
            <h2 id="lifecycle-heading">{format!("Latest: version {} ", latest.number)}{doc_state_badge(latest.state)}</h2>
            <FormErrors error=transition_error/>
            <FormErrors error=draft_error/>
            <div class="form-actions">
                {allowed.into_iter().map(|action| view! {
                    <ActionForm action=transitions attr:class="inline-form">
                        <input type="hidden" name="version_id" value=latest.id/>
                        <input type="hidden" name="version" value=latest.version/>
                        <input type="hidden" name="action" value=format!("{action:?}")/>
                        <button type="submit" class="button">{action.label()}</button>
                    </ActionForm>
                }).collect_view()}
                {may_start.then(|| view! {
                    <ActionForm action=new_draft attr:class="inline-form">
                        <input type="hidden" name="document_id" value=s.id/>
                        <button type="submit" class="button secondary">"New draft from the approved text"</button>
                    </ActionForm>
                })}
            </div>
            {(latest.state == DocState::InReview).then(|| view! {
                <p class="muted">"A quality manager who did not write this version approves it."</p>
            })}
        </section>
        {if editing {
            view! { <DraftForm doc=doc.clone() draft=latest.clone() people save/> }.into_any()
        } else {
            view! { <VersionView version=shown.clone()/> }.into_any()
        }}
        <VersionHistory versions=doc.versions.clone() shown=shown.number/>
    }.into_any()
}

#[component]
fn VersionView(version: DocumentVersion) -> impl IntoView {
    let heading = format!("Version {}", version.number);
    view! {
        <section class="panel" aria-labelledby="version-heading">
            <h2 id="version-heading">{heading}" "{doc_state_badge(version.state)}</h2>
            {version.link.clone().map(|link| view! { <p>"Kept at "<a href=link.clone() rel="noopener noreferrer">{link.clone()}</a></p> })}
            {if version.content.is_empty() {
                view! { <p class="muted">"The text is kept at the link above."</p> }.into_any()
            } else {
                view! { <div class="document-content" inner_html=version.content_html.clone()></div> }.into_any()
            }}
        </section>
    }
}

#[component]
fn VersionHistory(versions: Vec<DocumentVersion>, shown: i32) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="history-heading">
            <h2 id="history-heading">"Version history"</h2>
            <div class="table-wrap">
            <table class="data-table">
                <thead><tr>
                    <th scope="col">"Version"</th><th scope="col">"State"</th><th scope="col">"Author"</th>
                    <th scope="col">"Approved by"</th><th scope="col">"Approved"</th><th scope="col">"Next review"</th><th scope="col">"Change"</th>
                </tr></thead>
                <tbody>
                    {versions.into_iter().map(|v| view! {
                        <tr aria-current=(v.number == shown).then_some("true")>
                            <td><a href=format!("?version={}", v.number)>{format!("v{}", v.number)}</a></td>
                            <td>{doc_state_badge(v.state)}</td>
                            <td>{v.author.name.clone()}</td>
                            <td>{v.approved_by.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "—".into())}</td>
                            <td>{v.approved_at.map(|a| a.date_naive().to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td>{v.next_review_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())}</td>
                            <td>{v.change_summary.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            </div>
        </section>
    }
}

#[component]
fn DraftForm(
    doc: DocumentDetail,
    draft: DocumentVersion,
    people: Vec<crate::model::refs::PersonRef>,
    save: ServerAction<SaveDocumentDraft>,
) -> impl IntoView {
    let s = doc.summary;
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || save.value().with(|v| matches!(v, Some(Ok(_))));
    view! {
        <section class="panel" aria-labelledby="draft-heading">
            <h2 id="draft-heading">{format!("Edit draft version {}", draft.number)}</h2>
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <p class="status" role="status">{move || saved().then_some("Draft saved.")}</p>
                <input type="hidden" name="version_id" value=draft.id/>
                <input type="hidden" name="version" value=draft.version/>
                <input type="hidden" name="document_version" value=s.version/>
                <div class="field">
                    <label for="draft-title">"Title"</label>
                    <input id="draft-title" name="title" value=s.title.clone() aria-describedby="draft-title-error"/>
                    <p class="field-error" id="draft-title-error">{field_error(error, "title")}</p>
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="draft-owner">"Owner"</label>
                        <select id="draft-owner" name="owner_id">
                            {people.into_iter().map(|p| view! { <option value=p.id selected=p.id == s.owner.id>{p.name}</option> }).collect_view()}
                        </select>
                        <p class="field-error">{field_error(error, "owner_id")}</p>
                    </div>
                    <div class="field">
                        <label for="draft-review">"Review every (months)"</label>
                        <input id="draft-review" name="review_months" type="number" min="1" max="36" value=s.review_months/>
                        <p class="field-error">{field_error(error, "review_months")}</p>
                    </div>
                </div>
                <fieldset>
                    <legend>"Clauses it answers"</legend>
                    {clause_checkboxes("draft", s.clauses.clone())}
                    <p class="field-error">{field_error(error, "clauses")}</p>
                </fieldset>
                <div class="field">
                    <label for="draft-content">"Text (Markdown)"</label>
                    <textarea id="draft-content" name="content" rows="16">{draft.content.clone()}</textarea>
                    <p class="field-error">{field_error(error, "content")}</p>
                </div>
                <div class="field">
                    <label for="draft-link">"Link (optional)"</label>
                    <input id="draft-link" name="link" type="url" value=draft.link.clone().unwrap_or_default()/>
                    <p class="field-error">{field_error(error, "link")}</p>
                </div>
                <div class="field">
                    <label for="draft-summary">"Change summary"</label>
                    <input id="draft-summary" name="change_summary" value=draft.change_summary.clone()/>
                    <p class="field-error">{field_error(error, "change_summary")}</p>
                </div>
                <div class="form-actions"><button type="submit" class="button" disabled=move || save.pending().get()>"Save the draft"</button></div>
            </ActionForm>
        </section>
        {(!draft.content_html.is_empty()).then(|| view! {
            <section class="panel" aria-labelledby="preview-heading">
                <h2 id="preview-heading">"Saved text"</h2>
                <div class="document-content" inner_html=draft.content_html.clone()></div>
            </section>
        })}
    }
}
