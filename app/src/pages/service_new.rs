use crate::api::service::CreateService;
use crate::components::error_view::ErrorBanner;
use crate::components::service_fields::ServiceFields;
use crate::error::AppError;
use crate::model::service::ServiceForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ServiceNewPage() -> impl IntoView {
    let action = ServerAction::<CreateService>::new();
    let server_error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <Title text="New service"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/services">"Services"</a>" / New"</nav>
        <h1>"New service"</h1>
        <ActionForm action attr:class="form" attr:novalidate=true>
            {move || server_error.get().filter(|e| !matches!(e, AppError::Validation(_))).map(|error| view! { <ErrorBanner error/> })}
            <ServiceFields initial=ServiceForm::default() server_error/>
            <div class="form-actions">
                <button type="submit" class="button" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Create service" }}
                </button>
                <a class="button secondary" href="/services">"Cancel"</a>
            </div>
        </ActionForm>
    }
}
