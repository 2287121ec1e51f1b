//! Your own account: who you are, your roles, your time zone and your password.

use crate::api::schedule::{calendar_feed_status, CreateCalendarFeed, RevokeCalendarFeed};
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
    let reads_changes = user.may(crate::model::access::Permission::ChangeRead);
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
        {reads_changes.then(|| view! { <CalendarFeed/> })}
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

/// The feed URL as the calendar app needs it: absolute, from this browser's origin unless the
/// server already made it absolute from its configured public URL.
pub(super) fn absolute(path: &str) -> String {
    if path.starts_with("https://") || path.starts_with("http://") {
        return path.to_string();
    }
    #[cfg(feature = "hydrate")]
    if let Some(origin) = web_sys::window().and_then(|w| w.location().origin().ok()) {
        return format!("{origin}{path}");
    }
    path.to_string()
}

/// The change calendar as a subscription for Outlook, Google Calendar or Thunderbird.
#[component]
fn CalendarFeed() -> impl IntoView {
    let create = ServerAction::<CreateCalendarFeed>::new();
    let revoke = ServerAction::<RevokeCalendarFeed>::new();
    let status = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| calendar_feed_status(),
    );
    let error = Signal::derive(move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke.value().get().and_then(Result::err))
    });
    // The new link, until it is revoked: its secret is shown this once.
    let fresh = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(path)) = create.value().get() {
            fresh.set(Some(absolute(&path)));
        }
    });
    Effect::new(move |_| {
        if revoke.version().get() > 0 {
            fresh.set(None);
        }
    });
    let fresh_link = move || fresh.get();
    view! {
        <section id="calendar-feed" aria-labelledby="calendar-feed-heading">
            <h2 id="calendar-feed-heading">"Calendar subscription"</h2>
            <p>"Subscribe to the change schedule (changes, freezes and maintenance windows from 30 days ago to a year ahead) in Outlook, Google Calendar or Thunderbird. The link works without signing in, so treat it like a password."</p>
            {move || error.get().map(|error| view! { <ErrorBanner error/> })}
            {move || fresh_link().map(|link| view! {
                <div class="banner banner-info" role="status">
                    <label for="calendar-feed-link"><strong>"Your new feed link (shown only now; copy it into your calendar app):"</strong></label>
                    <input id="calendar-feed-link" class="token-box" readonly value=link size=60
                        on:focus=move |ev| {
                            #[cfg(feature = "hydrate")]
                            {
                                use wasm_bindgen::JsCast;
                                if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                    input.select();
                                }
                            }
                            #[cfg(not(feature = "hydrate"))]
                            let _ = ev;
                        }/>
                    <p class="field-hint">"Outlook: Add calendar → From internet. Google Calendar: Other calendars → From URL. Thunderbird: New calendar → On the network."</p>
                </div>
            })}
            <Transition fallback=|| view! { <p class="loading" role="status">"Checking your subscription…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(Some(feed)) => view! {
                            <p id="calendar-feed-status">
                                {format!("Your link was created on {} UTC", feed.created_at.format("%Y-%m-%d %H:%M"))}
                                {match feed.last_used_at {
                                    Some(used) => format!("; a calendar app last read it on {} UTC.", used.format("%Y-%m-%d %H:%M")),
                                    None => "; no calendar app has read it yet.".to_string(),
                                }}
                            </p>
                            <div class="form-actions">
                                <ActionForm action=create><button type="submit" class="button secondary">"Replace the link"</button></ActionForm>
                                <ActionForm action=revoke><button type="submit" class="button danger">"Revoke the link"</button></ActionForm>
                            </div>
                        }.into_any(),
                        Ok(None) => view! {
                            <p id="calendar-feed-status">"You have no calendar link."</p>
                            <ActionForm action=create><button type="submit" class="button">"Create a calendar link"</button></ActionForm>
                        }.into_any(),
                        Err(error) => view! { <ErrorBanner error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
