use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "improvements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub source: String,
    pub source_ref: Option<String>,
    /// JSON array of service ids.
    #[sea_orm(column_type = "Text")]
    pub service_ids: String,
    /// JSON array of clause numbers.
    #[sea_orm(column_type = "Text")]
    pub clauses: String,
    #[sea_orm(column_type = "Text")]
    pub expected_benefit: String,
    pub benefit_score: Option<i16>,
    pub effort: Option<String>,
    pub owner_id: i64,
    pub approver_id: Option<i64>,
    pub target_date: Option<Date>,
    pub state: String,
    #[sea_orm(column_type = "Text")]
    pub outcome: String,
    pub verifier_id: Option<i64>,
    pub closure_code: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    /// JSON array of the user ids who owned the entry before its current owner.
    #[sea_orm(column_type = "Text")]
    pub former_owner_ids: String,
    pub approver_named_by: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
