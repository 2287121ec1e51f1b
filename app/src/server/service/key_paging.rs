//! Key paging: a page starts just after (or before) a row the reader has seen, found through
//! the sort's index, instead of skipping every earlier row (OFFSET), so the thousandth page
//! of a long list costs what the first does. A page asked for by number alone (a typed URL,
//! or a key whose row is gone) is still found by OFFSET.

use crate::error::AppError;
use crate::model::listing::{page_offset, PageKey};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{BinOper, Expr, ExprTrait, Query, SubQueryStatement};
use sea_orm::{EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select};
use std::future::Future;

/// Stands in for a missing date in a sort key: earlier than any date a record holds, so
/// records without one sort first going up (as `Option` orders) on every database.
pub fn no_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Stands in for a missing time in a sort key, as `no_date` does for dates.
pub fn no_time() -> DateTime<Utc> {
    no_date().and_time(chrono::NaiveTime::MIN).and_utc()
}

/// A list's order: its sort keys, then the row's id to break ties, all in one direction.
/// No key may be NULL (wrap a nullable column in COALESCE): a row compares to NULL as
/// neither before nor after, and would drop out of every keyed page.
pub struct KeyOrder<E: EntityTrait> {
    pub keys: Vec<Expr>,
    pub id: E::Column,
    pub order: Order,
}

impl<E: EntityTrait> KeyOrder<E> {
    /// The id, qualified with its table: card queries join other tables that have ids too.
    fn id_expr(&self) -> Expr {
        Expr::col((E::default(), self.id))
    }

    fn ordered(&self, mut select: Select<E>, order: Order) -> Select<E> {
        for key in &self.keys {
            select = select.order_by(key.clone(), order.clone());
        }
        select.order_by(self.id_expr(), order)
    }

    /// `select` from the row `key` names onwards (or backwards, for a page before it): its
    /// sort keys compared as one row value with that row's, which the database reads by id
    /// in a subquery. Says whether the rows come reversed.
    fn starting_at(&self, select: Select<E>, key: PageKey) -> (Select<E>, bool) {
        let (id, forward) = match key {
            PageKey::After(id) => (id, true),
            PageKey::Before(id) => (id, false),
        };
        let order = match (forward, &self.order) {
            (true, order) => order.clone(),
            (false, Order::Desc) => Order::Asc,
            (false, _) => Order::Desc,
        };
        let operator = if matches!(order, Order::Desc) {
            BinOper::SmallerThan
        } else {
            BinOper::GreaterThan
        };
        let after_boundary = if self.keys.is_empty() {
            self.id_expr().binary(operator, Expr::val(id))
        } else {
            let mut row: Vec<Expr> = self.keys.clone();
            row.push(self.id_expr());
            let boundary = Query::select()
                .exprs(row.clone())
                .from(E::default())
                .and_where(self.id_expr().eq(id))
                .to_owned();
            // Inside the subquery the table's name means its own row, so the same
            // expressions read the boundary's keys.
            Expr::tuple(row).binary(
                operator,
                Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(boundary))),
            )
        };
        (self.ordered(select.filter(after_boundary), order), !forward)
    }
}

/// One page of `select` in `order`: from `key` when there is one and its row still exists,
/// else page `page` by number. `read` runs a query and reads its rows (plain models, cards).
pub async fn read_page<E, T, F, Fut>(
    select: Select<E>,
    order: &KeyOrder<E>,
    key: Option<PageKey>,
    page: u64,
    page_size: u64,
    read: F,
) -> Result<Vec<T>, AppError>
where
    E: EntityTrait,
    F: Fn(Select<E>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, AppError>>,
{
    if let Some(key) = key {
        let (keyed, reversed) = order.starting_at(select.clone(), key);
        let mut rows = read(keyed.limit(page_size)).await?;
        if !rows.is_empty() {
            if reversed {
                rows.reverse();
            }
            return Ok(rows);
        }
        // The row the key names is gone, or the key was made up: find the page by number.
    }
    read(
        order
            .ordered(select, order.order.clone())
            .offset(page_offset(page, page_size))
            .limit(page_size),
    )
    .await
}

/// `select` in `order`, whole (exports, boards).
pub fn ordered<E: EntityTrait>(select: Select<E>, order: &KeyOrder<E>) -> Select<E> {
    order.ordered(select, order.order.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::entity::improvement::{Column, Entity as Improvements};
    use sea_orm::{DbBackend, QueryTrait};

    fn sql(key: PageKey, order: Order) -> String {
        let order = KeyOrder::<Improvements> {
            keys: vec![Expr::col((Improvements, Column::Title))],
            id: Column::Id,
            order,
        };
        let (select, _) = order.starting_at(Improvements::find(), key);
        select.build(DbBackend::Sqlite).to_string()
    }

    #[test]
    fn a_key_compares_the_row_value_in_the_direction_of_reading() {
        let after_up = sql(PageKey::After(7), Order::Asc);
        assert!(
            after_up.contains(r#"("improvements"."title", "improvements"."id") > (SELECT"#),
            "{after_up}"
        );
        assert!(
            after_up.ends_with(r#"ORDER BY "improvements"."title" ASC, "improvements"."id" ASC"#)
        );
        let before_up = sql(PageKey::Before(7), Order::Asc);
        assert!(before_up.contains(") < (SELECT"), "{before_up}");
        assert!(before_up.ends_with(r#""improvements"."id" DESC"#));
        let after_down = sql(PageKey::After(7), Order::Desc);
        assert!(after_down.contains(") < (SELECT"), "{after_down}");
        let before_down = sql(PageKey::Before(7), Order::Desc);
        assert!(before_down.contains(") > (SELECT"), "{before_down}");
        assert!(before_down.ends_with(r#""improvements"."id" ASC"#));
    }
}
