//! Your own account: who you are, your roles, your time zone and your password.

use crate::api::users::{ChangePassword, SetTimeZone};
use crate::components::error_view::{ErrorBanner, ErrorPanel};
use crate::components::session::use_session;
use crate::error::AppError;
use crate::model::user::CurrentUser;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    view! {
        <Title text="Your account"/>
        <h1>"Your account"</h1>
        <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(user)) => view! { <AccountForms user/> }.into_any(),
                    Ok(None) => view! { <ErrorPanel error=AppError::Unauthenticated/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn field_message(
    error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl Fn() -> Option<String> + Send + Sync + 'static {
    move || {
        error.with(|e| {
            e.as_ref()
                .and_then(AppError::field_errors)
                .and_then(|errors| errors.get(field).map(str::to_string))
        })
    }
}

#[component]
fn AccountForms(user: CurrentUser) -> impl IntoView {
    let time_zone = ServerAction::<SetTimeZone>::new();
    let password = ServerAction::<ChangePassword>::new();
    let tz_error = Signal::derive(move || time_zone.value().get().and_then(Result::err));
    let pw_error = Signal::derive(move || password.value().get().and_then(Result::err));
    let saved_zone = move || {
        time_zone
            .value()
            .get()
            .and_then(Result::ok)
            .map(|u| u.time_zone)
    };
    let roles = user
        .roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <dl class="details">
            <dt>"Name"</dt><dd>{user.name.clone()}</dd>
            <dt>"E-mail"</dt><dd>{user.email.clone()}</dd>
            <dt>"Roles"</dt><dd>{if roles.is_empty() { "No roles yet: ask an administrator.".to_string() } else { roles }}</dd>
        </dl>
        <h2>"Time zone"</h2>
        <ActionForm action=time_zone attr:class="form" attr:novalidate=true>
            <div class="field">
                <label for="account-time-zone">"Time zone"</label>
                <input id="account-time-zone" name="time_zone" value=user.time_zone.clone() maxlength=64
                    aria-describedby="account-time-zone-hint account-time-zone-error"/>
                <p class="field-hint" id="account-time-zone-hint">"An IANA name such as Europe/Berlin, America/New_York or UTC."</p>
                <p class="field-error" id="account-time-zone-error" aria-live="polite">{field_message(tz_error, "time_zone")}</p>
            </div>
            {move || saved_zone().map(|zone| view! { <p class="banner banner-info" role="status">{format!("Saved: {zone}.")}</p> })}
            <div class="form-actions"><button type="submit" class="button">"Save time zone"</button></div>
        </ActionForm>
        <h2>"Change password"</h2>
        <ActionForm action=password attr:class="form" attr:novalidate=true>
            {move || pw_error.get().filter(|e| !matches!(e, AppError::Validation(_))).map(|error| view! { <ErrorBanner error/> })}
            {[("current_password", "Current password", "current-password"), ("new_password", "New password (8–128 characters)", "new-password"), ("confirm_password", "New password again", "new-password")]
                .into_iter()
                .map(|(name, label, autocomplete)| {
                    let id = format!("account-{}", name.replace('_', "-"));
                    let error_id = format!("{id}-error");
                    view! {
                        <div class="field">
                            <label for=id.clone()>{label}</label>
                            <input id=id type="password" name=format!("form[{name}]") autocomplete=autocomplete maxlength=128 aria-describedby=error_id.clone()/>
                            <p class="field-error" id=error_id aria-live="polite">{field_message(pw_error, name)}</p>
                        </div>
                    }
                })
                .collect_view()}
            <p class="field-hint">"Changing your password signs you out everywhere, this browser included."</p>
            <div class="form-actions"><button type="submit" class="button">"Change password"</button></div>
        </ActionForm>
    }
}
