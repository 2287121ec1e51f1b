use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    pub change_type: String,
    pub category: String,
    pub state: String,
    pub requester_id: i64,
    pub owner_id: i64,
    pub planned_start: Option<DateTimeUtc>,
    pub planned_end: Option<DateTimeUtc>,
    pub expects_outage: bool,
    pub outage_minutes: i32,
    #[sea_orm(column_type = "Text")]
    pub implementation_plan: String,
    #[sea_orm(column_type = "Text")]
    pub test_plan: String,
    #[sea_orm(column_type = "Text")]
    pub backout_plan: String,
    #[sea_orm(column_type = "Text")]
    pub communication_plan: String,
    /// JSON array of configuration item names.
    #[sea_orm(column_type = "Text")]
    pub configuration_items: String,
    /// JSON of the risk questionnaire answers.
    #[sea_orm(column_type = "Text", nullable)]
    pub risk_answers: Option<String>,
    pub risk_score: Option<i32>,
    pub risk_level: Option<String>,
    /// A change manager's recorded reason to authorise despite conflicts.
    #[sea_orm(column_type = "Text", nullable)]
    pub conflict_override: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub review_outcome: Option<String>,
    pub review_incidents: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub review_lessons: Option<String>,
    pub authorised_by: Option<i64>,
    /// The standard change template this change follows (standard changes only).
    pub template_id: Option<i64>,
    /// JSON array of the ids of everyone who owned the change before its current owner.
    #[sea_orm(column_type = "Text")]
    pub former_owner_ids: String,
    /// Imported history: arrives closed and stays read-only.
    pub imported: bool,
    /// How many schedule conflicts the change has: derived, kept by `conflict_counts`.
    pub conflict_count: i32,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::OwnerId",
        to = "super::user::Column::Id"
    )]
    Owner,
}

impl ActiveModelBehavior for ActiveModel {}
