use sea_orm::entity::prelude::*;

/// One sub-clause's rating within an assessment (one row per sub-clause, made at opening).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "gap_ratings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub assessment_id: i64,
    /// The sub-clause number ("8.5.1").
    pub clause: String,
    /// A maturity code or `not_applicable`; `None` while not rated yet.
    pub rating: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub justification: String,
    #[sea_orm(column_type = "Text")]
    pub notes: String,
    pub owner_id: Option<i64>,
    /// The improvement-register entry raised for this gap.
    pub improvement_id: Option<i64>,
    pub version: i32,
    pub updated_by: Option<i64>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
