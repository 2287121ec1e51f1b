//! Server functions for user administration and each user's own account.

use crate::error::AppError;
use crate::model::user::{NewUserForm, PasswordChangeForm, User};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {
    super::guard::{require, signed_in},
    crate::model::access::Permission,
    crate::model::user::UserRolesForm,
    crate::server::service::users,
};

#[server(endpoint = "users/list")]
pub async fn list_users() -> Result<Vec<User>, AppError> {
    let caller = require(Permission::UserRead).await?;
    users::list(&caller.db).await
}

#[server(endpoint = "users/create")]
pub async fn create_user(form: NewUserForm) -> Result<User, AppError> {
    let caller = require(Permission::UserManage).await?;
    let new_user = form.validate()?;
    users::create(&caller.db, &caller.actor(), new_user).await
}

#[server(endpoint = "users/set_roles")]
pub async fn set_user_roles(
    id: i64,
    version: i32,
    // No box ticked sends no `roles` at all.
    #[server(default)] roles: Vec<String>,
) -> Result<User, AppError> {
    let caller = require(Permission::UserManage).await?;
    let roles = UserRolesForm { roles }.validate()?;
    users::set_roles(&caller.db, &caller.actor(), id, version, roles).await
}

#[server(endpoint = "users/disable")]
pub async fn set_user_disabled(id: i64, version: i32, disabled: bool) -> Result<User, AppError> {
    let caller = require(Permission::UserManage).await?;
    let user = users::set_disabled(&caller.db, &caller.actor(), id, version, disabled).await?;
    if disabled {
        super::guard::announce_sessions_ended(id);
    }
    Ok(user)
}

#[server(endpoint = "users/reset_password")]
pub async fn reset_user_password(
    id: i64,
    version: i32,
    password: String,
) -> Result<User, AppError> {
    let caller = require(Permission::UserManage).await?;
    let user = users::reset_password(&caller.db, &caller.actor(), id, version, password).await?;
    super::guard::announce_sessions_ended(id);
    Ok(user)
}

#[server(endpoint = "account/password")]
pub async fn change_password(form: PasswordChangeForm) -> Result<(), AppError> {
    let caller = signed_in()?;
    users::change_own_password(&caller.db, &caller.user, caller.client.ip.clone(), &form).await?;
    super::guard::announce_sessions_ended(caller.user.id);
    leptos_axum::redirect("/login?changed=1");
    Ok(())
}

#[server(endpoint = "account/time_zone")]
pub async fn set_time_zone(time_zone: String) -> Result<User, AppError> {
    let caller = signed_in()?;
    users::set_time_zone(
        &caller.db,
        &caller.user,
        caller.client.ip.clone(),
        &time_zone,
    )
    .await
}
