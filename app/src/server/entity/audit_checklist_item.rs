use sea_orm::entity::prelude::*;

/// One question of an audit's checklist, generated from the clause library.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_checklist_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub audit_id: i64,
    pub position: i32,
    pub clause: String,
    #[sea_orm(column_type = "Text")]
    pub prompt: String,
    /// `pending`, `conforming`, `finding` or `not_checked`.
    pub result: String,
    #[sea_orm(column_type = "Text")]
    pub notes: String,
    #[sea_orm(column_type = "Text")]
    pub sampled_records: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
