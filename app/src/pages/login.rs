//! The sign-in page: works before hydration (a plain form post), one message for bad credentials.

use crate::components::error_view::ErrorBanner;
use crate::components::session::use_session;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let next = query.with_untracked(|q| q.get("next").unwrap_or_default());
    let changed = query.with_untracked(|q| q.get("changed").is_some());
    let action = session.sign_in;
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let field_error = move |field: &'static str| {
        move || {
            error.with(|e| {
                e.as_ref()
                    .and_then(AppError::field_errors)
                    .and_then(|errors| errors.get(field).map(str::to_string))
            })
        }
    };
    view! {
        <Title text="Sign in"/>
        <section class="sign-in">
            <h1>"Sign in to Conform"</h1>
            {changed.then(|| view! {
                <p class="banner banner-info" role="status">"Your password was changed. Please sign in again."</p>
            })}
            <ActionForm action attr:class="form" attr:novalidate=true>
                {move || error.get().filter(|e| !matches!(e, AppError::Validation(_))).map(|error| view! { <ErrorBanner error/> })}
                <input type="hidden" name="form[next]" value=next/>
                <div class="field">
                    <label for="sign-in-email">"E-mail address"</label>
                    <input id="sign-in-email" type="email" name="form[email]" autocomplete="username" required=true
                        aria-describedby="sign-in-email-error"/>
                    <p class="field-error" id="sign-in-email-error" aria-live="polite">{field_error("email")}</p>
                </div>
                <div class="field">
                    <label for="sign-in-password">"Password"</label>
                    <input id="sign-in-password" type="password" name="form[password]" autocomplete="current-password"
                        required=true maxlength=128 aria-describedby="sign-in-password-error"/>
                    <p class="field-error" id="sign-in-password-error" aria-live="polite">{field_error("password")}</p>
                </div>
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </div>
            </ActionForm>
        </section>
    }
}
