//! The standard change catalogue: pre-authorised templates that standard changes follow.
//! Change managers add, edit and retire them; everyone who reads changes can browse them.

use super::id_param;
use crate::api::templates::{list_templates, CreateTemplate, UpdateTemplate};
use crate::components::change_fields::field_error;
use crate::components::error_view::{ErrorPanel, FormErrors};
use crate::components::session::IfAllowed;
use crate::error::AppError;
use crate::model::access::Permission;
use crate::model::refs::ServiceRef;
use crate::model::standard_template::{StandardTemplate, TemplateForm};
use leptos::prelude::*;
use leptos_meta::Title;

/// The template's fields, named `form[…]` for the server function.
#[component]
fn TemplateFields(
    initial: TemplateForm,
    services: Vec<ServiceRef>,
    error: Signal<Option<AppError>>,
    prefix: &'static str,
) -> impl IntoView {
    let id = move |field: &str| format!("{prefix}-{field}");
    let message = move |field: &'static str| {
        let text = field_error(error, field);
        view! { <p class="field-error" id=id(&format!("{field}-error")) aria-live="polite">{text}</p> }
    };
    let text = move |field: &'static str, label: &'static str, value: String| {
        view! {
            <div class="field">
                <label for=id(field)>{label}</label>
                <textarea id=id(field) name=format!("form[{field}]") rows=3 aria-describedby=id(&format!("{field}-error"))>{value}</textarea>
                {message(field)}
            </div>
        }
    };
    let chosen = initial.service_ids.clone();
    view! {
        <div class="field">
            <label for=id("name")>"Name"</label>
            <input id=id("name") name="form[name]" value=initial.name maxlength=120 aria-describedby=id("name-error")/>
            {message("name")}
        </div>
        <div class="field">
            <label for=id("category")>"Category"</label>
            <input id=id("category") name="form[category]" value=initial.category maxlength=60 aria-describedby=id("category-error")/>
            {message("category")}
        </div>
        {text("description", "Description", initial.description)}
        <fieldset class="role-choices">
            <legend>"Services it applies to"</legend>
            {services.into_iter().enumerate().map(|(index, s)| {
                let value = s.id.to_string();
                let checked = chosen.contains(&value);
                let input_id = format!("{prefix}-service-{}", s.id);
                let label_for = input_id.clone();
                view! {
                    <label for=label_for class="checkbox">
                        <input type="checkbox" id=input_id name=format!("form[service_ids][{index}]") value=value checked=checked/>" "{s.name}
                    </label>
                }
            }).collect_view()}
            {message("service_ids")}
        </fieldset>
        {text("implementation_plan", "Implementation plan", initial.implementation_plan)}
        {text("test_plan", "Test plan", initial.test_plan)}
        {text("backout_plan", "Back-out plan", initial.backout_plan)}
    }
}

#[component]
pub fn ChangeTemplatesPage() -> impl IntoView {
    let create = ServerAction::<CreateTemplate>::new();
    // Refetch after a successful add only, so a refused form keeps what was typed.
    let last_created =
        Memo::new(
            move |previous: Option<&Option<i64>>| match create.value().get() {
                Some(Ok(template)) => Some(template.id),
                _ => previous.copied().flatten(),
            },
        );
    let templates = Resource::new(move || last_created.get(), |_| list_templates());
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <Title text="Standard change templates"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/changes">"Changes"</a>" / Standard templates"</nav>
        <h1>"Standard change templates"</h1>
        <p class="muted">"Pre-authorised, low-risk changes. A standard change follows one of these and runs its plans, so it skips assessment and the CAB."</p>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading templates…"</p> }>
            {move || Suspend::new(async move {
                match templates.await {
                    Ok((templates, services)) => {
                    let services = StoredValue::new(services);
                    view! {
                        {if templates.is_empty() {
                            view! { <div class="empty-state"><p><strong>"No standard change templates yet."</strong></p><p>"Change managers add the changes the organisation has pre-authorised."</p></div> }.into_any()
                        } else {
                            view! {
                                <ul class="template-list">
                                    {templates.into_iter().map(|t| view! {
                                        <li class:retired=!t.active>
                                            <a href=format!("/changes/templates/{}", t.id)>{t.name.clone()}</a>
                                            {(!t.category.is_empty()).then(|| view! { " · "<span class="muted">{t.category.clone()}</span> })}
                                            {(!t.active).then(|| view! { " "<span class="badge badge-archived">"Retired"</span> })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        <IfAllowed permission=Permission::TemplateManage>
                            <section class="panel" aria-labelledby="add-template-heading">
                                <h2 id="add-template-heading">"Add a template"</h2>
                                <ActionForm action=create attr:class="form" attr:novalidate=true>
                                    <FormErrors error/>
                                    <TemplateFields initial=TemplateForm::default() services=services.get_value() error prefix="new-template"/>
                                    <div class="form-actions">
                                        <button type="submit" class="button" disabled=move || create.pending().get()>"Add template"</button>
                                    </div>
                                </ActionForm>
                            </section>
                        </IfAllowed>
                    }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn ChangeTemplatePage() -> impl IntoView {
    let id = id_param();
    let loaded = Resource::new(
        move || id.get(),
        |id| async move {
            let id = id.ok_or_else(|| AppError::NotFound("That template".into()))?;
            let (templates, services) = list_templates().await?;
            let template = templates
                .into_iter()
                .find(|t| t.id == id)
                .ok_or_else(|| AppError::NotFound("That standard change template".into()))?;
            Ok::<_, AppError>((template, services))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading the template…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok((template, services)) => view! { <EditTemplate template services/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditTemplate(template: StandardTemplate, services: Vec<ServiceRef>) -> impl IntoView {
    let update = ServerAction::<UpdateTemplate>::new();
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let title = template.name.clone();
    let (id, version, active) = (template.id, template.version, template.active);
    let initial = StoredValue::new(template.to_form());
    let services = StoredValue::new(services);
    let plans = [
        ("Implementation plan", template.implementation_plan.clone()),
        ("Test plan", template.test_plan.clone()),
        ("Back-out plan", template.backout_plan.clone()),
    ];
    view! {
        <Title text=title.clone()/>
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <a href="/changes">"Changes"</a>" / "<a href="/changes/templates">"Standard templates"</a>" / "{title.clone()}
        </nav>
        <h1>{title}{(!active).then(|| view! { " "<span class="badge badge-archived">"Retired"</span> })}</h1>
        <dl class="details">
            {plans.into_iter().map(|(label, text)| view! { <dt>{label}</dt><dd class="prewrap">{text}</dd> }).collect_view()}
        </dl>
        <IfAllowed permission=Permission::TemplateManage>
            <ActionForm action=update attr:class="form" attr:novalidate=true>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=version/>
                <FormErrors error/>
                <TemplateFields initial=initial.get_value() services=services.get_value() error prefix="template"/>
                <div class="field">
                    <label class="checkbox" for="template-active">
                        <input type="checkbox" id="template-active" name="active" value="true" checked=active/>
                        " Active (may be chosen for new standard changes)"
                    </label>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || update.pending().get()>"Save template"</button>
                    <a class="button secondary" href="/changes/templates">"Cancel"</a>
                </div>
            </ActionForm>
        </IfAllowed>
    }
}
