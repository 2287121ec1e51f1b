//! Free-text matching shared by the list pages.

use sea_orm::sea_query::{Expr, ExprTrait, Func, IntoColumnRef, LikeExpr};

/// `column` contains `needle`, ignoring case (LOWER on both sides, so SQLite and PostgreSQL
/// agree); `%`, `_` and `\` in the needle match themselves, not as wildcards.
pub fn contains_text<C: IntoColumnRef>(column: C, needle: &str) -> Expr {
    let pattern = format!("%{}%", escape_like(&needle.to_lowercase()));
    Expr::expr(Func::lower(Expr::col(column))).like(LikeExpr::new(pattern).escape('\\'))
}

/// `column`'s text contains `fragment` as written (for lists Conform stores as JSON text,
/// where the delimiters make the match exact).
pub fn contains_fragment<C: IntoColumnRef>(column: C, fragment: &str) -> Expr {
    let pattern = format!("%{}%", escape_like(fragment));
    Expr::col(column).like(LikeExpr::new(pattern).escape('\\'))
}

fn escape_like(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn wildcards_are_escaped() {
        assert_eq!(super::escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
