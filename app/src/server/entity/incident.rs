use sea_orm::entity::prelude::*;

/// An incident (`model::incident`) with its response and resolution clocks
/// (`model::target_clock::TargetClock`, plus the instants worked out when each last moved).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "incidents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub service_id: i64,
    pub impact: String,
    pub urgency: String,
    pub priority: String,
    #[sea_orm(column_type = "Text")]
    pub priority_rule: String,
    pub category: String,
    pub affected: String,
    pub reporter_id: i64,
    pub assignee_id: Option<i64>,
    pub state: String,
    pub pending_reason: Option<String>,
    pub resolution_code: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub resolution: Option<String>,
    pub major: bool,
    pub review_completed_at: Option<DateTimeUtc>,
    pub review_summary: Option<String>,
    pub review_cause: Option<String>,
    pub review_lessons: Option<String>,
    pub reviewed_by: Option<i64>,
    pub service_affecting: bool,
    pub started_at: DateTimeUtc,
    pub agreement_id: Option<i64>,
    pub calendar_id: Option<i64>,
    pub response_target_minutes: Option<i32>,
    pub response_used_seconds: i64,
    pub response_running_since: Option<DateTimeUtc>,
    pub response_stopped_at: Option<DateTimeUtc>,
    pub response_warning_at: Option<DateTimeUtc>,
    pub response_due_at: Option<DateTimeUtc>,
    pub resolution_target_minutes: Option<i32>,
    pub resolution_used_seconds: i64,
    pub resolution_running_since: Option<DateTimeUtc>,
    pub resolution_stopped_at: Option<DateTimeUtc>,
    pub resolution_warning_at: Option<DateTimeUtc>,
    pub resolution_due_at: Option<DateTimeUtc>,
    /// The queue's sort key: `resolution_due_at`, or the far future when no clock runs.
    pub queue_due_at: DateTimeUtc,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    /// The change that caused it, once someone working it says so.
    pub caused_by_change_id: Option<i64>,
    /// Its number in the tool it was imported from (none: raised in Conform).
    pub imported_ref: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
