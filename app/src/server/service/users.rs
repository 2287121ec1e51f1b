//! User administration and each user's own settings. Every write is audited in its transaction.

use crate::error::{AppError, FieldErrors};
use crate::model::access::{RecordType, Role};
use crate::model::audit::diff;
use crate::model::refs::PersonRef;
use crate::model::user::{
    check_password, check_time_zone_shape, CurrentUser, NewUser, PasswordChangeForm, User,
};
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::user::{self as user_entity, Column, Entity as Users};
use crate::server::failure::{internal, is_unique_violation};
use crate::server::password;
use crate::server::session::{self, roles_from_json};
use crate::server::versioned::{self, check_version};
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    UpdateMany,
};
use serde_json::json;
use std::collections::HashMap;

impl From<user_entity::Model> for User {
    fn from(row: user_entity::Model) -> Self {
        User {
            id: row.id,
            roles: roles_from_json(&row.roles),
            email: row.email,
            name: row.name,
            time_zone: row.time_zone,
            disabled: row.disabled_at.is_some(),
            version: row.version,
        }
    }
}

/// The fields an auditor sees change (never the password hash).
fn audit_view(user: &User) -> serde_json::Value {
    json!({
        "email": user.email,
        "name": user.name,
        "roles": user.roles.iter().map(|r| r.label()).collect::<Vec<_>>(),
        "time_zone": user.time_zone,
        "disabled": user.disabled,
    })
}

fn roles_json(roles: &[Role]) -> String {
    serde_json::to_string(&roles.iter().map(|r| r.as_str()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into())
}

pub async fn list(db: &Db) -> Result<Vec<User>, AppError> {
    Ok(Users::find()
        .order_by_asc(Column::Name)
        .all(db.reader())
        .await?
        .into_iter()
        .map(User::from)
        .collect())
}

/// Everyone who can be named on a record (owner, implementer, step owner): enabled users,
/// by name.
pub async fn active_people<C: sea_orm::ConnectionTrait>(
    conn: &C,
) -> Result<Vec<crate::model::refs::PersonRef>, AppError> {
    Ok(Users::find()
        .filter(Column::DisabledAt.is_null())
        .order_by_asc(Column::Name)
        .all(conn)
        .await?
        .into_iter()
        .map(|u| crate::model::refs::PersonRef {
            id: u.id,
            name: u.name,
        })
        .collect())
}

/// Enabled people for whom `qualifies` holds of their roles (who may be assigned an
/// incident), by name.
pub async fn active_people_where<C: ConnectionTrait>(
    conn: &C,
    qualifies: impl Fn(&[Role]) -> bool,
) -> Result<Vec<crate::model::refs::PersonRef>, AppError> {
    Ok(Users::find()
        .filter(Column::DisabledAt.is_null())
        .order_by_asc(Column::Name)
        .all(conn)
        .await?
        .into_iter()
        .filter(|u| qualifies(&roles_from_json(&u.roles)))
        .map(|u| crate::model::refs::PersonRef {
            id: u.id,
            name: u.name,
        })
        .collect())
}

/// An enabled user's name and roles, for rules that depend on who is named (an assignee must
/// work incidents); `None` for someone unknown or disabled.
pub async fn enabled_roles<C: ConnectionTrait>(
    conn: &C,
    id: i64,
) -> Result<Option<(String, Vec<Role>)>, AppError> {
    Ok(Users::find_by_id(id)
        .filter(Column::DisabledAt.is_null())
        .one(conn)
        .await?
        .map(|u| (u.name, roles_from_json(&u.roles))))
}

pub async fn get(db: &Db, id: i64) -> Result<User, AppError> {
    find(db.reader(), id).await
}

async fn find<C: ConnectionTrait>(conn: &C, id: i64) -> Result<User, AppError> {
    Users::find_by_id(id)
        .one(conn)
        .await?
        .map(User::from)
        .ok_or_else(|| AppError::NotFound(format!("User {id}")))
}

pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<User>, AppError> {
    Ok(Users::find()
        .filter(Column::Email.eq(email.trim().to_lowercase()))
        .one(db.reader())
        .await?
        .map(User::from))
}

pub async fn create(db: &Db, actor: &Actor, new_user: NewUser) -> Result<User, AppError> {
    let hash = password::hash(new_user.password.clone())
        .await
        .map_err(internal)?;
    let txn = db.begin_write().await?;
    let taken = Users::find()
        .filter(Column::Email.eq(new_user.email.clone()))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(AppError::single_field(
            "email",
            "A user with this e-mail address already exists.",
        ));
    }
    let now = Utc::now();
    let row = user_entity::ActiveModel {
        email: Set(new_user.email.clone()),
        name: Set(new_user.name.clone()),
        password_hash: Set(hash),
        roles: Set(roles_json(&new_user.roles)),
        time_zone: Set(crate::model::user::DEFAULT_TIME_ZONE.to_string()),
        disabled_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|err| {
        if is_unique_violation(&err) {
            AppError::single_field("email", "A user with this e-mail address already exists.")
        } else {
            internal(err)
        }
    })?;
    let user = User::from(row);
    audit::append(
        &txn,
        actor,
        Event::new(
            "user_created",
            RecordType::User,
            Some(user.id.to_string()),
            format!("Created user {}", user.email),
        )
        .with_changes(diff(None, Some(&audit_view(&user)))),
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

const LAST_ADMIN: &str =
    "At least one active admin must remain: give someone else the Admin role first.";

/// Enabled users holding the Admin role (roles are stored as a JSON list of names).
fn active_admins() -> sea_orm::Select<Users> {
    Users::find()
        .filter(Column::DisabledAt.is_null())
        .filter(Column::Roles.like(format!("%\"{}\"%", Role::Admin.as_str())))
}

/// Locks the active admins' rows for the rest of the transaction, so that two requests
/// removing admins queue and the second counts after the first (PostgreSQL: `SELECT … FOR
/// UPDATE`; SQLite has one writer, so its write transactions already run one at a time).
async fn lock_active_admins<C: ConnectionTrait>(conn: &C) -> Result<(), AppError> {
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        use sea_orm::QuerySelect;
        active_admins().lock_exclusive().all(conn).await?;
    }
    Ok(())
}

async fn count_active_admins<C: ConnectionTrait>(conn: &C) -> Result<u64, AppError> {
    use sea_orm::PaginatorTrait;
    Ok(active_admins().count(conn).await?)
}

/// One audited change to a user: the columns to write and what the change means.
struct UserUpdate<S> {
    /// The audit action.
    action: &'static str,
    /// The audit summary, from the user as changed.
    summary: S,
    changes: Vec<(Column, sea_orm::sea_query::SimpleExpr)>,
    /// Ends the user's sessions (password reset, disabling).
    end_sessions: bool,
    /// Refuses the change, on this field, if no active admin would remain.
    last_admin: Option<&'static str>,
}

/// Applies `changes` to user `id` at `expected_version`, audits, and commits. With
/// `last_admin`, the change is refused (on that field) if no active admin would remain.
async fn update_user(
    db: &Db,
    actor: &Actor,
    id: i64,
    expected_version: i32,
    update: UserUpdate<impl FnOnce(&User) -> String>,
) -> Result<User, AppError> {
    let UserUpdate {
        action,
        summary,
        changes,
        end_sessions,
        last_admin,
    } = update;
    let txn = db.begin_write().await?;
    if last_admin.is_some() {
        lock_active_admins(&txn).await?;
    }
    let before = find(&txn, id).await?;
    check_version::<Users>(expected_version, before.version)?;
    versioned::update(
        &txn,
        id,
        expected_version,
        |mut update: UpdateMany<Users>| {
            for (column, value) in changes {
                update = update.col_expr(column, value);
            }
            update
        },
    )
    .await?;
    let after = find(&txn, id).await?;
    if let Some(refusal) = last_admin {
        let was_active_admin = before.roles.contains(&Role::Admin) && !before.disabled;
        if was_active_admin && count_active_admins(&txn).await? == 0 {
            // Dropping the transaction rolls the change back.
            return Err(match refusal {
                "roles" => AppError::single_field("roles", LAST_ADMIN),
                _ => AppError::BadRequest(LAST_ADMIN.into()),
            });
        }
    }
    if end_sessions {
        session::end_all_for_user(&txn, id).await?;
    }
    audit::append(
        &txn,
        actor,
        Event::new(
            action,
            RecordType::User,
            Some(id.to_string()),
            summary(&after),
        )
        .with_changes(diff(Some(&audit_view(&before)), Some(&audit_view(&after)))),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

pub async fn set_roles(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    roles: Vec<Role>,
) -> Result<User, AppError> {
    if actor.id == Some(id) && !roles.contains(&Role::Admin) {
        return Err(AppError::single_field(
            "roles",
            "You cannot remove your own Admin role.",
        ));
    }
    update_user(
        db,
        actor,
        id,
        version,
        UserUpdate {
            action: "user_roles_changed",
            summary: |u: &User| format!("Changed the roles of {}", u.email),
            changes: vec![(Column::Roles, Expr::value(roles_json(&roles)))],
            end_sessions: false,
            last_admin: (!roles.contains(&Role::Admin)).then_some("roles"),
        },
    )
    .await
}

pub async fn set_disabled(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    disabled: bool,
) -> Result<User, AppError> {
    if disabled && actor.id == Some(id) {
        return Err(AppError::BadRequest(
            "You cannot disable your own account.".into(),
        ));
    }
    let at = disabled.then(Utc::now);
    update_user(
        db,
        actor,
        id,
        version,
        UserUpdate {
            action: if disabled {
                "user_disabled"
            } else {
                "user_enabled"
            },
            summary: |u: &User| {
                format!(
                    "{} {}",
                    if disabled { "Disabled" } else { "Enabled" },
                    u.email
                )
            },
            changes: vec![(Column::DisabledAt, Expr::value(at))],
            end_sessions: disabled,
            last_admin: disabled.then_some("disabled"),
        },
    )
    .await
}

pub async fn reset_password(
    db: &Db,
    actor: &Actor,
    id: i64,
    version: i32,
    new_password: String,
) -> Result<User, AppError> {
    let mut errors = FieldErrors::new();
    check_password(&mut errors, "password", &new_password);
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let hash = password::hash(new_password).await.map_err(internal)?;
    update_user(
        db,
        actor,
        id,
        version,
        UserUpdate {
            action: "user_password_reset",
            summary: |u: &User| format!("Reset the password of {}", u.email),
            changes: vec![(Column::PasswordHash, Expr::value(hash))],
            end_sessions: true,
            last_admin: None,
        },
    )
    .await
}

/// A user changes their own password; all their sessions end, so they sign in again.
pub async fn change_own_password(
    db: &Db,
    user: &CurrentUser,
    client_ip: Option<String>,
    form: &PasswordChangeForm,
) -> Result<(), AppError> {
    form.validate()?;
    let row = Users::find_by_id(user.id)
        .one(db.reader())
        .await?
        .ok_or(AppError::Unauthenticated)?;
    if !password::verify(
        form.current_password.clone(),
        Some(row.password_hash.clone()),
    )
    .await
    {
        return Err(AppError::single_field(
            "current_password",
            "That is not your current password.",
        ));
    }
    let hash = password::hash(form.new_password.clone())
        .await
        .map_err(internal)?;
    update_user(
        db,
        &Actor::user(user.id, user.name.clone(), client_ip),
        user.id,
        row.version,
        UserUpdate {
            action: "password_changed",
            summary: |u: &User| format!("{} changed their password", u.email),
            changes: vec![(Column::PasswordHash, Expr::value(hash))],
            end_sessions: true,
            last_admin: None,
        },
    )
    .await
    .map(|_| ())
}

pub async fn set_time_zone(
    db: &Db,
    user: &CurrentUser,
    client_ip: Option<String>,
    zone: &str,
) -> Result<User, AppError> {
    let mut errors = FieldErrors::new();
    let zone = check_time_zone_shape(&mut errors, "time_zone", zone);
    if errors.is_empty() && zone.parse::<chrono_tz::Tz>().is_err() {
        errors.add("time_zone", format!("“{zone}” is not a known time zone."));
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let version = find(db.reader(), user.id).await?.version;
    update_user(
        db,
        &Actor::user(user.id, user.name.clone(), client_ip),
        user.id,
        version,
        UserUpdate {
            action: "time_zone_changed",
            summary: |u: &User| format!("{} set their time zone to {}", u.email, u.time_zone),
            changes: vec![(Column::TimeZone, Expr::value(zone))],
            end_sessions: false,
            last_admin: None,
        },
    )
    .await
}

pub(crate) async fn people<C: ConnectionTrait>(
    conn: &C,
    ids: &[i64],
) -> Result<HashMap<i64, PersonRef>, AppError> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(500) {
        use crate::server::entity::user::Column;
        use sea_orm::QuerySelect;
        let rows: Vec<(i64, String)> = Users::find()
            .select_only()
            .columns([Column::Id, Column::Name])
            .filter(Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        found.extend(
            rows.into_iter()
                .map(|(id, name)| (id, PersonRef { id, name })),
        );
    }
    Ok(found)
}

pub(crate) fn person(map: &HashMap<i64, PersonRef>, id: i64) -> PersonRef {
    map.get(&id).cloned().unwrap_or(PersonRef {
        id,
        name: format!("User {id}"),
    })
}
