use sea_orm::entity::prelude::*;

/// A monitoring source allowed to post alerts (`model::alert_intake`): its token is kept only
/// as a SHA-256, its rules as JSON (`Vec<IntakeRule>`, edited and read as one).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intake_sources")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub token_hash: String,
    pub reporter_id: i64,
    pub service_id: i64,
    pub impact: String,
    pub urgency: String,
    #[sea_orm(column_type = "Text")]
    pub rules: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
