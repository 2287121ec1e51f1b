//! Each change's conflict count, kept equal to the detection (`model::schedule::detect`) so
//! that lists and boards read it with their rows instead of working conflicts out per page.
//! It is written in the transaction of every write that can move a conflict — a change's
//! window, state, services or implementers; a window added, moved or removed — for the
//! changes that write can touch, and worked out afresh for every change when the server
//! starts (derived data heals itself after an upgrade, a restore or a hand edit).

use crate::error::AppError;
use crate::model::schedule::Window;
use crate::server::db::Db;
use crate::server::entity::change::{Column, Entity as Changes};
use crate::server::entity::change_service::{self, Entity as ChangeServices};
use crate::server::entity::schedule_window;
use crate::server::service::change_conflicts::{
    all_conflicts, conflicts_of, overlapping, scheduled_states,
};
use crate::server::service::schedule::PlannedSpan;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The PostgreSQL advisory lock recounts take (any fixed number; this one spells "cnflct").
const RECOUNT_LOCK: i64 = 0x636e_666c_6374;

/// How many changes one recount query names.
const CHUNK: usize = 500;

/// Takes the recount lock until the transaction ends (PostgreSQL; SQLite has one writer).
/// Without it, two writes recounting the same neighbour at once would each miss the other's
/// change. Take it before writing a change's row: a write holding that row while waiting for
/// the lock could deadlock with the recount that holds the lock and updates the row.
pub async fn hold<C: ConnectionTrait>(conn: &C) -> Result<(), AppError> {
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({RECOUNT_LOCK})"))
            .await?;
    }
    Ok(())
}

/// After change `id` was written (its window, state, services or implementers), inside the
/// write's transaction: recounts it and the scheduled changes overlapping its window as it
/// was (`before`) and as it is now.
pub async fn change_written<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    before: Option<Window>,
) -> Result<(), AppError> {
    hold(conn).await?;
    let now = window_of(conn, id).await?;
    let spans: Vec<Window> = before.into_iter().chain(now).collect();
    let mut affected = scheduled_overlapping(conn, &spans).await?;
    affected.insert(id);
    recount(conn, affected).await.map(drop)
}

/// Change `id`'s planned window as stored, if it has one (read before an edit too, so that
/// the edit's live event can bring the cards of the neighbours it left).
pub async fn window_of<C: ConnectionTrait>(conn: &C, id: i64) -> Result<Option<Window>, AppError> {
    let span: Option<PlannedSpan> = Changes::find_by_id(id)
        .select_only()
        .columns([Column::PlannedStart, Column::PlannedEnd])
        .into_tuple()
        .one(conn)
        .await?;
    Ok(span.and_then(|(start, end)| Window::planned(start, end)))
}

/// After a schedule window was added, moved or removed (`before` and `after` as stored),
/// inside the write's transaction: recounts the scheduled changes overlapping it, and for a
/// service's maintenance window every scheduled change of that service (whether a service
/// has maintenance windows at all decides conflicts at any time). Answers the changes whose
/// count moved: open boards are sent their cards.
pub async fn window_written<C: ConnectionTrait>(
    conn: &C,
    before: Option<&schedule_window::Model>,
    after: Option<&schedule_window::Model>,
) -> Result<Vec<i64>, AppError> {
    hold(conn).await?;
    let written: Vec<&schedule_window::Model> = before.into_iter().chain(after).collect();
    let spans: Vec<Window> = written
        .iter()
        .filter_map(|w| Window::new(w.starts_at, w.ends_at))
        .collect();
    let mut affected = scheduled_overlapping(conn, &spans).await?;
    let maintained: BTreeSet<i64> = written
        .iter()
        .filter(|w| w.kind == "maintenance")
        .filter_map(|w| w.service_id)
        .collect();
    if !maintained.is_empty() {
        let of_services: Vec<i64> = ChangeServices::find()
            .select_only()
            .column(change_service::Column::ChangeId)
            .filter(change_service::Column::ServiceId.is_in(maintained))
            .into_tuple()
            .all(conn)
            .await?;
        affected.extend(of_services);
    }
    recount(conn, affected).await
}

/// Scheduled changes whose window overlaps any of `spans`.
async fn scheduled_overlapping<C: ConnectionTrait>(
    conn: &C,
    spans: &[Window],
) -> Result<BTreeSet<i64>, AppError> {
    if spans.is_empty() {
        return Ok(BTreeSet::new());
    }
    let ids: Vec<i64> = Changes::find()
        .select_only()
        .column(Column::Id)
        .filter(Column::State.is_in(scheduled_states()))
        .filter(overlapping(spans, Column::PlannedStart, Column::PlannedEnd))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Works out the conflicts of `ids` and stores the counts that differ; answers the ids whose
/// count it changed.
async fn recount<C: ConnectionTrait>(conn: &C, ids: BTreeSet<i64>) -> Result<Vec<i64>, AppError> {
    let ids: Vec<i64> = ids.into_iter().collect();
    let mut changed = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let conflicts = conflicts_of(conn, chunk).await?;
        let wanted: HashMap<i64, i32> = conflicts
            .iter()
            .map(|(id, found)| (*id, found.len() as i32))
            .collect();
        let stored: Vec<(i64, i32)> = Changes::find()
            .select_only()
            .columns([Column::Id, Column::ConflictCount])
            .filter(Column::Id.is_in(chunk.to_vec()))
            .into_tuple()
            .all(conn)
            .await?;
        let corrected = corrections(&stored, &wanted);
        changed.extend(corrected.values().flatten().copied());
        store(conn, corrected).await?;
    }
    changed.sort_unstable();
    Ok(changed)
}

/// Works out every change's count from the whole schedule and stores those that differ, in
/// one transaction. Answers how many counts it corrected (none, unless something wrote a
/// change or a window without recounting).
pub async fn reconcile_all(db: &Db) -> Result<u64, AppError> {
    let txn = db.writer().begin().await?;
    hold(&txn).await?;
    let wanted: HashMap<i64, i32> = all_conflicts(&txn)
        .await?
        .into_iter()
        .map(|(id, found)| (id, found.len() as i32))
        .collect();
    let stored: Vec<(i64, i32)> = Changes::find()
        .select_only()
        .columns([Column::Id, Column::ConflictCount])
        .into_tuple()
        .all(&txn)
        .await?;
    let corrected = store(&txn, corrections(&stored, &wanted)).await?;
    txn.commit().await?;
    Ok(corrected)
}

/// The stored counts that differ from the wanted ones (a change missing from `wanted` has
/// none), grouped by the count they should be.
fn corrections(stored: &[(i64, i32)], wanted: &HashMap<i64, i32>) -> BTreeMap<i32, Vec<i64>> {
    let mut by_count: BTreeMap<i32, Vec<i64>> = BTreeMap::new();
    for (id, count) in stored {
        let should = wanted.get(id).copied().unwrap_or(0);
        if should != *count {
            by_count.entry(should).or_default().push(*id);
        }
    }
    by_count
}

/// Writes the counts: one statement per count and chunk of ids. The change's version and
/// `updated_at` stay as they are — the count is derived, not an edit of the change.
async fn store<C: ConnectionTrait>(
    conn: &C,
    by_count: BTreeMap<i32, Vec<i64>>,
) -> Result<u64, AppError> {
    let mut written = 0;
    for (count, ids) in by_count {
        for chunk in ids.chunks(CHUNK) {
            written += Changes::update_many()
                .col_expr(Column::ConflictCount, Expr::value(count))
                .filter(Column::Id.is_in(chunk.to_vec()))
                .exec(conn)
                .await?
                .rows_affected;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_counts_that_differ_are_corrected_grouped_by_their_new_count() {
        let stored = [(1, 0), (2, 3), (3, 1), (4, 2), (5, 0)];
        let wanted = HashMap::from([(2, 3), (3, 2), (4, 2), (5, 2), (6, 1)]);
        let found = corrections(&stored, &wanted);
        // 1 keeps 0; 2 and 4 are right; 3 and 5 become 2; 6 is not a stored change.
        assert_eq!(found, BTreeMap::from([(2, vec![3, 5])]));
        let stale = [(7, 4)];
        assert_eq!(
            corrections(&stale, &HashMap::new()),
            BTreeMap::from([(0, vec![7])]),
            "a change with no conflicts any more goes back to 0"
        );
    }
}
