use sea_orm::entity::prelude::*;

/// A planned test of a continuity plan, and its recorded outcome.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "continuity_exercises")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub plan_id: i64,
    pub kind: String,
    pub planned_on: Date,
    #[sea_orm(column_type = "Text")]
    pub participants: String,
    #[sea_orm(column_type = "Text")]
    pub objectives: String,
    pub result: Option<String>,
    pub actual_minutes: Option<i32>,
    /// `model::continuity_plan::ExerciseFinding`s as JSON.
    #[sea_orm(column_type = "Text")]
    pub findings: String,
    pub recorded_by: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
