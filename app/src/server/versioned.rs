//! Optimistic locking, written once: every write to a versioned record is a compare-and-set on
//! its `version` column (which the write bumps), and losing the race is one error with one
//! message, whichever record it was.

use crate::error::AppError;
use crate::server::entity;
use chrono::Utc;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, UpdateMany,
};

/// A table whose rows carry `id`, `version` and (most) `updated_at`.
pub trait Versioned: EntityTrait {
    /// What people call a row in messages: "this change", "this draft".
    const NOUN: &'static str;
    fn id_column() -> Self::Column;
    fn version_column() -> Self::Column;
    /// Stamped on every versioned write, where the table has it.
    fn updated_at_column() -> Option<Self::Column>;
}

/// The error for a write that lost the race: nothing was written, the caller learns the
/// version it has to look at.
pub fn changed_meanwhile(noun: &str, current_version: i32) -> AppError {
    AppError::Conflict {
        message: format!(
            "Someone else changed {noun} meanwhile; nothing was saved. \
             Look at their version and make your change again."
        ),
        current_version,
    }
}

/// The error for a record read at `expected` that is now at `current`.
pub fn check_version<E: Versioned>(expected: i32, current: i32) -> Result<(), AppError> {
    if expected == current {
        Ok(())
    } else {
        Err(changed_meanwhile(E::NOUN, current))
    }
}

/// Applies `apply` to row `id` only while it is still at `expected`, bumping its version and
/// stamping `updated_at`. A lost race (or a row gone meanwhile) writes nothing and answers
/// [`changed_meanwhile`] (or not found) — the caller's transaction then rolls back.
pub async fn update<E, C>(
    conn: &C,
    id: i64,
    expected: i32,
    apply: impl FnOnce(UpdateMany<E>) -> UpdateMany<E>,
) -> Result<(), AppError>
where
    E: Versioned,
    C: ConnectionTrait,
{
    update_or(conn, id, expected, apply, AppError::from).await
}

/// [`update`], with the caller's reading of a database error (e.g. a unique index that a
/// concurrent write filled: a field error rather than a failure).
pub async fn update_or<E, C>(
    conn: &C,
    id: i64,
    expected: i32,
    apply: impl FnOnce(UpdateMany<E>) -> UpdateMany<E>,
    on_error: impl FnOnce(DbErr) -> AppError,
) -> Result<(), AppError>
where
    E: Versioned,
    C: ConnectionTrait,
{
    let result = apply(bumped::<E>())
        .filter(E::id_column().eq(id))
        .filter(E::version_column().eq(expected))
        .exec(conn)
        .await
        .map_err(on_error)?;
    if result.rows_affected == 1 {
        return Ok(());
    }
    Err(lost_race::<E, C>(conn, id).await)
}

/// A write that compares no version: for rows changed as a consequence of a compare-and-set
/// on another record in the same transaction (the version an approval supersedes, a plan
/// retired with its last version, a child row guarded by its parent's version). `apply` sets
/// the columns and chooses the rows; each row's version is still bumped (and `updated_at`
/// stamped), so a client holding one of them is refused afterwards. Answers how many rows it
/// changed.
pub async fn update_unchecked<E, C>(
    conn: &C,
    apply: impl FnOnce(UpdateMany<E>) -> UpdateMany<E>,
) -> Result<u64, AppError>
where
    E: Versioned,
    C: ConnectionTrait,
{
    let result = apply(bumped::<E>()).exec(conn).await?;
    Ok(result.rows_affected)
}

/// Deletes row `id` only while it is still at `expected` — the compare-and-set of [`update`]
/// for a removal: a lost race deletes nothing and answers [`changed_meanwhile`] (or not found).
pub async fn delete<E, C>(conn: &C, id: i64, expected: i32) -> Result<(), AppError>
where
    E: Versioned,
    C: ConnectionTrait,
{
    let result = E::delete_many()
        .filter(E::id_column().eq(id))
        .filter(E::version_column().eq(expected))
        .exec(conn)
        .await?;
    if result.rows_affected == 1 {
        return Ok(());
    }
    Err(lost_race::<E, C>(conn, id).await)
}

/// An update of `E` that bumps the version and stamps `updated_at` (where the table has it).
fn bumped<E: Versioned>() -> UpdateMany<E> {
    let update =
        E::update_many().col_expr(E::version_column(), Expr::col(E::version_column()).add(1));
    match E::updated_at_column() {
        Some(updated_at) => update.col_expr(updated_at, Expr::value(Utc::now())),
        None => update,
    }
}

/// Why a compare-and-set wrote nothing: the row moved on, or it is gone.
async fn lost_race<E: Versioned, C: ConnectionTrait>(conn: &C, id: i64) -> AppError {
    let current = E::find()
        .select_only()
        .column(E::version_column())
        .filter(E::id_column().eq(id))
        .into_tuple::<i32>()
        .one(conn)
        .await;
    match current {
        Ok(Some(version)) => changed_meanwhile(E::NOUN, version),
        Ok(None) => AppError::NotFound(capitalised(E::NOUN)),
        Err(error) => error.into(),
    }
}

/// "this change" → "This change" (for "This change was not found.").
fn capitalised(noun: &str) -> String {
    let mut chars = noun.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Declares the versioned tables: module (and its key column when it is not `Id`), what a row
/// is called, whether it has `updated_at`.
macro_rules! versioned {
    ($($module:ident $(($key:ident))? => $noun:literal $(, $updated:ident)?;)*) => {$(
        impl Versioned for entity::$module::Entity {
            const NOUN: &'static str = $noun;
            fn id_column() -> Self::Column {
                versioned!(@key $module $($key)?)
            }
            fn version_column() -> Self::Column {
                entity::$module::Column::Version
            }
            fn updated_at_column() -> Option<Self::Column> {
                versioned!(@updated $module $($updated)?)
            }
        }
    )*};
    (@updated $module:ident updated_at) => { Some(entity::$module::Column::UpdatedAt) };
    (@updated $module:ident) => { None };
    (@key $module:ident $key:ident) => { entity::$module::Column::$key };
    (@key $module:ident) => { entity::$module::Column::Id };
}

versioned! {
    audit_programme => "this audit programme", updated_at;
    cab_action => "this action";
    cab_board => "this board", updated_at;
    cab_meeting => "this meeting", updated_at;
    change => "this change", updated_at;
    continuity_exercise => "this exercise", updated_at;
    continuity_plan => "this plan", updated_at;
    corrective_action => "this corrective action";
    gap_assessment => "this assessment", updated_at;
    gap_rating => "this sub-clause's rating", updated_at;
    improvement => "this improvement", updated_at;
    incident => "this incident", updated_at;
    intake_source => "this monitoring source";
    internal_audit => "this audit", updated_at;
    management_review => "this review", updated_at;
    nonconformity => "this nonconformity", updated_at;
    objective => "this objective", updated_at;
    plan_version => "this draft", updated_at;
    problem => "this problem", updated_at;
    sms_risk => "this risk", updated_at;
    sms_risk_settings => "the risk matrix";
    supplier => "this supplier", updated_at;
    competence => "this competence", updated_at;
    awareness_campaign => "this campaign", updated_at;
    configuration_item => "this configuration item", updated_at;
    sms_profile_version => "the SMS profile draft", updated_at;
    request_type => "this request type", updated_at;
    review_action => "this action";
    schedule_window => "this window";
    service => "this service", updated_at;
    service_agreement => "this agreement", updated_at;
    service_bia(ServiceId) => "this impact analysis", updated_at;
    service_calendar => "these service hours", updated_at;
    service_level_settings => "the service level settings", updated_at;
    service_request => "this request", updated_at;
    sms_document => "this document", updated_at;
    sms_document_version => "this document's draft", updated_at;
    standard_template => "this template", updated_at;
    user => "this user", updated_at;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_message_names_the_record_and_says_nothing_was_saved() {
        let error = changed_meanwhile(entity::change::Entity::NOUN, 7);
        assert_eq!(
            error.to_string(),
            "Someone else changed this change meanwhile; nothing was saved. \
             Look at their version and make your change again."
        );
        assert!(matches!(
            error,
            AppError::Conflict {
                current_version: 7,
                ..
            }
        ));
        assert_eq!(capitalised("this draft"), "This draft");
    }

    #[test]
    fn a_matching_version_passes_and_another_is_a_conflict() {
        assert!(check_version::<entity::service::Entity>(3, 3).is_ok());
        assert!(matches!(
            check_version::<entity::service::Entity>(3, 4),
            Err(AppError::Conflict {
                current_version: 4,
                ..
            })
        ));
    }
}
