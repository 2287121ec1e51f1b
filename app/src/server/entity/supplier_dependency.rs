use sea_orm::entity::prelude::*;

/// A register supplier a service's business impact analysis depends on (rewritten with the
/// analysis), with the recovery time the analysis gives it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supplier_dependencies")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub service_id: i64,
    pub supplier_id: i64,
    pub rto_minutes: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
