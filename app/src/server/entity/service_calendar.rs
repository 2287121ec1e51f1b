use sea_orm::entity::prelude::*;

/// A service-hours calendar (`model::service_hours`): weekly hours and holidays as JSON.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_calendars")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    #[sea_orm(column_type = "Text")]
    pub week: String,
    #[sea_orm(column_type = "Text")]
    pub holidays: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
