use sea_orm::entity::prelude::*;

/// An awareness campaign (clause 7.3).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "awareness_campaigns")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub message: String,
    pub document_id: i64,
    /// The approved version pinned at launch.
    pub document_version_id: Option<i64>,
    pub due_on: Date,
    pub target_percent: i16,
    pub status: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub launched_by: Option<i64>,
    pub launched_at: Option<DateTimeUtc>,
    pub closed_by: Option<i64>,
    pub closed_at: Option<DateTimeUtc>,
    /// The completion at closing, kept: leavers disabled later do not change the record.
    pub closed_assigned: Option<i32>,
    pub closed_acknowledged: Option<i32>,
    /// The completion per role at closing (JSON), kept for the same reason.
    #[sea_orm(column_type = "Text", nullable)]
    pub closed_by_role: Option<String>,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
