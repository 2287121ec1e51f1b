use sea_orm::entity::prelude::*;

/// A service's business impact analysis (one per service).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_bias")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub service_id: i64,
    /// The impact grid as JSON (rows by category, columns by time point).
    #[sea_orm(column_type = "Text")]
    pub impacts: String,
    pub mtpd: i32,
    pub rto: i32,
    pub rpo: i32,
    /// Ids of the services this one needs, as JSON.
    #[sea_orm(column_type = "Text")]
    pub depends_on: String,
    /// Suppliers it needs with their recovery times, as JSON.
    #[sea_orm(column_type = "Text")]
    pub suppliers: String,
    pub version: i32,
    pub updated_by: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
