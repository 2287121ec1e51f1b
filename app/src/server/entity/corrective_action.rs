use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "corrective_actions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub nonconformity_id: i64,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub owner_id: i64,
    pub due_on: Date,
    pub done_at: Option<DateTimeUtc>,
    /// The register entry this action became, if it did.
    pub improvement_id: Option<i64>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
