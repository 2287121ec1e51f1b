use sea_orm::entity::prelude::*;

/// A management review (clause 9.3). Published = immutable.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "management_reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    pub planned_on: Date,
    pub period_start: Date,
    pub period_end: Date,
    /// `planned`, `held` or `published`.
    pub state: String,
    pub chair_id: i64,
    /// JSON array of user ids.
    #[sea_orm(column_type = "Text")]
    pub attendees: String,
    #[sea_orm(column_type = "Text")]
    pub guests: String,
    #[sea_orm(column_type = "Text")]
    pub context_changes: String,
    #[sea_orm(column_type = "Text")]
    pub customer_feedback: String,
    /// `model::management_review::ReviewInputs` as JSON, frozen when held and published.
    #[sea_orm(column_type = "Text", nullable)]
    pub inputs_snapshot: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub minutes: String,
    pub published_at: Option<DateTimeUtc>,
    pub published_by: Option<i64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
