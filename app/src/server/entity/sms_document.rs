use sea_orm::entity::prelude::*;

/// A document the SMS maintains; its content lives in its versions.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sms_documents")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub title: String,
    /// The sub-clause numbers the document answers, as a JSON array of strings.
    #[sea_orm(column_type = "Text")]
    pub clauses: String,
    pub owner_id: i64,
    /// Months from an approval to the next review.
    pub review_months: i32,
    pub retired: bool,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
