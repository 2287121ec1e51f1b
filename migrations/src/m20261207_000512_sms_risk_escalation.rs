//! Whether a risk was rated above the appetite at some point since it was recorded or last
//! reopened: its acceptance (or closing) then needs a quality manager who never owned it,
//! even after its owner lowers the rating.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SmsRisks {
    Table,
    Escalated,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SmsRisks::Table)
                    .add_column(
                        ColumnDef::new(SmsRisks::Escalated)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(SmsRisks::Table)
                    .drop_column(SmsRisks::Escalated)
                    .to_owned(),
            )
            .await
    }
}
