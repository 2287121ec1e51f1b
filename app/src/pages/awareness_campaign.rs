//! `/awareness/:id`: one campaign — what it asks, of whom, by when; the reader's own
//! acknowledgement; completion per role and who is outstanding; for the quality manager, the
//! forms to edit and launch a draft, extend, take in newcomers and close a running one.

use super::id_param;
use crate::api::awareness::{
    campaign_form_choices, get_campaign, AcknowledgeCampaign, AssignNewcomers, ExtendCampaign,
    MoveCampaign, UpdateCampaign,
};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::succeeded::successes;
use crate::error::AppError;
use crate::model::awareness::{Campaign, CampaignDocument, CampaignStatus, Progress};
use crate::pages::awareness::{completion_view, status_badge, CampaignFields};
use leptos::prelude::*;
use leptos_meta::Title;

#[derive(Clone, Copy)]
struct Actions {
    update: ServerAction<UpdateCampaign>,
    status: ServerAction<MoveCampaign>,
    extend: ServerAction<ExtendCampaign>,
    newcomers: ServerAction<AssignNewcomers>,
}

#[component]
pub fn AwarenessCampaignPage() -> impl IntoView {
    let id = id_param();
    let actions = Actions {
        update: ServerAction::new(),
        status: ServerAction::new(),
        extend: ServerAction::new(),
        newcomers: ServerAction::new(),
    };
    let acknowledged = RwSignal::new(0u32);
    let refreshes = [
        successes(actions.update),
        successes(actions.status),
        successes(actions.extend),
        successes(actions.newcomers),
        acknowledged,
    ];
    let record = Resource::new(
        move || (id.get(), refreshes.map(|count| count.get())),
        |(id, ..)| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That campaign".into()))?;
            get_campaign(id).await
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the campaign…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok(campaign) => view! { <CampaignView campaign actions acknowledged/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The reader's acknowledgement of one campaign: a tick that they read the document, and the
/// button. Each form has its own action (the dashboard lists every campaign due), so a refusal
/// shows under the campaign it concerns; `acknowledged` counts the successes, for a refresh.
#[component]
pub fn AcknowledgeForm(
    campaign_id: i64,
    title: String,
    document: CampaignDocument,
    acknowledged: RwSignal<u32>,
) -> impl IntoView {
    let action = ServerAction::<AcknowledgeCampaign>::new();
    let done = successes(action);
    Effect::new(move |previous: Option<u32>| {
        let now = done.get();
        if previous.is_some_and(|p| p != now) {
            acknowledged.update(|n| *n += 1);
        }
        now
    });
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let field = format!("acknowledge-{campaign_id}-read");
    let described = format!("{field}-error");
    let (label_for, describes) = (field.clone(), described.clone());
    view! {
        <ActionForm action attr:class="form acknowledge-form" attr:novalidate=true>
            <FormErrors error/>
            <input type="hidden" name="id" value=campaign_id/>
            <div class="field">
                <label class="checkbox" for=label_for>
                    <input type="checkbox" id=field name="read" value="yes" aria-describedby=describes/>
                    {format!(" I have read {} and understood what it means for my work", document.words())}
                </label>
                <p class="field-error" id=described aria-live="polite">{field_error(error, "read")}</p>
            </div>
            <button type="submit" class="button" aria-label=format!("Acknowledge “{title}”") disabled=move || action.pending().get()>"Acknowledge"</button>
        </ActionForm>
    }
}

fn audience_words(campaign: &Campaign) -> String {
    let mut who: Vec<String> = campaign
        .roles
        .iter()
        .map(|r| format!("{}s", r.label()))
        .collect();
    who.extend(campaign.people.iter().map(|p| p.name.clone()));
    who.join(", ")
}

#[component]
fn CampaignView(
    campaign: Campaign,
    actions: Actions,
    acknowledged: RwSignal<u32>,
) -> impl IntoView {
    let manage = campaign.may_manage;
    let status = campaign.status;
    let document_href = campaign.document.href();
    let mine = campaign.mine.map(|progress| {
        let words = progress.words();
        let form = (status == CampaignStatus::Running && !matches!(progress, Progress::Acknowledged { .. }))
            .then(|| view! { <AcknowledgeForm campaign_id=campaign.id title=campaign.title.clone() document=campaign.document.clone() acknowledged/> });
        view! {
            <section class="panel" aria-labelledby="mine-heading">
                <h2 id="mine-heading">"Your acknowledgement"</h2>
                <p class:overdue=progress == Progress::Overdue>{words}</p>
                {form}
            </section>
        }
    });
    let stamps = [
        Some(("Prepared", campaign.created.clone())),
        campaign.launched.clone().map(|s| ("Launched", s)),
        campaign.closed.clone().map(|s| ("Closed", s)),
    ];
    let completion = (status != CampaignStatus::Draft)
        .then(|| view! { <CompletionPanel campaign=campaign.clone()/> });
    view! {
        <Title text=campaign.title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/awareness">"Awareness"</a>" / "{campaign.title.clone()}</nav>
        <div class="page-header">
            <h1>{campaign.title.clone()}</h1>
            <div class="page-actions">{status_badge(status)}</div>
        </div>
        {mine}
        <dl class="details">
            <dt>"Read"</dt><dd><a href=document_href>{campaign.document.words()}</a></dd>
            <dt>"What is asked"</dt><dd class="prewrap">{campaign.message.clone()}</dd>
            <dt>"For"</dt><dd>{audience_words(&campaign)}</dd>
            <dt>"Due"</dt><dd><time datetime=campaign.due_on.to_string()>{campaign.due_on.to_string()}</time></dd>
            <dt>"Target"</dt><dd>{format!("{}% of the audience", campaign.target_percent)}</dd>
            {stamps.into_iter().flatten().map(|(what, stamp)| view! {
                <dt>{what}</dt><dd>{format!("{} by {}", stamp.at.format("%Y-%m-%d %H:%M UTC"), stamp.by.name)}</dd>
            }).collect_view()}
        </dl>
        {completion}
        {(manage && status == CampaignStatus::Draft).then(|| view! {
            <EditPanel campaign=campaign.clone() action=actions.update/>
            <StatusPanel campaign=campaign.clone() action=actions.status/>
        })}
        {(manage && status == CampaignStatus::Running).then(|| view! {
            <RunningPanel campaign=campaign.clone() actions/>
        })}
    }
}

#[component]
fn CompletionPanel(campaign: Campaign) -> impl IntoView {
    let outstanding = campaign.completion.outstanding();
    let listed = campaign.outstanding.len() as u64;
    let export = format!("/awareness/{}/export.csv", campaign.id);
    view! {
        <section class="panel" aria-labelledby="completion-heading">
            <h2 id="completion-heading">"Completion"</h2>
            <p>{completion_view(campaign.completion, campaign.target_percent)}</p>
            {if campaign.by_role.is_empty() {
                ().into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table">
                            <caption>"By role (people with several roles count in each)"</caption>
                            <thead><tr>
                                <th scope="col">"Role"</th>
                                <th scope="col">"In the audience"</th>
                                <th scope="col">"Acknowledged"</th>
                                <th scope="col">"Overdue"</th>
                            </tr></thead>
                            <tbody>
                                {campaign.by_role.into_iter().map(|r| view! {
                                    <tr>
                                        <th scope="row">{r.role.label()}</th>
                                        <td>{r.completion.assigned}</td>
                                        <td>{completion_view(r.completion, campaign.target_percent)}</td>
                                        <td>{r.completion.overdue}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <h3>"Not acknowledged yet"</h3>
            {(outstanding > listed).then(|| view! {
                <p class="hint">{format!("The first {listed} of {outstanding}; the export lists everyone.")}</p>
            })}
            {if campaign.outstanding.is_empty() {
                view! { <p class="muted">"Everyone in the audience has acknowledged it."</p> }.into_any()
            } else {
                view! {
                    <ul class="campaign-outstanding">
                        {campaign.outstanding.into_iter().map(|row| view! {
                            <li class:overdue=row.progress == Progress::Overdue>
                                {format!("{} · {}", row.person.name, row.progress.words())}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <p><a href=export download="">"Download everyone's acknowledgement (CSV)"</a></p>
        </section>
    }
}

#[component]
fn EditPanel(campaign: Campaign, action: ServerAction<UpdateCampaign>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| campaign_form_choices());
    let (id, version) = (campaign.id, campaign.version);
    let initial = campaign.form();
    view! {
        <section class="panel" aria-labelledby="edit-campaign-heading">
            <h2 id="edit-campaign-heading">"Edit the draft"</h2>
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
                                    <CampaignFields choices initial error/>
                                    <div class="form-actions">
                                        <button type="submit" class="button secondary" disabled=move || action.pending().get()>"Save the draft"</button>
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

/// Launches a draft or closes a running campaign.
#[component]
fn StatusPanel(campaign: Campaign, action: ServerAction<MoveCampaign>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let closing = campaign.status == CampaignStatus::Running;
    view! {
        <section class="panel" aria-labelledby="campaign-status-heading">
            <h2 id="campaign-status-heading">{if closing { "Close the campaign" } else { "Launch the campaign" }}</h2>
            <p class="muted">{if closing {
                "Closed, nobody acknowledges it any more: its completion is the record the auditor sees."
            } else {
                "At launch the document's approved version is pinned and everyone in the audience is asked to acknowledge it; the document and audience no longer change."
            }}</p>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <input type="hidden" name="id" value=campaign.id/>
                <input type="hidden" name="version" value=campaign.version/>
                <input type="hidden" name="close" value=if closing { "true" } else { "false" }/>
                <div class="form-actions">
                    <button type="submit" class=if closing { "button secondary" } else { "button" } disabled=move || action.pending().get()>{if closing { "Close the campaign" } else { "Launch" }}</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn RunningPanel(campaign: Campaign, actions: Actions) -> impl IntoView {
    let extend_error = Signal::derive(move || actions.extend.value().get().and_then(Result::err));
    let newcomers_error =
        Signal::derive(move || actions.newcomers.value().get().and_then(Result::err));
    let newcomers = campaign.newcomers;
    view! {
        <section class="panel" aria-labelledby="extend-heading">
            <h2 id="extend-heading">"Extend the due date"</h2>
            <ActionForm action=actions.extend attr:class="form" attr:novalidate=true>
                <FormErrors error=extend_error/>
                <input type="hidden" name="id" value=campaign.id/>
                <input type="hidden" name="version" value=campaign.version/>
                <div class="field">
                    <label for="campaign-extend-due">"New due date"</label>
                    <input id="campaign-extend-due" type="date" name="form[due_on]" aria-describedby="campaign-extend-due-error"/>
                    <p class="field-error" id="campaign-extend-due-error" aria-live="polite">{field_error(extend_error, "due_on")}</p>
                </div>
                <button type="submit" class="button secondary" disabled=move || actions.extend.pending().get()>"Extend"</button>
            </ActionForm>
        </section>
        {(newcomers > 0).then(|| view! {
            <section class="panel" aria-labelledby="newcomers-heading">
                <h2 id="newcomers-heading">"People who joined the audience"</h2>
                <p>{if newcomers == 1 { "1 person now holds one of the campaign's roles and was not in the audience at launch.".to_string() } else { format!("{newcomers} people now hold one of the campaign's roles and were not in the audience at launch.") }}</p>
                <ActionForm action=actions.newcomers attr:class="form" attr:novalidate=true>
                    <FormErrors error=newcomers_error/>
                    <input type="hidden" name="id" value=campaign.id/>
                    <input type="hidden" name="version" value=campaign.version/>
                    <button type="submit" class="button secondary" disabled=move || actions.newcomers.pending().get()>"Ask them too"</button>
                </ActionForm>
            </section>
        })}
        <StatusPanel campaign action=actions.status/>
    }
}
