//! Server-side sessions: a random 256-bit secret in the cookie, its SHA-256 in the database.

use crate::model::access::Role;
use crate::model::user::CurrentUser;
use crate::server::entity::session::{self, Column as SessionColumn, Entity as Sessions};
use crate::server::entity::user::{self, Entity as Users};
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use rand_core::{OsRng, RngCore};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
};
use sha2::{Digest, Sha256};

/// Session lifetimes (settings with defaults suited to a working day and CAB meetings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle_timeout: Duration,
    pub absolute_lifetime: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle_timeout: Duration::minutes(60),
            absolute_lifetime: Duration::hours(12),
        }
    }
}

/// How often `last_seen_at` is refreshed: not on every request, to spare the write path.
const TOUCH_INTERVAL: Duration = Duration::seconds(60);

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn roles_from_json(json: &str) -> Vec<Role> {
    serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .iter()
        .filter_map(|r| Role::parse_loose(r))
        .collect()
}

pub fn current_user(row: &user::Model) -> CurrentUser {
    CurrentUser {
        id: row.id,
        email: row.email.clone(),
        name: row.name.clone(),
        roles: roles_from_json(&row.roles),
        time_zone: row.time_zone.clone(),
    }
}

/// Starts a session for `user_id`; returns the cookie secret.
pub async fn start<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    policy: SessionPolicy,
    client_ip: Option<String>,
    user_agent: Option<String>,
) -> Result<String, DbErr> {
    let token = new_token();
    let now = Utc::now();
    session::ActiveModel {
        id_hash: Set(token_hash(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + policy.absolute_lifetime),
        client_ip: Set(client_ip),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(256).collect())),
    }
    .insert(conn)
    .await?;
    Ok(token)
}

/// A session that is still valid at `now`, with its user; expired sessions are removed.
/// Read on `reader` in one query, so that the requests of many signed-in people do not queue
/// for the one writer; `writer` only refreshes `last_seen_at` (at most once a
/// [`TOUCH_INTERVAL`]) or removes a session that ended.
pub async fn resolve<R: ConnectionTrait, W: ConnectionTrait>(
    reader: &R,
    writer: &W,
    token: &str,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Option<CurrentUser>, DbErr> {
    let hash = token_hash(token);
    let Some((found, user)) = Sessions::find_by_id(hash.clone())
        .find_also_related(Users)
        .one(reader)
        .await?
    else {
        return Ok(None);
    };
    let expired = found.expires_at <= now || found.last_seen_at + policy.idle_timeout <= now;
    match user {
        Some(user) if !expired && user.disabled_at.is_none() => {
            if now - found.last_seen_at >= TOUCH_INTERVAL {
                Sessions::update_many()
                    .col_expr(
                        SessionColumn::LastSeenAt,
                        sea_orm::sea_query::Expr::value(now),
                    )
                    .filter(SessionColumn::IdHash.eq(hash))
                    .exec(writer)
                    .await?;
            }
            Ok(Some(current_user(&user)))
        }
        _ => {
            Sessions::delete_by_id(hash).exec(writer).await?;
            Ok(None)
        }
    }
}

/// Whether the session is still valid at `now` (its user active), without touching it: an
/// open live stream checks this, and must not keep an idle session alive by itself.
pub async fn is_valid<C: ConnectionTrait>(
    conn: &C,
    token: &str,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let Some((found, user)) = Sessions::find_by_id(token_hash(token))
        .find_also_related(Users)
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    let expired = found.expires_at <= now || found.last_seen_at + policy.idle_timeout <= now;
    Ok(!expired && user.is_some_and(|user| user.disabled_at.is_none()))
}

pub async fn end<C: ConnectionTrait>(conn: &C, token: &str) -> Result<Option<i64>, DbErr> {
    let hash = token_hash(token);
    let found = Sessions::find_by_id(hash.clone()).one(conn).await?;
    Sessions::delete_by_id(hash).exec(conn).await?;
    Ok(found.map(|s| s.user_id))
}

/// Ends every session of a user (sign-out everywhere, disable, password change).
pub async fn end_all_for_user<C: ConnectionTrait>(conn: &C, user_id: i64) -> Result<u64, DbErr> {
    Ok(Sessions::delete_many()
        .filter(SessionColumn::UserId.eq(user_id))
        .exec(conn)
        .await?
        .rows_affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_only_as_hashes() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "256 bits in unpadded base64url");
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
