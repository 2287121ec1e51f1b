use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "standard_templates")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// Lower-cased, trimmed name: unique.
    pub name_key: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub category: String,
    /// JSON array of service ids.
    #[sea_orm(column_type = "Text")]
    pub service_ids: String,
    #[sea_orm(column_type = "Text")]
    pub implementation_plan: String,
    #[sea_orm(column_type = "Text")]
    pub test_plan: String,
    #[sea_orm(column_type = "Text")]
    pub backout_plan: String,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
