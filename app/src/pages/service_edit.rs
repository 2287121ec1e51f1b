use super::id_param;
use crate::api::service::{get_service, UpdateService};
use crate::components::error_view::{ErrorBanner, ErrorPanel};
use crate::components::service_fields::ServiceFields;
use crate::error::AppError;
use crate::model::service::Service;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ServiceEditPage() -> impl IntoView {
    let id = id_param();
    let service = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_service(id).await,
                None => Err(AppError::NotFound("That service".into())),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the service…"</p> }>
            {move || Suspend::new(async move {
                match service.await {
                    Ok(service) => view! { <EditForm service/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditForm(service: Service) -> impl IntoView {
    let action = ServerAction::<UpdateService>::new();
    let server_error = Signal::derive(move || action.value().get().and_then(Result::err));
    let title = format!("Edit {}", service.name);
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <a href="/services">"Services"</a>" / "
            <a href=format!("/services/{}", service.id)>{service.name.clone()}</a>" / Edit"
        </nav>
        <h1>{title}</h1>
        <ActionForm action attr:class="form" attr:novalidate=true>
            <input type="hidden" name="id" value=service.id/>
            <input type="hidden" name="version" value=service.version/>
            {move || server_error.get().filter(|e| !matches!(e, AppError::Validation(_))).map(|error| view! { <ErrorBanner error/> })}
            <ServiceFields initial=service.to_form() server_error/>
            <div class="form-actions">
                <button type="submit" class="button" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Save changes" }}
                </button>
                <a class="button secondary" href=format!("/services/{}", service.id)>"Cancel"</a>
            </div>
        </ActionForm>
    }
}
