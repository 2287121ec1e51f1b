use sea_orm::entity::prelude::*;

/// One version of an SMS document; an approved one is never written again.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_document_versions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub document_id: i64,
    pub number: i32,
    /// `draft`, `in_review`, `approved` or `superseded`.
    pub state: String,
    /// Markdown, rendered safely.
    #[sea_orm(column_type = "Text")]
    pub content: String,
    /// Where the document lives when it is kept outside Conform.
    #[sea_orm(column_type = "Text", nullable)]
    pub link: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub change_summary: String,
    pub author_id: i64,
    /// JSON list of everyone else who saved part of this version.
    #[sea_orm(column_type = "Text")]
    pub contributor_ids: String,
    pub approved_by: Option<i64>,
    pub approved_at: Option<DateTimeUtc>,
    /// Set at approval: approval date + the document's review cycle.
    pub next_review_on: Option<Date>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
