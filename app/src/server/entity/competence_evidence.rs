use sea_orm::entity::prelude::*;

/// Evidence of a person's competence; withdrawn evidence stays, with who and why.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "competence_evidence")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub competence_id: i64,
    pub user_id: i64,
    pub kind: String,
    pub evidence: String,
    pub achieved_on: Date,
    /// The last day it is valid; `None` never expires.
    pub expires_on: Option<Date>,
    pub recorded_by: i64,
    pub recorded_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub withdrawn_by: Option<i64>,
    pub withdrawal_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
