//! Labelled form fields with their error message wired up for screen readers.

use leptos::prelude::*;

fn describedby(id: &'static str, has_hint: bool, has_error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if has_hint {
        ids.push(format!("{id}-hint"));
    }
    if has_error {
        ids.push(format!("{id}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

#[component]
fn FieldMessages(
    id: &'static str,
    hint: Option<&'static str>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        {hint.map(|hint| view! { <p class="field-hint" id=format!("{id}-hint")>{hint}</p> })}
        <p class="field-error" id=format!("{id}-error") aria-live="polite">
            {move || error.get()}
        </p>
    }
}

/// A single-line text input. `on_change` receives every keystroke, `on_leave` the blur.
#[component]
pub fn TextField(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    initial: String,
    error: Signal<Option<String>>,
    on_change: Callback<String>,
    #[prop(optional)] on_leave: Option<Callback<()>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] maxlength: Option<usize>,
) -> impl IntoView {
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id>{label}{required.then_some(view! { <span class="required" aria-hidden="true">" *"</span> })}</label>
            <input
                type="text"
                id=id
                name=name
                value=initial
                required=required
                maxlength=maxlength
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=move || describedby(id, hint.is_some(), error.get().is_some())
                on:input=move |ev| on_change.run(event_target_value(&ev))
                on:blur=move |_| if let Some(leave) = on_leave { leave.run(()) }
            />
            <FieldMessages id hint error/>
        </div>
    }
}

/// A multi-line text input.
#[component]
pub fn TextAreaField(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    initial: String,
    error: Signal<Option<String>>,
    on_change: Callback<String>,
    #[prop(optional)] on_leave: Option<Callback<()>>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 4)] rows: u32,
) -> impl IntoView {
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id>{label}</label>
            <textarea
                id=id
                name=name
                rows=rows
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=move || describedby(id, hint.is_some(), error.get().is_some())
                on:input=move |ev| on_change.run(event_target_value(&ev))
                on:blur=move |_| if let Some(leave) = on_leave { leave.run(()) }
            >
                {initial}
            </textarea>
            <FieldMessages id hint error/>
        </div>
    }
}

/// A drop-down of fixed choices: `(value, label)` pairs.
#[component]
pub fn SelectField(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    options: Vec<(&'static str, &'static str)>,
    selected: String,
    error: Signal<Option<String>>,
    on_change: Callback<String>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let nothing_selected = selected.is_empty();
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id>{label}{required.then_some(view! { <span class="required" aria-hidden="true">" *"</span> })}</label>
            <select
                id=id
                name=name
                required=required
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=move || describedby(id, hint.is_some(), error.get().is_some())
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                {placeholder.map(|text| view! { <option value="" selected=nothing_selected>{text}</option> })}
                {options
                    .into_iter()
                    .map(|(value, text)| {
                        let is_selected = value == selected;
                        view! { <option value=value selected=is_selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            <FieldMessages id hint error/>
        </div>
    }
}
