use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "nonconformities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub grade: String,
    pub clause: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "Text")]
    pub evidence: String,
    pub found_in: String,
    pub raised_by: i64,
    pub owner_id: i64,
    pub state: String,
    #[sea_orm(column_type = "Text")]
    pub correction: String,
    #[sea_orm(column_type = "Text")]
    pub root_cause: String,
    pub root_cause_method: Option<String>,
    pub similar_checked: bool,
    #[sea_orm(column_type = "Text")]
    pub similar_notes: String,
    pub verify_from: Option<Date>,
    /// Days between "actions done" and the effectiveness check.
    pub wait_days: i32,
    pub verification_failures: i32,
    pub verified_by: Option<i64>,
    pub step_due: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
