use sea_orm::entity::prelude::*;

/// A review of an SMS risk: what it found and when to look again.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_risk_reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub risk_id: i64,
    pub reviewed_by: i64,
    pub reviewed_at: DateTimeUtc,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub next_review_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
