use sea_orm::entity::prelude::*;

/// A service an SMS risk concerns.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_risk_services")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub risk_id: i64,
    pub service_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
