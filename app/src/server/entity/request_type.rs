use sea_orm::entity::prelude::*;

/// A kind of request a service offers in the catalogue (clause 8.6.2).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_types")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub service_id: i64,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub approval_required: bool,
    /// The type's own target in minutes of service time; none: the agreement's.
    pub fulfilment_minutes: Option<i32>,
    pub active: bool,
    /// JSON array of `RequestField`.
    #[sea_orm(column_type = "Text")]
    pub fields: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
