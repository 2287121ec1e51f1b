use sea_orm::entity::prelude::*;

/// A problem (clause 8.6.3): the unknown cause of one or more incidents, its analysis, and the
/// known error it becomes once its root cause and workaround are recorded.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "problems")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub service_id: i64,
    pub state: String,
    pub owner_id: Option<i64>,
    pub rca_method: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub root_cause: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub workaround: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub resolution: Option<String>,
    pub change_id: Option<i64>,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub known_error_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
