use sea_orm::entity::prelude::*;

/// One audit entry. Append-only (database triggers refuse UPDATE and DELETE) and
/// hash-chained: `hash` covers this entry's content and `prev_hash`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub seq: i64,
    pub occurred_at: DateTimeUtc,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub record_type: String,
    pub record_id: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    /// JSON array of field changes, stored exactly as hashed.
    #[sea_orm(column_type = "Text")]
    pub changes: String,
    pub client_ip: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
