use sea_orm::entity::prelude::*;

/// An evidence link of a rating: a register document, a Conform record or a web address.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gap_evidence")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub rating_id: i64,
    /// `document`, `record` or `url`.
    pub kind: String,
    #[sea_orm(column_type = "Text")]
    pub target: String,
    #[sea_orm(column_type = "Text")]
    pub label: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
