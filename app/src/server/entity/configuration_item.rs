use sea_orm::entity::prelude::*;

/// A configuration item in the CMDB (clauses 8.2.5, 8.2.6).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "configuration_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// The name in lower case: unique, so a change or an import finds the item in any case.
    pub name_key: String,
    pub kind: String,
    pub status: String,
    pub owner_id: Option<i64>,
    /// The supplier register's entry, for a supplier service.
    pub supplier_id: Option<i64>,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// The attributes of its kind, a JSON object of text values.
    #[sea_orm(column_type = "Text")]
    pub attributes: String,
    pub created_by: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
