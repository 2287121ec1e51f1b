use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "services")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// Lower-cased, space-folded name: the unique key.
    #[sea_orm(unique)]
    pub name_key: String,
    pub owner: String,
    /// 1 (low) to 4 (critical), so that sorting follows the scale.
    pub criticality: i16,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// JSON array of customer names.
    #[sea_orm(column_type = "Text")]
    pub customers: String,
    pub archived_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
