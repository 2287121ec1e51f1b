use sea_orm::entity::prelude::*;

/// One internal audit of a programme.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "internal_audits")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub programme_id: i64,
    pub title: String,
    /// JSON array of clause numbers ("8", "8.5.1").
    #[sea_orm(column_type = "Text")]
    pub clauses: String,
    /// The processes or area audited, in words.
    #[sea_orm(column_type = "Text")]
    pub area: String,
    pub planned_on: Date,
    /// `planned`, `in_progress`, `completed` or `cancelled`.
    pub state: String,
    pub lead_auditor_id: i64,
    /// JSON array of user ids.
    #[sea_orm(column_type = "Text")]
    pub auditor_ids: String,
    /// JSON array of user ids: the people whose work is audited.
    #[sea_orm(column_type = "Text")]
    pub auditee_ids: String,
    #[sea_orm(column_type = "Text")]
    pub scope: String,
    #[sea_orm(column_type = "Text")]
    pub criteria: String,
    #[sea_orm(column_type = "Text")]
    pub conclusion: String,
    pub completed_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
