use sea_orm::entity::prelude::*;

/// A service request (clause 8.6.2): what was asked from the catalogue, its approval and its
/// fulfilment clock (stored like an incident's: used so far, running since, and the warning
/// and due instants of the current run).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_requests")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub type_id: i64,
    pub service_id: i64,
    pub summary: String,
    /// JSON array of `Answer`.
    #[sea_orm(column_type = "Text")]
    pub answers: String,
    pub state: String,
    pub requester_id: i64,
    pub raised_by: i64,
    pub approval_required: bool,
    pub approver_id: Option<i64>,
    pub decided_at: Option<DateTimeUtc>,
    pub assignee_id: Option<i64>,
    pub agreement_id: Option<i64>,
    pub calendar_id: Option<i64>,
    pub target_minutes: Option<i32>,
    pub used_seconds: i64,
    pub running_since: Option<DateTimeUtc>,
    pub stopped_at: Option<DateTimeUtc>,
    pub warning_at: Option<DateTimeUtc>,
    pub due_at: Option<DateTimeUtc>,
    /// The queue's sort key: `due_at` while the clock runs, far in the future otherwise.
    pub queue_due_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub fulfilled_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
