//! User administration (Admin): add users, assign roles, disable, reset passwords.

use crate::api::users::{list_users, CreateUser, ResetUserPassword, SetUserDisabled, SetUserRoles};
use crate::components::error_view::{ErrorBanner, ErrorPanel};
use crate::error::AppError;
use crate::model::access::Role;
use crate::model::user::User;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let roles = ServerAction::<SetUserRoles>::new();
    let disable = ServerAction::<SetUserDisabled>::new();
    let reset = ServerAction::<ResetUserPassword>::new();
    let users = Resource::new(
        move || {
            (
                create.version().get(),
                roles.version().get(),
                disable.version().get(),
                reset.version().get(),
            )
        },
        |_| list_users(),
    );
    let last_error = Signal::derive(move || {
        [
            roles.value().get().and_then(Result::err),
            disable.value().get().and_then(Result::err),
            reset.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    view! {
        <Title text="Users"/>
        <h1>"Users"</h1>
        {move || last_error.get().map(|error| view! { <ErrorBanner error/> })}
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table class="data-table">
                                <caption class="visually-hidden">"Users"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Name"</th>
                                        <th scope="col">"E-mail"</th>
                                        <th scope="col">"Roles"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">"Manage"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|user| view! { <UserRow user roles disable reset/> }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
        <h2>"Add a user"</h2>
        <NewUserForm create/>
    }
}

#[component]
fn RoleCheckboxes(prefix: String, field: &'static str, selected: Vec<Role>) -> impl IntoView {
    view! {
        <fieldset class="role-choices">
            <legend>"Roles"</legend>
            {Role::ALL.into_iter().enumerate().map(|(index, role)| {
                let id = format!("{prefix}-{}", role.as_str());
                view! {
                    <label for=id.clone() class="checkbox">
                        <input type="checkbox" id=id.clone() name=format!("{field}[{index}]") value=role.as_str() checked=selected.contains(&role)/>
                        {role.label()}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
fn UserRow(
    user: User,
    roles: ServerAction<SetUserRoles>,
    disable: ServerAction<SetUserDisabled>,
    reset: ServerAction<ResetUserPassword>,
) -> impl IntoView {
    let role_labels = user
        .roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ");
    let prefix = format!("user-{}", user.id);
    let password_id = format!("{prefix}-password");
    view! {
        <tr>
            <td>{user.name.clone()}</td>
            <td>{user.email.clone()}</td>
            <td>{role_labels}</td>
            <td>{if user.disabled { view! { <span class="badge badge-archived">"Disabled"</span> }.into_any() } else { view! { <span class="badge badge-status-live">"Active"</span> }.into_any() }}</td>
            <td>
                <details>
                    <summary>{format!("Manage {}", user.name)}</summary>
                    <ActionForm action=roles attr:class="inline-form">
                        <input type="hidden" name="id" value=user.id/>
                        <input type="hidden" name="version" value=user.version/>
                        <RoleCheckboxes prefix=prefix.clone() field="roles" selected=user.roles.clone()/>
                        <button type="submit" class="button small">"Save roles"</button>
                    </ActionForm>
                    <ActionForm action=reset attr:class="inline-form">
                        <input type="hidden" name="id" value=user.id/>
                        <input type="hidden" name="version" value=user.version/>
                        <label for=password_id.clone()>"New password"</label>
                        <input type="password" id=password_id.clone() name="password" autocomplete="new-password" maxlength=128/>
                        <button type="submit" class="button small secondary">"Reset password"</button>
                    </ActionForm>
                    <ActionForm action=disable attr:class="inline-form">
                        <input type="hidden" name="id" value=user.id/>
                        <input type="hidden" name="version" value=user.version/>
                        <input type="hidden" name="disabled" value=(!user.disabled).to_string()/>
                        <button type="submit" class="button small secondary">{if user.disabled { "Enable user" } else { "Disable user" }}</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}

#[component]
fn NewUserForm(create: ServerAction<CreateUser>) -> impl IntoView {
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let created = move || create.value().get().and_then(Result::ok);
    let message = move |field: &'static str| {
        move || {
            error.with(|e| {
                e.as_ref()
                    .and_then(AppError::field_errors)
                    .and_then(|f| f.get(field).map(str::to_string))
            })
        }
    };
    view! {
        <ActionForm action=create attr:class="form" attr:novalidate=true>
            {move || error.get().filter(|e| !matches!(e, AppError::Validation(_))).map(|error| view! { <ErrorBanner error/> })}
            {move || created().map(|user| view! { <p class="banner banner-info" role="status">{format!("Added {} ({}).", user.name, user.email)}</p> })}
            <div class="field">
                <label for="new-user-name">"Name"</label>
                <input id="new-user-name" name="form[name]" maxlength=80 aria-describedby="new-user-name-error"/>
                <p class="field-error" id="new-user-name-error" aria-live="polite">{message("name")}</p>
            </div>
            <div class="field">
                <label for="new-user-email">"E-mail address"</label>
                <input id="new-user-email" type="email" name="form[email]" maxlength=254 aria-describedby="new-user-email-error"/>
                <p class="field-error" id="new-user-email-error" aria-live="polite">{message("email")}</p>
            </div>
            <RoleCheckboxes prefix="new-user".to_string() field="form[roles]" selected=vec![Role::Requester]/>
            <p class="field-error" aria-live="polite">{message("roles")}</p>
            <div class="field">
                <label for="new-user-password">"Initial password (8–128 characters)"</label>
                <input id="new-user-password" type="password" name="form[password]" autocomplete="new-password" maxlength=128 aria-describedby="new-user-password-error"/>
                <p class="field-error" id="new-user-password-error" aria-live="polite">{message("password")}</p>
            </div>
            <div class="form-actions"><button type="submit" class="button">"Add user"</button></div>
        </ActionForm>
    }
}
