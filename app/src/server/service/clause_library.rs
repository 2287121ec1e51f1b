//! Keeps the stored clause library in step with the one compiled into this build, and reads
//! it back in clause order.
//!
//! The library is reference data, not a user's record: syncing writes no audit entry. It is
//! upserted (never deleted and re-inserted) so that later tables may point at clause numbers,
//! and so that several Conform processes starting together on one PostgreSQL cannot collide.

use crate::error::AppError;
use crate::model::clause_library::{self, ClauseEntry, ClauseLibrary};
use crate::server::db::Db;
use crate::server::entity::clause_library::{self as entity, Column, Entity as Clauses};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

/// What `sync` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncOutcome {
    /// The stored library was already this build's version (or newer): nothing written.
    AlreadyCurrent,
    /// The bundled library was written.
    Loaded { version: i32, clauses: usize },
}

/// Writes the bundled library when the stored copy is missing, incomplete or older.
/// Idempotent; one transaction. A newer stored library (written by a newer Conform sharing
/// the database) is left alone rather than downgraded.
pub async fn sync(db: &Db) -> Result<SyncOutcome, DbErr> {
    let library = clause_library::bundled().map_err(DbErr::Custom)?;
    sync_library(db, &library).await
}

/// `sync` for a given library; tests use it to stand in for an older or newer build.
pub async fn sync_library(db: &Db, library: &ClauseLibrary) -> Result<SyncOutcome, DbErr> {
    let txn = db.begin_write().await?;
    let stored = Clauses::find().all(&txn).await?;
    if is_current(&stored, library) {
        txn.rollback().await?;
        return Ok(SyncOutcome::AlreadyCurrent);
    }
    let rows: Vec<entity::ActiveModel> = library
        .clauses
        .iter()
        .map(|c| row(c, library.version))
        .collect();
    Clauses::insert_many(rows)
        .on_conflict(
            OnConflict::column(Column::Number)
                .update_columns([
                    Column::Title,
                    Column::Guidance,
                    Column::Documented,
                    Column::EvidenceHints,
                    Column::LibraryVersion,
                ])
                // Never overwrite a row written by a newer library.
                .action_and_where(Column::LibraryVersion.lt(library.version))
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    // Clauses an older library had and this one dropped.
    let numbers = library.clauses.iter().map(|c| c.number.clone());
    Clauses::delete_many()
        .filter(Column::Number.is_not_in(numbers))
        .filter(Column::LibraryVersion.lt(library.version))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    let outcome = SyncOutcome::Loaded {
        version: library.version,
        clauses: library.clauses.len(),
    };
    tracing::info!(
        version = library.version,
        clauses = library.clauses.len(),
        "clause library loaded"
    );
    Ok(outcome)
}

/// Current when every clause of `library` is stored and no stored row is older.
fn is_current(stored: &[entity::Model], library: &ClauseLibrary) -> bool {
    let all_present = library
        .clauses
        .iter()
        .all(|c| stored.iter().any(|row| row.number == c.number));
    let none_older = stored
        .iter()
        .all(|row| row.library_version >= library.version);
    all_present && none_older
}

fn row(clause: &ClauseEntry, version: i32) -> entity::ActiveModel {
    entity::ActiveModel {
        number: Set(clause.number.clone()),
        title: Set(clause.title.clone()),
        guidance: Set(clause.guidance.clone()),
        // Serialising plain structs and strings cannot fail; an empty list is the safe fallback.
        documented: Set(serde_json::to_string(&clause.documented).unwrap_or_else(|_| "[]".into())),
        evidence_hints: Set(
            serde_json::to_string(&clause.evidence_hints).unwrap_or_else(|_| "[]".into())
        ),
        library_version: Set(version),
    }
}

fn view(row: entity::Model) -> ClauseEntry {
    ClauseEntry {
        documented: serde_json::from_str(&row.documented).unwrap_or_default(),
        evidence_hints: serde_json::from_str(&row.evidence_hints).unwrap_or_default(),
        number: row.number,
        title: row.title,
        guidance: row.guidance,
    }
}

/// The stored library in clause order: 4.1, 4.2, …, 8.1, 8.2.1, …, 9.4, 10.1, 10.2.
pub async fn list<C: ConnectionTrait>(conn: &C) -> Result<Vec<ClauseEntry>, AppError> {
    let mut clauses: Vec<ClauseEntry> = Clauses::find()
        .all(conn)
        .await?
        .into_iter()
        .map(view)
        .collect();
    // Text order would put 10.1 before 4.1; the numeric key gets it right.
    clauses.sort_by_key(|c| clause_library::sort_key(&c.number));
    Ok(clauses)
}
