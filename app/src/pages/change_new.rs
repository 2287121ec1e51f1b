use crate::api::changes::{change_choices, CreateChange};
use crate::components::change_fields::ChangeFields;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::model::change_request::ChangeForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ChangeNewPage() -> impl IntoView {
    let action = ServerAction::<CreateChange>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let choices = Resource::new(|| (), |_| change_choices());
    view! {
        <Title text="New change"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/changes">"Changes"</a>" / New"</nav>
        <h1>"New change request"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(choices) => view! {
                        <ActionForm action attr:class="form wide" attr:novalidate=true>
                            <FormErrors error/>
                            <ChangeFields initial=ChangeForm::default() services=choices.services people=choices.people templates=choices.templates error/>
                            <div class="form-actions">
                                <button type="submit" class="button" disabled=move || action.pending().get()>
                                    {move || if action.pending().get() { "Saving…" } else { "Save draft" }}
                                </button>
                                <a class="button secondary" href="/changes">"Cancel"</a>
                            </div>
                        </ActionForm>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
