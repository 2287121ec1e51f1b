use sea_orm::entity::prelude::*;

/// One person's part in a launched campaign, and their acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "awareness_assignments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    pub user_id: i64,
    pub assigned_at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    /// The day it was acknowledged in the person's time zone (late is after the due date).
    pub acknowledged_on: Option<Date>,
    /// The due date in force when it was acknowledged (a later extension does not make a late
    /// acknowledgement timely).
    pub acknowledged_due_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
