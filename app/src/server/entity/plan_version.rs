use sea_orm::entity::prelude::*;

/// One version of a continuity plan; an approved one is never written again.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    pub number: i32,
    pub state: String,
    /// The plan's content (`model::continuity_plan::PlanContent`) as JSON.
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub author_id: i64,
    /// JSON list of everyone else who saved part of this version.
    #[sea_orm(column_type = "Text")]
    pub contributor_ids: String,
    pub approved_by: Option<i64>,
    pub approved_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
