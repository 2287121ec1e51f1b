use sea_orm::entity::prelude::*;

/// Who has the meeting open: one row per person, counting their open connections.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cab_attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub meeting_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub first_seen: DateTimeUtc,
    /// Refreshed while a connection is open; a crashed process's rows go stale.
    pub last_seen: DateTimeUtc,
    pub connections: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
