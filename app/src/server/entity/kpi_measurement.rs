use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "kpi_measurements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kpi_id: i64,
    pub measured_on: Date,
    pub value: f64,
    pub recorded_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
