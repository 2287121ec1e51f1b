use sea_orm::entity::prelude::*;

/// The organisation's risk matrix and appetite: one row (id 1).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_risk_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i64,
    /// `RiskMatrix` as JSON; empty for the default matrix.
    #[sea_orm(column_type = "Text")]
    pub matrix: String,
    /// A looser `RiskMatrix` (JSON) one quality manager proposed, waiting for another.
    #[sea_orm(column_type = "Text", nullable)]
    pub proposed_matrix: Option<String>,
    pub proposed_by: Option<i64>,
    pub proposed_at: Option<DateTimeUtc>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
