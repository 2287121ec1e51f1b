use sea_orm::entity::prelude::*;

/// A competence the SMS needs (clause 7.2).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "competences")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// The name lower-cased: one entry per competence whatever its case.
    pub name_key: String,
    pub description: String,
    pub service_id: Option<i64>,
    pub validity_months: Option<i16>,
    pub status: String,
    /// `off`, `warn` or `block`: what a gap does when its holder casts a CAB vote.
    pub cab_vote_gate: String,
    /// The same when they own a continuity plan (of its service, if it names one).
    pub plan_owner_gate: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
