use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cab_votes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub item_id: i64,
    /// The member whose seat the vote counts for.
    pub member_id: i64,
    /// Who cast it: the member, or their delegate.
    pub voter_id: i64,
    pub vote: String,
    #[sea_orm(column_type = "Text")]
    pub comment: String,
    pub cast_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
