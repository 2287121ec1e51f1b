use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cab_agenda_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub meeting_id: i64,
    pub change_id: i64,
    pub position: i32,
    pub time_box_minutes: i32,
    #[sea_orm(column_type = "Text")]
    pub notes: String,
    /// `Decision` as JSON string (`"Authorise"` …); `None` until decided.
    pub decision: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub decision_text: String,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    /// Time spent on the item in earlier turns (the current turn runs from `item_started_at`).
    pub spent_seconds: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
