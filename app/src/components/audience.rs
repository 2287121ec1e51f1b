//! The fields that choose an audience — SMS roles and named people — shared by the forms that
//! need one (who needs a competence, who a campaign asks to read a document). They post
//! `form[roles][n]` and `form[people][]`.

use crate::components::change_fields::field_error;
use crate::error::AppError;
use crate::model::access::Role;
use crate::model::refs::PersonRef;
use leptos::prelude::*;

#[component]
pub fn AudienceFields(
    /// Prefixes the fields' ids (`{prefix}-role-…`, `{prefix}-people`).
    prefix: &'static str,
    roles_legend: &'static str,
    people_label: &'static str,
    people: Vec<PersonRef>,
    chosen_roles: Vec<String>,
    chosen_people: Vec<String>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let people_id = format!("{prefix}-people");
    let people_error = format!("{prefix}-people-error");
    let roles_error = format!("{prefix}-roles-error");
    let roles_described = roles_error.clone();
    view! {
        <fieldset class="field" aria-describedby=roles_described>
            <legend>{roles_legend}</legend>
            {Role::ALL.into_iter().enumerate().map(|(index, role)| {
                let id = format!("{prefix}-role-{}", role.as_str());
                let label_for = id.clone();
                let checked = chosen_roles.iter().any(|r| r == role.as_str());
                view! {
                    <label class="checkbox" for=label_for>
                        <input type="checkbox" id=id name=format!("form[roles][{index}]") value=role.as_str() checked=checked/>
                        " "{role.label()}
                    </label>
                }
            }).collect_view()}
            <p class="field-error" id=roles_error aria-live="polite">{field_error(error, "roles")}</p>
        </fieldset>
        <div class="field">
            <label for=people_id.clone()>{people_label}</label>
            <select id=people_id name="form[people][]" multiple=true size=6 aria-describedby=people_error.clone()>
                {people.into_iter().map(|p| {
                    let selected = chosen_people.contains(&p.id.to_string());
                    view! { <option value=p.id selected=selected>{p.name}</option> }
                }).collect_view()}
            </select>
            <p class="field-error" id=people_error aria-live="polite">{field_error(error, "people")}</p>
        </div>
    }
}
