//! Signing in and out, with throttling, and recording refused requests.

use crate::error::AppError;
use crate::model::access::{Permission, RecordType};
use crate::model::throttle::{ThrottleRule, ThrottleState, ACCOUNT_RULE, ADDRESS_RULE};
use crate::model::user::{normalise_email, CurrentUser, SignInForm};
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::auth_throttle::{self, Entity as Throttle};
use crate::server::entity::user::{Column as UserColumn, Entity as Users};
use crate::server::password;
use crate::server::session::{self, SessionPolicy};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};

/// Where a request came from, for throttling and the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

fn account_key(email: &str) -> String {
    format!("account:{email}")
}

fn address_key(ip: &str) -> String {
    format!("address:{ip}")
}

async fn throttle_state<C: ConnectionTrait>(
    conn: &C,
    key: &str,
) -> Result<Option<ThrottleState>, AppError> {
    Ok(Throttle::find_by_id(key.to_string())
        .one(conn)
        .await?
        .map(|row| ThrottleState {
            failures: row.failures,
            window_started_at: row.window_started_at,
            locked_until: row.locked_until,
        }))
}

async fn record_failure<C: ConnectionTrait>(
    conn: &C,
    key: String,
    rule: ThrottleRule,
) -> Result<(), AppError> {
    let now = Utc::now();
    let previous = throttle_state(conn, &key).await?;
    let next = rule.after_failure(previous.as_ref(), now);
    let row = auth_throttle::ActiveModel {
        key: Set(key),
        failures: Set(next.failures),
        window_started_at: Set(next.window_started_at),
        locked_until: Set(next.locked_until),
    };
    if previous.is_some() {
        row.update(conn).await?;
    } else {
        row.insert(conn).await?;
    }
    Ok(())
}

/// Checks the credentials and starts a session; returns the user and the cookie secret.
pub async fn sign_in(
    db: &Db,
    policy: SessionPolicy,
    form: &SignInForm,
    client: &ClientInfo,
) -> Result<(CurrentUser, String), AppError> {
    let mut errors = crate::error::FieldErrors::new();
    let email = normalise_email(&mut errors, "email", &form.email);
    if form.password.is_empty() {
        errors.add("password", "Enter your password.");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let now = Utc::now();
    let mut keys = vec![(account_key(&email), ACCOUNT_RULE)];
    if let Some(ip) = &client.ip {
        keys.push((address_key(ip), ADDRESS_RULE));
    }
    for (key, rule) in &keys {
        if let Some(seconds) = rule.wait(throttle_state(db.reader(), key).await?.as_ref(), now) {
            return Err(AppError::RateLimited {
                retry_after_seconds: seconds,
            });
        }
    }

    let user = Users::find()
        .filter(UserColumn::Email.eq(email.clone()))
        .one(db.reader())
        .await?;
    let verified = password::verify(
        form.password.clone(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await;
    let txn = db.begin_write().await?;
    match user {
        Some(user) if verified && user.disabled_at.is_none() => {
            Throttle::delete_by_id(account_key(&email))
                .exec(&txn)
                .await?;
            let token = session::start(
                &txn,
                user.id,
                policy,
                client.ip.clone(),
                client.user_agent.clone(),
            )
            .await?;
            let actor = Actor::user(user.id, user.name.clone(), client.ip.clone());
            audit::append(
                &txn,
                &actor,
                Event::new(
                    "sign_in",
                    RecordType::User,
                    Some(user.id.to_string()),
                    format!("{} signed in", user.email),
                ),
            )
            .await?;
            txn.commit().await?;
            Ok((session::current_user(&user), token))
        }
        found => {
            for (key, rule) in keys {
                record_failure(&txn, key, rule).await?;
            }
            let reason = match &found {
                None => "unknown account",
                Some(u) if u.disabled_at.is_some() => "account disabled",
                Some(_) => "wrong password",
            };
            audit::append(
                &txn,
                &Actor::anonymous(email.clone(), client.ip.clone()),
                Event::new(
                    "sign_in_failed",
                    RecordType::User,
                    found.map(|u| u.id.to_string()),
                    format!("Failed sign-in for {email} ({reason})"),
                ),
            )
            .await?;
            txn.commit().await?;
            Err(AppError::SignInFailed)
        }
    }
}

pub async fn sign_out(db: &Db, token: &str, client: &ClientInfo) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    if let Some(user_id) = session::end(&txn, token).await? {
        let name = Users::find_by_id(user_id)
            .one(&txn)
            .await?
            .map(|u| u.name)
            .unwrap_or_default();
        audit::append(
            &txn,
            &Actor::user(user_id, name.clone(), client.ip.clone()),
            Event::new(
                "sign_out",
                RecordType::User,
                Some(user_id.to_string()),
                format!("{name} signed out"),
            ),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Audits a refused request (its own small transaction: the refused action wrote nothing).
pub async fn record_refusal(
    db: &Db,
    user: Option<&CurrentUser>,
    permission: Permission,
    client: &ClientInfo,
) -> Result<(), AppError> {
    let actor = match user {
        Some(u) => Actor::user(u.id, u.name.clone(), client.ip.clone()),
        None => Actor::anonymous("anonymous", client.ip.clone()),
    };
    let txn = db.writer().begin().await?;
    audit::append(
        &txn,
        &actor,
        Event::new(
            "permission_refused",
            permission.record_type(),
            None,
            format!("{} was refused: {}", actor.name, permission.describe()),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
