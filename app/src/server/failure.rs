//! Turns server-side failures into the client-safe `AppError`.

use crate::error::AppError;
use sea_orm::DbErr;

/// Logs the real cause under a fresh correlation id and hands the client only that id.
pub fn internal(cause: impl std::fmt::Display) -> AppError {
    let correlation_id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    tracing::error!(%correlation_id, %cause, "internal error");
    AppError::Internal { correlation_id }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        internal(err)
    }
}

/// True when the database refused a write because a unique index already holds the value.
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
