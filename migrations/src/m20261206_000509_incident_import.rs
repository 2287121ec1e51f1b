//! Incidents imported from another tool keep their number there. Unique, so importing the
//! same file twice (or two people importing at once) cannot create an incident twice;
//! nullable, since incidents raised in Conform have none.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Incidents {
    Table,
    ImportedRef,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .add_column(ColumnDef::new(Incidents::ImportedRef).string_len(60).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_incidents_imported_ref")
                    .table(Incidents::Table)
                    .col(Incidents::ImportedRef)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_incidents_imported_ref")
                    .table(Incidents::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .drop_column(Incidents::ImportedRef)
                    .to_owned(),
            )
            .await
    }
}
