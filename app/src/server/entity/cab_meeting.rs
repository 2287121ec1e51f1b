use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cab_meetings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub board_id: i64,
    pub title: String,
    pub scheduled_at: DateTimeUtc,
    pub emergency: bool,
    /// `MeetingState::as_str`.
    pub state: String,
    pub current_item_id: Option<i64>,
    pub item_started_at: Option<DateTimeUtc>,
    pub started_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub minutes_draft: Option<String>,
    /// Set once, when the chair publishes; never changed after.
    #[sea_orm(column_type = "Text", nullable)]
    pub minutes_published: Option<String>,
    pub published_at: Option<DateTimeUtc>,
    pub published_by: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
