use sea_orm::entity::prelude::*;

/// A supplier's contract (or an internal supplier's documented agreement) with its agreed
/// targets and renewal notice.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supplier_contracts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub supplier_id: i64,
    pub reference: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub notice_days: i32,
    /// `ends_on` less the notice: when the renewal decision falls due.
    pub notice_on: Option<Date>,
    /// A later contract follows on from this one: its renewal is decided.
    pub superseded: bool,
    pub value: String,
    #[sea_orm(column_type = "Text")]
    pub targets: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
