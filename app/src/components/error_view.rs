//! How an `AppError` looks on a page; also sets the HTTP status while rendering on the server.

use crate::error::AppError;
use leptos::prelude::*;

/// Sets the response status during server rendering (no-op in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = axum::http::StatusCode::from_u16(code) {
            response.set_status(status);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// A full-page error (record not found, forbidden, server failure).
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    set_status(error.status_code());
    let title = match &error {
        AppError::NotFound(_) => "Not found",
        AppError::Forbidden(_) | AppError::Refused(_) => "Not allowed",
        AppError::Unauthenticated | AppError::SignInFailed => "Please sign in",
        AppError::RateLimited { .. } => "Please wait",
        AppError::Conflict { .. } => "Changed by someone else",
        AppError::Validation(_) | AppError::BadRequest(_) => "Something is not right",
        AppError::Internal { .. } | AppError::Transport(_) => "Something went wrong",
    };
    view! {
        <section class="error-panel" role="alert">
            <h1>{title}</h1>
            <p>{error.to_string()}</p>
            <p><a href="/">"Back to the dashboard"</a></p>
        </section>
    }
}

/// An inline banner for a failed action (the form stays as the person left it).
#[component]
pub fn ErrorBanner(error: AppError) -> impl IntoView {
    let hint = match &error {
        AppError::Conflict { .. } => Some(view! {
            <button type="button" class="button secondary" on:click=|_| reload_page()>
                "Reload the latest version"
            </button>
        }),
        _ => None,
    };
    view! {
        <div class="banner banner-error" role="alert">
            <p>{error.to_string()}</p>
            {hint}
        </div>
    }
}

/// The banner above a form whose action failed: field errors point to the fields, anything
/// else is explained in full.
#[component]
pub fn FormErrors(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|error| match error {
            AppError::Validation(_) => view! {
                <p class="banner banner-error" role="alert">"Please correct the highlighted fields."</p>
            }
            .into_any(),
            error => view! { <ErrorBanner error/> }.into_any(),
        })
    }
}

fn reload_page() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}
