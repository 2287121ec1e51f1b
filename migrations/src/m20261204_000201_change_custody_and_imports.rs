//! Changes remember who owned them before (a hand-over does not make the former owner
//! independent of the change) and whether they are imported history (read-only).

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Changes {
    Table,
    FormerOwnerIds,
    Imported,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Changes::Table)
                    .add_column(
                        ColumnDef::new(Changes::FormerOwnerIds)
                            .text()
                            .not_null()
                            .default("[]"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Changes::Table)
                    .add_column(
                        ColumnDef::new(Changes::Imported)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Changes::Imported, Changes::FormerOwnerIds] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Changes::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
