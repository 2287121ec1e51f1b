use sea_orm::entity::prelude::*;

/// A risk or opportunity in the SMS risk register (clause 6.1).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_risks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub owner_id: i64,
    /// JSON array of everyone who owned the risk before its current owner.
    #[sea_orm(column_type = "Text")]
    pub former_owner_ids: String,
    /// JSON array of everyone who recorded the risk or changed its rating or treatment.
    #[sea_orm(column_type = "Text")]
    pub rater_ids: String,
    pub information_security: bool,
    pub confidentiality: bool,
    pub integrity: bool,
    pub availability: bool,
    pub inherent_likelihood: i16,
    pub inherent_impact: i16,
    pub inherent_score: i16,
    pub treatment: String,
    #[sea_orm(column_type = "Text")]
    pub treatment_plan: String,
    pub residual_likelihood: i16,
    pub residual_impact: i16,
    pub residual_score: i16,
    pub state: String,
    pub review_on: Date,
    pub accepted_by: Option<i64>,
    pub accepted_at: Option<DateTimeUtc>,
    /// Why the risk is acceptable as it stands, given by whoever accepted it.
    #[sea_orm(column_type = "Text", nullable)]
    pub accepted_reason: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub closed_reason: Option<String>,
    /// Rated above the appetite since recorded or last reopened (independent acceptance).
    pub escalated: bool,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
