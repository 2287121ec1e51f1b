//! Refused requests in the audit trail, without letting a caller grow it at will.
//!
//! The first refusal of a caller (a user, or an anonymous client address) for one thing in a
//! ten-minute window is written at once ("… was refused: …"). Further refusals of the same
//! caller for the same thing in that window are only counted in memory; when the window has
//! passed (checked every minute, and at shutdown) one entry reports how many there were and
//! between which times. At most `MAX_CALLERS` callers are tallied apart per window; beyond
//! that, refusals are counted together under "many callers". So a window writes at most
//! two entries per caller and thing, and at most `2 × (MAX_CALLERS + 1)` in all, whatever
//! the number of refused requests.
//!
//! Every door uses `admit`: server functions (`api::guard`) and the plain HTTP handlers
//! (exports, printable pages, evidence-pack download, live events).
//!
//! A rule of a record refusing a signed-in caller (`AppError::Refused`: segregation of duties,
//! the CAB's chair, seat and quorum, a state that does not allow the move …) is counted the
//! same way by `refused_by_rule` (`rule_refused`, then `rule_refused_repeatedly`), tallied per
//! caller and record type; the first entry of a window keeps the rule's words and the record.

use crate::error::AppError;
use crate::model::access::{Permission, RecordType};
use crate::model::user::CurrentUser;
use crate::server::audit::{self, Actor, Event};
use crate::server::auth::RequestAuth;
use crate::server::db::Db;
use crate::server::state::AppState;
use chrono::{DateTime, Duration, Utc};
use sea_orm::TransactionTrait;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How long repeated refusals of one caller for one thing are gathered into one entry.
pub const WINDOW: Duration = Duration::minutes(10);

/// Callers tallied apart per window (memory and audit entries stay bounded).
pub const MAX_CALLERS: usize = 1_000;

/// What was refused: a permission, or calling without signing in.
fn subject(permission: Option<Permission>) -> (&'static str, RecordType) {
    match permission {
        Some(p) => (p.describe(), p.record_type()),
        None => ("call this without signing in", RecordType::User),
    }
}

/// One kind of refusal as the tally counts it.
struct Kind {
    /// Refusals of one caller with the same key are gathered in one window.
    key: String,
    /// What the count entry says was refused.
    what: String,
    record_type: RecordType,
    /// The audit action of the count entry.
    repeated: &'static str,
}

#[derive(Debug, Clone)]
struct Tally {
    actor: Actor,
    what: String,
    repeated: &'static str,
    record_type: RecordType,
    window_started_at: DateTime<Utc>,
    /// Refusals after the first one in the window, not yet written.
    further: u64,
    last_at: DateTime<Utc>,
}

impl Tally {
    fn summary(&self) -> Event {
        Event::new(
            self.repeated,
            self.record_type,
            None,
            format!(
                "{} was refused {} more time(s) between {} and {} (UTC): {}",
                self.actor.name,
                self.further,
                self.window_started_at.format("%Y-%m-%d %H:%M:%S"),
                self.last_at.format("%Y-%m-%d %H:%M:%S"),
                self.what
            ),
        )
    }
}

/// The in-memory tallies of one process (cloning shares them).
#[derive(Debug, Clone, Default)]
pub struct Refusals {
    tallies: Arc<Mutex<HashMap<(String, String), Tally>>>,
}

fn caller_key(actor: &Actor) -> String {
    match actor.id {
        Some(id) => format!("user:{id}"),
        None => format!(
            "anonymous:{}",
            actor.client_ip.as_deref().unwrap_or("unknown")
        ),
    }
}

const MANY_CALLERS: &str = "many callers";

impl Refusals {
    /// Counts one refusal of a permission (or, with `None`, of a call without signing in);
    /// writes an audit entry only for the first of its window.
    pub async fn record(
        &self,
        db: &Db,
        actor: &Actor,
        permission: Option<Permission>,
    ) -> Result<(), AppError> {
        let (what, record_type) = subject(permission);
        let kind = Kind {
            key: what.to_string(),
            what: what.to_string(),
            record_type,
            repeated: "permission_refused_repeatedly",
        };
        self.count(db, actor, kind, |actor| {
            Event::new(
                "permission_refused",
                record_type,
                None,
                format!("{} was refused: {}", actor.name, what),
            )
        })
        .await
    }

    /// Counts one refusal by a rule of a record of `record_type` (`record_id` when known),
    /// in the rule's own `words`; writes an audit entry only for the first of its window.
    pub async fn record_rule(
        &self,
        db: &Db,
        actor: &Actor,
        record_type: RecordType,
        record_id: Option<String>,
        words: &str,
    ) -> Result<(), AppError> {
        let kind = Kind {
            key: format!("rule:{}", record_type.as_str()),
            what: format!("the rules of {} records", record_type.label()),
            record_type,
            repeated: "rule_refused_repeatedly",
        };
        self.count(db, actor, kind, |actor| {
            Event::new(
                "rule_refused",
                record_type,
                record_id,
                format!("{} was refused: {words}", actor.name),
            )
        })
        .await
    }

    async fn count(
        &self,
        db: &Db,
        actor: &Actor,
        kind: Kind,
        first: impl FnOnce(&Actor) -> Event,
    ) -> Result<(), AppError> {
        let now = Utc::now();
        let mut writes = Vec::new();
        {
            let mut tallies = self.tallies.lock().unwrap_or_else(|e| e.into_inner());
            let mut key = (caller_key(actor), kind.key.clone());
            let mut actor = actor.clone();
            if !tallies.contains_key(&key) && tallies.len() >= MAX_CALLERS {
                key = (MANY_CALLERS.to_string(), kind.key.clone());
                actor = Actor::anonymous(MANY_CALLERS, None);
            }
            match tallies.get_mut(&key) {
                Some(tally) if now - tally.window_started_at < WINDOW => {
                    tally.further += 1;
                    tally.last_at = now;
                }
                _ => {
                    let fresh = Tally {
                        actor: actor.clone(),
                        what: kind.what,
                        repeated: kind.repeated,
                        record_type: kind.record_type,
                        window_started_at: now,
                        further: 0,
                        last_at: now,
                    };
                    if let Some(closed) = tallies.insert(key, fresh) {
                        if closed.further > 0 {
                            writes.push((closed.actor.clone(), closed.summary()));
                        }
                    }
                    writes.push((actor.clone(), first(&actor)));
                }
            }
        }
        write(db, writes).await
    }

    /// Writes the count of every window that has ended (all of them when `all`, at shutdown)
    /// and forgets them. Returns the entries written.
    pub async fn flush(&self, db: &Db, all: bool) -> Result<usize, AppError> {
        let now = Utc::now();
        let writes: Vec<(Actor, Event)> = {
            let mut tallies = self.tallies.lock().unwrap_or_else(|e| e.into_inner());
            let ended: Vec<_> = tallies
                .iter()
                .filter(|(_, t)| all || now - t.window_started_at >= WINDOW)
                .map(|(k, _)| k.clone())
                .collect();
            ended
                .into_iter()
                .filter_map(|k| tallies.remove(&k))
                .filter(|t| t.further > 0)
                .map(|t| (t.actor.clone(), t.summary()))
                .collect()
        };
        let count = writes.len();
        write(db, writes).await?;
        Ok(count)
    }

    /// Writes ended windows every minute, for as long as the process runs.
    pub fn spawn_flusher(&self, db: Db) -> tokio::task::JoinHandle<()> {
        let refusals = self.clone();
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(std::time::Duration::from_secs(60));
            loop {
                ticks.tick().await;
                if let Err(err) = refusals.flush(&db, false).await {
                    tracing::warn!(?err, "could not write refusal counts");
                }
            }
        })
    }
}

async fn write(db: &Db, writes: Vec<(Actor, Event)>) -> Result<(), AppError> {
    if writes.is_empty() {
        return Ok(());
    }
    // Their own small transaction: the refused action wrote nothing.
    let txn = db.writer().begin().await?;
    for (actor, event) in writes {
        audit::append(&txn, &actor, event).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The one door: the signed-in user when a role of theirs grants `permission`; otherwise
/// the refusal (401 or 403, the same words everywhere), counted as above.
pub async fn admit(
    state: &AppState,
    auth: &RequestAuth,
    permission: Permission,
) -> Result<CurrentUser, AppError> {
    let (actor, error) = match &auth.user {
        Some(user) if user.may(permission) => return Ok(user.clone()),
        Some(user) => (
            Actor::user(user.id, user.name.clone(), auth.client.ip.clone()),
            AppError::Forbidden(permission.describe().to_string()),
        ),
        None => (
            Actor::anonymous("anonymous", auth.client.ip.clone()),
            AppError::Unauthenticated,
        ),
    };
    let counted = if auth.user.is_some() {
        Some(permission)
    } else {
        None
    };
    if let Err(err) = state
        .safeguards
        .refusals
        .record(&state.db, &actor, counted)
        .await
    {
        tracing::warn!(?err, "could not audit a refusal");
    }
    Err(error)
}

/// Passes `result` on; when a rule of a record refused `actor` (`AppError::Refused`), counts
/// it first, as `admit` counts a permission refusal. Server functions call it through
/// `guard::Caller::counted`.
pub async fn refused_by_rule<T>(
    state: &AppState,
    actor: &Actor,
    record_type: RecordType,
    record_id: Option<i64>,
    result: Result<T, AppError>,
) -> Result<T, AppError> {
    if let Err(AppError::Refused(words)) = &result {
        if let Err(err) = state
            .safeguards
            .refusals
            .record_rule(
                &state.db,
                actor,
                record_type,
                record_id.map(|id| id.to_string()),
                words,
            )
            .await
        {
            tracing::warn!(?err, "could not audit a refusal");
        }
    }
    result
}

/// Counts an anonymous call refused before it reached its handler (see the server's
/// middleware); same tally as `admit`.
pub async fn refuse_anonymous(state: &AppState, auth: &RequestAuth) {
    let actor = Actor::anonymous("anonymous", auth.client.ip.clone());
    if let Err(err) = state
        .safeguards
        .refusals
        .record(&state.db, &actor, None)
        .await
    {
        tracing::warn!(?err, "could not audit a refusal");
    }
}
