use sea_orm::entity::prelude::*;

/// A change or continuity plan that addresses an SMS risk.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_risk_links")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub risk_id: i64,
    /// `AddressedBy::as_str`: "change" or "continuity_plan".
    pub addressed_by: String,
    pub record_id: i64,
    pub linked_by: i64,
    pub linked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
