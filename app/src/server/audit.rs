//! The audit trail: appended inside the caller's transaction (a rolled-back change leaves
//! no entry), hash-chained, and verifiable from end to end.

use crate::model::access::RecordType;
use crate::model::audit::{AuditEntry, FieldChange};
use crate::server::entity::audit_head::{self, Entity as AuditHead};
use crate::server::entity::audit_log::{self, Column, Entity as AuditLog};
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Who acted: a signed-in user, a named system actor (CLI, demo seed), or an anonymous client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
    pub client_ip: Option<String>,
}

impl Actor {
    pub fn user(id: i64, name: impl Into<String>, client_ip: Option<String>) -> Self {
        Self {
            id: Some(id),
            name: name.into(),
            client_ip,
        }
    }

    pub fn system(name: &str) -> Self {
        Self {
            id: None,
            name: format!("system:{name}"),
            client_ip: None,
        }
    }

    pub fn anonymous(label: impl Into<String>, client_ip: Option<String>) -> Self {
        Self {
            id: None,
            name: label.into(),
            client_ip,
        }
    }
}

/// What happened, before it is numbered and chained.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub action: &'static str,
    pub record_type: RecordType,
    pub record_id: Option<String>,
    pub summary: String,
    pub changes: Vec<FieldChange>,
}

impl Event {
    pub fn new(
        action: &'static str,
        record_type: RecordType,
        record_id: Option<String>,
        summary: impl Into<String>,
    ) -> Self {
        Self {
            action,
            record_type,
            record_id,
            summary: summary.into(),
            changes: Vec::new(),
        }
    }

    pub fn with_changes(mut self, changes: Vec<FieldChange>) -> Self {
        self.changes = changes;
        self
    }
}

/// The exact content an entry's hash covers, in a fixed field order.
#[derive(Serialize)]
struct HashedContent<'a> {
    seq: i64,
    occurred_at: String,
    actor_id: Option<i64>,
    actor_name: &'a str,
    action: &'a str,
    record_type: &'a str,
    record_id: Option<&'a str>,
    summary: &'a str,
    changes: &'a str,
    client_ip: Option<&'a str>,
    prev_hash: &'a str,
}

fn timestamp_text(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn entry_hash(row: &audit_log::Model) -> String {
    let content = HashedContent {
        seq: row.seq,
        occurred_at: timestamp_text(&row.occurred_at),
        actor_id: row.actor_id,
        actor_name: &row.actor_name,
        action: &row.action,
        record_type: &row.record_type,
        record_id: row.record_id.as_deref(),
        summary: &row.summary,
        changes: &row.changes,
        client_ip: row.client_ip.as_deref(),
        prev_hash: &row.prev_hash,
    };
    let bytes = serde_json::to_vec(&content).expect("audit content serialises");
    hex::encode(Sha256::digest(bytes))
}

/// Appends what `actor` did to one record — the usual entry, without field changes. Call it
/// with the transaction that makes the change.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    record_type: RecordType,
    record_id: i64,
    action: &'static str,
    summary: impl Into<String>,
) -> Result<(), crate::error::AppError> {
    let event = Event::new(action, record_type, Some(record_id.to_string()), summary);
    append(conn, actor, event).await?;
    Ok(())
}

/// Appends `event` to the chain. Call it with the transaction that makes the change.
pub async fn append<C: ConnectionTrait>(
    conn: &C,
    actor: &Actor,
    event: Event,
) -> Result<i64, DbErr> {
    // Lock the head row so that concurrent appenders (other processes on PostgreSQL) queue.
    let mut head_query = AuditHead::find_by_id(1);
    if conn.get_database_backend() == DbBackend::Postgres {
        head_query = head_query.lock_exclusive();
    }
    let head = head_query
        .one(conn)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("audit_head".into()))?;

    let mut row = audit_log::Model {
        seq: head.seq + 1,
        // Microsecond precision survives both databases unchanged, so hashes stay stable.
        occurred_at: Utc::now().trunc_subsecs(6),
        actor_id: actor.id,
        actor_name: actor.name.chars().take(254).collect(),
        action: event.action.to_string(),
        record_type: event.record_type.as_str().to_string(),
        record_id: event.record_id,
        summary: event.summary,
        changes: serde_json::to_string(&event.changes).map_err(|e| DbErr::Custom(e.to_string()))?,
        client_ip: actor.client_ip.clone(),
        prev_hash: head.hash.clone(),
        hash: String::new(),
    };
    row.hash = entry_hash(&row);
    let seq = row.seq;
    let hash = row.hash.clone();
    audit_log::ActiveModel::from(row).insert(conn).await?;
    audit_head::ActiveModel {
        id: Set(1),
        seq: Set(seq),
        hash: Set(hash),
    }
    .update(conn)
    .await?;
    Ok(seq)
}

/// Why the chain is not intact, naming the first entry that does not check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "audit entry {}: {}", self.seq, self.reason)
    }
}

/// Walks the whole chain. `Ok(n)` when all `n` entries are intact.
pub async fn verify<C: ConnectionTrait>(conn: &C) -> Result<Result<u64, ChainBreak>, DbErr> {
    const BATCH: u64 = 1000;
    let mut expected_seq = 1;
    let mut prev_hash = audit_head_genesis();
    loop {
        let rows = AuditLog::find()
            .filter(Column::Seq.gte(expected_seq))
            .order_by_asc(Column::Seq)
            .limit(BATCH)
            .all(conn)
            .await?;
        let fetched = rows.len() as u64;
        for row in rows {
            if row.seq != expected_seq {
                return Ok(Err(ChainBreak {
                    seq: expected_seq,
                    reason: format!("is missing (the next entry found is {})", row.seq),
                }));
            }
            if row.prev_hash != prev_hash {
                return Ok(Err(ChainBreak {
                    seq: row.seq,
                    reason:
                        "does not link to the entry before it (an entry was removed or replaced)"
                            .into(),
                }));
            }
            if entry_hash(&row) != row.hash {
                return Ok(Err(ChainBreak {
                    seq: row.seq,
                    reason: "its content was altered after it was written".into(),
                }));
            }
            prev_hash = row.hash;
            expected_seq += 1;
        }
        if fetched < BATCH {
            break;
        }
    }
    let head = AuditHead::find_by_id(1).one(conn).await?;
    let last = expected_seq - 1;
    match head {
        Some(head) if head.seq == last && head.hash == prev_hash => Ok(Ok(last as u64)),
        Some(head) if head.seq > last => Ok(Err(ChainBreak {
            seq: last + 1,
            reason: format!("is missing: the chain should end at entry {}", head.seq),
        })),
        _ => Ok(Err(ChainBreak {
            seq: last,
            reason: "the chain's recorded end does not match its last entry".into(),
        })),
    }
}

fn audit_head_genesis() -> String {
    "0".repeat(64)
}

impl From<audit_log::Model> for AuditEntry {
    fn from(row: audit_log::Model) -> Self {
        AuditEntry {
            seq: row.seq,
            occurred_at: row.occurred_at,
            actor_id: row.actor_id,
            actor_name: row.actor_name,
            action: row.action,
            record_type: row.record_type,
            record_id: row.record_id,
            summary: row.summary,
            changes: serde_json::from_str(&row.changes).unwrap_or_default(),
        }
    }
}
