//! The waiting period set when a nonconformity is raised, kept so that "actions done" can
//! start it (before, only the first judgement date was stored and the period was lost).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Nonconformities {
    Table,
    WaitDays,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Nonconformities::Table)
                    .add_column(
                        ColumnDef::new(Nonconformities::WaitDays)
                            .integer()
                            .not_null()
                            .default(30),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Nonconformities::Table)
                    .drop_column(Nonconformities::WaitDays)
                    .to_owned(),
            )
            .await
    }
}
