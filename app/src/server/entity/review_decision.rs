use sea_orm::entity::prelude::*;

/// A decision recorded in a management review.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_decisions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub review_id: i64,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
