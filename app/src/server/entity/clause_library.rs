use sea_orm::entity::prelude::*;

/// One clause of the library, as last synced from the data shipped with the binary.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clause_library")]
pub struct Model {
    /// "8.5.1": the clause number is the identity.
    #[sea_orm(primary_key, auto_increment = false)]
    pub number: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub guidance: String,
    /// JSON array of `model::clause_library::Documented`.
    #[sea_orm(column_type = "Text")]
    pub documented: String,
    /// JSON array of strings.
    #[sea_orm(column_type = "Text")]
    pub evidence_hints: String,
    /// The version of the bundled library this row was written from.
    pub library_version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
