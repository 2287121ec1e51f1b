use sea_orm::entity::prelude::*;

/// A service a configuration item directly serves.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ci_services")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub ci_id: i64,
    pub service_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
