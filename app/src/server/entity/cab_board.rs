use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cab_boards")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// Lower-cased, trimmed name: unique.
    pub name_key: String,
    pub kind: String,
    pub chair_id: i64,
    /// `QuorumRule::as_code`.
    pub quorum: String,
    /// JSON `StoredRecurrence`; `None`: the board meets ad hoc only.
    #[sea_orm(column_type = "Text", nullable)]
    pub recurrence: Option<String>,
    pub time_zone: String,
    /// JSON `AgendaCriteria`.
    #[sea_orm(column_type = "Text")]
    pub criteria: String,
    /// JSON array of `Membership`.
    #[sea_orm(column_type = "Text")]
    pub members: String,
    pub active: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
