use sea_orm::entity::prelude::*;

/// A person named as needing a competence, whatever their roles.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "competence_people")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub competence_id: i64,
    pub user_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
