use sea_orm::entity::prelude::*;

/// An action agreed in a management review, tracked until done (also after publishing).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_actions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub review_id: i64,
    #[sea_orm(column_type = "Text")]
    pub text: String,
    pub owner_id: i64,
    pub due_on: Date,
    pub done_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text")]
    pub done_note: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
