use sea_orm::entity::prelude::*;

/// A configuration item an incident or a problem names.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "record_cis")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// "incident" or "problem".
    pub record_type: String,
    pub record_id: i64,
    pub ci_id: i64,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
