//! Editing a change request while it can still be edited (draft, submitted, assessed).

use super::id_param;
use crate::api::changes::{change_choices, change_edit_form, UpdateChange};
use crate::components::change_fields::ChangeFields;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::error::AppError;
use crate::model::change_request::{Change, ChangeForm, ChangeFormChoices};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ChangeEditPage() -> impl IntoView {
    let id = id_param();
    let loaded = Resource::new(
        move || id.get(),
        |id| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That change".into()))?;
            let (change, form) = change_edit_form(id).await?;
            let choices = change_choices().await?;
            Ok::<_, AppError>((change, form, choices))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the change…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok((change, form, choices)) => view! { <EditChange change form choices/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditChange(change: Change, form: ChangeForm, choices: ChangeFormChoices) -> impl IntoView {
    let action = ServerAction::<UpdateChange>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let title = format!("Edit {}", change.reference());
    let back = format!("/changes/{}", change.id);
    if !change.is_editable() {
        return view! {
            <Title text=title/>
            <div class="empty-state">
                <p><strong>{format!("{} is {} and can no longer be edited.", change.reference(), change.state.label().to_lowercase())}</strong></p>
                <p>"Content is frozen once authorisation has been asked for, so that what was authorised is what runs."</p>
                <p><a href=back>"Back to the change"</a></p>
            </div>
        }
        .into_any();
    }
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <a href="/changes">"Changes"</a>" / "<a href=back.clone()>{change.reference()}</a>" / Edit"
        </nav>
        <h1>{title}</h1>
        {(change.state == crate::model::change::ChangeState::Assessed).then(|| view! {
            <p class="banner banner-info reassessment-note" role="note">"This change has been assessed. Changing its risk answers, services, plans or schedule sends it back to Submitted, to be assessed again."</p>
        })}
        <ActionForm action attr:class="form wide" attr:novalidate=true>
            <input type="hidden" name="id" value=change.id/>
            <input type="hidden" name="version" value=change.version/>
            <FormErrors error/>
            <ChangeFields initial=form services=choices.services people=choices.people templates=choices.templates error/>
            <div class="form-actions">
                <button type="submit" class="button" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Save changes" }}
                </button>
                <a class="button secondary" href=back>"Cancel"</a>
            </div>
        </ActionForm>
    }
    .into_any()
}
