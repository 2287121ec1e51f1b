//! `/compliance/documents`: the controlled document register — every SMS document with the
//! clauses it answers, its owner, the version in force, where it stands and its next review —
//! filtered by clause and status, and the form to register a new document.

use crate::api::documents::{document_owners, list_documents, CreateDocument};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::IfAllowed;
use crate::model::access::Permission;
use crate::model::clauses::CLAUSES;
use crate::model::sms_document::{
    DocState, DocumentFilter, DocumentSummary, ReviewStatus, STATUS_FILTERS,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub fn doc_state_badge(state: DocState) -> impl IntoView {
    view! { <span class=format!("badge doc-{}", state.as_str())>{state.label()}</span> }
}

pub fn doc_review_badge(review: ReviewStatus) -> impl IntoView {
    let class = match review {
        ReviewStatus::Overdue { .. } => "badge badge-critical",
        ReviewStatus::DueSoon { .. } => "badge badge-medium",
        ReviewStatus::Current { .. } => "badge badge-low",
        ReviewStatus::NotApproved => "badge",
    };
    view! { <span class=class>{review.label()}</span> }
}

#[component]
pub fn DocumentsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| DocumentFilter {
            clause: q.get("clause").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
        })
    });
    let docs = Resource::new(move || filter.get(), list_documents);
    view! {
        <Title text="SMS documents"/>
        <h1>"SMS documents"</h1>
        <p class="muted">"Clause 7.5: the documented information the SMS needs, each version approved by a quality manager who did not write it and reviewed on its cycle."</p>
        <FilterForm filter=filter.get_untracked()/>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the register…"</p> }>
            {move || Suspend::new(async move {
                match docs.await {
                    Ok(docs) if docs.is_empty() => view! {
                        <div class="empty-state">
                            <p><strong>"No documents match."</strong></p>
                            <p>"Clear the filters, or register the SMS scope, policy and plan first."</p>
                        </div>
                    }.into_any(),
                    Ok(docs) => view! { <DocumentTable docs/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <IfAllowed permission=Permission::DocumentEdit>
            <NewDocumentForm/>
        </IfAllowed>
    }
}

#[component]
fn FilterForm(filter: DocumentFilter) -> impl IntoView {
    view! {
        <form method="get" action="/compliance/documents" class="search-bar" role="search">
            <div class="field">
                <label for="doc-filter-clause">"Clause"</label>
                <select id="doc-filter-clause" name="clause">
                    <option value="" selected=filter.clause.is_empty()>"Any clause"</option>
                    {CLAUSES.iter().map(|(n, t)| view! { <option value=*n selected=filter.clause == *n>{format!("{n} {t}")}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="doc-filter-status">"Status"</label>
                <select id="doc-filter-status" name="status">
                    <option value="" selected=filter.status.is_empty()>"Any status"</option>
                    {STATUS_FILTERS.iter().map(|(v, l)| view! { <option value=*v selected=filter.status == *v>{*l}</option> }).collect_view()}
                </select>
            </div>
            <div class="form-actions"><button type="submit" class="button secondary">"Filter"</button></div>
        </form>
    }
}

#[component]
fn DocumentTable(docs: Vec<DocumentSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table document-table">
                <thead><tr>
                    <th scope="col">"Document"</th>
                    <th scope="col">"Clauses"</th>
                    <th scope="col">"Owner"</th>
                    <th scope="col">"In force"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Next review"</th>
                </tr></thead>
                <tbody>
                    {docs.into_iter().map(|d| {
                        let in_force = match d.approved_number {
                            Some(n) => format!("v{n}{}", d.approved_at.map(|a| format!(", approved {}", a.date_naive())).unwrap_or_default()),
                            None => "None approved".into(),
                        };
                        view! {
                            <tr class:overdue=d.review.is_overdue()>
                                <td><a href=format!("/compliance/documents/{}", d.id)>{d.title.clone()}</a></td>
                                <td>{d.clauses.join(", ")}</td>
                                <td>{d.owner.name.clone()}</td>
                                <td>{in_force}</td>
                                <td>{format!("v{} ", d.latest_number)}{doc_state_badge(d.latest_state)}</td>
                                <td>{doc_review_badge(d.review)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The clause checkboxes shared by the new-document and edit-draft forms.
pub fn clause_checkboxes(prefix: &'static str, chosen: Vec<String>) -> impl IntoView {
    view! {
        <div class="checkbox-list clause-list">
            {CLAUSES.iter().enumerate().map(|(i, (n, t))| {
                let id = format!("{prefix}-clause-{}", n.replace('.', "-"));
                let checked = chosen.iter().any(|c| c == n);
                view! { <label class="checkbox" for=id><input type="checkbox" id=id.clone() name=format!("clauses[{i}]") value=*n checked=checked/>" "{format!("{n} {t}")}</label> }
            }).collect_view()}
        </div>
    }
}

#[component]
fn NewDocumentForm() -> impl IntoView {
    let create = ServerAction::<CreateDocument>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let owners = Resource::new(|| (), |_| document_owners());
    let session = crate::components::session::use_session();
    view! {
        <section class="panel" aria-labelledby="new-document-heading">
            <h2 id="new-document-heading">"New document"</h2>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let people = owners.await.unwrap_or_default();
                    let me = session.user.await.ok().flatten().map(|u| u.id);
                    view! {
                        <ActionForm action=create attr:class="form" attr:novalidate=true>
                            <FormErrors error/>
                            <div class="field">
                                <label for="doc-title">"Title"</label>
                                <input id="doc-title" name="title" required placeholder="Service management policy" aria-describedby="doc-title-error"/>
                                <p class="field-error" id="doc-title-error">{field_error(error, "title")}</p>
                            </div>
                            <div class="field-row">
                                <div class="field">
                                    <label for="doc-owner">"Owner"</label>
                                    <select id="doc-owner" name="owner_id" aria-describedby="doc-owner-error">
                                        {people.into_iter().map(|p| view! { <option value=p.id selected=Some(p.id) == me>{p.name}</option> }).collect_view()}
                                    </select>
                                    <p class="field-error" id="doc-owner-error">{field_error(error, "owner_id")}</p>
                                </div>
                                <div class="field">
                                    <label for="doc-review">"Review every"</label>
                                    <select id="doc-review" name="review_months">
                                        {[3, 6, 12, 24, 36].into_iter().map(|m| view! { <option value=m selected=m == 12>{format!("{m} months")}</option> }).collect_view()}
                                    </select>
                                </div>
                            </div>
                            <fieldset>
                                <legend>"Clauses it answers"</legend>
                                {clause_checkboxes("new-doc", Vec::new())}
                                <p class="field-error">{field_error(error, "clauses")}</p>
                            </fieldset>
                            <div class="field">
                                <label for="doc-content">"Text (Markdown)"</label>
                                <textarea id="doc-content" name="content" rows="10" aria-describedby="doc-content-error"></textarea>
                                <p class="field-error" id="doc-content-error">{field_error(error, "content")}</p>
                            </div>
                            <div class="field">
                                <label for="doc-link">"Link (optional, where the document is kept)"</label>
                                <input id="doc-link" name="link" type="url" placeholder="https://intranet.example/policy.pdf" aria-describedby="doc-link-error"/>
                                <p class="field-error" id="doc-link-error">{field_error(error, "link")}</p>
                            </div>
                            <div class="field">
                                <label for="doc-summary">"Change summary"</label>
                                <input id="doc-summary" name="change_summary" value="First issue"/>
                            </div>
                            <div class="form-actions">
                                <button type="submit" class="button" disabled=move || create.pending().get()>"Register the document"</button>
                            </div>
                        </ActionForm>
                    }
                })}
            </Suspense>
        </section>
    }
}
