//! A closed awareness campaign keeps its completion per role as it stood at closing, as it
//! already kept its overall completion: people who change role or leave later do not rewrite
//! what the campaign achieved. Campaigns closed before this migration have none kept and show
//! the figures of today's roles.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AwarenessCampaigns {
    Table,
    ClosedByRole,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AwarenessCampaigns::Table)
                    .add_column(
                        ColumnDef::new(AwarenessCampaigns::ClosedByRole)
                            .text()
                            .null(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AwarenessCampaigns::Table)
                    .drop_column(AwarenessCampaigns::ClosedByRole)
                    .to_owned(),
            )
            .await
    }
}
