use sea_orm::entity::prelude::*;

/// The organisation's service level settings: one row (id 1).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_level_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// `PriorityMatrix::codes`: `p1,p2,p3;p2,p3,p4;p3,p4,p5`.
    #[sea_orm(column_type = "Text")]
    pub priority_matrix: String,
    pub reopen_days: i32,
    pub version: i32,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
