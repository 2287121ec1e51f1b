use sea_orm::entity::prelude::*;

/// A supplier in the register (clause 8.3.4).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "suppliers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// The name in lower case: unique, so a BIA line finds its entry in any case.
    pub name_key: String,
    pub kind: String,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub provides: String,
    pub owner_id: i64,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub review_every_months: i16,
    pub next_review_on: Date,
    pub last_reviewed_on: Option<Date>,
    pub last_outcome: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub retired_reason: Option<String>,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
