use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "improvement_kpis")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub improvement_id: i64,
    pub name: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    /// `higher` or `lower` is better.
    pub direction: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
