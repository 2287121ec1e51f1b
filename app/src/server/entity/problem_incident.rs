use sea_orm::entity::prelude::*;

/// An incident a problem explains (one problem per incident).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "problem_incidents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub problem_id: i64,
    pub incident_id: i64,
    pub linked_by: i64,
    pub linked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
