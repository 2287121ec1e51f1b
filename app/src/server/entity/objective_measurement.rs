use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "objective_measurements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub objective_id: i64,
    pub measured_on: Date,
    pub value: f64,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub recorded_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
