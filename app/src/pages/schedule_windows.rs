//! Blackout (freeze) and maintenance windows: the list, the add form and the edit page.
//! Change managers manage them; everyone who reads changes sees them.

use super::id_param;
use crate::api::schedule::{load_window, schedule_windows, DeleteWindow, SaveWindow};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::calendar::WindowRecord;
use crate::model::refs::ServiceRef;
use crate::model::schedule::{WindowForm, WindowKind};
use leptos::prelude::*;
use leptos_meta::Title;

fn when(record: &WindowRecord) -> String {
    let (start, end) = (record.window.start, record.window.end);
    if start.date() == end.date() {
        format!(
            "{} {}–{}",
            start.format("%a %-d %b %Y"),
            start.format("%H:%M"),
            end.format("%H:%M")
        )
    } else {
        format!(
            "{} – {}",
            start.format("%a %-d %b %Y %H:%M"),
            end.format("%a %-d %b %Y %H:%M")
        )
    }
}

/// The fields of a window, named `form[…]` for the server function.
#[component]
fn WindowFields(
    initial: WindowForm,
    services: Vec<ServiceRef>,
    error: Signal<Option<AppError>>,
    prefix: &'static str,
) -> impl IntoView {
    let id = move |field: &str| format!("{prefix}-{field}");
    let message = move |field: &'static str| {
        let text = field_error(error, field);
        view! { <p class="field-error" id=id(&format!("{field}-error")) aria-live="polite">{text}</p> }
    };
    let kind = initial.kind.clone();
    let service = initial.service_id.clone();
    view! {
        <div class="form-grid">
            <div class="field">
                <label for=id("kind")>"Kind"</label>
                <select id=id("kind") name="form[kind]" aria-describedby=id("kind-error")>
                    {WindowKind::ALL.into_iter().map(|k| view! {
                        <option value=k.as_str() selected=kind == k.as_str()>{k.label()}</option>
                    }).collect_view()}
                </select>
                {message("kind")}
            </div>
            <div class="field">
                <label for=id("name")>"Name"</label>
                <input id=id("name") name="form[name]" value=initial.name maxlength=120 aria-describedby=id("name-error")/>
                {message("name")}
            </div>
            <div class="field">
                <label for=id("service")>"Applies to"</label>
                <select id=id("service") name="form[service_id]" aria-describedby=id("service_id-error")>
                    <option value="">"All services"</option>
                    {services.into_iter().map(|s| {
                        let value = s.id.to_string();
                        let selected = value == service;
                        view! { <option value=value selected=selected>{s.name}</option> }
                    }).collect_view()}
                </select>
                {message("service_id")}
            </div>
            <div class="field">
                <label for=id("starts")>"Starts"</label>
                <input id=id("starts") type="datetime-local" name="form[starts]" value=initial.starts aria-describedby=id("starts-error")/>
                {message("starts")}
            </div>
            <div class="field">
                <label for=id("ends")>"Ends"</label>
                <input id=id("ends") type="datetime-local" name="form[ends]" value=initial.ends aria-describedby=id("ends-error")/>
                {message("ends")}
            </div>
        </div>
    }
}

#[component]
fn AddWindow(services: Vec<ServiceRef>, action: ServerAction<SaveWindow>) -> impl IntoView {
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <section class="panel" aria-labelledby="add-window-heading">
            <h2 id="add-window-heading">"Add a window"</h2>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormErrors error/>
                <WindowFields initial=WindowForm { kind: "maintenance".into(), ..Default::default() } services error prefix="new-window"/>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Adding…" } else { "Add window" }}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ScheduleWindowsPage() -> impl IntoView {
    // Owned here so that a saved window refreshes the list (the redirect lands on this page).
    let add = ServerAction::<SaveWindow>::new();
    // The last window saved: refetch on success only, so a refused form keeps what was typed.
    let last_saved = Memo::new(
        move |previous: Option<&Option<i64>>| match add.value().get() {
            Some(Ok(id)) => Some(id),
            _ => previous.copied().flatten(),
        },
    );
    let windows = Resource::new(move || last_saved.get(), |_| schedule_windows());
    view! {
        <Title text="Blackout and maintenance windows"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/calendar">"Calendar"</a>" / Windows"</nav>
        <h1>"Blackout and maintenance windows"</h1>
        <p class="muted">"Changes may not run inside a blackout window. Changes to a service that has maintenance windows should run inside one. Conflicts are re-checked as soon as a window is saved."</p>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading windows…"</p> }>
            {move || Suspend::new(async move {
                match windows.await {
                    Ok((windows, services)) => view! {
                        <IfAllowed permission=Permission::ScheduleManage>
                            <AddWindow services=services.clone() action=add/>
                        </IfAllowed>
                        {if windows.is_empty() {
                            view! { <div class="empty-state"><p><strong>"No current or coming windows."</strong></p><p>"Change managers can add a freeze or a maintenance window below."</p></div> }.into_any()
                        } else {
                            view! {
                                <div class="table-wrap">
                                    <table class="data-table">
                                        <caption class="visually-hidden">"Windows"</caption>
                                        <thead><tr><th scope="col">"Window"</th><th scope="col">"Kind"</th><th scope="col">"Applies to"</th><th scope="col">"When"</th></tr></thead>
                                        <tbody>
                                            {windows.into_iter().map(|record| view! {
                                                <tr data-window=record.window.id>
                                                    <td><a href=format!("/calendar/windows/{}", record.window.id)>{record.window.name.clone()}</a></td>
                                                    <td><span class=format!("badge window-{}", record.window.kind.as_str())>{record.window.kind.label()}</span></td>
                                                    <td>{record.window.service.clone().unwrap_or_else(|| "All services".into())}</td>
                                                    <td>{when(&record)}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }}
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn ScheduleWindowPage() -> impl IntoView {
    let id = id_param();
    let record = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => load_window(id).await,
                None => Err(AppError::NotFound("That window".into())),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the window…"</p> }>
            {move || Suspend::new(async move {
                match record.await {
                    Ok((record, services)) => view! { <EditWindow record services/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditWindow(record: WindowRecord, services: Vec<ServiceRef>) -> impl IntoView {
    let save = ServerAction::<SaveWindow>::new();
    let delete = ServerAction::<DeleteWindow>::new();
    let error = Signal::derive(move || {
        save.value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    let title = record.window.name.clone();
    let (window_id, version) = (record.window.id, record.version);
    // Stored so the permission-gated form can be rendered again without moving them.
    let initial = StoredValue::new(record.form());
    let services = StoredValue::new(services);
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <a href="/calendar">"Calendar"</a>" / "<a href="/calendar/windows">"Windows"</a>" / "{title.clone()}
        </nav>
        <h1>{title}</h1>
        <p>{when(&record)}" · "{record.window.service.clone().unwrap_or_else(|| "All services".into())}</p>
        <IfAllowed permission=Permission::ScheduleManage>
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <input type="hidden" name="id" value=window_id/>
                <input type="hidden" name="version" value=version/>
                <FormErrors error/>
                <WindowFields initial=initial.get_value() services=services.get_value() error prefix="window"/>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { "Saving…" } else { "Save window" }}
                    </button>
                    <a class="button secondary" href="/calendar/windows">"Cancel"</a>
                </div>
            </ActionForm>
            <ActionForm action=delete attr:class="form danger-zone">
                <input type="hidden" name="id" value=window_id/>
                <input type="hidden" name="version" value=version/>
                <button type="submit" class="button danger" disabled=move || delete.pending().get()>"Delete this window"</button>
            </ActionForm>
        </IfAllowed>
    }
}
