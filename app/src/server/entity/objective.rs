use sea_orm::entity::prelude::*;

/// A service management objective (clause 6.2), measured by one KPI.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "objectives")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub owner_id: i64,
    pub service_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub kpi_name: String,
    #[sea_orm(column_type = "Text")]
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
    /// `higher` or `lower` is better.
    pub direction: String,
    /// `monthly`, `quarterly`, `half_yearly` or `yearly`.
    pub frequency: String,
    pub retired: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
