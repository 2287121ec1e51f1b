//! The fields of the service form, with instant validation in the browser.
//! The same `ServiceForm::validate` decides on the server; its field errors show here too.

use crate::components::field::{SelectField, TextAreaField, TextField};
use crate::error::AppError;
use crate::model::service::{Criticality, ServiceForm, ServiceStatus, NAME_MAX, OWNER_MAX};
use leptos::prelude::*;
use std::collections::HashSet;

#[component]
pub fn ServiceFields(
    initial: ServiceForm,
    server_error: Signal<Option<AppError>>,
) -> impl IntoView {
    let form = RwSignal::new(initial.clone());
    // Fields the person has visited: only those show browser-side errors.
    let touched = RwSignal::new(HashSet::<&'static str>::new());
    // Fields edited since the server last answered: their server error is stale.
    let edited = RwSignal::new(HashSet::<&'static str>::new());
    Effect::new(move |_| {
        if server_error.get().is_some() {
            edited.set(HashSet::new());
        }
    });
    let client_errors = Memo::new(move |_| form.with(|f| f.validate().err().unwrap_or_default()));

    let error_for = move |field: &'static str| {
        Signal::derive(move || {
            if !edited.with(|e| e.contains(field)) {
                if let Some(message) = server_error.with(|e| {
                    e.as_ref()
                        .and_then(AppError::field_errors)
                        .and_then(|errors| errors.get(field).map(str::to_string))
                }) {
                    return Some(message);
                }
            }
            touched
                .with(|t| t.contains(field))
                .then(|| client_errors.with(|errors| errors.get(field).map(str::to_string)))
                .flatten()
        })
    };
    let change = move |field: &'static str, apply: fn(&mut ServiceForm, String)| {
        Callback::new(move |value: String| {
            form.update(|f| apply(f, value));
            edited.update(|e| {
                e.insert(field);
            });
        })
    };
    let leave = move |field: &'static str| {
        Callback::new(move |_| {
            touched.update(|t| {
                t.insert(field);
            })
        })
    };
    // Choosing from a list is a finished answer: validate it at once.
    let choose = move |field: &'static str, apply: fn(&mut ServiceForm, String)| {
        Callback::new(move |value: String| {
            form.update(|f| apply(f, value));
            edited.update(|e| {
                e.insert(field);
            });
            touched.update(|t| {
                t.insert(field);
            });
        })
    };

    view! {
        <TextField
            id="service-name"
            name="form[name]"
            label="Name"
            initial=initial.name
            required=true
            maxlength=NAME_MAX
            hint="Unique in the catalogue, as customers know the service."
            error=error_for("name")
            on_change=change("name", |f, v| f.name = v)
            on_leave=leave("name")
        />
        <TextField
            id="service-owner"
            name="form[owner]"
            label="Service owner"
            initial=initial.owner
            required=true
            maxlength=OWNER_MAX
            hint="The person accountable for the service."
            error=error_for("owner")
            on_change=change("owner", |f, v| f.owner = v)
            on_leave=leave("owner")
        />
        <div class="field-row">
            <SelectField
                id="service-criticality"
                name="form[criticality]"
                label="Criticality"
                required=true
                placeholder="Choose…"
                options=Criticality::ALL.iter().map(|c| (c.as_str(), c.label())).collect()
                selected=initial.criticality
                error=error_for("criticality")
                on_change=choose("criticality", |f, v| f.criticality = v)
            />
            <SelectField
                id="service-status"
                name="form[status]"
                label="Status"
                required=true
                placeholder="Choose…"
                options=ServiceStatus::ALL.iter().map(|s| (s.as_str(), s.label())).collect()
                selected=initial.status
                error=error_for("status")
                on_change=choose("status", |f, v| f.status = v)
            />
        </div>
        <TextAreaField
            id="service-description"
            name="form[description]"
            label="Description"
            initial=initial.description
            hint=const_format_hint()
            error=error_for("description")
            on_change=change("description", |f, v| f.description = v)
            on_leave=leave("description")
        />
        <TextAreaField
            id="service-customers"
            name="form[customers]"
            label="Customers"
            rows=3
            initial=initial.customers
            hint="One customer or customer group per line."
            error=error_for("customers")
            on_change=change("customers", |f, v| f.customers = v)
            on_leave=leave("customers")
        />
    }
}

const fn const_format_hint() -> &'static str {
    // Kept in step with DESCRIPTION_MAX by the test below.
    "What the service provides, in up to 2000 characters."
}

#[cfg(test)]
mod tests {
    #[test]
    fn description_hint_names_the_real_limit() {
        assert!(super::const_format_hint()
            .contains(&crate::model::service::DESCRIPTION_MAX.to_string()));
    }
}
