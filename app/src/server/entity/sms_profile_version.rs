use sea_orm::entity::prelude::*;

/// One numbered version of the SMS profile (clauses 4–6.3): draft, in review, approved (the
/// one in force) or superseded.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_profile_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub number: i32,
    pub state: String,
    /// `model::sms_profile::ProfileContent` as JSON.
    #[sea_orm(column_type = "Text")]
    pub content: String,
    pub author_id: i64,
    /// Everyone else who saved it, a JSON list of user ids (`server::contributors`).
    #[sea_orm(column_type = "Text")]
    pub contributors: String,
    pub approved_by: Option<i64>,
    pub approved_at: Option<DateTimeUtc>,
    pub next_review_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
