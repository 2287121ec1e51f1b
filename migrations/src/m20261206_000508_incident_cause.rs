//! The change that caused an incident. Nullable: most incidents have no such cause, and the
//! link is made (or corrected) while the incident is worked. Indexed so a change's page and
//! the change KPIs find the incidents it caused without reading the incident table.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Incidents {
    Table,
    Id,
    CausedByChangeId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .add_column(
                        ColumnDef::new(Incidents::CausedByChangeId)
                            .big_integer()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_incidents_caused_by_change")
                    .table(Incidents::Table)
                    .col(Incidents::CausedByChangeId)
                    .col(Incidents::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_incidents_caused_by_change")
                    .table(Incidents::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Incidents::Table)
                    .drop_column(Incidents::CausedByChangeId)
                    .to_owned(),
            )
            .await
    }
}
