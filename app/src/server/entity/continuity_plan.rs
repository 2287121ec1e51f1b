use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "continuity_plans")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub owner_id: i64,
    /// Covered service ids, as JSON.
    #[sea_orm(column_type = "Text")]
    pub service_ids: String,
    #[sea_orm(column_type = "Text")]
    pub site: String,
    pub review_months: i32,
    pub retired: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
