//! `/awareness`: the awareness campaigns (clause 7.3) — what each asks its audience to read,
//! by when, and how far the audience has come; `/awareness/new`, preparing a campaign.

use crate::api::awareness::{campaign_form_choices, list_campaigns, PrepareCampaign};
use crate::components::audience::AudienceFields;
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::pager::Pager;
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::awareness::{
    CampaignChoices, CampaignForm, CampaignParams, CampaignStatus, Completion,
};
use crate::model::listing::PageKey;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// A campaign's status as a badge.
pub fn status_badge(status: CampaignStatus) -> impl IntoView {
    view! { <span class=format!("badge campaign-{}", status.as_str())>{status.label()}</span> }
}

/// Completion in words with a bar beside them (the words carry it for print and screen
/// readers).
pub fn completion_view(completion: Completion, target: u32) -> impl IntoView {
    let percent = completion.percent().unwrap_or(0);
    view! {
        <span class="campaign-completion" class:below-target=!completion.meets(target)>
            <progress max=100 value=percent aria-hidden="true"></progress>
            {format!(" {}", completion.words())}
        </span>
    }
}

#[component]
pub fn AwarenessPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let query = query.read();
        let get = |key: &str| query.get(key).unwrap_or_default();
        CampaignParams {
            status: get("status"),
            page: get("page"),
            after: get("after"),
            before: get("before"),
        }
    });
    let list = Resource::new(move || params.get(), list_campaigns);
    view! {
        <Title text="Awareness"/>
        <div class="page-head">
            <h1>"Awareness"</h1>
            <div class="page-actions">
                <IfAllowed permission=Permission::AwarenessManage>
                    <a class="button" href="/awareness/new">"Prepare a campaign"</a>
                </IfAllowed>
            </div>
        </div>
        <p class="muted">"Clause 7.3: everyone in the SMS knows the policy, what it means for their work and what happens when it is not followed. A campaign asks its audience to read a document from the register by a due date; each person acknowledges it."</p>
        <form method="get" action="/awareness" class="filters" role="search" aria-label="Filter the campaigns">
            <div class="field">
                <label for="awareness-status">"Status"</label>
                <select id="awareness-status" name="status">
                    <option value="" selected=move || params.with(|p| p.status.is_empty())>"Any"</option>
                    {CampaignStatus::ALL.into_iter().map(|status| view! {
                        <option value=status.as_str() selected=move || params.with(|p| p.status == status.as_str())>{status.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="form-actions"><button type="submit" class="button secondary">"Filter"</button><a href="/awareness">"Clear"</a></div>
        </form>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the campaigns…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(page) => {
                        let p = params.get_untracked();
                        let (first, last) = (page.rows.first().map(|r| r.id), page.rows.last().map(|r| r.id));
                        let pager = (page.pages > 1).then(|| view! {
                            <Pager
                                previous=(page.page > 1).then(|| p.href_at(page.page - 1, first.and_then(|id| PageKey::previous(id, page.page - 1))))
                                next=(page.page < page.pages).then(|| p.href_at(page.page + 1, last.map(PageKey::After)))
                            />
                        });
                        let summary = format!("{} campaigns · page {} of {}", page.total, page.page, page.pages);
                        let today = page.today;
                        let body = if page.rows.is_empty() && !p.status.is_empty() {
                            view! { <div class="empty-state"><p><strong>"No campaign matches."</strong></p><p>"Clear the filter to see every campaign."</p></div> }.into_any()
                        } else if page.rows.is_empty() {
                            view! {
                                <div class="empty-state">
                                    <p><strong>"No campaigns yet."</strong></p>
                                    <p>"Prepare one to ask the people in the SMS to read the service management policy (or any approved document) and acknowledge it; the campaign then shows who has, per role, and who is overdue."</p>
                                </div>
                            }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap">
                                    <table class="data-table">
                                        <thead><tr>
                                            <th scope="col">"Campaign"</th>
                                            <th scope="col">"Document"</th>
                                            <th scope="col">"Status"</th>
                                            <th scope="col">"Due"</th>
                                            <th scope="col">"Acknowledged"</th>
                                            <th scope="col">"Target"</th>
                                        </tr></thead>
                                        <tbody>
                                            {page.rows.into_iter().map(|row| {
                                                let behind = row.behind(today);
                                                view! {
                                                    <tr class:overdue=behind>
                                                        <td><a href=format!("/awareness/{}", row.id)>{row.title.clone()}</a></td>
                                                        <td><a href=row.document.href()>{row.document.words()}</a></td>
                                                        <td>{status_badge(row.status)}</td>
                                                        <td><time datetime=row.due_on.to_string()>{row.due_on.to_string()}</time>{behind.then_some(" · below target")}</td>
                                                        <td>{if row.status == CampaignStatus::Draft { "Not launched".into_any() } else { completion_view(row.completion, row.target_percent).into_any() }}</td>
                                                        <td>{format!("{}%", row.target_percent)}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        };
                        view! { <p class="result-summary" role="status">{summary}</p>{body}{pager} }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn AwarenessNewPage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| campaign_form_choices());
    let prepare = ServerAction::<PrepareCampaign>::new();
    let error = Signal::derive(move || prepare.value().get().and_then(Result::err));
    view! {
        <Title text="Prepare a campaign"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/awareness">"Awareness"</a>" / Prepare"</nav>
        <h1>"Prepare a campaign"</h1>
        <p class="muted">"A campaign is saved as a draft: nobody is asked anything until you launch it."</p>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the form…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! {
                        <ActionForm action=prepare attr:class="form" attr:novalidate=true>
                            <FormErrors error/>
                            <CampaignFields choices initial=CampaignForm::new_campaign() error/>
                            <div class="form-actions">
                                <button type="submit" class="button" disabled=move || prepare.pending().get()>"Save the draft"</button>
                                <a href="/awareness">"Cancel"</a>
                            </div>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The fields of a campaign (`form[...]`), for preparing and editing a draft.
#[component]
pub fn CampaignFields(
    choices: CampaignChoices,
    initial: CampaignForm,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = move |field: &'static str| {
        view! { <p class="field-error" id=format!("campaign-{field}-error") aria-live="polite">{field_error(error, field)}</p> }
    };
    let document = initial.document_id.clone();
    let no_documents = choices.documents.is_empty();
    view! {
        <div class="field">
            <label for="campaign-title">"Title"</label>
            <input id="campaign-title" name="form[title]" value=initial.title.clone() aria-describedby="campaign-title-error"/>
            {message("title")}
        </div>
        <div class="field">
            <label for="campaign-document">"Document to read"</label>
            <select id="campaign-document" name="form[document_id]" aria-describedby="campaign-document_id-error campaign-document-hint">
                <option value="">"Choose an approved document"</option>
                {choices.documents.into_iter().map(|d| {
                    let selected = document == d.id.to_string();
                    view! { <option value=d.id selected=selected>{d.words()}</option> }
                }).collect_view()}
            </select>
            <p class="hint" id="campaign-document-hint">{if no_documents { "No document has an approved version yet: approve the policy in the document register first." } else { "The approved version at launch is the one people acknowledge." }}</p>
            {message("document_id")}
        </div>
        <div class="field">
            <label for="campaign-message">"What you ask of them"</label>
            <textarea id="campaign-message" name="form[message]" rows=4 aria-describedby="campaign-message-error">{initial.message.clone()}</textarea>
            {message("message")}
        </div>
        <AudienceFields
            prefix="campaign"
            roles_legend="For everyone in these roles"
            people_label="And these people"
            people=choices.people
            chosen_roles=initial.roles.clone()
            chosen_people=initial.people.clone()
            error
        />
        <div class="field-row">
            <div class="field">
                <label for="campaign-due">"Due"</label>
                <input id="campaign-due" type="date" name="form[due_on]" value=initial.due_on.clone() aria-describedby="campaign-due_on-error"/>
                {message("due_on")}
            </div>
            <div class="field">
                <label for="campaign-target">"Target (% of the audience)"</label>
                <input id="campaign-target" type="number" min=1 max=100 name="form[target_percent]" value=initial.target_percent.clone() aria-describedby="campaign-target_percent-error"/>
                {message("target_percent")}
            </div>
        </div>
    }
}
