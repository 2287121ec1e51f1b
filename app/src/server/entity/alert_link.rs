use sea_orm::entity::prelude::*;

/// The incident an alert (a source's fingerprint) opened, and whether the alert still fires.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_id: i64,
    pub fingerprint: String,
    pub incident_id: i64,
    pub firing: bool,
    pub first_received_at: DateTimeUtc,
    pub last_received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
