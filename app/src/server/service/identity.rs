//! Signing in and out, with throttling, and recording refused requests.

use crate::error::AppError;
use crate::model::access::RecordType;
use crate::model::throttle::{
    ThrottleRule, ThrottleState, ACCOUNT_RULE, ADDRESS_RULE, KNOWN_ADDRESS_DAYS, PAIR_RULE,
};
use crate::model::user::{normalise_email, CurrentUser, SignInForm};
use crate::server::audit::{self, Actor, Event};
use crate::server::db::Db;
use crate::server::entity::auth_throttle::{self, Column as ThrottleColumn, Entity as Throttle};
use crate::server::entity::user::{Column as UserColumn, Entity as Users};
use crate::server::password;
use crate::server::session::{self, SessionPolicy};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QuerySelect, Set,
};

/// Where a request came from, for throttling and the audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

fn pair_key(email: &str, ip: &str) -> String {
    format!("pair:{email}|{ip}")
}

fn account_key(email: &str) -> String {
    format!("account:{email}")
}

fn address_key(ip: &str) -> String {
    format!("address:{ip}")
}

/// A row saying `email` signed in from `ip` (its `window_started_at` is the last time).
fn known_key(email: &str, ip: &str) -> String {
    format!("known:{email}|{ip}")
}

/// The address a throttle counts for a client without one (tests, odd transports).
const UNKNOWN_ADDRESS: &str = "unknown";

async fn throttle_state<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    lock: bool,
) -> Result<Option<ThrottleState>, AppError> {
    let mut query = Throttle::find_by_id(key.to_string());
    if lock && conn.get_database_backend() == DbBackend::Postgres {
        // Several `conform` processes on one database: one attempt at a time per key.
        query = query.lock_exclusive();
    }
    Ok(query.one(conn).await?.map(|row| ThrottleState {
        failures: row.failures,
        window_started_at: row.window_started_at,
        locked_until: row.locked_until,
    }))
}

async fn store<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    state: ThrottleState,
) -> Result<(), AppError> {
    Throttle::update_many()
        .col_expr(ThrottleColumn::Failures, Expr::value(state.failures))
        .col_expr(
            ThrottleColumn::WindowStartedAt,
            Expr::value(state.window_started_at),
        )
        .col_expr(ThrottleColumn::LockedUntil, Expr::value(state.locked_until))
        .filter(ThrottleColumn::Key.eq(key))
        .exec(conn)
        .await?;
    Ok(())
}

/// Makes sure the key's row exists (no-op when it does), so that it can be locked.
async fn ensure_row<C: ConnectionTrait>(
    conn: &C,
    key: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let row = auth_throttle::ActiveModel {
        key: Set(key.to_string()),
        failures: Set(0),
        window_started_at: Set(now),
        locked_until: Set(None),
    };
    let inserted = Throttle::insert(row)
        .on_conflict(
            OnConflict::column(ThrottleColumn::Key)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await;
    match inserted {
        Ok(_) | Err(DbErr::RecordNotInserted) => Ok(()),
        Err(err) => Err(err.into()),
    }
}

/// Reserves one attempt on every key at once (one transaction, rows locked on PostgreSQL):
/// all are counted as failures, or none is and the caller waits the longest lock.
async fn reserve(db: &Db, keys: &[(String, ThrottleRule)]) -> Result<(), AppError> {
    let now = Utc::now();
    // Most refusals are decided by a read, without queueing for the writer.
    for (key, rule) in keys {
        if let Some(seconds) =
            rule.wait(throttle_state(db.reader(), key, false).await?.as_ref(), now)
        {
            return Err(AppError::RateLimited {
                retry_after_seconds: seconds,
            });
        }
    }
    let txn = db.begin_write().await?;
    let mut next = Vec::with_capacity(keys.len());
    for (key, rule) in keys {
        ensure_row(&txn, key, now).await?;
        let state = throttle_state(&txn, key, true).await?;
        match rule.reserve(state.as_ref(), now) {
            Ok(state) => next.push(state),
            Err(seconds) => {
                txn.rollback().await?;
                return Err(AppError::RateLimited {
                    retry_after_seconds: seconds,
                });
            }
        }
    }
    for ((key, _), state) in keys.iter().zip(next) {
        store(&txn, key, state).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Gives the reserved attempts back (the password was right, or was never checked).
async fn refund<C: ConnectionTrait>(
    conn: &C,
    keys: &[(String, ThrottleRule)],
) -> Result<(), AppError> {
    for (key, rule) in keys {
        if let Some(state) = throttle_state(conn, key, true).await? {
            store(conn, key, rule.refund(&state)).await?;
        }
    }
    Ok(())
}

/// [`refund`] in a transaction of its own: a counter read and written back outside one loses
/// the decrements of concurrent refunds (and could overwrite a reservation made meanwhile).
async fn refund_alone(db: &Db, keys: &[(String, ThrottleRule)]) -> Result<(), AppError> {
    let txn = db.begin_write().await?;
    refund(&txn, keys).await?;
    txn.commit().await?;
    Ok(())
}

/// Whether `email` signed in from `ip` within `KNOWN_ADDRESS_DAYS`.
async fn known_address<C: ConnectionTrait>(
    conn: &C,
    email: &str,
    ip: &str,
) -> Result<bool, AppError> {
    Ok(throttle_state(conn, &known_key(email, ip), false)
        .await?
        .is_some_and(|known| {
            Utc::now() - known.window_started_at < chrono::Duration::days(KNOWN_ADDRESS_DAYS)
        }))
}

/// The throttle keys a sign-in attempt is counted against.
async fn attempt_keys(
    db: &Db,
    email: &str,
    client: &ClientInfo,
) -> Result<Vec<(String, ThrottleRule)>, AppError> {
    let ip = client.ip.as_deref().unwrap_or(UNKNOWN_ADDRESS);
    let mut keys = vec![(pair_key(email, ip), PAIR_RULE)];
    if !known_address(db.reader(), email, ip).await? {
        keys.push((account_key(email), ACCOUNT_RULE));
    }
    if client.ip.is_some() {
        keys.push((address_key(ip), ADDRESS_RULE));
    }
    Ok(keys)
}

/// Checks the credentials and starts a session; returns the user and the cookie secret.
///
/// Each attempt is first reserved against its throttle keys (see `model::throttle`), then
/// the password is checked under the process's hashing limit: parallel wrong passwords can
/// never check more than the limit, and a flood is told to wait (429) without hashing.
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
    let keys = attempt_keys(db, &email, client).await?;
    reserve(db, &keys).await?;

    let user = match Users::find()
        .filter(UserColumn::Email.eq(email.clone()))
        .one(db.reader())
        .await
    {
        Ok(user) => user,
        Err(err) => {
            refund_alone(db, &keys).await.ok();
            return Err(err.into());
        }
    };
    let verified = match password::try_verify(
        form.password.clone(),
        user.as_ref().map(|u| u.password_hash.clone()),
    )
    .await
    {
        Ok(verified) => verified,
        Err(password::Busy) => {
            // Nothing was checked: the attempt does not count.
            refund_alone(db, &keys).await?;
            return Err(AppError::RateLimited {
                retry_after_seconds: 1,
            });
        }
    };
    let txn = db.begin_write().await?;
    match user {
        Some(user) if verified && user.disabled_at.is_none() => {
            let ip = client.ip.as_deref().unwrap_or(UNKNOWN_ADDRESS);
            refund(&txn, &keys).await?;
            // This address is now known for the account: the account-wide limit no longer
            // holds the owner back here.
            if client.ip.is_some() {
                let key = known_key(&email, ip);
                ensure_row(&txn, &key, Utc::now()).await?;
                store(
                    &txn,
                    &key,
                    ThrottleState {
                        failures: 0,
                        window_started_at: Utc::now(),
                        locked_until: None,
                    },
                )
                .await?;
            }
            let token = session::start(
                &txn,
                user.id,
                policy,
                client.ip.clone(),
                client.user_agent.clone(),
            )
            .await?;
            let actor = Actor::user(user.id, user.name.clone(), client.ip.clone());
            audit::record(
                &txn,
                &actor,
                RecordType::User,
                user.id,
                "sign_in",
                format!("{} signed in", user.email),
            )
            .await?;
            txn.commit().await?;
            Ok((session::current_user(&user), token))
        }
        found => {
            // The reservations stay: they are the failures counted.
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
        audit::record(
            &txn,
            &Actor::user(user_id, name.clone(), client.ip.clone()),
            RecordType::User,
            user_id,
            "sign_out",
            format!("{name} signed out"),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}
