use sea_orm::entity::prelude::*;

/// A service level agreement (`model::agreement`); its services are in
/// `service_agreement_services`, its targets per priority are JSON.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "service_agreements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub customer: String,
    pub calendar_id: i64,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub review_on: Date,
    #[sea_orm(column_type = "Text")]
    pub targets: String,
    pub availability_percent: f64,
    pub fulfilment_minutes: i32,
    pub state: String,
    pub revision: i32,
    pub revises_id: Option<i64>,
    pub author_id: i64,
    #[sea_orm(column_type = "Text")]
    pub contributor_ids: String,
    pub approved_by: Option<i64>,
    pub approved_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
