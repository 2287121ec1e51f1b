use sea_orm::entity::prelude::*;

/// A graded finding of an internal audit, with the record it raised.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_findings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub audit_id: i64,
    pub clause: String,
    /// `major_nc`, `minor_nc`, `observation` or `opportunity`.
    pub grade: String,
    #[sea_orm(column_type = "Text")]
    pub statement: String,
    #[sea_orm(column_type = "Text")]
    pub evidence: String,
    pub nonconformity_id: Option<i64>,
    pub improvement_id: Option<i64>,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
