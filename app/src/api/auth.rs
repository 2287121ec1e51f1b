//! Signing in and out, and who is signed in.

use crate::error::AppError;
use crate::model::user::{CurrentUser, SignInForm};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn set_cookie(value: String) -> Result<(), AppError> {
    use axum::http::{header::SET_COOKIE, HeaderValue};
    let response = use_context::<leptos_axum::ResponseOptions>()
        .ok_or_else(|| crate::server::failure::internal("ResponseOptions missing"))?;
    let value = HeaderValue::from_str(&value).map_err(crate::server::failure::internal)?;
    response.append_header(SET_COOKIE, value);
    Ok(())
}

#[server(endpoint = "auth/sign_in")]
pub async fn sign_in(form: SignInForm) -> Result<CurrentUser, AppError> {
    use super::guard::{request_auth, state};
    use crate::server::service::identity;
    let state = state()?;
    let auth = request_auth();
    // A new session id on every sign-in: whatever session this browser had ends.
    if let Some(old) = &auth.token {
        crate::server::session::end(state.db.writer(), old).await?;
    }
    let (user, token) =
        identity::sign_in(&state.db, state.auth.session, &form, &auth.client).await?;
    set_cookie(state.auth.session_cookie(&token))?;
    leptos_axum::redirect(&crate::model::user::safe_next(&form.next));
    Ok(user)
}

#[server(endpoint = "auth/sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use super::guard::{request_auth, state};
    let state = state()?;
    let auth = request_auth();
    if let Some(token) = &auth.token {
        crate::server::service::identity::sign_out(&state.db, token, &auth.client).await?;
        if let Some(user) = &auth.user {
            // Their open live streams close and their meeting presence ends at once.
            state.events.sessions_ended(user.id);
        }
    }
    set_cookie(state.auth.expired_cookie())?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user, or `None`: public on purpose (the sign-in page asks it).
#[server(endpoint = "auth/current_user")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    Ok(super::guard::request_auth().user)
}
