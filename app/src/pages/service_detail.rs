use super::id_param;
use crate::api::service::{get_service, service_history, ArchiveService, RestoreService};
use crate::components::badges::{CriticalityBadge, StatusBadge};
use crate::components::error_view::{ErrorBanner, ErrorPanel};
use crate::components::history::HistoryList;
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::service::Service;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ServiceDetailPage() -> impl IntoView {
    let id = id_param();
    let archive = ServerAction::<ArchiveService>::new();
    let restore = ServerAction::<RestoreService>::new();
    let service = Resource::new(
        move || (id.get(), archive.version().get(), restore.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => get_service(id).await,
                None => Err(AppError::NotFound("That service".into())),
            }
        },
    );
    let action_error = Signal::derive(move || {
        archive
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| restore.value().get().and_then(Result::err))
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the service…"</p> }>
            {move || Suspend::new(async move {
                match service.await {
                    Ok(service) => view! { <ServiceView service archive restore action_error/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ServiceView(
    service: Service,
    archive: ServerAction<ArchiveService>,
    restore: ServerAction<RestoreService>,
    action_error: Signal<Option<AppError>>,
) -> impl IntoView {
    let customers = if service.customers.is_empty() {
        view! { <p class="muted">"No customers recorded."</p> }.into_any()
    } else {
        view! {
            <ul class="tag-list">
                {service.customers.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let service_id = service.id;
    let archived = service.archived;
    let version = service.version;
    let archive_control = move || {
        if archived {
            view! {
                <ActionForm action=restore>
                    <input type="hidden" name="id" value=service_id/>
                    <input type="hidden" name="version" value=version/>
                    <button type="submit" class="button secondary">"Restore service"</button>
                </ActionForm>
            }
            .into_any()
        } else {
            view! {
                <ActionForm action=archive>
                    <input type="hidden" name="id" value=service_id/>
                    <input type="hidden" name="version" value=version/>
                    <button type="submit" class="button secondary">"Archive service"</button>
                </ActionForm>
            }
            .into_any()
        }
    };
    view! {
        <Title text=service.name.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/services">"Services"</a>" / "{service.name.clone()}</nav>
        <div class="page-header">
            <h1>{service.name.clone()}</h1>
            <div class="page-actions">
                <a class="button secondary" href=format!("/services/{}/bia", service.id)>"Impact analysis"</a>
                <IfAllowed permission=Permission::ConfigurationRead>
                    <a class="button secondary" href=format!("/cmdb?service={}&status=all", service.id)>"Configuration items"</a>
                </IfAllowed>
                <IfAllowed permission=Permission::ServiceUpdate>
                    <a class="button" href=format!("/services/{}/edit", service.id)>"Edit"</a>
                </IfAllowed>
                <IfAllowed permission=Permission::ServiceArchive>{archive_control}</IfAllowed>
            </div>
        </div>
        {move || action_error.get().map(|error| view! { <ErrorBanner error/> })}
        {service.archived.then(|| view! {
            <p class="banner banner-info">"This service is archived: it is kept for the record but hidden from the catalogue."</p>
        })}
        <dl class="details">
            <dt>"Service owner"</dt>
            <dd>{service.owner.clone()}</dd>
            <dt>"Criticality"</dt>
            <dd><CriticalityBadge criticality=service.criticality/></dd>
            <dt>"Status"</dt>
            <dd><StatusBadge status=service.status archived=service.archived/></dd>
            <dt>"Description"</dt>
            <dd class="prose">
                {if service.description.is_empty() { "No description yet.".to_string() } else { service.description.clone() }}
            </dd>
            <dt>"Customers"</dt>
            <dd>{customers}</dd>
            <dt>"Last updated"</dt>
            <dd>
                <time datetime=service.updated_at.to_rfc3339()>{service.updated_at.format("%Y-%m-%d %H:%M UTC").to_string()}</time>
                {format!(" · version {}", service.version)}
            </dd>
        </dl>
        <section class="history-section" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            <ServiceHistory id=service.id version=service.version/>
        </section>
    }
}

#[component]
fn ServiceHistory(id: i64, version: i32) -> impl IntoView {
    // Keyed on the version so the history follows every change to the service.
    let entries = Resource::new(move || (id, version), |(id, _)| service_history(id));
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading history…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(entries) => view! { <HistoryList entries/> }.into_any(),
                    Err(error) => view! { <p class="field-error">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
