//! Searching text columns the same way on SQLite and PostgreSQL.

use sea_orm::sea_query::{Expr, ExprTrait, Func, SimpleExpr};
use sea_orm::{ColumnTrait, IntoSimpleExpr};

/// Lower-cased `column` contains `word`, its own `%` and `_` taken as nothing (a search box
/// never writes a LIKE pattern).
pub fn contains<C: ColumnTrait + IntoSimpleExpr>(column: C, word: &str) -> SimpleExpr {
    let pattern = format!("%{}%", word.to_lowercase().replace(['%', '_'], ""));
    Expr::expr(Func::lower(Expr::col(column))).like(pattern)
}
